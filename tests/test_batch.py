"""Batch ageing, scoring and portfolio loss over partitioned Parquet/CSV inputs (issue 10 item 3).

Checks: CSV byte ranges cover every line exactly once; partition-wise results equal the core
functions on the whole data (counts exactly, money to 1e-12 relative, scores exactly); the Dask engine
on a 2-worker local cluster gives results identical to the pandas engine; Monte Carlo chunks give
the analytic expected loss; the CLI writes .xlsx/.parquet/.csv and fails clearly.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_cashrisk import portfolio as pf
from xl_cashrisk import receivables as rc
from xl_cashrisk.batch import (
    PandasEngine,
    chunk_plan,
    combine_buckets,
    combine_schedules,
    dask_available,
    make_engine,
    plan_parts,
    read_part,
    run_age,
    run_loss,
    run_score,
)
from xl_cashrisk.batch import engine as engine_mod
from xl_cashrisk.batch.sources import TableSink
from xl_cashrisk.cli import cli
from xl_cashrisk.errors import CashRiskError, InputError
from xl_cashrisk.sample import load_sample
from xl_cashrisk.scoring import score_register
from xl_cashrisk.settings import Settings

try:
    import pyarrow  # noqa: F401

    HAS_ARROW = True
except ImportError:
    HAS_ARROW = False
needs_arrow = pytest.mark.skipif(not HAS_ARROW, reason="Parquet needs pyarrow: pip install 'xl-cashrisk[dask]'")
needs_dask = pytest.mark.skipif(not dask_available(), reason="Dask is not installed: pip install 'xl-cashrisk[dask]'")
AS_OF = "2026-09-30"
FX_ARGS = ["--fx", "USD=7.10", "--fx", "EUR=7.75"]


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def data(tmp_path_factory, sample):
    """The sample ledger (21k lines, 300 buyers, CNY/USD/EUR, credit notes) in date order, so buyers span
    partitions: 3 Parquet files with 2,500-row groups, one CSV; the register in 4 Parquet files; a book."""
    d = tmp_path_factory.mktemp("batch")
    ledger = sample.ledger.sort_values("invoice_date", kind="stable").reset_index(drop=True)
    ledger.to_csv(d / "ledger.csv", index=False)
    if HAS_ARROW:
        for i, idx in enumerate(np.array_split(np.arange(len(ledger)), 3)):
            ledger.iloc[idx].to_parquet(d / f"ledger-{i}.parquet", row_group_size=2_500)
        for i, idx in enumerate(np.array_split(np.arange(len(sample.buyers)), 4)):
            sample.buyers.iloc[idx].to_parquet(d / f"register-{i}.parquet", row_group_size=40)
    g = np.random.default_rng(7)
    n = 400
    book = pd.DataFrame({"buyer_id": [f"B{i:04d}" for i in range(n)],
                         "ead": np.round(g.lognormal(12, 1, n), 2), "pd": g.uniform(0.002, 0.08, n),
                         "insured": np.round(g.uniform(0, 1, n) * 50_000, 2),
                         "region": g.choice(["EU", "South China", "East China"], n),
                         "sector": g.choice(["retail", "pharma", "textiles"], n)})
    book.to_csv(d / "book.csv", index=False)
    return {"dir": d, "ledger": ledger, "register": sample.buyers, "book": book,
            "parquet": sorted(d.glob("ledger-*.parquet")), "csv": d / "ledger.csv",
            "register_files": sorted(d.glob("register-*.parquet"))}


@pytest.fixture(scope="module")
def dask_engine():
    if not (dask_available() and HAS_ARROW):
        pytest.skip("Dask is not installed: pip install 'xl-cashrisk[dask]'")
    e = make_engine("dask", workers=2, processes=False, memory_limit=None)
    yield e
    e.close()


def _settings(sample) -> Settings:
    s = sample.settings
    return Settings(as_of=s.as_of, home_currency=s.home_currency, fx_rates=dict(s.fx_rates))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------------
# partitions


@needs_arrow
def test_parquet_partitions_join_row_groups_up_to_the_limit(data):
    parts = plan_parts(data["parquet"], partition_rows=5_000)
    assert [p.row_groups for p in parts if p.path.endswith("ledger-0.parquet")] == [(0, 1), (2,)]
    assert sum(p.rows for p in parts) == len(data["ledger"])
    assert [p.index for p in parts] == list(range(len(parts)))
    assert parts[0].label == "ledger-0.parquet (row groups 0-1)"


@needs_arrow
def test_folder_and_pattern_inputs(data):
    by_glob = plan_parts([str(data["dir"] / "ledger-*.parquet")])
    assert [p.path for p in by_glob] == [p.path for p in plan_parts(data["parquet"])]
    by_dir = plan_parts([data["dir"]])
    assert {Path(p.path).name for p in by_dir} >= {"ledger.csv", "ledger-0.parquet", "book.csv"}


@needs_arrow
def test_bad_inputs_say_what_is_wrong(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        plan_parts([tmp_path / "nope.parquet"])
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match=r"must be \.parquet or \.csv.*xl-cashrisk age"):
        plan_parts([tmp_path / "x.xlsx"])
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        plan_parts([tmp_path / "bad.parquet"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=st.one_of(st.integers(1, 30), st.integers(30, 1_500)), crlf=st.booleans(), bom=st.booleans())
def test_csv_blocks_hold_every_line_exactly_once(tmp_path_factory, block, crlf, bom):
    d = tmp_path_factory.mktemp("csv")
    n = 40
    frame = pd.DataFrame({"invoice_no": [f"I{i}" for i in range(n)],
                          "buyer_id": [f"{i % 7:05d}" for i in range(n)],  # looks numeric: must stay text
                          "amount": np.arange(n) * 1.5, "note": ["a, \"quoted\"" if i % 9 == 0 else "" for i in range(n)]})
    text = frame.to_csv(index=False, lineterminator="\r\n" if crlf else "\n")
    path = d / "l.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    parts = plan_parts([path], block_bytes=block)
    got = pd.concat([read_part(p) for p in parts], ignore_index=True)
    assert got["invoice_no"].tolist() == frame["invoice_no"].tolist()
    assert got["buyer_id"].tolist() == frame["buyer_id"].tolist()
    np.testing.assert_array_equal(got["amount"].to_numpy(), frame["amount"].to_numpy())


def test_headers_in_either_language_and_bad_dates(tmp_path):
    p = tmp_path / "zh.csv"
    p.write_text("发票号码,Buyer ID,Invoice date,金额\nI1,B1,2026-09-01,100\nI2,B1,soon,50\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"zh\.csv \(bytes .*1 value\(s\) in column 'invoice_date' are not dates.*'soon'"):
        read_part(plan_parts([p])[0])
    p.write_text("发票号码,Buyer ID,Invoice date,金额\nI1,B1,2026-09-01,100\n", encoding="utf-8")
    f = read_part(plan_parts([p])[0])
    assert list(f.columns) == ["invoice_no", "buyer_id", "invoice_date", "amount"]
    assert f["invoice_date"].iloc[0] == pd.Timestamp("2026-09-01")
    p.write_text("Buyer ID,Terms (days)\n00042,30\n", encoding="utf-8")  # same header, other table
    assert read_part(plan_parts([p])[0]).columns.tolist() == ["buyer_id", "terms_days"]
    reg = read_part(plan_parts([p])[0], table="register")
    assert reg.columns.tolist() == ["buyer_id", "payment_terms_days"] and reg["buyer_id"].iloc[0] == "00042"


# ----------------------------------------------------------------------------------------------
# partition-wise results equal the core functions on the whole data


def _whole(sample, ledger):
    s = _settings(sample)
    kw = dict(fx=s.fx_rates, home_currency=s.home_currency)
    return rc.ageing_table(ledger, s.as_of, **kw), rc.buyer_ageing_schedule(ledger, s.as_of, **kw)


def _same_schedule(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert len(got) == len(want)
    g, w = got.set_index("buyer_id"), want.set_index("buyer_id").loc[got["buyer_id"]]
    assert list(g.columns) == list(w.columns)
    assert (g["buyer_name"] == w["buyer_name"]).all()
    num = [c for c in g.columns if c != "buyer_name"]
    np.testing.assert_allclose(g[num].to_numpy(float), w[num].to_numpy(float), rtol=1e-12, atol=1e-6)
    assert np.array_equal(np.isnan(g["oldest_dpd"].to_numpy(float)), np.isnan(w["oldest_dpd"].to_numpy(float)))


@pytest.mark.parametrize("kind", [pytest.param("parquet", marks=needs_arrow), "csv"])
def test_age_by_partitions_equals_the_whole_ledger(data, sample, kind):
    parts = plan_parts(data["parquet"], partition_rows=2_500) if kind == "parquet" else \
        plan_parts([data["csv"]], block_bytes=200_000)
    assert len(parts) >= 9
    got = run_age(parts, _settings(sample), PandasEngine())
    table, schedule = _whole(sample, data["ledger"])
    assert got.rows == len(data["ledger"])
    assert got.buckets["items"].tolist() == table["items"].tolist()
    np.testing.assert_allclose(got.buckets["amount"], table["amount"], rtol=1e-12)
    assert got.buckets.index.tolist() == table.index.tolist()
    _same_schedule(got.schedule, schedule)
    # buyers really did span partitions
    seen = [set(read_part(p, ["buyer_id"])["buyer_id"]) for p in parts[:2]]
    assert seen[0] & seen[1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(0, 21_411), max_size=6), seed=st.integers(0, 2**16))
def test_combine_of_any_split_equals_the_core(data, sample, cuts, seed):
    """Schedules of arbitrary pieces (rows shuffled, so buyers are spread) combine to the whole one."""
    ledger = data["ledger"].sample(frac=1.0, random_state=seed).reset_index(drop=True)
    edges = sorted({0, len(ledger), *cuts})
    pieces = [ledger.iloc[a:b] for a, b in itertools.pairwise(edges)]
    s = _settings(sample)
    kw = dict(fx=s.fx_rates, home_currency=s.home_currency)
    tables = [rc.ageing_table(p, s.as_of, **kw) for p in pieces]
    schedules = [rc.buyer_ageing_schedule(p, s.as_of, **kw) for p in pieces]
    table, schedule = _whole(sample, ledger)
    got = combine_buckets(tables)
    assert got["items"].tolist() == table["items"].tolist()
    np.testing.assert_allclose(got["amount"], table["amount"], rtol=1e-12)
    _same_schedule(combine_schedules(schedules, s), schedule)


def test_combine_keeps_the_core_definitions_on_a_hand_case():
    """Buyer A split over two parts: one overdue invoice in each, a credit note in the second."""
    s = Settings(as_of=pd.Timestamp(AS_OF).date())
    led = pd.DataFrame({"invoice_no": ["1", "2", "3"], "buyer_id": ["A", "A", "A"], "buyer_name": [None, "Alpha", "Beta"],
                        "doc_type": ["INV", "INV", "CN"],
                        "invoice_date": pd.to_datetime(["2026-06-01", "2026-09-20", "2026-09-01"]),
                        "terms_days": [30, 30, 0], "amount": [1_000.0, 3_000.0, -200.0]})
    got = combine_schedules([rc.buyer_ageing_schedule(led.iloc[:1], s.as_of),
                             rc.buyer_ageing_schedule(led.iloc[1:], s.as_of)], s)
    row = got.iloc[0]
    assert row["buyer_name"] == "Alpha"  # first name seen, as the core takes it
    assert (row["current"], row["61-90"], row["91-120"], row["credits"]) == (3_000.0, 0.0, 1_000.0, -200.0)
    assert row["total"] == 3_800.0 and row["overdue"] == 1_000.0
    assert row["pct_overdue"] == 0.25 and row["oldest_dpd"] == 91.0


@needs_arrow
def test_score_by_partitions_is_exactly_score_register(data):
    parts = plan_parts(data["register_files"])
    frames = []

    class Collect:
        def write(self, frame):
            frames.append(frame)

    assert run_score(parts, PandasEngine(), Collect()) == len(data["register"])
    got = pd.concat(frames, ignore_index=True)
    want = score_register(data["register"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False, check_exact=True)
    assert got["buyer_id"].tolist() == data["register"]["buyer_id"].tolist()


def test_chunk_plan_is_fixed_by_seed_and_chunks():
    a, b = chunk_plan(100_001, 5, 4), chunk_plan(100_001, 5, 4)
    assert a == b and [n for n, _ in a] == [25_001, 25_000, 25_000, 25_000]
    assert len({s for _, s in a}) == 4 and chunk_plan(100_001, 6, 4) != a
    assert len(chunk_plan(60_000, 5)) == 3  # default: 25,000 scenarios per chunk
    with pytest.raises(InputError, match="--chunks"):
        chunk_plan(3, 1, 4)


def test_loss_chunks_reproduce_the_analytic_expected_loss(data):
    parts = plan_parts([data["dir"] / "book.csv"], block_bytes=4_000)
    assert len(parts) > 3
    r = run_loss(parts, PandasEngine(), n_sims=40_000, seed=11, chunks=4, rho=0.2)
    b = data["book"]
    el = pf.portfolio_el(b["ead"], b["pd"], 0.45)
    el_net = pf.portfolio_el(b["ead"], b["pd"], 0.45, b["insured"])
    assert r.sample.gross.size == 40_000 and r.chunks == 4
    assert abs(r.sample.el() / el - 1) < 0.03 and abs(r.sample.el(net=True) / el_net - 1) < 0.03
    summary = r.summary().set_index("metric")
    assert summary.loc["expected loss, analytic", "gross"] == pytest.approx(el)
    assert summary.loc["VaR 99.0%", "gross"] == pf.value_at_risk(r.sample.gross, 0.99)
    assert summary.loc["ES 99.9%", "net"] == pf.expected_shortfall(r.sample.net, 0.999)
    again = run_loss(parts, PandasEngine(), n_sims=40_000, seed=11, chunks=4, rho=0.2)
    assert np.array_equal(again.sample.gross, r.sample.gross)


def test_loss_book_problems_are_named(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("buyer_id,ead,pd\nB1,100,0.01\nB2,200,\n")
    with pytest.raises(InputError, match=r"1 buyer\(s\) have no number in 'pd', e.g. row 2 \(buyer B2\)"):
        run_loss(plan_parts([p]), PandasEngine(), n_sims=10)
    p.write_text("buyer_id,amount\nB1,100\n")
    with pytest.raises(InputError, match="needs an exposure column"):
        run_loss(plan_parts([p]), PandasEngine(), n_sims=10)


def test_core_errors_name_the_partition(tmp_path, sample):
    p = tmp_path / "l.csv"
    p.write_text("invoice_no,buyer_id,invoice_date,currency,amount\nI1,B1,2026-09-01,USD,100\n")
    with pytest.raises(InputError, match=r"l\.csv \(bytes .*no FX rate for currency 'USD'"):
        run_age(plan_parts([p]), Settings(as_of=sample.settings.as_of), PandasEngine())


# ----------------------------------------------------------------------------------------------
# Dask: identical to pandas on a 2-worker local cluster


@needs_dask
@needs_arrow
def test_dask_ageing_is_identical_to_pandas(data, sample, dask_engine):
    parts = plan_parts(data["parquet"], partition_rows=2_500)
    want = run_age(parts, _settings(sample), PandasEngine())
    got = run_age(parts, _settings(sample), dask_engine)
    pd.testing.assert_frame_equal(got.buckets, want.buckets, check_exact=True)
    pd.testing.assert_frame_equal(got.schedule, want.schedule, check_exact=True)
    csv_parts = plan_parts([data["csv"]], block_bytes=300_000)
    pd.testing.assert_frame_equal(run_age(csv_parts, _settings(sample), dask_engine).schedule,
                                  run_age(csv_parts, _settings(sample), PandasEngine()).schedule, check_exact=True)


@needs_dask
@needs_arrow
def test_dask_scoring_and_loss_are_identical_to_pandas(data, tmp_path, dask_engine):
    parts = plan_parts(data["register_files"])
    outs = {}
    for name, e in (("pandas", PandasEngine()), ("dask", dask_engine)):
        with TableSink(tmp_path / f"{name}.parquet") as sink:
            run_score(parts, e, sink)
            outs[name] = pd.read_parquet(sink.close())
    pd.testing.assert_frame_equal(outs["dask"], outs["pandas"], check_exact=True)
    assert len(outs["dask"]) == len(data["register"])
    book = plan_parts([data["dir"] / "book.csv"], block_bytes=4_000)
    kw = dict(n_sims=20_000, seed=3, chunks=5, rho=0.15, rho_region=0.05, rho_sector=0.05)
    a, b = run_loss(book, PandasEngine(), **kw), run_loss(book, dask_engine, **kw)
    assert np.array_equal(a.sample.gross, b.sample.gross) and np.array_equal(a.sample.net, b.sample.net)
    pd.testing.assert_frame_equal(a.summary(), b.summary(), check_exact=True)


@needs_dask
@needs_arrow
def test_dask_errors_arrive_as_user_errors(tmp_path, sample, dask_engine):
    p = tmp_path / "l.csv"
    p.write_text("invoice_no,buyer_id,invoice_date,currency,amount\nI1,B1,2026-09-01,JPY,100\n")
    with pytest.raises(InputError, match=r"l\.csv \(bytes .*no FX rate for currency 'JPY'"):
        run_age(plan_parts([p]), Settings(as_of=sample.settings.as_of), dask_engine)


def test_dask_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(engine_mod, "dask_available", lambda: False)
    with pytest.raises(CashRiskError, match=r"needs Dask, which is not installed: pip install 'xl-cashrisk\[dask\]'"):
        make_engine("dask", workers=2)
    result = CliRunner().invoke(cli, ["batch", "age", "x.parquet", "--out", "o.csv", "--engine", "dask"])
    assert result.exit_code in (3,)  # the missing file or the missing Dask, never a traceback
    assert "error:" in result.output
    with pytest.raises(CashRiskError, match="need --engine dask"):
        make_engine("pandas", workers=2)


# ----------------------------------------------------------------------------------------------
# command line


def test_cli_batch_age_csv_to_xlsx(data, tmp_path):
    before = sha(data["csv"])
    out = tmp_path / "aged.xlsx"
    r = CliRunner().invoke(cli, ["batch", "age", str(data["csv"]), "--out", str(out), "--as-of", AS_OF,
                                 "--block-size", "0.5", *FX_ARGS])
    assert r.exit_code == 0, r.output
    assert "21,411 ledger rows" in r.output and "wrote" in r.output
    assert sha(data["csv"]) == before
    wb = openpyxl.load_workbook(out, read_only=True)
    assert {"Buyers", "Buckets", "Run info"} <= set(wb.sheetnames)
    rows = list(wb["Buckets"].values)
    header = [str(h) for h in rows[0]]
    amount = header.index("Amount 金额")  # the finance header of the key "amount"
    table, _ = rc.ageing_table(data["ledger"], AS_OF, fx={"USD": 7.10, "EUR": 7.75}, home_currency="CNY"), None
    assert [r_[0] for r_ in rows[1:]] == table.index.tolist()
    np.testing.assert_allclose([r_[amount] for r_ in rows[1:]], table["amount"], rtol=1e-12)


@needs_arrow
def test_cli_batch_score_and_loss_to_parquet_and_csv(data, tmp_path):
    out = tmp_path / "scores.parquet"
    r = CliRunner().invoke(cli, ["batch", "score", *map(str, data["register_files"]), "--out", str(out)])
    assert r.exit_code == 0, r.output
    scores = pd.read_parquet(out)
    assert len(scores) == 300 and scores.columns[:3].tolist() == ["buyer_id", "buyer_name", "score"]
    assert set(scores["band"]) <= {"GREEN", "YELLOW", "RED", "NR"}
    out = tmp_path / "loss.csv"
    r = CliRunner().invoke(cli, ["batch", "loss", str(data["dir"] / "book.csv"), "--out", str(out),
                                 "--sims", "20000", "--chunks", "2", "--seed", "9"])
    assert r.exit_code == 0, r.output
    loss = pd.read_csv(out, encoding="utf-8-sig").set_index("metric")
    assert loss.loc["buyers", "gross"] == 400
    assert loss.loc["VaR 99.0%", "gross"] >= loss.loc["VaR 95.0%", "gross"] > loss.loc["VaR 95.0%", "net"]


@needs_arrow
def test_cli_batch_errors(data, tmp_path):
    run = CliRunner().invoke
    r = run(cli, ["batch", "age", str(tmp_path / "none.parquet"), "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 3 and "file not found" in r.output
    r = run(cli, ["batch", "age", *map(str, data["parquet"]), "--out", str(tmp_path / "o.csv"), "--as-of", AS_OF])
    assert r.exit_code == 3 and "no FX rate" in r.output  # the ledger holds USD and EUR
    r = run(cli, ["batch", "score", str(data["register_files"][0]), "--out", str(tmp_path / "o.txt")])
    assert r.exit_code == 3 and "must end in .parquet, .csv, .xlsx" in r.output
    r = run(cli, ["batch", "score", str(data["register_files"][0]), "--out", str(data["register_files"][0])])
    assert r.exit_code == 3 and not (tmp_path / "o.txt").exists()
    r = run(cli, ["batch", "age", str(data["csv"]), "--out", str(tmp_path / "o.csv"), "--fx", "USD"])
    assert r.exit_code == 2 and "CUR=RATE" in r.output
    r = run(cli, ["batch", "loss", str(data["dir"] / "book.csv"), "--out", str(tmp_path / "o.csv"),
                  "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 3 and "need --engine dask" in r.output


@needs_dask
@needs_arrow
def test_cli_batch_on_a_local_two_process_cluster(data, tmp_path):
    out_p, out_d = tmp_path / "p.parquet", tmp_path / "d.parquet"
    args = ["batch", "age", *map(str, data["parquet"]), "--as-of", AS_OF, *FX_ARGS, "--partition-rows", "2500"]
    r = CliRunner().invoke(cli, [*args, "--out", str(out_p)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, [*args, "--out", str(out_d), "--engine", "dask", "--workers", "2",
                                 "--memory-limit", "1GiB"])
    assert r.exit_code == 0, r.output
    assert "dask (local cluster, 2 worker thread(s))" in r.output
    pd.testing.assert_frame_equal(pd.read_parquet(out_d), pd.read_parquet(out_p), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "d-buckets.parquet"),
                                  pd.read_parquet(tmp_path / "p-buckets.parquet"), check_exact=True)

"""``xl-cashrisk analyze`` end to end: the whole sample workbook (every sheet, figures equal to the single
commands'), a ledger-only workbook (steps skipped with reasons), broken tables (exit 3, row and column
named, no output, input intact), ``--skip``, and the pure pipeline's plan."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import cli
from xl_cashrisk.cli.app import EXIT_INPUT
from xl_cashrisk.io.inputs import OnceReader
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.pipelines.analysis import AnalysisInputs, parse_skip, plan, run_analysis, tables_needed
from xl_cashrisk.reports.ageing import AGEING_SHEET, METRICS_SHEET, OPEN_ITEMS_SHEET, SCHEDULE_SHEET
from xl_cashrisk.reports.insurance import DEADLINES_SHEET, EXPOSURE_SHEET, WORKLIST_SHEET
from xl_cashrisk.reports.provision import PROVISION_SHEET
from xl_cashrisk.reports.ratios import CONCENTRATION_SHEET, RATIOS_SHEET
from xl_cashrisk.reports.scoring import EXPLAIN_SHEET, SCORES_SHEET
from xl_cashrisk.reports.stress_results import (
    DATA_SHEET,
    LOSS_SHEET,
    MONTHLY_SHEET,
    RESULTS_SHEET,
    WEEKLY_SHEET,
)
from xl_cashrisk.sample.workbooks import write_sample_book, write_sample_workbooks
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.settings import Settings

SIMS = ["--sims", "2000", "--seed", "7"]
EVERY_SHEET = (AGEING_SHEET, METRICS_SHEET, SCHEDULE_SHEET, OPEN_ITEMS_SHEET, SCORES_SHEET, EXPLAIN_SHEET,
               RATIOS_SHEET, CONCENTRATION_SHEET, EXPOSURE_SHEET, DEADLINES_SHEET, WORKLIST_SHEET, RESULTS_SHEET,
               DATA_SHEET, WEEKLY_SHEET, MONTHLY_SHEET, LOSS_SHEET, PROVISION_SHEET, "Run info")


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def values(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [r for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def stamp_of(path: Path) -> dict:
    return {r[0]: r[1] for r in values(path, "Run info")[2:] if r and r[0]}


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    return write_sample_book(tmp_path_factory.mktemp("sample") / "sample_cashrisk.xlsx")


@pytest.fixture(scope="module")
def full_run(sample_book, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "analysis.xlsx"
    before = file_fingerprint(sample_book)
    res = invoke("analyze", sample_book, "--out", out, *SIMS)
    return res, out, before


@pytest.fixture(scope="module")
def single_runs(sample_book, tmp_path_factory):
    """The single commands on the same file, for comparison."""
    d = tmp_path_factory.mktemp("single")
    outs = {"age": d / "age.xlsx", "score": d / "score.xlsx", "ratios": d / "ratios.xlsx",
            "insurance": d / "insurance.xlsx", "stress": d / "stress.xlsx"}
    for cmd, out in outs.items():
        res = invoke(cmd, sample_book, "--out", out, *(SIMS if cmd == "stress" else ()))
        assert res.exit_code == 0, (cmd, res.output)
    return outs


def test_analyze_the_sample(full_run, sample_book):
    res, out, before = full_run
    assert res.exit_code == 0, res.output
    assert file_fingerprint(sample_book) == before
    wb = openpyxl.load_workbook(out, read_only=True)
    assert set(EVERY_SHEET) <= set(wb.sheetnames)
    wb.close()
    for title in ("1. Receivables ageing", "2. Buyer credit scoring", "3. Working capital", "4. Credit insurance",
                  "5. 13-week cash stress test", "6. Provision matrix"):
        assert title in res.output
    assert "skipped:" not in res.output.replace("skipped: none", "")
    assert "policy: Policy sheet of sample_cashrisk.xlsx" in res.output
    stamp = stamp_of(out)
    assert stamp["command"] == "analyze" and stamp["as_of"] == "2026-09-30"
    assert stamp["steps"] == "age,score,ratios,insurance,stress,provision" and stamp["skipped"] == "none"
    assert stamp["seed"] == 7 and stamp["simulations"] == 2000 and stamp["scorecard_version"]
    inputs = [v for k, v in stamp.items() if str(k).startswith("Input")]
    assert inputs == [f"sha256 {before}"]  # one input, one stamp for every step


def test_figures_equal_the_single_commands(full_run, single_runs):
    _, out, _ = full_run
    # open AR of the Ageing sheet
    ageing = values(out, AGEING_SHEET)
    assert ageing == values(single_runs["age"], AGEING_SHEET)
    total = sum(r[1] for r in ageing[2:] if isinstance(r[1], (int, float)))
    assert total == pytest.approx(168_954_917, abs=1)  # the sample's open AR (also printed by `age`)
    # band counts of the Scores sheet
    scores = pd.DataFrame(values(out, SCORES_SHEET)[2:], columns=values(out, SCORES_SHEET)[1])
    single = pd.DataFrame(values(single_runs["score"], SCORES_SHEET)[2:],
                          columns=values(single_runs["score"], SCORES_SHEET)[1])
    band = next(c for c in scores.columns if str(c).startswith("Band"))
    counts = scores[band].value_counts().to_dict()
    assert counts == single[band].value_counts().to_dict()
    assert sum(counts.values()) == 300 and counts["GREEN"] > counts["RED"] > 0
    pd.testing.assert_frame_equal(scores, single)
    # base min cash of the Stress results, and every other stress sheet
    stress = values(out, RESULTS_SHEET)
    assert stress == values(single_runs["stress"], RESULTS_SHEET)
    base = next(r[1] for r in stress if r and str(r[0]).startswith("Base case: lowest cash"))
    assert base == pytest.approx(6_814_838, abs=1)  # also printed by `stress` on the sample
    for sheet in (DATA_SHEET, WEEKLY_SHEET, MONTHLY_SHEET, LOSS_SHEET):
        assert values(out, sheet) == values(single_runs["stress"], sheet), sheet
    for cmd, sheets in {"age": (METRICS_SHEET, SCHEDULE_SHEET, OPEN_ITEMS_SHEET), "score": (EXPLAIN_SHEET,),
                        "ratios": (RATIOS_SHEET, CONCENTRATION_SHEET),
                        "insurance": (EXPOSURE_SHEET, DEADLINES_SHEET, WORKLIST_SHEET)}.items():
        for sheet in sheets:
            assert values(out, sheet) == values(single_runs[cmd], sheet), (cmd, sheet)


def test_ledger_only_workbook(tmp_path):
    (ledger_book,) = write_sample_workbooks(tmp_path, ["ledger"])
    out = tmp_path / "analysis.xlsx"
    res = invoke("analyze", ledger_book, "--out", out)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "skipped: no 'Buyer Register' sheet" in text  # scoring
    assert "skipped: no 'Forecast' sheet" in text  # stress test
    assert "ratios left out: no 'Company financials' sheet" in text
    assert "policy: defaults (SPEC §7)" in text and "every open item counts as uninsured" in text
    wb = openpyxl.load_workbook(out, read_only=True)
    names = set(wb.sheetnames)
    wb.close()
    assert {AGEING_SHEET, CONCENTRATION_SHEET, EXPOSURE_SHEET, WORKLIST_SHEET} <= names
    assert not {SCORES_SHEET, RESULTS_SHEET, RATIOS_SHEET} & names
    stamp = stamp_of(out)
    assert stamp["steps"] == "age,ratios,insurance,provision"
    assert "score: no 'Buyer Register' sheet" in stamp["skipped"] and "stress: no 'Forecast' sheet" in stamp["skipped"]
    insured = [r for r in values(out, EXPOSURE_SHEET) if r and r[0] and "insured" in str(r[0]).lower()]
    assert insured  # the exposure summary is there, all of it uninsured
    assert stamp["buyer_limits"].startswith("none")


def _break_register(src: Path, dst: Path) -> tuple[int, str]:
    """Copy the sample with text in a number cell of the Buyer Register; (Excel row, header) of the cell."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Buyer Register"]
    for row in ws.iter_rows(min_row=1, max_row=30):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("Total assets"):
                header_row, col, header = c.row, c.column, c.value
                break
        else:
            continue
        break
    bad_row = header_row + 3
    ws.cell(bad_row, col).value = "about 5M"
    wb.save(dst)
    return bad_row, header


def test_broken_register_stops_the_run(sample_book, tmp_path):
    book = tmp_path / "broken.xlsx"
    bad_row, _ = _break_register(sample_book, book)
    before = file_fingerprint(book)
    out = tmp_path / "analysis.xlsx"
    res = invoke("analyze", book, "--out", out)
    assert res.exit_code == EXIT_INPUT, res.output
    text = " ".join(res.output.split())
    assert f"row {bad_row}" in text and "Total assets" in text and "about 5M" in text
    assert "Buyer Register" in text
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))
    assert file_fingerprint(book) == before


def test_errors_in_a_table_no_step_uses_do_not_stop_the_run(sample_book, tmp_path):
    book = tmp_path / "broken.xlsx"
    _break_register(sample_book, book)
    out = tmp_path / "analysis.xlsx"
    res = invoke("analyze", book, "--out", out, "--skip", "score,stress,ratios,insurance,provision")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "Buyer register: 300 rows, 1 errors, 0 warnings (not used by the steps run)" in text
    assert stamp_of(out)["steps"] == "age"
    assert "skipped: left out with --skip" in text


def test_skip_and_bad_options(sample_book, tmp_path):
    res = invoke("analyze", sample_book, "--out", tmp_path / "x.xlsx", "--skip", "age,bogus")
    assert res.exit_code == 2 and "unknown step 'bogus'" in res.output
    assert not (tmp_path / "x.xlsx").exists()
    res = invoke("analyze", sample_book, "--out", tmp_path / "x.xlsx", "--as-of", "30/09/2026")
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output
    res = invoke("analyze", sample_book, "--out", sample_book)
    assert res.exit_code == EXIT_INPUT


def test_as_of_override_reaches_every_step(sample_book, tmp_path):
    out = tmp_path / "a.xlsx"
    res = invoke("analyze", sample_book, "--out", out, "--as-of", "2026-08-31", "--skip", "stress,ratios")
    assert res.exit_code == 0, res.output
    assert stamp_of(out)["as_of"] == "2026-08-31"
    assert "Ageing as of 2026-08-31" in res.output and "Traffic lights as of 2026-08-31" in res.output
    assert values(out, AGEING_SHEET)[0][0].startswith("Ageing as of 2026-08-31")


def test_analyze_parses_the_as_of_and_reads_settings_and_ledger_once(sample_book, tmp_path, monkeypatch):
    """One --as-of parse, one Settings sheet read, one ledger read: validation and every step share them
    (the validation checks the ledger at the as-of date the steps run at)."""
    from xl_cashrisk.io.reader import WorkbookReader
    from xl_cashrisk.schemas import values as V

    calls: list[str] = []

    def counted(name, fn):
        def wrapper(*args, **kw):
            calls.append(name if name != "read" else f"read {args[1].key}")
            return fn(*args, **kw)
        return wrapper

    monkeypatch.setattr(WorkbookReader, "settings", counted("settings", WorkbookReader.settings))
    monkeypatch.setattr(WorkbookReader, "read", counted("read", WorkbookReader.read))
    monkeypatch.setattr(V, "parse_as_of", counted("as_of", V.parse_as_of))
    res = invoke("analyze", sample_book, "--out", tmp_path / "a.xlsx", "--as-of", "2026-08-31", "--sims", "300")
    assert res.exit_code == 0, res.output
    assert calls.count("as_of") == 1 and calls.count("settings") == 1
    assert calls.count("read ledger") == 1 and calls.count("read register") == 1
    assert "AR Ledger › Accounts receivable ledger: 21411 rows, 0 errors, 1897 warnings" in res.output


# ---------------------------------------------------------------------------------------------- pipeline


def test_plan_and_tables_needed():
    steps, skipped = plan({"ledger", "register", "forecast", "fx"})
    assert steps == ["age", "score", "ratios", "insurance", "stress", "provision"] and skipped == {}
    steps, skipped = plan({"register"})
    assert steps == ["score"]
    assert skipped["age"] == "no 'AR Ledger' sheet"
    assert skipped["stress"] == "no 'AR Ledger' sheet and no 'Forecast' sheet"
    assert skipped["ratios"] == "no 'Company financials' sheet and no 'AR Ledger' sheet"
    steps, skipped = plan({"company"}, skip={"score"})
    assert steps == ["ratios"] and skipped["score"] == "left out with --skip"
    assert tables_needed(["age"]) == {"fx", "ledger"}
    assert {"forecast", "scenarios", "register"} <= tables_needed(["stress"])
    assert parse_skip(" Score, stress ,") == {"score", "stress"} and parse_skip(None) == frozenset()


def test_run_analysis_on_frames_matches_the_parts():
    from xl_cashrisk.pipelines.ageing import run_ageing
    from xl_cashrisk.pipelines.scoring import run_scoring
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.scoring import sample_register

    s = load_sample()
    register = sample_register(s.buyers, s.settings.as_of)
    result = run_analysis(AnalysisInputs(s.settings, ledger=s.ledger, register=register), skip={"stress"})
    assert result.ran == ["age", "score", "ratios", "insurance", "provision"]
    assert result.skipped == {"stress": "left out with --skip"}
    assert result.notes["ratios"].startswith("ratios left out")
    assert result.ageing.open_balance == pytest.approx(run_ageing(s.ledger, s.settings).open_balance)
    alone = run_scoring(register, s.settings, s.ledger)  # the ageing's payment record gives the same scores
    pd.testing.assert_series_equal(result.scores.scored["score"], alone.scored["score"])
    assert result.insurance.metric("open_ar") == pytest.approx(result.ageing.open_balance, rel=1e-9)
    assert result.concentration.results["buyer"].total == pytest.approx(result.concentration.total)
    from xl_cashrisk.pipelines.provision import run_provision

    assert result.provision.total_provision == pytest.approx(run_provision(s.ledger, s.settings).total_provision)


def test_once_reader_reads_each_table_once(sample_book, monkeypatch):
    book = OnceReader(sample_book)
    settings = book.settings()
    calls = []
    original = type(book).__mro__[1].read

    def counting(self, table, **kw):
        calls.append(table.key)
        return original(self, table, **kw)

    monkeypatch.setattr(type(book).__mro__[1], "read", counting)
    first = book.read(LEDGER, settings=settings)
    second = book.read(LEDGER, settings=book.settings())
    assert calls == ["ledger"]
    second.frame["extra"] = 1.0  # one step adding a column does not change another's frame
    assert "extra" not in first.frame and "extra" not in book.read(LEDGER, settings=settings).frame
    book.read(LEDGER, settings=Settings())  # other settings: read again (validation may depend on them)
    assert calls == ["ledger", "ledger"]

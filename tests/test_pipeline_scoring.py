"""Scoring and monitoring pipelines on the sample portfolio and on hand-built registers."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk import receivables as rc
from xl_cashrisk import scoring as sc
from xl_cashrisk.io.inputs import resolve_scorecard
from xl_cashrisk.pipelines.monitoring import SEVERITIES, monitor
from xl_cashrisk.pipelines.scoring import ledger_as_of, payment_record, run_scoring
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.scoring import sample_register
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.settings import ScoringOptions, Settings

AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def scored(sample):
    return run_scoring(sample_register(sample.buyers, AS_OF), sample.settings, sample.ledger)


def test_every_result_column_and_band_consistency(scored):
    s = scored.scored
    assert len(s) == 300 and set(c.key for c in REGISTER.columns) <= set(s.columns)
    counts = scored.band_counts()
    assert counts.sum() == 300 and counts["NR"] == 0
    # the sample's story: every defaulted buyer is RED, no prompt payer is (disputed items and bank-
    # charge residuals do not count as late payment), and most chronic late payers are not GREEN
    bands = s.set_index("buyer_id")["band"]
    profiles = load_sample().profiles.set_index("buyer_id")["profile"]
    assert (bands[profiles == "default"] == "RED").all()
    assert not (bands[profiles == "prompt"] == "RED").any()
    assert (bands[profiles == "late"] != "GREEN").mean() > 0.9
    assert 20 <= counts["RED"] <= 60
    score = s["score"].to_numpy()
    want = np.where(score >= 51, "GREEN", np.where(score >= 30, "YELLOW", "RED"))
    assert (s["band"].to_numpy() == want).all()
    assert (s["scorecard_version"] == "default-2026.2").all()
    assert s.loc[s["band"] == "RED", "recommended_limit"].fillna(0).eq(0).all()
    capped = s["insurer_limit"].notna() & s["recommended_limit"].notna()
    assert (s.loc[capped, "recommended_limit"] <= s.loc[capped, "insurer_limit"] + 1e-9).all()
    assert s["top_factors"].str.len().gt(0).all()


def test_payment_record_comes_from_the_ledger(sample, scored):
    hist = rc.buyer_payment_history(sample.ledger, AS_OF, fx=sample.settings.fx_rates, home_currency="CNY")
    row = scored.scored.set_index("buyer_id").loc["B0070"]
    h = hist.set_index("buyer_id").loc["B0070"]
    assert row["dbt"] == pytest.approx(h["dbt"]) and row["open_amount"] == pytest.approx(h["open_amount"])
    led = sample.ledger[sample.ledger["buyer_id"] == "B0070"]
    recent = led[(led["invoice_date"] > pd.Timestamp("2025-09-30")) & (led["invoice_date"] <= pd.Timestamp(AS_OF))]
    rate = recent["currency"].map(lambda c: sample.settings.fx(c))
    assert row["annual_sales"] == pytest.approx(float((recent["amount"] * rate).sum()))


def test_expected_loss_and_limit_by_hand(scored):
    s = scored.scored.set_index("buyer_id")
    r = s[(s["band"] == "GREEN") & s["insurer_limit"].notna()].iloc[0]
    insured = 0.9 * min(r["open_amount"], r["insurer_limit"])
    assert r["expected_loss"] == pytest.approx(r["pd"] * 0.45 * (r["open_amount"] - insured))
    need = r["annual_sales"] / 365 * (r["payment_terms_days"] + max(r["dbt"], 0))
    cap = max(min(0.10 * r["tangible_net_worth"], 0.20 * r["working_capital"]), 0)
    assert r["recommended_limit"] == pytest.approx(min(need, cap, r["insurer_limit"]))


def test_no_limit_without_sales_terms_capacity_or_band(scored):
    """The scored register's limit is the core's (as CREDITLIMIT's): NaN, whatever the insurer's limit, for a
    buyer without sales, without terms, without both capacity bases, or not rated."""
    reg = scored.scored.iloc[:6].copy()
    reg.loc[reg.index[0], "annual_sales"] = np.nan
    reg.loc[reg.index[1], "payment_terms_days"] = np.nan
    reg.loc[reg.index[2], ["tangible_net_worth", "current_assets"]] = np.nan  # no TNW, no working capital
    reg["insurer_limit"] = 1_000_000.0
    out = run_scoring(reg[[c.key for c in REGISTER.input_columns]], scored.settings).scored
    cols = ["annual_sales", "payment_terms_days", "dbt", "tangible_net_worth", "working_capital", "band"]
    core = np.asarray(sc.credit_limit(*(out[c].to_numpy() for c in cols), 0.0, out["insurer_limit"].to_numpy()))
    np.testing.assert_array_equal(out["recommended_limit"].to_numpy(), core)
    assert np.isnan(core[:3]).all() and not np.isnan(core[3:]).all()
    unrated = np.asarray(sc.credit_limit(1e6, 60, 0, 1e6, 1e6, sc.NOT_RATED, 0.0, 1_000_000.0))
    assert np.isnan(unrated)


def _register(**cols) -> pd.DataFrame:
    base = {"buyer_id": ["A", "B"], "buyer_name": ["Alpha", "Beta"], "country": ["CN", "DE"],
            "sector": ["pharma", "retail"], "years_in_business": [12, 3], "employees": [300, 20],
            "total_assets": [1e7, 1e7], "total_liabilities": [4e6, 9e6], "current_assets": [6e6, 3e6],
            "current_liabilities": [3e6, 4e6], "retained_earnings": [2.5e6, -1e6], "ebit": [1.2e6, -4e5],
            "equity_book": [6e6, 1e6], "tangible_net_worth": [5.5e6, 8e5], "payment_terms_days": [60, 30],
            "max_dpd_open": [0, 20], "dbt": [2.0, 15.0], "open_amount": [5e5, 3e5], "overdue_amount": [0, 1e5],
            "annual_sales": [3e6, 1.5e6], "insurer_limit": [np.nan, 2e5]}
    base.update(cols)
    return pd.DataFrame(base)


def test_scorecard_changes_reach_band_and_version():
    card = resolve_scorecard(Settings(as_of=AS_OF), [["bands.green_min", 95],
                                                     ["grades.bounds", "99,98,97,96,95,40,30,21,10"]])
    assert card.version == "default-2026.2+custom"
    r = run_scoring(_register(), Settings(as_of=AS_OF), scorecard=card)
    assert r.scored.loc[0, "band"] == "YELLOW" and r.scored.loc[0, "score"] < 95
    assert (r.scored["scorecard_version"] == "default-2026.2+custom").all()


def test_residual_items_do_not_count_as_overdue():
    led = pd.DataFrame({"invoice_no": ["1", "2"], "buyer_id": ["A", "A"], "currency": ["CNY", "CNY"],
                        "invoice_date": pd.to_datetime(["2026-04-01", "2026-09-01"]),
                        "due_date": pd.to_datetime(["2026-05-01", "2026-10-01"]),
                        "amount": [10_000.0, 5_000.0], "paid_amount": [9_950.0, 0.0],
                        "last_payment_date": pd.to_datetime(["2026-05-03", None]), "doc_type": ["INV", "INV"]})
    rec = payment_record(led, Settings(as_of=AS_OF)).set_index("buyer_id")
    assert rec.loc["A", "max_dpd_open"] == 0.0  # the 50 CNY bank charge, 152 days old, is ignored
    assert rec.loc["A", "overdue_amount"] == pytest.approx(50.0)
    assert rec.loc["A", "annual_sales"] == pytest.approx(15_000.0)


def test_ledger_as_of_drops_later_documents_and_undoes_later_payments(sample):
    cut = ledger_as_of(sample.ledger, dt.date(2026, 6, 30))
    assert cut["invoice_date"].max() <= pd.Timestamp("2026-06-30")
    assert (cut["last_payment_date"].dropna() <= pd.Timestamp("2026-06-30")).all()
    later = sample.ledger["last_payment_date"] > pd.Timestamp("2026-06-30")
    kept = sample.ledger.index[later & (sample.ledger["invoice_date"] <= pd.Timestamp("2026-06-30"))]
    assert (cut.loc[kept, "paid_amount"] == 0).all() and len(kept) > 0


def _run(reg, as_of=AS_OF):
    return run_scoring(reg, Settings(as_of=as_of))


def test_monitoring_hand_built():
    old = _run(_register(last_review_date=pd.to_datetime(["2026-01-15", "2026-09-01"])), dt.date(2026, 6, 30))
    new_reg = _register(max_dpd_open=[0, 75], overdue_amount=[0, 2.9e5], open_amount=[5e5, 3e5],
                        last_review_date=pd.to_datetime(["2025-09-15", "2026-08-15"]))
    new = _run(new_reg)
    assert old.scored.loc[1, "band"] != "RED" and new.scored.loc[1, "band"] == "RED"
    alerts = monitor(old, new)
    b = alerts[alerts["buyer_id"] == "B"]
    kinds = set(b["alert"])
    assert {"band_down", "score_drop", "new_overdue", "review_due"} <= kinds  # B red: monthly review due
    first = alerts.iloc[0]
    assert (first["buyer_id"], first["alert"], first["severity"]) == ("B", "band_down", "critical")
    assert "→ RED" in first["reason"] and "红" in first["reason_zh"]
    a = alerts[alerts["buyer_id"] == "A"]
    assert list(a["alert"]) == ["review_due"]  # green, last review 12.5 months ago
    ranks = alerts["severity"].map(SEVERITIES.index).to_numpy()
    assert (np.diff(ranks) >= 0).all()


def test_monitoring_limit_and_ledger_overdue():
    reg = _register(insurer_limit=[1e5, 2e5], last_review_date=pd.to_datetime(["2026-09-01", "2026-09-20"]))
    new = _run(reg)
    old = copy.deepcopy(new)
    led = pd.DataFrame({"invoice_no": ["1", "2", "3"], "buyer_id": ["A", "A", "B"],
                        "due_date": pd.to_datetime(["2026-08-15", "2026-06-01", "2026-09-25"]),
                        "amount": [40_000.0, 9_000.0, 1_000.0], "paid_amount": [0.0, 0.0, 0.0]})
    alerts = monitor(old, new, led, overdue_days=30, old_as_of=dt.date(2026, 8, 31))
    over = alerts[alerts["alert"] == "over_limit"].set_index("buyer_id")
    assert "A" in over.index and "500%" in over.loc["A", "reason"]  # 500 000 open on a 100 000 limit
    nov = alerts[alerts["alert"] == "new_overdue"].set_index("buyer_id")
    assert list(nov.index) == ["A"] and nov.loc["A", "new"] == 1  # only the invoice that crossed 30 days
    assert "40,000" in nov.loc["A", "reason"]
    assert set(alerts["alert"]) == {"over_limit", "new_overdue"}


def test_disputed_and_tiny_residual_items_do_not_count_as_late_payment(sample):
    as_of = sample.settings.as_of
    base = pd.DataFrame({
        "invoice_no": ["A", "B", "C"], "buyer_id": ["X", "X", "X"], "doc_type": ["INV"] * 3,
        "invoice_date": pd.to_datetime(["2026-03-01", "2026-04-01", "2026-09-01"]),
        "due_date": pd.to_datetime(["2026-03-31", "2026-05-01", "2026-10-01"]),
        "currency": ["CNY"] * 3, "amount": [50_000.0, 1_000.0, 80_000.0], "paid_amount": [0.0, 990.0, 0.0],
        "last_payment_date": pd.to_datetime([None, "2026-05-01", None]), "disputed": [True, False, False]})
    rec = payment_record(base, sample.settings).set_index("buyer_id").loc["X"]
    assert rec["max_dpd_open"] == 0.0  # A is disputed, B's 10 CNY residual is immaterial for the oldest-item rule, C not yet due
    assert rec["overdue_amount"] == pytest.approx(10.0) and rec["disputed_amount"] == 50_000.0
    undisputed = base.assign(disputed=False)
    rec = payment_record(undisputed, sample.settings).set_index("buyer_id").loc["X"]
    assert rec["max_dpd_open"] == float((np.datetime64(as_of) - np.datetime64("2026-03-31")).astype(int))
    assert rec["overdue_amount"] == pytest.approx(50_010.0)


def test_a_workbook_names_a_scorecard_file_only_beside_itself(tmp_path):
    """Settings' scorecard_file comes from a cell: a file name in the workbook's folder, never a path (issue 15,
    docs/security.md); the command line's --scorecard may name any file."""
    from xl_cashrisk.errors import InputError

    (tmp_path / "acme.toml").write_text('version = "acme-1"\n', encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.toml"
    outside.write_text('version = "outside"\n', encoding="utf-8")
    settings = Settings(as_of=AS_OF, scoring=ScoringOptions(scorecard_file="acme.toml"))
    assert resolve_scorecard(settings, None, base_dir=tmp_path).version == "acme-1"
    for name in (str(outside), f"../{outside.name}", "sub/acme.toml", "C:\\acme.toml", "acme.txt", "x" * 300 + ".toml"):
        settings.scoring = ScoringOptions(scorecard_file=name)
        with pytest.raises(InputError, match=r"a cell may name only a \.toml file in the workbook's own folder"):
            resolve_scorecard(settings, None, base_dir=tmp_path)
    assert resolve_scorecard(settings, None, base_dir=tmp_path, file=outside).version == "outside"

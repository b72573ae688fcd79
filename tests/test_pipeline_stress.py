"""Stress-test pipeline: SPEC §8.4 reproduced from a hand-built workbook's Scenarios sheet, the
correlated-default statistics, determinism for a seed, weekly/monthly views, the run stamp."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk import portfolio as pf
from xl_cashrisk.errors import InputError
from xl_cashrisk.io.inputs import load_stress_inputs
from xl_cashrisk.io.templates import build_template
from xl_cashrisk.pipelines.stress_test import run_stress_test, stress_from_inputs
from xl_cashrisk.reports.stress_results import stress_stamp
from xl_cashrisk.schemas import forecast as fs
from xl_cashrisk.schemas.forecast import scenarios_from_frame
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.settings import ForecastOptions, Settings, StressOptions

K = 1_000
AS_OF = dt.date(2026, 9, 30)
START = AS_OF + dt.timedelta(days=1)
WEEKLY = {"A": (200_000, "CNY"), "B": (20_000, "USD"), "C": (60_000, "CNY"), "D": (30_000, "CNY")}
REGIONS = {"A": ("Domestic-East", "CN"), "B": ("US", "US"), "C": ("Domestic-East", "CN"), "D": ("Domestic-West", "CN")}

# SPEC §8.4 table, the rows a controller would type into the Scenarios sheet
SPEC_SCENARIOS = (
    {"id": "BASE", "kind": "base", "name_en": "Base"},
    {"id": "S1", "kind": "largest_default", "week": 4, "insurance": False},
    {"id": "S1b", "kind": "largest_default", "week": 4},
    {"id": "S2", "kind": "top_n_default", "week": 4, "top_n": 2, "insurance": False},
    {"id": "S3", "kind": "delay", "delay_days": 30},
    {"id": "S4", "kind": "delay", "delay_days": 60},
    {"id": "S5", "kind": "fx", "fx_currency": "USD", "shock": -0.10},
    {"id": "S5b", "kind": "fx", "fx_currency": "USD", "shock": -0.10, "hedged_share": 0.5, "forward": 7.0},
    {"id": "S6", "kind": "group_default", "region": "Domestic-East", "week": 6, "insurance": False},
    {"id": "S8", "kind": "combined", "combine": "S1b+S5", "run": True},
    {"id": "X", "kind": "delay", "delay_days": 7, "run": False},
)
# id → min cash, week of min, first negative week, runway, min liquidity, first liquidity < 0, end cash
SPEC_84 = {
    "BASE": (130 * K, 1, None, "≥13", 1_130 * K, None, 490 * K),
    "S1": (-1_510 * K, 13, 5, "4", -510 * K, 11, -1_510 * K),
    "S1b": (-880 * K, 13, 5, "4", 120 * K, None, -880 * K),
    "S2": (-2_910 * K, 13, 4, "3", -1_910 * K, 7, -2_910 * K),
    "S3": (-1_900 * K, 5, 1, "0", -900 * K, 3, -1_660 * K),
    "S4": (-3_500 * K, 9, 1, "0", -2_500 * K, 3, -3_380 * K),
    "S5": (116 * K, 1, None, "≥13", 1_116 * K, None, 308 * K),
    "S5b": (123 * K, 1, None, "≥13", 1_123 * K, None, 399 * K),
    "S6": (-1_590 * K, 13, 7, "6", -590 * K, 11, -1_590 * K),
}


def spec_ledger() -> list[dict]:
    """Open invoices paying SPEC §8.4's weekly receipts: due on day 5 of each week, so a 30-day delay moves
    them 5 weeks and 60 days 9 weeks, as SPEC §8.2's weekly rule does."""
    rows = []
    for b, (amount, cur) in WEEKLY.items():
        for w in range(1, 14):
            due = START + dt.timedelta(days=7 * (w - 1) + 5)
            rows.append({"invoice_no": f"{b}-{w:02d}", "buyer_id": b, "invoice_date": due - dt.timedelta(days=30),
                         "due_date": due, "terms_days": 30, "currency": cur, "amount": float(amount),
                         "paid_amount": 0.0})
    return rows


def spec_register() -> list[dict]:
    return [{"buyer_id": b, "buyer_name": f"Buyer {b}", "country": c, "region": r, "sector": "machinery",
             **({"insurer_limit": 700_000.0} if b == "A" else {})} for b, (r, c) in REGIONS.items()]


def write_spec_workbook(path, *, variant: str = "invoices", scenarios=SPEC_SCENARIOS, settings: dict | None = None):
    """SPEC §8.4 as a filled workbook. ``invoices``: receipts from the AR ledger (S1–S6); ``sales``: the
    430k a week as new sales with 0-day terms (S7), the ledger holding one paid invoice."""
    weeks = [{"week": w, "other_payments": 400_000.0} for w in range(1, 14)]
    ledger = spec_ledger()
    if variant == "sales":
        weeks = [{**r, "new_sales": 430_000.0} for r in weeks]
        ledger = [{"invoice_no": "P-1", "buyer_id": "A", "invoice_date": dt.date(2026, 8, 1), "terms_days": 30,
                   "currency": "CNY", "amount": 1_000.0, "paid_amount": 1_000.0,
                   "last_payment_date": dt.date(2026, 8, 31)}]
    rows = {"forecast": weeks, "scenarios": [dict(s) for s in scenarios],
            "settings": {"as_of": AS_OF, "home_currency": "CNY", "opening_cash": 100_000, "facility_limit": 1_000_000,
                         "sales_terms_days": 0, "overdue_rule": "week1", "stress_sims": 4_000,
                         **(settings or {})},
            "fx": [{"currency": "USD", "rate_to_home": 7.0}], "ledger": ledger, "register": spec_register()}
    return build_template((*fs.TEMPLATE_TABLES, LEDGER, REGISTER), path, examples=rows, input_rows=0)


@pytest.fixture(scope="module")
def spec_result(tmp_path_factory):
    path = write_spec_workbook(tmp_path_factory.mktemp("spec") / "spec84.xlsx")
    inputs = load_stress_inputs(path)
    return inputs, stress_from_inputs(inputs)


@pytest.mark.parametrize("sid", list(SPEC_84))
def test_spec_84_through_the_scenarios_sheet(spec_result, sid):
    _, r = spec_result
    min_cash, week_min, first_neg, runway, min_liq, gap_week, end_cash = SPEC_84[sid]
    m = r.scenarios.loc[sid]
    assert m["min_cash"] == pytest.approx(min_cash, abs=0.01)
    assert m["week_of_min"] == week_min
    assert (None if pd.isna(m["first_negative_week"]) else m["first_negative_week"]) == first_neg
    assert m["runway"] == runway
    assert m["min_liquidity"] == pytest.approx(min_liq, abs=0.01)
    assert (None if pd.isna(m["funding_gap_week"]) else m["funding_gap_week"]) == gap_week
    assert m["end_cash"] == pytest.approx(end_cash, abs=0.01)
    assert m["impact_vs_base"] == pytest.approx(490 * K - end_cash, abs=0.01)


def test_spec_84_paths_indemnity_and_library(spec_result):
    inputs, r = spec_result
    assert "X" in [s.id for s in inputs.scenarios] and "X" not in inputs.run  # run = FALSE: library only
    assert "X" not in r.scenarios.index
    # S1b: 0.9 × min(open AR, limit 700k) = 630k in week 4 + ceil(30/7) = 9 (insolvency, 30 settlement days)
    s1b = next(x for x in r.results if x.scenario.id == "S1b")
    assert s1b.weekly["indemnity"].to_dict() == {w: (630 * K if w == 9 else 0.0) for w in range(1, 14)}
    assert r.paths["S1"].tolist()[:5] == pytest.approx([130 * K, 160 * K, 190 * K, 20 * K, -150 * K])
    assert r.paths["S6"].tolist()[4:7] == pytest.approx([250 * K, 20 * K, -210 * K])
    # S8 = S1b + S5: A stops in week 4, B's USD receipts −10 %, indemnity in week 9
    s8 = r.scenarios.loc["S8"]
    assert s8["end_cash"] == pytest.approx(-880 * K - 13 * 14 * K, abs=0.01)
    weekly = r.weekly.set_index("week")
    assert weekly["ar_collections"].tolist() == pytest.approx([430 * K] * 13)
    assert weekly["ending_cash"].iloc[-1] == pytest.approx(490 * K)
    assert weekly["liquidity"].iloc[0] == pytest.approx(1_130 * K)


def test_revenue_drop_from_new_sales_s7(tmp_path):
    scen = ({"id": "BASE", "kind": "base"}, {"id": "S7", "kind": "revenue_drop", "revenue_drop": 0.2, "week": 6})
    path = write_spec_workbook(tmp_path / "s7.xlsx", variant="sales", scenarios=scen)
    r = stress_from_inputs(load_stress_inputs(path), sims=500)
    m = r.scenarios.loc["S7"]
    assert r.weekly["new_sales_collections"].tolist() == pytest.approx([430 * K] * 13)
    assert (m["min_cash"], m["week_of_min"], m["first_negative_week"], m["runway"]) == (
        pytest.approx(-198 * K), 13, 10, "9")
    assert r.paths["S7"].tolist()[5:10] == pytest.approx([194 * K, 138 * K, 82 * K, 26 * K, -30 * K])
    assert m["min_liquidity"] == pytest.approx(802 * K)


def test_loss_distribution_matches_exact_and_formula(spec_result):
    inputs, r = spec_result
    book = r.buyers[r.buyers["exposure"] > 0]
    lgd = inputs.settings.stress.loss_lgd
    el = float((book["pd"] * book["exposure"] * lgd).sum())
    ls = r.loss_stats.set_index("key")
    assert ls.at["el", "exact_gross"] == pytest.approx(el, rel=1e-9)
    assert ls.at["el", "el_formula_gross"] == pytest.approx(el, rel=1e-9)
    net_el = float((book["pd"] * (book["exposure"] - book["indemnity"]) * lgd).sum())
    assert ls.at["el", "exact_net"] == pytest.approx(net_el, rel=1e-9)
    assert ls.at["el", "mc_gross"] == pytest.approx(r.losses.gross.mean(), rel=1e-12)
    assert r.losses.gross.size == 4_000  # stress_sims of the Settings sheet
    for a in ("95", "99"):
        assert ls.at[f"var{a}", "mc_net"] <= ls.at[f"var{a}", "mc_gross"]
        assert ls.at[f"es{a}", "mc_gross"] >= ls.at[f"var{a}", "mc_gross"]
        assert ls.at[f"es{a}", "exact_gross"] >= ls.at[f"var{a}", "exact_gross"]
    # A (insured 630k of 2.6m) is the only buyer with an indemnity
    assert r.buyers["indemnity"].to_dict() == pytest.approx({"A": 630 * K, "B": 0.0, "C": 0.0, "D": 0.0})
    assert r.histogram["share_gross"].sum() == pytest.approx(1.0)
    assert 0.0 <= r.prob_cash_negative <= r.prob_buffer_breach <= 1.0


def test_mc_against_exact_on_an_unseen_book():
    """The pipeline's simulation of a 40-buyer book with whole-unit losses vs its exact distribution."""
    rng = np.random.default_rng(7)
    n = 40
    ids = [f"B{i:02d}" for i in range(n)]
    amounts = rng.integers(1, 20, n) * 10_000.0
    ledger = pd.DataFrame({"invoice_no": ids, "buyer_id": ids, "invoice_date": pd.Timestamp("2026-09-01"),
                           "due_date": pd.Timestamp("2026-10-31"), "currency": "CNY", "amount": amounts,
                           "paid_amount": 0.0})
    scores = pd.DataFrame({"buyer_id": ids, "pd": rng.uniform(0.01, 0.15, n)})
    s = Settings(as_of=AS_OF, stress=StressOptions(loss_lgd=1.0))
    r = run_stress_test(ledger, s, scores=scores, sims=60_000, seed=3)
    ls = r.loss_stats.set_index("key")
    assert ls.at["el", "mc_gross"] == pytest.approx(ls.at["el", "exact_gross"], rel=0.01)
    for a in ("95", "99"):
        assert ls.at[f"es{a}", "mc_gross"] == pytest.approx(ls.at[f"es{a}", "exact_gross"], rel=0.02)
        # SPEC §6.5 guidance: the simulated VaR must be a quantile of the exact distribution within sampling error
        alpha, v = int(a) / 100, ls.at[f"var{a}", "mc_gross"]
        se = np.sqrt(alpha * (1 - alpha) / 60_000)
        assert r.exact_gross.cdf(v) >= alpha - 5 * se
        assert r.exact_gross.cdf(v - 10_000) <= alpha + 5 * se
    assert r.scorecard_version == "" and stress_stamp(r)["scorecard_version"] == "(PDs given)"


def test_same_seed_same_results_and_stamp(tmp_path):
    path = write_spec_workbook(tmp_path / "seed.xlsx")
    inputs = load_stress_inputs(path)
    a = stress_from_inputs(inputs, sims=3_000, seed=11)
    b = stress_from_inputs(load_stress_inputs(path), sims=3_000, seed=11)
    c = stress_from_inputs(inputs, sims=3_000, seed=12)
    np.testing.assert_array_equal(a.losses.gross, b.losses.gross)
    np.testing.assert_array_equal(a.losses.net, b.losses.net)
    pd.testing.assert_frame_equal(a.loss_stats, b.loss_stats)
    pd.testing.assert_frame_equal(a.scenarios, b.scenarios)
    assert a.prob_cash_negative == b.prob_cash_negative
    assert not np.array_equal(a.losses.gross, c.losses.gross)
    stamp = stress_stamp(a, [path], inputs.policy_source)
    for key in ("version", "scorecard_version", "seed", "simulations", "as_of", "input_fingerprint", "policy"):
        assert key in stamp
    assert (stamp["seed"], stamp["simulations"], stamp["as_of"]) == (11, 3_000, "2026-09-30")
    assert stamp["input_fingerprint"] == a.fingerprint == b.fingerprint
    changed = inputs.ledger.copy()
    changed.iloc[0, changed.columns.get_loc("amount")] += 1
    d = run_stress_test(changed, inputs.settings, register=inputs.register, forecast=inputs.forecast,
                        scenarios=inputs.scenarios, sims=3_000, seed=11)
    assert d.fingerprint != a.fingerprint


def test_monthly_view_adds_up(spec_result):
    _, r = spec_result
    w, m = r.weekly, r.monthly
    assert m["month"].tolist() == ["2026-10", "2026-11", "2026-12"]
    assert m["total_receipts"].sum() == pytest.approx(w["total_receipts"].sum())
    assert m["total_disbursements"].sum() == pytest.approx(13 * 400 * K)
    assert m["ending_cash"].iloc[-1] == pytest.approx(w["ending_cash"].iloc[-1])
    assert m["weeks"].tolist() == ["1–5", "6–9", "10–13"]


def test_scenario_rows_errors_name_the_row():
    frame = pd.DataFrame([{"id": "S1", "kind": "largest_default"}, {"id": "S2", "kind": "meteor"}], index=[4, 5])
    with pytest.raises(InputError, match=r"row 5.*kind must be one of"):
        scenarios_from_frame(frame)
    frame = pd.DataFrame([{"id": "S8", "kind": "combined", "combine": "S1+S9"}], index=[4])
    with pytest.raises(InputError, match="combines unknown scenario"):
        scenarios_from_frame(frame)


def test_sample_base_is_tight_and_stress_bites():
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.forecast import SAMPLE_SCENARIOS, sample_forecast, sample_forecast_settings

    sample = load_sample()
    s = sample.settings
    s = dataclasses.replace(s, forecast=ForecastOptions(**sample_forecast_settings(sample)))
    r = run_stress_test(sample.ledger, s, register=sample.buyers, forecast=sample_forecast(sample),
                        scenarios=SAMPLE_SCENARIOS, sims=1_000)
    base = r.base.metrics
    assert 0 < base["min_cash"] < s.forecast.min_cash_buffer
    for sid in ("S1", "S3", "S8"):
        assert r.scenarios.loc[sid, "min_cash"] < 0
    assert r.scenarios.loc["S1", "defaulted"] == sample.highlights["top_buyer_id"]
    assert r.scenarios.loc["S9", "impact_vs_base"] > 0
    assert pf.portfolio_el(r.buyers["exposure"], r.buyers["pd"], 0.45) == pytest.approx(
        r.loss_stats.set_index("key").at["el", "exact_gross"], rel=1e-6)


def test_the_workbooks_scorecard_drives_the_pds():
    """A team's scorecard change (here: stricter bands and a new version) reaches the stress test's PDs
    and its run stamp, as it reaches `xl-cashrisk score`."""
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.forecast import sample_forecast, sample_forecast_settings
    from xl_cashrisk.scoring import default_scorecard, scorecard_from_table

    sample = load_sample()
    s = sample.settings
    s = dataclasses.replace(s, forecast=ForecastOptions(**sample_forecast_settings(sample)))
    card = scorecard_from_table([["version", "acme-strict-1"], ["calibration.anchor_odds", 10]], base=default_scorecard())
    kw = dict(register=sample.buyers, forecast=sample_forecast(sample), sims=200, run=("S1",))
    default = run_stress_test(sample.ledger, s, **kw)
    strict = run_stress_test(sample.ledger, s, scorecard=card, **kw)
    assert default.scorecard_version == "default-2026.2"
    assert strict.scorecard_version == "acme-strict-1"
    # half the odds at the anchor score: every scored buyer's PD rises
    assert (strict.buyers["pd"] >= default.buyers["pd"] - 1e-12).all()
    assert strict.buyers["pd"].mean() > default.buyers["pd"].mean() * 1.3

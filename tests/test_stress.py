"""13-week stress engine: SPEC §8.4 worked example exactly, invoice-built schedules, scenario specs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk.errors import InputError
from xl_cashrisk.portfolio import vasicek_pd
from xl_cashrisk.schemas.forecast import scenario_from_row
from xl_cashrisk.stress import (
    STANDARD_SCENARIOS,
    WEEK_COLUMNS,
    CashForecast,
    Scenario,
    claim_week,
    receipts_from_invoices,
    receipts_from_items,
    receipts_from_weekly,
    run_scenario,
    run_stress,
    stress_metrics,
)

K = 1_000


def spec_forecast(**kw) -> CashForecast:
    """SPEC §8.4 inputs: weekly receipts by buyer (B in USD at 7.0), open AR, A's limit 700k."""
    buyers = pd.DataFrame(
        {
            "exposure": [800_000, 560_000, 240_000, 120_000],
            "region": ["Domestic-East", "US", "Domestic-East", "Domestic-West"],
            "country": ["CN", "US", "CN", "CN"],
            "insured_limit": [700_000, np.nan, np.nan, np.nan],
            "pd": [0.02, 0.03, 0.05, 0.08],
        },
        index=pd.Index(["A", "B", "C", "D"], name="buyer_id"),
    )
    receipts = receipts_from_weekly({"A": 200_000, "B": 140_000, "C": 60_000, "D": 30_000}, currency={"B": "USD"})
    return CashForecast(opening_cash=100_000, receipts=receipts, disbursements=400_000, buyers=buyers,
                        facility_limit=1_000_000, spot={"USD": 7.0}, **kw)


SPEC_84 = [  # scenario, min cash, week of min, first negative week, runway, min liquidity, 1st liq<0, end cash
    (Scenario("BASE", "base"), 130 * K, 1, None, "≥13", 1_130 * K, None, 490 * K),
    (Scenario("S1", "largest_default", week=4, insurance=False), -1_510 * K, 13, 5, "4", -510 * K, 11, -1_510 * K),
    (Scenario("S1b", "largest_default", week=4), -880 * K, 13, 5, "4", 120 * K, None, -880 * K),
    (Scenario("S2", "top_n_default", week=4, top_n=2, insurance=False), -2_910 * K, 13, 4, "3", -1_910 * K, 7,
     -2_910 * K),
    (Scenario("S3", "delay", delay_days=30), -1_900 * K, 5, 1, "0", -900 * K, 3, -1_660 * K),
    (Scenario("S4", "delay", delay_days=60), -3_500 * K, 9, 1, "0", -2_500 * K, 3, -3_380 * K),
    (Scenario("S5", "fx", fx_currency="USD", shock=-0.10), 116 * K, 1, None, "≥13", 1_116 * K, None, 308 * K),
    (Scenario("S5b", "fx", fx_currency="USD", shock=-0.10, hedged_share=0.5, forward=7.0), 123 * K, 1, None,
     "≥13", 1_123 * K, None, 399 * K),
    (Scenario("S6", "group_default", region="Domestic-East", week=6, insurance=False), -1_590 * K, 13, 7, "6",
     -590 * K, 11, -1_590 * K),
    (Scenario("S7", "revenue_drop", revenue_drop=0.20), -198 * K, 13, 10, "9", 802 * K, None, -198 * K),
]


@pytest.mark.parametrize("row", SPEC_84, ids=[r[0].id for r in SPEC_84])
def test_spec_84_worked_example(row):
    scenario, min_cash, week_min, first_neg, runway, min_liq, gap_week, end_cash = row
    fc = spec_forecast()
    base = run_scenario(fc, Scenario("BASE", "base"))
    m = run_scenario(fc, scenario, base=base).metrics
    assert m["min_cash"] == pytest.approx(min_cash, abs=0.01)
    assert m["week_of_min"] == week_min
    assert m["first_negative_week"] == first_neg
    assert m["runway"] == runway
    assert m["min_liquidity"] == pytest.approx(min_liq, abs=0.01)
    assert m["funding_gap_week"] == gap_week
    assert m["end_cash"] == pytest.approx(end_cash, abs=0.01)
    assert m["impact_vs_base"] == pytest.approx(490 * K - end_cash, abs=0.01)
    assert m["peak_funding_need"] == pytest.approx(max(0.0, -min_cash), abs=0.01)


def test_spec_84_paths_and_weekly_receipts():
    fc = spec_forecast()
    results, table = run_stress(fc, [r[0] for r in SPEC_84])
    by = {r.scenario.id: r.weekly for r in results}
    assert by["BASE"]["ending_cash"].tolist() == [130 * K + 30 * K * w for w in range(13)]
    assert by["S1"]["receipts"].tolist() == [430 * K] * 3 + [230 * K] * 10
    assert by["S1"]["ending_cash"].iloc[:5].tolist() == [130 * K, 160 * K, 190 * K, 20 * K, -150 * K]
    # S1b: indemnity 0.9 × min(800k, 700k) in week 4 + ceil(30/7) = 9
    assert by["S1b"]["indemnity"].tolist() == [0.0] * 8 + [630 * K] + [0.0] * 4
    assert by["S1b"]["ending_cash"].loc[[8, 9]].tolist() == [-660 * K, -200 * K]
    assert by["S2"]["receipts"].tolist() == [430 * K] * 3 + [90 * K] * 10
    assert by["S3"]["receipts"].tolist() == [0.0] * 5 + [430 * K] * 8
    assert by["S3"]["ending_cash"].loc[[1, 2, 5, 6, 13]].tolist() == [-300 * K, -700 * K, -1_900 * K, -1_870 * K,
                                                                      -1_660 * K]
    assert by["S4"]["receipts"].tolist() == [0.0] * 9 + [430 * K] * 4
    assert by["S5"]["receipts"].tolist() == pytest.approx([416 * K] * 13)
    assert by["S5b"]["receipts"].tolist() == pytest.approx([423 * K] * 13)
    assert by["S6"]["receipts"].tolist() == [430 * K] * 5 + [170 * K] * 8
    assert by["S6"]["ending_cash"].loc[[5, 6, 7]].tolist() == [250 * K, 20 * K, -210 * K]
    assert by["S7"]["receipts"].tolist() == pytest.approx([430 * K] * 5 + [344 * K] * 8)
    assert by["S7"]["ending_cash"].loc[6:10].tolist() == pytest.approx([194 * K, 138 * K, 82 * K, 26 * K, -30 * K])
    assert table.loc["S1b", "indemnity_in_horizon"] == 630 * K
    assert table.loc["S3", "impact_vs_base"] == pytest.approx(2_150 * K)


def test_losses_gross_and_net_of_insurance():
    fc = spec_forecast()
    s1 = run_scenario(fc, Scenario("S1", "largest_default", week=4, insurance=False)).metrics
    s1b = run_scenario(fc, Scenario("S1b", "largest_default", week=4)).metrics
    assert (s1["loss_gross"], s1["loss_net"], s1["defaulted"]) == (800 * K, 800 * K, "A")
    assert (s1b["loss_gross"], s1b["loss_net"], s1b["indemnity_total"]) == (800 * K, 170 * K, 630 * K)
    # receipts lost = A's 200k for weeks 4..13
    assert s1["receipts_lost"] == 2_000 * K


def test_indemnity_outside_horizon_is_not_liquidity():
    fc = spec_forecast(waiting_days=180)
    m = run_scenario(fc, Scenario("S1b", "largest_default", week=4)).metrics
    assert m["indemnity_total"] == 630 * K and m["indemnity_in_horizon"] == 0.0
    assert m["end_cash"] == -1_510 * K and m["loss_net"] == 170 * K
    assert claim_week(4, 0, 30) == 9 and claim_week(4, 90, 60) == 26


def test_indemnity_column_overrides_policy_formula():
    fc = spec_forecast()
    fc.buyers["indemnity"] = [500_000, np.nan, np.nan, np.nan]
    m = run_scenario(fc, Scenario("S1b", "largest_default", week=4)).metrics
    assert m["indemnity_in_horizon"] == 500 * K and m["loss_net"] == 300 * K


def test_combined_scenario_and_library():
    fc = spec_forecast()
    lib = [Scenario("S1", "largest_default", week=4, insurance=False), Scenario("S3", "delay", delay_days=30),
           Scenario("S5", "fx", fx_currency="USD", shock=-0.10),
           scenario_from_row({"id": "S8", "kind": "combined", "combine": "S1+S3+S5"})]
    _, table = run_stress(fc, lib)
    # delay 5 weeks, then A (200k) lost from week 4, B at 126k: weeks 6..13 receive 60+126+30 = 216k
    expected_end = 100 * K + 8 * 216 * K - 13 * 400 * K
    assert table.loc["S8", "end_cash"] == pytest.approx(expected_end)
    assert table.loc["BASE", "impact_vs_base"] == 0.0
    assert list(table.index) == ["BASE", "S1", "S3", "S5", "S8"]
    with pytest.raises(ValueError, match="unknown scenario"):
        run_stress(fc, [Scenario("X", "combined", combine=("nope",))])


def test_vasicek_group_default_and_political():
    fc = spec_forecast()
    s = Scenario("S6v", "group_default", region="Domestic-East", vasicek=True, rho=0.2, quantile=0.99, week=1,
                 insurance=False)
    m = run_scenario(fc, s)
    pa, pc = vasicek_pd([0.02, 0.05], 0.2, -2.3263478740408408)
    assert m.weekly["receipts"].iloc[0] == pytest.approx(430 * K - 200 * K * pa - 60 * K * pc)
    assert m.metrics["loss_gross"] == pytest.approx(800 * K * pa + 240 * K * pc)
    pol = run_scenario(fc, Scenario("P", "political", country="US", week=2)).metrics
    assert pol["defaulted"] == "B" and pol["indemnity_total"] == 0.0  # no political cover
    fc.buyers["political_cover"] = [False, True, False, False]
    fc.buyers["insured_limit"] = [700_000, 500_000, np.nan, np.nan]
    pol = run_scenario(fc, Scenario("P", "political", country="US", week=2)).metrics
    assert pol["indemnity_total"] == pytest.approx(450 * K)


def test_top_n_tie_break_by_pd():
    fc = spec_forecast()
    fc.buyers["exposure"] = [500_000, 500_000, 500_000, 100_000]
    m = run_scenario(fc, Scenario("S2", "top_n_default", top_n=2, insurance=False)).metrics
    assert m["defaulted"] == "B, C"  # equal exposure: higher PD first (C 5 %, B 3 %, A 2 %)


def test_revenue_drop_spares_open_invoices_and_scales_variable_costs():
    ar = receipts_from_weekly({"A": 100_000}, source="ar")
    sales = receipts_from_weekly({"A": 50_000})
    fc = CashForecast(0.0, pd.concat([ar, sales], ignore_index=True), disbursements=100_000,
                      variable_disbursements=20_000)
    r = run_scenario(fc, Scenario("S7", "revenue_drop", revenue_drop=0.5, terms_days=14,
                                  scale_variable_costs=True))
    assert r.weekly["receipts"].tolist() == [150_000] * 2 + [125_000] * 11
    assert r.weekly["disbursements"].tolist() == [120_000] * 2 + [110_000] * 11


LEDGER = pd.DataFrame({
    "invoice_no": ["1", "2", "3", "4", "5", "6"],
    "buyer_id": ["A", "A", "B", "B", "C", "C"],
    "currency": ["CNY", "CNY", "USD", "USD", "CNY", "CNY"],
    "invoice_date": pd.to_datetime(["2026-08-01"] * 6),
    "terms_days": [30] * 6,
    "due_date": pd.to_datetime(["2026-09-20", "2026-10-05", "2026-10-12", None, "2027-03-01", "2026-10-02"]),
    "amount": [1_000.0, 2_000.0, 100.0, 50.0, 700.0, 300.0],
    "paid_amount": [0.0, 500.0, 0.0, 0.0, 0.0, 0.0],
    "disputed": [False, False, False, False, False, True],
})


def test_receipts_from_invoices_timing_and_overdue_rules():
    start = "2026-10-01"  # a Thursday; week 1 = Oct 1..7
    items = receipts_from_invoices(LEDGER, start, dbt={"B": 10}, fx_rates={"USD": 7.1})
    lines = receipts_from_items(items, start)
    weekly = lines.set_index("buyer_id")[list(WEEK_COLUMNS)]
    # A: overdue 1,000 → week 1 (assumption), 1,500 open due Oct 5 → week 1
    assert weekly.loc["A", 1] == 2_500
    # B: due Oct 12 + 10 d = Oct 22 → week 4; #4 due Aug 31 (invoice + 30) + 10 = Sep 10 overdue → week 1
    assert weekly.loc["B", 4] == pytest.approx(710.0) and weekly.loc["B", 1] == pytest.approx(355.0)
    # C: due 2027-03-01 beyond 13 weeks drops out; the disputed item is excluded
    assert weekly.loc["C"].sum() == 0
    dropped = receipts_from_items(receipts_from_invoices(LEDGER, start, fx_rates={"USD": 7.1}, overdue="drop"), start)
    assert dropped.set_index("buyer_id").loc["A", 1] == 1_500
    spread = receipts_from_items(receipts_from_invoices(LEDGER, start, fx_rates={"USD": 7.1}, overdue=2), start)
    assert spread.set_index("buyer_id").loc["A", [1, 2]].tolist() == [2_000, 500]
    with pytest.raises(InputError, match="no FX rate for USD"):
        receipts_from_invoices(LEDGER, start)


def test_invoice_delay_rebuckets_by_day():
    start = "2026-10-01"
    items = receipts_from_invoices(LEDGER, start, dbt={"B": 10}, fx_rates={"USD": 7.1})
    fc = CashForecast(0.0, receipts_from_items(items, start), items=items, start=start)
    r = run_scenario(fc, Scenario("S3", "delay", delay_days=10))
    # A's items on Oct 1 and Oct 5 → Oct 11 and 15: weeks 2 and 3 (a weekly shift would move both by 2)
    assert r.weekly["receipts"].loc[2] == pytest.approx(1_000 + 355.0)
    assert r.weekly["receipts"].loc[3] == pytest.approx(1_500)
    assert r.weekly["receipts"].loc[5] == pytest.approx(710.0)


def test_scenario_rows_parse_and_validate():
    s = scenario_from_row({"id": "S4", "kind": "Delay", "name_zh": "延迟60天", "delay_days": 60.0, "week": None,
                           "insurance": False, "share": float("nan")})
    assert (s.kind, s.delay_days, s.insurance, s.share, s.name_zh) == ("delay", 60, False, 1.0, "延迟60天")
    with pytest.raises(ValueError, match="TRUE or FALSE"):  # flag words are read by the Scenarios schema only
        scenario_from_row({"id": "S4", "kind": "delay", "insurance": "否"})
    with pytest.raises(ValueError, match="kind must be one of"):
        Scenario("X", "meteor")
    with pytest.raises(ValueError, match="unknown scenario columns"):
        scenario_from_row({"id": "X", "kind": "base", "colour": "red"})
    with pytest.raises(ValueError, match="needs a region or a sector"):
        Scenario("X", "group_default")
    assert {s.id for s in STANDARD_SCENARIOS} >= {"BASE", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"}


def test_standard_library_runs_on_a_forecast():
    fc = spec_forecast()
    fc.buyers["region"] = ["South China", "US", "South China", "North"]
    results, table = run_stress(fc)
    assert len(results) == len(STANDARD_SCENARIOS)
    assert (table["end_cash"] <= table.loc["BASE", "end_cash"] + 1e-6).all()
    assert table.loc["S8", "end_cash"] <= min(table.loc[i, "end_cash"] for i in ("S1", "S3", "S5")) + 1e-6


def test_buffer_breach_and_headroom():
    fc = spec_forecast(min_cash_buffer=150_000, min_liquidity=1_000_000)
    m = run_scenario(fc, Scenario("BASE", "base")).metrics
    assert m["first_buffer_breach"] == 1 and m["min_headroom"] == 130_000


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 70), st.integers(1, 13))
def test_more_delay_or_earlier_default_never_helps(d, t):
    fc = spec_forecast()
    e = lambda s: run_scenario(fc, s).metrics["end_cash"]  # noqa: E731
    assert e(Scenario("a", "delay", delay_days=d + 7)) <= e(Scenario("b", "delay", delay_days=d)) + 1e-6
    if t > 1:
        assert (e(Scenario("c", "largest_default", week=t - 1, insurance=False))
                <= e(Scenario("d", "largest_default", week=t, insurance=False)) + 1e-6)


def test_stress_metrics_never_negative_path():
    m = stress_metrics(np.full(13, 5.0))
    assert (m["first_negative_week"], m["runway_weeks"], m["runway"], m["peak_funding_need"]) == (None, 13, "≥13", 0.0)

"""Insurance, ratios and concentration pipelines: deadlines through the pipeline against an independent
calendar implementation, political cover, buyers without limits, FX, and the SPEC worked examples."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk.errors import InputError
from xl_cashrisk.insurance import Policy
from xl_cashrisk.pipelines.insurance import run_insurance
from xl_cashrisk.pipelines.ratios import run_concentration, run_ratios, trend_direction
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.policy import SAMPLE_POLICY, sample_buyer_limits, sample_company_rows
from xl_cashrisk.schemas.company import EXAMPLE_ROWS
from xl_cashrisk.settings import RatioOptions, Settings

D = dt.date


def ledger(rows) -> pd.DataFrame:
    """rows: (invoice_no, buyer_id, invoice_date, due_date, amount[, currency[, paid]])."""
    out = []
    for r in rows:
        no, buyer, inv, due, amount, *rest = r
        cur = rest[0] if rest else "CNY"
        paid = rest[1] if len(rest) > 1 else 0.0
        out.append({"invoice_no": no, "buyer_id": buyer, "buyer_name": f"Buyer {buyer}", "doc_type": "INV",
                    "invoice_date": pd.Timestamp(inv), "terms_days": (due - inv).days, "due_date": pd.Timestamp(due),
                    "currency": cur, "amount": float(amount), "paid_amount": float(paid),
                    "last_payment_date": pd.Timestamp(due) if paid else pd.NaT, "disputed": False})
    return pd.DataFrame(out)


def buyers(rows) -> pd.DataFrame:
    """rows: (buyer_id, insurer_limit or None, country[, loss_cause[, insolvency_date]])."""
    out = []
    for r in rows:
        b, limit, country, *rest = r
        out.append({"buyer_id": b, "insurer_limit": np.nan if limit is None else float(limit), "country": country,
                    "loss_cause": rest[0] if rest else None,
                    "insolvency_date": pd.Timestamp(rest[1]) if len(rest) > 1 else pd.NaT})
    return pd.DataFrame(out)


def settings_at(as_of: dt.date) -> Settings:
    return Settings(as_of=as_of, home_currency="CNY", fx_rates={"CNY": 1.0, "USD": 7.10, "EUR": 7.75})


# ------------------------------------------------------------------------------ an independent calendar


def back(d: dt.date, holidays=()) -> dt.date:
    while d.weekday() >= 5 or d in holidays:
        d -= dt.timedelta(days=1)
    return d


def forward(d: dt.date, holidays=()) -> dt.date:
    while d.weekday() >= 5 or d in holidays:
        d += dt.timedelta(days=1)
    return d


def expected_dates(inv: dt.date, due: dt.date, p: Policy) -> dict[str, dt.date]:
    days = dt.timedelta
    h = set(p.holidays)
    notify = due + days(p.notify_days + (p.max_extension_period if p.notify_basis == "mep_end" else 0))
    claim = (inv if p.claim_basis == "invoice_date" else due) + days(p.claim_days)
    start = back(notify, h) if p.waiting_basis == "notification" else due
    return {"notify_by": back(notify, h), "stop_deliveries_from": back(due + days(p.max_extension_period), h),
            "claim_by": back(claim, h),
            "expected_indemnity_date": forward(start + days(p.waiting_period + p.settlement_days), h)}


def as_dates(series: pd.Series) -> list[dt.date]:
    return [pd.Timestamp(x).date() for x in series]


# ------------------------------------------------------------------------------ deadlines


POLICY = Policy(indemnity_pct=0.9, max_extension_period=60, notify_days=30, notify_basis="mep_end",
                claim_days=150, claim_basis="due_date", waiting_period=180, settlement_days=30)


def test_deadlines_month_ends_leap_days_weekends_by_hand():
    rows = [
        ("M1", "A", D(2023, 12, 1), D(2023, 12, 31), 1000),  # due + 60 = 2024-02-29 (Thu, leap day)
        ("M2", "A", D(2024, 1, 1), D(2024, 1, 31), 1000),  # due + 60 = 2024-03-31 (Sun) → Fri 03-29
        ("M3", "A", D(2024, 1, 30), D(2024, 2, 29), 1000),  # leap-day due: + 60 = 2024-04-29 (Mon)
        ("M4", "A", D(2024, 7, 31), D(2024, 8, 31), 1000),  # Sat due; + 60 = 2024-10-30 (Wed)
    ]
    p = dataclasses.replace(POLICY, notify_basis="due_date", notify_days=60, claim_days=180,
                            claim_basis="invoice_date")
    r = run_insurance(ledger(rows), buyers([("A", 10_000, "CN")]), p, settings_at(D(2024, 12, 31)))
    d = r.deadlines.set_index("invoice_no")
    assert as_dates(d["notify_by"]) == [D(2024, 2, 29), D(2024, 3, 29), D(2024, 4, 29), D(2024, 10, 30)]
    # invoice + 180: 2024-05-29 (Wed), 2024-06-28 (Fri), 2024-07-28 (Sun) → Fri 07-26, 2025-01-27 (Mon)
    assert as_dates(d["claim_by"]) == [D(2024, 5, 29), D(2024, 6, 28), D(2024, 7, 26), D(2025, 1, 27)]
    # due + 210 (waiting 180 + settlement 30), payments roll forward: 2024-07-28 (Sun) → Mon 07-29
    assert as_dates(d["expected_indemnity_date"])[0] == D(2024, 7, 29)
    assert d["days_past_due"].tolist() == [366, 335, 306, 122]
    assert d.loc["M4", "days_to_notify"] == (D(2024, 10, 30) - D(2024, 12, 31)).days


def test_holiday_week_moves_deadlines_before_it():
    """Sample policy: a step-1 deadline inside the 2026 National Day week falls back to 30 September."""
    rows = [("H1", "A", D(2026, 7, 6), D(2026, 8, 5), 50_000)]  # due + 60 = Sun 10-04 → back over 10-01..03
    r = run_insurance(ledger(rows), buyers([("A", 100_000, "CN")]), SAMPLE_POLICY, settings_at(D(2026, 9, 20)))
    w = r.worklist.iloc[0]
    assert w["step"] == 1 and pd.Timestamp(w["deadline"]).date() == D(2026, 9, 30)
    assert w["days_left"] == 10 and not w["urgent"]
    # MEP end + 30 = 2026-11-03 (Tue), no holiday: stays
    assert pd.Timestamp(r.deadlines.iloc[0]["notify_by"]).date() == D(2026, 11, 3)


policies = st.builds(
    Policy,
    max_extension_period=st.integers(0, 120), notify_days=st.integers(0, 120),
    notify_basis=st.sampled_from(["due_date", "mep_end"]), claim_days=st.integers(0, 400),
    claim_basis=st.sampled_from(["invoice_date", "due_date"]), waiting_period=st.integers(0, 200),
    waiting_basis=st.sampled_from(["due_date", "notification"]), settlement_days=st.integers(0, 90),
    holidays=st.lists(st.dates(D(2024, 1, 1), D(2026, 12, 31)), max_size=20).map(tuple),
)


@settings(max_examples=40, deadline=None)
@given(policy=policies, dues=st.lists(st.tuples(st.dates(D(2023, 1, 1), D(2025, 12, 31)), st.integers(0, 120)),
                                      min_size=1, max_size=12))
def test_deadlines_match_an_independent_calendar(policy, dues):
    rows = [(f"I{i}", f"B{i % 3}", due - dt.timedelta(days=terms), due, 100.0 + i) for i, (due, terms) in
            enumerate(dues)]
    r = run_insurance(ledger(rows), buyers([("B0", 1e6, "CN"), ("B1", 50.0, "CN")]), policy, settings_at(D(2026, 1, 1)))
    assert len(r.deadlines) == len(rows)  # every invoice is overdue at the as-of date
    for _, row in r.deadlines.iterrows():
        want = expected_dates(pd.Timestamp(row["invoice_date"]).date(), pd.Timestamp(row["due_date"]).date(), policy)
        got = {k: pd.Timestamp(row[k]).date() for k in want}
        assert got == want, row["invoice_no"]
    w = r.worklist
    assert (w["deadline"].to_numpy() <= w["claim_by"].to_numpy()).all()  # no step is later than the claim deadline
    material = w["open_amount"] >= policy.materiality
    assert (w["urgent"] == (material & (w["days_left"] <= policy.urgent_days))).all()
    order = w["light"].map({"RED": 0, "AMBER": 1, "": 2}).tolist()
    assert order == sorted(order)  # red first, then amber, then the rest


# ------------------------------------------------------------------------------ cover


def test_buyer_without_limit_is_fully_uninsured():
    rows = [("N1", "NOLIM", D(2026, 5, 1), D(2026, 6, 30), 80_000), ("N2", "ZERO", D(2026, 5, 1), D(2026, 6, 30), 5_000),
            ("N3", "MISSING", D(2026, 5, 1), D(2026, 10, 30), 7_000), ("L1", "LIM", D(2026, 5, 1), D(2026, 6, 30), 30_000)]
    r = run_insurance(ledger(rows), buyers([("NOLIM", None, "CN"), ("ZERO", 0, "CN"), ("LIM", 100_000, "CN")]),
                      POLICY, settings_at(D(2026, 9, 30)))
    e = r.exposure.set_index("invoice_no")
    for no in ("N1", "N2", "N3"):
        assert e.loc[no, "insured"] == 0 and e.loc[no, "uninsured"] == e.loc[no, "open_amount"]
        assert e.loc[no, "reason"] == "no insurer limit"
    assert e.loc["L1", "insured"] == pytest.approx(27_000)
    w = r.worklist.set_index("invoice_no")
    assert bool(w.loc["N1", "uninsured_flag"]) and bool(w.loc["L1", "uninsured_flag"])  # 10 % retained
    assert w.loc["N1", "expected_indemnity"] == 0
    assert r.metric("buyers_no_limit") == 3
    assert r.metric("open_no_limit") == pytest.approx(92_000)
    assert r.metric("insured") == pytest.approx(27_000)


def test_political_loss_without_political_cover_pays_nothing():
    rows = [("P1", "AR1", D(2026, 3, 1), D(2026, 4, 30), 200_000, "USD"),
            ("C1", "US1", D(2026, 3, 1), D(2026, 4, 30), 100_000, "USD")]
    limits = buyers([("AR1", 2_000_000, "AR", "political"), ("US1", 2_000_000, "US", "commercial")])
    as_of = settings_at(D(2026, 9, 30))
    no_module = run_insurance(ledger(rows), limits, dataclasses.replace(POLICY, political_cover=False), as_of)
    e = no_module.exposure.set_index("invoice_no")
    assert e.loc["P1", "open_amount"] == pytest.approx(1_420_000)  # USD 200,000 × 7.10
    assert e.loc["P1", "insured"] == 0 and e.loc["P1", "uninsured"] == pytest.approx(1_420_000)
    assert e.loc["P1", "reason"] == "political risk not covered"
    assert e.loc["C1", "insured"] == pytest.approx(0.9 * 710_000)  # commercial risk stays covered
    d = no_module.deadlines.set_index("invoice_no")
    assert d.loc["P1", "expected_indemnity"] == 0 and d.loc["C1", "expected_indemnity"] == pytest.approx(639_000)
    claims = no_module.claims.set_index("buyer_id")
    assert claims.loc["AR1", "paid"] == 0 and claims.loc["AR1", "seller_loss"] == pytest.approx(1_420_000)

    module = run_insurance(ledger(rows), limits,
                           dataclasses.replace(POLICY, political_cover=True, political_pct=0.95), as_of)
    e2 = module.exposure.set_index("invoice_no")
    assert e2.loc["P1", "insured"] == pytest.approx(0.95 * 1_420_000) and e2.loc["P1", "reason"] == ""
    assert module.deadlines.set_index("invoice_no").loc["P1", "expected_indemnity"] == pytest.approx(1_349_000)


def test_political_cause_at_home_is_never_covered():
    rows = [("D1", "CN1", D(2026, 3, 1), D(2026, 4, 30), 10_000)]
    r = run_insurance(ledger(rows), buyers([("CN1", 50_000, "CN", "political")]),
                      dataclasses.replace(POLICY, political_cover=True), settings_at(D(2026, 9, 30)))
    assert r.exposure.iloc[0]["insured"] == 0


def test_limit_allocated_oldest_first_in_home_currency_and_nql():
    rows = [("U1", "A", D(2026, 5, 1), D(2026, 6, 30), 5_000, "USD"),  # 35,500 CNY, oldest
            ("U2", "A", D(2026, 6, 1), D(2026, 7, 31), 5_000, "USD"),  # 35,500 CNY
            ("U3", "A", D(2026, 8, 1), D(2026, 10, 31), 5_000, "USD")]  # not yet due
    p = dataclasses.replace(POLICY, non_qualifying_loss=60_000)
    r = run_insurance(ledger(rows), buyers([("A", 50_000, "US")]), p, settings_at(D(2026, 9, 30)))
    e = r.exposure.set_index("invoice_no")
    assert e["within_limit"].tolist() == pytest.approx([35_500, 14_500, 0])
    assert e["insured"].sum() + e["uninsured"].sum() == pytest.approx(106_500)
    d = r.deadlines.set_index("invoice_no")
    assert list(d.index) == ["U1", "U2"]
    assert d["expected_indemnity"].sum() == 0  # claim of 50,000 ascertained is below the NQL of 60,000
    p2 = dataclasses.replace(POLICY, non_qualifying_loss=20_000)
    d2 = run_insurance(ledger(rows), buyers([("A", 50_000, "US")]), p2, settings_at(D(2026, 9, 30))).deadlines
    assert d2["expected_indemnity"].tolist() == pytest.approx([0.9 * 35_500, 0.9 * 14_500])


def test_buyer_limits_listed_twice_is_an_input_error():
    with pytest.raises(InputError, match="listed twice"):
        run_insurance(ledger([("X", "A", D(2026, 1, 1), D(2026, 2, 1), 1)]),
                      buyers([("A", 1, "CN"), ("A", 2, "CN")]), POLICY, settings_at(D(2026, 9, 30)))


def test_sample_totals_reconcile_and_tell_the_story():
    s = load_sample()
    r = run_insurance(s.ledger, sample_buyer_limits(s), SAMPLE_POLICY, s.settings)
    open_ar = (s.ledger["amount"] - s.ledger["paid_amount"]) * s.ledger["currency"].map(s.settings.fx_rates)
    assert r.metric("open_ar") == pytest.approx(open_ar.sum(), rel=1e-9)
    assert r.metric("insured") + r.metric("uninsured") == pytest.approx(r.metric("open_ar"), rel=1e-9)
    assert r.by_buyer["insured"].sum() == pytest.approx(r.metric("insured"), rel=1e-9)
    top = r.by_buyer.loc[s.highlights["top_buyer_id"]]
    assert top["within_limit"] == pytest.approx(8_000_000)  # the big buyer's limit is used up
    assert top["uninsured"] > 25_000_000
    assert r.metric("step1") + r.metric("step2") + r.metric("step3") == r.metric("overdue_invoices")
    assert 0.15 < r.metric("insured_share") < 0.35
    # payment allocation limits the indemnity: insured ≤ pct × limit for every buyer
    lim = r.by_buyer["limit"].fillna(0)
    assert (r.by_buyer["insured"] <= 0.9 * lim + 1e-6).all()


# ------------------------------------------------------------------------------ ratios and concentration


def test_ratios_reproduce_ccc1_and_wc1():
    r = run_ratios(pd.DataFrame(EXAMPLE_ROWS))
    last = r.trend.iloc[-1]
    assert (last["dso"], last["dio"], last["dpo"], last["ccc"]) == pytest.approx((40.0, 43.75, 30.0, 53.75), abs=1e-4)
    wc1 = pd.DataFrame([{"period": "WC-1", "period_end": D(2026, 12, 31), "cash": 120_000,
                         "marketable_securities": 30_000, "receivables": 400_000, "inventory": 350_000,
                         "prepaids": 20_000, "current_assets": 920_000, "current_liabilities": 500_000}])
    t = run_ratios(wc1).trend.iloc[0]
    assert (t["working_capital"], t["current_ratio"], t["quick_ratio"], t["cash_ratio"]) == pytest.approx(
        (420_000, 1.84, 1.10, 0.30), abs=1e-4)
    assert t["current_health"] == "HEALTHY" and np.isnan(t["dso"])  # no sales given: no DSO, not zero


def test_sample_ratios_slide_into_watch():
    s = load_sample()
    r = run_ratios(sample_company_rows(s), s.settings)
    assert r.trend["current_ratio"].round(2).tolist() == [1.72, 1.60, 1.47, 1.34, 1.19]
    assert r.trend["current_health"].tolist() == ["HEALTHY", "HEALTHY", "WATCH", "WATCH", "WATCH"]
    assert r.metric("trend") == "worsening"
    assert r.trend["dio"].dropna().is_monotonic_increasing and r.trend["dpo"].dropna().is_monotonic_decreasing


def test_ratio_bands_come_from_settings():
    s = Settings(ratios=RatioOptions(wc_danger_below=1.5, wc_healthy_from=2.0))
    r = run_ratios(pd.DataFrame(EXAMPLE_ROWS), s)
    assert r.trend["current_health"].tolist() == ["WATCH", "WATCH"]  # 1.67 and 1.92 under the stricter bands
    with pytest.raises(InputError, match="health bands"):
        run_ratios(pd.DataFrame(EXAMPLE_ROWS), Settings(ratios=RatioOptions(wc_danger_below=3.0)))


def test_trend_direction():
    assert trend_direction(np.array([1.0, 1.2, 1.5])) == "improving"
    assert trend_direction(np.array([np.nan, 1.3])) == ""


def test_concentration_reproduces_hhi2_through_the_ledger():
    rows = [("A1", "A", D(2026, 8, 1), D(2026, 10, 1), 500_000), ("A2", "A", D(2026, 8, 2), D(2026, 10, 2), 300_000),
            ("B1", "B", D(2026, 8, 1), D(2026, 10, 1), 560_000), ("C1", "C", D(2026, 8, 1), D(2026, 10, 1), 240_000),
            ("D1", "D", D(2026, 8, 1), D(2026, 10, 1), 120_000),
            ("P1", "E", D(2026, 1, 1), D(2026, 2, 1), 99_000, "CNY", 99_000)]  # paid: no exposure
    info = pd.DataFrame({"buyer_id": list("ABCDE"), "country": ["CN", "US", "CN", "CN", "CN"],
                         "province": ["Zhejiang", None, "Jiangsu", "Sichuan", "Henan"],
                         "region": ["East", "US", "East", "West", "Central"],
                         "sector": ["Retail", "Retail", "Wholesale", "Industrial", "Food"]})
    c = run_concentration(ledger(rows), settings_at(D(2026, 9, 30)), info)
    hhi = c.summary.set_index("grouping")["hhi"]
    assert hhi["buyer"] == pytest.approx(0.346674, abs=1e-6)
    assert hhi["region"] == pytest.approx(0.476474, abs=1e-6)
    assert hhi["sector"] == pytest.approx(0.649540, abs=1e-6)
    assert c.results["buyer"].hhi_normalised == pytest.approx(0.128899, abs=1e-6)
    assert c.results["buyer"].largest == ["Buyer A", "Buyer B", "Buyer C"]
    # province: domestic AR only (A 800k, C 240k, D 120k)
    assert c.results["province"].total == pytest.approx(1_160_000)
    assert c.summary.set_index("grouping").loc["buyer", "status"] == "RED"


def test_sample_concentration_names_the_big_buyer():
    s = load_sample()
    c = run_concentration(s.ledger, s.settings, sample_buyer_limits(s))
    top = c.results["buyer"].table.iloc[0]
    assert top["group"] == s.highlights["top_buyer_id"] and top["status"] == "RED"
    assert top["share"] == pytest.approx(s.highlights["top_buyer_share"], abs=1e-9)
    assert c.results["province"].table.iloc[0]["group"] == "Guangdong"


# ------------------------------------------------------------------------------ the worklist ranks what matters


def test_worklist_groups_small_items_and_colours_only_material_deadlines_by_hand():
    """As of Wed 2026-09-30, materiality = NQL 20,000; step-1 deadline = min(notify, due + 60 back to a workday)."""
    rows = [("BIG1", "A", D(2026, 7, 6), D(2026, 8, 5), 50_000),  # due+60 = Sun 10-04 → Fri 10-02: 2 days → red
            ("BIG2", "A", D(2026, 8, 16), D(2026, 9, 15), 80_000),  # due+60 = Sat 11-14 → Fri 11-13: 44 days
            ("MID", "C", D(2026, 7, 21), D(2026, 8, 20), 30_000),  # due+60 = Mon 10-19: 19 days → amber
            ("S1", "B", D(2026, 5, 2), D(2026, 6, 1), 8_000),  # step 3: claim by due+150 = Thu 10-29: 29 days
            ("S2", "B", D(2026, 7, 26), D(2026, 8, 25), 7_000),  # due+60 = Sat 10-24 → Fri 10-23: 23 days
            ("S3", "B", D(2026, 8, 21), D(2026, 9, 20), 6_000),  # due+60 = Thu 11-19: 50 days
            ("D1", "D", D(2026, 6, 1), D(2026, 7, 1), 500)]  # alone and small: listed apart only
    policy = dataclasses.replace(POLICY, non_qualifying_loss=20_000)
    r = run_insurance(ledger(rows), buyers([("A", 100_000, "CN")]), policy, settings_at(D(2026, 9, 30)))
    w = r.worklist
    group = "3 small items (each below 20,000)"  # B: 8,000 + 7,000 + 6,000 = 21,000 ≥ 20,000
    assert w["invoice_no"].tolist() == ["BIG1", "MID", group, "BIG2"]  # red; amber by cash at risk; the rest
    assert w["light"].tolist() == ["RED", "AMBER", "AMBER", ""]
    assert w["days_left"].tolist() == [2, 19, 23, 44]  # the group keeps its earliest deadline (S2)
    assert w["items"].tolist() == [1, 1, 3, 1]
    assert w["open_amount"].tolist() == [50_000, 30_000, 21_000, 80_000]
    # cash at risk: A's limit 100,000 covers BIG1 and 50,000 of BIG2 at 90 %; C and B have no limit
    assert w["at_risk"].tolist() == pytest.approx([5_000, 30_000, 21_000, 80_000 - 45_000])
    assert w["urgent"].tolist() == [True, False, False, False]
    assert r.small_items["invoice_no"].tolist() == ["S2", "S1", "S3", "D1"]  # by buyer, earliest deadline first
    assert r.metric("small_items") == 4 and r.metric("small_amount") == 21_500
    assert r.metric("urgent") == 1 and r.metric("soon") == 2 and r.metric("worklist_rows") == 4
    assert r.deadlines.set_index("invoice_no")["material"].to_dict() == {
        "BIG1": True, "BIG2": True, "MID": True, "S1": False, "S2": False, "S3": False, "D1": False}
    # a worklist materiality above the NQL takes over: 40,000 makes MID and B's group small, C stays out
    higher = run_insurance(ledger(rows), buyers([("A", 100_000, "CN")]),
                           dataclasses.replace(policy, worklist_materiality=40_000), settings_at(D(2026, 9, 30)))
    assert higher.worklist["invoice_no"].tolist() == ["BIG1", "BIG2"]
    assert len(higher.small_items) == 5


def test_sample_worklist_puts_material_items_first_and_red_means_urgent(sample_insurance):
    """The sample (issue 18): 743 of the 1,608 overdue items are below the policy's NQL of CNY 20,000;
    before, 45 of the first 50 worklist rows were under CNY 1,000 and every printed row was red."""
    r, policy = sample_insurance
    assert policy.materiality == 20_000
    assert len(r.deadlines) == 1_608 and int((~r.deadlines["material"]).sum()) == 743
    assert len(r.small_items) == 743 and (r.small_items["open_amount"] < 20_000).all()
    w = r.worklist
    singles = w[w["items"] == 1]
    assert len(singles) == 1_608 - 743 and (singles["open_amount"] >= 20_000).all()
    assert (w.head(50)["open_amount"] >= 20_000).all()  # no small row at the top any more
    # red = urgent, recomputed independently: material singles and per-buyer sums of small items
    small = r.small_items.groupby("buyer_id").agg(amount=("open_amount", "sum"), left=("days_left", "min"))
    small = small[small["amount"] >= 20_000]
    urgent = int((singles["days_left"] <= policy.urgent_days).sum()) + int((small["left"] <= policy.urgent_days).sum())
    assert int((w["light"] == "RED").sum()) == urgent == r.metric("urgent") == 202
    assert len(w) == len(singles) + len(small) == 953
    assert w["light"].head(urgent).eq("RED").all() and not w["light"].iloc[urgent:].eq("RED").any()
    red = w.head(urgent)["at_risk"].to_numpy()
    assert (red[:-1] >= red[1:]).all()  # within a colour, largest cash at risk first


@pytest.fixture(scope="module")
def sample_insurance():
    s = load_sample()
    return run_insurance(s.ledger, sample_buyer_limits(s), SAMPLE_POLICY, s.settings), SAMPLE_POLICY

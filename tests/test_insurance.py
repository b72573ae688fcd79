"""Credit insurance: claims, policy year, exposure allocation, deadlines, worklist, EL (SPEC §7, §6.1)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_cashrisk import insurance as ins
from xl_cashrisk.insurance import Policy

MONEY = 0.01
D = np.datetime64

TCI1 = pd.DataFrame({
    "debt": [1_200_000, 40_000, 3_000, 300_000],
    "limit": [1_000_000, 50_000, 10_000, 250_000],
    "recoveries": [0, 0, 0, 60_000],
})
TCI1_POLICY = Policy(indemnity_pct=0.9, non_qualifying_loss=5_000, aggregate_first_loss=50_000,
                     max_liability=2_000_000)


# ------------------------------------------------------------------ claims


def test_tci1_policy_year_exactly():
    r = ins.policy_year_claims(TCI1, TCI1_POLICY)
    assert r["ascertained"].tolist() == pytest.approx([1_000_000, 40_000, 3_000, 240_000], abs=MONEY)
    assert r["share"].tolist() == pytest.approx([900_000, 36_000, 0, 216_000], abs=MONEY)
    assert r["afl_absorbed"].tolist() == pytest.approx([50_000, 0, 0, 0], abs=MONEY)
    assert r["paid"].tolist() == pytest.approx([850_000, 36_000, 0, 216_000], abs=MONEY)
    assert r["seller_loss"].tolist() == pytest.approx([350_000, 4_000, 3_000, 24_000], abs=MONEY)
    assert r["afl_absorbed"].sum() == pytest.approx(50_000, abs=MONEY)
    assert r["paid"].sum() == pytest.approx(1_102_000, abs=MONEY)


def test_tci1_claims_one_by_one_with_single_claim_function():
    # each claim alone with the AFL still untouched: only claim 1 differs from the policy year
    paid = ins.indemnity(TCI1["debt"].to_numpy(), TCI1["limit"].to_numpy(), 0.9, afl=0, nql=5_000,
                         recoveries=TCI1["recoveries"].to_numpy())
    assert paid.tolist() == pytest.approx([900_000, 36_000, 0, 216_000], abs=MONEY)


def test_policy_year_sorted_by_loss_date():
    claims = TCI1.assign(loss_date=pd.to_datetime(["2026-05-01", "2026-02-01", "2026-03-01", "2026-01-15"]))
    r = ins.policy_year_claims(claims, TCI1_POLICY)
    assert r.index.tolist() == [3, 1, 2, 0]
    # claim 4 comes first now and absorbs the whole AFL
    assert r.loc[3, "afl_absorbed"] == pytest.approx(50_000)
    assert r.loc[3, "paid"] == pytest.approx(166_000)
    assert r.loc[0, "paid"] == pytest.approx(900_000)
    assert r["paid"].sum() == pytest.approx(1_102_000, abs=MONEY)


def test_max_liability_caps_the_year():
    r = ins.policy_year_claims(TCI1, Policy(indemnity_pct=0.9, non_qualifying_loss=5_000,
                                            aggregate_first_loss=50_000, max_liability=1_000_000))
    assert r["paid"].tolist() == pytest.approx([850_000, 36_000, 0, 114_000], abs=MONEY)
    assert r["seller_loss"].iloc[3] == pytest.approx(240_000 - 114_000, abs=MONEY)


def test_afl_before_pct_option():
    p = Policy(indemnity_pct=0.9, non_qualifying_loss=5_000, aggregate_first_loss=50_000,
               max_liability=2_000_000, afl_before_pct=True)
    r = ins.policy_year_claims(TCI1, p)
    # (1,000,000 − 50,000) × 0.9 = 855,000; the NQL claim does not eat into the AFL
    assert r["paid"].tolist() == pytest.approx([855_000, 36_000, 0, 216_000], abs=MONEY)
    assert ins.indemnity(1_200_000, 1_000_000, 0.9, afl=50_000, afl_before_pct=True) == pytest.approx(855_000)


def test_tci2_and_tci3():
    assert ins.indemnity(1_200_000, 1_000_000, 0.9) == pytest.approx(900_000, abs=MONEY)
    assert ins.uninsured_loss(1_200_000, 1_000_000, 0.9) == pytest.approx(300_000, abs=MONEY)
    # TCI-3: uninsured 15 % of £5,000 = £750 < minimum retention £1,000
    assert ins.indemnity(5_000, 10_000, 0.85, minimum_retention=1_000) == pytest.approx(4_000, abs=MONEY)
    assert ins.uninsured_loss(5_000, 10_000, 0.85, minimum_retention=1_000) == pytest.approx(1_000, abs=MONEY)
    # when the percentage retention is larger, it applies
    assert ins.indemnity(50_000, 100_000, 0.85, minimum_retention=1_000) == pytest.approx(42_500, abs=MONEY)
    r = ins.policy_year_claims(pd.DataFrame({"debt": [5_000], "limit": [10_000]}),
                               Policy(indemnity_pct=0.85, minimum_retention=1_000))
    assert r["paid"].iloc[0] == pytest.approx(4_000, abs=MONEY)


def test_nql_threshold_is_on_the_ascertained_loss():
    assert ins.indemnity(4_999.99, 10_000, 0.9, nql=5_000) == 0.0
    assert ins.indemnity(5_000, 10_000, 0.9, nql=5_000) == pytest.approx(4_500)


def test_buyer_without_limit_is_fully_uninsured():
    assert ins.indemnity(100_000, np.nan, 0.9) == 0.0
    assert ins.uninsured_loss(100_000, np.nan, 0.9, recoveries=10_000) == pytest.approx(90_000)
    assert ins.indemnity(100_000, np.inf, 0.9) == pytest.approx(90_000)  # inf: uncapped


def test_political_loss_without_political_cover_is_not_covered():
    claims = pd.DataFrame({"debt": [500_000, 500_000], "limit": [600_000, 600_000],
                           "cause": ["political", "commercial"], "country": ["AR", "AR"]})
    r = ins.policy_year_claims(claims, Policy(indemnity_pct=0.9))
    assert r["cover_pct"].tolist() == [0.0, 0.9]
    assert r["paid"].tolist() == pytest.approx([0.0, 450_000])
    assert r["seller_loss"].iloc[0] == pytest.approx(500_000)
    covered = ins.policy_year_claims(claims, Policy(political_cover=True, political_pct=0.95))
    assert covered["paid"].tolist() == pytest.approx([475_000, 450_000])


def test_political_cover_never_domestic_and_only_in_covered_countries():
    p = Policy(political_cover=True, covered_countries=frozenset({"US", "DE"}))
    pct = ins.cover_pct(p, np.array(["political", "political", "political", "commercial", "commercial"]),
                        np.array(["CN", "US", "BR", "BR", "CN"]))
    assert pct.tolist() == [0.0, 0.9, 0.0, 0.0, 0.9]
    with pytest.raises(ValueError, match="cause"):
        ins.cover_pct(p, "war")


def test_post_claim_recovery_split_pro_rata():
    to_insurer, kept = ins.post_claim_recovery_split(60_000, 216_000, 300_000, 60_000)
    assert to_insurer == pytest.approx(60_000 * 216_000 / 240_000)
    assert to_insurer + kept == pytest.approx(60_000)


# ------------------------------------------------------------------ EL with insurance (SPEC §6.1)

EL2 = pd.DataFrame({
    "ead": [800_000, 560_000, 240_000, 120_000],
    "pd": [0.01, 0.03, 0.08, 0.20],
    "limit": [700_000, 600_000, np.nan, 150_000],
})


def test_el2_table():
    i = ins.insured_amount(EL2["ead"].to_numpy(), EL2["limit"].to_numpy(), 0.9)
    assert i.tolist() == pytest.approx([630_000, 504_000, 0, 108_000], abs=MONEY)
    el = ins.expected_loss_insured(EL2["pd"].to_numpy(), 0.60, EL2["ead"].to_numpy(), EL2["limit"].to_numpy(), 0.9)
    assert el.gross.tolist() == pytest.approx([4_800, 10_080, 11_520, 14_400], abs=MONEY)
    assert el.seller.tolist() == pytest.approx([1_020, 1_008, 11_520, 1_440], abs=MONEY)
    assert el.insurer.tolist() == pytest.approx([3_780, 9_072, 0, 12_960], abs=MONEY)
    assert (el.gross.sum(), el.seller.sum(), el.insurer.sum()) == pytest.approx((40_800, 14_988, 25_812), abs=MONEY)


def test_el1_and_insured_share():
    assert ins.expected_loss_insured(0.02, 0.45, 1_000_000).gross == pytest.approx(9_000, abs=MONEY)
    assert ins.expected_loss_insured(0.02, 0.45, 1_000_000).seller == pytest.approx(9_000, abs=MONEY)  # no limit
    assert ins.insured_share(800_000, 700_000, 0.9) == pytest.approx(0.7875)
    assert ins.insured_share(0, 700_000, 0.9) == 0.0


# ------------------------------------------------------------------ policy settings


def test_policy_defaults_follow_spec():
    p = Policy()
    assert (p.indemnity_pct, p.waiting_period, p.settlement_days, p.claim_days) == (0.9, 180, 30, 180)
    assert p.political_cover is False and p.afl_before_pct is False
    assert p.claim_basis == "invoice_date" and p.notify_basis == "due_date"


def test_policy_from_settings_rows_and_toml():
    import tomllib

    from xl_cashrisk.schemas.policy import POLICY, policy_from_values
    from xl_cashrisk.schemas.settings import settings_from_frames

    rows = {"indemnity_pct": "95%", "aggregate_first_loss": "50,000", "political_cover": "no",
            "covered_countries": "us, DE ", "policy_holidays": "2026-10-01, 2026-10-02", "notify_basis": "mep_end",
            "max_liability": None, "waiting_period": 90.0}
    p = settings_from_frames(rows, rows=POLICY.rows).insurance
    assert p.indemnity_pct == 0.95 and p.aggregate_first_loss == 50_000 and not p.political_cover
    assert p.covered_countries == frozenset({"US", "DE"})
    assert p.holidays == (dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    assert p.max_liability == float("inf") and p.waiting_period == 90
    toml = tomllib.loads('indemnity_pct = 0.9\nmax_liability = 2000000\nafl_before_pct = true\nclaim_basis = "due_date"\n')
    q = policy_from_values(toml)
    assert q.max_liability == 2_000_000 and q.afl_before_pct and q.claim_basis == "due_date"


@pytest.mark.parametrize(
    ("rows", "message"),
    [({"indemnity_pct": 90}, "between 0 and 1"), ({"notify_basis": "invoice"}, "notify_basis"),
     ({"claim_days": 30.5}, "whole number"), ({"politcal_cover": True}, "unknown"),
     ({"political_cover": "maybe"}, "TRUE or FALSE"), ({"political_cover": "no"}, "TRUE or FALSE"),
     ({"aggregate_first_loss": -1}, "≥ 0"), ({"aggregate_first_loss": "50000"}, "must be a number"),
     ({"collection_from_days": 100, "claim_from_days": 90}, "claim_from_days")],
)
def test_policy_rejects_bad_settings(rows, message):
    from xl_cashrisk.errors import InputError
    from xl_cashrisk.schemas.policy import policy_from_values

    with pytest.raises(InputError, match=message):
        policy_from_values(rows)


# ------------------------------------------------------------------ deadlines


@pytest.mark.parametrize(
    ("due", "days", "expected"),
    [
        ("2026-01-31", 30, "2026-03-02"),  # month end into a short February, lands on a Monday
        ("2025-01-31", 28, "2025-02-28"),  # non-leap February end, Friday
        ("2024-01-30", 30, "2024-02-29"),  # leap day, Thursday
        ("2024-02-29", 60, "2024-04-29"),  # from a leap day
        ("2024-02-29", 365, "2025-02-28"),  # a year after a leap day, Friday
        ("2026-06-30", 60, "2026-08-28"),  # Saturday 29 Aug → Friday 28
        ("2026-07-01", 60, "2026-08-28"),  # Sunday 30 Aug → Friday 28
        ("2026-04-30", 31, "2026-05-29"),  # Sunday 31 May (month end) → Friday 29
    ],
)
def test_notify_by_calendar_days_weekends_move_earlier(due, days, expected):
    assert str(ins.notify_by(D(due), Policy(notify_days=days))) == expected


def test_weekend_rule_off_keeps_calendar_date_and_holidays_move_further():
    assert str(ins.notify_by(D("2026-06-30"), Policy(notify_days=60, move_weekends=False))) == "2026-08-29"
    p = Policy(notify_days=60, holidays=(dt.date(2026, 8, 28), dt.date(2026, 8, 27)))
    assert str(ins.notify_by(D("2026-06-30"), p)) == "2026-08-26"


def test_deadline_never_later_than_calendar_date():
    due = np.arange(D("2024-01-01"), D("2025-01-01"))
    for p in (Policy(), Policy(notify_days=45, claim_days=120, max_extension_period=90)):
        assert (ins.notify_by(due, p) <= due + np.timedelta64(p.notify_days, "D")).all()
        assert (ins.claim_by(due, due, p) <= due + np.timedelta64(p.claim_days, "D")).all()
        assert (np.is_busday(ins.notify_by(due, p))).all()
        assert (due + np.timedelta64(p.notify_days, "D") - ins.notify_by(due, p) <= np.timedelta64(2, "D")).all()


def test_notify_basis_mep_end_and_stop_deliveries():
    p = Policy(max_extension_period=90, notify_days=30, notify_basis="mep_end")
    assert str(ins.notify_by(D("2026-02-28"), p)) == "2026-06-26"  # +120 = Sun 28 Jun → Fri 26
    assert str(ins.stop_deliveries_from(D("2026-02-28"), p)) == "2026-05-29"


def test_claim_by_bases():
    assert str(ins.claim_by(D("2026-05-04"), D("2026-06-03"))) == "2026-10-30"  # Sat 31 Oct → Fri
    assert str(ins.claim_by(D("2026-05-05"), D("2026-06-04"))) == "2026-10-30"  # Sun 1 Nov → Fri 30 Oct
    due_basis = Policy(claim_basis="due_date", claim_days=151)
    assert str(ins.claim_by(D("2026-05-05"), D("2026-06-04"), due_basis)) == "2026-11-02"  # Monday


def test_expected_indemnity_date_paths_and_payment_roll_forward():
    p = Policy(waiting_period=90, settlement_days=60)
    assert str(ins.expected_indemnity_date(D("2026-01-31"), p)) == "2026-06-30"  # +150, Tuesday
    assert str(ins.expected_indemnity_date(D("2026-02-28"), Policy())) == "2026-09-28"  # +210 = Sun 27 → Mon
    assert str(ins.expected_indemnity_date(D("2026-02-28"), Policy(move_weekends=False))) == "2026-09-26"
    via = ins.expected_indemnity_date(np.array(["2026-01-31", "2026-01-31"], dtype="datetime64[D]"),
                                      Policy(proof_of_debt_days=14),
                                      np.array(["2026-03-02", "NaT"], dtype="datetime64[D]"))
    assert via.astype(str).tolist() == ["2026-04-15", "2026-08-31"]  # insolvency: +14 +30; protracted: +210
    notif = Policy(waiting_basis="notification", notify_days=30, waiting_period=90, settlement_days=30)
    assert str(ins.expected_indemnity_date(D("2026-01-31"), notif)) == "2026-06-30"  # notify_by Mon 03-02 + 120


def test_deadlines_table_and_blank_dates():
    t = ins.deadlines(["2024-01-31", None], ["2024-02-29", None], Policy(notify_days=30))
    assert t.iloc[0].astype(str).tolist() == ["2024-03-29", "2024-04-29", "2024-07-29", "2024-09-26"]
    assert t.iloc[1].isna().all()


# ------------------------------------------------------------------ exposure allocation


@pytest.fixture
def ledger():
    return pd.DataFrame({
        "invoice_no": ["A1", "A2", "A3", "A4", "B1", "C1", "C2", "E1", "F1"],
        "buyer_id": ["A", "A", "A", "A", "B", "C", "C", "E", "F"],
        "invoice_date": pd.to_datetime(["2026-05-01", "2026-06-01", "2026-07-15", "2026-08-20", "2026-06-01",
                                        "2026-06-15", "2026-01-10", "2026-06-01", "2026-07-01"]),
        "due_date": pd.to_datetime(["2026-05-31", "2026-07-01", "2026-08-14", "2026-09-19", "2026-07-01",
                                    "2026-07-15", "2026-09-10", "2026-07-01", "2026-07-31"]),
        "amount": [400.0, 300.0, 200.0, 150.0, 500.0, 100.0, 80.0, 250.0, -40.0],
        "paid_amount": [100.0, 0, 0, 0, 0, 0, 0, 0, 0],
        "disputed": [False, True, False, False, False, False, False, False, False],
    })


LIMITS = {"A": 500.0, "C": 1_000.0, "E": 1_000.0, "F": 100.0}  # B has no limit
COUNTRIES = {"A": "CN", "B": "CN", "C": "DE", "E": "RU", "F": "CN"}


def test_limit_allocated_oldest_first_with_reasons(ledger):
    r = ins.insured_exposure(ledger, Policy(indemnity_pct=0.9, covered_countries=frozenset({"DE", "US"}),
                                            max_credit_period=180, max_extension_period=60),
                             limits=LIMITS, countries=COUNTRIES)
    r = r.set_index("invoice_no")
    assert r.loc["A1", "open_amount"] == 300.0
    # A: A2 disputed uses none of the limit; A1 (300), A3 (200) fill the 500; A4 gets nothing...
    assert r.loc[["A1", "A2", "A3", "A4"], "within_limit"].tolist() == [300.0, 0.0, 200.0, 0.0]
    # ...and A4 was invoiced after A1's stop-delivery date (2026-05-31 + 60 = 07-30): not covered at all
    assert r.loc[["A1", "A2", "A3", "A4"], "reason"].tolist() == ["", "disputed", "", "after_stop"]
    assert r.loc["B1", "reason"] == "no_limit" and r.loc["B1", "uninsured"] == 500.0
    assert r.loc["C2", "reason"] == "terms_too_long"  # 243 days of terms > 180
    assert r.loc["C1", "insured"] == pytest.approx(90.0)
    assert r.loc["E1", "reason"] == "country_not_covered" and r.loc["E1", "insured"] == 0.0
    assert r.loc["F1", "reason"] == "not_open" and r.loc["F1", "uninsured"] == -40.0
    assert (r["insured"] + r["uninsured"]).tolist() == pytest.approx(r["open_amount"].tolist())
    by = ins.insured_exposure_by_buyer(r.reset_index())
    assert by.loc["A", ["within_limit", "insured", "limit_used"]].tolist() == pytest.approx([500.0, 450.0, 1.0])
    assert np.isnan(by.loc["B", "limit_used"])


def test_limit_from_the_ledger_column_and_no_limits_at_all(ledger):
    r = ins.insured_exposure(ledger)
    assert (r["insured"] == 0).all() and set(r["reason"]) <= {"no_limit", "not_open"}
    with_col = ins.insured_exposure(ledger.assign(insurer_limit=np.where(ledger["buyer_id"] == "B", 600.0, np.nan)))
    assert with_col.loc[with_col["buyer_id"] == "B", "insured"].tolist() == pytest.approx([450.0])


def test_overdue_deadlines_and_expected_indemnity(ledger):
    p = Policy(indemnity_pct=0.9, non_qualifying_loss=150.0)
    r = ins.overdue_deadlines(ledger, dt.date(2026, 9, 30), p, limits=LIMITS).set_index("invoice_no")
    assert "F1" not in r.index  # nothing open
    assert r.loc["A4", "days_past_due"] == 11 and r.loc["A4", "expected_indemnity"] == 0.0  # after stop date
    assert r.loc["A1", "days_to_notify"] == -62 and r.loc["E1", "days_to_claim"] == 58
    assert r.loc["A1", "days_past_due"] == 122
    assert str(r.loc["A1", "notify_by"].date()) == "2026-07-30"
    assert str(r.loc["A1", "claim_by"].date()) == "2026-10-28"
    assert r.loc["A1", "days_to_claim"] == 28
    assert r.loc["A1", "days_to_notify"] == -62
    # A's claim = 0.9 × (300 + 200) = 450, spread pro rata; C's overdue within-limit 100 < NQL 150 → 0
    assert r.loc[["A1", "A3"], "expected_indemnity"].tolist() == pytest.approx([270.0, 180.0])
    assert r.loc["C1", "expected_indemnity"] == 0.0
    assert r.loc["B1", "expected_indemnity"] == 0.0
    ins_path = ins.overdue_deadlines(ledger, "2026-09-30", p, limits=LIMITS,
                                     insolvency_dates={"A": "2026-09-01"}).set_index("invoice_no")
    assert str(ins_path.loc["A1", "expected_indemnity_date"].date()) == "2026-10-01"
    assert str(ins_path.loc["B1", "expected_indemnity_date"].date()) == "2027-01-27"  # 07-01 + 210


def test_collections_worklist_steps_urgency_and_flags(ledger):
    w = ins.collections_worklist(ledger, "2026-09-30", Policy(), limits=LIMITS)
    rows = {r.invoice_no: r for r in w.itertuples()}
    assert rows["A3"].step == 1  # 47 days past due
    assert rows["A3"].deadline == pd.Timestamp("2026-10-13")  # notify_by 08-14 + 60 = Tue 13 Oct
    assert rows["C1"].step == 2  # 77 dpd → deadline due + 90 = 10-13
    assert rows["A1"].step == 3 and rows["A1"].deadline == pd.Timestamp("2026-10-28")
    assert w["days_left"].is_monotonic_increasing
    assert rows["B1"].uninsured_flag and rows["B1"].reason == "no insurer limit"
    assert not rows["A1"].uninsured_flag or rows["A1"].uninsured > 0
    assert rows["A1"].action == "file the claim before the deadline"
    zh = ins.collections_worklist(ledger, "2026-09-30", Policy(), limits=LIMITS, language="zh")
    assert set(zh["action"]) <= set(ins.STEP_ACTIONS["zh"].values())
    assert (zh["deadline"] <= zh["claim_by"]).all()


def test_worklist_step_thresholds_configurable(ledger):
    w = ins.collections_worklist(ledger, "2026-09-30", Policy(collection_from_days=30, claim_from_days=45),
                                 limits=LIMITS).set_index("invoice_no")
    assert w.loc["A3", "step"] == 3


# ------------------------------------------------------------------ properties

amount = st.floats(min_value=0, max_value=1e9, allow_nan=False)
pct = st.floats(min_value=0, max_value=1)


@given(debt=amount, limit=amount, cover=pct, afl=amount, nql=amount, rec_frac=pct, minret=amount)
def test_indemnity_bounds_and_balance(debt, limit, cover, afl, nql, rec_frac, minret):
    rec = debt * rec_frac
    paid = ins.indemnity(debt, limit, cover, afl, nql, rec, minret)
    assert 0 <= paid <= cover * limit + 1e-6
    assert paid <= debt - rec + 1e-6
    seller = ins.uninsured_loss(debt, limit, cover, afl, nql, rec, minret)
    assert paid + seller == pytest.approx(debt - rec, rel=1e-12, abs=1e-6)
    assert ins.indemnity(debt, limit * 1.5 + 1, cover, afl, nql, rec, minret) >= paid - 1e-6


@given(st.lists(st.tuples(amount, amount), min_size=1, max_size=12), amount, amount, amount)
def test_policy_year_total_within_max_liability(claims, afl, nql, ml):
    frame = pd.DataFrame(claims, columns=["debt", "limit"])
    r = ins.policy_year_claims(frame, Policy(aggregate_first_loss=afl, non_qualifying_loss=nql, max_liability=ml))
    assert r["paid"].sum() <= ml + 1e-6
    assert (r["paid"] >= -1e-9).all()
    assert r["afl_absorbed"].sum() <= afl + 1e-6
    assert (r["paid"] + r["seller_loss"]).to_numpy() == pytest.approx(frame["debt"].to_numpy(), rel=1e-12, abs=1e-6)


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.floats(min_value=-100, max_value=1e6),
                          st.integers(min_value=0, max_value=400)), min_size=1, max_size=30),
       st.dictionaries(st.sampled_from("ABC"), st.floats(min_value=0, max_value=2e6)))
def test_insured_exposure_per_buyer_within_limit(rows, limits):
    ledger = pd.DataFrame(rows, columns=["buyer_id", "open_amount", "offset"])
    ledger["due_date"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(ledger["offset"], unit="D")
    r = ins.insured_exposure(ledger, Policy(indemnity_pct=0.9), limits=limits)
    by = r.groupby("buyer_id")
    for buyer, g in by:
        limit = limits.get(buyer, 0.0)
        eligible = g.loc[g["eligible"], "open_amount"].sum()
        assert g["within_limit"].sum() <= limit + 1e-6
        assert g["within_limit"].sum() == pytest.approx(min(eligible, limit), rel=1e-9, abs=1e-6)
        assert g["insured"].sum() <= 0.9 * limit + 1e-6
        # oldest first: a later-due eligible invoice gets limit only when every earlier one is full
        e = g[g["eligible"]].sort_values("due_date", kind="stable")
        short = (e["open_amount"] - e["within_limit"]).to_numpy() > 1e-9
        if short.any():
            assert (e["within_limit"].to_numpy()[np.argmax(short) + 1:] == 0).all()
    assert (r["insured"] + r["uninsured"]).to_numpy() == pytest.approx(r["open_amount"].to_numpy())

"""Receivables core: SPEC §4 and §2.2 worked examples, ledger tables, and invariants."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xl_cashrisk import receivables as r
from xl_cashrisk.errors import InputError

MONEY = 0.01
SCORE = 1e-6

# SPEC §4.1 AG-1, as of 2024-06-30
AG1_AS_OF = "2024-06-30"
AG1 = pd.DataFrame({
    "invoice_no": ["INV1", "INV2", "INV3", "INV4", "INV5", "INV6"],
    "buyer_id": ["B1", "B1", "B2", "B2", "B3", "B3"],
    "invoice_date": pd.to_datetime(["2024-06-10", "2024-05-15", "2024-04-10", "2024-03-01", "2024-01-05",
                                    "2023-12-01"]),
    "terms_days": [30, 30, 30, 30, 60, 30],
    "amount": [10_000.0, 8_000.0, 6_000.0, 4_000.0, 2_000.0, 1_000.0],
})
AG1_DUE = ["2024-07-10", "2024-06-14", "2024-05-10", "2024-03-31", "2024-03-05", "2023-12-31"]
AG1_DPD = [-10, 16, 51, 91, 117, 182]
AG1_SINCE = [20, 46, 81, 121, 177, 212]
AG1_DPD_BUCKETS = ["current", "1-30", "31-60", "91-120", "91-120", ">120"]
AG1_INV_BUCKETS = ["0-30", "31-60", "61-90", ">120", ">120", ">120"]


# ---------------------------------------------------------------------------------------------- AG-1


def test_ag1_days_both_clocks():
    due = np.array(AG1_DUE, dtype="datetime64[D]")
    assert r.days_past_due(due, AG1_AS_OF).tolist() == AG1_DPD
    assert r.days_since_invoice(AG1["invoice_date"], AG1_AS_OF).tolist() == AG1_SINCE
    # due = invoice date + terms, the way the ledger derives it
    aged = r.age_ledger(AG1, AG1_AS_OF)
    assert aged["due_date"].dt.strftime("%Y-%m-%d").tolist() == AG1_DUE


def test_ag1_buckets_both_conventions():
    dpd_labels = r.bucket_labels(basis="dpd")
    inv_labels = r.bucket_labels(basis="invoice")
    assert [dpd_labels[i] for i in r.age_bucket_index(AG1_DPD)] == AG1_DPD_BUCKETS
    assert [inv_labels[i] for i in r.age_bucket_index(AG1_SINCE, basis="invoice")] == AG1_INV_BUCKETS
    assert r.age_ledger(AG1, AG1_AS_OF)["bucket"].tolist() == AG1_DPD_BUCKETS
    assert r.age_ledger(AG1, AG1_AS_OF, basis="invoice")["bucket"].tolist() == AG1_INV_BUCKETS


def test_ag1_bucket_totals():
    table = r.ageing_table(AG1, AG1_AS_OF)
    # SPEC: current 10,000; 1–30 8,000; 31–60 6,000; 61–90 0; 91–120 6,000; > 120 1,000
    assert table["amount"].to_dict() == {"current": 10_000, "1-30": 8_000, "31-60": 6_000, "61-90": 0,
                                         "91-120": 6_000, ">120": 1_000, "credits": 0}
    assert table["items"].tolist() == [1, 1, 1, 0, 2, 1, 0]
    inv = r.ageing_table(AG1, AG1_AS_OF, basis="invoice")
    assert inv["amount"].to_dict() == {"0-30": 10_000, "31-60": 8_000, "61-90": 6_000, "91-120": 0,
                                       ">120": 7_000, "credits": 0}


def test_bucket_boundaries_upper_inclusive():
    assert r.age_bucket_index([-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 10_000]).tolist() == \
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert r.age_bucket_index([-3, 0, 30, 31, 120, 121], basis="invoice").tolist() == [r.NOT_ISSUED, 0, 0, 1, 3, 4]
    assert r.age_bucket_index([np.nan, 5.0]).tolist() == [-1, 1]
    assert isinstance(r.age_bucket_index(45), int)
    # one value takes the same bounds as an array, on both bases
    for basis in ("dpd", "invoice"):
        for d in (-3, -1, 0, 1, 30, 31, 120, 121, 10_000, -0.5, 30.5, np.nan):
            assert r.age_bucket_index(d, basis=basis) == r.age_bucket_index([d], basis=basis)[0], (d, basis)


def test_invoice_dated_after_as_of_is_not_issued_in_ageing_totals_but_first_bucket_in_ledger_reports():
    """AGEBUCKET/AGEING leave an invoice dated after the as-of date out (issue 19); the ledger reports,
    whose behaviour is the ledger pipeline's, still count it in the first bucket."""
    totals, credits = r.ageing_totals([-1, 10, -30], [500.0, 1_000.0, -200.0], basis="invoice")
    assert totals.tolist() == [1_000.0, 0.0, 0.0, 0.0, 0.0] and credits == -200.0  # a credit note is never aged
    assert r.ageing_totals([-1, 10], [500.0, 1_000.0], basis="dpd")[0].tolist()[:2] == [500.0, 1_000.0]
    future = AG1.copy()
    future.loc[0, "invoice_date"] = pd.Timestamp("2024-07-05")  # after the as-of date 2024-06-30
    table = r.ageing_table(future, AG1_AS_OF, basis="invoice")
    assert table.loc["0-30", "amount"] == 10_000 and table["amount"].sum() == 31_000


def test_labels_configurable_edges_and_chinese():
    assert r.bucket_labels((30, 60, 90, 120), "dpd", "zh") == ["未到期", "1-30天", "31-60天", "61-90天", "91-120天",
                                                               ">120天"]
    assert r.bucket_labels((30, 90), "invoice", "zh") == ["0-30天", "31-90天", ">90天"]
    assert r.bucket_labels((15,)) == ["current", "1-15", ">15"]
    assert r.age_bucket_index([15, 16], (15,)).tolist() == [1, 2]


@pytest.mark.parametrize("edges", [(), (0, 30), (30, 30), (60, 30), (30.5,), (-1,)])
def test_bad_edges_rejected(edges):
    with pytest.raises(ValueError, match="bucket edges"):
        r.bucket_labels(edges)


def test_bad_basis_and_language():
    with pytest.raises(ValueError, match="basis"):
        r.age_bucket_index(3, basis="due")
    with pytest.raises(ValueError, match="language"):
        r.bucket_labels(language="fr")


def test_days_scalars_series_and_missing():
    assert r.days_past_due(dt.date(2024, 6, 14), dt.date(2024, 6, 30)) == 16
    assert np.isnan(r.days_past_due(np.datetime64("NaT"), "2024-06-30"))
    s = pd.Series(pd.to_datetime(["2024-06-14", None]), index=["a", "b"])
    out = r.days_past_due(s, "2024-06-30")
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert out["a"] == 16 and np.isnan(out["b"])


# ---------------------------------------------------------------------------------------------- ledgers


def _ledger():
    return pd.DataFrame({
        "invoice_no": ["A1", "A2", "A3", "B1", "B2", "C1"],
        "buyer_id": ["A", "A", "A", "B", "B", "C"],
        "buyer_name": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Gamma"],
        "doc_type": ["INV", "INV", "CN", "INV", "inv", "INV"],
        "invoice_date": pd.to_datetime(["2026-09-01", "2026-05-01", "2026-09-10", "2026-08-01", "2026-01-15",
                                        "2026-06-01"]),
        "terms_days": [30, 30, 0, 60, 30, 30],
        "due_date": pd.to_datetime([None, None, None, "2026-09-15", None, None]),
        "currency": ["CNY", "CNY", "CNY", "USD", "usd ", "EUR"],
        "amount": [1_000.0, 2_000.0, -300.0, 100.0, 50.0, 10.0],
        "paid_amount": [0.0, 500.0, 0.0, 0.0, 50.0, 10.0],
        "last_payment_date": pd.to_datetime([None, "2026-06-20", None, None, "2026-03-01", "2026-07-10"]),
    })


FX = {"USD": 7.10, "EUR": 7.75}


def test_ageing_table_fx_credits_and_balance():
    led = _ledger()
    t = r.ageing_table(led, "2026-09-30", fx=FX, home_currency="CNY")
    # A1 due 10-01: current 1,000; B1 due 09-15: DPD 15 → 710; A2 open 1,500 due 05-31: DPD 122 → >120
    assert t.loc["current", "amount"] == pytest.approx(1_000)
    assert t.loc["1-30", "amount"] == pytest.approx(710)
    assert t.loc[">120", "amount"] == pytest.approx(1_500)
    assert t.loc["credits", "amount"] == pytest.approx(-300)
    assert t.loc["credits", "items"] == 1
    open_balance = ((led.amount - led.paid_amount) * led.currency.str.strip().str.upper().map(
        {"CNY": 1.0, **FX})).sum()
    assert t["amount"].sum() == pytest.approx(open_balance, abs=MONEY)


def test_buyer_schedule():
    s = r.buyer_ageing_schedule(_ledger(), "2026-09-30", fx=FX, home_currency="CNY").set_index("buyer_id")
    assert list(s.index) == ["A", "B"]  # C is settled; largest total first
    a = s.loc["A"]
    assert a["buyer_name"] == "Alpha"
    assert (a["current"], a[">120"], a["credits"], a["total"]) == (1_000, 1_500, -300, 2_200)
    assert a["overdue"] == 1_500 and a["pct_overdue"] == pytest.approx(0.6) and a["oldest_dpd"] == 122
    b = s.loc["B"]
    assert b["1-30"] == pytest.approx(710) and b["pct_overdue"] == 1.0 and b["oldest_dpd"] == 15
    buckets = r.bucket_labels()
    assert np.allclose(s[buckets].sum(axis=1) + s["credits"], s["total"])


def test_buyer_schedule_only_credits_and_not_overdue():
    led = pd.DataFrame({"buyer_id": ["X", "Y"], "invoice_date": pd.to_datetime(["2026-09-01", "2026-09-20"]),
                        "terms_days": [0, 30], "doc_type": ["CN", "INV"], "amount": [-50.0, 80.0]})
    s = r.buyer_ageing_schedule(led, "2026-09-30").set_index("buyer_id")
    assert s.loc["X", "pct_overdue"] == 0.0 and np.isnan(s.loc["X", "oldest_dpd"])
    assert s.loc["Y", "oldest_dpd"] == 0 and s.loc["Y", "overdue"] == 0


def test_blank_buyer_id_is_its_own_group():
    led = AG1.assign(buyer_id=["B1", None, "B1", None, "B2", "B2"])
    s = r.buyer_ageing_schedule(led, AG1_AS_OF)
    assert s["total"].sum() == pytest.approx(31_000) and len(s) == 3
    assert len(r.buyer_payment_history(led, AG1_AS_OF)) == 3


def test_buyer_schedule_chinese_labels():
    s = r.buyer_ageing_schedule(AG1, AG1_AS_OF, language="zh")
    assert {"未到期", "1-30天", ">120天", "贷项"} <= set(s.columns)


def test_payment_history():
    h = r.buyer_payment_history(_ledger(), "2026-09-30", fx=FX, home_currency="CNY").set_index("buyer_id")
    # B2 (USD 50) due 02-14 paid 03-01 → 15 days late, 45 days to pay; only fully paid invoice of B
    assert h.loc["B", "dbt"] == 15 and h.loc["B", "avg_days_to_pay"] == 45 and h.loc["B", "n_paid"] == 1
    assert h.loc["B", "overdue_amount"] == pytest.approx(710) and h.loc["B", "max_dpd_open"] == 15
    # C1 paid 07-10, due 07-01: 9 days late; nothing open
    assert h.loc["C", "dbt"] == 9 and h.loc["C", "open_amount"] == 0 and np.isnan(h.loc["C", "max_dpd_open"])
    # A: A2 only partly paid → no paid invoices; open 1,000 + 1,500 (credit note not counted)
    assert h.loc["A", "n_paid"] == 0 and np.isnan(h.loc["A", "dbt"])
    assert h.loc["A", "open_amount"] == 2_500 and h.loc["A", "overdue_amount"] == 1_500
    assert h.loc["A", "max_dpd_open"] == 122


def test_payment_history_early_payment_counts_zero_dbt():
    led = pd.DataFrame({"buyer_id": ["E", "E"], "invoice_date": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                        "due_date": pd.to_datetime(["2026-01-31", "2026-03-03"]),
                        "amount": [100.0, 300.0], "paid_amount": [100.0, 300.0],
                        "last_payment_date": pd.to_datetime(["2026-01-21", "2026-03-07"])})
    h = r.buyer_payment_history(led, "2026-09-30").iloc[0]
    assert h["dbt"] == pytest.approx((100 * 0 + 300 * 4) / 400)
    assert h["avg_days_to_pay"] == pytest.approx((100 * 20 + 300 * 34) / 400)


def test_ledger_errors():
    led = _ledger()
    with pytest.raises(InputError, match=r"no FX rate for currency 'EUR'"):
        r.ageing_table(led, "2026-09-30", fx={"USD": 7.1}, home_currency="CNY")
    with pytest.raises(InputError, match="amounts in CNY, EUR, USD"):
        r.ageing_table(led, "2026-09-30")
    bad = AG1.assign(terms_days=[30, None, 30, 30, 60, 30])
    with pytest.raises(InputError, match=r"1 open invoice\(s\) have no due date.*INV2"):
        r.ageing_table(bad, AG1_AS_OF)
    with pytest.raises(InputError, match="no 'amount' column"):
        r.ageing_table(AG1.drop(columns="amount"), AG1_AS_OF)


def test_ledger_text_dates_and_due_date_priority():
    led = AG1.assign(invoice_date=AG1["invoice_date"].dt.strftime("%Y-%m-%d").astype(object),
                     due_date=[None, "2024-07-15", None, None, None, None])
    aged = r.age_ledger(led, AG1_AS_OF)
    assert aged["dpd"].tolist() == [-10, -15, 51, 91, 117, 182]  # given due date wins over date + terms


# ---------------------------------------------------------------------------------------------- DSO family


def test_dso_examples():
    assert r.dso(150_000, 1_800_000) == pytest.approx(30.4167, abs=1e-4)  # DSO-1
    assert r.dso(15_000, 10_000, 30) == pytest.approx(45.0)
    assert r.best_possible_dso(4_000, 10_000, 30) == pytest.approx(12.0)
    assert r.average_days_delinquent(15_000, 4_000, 10_000, 30) == pytest.approx(33.0)  # ADD-1
    assert 365 / r.receivables_turnover(1_800_000, 150_000) == pytest.approx(r.dso(150_000, 1_800_000))
    assert np.isnan(r.dso(1, 0))
    assert r.dso(np.array([150_000, 300_000]), 1_800_000, 360).tolist() == pytest.approx([30, 60])


@pytest.mark.parametrize(("ar", "sales", "days", "expected"), [
    (212_000, [100_000, 80_000, 70_000], [30, 30, 30], 73.714286),  # CB-1
    (212_000, [100_000, 80_000, 70_000], [31, 28, 31], 73.171429),  # CB-2
    (350_000, [120_000, 150_000, 90_000, 110_000], [30, 31, 30, 31], 87.666667),  # CB-3
    (300_000, [100_000, 80_000, 70_000], 30, 90 + 50_000 / (70_000 / 30)),  # history exhausted
    (50_000, [0, 100_000], 30, 45.0),  # a month without sales counts whole
    (100_000, [100_000, 0, 50_000], 30, 60.0),  # AR used up exactly: the empty month still counts
    (0, [100_000], 30, 0.0),
])
def test_countback_examples(ar, sales, days, expected):
    assert r.dso_countback(ar, sales, days) == pytest.approx(expected, abs=SCORE)


def test_countback_vectorised_and_undefined():
    out = r.dso_countback(np.array([0, 100_000, 212_000]), [100_000, 80_000, 70_000], 30)
    assert out.tolist() == pytest.approx([0, 30, 73.714286], abs=SCORE)
    assert np.isnan(r.dso_countback(500, [100, 0], 30))
    with pytest.raises(ValueError):
        r.dso_countback(1, [])


def _countback_reference(ar, s, d, zero_sales="count"):
    """SPEC §4.2 pseudo-code, line by line; ``"stop"``: Oracle HFM ends the walk at a month without sales."""
    remaining, total = ar, 0.0
    for k in range(len(s)):
        if s[k] <= 0:
            if zero_sales == "stop":
                return total
            total += d[k]
            continue
        if remaining >= s[k]:
            total += d[k]
            remaining -= s[k]
        else:
            total += d[k] * remaining / s[k]
            remaining = 0
            break
    if remaining > 0:
        total += remaining / (s[-1] / d[-1])
    return total


sales_st = st.lists(st.one_of(st.just(0.0), st.floats(1, 1e6)), min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(sales=sales_st, ar=st.floats(0, 5e6), data=st.data())
def test_countback_matches_spec_loop(sales, ar, data):
    assume(sales[-1] > 0)
    days = data.draw(st.lists(st.sampled_from([28, 29, 30, 31]), min_size=len(sales), max_size=len(sales)))
    assert r.dso_countback(ar, sales, days) == pytest.approx(_countback_reference(ar, sales, days), rel=1e-9,
                                                             abs=1e-9)


@pytest.mark.parametrize(("ar", "sales", "count", "stop"), [
    (150_000, [100_000, 0, 80_000], 30 + 30 + 30 * 50_000 / 80_000, 30.0),  # CB-Z: the empty month ends "stop"
    (80_000, [100_000, 0, 80_000], 24.0, 24.0),  # AR used up before the empty month: same answer
    (50_000, [0, 100_000], 45.0, 0.0),  # nothing sold this month: HFM gives 0 days
    (150_000, [100_000, -20_000, 80_000], 78.75, 30.0),  # returns above sales count as no sales
    (300_000, [100_000, 80_000, 70_000], 90 + 50_000 / (70_000 / 30), 90 + 50_000 / (70_000 / 30)),  # no empty month
])
def test_countback_zero_sales_rule(ar, sales, count, stop):
    assert r.dso_countback(ar, sales, 30) == pytest.approx(count, abs=SCORE)
    assert r.dso_countback(ar, sales, 30, "count") == pytest.approx(count, abs=SCORE)
    assert r.dso_countback(ar, sales, 30, "stop") == pytest.approx(stop, abs=SCORE)
    assert r.dso_countback(ar, sales, 30, "stop") <= r.dso_countback(ar, sales, 30) + 1e-12


def test_countback_zero_sales_vectorised_and_checked():
    got = r.dso_countback(np.array([50_000, 150_000, 400_000]), [100_000, 0, 80_000], 30, "stop")
    assert got.tolist() == pytest.approx([15.0, 30.0, 30.0])
    with pytest.raises(ValueError, match="zero_sales must be one of"):
        r.dso_countback(1, [1], 30, "skip")


@settings(max_examples=300, deadline=None)
@given(sales=st.lists(st.one_of(st.just(0.0), st.floats(1, 1e6)), min_size=1, max_size=14), ar=st.floats(0, 5e6),
       data=st.data())
def test_countback_stop_matches_the_loop(sales, ar, data):
    # always defined: the walk either stops at a month without sales or ends on one with sales
    days = data.draw(st.lists(st.sampled_from([28, 29, 30, 31]), min_size=len(sales), max_size=len(sales)))
    assert r.dso_countback(ar, sales, days, "stop") == pytest.approx(
        _countback_reference(ar, sales, days, "stop"), rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(sales=sales_st, a=st.floats(0, 5e6), b=st.floats(0, 5e6))
def test_countback_monotone_in_ar(sales, a, b):
    assume(sales[-1] > 0)
    lo, hi = sorted((a, b))
    assert r.dso_countback(lo, sales) <= r.dso_countback(hi, sales) + 1e-9


# ---------------------------------------------------------------------------------------------- CEI, reserve, DBT


@pytest.mark.parametrize(("args", "periods", "expected"), [
    ((6_200, 10_890, 6_340, 3_590), 3, 55.9295),  # CEI-1
    ((6_200, 10_890, 6_340, 3_590), 1, 79.6296),  # CEI-1b
    ((100_000, 1_000_000, 120_000, 100_000), 1, 98.0),  # CEI-2
])
def test_cei_examples(args, periods, expected):
    assert r.cei(*args, periods=periods) == pytest.approx(expected, abs=5e-5)


def test_cei_exact_fraction():
    assert r.cei(6_200, 10_890, 6_340, 3_590, periods=3) == pytest.approx(3_490 / 6_240 * 100, rel=1e-12)
    assert np.isnan(r.cei(0, 0, 0, 0))


def test_reserve_examples():
    assert r.bad_debt_reserve([76_000, 14_000, 6_000, 3_000, 1_000], [0.01, 0.05, 0.10, 0.25, 0.50]) == \
        pytest.approx(3_310, abs=MONEY)  # RES-1
    assert r.bad_debt_reserve([15e6, 7.5e6, 4e6, 2.5e6, 1e6], [0.003, 0.016, 0.036, 0.066, 0.106]) == \
        pytest.approx(580_000, abs=MONEY)  # RES-2
    per_row = r.bad_debt_reserve([[100, 200], [10, 0]], [0.1, 0.5])
    assert per_row.tolist() == pytest.approx([110, 1])
    with pytest.raises(ValueError):
        r.bad_debt_reserve([1, 2, 3], [0.1, 0.2])


def test_dbt_examples():
    assert r.dbt_from_buckets([60_000, 25_000, 10_000, 4_000, 1_000]) == pytest.approx(12.30, abs=SCORE)  # DBT-1
    assert r.dbt_paid([10_000, 10_000], ["2024-01-31", "2024-03-02"],
                      ["2024-02-05", "2024-03-09"]) == pytest.approx(6.0)  # DBT-2
    # paying early counts 0, not negative; a missing pay date is left out
    assert r.dbt_paid([100, 100, 50], ["2024-01-31", "2024-01-31", "2024-01-31"],
                      ["2024-01-01", "2024-02-10", None]) == pytest.approx(5.0)
    assert r.average_days_to_pay([100, 300], ["2024-01-01", "2024-01-01"],
                                 ["2024-01-11", "2024-01-31"]) == pytest.approx(25.0)
    assert np.isnan(r.dbt_paid([], [], []))


# ---------------------------------------------------------------------------------------------- invariants

day_st = st.integers(-400, 2_000)
edges_st = st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True).map(lambda e: tuple(sorted(e)))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(day_st, st.floats(-1e7, 1e7, allow_nan=False)), min_size=0, max_size=60),
       edges=edges_st, basis=st.sampled_from(["dpd", "invoice"]))
def test_bucket_totals_plus_credits_equal_balance(rows, edges, basis):
    days = np.array([d for d, _ in rows], dtype=float)
    amounts = np.array([a for _, a in rows], dtype=float)
    totals, credits = r.ageing_totals(days, amounts, edges, basis)
    assert len(totals) == len(r.bucket_labels(edges, basis))
    not_issued = amounts[(amounts > 0) & (days < 0)].sum() if basis == "invoice" else 0.0
    assert totals.sum() + credits + not_issued == pytest.approx(amounts.sum(), abs=MONEY)
    assert (totals >= 0).all() and credits <= 0


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 700), st.integers(0, 120), st.sampled_from(["CNY", "USD", "EUR"]),
                               st.floats(-5e5, 5e5, allow_nan=False), st.floats(0, 1), st.sampled_from("ABCD")),
                     min_size=1, max_size=40),
       basis=st.sampled_from(["dpd", "invoice"]))
def test_ledger_tables_add_up(rows, basis):
    as_of = np.datetime64("2026-09-30")
    led = pd.DataFrame({
        "invoice_no": [str(i) for i in range(len(rows))],
        "buyer_id": [b for *_, b in rows],
        "invoice_date": [as_of - np.timedelta64(age, "D") for age, *_ in rows],
        "terms_days": [t for _, t, *_ in rows],
        "currency": [c for _, _, c, *_ in rows],
        "amount": [a for *_, a, _, _ in rows],
        "paid_amount": [a * p for *_, a, p, _ in rows],
    })
    led["doc_type"] = np.where(led["amount"] < 0, "CN", "INV")
    rate = led["currency"].map({"CNY": 1.0, **FX})
    balance = ((led["amount"] - led["paid_amount"]) * rate).sum()
    table = r.ageing_table(led, as_of, basis=basis, fx=FX, home_currency="CNY")
    assert table["amount"].sum() == pytest.approx(balance, abs=MONEY)
    sched = r.buyer_ageing_schedule(led, as_of, basis=basis, fx=FX, home_currency="CNY")
    assert sched["total"].sum() == pytest.approx(balance, abs=MONEY)
    labels = r.bucket_labels(basis=basis)
    assert np.allclose(sched[labels].sum().to_numpy(), table["amount"].to_numpy()[:-1], atol=MONEY)


@settings(max_examples=300, deadline=None)
@given(days=st.lists(day_st, min_size=1, max_size=30), later=st.integers(0, 1_000), edges=edges_st,
       basis=st.sampled_from(["dpd", "invoice"]))
def test_later_as_of_never_younger_bucket(days, later, edges, basis):
    as_of = np.datetime64("2026-09-30")
    dates = as_of - np.asarray(days).astype("timedelta64[D]")
    now = r.age_bucket_index(r.days_past_due(dates, as_of), edges, basis)
    then = r.age_bucket_index(r.days_past_due(dates, as_of + np.timedelta64(later, "D")), edges, basis)
    assert (then >= now).all()

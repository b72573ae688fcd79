"""Receivables Excel functions called with Excel-shaped values (serials, None/NaN, 2-D ranges, text)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from udfs import FUNCTIONS
from udfs.receivables import (
    ADD,
    AGEBUCKET,
    AGEING,
    BADDEBTRESERVE,
    BPDSO,
    CEI,
    DAYSPASTDUE,
    DAYSTOPAY,
    DBTPAID,
    DSO,
    DSOCOUNTBACK,
)
from xl_cashrisk.dates import date_to_serial
from xl_cashrisk.errors import ArgumentError

AS_OF = 45473.0  # 2024-06-30
# AG-1 due dates as serials: INV1..INV6
AG1_DUE = [45483.0, 45457.0, 45422.0, 45382.0, 45356.0, 45291.0]
AG1_INVOICE = [45453.0, 45427.0, 45392.0, 45352.0, 45296.0, 45261.0]
AG1_AMOUNTS = [10_000.0, 8_000.0, 6_000.0, 4_000.0, 2_000.0, 1_000.0]
NAMES = ("AGEBUCKET", "DAYSPASTDUE", "AGEING", "DSO", "DSOCOUNTBACK", "BPDSO", "ADD", "CEI", "BADDEBTRESERVE", "DBTPAID",
         "DAYSTOPAY")


def col(values):
    return [[v] for v in values]


def serial(y, m, d):
    return float(date_to_serial(dt.date(y, m, d)))


def error_text(call, *args):
    with pytest.raises(ArgumentError) as e:
        call(*args)
    return str(e.value)


def test_registered_in_category():
    for name in NAMES:
        f = FUNCTIONS[name]
        assert f.category == "Receivables" and f.module == "udfs.receivables"
        assert len(f.summary) <= 255 and all(len(a.doc) <= 255 for a in f.arguments)


# ---------------------------------------------------------------------------------------------- AGEBUCKET


def test_agebucket_ag1_column_spills_same_shape():
    assert AGEBUCKET(col(AG1_DUE), AS_OF) == col(["current", "1-30", "31-60", "91-120", "91-120", ">120"])
    assert AGEBUCKET(col(AG1_INVOICE), AS_OF, "invoice") == col(["0-30", "31-60", "61-90", ">120", ">120", ">120"])
    assert AGEBUCKET(AG1_DUE[:2], AS_OF) == ["current", "1-30"]  # 1-D in, 1-D out
    assert AGEBUCKET([AG1_DUE[:3]], AS_OF) == [["current", "1-30", "31-60"]]  # a row range


def test_agebucket_date_kinds_and_blanks():
    assert AGEBUCKET(dt.datetime(2024, 6, 14), dt.date(2024, 6, 30)) == "1-30"
    assert AGEBUCKET("2024-05-10", "2024/06/30") == "31-60"
    assert AGEBUCKET("2024年3月1日", AS_OF, "INVOICE") == ">120"
    assert AGEBUCKET(col([45457.0, None, math.nan, 45382.0]), AS_OF) == col(["1-30", "", "", "91-120"])
    assert AGEBUCKET(None, AS_OF) == ""
    # upper bound inclusive: exactly 30 days past due is 1-30
    assert AGEBUCKET(AS_OF - 30, AS_OF) == "1-30" and AGEBUCKET(AS_OF - 31, AS_OF) == "31-60"
    assert AGEBUCKET(AS_OF, AS_OF) == "current" and AGEBUCKET(AS_OF, AS_OF, "invoice") == "0-30"


def test_agebucket_as_of_blank_is_today():
    today = date_to_serial(dt.date.today())
    assert AGEBUCKET(float(today - 45), None) == "31-60"
    assert AGEBUCKET(float(today - 45), "") == "31-60"
    assert DAYSPASTDUE(float(today - 7)) == 7


def test_agebucket_errors():
    assert error_text(AGEBUCKET, col([45457.0, "#N/A"]), AS_OF) == \
        "AGEBUCKET: due_date (item 2) must be a date (the cell holds the Excel error #N/A)"
    assert error_text(AGEBUCKET, "soon", AS_OF) == \
        "AGEBUCKET: due_date must be a date (YYYY-MM-DD text, a date cell or a serial), got 'soon'"
    assert error_text(AGEBUCKET, 45457.0, AS_OF, "due") == \
        "AGEBUCKET: basis must be one of \"dpd\", \"invoice\", got 'due'"
    assert error_text(AGEBUCKET, 45457.0, "#VALUE!") == \
        "AGEBUCKET: as_of must be a date (the cell holds the Excel error #VALUE!)"
    assert error_text(AGEBUCKET, [[45457.0, 45457.0], [60.0, 45457.0]], AS_OF) == \
        "AGEBUCKET: due_date (row 2, column 1) must be a date (an Excel date serial from 61 = 1900-03-01 on), got 60.0"


# ---------------------------------------------------------------------------------------------- edges, not issued
# issue 19: bucket edges as an argument (a range or a text), and an invoice dated after the as-of date


def test_edges_as_a_range_or_a_text_give_the_same_buckets():
    days = [-3, 0, 1, 15, 16, 45, 46, 200]  # days past due on AS_OF
    dates = col([AS_OF - d for d in days])
    want = col(["current", "current", "1-15", "1-15", "16-45", "16-45", ">45", ">45"])
    for edges in ("15,45", " 15 , 45 ", "15;45", "15 45", "15，45", [[15], [45]], [[15, 45]], [[15.0], [None], ["45"]]):
        assert AGEBUCKET(dates, AS_OF, "dpd", edges) == want, edges
    assert AGEBUCKET(AS_OF - 46, AS_OF, "dpd", [[15], [45]]) == ">45"  # a filled-down cell with $H$1:$H$2
    assert AGEBUCKET(col([AS_OF - 45]), AS_OF, "invoice", "45") == col(["0-45"])
    for blank in (None, "", [[None], [None]], [[" "]]):  # the default 30, 60, 90, 120
        assert AGEBUCKET(AS_OF - 91, AS_OF, "dpd", blank) == "91-120"
    header, totals = AGEING(col(AG1_DUE), col(AG1_AMOUNTS), AS_OF, "dpd", "60,120")  # AG-1 in two buckets
    assert header == ["current", "1-60", "61-120", ">120", "credits", "total"]
    assert totals == [10_000, 14_000, 6_000, 1_000, 0, 31_000]


@pytest.mark.parametrize("edges, detail", [
    ("60,30", "30 is not after 60"), ("30,30", "30 is not after 30"), ("-30,60", "-30 is not above 0"),
    ("0,30", "0 is not above 0"), ("30.5,60", "30.5 is not a whole number of days"),
    ([[90], [60]], "60 is not after 90"),
])
def test_edges_refused_in_one_line(edges, detail):
    for fn, args in ((AGEBUCKET, (AS_OF, AS_OF, "dpd", edges)), (AGEING, (col([AS_OF]), col([1.0]), AS_OF, "dpd", edges))):
        name = fn.__name__
        text = error_text(fn, *args)
        assert text.startswith(f"{name}: edges must be increasing whole numbers of days above 0, such as "
                               "30,60,90,120, got '") and text.endswith(f"({detail})") and "\n" not in text


def test_edges_that_are_not_numbers():
    assert error_text(AGEBUCKET, AS_OF, AS_OF, "dpd", "30,sixty") == (
        "AGEBUCKET: edges must be increasing whole numbers of days above 0, such as 30,60,90,120, got 'sixty'")
    assert error_text(AGEBUCKET, AS_OF, AS_OF, "dpd", [[30], ["#N/A"]]).startswith(
        "AGEBUCKET: edges must be increasing whole numbers of days above 0, such as 30,60,90,120 (the cell holds")


@settings(max_examples=150, deadline=None)
@given(edges=st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True).map(sorted),
       ages=st.lists(st.integers(-60, 800), min_size=1, max_size=30), basis=st.sampled_from(["dpd", "invoice"]),
       as_text=st.booleans())
def test_edges_match_a_plain_bucket_rule(edges, ages, basis, as_text):
    def plain(days):
        if basis == "invoice" and days < 0:
            return "not issued"
        lower = 1 if basis == "dpd" else 0
        if basis == "dpd" and days <= 0:
            return "current"
        for e in edges:
            if days <= e:
                return f"{lower}-{e}"
            lower = e + 1
        return f">{edges[-1]}"

    given_edges = ",".join(map(str, edges)) if as_text else col(edges)
    assert AGEBUCKET(col([AS_OF - a for a in ages]), AS_OF, basis, given_edges) == col([plain(a) for a in ages])
    assert [AGEBUCKET(AS_OF - a, AS_OF, basis, given_edges) for a in ages] == [plain(a) for a in ages]


def test_invoice_dated_after_as_of_is_not_issued():
    """ERPNext leaves such an invoice out of its ageing; the toolkit answers "not issued" and AGEING leaves
    its amount out of every bucket and of the total (a credit note stays in credits whatever its date)."""
    tomorrow, later = AS_OF + 1, AS_OF + 40
    assert AGEBUCKET(tomorrow, AS_OF, "invoice") == "not issued"
    assert AGEBUCKET(col([tomorrow, AS_OF, None]), AS_OF, "invoice") == col(["not issued", "0-30", ""])
    assert AGEBUCKET(tomorrow, AS_OF) == "current"  # basis dpd: a due date ahead is simply not yet due
    assert DAYSPASTDUE(later, AS_OF) == -40
    header, totals = AGEING(col([AS_OF - 10, later, later]), col([1_000.0, 500.0, -200.0]), AS_OF, "invoice")
    assert header == ["0-30", "31-60", "61-90", "91-120", ">120", "credits", "total"]
    assert totals == [1_000, 0, 0, 0, 0, -200, 800]
    assert AGEING(col([AS_OF - 10, later]), col([1_000.0, 500.0]), AS_OF)[1][:2] == [500, 1_000]  # dpd: current, 1-30


def test_ageing_functions_stay_volatile_and_their_parameters_are_vba_safe():
    from udfs._registry import vba_name_problem

    for name in ("AGEBUCKET", "AGEING", "DAYSPASTDUE"):
        f = FUNCTIONS[name]
        assert f.volatile and all(vba_name_problem(a.name, name) is None for a in f.arguments)
    assert [a.name for a in FUNCTIONS["AGEBUCKET"].arguments] == ["due_date", "as_of", "basis", "edges"]
    assert [a.name for a in FUNCTIONS["AGEING"].arguments] == ["due_dates", "amounts", "as_of", "basis", "edges"]
    assert "not issued" in FUNCTIONS["AGEBUCKET"].summary and "not issued" in (AGEBUCKET.__doc__ or "")


# ---------------------------------------------------------------------------------------------- DAYSPASTDUE


def test_dayspastdue_values_and_shape():
    assert DAYSPASTDUE(col(AG1_DUE), AS_OF) == col([-10, 16, 51, 91, 117, 182])
    out = DAYSPASTDUE(col([45457.0, None]), AS_OF)
    assert out == [[16], [""]] and isinstance(out[0][0], int)
    assert DAYSPASTDUE(dt.date(2024, 6, 14), "2024-06-30") == 16
    assert DAYSPASTDUE("", AS_OF) == ""
    assert error_text(DAYSPASTDUE, col([True]), AS_OF) == \
        "DAYSPASTDUE: due_date (item 1) must be a date, got True"


# ---------------------------------------------------------------------------------------------- AGEING


def test_ageing_ag1_both_bases():
    header, totals = AGEING(col(AG1_DUE), col(AG1_AMOUNTS), AS_OF)
    assert header == ["current", "1-30", "31-60", "61-90", "91-120", ">120", "credits", "total"]
    assert totals == [10_000, 8_000, 6_000, 0, 6_000, 1_000, 0, 31_000]
    header, totals = AGEING(col(AG1_INVOICE), col(AG1_AMOUNTS), AS_OF, "invoice")
    assert header == ["0-30", "31-60", "61-90", "91-120", ">120", "credits", "total"]
    assert totals == [10_000, 8_000, 6_000, 0, 7_000, 0, 31_000]


def test_ageing_credits_blanks_and_text_numbers():
    dates = col([45483.0, None, 45457.0, None, "2024-06-20"])
    amounts = col(["1,000", -250.0, 500.0, None, math.nan])
    assert AGEING(dates, amounts, AS_OF) == [
        ["current", "1-30", "31-60", "61-90", "91-120", ">120", "credits", "total"],
        [1_000, 500, 0, 0, 0, 0, -250, 1_250],
    ]


def test_ageing_errors():
    assert error_text(AGEING, col([None, 45457.0]), col([100.0, 5.0]), AS_OF) == \
        "AGEING: due_dates (item 1) must be a date (the cell is blank but its amount is 100)"
    assert error_text(AGEING, col([45457.0, 45457.0]), col([100.0]), AS_OF) == \
        "AGEING: amounts must be a range with as many cells as due_dates (2) (it has 1)"
    assert error_text(AGEING, col([45457.0, 45457.0]), col([100.0, "abc"]), AS_OF) == \
        "AGEING: amounts (item 2) must be a number, got 'abc'"
    assert error_text(AGEING, col([45457.0]), col(["#N/A"]), AS_OF) == \
        "AGEING: amounts (item 1) must be a number (the cell holds the Excel error #N/A)"


def _bucket_plain(days, basis):
    """Independent reading of SPEC §4.1 with if/elif."""
    if basis == "dpd":
        if days <= 0:
            return "current"
        for lo, hi in ((1, 30), (31, 60), (61, 90), (91, 120)):
            if lo <= days <= hi:
                return f"{lo}-{hi}"
        return ">120"
    if days < 0:  # dated after the as-of date
        return "not issued"
    for lo, hi in ((0, 30), (31, 60), (61, 90), (91, 120)):
        if days <= hi:
            return f"{lo}-{hi}"
    return ">120"


ledger_st = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(-90, 400)),
              st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2)))),
    min_size=1, max_size=50,
)


@settings(max_examples=150, deadline=None)
@given(rows=ledger_st, basis=st.sampled_from(["dpd", "invoice"]), as_datetime=st.booleans())
def test_unseen_ledgers_match_plain_computation(rows, basis, as_datetime):
    rows = [(age, amt) for age, amt in rows if age is not None or amt is None or amt <= 0]  # undated debts: error case
    assume(rows)
    as_of = dt.date(2026, 9, 30)
    dates = [None if age is None else
             (dt.datetime.combine(as_of - dt.timedelta(days=age), dt.time()) if as_datetime
              else float(date_to_serial(as_of - dt.timedelta(days=age)))) for age, _ in rows]
    amounts = [amt for _, amt in rows]
    expected = {}
    credits = 0.0
    for age, amt in rows:
        if amt is None or amt == 0:
            continue
        if amt < 0:
            credits += amt
        else:
            key = _bucket_plain(age, basis)
            expected[key] = expected.get(key, 0.0) + amt
    header, totals = AGEING(col(dates), col(amounts), as_of, basis)
    got = dict(zip(header, totals, strict=True))
    for label in header[:-2]:
        assert got[label] == pytest.approx(expected.get(label, 0.0), abs=0.01)
    assert got["credits"] == pytest.approx(credits, abs=0.01)
    not_issued = expected.get("not issued", 0.0)  # in no bucket and not in the total
    assert got["total"] == pytest.approx(sum(a for a in amounts if a is not None) - not_issued, abs=0.01)
    buckets = AGEBUCKET(col(dates), as_of, basis)
    assert buckets == col(["" if age is None else _bucket_plain(age, basis) for age, _ in rows])
    assert DAYSPASTDUE(col(dates), as_of) == col(["" if age is None else age for age, _ in rows])


# ---------------------------------------------------------------------------------------------- DSO family


def test_dso_scalar_and_errors():
    assert DSO(150_000, 1_800_000) == pytest.approx(30.4167, abs=1e-4)  # DSO-1
    assert DSO("150,000", "1800000", None) == pytest.approx(30.4167, abs=1e-4)
    assert DSO(150_000, 1_800_000, 360) == pytest.approx(30.0)
    assert isinstance(DSO(1.0, 2.0), float)
    assert error_text(DSO, "n/a", 100) == "DSO: receivables must be a number, got 'n/a'"
    assert error_text(DSO, 100, 0) == "DSO: credit_sales must be a positive number, got 0"
    assert error_text(DSO, 100, None) == "DSO: credit_sales must be a positive number (the cell is blank)"
    assert error_text(DSO, 100, 200, -5) == "DSO: days must be a positive number, got -5"
    assert error_text(DSO, "#DIV/0!", 200) == "DSO: receivables must be a number (the cell holds the Excel error #DIV/0!)"


def test_dso_ranges_spill_and_blank_rows():
    out = DSO(col([150_000, None, 30_000]), col([1_800_000, 1_000, 360_000]), 365)
    assert out[1] == [""]
    assert out[0][0] == pytest.approx(30.4167, abs=1e-4) and out[2][0] == pytest.approx(30.4167, abs=1e-4)
    assert DSO(col([15_000, 30_000]), 10_000, col([30, 30])) == [[pytest.approx(45.0)], [pytest.approx(90.0)]]
    # a blank optional cell takes its default (365 days; 1 period)
    assert DSO(col([150_000, 150_000]), col([1_800_000, 1_800_000]), col([None, 360])) == \
        [[pytest.approx(30.4167, abs=1e-4)], [pytest.approx(30.0)]]
    assert CEI([[100_000]], [[1_000_000]], [[120_000]], [[100_000]], [[None]]) == [[pytest.approx(98.0)]]
    assert error_text(DSO, col([1.0, 2.0]), col([1.0, 0.0])) == \
        "DSO: credit_sales (item 2) must be a positive number, got 0.0"
    assert error_text(DSO, col([1.0, 2.0]), col([1.0, 2.0, 3.0])) == \
        "DSO: credit_sales must be a range with as many cells as receivables (2) (it has 3)"


def test_bpdso_and_add():
    assert BPDSO(4_000, 10_000, 30) == pytest.approx(12.0)
    assert ADD(15_000, 4_000, 10_000, 30) == pytest.approx(33.0)  # ADD-1
    assert ADD(col([15_000, 8_000]), col([4_000, 8_000]), 10_000, 30) == [[pytest.approx(33.0)], [0.0]]
    assert error_text(ADD, 4_000, 15_000, 10_000, 30) == \
        "ADD: current_receivables must be at most receivables (4000), got 15000"
    assert error_text(BPDSO, -1, 10_000) == "BPDSO: current_receivables must be a number ≥ 0, got -1"


def test_dsocountback_examples():
    sales = col([100_000, 80_000, 70_000])
    assert DSOCOUNTBACK(212_000, sales) == pytest.approx(73.714286, abs=1e-6)  # CB-1, days blank = 30
    assert DSOCOUNTBACK(212_000, sales, col([31, 28, 31])) == pytest.approx(73.171429, abs=1e-6)  # CB-2
    assert DSOCOUNTBACK(350_000, [[120_000, 150_000, 90_000, 110_000]], [[30, 31, 30, 31]]) == \
        pytest.approx(87.666667, abs=1e-6)  # CB-3 as row ranges
    # spare blank rows at the end of both ranges are ignored; one number of days for all months
    assert DSOCOUNTBACK(212_000, col([100_000, 80_000, 70_000, None, None]), 30) == pytest.approx(73.714286, abs=1e-6)
    assert DSOCOUNTBACK(212_000, col([100_000, 80_000, 70_000, None]), col([31, 28, 31, None])) == \
        pytest.approx(73.171429, abs=1e-6)


def test_dsocountback_zero_sales_rule():
    sales = col([100_000, 0, 80_000])  # CB-Z
    assert DSOCOUNTBACK(150_000, sales) == pytest.approx(78.75, abs=1e-9)
    assert DSOCOUNTBACK(150_000, sales, None, "count") == pytest.approx(78.75, abs=1e-9)
    assert DSOCOUNTBACK(150_000, sales, None, "STOP") == pytest.approx(30.0, abs=1e-9)
    assert DSOCOUNTBACK(500, col([100.0, 0.0]), 30, "stop") == 30.0  # "count" has no answer here
    assert error_text(DSOCOUNTBACK, 1, col([1.0]), None, "skip") == \
        'DSOCOUNTBACK: zero_sales must be one of "count", "stop", got \'skip\''


def test_dsocountback_errors():
    assert error_text(DSOCOUNTBACK, -5, col([1.0])) == "DSOCOUNTBACK: receivables must be a number ≥ 0, got -5"
    assert error_text(DSOCOUNTBACK, 5, col([1.0, None, 2.0])) == (
        "DSOCOUNTBACK: monthly_sales_newest_first (item 2) must be a number (enter 0 for a month without sales) "
        "(the cell is blank)")
    assert error_text(DSOCOUNTBACK, 5, col([None, None])) == \
        "DSOCOUNTBACK: monthly_sales_newest_first must be credit sales per month, newest first (the range is blank)"
    assert error_text(DSOCOUNTBACK, 5, col([1.0, 2.0]), col([30, 31, 30])) == \
        "DSOCOUNTBACK: days_in_months must be one day count per month of sales (2) (it has 3)"
    assert error_text(DSOCOUNTBACK, 5, col([1.0, 2.0]), col([30, "x"])) == \
        "DSOCOUNTBACK: days_in_months (item 2) must be a positive number of days, got 'x'"
    assert error_text(DSOCOUNTBACK, 5, col([1.0, 2.0]), col([30, 0])) == \
        "DSOCOUNTBACK: days_in_months (item 2) must be a positive number of days, got 0"
    assert error_text(DSOCOUNTBACK, 500, col([100.0, 0.0])) == (
        "DSOCOUNTBACK: monthly_sales_newest_first must be longer, or end with a month that has sales "
        "(the receivables exceed all the sales given and the oldest month has none)")


# ---------------------------------------------------------------------------------------------- CEI, reserve


def test_cei_percent_number():
    assert CEI(6_200, 10_890, 6_340, 3_590, 3) == pytest.approx(55.9295, abs=5e-5)  # CEI-1
    assert CEI(6_200, 10_890, 6_340, 3_590) == pytest.approx(79.6296, abs=5e-5)  # CEI-1b
    assert CEI(100_000, 1_000_000, 120_000, 100_000, None) == pytest.approx(98.0)  # CEI-2, periods blank = 1
    out = CEI(col([6_200, 100_000]), col([10_890, 1_000_000]), col([6_340, 120_000]), col([3_590, 100_000]), col([3, 1]))
    assert out == [[pytest.approx(55.9295, abs=5e-5)], [pytest.approx(98.0)]]
    assert error_text(CEI, 0, 0, 0, 0) == \
        "CEI: ending_current_ar must be less than beginning_ar + credit_sales/periods (0), got 0 (nothing was collectible)"
    assert error_text(CEI, 1, 2, 3, 0, 0) == "CEI: periods must be a positive number, got 0"


def test_baddebtreserve():
    rates = [0.01, 0.05, 0.10, 0.25, 0.50]
    amounts = [76_000, 14_000, 6_000, 3_000, 1_000]
    assert BADDEBTRESERVE([amounts], [rates]) == pytest.approx(3_310, abs=0.01)  # RES-1, row ranges
    assert BADDEBTRESERVE(col(amounts), [rates]) == pytest.approx(3_310, abs=0.01)  # column against row
    assert BADDEBTRESERVE(col([15e6, 7.5e6, 4e6, 2.5e6, 1e6]), col([0.003, 0.016, 0.036, 0.066, 0.106])) == \
        pytest.approx(580_000, abs=0.01)  # RES-2
    assert BADDEBTRESERVE(col([100.0, None, 0.0]), col([0.1, 0.2, None])) == pytest.approx(10.0)
    assert error_text(BADDEBTRESERVE, col([100.0, 50.0]), col([0.1, 5])) == \
        "BADDEBTRESERVE: rates (item 2) must be a loss rate from 0 to 1 (5% = 0.05), got 5"
    assert error_text(BADDEBTRESERVE, col([100.0, 50.0]), col([0.1, None])) == \
        "BADDEBTRESERVE: rates (item 2) must be a loss rate from 0 to 1 (5% = 0.05) (the cell is blank but its bucket has an amount)"
    assert error_text(BADDEBTRESERVE, col([100.0, 50.0]), col([0.1])) == \
        "BADDEBTRESERVE: rates must be one rate per bucket amount (2) (it has 1)"
    assert error_text(BADDEBTRESERVE, col([100.0, "lots"]), col([0.1, 0.2])) == \
        "BADDEBTRESERVE: bucket_amounts (item 2) must be a number, got 'lots'"


# ---------------------------------------------------------------------------------------------- DBTPAID, DAYSTOPAY


def test_dbtpaid_dbt2_and_unpaid_rows_skipped():
    # DBT-2: 10,000 paid 5 days late and 10,000 paid 7 days late; a third invoice not paid yet
    due = col([serial(2024, 1, 31), serial(2024, 3, 2), serial(2024, 5, 31)])
    paid = col([serial(2024, 2, 5), serial(2024, 3, 9), None])
    assert DBTPAID(col([10_000, 10_000, 5_000]), due, paid) == 6.0
    # paying early counts 0, not negative; weights are the amounts
    assert DBTPAID(col([100, 300]), col(["2024-01-31", "2024-01-31"]), col(["2024-01-21", "2024-02-10"])) == 7.5


def test_daystopay_weighted_by_amount():
    inv = col([dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)])
    paid = col([dt.date(2024, 2, 5), dt.date(2024, 3, 1), None])
    assert DAYSTOPAY(col([10_000, 30_000, 99_999]), inv, paid) == 30.5  # (10,000·35 + 30,000·29) / 40,000


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 1e6), st.integers(0, 400), st.integers(-30, 200)), min_size=1, max_size=30))
def test_paid_invoices_match_plain_weighted_means(rows):
    base = dt.date(2023, 1, 1)
    amounts = [a for a, _, _ in rows]
    due = [base + dt.timedelta(days=d) for _, d, _ in rows]
    paid = [due_i + dt.timedelta(days=late) for due_i, (_, _, late) in zip(due, rows, strict=True)]
    total = sum(amounts)
    want_dbt = sum(a * max(0, late) for a, _, late in rows) / total
    want_days = sum(a * late for a, _, late in rows) / total  # due dates read as invoice dates here
    as_serials = [[serial(d.year, d.month, d.day)] for d in due], [[serial(p.year, p.month, p.day)] for p in paid]
    assert DBTPAID(col(amounts), *as_serials) == pytest.approx(want_dbt, rel=1e-9, abs=1e-9)
    assert DAYSTOPAY(col(amounts), *as_serials) == pytest.approx(want_days, rel=1e-9, abs=1e-9)


def test_paid_invoice_errors():
    assert error_text(DBTPAID, col([1, 2]), col(["2024-01-01"]), col(["2024-01-05", None])) == \
        "DBTPAID: due_dates must be a range with as many cells as amounts (2) (it has 1)"
    assert error_text(DBTPAID, col([1, -2]), col(["2024-01-01"] * 2), col(["2024-01-05"] * 2)) == \
        "DBTPAID: amounts (item 2) must be an amount ≥ 0 (leave credit notes out), got -2"
    assert error_text(DAYSTOPAY, col([1, 2]), col(["2024-01-01", None]), col(["2024-01-05"] * 2)) == (
        "DAYSTOPAY: invoice_dates (item 2) must be a date (the cell is blank but the invoice has an amount and "
        "a payment date)")
    assert error_text(DAYSTOPAY, col([1, 2]), col(["2024-01-01"] * 2), col([None, None])) == \
        "DAYSTOPAY: payment_dates must be filled for at least one invoice with an amount (no paid invoice to average over)"
    assert "DBTPAID: payment_dates (item 1) must be a date" in error_text(
        DBTPAID, col([1]), col(["2024-01-01"]), col(["soon"]))

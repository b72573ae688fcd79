"""Excel functions for receivables: ageing buckets, days past due, DSO family, CEI, bad-debt reserve.

Thin adapters over :mod:`xl_cashrisk.receivables` (SPEC §4, §2.2). Buckets use the toolkit's default
edges 30/60/90/120 (SPEC §4.1) unless ``edges`` gives others. Functions that a user fills down a column
(AGEBUCKET, DAYSPASTDUE, DSO, BPDSO, ADD, CEI) also take whole ranges and spill a result of the same
shape; blank rows give blank cells.

Conventions chosen here:
- ``as_of`` blank means today.
- ``edges`` (AGEBUCKET, AGEING): whole numbers of days above 0, increasing, in a range of cells (blank
  cells skipped) or one text "30,60,90" (commas, semicolons or spaces between them).
- Basis "invoice" and an invoice dated after the as-of date: it had not been issued on that day, so
  AGEBUCKET answers "not issued" and AGEING leaves its amount out of every bucket and of the total
  (ERPNext leaves such invoices out of its ageing too).
- DSOCOUNTBACK: ``days_in_months`` blank means 30 days for every month (the convention of the CB-1
  source); give the real month lengths (31, 28, ...) or one number for all to change it.
- CEI returns a percent number, as SPEC §4.3 defines it (×100): 55.93 means 55.93 %. Format the cell
  as a number, not as %, or divide by 100 first.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import receivables as rcv
from xl_cashrisk.errors import ArgumentError
from xl_cashrisk.settings import BASES, DAYS_IN_YEAR, DEFAULT_BUCKET_EDGES

CATEGORY = "Receivables"
COUNTBACK_MONTH_DAYS = 30

_AS_OF = "Date to age at (cell or date). Blank = today."
_BASIS = '"dpd" (default): age from the due date, buckets current, 1-30 ... >120; "invoice": age from the invoice date, buckets 0-30 ... >120.'
_DAYS = "Days in the period the sales cover: 365 for a year (default), 90 for a quarter, 30 for a month."
_EDGES = ('Optional bucket edges in days, ascending: a range of cells or a text such as "30,60,90". '
          "Blank = 30, 60, 90, 120.")
EDGES_EXPECTED = "increasing whole numbers of days above 0, such as 30,60,90,120"
_EDGE_SEPARATORS = re.compile(r"[,，;；\s]+")

def _plain(x: float) -> int | float:
    """A number as a user typed it, for messages: 15000 rather than np.float64(15000.0)."""
    return int(x) if float(x).is_integer() else float(x)


def _as_of(fn: str, as_of) -> np.datetime64:
    day = _args.date(as_of, fn, "as_of", default=None)
    return _args.today() if day is None else day


def _basis(fn: str, basis) -> str:
    return _args.text(basis, fn, "basis", allowed=BASES, default="dpd")


@_args.read_once
def _bucket_options(fn: str, basis, edges) -> tuple[str, tuple[float, ...]]:
    return _basis(fn, basis), _edges(fn, edges)


def _edges(fn: str, edges) -> tuple[float, ...]:
    """The bucket edges: blank → 30, 60, 90, 120; else a range of cells (blank cells skipped) or one text
    "30,60,90", refused in one line unless whole numbers of days above 0 in increasing order."""
    if edges is None:  # omitted
        return DEFAULT_BUCKET_EDGES
    one = _args.single(edges)
    if one is not None and isinstance(one[0], str):
        cells = [part for part in _EDGE_SEPARATORS.split(_args.check_text(one[0], fn, "edges")) if part]
    else:
        cells = [v for v in ([one[0]] if one else _args.flatten(edges, fn, "edges")[0]) if not _args.is_blank(v)]
    if not cells:
        return DEFAULT_BUCKET_EDGES
    days = tuple(_args.number(v, fn, "edges", expected=EDGES_EXPECTED) for v in cells)
    problem = rcv.bucket_edges_problem(days)
    if problem:
        raise ArgumentError(fn, "edges", EDGES_EXPECTED, ",".join(f"{x:g}" for x in days), detail=problem)
    return days


@functools.lru_cache(maxsize=64)
def _labels(edges: tuple[float, ...], basis: str) -> np.ndarray:
    """AGEBUCKET's answer per bucket index: the bucket labels, "not issued" (index -2) and '' (index -1, no date)."""
    table = np.asarray([*rcv.bucket_labels(edges, basis), rcv.NOT_ISSUED_LABEL, ""], dtype=object)
    table.setflags(write=False)
    return table


@excel_function(
    category=CATEGORY,
    args={
        "due_date": "Due date (basis dpd) or invoice date (basis invoice); one cell or a whole column, which spills a column of labels.",
        "as_of": _AS_OF,
        "basis": _BASIS,
        "edges": _EDGES,
    },
    example="=AGEBUCKET(F2:F500, $B$1)",
    ranges=("due_date", "edges"),
    returns_range=True,
    volatile=True,
)
def AGEBUCKET(due_date, as_of=None, basis="dpd", edges=None):
    """Ageing bucket of an invoice: current, 1-30, 31-60, 61-90, 91-120 or >120 days past due (or 0-30 ... >120 days since invoice; "not issued" if dated after as_of). Upper bounds inclusive. A range spills a column; blank dates give blank cells.

    SPEC §4.1. ``edges`` sets other buckets ("30,60" → current, 1-30, 31-60, >60). With basis
    "invoice", an invoice dated after the as-of date had not been issued yet on that day: the answer
    is "not issued", not "0-30" (ERPNext leaves such invoices out of its ageing as well).

    >>> AGEBUCKET([[45457.0], [45422.0], [None]], "2024-06-30")
    [['1-30'], ['31-60'], ['']]
    >>> AGEBUCKET("2024-03-01", "2024-06-30", "invoice"), AGEBUCKET("2024-07-05", "2024-06-30", "invoice")
    ('>120', 'not issued')
    >>> AGEBUCKET("2024-05-10", "2024-06-30", "dpd", "15,45")
    '>45'
    """
    fn = "AGEBUCKET"
    b, e = _bucket_options(fn, basis, edges)
    a = _args.Elementwise(fn)
    due = a.date("due_date", due_date)
    idx = rcv.age_bucket_index(rcv.days_past_due(due, _as_of(fn, as_of)), e, b)
    return a.result(_labels(e, b)[idx])  # index -1 (no date) picks '', -2 "not issued"


@excel_function(
    category=CATEGORY,
    args={
        "due_date": "Due date; one cell or a whole column, which spills a column of day counts.",
        "as_of": _AS_OF,
    },
    example="=DAYSPASTDUE(G2:G500, $B$1)",
    ranges=("due_date",),
    returns_range=True,
    volatile=True,
)
def DAYSPASTDUE(due_date, as_of=None):
    """Days past due = as_of minus due date, in calendar days; negative = not yet due. A range spills a column; blank dates give blank cells.

    SPEC §4.1.

    >>> DAYSPASTDUE([[45457.0], [45483.0], [float("nan")]], 45473)
    [[16], [-10], ['']]
    """
    fn = "DAYSPASTDUE"
    a = _args.Elementwise(fn)
    days = rcv.days_past_due(a.date("due_date", due_date), _as_of(fn, as_of))
    if days.__class__ is int or days.__class__ is float:  # one cell (NaN: blank)
        return a.result(days)
    return a.result(np.nan_to_num(days).astype(np.int64).astype(object))  # whole days; blank rows ''


@excel_function(
    category=CATEGORY,
    args={
        "due_dates": "Column of due dates (or invoice dates when basis is invoice), one per invoice.",
        "amounts": "Column of open amounts, same size as the dates. Negative amounts (credit notes, unapplied cash) go to the credits column, not to a bucket.",
        "as_of": _AS_OF,
        "basis": _BASIS,
        "edges": _EDGES,
    },
    example="=AGEING(G2:G500, J2:J500, $B$1)",
    ranges=("due_dates", "amounts", "edges"),
    returns_range=True,
    volatile=True,
)
def AGEING(due_dates, amounts, as_of=None, basis="dpd", edges=None):
    """Ageing table of open amounts: spills a header row of bucket labels plus credits and total, and a row of totals. Credit notes (negative amounts) are shown in credits, not aged.

    SPEC §4.1. Buckets + credits = total. ``edges`` sets other buckets, as in AGEBUCKET. With basis
    "invoice", an invoice dated after the as-of date (not issued yet) is left out of every bucket and
    of the total; a credit note is in credits whatever its date.

    >>> AGEING([[45483], [45457], [45422], [45382], [45356], [45291], [None]],
    ...        [[10000], [8000], [6000], [4000], [2000], [1000], [-500]], "2024-06-30")   # AG-1
    [['current', '1-30', '31-60', '61-90', '91-120', '>120', 'credits', 'total'], \
[10000.0, 8000.0, 6000.0, 0.0, 6000.0, 1000.0, -500.0, 30500.0]]
    >>> AGEING([[45453], [45480]], [[10000], [3000]], "2024-06-30", "invoice", "30,90")   # 2024-07-07: not issued
    [['0-30', '31-90', '>90', 'credits', 'total'], [10000.0, 0.0, 0.0, 0.0, 10000.0]]
    """
    fn = "AGEING"
    b, e = _bucket_options(fn, basis, edges)
    d, dshape = _args.dates(due_dates, fn, "due_dates")
    days = np.asarray(rcv.days_past_due(d, _as_of(fn, as_of)), dtype=float).reshape(-1)
    amt, ashape = _args.numbers(amounts, fn, "amounts")
    _args.check_same_size(fn, "amounts", ashape, "due_dates", dshape)
    undated = (amt > 0) & np.isnan(days)
    if undated.any():
        i = int(np.flatnonzero(undated)[0])
        raise ArgumentError(fn, f"due_dates{dshape.position(i)}", "a date",
                            detail=f"the cell is blank but its amount is {amt[i]:g}")
    totals, credits = rcv.ageing_totals(days, amt, e, b)
    header = [*rcv.bucket_labels(e, b), rcv.CREDITS["en"], "total"]
    return _args.table([header, [*totals.tolist(), credits, float(totals.sum()) + credits]])


@excel_function(
    category=CATEGORY,
    args={
        "receivables": "Receivables (AR) at the end of the period; a cell or a column.",
        "credit_sales": "Credit sales of the period (> 0); a cell or a column.",
        "days": _DAYS,
    },
    example="=DSO(B2, C2, 365)",
    ranges=("receivables", "credit_sales", "days"),
)
def DSO(receivables, credit_sales, days=DAYS_IN_YEAR):
    """Days sales outstanding = receivables / credit sales x days in the period. Columns in give a spilled column out.

    SPEC §4.2.

    >>> round(DSO(150000, 1800000), 4)      # DSO-1
    30.4167
    """
    a = _args.Elementwise("DSO")
    ar, sales = a.number("receivables", receivables), a.number("credit_sales", credit_sales, "positive")
    return a.result(rcv.dso(ar, sales, a.number("days", days, "positive", default=DAYS_IN_YEAR)))


@excel_function(
    category=CATEGORY,
    args={
        "current_receivables": "Receivables not yet past due at the end of the period; a cell or a column.",
        "credit_sales": "Credit sales of the period (> 0); a cell or a column.",
        "days": _DAYS,
    },
    example="=BPDSO(B2, C2, 365)",
    ranges=("current_receivables", "credit_sales", "days"),
)
def BPDSO(current_receivables, credit_sales, days=DAYS_IN_YEAR):
    """Best possible DSO = current (not past due) receivables / credit sales x days. Columns in give a spilled column out.

    SPEC §4.2.

    >>> BPDSO(4000, 10000, 30)      # ADD-1
    12.0
    """
    a = _args.Elementwise("BPDSO")
    cur = a.number("current_receivables", current_receivables, "nonnegative")
    sales = a.number("credit_sales", credit_sales, "positive")
    return a.result(rcv.best_possible_dso(cur, sales, a.number("days", days, "positive", default=DAYS_IN_YEAR)))


@excel_function(
    category=CATEGORY,
    args={
        "receivables": "Total receivables at the end of the period; a cell or a column.",
        "current_receivables": "The part not yet past due (≤ receivables); a cell or a column.",
        "credit_sales": "Credit sales of the period (> 0); a cell or a column.",
        "days": _DAYS,
    },
    example="=ADD(B2, C2, D2, 30)",
    ranges=("receivables", "current_receivables", "credit_sales", "days"),
)
def ADD(receivables, current_receivables, credit_sales, days=DAYS_IN_YEAR):
    """Average days delinquent = DSO - best possible DSO: the days of sales that are past due. Columns in give a spilled column out.

    SPEC §4.2.

    >>> ADD(15000, 4000, 10000, 30)      # ADD-1
    33.0
    """
    fn = "ADD"
    a = _args.Elementwise(fn)
    ar = a.number("receivables", receivables, "nonnegative")
    cur = a.number("current_receivables", current_receivables, "nonnegative")
    sales = a.number("credit_sales", credit_sales, "positive")
    d = a.number("days", days, "positive", default=DAYS_IN_YEAR)
    i = _args.first_true(cur > ar)
    if i is not None:
        where, ar_i, cur_i = a.shape.position(i), a.full(ar)[i], a.full(cur)[i]
        raise ArgumentError(fn, f"current_receivables{where}", f"at most receivables{where} ({ar_i:g})", _plain(cur_i))
    return a.result(rcv.average_days_delinquent(ar, cur, sales, d))


@excel_function(
    category=CATEGORY,
    args={
        "receivables": "Receivables at the end of the latest month (≥ 0).",
        "monthly_sales_newest_first": "Credit sales per month, current month first, going back (a column or row). Enter 0 for a month without sales.",
        "days_in_months": "Days of each month, same order and size as the sales (e.g. 31, 28, 31), or one number for all. Blank = 30 for every month.",
        "zero_sales": '"count" (default): a month without sales (0 or negative) counts as a whole month and the countback goes on. "stop": the countback ends at that month (Oracle HFM).',
    },
    example="=DSOCOUNTBACK(B2, C2:C13, D2:D13)",
    ranges=("monthly_sales_newest_first", "days_in_months"),
)
def DSOCOUNTBACK(receivables, monthly_sales_newest_first, days_in_months=None, zero_sales="count"):
    """Countback DSO: counts back whole months of sales, newest first, until they cover the receivables; the last month counts in part. Blank days = 30 per month.

    SPEC §4.2 (CB-1 to CB-3). A month without sales, while receivables are left: "count" adds its
    days and goes on (SPEC §4.2); "stop" ends there, as Oracle HFM's DSO routine does. CB-Z:
    receivables 150,000, sales 100,000 / 0 / 80,000, 30-day months → count: 30 + 30 + 30 × 50/80 =
    78.75; stop: 30.

    >>> round(DSOCOUNTBACK(212000, [[100000], [80000], [70000]]), 6)    # CB-1
    73.714286
    >>> round(DSOCOUNTBACK(212000, [[100000], [80000], [70000]], [[31], [28], [31]]), 6)    # CB-2
    73.171429
    >>> DSOCOUNTBACK(150000, [[100000], [0], [80000]]), DSOCOUNTBACK(150000, [[100000], [0], [80000]], None, "stop")
    (78.75, 30.0)
    """
    fn, arg = "DSOCOUNTBACK", "monthly_sales_newest_first"
    ar = _args.number(receivables, fn, "receivables", expected="a number ≥ 0", minimum=0)
    sales, sshape = _args.numbers(monthly_sales_newest_first, fn, arg)
    n = _filled_length(sales)
    if n == 0:
        raise ArgumentError(fn, arg, "credit sales per month, newest first", detail="the range is blank")
    sales = sales[:n]
    gap = np.isnan(sales)
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        raise ArgumentError(fn, f"{arg}{sshape.position(i)}", "a number (enter 0 for a month without sales)",
                            detail="the cell is blank")
    days = _month_days(fn, days_in_months, n)
    rule = _args.text(zero_sales, fn, "zero_sales", allowed=rcv.ZERO_SALES_RULES, default="count")
    result = rcv.dso_countback(ar, sales, days, rule)
    if np.isnan(result):
        raise ArgumentError(fn, arg, "longer, or end with a month that has sales",
                            detail="the receivables exceed all the sales given and the oldest month has none")
    if not np.isfinite(result):  # e.g. 1.8e308 of receivables, or a month of 5e-324 sales
        raise ArgumentError(fn, "receivables", "an amount the sales given can cover in a finite number of days",
                            receivables)
    return float(result)


def _filled_length(values: np.ndarray) -> int:
    """Length up to the last non-blank value: a range selected with spare rows at the end is fine."""
    filled = np.flatnonzero(~np.isnan(values))
    return int(filled[-1]) + 1 if filled.size else 0


def _month_days(fn: str, days_in_months, n: int) -> np.ndarray:
    arg = "days_in_months"
    expected = "a positive number of days"
    flat, shape = _args.flatten(days_in_months, fn, arg)
    if shape.kind == "scalar":
        return np.full(n, _args.number(days_in_months, fn, arg, default=float(COUNTBACK_MONTH_DAYS),
                                       expected=expected, positive=True))
    days, shape = _args.numbers(days_in_months, fn, arg, expected=expected)
    m = _filled_length(days)
    if m == 0:
        return np.full(n, float(COUNTBACK_MONTH_DAYS))
    if m != n:
        raise ArgumentError(fn, arg, f"one day count per month of sales ({n})", detail=f"it has {m}")
    days = days[:n]
    bad = np.isnan(days) | (days <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ArgumentError(fn, f"{arg}{shape.position(i)}", expected, flat[i])
    return days


@excel_function(
    category=CATEGORY,
    args={
        "beginning_ar": "Receivables at the start of the window; a cell or a column.",
        "credit_sales": "Credit sales over the window (≥ 0); a cell or a column.",
        "ending_ar": "Total receivables at the end of the window; a cell or a column.",
        "ending_current_ar": "Receivables at the end that are not yet due; a cell or a column.",
        "periods": "Months the sales cover, to use average monthly sales (creditguru/Oracle form). Default 1 = the whole credit sales.",
    },
    example="=CEI(B2, C2, D2, E2)",
    ranges=("beginning_ar", "credit_sales", "ending_ar", "ending_current_ar", "periods"),
)
def CEI(beginning_ar, credit_sales, ending_ar, ending_current_ar, periods=1):
    """Collection effectiveness index in percent (98 means 98 %): (begin AR + sales/periods - end AR) / (begin AR + sales/periods - end current AR) x 100. Format as a number, not %.

    SPEC §4.3.

    >>> round(CEI(6200, 10890, 6340, 3590, 3), 4)      # CEI-1
    55.9295
    >>> CEI(100000, 1000000, 120000, 100000)           # CEI-2
    98.0
    """
    fn = "CEI"
    a = _args.Elementwise(fn)
    beg = a.number("beginning_ar", beginning_ar, "nonnegative")
    sales = a.number("credit_sales", credit_sales, "nonnegative")
    end = a.number("ending_ar", ending_ar, "nonnegative")
    cur = a.number("ending_current_ar", ending_current_ar, "nonnegative")
    n = a.number("periods", periods, "positive", default=1)
    collectible = beg + sales / n
    i = _args.first_true(collectible - cur <= 0)
    if i is not None:
        where, left, cur_i = a.shape.position(i), a.full(collectible)[i], a.full(cur)[i]
        raise ArgumentError(fn, f"ending_current_ar{where}",
                            f"less than beginning_ar + credit_sales/periods ({left:g})", _plain(cur_i),
                            detail="nothing was collectible")
    return a.result(rcv.cei(beg, sales, end, cur, n))


@excel_function(
    category=CATEGORY,
    args={
        "bucket_amounts": "Receivables per ageing bucket (a row or column, e.g. the totals row of AGEING).",
        "rates": "Loss rate per bucket, same size and order, from 0 to 1 (5% = 0.05).",
    },
    example="=BADDEBTRESERVE(B2:G2, B3:G3)",
    ranges=("bucket_amounts", "rates"),
)
def BADDEBTRESERVE(bucket_amounts, rates):
    """Bad-debt reserve by the ageing method: sum over buckets of amount x loss rate.

    SPEC §4.4.

    >>> BADDEBTRESERVE([[76000, 14000, 6000, 3000, 1000]], [[0.01, 0.05, 0.1, 0.25, 0.5]])     # RES-1
    3310.0
    """
    fn = "BADDEBTRESERVE"
    amounts, ashape = _args.numbers(bucket_amounts, fn, "bucket_amounts")
    r, rshape = _args.numbers(rates, fn, "rates", expected="a loss rate from 0 to 1")
    if rshape.size != ashape.size:
        raise ArgumentError(fn, "rates", f"one rate per bucket amount ({ashape.size})", detail=f"it has {rshape.size}")
    rflat, _ = _args.flatten(rates, fn, "rates")
    bad = ~np.isnan(r) & ((r < 0) | (r > 1))
    missing = ~np.isnan(amounts) & (amounts != 0) & np.isnan(r)
    for mask, detail in ((bad, ""), (missing, "the cell is blank but its bucket has an amount")):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            got = rflat[i] if not detail else ...
            raise ArgumentError(fn, f"rates{rshape.position(i)}", "a loss rate from 0 to 1 (5% = 0.05)", got,
                                detail=detail)
    return float(rcv.bad_debt_reserve(np.nan_to_num(amounts), np.nan_to_num(r)))


_PAID_AMOUNTS = ("Amount of each paid invoice (a column; credit notes left out). Rows with a blank amount or a blank "
                 "payment date (not paid yet) are skipped.")
_PAYMENT_DATES = "Date each invoice was paid (the last payment), same size as amounts; blank = not paid, skipped."


def _paid_invoices(fn: str, amounts, dates, dates_arg: str, payment_dates):
    """Amounts, the reference dates and payment dates of the paid rows (amount and payment date given)."""
    amt, ashape = _args.numbers(amounts, fn, "amounts", expected="an amount ≥ 0")
    ref, rshape = _args.dates(dates, fn, dates_arg)
    paid, pshape = _args.dates(payment_dates, fn, "payment_dates")
    for name, sh in ((dates_arg, rshape), ("payment_dates", pshape)):
        _args.check_same_size(fn, name, sh, "amounts", ashape)
    negative = amt < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ArgumentError(fn, f"amounts{ashape.position(i)}", "an amount ≥ 0 (leave credit notes out)",
                            _plain(amt[i]))
    use = ~np.isnan(amt) & ~np.isnat(paid)
    undated = use & np.isnat(ref)
    if undated.any():
        i = int(np.flatnonzero(undated)[0])
        raise ArgumentError(fn, f"{dates_arg}{rshape.position(i)}", "a date",
                            detail="the cell is blank but the invoice has an amount and a payment date")
    if not (use & (amt > 0)).any():
        raise ArgumentError(fn, "payment_dates", "filled for at least one invoice with an amount",
                            detail="no paid invoice to average over")
    return amt[use], ref[use], paid[use]


@excel_function(
    category=CATEGORY,
    args={"amounts": _PAID_AMOUNTS,
          "due_dates": "Due date of each invoice, same size as amounts.",
          "payment_dates": _PAYMENT_DATES},
    example="=DBTPAID(J2:J500, G2:G500, L2:L500)",
    ranges=("amounts", "due_dates", "payment_dates"),
)
def DBTPAID(amounts, due_dates, payment_dates):
    """Days beyond terms of paid invoices, amount-weighted: Σ amount × max(0, paid − due) / Σ amount; paying early counts 0.

    Source: SPEC §2.2, own-ledger DBT.

    DBT-2: two invoices of 10,000 paid 5 and 7 days late → 6.0.

    >>> DBTPAID([[10000], [10000], [5000]], [[45322], [45353], [45443]], [[45327], [45360], [None]])   # DBT-2
    6.0
    """
    amt, due, paid = _paid_invoices("DBTPAID", amounts, due_dates, "due_dates", payment_dates)
    return float(rcv.dbt_paid(amt, due, paid))


@excel_function(
    category=CATEGORY,
    args={"amounts": _PAID_AMOUNTS,
          "invoice_dates": "Invoice date of each invoice, same size as amounts.",
          "payment_dates": _PAYMENT_DATES},
    example="=DAYSTOPAY(J2:J500, E2:E500, L2:L500)",
    ranges=("amounts", "invoice_dates", "payment_dates"),
)
def DAYSTOPAY(amounts, invoice_dates, payment_dates):
    """Average days to pay of paid invoices, amount-weighted: Σ amount × (paid − invoice date) / Σ amount.

    Source: SPEC §2.2.

    10,000 invoiced 2024-01-01 paid 2024-02-05 (35 days) and 30,000 invoiced 2024-02-01 paid 2024-03-01
    (29 days) → (10,000 × 35 + 30,000 × 29) / 40,000 = 30.5 days.

    >>> DAYSTOPAY([[10000], [30000]], [["2024-01-01"], ["2024-02-01"]], [["2024-02-05"], ["2024-03-01"]])
    30.5
    """
    amt, inv, paid = _paid_invoices("DAYSTOPAY", amounts, invoice_dates, "invoice_dates", payment_dates)
    return float(rcv.average_days_to_pay(amt, inv, paid))

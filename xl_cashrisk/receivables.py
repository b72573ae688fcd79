"""Receivables: ageing buckets, DSO family, CEI, bad-debt reserve and days beyond terms.

Pure and vectorised. Dates are anything numpy reads as ``datetime64[D]`` (``datetime.date``,
ISO text, ``datetime64`` arrays, pandas datetime Series); days are calendar days, ``as_of − date``
(SPEC §0). A scalar call returns a Python scalar, an array call an array (a pandas Series keeps its
index). Missing dates give NaN days and bucket index -1.

Ledger functions take a DataFrame with the agreed AR-ledger columns (``invoice_no``, ``buyer_id``,
``buyer_name``, ``doc_type``, ``invoice_date``, ``terms_days``, ``due_date``, ``currency``,
``amount``, ``paid_amount``, ``last_payment_date``); ``open_amount = amount − paid_amount``. The
ledger is read as a snapshot at ``as_of``: paid amounts are taken as given. Credit notes and any
negative open amount (unapplied cash) are shown apart as ``credits`` and never aged (SPEC §4.1), so
bucket totals + credits = open balance.

References are to shared/domain/SPEC.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from xl_cashrisk._array import floats, nan_if_inf, safe_divide, scalar_or_array
from xl_cashrisk.dates import DAYS_IN_YEAR
from xl_cashrisk.errors import InputError

__all__ = [
    "DBT_BUCKET_MIDPOINTS",
    "NOT_ISSUED",
    "NOT_ISSUED_LABEL",
    "age_bucket_index",
    "age_ledger",
    "ageing_table",
    "ageing_totals",
    "average_days_delinquent",
    "average_days_to_pay",
    "bad_debt_reserve",
    "best_possible_dso",
    "bucket_edges_problem",
    "bucket_labels",
    "buyer_ageing_schedule",
    "buyer_payment_history",
    "cei",
    "days_past_due",
    "days_since_invoice",
    "dbt_from_buckets",
    "dbt_paid",
    "dso",
    "dso_countback",
    "prepare_ledger",
    "receivables_turnover",
]

# Experian bucket formula (SPEC §2.2): current, 1–30, 31–60, 61–90, 91+ weighted at their mid-points.
DEFAULT_BUCKET_EDGES = (30, 60, 90, 120)  # SPEC §4.1: current, 1–30, 31–60, 61–90, 91–120, >120
BASES = ("dpd", "invoice")  # days past due (default) or days since invoice
DBT_BUCKET_MIDPOINTS = (0.0, 15.0, 45.0, 75.0, 105.0)

CREDITS = {"en": "credits", "zh": "贷项"}
# basis "invoice": an invoice dated after the as-of date had not been issued on that day (ERPNext leaves it
# out of its ageing); its bucket index and label
NOT_ISSUED = -2
NOT_ISSUED_LABEL = "not issued"
_CURRENT = {"en": "current", "zh": "未到期"}
_DAY_SUFFIX = {"en": "", "zh": "天"}
_PAID_TOLERANCE = 0.005  # money: an invoice within half a cent of its amount counts as fully paid


# ----------------------------------------------------------------------------------------------
# helpers


def _dates(x) -> np.ndarray:
    return np.asarray(x, dtype="datetime64[D]")


def _day_count(later, earlier) -> np.ndarray:
    delta = (_dates(later) - _dates(earlier)).astype("timedelta64[D]")
    out = delta.astype("int64").astype(float)
    return np.where(np.isnat(delta), np.nan, out)


def _scalar_days(days: np.ndarray):
    """Whole days as an int for a valid scalar, NaN for a missing one."""
    if days.ndim == 0:
        return float("nan") if np.isnan(days) else int(days)
    return days


def _check_edges(edges: Sequence[float], basis: str) -> np.ndarray:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
    e = np.asarray(edges, dtype=float)
    if e.ndim != 1 or e.size == 0 or bucket_edges_problem(e.tolist()):
        raise ValueError(f"bucket edges must be increasing whole numbers of days > 0, got {tuple(edges)!r}")
    return e


def bucket_edges_problem(edges: Sequence[float]) -> str:
    """Why ``edges`` are not ageing bucket edges — increasing whole numbers of days above 0 (SPEC §4.1) —
    naming the first edge at fault; '' when they are.

    >>> bucket_edges_problem((30, 60, 90)), bucket_edges_problem((60, 30)), bucket_edges_problem((0, 30.5))
    ('', '30 is not after 60', '0 is not above 0')
    """
    before = None
    for x in edges:
        problem = ("not a whole number of days" if not float(x).is_integer() else "not above 0" if x <= 0
                   else f"not after {before:g}" if before is not None and x <= before else "")
        if problem:
            return f"{x:g} is {problem}"
        before = x
    return ""


@functools.lru_cache(maxsize=64)
def _checked_bounds(edges: tuple, basis: str) -> tuple[np.ndarray, tuple[float, ...]]:
    e = _check_edges(edges, basis)
    bounds = np.concatenate([[0.0], e]) if basis == "dpd" else e
    bounds.setflags(write=False)
    return bounds, tuple(bounds.tolist())


def _bucket_bounds(edges: Sequence[float], basis: str) -> tuple[np.ndarray, tuple[float, ...]]:
    """The bucket bounds as an array and as a tuple (for one value); edges given as a sequence of
    numbers (the default among them) are checked once, not on every call."""
    try:
        return _checked_bounds(tuple(edges), basis)
    except TypeError:  # not a flat sequence of numbers: checking it gives the message
        return _checked_bounds.__wrapped__(edges, basis)


# ----------------------------------------------------------------------------------------------
# days and buckets (SPEC §4.1)


def days_past_due(due_dates, as_of):
    """Days past due, ``DPD = as_of − due_date`` in calendar days (negative = not yet due).

    SPEC §4.1 (and §0 Days). Blank/NaT due dates give NaN.

    >>> days_past_due("2024-06-14", "2024-06-30")   # AG-1 INV2
    16
    >>> days_past_due(np.array(["2024-07-10", "2024-03-31", "NaT"], dtype="datetime64[D]"), "2024-06-30")
    array([-10.,  91.,  nan])
    """
    if due_dates.__class__ is dt.date and as_of.__class__ is dt.date:  # one date (an Excel cell): no arrays
        return as_of.toordinal() - due_dates.toordinal()
    return scalar_or_array(_scalar_days(_day_count(as_of, due_dates)), like=due_dates)


def days_since_invoice(invoice_dates, as_of):
    """Days since invoice, ``as_of − invoice_date`` in calendar days (the asset-based lenders' clock).

    SPEC §4.1. Blank/NaT invoice dates give NaN.

    >>> days_since_invoice("2024-03-01", "2024-06-30")   # AG-1 INV4
    121
    """
    return scalar_or_array(_scalar_days(_day_count(as_of, invoice_dates)), like=invoice_dates)


def age_bucket_index(days, edges: Sequence[float] = DEFAULT_BUCKET_EDGES, basis: str = "dpd"):
    """Index of the ageing bucket that ``days`` falls in; upper bounds inclusive; NaN days → -1.

    SPEC §4.1. With edges e₁ < … < eₖ:

    * ``basis="dpd"`` (days past due): 0 = current (d ≤ 0), 1 = 1…e₁, 2 = e₁+1…e₂, …, k+1 = > eₖ;
    * ``basis="invoice"`` (days since invoice): 0 = 0…e₁ (0 ≤ d ≤ e₁), 1 = e₁+1…e₂, …, k = > eₖ, and
      :data:`NOT_ISSUED` (−2) for d < 0: an invoice dated after the as-of date did not exist yet.

    Labels in the same order come from :func:`bucket_labels`.

    >>> dpd = [-10, 16, 51, 91, 117, 182]          # AG-1, days past due
    >>> age_bucket_index(dpd).tolist()
    [0, 1, 2, 4, 4, 5]
    >>> age_bucket_index([20, 46, 81, 121, 177, 212], basis="invoice").tolist()
    [0, 1, 2, 4, 4, 4]
    >>> age_bucket_index(30), age_bucket_index(31), age_bucket_index(float("nan")), age_bucket_index(-3, basis="invoice")
    (1, 2, -1, -2)
    """
    bounds, one = _bucket_bounds(edges, basis)
    kind = days.__class__
    if kind is int or kind is float:  # one value: a binary search on the cached bounds, no arrays
        if days != days:
            return -1
        return NOT_ISSUED if basis == "invoice" and days < 0 else bisect.bisect_left(one, days)
    d = np.asarray(days, dtype=float)
    idx = np.searchsorted(bounds, d, side="left")
    idx = np.where(np.isnan(d), -1, idx)
    if basis == "invoice":
        idx = np.where(d < 0, NOT_ISSUED, idx)
    return scalar_or_array(idx.astype(np.int64), like=days)


def bucket_labels(edges: Sequence[float] = DEFAULT_BUCKET_EDGES, basis: str = "dpd",
                  language: str = "en") -> list[str]:
    """Bucket names in :func:`age_bucket_index` order, English (``"en"``) or Chinese (``"zh"``).

    SPEC §4.1 (hyphen rather than en dash, so the labels can be typed and matched in Excel).

    >>> bucket_labels()
    ['current', '1-30', '31-60', '61-90', '91-120', '>120']
    >>> bucket_labels(basis="invoice")
    ['0-30', '31-60', '61-90', '91-120', '>120']
    >>> bucket_labels((30, 60), language="zh")
    ['未到期', '1-30天', '31-60天', '>60天']
    """
    bounds, _ = _bucket_bounds(edges, basis)
    if language not in _CURRENT:
        raise ValueError(f"language must be one of {tuple(_CURRENT)}, got {language!r}")
    e = [int(x) for x in (bounds[1:] if basis == "dpd" else bounds)]
    unit = _DAY_SUFFIX[language]
    first = [_CURRENT[language], f"1-{e[0]}{unit}"] if basis == "dpd" else [f"0-{e[0]}{unit}"]
    middle = [f"{lo + 1}-{hi}{unit}" for lo, hi in itertools.pairwise(e)]
    return [*first, *middle, f">{e[-1]}{unit}"]


def ageing_totals(days, amounts, edges: Sequence[float] = DEFAULT_BUCKET_EDGES,
                  basis: str = "dpd") -> tuple[np.ndarray, float]:
    """Open amounts summed per ageing bucket, and the credits (negative amounts) kept apart.

    SPEC §4.1: positive amounts are aged by ``days`` (DPD or days since invoice, per ``basis``);
    negative amounts (credit notes, unapplied cash) are not aged. With ``basis="invoice"`` a positive
    amount with negative days (invoice dated after the as-of date, :data:`NOT_ISSUED`) is in no bucket.
    Invariant: ``totals.sum() + credits + not issued == amounts.sum()``. NaN amounts count as 0; a
    positive amount with NaN days is an error.

    >>> totals, credits = ageing_totals([-10, 16, 51, 91, 117, 182, 5],
    ...                                 [10_000, 8_000, 6_000, 4_000, 2_000, 1_000, -500])
    >>> totals.tolist(), credits                  # AG-1 DPD totals, plus a 500 credit note
    ([10000.0, 8000.0, 6000.0, 0.0, 6000.0, 1000.0], -500.0)
    >>> ageing_totals([20, -5], [10_000, 3_000], basis="invoice")[0].tolist()   # the 3,000 is not issued yet
    [10000.0, 0.0, 0.0, 0.0, 0.0]
    """
    bounds, _ = _bucket_bounds(edges, basis)
    d = np.asarray(days, dtype=float).ravel()
    a = np.nan_to_num(np.asarray(amounts, dtype=float).ravel(), nan=0.0)
    if d.shape != a.shape:
        raise ValueError(f"days and amounts differ in length: {d.size} vs {a.size}")
    pos = a > 0
    undated = pos & np.isnan(d)
    if undated.any():
        raise ValueError(f"{int(undated.sum())} positive amount(s) have no date to age them by")
    if basis == "invoice":
        pos &= ~(d < 0)
    idx = np.searchsorted(bounds, d[pos], side="left")
    totals = np.bincount(idx, weights=a[pos], minlength=bounds.size + 1)
    return totals, float(a[a < 0].sum())


# ----------------------------------------------------------------------------------------------
# ledgers


def _column(ledger: pd.DataFrame, key: str, default=None) -> np.ndarray | None:
    if key in ledger.columns:
        return ledger[key].to_numpy()
    return default


def _fx_rates(ledger: pd.DataFrame, fx: Mapping[str, float] | None, home_currency: str | None) -> np.ndarray:
    """Rate to home currency for every row (1.0 where no conversion is needed)."""
    n = len(ledger)
    if "currency" not in ledger.columns:
        return np.ones(n)
    codes, names = _codes(ledger["currency"])
    if fx is None:
        real = [u for u in names if u]
        if len(real) > 1 or (home_currency and real and real[0] != home_currency.upper()):
            raise InputError(f"the ledger holds amounts in {', '.join(sorted(real))}; give FX rates to "
                             f"{home_currency or 'the home currency'} in the Settings sheet's FX table")
        return np.ones(n)
    rates = {str(k).strip().upper(): float(v) for k, v in fx.items()}
    if home_currency:
        rates[home_currency.strip().upper()] = 1.0
    rates[""] = 1.0 if home_currency else np.nan
    missing = sorted(u for u in names if u not in rates or not np.isfinite(rates[u]) or rates[u] <= 0)
    if missing:
        known = ", ".join(sorted(k for k in rates if k)) or "none"
        raise InputError(f"no FX rate for currency {', '.join(repr(m) for m in missing)} to "
                         f"{home_currency or 'the home currency'} (rates given for: {known}); "
                         "add it to the Settings sheet's FX table")
    return np.asarray([rates[u] for u in names], dtype=float)[codes]


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into upper-cased, stripped distinct texts (blank → ''); string work on the distinct values only."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    names = ["" if pd.isna(u) else str(u).strip().upper() for u in uniques]
    return codes, names


def _kept_codes(column: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Codes of the rows ``keep`` selects into the distinct values among them (NaN a value of its own).

    The whole column is factorised where it is stored — Arrow dictionary-encodes its strings without making
    a Python object per row — and the codes are then numbered over the values the kept rows use."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    codes = codes[keep]
    used = np.bincount(codes, minlength=len(uniques)) > 0
    renumber = np.cumsum(used) - 1
    return renumber[codes], uniques[used]


def _ledger_dates(ledger: pd.DataFrame, key: str) -> np.ndarray:
    if key not in ledger.columns:
        return np.full(len(ledger), np.datetime64("NaT"), "datetime64[D]")
    col = ledger[key]
    if not pd.api.types.is_datetime64_any_dtype(col):
        col = pd.to_datetime(col, errors="coerce")  # the reader has validated; stray text becomes NaT
    return _dates(col)


def prepare_ledger(ledger: pd.DataFrame, as_of, fx, home_currency, basis: str = "dpd") -> dict[str, np.ndarray]:
    """Derived arrays for every ledger row: due date, open amount (HC), DPD, days since invoice.

    The ledger functions (:func:`age_ledger`, :func:`ageing_table`, :func:`buyer_ageing_schedule`, …)
    take them as ``_prep`` when a caller runs several of them on the same ledger, as-of date, rates and
    basis (the ageing pipeline does), so the rows are prepared once; nothing in them is modified."""
    for key in ("invoice_date", "amount"):
        if key not in ledger.columns:
            raise InputError(f"the ledger has no {key!r} column")
    inv = _ledger_dates(ledger, "invoice_date")
    due = _ledger_dates(ledger, "due_date")
    terms = _column(ledger, "terms_days")
    if terms is not None:
        t = pd.to_numeric(pd.Series(terms), errors="coerce").to_numpy(dtype=float)
        fill = np.isnat(due) & ~np.isnat(inv) & np.isfinite(t)
        due = due.copy()
        due[fill] = inv[fill] + np.nan_to_num(t[fill]).astype("int64").astype("timedelta64[D]")
    amount = pd.to_numeric(ledger["amount"], errors="coerce").to_numpy(dtype=float)
    paid = _column(ledger, "paid_amount")
    paid = np.zeros(len(ledger)) if paid is None else np.nan_to_num(
        pd.to_numeric(pd.Series(paid), errors="coerce").to_numpy(dtype=float), nan=0.0)
    rate = _fx_rates(ledger, fx, home_currency)
    open_amt = np.nan_to_num(amount, nan=0.0) - paid
    if "doc_type" not in ledger.columns:
        is_cn = np.zeros(len(ledger), bool)
    else:
        codes, names = _codes(ledger["doc_type"])
        is_cn = np.asarray([n == "CN" for n in names], dtype=bool)[codes]
    open_hc = open_amt * rate
    credit = is_cn | (open_hc < 0)
    dpd = _day_count(as_of, due)
    since = _day_count(as_of, inv)
    undated = ~credit & (open_hc > 0) & np.isnan(dpd if basis == "dpd" else since)
    if undated.any():
        nos = _column(ledger, "invoice_no", np.arange(1, len(ledger) + 1))[undated][:3]
        what = "no due date and no invoice date + terms" if basis == "dpd" else "no invoice date"
        raise InputError(f"{int(undated.sum())} open invoice(s) have {what} (e.g. {', '.join(map(str, nos))})")
    return {"due": due, "inv": inv, "amount_hc": amount * rate, "open_hc": open_hc, "credit": credit,
            "dpd": dpd, "since": since, "rate": rate}


def _ledger_days(p: dict[str, np.ndarray], basis: str) -> np.ndarray:
    """The days a ledger report ages by. An invoice dated after the as-of date counts in the first bucket
    here, as the reports have always shown it (AGEBUCKET and AGEING say "not issued": issue 19); days
    since invoice are floored at 0 for that, NaN stays NaN."""
    return p["dpd"] if basis == "dpd" else np.maximum(p["since"], 0.0)


def age_ledger(ledger: pd.DataFrame, as_of, edges: Sequence[float] = DEFAULT_BUCKET_EDGES, basis: str = "dpd",
               fx: Mapping[str, float] | None = None, home_currency: str | None = None,
               language: str = "en", *, _prep: dict | None = None) -> pd.DataFrame:
    """The ledger with derived columns per row: ``due_date`` (filled from invoice date + terms),
    ``open_amount``, ``open_amount_hc`` (× FX rate to home currency), ``dpd``, ``days_since_invoice``
    and ``bucket`` (label per SPEC §4.1; ``credits`` for credit notes and negative open amounts;
    blank for settled items).

    >>> ledger = pd.DataFrame({"invoice_no": ["INV2", "CN1"], "buyer_id": ["B1", "B1"],
    ...     "doc_type": ["INV", "CN"], "invoice_date": pd.to_datetime(["2024-05-15", "2024-06-01"]),
    ...     "terms_days": [30, 0], "amount": [8_000.0, -300.0], "paid_amount": [0.0, 0.0]})
    >>> age_ledger(ledger, "2024-06-30")[["invoice_no", "open_amount", "dpd", "bucket"]]
      invoice_no  open_amount   dpd   bucket
    0       INV2       8000.0  16.0     1-30
    1        CN1       -300.0  29.0  credits
    """
    p = prepare_ledger(ledger, as_of, fx, home_currency, basis) if _prep is None else _prep
    labels = np.asarray([*bucket_labels(edges, basis, language), CREDITS[language], ""], dtype=object)
    idx = np.asarray(age_bucket_index(_ledger_days(p, basis), edges, basis))
    idx = np.where(p["credit"], len(labels) - 2, idx)
    idx = np.where(~p["credit"] & (p["open_hc"] == 0), len(labels) - 1, idx)
    rate = p["rate"]
    out = ledger.copy()
    out["due_date"] = pd.to_datetime(p["due"])
    out["open_amount"] = p["open_hc"] / rate
    out["open_amount_hc"] = p["open_hc"]
    out["dpd"] = p["dpd"]
    out["days_since_invoice"] = p["since"]
    out["bucket"] = labels[idx]
    return out


def ageing_table(ledger: pd.DataFrame, as_of, edges: Sequence[float] = DEFAULT_BUCKET_EDGES, basis: str = "dpd",
                 fx: Mapping[str, float] | None = None, home_currency: str | None = None,
                 language: str = "en", *, _prep: dict | None = None) -> pd.DataFrame:
    """Open balance per ageing bucket (home currency) with a ``credits`` row; SPEC §4.1.

    Columns ``amount`` and ``items`` (number of open documents); index = bucket labels then
    ``credits``. ``table.amount.sum()`` equals the ledger's open balance. ``fx`` maps currency →
    home-currency units per unit (the home currency itself counts 1).

    >>> ag1 = pd.DataFrame({
    ...     "invoice_no": ["INV1", "INV2", "INV3", "INV4", "INV5", "INV6"], "buyer_id": ["B1"] * 6,
    ...     "invoice_date": pd.to_datetime(["2024-06-10", "2024-05-15", "2024-04-10", "2024-03-01",
    ...                                     "2024-01-05", "2023-12-01"]),
    ...     "terms_days": [30, 30, 30, 30, 60, 30],
    ...     "amount": [10_000.0, 8_000.0, 6_000.0, 4_000.0, 2_000.0, 1_000.0]})
    >>> ageing_table(ag1, "2024-06-30")["amount"].tolist()          # AG-1 DPD totals
    [10000.0, 8000.0, 6000.0, 0.0, 6000.0, 1000.0, 0.0]
    >>> ageing_table(ag1, "2024-06-30", basis="invoice")["amount"].tolist()
    [10000.0, 8000.0, 6000.0, 0.0, 7000.0, 0.0]
    """
    p = prepare_ledger(ledger, as_of, fx, home_currency, basis) if _prep is None else _prep
    labels = [*bucket_labels(edges, basis, language), CREDITS[language]]
    days = _ledger_days(p, basis)
    aged = ~p["credit"]
    totals, _ = ageing_totals(np.where(aged, days, np.nan), np.where(aged, p["open_hc"], 0.0), edges, basis)
    idx = np.asarray(age_bucket_index(days, edges, basis))
    live = aged & (p["open_hc"] > 0)
    items = np.bincount(idx[live], minlength=len(labels) - 1)
    n_credit = int((p["credit"] & (p["open_hc"] != 0)).sum())
    credits = float(p["open_hc"][p["credit"]].sum())
    return pd.DataFrame({"amount": [*totals.tolist(), credits], "items": [*items.tolist(), n_credit]},
                        index=pd.Index(labels, name="bucket"))


def buyer_ageing_schedule(ledger: pd.DataFrame, as_of, edges: Sequence[float] = DEFAULT_BUCKET_EDGES,
                          basis: str = "dpd", fx: Mapping[str, float] | None = None,
                          home_currency: str | None = None, language: str = "en", *,
                          _prep: dict | None = None) -> pd.DataFrame:
    """One row per buyer with an open item: bucket columns, ``credits``, ``total``, ``overdue``,
    ``pct_overdue`` and ``oldest_dpd``, in home currency; largest total first. SPEC §4.1.

    ``overdue`` = open invoices with DPD > 0 (whatever the basis); ``pct_overdue`` = overdue ÷ open
    invoices (credits excluded; 0 when there are none); ``oldest_dpd`` = largest DPD of the open
    invoices, 0 if none is overdue, NaN if the buyer holds only credits. Per row:
    Σ buckets + credits = total.

    >>> led = pd.DataFrame({"invoice_no": ["A1", "A2", "B1", "B2"], "buyer_id": ["A", "A", "B", "B"],
    ...     "buyer_name": ["Alpha", "Alpha", "Beta", "Beta"], "doc_type": ["INV", "INV", "INV", "CN"],
    ...     "invoice_date": pd.to_datetime(["2024-06-10", "2024-03-01", "2024-05-15", "2024-06-01"]),
    ...     "terms_days": [30, 30, 30, 0], "currency": ["CNY", "CNY", "USD", "USD"],
    ...     "amount": [10_000.0, 4_000.0, 1_000.0, -100.0], "paid_amount": [0.0, 1_000.0, 0.0, 0.0]})
    >>> s = buyer_ageing_schedule(led, "2024-06-30", fx={"USD": 7.1}, home_currency="CNY")
    >>> s[["buyer_id", "current", "1-30", "91-120", "credits", "total", "pct_overdue", "oldest_dpd"]]
      buyer_id  current    1-30  91-120  credits    total  pct_overdue  oldest_dpd
    0        A  10000.0     0.0  3000.0      0.0  13000.0     0.230769        91.0
    1        B      0.0  7100.0     0.0   -710.0   6390.0     1.000000        16.0
    """
    p = prepare_ledger(ledger, as_of, fx, home_currency, basis) if _prep is None else _prep
    if "buyer_id" not in ledger.columns:
        raise InputError("the ledger has no 'buyer_id' column")
    open_hc = p["open_hc"]
    keep = open_hc != 0
    codes, buyers = _kept_codes(ledger["buyer_id"], keep)
    nb = len(buyers)
    labels = bucket_labels(edges, basis, language)
    credit = p["credit"][keep]
    amt = open_hc[keep]
    dpd = p["dpd"][keep]
    days = _ledger_days(p, basis)[keep]
    idx = np.asarray(age_bucket_index(days, edges, basis))
    aged = ~credit
    grid = np.bincount(codes[aged] * len(labels) + idx[aged], weights=amt[aged],
                       minlength=nb * len(labels)).reshape(nb, len(labels))
    credits = np.bincount(codes[credit], weights=amt[credit], minlength=nb)
    invoiced = grid.sum(axis=1)
    late = aged & (dpd > 0)
    overdue = np.bincount(codes[late], weights=amt[late], minlength=nb)
    oldest = np.full(nb, -np.inf)
    np.maximum.at(oldest, codes[aged], dpd[aged])
    oldest = np.where(np.isneginf(oldest), np.nan, np.maximum(oldest, 0.0))
    out = pd.DataFrame({"buyer_id": buyers})
    if "buyer_name" in ledger.columns:
        names = ledger["buyer_name"][keep].reset_index(drop=True).groupby(codes).first()
        out["buyer_name"] = names.reindex(range(nb)).to_numpy()
    for j, label in enumerate(labels):
        out[label] = grid[:, j]
    out[CREDITS[language]] = credits
    out["total"] = invoiced + credits
    out["overdue"] = overdue
    out["pct_overdue"] = safe_divide(overdue, invoiced, positive=True, fill=0.0)
    out["oldest_dpd"] = oldest
    # largest total first, then buyer id (missing last): the ids' order taken on the distinct ids only
    rank = np.empty(nb, np.intp)
    rank[np.asarray(buyers.array.argsort(na_position="last"))] = np.arange(nb)
    return out.take(np.lexsort((rank, -out["total"].to_numpy()))).reset_index(drop=True)


def buyer_payment_history(ledger: pd.DataFrame, as_of, fx: Mapping[str, float] | None = None,
                          home_currency: str | None = None, *, _prep: dict | None = None) -> pd.DataFrame:
    """Payment record per buyer from the own ledger (SPEC §2.2, invoice-level DBT).

    Columns: ``buyer_id``; ``dbt`` = Σ aᵢ·max(0, payᵢ − dueᵢ) / Σ aᵢ and ``avg_days_to_pay`` =
    Σ aᵢ·(payᵢ − invoiceᵢ) / Σ aᵢ over fully paid invoices (aᵢ = amount in home currency, payᵢ =
    last_payment_date; NaN when none); ``n_paid``; ``open_amount`` and ``overdue_amount`` (open
    invoices, DPD > 0 for overdue); ``max_dpd_open`` (0 when nothing is overdue, NaN when nothing is open).

    >>> led = pd.DataFrame({"invoice_no": ["1", "2", "3"], "buyer_id": ["S", "S", "S"],
    ...     "invoice_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-05-01"]),
    ...     "due_date": pd.to_datetime(["2024-01-31", "2024-03-02", "2024-05-31"]),
    ...     "amount": [10_000.0, 10_000.0, 5_000.0], "paid_amount": [10_000.0, 10_000.0, 0.0],
    ...     "last_payment_date": pd.to_datetime(["2024-02-05", "2024-03-09", None])})
    >>> buyer_payment_history(led, "2024-06-30").iloc[0].to_dict()     # DBT-2: 5 and 7 days late
    {'buyer_id': 'S', 'dbt': 6.0, 'avg_days_to_pay': 36.0, 'n_paid': 2, 'open_amount': 5000.0, \
'overdue_amount': 5000.0, 'max_dpd_open': 30.0}
    """
    p = prepare_ledger(ledger, as_of, fx, home_currency) if _prep is None else _prep
    if "buyer_id" not in ledger.columns:
        raise InputError("the ledger has no 'buyer_id' column")
    codes, buyers = pd.factorize(ledger["buyer_id"].to_numpy(), use_na_sentinel=False)
    nb = len(buyers)
    pay = _ledger_dates(ledger, "last_payment_date")
    amt = p["amount_hc"]
    paid_full = (~p["credit"] & (amt > 0) & (np.abs(p["open_hc"]) <= _PAID_TOLERANCE * np.maximum(p["rate"], 1))
                 & ~np.isnat(pay) & ~np.isnat(p["due"]))
    late = np.maximum(_day_count(pay, p["due"]), 0.0)
    to_pay = _day_count(pay, p["inv"])
    w = np.where(paid_full, amt, 0.0)
    weight = np.bincount(codes, weights=w, minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        dbt = np.bincount(codes, weights=w * np.nan_to_num(late), minlength=nb) / weight
        adp = np.bincount(codes, weights=w * np.nan_to_num(to_pay), minlength=nb) / weight
    open_inv = ~p["credit"] & (p["open_hc"] > 0)
    overdue = open_inv & (p["dpd"] > 0)
    max_dpd = np.full(nb, -np.inf)
    np.maximum.at(max_dpd, codes[open_inv], p["dpd"][open_inv])
    return pd.DataFrame({
        "buyer_id": buyers,
        "dbt": np.where(weight > 0, dbt, np.nan),
        "avg_days_to_pay": np.where(weight > 0, adp, np.nan),
        "n_paid": np.bincount(codes, weights=paid_full, minlength=nb).astype(int),
        "open_amount": np.bincount(codes, weights=np.where(open_inv, p["open_hc"], 0.0), minlength=nb),
        "overdue_amount": np.bincount(codes, weights=np.where(overdue, p["open_hc"], 0.0), minlength=nb),
        "max_dpd_open": np.where(np.isneginf(max_dpd), np.nan, np.maximum(max_dpd, 0.0)),
    })


# ----------------------------------------------------------------------------------------------
# DSO family (SPEC §4.2)


def dso(ar, credit_sales, days=DAYS_IN_YEAR):
    """Standard (period) DSO: ``DSO = ending AR / credit sales of the period × days in period``.

    SPEC §4.2 (NaN where credit sales are 0).

    >>> round(dso(150_000, 1_800_000), 4)          # DSO-1
    30.4167
    """
    if ar.__class__ is float and credit_sales.__class__ is float and days.__class__ is float:
        # one cell's values (a filled-down column): the same arithmetic on Python floats, no helper calls
        r = ar / credit_sales * days if credit_sales != 0 and credit_sales == credit_sales else np.nan
        return r if r - r == 0 or r != r else np.nan
    r = safe_divide(ar, credit_sales) * floats(days)  # x/0 is NaN
    return scalar_or_array(nan_if_inf(r), like=ar)  # an overflow too


def best_possible_dso(current_ar, credit_sales, days=DAYS_IN_YEAR):
    """Best possible DSO: ``BPDSO = current (not past due) AR / credit sales × days``. SPEC §4.2.

    >>> best_possible_dso(4_000, 10_000, 30)        # ADD-1
    12.0
    """
    return dso(current_ar, credit_sales, days)


def average_days_delinquent(ar, current_ar, credit_sales, days=DAYS_IN_YEAR):
    """Average days delinquent: ``ADD = DSO − BPDSO``. SPEC §4.2.

    >>> average_days_delinquent(15_000, 4_000, 10_000, 30)      # ADD-1: 45 − 12
    33.0
    """
    late, best = dso(ar, credit_sales, days), dso(current_ar, credit_sales, days)
    if late.__class__ is float and best.__class__ is float:
        return late - best
    return scalar_or_array(floats(late) - floats(best), like=ar)


def receivables_turnover(credit_sales, average_ar):
    """Receivables turnover = credit sales / average AR; ``DSO = days / turnover``. SPEC §4.2.

    >>> t = receivables_turnover(1_800_000, 150_000)
    >>> t, round(365 / t, 4)                          # same data as DSO-1
    (12.0, 30.4167)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.asarray(credit_sales, float) / np.asarray(average_ar, float)
    return scalar_or_array(np.where(np.isinf(r), np.nan, r), like=credit_sales)


ZERO_SALES_RULES = ("count", "stop")  # countback DSO at a month without sales: SPEC §4.2 / Oracle HFM


def dso_countback(ar, sales_newest_first, days_newest_first=30, zero_sales="count"):
    """Countback DSO: walk back month by month, counting whole months while AR covers their sales.

    SPEC §4.2, normative algorithm (index 0 = current month)::

        remaining = AR; dso = 0
        for k: if S[k] ≤ 0: dso += D[k]                      # no sales: the whole month counts
               elif remaining ≥ S[k]: dso += D[k]; remaining −= S[k]
               else: dso += D[k]·remaining/S[k]; stop
        if history is exhausted: dso += remaining / (S[n−1]/D[n−1])

    ``zero_sales`` says what a month without sales (S ≤ 0, e.g. returns above sales) does while AR is
    left: ``"count"`` (default, SPEC §4.2) counts it whole and goes on; ``"stop"`` ends the countback
    there, as Oracle Hyperion Financial Management's DSO routine does ("it will stop if the periodic
    sales value for any period is a negative or zero value"): the DSO is the days counted before that
    month, nothing is added for the month itself, the older months or the AR left over.

    Computed in closed form with cumulative sales Cₖ₋₁ of earlier positive months: a month with sales
    adds ``D[k]·clip((AR − Cₖ₋₁)/S[k], 0, 1)``, a month without adds ``D[k]`` while ``AR ≥ Cₖ₋₁``
    (``"stop"``: nothing from the first month without sales on).
    ``ar`` may be an array (one DSO each). ``days_newest_first``: one count per month or one number for
    all (default 30). NaN when AR exceeds the history and the oldest month has no sales (``"count"``).

    >>> round(dso_countback(212_000, [100_000, 80_000, 70_000], [30, 30, 30]), 6)    # CB-1
    73.714286
    >>> round(dso_countback(212_000, [100_000, 80_000, 70_000], [31, 28, 31]), 6)    # CB-2
    73.171429
    >>> round(dso_countback(350_000, [120_000, 150_000, 90_000, 110_000], [30, 31, 30, 31]), 6)  # CB-3
    87.666667
    >>> dso_countback(150_000, [100_000, 0, 80_000], 30), dso_countback(150_000, [100_000, 0, 80_000], 30, "stop")
    (78.75, 30.0)
    """
    if zero_sales not in ZERO_SALES_RULES:
        raise ValueError(f"zero_sales must be one of {ZERO_SALES_RULES}, got {zero_sales!r}")
    s = np.asarray(sales_newest_first, dtype=float).ravel()
    if s.size == 0:
        raise ValueError("countback DSO needs at least one month of sales")
    d = np.broadcast_to(np.asarray(days_newest_first, dtype=float), s.shape).astype(float)
    a = np.asarray(ar, dtype=float)
    pos = s > 0
    cum = np.cumsum(np.where(pos, s, 0.0))
    before = cum - np.where(pos, s, 0.0)
    left = a[..., None] - before
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(pos, np.clip(left / np.where(pos, s, 1.0), 0.0, 1.0), (left >= 0).astype(float))
        beyond = np.maximum(a - cum[-1], 0.0)
        tail = np.where(beyond > 0, beyond * d[-1] / s[-1] if s[-1] > 0 else np.nan, 0.0)
    if zero_sales == "stop" and not pos.all():
        frac = np.where(np.arange(s.size) < np.argmin(pos), frac, 0.0)  # months before the first without sales
        tail = np.zeros_like(tail)
    return scalar_or_array(frac @ d + tail, like=ar)


# ----------------------------------------------------------------------------------------------
# CEI (SPEC §4.3), reserve (§4.4), DBT (§2.2)


def cei(beginning_ar, credit_sales, ending_ar, ending_current_ar, periods=1):
    """Collection Effectiveness Index, in percent (55.93 means 55.93 %).

    SPEC §4.3: ``CEI = (B + S/N − E) / (B + S/N − E_current) × 100`` with B = beginning AR,
    S = credit sales of the window, N = ``periods`` (months the sales cover; default 1 = the toolkit
    default, use N months to reproduce the creditguru/Oracle form), E = ending total AR,
    E_current = ending current (not yet due) AR. NaN where the denominator is 0.

    >>> round(cei(6_200, 10_890, 6_340, 3_590, periods=3), 4)        # CEI-1
    55.9295
    >>> round(cei(6_200, 10_890, 6_340, 3_590), 4)                   # CEI-1b
    79.6296
    >>> cei(100_000, 1_000_000, 120_000, 100_000)                     # CEI-2
    98.0
    """
    if (beginning_ar.__class__ is float and credit_sales.__class__ is float and ending_ar.__class__ is float
            and ending_current_ar.__class__ is float and periods.__class__ is float):
        # one cell's values (a filled-down column): the same arithmetic on Python floats, no helper calls
        base = beginning_ar + (credit_sales / periods if periods != 0 and periods == periods else np.nan)
        den = base - ending_current_ar
        r = (base - ending_ar) / den * 100.0 if den != 0 and den == den else np.nan
        return r if r - r == 0 or r != r else np.nan
    base = floats(beginning_ar) + safe_divide(credit_sales, periods)
    r = safe_divide(base - floats(ending_ar), base - floats(ending_current_ar)) * 100.0
    return scalar_or_array(nan_if_inf(r), like=beginning_ar)


def bad_debt_reserve(bucket_amounts, rates):
    """Required allowance by the ageing-schedule method: ``Σ_b balance_b × loss_rate_b``. SPEC §4.4.

    Sums over the last axis, so a 2-D array (one row per buyer or region) gives one reserve per row.

    >>> bad_debt_reserve([76_000, 14_000, 6_000, 3_000, 1_000], [0.01, 0.05, 0.10, 0.25, 0.50])   # RES-1
    3310.0
    >>> round(bad_debt_reserve([15e6, 7.5e6, 4e6, 2.5e6, 1e6], [0.003, 0.016, 0.036, 0.066, 0.106]), 2)  # RES-2
    580000.0
    """
    b = np.asarray(bucket_amounts, float)
    r = np.asarray(rates, float)
    if b.shape[-1:] != r.shape[-1:]:
        raise ValueError(f"{b.shape[-1:]} bucket amounts but {r.shape[-1:]} rates")
    return scalar_or_array(np.sum(b * r, axis=-1))


def dbt_from_buckets(bucket_amounts, midpoints=DBT_BUCKET_MIDPOINTS):
    """Days beyond terms from ageing buckets (Experian): ``Σ B_b·mid_b / Σ B_b``. SPEC §2.2.

    Default mid-points (0, 15, 45, 75, 105) for current, 1–30, 31–60, 61–90, 91+; current balance
    counts in the denominator with 0 days. NaN when the balance is 0.

    >>> round(dbt_from_buckets([60_000, 25_000, 10_000, 4_000, 1_000]), 2)    # DBT-1
    12.3
    """
    b = np.asarray(bucket_amounts, float)
    m = np.asarray(midpoints, float)
    if b.shape[-1:] != m.shape[-1:]:
        raise ValueError(f"{b.shape[-1:]} bucket amounts but {m.shape[-1:]} mid-points")
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sum(b * m, axis=-1) / np.sum(b, axis=-1)
    return scalar_or_array(np.where(np.isinf(r), np.nan, r))


def _weighted_days(amounts, later, earlier, floor: bool):
    a = np.asarray(amounts, float).ravel()
    days = _day_count(later, earlier).ravel()
    if floor:
        days = np.maximum(days, 0.0)
    ok = ~np.isnan(days) & ~np.isnan(a)
    total = a[ok].sum()
    return float(np.dot(a[ok], days[ok]) / total) if total else float("nan")


def dbt_paid(amounts, due_dates, pay_dates):
    """Invoice-level DBT over paid invoices: ``Σ aᵢ·max(0, payᵢ − dueᵢ) / Σ aᵢ``. SPEC §2.2 (D).

    Early payment counts 0 (not negative); rows with a missing date are left out. NaN if nothing is left.

    >>> dbt_paid([10_000, 10_000], ["2024-01-31", "2024-03-02"], ["2024-02-05", "2024-03-09"])   # DBT-2
    6.0
    """
    return _weighted_days(amounts, pay_dates, due_dates, floor=True)


def average_days_to_pay(amounts, invoice_dates, pay_dates):
    """Average days to pay: ``Σ aᵢ·(payᵢ − invoiceᵢ) / Σ aᵢ`` over paid invoices. SPEC §2.2 (D).

    >>> average_days_to_pay([10_000, 30_000], ["2024-01-01", "2024-02-01"], ["2024-02-05", "2024-03-01"])
    30.5
    """
    return _weighted_days(amounts, pay_dates, invoice_dates, floor=False)

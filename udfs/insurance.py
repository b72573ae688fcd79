"""Excel functions for trade credit insurance: indemnity, seller's loss, insured share, deadlines.

Thin adapters over :mod:`xl_cashrisk.insurance` (SPEC §7, §6.1). Amount functions take one claim per
row: each amount may be a single cell or a column, and a column spills a column of results.
INSUREDLOSS and UNINSUREDLOSS treat each row as the only claim of its policy year (the aggregate
first loss is deducted in full from it); a policy year of several claims, where the first claims
use up the AFL, is the Python side's ``policy_year_claims``. A blank limit means the buyer has no
insurer limit: nothing is insured.

Dates come back as Excel date serial numbers (floats), as Excel's own EDATE and WORKDAY return
them: give the cell a date format (the templates do). Returning ``datetime.date`` was considered:
xlwings Lite / office.js would then format the cell, but classic xlwings passes a COM date and the
LibreOffice extension a bare serial, so the cell's value and look would depend on the front end;
the serial is the same everywhere. Deadlines are calendar days; a deadline that falls on a Saturday,
Sunday or listed holiday moves to the previous business day unless ``move_weekends`` is FALSE: the
toolkit never shows a deadline later than the policy allows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import insurance as ins
from xl_cashrisk.dates import EXCEL_EPOCH, LAST_SERIAL
from xl_cashrisk.schemas.policy import MAX_POLICY_DAYS

CATEGORY = "Credit insurance"

_DEBT = "Unpaid debt of the defaulted buyer (eligible invoices); one cell or a whole column, which spills a column of results."
_LIMIT = "Insurer's credit limit on the buyer; blank = no limit (nothing insured). One cell or a column of the same size."
_PCT = "Insured percentage as a decimal, e.g. 0.9 for 90 %."
_AFL = "Aggregate first loss borne by you before the insurer pays (default 0), deducted in full from this claim."
_NQL = "Non-qualifying loss: claims whose insured loss is below this pay nothing (default 0)."
_REC = "Recoveries and set-offs before the claim (default 0); one cell or a column."
_MOVE = "TRUE (default): a deadline on a Saturday, Sunday or holiday moves to the previous business day. FALSE: keep the calendar date."
_HOLIDAYS = "Optional range of holiday dates, as in WORKDAY, also treated as non-business days."


def _claims(fn, debt, limit, cover_pct, aggregate_first_loss, non_qualifying_loss, recoveries):
    a = _args.Elementwise(fn)
    kw = dict(debt=a.number("debt", debt, "nonnegative"),
              limit=a.number("limit", limit, "nonnegative", default=None),  # blank: no limit, nothing insured
              cover_pct=a.number("cover_pct", cover_pct, "fraction"),
              afl=a.number("aggregate_first_loss", aggregate_first_loss, "nonnegative", default=0.0),
              nql=a.number("non_qualifying_loss", non_qualifying_loss, "nonnegative", default=0.0),
              recoveries=a.number("recoveries", recoveries, "nonnegative", default=0.0))
    return kw, a


_CLAIM_ARGS = {
    "debt": _DEBT,
    "limit": _LIMIT,
    "cover_pct": _PCT,
    "aggregate_first_loss": _AFL,
    "non_qualifying_loss": _NQL,
    "recoveries": _REC,
}


@excel_function(
    category=CATEGORY,
    args=_CLAIM_ARGS,
    example="=INSUREDLOSS(B2, C2, 0.9)",
    ranges=("debt", "limit", "recoveries"),
    returns_range=True,
)
def INSUREDLOSS(debt, limit, cover_pct, aggregate_first_loss=0, non_qualifying_loss=0, recoveries=0):
    """Indemnity the insurer pays on a claim: cover_pct × min(debt − recoveries, limit), nothing below the non-qualifying loss, less the aggregate first loss.

    Source: SPEC §7.2.

    >>> INSUREDLOSS(1200000, 1000000, 0.9)  # TCI-2
    900000.0
    >>> INSUREDLOSS([[1200000], [3000], [240000]], [[1000000], [10000], [None]], 0.9, 50000, 5000)
    [[850000.0], [0.0], [0.0]]
    """
    kw, a = _claims("INSUREDLOSS", debt, limit, cover_pct, aggregate_first_loss, non_qualifying_loss, recoveries)
    return a.result(ins.indemnity(**kw))


@excel_function(
    category=CATEGORY,
    args=_CLAIM_ARGS,
    example="=UNINSUREDLOSS(B2, C2, 0.9)",
    ranges=("debt", "limit", "recoveries"),
    returns_range=True,
)
def UNINSUREDLOSS(debt, limit, cover_pct, aggregate_first_loss=0, non_qualifying_loss=0, recoveries=0):
    """What you bear on a claim: debt − recoveries − the indemnity INSUREDLOSS pays. Same arguments as INSUREDLOSS.

    Source: SPEC §7.2.

    >>> UNINSUREDLOSS(1200000, 1000000, 0.9)  # TCI-2
    300000.0
    >>> UNINSUREDLOSS(300000, 250000, 0.9, 0, 5000, 60000)  # TCI-1 claim 4
    24000.0
    """
    kw, a = _claims("UNINSUREDLOSS", debt, limit, cover_pct, aggregate_first_loss, non_qualifying_loss, recoveries)
    return a.result(ins.uninsured_loss(**kw))


@excel_function(
    category=CATEGORY,
    args={
        "exposure": "Amount owed by the buyer (open receivables); one cell or a whole column, which spills a column of shares.",
        "limit": _LIMIT,
        "cover_pct": _PCT,
        "recoveries": "Recoveries and set-offs expected before a claim (default 0).",
    },
    example="=INSUREDSHARE(D2, E2, 0.9)",
    ranges=("exposure", "limit", "recoveries"),
    returns_range=True,
)
def INSUREDSHARE(exposure, limit, cover_pct, recoveries=0):
    """Share of an exposure the insurer would pay: cover_pct × min(exposure − recoveries, limit) / exposure, 0-1; 0 when nothing is owed or there is no limit.

    Source: SPEC §6.1.

    >>> INSUREDSHARE(800000, 700000, 0.9)  # EL-2 buyer A: 630,000 / 800,000
    0.7875
    >>> INSUREDSHARE([[240000], [120000]], [[None], [150000]], 0.9)
    [[0.0], [0.9]]
    """
    a = _args.Elementwise("INSUREDSHARE")
    e = a.number("exposure", exposure, "nonnegative")
    lim = a.number("limit", limit, "nonnegative", default=None)
    pct = a.number("cover_pct", cover_pct, "fraction")
    rec = a.number("recoveries", recoveries, "nonnegative", default=0.0)
    return a.result(ins.insured_share(e, lim, pct, rec))


_EPOCH_ORDINAL = EXCEL_EPOCH.astype(dt.date).toordinal()  # Excel serial 0


def _deadline_dates(fn: str, dates, arg: str, policy: ins.Policy, core) -> object:
    a = _args.Elementwise(fn)
    d = a.date(arg, dates)
    if d is None:  # one blank cell
        return a.result(np.nan)
    out = core(d, policy)
    # a deadline past Excel's last day (9999-12-31) is no date a cell can show: blank, as NaT is
    if isinstance(out, np.datetime64):  # one deadline: a date, or an int of days past the year 9999
        day = out.item()
        return a.result(float(day.toordinal() - _EPOCH_ORDINAL) if isinstance(day, dt.date) else np.nan)
    serials = (np.asarray(out, dtype="datetime64[D]").reshape(-1) - EXCEL_EPOCH) / np.timedelta64(1, "D")
    return a.result(np.where(serials <= LAST_SERIAL, serials, np.nan))  # NaT → NaN → ''


def _policy_days(fn: str, **days) -> dict[str, int]:
    out = {}
    for name, (value, default) in days.items():
        out[name] = _args.integer(value, fn, name, default=default, minimum=0, maximum=MAX_POLICY_DAYS)
    return out


def _holidays(fn: str, holidays) -> tuple:
    if holidays is None or (not isinstance(holidays, list | tuple) and _args.is_blank(holidays)):
        return ()
    d, _shape = _args.dates(holidays, fn, "holidays")
    return tuple(x for x in d.astype(object).tolist() if x is not None)


@excel_function(
    category=CATEGORY,
    args={
        "due_date": "Original due date of the overdue invoice; one cell or a whole column, which spills a column of dates.",
        "notify_days": "Days the policy allows to notify an overdue invoice (default 60).",
        "mep_days": "If the policy counts from the end of the maximum extension period, that period in days; 0 (default) counts from the due date.",
        "move_weekends": _MOVE,
        "holidays": _HOLIDAYS,
    },
    example="=NOTIFYBY(G2, 60)",
    ranges=("due_date", "holidays"),
    returns_range=True,
)
def NOTIFYBY(due_date, notify_days=60, mep_days=0, move_weekends=True, holidays=None):
    """Last day to notify the insurer of an unpaid invoice, or cover is lost: due date (+ MEP) + notify_days; a weekend deadline moves back to Friday. Format the cell as a date.

    Source: SPEC §7.1.

    >>> NOTIFYBY("2024-01-01", 59)  # 45351 = Thursday 29 February 2024
    45351.0
    >>> NOTIFYBY([[45294.0], [None]], 60)  # 2024-01-03 + 60 = Sunday 3 March → Friday 1 March
    [[45352.0], ['']]
    """
    policy = _notify_policy(notify_days, mep_days, move_weekends, holidays)
    return _deadline_dates("NOTIFYBY", due_date, "due_date", policy, ins.notify_by)


@_args.read_once
def _notify_policy(notify_days, mep_days, move_weekends, holidays) -> ins.Policy:
    fn = "NOTIFYBY"
    days = _policy_days(fn, notify_days=(notify_days, 60), mep_days=(mep_days, 0))
    return ins.Policy(
        notify_days=days["notify_days"],
        max_extension_period=days["mep_days"],
        notify_basis="mep_end" if days["mep_days"] else "due_date",
        move_weekends=_args.flag(move_weekends, fn, "move_weekends", True),
        holidays=_holidays(fn, holidays),
    )


@excel_function(
    category=CATEGORY,
    args={
        "start_date": "Invoice date when the policy counts the filing period from the invoice (the usual case), else the due date; one cell or a column, which spills dates.",
        "claim_days": "Days the policy allows to file the claim (default 180).",
        "move_weekends": _MOVE,
        "holidays": _HOLIDAYS,
    },
    example="=CLAIMBY(E2, 180)",
    ranges=("start_date", "holidays"),
    returns_range=True,
)
def CLAIMBY(start_date, claim_days=180, move_weekends=True, holidays=None):
    """Last day to file the insurance claim: invoice date (or due date, per the policy) + claim_days, 180 by default; a weekend deadline moves back to Friday. Format the cell as a date.

    Source: SPEC §7.1.

    >>> CLAIMBY("2024-09-02")  # +180 = Saturday 1 March 2025 → Friday 28 February (45716)
    45716.0
    >>> CLAIMBY("2024-09-02", 180, False)  # 1 March 2025
    45717.0
    """
    return _deadline_dates("CLAIMBY", start_date, "start_date", _claim_policy(claim_days, move_weekends, holidays),
                           _claim_by)


def _claim_by(day, policy: ins.Policy):
    return ins.claim_by(day, day, policy)


@_args.read_once
def _claim_policy(claim_days, move_weekends, holidays) -> ins.Policy:
    fn = "CLAIMBY"
    days = _policy_days(fn, claim_days=(claim_days, 180))
    return ins.Policy(
        claim_days=days["claim_days"],
        claim_basis="invoice_date",
        move_weekends=_args.flag(move_weekends, fn, "move_weekends", True),
        holidays=_holidays(fn, holidays),
    )


"""Trade credit insurance: what a policy pays, on which invoices, by when (SPEC §7, §6.1).

The policy terms live in one :class:`Policy` (settings rows, a Policy sheet or a TOML table load into it
through :func:`xl_cashrisk.schemas.policy.policy_from_values`). The functions here compute

* the indemnity of a single claim and of a policy year's claims in order, with the non-qualifying
  loss (NQL), minimum retention, aggregate first loss (AFL) and maximum liability (SPEC §7.2);
* insured and uninsured exposure per open invoice: each buyer's limit is allocated to its oldest
  invoices first (by due date), as insurers allocate payments to the oldest debt (SPEC §7.1);
* the dates that matter for each overdue invoice: notify the insurer by, stop deliveries from,
  file the claim by, expected indemnity date and amount (SPEC §7.1, §7.3);
* the collections worklist (three-step response) and expected loss net of insurance (SPEC §6.1).

Dates and deadlines. All periods are calendar days counted from the stated basis:
``notify_by = due + notify_days`` (``notify_basis="due_date"``) or ``due + MEP + notify_days``
(``"mep_end"``); ``stop_deliveries_from = due + MEP``; ``claim_by = invoice_date + claim_days``
(``claim_basis="invoice_date"``, SPEC §7.1 "180 days from invoice date") or ``due + claim_days``.
Adding calendar days to a datetime64 handles month ends and 29 February without special cases.
A deadline that falls on a Saturday, Sunday or listed holiday moves to the previous business day
(``move_weekends=True``, the default): a policy's wording may allow the next business day, but the
toolkit never shows a deadline later than the calendar date. Expected payment dates move the other
way, to the next business day, so cash is never counted early. ``move_weekends=False`` keeps the
calendar dates.

Political risk is covered only when the policy has the module (``political_cover``), never for
domestic trade (the buyer's country equals ``home_country``), and only in covered countries; a loss
whose cause is political under a policy without the module is not covered at all. A buyer without
an insurer limit (blank / NaN) is fully uninsured; ``inf`` means no cap.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from xl_cashrisk._array import floats, maximum, minimum, safe_divide, scalar_or_array, where
from xl_cashrisk.scoring.limits import expected_loss, insured_indemnity

__all__ = [
    "REASONS",
    "STEP_ACTIONS",
    "ExpectedLoss",
    "Policy",
    "cash_at_risk",
    "claim_by",
    "collections_worklist",
    "cover_pct",
    "deadlines",
    "expected_indemnity_date",
    "expected_loss_insured",
    "indemnity",
    "insured_amount",
    "insured_exposure",
    "insured_exposure_by_buyer",
    "insured_share",
    "notify_by",
    "overdue_deadlines",
    "policy_year_claims",
    "post_claim_recovery_split",
    "stop_deliveries_from",
    "uninsured_loss",
    "worklist_light",
]

COMMERCIAL, POLITICAL = "commercial", "political"
RED, AMBER = "RED", "AMBER"  # worklist lights; a row that is neither has ""
NOTIFY_BASES = ("due_date", "mep_end")
CLAIM_BASES = ("invoice_date", "due_date")
WAITING_BASES = ("due_date", "notification")

STEP_ACTIONS = {
    "en": {
        1: "check documents and dunning record; notify the insurer",
        2: "hand to collection",
        3: "file the claim before the deadline",
    },
    "zh": {1: "核对单据和催收记录；向保险人申报逾期", 2: "移交催收", 3: "在截止日前提交索赔"},
}
REASONS = {
    "en": {
        "": "",
        "not_open": "nothing open (paid or credit note)",
        "no_limit": "no insurer limit",
        "disputed": "disputed",
        "country_not_covered": "country not covered",
        "terms_too_long": "terms beyond maximum credit period",
        "after_stop": "delivered after the stop-delivery date",
    },
    "zh": {
        "": "",
        "not_open": "无未清金额（已付或贷项）",
        "no_limit": "无保险限额",
        "disputed": "有争议",
        "country_not_covered": "国家不在承保范围",
        "terms_too_long": "账期超过最长信用期",
        "after_stop": "停止发货日之后的发货",
    },
}


@dataclass(frozen=True)
class Policy:
    """Terms of a whole-turnover credit insurance policy. Defaults are SPEC §7 (D) values.

    Percentages are decimals (0.9 = 90 %); periods are calendar days; amounts are in the currency of
    the exposures (home currency after FX conversion).
    """

    indemnity_pct: float = 0.90  # commercial risk; Allianz Trade with approved limits (SPEC §7.1)
    political_pct: float = 0.90
    political_cover: bool = False  # optional module; never on domestic trade
    home_country: str = "CN"
    covered_countries: frozenset[str] | None = None  # None: every country
    aggregate_first_loss: float = 0.0
    afl_before_pct: bool = False  # True: deduct the AFL from the ascertained loss before the pct
    non_qualifying_loss: float = 0.0
    minimum_retention: float = 0.0
    max_liability: float = math.inf
    max_credit_period: int = 180  # longest insurable terms (invoice → due), SPEC §7.1
    max_extension_period: int = 60  # MEP: after due + MEP stop deliveries and report
    notify_days: int = 60  # overdue notification deadline, days after notify_basis
    notify_basis: str = "due_date"  # "due_date" or "mep_end"
    claim_days: int = 180  # claim filing deadline, days after claim_basis
    claim_basis: str = "invoice_date"  # "invoice_date" or "due_date"
    waiting_period: int = 180  # protracted default; private insurers 180, EXIM-type 90
    waiting_basis: str = "due_date"  # "due_date" or "notification" (the notify_by date)
    settlement_days: int = 30  # claim accepted → paid (Coface 30, EXIM 60)
    proof_of_debt_days: int = 0  # insolvency date → claim accepted
    move_weekends: bool = True  # deadlines to the previous, payments to the next business day
    holidays: tuple[dt.date, ...] = ()
    collection_from_days: int = 60  # days past due from which step 2 (collection) is next
    claim_from_days: int = 90  # days past due from which step 3 (claim) is next
    worklist_materiality: float = 0.0  # overdue items below max(this, NQL) are grouped per buyer, never coloured
    urgent_days: int = 7  # a material worklist row with at most this many days left (or missed) is red
    soon_days: int = 30  # … with at most this many days left is amber

    def __post_init__(self):
        for name in ("indemnity_pct", "political_pct"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"Policy {name} must be a decimal between 0 and 1 (0.9 = 90 %), got {v!r}")
        for name in ("aggregate_first_loss", "non_qualifying_loss", "minimum_retention", "max_liability",
                     "worklist_materiality"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"Policy {name} must be ≥ 0, got {getattr(self, name)!r}")
        for name in ("max_credit_period", "max_extension_period", "notify_days", "claim_days", "waiting_period",
                     "settlement_days", "proof_of_debt_days", "collection_from_days", "claim_from_days",
                     "urgent_days", "soon_days"):
            v = getattr(self, name)
            if not (isinstance(v, int | np.integer) and v >= 0):
                raise ValueError(f"Policy {name} must be a whole number of days ≥ 0, got {v!r}")
        for name, allowed in (("notify_basis", NOTIFY_BASES), ("claim_basis", CLAIM_BASES),
                              ("waiting_basis", WAITING_BASES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"Policy {name} must be one of {allowed}, got {getattr(self, name)!r}")
        if self.claim_from_days < self.collection_from_days:
            raise ValueError("Policy claim_from_days must not be below collection_from_days")
        if self.soon_days < self.urgent_days:
            raise ValueError("Policy soon_days must not be below urgent_days")

    @property
    def materiality(self) -> float:
        """The amount below which an overdue item is small on the worklist: the larger of the
        non-qualifying loss (no claim below it) and the worklist materiality."""
        return max(self.non_qualifying_loss, self.worklist_materiality)


# ----------------------------------------------------------------------------------------------
# Amounts


def _limit(limit) -> np.ndarray:
    """Limits as floats: blank/NaN (no limit) → 0 insured; inf → uncapped."""
    lim = floats(limit)
    return where(lim != lim, 0.0, lim)


def _share_after_thresholds(ascertained, pct, nql, minimum_retention):
    """pct × ascertained, 0 below the NQL, keeping at least the minimum retention (SPEC §7.1–7.2)."""
    share = maximum(0.0, minimum(pct * ascertained, ascertained - minimum_retention))
    return where(ascertained < nql, 0.0, share)


def indemnity(debt, limit, cover_pct, afl=0.0, nql=0.0, recoveries=0.0, minimum_retention=0.0,
              afl_before_pct=False):
    """Indemnity the insurer pays on one claim (SPEC §7.2), the only claim of its policy year.

    ascertained = max(0, min(debt − recoveries, limit)); share = 0 if ascertained < NQL, else
    cover_pct × ascertained, but never more than ascertained − minimum_retention; paid = max(0,
    share − AFL). With ``afl_before_pct`` the AFL comes off the ascertained loss before the
    percentage. A NaN limit (buyer without a limit) pays 0.

    >>> indemnity(1_200_000, 1_000_000, 0.9)  # TCI-2
    900000.0
    >>> indemnity(1_200_000, 1_000_000, 0.9, afl=50_000, nql=5_000)  # TCI-1 claim 1
    850000.0
    >>> indemnity(3_000, 10_000, 0.9, nql=5_000)  # TCI-1 claim 3, below the NQL
    0.0
    >>> indemnity(5_000, 10_000, 0.85, minimum_retention=1_000)  # TCI-3
    4000.0
    """
    debt_net = maximum(floats(debt) - floats(recoveries), 0.0)
    ascertained = maximum(0.0, minimum(debt_net, _limit(limit)))
    pct = floats(cover_pct)
    if afl_before_pct:
        net = maximum(0.0, ascertained - floats(afl))
        paid = where(ascertained < nql, 0.0, _share_after_thresholds(net, pct, 0.0, minimum_retention))
    else:
        share = _share_after_thresholds(ascertained, pct, floats(nql), minimum_retention)
        paid = maximum(0.0, share - floats(afl))
    return scalar_or_array(paid)


def uninsured_loss(debt, limit, cover_pct, afl=0.0, nql=0.0, recoveries=0.0, minimum_retention=0.0,
                   afl_before_pct=False):
    """What the seller bears on one claim: max(debt − recoveries, 0) − indemnity (SPEC §7.2).

    >>> uninsured_loss(1_200_000, 1_000_000, 0.9)  # TCI-2
    300000.0
    >>> uninsured_loss(300_000, 250_000, 0.9, recoveries=60_000)  # TCI-1 claim 4
    24000.0
    >>> uninsured_loss(5_000, 10_000, 0.85, minimum_retention=1_000)  # TCI-3: £1,000 retained
    1000.0
    """
    paid = indemnity(debt, limit, cover_pct, afl, nql, recoveries, minimum_retention, afl_before_pct)
    return scalar_or_array(maximum(floats(debt) - floats(recoveries), 0.0) - paid)


def cover_pct(policy: Policy, cause=COMMERCIAL, country=None):
    """Insured percentage for a loss by cause ("commercial"/"political") and buyer country.

    Political: ``political_pct`` only with the module, outside the home country, in a covered
    country; otherwise 0. Commercial: ``indemnity_pct`` in covered countries, else 0.

    >>> p = Policy()  # no political-risk module
    >>> cover_pct(p, "political", "AR"), cover_pct(p, "commercial", "AR")
    (0.0, 0.9)
    >>> cover_pct(Policy(political_cover=True, covered_countries=frozenset({"US"})), np.array(["political"] * 2),
    ...           np.array(["US", "AR"])).tolist()
    [0.9, 0.0]
    """
    cause_arr = np.char.lower(np.asarray(cause, dtype=str))
    bad = ~np.isin(cause_arr, (COMMERCIAL, POLITICAL))
    if bad.any():
        raise ValueError(f"loss cause must be 'commercial' or 'political', got {cause_arr[bad].ravel()[0]!r}")
    if country is None:
        country_arr = np.full(cause_arr.shape, policy.home_country)
    else:
        country_arr = np.char.upper(np.char.strip(np.asarray(country, dtype=str)))
    covered = _country_covered(policy, country_arr)
    political_ok = policy.political_cover & (country_arr != policy.home_country.upper())
    pct = np.where(cause_arr == POLITICAL, np.where(political_ok, policy.political_pct, 0.0), policy.indemnity_pct)
    return scalar_or_array(np.where(covered, pct, 0.0))


def _country_covered(policy: Policy, countries: np.ndarray) -> np.ndarray:
    if policy.covered_countries is None:
        return np.ones(countries.shape, dtype=bool)
    allowed = {c.upper() for c in policy.covered_countries} | {policy.home_country.upper()}
    return np.isin(countries, sorted(allowed))


def policy_year_claims(claims: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Claims of one policy year in chronological order: AFL absorbed, indemnity paid, seller loss.

    ``claims`` columns: ``debt``, ``limit`` (NaN = no limit), optional ``recoveries`` (before the
    claim), ``loss_date`` (sort key; otherwise the given order), ``cause`` ("commercial" /
    "political") and ``country``. SPEC §7.2: the first claims' shares fill the AFL, payments stop
    at the maximum liability; seller_loss = max(debt − recoveries, 0) − paid.

    >>> tci1 = pd.DataFrame({"debt": [1_200_000, 40_000, 3_000, 300_000],
    ...                      "limit": [1_000_000, 50_000, 10_000, 250_000],
    ...                      "recoveries": [0, 0, 0, 60_000]})
    >>> p = Policy(indemnity_pct=0.9, non_qualifying_loss=5_000, aggregate_first_loss=50_000,
    ...            max_liability=2_000_000)
    >>> r = policy_year_claims(tci1, p)  # TCI-1
    >>> r[["ascertained", "share", "afl_absorbed", "paid", "seller_loss"]].astype(int).values.tolist()
    [[1000000, 900000, 50000, 850000, 350000], [40000, 36000, 0, 36000, 4000], [3000, 0, 0, 0, 3000], [240000, 216000, 0, 216000, 24000]]
    >>> int(r["paid"].sum())
    1102000
    """
    for col in ("debt", "limit"):
        if col not in claims:
            raise KeyError(f"policy_year_claims needs a '{col}' column; got {list(claims.columns)}")
    c = claims.copy()
    if "loss_date" in c:
        c = c.assign(_when=pd.to_datetime(c["loss_date"])).sort_values("_when", kind="stable").drop(columns="_when")
    debt = c["debt"].astype(float).to_numpy()
    rec = c["recoveries"].astype(float).fillna(0.0).to_numpy() if "recoveries" in c else np.zeros(len(c))
    pct = np.asarray(cover_pct(policy, c["cause"].fillna(COMMERCIAL).to_numpy() if "cause" in c
                               else np.full(len(c), COMMERCIAL),
                               c["country"].fillna(policy.home_country).to_numpy() if "country" in c else None),
                     dtype=float).reshape(len(c))
    net = np.maximum(debt - rec, 0.0)
    ascertained = np.maximum(0.0, np.minimum(net, _limit(c["limit"].to_numpy(dtype=float))))
    afl, nql, minret = policy.aggregate_first_loss, policy.non_qualifying_loss, policy.minimum_retention

    def absorbed_by(amounts: np.ndarray, cap: float) -> np.ndarray:
        """What each amount, in order, adds to a running total capped at ``cap``."""
        filled = np.minimum(np.cumsum(amounts), cap)
        return np.clip(np.diff(filled, prepend=0.0), 0.0, amounts)  # no rounding below 0 or above the amount

    if policy.afl_before_pct:
        qualifying = np.where(ascertained < nql, 0.0, ascertained)
        absorbed = absorbed_by(qualifying, afl)
        share = _share_after_thresholds(ascertained, pct, nql, minret)
        payable = _share_after_thresholds(qualifying - absorbed, pct, 0.0, minret)
    else:
        share = _share_after_thresholds(ascertained, pct, nql, minret)
        absorbed = absorbed_by(share, afl)
        payable = share - absorbed
    paid = absorbed_by(payable, policy.max_liability)
    c["cover_pct"] = pct
    c["ascertained"] = ascertained
    c["share"] = share
    c["afl_absorbed"] = absorbed
    c["paid"] = paid
    c["seller_loss"] = net - paid
    return c


def post_claim_recovery_split(recovery, paid, debt, recoveries_before_claim=0.0):
    """Pro-rata split of a recovery made after the claim: (to the insurer, kept by the seller).

    insurer = R × paid / (debt − recoveries_before_claim) (SPEC §7.2 default rule).

    >>> post_claim_recovery_split(100_000, 900_000, 1_200_000)
    (75000.0, 25000.0)
    """
    base = np.asarray(debt, dtype=float) - np.asarray(recoveries_before_claim, dtype=float)
    r = np.asarray(recovery, dtype=float)
    insurer = safe_divide(r * np.asarray(paid, dtype=float), base, positive=True, fill=0.0)
    return scalar_or_array(insurer), scalar_or_array(r - insurer)


def insured_amount(ead, limit, insured_pct, recoveries_before_claim=0.0):
    """I = insured_pct × min(EAD − recoveries_before_claim, limit); 0 for no limit (SPEC §6.1).

    Delegates to :func:`xl_cashrisk.scoring.limits.insured_indemnity`, whose missing limit means
    "uncapped"; here a blank/NaN limit means the buyer has no insurer limit and is not insured
    (``inf`` is the uncapped case).

    >>> insured_amount(800_000, 700_000, 0.9)  # EL-2 buyer A
    630000.0
    >>> insured_amount(240_000, np.nan, 0.9)  # EL-2 buyer C, no limit
    0.0
    """
    return insured_indemnity(ead, insured_pct, _limit(limit), recoveries_before_claim)


def insured_share(exposure, limit, insured_pct, recoveries_before_claim=0.0):
    """Share of an exposure the insurer would pay: I / exposure (0 where nothing is owed).

    >>> insured_share(800_000, 700_000, 0.9)  # 630,000 / 800,000
    0.7875
    """
    e = floats(exposure)
    return scalar_or_array(safe_divide(insured_amount(e, limit, insured_pct, recoveries_before_claim), e,
                                       positive=True, fill=0.0))


class ExpectedLoss(NamedTuple):
    gross: object  # PD × LGD × EAD
    seller: object  # PD × LGD × (EAD − I)
    insurer: object  # PD × LGD × I


def expected_loss_insured(pd_, lgd, ead, limit=np.nan, insured_pct=0.9, recoveries_before_claim=0.0) -> ExpectedLoss:
    """Expected loss gross, net to the seller and borne by the insurer (SPEC §6.1 "with insurance").

    EL = PD × LGD × EAD; I = insured_amount(EAD, limit, pct); EL_seller = PD × LGD × (EAD − I);
    EL_insurer = PD × LGD × I (recoveries shared pro rata, SPEC §6.1). Built on the scoring
    module's :func:`~xl_cashrisk.scoring.limits.expected_loss`; a blank limit means not insured.

    >>> el = expected_loss_insured(np.array([0.01, 0.03, 0.08, 0.20]), 0.60,
    ...                            np.array([800_000, 560_000, 240_000, 120_000]),
    ...                            np.array([700_000, 600_000, np.nan, 150_000]), 0.9)  # EL-2
    >>> [round(float(x.sum()), 2) for x in el]
    [40800.0, 14988.0, 25812.0]
    """
    gross = expected_loss(pd_, lgd, ead)
    seller = expected_loss(pd_, lgd, ead, insured_pct, _limit(limit), recoveries_before_claim)
    return ExpectedLoss(gross, seller, scalar_or_array(np.asarray(gross) - np.asarray(seller)))


# ----------------------------------------------------------------------------------------------
# Dates


def _days(values) -> np.ndarray:
    """Anything date-like (scalar or array) → datetime64[D] array; blanks NaT."""
    if isinstance(values, pd.Series | pd.Index):
        return pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]")
    if arr.dtype == object or arr.dtype.kind in "US":
        return pd.to_datetime(pd.Series(arr.ravel())).to_numpy().astype("datetime64[D]").reshape(arr.shape)
    raise TypeError(f"expected dates, got an array of {arr.dtype}")


def _holidays(policy: Policy) -> list[np.datetime64]:
    return [np.datetime64(h, "D") for h in policy.holidays]


_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()  # datetime64[D] counts days from 1970-01-01


@functools.lru_cache(maxsize=32)
def _closed_days(holidays: tuple) -> frozenset[int]:
    """Holidays as proleptic ordinals, for one deadline at a time."""
    return frozenset(int(np.datetime64(h, "D").astype(np.int64)) + _UNIX_ORDINAL for h in holidays)


def _deadline_one(day: dt.date, days: int, policy: Policy) -> np.datetime64:
    """:func:`_deadline` of ``_plus(day, days)`` for one date: the same business-day rule (Monday to Friday,
    holidays closed, moved back), on a day number; a deadline past the year 9999 stays a datetime64."""
    n = day.toordinal() + int(days)
    if policy.move_weekends:
        closed = _closed_days(policy.holidays)
        while (n + 6) % 7 >= 5 or n in closed:  # date.weekday() of ordinal n; 5, 6 = Saturday, Sunday
            n -= 1
    return np.datetime64(n - _UNIX_ORDINAL, "D")


def _deadline(d: np.ndarray, policy: Policy) -> np.ndarray:
    """A deadline on a weekend or holiday moves to the previous business day (never later)."""
    if not policy.move_weekends:
        return d
    return np.busday_offset(d, 0, roll="backward", holidays=_holidays(policy))


def _payment(d: np.ndarray, policy: Policy) -> np.ndarray:
    """A payment date on a weekend or holiday moves to the next business day (never earlier)."""
    if not policy.move_weekends:
        return d
    return np.busday_offset(d, 0, roll="forward", holidays=_holidays(policy))


def _plus(d: np.ndarray, days: int) -> np.ndarray:
    return d + np.timedelta64(int(days), "D")


def _out_dates(d: np.ndarray, scalar: bool):
    return d.reshape(()) if scalar else d


def notify_by(due_date, policy: Policy = Policy()):
    """Last day to notify the insurer of an overdue invoice (cover is lost if missed, SPEC §7.1).

    due + notify_days, or due + MEP + notify_days with ``notify_basis="mep_end"``; weekend → Friday.

    >>> str(notify_by(np.datetime64("2024-01-01"), Policy(notify_days=59)))  # 2024-02-29 is a Thursday
    '2024-02-29'
    >>> str(notify_by(np.datetime64("2024-01-03"), Policy(notify_days=60)))  # Sun 2024-03-03 → Fri 03-01
    '2024-03-01'
    """
    extra = policy.max_extension_period if policy.notify_basis == "mep_end" else 0
    if due_date.__class__ is dt.date:  # one date (an Excel cell): no arrays
        return _deadline_one(due_date, extra + policy.notify_days, policy)
    d = _days(due_date)
    return _out_dates(_deadline(_plus(d, extra + policy.notify_days), policy), d.ndim == 0)


def stop_deliveries_from(due_date, policy: Policy = Policy()):
    """First day on which further deliveries to the buyer are no longer covered: due + MEP.

    >>> str(stop_deliveries_from(np.datetime64("2026-07-31"), Policy(max_extension_period=60)))
    '2026-09-29'
    """
    d = _days(due_date)
    return _out_dates(_deadline(_plus(d, policy.max_extension_period), policy), d.ndim == 0)


def claim_by(invoice_date, due_date, policy: Policy = Policy()):
    """Last day to file the claim: invoice date (or due date, per ``claim_basis``) + claim_days.

    >>> str(claim_by(np.datetime64("2024-09-02"), np.datetime64("2024-10-02")))  # +180 = Sat 03-01 → Fri
    '2025-02-28'
    """
    day = invoice_date if policy.claim_basis == "invoice_date" else due_date
    if day.__class__ is dt.date:  # one date (an Excel cell): no arrays
        return _deadline_one(day, policy.claim_days, policy)
    basis = _days(day)
    return _out_dates(_deadline(_plus(basis, policy.claim_days), policy), basis.ndim == 0)


def expected_indemnity_date(due_date, policy: Policy = Policy(), insolvency_date=None):
    """When the indemnity is expected to be paid (SPEC §7.3).

    Protracted default: due date (or the notify-by date) + waiting period + settlement days;
    insolvency, where a date is given: insolvency date + proof_of_debt_days + settlement days.
    A date on a weekend moves to the next business day.

    >>> str(expected_indemnity_date(np.datetime64("2026-03-31")))  # +180 +30 = Tue 2026-10-27
    '2026-10-27'
    >>> str(expected_indemnity_date(np.datetime64("2026-03-31"), insolvency_date=np.datetime64("2026-05-15")))
    '2026-06-15'
    """
    due = _days(due_date)
    start = notify_by(due, policy) if policy.waiting_basis == "notification" else due
    protracted = _plus(_plus(np.asarray(start, dtype="datetime64[D]"), policy.waiting_period), policy.settlement_days)
    if insolvency_date is not None:
        ins = np.broadcast_to(_days(insolvency_date), due.shape)
        via_insolvency = _plus(_plus(ins, policy.proof_of_debt_days), policy.settlement_days)
        protracted = np.where(np.isnat(ins), protracted, via_insolvency)
    return _out_dates(_payment(np.asarray(protracted, dtype="datetime64[D]"), policy), due.ndim == 0)


def deadlines(invoice_date, due_date, policy: Policy = Policy(), insolvency_date=None) -> pd.DataFrame:
    """All dates of SPEC §7.1/§7.3 for arrays of invoices, as a DataFrame.

    >>> deadlines(["2024-01-31"], ["2024-02-29"], Policy(max_extension_period=60, notify_days=30)).iloc[0].astype(str).tolist()
    ['2024-03-29', '2024-04-29', '2024-07-29', '2024-09-26']
    """
    inv, due = np.atleast_1d(_days(invoice_date)), np.atleast_1d(_days(due_date))
    return pd.DataFrame({
        "notify_by": notify_by(due, policy),
        "stop_deliveries_from": stop_deliveries_from(due, policy),
        "claim_by": claim_by(inv, due, policy),
        "expected_indemnity_date": expected_indemnity_date(
            due, policy, None if insolvency_date is None else np.atleast_1d(_days(insolvency_date))),
    })


# ----------------------------------------------------------------------------------------------
# Ledger: insured exposure, deadlines, worklist


def _map_keys(keys: pd.Series, mapping) -> pd.Series:
    """``keys.map(mapping)`` looked up once per distinct key (a million ledger rows have a hundred
    thousand buyers): the same values, dtype, index and name."""
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    looked = pd.Series(uniques, dtype=keys.dtype).map(mapping)
    return pd.Series(looked.take(codes).array, index=keys.index, name=keys.name)


def _by_text_key(mapping, dtype) -> pd.Series:
    """A buyer_id → value mapping (dict or Series) as a Series keyed by text, as
    ``pd.Series(mapping, dtype=dtype).rename(index=str)``; a Series already keyed by text without
    blanks is used as it is (no per-key ``str``)."""
    s = pd.Series(mapping, dtype=dtype)
    index = s.index
    if index.dtype == object or not pd.api.types.is_string_dtype(index.dtype) or index.hasnans:
        s = s.rename(index=str)
    return s


def _ledger_frame(ledger: pd.DataFrame, policy: Policy, limits, countries) -> pd.DataFrame:
    """The columns the ledger functions need, in the ledger's row order."""
    for col in ("buyer_id", "due_date"):
        if col not in ledger:
            raise KeyError(f"the ledger needs a '{col}' column; got {list(ledger.columns)}")
    f = pd.DataFrame(index=ledger.index)
    f["buyer_id"] = ledger["buyer_id"].astype(str)
    if "open_amount" in ledger:
        f["open_amount"] = ledger["open_amount"].astype(float).fillna(0.0)
    elif "amount" in ledger:
        paid = ledger["paid_amount"].astype(float).fillna(0.0) if "paid_amount" in ledger else 0.0
        f["open_amount"] = ledger["amount"].astype(float).fillna(0.0) - paid
    else:
        raise KeyError("the ledger needs an 'open_amount' or an 'amount' column")
    f["due_date"] = _days(ledger["due_date"])
    f["invoice_date"] = (_days(ledger["invoice_date"]) if "invoice_date" in ledger
                         else np.full(len(f), np.datetime64("NaT"), dtype="datetime64[D]"))
    f["disputed"] = ledger["disputed"].fillna(False).astype(bool) if "disputed" in ledger else False
    if limits is not None:
        f["limit"] = _map_keys(f["buyer_id"], _by_text_key(limits, float)).astype(float)
    elif "insurer_limit" in ledger:
        f["limit"] = ledger["insurer_limit"].astype(float)
    else:
        f["limit"] = np.nan
    if countries is not None:
        f["country"] = _map_keys(f["buyer_id"], _by_text_key(countries, object))
    elif "country" in ledger:
        f["country"] = ledger["country"]
    else:
        f["country"] = policy.home_country
    f["country"] = f["country"].fillna(policy.home_country).astype(str).str.strip().str.upper()
    return f


def insured_exposure(ledger: pd.DataFrame, policy: Policy = Policy(), limits=None, countries=None) -> pd.DataFrame:
    """Insured and uninsured exposure per open invoice, each buyer's limit used oldest due date first.

    ``ledger``: ``buyer_id``, ``due_date``, ``open_amount`` (or ``amount`` − ``paid_amount``),
    optional ``invoice_date``, ``disputed``, ``country``, ``insurer_limit``; ``limits`` / ``countries``
    (mappings buyer_id → value) override the ledger's columns. Amounts in one currency.

    An invoice is eligible when it is open (> 0), its buyer has a limit, it is not disputed, the
    buyer's country is covered, its terms (due − invoice date) are within the maximum credit period,
    and it was not invoiced after the buyer's stop-delivery date (oldest open due date + MEP,
    SPEC §7.2). Ineligible invoices use none of the limit. Per buyer, eligible invoices in due-date
    order take ``within_limit = clip(limit − earlier eligible open, 0, open)``;
    ``insured = indemnity_pct × within_limit``; ``uninsured = open − insured``.

    >>> ledger = pd.DataFrame({"buyer_id": ["A", "A", "A", "B"], "open_amount": [60.0, 50.0, 40.0, 30.0],
    ...                        "due_date": pd.to_datetime(["2026-08-31", "2026-07-31", "2026-09-30", "2026-08-01"])})
    >>> r = insured_exposure(ledger, Policy(indemnity_pct=0.9), limits={"A": 100.0})
    >>> r[["within_limit", "insured", "uninsured", "reason"]].values.tolist()
    [[50.0, 45.0, 15.0, ''], [50.0, 45.0, 5.0, ''], [0.0, 0.0, 40.0, ''], [0.0, 0.0, 30.0, 'no_limit']]
    """
    f = _ledger_frame(ledger, policy, limits, countries)
    open_ = f["open_amount"].to_numpy()
    due, inv = f["due_date"].to_numpy(), f["invoice_date"].to_numpy()
    limit = f["limit"].to_numpy()
    is_open = open_ > 0
    stop = np.where(is_open, _plus(due, policy.max_extension_period), np.datetime64("NaT"))
    first_stop = pd.Series(stop, index=f.index).groupby(f["buyer_id"]).transform("min").to_numpy()
    after_stop = ~np.isnat(first_stop) & ~np.isnat(inv) & (inv > first_stop)
    terms = (due - inv) / np.timedelta64(1, "D")  # NaT → NaN
    reason = np.select(
        [
            ~is_open,
            np.isnan(limit) | (limit <= 0),
            f["disputed"].to_numpy(dtype=bool),
            ~_country_covered(policy, f["country"].to_numpy(dtype=str)),
            np.nan_to_num(terms, nan=0.0) > policy.max_credit_period,
            after_stop,
        ],
        ["not_open", "no_limit", "disputed", "country_not_covered", "terms_too_long", "after_stop"],
        "",
    )
    eligible = reason == ""
    amount = np.where(eligible, open_, 0.0)
    work = pd.DataFrame({"buyer_id": f["buyer_id"].to_numpy(), "due": due, "amount": amount,
                         "pos": np.arange(len(f))})
    work = work.sort_values(["buyer_id", "due", "pos"], kind="stable", na_position="last")
    before = work.groupby("buyer_id", sort=False)["amount"].cumsum().to_numpy() - work["amount"].to_numpy()
    lim_sorted = np.nan_to_num(limit[work["pos"].to_numpy()], nan=0.0)
    within_sorted = np.clip(lim_sorted - before, 0.0, work["amount"].to_numpy())
    within = np.empty(len(f))
    within[work["pos"].to_numpy()] = within_sorted

    out = ledger.copy()
    out["open_amount"] = open_
    out["limit"] = limit
    out["eligible"] = eligible
    out["reason"] = reason.astype(object)
    out["within_limit"] = within
    out["insured"] = policy.indemnity_pct * within
    out["uninsured"] = open_ - out["insured"].to_numpy()
    return out


def insured_exposure_by_buyer(exposure: pd.DataFrame) -> pd.DataFrame:
    """Per-buyer totals of :func:`insured_exposure`: open, within limit, insured, uninsured, limit used.

    >>> ledger = pd.DataFrame({"buyer_id": ["A", "A", "B"], "open_amount": [60.0, 50.0, 30.0],
    ...                        "due_date": pd.to_datetime(["2026-08-31", "2026-07-31", "2026-08-01"])})
    >>> insured_exposure_by_buyer(insured_exposure(ledger, limits={"A": 100.0})).loc["A"].tolist()
    [110.0, 100.0, 90.0, 20.0, 100.0, 1.0]
    """
    g = exposure.groupby(exposure["buyer_id"].astype(str))
    out = pd.DataFrame({
        "open_amount": g["open_amount"].sum(),
        "within_limit": g["within_limit"].sum(),
        "insured": g["insured"].sum(),
        "uninsured": g["uninsured"].sum(),
        "limit": g["limit"].first(),
    })
    lim = out["limit"].to_numpy(dtype=float)
    out["limit_used"] = safe_divide(out["within_limit"].to_numpy(), lim, positive=True)
    return out


def overdue_deadlines(ledger: pd.DataFrame, as_of, policy: Policy = Policy(), limits=None, countries=None,
                      insolvency_dates=None) -> pd.DataFrame:
    """Every overdue open invoice with its dates, days left, and expected indemnity.

    Overdue: open > 0 and due date before ``as_of``. Columns added: ``days_past_due``, the dates of
    :func:`deadlines`, ``days_to_notify`` / ``days_to_claim`` (negative = missed), the allocation of
    :func:`insured_exposure` and ``expected_indemnity``. The expected indemnity is the buyer's
    claim on its overdue eligible invoices, ``indemnity(Σ within_limit, pct, NQL, minimum
    retention)``, spread over those invoices pro rata; the policy-year AFL and maximum liability
    apply across buyers (see :func:`policy_year_claims`) and are not deducted here.
    ``insolvency_dates`` maps buyer_id → insolvency date where one is known.

    >>> ledger = pd.DataFrame({"invoice_no": ["I1", "I2"], "buyer_id": ["A", "A"], "open_amount": [60.0, 50.0],
    ...                        "invoice_date": pd.to_datetime(["2026-05-31", "2026-07-01"]),
    ...                        "due_date": pd.to_datetime(["2026-06-30", "2026-10-31"])})
    >>> r = overdue_deadlines(ledger, "2026-09-30", limits={"A": 100.0})
    >>> r[["invoice_no", "days_past_due", "notify_by", "claim_by", "expected_indemnity"]].astype(str).values.tolist()
    [['I1', '92', '2026-08-28', '2026-11-27', '54.0']]
    """
    return _overdue_from_exposure(insured_exposure(ledger, policy, limits, countries), as_of, policy,
                                  insolvency_dates)


def _overdue_from_exposure(exp: pd.DataFrame, as_of, policy: Policy, insolvency_dates=None) -> pd.DataFrame:
    """:func:`overdue_deadlines` on the result of :func:`insured_exposure` (computed once, used twice)."""
    today = np.datetime64(pd.Timestamp(as_of).date(), "D")
    due = _days(exp["due_date"])
    overdue = (exp["open_amount"].to_numpy() > 0) & ~np.isnat(due) & (due < today)
    r = exp.loc[overdue].copy()
    due_o = due[overdue]
    inv_o = _days(r["invoice_date"]) if "invoice_date" in r else due_o
    ins = None
    if insolvency_dates is not None:
        ins = _days(_map_keys(r["buyer_id"].astype(str), pd.Series(insolvency_dates).rename(index=str)))
    d = deadlines(inv_o, due_o, policy, ins)
    d.index = r.index
    r["days_past_due"] = (today - due_o).astype(int)
    for col in d:
        r[col] = d[col].to_numpy()
    r["days_to_notify"] = (d["notify_by"].to_numpy().astype("datetime64[D]") - today).astype(int)
    r["days_to_claim"] = (d["claim_by"].to_numpy().astype("datetime64[D]") - today).astype(int)
    buyer = r["buyer_id"].astype(str)
    claim_base = r.groupby(buyer)["within_limit"].transform("sum").to_numpy()
    claim = np.asarray(indemnity(claim_base, np.inf, policy.indemnity_pct, 0.0, policy.non_qualifying_loss,
                                 0.0, policy.minimum_retention), dtype=float).reshape(-1)
    r["expected_indemnity"] = safe_divide(claim * r["within_limit"].to_numpy(), claim_base, positive=True, fill=0.0)
    return r


def collections_worklist(ledger: pd.DataFrame, as_of, policy: Policy = Policy(), limits=None, countries=None,
                         language: str = "en") -> pd.DataFrame:
    """The next step of the three-step response for every overdue invoice, most urgent first.

    Step 1 (days past due < ``collection_from_days``): check documents and the dunning record and
    notify the insurer; deadline = min(notify_by, due + collection_from_days). Step 2 (up to
    ``claim_from_days``): hand to collection; deadline = due + claim_from_days. Step 3: file the
    claim; deadline = claim_by. No step deadline is later than claim_by; weekend deadlines move to the
    previous business day. ``days_left`` = deadline − as_of (negative: missed). Sorted by days left,
    then uninsured amount (largest first); ``uninsured_flag`` marks overdue exposure the policy does
    not cover (any uninsured part).

    >>> ledger = pd.DataFrame({"invoice_no": ["I1", "I2", "I3"], "buyer_id": ["A", "A", "B"],
    ...                        "open_amount": [60.0, 50.0, 30.0],
    ...                        "invoice_date": pd.to_datetime(["2026-05-31", "2026-07-01", "2026-08-01"]),
    ...                        "due_date": pd.to_datetime(["2026-06-30", "2026-07-31", "2026-08-31"])})
    >>> w = collections_worklist(ledger, "2026-09-30", limits={"A": 100.0})
    >>> w[["invoice_no", "step", "deadline", "days_left", "uninsured_flag"]].astype(str).values.tolist()
    [['I2', '2', '2026-10-29', '29', 'True'], ['I3', '1', '2026-10-30', '30', 'True'], ['I1', '3', '2026-11-27', '58', 'True']]
    """
    return _worklist_from_overdue(overdue_deadlines(ledger, as_of, policy, limits, countries), as_of, policy,
                                  language)


def _worklist_from_overdue(r: pd.DataFrame, as_of, policy: Policy, language: str = "en") -> pd.DataFrame:
    """:func:`collections_worklist` on the result of :func:`overdue_deadlines` (adds columns to ``r``)."""
    today = np.datetime64(pd.Timestamp(as_of).date(), "D")
    dpd = r["days_past_due"].to_numpy()
    due = _days(r["due_date"])
    claim = r["claim_by"].to_numpy().astype("datetime64[D]")
    step = np.select([dpd < policy.collection_from_days, dpd < policy.claim_from_days], [1, 2], 3)
    step1 = np.minimum(r["notify_by"].to_numpy().astype("datetime64[D]"),
                       _deadline(_plus(due, policy.collection_from_days), policy))
    step2 = _deadline(_plus(due, policy.claim_from_days), policy)
    deadline = np.minimum(np.select([step == 1, step == 2], [step1, step2], claim), claim)
    r["step"] = step
    r["action"] = [STEP_ACTIONS[language][s] for s in step.tolist()]
    r["deadline"] = deadline
    r["days_left"] = (deadline - today).astype(int)
    r["uninsured_flag"] = r["uninsured"].to_numpy() > 0.005
    r["reason"] = [REASONS[language][x] for x in r["reason"].tolist()]
    return r.sort_values(["days_left", "uninsured", "open_amount"], ascending=[True, False, False], kind="stable")


def cash_at_risk(uninsured, insured, days_to_notify, days_to_claim):
    """Cash lost on an overdue invoice if the buyer never pays: the uninsured part, and the insured part
    too once the notification or the claim deadline is missed (the insurer then owes nothing; SPEC §7.1).

    ``at_risk = uninsured + insured · [days_to_notify < 0 or days_to_claim < 0]``

    >>> cash_at_risk([10.0, 10.0, 10.0], [90.0, 90.0, 90.0], [5, -1, 5], [40, 40, -3]).tolist()
    [10.0, 100.0, 100.0]
    """
    uninsured, insured = np.asarray(uninsured, dtype=float), np.asarray(insured, dtype=float)
    lost = (np.asarray(days_to_notify) < 0) | (np.asarray(days_to_claim) < 0)
    return scalar_or_array(uninsured + np.where(lost, insured, 0.0))


def worklist_light(amount, days_left, policy: Policy = Policy()):
    """The worklist's colour for an item of ``amount`` (home currency) whose next deadline is
    ``days_left`` days away (negative: missed): ``"RED"`` when it is material (amount ≥
    :attr:`Policy.materiality`) and the deadline is at most ``urgent_days`` away or missed,
    ``"AMBER"`` when material and at most ``soon_days`` away, else ``""``. A small item is never
    coloured, however close its deadline: the insurer pays nothing below the NQL anyway.

    >>> worklist_light([50_000, 50_000, 50_000, 500], [-3, 20, 45, -3], Policy(non_qualifying_loss=1_000)).tolist()
    ['RED', 'AMBER', '', '']
    """
    amount, days = np.asarray(amount, dtype=float), np.asarray(days_left)
    material = amount >= policy.materiality
    light = np.select([material & (days <= policy.urgent_days), material & (days <= policy.soon_days)],
                      [RED, AMBER], "")
    return light.astype(object) if light.ndim else str(light)

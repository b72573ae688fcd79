"""Plain-Python references for the per-call benchmark (``udf_scalar``): the arithmetic of each Excel
function on one value per argument, as a user would write it in a few lines — Python floats, ``math``,
``bisect`` and ``statistics.NormalDist``; no NumPy, no validation, no messages, no cell shapes.

Each takes the arguments the benchmark gives the Excel function (Excel serials for dates, the
function's own defaults) and returns the same answer; ``tests/test_bench.py`` checks that on the
benchmark's rows, so a reference cannot quietly do less arithmetic than the function it is compared
with. Formulas are written from SPEC.md (section in each docstring); the scorecard's bins, weights and
caps are read from the default scorecard once, at import, as plain tuples and dicts.
"""

from __future__ import annotations

import bisect
import math
from statistics import NormalDist

from xl_cashrisk.scoring.config import default_scorecard

_N = NormalDist()
_Q999 = _N.inv_cdf(0.999)
_SERIAL_SATURDAY = 0  # Excel serial 0 is 1899-12-30, a Saturday; (serial + 5) % 7 is Monday = 0


# ---------------------------------------------------------------------------------------- ratios (§5)
def workingcapital(ca, cl):
    return ca - cl


def currentratio(ca, cl):
    return ca / cl if cl > 0 else math.nan


def quickratio(cash, securities, receivables, cl):
    return (cash + securities + receivables) / cl if cl > 0 else math.nan


def cashratio(cash, cl, securities=0.0):
    return (cash + securities) / cl if cl > 0 else math.nan


def ccc(dso, dio, dpo):
    return dso + dio - dpo


def wchealth(ratio, danger_below=1.0, healthy_from=1.5, idle_above=3.0):
    """SPEC §5 (D): DANGER below 1, WATCH to 1.5, HEALTHY, with the idle-cash note above 3."""
    if ratio < danger_below:
        return "DANGER"
    if ratio < healthy_from:
        return "WATCH"
    return "HEALTHY: high ratio may mean idle cash" if ratio > idle_above else "HEALTHY"


# ---------------------------------------------------------------------------------- receivables (§4)
def agebucket(due, as_of, basis="dpd"):
    """SPEC §4.1: days past due = as_of − due (whole days of the serials), upper bounds inclusive."""
    days = int(as_of) - int(due)
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "91-120" if days <= 120 else ">120"


def dayspastdue(due, as_of):
    return int(as_of) - int(due)


def dso(receivables, sales, days=365.0):
    return receivables / sales * days


def bpdso(current, sales, days=365.0):
    return current / sales * days


def add(receivables, current, sales, days=365.0):
    return receivables / sales * days - current / sales * days


def cei(beginning, sales, ending, ending_current, periods=1.0):
    """SPEC §4.3."""
    base = beginning + sales / periods
    return (base - ending) / (base - ending_current) * 100.0


# ------------------------------------------------------------------------------------ insurance (§7)
def _indemnity(debt, limit, pct, afl, nql, recoveries):
    ascertained = max(0.0, min(max(debt - recoveries, 0.0), limit))
    share = 0.0 if ascertained < nql else max(0.0, pct * ascertained)
    return max(0.0, share - afl)


def insuredloss(debt, limit, pct, afl=0.0, nql=0.0, recoveries=0.0):
    """SPEC §7.2."""
    return _indemnity(debt, limit, pct, afl, nql, recoveries)


def uninsuredloss(debt, limit, pct, afl=0.0, nql=0.0, recoveries=0.0):
    return max(debt - recoveries, 0.0) - _indemnity(debt, limit, pct, afl, nql, recoveries)


def insuredshare(exposure, limit, pct, recoveries=0.0):
    """SPEC §6.1: I / exposure, I = pct × min(exposure − recoveries, limit)."""
    insured = pct * max(min(exposure - recoveries, limit), 0.0)
    return insured / exposure if exposure > 0 else 0.0


def _deadline(serial, days):
    """SPEC §7.1: + days, a Saturday or Sunday moves back to Friday."""
    d = int(serial) + days
    weekday = (d + 5) % 7
    return float(d - (weekday - 4) if weekday >= 5 else d)


def notifyby(due, notify_days=60):
    return _deadline(due, notify_days)


def claimby(start, claim_days=180):
    return _deadline(start, claim_days)


# ------------------------------------------------------------------------------------ portfolio (§6)
def vasicekpd(pd, rho, z):
    """SPEC §6.3."""
    return _N.cdf((_N.inv_cdf(pd) - math.sqrt(rho) * z) / math.sqrt(1.0 - rho))


def wcdr(pd, rho, q):
    return _N.cdf((_N.inv_cdf(pd) + math.sqrt(rho) * _N.inv_cdf(q)) / math.sqrt(1.0 - rho))


def vasicekcdf(x, pd, rho):
    return _N.cdf((math.sqrt(1.0 - rho) * _N.inv_cdf(x) - _N.inv_cdf(pd)) / math.sqrt(rho))


def baselrho(pd):
    """SPEC §6.3, Basel II ¶272."""
    w = (1.0 - math.exp(-50.0 * pd)) / (1.0 - math.exp(-50.0))
    return 0.12 * w + 0.24 * (1.0 - w)


def irbk(pd, lgd, maturity=2.5):
    """SPEC §6.3, Basel II ¶272."""
    r = baselrho(pd)
    b = (0.11852 - 0.05478 * math.log(pd)) ** 2
    wcdr_ = _N.cdf((_N.inv_cdf(pd) + math.sqrt(r) * _Q999) / math.sqrt(1.0 - r))
    return (lgd * wcdr_ - pd * lgd) * (1.0 + (maturity - 2.5) * b) / (1.0 - 1.5 * b)


def irbrw(pd, lgd, maturity=2.5):
    return 12.5 * irbk(pd, lgd, maturity)


# ------------------------------------------------------------------------------- scoring (§1–§3, §6.1)
_ALTMAN = {"Z": (0.0, 1.2, 1.4, 3.3, 0.6, 1.0), "Z1": (0.0, 0.717, 0.847, 3.107, 0.420, 0.998),
           "Z2": (0.0, 6.56, 3.26, 6.72, 1.05, 0.0), "EM": (3.25, 6.56, 3.26, 6.72, 1.05, 0.0)}
_ZONES = {"Z": (1.81, 2.99), "Z1": (1.23, 2.90), "Z2": (1.10, 2.60), "EM": (4.35, 5.85)}
_EM_BOUNDS = (1.75, 2.50, 3.20, 3.75, 4.15, 4.50, 4.75, 4.95, 5.25, 5.65, 5.85, 6.25, 6.40, 6.65, 6.85, 7.00, 7.30,
              7.60, 8.15)
_EM_RATINGS = ("D", "CCC-", "CCC", "CCC+", "B-", "B", "B+", "BB-", "BB", "BB+", "BBB-", "BBB", "BBB+", "A-", "A",
               "A+", "AA-", "AA", "AA+", "AAA")


def altmanz(wc, re, ebit, equity, sales, ta, tl, model="Z"):
    """SPEC §1.1–1.3."""
    c, b1, b2, b3, b4, b5 = _ALTMAN[model]
    z = c + b1 * wc / ta + b2 * re / ta + b3 * ebit / ta + b4 * equity / tl
    return z + b5 * sales / ta if b5 else z


def altmanzone(wc, re, ebit, equity, sales, ta, tl, model="Z"):
    z = altmanz(wc, re, ebit, equity, sales, ta, tl, model)
    lo, hi = _ZONES[model]
    return "safe" if z > hi else "grey" if z >= lo else "distress"


def emrating(score):
    """SPEC §1.3: the table's scores as lower bounds."""
    return _EM_RATINGS[bisect.bisect_right(_EM_BOUNDS, score)]


def _ohlson_o(ta, index, tl, ca, cl, ni, ni_prev, ffo):
    """SPEC §1.4."""
    chin = 0.0 if ni == ni_prev == 0 else (ni - ni_prev) / (abs(ni) + abs(ni_prev))
    return (-1.32 - 0.407 * math.log(ta / index) + 6.03 * tl / ta - 1.43 * (ca - cl) / ta + 0.0757 * cl / ca
            - 1.72 * (tl > ta) - 2.37 * ni / ta - 1.83 * ffo / tl + 0.285 * (ni < 0 and ni_prev < 0) - 0.521 * chin)


def ohlson(ta, index, tl, ca, cl, ni, ni_prev, ffo):
    return 1.0 / (1.0 + math.exp(-_ohlson_o(ta, index, tl, ca, cl, ni, ni_prev, ffo)))


def zmijewski(ni, tl, ta, ca, cl):
    """SPEC §1.5: P = Φ(X)."""
    return _N.cdf(-4.336 - 4.513 * ni / ta + 5.679 * tl / ta + 0.004 * ca / cl)


def creditpd(score):
    """SPEC §3.6: PD = 1 / (1 + 20·2^((s − 50)/10))."""
    return 1.0 / (1.0 + 20.0 * 2.0 ** ((score - 50.0) / 10.0))


def scorefrompd(pd):
    return 50.0 + 10.0 * math.log2((1.0 - pd) / pd / 20.0)


def creditband(score):
    """SPEC §3.7."""
    return "GREEN" if score >= 51 else "YELLOW" if score >= 30 else "RED"


_GRADE_BOUNDS = (10.0, 21.0, 30.0, 40.0, 51.0, 60.0, 70.0, 80.0, 90.0)


def creditgrade(score):
    return 10 - bisect.bisect_right(_GRADE_BOUNDS, score)


_BAND_SHARE = {"GREEN": 1.0, "YELLOW": 0.5, "RED": 0.0}


def creditlimit(sales, terms, dbt, tnw, wc, band, vat=0.0):
    """SPEC §3.8: min(need, band share × min(10 % TNW, 20 % WC))."""
    need = sales / 365.0 * (terms + max(dbt, 0.0)) * (1.0 + vat)
    capacity = max(min(0.10 * tnw, 0.20 * wc), 0.0)
    return max(min(need, _BAND_SHARE[band] * capacity), 0.0)


def expectedloss(pd, lgd, ead, insured_share=0.0, insurer_limit=None, output="seller"):
    """SPEC §6.1: the seller keeps PD × LGD × (EAD − I), I = insured share × min(EAD, insurer limit)."""
    gross = pd * lgd * ead
    insured = insured_share * max(ead if insurer_limit is None else min(ead, insurer_limit), 0.0)
    seller = pd * lgd * (ead - insured)
    return seller if output == "seller" else gross if output == "gross" else gross - seller


# The composite score (docs/scorecard.md): the default scorecard as plain data, read once.
_CARD = default_scorecard()
_BINS = tuple((f.key, f.weight, f.edges, f.points) for f in _CARD.factors if f.kind == "bins")
_TABLES = {f.key: (f.weight, f.table, f.default) for f in _CARD.factors if f.kind == "table"}
_CAPS = tuple((c.factor, c.at_least, c.below, c.max_score) for c in _CARD.caps)
_PAYDEX_DAYS = (-30, -20, 0, 15, 22, 30, 60, 90, 120)
_PAYDEX_POINTS = (100, 90, 80, 70, 60, 50, 40, 30, 20)


def _paydex_points(dbt):
    """SPEC §2.1: linear between D&B's anchors, 3 days a point beyond 120."""
    if dbt > 120:
        return max(1.0, 20.0 - (dbt - 120) / 3.0)
    if dbt <= -30:
        return 100.0
    i = bisect.bisect_left(_PAYDEX_DAYS, dbt)
    d0, d1, p0, p1 = _PAYDEX_DAYS[i - 1], _PAYDEX_DAYS[i], _PAYDEX_POINTS[i - 1], _PAYDEX_POINTS[i]
    return p0 + (p1 - p0) * (dbt - d0) / (d1 - d0)


def creditscore(altman_z2, current_ratio, debt_ratio, paydex, dbt_days, max_days_overdue, overdue_share,
                years_in_business, employees, country, sector, negative_events):
    """docs/scorecard.md: weighted points of the factors given, re-weighted; caps; clamped to 0–100."""
    values = {"altman_z2": altman_z2, "current_ratio": current_ratio, "debt_ratio": debt_ratio,
              "paydex": paydex if paydex == paydex else _paydex_points(dbt_days),
              "max_days_overdue": max_days_overdue, "overdue_share": overdue_share,
              "years_in_business": years_in_business, "employees": employees, "negative_events": negative_events}
    total = weight = 0.0
    for key, w, edges, points in _BINS:
        total += w * points[bisect.bisect_right(edges, values[key])]
        weight += w
    for key, code in (("country", country), ("sector", sector)):
        w, table, default = _TABLES[key]
        total += w * table.get(code.strip().upper(), default)
        weight += w
    score = total / weight
    for factor, at_least, below, max_score in _CAPS:
        x = values[factor]
        if (x >= at_least if at_least is not None else x < below) and score > max_score:
            score = max_score
    return min(max(score, 0.0), 100.0)


_TERMS = _CARD.terms
_REGION_NAMES = _CARD.factor("region").aliases


def _terms_multiplier(kind, code, edges, multipliers):
    """docs/scorecard.md: the multiplier of the bin of the points the code earns in its factor's table; a
    blank code or a region not in the table: 1."""
    _w, table, default = _TABLES[kind]
    key = code.strip().upper()
    key = _REGION_NAMES.get(key, key) if kind == "region" else key
    if not key or (kind == "region" and key not in table):
        return 1.0
    return multipliers[bisect.bisect_right(edges, table.get(key, default))]


def creditterms(band, sector="", region="", requested_days=None):
    """docs/scorecard.md: ⌊band days × sector × region multiplier / 15⌋ × 15, at most the requested days;
    0 reads "cash in advance"."""
    days = _TERMS.band_days[band] * _terms_multiplier("sector", sector, _TERMS.sector_edges, _TERMS.sector_multipliers) \
        * _terms_multiplier("region", region, _TERMS.region_edges, _TERMS.region_multipliers)
    days = math.floor(days / _TERMS.round_to + 1e-9) * _TERMS.round_to
    if requested_days is not None and requested_days == requested_days:
        days = min(days, requested_days)
    return "cash in advance" if days == 0 else float(days)


# Excel function → its plain reference
REFERENCES = {
    "WORKINGCAPITAL": workingcapital, "CURRENTRATIO": currentratio, "QUICKRATIO": quickratio,
    "CASHRATIO": cashratio, "CCC": ccc, "WCHEALTH": wchealth,
    "AGEBUCKET": agebucket, "DAYSPASTDUE": dayspastdue, "DSO": dso, "BPDSO": bpdso, "ADD": add, "CEI": cei,
    "INSUREDLOSS": insuredloss, "UNINSUREDLOSS": uninsuredloss, "INSUREDSHARE": insuredshare,
    "NOTIFYBY": notifyby, "CLAIMBY": claimby,
    "VASICEKPD": vasicekpd, "WCDR": wcdr, "VASICEKCDF": vasicekcdf, "BASELRHO": baselrho, "IRBK": irbk,
    "IRBRW": irbrw,
    "ALTMANZ": altmanz, "ALTMANZONE": altmanzone, "EMRATING": emrating, "OHLSON": ohlson, "ZMIJEWSKI": zmijewski,
    "CREDITSCORE": creditscore, "CREDITPD": creditpd, "SCOREFROMPD": scorefrompd, "CREDITBAND": creditband,
    "CREDITGRADE": creditgrade, "CREDITLIMIT": creditlimit, "CREDITTERMS": creditterms, "EXPECTEDLOSS": expectedloss,
}

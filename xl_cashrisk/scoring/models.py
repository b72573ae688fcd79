"""Published bankruptcy and financial-strength models (SPEC §1): Altman Z / Z′ / Z″ / Z″-EM, Ohlson O,
Zmijewski X and Piotroski F.

Every function broadcasts its inputs: scalars in give a Python scalar out, arrays in give an array out.
Inputs are in currency units (not thousands); ratios are plain decimals (SPEC §0). A ratio whose
denominator is zero gives NaN (the Excel layer turns that into a readable error).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import expit, ndtr

from xl_cashrisk._array import floats, safe_divide, scalar_or_array, where

__all__ = [
    "ALTMAN_MODELS",
    "ALTMAN_ZONES",
    "EM_RATINGS",
    "OHLSON_TERMS",
    "PIOTROSKI_ITEMS",
    "PIOTROSKI_SIGNALS",
    "altman_model",
    "altman_z",
    "altman_zone",
    "em_rating",
    "ohlson_o",
    "ohlson_p",
    "ohlson_terms",
    "piotroski_f",
    "piotroski_signals",
    "zmijewski_p",
    "zmijewski_x",
]

# (constant, X1 WC/TA, X2 RE/TA, X3 EBIT/TA, X4 equity/TL, X5 Sales/TA) — SPEC §1.1–1.3
ALTMAN_MODELS: dict[str, tuple[float, float, float, float, float, float]] = {
    "Z": (0.0, 1.2, 1.4, 3.3, 0.6, 1.0),  # 1968, public manufacturers, market value of equity
    "Z1": (0.0, 0.717, 0.847, 3.107, 0.420, 0.998),  # Z′, private firms, book equity
    "Z2": (0.0, 6.56, 3.26, 6.72, 1.05, 0.0),  # Z″, non-manufacturers, book equity, no Sales/TA
    "EM": (3.25, 6.56, 3.26, 6.72, 1.05, 0.0),  # Z″-EM = 3.25 + Z″
}
# (lower, upper) cut-offs per model; SPEC §0: distress < lower ≤ grey ≤ upper < safe
ALTMAN_ZONES: dict[str, tuple[float, float]] = {
    "Z": (1.81, 2.99),
    "Z1": (1.23, 2.90),
    "Z2": (1.10, 2.60),
    "EM": (4.35, 5.85),  # the Z″ zones + 3.25: never apply Z″ cut-offs to an EM score (SPEC §1.3 pitfall)
}
_ALIASES = {"Z": "Z", "Z1": "Z1", "ZP": "Z1", "Z'": "Z1", "Z′": "Z1", "Z2": "Z2", "ZPP": "Z2", "Z''": "Z2",
            "Z″": "Z2", "EM": "EM", "ZEM": "EM", "Z2EM": "EM"}
# EM score lower bound → US bond-rating equivalent, ascending (SPEC §1.3); below 1.75 → "D"
EM_RATINGS: tuple[tuple[float, str], ...] = (
    (1.75, "CCC-"), (2.50, "CCC"), (3.20, "CCC+"), (3.75, "B-"), (4.15, "B"), (4.50, "B+"),
    (4.75, "BB-"), (4.95, "BB"), (5.25, "BB+"), (5.65, "BBB-"), (5.85, "BBB"), (6.25, "BBB+"),
    (6.40, "A-"), (6.65, "A"), (6.85, "A+"), (7.00, "AA-"), (7.30, "AA"), (7.60, "AA+"), (8.15, "AAA"),
)
_EM_EDGES = np.array([e for e, _ in EM_RATINGS])
_EM_LABELS = np.array(["D", *(r for _, r in EM_RATINGS)], dtype=object)
_EM_BOUNDS = tuple(_EM_EDGES.tolist())  # the same table for one score (bisect, no arrays)



def altman_model(model: str) -> str:
    """Canonical model key for a user spelling: "Z", "Z1" (also Zp, Z′), "Z2" (Zpp, Z″) or "EM".

    >>> altman_model("zpp"), altman_model("Z'")
    ('Z2', 'Z1')
    """
    key = _ALIASES.get(str(model).strip().upper().replace(" ", ""))
    if key is None:
        raise ValueError(f"unknown Altman model {model!r}: use Z, Z1, Z2 or EM")
    return key


def altman_z(wc, re, ebit, equity_value, sales, ta, tl, model: str = "Z"):
    """Altman Z-score family (SPEC §1.1–1.3).

    ``X1 = WC/TA, X2 = RE/TA, X3 = EBIT/TA, X4 = equity/TL, X5 = Sales/TA`` and

    * ``Z   = 1.2·X1 + 1.4·X2 + 3.3·X3 + 0.6·X4 + 1.0·X5``   (1968; equity at market value)
    * ``Z1  = 0.717·X1 + 0.847·X2 + 3.107·X3 + 0.420·X4 + 0.998·X5``   (Z′, private; book equity)
    * ``Z2  = 6.56·X1 + 3.26·X2 + 6.72·X3 + 1.05·X4``   (Z″, non-manufacturers; Sales not used)
    * ``EM  = 3.25 + Z2``   (Z″-EM)

    Parameters: working capital, retained earnings, EBIT, equity value (market for "Z", book for the
    others), sales, total assets, total liabilities, all in the same currency units. ``sales`` may be
    NaN/None for Z2 and EM. Returns the score (NaN where TA or TL is 0).

    Examples (SPEC §1.7 Z-1, Zp-1, Zpp-1 and Zpp-1 EM):

    >>> round(altman_z(250_000, 300_000, 150_000, 900_000, 1_200_000, 1_000_000, 450_000), 6)
    3.615
    >>> round(altman_z(250_000, 300_000, 150_000, 550_000, 1_200_000, 1_000_000, 450_000, "Z1"), 6)
    2.610333
    >>> round(altman_z(300_000, 250_000, 120_000, 600_000, None, 1_000_000, 400_000, "Z2"), 6)
    5.1644
    >>> round(altman_z(300_000, 250_000, 120_000, 600_000, None, 1_000_000, 400_000, "EM"), 6)
    8.4144
    """
    c, b1, b2, b3, b4, b5 = ALTMAN_MODELS[altman_model(model)]
    z = (c + b1 * safe_divide(wc, ta) + b2 * safe_divide(re, ta) + b3 * safe_divide(ebit, ta)
         + b4 * safe_divide(equity_value, tl))
    if b5:
        z = z + b5 * safe_divide(sales, ta)
    return scalar_or_array(z)


def altman_zone(score, model: str = "Z"):
    """Zone of an Altman score: "safe", "grey" or "distress" (SPEC §1.1–1.3, boundaries per §0).

    ``distress`` if score < lower, ``grey`` if lower ≤ score ≤ upper, ``safe`` if score > upper, with
    (lower, upper) = Z (1.81, 2.99), Z1 (1.23, 2.90), Z2 (1.10, 2.60), EM (4.35, 5.85). A score exactly
    on a cut-off is grey (conservative). NaN gives "".

    >>> altman_zone(2.99), altman_zone(3.615), altman_zone(0.6175)
    ('grey', 'safe', 'distress')
    >>> altman_zone(5.1644, "Z2"), altman_zone(5.346, "EM"), altman_zone(3.239694, "EM")
    ('safe', 'grey', 'distress')
    """
    lo, hi = ALTMAN_ZONES[altman_model(model)]
    s = floats(score)
    if s.__class__ is float:  # one score
        return "" if s != s else "safe" if s > hi else "grey" if s >= lo else "distress"
    zone = np.where(s > hi, "safe", np.where(s >= lo, "grey", "distress")).astype(object)
    zone[np.isnan(s)] = ""
    return scalar_or_array(zone)


def em_rating(em_score):
    """US bond-rating equivalent of a Z″-EM score (SPEC §1.3 table; values are lower bounds).

    The rating is the highest class whose lower bound the score reaches (``score ≥ bound``); below
    1.75 it is "D". Altman reports these as class averages; using them as lower bounds is the common
    implementation convention. NaN gives "".

    >>> em_rating(8.4144), em_rating(3.239694), em_rating(1.726463), em_rating(5.346)
    ('AAA', 'CCC+', 'D', 'BB+')
    >>> em_rating(5.85), em_rating(5.8499)
    ('BBB', 'BBB-')
    """
    s = floats(em_score)
    if s.__class__ is float:  # one score
        return "" if s != s else _EM_LABELS[bisect.bisect_right(_EM_BOUNDS, s)]
    out = _EM_LABELS[np.searchsorted(_EM_EDGES, np.nan_to_num(s, nan=-np.inf), side="right")]
    out = np.asarray(out, dtype=object)
    out[np.isnan(s)] = ""
    return scalar_or_array(out)


# ----------------------------------------------------------------------------------------------
# Ohlson (1980)

OHLSON_TERMS = ("const", "SIZE", "TLTA", "WCTA", "CLCA", "OENEG", "NITA", "FUTL", "INTWO", "CHIN")
_OHLSON_COEF = (-1.32, -0.407, 6.03, -1.43, 0.0757, -1.72, -2.37, -1.83, 0.285, -0.521)


def ohlson_terms(ta, tl, ca, cl, ni, ni_prev, ffo, price_index=100.0, amount_unit=1.0) -> dict[str, Any]:
    """The ten weighted terms of Ohlson's O-score, for audit (SPEC §1.4); their sum is O.

    Variables: SIZE = ln(TA · amount_unit / price_index), TA in currency units (index default 100, i.e.
    no deflation; ``amount_unit`` 1000 or 1,000,000 when the amounts are in thousands or millions —
    the ratios do not change, SIZE does: academic replications pass Compustat TA in $ millions, which
    puts O higher by 0.407·ln(10⁶) = 5.62 than Ohlson's dollars, SPEC §1.4); TLTA = TL/TA; WCTA = (CA−CL)/TA; CLCA = CL/CA; OENEG = 1 if TL > TA; NITA = NI/TA;
    FUTL = FFO/TL (funds from operations; use CFO); INTWO = 1 if NI < 0 in both years;
    CHIN = (NI − NI_prev)/(|NI| + |NI_prev|), 0 when both are 0.

    Term breakdown O-1 (SPEC §1.7):

    >>> t = ohlson_terms(50e6, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6)
    >>> {k: round(v, 6) for k, v in t.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'const': -1.32, 'SIZE': -5.340802, 'TLTA': 2.412, 'WCTA': -0.429, 'CLCA': 0.03028, 'OENEG': 0.0,
     'NITA': -0.1896, 'FUTL': -0.549, 'INTWO': 0.0, 'CHIN': -0.034733}
    """
    values = [floats(v) for v in (ta, tl, ca, cl, ni, ni_prev, ffo, price_index, amount_unit)]
    one = all(v.__class__ is float for v in values)  # one firm: the same expressions on Python floats
    ta, tl, ca, cl, ni, ni_prev, ffo, idx, unit = values if one else np.broadcast_arrays(*values)
    ok = (ta > 0) & (idx > 0) & (unit > 0)
    if one:
        size = float(np.log(ta * unit / idx)) if ok else math.nan
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            size = np.where(ok, np.log(np.where(ok, ta * unit, 1.0) / np.where(ok, idx, 1.0)), np.nan)
    denom = abs(ni) + abs(ni_prev)
    chin = where(denom == 0, 0.0, safe_divide(ni - ni_prev, denom))

    def flag(mask):
        return float(mask) if one else mask.astype(float)

    variables = (
        1.0 if one else np.ones_like(ta), size, safe_divide(tl, ta), safe_divide(ca - cl, ta), safe_divide(cl, ca),
        flag(tl > ta), safe_divide(ni, ta), safe_divide(ffo, tl), flag((ni < 0) & (ni_prev < 0)), chin,
    )
    return {k: scalar_or_array(c * v + 0.0) for k, c, v in zip(OHLSON_TERMS, _OHLSON_COEF, variables, strict=True)}


def ohlson_o(ta, tl, ca, cl, ni, ni_prev, ffo, price_index=100.0, amount_unit=1.0):
    """Ohlson O-score (SPEC §1.4): ``O = −1.32 − 0.407·SIZE + 6.03·TLTA − 1.43·WCTA + 0.0757·CLCA
    − 1.72·OENEG − 2.37·NITA − 1.83·FUTL + 0.285·INTWO − 0.521·CHIN`` (see :func:`ohlson_terms`;
    ``amount_unit``: 1000 or 1,000,000 for amounts in thousands or millions).

    Examples O-1, O-2 and O-3 (price index 600) of SPEC §1.7, and O-1 typed in thousands (the same O)
    and in millions without saying so (the academic replications' SIZE: O higher by 0.407·ln(10⁶)):

    >>> round(ohlson_o(50e6, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6), 6)
    -5.420855
    >>> round(ohlson_o(10e6, 11e6, 3e6, 5e6, -1.5e6, -0.8e6, -0.5e6), 6)
    0.201653
    >>> round(ohlson_o(50e6, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6, price_index=600), 6)
    -4.691609
    >>> round(ohlson_o(50e3, 20e3, 25e3, 10e3, 4e3, 3.5e3, 6e3, amount_unit=1000), 6)
    -5.420855
    >>> round(ohlson_o(50, 20, 25, 10, 4, 3.5, 6), 6)
    0.202058
    """
    return scalar_or_array(sum(ohlson_terms(ta, tl, ca, cl, ni, ni_prev, ffo, price_index, amount_unit).values()))


def ohlson_p(ta, tl, ca, cl, ni, ni_prev, ffo, price_index=100.0, amount_unit=1.0):
    """Ohlson probability of bankruptcy ``P = 1 / (1 + exp(−O))`` (SPEC §1.4). Practitioners flag
    P > 0.5; the model was fitted on a sample with a different bankrupt share than a trade book
    (SPEC §6.2), so treat P as a ranking, not a calibrated PD.

    >>> round(ohlson_p(50e6, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6), 6)
    0.004404
    >>> round(ohlson_p(10e6, 11e6, 3e6, 5e6, -1.5e6, -0.8e6, -0.5e6), 6)
    0.550243
    """
    return scalar_or_array(expit(floats(ohlson_o(ta, tl, ca, cl, ni, ni_prev, ffo, price_index, amount_unit))))


# ----------------------------------------------------------------------------------------------
# Zmijewski (1984)


def zmijewski_x(ni, tl, ta, ca, cl):
    """Zmijewski probit score ``X = −4.336 − 4.513·NI/TA + 5.679·TL/TA + 0.004·CA/CL`` (SPEC §1.5);
    higher X means more distress (X > 0 ⇔ P > 0.5 → distressed).

    >>> round(zmijewski_x(4e6, 20e6, 50e6, 25e6, 10e6), 6), round(zmijewski_x(-1.5e6, 11e6, 10e6, 3e6, 5e6), 6)
    (-2.41544, 2.59025)
    """
    return scalar_or_array(-4.336 - 4.513 * safe_divide(ni, ta) + 5.679 * safe_divide(tl, ta)
                           + 0.004 * safe_divide(ca, cl))


def zmijewski_p(ni, tl, ta, ca, cl):
    """Zmijewski probability ``P = Φ(X)`` (SPEC §1.5).

    >>> round(zmijewski_p(4e6, 20e6, 50e6, 25e6, 10e6), 6), round(zmijewski_p(90e3, 450e3, 1e6, 500e3, 250e3), 6)
    (0.007858, 0.01468)
    """
    return scalar_or_array(ndtr(floats(zmijewski_x(ni, tl, ta, ca, cl))))


# ----------------------------------------------------------------------------------------------
# Piotroski (2000)

# Items of one financial year, in the order the PIOTROSKI Excel function takes them.
PIOTROSKI_ITEMS = (
    "net_income", "cfo", "total_assets_begin", "total_assets_end", "long_term_debt",
    "current_assets", "current_liabilities", "sales", "cogs", "equity_issued",
)
PIOTROSKI_SIGNALS = ("F_ROA", "F_CFO", "F_dROA", "F_ACCRUAL", "F_dLEVER", "F_dLIQUID", "EQ_OFFER",
                     "F_dMARGIN", "F_dTURN")


def _year(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    missing = [k for k in PIOTROSKI_ITEMS if k not in values]
    if missing:
        raise KeyError(f"Piotroski: missing items {missing}")
    return {k: np.asarray(values[k], dtype=float) for k in PIOTROSKI_ITEMS}


def piotroski_signals(current: Mapping[str, Any], previous: Mapping[str, Any]):
    """The nine Piotroski signals, 1 or 0, in the order of :data:`PIOTROSKI_SIGNALS` (SPEC §1.6).

    ``current`` and ``previous`` map each name in :data:`PIOTROSKI_ITEMS` to a value (or array) for
    that year; the previous year's ``cfo`` and ``equity_issued`` are not used. Definitions: ROA =
    NI / beginning TA; CFO scaled by beginning TA; LEV = long-term debt / average TA; CR = CA/CL at
    year end; GM = (Sales − COGS)/Sales; AT = Sales / beginning TA. Comparisons are strict, ties
    give 0. Returns an int array whose last axis holds the nine signals.

    PF-C of SPEC §1.7:

    >>> cur = dict(net_income=30, cfo=50, total_assets_begin=900, total_assets_end=950, long_term_debt=180,
    ...            current_assets=310, current_liabilities=220, sales=1150, cogs=860, equity_issued=0)
    >>> prev = dict(net_income=40, cfo=55, total_assets_begin=800, total_assets_end=900, long_term_debt=200,
    ...             current_assets=300, current_liabilities=200, sales=1000, cogs=750, equity_issued=0)
    >>> piotroski_signals(cur, prev).tolist()
    [1, 1, 0, 1, 1, 0, 1, 1, 1]
    """
    c, p = _year(current), _year(previous)
    roa = safe_divide(c["net_income"], c["total_assets_begin"])
    roa_p = safe_divide(p["net_income"], p["total_assets_begin"])
    cfo = safe_divide(c["cfo"], c["total_assets_begin"])
    lev = safe_divide(c["long_term_debt"], (c["total_assets_begin"] + c["total_assets_end"]) / 2)
    lev_p = safe_divide(p["long_term_debt"], (p["total_assets_begin"] + p["total_assets_end"]) / 2)
    cr = safe_divide(c["current_assets"], c["current_liabilities"])
    cr_p = safe_divide(p["current_assets"], p["current_liabilities"])
    gm, gm_p = safe_divide(c["sales"] - c["cogs"], c["sales"]), safe_divide(p["sales"] - p["cogs"], p["sales"])
    at, at_p = safe_divide(c["sales"], c["total_assets_begin"]), safe_divide(p["sales"], p["total_assets_begin"])
    signals = (roa > 0, cfo > 0, roa > roa_p, cfo > roa, lev < lev_p, cr > cr_p, c["equity_issued"] == 0,
               gm > gm_p, at > at_p)
    return np.stack(np.broadcast_arrays(*signals), axis=-1).astype(int)


def piotroski_f(current: Mapping[str, Any], previous: Mapping[str, Any]):
    """Piotroski F-score = number of signals met, 0–9 (SPEC §1.6); 8–9 strong, 0–1 weak.

    PF-A of SPEC §1.7 (all nine signals):

    >>> cur = dict(net_income=80, cfo=110, total_assets_begin=1050, total_assets_end=1100, long_term_debt=280,
    ...            current_assets=450, current_liabilities=250, sales=1350, cogs=990, equity_issued=0)
    >>> prev = dict(net_income=60, cfo=70, total_assets_begin=1000, total_assets_end=1050, long_term_debt=300,
    ...             current_assets=400, current_liabilities=250, sales=1200, cogs=900, equity_issued=0)
    >>> piotroski_f(cur, prev)
    9
    """
    return scalar_or_array(piotroski_signals(current, previous).sum(axis=-1))

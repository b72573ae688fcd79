"""Payment-behaviour scores: a PAYDEX-style index from trade experiences (SPEC §2.1).

D&B does not publish its algorithm; SPEC §2.1 defines a toolkit approximation (D) that reproduces
D&B's anchor table exactly: points are piecewise-linear in days beyond terms (DBT) between the
anchors, and the index is the amount-weighted average of the points. Days beyond terms from ageing
buckets or from paid invoices live in :mod:`xl_cashrisk.receivables` (``dbt_from_buckets``,
``dbt_paid``).
"""

from __future__ import annotations

import numpy as np

from xl_cashrisk._array import floats, maximum, scalar_or_array

__all__ = [
    "MIN_EXPERIENCES",
    "MIN_REPORTERS",
    "PAYDEX_ANCHORS",
    "PAYDEX_METHODS",
    "UNAVAILABLE",
    "paydex",
    "paydex_points",
    "paydex_to_dbt",
]

# (days beyond terms, PAYDEX points) — D&B's published anchors (SPEC §2.1)
PAYDEX_ANCHORS = ((-30, 100), (-20, 90), (0, 80), (15, 70), (22, 60), (30, 50), (60, 40), (90, 30), (120, 20))
_DAYS = np.array([d for d, _ in PAYDEX_ANCHORS], dtype=float)
_POINTS = np.array([p for _, p in PAYDEX_ANCHORS], dtype=float)
_TAIL_FROM = float(_DAYS[-1])
TAIL_DAYS_PER_POINT = 3.0  # beyond 120 days: keep D&B's 3 days per point down to the floor of 1
MIN_EXPERIENCES = 3  # D&B needs ≥ 3 experiences from ≥ 2 reporters (SPEC §2.1, R)
MIN_REPORTERS = 2
UNAVAILABLE = "UN"
PAYDEX_METHODS = ("points", "days")


def paydex_points(dbt_days):
    """PAYDEX points of one payment experience paid ``dbt_days`` beyond terms (negative = early).

    ``d ≤ −30 → 100``; linear between the anchors (−30,100) (−20,90) (0,80) (15,70) (22,60) (30,50)
    (60,40) (90,30) (120,20); ``d > 120 → max(1, 20 − (d − 120)/3)``. SPEC §2.1 (D).

    >>> [round(paydex_points(d), 6) for d in (7, 45, 150)]     # PX-3, PX-4, PX-5
    [75.333333, 45.0, 10.0]
    >>> paydex_points(-45), paydex_points(500)
    (100.0, 1.0)
    """
    d = floats(dbt_days)
    if d.__class__ is float:  # one experience
        return maximum(1.0, 20.0 - (d - _TAIL_FROM) / TAIL_DAYS_PER_POINT) if d > _TAIL_FROM else float(
            np.interp(d, _DAYS, _POINTS))
    tail = np.maximum(1.0, 20.0 - (d - _DAYS[-1]) / TAIL_DAYS_PER_POINT)
    return scalar_or_array(np.where(d > _DAYS[-1], tail, np.interp(d, _DAYS, _POINTS)))


def paydex_to_dbt(paydex_value):
    """Days beyond terms implied by a PAYDEX (inverse of :func:`paydex_points` on the same anchors).

    Defined for 1 ≤ PAYDEX ≤ 100; NaN outside. A PAYDEX of 100 maps to −30 (the earliest anchor).

    >>> paydex_to_dbt(75), paydex_to_dbt(85)                   # PX-6
    (7.5, -10.0)
    >>> paydex_to_dbt(10), paydex_to_dbt(0)
    (150.0, nan)
    """
    p = np.asarray(paydex_value, dtype=float)
    head = np.interp(p, _POINTS[::-1], _DAYS[::-1])
    tail = _DAYS[-1] + (_POINTS[-1] - p) * TAIL_DAYS_PER_POINT
    out = np.where(p < _POINTS[-1], tail, head)
    return scalar_or_array(np.where((p >= 1) & (p <= 100), out, np.nan))


def paydex(amounts, dbt_days, reporters=None, method: str = "points",
           min_experiences: int = MIN_EXPERIENCES, min_reporters: int = MIN_REPORTERS):
    """Amount-weighted PAYDEX (1–100) of a set of payment experiences, or "UN" (SPEC §2.1, D).

    ``method="points"`` (default): ``Σ aᵢ·points(dᵢ) / Σ aᵢ``. ``method="days"``: weight the days
    first, ``points(Σ aᵢ·dᵢ / Σ aᵢ)`` — different because the mapping is non-linear. Returns
    :data:`UNAVAILABLE` ("UN") with fewer than ``min_experiences`` experiences or, when ``reporters``
    (one reporter id per experience) is given, fewer than ``min_reporters`` distinct reporters.
    Amounts must be positive.

    >>> a, d = [50_000, 30_000, 15_000, 5_000], [0, 15, 30, 90]
    >>> paydex(a, d), paydex(a, d, method="days")              # PX-1
    (70.0, 71.0)
    >>> round(paydex([100_000, 20_000, 10_000], [-10, 0, 60]), 6)   # PX-2
    80.769231
    >>> paydex([1, 2], [0, 0]), paydex(a, d, reporters=["A", "A", "A", "A"])
    ('UN', 'UN')
    """
    a = np.asarray(amounts, dtype=float).ravel()
    d = np.asarray(dbt_days, dtype=float).ravel()
    if a.shape != d.shape:
        raise ValueError(f"{a.size} amounts but {d.size} days-beyond-terms values")
    if method not in PAYDEX_METHODS:
        raise ValueError(f"unknown PAYDEX method {method!r}: use 'points' or 'days'")
    if np.isnan(a).any() or np.isnan(d).any():
        raise ValueError("PAYDEX: amounts and days must not be missing")
    if (a <= 0).any():
        raise ValueError("PAYDEX: every amount must be positive")
    if a.size < min_experiences:
        return UNAVAILABLE
    if reporters is not None:
        r = np.asarray(reporters, dtype=object).ravel()
        if r.size != a.size:
            raise ValueError(f"{a.size} amounts but {r.size} reporters")
        if len(set(r.tolist())) < min_reporters:
            return UNAVAILABLE
    if method == "days":
        return float(paydex_points(np.dot(a, d) / a.sum()))
    return float(np.dot(a, np.asarray(paydex_points(d))) / a.sum())

"""Payment terms, not only limits (CREDITTERMS): the longest terms the scorecard's terms policy allows a buyer.

The policy is the scorecard's ``[terms]`` table (docs/scorecard.md; a toolkit design choice, SPEC (D)):
days by band, times a sector multiplier and a region multiplier, rounded down to a step. The multipliers
go by the points the sector and the region earn in the scorecard's own sector and region tables, so one
table says which sector or region is the riskier and the terms follow it; the loader refuses a policy in
which a worse band, a riskier sector or a riskier region could get longer terms
(:func:`xl_cashrisk.scoring.config.load_scorecard`). 0 days means no credit: cash in advance.
"""

from __future__ import annotations

import numpy as np

from xl_cashrisk._array import scalar_or_array
from xl_cashrisk.scoring.bands import band_keys
from xl_cashrisk.scoring.config import Scorecard, default_scorecard
from xl_cashrisk.scoring.scorecard import factor_points

__all__ = ["CASH_IN_ADVANCE", "credit_terms", "terms_multiplier", "terms_words"]

CASH_IN_ADVANCE = {"en": "cash in advance", "zh": "预付"}  # how 0 days of credit reads
_ROUNDING_SLACK = 1e-9  # 90 × 0.5 may come out as 44.999…: a whole step stays whole


def terms_multiplier(kind: str, code, scorecard: Scorecard | None = None):
    """The policy's multiplier for a sector or region code (``kind`` "sector" or "region"): by the points the
    code earns in that factor's table, bins ``[lower, upper)`` of ``terms.<kind>.edges``. A blank code, or
    one the factor leaves out (a region not in the region table), gets 1: no adjustment.

    >>> terms_multiplier("sector", ["pharma", "machinery", "consumer_goods", "construction", "", "mining"]).tolist()
    [1.25, 1.0, 0.75, 0.5, 1.0, 0.75]
    >>> terms_multiplier("region", ["Shanghai", "河南", "辽宁省", "EU"]).tolist()
    [1.0, 1.0, 0.75, 1.0]
    """
    card = scorecard or default_scorecard()
    pol = card.terms
    edges, mult = (pol.sector_edges, pol.sector_multipliers) if kind == "sector" else (pol.region_edges, pol.region_multipliers)
    arr = np.asarray(code, dtype=object)
    if not card.has_factor(kind):
        return scalar_or_array(np.ones(arr.shape))
    points, present = factor_points(card.factor(kind), arr.ravel())
    idx = np.searchsorted(np.asarray(edges, dtype=float), points, side="right")
    out = np.where(present, np.asarray(mult, dtype=float)[idx], 1.0)
    return scalar_or_array(out.reshape(arr.shape))


def credit_terms(band, sector=None, region=None, requested_days=None, scorecard: Scorecard | None = None):
    """The longest payment terms (days) the terms policy allows (CREDITTERMS; docs/scorecard.md, D):

    ``allowed = ⌊D(band) × m_sector × m_region / step⌋ × step`` and, with requested terms,
    ``min(allowed, requested)``. ``D`` is ``terms.bands`` (GREEN 90, YELLOW 45, RED 0, NR 0 by default),
    ``m`` the multipliers of :func:`terms_multiplier`, ``step`` ``terms.round_to`` (15). 0 = no credit
    (cash in advance); NaN where the band is not a band word or score. ``band``: band words
    (GREEN/绿/G, NR/未评级) or scores; blank ``requested_days`` (None/NaN): the allowed terms.

    A worse band, a riskier sector or region (fewer points in the scorecard's table) never gets longer terms.

    >>> credit_terms(["GREEN", "YELLOW", "RED", "NR"]).tolist()
    [90.0, 45.0, 0.0, 0.0]
    >>> credit_terms("GREEN", "consumer_goods", "Liaoning")     # 90 × 0.75 × 0.75 = 50.6 → 45
    45.0
    >>> credit_terms("GREEN", "machinery", "广东", requested_days=[30, 120]).tolist()
    [30.0, 90.0]
    """
    card = scorecard or default_scorecard()
    pol = card.terms
    keys = band_keys(band, card)
    days = np.array([pol.band_days.get(k, np.nan) for k in keys.ravel()], dtype=float).reshape(keys.shape)
    ms = np.asarray(terms_multiplier("sector", "" if sector is None else sector, card), dtype=float)
    mr = np.asarray(terms_multiplier("region", "" if region is None else region, card), dtype=float)
    allowed = np.floor(days * ms * mr / pol.round_to + _ROUNDING_SLACK) * pol.round_to
    if requested_days is not None:
        allowed = np.where(np.isnan(allowed), np.nan, np.fmin(allowed, np.asarray(requested_days, dtype=float)))
    return scalar_or_array(allowed)


def terms_words(days, language: str = "en"):
    """Terms as a cell shows them: days as numbers, 0 as "cash in advance" (预付 in zh), NaN as ''.

    >>> terms_words([45.0, 0.0, float("nan")], "zh").tolist()
    [45.0, '预付', '']
    """
    d = np.asarray(days, dtype=float)
    out = d.astype(object)
    out[d == 0] = CASH_IN_ADVANCE["zh" if language == "zh" else "en"]
    out[np.isnan(d)] = ""
    return scalar_or_array(out)

"""Recommended credit limit (SPEC §3.8) and expected loss with optional credit insurance (SPEC §6.1).

Shares and band multipliers come from the scorecard's ``[limits]`` table (D, built from SPEC [S16a–d]).
"""

from __future__ import annotations

import numpy as np

from xl_cashrisk._array import floats, fmin, maximum, minimum, nan_to_num, scalar_or_array, where
from xl_cashrisk.dates import DAYS_IN_YEAR
from xl_cashrisk.scoring.bands import band_key, band_keys, band_of
from xl_cashrisk.scoring.config import Scorecard, default_scorecard

__all__ = ["band_multiplier", "credit_limit", "expected_loss", "insured_indemnity", "limit_capacity", "limit_need"]

def limit_need(annual_sales, terms_days, expected_dbt=0.0, vat_rate=0.0, days_in_year=DAYS_IN_YEAR):
    """Needs-based limit: ``annual_sales / days_in_year × (terms + max(DBT, 0)) × (1 + VAT)`` (SPEC §3.8).

    >>> round(limit_need(1_200_000, 60, 10), 2)                 # CL-1
    230136.99
    """
    s, t, d, v = (floats(x) for x in (annual_sales, terms_days, expected_dbt, vat_rate))
    return scalar_or_array(s / float(days_in_year) * (t + maximum(nan_to_num(d), 0.0)) * (1.0 + v))


def limit_capacity(tangible_net_worth, working_capital, tnw_share=0.10, wc_share=0.20):
    """Financial capacity: ``min(tnw_share × TNW, wc_share × WC)``, never below 0 (SPEC §3.8, [S16a]).

    A missing (NaN) base is left out; both missing gives NaN.

    >>> limit_capacity(2_000_000, 900_000)                      # CL-1
    180000.0
    >>> limit_capacity(80_000, 700_000, 0.35, 0.05)             # CL-2: 35 % of TNW, 5 % of turnover
    28000.0
    """
    both = fmin(floats(tangible_net_worth) * tnw_share, floats(working_capital) * wc_share)  # ignores one NaN
    return scalar_or_array(where(both != both, np.nan, maximum(both, 0.0)))


def band_multiplier(band, scorecard: Scorecard | None = None):
    """Share of capacity granted for a band: GREEN 1.0, YELLOW 0.5, RED 0.0 by default. ``band`` may be a
    band word (:func:`~xl_cashrisk.scoring.bands.band_key`: GREEN/YELLOW/RED, 绿/黄/红, G/Y/R, any case) or a
    score (its band is used).

    >>> band_multiplier(["green", "黄", "R", 45.0]).tolist()
    [1.0, 0.5, 0.0, 0.5]
    """
    card = scorecard or default_scorecard()
    mult = {k: card.limits[k.lower()] for k in ("GREEN", "YELLOW", "RED")}
    kind = band.__class__
    if kind is str or kind is float or kind is int:  # one band word or score
        key = band_key(band) if kind is str else band_of(float(band), card)
        return float(mult.get(key, np.nan))  # unknown words and "NR" → NaN
    keys = band_keys(band, card)
    values = np.array([mult.get(k, np.nan) for k in keys.ravel()], dtype=float)  # unknown words and "NR" → NaN
    return scalar_or_array(values.reshape(keys.shape))


def credit_limit(annual_sales, terms_days, expected_dbt, tangible_net_worth, working_capital, band, vat_rate=0.0,
                 insurer_limit=None, scorecard: Scorecard | None = None):
    """Recommended credit limit (SPEC §3.8, D):

    ``limit = min(need, band_multiplier × capacity, insurer_limit)``, never below 0, where ``need`` is
    :func:`limit_need` and ``capacity`` :func:`limit_capacity` (shares from the scorecard). A missing
    insurer limit (None/NaN) means no insurer cap. NaN if the band is not rated or both capacity
    bases are missing.

    >>> [round(credit_limit(1_200_000, 60, 10, 2_000_000, 900_000, b), 2) for b in ("GREEN", "YELLOW", "RED")]
    [180000.0, 90000.0, 0.0]
    >>> credit_limit(1_200_000, 60, 10, 2_000_000, 900_000, "GREEN", insurer_limit=150_000)
    150000.0
    >>> credit_limit(1_200_000, 60, 10, 2_000_000, 900_000, "NR", insurer_limit=150_000)
    nan
    """
    card = scorecard or default_scorecard()
    lim = card.limits
    need = limit_need(annual_sales, terms_days, expected_dbt, vat_rate, lim["days_in_year"])
    cap = limit_capacity(tangible_net_worth, working_capital, lim["tnw_share"], lim["wc_share"])
    ins = np.nan if insurer_limit is None else floats(insurer_limit)
    base = minimum(need, floats(band_multiplier(band, card)) * cap)  # NaN: band not rated, capacity unknown
    # fmin: a NaN insurer limit means "no cap"; but a NaN base stays NaN (no limit is recommended
    # for a buyer that cannot be rated, whatever the insurer's limit)
    return scalar_or_array(maximum(where(base != base, np.nan, fmin(base, ins)), 0.0))


def insured_indemnity(ead, insured_share, insurer_limit=None, recoveries=0.0):
    """Indemnity the insurer would pay: ``I = insured_share × min(EAD − recoveries, limit)`` (SPEC §6.1).

    A missing limit (None/NaN) means no insurer limit; a limit of 0 means the buyer is not covered.

    >>> insured_indemnity(800_000, 0.9, 700_000), insured_indemnity(240_000, 0.9, 0)
    (630000.0, 0.0)
    """
    e = floats(ead) - floats(recoveries)
    lim = np.nan if insurer_limit is None else floats(insurer_limit)
    return scalar_or_array(floats(insured_share) * maximum(fmin(e, lim), 0.0))


def expected_loss(pd_, lgd, ead, insured_share=0.0, insurer_limit=None, recoveries=0.0):
    """Expected loss kept by the seller: ``EL = PD × LGD × (EAD − I)`` with I the insured indemnity
    (:func:`insured_indemnity`); uninsured (share 0) this is ``PD × LGD × EAD`` (SPEC §6.1).
    The insurer's part is ``PD × LGD × I``; gross EL = seller + insurer.

    >>> round(expected_loss(0.02, 0.45, 1_000_000), 2)          # EL-1
    9000.0
    >>> round(expected_loss(0.01, 0.60, 800_000, 0.9, 700_000), 2)   # EL-2 buyer A, seller net
    1020.0
    """
    kept = floats(ead) - insured_indemnity(ead, insured_share, insurer_limit, recoveries)
    return scalar_or_array(floats(pd_) * floats(lgd) * kept)

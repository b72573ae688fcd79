"""The formula core gives one value exactly what it gives an array (issue 20).

A filled-down Excel cell calls its formula with Python floats, and the formulas take them without
building arrays (:mod:`xl_cashrisk._array`). Every formula behind a function filled down a column is
called here three ways on the same awkward inputs: with Python values; with 0-d arrays (how the core
read one value before: same bits, same message when it refuses); and as the first row of a longer array
(same value). The composite score of one buyer is compared with the same buyer in a column of buyers.
"""

from __future__ import annotations

import datetime as dt
import math
import struct

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xl_cashrisk import insurance as ins
from xl_cashrisk import portfolio as pf
from xl_cashrisk import ratios
from xl_cashrisk import receivables as rcv
from xl_cashrisk.scoring import bands, limits, models, scorecard
from xl_cashrisk.scoring.config import default_scorecard
from xl_cashrisk.scoring.paydex import paydex_points

AWKWARD = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 30.0, 31.0, 100.0, 1e-300, 5e-324, 1e300, -1e300, math.inf, -math.inf,
           math.nan]
ANY = st.one_of(st.sampled_from(AWKWARD), st.floats(allow_nan=True, allow_infinity=True),
                st.floats(-1e7, 1e7), st.integers(-400, 400).map(float))
UNIT = st.one_of(st.sampled_from([0.0, 1e-9, 0.01, 0.5, 0.999, 1.0, math.nan, -0.1, 1.5]), st.floats(0, 1))
OPEN = st.one_of(st.sampled_from([0.0, 0.2, 0.9999, 1.0]), st.floats(0, 1, exclude_max=True))
POSITIVE = st.one_of(st.sampled_from([1e-9, 1.0, 2.5, 5.0, 50.0, 1e9]), st.floats(1e-6, 1e9))
SCORE = st.one_of(st.sampled_from([0.0, 29.9, 30.0, 50.99, 51.0, 100.0, math.nan, -5.0, 120.0]), st.floats(-50, 150))
POLICY = ins.Policy(notify_days=59, holidays=(dt.date(2024, 3, 1), dt.date(2024, 12, 31)))
CARD = default_scorecard()

# name → (formula, strategies of its positional arguments); every argument is a number
CASES = {
    "working_capital": (ratios.working_capital, (ANY, ANY)),
    "current_ratio": (ratios.current_ratio, (ANY, ANY)),
    "quick_ratio": (ratios.quick_ratio, (ANY, ANY, ANY, ANY)),
    "cash_ratio": (ratios.cash_ratio, (ANY, ANY, ANY)),
    "ccc": (ratios.ccc, (ANY, ANY, ANY)),
    "wc_health_label": (lambda r: ratios.wc_health_label(r, ratios.CURRENT_RATIO_BANDS, "zh"), (ANY,)),
    "dso": (rcv.dso, (ANY, ANY, ANY)),
    "average_days_delinquent": (rcv.average_days_delinquent, (ANY, ANY, ANY, ANY)),
    "cei": (rcv.cei, (ANY, ANY, ANY, ANY, ANY)),
    "age_bucket_index dpd": (rcv.age_bucket_index, (ANY,)),
    "age_bucket_index invoice": (lambda d: rcv.age_bucket_index(d, (15, 45), "invoice"), (ANY,)),
    "indemnity": (ins.indemnity, (ANY, ANY, UNIT, ANY, ANY, ANY)),
    "indemnity afl first": (lambda *a: ins.indemnity(*a, minimum_retention=100.0, afl_before_pct=True),
                            (ANY, ANY, UNIT, ANY, ANY, ANY)),
    "uninsured_loss": (ins.uninsured_loss, (ANY, ANY, UNIT, ANY, ANY, ANY)),
    "insured_share": (ins.insured_share, (ANY, ANY, UNIT, ANY)),
    "vasicek_pd": (pf.vasicek_pd, (UNIT, OPEN, ANY)),
    "wcdr": (pf.wcdr, (UNIT, OPEN, UNIT)),
    "loss_rate_cdf": (pf.loss_rate_cdf, (UNIT, UNIT, OPEN)),
    "basel_rho": (pf.basel_rho, (UNIT, st.one_of(POSITIVE, st.sampled_from([math.nan, -1.0, 0.0, 27.5])))),
    "basel_k": (pf.basel_k, (UNIT, UNIT, POSITIVE, st.one_of(POSITIVE, st.just(math.nan)))),
    "risk_weight": (pf.risk_weight, (UNIT, UNIT, POSITIVE, POSITIVE, st.one_of(POSITIVE, st.just(math.nan)))),
    "altman_z Z": (models.altman_z, (ANY, ANY, ANY, ANY, ANY, ANY, ANY)),
    "altman_z EM": (lambda *a: models.altman_z(*a, model="EM"), (ANY, ANY, ANY, ANY, ANY, ANY, ANY)),
    "altman_zone": (lambda z: models.altman_zone(z, "Z1"), (ANY,)),
    "em_rating": (models.em_rating, (ANY,)),
    "ohlson_p": (models.ohlson_p, (ANY,) * 9),
    "ohlson_o": (models.ohlson_o, (POSITIVE, ANY, POSITIVE, ANY, ANY, ANY, ANY, POSITIVE, POSITIVE)),
    "zmijewski_p": (models.zmijewski_p, (ANY,) * 5),
    "credit_pd": (bands.credit_pd, (SCORE,)),
    "credit_pd anchors": (lambda s: bands.credit_pd(s, 40.0, 30.0, 12.5), (SCORE,)),
    "score_from_pd": (bands.score_from_pd, (UNIT,)),
    "credit_band": (lambda s: bands.credit_band(s, "zh", "meaning"), (SCORE,)),
    "credit_letter": (bands.credit_letter, (SCORE,)),
    "credit_grade": (bands.credit_grade, (SCORE,)),
    "limit_need": (limits.limit_need, (ANY, ANY, ANY, ANY)),
    "limit_capacity": (limits.limit_capacity, (ANY, ANY)),
    "credit_limit": (lambda s, t, d, tnw, wc, band, vat, lim: limits.credit_limit(s, t, d, tnw, wc, band, vat, lim),
                     (ANY, ANY, ANY, ANY, ANY, SCORE, ANY, ANY)),
    "expected_loss": (limits.expected_loss, (ANY, ANY, ANY, ANY, ANY, ANY)),
    "paydex_points": (paydex_points, (ANY,)),
}


def _outcome(f, args):
    try:
        with np.errstate(all="ignore"):
            out = f(*args)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        return "error", type(exc).__name__, str(exc)
    return "value", out


def _item(out, i: int = 0):
    if isinstance(out, np.ndarray):
        return out.reshape(-1)[i] if out.ndim else out.item()
    return out


def _bits(x):
    if isinstance(x, float | np.floating):
        return "nan" if math.isnan(x) else struct.pack("<d", float(x))
    return x.item() if isinstance(x, np.generic) else x


def _value(x):
    return "nan" if isinstance(x, float | np.floating) and math.isnan(x) else float(x) if isinstance(
        x, float | np.floating) else _bits(x)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_one_value_is_the_array_result(name, data):
    f, strategies = CASES[name]
    args = data.draw(st.tuples(*strategies))
    one = _outcome(f, args)
    zero_d = _outcome(f, [np.asarray(a, dtype=float) if a is not None else None for a in args])
    if zero_d[0] == "error":
        assert one == zero_d
        return
    assert one[0] == "value", one
    got = one[1]
    assert not isinstance(got, np.ndarray | np.generic), (name, type(got))  # scalar in, Python scalar out
    assert _bits(got) == _bits(_item(zero_d[1])), (name, args, got, zero_d[1])
    item = _outcome(f, [np.array([a], dtype=float) if a is not None else None for a in args])
    assert item[0] == "value" and _bits(got) == _bits(_item(item[1])), (name, args, got, item)
    column = _outcome(f, [np.array([a, 1.0, 0.5], dtype=float) if a is not None else None for a in args])
    if column[0] == "value":
        assert _value(got) == _value(_item(column[1])), (name, args, got, column)


def test_ohlson_terms_of_one_firm_are_the_arrays_terms():
    firm = (50e6, 20e6, 25e6, 10e6, -4e6, -3.5e6, 6e6, 600.0, 1000.0)
    one = models.ohlson_terms(*firm)
    arrays = models.ohlson_terms(*(np.array([v, 1.0]) for v in firm))
    assert all(type(v) is float for v in one.values())
    assert {k: _bits(v) for k, v in one.items()} == {k: _bits(v[0]) for k, v in arrays.items()}


DAYS = st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31))


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS, st.booleans())
def test_one_date_gives_the_arrays_days_and_deadlines(due, as_of, move):
    """Days past due, and the notify and claim deadlines (weekends and holidays moved back), for one
    date: the same day as numpy's busday rule on an array; a deadline past the year 9999 stays a datetime64."""
    assert rcv.days_past_due(due, as_of) == int(rcv.days_past_due(np.array([due, as_of], "datetime64[D]"),
                                                                  np.datetime64(as_of, "D"))[0])
    policy = ins.Policy(notify_days=59, max_extension_period=30, notify_basis="mep_end", move_weekends=move,
                        holidays=POLICY.holidays)
    for one, many in ((ins.notify_by(due, policy), ins.notify_by(np.array([due], "datetime64[D]"), policy)),
                      (ins.claim_by(due, due, policy), ins.claim_by(np.array([due], "datetime64[D]"), None, policy))):
        assert isinstance(one, np.datetime64) and one == many[0]


def test_deadline_on_a_holiday_weekend_moves_back_to_the_business_day_before():
    # 2024-01-02 + 59 days = Friday 2024-03-01, a holiday here → Thursday 29 February
    assert ins.notify_by(dt.date(2024, 1, 2), POLICY) == np.datetime64("2024-02-29")
    assert ins.notify_by(dt.date(9999, 12, 20), POLICY) == np.datetime64("10000-02-17")  # beyond Python's dates


BUYER = {
    "altman_z2": st.one_of(st.none(), st.sampled_from([math.nan, 1.10, 2.6]), st.floats(-5, 10)),
    "current_ratio": st.one_of(st.none(), st.floats(0, 5)),
    "debt_ratio": st.one_of(st.none(), st.floats(0, 1.5)),
    "paydex": st.one_of(st.none(), st.just(math.nan), st.floats(0, 100)),
    "dbt_days": st.one_of(st.none(), st.just(math.nan), st.floats(-40, 300)),
    "max_days_overdue": st.one_of(st.none(), st.sampled_from([30.0, 31.0, 61.0]), st.floats(0, 200)),
    "overdue_share": st.one_of(st.none(), st.floats(0, 1)),
    "years_in_business": st.one_of(st.none(), st.floats(0, 50)),
    "employees": st.one_of(st.none(), st.integers(0, 5000)),
    "country": st.sampled_from(["CN", " us ", "xx", "", None]),
    "sector": st.sampled_from(["pharma", "Retail", "unknown", None]),
    "negative_events": st.one_of(st.none(), st.integers(0, 5)),
}


@settings(max_examples=300, deadline=None)
@given(buyer=st.fixed_dictionaries({}, optional=BUYER), custom=st.booleans())
def test_one_buyers_score_is_the_columns_score(buyer, custom):
    assume(buyer)
    card = CARD.with_overrides({"factors.paydex.weight": 13.3, "factors.sector.weight": 4.7, "min_confidence": 0.5}) if custom else CARD
    one = scorecard.credit_score(buyer, card)
    column = scorecard.credit_score({k: np.array([v, v], dtype=object if k in ("country", "sector") else float)
                                     for k, v in buyer.items()}, card)
    assert type(one.score) is float and type(one.capped_by) is str
    for got, want in ((one.score, column.score[0]), (one.confidence, column.confidence[0]),
                      (one.raw_score, column.raw_score[0])):
        assert _bits(got) == _bits(want), (buyer, got, want)
    assert one.capped_by == column.capped_by[0] and one.version == column.version

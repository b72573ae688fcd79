"""xl_cashrisk._array: the core's "scalar in, scalar out" and its one safe division.

``safe_divide`` replaced two rules (ratios: undefined where the denominator is not above 0; the
published models: undefined where it is 0) and several hand-written ``np.where`` divisions; each rule
is re-implemented here pair by pair (which denominators are undefined, what stands in for them) and
compared on awkward numbers.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk import ratios
from xl_cashrisk._array import (
    floats,
    fmin,
    maximum,
    minimum,
    nan_if_inf,
    nan_to_num,
    safe_divide,
    scalar_or_array,
    where,
)
from xl_cashrisk.scoring import models

AWKWARD = [0.0, -0.0, 1.0, -1.0, 2.5, 1e-300, -1e-300, 5e-324, 1e300, -1e300, math.inf, -math.inf, math.nan]
number = st.one_of(st.sampled_from(AWKWARD), st.floats(allow_nan=True, allow_infinity=True))


def _plain_divide(a: float, b: float, positive: bool, fill: float) -> float:
    """The rule for one pair: ``fill`` where undefined, else the IEEE quotient (±inf on overflow)."""
    defined = b > 0 if positive else (b != 0 and not math.isnan(b))
    if not defined:
        return fill
    with np.errstate(all="ignore"):
        return float(np.float64(a) / np.float64(b))


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(number, number), min_size=1, max_size=20), st.booleans(),
       st.sampled_from([math.nan, 0.0]))
def test_safe_divide_is_its_rule_item_by_item(pairs, positive, fill):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    got = safe_divide(a, b, positive=positive, fill=fill)
    for x, y, g in zip(a.tolist(), b.tolist(), got.tolist(), strict=True):
        want = _plain_divide(x, y, positive, fill)
        assert _same(g, want), (x, y, positive, fill, g, want)


def test_the_two_former_rules():
    cl = np.array([500_000.0, 0.0, -100.0, np.nan])
    # current ratio: a ratio over no or negative current liabilities is undefined (SPEC §5)
    np.testing.assert_array_equal(ratios.current_ratio(920_000.0, cl), [1.84, np.nan, np.nan, np.nan])
    # Zmijewski X = −4.336 − 4.513·NI/TA + 5.679·TL/TA + 0.004·CA/CL: NaN only where a base is 0
    x = models.zmijewski_x(4e6, 2e7, 5e7, 2.5e7, np.array([1e7, 0.0, -1e7]))
    want = -4.336 - 4.513 * 0.08 + 5.679 * 0.4 + 0.004 * np.array([2.5, np.nan, -2.5])
    np.testing.assert_allclose(x, want, rtol=1e-15)


def test_scalar_or_array_keeps_each_contract():
    assert scalar_or_array(np.float64(0.5)) == 0.5 and type(scalar_or_array(np.float64(0.5))) is float
    assert type(scalar_or_array(np.int64(16))) is int  # days past due stay whole days
    assert type(scalar_or_array(np.array(3), dtype=float)) is float  # a formula's number is a float
    assert scalar_or_array(np.array("GREEN", dtype=object)) == "GREEN"
    arr = np.array([1.0, 2.0])
    assert scalar_or_array(arr) is arr  # an array comes back as it is, not copied
    s = pd.Series([150_000.0, 0.0], index=["B1", "B2"], name="ar")
    out = scalar_or_array(np.array([30.4, np.nan]), like=s)
    assert list(out.index) == ["B1", "B2"] and out.name == "ar"
    assert scalar_or_array(np.array([30.4]), like=[1.0]).tolist() == [30.4]  # only a Series is copied from


# ---------------------------------------------------------------------------------------------- one value

def _bits(x) -> object:
    """A float's exact bits (every NaN alike); anything else as it is."""
    if isinstance(x, float | np.floating):
        x = float(x)
        return "nan" if math.isnan(x) else struct.pack("<d", x)
    return x


@settings(max_examples=400, deadline=None)
@given(number, number, st.booleans(), st.sampled_from([math.nan, 0.0]))
def test_one_value_helpers_give_numpys_bits_for_one_value(a, b, positive, fill):
    """The helpers' Python branch returns exactly what numpy returns for one-item arrays (the form one
    value took before): NaN propagation, and which of two equal zeros comes back."""
    one = np.array([a]), np.array([b])
    with np.errstate(all="ignore"):
        pairs = [
            (maximum(a, b), np.maximum(*one)), (minimum(a, b), np.minimum(*one)), (fmin(a, b), np.fmin(*one)),
            (nan_if_inf(a), np.where(np.isinf(one[0]), np.nan, one[0])), (nan_to_num(a), np.nan_to_num(one[0])),
            (safe_divide(a, b, positive=positive, fill=fill), safe_divide(*one, positive=positive, fill=fill)),
            (where(a > b, a, b), np.where(one[0] > one[1], *one)),
        ]
    for got, want in pairs:
        assert type(got) is float and _bits(got) == _bits(want[0]), (a, b, got, want)


def test_one_value_helpers_by_hand():
    assert floats(3) == 3.0 and type(floats(3)) is float and type(floats(np.float64(2.5))) is float
    assert floats(None).ndim == 0 and np.isnan(floats(None))  # not a number: the array reading
    assert safe_divide(1, 0) != safe_divide(1, 0) and safe_divide(3, 2) == 1.5
    assert (maximum(-0.0, 0.0), minimum(1.0, 2.0), fmin(np.nan, 4.0)) == (0.0, 1.0, 4.0)
    assert math.copysign(1, maximum(0.0, -0.0)) == -1  # numpy's choice: the second of two equal values
    assert where(False, 1.0, 2.0) == 2.0 and where(np.bool_(True), 1.0, 2.0) == 1.0
    assert scalar_or_array(2.5) == 2.5 and type(scalar_or_array(np.float64(2.5))) is float

"""Array conventions shared by the formula core: "scalar in, scalar out" and division where a base may be 0.

Every core formula broadcasts its inputs like numpy and hands back what it was given: a Python scalar
for scalar inputs, an array (or a pandas Series, when a Series came in) otherwise — the
numpy-financial convention (STYLE.md). :func:`scalar_or_array` is that last step, in one place.

A ratio whose base is 0 is undefined, not infinite: :func:`safe_divide` states which denominators
make a division undefined and what takes the place of its result, instead of each module writing
``np.where(ok, a / np.where(ok, b, 1.0), fill)`` with its own rule.

One value, one formula (issue 20): an Excel function filled down a column calls its formula once per
cell, with Python floats. Building one-item arrays for that costs 20–100× the arithmetic, so a formula
written with :func:`floats` (a Python number stays a Python float) and the helpers below runs the
same expression on Python floats for one value and on arrays for many. The helpers give exactly what
numpy gives for one value — NaN propagation, which of two equal zeros comes back, 0 for an undefined
ratio's fill — bit for bit (tests/test_array.py compares them with numpy on awkward floats); functions
without an exact Python twin (``exp``, ``log``, ``ndtr`` …) stay numpy/scipy ufuncs, which take a Python
float directly and cost a tenth of a microsecond.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["floats", "fmin", "maximum", "minimum", "nan_if_inf", "nan_to_num", "safe_divide", "scalar_or_array", "where"]

_NUMBER = (float, int)  # Python numbers a formula may take as one value (bool excluded: not a number)


def scalar_or_array(x: Any, like: Any = None, dtype: Any = None) -> Any:
    """``x`` as a core function returns it: a Python scalar when ``x`` is 0-d, a pandas Series with
    the index and name of ``like`` when ``like`` is a Series, else the array. ``dtype`` converts first
    (``float`` for a formula whose result is a number even when its input was an integer).

    >>> scalar_or_array(np.float64(1.5)), scalar_or_array(np.array(2), dtype=float), scalar_or_array(2.5)
    (1.5, 2.0, 2.5)
    >>> scalar_or_array(np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    >>> scalar_or_array(np.array([10.0, 20.0]), like=pd.Series([1, 2], index=["a", "b"], name="ar")).to_dict()
    {'a': 10.0, 'b': 20.0}
    """
    kind = x.__class__
    if (kind is float or kind is np.float64) and (dtype is None or dtype is float) and (
            like is None or like.__class__ is float or not isinstance(like, pd.Series)):
        return float(x)  # one value: no array
    a = np.asarray(x, dtype=dtype)
    if isinstance(like, pd.Series):
        return pd.Series(a, index=like.index, name=like.name)
    return a.item() if a.ndim == 0 else a


def floats(x: Any) -> Any:
    """A formula's input as floats: a Python float for one number (a Python int or float, a numpy float64),
    else ``np.asarray(x, dtype=float)``.

    >>> floats(3), floats([1, 2]).tolist()
    (3.0, [1.0, 2.0])
    """
    kind = x.__class__
    if kind is float:
        return x
    if kind is int or kind is np.float64:
        return float(x)
    return np.asarray(x, dtype=float)


def safe_divide(numerator: Any, denominator: Any, *, positive: bool = False, fill: float = np.nan) -> Any:
    """``numerator / denominator``, broadcast, as floats; ``fill`` where the division is undefined.

    Undefined: the denominator is 0 or NaN — or, with ``positive=True``, not above 0 (a ratio over a
    negative base means nothing: negative current liabilities, COGS or exposure). ``fill`` is NaN
    (the ratio is unknown) unless a caller's rule gives the undefined case a value (a share of nothing
    is 0). A quotient too large for a float is ±inf, as numpy gives it; no warning is raised. Two
    numbers in give a Python float.

    >>> safe_divide([920_000, 1.0, 1.0, 1.0], [500_000, 0.0, -2.0, np.nan]).tolist()
    [1.84, nan, -0.5, nan]
    >>> safe_divide([1.0, 1.0], [0.0, -2.0], positive=True, fill=0.0).tolist(), safe_divide(3, 0)
    ([0.0, 0.0], nan)
    """
    num = numerator if numerator.__class__ is float else floats(numerator)
    den = denominator if denominator.__class__ is float else floats(denominator)
    if num.__class__ is float and den.__class__ is float:
        ok = den > 0 if positive else den != 0 and den == den
        return num / den if ok else float(fill)
    ok = den > 0 if positive else (den != 0) & ~np.isnan(den)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(ok, num / np.where(ok, den, 1.0), fill)


def nan_if_inf(x: Any) -> Any:
    """NaN in place of ±inf (a result that overflowed means nothing), NaN kept.

    >>> nan_if_inf(np.inf), nan_if_inf(2.0), nan_if_inf(np.array([1.0, -np.inf])).tolist()
    (nan, 2.0, [1.0, nan])
    """
    if x.__class__ is float:
        return x if x - x == 0 or x != x else np.nan
    return np.where(np.isinf(x), np.nan, x)


def nan_to_num(x: Any) -> Any:
    """``np.nan_to_num``: NaN → 0, ±inf → the largest finite float of that sign.

    >>> nan_to_num(np.nan), nan_to_num(-np.inf) == -sys.float_info.max, nan_to_num(np.array([np.nan, 2.0])).tolist()
    (0.0, True, [0.0, 2.0])
    """
    if x.__class__ is float:
        return x if x - x == 0 else 0.0 if x != x else math.copysign(sys.float_info.max, x)
    return np.nan_to_num(x)


def where(condition: Any, a: Any, b: Any) -> Any:
    """``np.where``: for one condition (a bool) simply ``a`` or ``b``, as given.

    >>> where(True, 1.0, 2.0), where(np.array([True, False]), 1.0, 2.0).tolist()
    (1.0, [1.0, 2.0])
    """
    kind = condition.__class__
    if kind is bool or kind is np.bool_:
        return a if condition else b
    return np.where(condition, a, b)


def maximum(a: Any, b: Any) -> Any:
    """``np.maximum``: NaN if either is NaN; of two equal values (0.0 and −0.0) the second, as numpy.

    >>> maximum(0.0, -3.0), maximum(np.nan, 1.0), maximum(1.0, np.nan), maximum(-0.0, 0.0), maximum(0.0, -0.0)
    (0.0, nan, nan, 0.0, -0.0)
    """
    if a.__class__ is float and b.__class__ is float:
        return a if a > b or a != a else b
    return np.maximum(a, b)


def minimum(a: Any, b: Any) -> Any:
    """``np.minimum``: NaN if either is NaN; of two equal values the second, as numpy.

    >>> minimum(0.0, -3.0), minimum(np.nan, 1.0), minimum(1.0, np.nan)
    (-3.0, nan, nan)
    """
    if a.__class__ is float and b.__class__ is float:
        return a if a < b or a != a else b
    return np.minimum(a, b)


def fmin(a: Any, b: Any) -> Any:
    """``np.fmin``: the smaller value, a NaN ignored (NaN only when both are); of two equal values the
    first, as numpy gives it for one value.

    >>> fmin(np.nan, 1.0), fmin(2.0, np.nan), fmin(np.nan, np.nan)
    (1.0, 2.0, nan)
    """
    if a.__class__ is float and b.__class__ is float:
        return b if a != a or b < a else a
    return np.fmin(a, b)

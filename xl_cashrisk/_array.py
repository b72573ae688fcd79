"""Array conventions shared by the formula core: "scalar in, scalar out" and division where a base may be 0.

Every core formula broadcasts its inputs like numpy and hands back what it was given: a Python scalar
for scalar inputs, an array (or a pandas Series, when a Series came in) otherwise — the
numpy-financial convention (STYLE.md). :func:`scalar_or_array` is that last step, in one place.

A ratio whose base is 0 is undefined, not infinite: :func:`safe_divide` states which denominators
make a division undefined and what takes the place of its result, instead of each module writing
``np.where(ok, a / np.where(ok, b, 1.0), fill)`` with its own rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["safe_divide", "scalar_or_array"]


def scalar_or_array(x: Any, like: Any = None, dtype: Any = None) -> Any:
    """``x`` as a core function returns it: a Python scalar when ``x`` is 0-d, a pandas Series with
    the index and name of ``like`` when ``like`` is a Series, else the array. ``dtype`` converts first
    (``float`` for a formula whose result is a number even when its input was an integer).

    >>> scalar_or_array(np.float64(1.5)), scalar_or_array(np.array(2), dtype=float)
    (1.5, 2.0)
    >>> scalar_or_array(np.array([1.0, 2.0])).tolist()
    [1.0, 2.0]
    >>> scalar_or_array(np.array([10.0, 20.0]), like=pd.Series([1, 2], index=["a", "b"], name="ar")).to_dict()
    {'a': 10.0, 'b': 20.0}
    """
    a = np.asarray(x, dtype=dtype)
    if isinstance(like, pd.Series):
        return pd.Series(a, index=like.index, name=like.name)
    return a.item() if a.ndim == 0 else a


def safe_divide(numerator: Any, denominator: Any, *, positive: bool = False, fill: float = np.nan) -> np.ndarray:
    """``numerator / denominator``, broadcast, as floats; ``fill`` where the division is undefined.

    Undefined: the denominator is 0 or NaN — or, with ``positive=True``, not above 0 (a ratio over a
    negative base means nothing: negative current liabilities, COGS or exposure). ``fill`` is NaN
    (the ratio is unknown) unless a caller's rule gives the undefined case a value (a share of nothing
    is 0). A quotient too large for a float is ±inf, as numpy gives it; no warning is raised.

    >>> safe_divide([920_000, 1.0, 1.0, 1.0], [500_000, 0.0, -2.0, np.nan]).tolist()
    [1.84, nan, -0.5, nan]
    >>> safe_divide([1.0, 1.0], [0.0, -2.0], positive=True, fill=0.0).tolist()
    [0.0, 0.0]
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = den > 0 if positive else (den != 0) & ~np.isnan(den)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(ok, num / np.where(ok, den, 1.0), fill)

"""Every Excel function is total: any Excel-shaped input gives a cell-safe value or a one-line reason.

Hypothesis drives each function in ``udfs.FUNCTIONS`` with what a cell or range can hold: numbers (huge,
tiny, negative, zero), numeric and date text, Excel error strings, booleans, blanks, NaN/inf, datetimes,
ragged or empty 2-D ranges. Allowed outcomes: a value made only of numbers, strings and booleans (no NaN,
no inf, recursively), or a :class:`~xl_cashrisk.errors.CashRiskError` whose one-line message starts with
the function's name. Any other exception is a bug.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import udfs  # noqa: F401  (registers every function)
from udfs._registry import FUNCTIONS
from xl_cashrisk.errors import CashRiskError

NAMES = sorted(FUNCTIONS)

numbers = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 30.0, 365.0, 46295.0, 1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308,
                     2958465.0, 2958466.0, 60.0, 61.0, 100.0, 1e15, -46295.0]),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([2**63, -(2**63), 10**400]),
    st.floats(min_value=-1e4, max_value=1e6),
)
texts = st.one_of(
    st.sampled_from(["", " ", "abc", "12", "1,234.5", "-3", "1e5", "2026-09-30", "2026/9/30", "2026年9月30日",
                     "30/09/2026", "#N/A", "#REF!", "#DIV/0!", "#VALUE!", "TRUE", "FALSE", "=A1", "nan", "inf", "NaN",
                     "GREEN", "RED", "dpd", "invoice", "CN", "USD", "machinery", "Altman", "x" * 300, "中文", "🚢"]),
    st.text(max_size=12),
)
specials = st.sampled_from([None, math.nan, math.inf, -math.inf, True, False, np.float64("nan"), np.float64(3.5)])
dates = st.one_of(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
                  st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
cells = st.one_of(numbers, numbers, texts, specials, dates)
# Ranges as xlwings passes them: lists of rows; plus ragged rows, 1-D lists, empty lists and long columns
row_lists = st.integers(1, 4).flatmap(lambda w: st.lists(st.lists(cells, min_size=w, max_size=w), min_size=1, max_size=12))
ragged = st.lists(st.lists(cells, min_size=0, max_size=4), min_size=1, max_size=6)
column = st.lists(st.one_of(numbers, st.none()), min_size=1, max_size=40).map(lambda xs: [[x] for x in xs])
long_column = st.integers(200, 1500).map(lambda n: [[float(46000 + i % 400)] for i in range(n)])
ranges = st.one_of(row_lists, ragged, column, st.lists(cells, max_size=8), st.just([]), st.just([[]]), long_column)
argument = st.one_of(cells, cells, cells, ranges)


def _assert_cell_safe(value, name: str, path: str = "result") -> None:
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _assert_cell_safe(v, name, f"{path}[{i}]")
        return
    assert (isinstance(value, (bool, int, float, str)) and not isinstance(value, np.generic)) or isinstance(
        value, (np.floating, np.integer, np.bool_)), f"{name}: {path} is {type(value).__name__} {value!r}"
    if isinstance(value, (float, np.floating)):
        assert math.isfinite(value), f"{name}: {path} is {value!r}"


def _call(name: str, args: list) -> None:
    fn = FUNCTIONS[name].fn
    try:
        result = fn(*args)
    except CashRiskError as exc:
        text = str(exc)
        assert text.startswith(name), f"{name}: error message does not start with the function name: {text!r}"
        assert "\n" not in text, f"{name}: multi-line error message {text!r}"
        return
    _assert_cell_safe(result, name)


@pytest.mark.parametrize("name", NAMES)
def test_function_is_total(name):
    spec = FUNCTIONS[name]
    n_required = sum(not a.optional for a in spec.arguments)
    n_all = len(spec.arguments)

    @settings(max_examples=80, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(n_required, n_all).flatmap(lambda n: st.lists(argument, min_size=n, max_size=n)))
    def check(args):
        _call(name, args)

    check()


def test_every_function_is_driven():
    assert len(NAMES) >= 40

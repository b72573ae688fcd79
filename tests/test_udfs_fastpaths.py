"""The array fast paths of the Excel functions give what the cell-by-cell paths give.

100k-row calls take shortcuts (a one-column range unpacked in one pass, item types worked out once,
number results shaped without a per-cell check, band words checked once per distinct word, a few bin
edges counted instead of binary-searched). Each is compared here with the general path it stands for,
on the shapes and awkward cells a front end can send, and on hand-checked values.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import _args
from udfs import scoring as u
from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import ArgumentError
from xl_cashrisk.scoring.config import Factor
from xl_cashrisk.scoring.scorecard import factor_points


def col(*values):
    return [[v] for v in values]


def _general_flatten(value):
    """The general path of _flatten, as it was before the one-column shortcut (reference)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        return [value], ("scalar", 1, 1)
    items = list(value)
    if not items:
        raise ArgumentError("F", "x", "a value or a range of cells", detail="the range is empty")
    if not set(map(type, items)) <= {list, tuple}:
        row_like = [isinstance(r, list | tuple | np.ndarray) for r in items]
        if not any(row_like):
            return items, ("1d", len(items), 1)
        items = [r if ok else [r] for r, ok in zip(items, row_like, strict=True)]
    width = max(map(len, items))
    if width == 0:
        raise ArgumentError("F", "x", "a value or a range of cells", detail="the range is empty")
    flat = [c for r in items for c in (*r, *([None] * (width - len(r))))]
    if any(isinstance(c, list | tuple | np.ndarray) for c in flat):
        raise ArgumentError("F", "x", "a value or a range of cells", detail="nested deeper than rows of cells")
    return flat, ("2d", len(items), width)


def _outcome(f, value):
    try:
        flat, shape = f(value)
    except ArgumentError as e:
        return "error", str(e)
    return [repr(c) for c in flat], shape


def _fast(value):
    flat, sh, kinds = _args.flatten_typed(value, "F", "x")
    assert kinds is None or kinds == set(map(type, flat))
    return flat, (sh.kind, sh.rows, sh.cols)


One = namedtuple("One", "cell")
CELLS = [1.5, -0.0, None, math.nan, "", "a", "GREEN", 3, True, np.float64(2.0), np.int64(4), 10**400, "#N/A"]
cell = st.sampled_from(CELLS)
row = st.one_of(
    st.lists(cell, min_size=1, max_size=1), st.lists(cell, min_size=0, max_size=3),
    st.lists(cell, min_size=1, max_size=1).map(tuple), st.lists(cell, min_size=1, max_size=2).map(tuple),
    cell.map(lambda c: np.array([c], dtype=object)), cell.map(One), cell,
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(row, min_size=1, max_size=6), st.lists(row, min_size=1, max_size=6).map(tuple),
                 st.lists(cell, min_size=1, max_size=6), cell, st.just([]), st.just([[]]), st.just([[[1.0]]]),
                 st.lists(st.just("a"), min_size=1, max_size=4)))
def test_flatten_fast_path_is_the_general_path(value):
    assert _outcome(_fast, value) == _outcome(_general_flatten, value)


def test_flatten_shapes_by_hand():
    assert _fast(col(1.0, None, 2.5)) == ([1.0, None, 2.5], ("2d", 3, 1))
    assert _fast([("a",), ("b",)]) == (["a", "b"], ("2d", 2, 1))
    assert _fast(["a", "b"]) == (["a", "b"], ("1d", 2, 1))  # one-letter texts of a 1-D list are cells, not rows
    assert _fast([[1.0], [2.0, 3.0]]) == ([1.0, None, 2.0, 3.0], ("2d", 2, 2))
    assert _fast([1.0, [2.0]]) == ([1.0, 2.0], ("2d", 2, 1))
    assert _fast(np.array([[1.0], [2.0]])) == ([1.0, 2.0], ("2d", 2, 1))
    with pytest.raises(ArgumentError, match="nested deeper"):
        _fast([[[1.0]], [[2.0]]])


def test_numbers_with_known_kinds_match():
    for value in (col(1.0, None, 3.0), col(1.0, "2", None), col(1, 2**1001), col(True, 1.0), [1.0, math.inf]):
        try:
            a = _args.numbers(value, "F", "x")[0]
        except ArgumentError as e:
            a = str(e)
        flat, sh = _args.flatten(value, "F", "x")
        try:
            b = _args.numbers_of(flat, sh, "F", "x")
        except ArgumentError as e:
            b = str(e)
        if isinstance(a, str):
            assert a == b
        else:
            np.testing.assert_array_equal(a, b)


def test_shaped_floats_is_shaped_of_the_object_array():
    values = np.array([1.5, np.nan, np.inf, -0.0, 7.0, np.nan, 2.0])
    blank = np.array([False, False, False, False, True, True, False])
    token = np.array([False, True, False, False, False, True, True])
    for shape in (_args.Shape("2d", 7, 1), _args.Shape("1d", 7, 1), _args.Shape("2d", 1, 7)):
        obj = values.astype(object)
        obj[blank] = ""
        obj[token] = "NR"
        assert _args.shaped_floats(values, shape, ((blank, ""), (token, "NR"))) == _args.shaped(obj, shape)
    got = _args.shaped_floats(values, _args.Shape("2d", 7, 1), missing="NR")
    assert got == [[1.5], ["NR"], [""], [-0.0], [7.0], ["NR"], [2.0]]
    assert _args.shaped_floats(np.array([np.nan]), _args.Shape("scalar"), missing="NR") == "NR"


def test_factor_points_counting_is_the_binary_search():
    rng = np.random.default_rng(3)
    for f in sc.default_scorecard().factors:
        if f.kind == "table":
            continue
        e = np.asarray(f.edges)
        x = np.concatenate([rng.uniform(e.min() - 5, e.max() + 5, 2000), e, np.nextafter(e, -np.inf),
                            np.nextafter(e, np.inf), [np.nan, np.inf, -np.inf, 0.0, -0.0]])
        present = ~np.isnan(x)
        idx = np.searchsorted(e, np.where(present, x, -np.inf), side="right")
        pts, got_present = factor_points(f, x)
        np.testing.assert_array_equal(pts, np.where(present, np.asarray(f.points)[idx], 0.0))
        np.testing.assert_array_equal(got_present, present)


def test_factor_points_by_hand_and_with_many_edges():
    f = Factor(key="k", group="financial", label_en="k", label_zh="k", weight=1.0, kind="bins",
               edges=(0.0, 1.0, 2.0), points=(0.0, 10.0, 20.0, 30.0))
    assert factor_points(f, [-1.0, 0.0, 0.5, 1.0, 2.0, 9.0, np.nan])[0].tolist() == [0.0, 10.0, 10.0, 20.0, 30.0, 30.0, 0.0]
    many = Factor(key="k", group="financial", label_en="k", label_zh="k", weight=1.0, kind="bins",
                  edges=tuple(float(i) for i in range(20)), points=tuple(float(i) for i in range(21)))
    assert factor_points(many, [-0.5, 0.0, 19.0, 3.5])[0].tolist() == [0.0, 1.0, 20.0, 4.0]


def test_creditscore_columns_match_one_buyer_at_a_time():
    rows = [(2.1, 1.4, 0.55, 76.0, None, 12.0, 0.1, 15.0, 120.0, "CN", "machinery", 0.0),
            (None, None, None, "UN", None, None, None, None, None, None, None, None),  # too few factors: NR
            (-1.0, 0.4, 1.05, None, 45.0, 95.0, 0.8, 1.0, 3.0, " de ", "retail", 2.0),
            (None, None, None, 85.0, None, 75.0, None, None, None, "US", None, 0.0)]
    columns = [col(*c) for c in zip(*rows, strict=True)]
    for output in ("score", "confidence", "cap", "band", "grade", "pd", "weakest"):
        got = u.CREDITSCORE(*columns, None, output)
        assert got == [[u.CREDITSCORE(*r, None, output)] for r in rows], output
    assert u.CREDITSCORE(*columns)[1] == ["NR"]


def test_creditlimit_band_words_checked_once_give_the_cell_by_cell_result():
    base = (col(1.2e6, 1.2e6, 1.2e6, 1.2e6, 1.2e6), col(60.0, 60.0, 60.0, 60.0, 60.0), col(10.0, 10.0, 10.0, 10.0, 10.0),
            col(2e6, 2e6, 2e6, 2e6, 2e6), col(9e5, 9e5, 9e5, 9e5, 9e5))
    words = u.CREDITLIMIT(*base, col("GREEN", " yellow", "nr ", " ", "红"))  # text only: the once-per-word path
    mixed = u.CREDITLIMIT(*base, col("GREEN", " yellow", "nr ", None, "红"))  # with a blank: the cell-by-cell path
    assert words == mixed
    assert words[2] == ["NR"] and words[3] == [""] and words[4] == [0.0]
    assert words[0][0] == pytest.approx(180000, abs=0.01) and words[1][0] == pytest.approx(90000, abs=0.01)
    with pytest.raises(ArgumentError, match=r"CREDITLIMIT: band \(item 3\) must be GREEN, YELLOW, RED \(绿/黄/红\) or "
                                            r"a score 0–100, got 'amber'"):
        u.CREDITLIMIT(*base, col("GREEN", "RED", "amber", "GREEN", "mauve"))
    with pytest.raises(ArgumentError, match=r"band \(item 2\) must be GREEN, YELLOW, RED or a score 0–100, got 150"):
        u.CREDITLIMIT(*base, col("GREEN", 150.0, "amber", "GREEN", "RED"))

"""The one argument system of the Excel functions (``udfs._args.Elementwise``, one rules table).

A single cell applies to every row whether it arrives as a value or as a one-cell range (xlwings
passes a referenced cell as ``[[v]]`` to an ``ndim=2`` argument): checked on hand-made cases, on SPEC
worked examples, and for every registered function and range argument against the plain value.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_udfs_hostile import SANE

import udfs  # noqa: F401  (registers every function)
from udfs import _args
from udfs._registry import FUNCTIONS
from udfs.portfolio import PORTFOLIOEL, PORTFOLIOVAR
from udfs.ratios import CURRENTRATIO, QUICKRATIO, WORKINGCAPITAL
from udfs.scoring import CREDITBAND, CREDITLIMIT, CREDITPD, EXPECTEDLOSS
from xl_cashrisk.errors import ArgumentError, CashRiskError

EADS = [[500_000.0], [300_000.0], [200_000.0]]  # SPEC §6.5 VaR-1
PDS = [[0.02], [0.05], [0.10]]


def col(*values):
    return [[v] for v in values]


def outcome(fn, args):
    """What a cell shows: the value (a 1×1 range unwrapped) or the one-line message."""
    try:
        value = fn(*args)
    except CashRiskError as exc:
        return "error: " + str(exc)
    while isinstance(value, list) and len(value) == 1 and not (isinstance(value[0], list) and len(value[0]) > 1):
        value = value[0]
    return value


def test_one_cell_lgd_beside_the_columns_is_the_spec_example():
    # SPEC §6.5 VaR-1: EL = 500,000·2 %·60 % + 300,000·5 %·60 % + 200,000·10 %·60 % = 27,000
    assert PORTFOLIOEL(EADS, PDS, [[0.6]]) == pytest.approx(27_000.0, abs=1e-9)
    assert PORTFOLIOEL(EADS, [[0.05]], [[0.6]]) == pytest.approx(0.05 * 0.6 * 1_000_000, abs=1e-9)
    assert PORTFOLIOVAR(EADS, PDS, [[0.6]], 0.25, 0.95) == PORTFOLIOVAR(EADS, PDS, 0.6, 0.25, 0.95) == 180_000.0


def test_result_shape_follows_the_first_range_of_several_cells():
    assert WORKINGCAPITAL(920_000.0, 500_000.0) == 420_000.0  # WC-1: values in, value out
    assert WORKINGCAPITAL([[920_000.0]], [[500_000.0]]) == [[420_000.0]]  # one-cell ranges: a 1×1 range out
    assert WORKINGCAPITAL([[920_000.0]], col(500_000.0, 20_000.0)) == [[420_000.0], [900_000.0]]
    assert WORKINGCAPITAL(col(920_000.0, None), [[500_000.0]]) == [[420_000.0], [""]]
    assert CURRENTRATIO([[920_000.0, 600_000.0]], [[500_000.0]]) == [[1.84, 1.2]]  # a row stays a row
    # a blank one-cell range applies to every row too: every row lacks a required input
    assert WORKINGCAPITAL(col(1.0, 2.0), [[None]]) == [[""], [""]]


def test_size_message_names_the_first_range_of_several_cells():
    with pytest.raises(ArgumentError) as e:
        CURRENTRATIO(col(1.0, 2.0, 3.0), col(1.0, 2.0))
    assert str(e.value) == ("CURRENTRATIO: current_liabilities must be a range with as many cells as current_assets "
                            "(3) (it has 2)")
    with pytest.raises(ArgumentError) as e:  # a one-cell range first: the first column sets the size
        QUICKRATIO([[1.0]], col(1.0, 2.0, 3.0), col(1.0, 2.0), 1.0)
    assert str(e.value) == ("QUICKRATIO: receivables must be a range with as many cells as marketable_securities (3) "
                            "(it has 2)")


def test_scoring_and_ratio_functions_share_one_rule_and_message():
    for call, text in ((lambda: EXPECTEDLOSS(0.02, 45, 1e6), "EXPECTEDLOSS: lgd"),
                       (lambda: PORTFOLIOEL(EADS, PDS, 1.5), "PORTFOLIOEL: lgds")):
        with pytest.raises(ArgumentError) as e:
            call()
        assert str(e.value).startswith(text + " must be a decimal from 0 to 1 (0.9 = 90 %), got ")
    assert set(_args.RULES) == {"any", "nonnegative", "positive", "fraction", "probability", "paydex", "score"}


def test_pass_through_words_and_band_words():
    assert CREDITPD(col(50.0, "NR", " un ", None)) == [[pytest.approx(1 / 21)], ["NR"], ["NR"], [""]]
    bands = CREDITBAND(col(80.0, 40.0, 10.0, "NR"), "zh")
    assert bands == [["绿"], ["黄"], ["红"], ["未评级"]]
    # CL-1 (SPEC §3.8): capacity 180,000; GREEN 100 %, YELLOW 50 %, RED 0 %; the zh bands read back
    limits = CREDITLIMIT(1_200_000.0, 60.0, 10.0, 2_000_000.0, 900_000.0, bands)
    assert limits == [[pytest.approx(180_000.0)], [pytest.approx(90_000.0)], [0.0], ["NR"]]
    assert CREDITLIMIT(1_200_000.0, [[60.0]], 10.0, 2_000_000.0, 900_000.0, col("g", " Yellow ", "R")) == \
        [[pytest.approx(180_000.0)], [pytest.approx(90_000.0)], [0.0]]


def test_no_limit_when_both_capacity_bases_are_missing_comes_from_the_core():
    got = CREDITLIMIT(1_200_000.0, 60.0, 10.0, col(2_000_000.0, None, None), col(None, 900_000.0, None), "GREEN")
    assert got == [[pytest.approx(200_000.0)], [pytest.approx(180_000.0)], [""]]  # 10 % TNW; 20 % WC; none
    with pytest.raises(ArgumentError, match="both capacity bases are blank"):
        CREDITLIMIT(1_200_000.0, 60.0, 10.0, None, None, "GREEN")


def _column_call(name: str) -> tuple[list, int] | None:
    """SANE arguments with the function's first range argument made a column of three copies, when
    the function then answers a column of three (an element-wise function); else None."""
    f = FUNCTIONS[name]
    base = list(SANE[name])
    first = next((i for i, a in enumerate(f.arguments) if a.is_range and not isinstance(base[i], list)
                  and base[i] is not None), None)
    if first is None:
        return None
    args = list(base)
    args[first] = [[base[first]]] * 3
    got = f.fn(*args)
    return (args, first) if isinstance(got, list) and len(got) == 3 else None


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_one_cell_range_is_the_single_cell(name):
    f = FUNCTIONS[name]
    calls = [(list(SANE[name]), None)]
    column = _column_call(name)
    if column is not None:
        calls.append(column)
    checked = 0
    for args, skip in calls:
        for i, a in enumerate(f.arguments):
            if not a.is_range or i == skip or isinstance(args[i], list):
                continue
            one_cell = list(args)
            one_cell[i] = [[args[i]]]
            assert outcome(f.fn, one_cell) == outcome(f.fn, args), f"{name}: argument {a.name} as [[v]]"
            checked += 1
    assert checked or not any(a.is_range and not isinstance(v, list) for a, v in zip(f.arguments, SANE[name],
                                                                                     strict=True))


def test_element_wise_functions_were_found():
    found = {n for n in FUNCTIONS if _column_call(n) is not None}
    assert {"WORKINGCAPITAL", "CREDITLIMIT", "INSUREDLOSS", "VASICEKPD", "IRBK", "DSO", "CEI", "CREDITPD",
            "ALTMANZ", "OHLSON"} <= found, sorted(found)


def test_elementwise_converter_by_hand():
    a = _args.Elementwise("F")
    x = a.number("x", [[1.0]])
    assert (x, a.shape) == (1.0, _args.ONE_CELL)  # one cell: one Python float, the one-cell range's shape
    y = a.number("y", col(2.0, None, 4.0))
    z = a.number("z", 0.5, "fraction")
    w = a.number("w", None, default=7.0)
    v = a.number("v", col(None, 1.0, None), default=None)
    assert (a.shape.kind, a.size, a.first) == ("2d", 3, "y")
    np.testing.assert_array_equal(a.full(x), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y, [2.0, np.nan, 4.0])
    assert (z, w) == (0.5, 7.0) and type(z) is type(w) is float
    np.testing.assert_array_equal(v, [np.nan, 1.0, np.nan])
    assert a.blank.tolist() == [False, True, False]
    assert a.result(a.full(x) + y + z + w) == [[10.5], [""], [12.5]]
    with pytest.raises(ArgumentError, match=r"^F: q must be a number \(the cell is blank\)$"):
        a.number("q", " ")
    with pytest.raises(ArgumentError, match=r"^F: r \(item 2\) must be a decimal from 0 to 1 \(0.9 = 90 %\), got 2$"):
        a.number("r", col(0.5, 2, 0.1), "fraction")


# ---------------------------------------------------------------------------------------------- one cell
# A cell of a filled-down formula is read without flattening or arrays (issue 20): each reader's one-cell
# path must give what the general path gives the same cell. ((v,),) — a one-cell range as tuples — is not
# taken by the one-cell path, so it shows what the general path does; [[v]] and a plain v are.

CELLS = st.one_of(
    st.sampled_from([None, "", "  ", "NR", " un ", "abc", "#N/A", "1,234.5", "(300)", "5%", "inf", True, False,
                     0, 365, -7, 10**400, 2**1000, 2.0**63, 0.0, -0.0, 1.5, -1.5, 100.0, 101.0, math.nan, math.inf,
                     -math.inf, np.float64(0.25), np.float64(math.nan), dt.date(2024, 6, 30),
                     dt.datetime(2024, 6, 30, 9, 0), "2024-06-30", 45473.0, 60.0, 2958466.0, "x" * 40_000]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6))
OPTIONS = st.fixed_dictionaries({
    "rule": st.sampled_from(sorted(_args.RULES)), "default": st.sampled_from([_args.REQUIRED, None, 7.0, -1.0]),
    "words": st.sampled_from([frozenset(), frozenset({"NR", "UN"})]), "pass_through": st.booleans()})


def _read(how, value, **options):
    a = _args.Elementwise("F")
    try:
        x = getattr(a, how)("x", value, **options)
    except CashRiskError as exc:
        return "error: " + str(exc)
    x = x.reshape(-1)[0] if isinstance(x, np.ndarray) else x
    flags = (bool(np.asarray(a.blank).reshape(-1)[0]), bool(np.asarray(a.passed).reshape(-1)[0]))
    bits = "nan" if isinstance(x, float | np.floating) and math.isnan(x) else repr(x.item() if isinstance(
        x, np.generic) else x)
    return bits, flags, a.shape.kind, a.shape.size


@settings(max_examples=600, deadline=None)
@given(CELLS, OPTIONS)
def test_one_cell_number_is_the_general_reading(v, options):
    general = _read("number", ((v,),), **options)
    assert _read("number", [[v]], **options) == general
    scalar = _read("number", v, **options)
    if isinstance(general, str):  # the same message, without the range's "(item 1)"
        assert scalar == general.replace("x (item 1)", "x")
    elif general[1] == (True, False) and options["default"] is _args.REQUIRED:  # a blank single cell: an error
        expected = _args.RULES[options["rule"]][0]
        assert scalar == f"error: F: x must be {expected} (the cell is blank)"
    else:
        assert scalar == (general[0], general[1], "scalar", 1)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_one_cell_text_and_date_are_the_general_reading(v):
    for how, options in (("text", {"expected": "a code"}), ("date", {})):
        general = _read(how, ((v,),), **options)  # a date comes back as datetime64: item() is the date
        assert _read(how, [[v]], **options) == general, (how, v)
        scalar = _read(how, v, **options)
        assert scalar == (general.replace("x (item 1)", "x") if isinstance(general, str) else (*general[:2], "scalar", 1))


@pytest.mark.parametrize("value", [1.5, math.nan, math.inf, -0.0, 7, True, "abc", np.float64(2.5), np.float64(math.nan)])
@pytest.mark.parametrize("shape", [_args.SCALAR, _args.ONE_CELL, _args.Shape("1d", 1, 1)])
@pytest.mark.parametrize("flags", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("missing", ["", "NR"])
def test_one_result_is_the_one_item_array_result(value, shape, flags, missing):
    def result(v):
        a = _args.Elementwise("F")
        a.shape, (a.blank, a.passed) = shape, flags
        try:
            return repr(a.result(v, token="TOKEN", missing=missing))
        except ValueError as exc:
            return str(exc)

    array = np.array([value], dtype=float if isinstance(value, float | np.floating) else object)
    assert result(value) == result(array)

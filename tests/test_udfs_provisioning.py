"""MIGRATIONRATES / LOSSRATES with Excel-shaped blocks: LR-1 by hand, random histories against a plain
re-implementation, blank rows and cells, and the messages users see."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import FUNCTIONS
from udfs.provisioning import LOSSRATES, MIGRATIONRATES
from udfs.receivables import BADDEBTRESERVE
from xl_cashrisk.errors import ArgumentError

LR1 = [[100000.0, 40000.0, 20000.0, 10000.0, 5000.0],
       [110000.0, 30000.0, 16000.0, 10000.0, 8000.0],
       [120000.0, 33000.0, 12000.0, 8000.0, 9000.0],
       [105000.0, 36000.0, 13200.0, 6000.0, 4000.0]]


def error_text(call, *args):
    with pytest.raises(ArgumentError) as e:
        call(*args)
    return str(e.value)


def test_registered():
    for name in ("MIGRATIONRATES", "LOSSRATES"):
        f = FUNCTIONS[name]
        assert f.category == "Expected credit loss" and f.module == "udfs.provisioning" and f.returns_range
        assert [a.name for a in f.arguments][:2] == ["balances", "last_rate"]


def test_lr1_spills_one_row_aligned_with_the_buckets():
    assert MIGRATIONRATES(LR1) == [[pytest.approx(x, abs=1e-12) for x in (0.3, 0.4, 0.5, 0.75, 1.0)]]
    assert LOSSRATES(LR1) == [[pytest.approx(x, abs=1e-12) for x in (0.045, 0.15, 0.375, 0.75, 1.0)]]
    assert LOSSRATES(LR1, 0.8) == [[pytest.approx(x, abs=1e-12) for x in (0.036, 0.12, 0.3, 0.6, 0.8)]]
    adjusted = LOSSRATES(LR1, None, 1.1)  # blank last_rate = 1
    assert adjusted == [[pytest.approx(x, abs=1e-12) for x in (0.0495, 0.165, 0.4125, 0.825, 1.0)]]
    # the provision: today's buckets × the loss rates, through BADDEBTRESERVE as a user would chain them
    assert BADDEBTRESERVE([LR1[-1]], LOSSRATES(LR1)) == pytest.approx(23_575.0, abs=0.01)
    assert BADDEBTRESERVE([LR1[-1]], adjusted) == pytest.approx(25_532.5, abs=0.01)


def test_spare_rows_blank_cells_and_text_numbers():
    padded = [*LR1, [None] * 5, [None] * 5]
    assert MIGRATIONRATES(padded) == MIGRATIONRATES(LR1)
    with_blank = [[100.0, None], [80.0, 30.0]]  # a blank bucket is an empty bucket
    assert MIGRATIONRATES(with_blank) == MIGRATIONRATES([[100.0, 0.0], [80.0, 30.0]]) == [[0.3, 1.0]]
    assert MIGRATIONRATES([["100", "0"], ["80", "30"]], "0.5") == [[0.3, 0.5]]


def _plain(b, last_rate, factor):
    n = len(b[0])
    m = []
    for i in range(n - 1):
        den = sum(b[t][i] for t in range(len(b) - 1))
        m.append(min(1.0, sum(b[t + 1][i + 1] for t in range(len(b) - 1)) / den) if den > 0 else 0.0)
    m.append(last_rate)
    loss = [1.0] * n
    for i in range(n):
        for j in range(i, n):
            loss[i] *= m[j]
    return m, [min(1.0, x * factor) for x in loss]


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 12).flatmap(lambda t: st.integers(2, 7).flatmap(lambda n: st.lists(
           st.lists(st.one_of(st.just(0.0), st.floats(0, 1e8)), min_size=n, max_size=n), min_size=t, max_size=t))),
       st.floats(0, 1), st.floats(0, 2))
def test_random_histories_match_a_plain_implementation(b, last_rate, factor):
    m, loss = _plain(b, last_rate, factor)
    assert MIGRATIONRATES(b, last_rate)[0] == pytest.approx(m, rel=1e-12, abs=1e-15)
    assert LOSSRATES(b, last_rate, factor)[0] == pytest.approx(loss, rel=1e-12, abs=1e-15)


def test_messages():
    assert error_text(MIGRATIONRATES, [[1.0, 2.0, 3.0]]) == (
        "MIGRATIONRATES: balances must be a block of cells: period ends as rows, ageing buckets as columns "
        "(it needs at least 2 rows and 2 columns)")
    assert error_text(LOSSRATES, 5) == error_text(MIGRATIONRATES, 5).replace("MIGRATIONRATES", "LOSSRATES")
    assert error_text(LOSSRATES, [[1.0, 2.0], [None, None], [3.0, 4.0]]) == (
        "LOSSRATES: balances (row 2) must be filled: a missing period end would join the periods around it "
        "(the whole row is blank; enter 0 for empty buckets)")
    assert error_text(LOSSRATES, [[1.0, 2.0], [None, None]]) == (
        "LOSSRATES: balances must be a block of cells: period ends as rows, ageing buckets as columns "
        "(only 1 row(s) hold numbers; migration needs 2 period ends or more)")
    assert error_text(LOSSRATES, [[1.0, 2.0], [3.0, -4.0]]) == (
        "LOSSRATES: balances (row 2, column 2) must be an amount ≥ 0 (credit balances are not aged), got -4.0")
    assert error_text(LOSSRATES, [[1.0, 2.0], [3.0, "n/a"]]) == (
        "LOSSRATES: balances (row 2, column 2) must be an amount ≥ 0, got 'n/a'")
    assert error_text(LOSSRATES, [[1.0, 2.0], [3.0, "#N/A"]]).endswith("(the cell holds the Excel error #N/A)")
    assert error_text(LOSSRATES, LR1, 1.5) == "LOSSRATES: last_rate must be a rate from 0 to 1, got 1.5"
    assert error_text(LOSSRATES, LR1, 1, -0.1) == "LOSSRATES: forward_factor must be a multiplier ≥ 0 (1 = none), got -0.1"

"""Loss rates from the ledger's own history (IFRS 9 simplified approach / CAS 22 账龄迁徙率法):
hand-checked worked examples, a loop-by-loop re-implementation on random histories, and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xl_cashrisk.provisioning import chain_loss_rates, forward_looking, loss_rates, migration_rates
from xl_cashrisk.receivables import bad_debt_reserve

# LR-1: month-end balances, buckets current / 1-30 / 31-60 / 61-90 / >90, oldest month first.
LR1 = np.array([
    [100_000, 40_000, 20_000, 10_000, 5_000],
    [110_000, 30_000, 16_000, 10_000, 8_000],
    [120_000, 33_000, 12_000, 8_000, 9_000],
    [105_000, 36_000, 13_200, 6_000, 4_000],
], dtype=float)
# By hand: 99,000/330,000; 41,200/103,000; 24,000/48,000; 21,000/28,000; last bucket 1.
LR1_MIGRATION = [0.30, 0.40, 0.50, 0.75, 1.0]
LR1_LOSS = [0.30 * 0.40 * 0.50 * 0.75, 0.40 * 0.50 * 0.75, 0.50 * 0.75, 0.75, 1.0]  # 4.5 %, 15 %, 37.5 %, 75 %, 100 %


def test_lr1_worked_example():
    assert migration_rates(LR1) == pytest.approx(LR1_MIGRATION, abs=1e-12)
    assert loss_rates(LR1) == pytest.approx(LR1_LOSS, abs=1e-12)
    assert loss_rates(LR1) == pytest.approx([0.045, 0.15, 0.375, 0.75, 1.0], abs=1e-12)
    # provision on the last month-end: 4,725 + 5,400 + 4,950 + 4,500 + 4,000
    assert bad_debt_reserve(LR1[-1], loss_rates(LR1)) == pytest.approx(23_575.0, abs=0.01)


def test_lr1_last_rate_and_forward_factor():
    assert migration_rates(LR1, last_rate=0.8)[-1] == 0.8
    assert loss_rates(LR1, last_rate=0.8) == pytest.approx([0.036, 0.12, 0.3, 0.6, 0.8], abs=1e-12)
    # +10 %: 4.95 %, 16.5 %, 41.25 %, 82.5 %, 110 % capped at 100 %
    adjusted = loss_rates(LR1, forward_factor=1.1)
    assert adjusted == pytest.approx([0.0495, 0.165, 0.4125, 0.825, 1.0], abs=1e-12)
    assert bad_debt_reserve(LR1[-1], adjusted) == pytest.approx(25_532.5, abs=0.01)
    assert loss_rates(LR1, 0.8, 1.1) == pytest.approx([0.0396, 0.132, 0.33, 0.66, 0.88], abs=1e-12)


def test_lr2_cap_and_empty_bucket():
    # 1,200 in 1-30 one month after 1,000 current: capped at 1; the 1-30 bucket was empty before: rate 0
    hist = [[1_000, 0, 50], [800, 1_200, 40]]
    assert migration_rates(hist).tolist() == [1.0, 0.0, 1.0]
    assert loss_rates(hist).tolist() == [0.0, 0.0, 1.0]


def _reference(b, last_rate):
    """The definition, loop by loop: pooled sums over consecutive period pairs, then the chain."""
    periods, buckets = len(b), len(b[0])
    m = []
    for i in range(buckets - 1):
        num = sum(b[t + 1][i + 1] for t in range(periods - 1))
        den = sum(b[t][i] for t in range(periods - 1))
        m.append(min(num / den, 1.0) if den > 0 else 0.0)
    m.append(last_rate)
    loss = []
    for i in range(buckets):
        p = 1.0
        for j in range(i, buckets):
            p *= m[j]
        loss.append(p)
    return m, loss


amounts = st.one_of(st.just(0.0), st.floats(0, 1e7, allow_nan=False))
histories = st.integers(2, 13).flatmap(lambda t: st.integers(2, 8).flatmap(
    lambda n: hnp.arrays(float, (t, n), elements=amounts)))


@settings(max_examples=300, deadline=None)
@given(histories, st.floats(0, 1), st.floats(0, 3))
def test_random_histories_match_the_definition(b, last_rate, factor):
    m_ref, loss_ref = _reference(b.tolist(), last_rate)
    assert migration_rates(b, last_rate) == pytest.approx(m_ref, rel=1e-12, abs=1e-15)
    assert loss_rates(b, last_rate) == pytest.approx(loss_ref, rel=1e-12, abs=1e-15)
    adjusted = loss_rates(b, last_rate, factor)
    assert adjusted == pytest.approx([min(1.0, x * factor) for x in loss_ref], rel=1e-12, abs=1e-15)
    # invariants: rates in [0, 1]; loss rates never fall as buckets age (each step multiplies by ≤ 1)
    assert np.all((adjusted >= 0) & (adjusted <= 1))
    assert np.all(np.diff(loss_rates(b, last_rate)) >= -1e-15)


def test_segments_on_a_leading_axis():
    other = LR1 * np.array([1.0, 2.0, 0.5, 1.0, 1.0])
    both = np.stack([LR1, other])  # e.g. two regions × 4 month-ends × 5 buckets
    got = loss_rates(both, last_rate=[1.0, 0.9])
    assert got.shape == (2, 5)
    assert got[0] == pytest.approx(loss_rates(LR1))
    assert got[1] == pytest.approx(loss_rates(other, 0.9))


def test_dataframe_gives_series_over_buckets():
    cols = ["current", "1-30", "31-60", "61-90", ">90"]
    frame = pd.DataFrame(LR1, columns=cols, index=pd.date_range("2024-03-31", periods=4, freq="ME"))
    m = migration_rates(frame)
    assert isinstance(m, pd.Series) and list(m.index) == cols and m.name == "migration_rate"
    rates = loss_rates(frame, forward_factor=1.1)
    assert list(rates.index) == cols and rates.name == "loss_rate"
    assert rates["61-90"] == pytest.approx(0.825)


def test_chain_and_forward_looking_shapes():
    assert chain_loss_rates(LR1_MIGRATION) == pytest.approx(LR1_LOSS)
    assert forward_looking(0.5, 1.5) == 0.75 and isinstance(forward_looking(0.5, 1.5), float)
    assert forward_looking([0.1, 0.8], [2.0, 2.0]).tolist() == [0.2, 1.0]


@pytest.mark.parametrize(("call", "match"), [
    (lambda: migration_rates([1.0, 2.0]), "must be a table"),
    (lambda: migration_rates([[1.0, 2.0]]), "at least 2 period ends"),
    (lambda: migration_rates([[1.0], [2.0]]), "2 buckets"),
    (lambda: migration_rates([[1.0, -2.0], [1.0, 1.0]]), "≥ 0"),
    (lambda: migration_rates([[1.0, np.nan], [1.0, 1.0]]), "finite"),
    (lambda: migration_rates(LR1, last_rate=1.2), "last_rate must be between 0 and 1"),
    (lambda: chain_loss_rates(0.5), "one rate per ageing bucket"),
    (lambda: forward_looking([0.1], -1), "≥ 0"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()

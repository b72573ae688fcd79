"""The fast paths of the correlated-default simulation give the old results exactly: the cash-path
probability at several levels in one run, scenarios skipped because they cannot reach a level, the
broadcast systematic factor, scipy's FFT, losses and cash paths from one set of draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtri

from xl_cashrisk import portfolio as pf
from xl_cashrisk.portfolio import (
    loss_distribution,
    prob_cash_below_zero,
    simulate_losses,
    simulate_losses_and_cash,
)


def _cash_book(seed=11, n=400):
    """A few big buyers whose default alone breaks the cash buffer, many small ones that cannot.
    Whole amounts, so any order of summation gives the same path to the last bit."""
    rng = np.random.default_rng(seed)
    pd_ = rng.uniform(0.01, 0.15, n)
    pd_[:3] = [0.01, 0.02, 0.005]
    rec = np.round(rng.lognormal(5, 1, (n, 13)) * (rng.random((n, 13)) < 0.3))
    rec[:3] *= 1000
    ind = np.round(rec.sum(axis=1) * 0.3)
    cash = np.full(13, np.round(rec[3:].sum() * 0.3)) + np.arange(13) * 10.0
    return pd_, rec, ind, cash


def _reference_prob(cash, rec, pd_, rho, levels, *, indemnity, claim_weeks, n_sims, seed, memory_mb):
    """The old loop: every scenario's whole path, ``cash − D @ lost``, one level at a time."""
    weeks = np.arange(1, 14)
    lost = np.cumsum(rec, axis=1) - indemnity[:, None] * (weeks[None, :] >= 1 + claim_weeks)
    out = []
    for level in levels:
        hits = count = 0
        order, draws = pf._default_draws(pd_, rho, 0.0, 0.0, None, None, n_sims, seed, True, memory_mb)
        lost_o = lost if order is None else lost[order]  # the matrices' columns are the buyers in order
        for d in draws:
            m = min(d.shape[0], n_sims - count)
            if m <= 0:
                break
            path = cash[None, :] - d[:m].astype(np.float64) @ lost_o
            hits += int(np.count_nonzero((path < level).any(axis=1)))
            count += m
        out.append(hits / count)
    return out


@pytest.mark.parametrize("memory_mb", [1, 256])
def test_cash_levels_in_one_run_match_the_full_path_loop(memory_mb):
    pd_, rec, ind, cash = _cash_book()
    levels = [0.0, cash[0] * 0.5, cash[0] * 0.9, cash[0] * 2.0]  # last: every scenario below
    kw = dict(indemnity=ind, claim_weeks=5, n_sims=6_001, seed=3, memory_mb=memory_mb)
    got = prob_cash_below_zero(cash, rec, pd_, 0.3, threshold=levels, **kw)
    ref = _reference_prob(cash, rec, pd_, 0.3, levels, **kw)
    assert got.tolist() == ref
    assert 0 < ref[0] < ref[1] < ref[2] < ref[3] == 1.0
    # a single level gives a float, the same as its place in the list
    assert prob_cash_below_zero(cash, rec, pd_, 0.3, threshold=levels[1], **kw) == got[1]


def test_skipping_scenarios_that_cannot_reach_a_level():
    pd_, rec, ind, cash = _cash_book(seed=5)
    kw = dict(indemnity=ind, claim_weeks=5, n_sims=4_000, seed=8, memory_mb=1)
    seen = []
    original = pf._CashPaths.add

    def spy(self, d):
        seen.append(d.shape[0])
        return original(self, d)

    pf._CashPaths.add = spy
    try:
        got = prob_cash_below_zero(cash, rec, pd_, 0.3, **kw)
    finally:
        pf._CashPaths.add = original
    assert got == _reference_prob(cash, rec, pd_, 0.3, [0.0], **kw)[0] > 0
    assert sum(seen) == 4_000
    # nothing can reach a level far below the path: no simulation at all
    assert prob_cash_below_zero(cash, rec, pd_, 0.3, threshold=-1e12, **kw) == 0.0
    paths = pf._CashPaths(cash, np.cumsum(rec, axis=1), np.array([-1e12]))
    assert not paths.simulate and paths.probabilities().tolist() == [0.0]


def test_one_systematic_value_per_scenario_is_broadcast_exactly():
    # region and sector labels with zero weights: every cell has the same systematic value
    rng = np.random.default_rng(2)
    n = 300
    thr = np.clip(ndtri(rng.uniform(0.01, 0.2, n)), -40, 40).astype(np.float32)
    reg, sec = rng.integers(0, 4, n), rng.integers(0, 3, n)
    cells, cell_idx = np.unique(reg * 3 + sec, return_inverse=True)
    args = (n, thr, np.float32(math.sqrt(0.8)), math.sqrt(0.2), 0.0, 0.0, 4, 3, cells // 3, cells % 3, cell_idx, True)
    got = pf._draw_chunk(np.random.default_rng(7), 50, *args)
    # the general path, as it was: gather each buyer's cell
    r = np.random.default_rng(7)
    zg, zr, zs = r.standard_normal((50, 1)), r.standard_normal((50, 4)), r.standard_normal((50, 3))
    sys_cell = (math.sqrt(0.2) * zg + 0.0 * zr[:, cells // 3] + 0.0 * zs[:, cells % 3]).astype(np.float32)
    eps = r.standard_normal((50, n), dtype=np.float32)
    eps *= np.float32(math.sqrt(0.8))
    t = np.take(sys_cell, cell_idx, axis=1)
    np.subtract(thr, t, out=t)
    first = eps < t
    t -= 2.0 * thr
    assert np.array_equal(got[0], first) and np.array_equal(got[1], eps > t)


def test_losses_and_cash_from_one_set_of_draws():
    pd_, rec, ind, cash = _cash_book(n=600)
    rng = np.random.default_rng(4)
    ead = np.round(rng.lognormal(8, 1.5, pd_.size), 2)
    region, sector = rng.choice(list("abcde"), pd_.size), rng.choice(list("xyz"), pd_.size)
    levels = [0.0, cash[0] * 0.5]
    cash_kw = dict(default_week=1, indemnity=ind, claim_weeks=5, horizon_pd=True, threshold=levels)
    for memory_mb in (1, 256):
        common = dict(insured=ead * 0.3, n_sims=8_001, seed=4, memory_mb=memory_mb)
        # without region and sector labels the draws are the ones each function makes on its own
        s, p = simulate_losses_and_cash(ead, pd_, 0.45, 0.2, cash, rec, **common, **cash_kw)
        alone = simulate_losses(ead, pd_, 0.45, 0.2, **common)
        assert np.array_equal(s.gross, alone.gross) and np.array_equal(s.net, alone.net)
        assert p.tolist() == prob_cash_below_zero(cash, rec, pd_, 0.2, n_sims=8_001, seed=4, memory_mb=memory_mb,
                                                  **cash_kw).tolist()
        # with them the losses are still simulate_losses' own; the cash model keeps the global factor only
        for rr, rs in ((0.0, 0.0), (0.1, 0.05)):
            labelled = dict(rho_region=rr, rho_sector=rs, region=region, sector=sector)
            s, p = simulate_losses_and_cash(ead, pd_, 0.45, 0.2, cash, rec, **labelled, **common, **cash_kw)
            alone = simulate_losses(ead, pd_, 0.45, 0.2, **labelled, **common)
            assert np.array_equal(s.gross, alone.gross) and np.array_equal(s.net, alone.net)
            assert p.shape == (2,) and 0 < p[0] <= p[1] < 1


def test_losses_and_cash_probability_is_the_cash_model_in_distribution():
    # one buyer whose default empties the till: P = its PD over the horizon, whatever the other factors
    rng = np.random.default_rng(1)
    n = 40
    ead, pd_ = rng.uniform(1, 10, n), np.full(n, 0.05)
    pd_[0] = 0.2
    rec = np.zeros((n, 13))
    rec[0, 0] = 1_000.0
    region = ["a", "b"] * 20
    _, p = simulate_losses_and_cash(ead, pd_, 1.0, 0.2, np.full(13, 500.0), rec, rho_region=0.2, region=region,
                                    horizon_pd=True, n_sims=200_000, seed=2)
    expected = 1 - 0.8 ** 0.25
    assert p == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 2e5))
    with pytest.raises(ValueError, match="receipts have 3 buyers, the losses 40"):
        simulate_losses_and_cash(ead, pd_, 1.0, 0.2, np.zeros(13), np.zeros((3, 13)))


class _NumpyFFT:
    """numpy.fft behind scipy.fft's signature: the transforms the exact distribution used before."""

    @staticmethod
    def rfft(a, n, workers=None):
        return np.fft.rfft(a, n)

    @staticmethod
    def irfft(a, n, overwrite_x=False, workers=None):
        return np.fft.irfft(a, n)


def _old_grid_distribution(losses, cond_pd, weights, unit, length, memory_mb):
    """``_grid_distribution`` as it was, with np.add.at."""
    u = losses / unit
    a = np.floor(u + 1e-9).astype(np.int64)
    f = np.clip(u - a, 0.0, 1.0)
    f[f < 1e-9] = 0.0
    n_nodes = cond_pd.shape[0]
    total = np.zeros((n_nodes, 1))
    total[:, 0] = 1.0
    plen = np.minimum(a + 2, length)
    bins = np.ceil(np.log2(np.maximum(plen, 2))).astype(int)
    for b in np.unique(bins):
        idx = np.flatnonzero(bins == b)
        width = min(1 << int(b), length)
        per = max(2, int(memory_mb * 2**20 / (8 * 6 * width * n_nodes)))
        for s in range(0, idx.size, per):
            j = idx[s: s + per]
            x = np.zeros((n_nodes, j.size, width))
            p = cond_pd[:, j]
            x[:, :, 0] = 1.0 - p
            rows = np.arange(j.size)
            aj, fj = a[j], f[j]
            inside = aj < width
            np.add.at(x, (slice(None), rows[inside], aj[inside]), (p * (1.0 - fj))[:, inside])
            up = (aj + 1 < width) & (fj > 0)
            np.add.at(x, (slice(None), rows[up], aj[up] + 1), (p * fj)[:, up])
            total = pf._poly_mul(total, pf._tree_product(x, length), length)
    dist = weights @ np.clip(total, 0.0, None)
    return np.concatenate([dist, np.zeros(length - dist.size)]) if dist.size < length else dist


@pytest.mark.parametrize("whole", [True, False])
def test_exact_distribution_same_numbers_as_numpy_fft_and_add_at(monkeypatch, whole):
    rng = np.random.default_rng(6)
    losses = rng.lognormal(6, 1.5, 700)
    losses = np.round(losses) if whole else losses
    pd_ = rng.uniform(0.001, 0.3, losses.size)
    monkeypatch.setattr(pf, "_FFT_PARALLEL_FROM", 1)  # several threads on every product
    new = loss_distribution(losses, pd_, 0.2, memory_mb=4, method="grid")
    monkeypatch.setattr(pf, "sfft", _NumpyFFT)
    monkeypatch.setattr(pf, "_grid_distribution", _old_grid_distribution)
    old = loss_distribution(losses, pd_, 0.2, memory_mb=4, method="grid")
    assert np.array_equal(new.values, old.values) and np.array_equal(new.probs, old.probs)
    assert new.unit == old.unit and new.exact_below == old.exact_below


def test_byte_lookup_sums_same_as_the_group_major_tables():
    rng = np.random.default_rng(9)
    losses = np.column_stack([rng.lognormal(8, 2, 1_003), rng.lognormal(6, 1, 1_003)])
    d = rng.random((57, 1_003)) < 0.2
    groups, tables = pf._loss_tables(losses)
    got = pf._sum_defaults(d, groups, tables)
    # the tables as they were laid out: table[g·256 + b]
    g = groups.size
    padded = np.zeros((g * 8, 2))
    padded[:1_003] = losses
    bits = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)
    old = [np.ascontiguousarray(t).ravel() for t in np.einsum("bj,gjk->kgb", bits, padded.reshape(g, 8, 2))]
    idx = np.packbits(d, axis=1, bitorder="little").astype(np.intp) + np.arange(g) * 256
    expected = np.stack([np.take(t, idx).sum(axis=1) for t in old], axis=1)
    assert np.array_equal(got, expected)
    whole = np.round(losses)
    assert np.array_equal(pf._sum_defaults(d, *pf._loss_tables(whole)), d.astype(float) @ whole)

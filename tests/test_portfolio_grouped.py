"""The Monte Carlo's grouped path (buyers sharing a PD draw 32-bit uniforms against a conditional PD computed
once per PD and scenario): the same model as the normal-draw path — checked against the exact one-factor
distribution and against the other path within sampling error —, same seed same numbers whatever the
threads, PD 0 and 1 exact, cash defaults computed only where needed giving the same probabilities, and the
sample portfolio (too many distinct PDs for the grouped path) giving the numbers it gave before."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk import portfolio as pf
from xl_cashrisk.portfolio import loss_distribution, simulate_losses, simulate_losses_and_cash

GRADES = np.array([0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15])  # rating-grade PDs


def _graded_book(n=300, seed=0, unit=1_000.0):
    """Buyers on rating grades with whole losses of at most 13 units: the exact distribution is exact (no grid)."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 14, n) * unit, GRADES[rng.integers(0, GRADES.size, n)]


def _pair_means(x: np.ndarray) -> np.ndarray:
    """Antithetic pairs are dependent, each pair independent of the others: its mean is one observation."""
    return x[: x.size // 2 * 2].reshape(-1, 2).mean(axis=1)


def _plan(pd_, rho_region=0.0, region=None, cash_pd=None):
    n = pd_.size
    reg = pf._factor_index(region, n, "region")
    return pf._grouped_plan(np.asarray(pd_, float), [0.2, rho_region, 0.0], reg, np.zeros(n, dtype=np.int64),
                            int(reg.max()) + 1, 1, cash_pd)


def test_the_grouped_path_is_taken_when_buyers_share_pds():
    _, pd_ = _graded_book()
    assert _plan(pd_) is not None  # 7 PDs for 300 buyers
    assert _plan(np.linspace(0.01, 0.2, 300)) is None  # every PD different: the normal draws
    # with a region factor the key is (PD, region): 7 × 5 = 35 keys for 300 buyers
    region = np.arange(300) % 5
    assert _plan(pd_, 0.1, region) is not None and _plan(pd_[:200], 0.1, region[:200]) is None
    plan = _plan(pd_)
    assert np.all(np.diff(pd_[plan.order]) >= 0) and plan.spread.counts is not None


@settings(max_examples=6, deadline=None)
@given(rho=st.floats(0.05, 0.45), seed=st.integers(0, 2**32 - 1), grades=st.integers(2, 7))
def test_simulated_distribution_matches_the_exact_transform_one_factor(rho, seed, grades):
    # property: for a one-factor book on the grouped path, the simulated loss CDF is the exact one within
    # sampling error at every loss value, and the mean within 5 standard errors
    rng = np.random.default_rng(seed)
    n, sims = 240, 60_000
    loss = rng.integers(1, 14, n) * 1_000.0
    pd_ = GRADES[rng.integers(0, grades, n)]
    assert _plan(pd_) is not None
    exact = loss_distribution(loss, pd_, rho)
    assert exact.unit == 1_000.0 and math.isinf(exact.exact_below)  # whole units: exact, not a grid
    s = simulate_losses(loss, pd_, 1.0, rho, n_sims=sims, seed=seed)
    pairs = _pair_means(s.gross)
    assert abs(pairs.mean() - exact.el) <= 5 * pairs.std(ddof=1) / math.sqrt(pairs.size) + 1e-9
    # Hoeffding per loss value on the pair means (in [0, 1]), union bound over the values: P(fail) < 1e-6
    ecdf = np.searchsorted(np.sort(s.gross), exact.values, side="right") / sims
    bound = math.sqrt(math.log(2 * exact.values.size / 1e-6) / (2 * pairs.size))
    assert np.max(np.abs(ecdf - np.cumsum(exact.probs))) <= bound


def test_grouped_and_normal_draws_are_the_same_model(monkeypatch):
    # three factors, buyers on grades per (region, sector) cell: both paths, the mean and the 99 % tail
    rng = np.random.default_rng(3)
    n = 2_000
    loss, pd_ = rng.lognormal(8, 1, n), GRADES[rng.integers(0, 5, n)]
    region, sector = rng.integers(0, 3, n), rng.integers(0, 2, n)
    kw = dict(rho_region=0.1, rho_sector=0.05, region=region, sector=sector, n_sims=40_000)
    assert _plan(pd_, 0.1, region) is not None
    grouped = simulate_losses(loss, pd_, 1.0, 0.15, seed=1, **kw)
    monkeypatch.setattr(pf, "_BUYERS_PER_KEY", 10**9)  # force the normal draws
    normal = simulate_losses(loss, pd_, 1.0, 0.15, seed=2, **kw)
    a, b = _pair_means(grouped.gross), _pair_means(normal.gross)
    se = math.hypot(a.std(ddof=1) / math.sqrt(a.size), b.std(ddof=1) / math.sqrt(b.size))
    assert abs(a.mean() - b.mean()) <= 5 * se
    assert grouped.var(0.99) == pytest.approx(normal.var(0.99), rel=0.05)
    assert grouped.es(0.99) == pytest.approx(normal.es(0.99), rel=0.05)


def test_same_seed_same_numbers_whatever_the_threads(monkeypatch):
    loss, pd_ = _graded_book(n=800, seed=4)
    kw = dict(insured=loss * 0.3, n_sims=30_001, memory_mb=1)  # many chunks, each its own stream
    monkeypatch.setattr(pf, "_PARALLEL_FROM", 0)
    monkeypatch.setenv("XL_CASHRISK_THREADS", "1")
    one = simulate_losses(loss, pd_, 0.45, 0.2, seed=9, **kw)
    monkeypatch.setenv("XL_CASHRISK_THREADS", "3")
    three = simulate_losses(loss, pd_, 0.45, 0.2, seed=9, **kw)
    other = simulate_losses(loss, pd_, 0.45, 0.2, seed=10, **kw)
    assert np.array_equal(one.gross, three.gross) and np.array_equal(one.net, three.net)
    assert not np.array_equal(one.gross, other.gross)
    assert one.gross.size == 30_001


def test_pd_zero_never_and_pd_one_always_default():
    loss, pd_ = _graded_book(n=200, seed=5)
    pd_[:3], pd_[3:6] = 0.0, 1.0
    loss[:6] = [1e9, 1e9, 1e9, 1e6, 1e6, 1e6]  # the PD-0 buyers would show; the PD-1 ones are always in
    s = simulate_losses(loss, pd_, 1.0, 0.3, n_sims=20_000, seed=1)
    assert s.gross.min() >= 3e6 and s.gross.max() < 1e9
    # the same through the cash model of the same draws: a PD-1 buyer's lost week-1 receipts in every path
    rec = np.zeros((200, 13))
    rec[3, 0] = 5_000.0
    _, p = simulate_losses_and_cash(loss, pd_, 1.0, 0.3, np.full(13, 4_000.0), rec, n_sims=2_000, seed=1)
    assert p == 1.0


def _cash_book(seed=11, n=480):
    """Buyers on grades; a few large receipts whose default breaks the buffer, many small ones that cannot."""
    rng = np.random.default_rng(seed)
    pd_ = GRADES[rng.integers(0, GRADES.size, n)]
    rec = np.round(rng.lognormal(5, 1, (n, 13)) * (rng.random((n, 13)) < 0.3))
    rec[:4] *= 1000
    cash = np.full(13, np.round(rec[4:].sum() * 0.3)) + np.arange(13) * 10.0
    return pd_, rec, np.round(rec.sum(axis=1) * 0.3), cash


@pytest.mark.parametrize("memory_mb", [1, 256])
def test_cash_defaults_only_where_needed_give_the_same_probabilities(monkeypatch, memory_mb):
    pd_, rec, ind, cash = _cash_book()
    ead = rec.sum(axis=1) + 1.0
    kw = dict(insured=ead * 0.3, n_sims=12_001, seed=4, memory_mb=memory_mb, default_week=1, indemnity=ind,
              claim_weeks=5, horizon_pd=True, threshold=[0.0, cash[0] * 0.5, cash[0] * 0.9])
    asked = []
    rows = pf._CashDefaults.rows
    monkeypatch.setattr(pf._CashDefaults, "rows", lambda self, r: asked.append(r) or rows(self, r))
    s, p = simulate_losses_and_cash(ead, pd_, 0.45, 0.2, cash, rec, **kw)
    assert 0 < p[0] < p[1] < p[2] < 1
    assert sum(np.size(r) for r in asked) < 12_001  # scenarios ruled out by their loss defaults: not computed
    # every cash matrix in full, as the normal path does
    plan = pf._grouped_plan
    monkeypatch.setattr(pf, "_grouped_plan", lambda *a: dataclasses.replace(plan(*a), cash_within=False))
    s2, p2 = simulate_losses_and_cash(ead, pd_, 0.45, 0.2, cash, rec, **kw)
    assert p2.tolist() == p.tolist()
    assert np.array_equal(s.gross, s2.gross) and np.array_equal(s.net, s2.net)


def test_sample_portfolio_gives_the_numbers_it_gave_before(monkeypatch):
    """The sample book (298 buyers, 229 distinct PDs) stays on the normal draws: the stress test's simulated
    figures are those of the previous implementation, to the last bit."""
    import dataclasses as dc

    from xl_cashrisk.pipelines.stress_test import run_stress_test
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.forecast import SAMPLE_SCENARIOS, sample_forecast, sample_forecast_settings
    from xl_cashrisk.settings import ForecastOptions

    sample = load_sample()
    s = dc.replace(sample.settings, forecast=ForecastOptions(**sample_forecast_settings(sample)))

    def run():
        return run_stress_test(sample.ledger, s, register=sample.buyers, forecast=sample_forecast(sample),
                               scenarios=SAMPLE_SCENARIOS, sims=4_000)

    now = run()
    monkeypatch.setattr(pf, "_BUYERS_PER_KEY", 10**9)  # the normal draws, as before the grouped path
    before = run()
    assert np.array_equal(now.losses.gross, before.losses.gross)
    assert now.loss_stats.equals(before.loss_stats)
    assert (now.prob_cash_negative, now.prob_buffer_breach) == (before.prob_cash_negative, before.prob_buffer_breach)


def test_losses_and_cash_are_each_functions_own_draws_on_the_grouped_path():
    # no region or sector labels, cash PDs over the horizon (ranked as the PDs): the draws of each alone
    pd_, rec, ind, cash = _cash_book(seed=2)
    ead = rec.sum(axis=1) + 1.0
    cash_kw = dict(default_week=1, indemnity=ind, claim_weeks=5, horizon_pd=True, threshold=[0.0, cash[0] * 0.5])
    assert _plan(pd_) is not None
    for memory_mb in (1, 256):
        common = dict(n_sims=8_001, seed=4, memory_mb=memory_mb)
        s, p = simulate_losses_and_cash(ead, pd_, 0.45, 0.2, cash, rec, insured=ead * 0.3, **common, **cash_kw)
        alone = simulate_losses(ead, pd_, 0.45, 0.2, insured=ead * 0.3, **common)
        assert np.array_equal(s.gross, alone.gross) and np.array_equal(s.net, alone.net)
        assert p.tolist() == pf.prob_cash_below_zero(cash, rec, pd_, 0.2, **common, **cash_kw).tolist()
        assert 0 < p[0] <= p[1] < 1

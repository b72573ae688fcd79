"""The transform method of the exact loss distribution against the polynomial product (the reference),
against brute-force enumeration, and its stated error bound (xl_cashrisk.loss_transform)."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk import loss_transform as lt
from xl_cashrisk import portfolio as pf
from xl_cashrisk.portfolio import loss_distribution

ROOT = Path(__file__).resolve().parents[1]
ALPHAS = (0.95, 0.99, 0.999)
# the bound loss_distribution's docstring states for "transform" against "grid"
POINT_BOUND, SUM_BOUND = 1e-13, 1e-11


def _grid_points(d: pf.LossDistribution) -> int:
    """How many leading atoms are grid points (a capped grid may end with one atom above the cap)."""
    return round(d.exact_below / d.unit) + 1 if math.isfinite(d.exact_below) else d.probs.size


def _check_within_bound(fast: pf.LossDistribution, ref: pf.LossDistribution) -> None:
    n = _grid_points(ref)
    assert fast.unit == ref.unit and fast.exact_below == ref.exact_below and _grid_points(fast) == n
    assert np.array_equal(fast.values[:n], ref.values[:n])
    diff = np.abs(fast.probs[:n] - ref.probs[:n])
    assert diff.max() <= POINT_BOUND and diff.sum() <= SUM_BOUND
    cap = float(ref.values[n - 1])
    assert fast.el == pytest.approx(ref.el, rel=1e-12, abs=SUM_BOUND * cap)
    ref_cdf = np.cumsum(ref.probs)
    for a in ALPHAS:
        v, v_ref = _var_or_none(fast, a), _var_or_none(ref, a)  # None: beyond the cap (VaR refused)
        if v != v_ref:  # only where the reference's cumulative probability passes within the bound of α
            edge = n - 1 if None in (v, v_ref) else int(np.searchsorted(ref.values, min(v, v_ref)))
            assert abs(ref_cdf[edge] - a) <= SUM_BOUND
        if v is not None and v_ref is not None:
            assert fast.es(a) == pytest.approx(ref.es(a), abs=3 * SUM_BOUND * cap / (1 - a) + 1e-9)


def _var_or_none(d: pf.LossDistribution, alpha: float) -> float | None:
    try:
        return d.var(alpha)
    except ValueError:
        return None


@st.composite
def books(draw):
    """13–80 buyers: a few large losses among many below one grid step, PDs often repeated, some 1."""
    n_big = draw(st.integers(1, 8))
    n_small = draw(st.integers(12, 72))
    big = draw(st.lists(st.floats(1e5, 1e7), min_size=n_big, max_size=n_big))
    small = draw(st.lists(st.floats(1.0, 2e3), min_size=n_small, max_size=n_small))
    levels = draw(st.lists(st.floats(1e-4, 0.6), min_size=1, max_size=6))
    pds = draw(st.lists(st.sampled_from([*levels, 1.0]), min_size=n_big + n_small, max_size=n_big + n_small))
    rho = draw(st.sampled_from([0.0, 0.05, 0.2, 0.5, 0.9]))
    return np.array(big + small), np.array(pds), rho


@settings(max_examples=40, deadline=None)
@given(books())
def test_transform_within_the_stated_bound_of_the_product(book):
    losses, pd_, rho = book
    fast = loss_distribution(losses, pd_, rho, method="transform")
    ref = loss_distribution(losses, pd_, rho, method="grid")
    _check_within_bound(fast, ref)
    assert fast.probs.sum() == pytest.approx(1.0, abs=1e-12) and np.all(fast.probs >= 0)
    assert fast.el == pytest.approx(float(losses @ pd_), rel=1e-9)  # the mean is EL (quadrature accuracy)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=13, max_size=14), st.lists(st.floats(1e-3, 0.9), min_size=14, max_size=14),
       st.sampled_from([0.1, 0.3, 0.7]))
def test_whole_unit_book_equals_brute_force_enumeration(losses, pds, rho):
    """Whole-unit losses: the grid is exact, so the transform must give every outcome's probability."""
    lo, pd_ = np.array(losses, dtype=float), np.array(pds[: len(losses)])
    fast = loss_distribution(lo, pd_, rho, method="transform")
    brute = loss_distribution(lo, pd_, rho, method="enumerate")  # all 2^N outcomes
    assert fast.unit == 1.0 and not math.isfinite(fast.exact_below)
    table = dict(zip(brute.values.tolist(), brute.probs.tolist(), strict=True))
    expected = np.array([table.get(v, 0.0) for v in fast.values])
    assert np.abs(fast.probs - expected).max() <= 1e-13
    assert fast.el == pytest.approx(brute.el, rel=1e-12)
    for a in ALPHAS:
        assert fast.var(a) == brute.var(a)
        assert fast.es(a) == pytest.approx(brute.es(a), rel=1e-10)


@pytest.mark.parametrize(("n", "rho", "sigma"), [(5_000, 0.2, 1.0), (3_000, 0.6, 2.0), (2_000, 0.02, 0.5)])
def test_large_books_match_the_product(n, rho, sigma):
    rng = np.random.default_rng(n)
    losses = rng.lognormal(12, sigma, n)
    pd_ = np.round(rng.uniform(0.002, 0.08, n), 4)
    fast = loss_distribution(losses, pd_, rho)
    _check_within_bound(fast, loss_distribution(losses, pd_, rho, method="grid"))


def _plan(monkeypatch, losses, pd_, rho) -> lt.TransformPlan:
    """The plan loss_distribution makes for a book."""
    plans = []
    original = lt.plan_transform
    monkeypatch.setattr(lt, "plan_transform", lambda *a: plans.append(original(*a)) or plans[-1])
    loss_distribution(losses, pd_, rho)
    monkeypatch.setattr(lt, "plan_transform", original)
    return plans[0]


def test_every_branch_of_the_plan_is_exercised_and_exact(monkeypatch):
    rng = np.random.default_rng(4)
    # many small buyers: the worst nodes carry all their mass beyond the cap (skipped), and the FFT has to
    # be larger than twice the grid for the nodes near the cap
    many = rng.uniform(1e3, 1e4, 20_000), rng.uniform(0.002, 0.08, 20_000), 0.2
    plan = _plan(monkeypatch, *many)
    assert plan.skip.any() and plan.nfft > 2 * 4096 and plan.series.sum() > 30
    # whole-unit losses, twenty buyers of one unit with PD 1 beside larger ones: certain jumps and little
    # variance, so the series would not converge over the frequencies that matter; the product takes over
    few = np.r_[np.ones(20), rng.integers(20, 90, 30)], np.r_[np.full(20, 1.0), np.full(30, 0.05)], 0.3
    plan = _plan(monkeypatch, *few)
    assert not plan.series.any() and not plan.skip.any()
    for book in (many, few):
        _check_within_bound(loss_distribution(*book), loss_distribution(*book, method="grid"))


def test_spectrum_of_a_few_jumps_is_the_direct_product():
    pi = np.array([0.05, 0.3, 0.3, 0.4])  # |π·(x − 1)| ≤ 0.8 over the whole circle
    moments = lt.jump_moments(np.array([[0.1, 0.3, 0.4]]), np.array([0, 1, 1, 2]), np.array([0.5, 1, 1, 1]), 250)
    assert moments[0, 1] == pytest.approx(pi.sum()) and moments[0, 3] == pytest.approx((pi**3).sum())
    nfft = 16
    x = np.exp(-2j * np.pi * np.arange(nfft // 2 + 1) / nfft)
    direct = np.prod(1 - pi[:, None] + pi[:, None] * x, axis=0)
    got = lt.jump_spectrum(moments, np.array([nfft // 2 + 1]), np.array([250]), nfft)[0]
    assert np.abs(got - direct).max() < 1e-14


def test_transform_is_the_default_and_multiplies_only_the_large_buyers(monkeypatch):
    rng = np.random.default_rng(8)
    losses, pd_ = rng.lognormal(13, 1.0, 30_000), np.round(rng.uniform(0.002, 0.08, 30_000), 4)
    calls = []
    original = pf._grid_products
    monkeypatch.setattr(pf, "_grid_products", lambda lo, *a: calls.append(lo.size) or original(lo, *a))
    d = loss_distribution(losses, pd_, 0.2)
    assert sum(calls) < 0.02 * losses.size  # the product saw under 2 % of the buyers (421 of 30,000)
    assert d.el == pytest.approx(float(losses @ pd_), rel=1e-9)


_DIGEST = """
import hashlib, numpy as np
from xl_cashrisk.portfolio import loss_distribution
rng = np.random.default_rng(11)
d = loss_distribution(rng.lognormal(12, 1.2, 8_000), np.round(rng.uniform(0.002, 0.1, 8_000), 4), 0.25)
print(hashlib.sha256(d.values.tobytes() + d.probs.tobytes()).hexdigest())
"""


def test_deterministic_across_runs_processes_and_thread_settings():
    rng = np.random.default_rng(11)
    d = loss_distribution(rng.lognormal(12, 1.2, 8_000), np.round(rng.uniform(0.002, 0.1, 8_000), 4), 0.25)
    here = hashlib.sha256(d.values.tobytes() + d.probs.tobytes()).hexdigest()
    rng = np.random.default_rng(11)
    again = loss_distribution(rng.lognormal(12, 1.2, 8_000), np.round(rng.uniform(0.002, 0.1, 8_000), 4), 0.25)
    assert np.array_equal(again.probs, d.probs) and np.array_equal(again.values, d.values)
    for threads in ("1", "4"):
        out = subprocess.run([sys.executable, "-c", _DIGEST], cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "XL_CASHRISK_THREADS": threads}, check=True)
        assert out.stdout.strip() == here


def test_excel_functions_give_the_products_numbers():
    """PORTFOLIOVAR / PORTFOLIOES (exact) over Excel-shaped rows: the reference's VaR, its ES within the bound."""
    from udfs.portfolio import PORTFOLIOES, PORTFOLIOVAR

    rng = np.random.default_rng(21)
    ead, pd_ = np.round(rng.uniform(1e4, 1e6, 4_000), 2), np.round(rng.uniform(0.001, 0.1, 4_000), 4)
    ref = loss_distribution(ead * 0.45, pd_, 0.2, method="grid")
    rows = [[x] for x in ead.tolist()], [[x] for x in pd_.tolist()]
    for a in (0.95, 0.99, 0.999):
        assert PORTFOLIOVAR(*rows, 0.45, 0.2, a) == ref.var(a)
        assert PORTFOLIOES(*rows, 0.45, 0.2, a) == pytest.approx(ref.es(a), abs=3 * SUM_BOUND * ref.exact_below / (1 - a))

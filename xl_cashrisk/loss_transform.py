"""Sums of many independent one-step Bernoulli jumps on a loss grid, through their generating function.

:func:`xl_cashrisk.portfolio.loss_distribution` puts each buyer's loss on a grid of step ``unit``. A buyer
whose loss is below one step (or exactly one step) then contributes a single jump of one step with
probability ``π = p(z)·loss/unit`` (or ``p(z)``) given the factor Z: in a large book almost every buyer
(99.96 % of a 100,000-buyer benchmark book). Multiplying their generating polynomials costs buyers × grid
points per quadrature node; the logarithm of their product is instead a short power series whose
coefficients are power sums of the π's:

    G(x) = Π (1 − πᵢ + πᵢ·x),    log G(x) = Σ_{s≥1} (−1)^(s+1) · W_s · (x − 1)^s / s,    W_s = Σᵢ πᵢ^s,

valid where every ``|πᵢ·(x − 1)| < 1``. Buyers with the same PD share ``p(z)``, so
``W_s(z) = Σ_groups p_g(z)^s · Σ_{i∈g} jumpᵢ^s``: the work per node grows with the number of distinct PDs,
not of buyers. ``G`` is evaluated at the frequencies of an FFT of size n (``x = e^{−iθ}``, scipy's sign),
multiplied by the transform of the other buyers' polynomial product, and transformed back: one inverse FFT
per node instead of a product tree over every buyer.

What the transform leaves out, each part bounded per node (``TAIL`` = 10⁻²⁰, ``SERIES_TOL`` = 10⁻¹⁵):

* a node whose jumps alone put all but ``TAIL`` of its mass at or beyond the grid's L points is skipped
  (Chernoff: ``P(S ≤ L−1) ≤ exp(−δ²μ/2)`` with ``(1−δ)·μ = L−1``, ``μ = W₁``);
* mass wrapping around the transform: at most ``P(S ≥ n−L+1) ≤ e^{−μ}·(e·μ/t)^t`` (Chernoff, ``t = n−L+1``),
  n is doubled until this is ≤ ``TAIL`` (or t exceeds the number of jumps);
* frequencies where ``|G| ≤ exp(−(1 − cos θ)·Σπ(1−π)) ≤ TAIL`` are set to 0 (at most ``TAIL`` per point);
* series terms beyond S: ``|Σ_{s>S}| ≤ W₁·r^S·|x−1| / ((S+1)(1−r))`` with ``r = max π·|x−1|`` over the
  kept frequencies, S chosen so this is ≤ ``SERIES_TOL`` (a relative error of G, so of at most that much per
  grid point). A node where r would exceed ``MAX_RATIO`` (a few buyers carrying large jump probabilities
  over the whole circle) is left to the polynomial product.

Floating-point rounding comes on top: on the benchmark and test books the distribution differs from the
polynomial product by at most 10⁻¹³ per grid point (``tests/test_loss_transform.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TAIL = 1e-20  # mass per node the transform may leave out (below the grid, wrapped around, cut frequencies)
SERIES_TOL = 1e-15  # error of log G per kept frequency from the truncated series
MAX_RATIO = 0.8  # largest max πᵢ·|x − 1| the series is used for; beyond it the caller multiplies polynomials
MAX_TERMS = 256  # longest series; a node that would need more is left to the polynomial product
_BLOCK = 2048  # PD groups per block of the power sums (nodes × block doubles stay in cache)


@dataclass(frozen=True)
class TransformPlan:
    """Per node: skipped (no mass on the grid), by ``series`` or left to the product; the FFT size and,
    for the series nodes, the number of kept frequencies and of series terms."""

    skip: np.ndarray
    series: np.ndarray
    nfft: int
    kept: np.ndarray  # frequencies 0..kept−1 of each series node (same order as np.flatnonzero(series))
    terms: np.ndarray


def jump_moments(cond: np.ndarray, group: np.ndarray, scale: np.ndarray, terms) -> np.ndarray:
    """Power sums ``W[:, s] = Σᵢ πᵢ^s``, ``πᵢ = scaleᵢ·cond[:, groupᵢ]`` (column 0: the count of jumps).

    ``cond``: conditional PD per node (rows) and PD group (columns); ``group``: each jump's PD group;
    ``scale``: each jump's share of its PD (the sub-step fraction of its loss, or 1); ``terms``: the
    highest power, for all rows or per row (a row's columns beyond its own are left 0).

    >>> jump_moments(np.array([[0.1, 0.5]]), np.array([0, 0, 1]), np.array([1.0, 0.5, 0.2]), 2)
    array([[3.    , 0.25  , 0.0225]])
    """
    n_groups = cond.shape[1]
    per_row = np.broadcast_to(np.asarray(terms, dtype=np.int64), cond.shape[:1])
    top = int(per_row.max(initial=0))
    sums = np.empty((n_groups, top + 1))
    power = np.ones_like(scale)
    for s in range(top + 1):
        sums[:, s] = np.bincount(group, power, minlength=n_groups)
        power *= scale
    # rows by decreasing terms, so the rows still needing power s are a leading slice; PD groups in
    # blocks that stay in cache while every power of them is taken (with all PDs distinct, 100,000
    # groups × 60 nodes would otherwise stream through memory twice per power)
    order = np.argsort(-per_row, kind="stable")
    needed = [int(np.count_nonzero(per_row >= s)) for s in range(top + 1)]
    out = np.zeros((cond.shape[0], top + 1))
    acc = np.zeros_like(out)
    for b in range(0, n_groups, _BLOCK):
        c = cond[order, b: b + _BLOCK]
        powers = np.ones_like(c)
        for s, k in enumerate(needed):
            acc[:k, s] += powers[:k] @ sums[b: b + _BLOCK, s]
            powers[:k] *= c[:k]
    out[order] = acc
    return out


def max_jump(cond: np.ndarray, group: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The largest jump probability ``max πᵢ`` per node."""
    top = np.zeros(cond.shape[1])
    np.maximum.at(top, group, scale)
    return (cond * top).max(axis=1, initial=0.0)


def _wrap_log_bound(mu: np.ndarray, t: int) -> np.ndarray:
    """``log P(S ≥ t)`` bound for a sum of Bernoullis with mean μ: ``−μ + t·(1 + log μ − log t)`` (t > μ)."""
    with np.errstate(divide="ignore"):
        return np.where(mu <= 0, -np.inf, np.where(t > mu, -mu + t * (1.0 + np.log(mu) - math.log(t)), 0.0))


def plan_transform(mu: np.ndarray, var: np.ndarray, top: np.ndarray, n_jumps: int, length: int) -> TransformPlan:
    """Decide per node how the grid distribution of ``length`` points is computed (see the module doc).

    ``mu``, ``var``: mean ``Σπ`` and variance ``Σπ(1−π)`` of the number of jumps per node; ``top``: the
    largest π per node; ``n_jumps``: how many jumps there are (the most the sum can reach).
    """
    ln_tail = math.log(TAIL)
    beyond = mu > length - 1
    delta = 1.0 - (length - 1) / np.where(beyond, mu, np.inf)
    skip = beyond & (mu * delta**2 / 2.0 >= -ln_tail)
    nfft = 1 << max(1, (2 * length - 2).bit_length())  # ≥ 2L − 1: a product of two grid polynomials fits
    live = mu[~skip]
    while nfft - length + 1 <= n_jumps and np.max(_wrap_log_bound(live, nfft - length + 1), initial=-np.inf) > ln_tail:
        nfft *= 2
    # kept frequencies θ_k = 2πk/n with (1 − cos θ)·var < −log TAIL, i.e. θ < θ_c
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_c = np.where(var > -ln_tail / 2.0, np.arccos(np.clip(1.0 + ln_tail / var, -1.0, 1.0)), math.pi)
    kept = np.minimum(np.floor(theta_c * nfft / (2.0 * math.pi)).astype(np.int64) + 1, nfft // 2 + 1)
    x_dist = 2.0 * np.sin(np.minimum(kept - 1, nfft // 2) * math.pi / nfft)  # largest |x − 1| kept
    ratio = top * x_dist
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.log(SERIES_TOL * (1.0 - ratio) / (mu * x_dist)) / np.log(ratio)
    terms = np.where((ratio > 0) & (mu * x_dist > SERIES_TOL), np.ceil(np.nan_to_num(need, nan=1.0)), 1.0)
    terms = np.maximum(terms, 1.0)
    series = ~skip & (ratio <= MAX_RATIO) & (terms <= MAX_TERMS)
    return TransformPlan(skip, series, nfft, kept[series], terms[series].astype(np.int64))


def jump_spectrum(moments: np.ndarray, kept: np.ndarray, terms: np.ndarray, nfft: int) -> np.ndarray:
    """``G(e^{−2πik/n})`` for k = 0..n/2 per node (rows of ``moments``), 0 beyond each node's kept frequencies.

    One jump with π = 0.3, n = 4: ``G(x) = 0.7 + 0.3·x`` at x = 1, −i, −1:

    >>> w = jump_moments(np.array([[0.3]]), np.array([0]), np.array([1.0]), 60)
    >>> bool(np.abs(jump_spectrum(w, np.array([3]), np.array([60]), 4) - [1.0, 0.7 - 0.3j, 0.4]).max() < 1e-15)
    True
    """
    x_minus_1 = np.expm1(-2j * np.pi * np.arange(nfft // 2 + 1) / nfft)
    out = np.zeros((moments.shape[0], nfft // 2 + 1), dtype=complex)
    for j, (k, s_max) in enumerate(zip(kept, terms, strict=True)):
        y = x_minus_1[:k]
        acc = np.zeros(k, dtype=complex)
        for s in range(int(s_max), 0, -1):  # Horner in (x − 1)
            acc += (moments[j, s] if s % 2 else -moments[j, s]) / s
            acc *= y
        out[j, :k] = np.exp(acc)
    return out

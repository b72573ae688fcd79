"""Correlated defaults: Vasicek / Basel formulas, portfolio loss distributions, VaR and ES.

Everything here follows shared/domain/SPEC.md §6.3–6.5:

* closed forms of the one-factor Gaussian copula (Vasicek): conditional PD, worst-case default rate,
  large-portfolio loss-rate CDF, Basel corporate correlation, capital K and risk weight;
* :func:`simulate_losses` — Monte Carlo of the multi-factor model (global + region + sector factors),
  the SPEC §6.4 recipe with memory-bounded chunks, a fixed seed and antithetic variates, giving each
  scenario's portfolio loss gross and net of credit insurance;
* :func:`loss_distribution` — the exact / semi-analytic one-factor loss distribution used to check
  the simulation: conditional independence given Z, Gauss–Hermite quadrature over Z and, at each node,
  the exact distribution of the sum of independent Bernoulli losses (enumeration for small books,
  otherwise the product of probability-generating polynomials on a loss grid, its many small buyers
  summed through the log of their generating function, :mod:`xl_cashrisk.loss_transform`);
* :func:`value_at_risk` / :func:`expected_shortfall` on simulated losses exactly as SPEC §6.5 defines
  them, and :class:`LossDistribution` ``.var`` / ``.es`` (Acerbi–Tasche) for discrete distributions;
* :func:`prob_cash_below_zero` — probability that a weekly cash path dips below zero when correlated
  buyer defaults take their receipts away.

Per-buyer loss given default (SPEC §6.1): gross ``EAD·LGD``; net of insurance ``(EAD − I)·LGD`` with
the indemnity ``I`` an input array (from :mod:`xl_cashrisk.insurance` or typed), see :func:`buyer_losses`.

Random numbers: NumPy ``Generator`` (PCG64) seeded explicitly; the streams are not promised identical
across NumPy versions, so tests compare simulated statistics with analytic values, never stored draws.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import fft as sfft
from scipy.special import ndtr, ndtri

from xl_cashrisk import loss_transform as lt
from xl_cashrisk._array import floats, maximum, minimum, scalar_or_array, where

__all__ = [
    "BASEL_MATURITY",
    "BASEL_MAX_MATURITY",
    "CRR_SCALING",
    "DEFAULT_SEED",
    "LossDistribution",
    "LossSample",
    "basel_b",
    "basel_k",
    "basel_rho",
    "basel_sme_adjustment",
    "buyer_losses",
    "expected_shortfall",
    "loss_distribution",
    "loss_rate_cdf",
    "portfolio_el",
    "prob_cash_below_zero",
    "risk_weight",
    "simulate_losses",
    "simulate_losses_and_cash",
    "unexpected_loss",
    "value_at_risk",
    "vasicek_pd",
    "wcdr",
]

DEFAULT_SEED = 12345  # SPEC §6.4 and §6.5 examples
BASEL_MATURITY = 2.5  # years, Basel II effective maturity M for the Annex 5 table
BASEL_MAX_MATURITY = 5.0  # years: the cap on M (Basel II ¶320)
BASEL_Q = 0.999  # Basel IRB confidence level
CRR_SCALING = 1.06  # CRR multiplies the Basel II risk weight by 1.06 (SPEC §6.3)
SME_TURNOVER_FLOOR = 5.0  # € million: smaller firms count as 5 (Basel II ¶273)
SME_TURNOVER_LIMIT = 50.0  # € million: from here on a firm is not an SME, no adjustment (¶273)
SME_RHO_REDUCTION = 0.04  # the correlation reduction at the floor (¶273)
_RHO_SCALE = 1.0 - np.exp(-50.0)  # denominator of the Basel correlation weight (¶272)
WEEKS_PER_YEAR = 52
ENUMERATE_MAX = 12  # books up to this many buyers are enumerated exactly (2^N outcomes per node)
LOSS_METHODS = ("auto", "enumerate", "grid", "transform")  # loss_distribution(method=...)
_MEMORY_MB = 256  # default bound on the working set of one simulation chunk
_PARALLEL_FROM = 20_000_000  # buyers × draws from which chunks are drawn on several threads
_FFT_PARALLEL_FROM = 1_000_000  # polynomial coefficients from which a product's FFTs use several threads
_BUYERS_PER_KEY = 8  # the simulation's grouped path: at least this many buyers per distinct PD (and cell)
_TWO32 = 2.0**32


def _check_unit(name: str, x, *, open_right: bool = False) -> np.ndarray:
    return np.asarray(_unit(name, x, open_right=open_right))


def _unit(name: str, x, *, open_right: bool = False):
    """``x`` checked to lie in [0, 1] (or [0, 1)), as a formula takes it: a float for one value."""
    a = floats(x)
    if a.__class__ is float:  # one value
        if not (a >= 0 and (a < 1 if open_right else a <= 1)):  # NaN too
            raise ValueError(f"{name} must be in {'[0, 1)' if open_right else '[0, 1]'}, got {a!r}")
        return a
    bad = ~((a >= 0) & ((a < 1) if open_right else (a <= 1)))
    if bad.any():
        v = a[bad].flat[0] if a.ndim else a.item()
        rng = "[0, 1)" if open_right else "[0, 1]"
        raise ValueError(f"{name} must be in {rng}, got {v!r}")
    return a


# ----------------------------------------------------------------------------------------------
# Closed forms (SPEC §6.3)


def vasicek_pd(pd, rho, z):
    """Conditional PD given the systematic factor: ``p(z) = Φ((Φ⁻¹(PD) − √ρ·z) / √(1−ρ))``.

    SPEC §6.3 (Vasicek one-factor Gaussian copula). Bad states are ``z < 0``. Broadcasts over all
    arguments; ``PD`` 0 or 1 stays 0 or 1; ``ρ = 0`` returns ``PD``.

    >>> round(vasicek_pd(0.02, 0.20, -2.326348), 6)   # VS-1
    0.12861
    >>> round(vasicek_pd(0.015, 0.40, -1.0), 6)       # VS-5
    0.023568
    """
    p = _unit("pd", pd)
    r = _unit("rho", rho, open_right=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ndtr((ndtri(p) - np.sqrt(r) * floats(z)) / np.sqrt(1.0 - r))
    return scalar_or_array(out, dtype=float)


def wcdr(pd, rho, q):
    """Worst-case default rate at confidence q: ``Φ((Φ⁻¹(PD) + √ρ·Φ⁻¹(q)) / √(1−ρ))``.

    SPEC §6.3; equals :func:`vasicek_pd` at ``z = Φ⁻¹(1−q)``.

    >>> round(wcdr(0.02, 0.20, 0.999), 6)   # VS-6
    0.226313
    """
    qq = floats(q)
    if qq.__class__ is float:
        if not 0 < qq < 1:
            raise ValueError(f"q must be strictly between 0 and 1, got {np.float64(qq)!r}")
    elif np.any(~((qq > 0) & (qq < 1))):
        raise ValueError(f"q must be strictly between 0 and 1, got {qq[~((qq > 0) & (qq < 1))].flat[0]!r}")
    return vasicek_pd(pd, rho, -ndtri(qq))


def loss_rate_cdf(x, pd, rho):
    """Large-portfolio (Vasicek) default-rate CDF: ``P(DR ≤ x) = Φ((√(1−ρ)·Φ⁻¹(x) − Φ⁻¹(PD)) / √ρ)``.

    SPEC §6.3; the limit of an infinitely granular homogeneous book. Needs ``0 < ρ < 1``.

    >>> round(loss_rate_cdf(0.128610, 0.02, 0.20), 4)   # WCDR_0.99 is the 99 % quantile
    0.99
    """
    r = _unit("rho", rho, open_right=True)
    if (r <= 0) if r.__class__ is float else np.any(r <= 0):
        raise ValueError("rho must be > 0 for the loss-rate distribution (ρ = 0 is a point mass at PD)")
    xx = _unit("x", x)
    p = _unit("pd", pd)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ndtr((np.sqrt(1.0 - r) * ndtri(xx) - ndtri(p)) / np.sqrt(r))
    return scalar_or_array(out, dtype=float)


def basel_sme_adjustment(turnover_m_eur):
    """Basel II firm-size (SME) reduction of the corporate correlation:
    ``0.04 × (1 − (S − 5)/45)`` for annual turnover ``S`` (€ million) below 50, S below 5 counting as 5;
    0 from €50 m on, and 0 where the turnover is unknown (NaN: treated as a large corporate).

    Basel II ¶273 (the Annex 5 SME column is S = 5: the full 0.04). Broadcasts; scalar in, scalar out.

    >>> basel_sme_adjustment(5), basel_sme_adjustment(2), round(basel_sme_adjustment(27.5), 6), basel_sme_adjustment(80)
    (0.04, 0.04, 0.02, 0.0)
    """
    s = floats(turnover_m_eur)
    one = s.__class__ is float
    if one and s != s:  # unknown turnover: a large corporate
        return 0.0
    if (s < 0) if one else np.any(s < 0):
        raise ValueError(f"turnover must be ≥ 0 (€ million), got {np.float64(s) if one else s[s < 0].flat[0]!r}")
    size = minimum(maximum(s, SME_TURNOVER_FLOOR), SME_TURNOVER_LIMIT) if one else np.clip(
        s, SME_TURNOVER_FLOOR, SME_TURNOVER_LIMIT)
    adj = SME_RHO_REDUCTION * (1.0 - (size - SME_TURNOVER_FLOOR) / (SME_TURNOVER_LIMIT - SME_TURNOVER_FLOOR))
    return scalar_or_array(where(s != s, 0.0, adj), dtype=float)


def basel_rho(pd, turnover_m_eur=None):
    """Basel II corporate asset correlation: ``ρ = 0.12·w + 0.24·(1−w)``, ``w = (1−e^(−50·PD))/(1−e^(−50))``,
    minus the SME adjustment :func:`basel_sme_adjustment` when ``turnover_m_eur`` is given.

    SPEC §6.3 (VS-7); Basel II ¶272–273.

    >>> round(basel_rho(0.01), 6)
    0.192784
    >>> round(basel_rho(0.01, turnover_m_eur=5), 6)   # SME of €5 m turnover: 0.04 lower
    0.152784
    """
    p = _unit("pd", pd)
    w = (1.0 - np.exp(-50.0 * p)) / _RHO_SCALE
    rho = 0.12 * w + 0.24 * (1.0 - w)
    if turnover_m_eur is not None:
        rho = rho - floats(basel_sme_adjustment(turnover_m_eur))
    return scalar_or_array(rho, dtype=float)


def basel_b(pd):
    """Basel maturity-adjustment slope ``b = (0.11852 − 0.05478·ln PD)²`` (SPEC §6.3, VS-8).

    >>> round(basel_b(0.01), 6)
    0.137486
    """
    p = _unit("pd", pd)
    if (p <= 0) if p.__class__ is float else np.any(p <= 0):
        raise ValueError("pd must be > 0 for the Basel maturity adjustment")
    t = 0.11852 - 0.05478 * np.log(p)
    return scalar_or_array(t * t, dtype=float)


def basel_k(pd, lgd=0.45, maturity=BASEL_MATURITY, turnover_m_eur=None):
    """Basel IRB capital requirement per unit of EAD (the unexpected-loss capital, EL excluded).

    ``K = [LGD·WCDR_0.999(PD, ρ) − PD·LGD] × (1 + (M − 2.5)·b) / (1 − 1.5·b)`` with ``ρ`` from
    :func:`basel_rho` (SME-adjusted when ``turnover_m_eur`` is given) and ``b`` from :func:`basel_b`
    (SPEC §6.3; Basel II ¶272–273). Basel bounds M to at most 5 years (¶320); this function does not.

    >>> round(basel_k(0.01), 6)   # VS-8
    0.073853
    >>> round(basel_k(0.01, turnover_m_eur=5), 6)   # an SME of €5 m turnover
    0.057916
    """
    p = floats(pd)
    lg = _unit("lgd", lgd)
    b = floats(basel_b(p))
    k = (lg * floats(wcdr(p, basel_rho(p, turnover_m_eur), BASEL_Q)) - p * lg) * (
        (1.0 + (floats(maturity) - 2.5) * b) / (1.0 - 1.5 * b)
    )
    return scalar_or_array(k, dtype=float)


def risk_weight(pd, lgd=0.45, maturity=BASEL_MATURITY, scaling=1.0, turnover_m_eur=None):
    """Basel risk weight ``RW = 12.5 · K · scaling`` as a decimal (0.9232 = 92.32 %).

    ``scaling`` 1.0 reproduces the Basel II Annex 5 table, which carries no 1.06 (the 1.06 of Basel II
    ¶14/¶44 scales a bank's total IRB RWA; the CRR writes it into each risk weight: :data:`CRR_SCALING`;
    Basel III's final IRB rules drop it). SPEC §6.3.

    >>> round(100 * risk_weight(0.01), 2)   # VS-8, Annex 5: 92.32 %
    92.32
    >>> round(100 * risk_weight(0.025, turnover_m_eur=5), 2)   # Annex 5 SME column (S = 5), PD 2.5 %
    93.43
    """
    return scalar_or_array(12.5 * floats(basel_k(pd, lgd, maturity, turnover_m_eur)) * scaling, dtype=float)


# ----------------------------------------------------------------------------------------------
# Per-buyer losses and expected loss (SPEC §6.1)


def buyer_losses(ead, lgd, insured=None):
    """Loss if each buyer defaults: ``(gross, net)`` with gross ``EAD·LGD``, net ``(EAD − I)·LGD``.

    ``insured`` is the indemnity I per buyer (SPEC §6.1/§7.2, e.g. ``insured_pct·min(EAD, limit)``);
    blank/None means uninsured. I is capped at EAD.

    >>> buyer_losses([800_000, 240_000], 0.6, [630_000, 0])
    (array([480000., 144000.]), array([102000., 144000.]))
    """
    e = np.asarray(ead, dtype=float)
    if np.any(~np.isfinite(e)) or np.any(e < 0):
        raise ValueError("ead must be finite amounts ≥ 0")
    lg = _check_unit("lgd", lgd)
    gross = np.broadcast_to(e * lg, np.broadcast_shapes(e.shape, lg.shape)).astype(float)
    if insured is None:
        return gross, gross.copy()
    i = np.nan_to_num(np.asarray(insured, dtype=float), nan=0.0)
    if np.any(i < 0):
        raise ValueError("insured (indemnity) amounts must be ≥ 0")
    net = (e - np.minimum(i, e)) * lg
    return gross, np.broadcast_to(net, gross.shape).astype(float)


def portfolio_el(ead, pd, lgd, insured=None):
    """Expected portfolio loss ``Σ PDᵢ·LGDᵢ·(EADᵢ − Iᵢ)`` (SPEC §6.1; I = 0 without ``insured``).

    >>> portfolio_el([500_000, 300_000, 200_000], [0.02, 0.05, 0.10], 0.6)   # VaR-1 book
    27000.0
    """
    p = _check_unit("pd", pd)
    _, net = buyer_losses(ead, lgd, insured)
    return float(np.sum(p * net))


# ----------------------------------------------------------------------------------------------
# VaR / ES on simulated losses (SPEC §6.5)


def _alpha_n(alpha: float, n: int) -> float:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    # round() removes binary noise such as 0.07*100 = 7.000000000000001 before the ceiling
    return round(alpha * n, 9)


def _k_index(alpha: float, n: int) -> int:
    return max(1, math.ceil(_alpha_n(alpha, n)))


def value_at_risk(losses, alpha=0.99):
    """Lower α-quantile of simulated losses: ``VaR_α = L₍k₎, k = ceil(α·S)`` (SPEC §6.5).

    Same as ``np.quantile(L, α, method="inverted_cdf")``. ``alpha`` may be an array.

    >>> value_at_risk(np.arange(100), 0.95)
    94.0
    """
    s = np.sort(np.asarray(losses, dtype=float).ravel())
    if s.size == 0:
        raise ValueError("no losses given")
    a = np.asarray(alpha, dtype=float)
    out = np.array([s[_k_index(float(x), s.size) - 1] for x in a.ravel()]).reshape(a.shape)
    return scalar_or_array(out, dtype=float)


def expected_shortfall(losses, alpha=0.99):
    """Mean of the worst ``(1 − α)·S`` of ``S`` simulated losses, the boundary draw counted in part.

    ``ES_α = [L₍k+1₎ + … + L₍S₎ + (k − α·S)·L₍k₎] / ((1 − α)·S)``, ``k = ceil(α·S)``, ``L₍k₎ = VaR_α``:
    the Acerbi–Tasche tail mean of the sample's own distribution (each draw has probability 1/S), as
    SPEC §6.5 defines it for a discrete distribution. When ``α·S`` is whole the boundary weight is 0
    and this is the mean of the worst ``S − k`` losses (SPEC §6.5); when ``k = S`` it is ``VaR_α``.
    Without the weight, a tail of 2.5 draws would be averaged over 2 and ES would jump as S changes.

    >>> expected_shortfall(np.arange(100), 0.95)   # SPEC §6.5 toy check
    97.0
    >>> expected_shortfall(np.arange(10), 0.75)    # α·S = 7.5: (8 + 9 + 0.5·7) / 2.5
    8.2
    """
    s = np.sort(np.asarray(losses, dtype=float).ravel())
    if s.size == 0:
        raise ValueError("no losses given")
    a = np.asarray(alpha, dtype=float)
    res = []
    for x in a.ravel():
        an = _alpha_n(float(x), s.size)
        k = max(1, math.ceil(an))
        res.append((s[k:].sum() + (k - an) * s[k - 1]) / (s.size - an))
    return scalar_or_array(np.array(res).reshape(a.shape), dtype=float)


def unexpected_loss(var, el):
    """Unexpected loss (economic capital): ``UL_α = VaR_α − EL`` (SPEC §6.5), the loss beyond the
    expected one that capital has to absorb at confidence α. Broadcasts; scalar in, scalar out.

    (Basel's K·EAD, :func:`basel_k`, is the same idea for one exposure in an infinitely granular book
    at α = 99.9 %.)

    >>> unexpected_loss(180_000, 27_000), unexpected_loss(300_000, 27_000)   # VaR-1 at 95 % and 99 %
    (153000.0, 273000.0)
    """
    return scalar_or_array(np.asarray(var, dtype=float) - np.asarray(el, dtype=float), dtype=float)


# ----------------------------------------------------------------------------------------------
# Exact / semi-analytic one-factor loss distribution


@dataclass(frozen=True)
class LossDistribution:
    """A discrete loss distribution: ascending ``values`` with probabilities ``probs``.

    ``exact_below``: values below it are exact (grid or enumeration); when the loss grid had to be
    capped, the last atom lumps all mass at or above the cap at its exact conditional mean, so
    :attr:`el` stays exact, and a VaR falling in that atom raises instead of returning a guess.
    ``unit``: the loss grid step (0 for enumeration; equal to the common divisor of the losses when
    the grid is exact; otherwise losses were split between the two neighbouring grid points keeping
    their mean, and quantiles are accurate to about one unit).
    """

    values: np.ndarray
    probs: np.ndarray
    unit: float = 0.0
    exact_below: float = math.inf

    @property
    def el(self) -> float:
        """Expected loss ``Σ l·p(l)``."""
        return float(self.values @ self.probs)

    def cdf(self, x):
        """``P(L ≤ x)``."""
        c = np.cumsum(self.probs)
        idx = np.searchsorted(self.values, np.asarray(x, dtype=float), side="right")
        return scalar_or_array(np.where(idx > 0, c[np.maximum(idx - 1, 0)], 0.0), dtype=float)

    def _var_index(self, alpha: float) -> int:
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
        c = np.cumsum(self.probs)
        i = int(np.searchsorted(c, alpha - 1e-12, side="left"))
        i = min(i, c.size - 1)
        if self.values[i] >= self.exact_below:
            raise ValueError(
                f"VaR at {alpha} lies beyond the loss grid's cap {self.exact_below:,.2f}; "
                "recompute with a larger cap_quantile"
            )
        return i

    def var(self, alpha: float = 0.99) -> float:
        """``VaR_α = min{l : P(L ≤ l) ≥ α}`` (SPEC §6.5)."""
        return float(self.values[self._var_index(alpha)])

    def es(self, alpha: float = 0.99) -> float:
        """Acerbi–Tasche tail mean ``[Σ_{l>VaR} l·p(l) + VaR·(P(L ≤ VaR) − α)] / (1 − α)`` (SPEC §6.5)."""
        i = self._var_index(alpha)
        v = self.values[i]
        tail = float(self.values[i + 1:] @ self.probs[i + 1:])
        return float((tail + v * (float(self.probs[: i + 1].sum()) - alpha)) / (1.0 - alpha))


@functools.lru_cache(maxsize=8)
def _quadrature(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes and weights for E[f(Z)], Z standard normal (read-only; cached: the eigenvalue
    problem behind them costs more than a 100,000-buyer loss distribution)."""
    z, w = hermegauss(nodes)
    w = w / math.sqrt(2.0 * math.pi)
    keep = w > 1e-18  # nodes beyond ±9σ or so carry no weight a quantile can see
    z, w = z[keep], w[keep] / w[keep].sum()
    z.flags.writeable = w.flags.writeable = False
    return z, w


def _common_unit(losses: np.ndarray, max_points: int) -> float | None:
    """The largest unit dividing every loss exactly, if the grid it implies is small enough."""
    pos = losses[losses > 0]
    if pos.size == 0:
        return 1.0
    for scale in (1.0, 100.0):  # whole amounts, then cents
        x = pos * scale
        r = np.round(x)
        if np.all(np.abs(x - r) <= 1e-9 * np.maximum(1.0, x)) and r.max() < 2**53:
            g = float(np.gcd.reduce(r.astype(np.int64))) / scale
            if pos.sum() / g + 1 <= max_points:
                return g
            return None
    return None


def _enumerate(losses, cond_pd, weights) -> LossDistribution:
    n = losses.size
    outcomes = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)  # (2^n, n)
    vals = outcomes @ losses
    probs = np.zeros(vals.size)
    for pz, wz in zip(cond_pd, weights, strict=True):  # P(outcome | z) = Π p^d (1−p)^(1−d)
        probs += wz * np.prod(np.where(outcomes, pz, 1.0 - pz), axis=1)
    key = np.round(vals, 6)
    uniq, inv = np.unique(key, return_inverse=True)
    return LossDistribution(uniq, np.bincount(inv, weights=probs), 0.0)


def _fft_workers(size: int) -> int:
    """Threads for a batch of FFTs over ``size`` numbers (one below :data:`_FFT_PARALLEL_FROM`)."""
    return _threads() if size >= _FFT_PARALLEL_FROM else 1


def _poly_mul(a: np.ndarray, b: np.ndarray, length: int) -> np.ndarray:
    """Batched product of polynomials along the last axis, truncated to ``length`` coefficients."""
    n = a.shape[-1] + b.shape[-1] - 1
    nfft = 1 << max(1, (n - 1).bit_length())
    # scipy.fft: the same pocketfft transforms as numpy.fft (the same numbers), with less copying and the
    # batch of transforms shared out over threads (each transform computed whole by one thread)
    workers = _fft_workers(a.size + b.size)
    prod = sfft.rfft(a, nfft, workers=workers)
    prod *= sfft.rfft(b, nfft, workers=workers)
    return sfft.irfft(prod, nfft, overwrite_x=True, workers=workers)[..., : min(n, length)]


def _tree_product(x: np.ndarray, length: int) -> np.ndarray:
    """Product of the polynomials ``x[:, j, :]`` over j (pairwise tree, FFT, truncated)."""
    while x.shape[1] > 1:
        if x.shape[1] % 2:
            one = np.zeros((x.shape[0], 1, x.shape[2]))
            one[:, :, 0] = 1.0
            x = np.concatenate([x, one], axis=1)
        x = _poly_mul(x[:, 0::2], x[:, 1::2], length)
    return x[:, 0]


def _grid_cells(losses: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """Each loss as ``(a + f)·unit``: whole grid steps ``a`` and the fraction ``f`` of the next one."""
    u = losses / unit
    a = np.floor(u + 1e-9).astype(np.int64)
    f = np.clip(u - a, 0.0, 1.0)
    f[f < 1e-9] = 0.0
    return a, f


def _grid_products(losses, cond_pd, unit, length, memory_mb) -> np.ndarray:
    """Per node (rows of ``cond_pd``), the exact grid distribution truncated to ``length`` points.

    Each buyer's loss ``l = (a + f)·unit`` is placed at ``a`` with probability ``p·(1−f)`` and at
    ``a+1`` with ``p·f`` (mean-preserving split; ``f = 0`` on an exact grid). Its generating polynomial
    ``(1−p) + p(1−f)x^a + p·f·x^(a+1)`` is multiplied over buyers by FFT in a pairwise tree, buyers
    binned by polynomial length so no short polynomial is padded to a long one.
    """
    a, f = _grid_cells(losses, unit)
    n_nodes = cond_pd.shape[0]
    total = np.zeros((n_nodes, 1))
    total[:, 0] = 1.0
    plen = np.minimum(a + 2, length)
    bins = np.ceil(np.log2(np.maximum(plen, 2))).astype(int)
    for b in np.unique(bins):
        idx = np.flatnonzero(bins == b)
        width = min(1 << int(b), length)
        # memory bound: polynomials plus FFT workspace ≈ 6 doubles per coefficient
        per = max(2, int(memory_mb * 2**20 / (8 * 6 * width * n_nodes)))
        for s in range(0, idx.size, per):
            j = idx[s: s + per]
            x = np.zeros((n_nodes, j.size, width))
            p = cond_pd[:, j]
            x[:, :, 0] = 1.0 - p
            rows = np.arange(j.size)
            aj, fj = a[j], f[j]
            inside = aj < width
            # one place per buyer (row), so a plain indexed += adds exactly what np.add.at would
            x[:, rows[inside], aj[inside]] += (p * (1.0 - fj))[:, inside]
            up = (aj + 1 < width) & (fj > 0)
            x[:, rows[up], aj[up] + 1] += (p * fj)[:, up]
            total = _poly_mul(total, _tree_product(x, length), length)
    return total


def _mixture(weights: np.ndarray, products: np.ndarray, length: int) -> np.ndarray:
    """``Σ weight·(node distribution)`` over nodes, rounding noise below 0 cut, padded to ``length`` points."""
    dist = weights @ np.clip(products, 0.0, None)
    return np.concatenate([dist, np.zeros(length - dist.size)]) if dist.size < length else dist


def _grid_distribution(losses, cond_pd, weights, unit, length, memory_mb) -> np.ndarray:
    """Mixture over nodes of :func:`_grid_products` (``method="grid"``, the reference)."""
    return _mixture(weights, _grid_products(losses, cond_pd, unit, length, memory_mb), length)


def _transform_distribution(losses, group, cond, weights, unit, length, memory_mb) -> np.ndarray:
    """The same mixture as :func:`_grid_distribution` (``method="transform"``, :mod:`.loss_transform`).

    ``group``: each buyer's PD group, ``cond``: conditional PD per node and group. Buyers whose grid
    polynomial is a single one-step jump (loss below one step, or exactly one step) enter through the
    power-series transform; the others are multiplied as polynomials and joined by FFT. Nodes where the
    series is not used are computed entirely by the product.
    """
    a, f = _grid_cells(losses, unit)
    jump = (a == 0) | ((a == 1) & (f == 0))
    if not jump.any():
        return _grid_distribution(losses, cond[:, group], weights, unit, length, memory_mb)
    jgroup, scale = group[jump], np.where(a == 0, f, 1.0)[jump]
    first = lt.jump_moments(cond, jgroup, scale, 2)
    plan = lt.plan_transform(first[:, 1], first[:, 1] - first[:, 2], lt.max_jump(cond, jgroup, scale),
                             int(jump.sum()), length)
    dist = np.zeros(length)
    rows = np.flatnonzero(plan.series)
    per = max(1, int(memory_mb * 2**20 / (48 * plan.nfft)))  # spectra, their product and the inverse
    for s in range(0, rows.size, per):
        r = rows[s: s + per]
        moments = lt.jump_moments(cond[r], jgroup, scale, plan.terms[s: s + per])
        spec = lt.jump_spectrum(moments, plan.kept[s: s + per], plan.terms[s: s + per], plan.nfft)
        if not jump.all():
            others = _grid_products(losses[~jump], cond[r][:, group[~jump]], unit, length, memory_mb)
            spec *= sfft.rfft(others, plan.nfft, workers=_fft_workers(spec.size))
        dens = sfft.irfft(spec, plan.nfft, overwrite_x=True, workers=_fft_workers(spec.size))
        dist += _mixture(weights[r], dens[:, :length], length)
    rest = np.flatnonzero(~plan.series & ~plan.skip)
    if rest.size:
        dist += _grid_distribution(losses, cond[rest][:, group], weights[rest], unit, length, memory_mb)
    return dist


def loss_distribution(losses, pd, rho, *, nodes=128, method="auto", max_points=4096,
                      cap_quantile=1e-7, memory_mb=_MEMORY_MB) -> LossDistribution:
    """Exact (or semi-analytic) one-factor portfolio loss distribution.

    Defaults are independent given the factor Z (SPEC §6.3), so
    ``P(L = x) = ∫ P(L = x | Z = z) φ(z) dz`` evaluated by Gauss–Hermite quadrature with ``nodes`` nodes.
    Given Z the loss is a sum of independent Bernoulli losses ``lᵢ`` with probabilities ``pᵢ(z)``:

    * ``method="enumerate"`` (auto for ≤ 12 buyers): all 2ᴺ outcomes, exact loss values;
    * ``method="grid"``: product of generating polynomials on a loss grid. When every loss is a whole
      multiple of a common unit and the grid fits in ``max_points`` the result is exact; otherwise
      the grid covers losses up to a cap (the loss at ``Z = Φ⁻¹(cap_quantile)`` plus 8 conditional
      standard deviations plus the largest single loss), losses are split between neighbouring grid
      points keeping their mean (Andersen–Sidenius–Basu style), and the mass above the cap is one
      atom at its exact conditional mean. The reference: its cost grows with buyers × grid points
      per node (100,000 buyers: seconds);
    * ``method="transform"`` (auto for more than 12 buyers): the same grid distribution, with the
      buyers whose loss is at most one grid step (in a large book nearly all) summed through the
      logarithm of their generating function, a power series in ``(x − 1)`` whose coefficients are
      power sums of their conditional PDs over the distinct PDs (:mod:`xl_cashrisk.loss_transform`),
      and one inverse FFT per node; the larger buyers are multiplied as in ``"grid"``. Error bound
      against ``"grid"``: per node, at most 10⁻²⁰ of mass left out below the cap (nodes whose mass
      lies beyond it, wrap-around, negligible frequencies; Chernoff bounds) and 10⁻¹⁵ relative error
      of the generating function per frequency, plus rounding; tested: at most 10⁻¹³ per grid point
      and 10⁻¹¹ summed over the grid (measured at most 3·10⁻¹⁴ and 2·10⁻¹² up to 100,000 buyers).
      So EL agrees to ``10⁻¹¹·cap`` (exactly, up to the quadrature, when there is an atom above the
      cap), VaR is the same grid point unless the cumulative probability there is within 10⁻¹¹ of α,
      and ES differs by at most ``3·10⁻¹¹·cap/(1 − α)``.

    ``losses`` are per-buyer losses given default (``EAD·LGD`` gross, or net of insurance, see
    :func:`buyer_losses`).

    SPEC §6.5 VaR-1 (three buyers, ρ 0.25, LGD 60 %):

    >>> d = loss_distribution([300_000, 180_000, 120_000], [0.02, 0.05, 0.10], 0.25, nodes=200)
    >>> round(d.el, 2), d.var(0.95), round(d.es(0.95), 2), d.var(0.99), round(d.es(0.99), 2), d.var(0.999)
    (27000.0, 180000.0, 273369.56, 300000.0, 409620.57, 600000.0)
    """
    lo = np.asarray(losses, dtype=float).ravel()
    p = _check_unit("pd", np.broadcast_to(np.asarray(pd, dtype=float), lo.shape))
    if not np.all(np.isfinite(lo)) or np.any(lo < 0):
        raise ValueError("losses must be finite amounts ≥ 0")
    r = float(rho)
    _check_unit("rho", r, open_right=True)
    if method not in LOSS_METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, LOSS_METHODS))}, got {method!r}")
    keep = (lo > 0) & (p > 0)
    lo, p = lo[keep], p[keep]
    if lo.size == 0:
        return LossDistribution(np.array([0.0]), np.array([1.0]))
    z, w = _quadrature(nodes)
    pds, group = np.unique(p, return_inverse=True)  # conditional PDs once per distinct PD
    cond = np.asarray(vasicek_pd(pds[None, :], r, z[:, None]))
    if method == "enumerate" or (method == "auto" and lo.size <= ENUMERATE_MAX):
        if lo.size > 16:
            raise ValueError("enumeration is limited to 16 buyers; use method='transform'")
        return _enumerate(lo, cond[:, group], w)
    unit = _common_unit(lo, max_points)
    if unit is not None:
        length = round(float(lo.sum()) / unit) + 1
        cap = math.inf
    else:
        z_cap = ndtri(cap_quantile)
        pc = np.asarray(vasicek_pd(pds, r, z_cap))[group]
        cap = min(lo.sum(), lo @ pc + 8.0 * math.sqrt(lo**2 @ (pc * (1 - pc))) + lo.max())
        length = max_points
        unit = cap / (length - 1)
    if method == "grid":
        dist = _grid_distribution(lo, cond[:, group], w, unit, length, memory_mb)
    else:
        dist = _transform_distribution(lo, group, cond, w, unit, length, memory_mb)
    values = np.arange(length) * unit
    if math.isfinite(cap):
        over = max(0.0, 1.0 - dist.sum())
        el = float(w @ (cond @ np.bincount(group, lo, minlength=pds.size)))
        if over > 1e-15:
            tail_mean = max((el - values @ dist) / over, cap)
            values, dist = np.append(values, tail_mean), np.append(dist, over)
        return LossDistribution(values, dist, unit, exact_below=cap)
    return LossDistribution(values, dist, unit)


# ----------------------------------------------------------------------------------------------
# Monte Carlo (SPEC §6.4)


@dataclass(frozen=True)
class LossSample:
    """Simulated portfolio losses per scenario, gross and net of insurance, with how they were drawn."""

    gross: np.ndarray
    net: np.ndarray
    seed: int
    antithetic: bool

    def var(self, alpha=0.99, net=False):
        return value_at_risk(self.net if net else self.gross, alpha)

    def es(self, alpha=0.99, net=False):
        return expected_shortfall(self.net if net else self.gross, alpha)

    def el(self, net=False) -> float:
        return float(np.mean(self.net if net else self.gross))


def _factor_index(labels, n: int, name: str) -> np.ndarray:
    if labels is None:
        return np.zeros(n, dtype=np.int64)
    lab = np.asarray(labels).ravel()
    if lab.size != n:
        raise ValueError(f"{name} has {lab.size} entries for {n} buyers")
    return np.unique(lab.astype(str), return_inverse=True)[1].ravel().astype(np.int64)


def _threads() -> int:
    """Worker threads for large simulations: ``XL_CASHRISK_THREADS`` if set, else the CPUs (at most 4)."""
    try:
        return max(1, int(os.environ.get("XL_CASHRISK_THREADS", "")))
    except ValueError:
        return max(1, min(4, os.cpu_count() or 1))


def _draw_chunk(rng, m, n, thr, w_id, sg, sr, ss, n_reg, n_sec, cell_reg, cell_sec, cell_idx, antithetic,
                cash=None):
    """One chunk of ``m`` draws: the default matrix, and its antithetic mirror when asked. With ``cash``
    (thresholds, scale; see :func:`_default_draws`) each entry is a pair: the default matrix and the
    cash-default matrix of the same draws."""
    zg = rng.standard_normal((m, 1))
    zr = rng.standard_normal((m, n_reg))
    zs = rng.standard_normal((m, n_sec))
    sys_cell = (sg * zg + sr * zr[:, cell_reg] + ss * zs[:, cell_sec]).astype(np.float32)
    eps = rng.standard_normal((m, n), dtype=np.float32)
    eps *= w_id
    if sys_cell.shape[1] == 1 or bool((sys_cell == sys_cell[:, :1]).all()):
        # one systematic value per scenario (one factor, or zero region/sector weights): broadcast it
        t = np.subtract(thr, sys_cell[:, :1])  # default ⇔ w·ε < Φ⁻¹(PD) − systematic
    else:
        t = np.take(sys_cell, cell_idx, axis=1)
        np.subtract(thr, t, out=t)
    first = eps < t
    if antithetic:
        t -= 2.0 * thr  # mirrored draw (−Z, −ε): default ⇔ w·ε > −Φ⁻¹(PD) − systematic
        mats = [first, eps > t]
    else:
        mats = [first]
    if cash is None:
        return mats
    # cash defaults: the global factor alone, ε scaled to its weight: √ρ·Z_g + √(1−ρ)·ε < Φ⁻¹(PD_cash)
    # (the same arithmetic as a one-factor simulation of its own, so without region or sector labels
    # the cash defaults are exactly those of prob_cash_below_zero with the same seed)
    cash_thr, scale = cash
    glob = (sg * zg).astype(np.float32)
    np.subtract(cash_thr, glob, out=t)
    if scale is not None:
        t *= scale
    cash_mats = [eps < t]
    if antithetic:
        if scale is not None:  # the unscaled threshold again (no second buffer)
            np.subtract(cash_thr, glob, out=t)
        t -= 2.0 * cash_thr
        if scale is not None:
            t *= scale
        cash_mats.append(eps > t)
    return list(zip(mats, cash_mats, strict=True))


def _uniform_draw_chunk(rng, m, plan: _Grouped, sg, sr, ss, n_reg, n_sec, antithetic, with_cash):
    """One chunk of ``m`` draws of the *grouped* path (see :func:`_default_draws`): the same model and the
    same items as :func:`_draw_chunk`, with each buyer's εᵢ drawn as its uniform ``Uᵢ = Φ(εᵢ)`` (32 random
    bits) and compared with its conditional PD, computed once per key (distinct PD, or PD and cell) and
    scenario. Columns are the buyers in ``plan.order``.

    ``w·ε < Φ⁻¹(PD) − s`` ⇔ ``U < Φ((Φ⁻¹(PD) − s)/w)``; the mirrored draw (−Z, −ε) defaults ⇔
    ``1 − U < Φ((Φ⁻¹(PD) + s)/w)``. A 32-bit uniform costs a sixth of the CPU of a normal, and the normal
    CDF is evaluated per key and scenario, not per buyer and scenario."""
    zg = rng.standard_normal((m, 1))
    zr = rng.standard_normal((m, n_reg))
    zs = rng.standard_normal((m, n_sec))
    u = rng.integers(0, 2**32, (m, plan.spread.key.size), dtype=np.uint32)
    sys_key = sg * zg + sr * zr[:, plan.key_reg] + ss * zs[:, plan.key_sec]  # (m, keys)
    mats = [_below(u, (plan.key_thr - sys_key) / plan.w, plan.spread, plan.always)]
    if antithetic:
        mats.append(_below(u, (plan.key_thr + sys_key) / plan.w, plan.spread, plan.always, mirror=True))
    if not with_cash:
        return mats
    # cash defaults: the global factor alone, the same uniforms (the same εᵢ): U < Φ((Φ⁻¹(PD_cash) − √β_g·Z_g)/√(1−β_g))
    cash = [_CashDefaults(u, sign * sg * zg, plan, mirror) for sign, mirror in ((1.0, False), (-1.0, True))]
    if not plan.cash_within:
        cash = [c.rows(slice(None)) for c in cash]
    return list(zip(mats, cash[: len(mats)], strict=True))


class _CashDefaults:
    """The cash defaults of one chunk's scenarios (grouped path), computed for the rows asked for (:meth:`rows`).

    When ``plan.cash_within`` every cash default is also a default of the loss matrix of the same draws (one
    factor, each buyer's cash PD at most its PD), so a consumer can bound a scenario's cash loss by its
    defaulted buyers and compute the cash defaults only of the scenarios that bound does not rule out."""

    def __init__(self, u, systematic, plan: _Grouped, mirror: bool):
        self.u, self.systematic, self.plan, self.mirror = u, systematic, plan, mirror

    def rows(self, rows) -> np.ndarray:
        p = self.plan
        return _below(self.u[rows], (p.cash_thr - self.systematic[rows]) / p.cash_w, p.cash_spread, p.cash_always,
                      mirror=self.mirror)


def _below(u, x, spread: _Spread, always, mirror=False):
    """``U < Φ(x)`` per scenario (rows) and buyer, ``x`` given per key (columns, spread to the buyers by
    ``spread``), ``U`` the 32-bit uniforms ``u``: with ``T = round(Φ(x)·2³²)``, ``u < T`` (``1 − U`` for the
    mirrored draw: ``u > 2³² − 1 − T``). Each conditional PD is thus met to 2⁻³² or better; ``always`` (the
    buyers of PD 1) default in every scenario, exactly."""
    t = np.minimum(np.rint(ndtr(x) * _TWO32), _TWO32 - 1.0).astype(np.uint32)
    if mirror:
        np.subtract(np.uint32(_TWO32 - 1), t, out=t)
        d = u > spread(t)
    else:
        d = u < spread(t)
    if always is not None:
        d |= always
    return d


@dataclass(frozen=True)
class _Spread:
    """Values per key (columns) → values per buyer: ``np.repeat`` when the buyers come sorted by key, else a take."""

    key: np.ndarray
    counts: np.ndarray | None

    @classmethod
    def of(cls, key: np.ndarray, n_keys: int) -> _Spread:
        return cls(key, np.bincount(key, minlength=n_keys) if np.all(key[1:] >= key[:-1]) else None)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return np.repeat(t, self.counts, axis=1) if self.counts is not None else np.take(t, self.key, axis=1)


@dataclass(frozen=True)
class _Grouped:
    """The grouped path's plan: buyers in ``order`` (sorted by key), per key its ``Φ⁻¹(PD)``, region and sector,
    and the same for the cash PDs (global factor only)."""

    order: np.ndarray
    key_thr: np.ndarray
    key_reg: np.ndarray
    key_sec: np.ndarray
    spread: _Spread
    w: float
    always: np.ndarray | None
    cash_thr: np.ndarray | None = None
    cash_spread: _Spread | None = None
    cash_w: float = 1.0
    cash_always: np.ndarray | None = None
    cash_within: bool = False


def _grouped_plan(p, betas, reg, sec, n_reg, n_sec, cash_pd) -> _Grouped | None:
    """Plan of the grouped path — buyers alike in PD (and, with region or sector weights, in cell) share one
    conditional PD per scenario — or None when there are too many keys for it to pay (more than one per
    :data:`_BUYERS_PER_KEY` buyers: a normal CDF per key and scenario costs about what a normal draw does)."""
    pds, pd_key = np.unique(p, return_inverse=True)
    pd_key = pd_key.ravel()
    if betas[1] == 0 and betas[2] == 0:
        keys, buyer_key, key_pd = np.arange(pds.size), pd_key, pds
        key_reg = key_sec = np.zeros(pds.size, dtype=np.int64)
    else:
        keys, buyer_key = np.unique((pd_key * n_reg + reg) * n_sec + sec, return_inverse=True)
        buyer_key = buyer_key.ravel()
        key_pd, key_reg, key_sec = pds[keys // (n_reg * n_sec)], (keys // n_sec) % n_reg, keys % n_sec
    if keys.size * _BUYERS_PER_KEY > p.size:
        return None
    order = np.argsort(buyer_key, kind="stable")
    with np.errstate(divide="ignore"):
        key_thr = ndtri(key_pd)
    ones = p[order] == 1.0
    plan = _Grouped(order, key_thr, key_reg, key_sec, _Spread.of(buyer_key[order], keys.size),
                    math.sqrt(1.0 - sum(betas)), ones if ones.any() else None)
    if cash_pd is None:
        return plan
    pc = cash_pd[order]
    cash_pds, cash_key = np.unique(pc, return_inverse=True)
    with np.errstate(divide="ignore"):
        cash_thr = ndtri(cash_pds)
    ones = pc == 1.0
    within = betas[1] == 0 and betas[2] == 0 and bool(np.all(cash_pd <= p))
    return dataclasses.replace(plan, cash_thr=cash_thr, cash_spread=_Spread.of(cash_key.ravel(), cash_pds.size),
                               cash_w=math.sqrt(1.0 - betas[0]), cash_always=ones if ones.any() else None,
                               cash_within=within)


def _default_draws(pd, rho, rho_region, rho_sector, region, sector, n_sims, seed, antithetic, memory_mb,
                   cash_pd=None):
    """Boolean default matrices (rows = scenarios) in memory-bounded chunks, SPEC §6.4 model: returns
    ``(order, chunks)``, ``chunks`` yielding the matrices, whose columns are the buyers in ``order`` (None:
    as given).

    ``Xᵢ = √β_g·Z_g + √β_r·Z_r(i) + √β_s·Z_s(i) + √(1−β_g−β_r−β_s)·εᵢ``; default ⇔ ``Xᵢ < Φ⁻¹(PDᵢ)``.
    Antithetic variates: each draw (Z, ε) is also used as (−Z, −ε), the second matrix following the first.

    Two ways to draw the same model. *Grouped* (:func:`_uniform_draw_chunk`), when the buyers share few
    PDs (per (region, sector) cell when those factors have weight) — at most one distinct value per
    :data:`_BUYERS_PER_KEY` buyers, as with rating grades or a scorecard's PD bands: each εᵢ is drawn as
    its uniform Φ(εᵢ) and compared with the buyer's conditional PD, computed once per distinct value and
    scenario; the buyers are sorted by that value (``order``). Otherwise (:func:`_draw_chunk`) εᵢ is a
    float32 normal compared with ``Φ⁻¹(PDᵢ)`` minus the systematic part, computed once per cell.

    ``cash_pd`` (per buyer, e.g. over the cash horizon): also yield, for the same draws, who defaults
    under the one-factor model ``√β_g·Z_g + √(1−β_g)·εᵢ < Φ⁻¹(cash_pdᵢ)`` (the cash-path model of
    :func:`prob_cash_below_zero`); each item is then a pair (default matrix, cash defaults: a matrix, or
    a :class:`_CashDefaults` computing the rows asked for). The default matrices are the same as without
    ``cash_pd``.

    Random streams: a simulation that fits in one chunk draws from ``default_rng(seed)``; a larger one
    gives chunk k its own stream ``SeedSequence(seed).spawn(chunks)[k]``, so chunks can be drawn on
    several threads (NumPy releases the GIL while it fills arrays) and the result depends only on the
    seed, the inputs and ``memory_mb`` — never on the number of threads.
    """
    p = _check_unit("pd", pd).ravel()
    n = p.size
    betas = [float(rho), float(rho_region), float(rho_sector)]
    if min(betas) < 0 or sum(betas) >= 1:
        raise ValueError(f"factor weights must be ≥ 0 with a sum < 1, got {betas}")
    reg = _factor_index(region, n, "region")
    sec = _factor_index(sector, n, "sector")
    n_reg, n_sec = int(reg.max()) + 1, int(sec.max()) + 1
    n_draws = -(-n_sims // 2) if antithetic else n_sims
    # working set per scenario row: ε and threshold (float32), two bool masks, the packed loss lookup;
    # up to two chunks are in flight at once, each within half of memory_mb
    chunk = max(1, min(n_draws, int(memory_mb * 2**20 / 2 / (n * 18 + 64))))
    sizes = [min(chunk, n_draws - start) for start in range(0, n_draws, chunk)]
    if len(sizes) == 1:
        rngs = [np.random.default_rng(seed)]
    else:
        rngs = [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(len(sizes))]
    pc = None
    if cash_pd is not None:
        pc = _check_unit("cash_pd", cash_pd).ravel()
        if pc.size != n:
            raise ValueError(f"cash_pd has {pc.size} entries for {n} buyers")
    sg, sr, ss = (math.sqrt(b) for b in betas)
    plan = _grouped_plan(p, betas, reg, sec, n_reg, n_sec, pc)
    if plan is not None:
        draw, args = _uniform_draw_chunk, (plan, sg, sr, ss, n_reg, n_sec, antithetic, pc is not None)
    else:
        draw, args = _draw_chunk, _normal_args(p, pc, betas, reg, sec, n_reg, n_sec, antithetic)
    workers = min(_threads(), len(sizes)) if n * n_draws >= _PARALLEL_FROM else 1
    return None if plan is None else plan.order, _chunks(draw, args, rngs, sizes, workers)


def _chunks(draw, args, rngs, sizes, workers):
    """Yield the items of ``draw(rng, m, *args)`` chunk after chunk, drawn on ``workers`` threads."""
    if workers == 1:
        for rng, m in zip(rngs, sizes, strict=True):
            yield from draw(rng, m, *args)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="xl-cashrisk-mc") as pool:
        todo = iter(zip(rngs, sizes, strict=True))
        running = deque(pool.submit(draw, rng, m, *args) for rng, m in islice(todo, workers))
        while running:
            mats = running.popleft().result()
            for rng, m in islice(todo, 1):
                running.append(pool.submit(draw, rng, m, *args))
            yield from mats
            del mats


def _normal_args(p, pc, betas, reg, sec, n_reg, n_sec, antithetic):
    """The arguments of :func:`_draw_chunk` after the chunk's stream and size."""
    n = p.size
    cells, cell_idx = np.unique(reg * n_sec + sec, return_inverse=True)
    cell_reg, cell_sec = cells // n_sec, cells % n_sec
    with np.errstate(divide="ignore"):
        # PD 0 / 1 give ∓inf; ±40 keeps them "never" / "always" without inf − inf in the mirror draw
        thr = np.clip(ndtri(p), -40.0, 40.0).astype(np.float32)
    w_id = np.float32(math.sqrt(1.0 - sum(betas)))
    sg, sr, ss = (math.sqrt(b) for b in betas)
    cash = None
    if pc is not None:
        with np.errstate(divide="ignore"):
            cash_thr = np.clip(ndtri(pc), -40.0, 40.0).astype(np.float32)
        w_cash = np.float32(math.sqrt(1.0 - betas[0]))
        cash = (cash_thr, None if w_cash == w_id else np.float32(w_id / w_cash))
    return (n, thr, w_id, sg, sr, ss, n_reg, n_sec, cell_reg, cell_sec, cell_idx, antithetic, cash)


def _loss_tables(losses: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Byte lookup tables for summing the losses of defaulted buyers (see :func:`_sum_defaults`).

    Buyers are taken 8 at a time; for group g of G, ``table[b·G + g]`` is the sum of the losses of the
    buyers whose bits are set in byte b. Returns the group numbers and one flat table per loss column.
    (Byte-major: a scenario's lookups for its many groups without a default, b = 0, are neighbours.)
    """
    n, k = losses.shape
    groups = -(-n // 8)
    padded = np.zeros((groups * 8, k))
    padded[:n] = losses
    bits = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)  # (256, 8)
    tables = np.einsum("bj,gjk->kbg", bits, padded.reshape(groups, 8, k))
    return np.arange(groups, dtype=np.intp), [np.ascontiguousarray(t).ravel() for t in tables]


def _sum_defaults(d: np.ndarray, groups: np.ndarray, tables: list[np.ndarray]) -> np.ndarray:
    """``d @ losses`` for a boolean default matrix, exactly in float64, ~3× faster than a float64 copy
    of ``d`` and a BLAS product: the rows are packed 8 buyers to a byte and each byte looks up the sum
    of its buyers' losses, so a scenario adds N/8 numbers instead of multiplying N."""
    idx = np.packbits(d, axis=1, bitorder="little").astype(np.intp)
    idx *= groups.size
    idx += groups
    return np.stack([np.take(t, idx).sum(axis=1) for t in tables], axis=1)


def _simulation_inputs(ead, pd, lgd, insured, n_sims):
    """Gross and net loss per buyer (flat), PDs broadcast to them, and a checked number of simulations."""
    gross, net = buyer_losses(ead, lgd, insured)
    gross, net = gross.ravel(), net.ravel()
    p = np.broadcast_to(np.asarray(pd, dtype=float), gross.shape)
    if int(n_sims) < 1:
        raise ValueError(f"n_sims must be ≥ 1, got {n_sims!r}")
    return gross, net, p, int(n_sims)


def simulate_losses(ead, pd, lgd, rho, *, rho_region=0.0, rho_sector=0.0, region=None, sector=None,
                    insured=None, n_sims=100_000, seed=DEFAULT_SEED, antithetic=True,
                    memory_mb=_MEMORY_MB) -> LossSample:
    """Monte Carlo portfolio losses under the nested-factor Gaussian copula (SPEC §6.3–6.4).

    ``rho`` is the global factor weight β_g, ``rho_region``/``rho_sector`` the region and sector weights
    (buyers' ``region``/``sector`` labels, any hashable); ``corr(Xᵢ,Xⱼ) = β_g + β_r·1[same region] +
    β_s·1[same sector]``. Each scenario's loss is ``Σ 1[default]·lossᵢ``, gross (``EAD·LGD``) and net of
    the per-buyer indemnity ``insured`` (``(EAD − I)·LGD``). Scenarios are drawn in chunks whose working
    set stays below ``memory_mb``; losses are summed in float64. Idiosyncratic shocks are float32
    normals, or — when the buyers share few PDs (at least :data:`_BUYERS_PER_KEY` buyers per distinct PD,
    per (region, sector) cell when those factors have weight: rating grades, a scorecard's PD bands) —
    32-bit uniforms compared with the conditional PD of the buyer's PD and the scenario's factors
    (:func:`_default_draws`): the same model, a sixth of the random-number cost, each conditional PD met
    to 2⁻³². With ``antithetic`` (default) half the scenarios are the mirror images of the other half.
    Same inputs and seed give identical results with the same NumPy, whatever the number of threads.

    >>> s = simulate_losses([500_000, 300_000, 200_000], [0.02, 0.05, 0.10], 0.6, 0.25, n_sims=200_000)
    >>> abs(s.el() / 27_000 - 1) < 0.02, s.var(0.95), s.var(0.99)
    (True, 180000.0, 300000.0)
    """
    gross, net, p, n_sims = _simulation_inputs(ead, pd, lgd, insured, n_sims)
    order, draws = _default_draws(p, rho, rho_region, rho_sector, region, sector, n_sims, seed, antithetic,
                                  memory_mb)
    losses = np.column_stack([gross, net])  # (N, 2): gross and net in one pass
    offsets, tables = _loss_tables(losses if order is None else losses[order])
    out = np.empty((n_sims + 1, 2))
    pos = 0
    for d in draws:
        m = min(d.shape[0], n_sims - pos)
        if m <= 0:
            break
        out[pos: pos + m] = _sum_defaults(d[:m], offsets, tables)
        pos += m
    return LossSample(out[:n_sims, 0].copy(), out[:n_sims, 1].copy(), int(seed), bool(antithetic))


# ----------------------------------------------------------------------------------------------
# Cash below zero


def _cash_inputs(cash_path, receipts, pd, default_week, indemnity, claim_weeks, horizon_pd):
    """Checked inputs of the cash-path model: PD over the horizon, base cash, cumulative loss by week."""
    cash = np.asarray(cash_path, dtype=float).ravel()
    rec = np.atleast_2d(np.asarray(receipts, dtype=float))
    n_w = cash.size
    if rec.shape[1] != n_w:
        raise ValueError(f"receipts have {rec.shape[1]} weeks, the cash path {n_w}")
    p = np.broadcast_to(np.asarray(pd, dtype=float), (rec.shape[0],)).copy()
    _check_unit("pd", p)
    if horizon_pd:
        p = 1.0 - (1.0 - p) ** (n_w / WEEKS_PER_YEAR)
    t0 = int(default_week)
    if not 1 <= t0 <= n_w:
        raise ValueError(f"default_week must be between 1 and {n_w}, got {default_week!r}")
    weeks = np.arange(1, n_w + 1)
    lost = np.cumsum(np.where(weeks >= t0, rec, 0.0), axis=1)  # (N, W) cumulative loss by week
    if indemnity is not None:
        ind = np.broadcast_to(np.nan_to_num(np.asarray(indemnity, dtype=float)), (rec.shape[0],))
        lag = np.broadcast_to(np.asarray(0 if claim_weeks is None else claim_weeks, dtype=float),
                              (rec.shape[0],))
        paid_week = t0 + lag
        lost = lost - ind[:, None] * (weeks[None, :] >= paid_week[:, None])
    return p, cash, lost


class _CashPaths:
    """Counts the scenarios whose cash path ``cash − D @ lost`` goes below each level in some week.

    A scenario loses at most Σ (its defaulted buyers' largest loss in any week); while that stays below
    the smallest room between the base path and the levels, no week can reach a level, so only the
    scenarios that could are followed week by week (the margins cover the rounding of float sums of N
    terms, ≤ N·2⁻⁵³ relative, many times over). ``simulate`` is False when no scenario can reach a level.
    """

    def __init__(self, cash: np.ndarray, lost: np.ndarray, levels: np.ndarray):
        self.cash, self.lost, self.levels = cash, lost, levels
        self.hits = np.zeros(levels.size, dtype=np.int64)
        self.count = 0
        worst = np.max(np.maximum(lost, 0.0), axis=1)
        with np.errstate(invalid="ignore"):
            room = float(np.min(cash[None, :] - levels[:, None])) * (1.0 - 1e-12) if levels.size else math.nan
        self.margin = 1.0 + 1e-9 * max(1, worst.size)
        self.room = room if room > 0 else -math.inf  # a level at or above the base path (or a NaN): check all
        needed = bool(np.any(cash[None, :] < levels[:, None]) or np.any(lost > 0))
        self.simulate = needed and not float(worst.sum()) * self.margin < self.room
        self.worst = worst
        self.tables = _loss_tables(worst[:, None]) if self.simulate and self.room > 0 else None

    def reorder(self, order: np.ndarray | None) -> None:
        """Take the buyers (rows of ``lost``) in ``order``, the columns of the default matrices to come."""
        if order is not None:
            self.lost, self.worst = self.lost[order], self.worst[order]
            self.tables = _loss_tables(self.worst[:, None]) if self.tables is not None else None

    def add(self, d: np.ndarray) -> None:
        """One matrix of scenarios (rows) × buyers, True where the buyer defaults."""
        self.count += d.shape[0]
        self._follow(d)

    def add_within(self, cash: _CashDefaults, bound: np.ndarray) -> None:
        """Scenarios whose cash defaults (``cash``, computed here only where needed) are among defaults whose
        summed largest weekly losses are ``bound`` (``worst`` summed in the loss lookup)."""
        self.count += bound.size
        near = np.flatnonzero(bound * self.margin >= self.room) if self.room > 0 else np.arange(bound.size)
        if near.size:
            self._follow(cash.rows(near))

    def _follow(self, d: np.ndarray) -> None:
        if self.tables is not None:
            near = np.flatnonzero(_sum_defaults(d, *self.tables)[:, 0] * self.margin >= self.room)
            if near.size == 0:
                return
            if near.size < d.shape[0]:
                d = d[near]
        path = self.cash[None, :] - d.astype(np.float64) @ self.lost
        self.hits += np.count_nonzero((path[:, :, None] < self.levels).any(axis=1), axis=0)

    def probabilities(self) -> np.ndarray:
        return self.hits / self.count if self.count else np.zeros(self.levels.size)


def prob_cash_below_zero(cash_path, receipts, pd, rho, *, default_week=1, indemnity=None,
                         claim_weeks=None, horizon_pd=False, threshold=0.0, n_sims=100_000,
                         seed=DEFAULT_SEED, memory_mb=_MEMORY_MB):
    """Probability that ending cash falls below ``threshold`` in some week of the horizon.

    Model (documented assumption, deliberately simple): buyers default jointly under the one-factor
    Gaussian copula (SPEC §6.3); a defaulting buyer defaults at the start of ``default_week`` (1 =
    the whole horizon is lost, the conservative case) and every one of its scheduled receipts from
    then on is lost. Its insurance ``indemnity`` (per buyer, home currency) arrives ``claim_weeks``
    after the default week and counts only if that is inside the horizon (SPEC §7.3). The scenario's
    cash path is ``cash_path[w] − Σᵢ Dᵢ·(lost receipts of i up to w) + Σᵢ Dᵢ·(indemnity paid by w)``
    and the result is the share of scenarios whose path goes below ``threshold`` in any week.

    ``cash_path``: base ending cash per week (length W); ``receipts``: (buyers × W) scheduled receipts;
    ``pd``: default probability per buyer over the horizon, or annual when ``horizon_pd=True``
    (converted ``1 − (1 − PD)^(W/52)``). ``threshold`` may be a list of levels: the same scenarios
    are then measured against each and an array of probabilities returned (one simulation for, say,
    "below zero" and "below the cash buffer"). Same seed, same result.

    >>> abs(prob_cash_below_zero([50, 100, 150], [[60, 60, 60]], [0.1], 0.2, n_sims=200_000) - 0.1) < 0.005
    True
    """
    p, cash, lost = _cash_inputs(cash_path, receipts, pd, default_week, indemnity, claim_weeks, horizon_pd)
    levels = np.asarray(threshold, dtype=float)
    scalar = levels.ndim == 0
    paths = _CashPaths(cash, lost, levels.ravel())
    if paths.simulate:
        order, draws = _default_draws(p, rho, 0.0, 0.0, None, None, int(n_sims), seed, True, memory_mb)
        paths.reorder(order)
        for d in draws:
            m = min(d.shape[0], int(n_sims) - paths.count)
            if m <= 0:
                break
            paths.add(d[:m])
    out = paths.probabilities()
    return float(out[0]) if scalar else out


def simulate_losses_and_cash(ead, pd, lgd, rho, cash_path, receipts, *, rho_region=0.0, rho_sector=0.0,
                             region=None, sector=None, insured=None, n_sims=100_000, seed=DEFAULT_SEED,
                             default_week=1, indemnity=None, claim_weeks=None, horizon_pd=False, threshold=0.0,
                             memory_mb=_MEMORY_MB):
    """:func:`simulate_losses` and :func:`prob_cash_below_zero` from one set of scenarios.

    The losses are exactly those of ``simulate_losses(ead, pd, lgd, rho, ..., n_sims=n_sims, seed=seed,
    antithetic=True)``. The cash probabilities follow the model of :func:`prob_cash_below_zero` (one
    global factor with weight ``rho``; ``receipts`` and ``indemnity`` rows are the same buyers as
    ``ead``) on the latent variables of the same scenarios — ``√ρ·Z_g + √(1−ρ)·εᵢ`` with the loss
    simulation's ``Z_g`` and ``εᵢ`` — so a scenario's credit loss and its cash path come from the same
    defaults of the cash model's PDs, and the simulation's random numbers, its costly part, are drawn
    once instead of twice. Same distribution as :func:`prob_cash_below_zero`, not the same draws
    (the same draws when there are no ``region`` / ``sector`` labels and, on the grouped path, when the
    cash PDs rank the buyers as their PDs do, as ``horizon_pd`` does). The chunks are those of
    :func:`simulate_losses`; each holds two more boolean matrices, about a tenth more than its
    ``memory_mb`` working set. On the grouped path of a one-factor model whose cash PDs are at most the
    PDs, a scenario's cash defaults are among its loss defaults: the cash defaults are then computed only
    for the scenarios whose loss defaults could reach a level (their largest weekly losses summed). Returns ``(LossSample, probability or array of probabilities per threshold)``.

    >>> s, p = simulate_losses_and_cash([500_000, 300_000, 200_000], [0.02, 0.05, 0.10], 0.6, 0.25,
    ...                                 [100_000] * 3, [[150_000, 0, 0], [0] * 3, [0] * 3], n_sims=200_000)
    >>> abs(s.el() / 27_000 - 1) < 0.02, abs(p - 0.02) < 0.002
    (True, True)
    """
    gross, net, p, n_sims = _simulation_inputs(ead, pd, lgd, insured, n_sims)
    rows = np.atleast_2d(np.asarray(receipts, dtype=float)).shape[0]
    if rows != gross.size:
        raise ValueError(f"receipts have {rows} buyers, the losses {gross.size}")
    p_cash, cash, lost = _cash_inputs(cash_path, receipts, p, default_week, indemnity, claim_weeks, horizon_pd)
    levels = np.asarray(threshold, dtype=float)
    scalar = levels.ndim == 0
    paths = _CashPaths(cash, lost, levels.ravel())
    order, draws = _default_draws(p, rho, rho_region, rho_sector, region, sector, n_sims, seed, True, memory_mb,
                                  cash_pd=p_cash if paths.simulate else None)
    paths.reorder(order)
    if order is not None:
        gross, net = gross[order], net[order]
    out = np.empty((n_sims + 1, 2))
    pos = 0
    lookups = {}  # gross and net; with a third column, each buyer's largest weekly cash loss (built once)
    for item in draws:
        d, dc = item if paths.simulate else (item, None)
        m = min(d.shape[0], n_sims - pos)
        if m <= 0:
            break
        within = isinstance(dc, _CashDefaults)
        if within not in lookups:
            lookups[within] = _loss_tables(np.column_stack([gross, net, paths.worst] if within else [gross, net]))
        sums = _sum_defaults(d[:m], *lookups[within])
        out[pos: pos + m] = sums[:, :2]
        if within:
            paths.add_within(dc, sums[:, 2])
        elif dc is not None:
            paths.add(dc[:m])
        pos += m
    losses = LossSample(out[:n_sims, 0].copy(), out[:n_sims, 1].copy(), int(seed), True)
    probs = paths.probabilities()
    return losses, float(probs[0]) if scalar else probs

"""Excel functions for correlated defaults: Vasicek / Basel formulas and portfolio EL, VaR, ES.

Thin adapters over :mod:`xl_cashrisk.portfolio` (SPEC §6.3–6.5). VASICEKPD, WCDR, VASICEKCDF, BASELRHO,
IRBK and IRBRW are filled down a buyer register, so each argument may be one cell or a column (a column
spills a column; blank rows give blank cells). The portfolio functions (PORTFOLIOEL, PORTFOLIOVAR,
PORTFOLIOES, UNEXPECTEDLOSS) take the buyer columns (EAD, PD, LGD; PD or LGD may also be one cell for
everybody) and return one amount; rows with a blank EAD or PD are skipped.

Basel IRB (decision): IRBK / IRBRW take the PD as given (no 0.03 % floor applied: the floor is the
bank's rule, and a trade book's own PDs are shown as they are) and refuse PD 0 or 1 and a maturity
above 5 years; a blank turnover means no SME adjustment (large corporate, the conservative side).
UNEXPECTEDLOSS is SPEC §6.5's economic capital, VaR − EL, with EL = PORTFOLIOEL exactly.

PORTFOLIOVAR / PORTFOLIOES ``method`` (decision): ``"exact"`` is the default. It is the one-factor
loss distribution computed by quadrature (exact for small books or whole-unit losses, otherwise on a
4,096-point loss grid, quantiles accurate to about one grid step), deterministic, and fast enough for
a cell (100,000 buyers in about 50 ms of computing, :func:`xl_cashrisk.portfolio.loss_distribution`). A cell then never changes between recalculations or
NumPy versions, which a simulation cannot promise. ``"mc"`` runs the Monte Carlo with ``sims`` and
``seed`` (antithetic variates, same seed ⇒ same value on the same installation); ``sims`` and
``seed`` are ignored by ``"exact"``. Both use the SPEC §6.5 definitions (VaR = lower α-quantile;
ES = tail mean, Acerbi–Tasche for the exact distribution).
"""

from __future__ import annotations

import numpy as np

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import portfolio as pf
from xl_cashrisk.errors import ArgumentError

CATEGORY = "Portfolio risk"
METHODS = ("exact", "mc")
MAX_SIMS = 10_000_000

_PD = "Probability of default as a decimal (0.02 = 2 %); one cell or a whole column, which spills a column of results."
_RHO = "Asset correlation ρ from 0 to below 1, e.g. 0.2 (BASELRHO gives the Basel value); one cell or a column of the same size."
_EADS = "Exposure at default per buyer (open AR etc., home currency): a column of amounts; rows with a blank EAD are skipped."
_PDS = "PD per buyer as a decimal: a column the size of eads, or one cell for all buyers."
_LGDS = "Loss given default per buyer as a decimal (0.45 Basel unsecured): a column the size of eads, or one cell for all."
_RHO1 = "Asset correlation ρ with the common factor, from 0 to below 1 (e.g. 0.2, or BASELRHO of the average PD)."
_ALPHA = "Confidence level strictly between 0 and 1 (default 0.99)."
_SIMS = 'Number of Monte Carlo scenarios for method "mc" (default 100000); ignored by "exact".'
_SEED = 'Random seed for method "mc" (default 12345): the same seed gives the same result.'
_METHOD = '"exact" (default): deterministic one-factor loss distribution by quadrature. "mc": Monte Carlo with sims and seed.'


def _check_rho(fn: str, a: _args.Elementwise, rho, *, above_zero: bool = False) -> None:
    i = _args.first_true((rho >= 1) | ((rho <= 0) if above_zero else False))  # NaN (a blank row) passes
    if i is not None:
        expected = ("a correlation above 0 and below 1 (ρ = 0 puts every default rate at the PD)" if above_zero
                    else "a correlation from 0 to below 1")
        raise ArgumentError(fn, "rho", expected, float(a.full(rho)[i]))


def _spill(formula, a: _args.Elementwise, *arrays):
    """``formula`` on the rows with every required input, blank cells elsewhere, in the caller's shape."""
    if a.size == 1 and a.blank.__class__ is bool:  # one cell per argument: the formula on the floats
        return a.result(np.nan if a.blank else formula(*arrays))
    ok = ~a.full(a.blank)
    out = np.full(a.size, np.nan)
    out[ok] = formula(*(a.full(x)[ok] for x in arrays))
    return a.result(out)


@excel_function(
    category=CATEGORY,
    args={"pd": _PD, "rho": _RHO, "z": "Value of the systematic factor Z (bad states below 0, e.g. NORM.S.INV(0.01)); one cell or a column."},
    example="=VASICEKPD(0.02, 0.2, NORM.S.INV(0.01))",
    ranges=("pd", "rho", "z"),
    returns_range=True,
)
def VASICEKPD(pd, rho, z):
    """Conditional PD given the economy factor Z (Vasicek): NORM.S.DIST((NORM.S.INV(pd) − √ρ·z)/√(1−ρ)). PD 2 %, ρ 0.2, z at 1 % → 12.86 %.

    Source: SPEC §6.3.

    >>> round(VASICEKPD(0.02, 0.2, -2.326348), 6)
    0.12861
    """
    fn = "VASICEKPD"
    a = _args.Elementwise(fn)
    p, r, zz = a.number("pd", pd, "fraction"), a.number("rho", rho, "fraction"), a.number("z", z)
    _check_rho(fn, a, r)
    return _spill(pf.vasicek_pd, a, p, r, zz)


@excel_function(
    category=CATEGORY,
    args={"pd": _PD, "rho": _RHO, "q": "Confidence level strictly between 0 and 1, e.g. 0.999 (Basel) or 0.99."},
    example="=WCDR(0.02, 0.2, 0.999)",
    ranges=("pd", "rho", "q"),
    returns_range=True,
)
def WCDR(pd, rho, q):
    """Worst-case default rate at confidence q: NORM.S.DIST((NORM.S.INV(pd) + √ρ·NORM.S.INV(q))/√(1−ρ)). PD 2 %, ρ 0.2, q 99.9 % → 22.63 %.

    Source: SPEC §6.3.

    >>> round(WCDR(0.02, 0.2, 0.999), 6)
    0.226313
    """
    fn = "WCDR"
    a = _args.Elementwise(fn)
    p, r, qq = a.number("pd", pd, "fraction"), a.number("rho", rho, "fraction"), a.number("q", q, "fraction")
    _check_rho(fn, a, r)
    i = _args.first_true((qq <= 0) | (qq >= 1))  # NaN (a blank row) passes
    if i is not None:
        raise ArgumentError(fn, "q", "a confidence level strictly between 0 and 1", float(a.full(qq)[i]))
    return _spill(pf.wcdr, a, p, r, qq)


_TURNOVER = ("Annual turnover of the buyer's group in € million, for the Basel SME adjustment (below 50; under 5 "
             "counts as 5). Blank = no adjustment (large corporate). One cell or a column.")


@excel_function(
    category=CATEGORY,
    args={"pd": _PD, "turnover_m_eur": _TURNOVER},
    example="=BASELRHO(0.01, 5)",
    ranges=("pd", "turnover_m_eur"),
    returns_range=True,
)
def BASELRHO(pd, turnover_m_eur=None):
    """Basel II corporate asset correlation for a PD: 0.12·w + 0.24·(1 − w), w = (1 − e^(−50·PD))/(1 − e^(−50)), less 0.04·(1 − (S − 5)/45) for an SME of turnover S € m (¶273). PD 1 % → 0.1928.

    SPEC §6.3; Basel II ¶272–273: the SME reduction is 0.04 at S ≤ 5, falls linearly to 0 at S = 50
    and is 0 above (PD 1 %, S = 5 → 0.1528; S = 27.5 → 0.1728).

    >>> round(BASELRHO(0.01), 6), round(BASELRHO(0.01, 5), 6), round(BASELRHO(0.01, 27.5), 6)
    (0.192784, 0.152784, 0.172784)
    """
    a = _args.Elementwise("BASELRHO")
    p = a.number("pd", pd, "fraction")
    s = a.number("turnover_m_eur", turnover_m_eur, "nonnegative", default=None)
    return _spill(pf.basel_rho, a, p, s)


def _book(fn, eads, pds, lgds):
    """EAD, PD and LGD of the buyers with all three (a PD or LGD given once applies to every buyer)."""
    a = _args.Elementwise(fn)
    e = a.number("eads", eads, "nonnegative")
    p, lg = a.number("pds", pds, "fraction"), a.number("lgds", lgds, "fraction")
    keep = ~a.full(a.blank)
    if not keep.any():
        raise ArgumentError(fn, "eads", "at least one buyer with an EAD, a PD and an LGD", detail="all rows are blank")
    return a.full(e)[keep], a.full(p)[keep], a.full(lg)[keep]


@excel_function(
    category=CATEGORY,
    args={"eads": _EADS, "pds": _PDS, "lgds": _LGDS},
    example="=PORTFOLIOEL(C2:C200, D2:D200, 0.45)",
    ranges=("eads", "pds", "lgds"),
)
def PORTFOLIOEL(eads, pds, lgds):
    """Expected loss of a portfolio: sum of PD × LGD × EAD over the buyers. Correlation does not change it.

    Source: SPEC §6.1.

    >>> PORTFOLIOEL([[500000], [300000], [200000]], [[0.02], [0.05], [0.1]], 0.6)
    27000.0
    """
    e, p, lg = _book("PORTFOLIOEL", eads, pds, lgds)
    return float(np.sum(e * p * lg))


def _tail(fn, eads, pds, lgds, rho, alpha, sims, seed, method):
    e, p, lg = _book(fn, eads, pds, lgds)
    r = _args.number(rho, fn, "rho", expected="a correlation from 0 to below 1")
    if not 0 <= r < 1:
        raise ArgumentError(fn, "rho", "a correlation from 0 to below 1", rho)
    a = _args.number(alpha, fn, "alpha", default=0.99, expected="a confidence level strictly between 0 and 1")
    if not 0 < a < 1:
        raise ArgumentError(fn, "alpha", "a confidence level strictly between 0 and 1", alpha)
    m = _args.text(method, fn, "method", allowed=METHODS, default="exact")
    if m == "exact":
        try:
            return pf.loss_distribution(e * lg, p, r), a
        except ValueError as exc:
            raise ArgumentError(fn, "alpha", "a level the loss grid covers", alpha, detail=str(exc)) from None
    n = _args.integer(sims, fn, "sims", default=100_000, minimum=100)
    if n > MAX_SIMS:
        raise ArgumentError(fn, "sims", f"a whole number from 100 to {MAX_SIMS:,}", sims)
    s = _args.integer(seed, fn, "seed", default=pf.DEFAULT_SEED, minimum=0)
    return pf.simulate_losses(e, p, lg, r, n_sims=n, seed=s), a


def _stat(fn, what, dist, a):
    try:
        return float(getattr(dist, what)(a))
    except ValueError as exc:
        raise ArgumentError(fn, "alpha", "a level the loss grid covers", a, detail=str(exc)) from None


_TAIL_ARGS = {"eads": _EADS, "pds": _PDS, "lgds": _LGDS, "rho": _RHO1, "alpha": _ALPHA, "sims": _SIMS,
              "seed": _SEED, "method": _METHOD}


@excel_function(
    category=CATEGORY,
    args=_TAIL_ARGS,
    example="=PORTFOLIOVAR(C2:C200, D2:D200, 0.45, 0.2, 0.99)",
    ranges=("eads", "pds", "lgds"),
)
def PORTFOLIOVAR(eads, pds, lgds, rho, alpha=0.99, sims=100000, seed=12345, method="exact"):
    """Credit VaR: the loss not exceeded with probability alpha, buyers defaulting together through one economy factor with correlation rho (Vasicek).

    Source: SPEC §6.3–6.5.

    >>> PORTFOLIOVAR([[500000], [300000], [200000]], [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95)
    180000.0
    """
    dist, a = _tail("PORTFOLIOVAR", eads, pds, lgds, rho, alpha, sims, seed, method)
    return _stat("PORTFOLIOVAR", "var", dist, a)


@excel_function(
    category=CATEGORY,
    args=_TAIL_ARGS,
    example="=PORTFOLIOES(C2:C200, D2:D200, 0.45, 0.2, 0.99)",
    ranges=("eads", "pds", "lgds"),
)
def PORTFOLIOES(eads, pds, lgds, rho, alpha=0.99, sims=100000, seed=12345, method="exact"):
    """Expected shortfall (CVaR): the average loss in the worst 1 − alpha of outcomes, one-factor correlated defaults.

    Source: SPEC §6.3–6.5.

    >>> round(PORTFOLIOES([[500000], [300000], [200000]], [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95), 2)
    273369.56
    """
    dist, a = _tail("PORTFOLIOES", eads, pds, lgds, rho, alpha, sims, seed, method)
    return _stat("PORTFOLIOES", "es", dist, a)


# ----------------------------------------------------------------------------------------------
# Basel IRB capital, the Vasicek default-rate distribution, unexpected loss

_IRB_PD = ("Probability of default above 0 and below 1 (0.01 = 1 %; Basel floor 0.03 %); one cell or a whole "
           "column, which spills a column of results.")
_IRB_LGD = "Loss given default, 0 to 1 (0.45 = Basel senior unsecured); one cell or a column of the same size."
_MATURITY = "Effective maturity M in years, above 0 up to 5 (default 2.5, the Basel Annex 5 value); one cell or a column."


def _irb(fn, pd, lgd, maturity, turnover_m_eur, extra=()):
    """Checked IRB inputs: one array per argument, and the converter that read them (shape, blank rows)."""
    a = _args.Elementwise(fn)
    values = [a.number("pd", pd, "fraction"), a.number("lgd", lgd, "fraction"),
              a.number("maturity", maturity, "positive", default=pf.BASEL_MATURITY),
              a.number("turnover_m_eur", turnover_m_eur, "nonnegative", default=None),
              *(a.number(name, value, rule, default=default) for name, value, rule, default in extra)]
    p, m = values[0], values[2]
    checks = (("pd", p, (p <= 0) | (p >= 1), "a probability above 0 and below 1 (a defaulted exposure has "
               "K = max(0, LGD − best-estimate EL), Basel ¶272)"),
              ("maturity", m, m > pf.BASEL_MAX_MATURITY, "at most 5 years (Basel ¶320)"))
    for name, x, bad, expected in checks:
        i = a.first_given(bad)
        if i is not None:
            raise ArgumentError(fn, name + a.shape.position(i), expected, float(a.full(x)[i]))
    return values, a


@excel_function(
    category=CATEGORY,
    args={"pd": _IRB_PD, "lgd": _IRB_LGD, "maturity": _MATURITY, "turnover_m_eur": _TURNOVER},
    example="=IRBK(0.01, 0.45, 2.5)",
    ranges=("pd", "lgd", "maturity", "turnover_m_eur"),
    returns_range=True,
)
def IRBK(pd, lgd, maturity=2.5, turnover_m_eur=None):
    """Basel IRB capital requirement K per unit of exposure (the unexpected-loss capital): [LGD·WCDR99.9 − PD·LGD] × maturity adjustment, SME-adjusted with a turnover. PD 1 %, LGD 45 %, M 2.5 → 0.0739.

    SPEC §6.3, Basel II ¶272–273: K = [LGD·N((G(PD) + √R·G(0.999))/√(1 − R)) − PD·LGD] ×
    (1 + (M − 2.5)·b)/(1 − 1.5·b), b = (0.11852 − 0.05478·ln PD)², R from BASELRHO. K × EAD is the
    capital for an exposure; 12.5 × K is the risk weight (IRBRW).

    >>> round(IRBK(0.01, 0.45), 6), round(IRBK(0.01, 0.45, 2.5, 5), 6)
    (0.073853, 0.057916)
    """
    values, a = _irb("IRBK", pd, lgd, maturity, turnover_m_eur)
    return _spill(pf.basel_k, a, *values)


@excel_function(
    category=CATEGORY,
    args={"pd": _IRB_PD, "lgd": _IRB_LGD, "maturity": _MATURITY, "turnover_m_eur": _TURNOVER,
          "scaling": "Factor on the risk weight: 1 (default) = Basel II Annex 5 / Basel III; 1.06 = EU CRR."},
    example="=IRBRW(0.01, 0.45, 2.5)",
    ranges=("pd", "lgd", "maturity", "turnover_m_eur"),
    returns_range=True,
)
def IRBRW(pd, lgd, maturity=2.5, turnover_m_eur=None, scaling=1):
    """Basel IRB risk weight = 12.5 × K as a decimal (0.9232 = 92.32 %) for a corporate exposure, SME-adjusted with a turnover; Basel II Annex 5 values at scaling 1. PD 1 %, LGD 45 %, M 2.5 → 0.9232.

    SPEC §6.3. Basel II Annex 5 prints 12.5·K without the 1.06 scaling factor (PD 1 %: 92.32 %, SME
    column S = 5: 72.40 %); the EU CRR multiplies each risk weight by 1.06 (scaling 1.06).
    Risk-weighted assets = IRBRW × EAD.

    >>> round(IRBRW(0.01, 0.45), 4), round(IRBRW(0.025, 0.45, 2.5, 5), 4), round(IRBRW(0.01, 0.45, 2.5, None, 1.06), 4)
    (0.9232, 0.9343, 0.9786)
    """
    fn = "IRBRW"
    (p, lg, m, s, f), a = _irb(fn, pd, lgd, maturity, turnover_m_eur, (("scaling", scaling, "positive", 1.0),))
    return _spill(pf.risk_weight, a, p, lg, m, f, s)


@excel_function(
    category=CATEGORY,
    args={"default_rate": "Default rate x of a large, granular book, 0 to 1 (0.05 = 5 % of it defaults); one cell or a column.",
          "pd": "Average probability of default of the book, as a decimal (0.02 = 2 %); one cell or a column.",
          "rho": "Asset correlation ρ above 0 and below 1, e.g. 0.2 (BASELRHO gives the Basel value); one cell or a column."},
    example="=VASICEKCDF(0.1, 0.02, 0.2)",
    ranges=("default_rate", "pd", "rho"),
    returns_range=True,
)
def VASICEKCDF(default_rate, pd, rho):
    """Probability that a large book's default rate stays at or below default_rate (Vasicek): NORM.S.DIST((√(1−ρ)·NORM.S.INV(x) − NORM.S.INV(pd))/√ρ). WCDR is its inverse.

    SPEC §6.3. ``VASICEKCDF(WCDR(pd, rho, q), pd, rho) = q``: WCDR(PD 2 %, ρ 0.2, 99 %) = 12.861 %, so
    the probability of a default rate up to 12.861 % is 99 %; the default rate stays at or below the
    PD itself with probability 68.61 % (the distribution is skewed: median below mean).

    >>> round(VASICEKCDF(0.128610, 0.02, 0.2), 4), round(VASICEKCDF(0.02, 0.02, 0.2), 6)
    (0.99, 0.6861)
    """
    fn = "VASICEKCDF"
    a = _args.Elementwise(fn)
    x = a.number("default_rate", default_rate, "fraction")
    p, r = a.number("pd", pd, "fraction"), a.number("rho", rho, "fraction")
    _check_rho(fn, a, r, above_zero=True)
    return _spill(pf.loss_rate_cdf, a, x, p, r)


@excel_function(
    category=CATEGORY,
    args=_TAIL_ARGS,
    example="=UNEXPECTEDLOSS(C2:C200, D2:D200, 0.45, 0.2, 0.99)",
    ranges=("eads", "pds", "lgds"),
)
def UNEXPECTEDLOSS(eads, pds, lgds, rho, alpha=0.99, sims=100000, seed=12345, method="exact"):
    """Unexpected loss (economic capital) = credit VaR at alpha − expected loss: PORTFOLIOVAR minus PORTFOLIOEL, one-factor correlated defaults.

    Source: SPEC §6.5.

    SPEC §6.5 VaR-1 (three buyers, LGD 60 %, ρ 0.25): VaR₉₅ 180,000 − EL 27,000 = 153,000; at 99 %
    300,000 − 27,000 = 273,000. (For one exposure in a Basel book, IRBK × EAD is the same idea at 99.9 %.)

    >>> UNEXPECTEDLOSS([[500000], [300000], [200000]], [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95)
    153000.0
    """
    fn = "UNEXPECTEDLOSS"
    dist, a = _tail(fn, eads, pds, lgds, rho, alpha, sims, seed, method)
    e, p, lg = _book(fn, eads, pds, lgds)
    return float(pf.unexpected_loss(_stat(fn, "var", dist, a), float(np.sum(e * p * lg))))

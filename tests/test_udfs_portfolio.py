"""Portfolio-risk Excel functions called with Excel-shaped values (2-D ranges, None/NaN, text)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import FUNCTIONS
from udfs.portfolio import (
    BASELRHO,
    IRBK,
    IRBRW,
    PORTFOLIOEL,
    PORTFOLIOES,
    PORTFOLIOVAR,
    UNEXPECTEDLOSS,
    VASICEKCDF,
    VASICEKPD,
    WCDR,
)
from xl_cashrisk import portfolio as pf
from xl_cashrisk.errors import ArgumentError

NAMES = ("VASICEKPD", "WCDR", "BASELRHO", "PORTFOLIOEL", "PORTFOLIOVAR", "PORTFOLIOES", "IRBK", "IRBRW", "VASICEKCDF",
         "UNEXPECTEDLOSS")
EADS = [[500_000.0], [300_000.0], [200_000.0]]  # SPEC VaR-1
PDS = [[0.02], [0.05], [0.10]]


def error_text(call, *args):
    with pytest.raises(ArgumentError) as e:
        call(*args)
    return str(e.value)


def test_registered_in_portfolio_category():
    for name in NAMES:
        assert FUNCTIONS[name].category == "Portfolio risk"
        assert FUNCTIONS[name].module == "udfs.portfolio"


def test_vasicekpd_scalar_and_column_with_blank():
    assert VASICEKPD(0.02, 0.2, -2.326348) == pytest.approx(0.128610, abs=5e-7)
    got = VASICEKPD([[0.02], [0.015], [None], [float("nan")]], 0.4, [[-3.0], [-1.0], [0.0], [1.0]])
    assert got[0][0] == pytest.approx(pf.vasicek_pd(0.02, 0.4, -3.0))
    assert got[1][0] == pytest.approx(0.023568, abs=5e-7)  # VS-5
    assert got[2:] == [[""], [""]]
    assert VASICEKPD([0.02, 0.02], "0.2", [0, 2]) == pytest.approx([0.010833, 0.000490], abs=5e-7)


def test_wcdr_and_baselrho():
    assert WCDR(0.02, 0.2, 0.99) == pytest.approx(0.128610, abs=5e-7)
    got = WCDR([[0.001], [0.01]], BASELRHO([[0.001], [0.01]]), 0.999)
    assert [r[0] for r in got] == pytest.approx([0.034191, 0.140273], abs=5e-7)
    assert BASELRHO([[0.02], [None], [0.05]]) == [[pytest.approx(0.164146, abs=5e-7)], [""],
                                                 [pytest.approx(0.129850, abs=5e-7)]]


def test_messages_name_function_argument_and_item():
    assert error_text(VASICEKPD, "n/a", 0.2, 0) == "VASICEKPD: pd must be a decimal from 0 to 1 (0.9 = 90 %), got 'n/a'"
    assert "VASICEKPD: pd (item 2) must be" in error_text(VASICEKPD, [0.1, 1.5], 0.2, 0)
    assert error_text(VASICEKPD, 0.02, 1.0, 0) == "VASICEKPD: rho must be a correlation from 0 to below 1, got 1.0"
    assert error_text(WCDR, 0.02, 0.2, 1.0).startswith("WCDR: q must be a confidence level")
    assert "the cell holds the Excel error #N/A" in error_text(BASELRHO, "#N/A")
    assert "PORTFOLIOVAR: method must be one of" in error_text(PORTFOLIOVAR, EADS, PDS, 0.6, 0.25, 0.99, None, None, "fast")
    assert "PORTFOLIOVAR: alpha must be" in error_text(PORTFOLIOVAR, EADS, PDS, 0.6, 0.25, 1.2)
    assert "PORTFOLIOES: rho must be" in error_text(PORTFOLIOES, EADS, PDS, 0.6, 1.0)
    assert "PORTFOLIOEL: eads must be at least one buyer" in error_text(PORTFOLIOEL, [[None], [None]], PDS[:2], 0.6)
    assert "as many cells as eads" in error_text(PORTFOLIOEL, EADS, [[0.1], [0.2]], 0.6)
    assert "sims must be" in error_text(PORTFOLIOVAR, EADS, PDS, 0.6, 0.25, 0.99, 50, 1, "mc")


def test_portfolio_el_var_es_spec_var1():
    assert PORTFOLIOEL(EADS, PDS, 0.6) == pytest.approx(27_000)
    assert PORTFOLIOVAR(EADS, PDS, 0.6, 0.25, 0.95) == 180_000
    assert PORTFOLIOVAR(EADS, PDS, [[0.6], [0.6], [0.6]], 0.25) == 300_000  # default alpha 0.99
    assert PORTFOLIOVAR(EADS, PDS, 0.6, 0.25, 0.999) == 600_000
    assert PORTFOLIOES(EADS, PDS, 0.6, 0.25, 0.95) == pytest.approx(273_369.56, abs=0.01)
    assert PORTFOLIOES(EADS, PDS, 0.6, 0.25, 0.99) == pytest.approx(409_620.57, abs=0.01)


def test_blank_rows_are_skipped():
    eads = [*EADS, [None], [float("nan")]]
    pds = [*PDS, [0.5], [None]]
    assert PORTFOLIOVAR(eads, pds, 0.6, 0.25, 0.95) == 180_000
    assert PORTFOLIOEL(eads, pds, 0.6) == pytest.approx(27_000)


def test_mc_method_same_seed_same_value_and_close_to_exact():
    a = PORTFOLIOES(EADS, PDS, 0.6, 0.25, 0.95, 200_000, 7, "MC")
    b = PORTFOLIOES(EADS, PDS, 0.6, 0.25, 0.95, 200_000.0, 7.0, "mc")
    assert a == b and isinstance(a, float)
    assert a == pytest.approx(273_369.56, rel=0.02)
    assert PORTFOLIOVAR(EADS, PDS, 0.6, 0.25, 0.95, None, None, "mc") == 180_000  # blank sims/seed → defaults


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.floats(1_000, 1e6), st.floats(0.001, 0.2)), min_size=1, max_size=20),
       st.floats(0.0, 0.6), st.sampled_from([0.9, 0.95, 0.99]))
def test_es_at_least_var_at_least_zero(book, rho, alpha):
    eads = [[e] for e, _ in book]
    pds = [[p] for _, p in book]
    var = PORTFOLIOVAR(eads, pds, 0.45, rho, alpha)
    es = PORTFOLIOES(eads, pds, 0.45, rho, alpha)
    assert 0 <= var <= es + 1e-6
    assert es <= 0.45 * sum(e for e, _ in book) + 1e-6
    assert math.isfinite(es)


def test_results_are_plain_floats():
    assert type(PORTFOLIOVAR(EADS, PDS, 0.6, 0.25)) is float
    assert type(VASICEKPD(np.float64(0.02), 0.2, 0)) is float


# ---------------------------------------------------------------------------------------------- Basel IRB


def test_baselrho_sme_turnover():
    assert BASELRHO(0.01, 5) == pytest.approx(0.152784, abs=5e-7)
    assert BASELRHO(0.01, None) == pytest.approx(0.192784, abs=5e-7)
    got = BASELRHO([[0.01], [0.01], [0.01], [None]], [[2], [27.5], [None], [5]])
    assert got[0][0] == pytest.approx(0.152784, abs=5e-7)  # below 5 counts as 5
    assert got[1][0] == pytest.approx(0.172784, abs=5e-7)  # halfway: 0.02 off
    assert got[2][0] == pytest.approx(0.192784, abs=5e-7)  # blank turnover: no adjustment
    assert got[3] == [""]
    assert "BASELRHO: turnover_m_eur must be a number ≥ 0, got -1" in error_text(BASELRHO, 0.01, -1)


def test_irbk_irbrw_vs8_and_annex5_sme():
    assert IRBK(0.01, 0.45) == pytest.approx(0.073853, abs=5e-7)  # VS-8
    assert IRBRW(0.01, 0.45) == pytest.approx(0.9232, abs=5e-5)  # Annex 5: 92.32 %
    assert IRBRW(0.01, 0.45, 2.5, 5) == pytest.approx(0.7240, abs=1e-4)  # Annex 5 SME column: 72.40 %
    assert IRBRW(0.03, 0.45, None, 5) == pytest.approx(0.9758, abs=1e-4)  # blank maturity = 2.5; 97.58 %
    assert IRBRW(0.01, 0.45, 2.5, None, 1.06) == pytest.approx(1.06 * pf.risk_weight(0.01), rel=1e-12)  # CRR
    assert IRBRW(0.01, 0.45) == pytest.approx(12.5 * IRBK(0.01, 0.45), rel=1e-12)


def test_irb_columns_blank_rows_and_scalar_broadcast():
    got = IRBRW([[0.0003], [0.01], [None], [0.2]], 0.45, [[2.5], [1.0], [3.0], [5.0]], [[None], [10], [10], [60]])
    assert got[0][0] == pytest.approx(0.1444, abs=1e-4)
    assert got[1][0] == pytest.approx(pf.risk_weight(0.01, 0.45, 1.0, turnover_m_eur=10), rel=1e-12)
    assert got[2] == [""]
    assert got[3][0] == pytest.approx(pf.risk_weight(0.2, 0.45, 5.0), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0003, 0.5), st.floats(0.0, 1.0), st.floats(0.1, 5.0), st.one_of(st.none(), st.floats(0.0, 100.0)))
def test_irb_functions_match_a_plain_implementation(pd_, lgd, m, s):
    w = (1 - math.exp(-50 * pd_)) / (1 - math.exp(-50))
    r = 0.12 * w + 0.24 * (1 - w) - (0.04 * (1 - (max(s, 5) - 5) / 45) if s is not None and s < 50 else 0.0)
    b = (0.11852 - 0.05478 * math.log(pd_)) ** 2
    n = NormalDist()
    k = (lgd * n.cdf((n.inv_cdf(pd_) + math.sqrt(r) * n.inv_cdf(0.999)) / math.sqrt(1 - r)) - pd_ * lgd) \
        * (1 + (m - 2.5) * b) / (1 - 1.5 * b)
    assert IRBK(pd_, lgd, m, s) == pytest.approx(k, rel=1e-9, abs=1e-12)
    assert IRBRW(pd_, lgd, m, s) == pytest.approx(12.5 * k, rel=1e-9, abs=1e-12)
    assert BASELRHO(pd_, s) == pytest.approx(r, rel=1e-12)


def test_irb_messages():
    assert error_text(IRBK, 0, 0.45).startswith("IRBK: pd must be a probability above 0 and below 1")
    assert error_text(IRBRW, [[0.01], [1.0]], 0.45).startswith("IRBRW: pd (item 2) must be a probability above 0")
    assert error_text(IRBK, 0.01, 0.45, 7) == "IRBK: maturity must be at most 5 years (Basel ¶320), got 7.0"
    assert error_text(IRBK, 0.01, 0.45, 0) == "IRBK: maturity must be a positive number, got 0"
    assert error_text(IRBK, 0.01, 1.2) == "IRBK: lgd must be a decimal from 0 to 1 (0.9 = 90 %), got 1.2"
    assert error_text(IRBRW, 0.01, 0.45, 2.5, None, 0) == "IRBRW: scaling must be a positive number, got 0"


# ---------------------------------------------------------------------------------------------- VASICEKCDF, UL


def test_vasicekcdf_inverts_wcdr():
    assert VASICEKCDF(0.128610, 0.02, 0.2) == pytest.approx(0.99, abs=1e-6)  # VS-6: WCDR_0.99 = 12.861 %
    assert VASICEKCDF(WCDR(0.02, 0.2, 0.999), 0.02, 0.2) == pytest.approx(0.999, rel=1e-12)
    qs = [[0.5], [0.9], [None], [0.999]]
    rates = WCDR(0.03, 0.15, qs)
    back = VASICEKCDF(rates, 0.03, 0.15)
    assert [r[0] for r in back if r[0] != ""] == pytest.approx([0.5, 0.9, 0.999], rel=1e-12)
    assert back[2] == [""]
    assert VASICEKCDF(0.0, 0.02, 0.2) == 0.0 and VASICEKCDF(1.0, 0.02, 0.2) == 1.0
    assert error_text(VASICEKCDF, 0.1, 0.02, 0).startswith("VASICEKCDF: rho must be a correlation above 0 and below 1")


@settings(max_examples=100, deadline=None)
@given(st.floats(1e-4, 0.999), st.floats(1e-3, 0.5), st.floats(0.01, 0.95))
def test_vasicekcdf_matches_the_closed_form(x, p, rho):
    n = NormalDist()
    want = n.cdf((math.sqrt(1 - rho) * n.inv_cdf(x) - n.inv_cdf(p)) / math.sqrt(rho))
    assert VASICEKCDF(x, p, rho) == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_unexpectedloss_is_var_minus_el():
    assert UNEXPECTEDLOSS(EADS, PDS, 0.6, 0.25, 0.95) == pytest.approx(153_000)  # VaR-1: 180,000 − 27,000
    assert UNEXPECTEDLOSS(EADS, PDS, 0.6, 0.25) == pytest.approx(273_000)  # 99 %: 300,000 − 27,000
    for args in ((0.9,), (0.99, 50_000, 3, "mc")):
        ul = UNEXPECTEDLOSS(EADS, PDS, 0.6, 0.25, *args)
        assert ul == pytest.approx(PORTFOLIOVAR(EADS, PDS, 0.6, 0.25, *args) - PORTFOLIOEL(EADS, PDS, 0.6), abs=1e-6)
    assert "UNEXPECTEDLOSS: alpha must be" in error_text(UNEXPECTEDLOSS, EADS, PDS, 0.6, 0.25, 1.5)

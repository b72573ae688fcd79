"""Portfolio-risk Excel functions called with Excel-shaped values (2-D ranges, None/NaN, text)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import FUNCTIONS
from udfs.portfolio import BASELRHO, PORTFOLIOEL, PORTFOLIOES, PORTFOLIOVAR, VASICEKPD, WCDR
from xl_cashrisk import portfolio as pf
from xl_cashrisk.errors import ArgumentError

NAMES = ("VASICEKPD", "WCDR", "BASELRHO", "PORTFOLIOEL", "PORTFOLIOVAR", "PORTFOLIOES")
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

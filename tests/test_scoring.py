"""Credit-scoring core: every SPEC §1–§3 (and §6.1) worked example, zone boundaries, missing values,
scorecard loading/validation, and hypothesis properties of the composite score, bands and limits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk import scoring as sc
from xl_cashrisk.receivables import dbt_from_buckets, dbt_paid

SCORE_TOL = 1e-6  # SPEC §0: scores 1e-6 absolute; probabilities 1e-6 relative; money 0.01
PROB_REL = 1e-6
MONEY = 0.01


# ----------------------------------------------------------------------------------------------
# SPEC §1.7 Altman

Z_CASES = [  # (wc, re, ebit, mve, tl, sales, ta, Z, zone)
    ("Z-1", 250_000, 300_000, 150_000, 900_000, 450_000, 1_200_000, 1_000_000, 3.615000, "safe"),
    ("Z-2", -100_000, -200_000, -50_000, 300_000, 1_800_000, 1_600_000, 2_000_000, 0.617500, "distress"),
    ("Z-3", 120_000, 200_000, 80_000, 600_000, 700_000, 1_500_000, 1_000_000, 2.702286, "grey"),
]
ZP_CASES = [
    ("Zp-1", 250_000, 300_000, 150_000, 550_000, 450_000, 1_200_000, 1_000_000, 2.610333, "grey"),
    ("Zp-2", -100_000, -200_000, -50_000, 200_000, 1_800_000, 1_600_000, 2_000_000, 0.646842, "distress"),
    ("Zp-3", 350_000, 400_000, 200_000, 700_000, 300_000, 1_500_000, 1_000_000, 3.688150, "safe"),
]
ZPP_CASES = [  # (wc, re, ebit, bve, tl, Z'', zone, EM, EM zone, rating); TA = 1,000,000
    ("Zpp-1", 300_000, 250_000, 120_000, 600_000, 400_000, 5.164400, "safe", 8.414400, "safe", "AAA"),
    ("Zpp-2", -50_000, 20_000, 10_000, 150_000, 850_000, -0.010306, "distress", 3.239694, "distress", "CCC+"),
    ("Zpp-3", -150_000, -100_000, -40_000, 50_000, 950_000, -1.523537, "distress", 1.726463, "distress", "D"),
    ("Zpp-4", 150_000, 100_000, 50_000, 300_000, 700_000, 2.096000, "grey", 5.346000, "grey", "BB+"),
]


@pytest.mark.parametrize(("case", "wc", "re", "ebit", "mve", "tl", "sales", "ta", "z", "zone"), Z_CASES)
def test_altman_z_1968(case, wc, re, ebit, mve, tl, sales, ta, z, zone):
    got = sc.altman_z(wc, re, ebit, mve, sales, ta, tl)
    assert got == pytest.approx(z, abs=SCORE_TOL), case
    assert sc.altman_zone(got) == zone


@pytest.mark.parametrize(("case", "wc", "re", "ebit", "bve", "tl", "sales", "ta", "z", "zone"), ZP_CASES)
def test_altman_z_prime(case, wc, re, ebit, bve, tl, sales, ta, z, zone):
    got = sc.altman_z(wc, re, ebit, bve, sales, ta, tl, model="Z1")
    assert got == pytest.approx(z, abs=SCORE_TOL), case
    assert sc.altman_zone(got, "Z1") == zone
    assert sc.altman_z(wc, re, ebit, bve, sales, ta, tl, model="Zp") == got  # SPEC §0.1 spelling


@pytest.mark.parametrize(("case", "wc", "re", "ebit", "bve", "tl", "z2", "zone", "em", "em_zone", "rating"), ZPP_CASES)
def test_altman_z_double_prime_and_em(case, wc, re, ebit, bve, tl, z2, zone, em, em_zone, rating):
    ta = 1_000_000
    got = sc.altman_z(wc, re, ebit, bve, None, ta, tl, model="Z2")
    got_em = sc.altman_z(wc, re, ebit, bve, np.nan, ta, tl, model="EM")
    assert got == pytest.approx(z2, abs=SCORE_TOL), case
    assert got_em == pytest.approx(em, abs=SCORE_TOL), case
    assert sc.altman_zone(got, "Z2") == zone
    assert sc.altman_zone(got_em, "EM") == em_zone
    assert sc.em_rating(got_em) == rating


def test_altman_vectorised_matches_scalar():
    cols = list(zip(*[c[1:8] for c in Z_CASES], strict=True))
    wc, re, ebit, mve, tl, sales, ta = (np.array(c, float) for c in cols)
    got = sc.altman_z(wc, re, ebit, mve, sales, ta, tl)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, [c[8] for c in Z_CASES], atol=SCORE_TOL)
    assert sc.altman_zone(got).tolist() == ["safe", "distress", "grey"]


@pytest.mark.parametrize(("model", "lo", "hi"), [("Z", 1.81, 2.99), ("Z1", 1.23, 2.90), ("Z2", 1.10, 2.60),
                                                 ("EM", 4.35, 5.85)])
def test_zone_boundaries_are_grey(model, lo, hi):
    assert sc.altman_zone([lo - 1e-9, lo, hi, hi + 1e-9], model).tolist() == ["distress", "grey", "grey", "safe"]


def test_z_edge_case_2_99_is_grey():
    z = sc.altman_z(0, 0, 0, 0, 2.99, 1.0, 1.0)  # X = (0, 0, 0, 0, 2.99)
    assert z == pytest.approx(2.99, abs=SCORE_TOL)
    assert sc.altman_zone(z) == "grey"


def test_em_scale_kept_apart_from_z2_cutoffs():
    # SPEC §1.3 pitfall: an EM score of 3.24 is distress on the EM scale (it would be "safe" on the Z'' scale)
    assert sc.altman_zone(3.239694, "EM") == "distress"
    assert sc.altman_zone(3.239694, "Z2") == "safe"


def test_em_rating_table_bounds_and_missing():
    assert sc.em_rating([8.15, 8.1499, 1.75, 1.7499, 4.35, np.nan]).tolist() == ["AAA", "AA+", "CCC-", "D", "B", ""]


def test_altman_zero_denominator_is_nan_and_bad_model_rejected():
    assert np.isnan(sc.altman_z(1, 1, 1, 1, 1, 0, 1))
    assert sc.altman_zone(np.nan) == ""
    with pytest.raises(ValueError, match="Z, Z1, Z2 or EM"):
        sc.altman_z(1, 1, 1, 1, 1, 1, 1, model="Q")


# ----------------------------------------------------------------------------------------------
# Ohlson, Zmijewski, Piotroski

O1 = dict(ta=50e6, tl=20e6, ca=25e6, cl=10e6, ni=4e6, ni_prev=3.5e6, ffo=6e6)
O2 = dict(ta=10e6, tl=11e6, ca=3e6, cl=5e6, ni=-1.5e6, ni_prev=-0.8e6, ffo=-0.5e6)


@pytest.mark.parametrize(("inputs", "index", "o", "p"), [(O1, 100, -5.420855, 0.004404), (O2, 100, 0.201653, 0.550243),
                                                         (O1, 600, -4.691609, 0.009089)])
def test_ohlson_examples(inputs, index, o, p):
    assert sc.ohlson_o(**inputs, price_index=index) == pytest.approx(o, abs=SCORE_TOL)
    # SPEC states P to 6 dp, so compare at that precision
    assert sc.ohlson_p(**inputs, price_index=index) == pytest.approx(p, abs=5e-7)


def test_ohlson_term_breakdowns():
    o1 = [-1.32, -5.340802, 2.412, -0.429, 0.030280, 0.0, -0.1896, -0.549, 0.0, -0.034733]
    o2 = [-1.32, -4.685761, 6.633, 0.286, 0.126167, -1.72, 0.3555, 0.083182, 0.285, 0.158565]
    for inputs, want in ((O1, o1), (O2, o2)):
        terms = sc.ohlson_terms(**inputs)
        assert list(terms) == list(sc.models.OHLSON_TERMS)
        np.testing.assert_allclose(list(terms.values()), want, atol=SCORE_TOL)
        assert sum(terms.values()) == pytest.approx(sc.ohlson_o(**inputs), abs=1e-12)
    size = sc.ohlson_terms(**O1, price_index=600)["SIZE"] / -0.407
    assert size == pytest.approx(11.330604, abs=SCORE_TOL)


def test_ohlson_amount_unit_moves_only_size():
    thousands = {k: v / 1000 for k, v in O1.items()}
    millions = {k: v / 1e6 for k, v in O1.items()}
    assert sc.ohlson_o(**thousands, amount_unit=1000) == pytest.approx(-5.420855, abs=SCORE_TOL)  # O-1 again
    assert sc.ohlson_o(**millions, amount_unit=1e6) == pytest.approx(-5.420855, abs=SCORE_TOL)
    # millions typed as currency units: the academic replications' SIZE, O higher by 0.407·ln(10⁶) = 5.622913
    shift = sc.ohlson_o(**millions) - sc.ohlson_o(**O1)
    assert shift == pytest.approx(0.407 * math.log(1e6), abs=1e-9) and shift == pytest.approx(5.622913, abs=SCORE_TOL)
    t_cur, t_mil = sc.ohlson_terms(**O1), sc.ohlson_terms(**millions)
    assert {k: v for k, v in t_cur.items() if k != "SIZE"} == pytest.approx({k: v for k, v in t_mil.items() if k != "SIZE"})
    assert np.isnan(sc.ohlson_o(**O1, amount_unit=0))


def test_ohlson_chin_zero_when_both_incomes_zero():
    t = sc.ohlson_terms(1e6, 5e5, 4e5, 2e5, 0, 0, 1e5)
    assert t["CHIN"] == 0.0 and t["INTWO"] == 0.0


@pytest.mark.parametrize(("ni", "tl", "ta", "ca", "cl", "x", "p", "distressed"), [
    (4e6, 20e6, 50e6, 25e6, 10e6, -2.415440, 0.007858, False),
    (-1.5e6, 11e6, 10e6, 3e6, 5e6, 2.590250, 0.995205, True),
    (90e3, 450e3, 1e6, 500e3, 250e3, -2.178620, 0.014680, False),
])
def test_zmijewski_examples(ni, tl, ta, ca, cl, x, p, distressed):
    assert sc.zmijewski_x(ni, tl, ta, ca, cl) == pytest.approx(x, abs=SCORE_TOL)
    got = sc.zmijewski_p(ni, tl, ta, ca, cl)
    assert got == pytest.approx(p, abs=5e-7)
    assert (got > 0.5) is distressed


def _pf(ni, cfo, ta_b, ta_e, ltd, ca, cl, sales, cogs, eq=0):
    return dict(zip(sc.PIOTROSKI_ITEMS, (ni, cfo, ta_b, ta_e, ltd, ca, cl, sales, cogs, eq), strict=True))


PF = {
    "PF-A": (_pf(80, 110, 1050, 1100, 280, 450, 250, 1350, 990), _pf(60, 70, 1000, 1050, 300, 400, 250, 1200, 900),
             [1] * 9, 9),
    "PF-B": (_pf(-20, -10, 1000, 1100, 350, 450, 300, 1400, 1100, 1), _pf(50, 60, 1000, 1000, 200, 500, 250, 1500, 1100),
             [0, 0, 0, 1, 0, 0, 0, 0, 0], 1),
    "PF-C": (_pf(30, 50, 900, 950, 180, 310, 220, 1150, 860), _pf(40, 55, 800, 900, 200, 300, 200, 1000, 750),
             [1, 1, 0, 1, 1, 0, 1, 1, 1], 7),
}


@pytest.mark.parametrize("case", list(PF))
def test_piotroski_examples(case):
    cur, prev, signals, f = PF[case]
    assert sc.piotroski_signals(cur, prev).tolist() == signals
    assert sc.piotroski_f(cur, prev) == f


def test_piotroski_ties_score_zero_and_vectorises():
    _, prev, _, _ = PF["PF-A"]
    # the same year twice: every change signal ties and scores 0 (strict comparisons)
    assert sc.piotroski_signals(prev, prev).tolist() == [1, 1, 0, 1, 0, 0, 1, 0, 0]
    both = {k: np.array([PF["PF-A"][0][k], PF["PF-C"][0][k]]) for k in sc.PIOTROSKI_ITEMS}
    both_prev = {k: np.array([PF["PF-A"][1][k], PF["PF-C"][1][k]]) for k in sc.PIOTROSKI_ITEMS}
    assert sc.piotroski_f(both, both_prev).tolist() == [9, 7]


# ----------------------------------------------------------------------------------------------
# PAYDEX and DBT (SPEC §2)


def test_paydex_examples():
    a, d = [50_000, 30_000, 15_000, 5_000], [0, 15, 30, 90]
    assert np.asarray(sc.paydex_points(d)).tolist() == [80, 70, 50, 30]
    assert sc.paydex(a, d) == pytest.approx(70.0, abs=SCORE_TOL)                   # PX-1
    assert np.dot(a, d) / sum(a) == pytest.approx(13.5)
    assert sc.paydex(a, d, method="days") == pytest.approx(71.0, abs=SCORE_TOL)
    assert sc.paydex([100_000, 20_000, 10_000], [-10, 0, 60]) == pytest.approx(80.769231, abs=SCORE_TOL)  # PX-2
    for days, want in ((7, 75.333333), (45, 45.0), (150, 10.0)):                   # PX-3..5
        assert sc.paydex_points(days) == pytest.approx(want, abs=SCORE_TOL)
    assert sc.paydex_to_dbt(75) == pytest.approx(7.5)                              # PX-6
    assert sc.paydex_to_dbt(85) == pytest.approx(-10.0)


def test_paydex_matches_dnb_per_point_chart():
    chart = {100: -30, 99: -29, 91: -21, 90: -20, 89: -18, 88: -16, 85: -10, 84: -8, 59: 23, 58: 24, 57: 25,
             56: 26, 54: 27, 53: 28, 52: 29, 50: 30, 49: 33, 48: 36, 45: 45, 44: 48}
    for p, days in chart.items():  # D&B rounds the 60–50 segment to whole days (SPEC §2.1)
        tol = 1.0 if 50 < p < 60 else 1e-9
        assert abs(float(sc.paydex_to_dbt(p)) - days) <= tol, p


def test_paydex_unavailable_rules():
    assert sc.paydex([1, 2], [0, 5]) == sc.UNAVAILABLE
    assert sc.paydex([1, 2, 3], [0, 5, 9], reporters=["a", "a", "a"]) == "UN"
    assert sc.paydex([1, 2, 3], [0, 5, 9], reporters=["a", "b", "a"]) != "UN"
    with pytest.raises(ValueError, match="positive"):
        sc.paydex([1, -2, 3], [0, 0, 0])


def test_paydex_tail_and_floor():
    assert sc.paydex_points([-100, 120, 177, 1000]).tolist() == [100, 20, 1, 1]
    assert np.isnan(sc.paydex_to_dbt(101))


def test_dbt_examples_reuse_receivables():
    assert dbt_from_buckets([60_000, 25_000, 10_000, 4_000, 1_000]) == pytest.approx(12.30, abs=MONEY)   # DBT-1
    assert dbt_paid([10_000, 10_000], ["2024-01-31", "2024-03-02"], ["2024-02-05", "2024-03-09"]) == 6.0  # DBT-2


# ----------------------------------------------------------------------------------------------
# Score ↔ PD, bands, grades (SPEC §3.4, §3.6, §3.7)

PD_TABLE = {100: 0.1560, 85: 0.4400, 71: 1.1528, 60: 2.4390, 51: 4.4572, 50: 4.7619, 40: 9.0909, 30: 16.6667,
            21: 27.1781, 10: 44.4444, 0: 61.5385}


def test_pd_table_and_inverse_checks():
    for s, pct in PD_TABLE.items():  # the table is printed to 4 dp of a percent
        assert sc.credit_pd(s) * 100 == pytest.approx(pct, abs=5e-5), s
    for p, s in ((0.01, 73.0743), (0.02, 62.9278), (0.05, 49.2600), (0.10, 38.4800), (0.20, 26.7807)):
        assert sc.score_from_pd(p) == pytest.approx(s, abs=5e-5)
    assert sc.credit_pd(50) == pytest.approx(1 / 21, rel=PROB_REL)


def test_classic_600_calibration_reproduced():
    # SPEC §3.6: S0 = 600 at 50:1, PDO 20 → PD 2 % ↔ 599.4171, 5 % ↔ 572.0814
    assert sc.score_from_pd(0.02, 600, 50, 20) == pytest.approx(599.4171, abs=5e-5)
    assert sc.score_from_pd(0.05, 600, 50, 20) == pytest.approx(572.0814, abs=5e-5)


def test_pd_edge_values():
    assert np.isnan(sc.score_from_pd([0.0, 1.0, -0.1, np.nan])).all()
    assert sc.score_from_pd(0.001) > 100  # not clamped


def test_bands_letters_grades():
    scores = [100, 71, 70.99, 51, 50.99, 30, 29.99, 21, 20.99, 0]
    assert sc.credit_band(scores).tolist() == ["GREEN"] * 4 + ["YELLOW"] * 2 + ["RED"] * 4
    assert sc.credit_letter(scores).tolist() == ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"]
    assert sc.credit_grade(scores).tolist() == [1, 3, 3, 5, 6, 7, 8, 8, 9, 10]
    assert sc.credit_band(np.nan) == "NR" and sc.credit_letter(np.nan) == "NR" and sc.credit_grade(np.nan) == "NR"
    assert sc.credit_band([80, 40, 10], "zh").tolist() == ["绿", "黄", "红"]
    assert sc.credit_band([80, 40, 10], "zh", "meaning").tolist() == ["风险可控", "谨慎交易", "暂停赊销"]
    assert sc.credit_band([80, 40, 10], "en", "meaning").tolist() == ["risk under control", "trade with caution",
                                                                     "suspend credit sales"]
    assert sc.credit_band(55, green_min=60, yellow_min=40) == "YELLOW"


scores = st.floats(0, 100, allow_nan=False)


@given(scores, scores)
def test_pd_monotone_decreasing_in_score(a, b):
    lo, hi = sorted((a, b))
    assert sc.credit_pd(hi) <= sc.credit_pd(lo)


@given(scores)
def test_score_from_pd_inverts_credit_pd(s):
    assert sc.score_from_pd(sc.credit_pd(s)) == pytest.approx(s, abs=1e-9)


@given(scores, scores)
def test_band_grade_letter_never_contradict_score(a, b):
    order = {"GREEN": 0, "YELLOW": 1, "RED": 2}
    lo, hi = sorted((a, b))
    assert order[sc.credit_band(hi)] <= order[sc.credit_band(lo)]
    assert sc.credit_grade(hi) <= sc.credit_grade(lo)
    band, grade = sc.credit_band(a), sc.credit_grade(a)
    assert band == ("GREEN" if grade <= 5 else "YELLOW" if grade <= 7 else "RED")
    assert band == ("GREEN" if a >= 51 else "YELLOW" if a >= 30 else "RED")
    assert sc.credit_letter(a) in (("A", "B") if band == "GREEN" else ("C",) if band == "YELLOW" else ("D", "E"))


# ----------------------------------------------------------------------------------------------
# Credit limit and expected loss (SPEC §3.8, §6.1)


def test_credit_limit_cl1():
    assert sc.limit_need(1_200_000, 60, 10) == pytest.approx(230_136.99, abs=MONEY)
    assert sc.limit_capacity(2_000_000, 900_000) == pytest.approx(180_000, abs=MONEY)
    got = [sc.credit_limit(1_200_000, 60, 10, 2_000_000, 900_000, b) for b in ("GREEN", "YELLOW", "RED")]
    np.testing.assert_allclose(got, [180_000, 90_000, 0], atol=MONEY)
    assert 2 * 1_200_000 / 12 == 200_000  # the "2 × monthly sales" cross-check printed in CL-1


def test_credit_limit_cl2():
    capacity = sc.limit_capacity(80_000, 700_000, tnw_share=0.35, wc_share=0.05)
    assert min(50_000, capacity) == pytest.approx(28_000, abs=MONEY)


def test_credit_limit_caps_and_missing():
    base = (1_200_000, 60, 10, 2_000_000, 900_000)
    assert sc.credit_limit(*base, "GREEN", insurer_limit=100_000) == 100_000
    assert sc.credit_limit(*base, "GREEN", insurer_limit=np.nan) == pytest.approx(180_000)
    assert sc.credit_limit(1_200_000, 60, 10, np.nan, 900_000, "GREEN") == pytest.approx(180_000)
    assert np.isnan(sc.credit_limit(1_200_000, 60, 10, np.nan, np.nan, "GREEN"))
    assert sc.credit_limit(1_200_000, 60, 10, -500_000, 900_000, "GREEN") == 0.0  # negative net worth
    assert sc.credit_limit(1_200_000, 60, 0, 2_000_000, 900_000, "GREEN", vat_rate=0.13) == pytest.approx(
        min(1_200_000 / 365 * 60 * 1.13, 180_000))
    assert sc.credit_limit(*base, 75.0) == pytest.approx(180_000)  # a score is read as its band
    assert np.isnan(sc.band_multiplier("NR"))


@given(st.floats(0, 1e8), st.floats(0, 180), st.floats(-30, 200), st.floats(-1e7, 1e8), st.floats(-1e7, 1e8),
       st.sampled_from(["GREEN", "YELLOW", "RED"]), st.floats(0, 0.3), st.one_of(st.none(), st.floats(0, 1e7)))
def test_limits_zero_for_red_and_never_exceed_caps(sales, terms, dbt, tnw, wc, band, vat, ins):
    got = sc.credit_limit(sales, terms, dbt, tnw, wc, band, vat, ins)
    assert got >= 0
    assert got <= sc.limit_need(sales, terms, dbt, vat) + 1e-6
    assert got <= max(0.0, min(0.10 * tnw, 0.20 * wc)) + 1e-6
    if ins is not None:
        assert got <= ins + 1e-6
    if band == "RED":
        assert got == 0


def test_expected_loss_el1_el2():
    assert sc.expected_loss(0.02, 0.45, 1_000_000) == pytest.approx(9_000, abs=MONEY)
    ead = np.array([800_000, 560_000, 240_000, 120_000])
    pd_ = np.array([0.01, 0.03, 0.08, 0.20])
    limit = np.array([700_000, 600_000, 0, 150_000])  # buyer C has no insurer limit: not covered
    i = sc.insured_indemnity(ead, 0.9, limit)
    np.testing.assert_allclose(i, [630_000, 504_000, 0, 108_000], atol=MONEY)
    gross = sc.expected_loss(pd_, 0.60, ead)
    seller = sc.expected_loss(pd_, 0.60, ead, 0.9, limit)
    np.testing.assert_allclose(gross, [4_800, 10_080, 11_520, 14_400], atol=MONEY)
    np.testing.assert_allclose(seller, [1_020, 1_008, 11_520, 1_440], atol=MONEY)
    np.testing.assert_allclose(gross - seller, [3_780, 9_072, 0, 12_960], atol=MONEY)
    assert (gross.sum(), seller.sum(), (gross - seller).sum()) == pytest.approx((40_800, 14_988, 25_812), abs=MONEY)


# ----------------------------------------------------------------------------------------------
# The composite scorecard

GOOD = {"altman_z2": 3.0, "current_ratio": 1.6, "debt_ratio": 0.5, "paydex": 82, "max_days_overdue": 0,
        "overdue_share": 0.02, "years_in_business": 12, "employees": 300, "negative_events": 0, "country": "DE",
        "sector": "pharma"}


def test_default_scorecard_shape():
    card = sc.default_scorecard()
    assert card.version == "default-2026.2"
    assert card.total_weight == pytest.approx(100)
    assert {f.group for f in card.factors} == {"financial", "payment", "standing", "country", "region", "sector", "events"}
    assert (card.green_min, card.yellow_min) == (51, 30)
    assert (card.anchor_score, card.anchor_odds, card.pdo) == (50, 20, 10)
    assert sc.credit_score(GOOD).version == card.version


def test_score_hand_checked():
    # points: Z'' 85, CR 85, TL/TA 85, PAYDEX 90, overdue 100, share 100, years 85, employees 85, events 100,
    # sector pharma 80, country DE 90; weights 15, 8, 12, 15, 12, 8, 6, 4, 7, 5, 8
    want = (85 * 15 + 85 * 8 + 85 * 12 + 90 * 15 + 100 * 12 + 100 * 8 + 85 * 6 + 85 * 4 + 100 * 7 + 80 * 5 + 90 * 8) / 100
    r = sc.credit_score(GOOD)
    assert r.score == pytest.approx(want, abs=1e-9)
    assert r.confidence == 1.0 and r.capped_by == ""


def test_missing_factors_reweight_and_report_confidence():
    r = sc.credit_score({"paydex": 82, "max_days_overdue": 0, "overdue_share": 0.02})
    assert r.score == pytest.approx((90 * 15 + 100 * 12 + 100 * 8) / 35)
    assert r.confidence == pytest.approx(0.35)
    nan_inputs = dict(GOOD, altman_z2=np.nan, country=None, sector="")
    r2 = sc.credit_score(nan_inputs)
    assert r2.confidence == pytest.approx(1 - 0.15 - 0.08 - 0.05)
    low = sc.credit_score({"paydex": 82})  # 15 % of the weight < min_confidence 30 % → not rated
    assert np.isnan(low.score) and low.confidence == pytest.approx(0.15)
    assert np.isnan(sc.credit_score({}).score)


def test_unknown_codes_get_default_points_and_case_is_ignored():
    card = sc.default_scorecard()
    p, present = sc.scorecard.factor_points(card.factor("country"), ["de", " DE ", "ZZ", None, np.nan])
    assert p.tolist() == [90, 90, card.factor("country").default, 0, 0]
    assert present.tolist() == [True, True, True, False, False]


def test_caps_bite():
    r = sc.credit_score(dict(GOOD, max_days_overdue=45))
    assert r.score == 50 and "30 days" in r.capped_by
    r = sc.credit_score(dict(GOOD, max_days_overdue=61))
    assert r.score == 29 and sc.credit_band(r.score) == "RED"
    r = sc.credit_score(dict(GOOD, negative_events=3))
    assert r.score == 29


def test_dbt_days_used_when_paydex_missing():
    a = sc.credit_score(dict(GOOD, paydex=np.nan, dbt_days=0))
    b = sc.credit_score(dict(GOOD, paydex=80))
    assert a.score == pytest.approx(b.score)
    c = sc.credit_score({k: v for k, v in GOOD.items() if k != "paydex"} | {"dbt_days": 45})  # → PAYDEX 45
    assert c.score < b.score


def test_explain_rows_add_up():
    t = sc.explain(dict(GOOD, altman_z2=np.nan))
    factors = t[~t.factor.isin(["cap", "score", "confidence", "band", "pd", "version"])]
    score = t.set_index("factor").loc["score", "input"]
    assert factors.contribution.sum() == pytest.approx(score)
    assert factors.share.sum() == pytest.approx(1.0)
    assert factors.set_index("factor").loc["altman_z2", "bin"] == "missing"
    assert t.set_index("factor").loc["version", "input"] == "default-2026.2"
    zh = sc.explain(GOOD, language="zh")
    assert "付款指数 (PAYDEX)" in zh.label.tolist() and zh.set_index("factor").loc["band", "input"] == "绿"


def test_scorecard_overrides_and_version():
    card = sc.load_scorecard(overrides={"factors.paydex.weight": 30})
    assert card.version == "default-2026.2+custom" and card.factor("paydex").weight == 30
    table = sc.scorecard_from_table([["key", "value"], ["factors.country.table.VN", 80], [None, None],
                                     ["factors.paydex.edges", "30, 50, 60, 70, 80, 95"], ["version", "acme-2026.2"]])
    assert table.version == "acme-2026.2" and table.factor("country").table["VN"] == 80
    assert table.factor("paydex").edges[-1] == 95
    assert sc.credit_score(dict(GOOD, country="VN"), table).version == "acme-2026.2"
    assert sc.default_scorecard().factor("country").table["VN"] == 60  # the default is not mutated


def test_scorecard_file(tmp_path):
    f = tmp_path / "settings.toml"
    f.write_text('[scorecard]\nversion = "acme-1"\n[scorecard.bands]\ngreen_min = 60.0\n'
                 '[scorecard.grades]\nbounds = [95, 90, 80, 70, 60, 45, 30, 21, 10]\n', encoding="utf-8")
    card = sc.load_scorecard(f)
    assert card.version == "acme-1" and card.green_min == 60
    assert sc.credit_band(55, scorecard=card) == "YELLOW" and sc.credit_grade(55, card) == 6


@pytest.mark.parametrize(("overrides", "message"), [
    ({"factors.paydex.points": [0, 15, 40, 55, 90, 70, 100]}, "must rise"),
    ({"factors.debt_ratio.points": [0, 15, 40, 65, 85, 100]}, "must fall"),
    ({"factors.paydex.edges": [30, 50]}, "need 3 points"),
    ({"factors.paydex.edges": [30, 30, 60, 70, 80, 90]}, "increase strictly"),
    ({"factors.paydex.weight": -1}, "≥ 0"),
    ({"factors.paydex.weight": "heavy"}, "must be a number"),
    ({"bands.green_min": 20}, "yellow_min < green_min"),
    ({"bands.green_min": 55}, "grade 5 must start"),
    ({"caps": [{"factor": "paydex", "at_least": 50, "max_score": 29}]}, "higher_worse"),
    ({"factors.country.table.US": 120}, "between 0 and 100"),
    ({"limits.red": 0.6}, "red ≤ yellow"),
])
def test_bad_scorecards_are_named(overrides, message):
    with pytest.raises(sc.ScorecardError, match=message):
        sc.load_scorecard(overrides=overrides)


def test_missing_scorecard_file(tmp_path):
    with pytest.raises(sc.ScorecardError, match="not found"):
        sc.load_scorecard(tmp_path / "nope.toml")


# properties: a worse payment record, higher leverage or a riskier country never raises the score

maybe = lambda s: st.one_of(st.just(np.nan), s)  # noqa: E731
buyer = st.fixed_dictionaries({
    "altman_z2": maybe(st.floats(-5, 10)), "current_ratio": maybe(st.floats(0, 5)),
    "debt_ratio": maybe(st.floats(0, 1.5)), "paydex": maybe(st.floats(0, 100)),
    "max_days_overdue": maybe(st.floats(0, 200)), "overdue_share": maybe(st.floats(0, 1)),
    "years_in_business": maybe(st.floats(0, 80)), "employees": maybe(st.floats(0, 10_000)),
    "negative_events": maybe(st.integers(0, 6).map(float)),
    "country": st.sampled_from(["CN", "US", "RU", "TR", "VN", "ZZ", ""]),
    "sector": st.sampled_from(["pharma", "retail", "construction", "other", ""]),
})


def _le(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a <= b + 1e-9


@settings(max_examples=300)
@given(buyer, st.floats(0, 50), st.floats(0, 100), st.floats(0, 0.5), st.floats(0, 0.8), st.integers(0, 3))
def test_worse_record_never_raises_score(b, dpaydex, ddays, dshare, dlev, devents):
    base = sc.credit_score(b).score
    worse = dict(b)
    for key, step, limit in (("paydex", -dpaydex, 0), ("max_days_overdue", ddays, None), ("overdue_share", dshare, 1)):
        if not np.isnan(b[key]):
            worse[key] = max(limit, b[key] + step) if key == "paydex" else b[key] + step
            if key == "overdue_share":
                worse[key] = min(1.0, worse[key])
    if not np.isnan(b["debt_ratio"]):
        worse["debt_ratio"] = b["debt_ratio"] + dlev
    if not np.isnan(b["negative_events"]):
        worse["negative_events"] = b["negative_events"] + devents
    assert _le(sc.credit_score(worse).score, base)


@given(buyer, st.sampled_from(sorted(sc.default_scorecard().factor("country").table)))
def test_riskier_country_never_raises_score(b, other):
    table = sc.default_scorecard().factor("country").table
    if b["country"] not in table:
        return
    a, c = sc.credit_score(b).score, sc.credit_score(dict(b, country=other)).score
    if table[other] <= table[b["country"]]:
        assert _le(c, a)
    else:
        assert _le(a, c)


@given(buyer)
def test_score_in_range_and_vectorised_equals_scalar(b):
    r = sc.credit_score(b)
    assert np.isnan(r.score) or 0 <= r.score <= 100
    assert 0 <= r.confidence <= 1
    many = sc.credit_score({k: [v, v] for k, v in b.items()})
    np.testing.assert_array_equal(many.score, [r.score, r.score])


# ----------------------------------------------------------------------------------------------
# Whole register


def _register(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ta = rng.uniform(1e6, 1e8, n)
    return pd.DataFrame({
        "buyer_id": [f"B{i}" for i in range(n)],
        "country": rng.choice(["CN", "US", "DE", "RU", "VN", "XX", None], n),
        "sector": rng.choice(["pharma", "retail", "food", "machinery", None], n),
        "total_assets": ta, "total_liabilities": ta * rng.uniform(0.2, 1.1, n),
        "current_assets": ta * rng.uniform(0.2, 0.6, n), "current_liabilities": ta * rng.uniform(0.1, 0.5, n),
        "retained_earnings": ta * rng.uniform(-0.2, 0.4, n), "ebit": ta * rng.uniform(-0.1, 0.2, n),
        "equity_book": ta * rng.uniform(0, 0.6, n), "max_dpd_open": rng.integers(0, 120, n).astype(float),
        "years_in_business": rng.integers(0, 40, n), "employees": rng.integers(1, 5000, n),
        "negative_events": rng.integers(0, 4, n), "dbt": rng.uniform(-5, 60, n),
        "overdue_amount": rng.uniform(0, 1e5, n), "open_amount": rng.uniform(1e5, 2e5, n),
    })


def test_register_matches_row_by_row_scoring():
    reg = _register(40, seed=3)
    out = sc.score_register(reg)
    assert list(out.columns) == ["score", "confidence", "band", "band_label", "grade", "pd", "weakest", "capped_by",
                                 "scorecard_version"]
    for i in range(len(reg)):
        row = reg.iloc[[i]]
        inputs = {k: v[0] for k, v in sc.inputs_from_register(row).items()}
        one = sc.credit_score(inputs)
        assert out.score.iloc[i] == pytest.approx(one.score, nan_ok=True)
        assert out.band.iloc[i] == sc.credit_band(one.score)
    z2 = sc.altman_z(reg.current_assets - reg.current_liabilities, reg.retained_earnings, reg.ebit, reg.equity_book,
                     None, reg.total_assets, reg.total_liabilities, "Z2")
    np.testing.assert_allclose(sc.inputs_from_register(reg)["altman_z2"], z2)


def test_register_blank_rows_not_rated():
    reg = pd.DataFrame({"buyer_id": ["A", "B"], "country": ["CN", None], "paydex": [85, np.nan],
                        "max_days_overdue": [0, np.nan], "overdue_share": [0.0, np.nan]})
    out = sc.score_register(reg, language="zh")
    assert out.band.tolist() == ["GREEN", "NR"] and out.band_label.tolist() == ["绿", "未评级"]
    assert out.grade.tolist()[1] == "NR"


def test_register_100k_scores_every_buyer_as_one_at_a_time():
    """100k buyers in one call (its speed is measured in bench/, `python -m bench --only scoring`): every
    row in range, and a sample of rows equal to scoring that buyer alone."""
    reg = _register(100_000)
    out = sc.score_register(reg)
    assert set(out.band) <= {"GREEN", "YELLOW", "RED", "NR"} and out.score.between(0, 100).all()
    for i in (0, 1, 4_999, 50_000, 99_999):
        alone = sc.score_register(reg.iloc[[i]].reset_index(drop=True))
        assert alone.score.iloc[0] == pytest.approx(out.score.iloc[i], nan_ok=True) and alone.band.iloc[0] == out.band.iloc[i]


def test_register_reads_a_new_factor_and_zero_weight_drops_one():
    card = sc.load_scorecard(overrides={
        "version": "acme-new-factor",
        "factors.quick_ratio": {"group": "financial", "weight": 10, "direction": "higher_better",
                                "edges": [0.5, 1.0], "points": [0, 50, 100]},
        "factors.employees.weight": 0,
    })
    reg = pd.DataFrame({"paydex": [85.0, 85.0], "max_days_overdue": [0.0, 0.0], "quick_ratio": [2.0, 0.2],
                        "employees": [1.0, 5000.0]})
    out = sc.score_register(reg, card)
    assert out.score.tolist() == pytest.approx([(90 * 15 + 100 * 12 + 100 * 10) / 37, (90 * 15 + 100 * 12) / 37])
    assert (out.scorecard_version == "acme-new-factor").all()

"""Scorecard validation measures against independent computations: brute-force pairwise AUC, KS from its
definition, the exact binomial tail by hand (math.comb), hand-built warning panels with known lead times."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_cashrisk.scoring import validation as va


def pairwise_auc(risk, y) -> float:
    """Every (defaulter, survivor) pair: 1 when the defaulter is riskier, ½ when tied (Hanley & McNeil)."""
    pos = [r for r, d in zip(risk, y, strict=True) if d]
    neg = [r for r, d in zip(risk, y, strict=True) if not d]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def brute_ks(risk, y) -> float:
    """max over every cut-off c of |share of defaulters ≤ c − share of survivors ≤ c|."""
    pos = [r for r, d in zip(risk, y, strict=True) if d]
    neg = [r for r, d in zip(risk, y, strict=True) if not d]
    return max(abs(sum(p <= c for p in pos) / len(pos) - sum(n <= c for n in neg) / len(neg)) for c in risk)


def binom_tail_ge(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


samples = st.lists(st.tuples(st.integers(0, 12).map(lambda v: v / 4), st.booleans()), min_size=2, max_size=40).filter(
    lambda xs: any(d for _, d in xs) and not all(d for _, d in xs))


@settings(max_examples=150, deadline=None)
@given(samples)
def test_auc_and_ks_match_brute_force_with_ties(xs):
    risk, y = [r for r, _ in xs], [d for _, d in xs]
    assert va.auc(risk, y) == pytest.approx(pairwise_auc(risk, y), abs=1e-12)
    assert va.gini(risk, y) == pytest.approx(2 * pairwise_auc(risk, y) - 1, abs=1e-12)
    assert va.ks_statistic(risk, y) == pytest.approx(brute_ks(risk, y), abs=1e-12)
    roc = va.roc_curve(risk, y)
    area = np.trapezoid(roc["hit_rate"], roc["false_alarm_rate"]) if hasattr(np, "trapezoid") else \
        np.trapz(roc["hit_rate"], roc["false_alarm_rate"])
    assert area == pytest.approx(pairwise_auc(risk, y), abs=1e-12)  # the trapezoids under the ROC curve


def test_auc_on_random_scores_and_edges():
    rng = np.random.default_rng(19)
    risk = rng.normal(size=300)
    y = rng.random(300) < 1 / (1 + np.exp(-2 * risk))
    assert va.auc(risk, y) == pytest.approx(pairwise_auc(risk, y), abs=1e-12)
    assert va.auc(risk, y) > 0.7
    assert va.auc([1, 2, 3], [True, True, True]) != va.auc([1, 2, 3], [True, True, True])  # NaN: one class only
    assert va.auc([3, 2, 1], [True, False, False]) == 1.0 and va.ks_statistic([3, 2, 1], [True, False, False]) == 1.0
    assert va.auc([1.0, np.nan, 2.0], [False, True, True]) == 1.0  # NaN risks left out


def test_binomial_calibration_against_the_exact_tail_by_hand():
    t = va.binomial_calibration([200, 50, 10, 0], [2, 9, 0, 0], [0.01, 0.08, 0.2, 0.05])
    assert t["p_more"][0] == pytest.approx(binom_tail_ge(2, 200, 0.01), rel=1e-9)   # 0.5954
    assert t["p_more"][1] == pytest.approx(binom_tail_ge(9, 50, 0.08), rel=1e-9)    # 0.0167
    assert t["p_fewer"][2] == pytest.approx(0.8**10, rel=1e-9)                      # P(X = 0) = 0.107
    assert list(t["verdict"]) == ["consistent", "PD too low", "consistent", "no data"]
    low = va.binomial_calibration([400], [0], [0.02])  # P(X = 0) = 0.98^400 = 3e-4: PD too high
    assert low["verdict"][0] == "PD too high" and low["p_fewer"][0] == pytest.approx(0.98**400)
    with pytest.raises(ValueError, match="0 ≤ defaults ≤ observations"):
        va.binomial_calibration([5], [6], [0.1])


def test_horizon_pd():
    assert va.horizon_pd(0.19, 6) == pytest.approx(0.1)  # 1 − 0.81^½
    np.testing.assert_allclose(va.horizon_pd([0.0, 1.0], 3), [0.0, 1.0])


def test_lead_times_on_a_hand_built_history():
    # 6 month-ends. A: warned from month 1, defaults in month 4 → lead 3. B: warned only when it defaults
    # (month 2) → lead 0. C: never defaults, warned in month 3 → no lead. D: defaulted from the start →
    # not observable. E: warned at 0, recovers, warned again at 4, defaults at 5 → the first warning
    # counts: lead 5.
    w = [[0, 1, 1, 0, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 1, 1]]
    d = [[0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1]]
    t = va.warning_lead_times(w, d)
    assert t["default_at"].tolist() == [4, 2, -1, 0, 5]
    assert t["first_warning"].tolist() == [1, 2, 3, 0, 0]
    np.testing.assert_array_equal(t["lead"].to_numpy(), [3, 0, np.nan, 0, 5])
    assert t["observable"].tolist() == [True, True, True, False, True]

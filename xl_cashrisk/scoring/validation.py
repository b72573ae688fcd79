"""Does the scorecard work on our own buyers? Discrimination (ROC curve, AUC, Gini, Kolmogorov–Smirnov),
calibration (a binomial test of the PD per band) and the lead time of the early warning.

Every function takes ``risk`` (higher = riskier: the PD, or minus the score) and ``defaulted`` (True for
the observations that went on to default), one value per observation, NaN risks left out. Sources:

* BCBS Working Paper 14, *Studies on the Validation of Internal Rating Systems* (2005), §III: the ROC
  curve, the area under it (AUC) and the accuracy ratio (AR = Gini = 2·AUC − 1); the binomial test of a
  grade's PD against its observed default rate;
* Hanley & McNeil (1982): AUC = the Mann–Whitney U statistic / (n₁·n₀) = P(a defaulter is riskier than
  a survivor), ties counting one half;
* Siddiqi (2006), *Credit Risk Scorecards*, ch. 6: KS = the largest gap between the cumulative shares of
  defaulters and of survivors below a cut-off.

A score with no discrimination has AUC 0.5, Gini 0 and KS 0; a perfect one AUC 1, Gini 1 and KS 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["auc", "binomial_calibration", "gini", "horizon_pd", "ks_statistic", "roc_curve", "warning_lead_times"]

MONTHS_IN_YEAR = 12


def _observations(risk, defaulted) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(risk, dtype=float).ravel()
    y = np.asarray(defaulted).ravel()
    if r.shape != y.shape:
        raise ValueError(f"risk and defaulted differ in length: {r.size} vs {y.size}")
    y = y.astype(bool)
    keep = ~np.isnan(r)
    return r[keep], y[keep]


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x``, tied values sharing the average of their ranks."""
    order = np.argsort(x, kind="mergesort")
    _, first, counts = np.unique(x[order], return_index=True, return_counts=True)
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(first + (counts + 1) / 2.0, counts)
    return ranks


def auc(risk, defaulted) -> float:
    """Area under the ROC curve: the probability that a defaulter is riskier than a survivor, ties
    counting one half; NaN without at least one of each.

    ``AUC = (R₁ − n₁(n₁ + 1)/2) / (n₁·n₀)`` with R₁ the sum of the defaulters' ranks of ``risk`` (tied
    values share their average rank): the Mann–Whitney U statistic over n₁·n₀ (Hanley & McNeil 1982;
    BCBS WP14 §III).

    >>> auc([0.30, 0.20, 0.10, 0.05], [True, False, True, False])   # 3 of the 4 pairs in order
    0.75
    >>> auc([0.2, 0.2, 0.1], [True, False, False])                   # one pair tied: 1.5 / 2
    0.75
    """
    r, y = _observations(risk, defaulted)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    u = _average_ranks(r)[y].sum() - n1 * (n1 + 1) / 2.0
    return float(u / (n1 * n0))


def gini(risk, defaulted) -> float:
    """Gini coefficient (accuracy ratio, AR) = 2·AUC − 1 (BCBS WP14 §III): 1 for a perfect ranking, 0 for none.

    >>> gini([0.30, 0.20, 0.10, 0.05], [True, False, True, False])
    0.5
    """
    return 2.0 * auc(risk, defaulted) - 1.0


def ks_statistic(risk, defaulted) -> float:
    """Kolmogorov–Smirnov statistic: ``max over cut-offs c of |F₁(c) − F₀(c)|``, F₁ and F₀ the shares of
    defaulters and of survivors with risk ≤ c (Siddiqi 2006). Between 0 and 1; NaN without both kinds.

    >>> ks_statistic([0.30, 0.20, 0.10, 0.05], [True, False, True, False])   # at c = 0.05: |0 − 0.5|
    0.5
    """
    r, y = _observations(risk, defaulted)
    if y.all() or not y.any():
        return float("nan")
    cut = np.unique(r)
    f1 = np.searchsorted(np.sort(r[y]), cut, side="right") / y.sum()
    f0 = np.searchsorted(np.sort(r[~y]), cut, side="right") / (~y).sum()
    return float(np.abs(f1 - f0).max())


def roc_curve(risk, defaulted) -> pd.DataFrame:
    """The ROC curve: for each cut-off c (distinct risks, riskiest first) the share of survivors
    (``false_alarm_rate``, FPR) and of defaulters (``hit_rate``, TPR) with risk ≥ c, from (0, 0) to (1, 1)
    (BCBS WP14 §III). The trapezoids under it add up to :func:`auc`.

    >>> roc_curve([0.30, 0.20, 0.10, 0.05], [True, False, True, False]).to_numpy().tolist()
    [[inf, 0.0, 0.0], [0.3, 0.0, 0.5], [0.2, 0.5, 0.5], [0.1, 0.5, 1.0], [0.05, 1.0, 1.0]]
    """
    r, y = _observations(risk, defaulted)
    cut = np.unique(r)[::-1]
    n1, n0 = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    pos = np.searchsorted(np.sort(-r[y]), -cut, side="right") / n1  # count of risks ≥ each cut-off
    neg = np.searchsorted(np.sort(-r[~y]), -cut, side="right") / n0
    return pd.DataFrame({"cutoff": np.concatenate([[np.inf], cut]), "false_alarm_rate": np.concatenate([[0.0], neg]),
                         "hit_rate": np.concatenate([[0.0], pos])})


def horizon_pd(pd_year, months):
    """A one-year PD over a window of ``months``, the default intensity held constant:
    ``1 − (1 − PD)^(months/12)``. Broadcasts; scalar in, scalar out.

    >>> round(horizon_pd(0.10, 6), 6), round(horizon_pd(0.10, 12), 12)
    (0.051317, 0.1)
    """
    p = np.asarray(pd_year, dtype=float)
    m = np.asarray(months, dtype=float)
    out = 1.0 - np.power(1.0 - p, m / MONTHS_IN_YEAR)
    return out.item() if out.ndim == 0 else out


def binomial_calibration(observations, defaults, expected_rate, alpha=0.05) -> pd.DataFrame:
    """Binomial test of each band's predicted default rate against its observed defaults (BCBS WP14 §III).

    Per band: ``n`` observations, ``k`` defaults, ``expected_rate`` p (the band's mean PD over the window).
    ``p_more`` = P(X ≥ k) and ``p_fewer`` = P(X ≤ k) for X ~ Binomial(n, p) (scipy.stats.binomtest,
    one-sided); ``verdict`` is "PD too low" when ``p_more`` < ``alpha``, "PD too high" when ``p_fewer``
    < ``alpha``, else "consistent" ("no data" without observations). Observations are taken as
    independent: defaults that move together (one region, one downturn) make the test reject too often.

    >>> t = binomial_calibration([200, 50], [2, 9], [0.01, 0.08])
    >>> t[["observed_rate", "p_more", "verdict"]].round(4).values.tolist()
    [[0.01, 0.5954, 'consistent'], [0.18, 0.0167, 'PD too low']]
    """
    n = np.asarray(observations, dtype=np.int64).ravel()
    k = np.asarray(defaults, dtype=np.int64).ravel()
    p = np.asarray(expected_rate, dtype=float).ravel()
    if not (n.shape == k.shape == p.shape):
        raise ValueError("observations, defaults and expected_rate differ in length")
    if np.any(k < 0) or np.any(k > n) or np.any((p < 0) | (p > 1)):
        raise ValueError("need 0 ≤ defaults ≤ observations and expected rates between 0 and 1")
    more = np.full(n.size, np.nan)
    fewer = np.full(n.size, np.nan)
    for i in np.flatnonzero(n > 0):
        more[i] = stats.binomtest(int(k[i]), int(n[i]), float(p[i]), alternative="greater").pvalue
        fewer[i] = stats.binomtest(int(k[i]), int(n[i]), float(p[i]), alternative="less").pvalue
    verdict = np.select([n == 0, more < alpha, fewer < alpha], ["no data", "PD too low", "PD too high"], "consistent")
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    return pd.DataFrame({"observations": n, "defaults": k, "observed_rate": observed, "expected_rate": p,
                         "expected_defaults": n * p, "p_more": more, "p_fewer": fewer, "verdict": verdict})


def warning_lead_times(warned, defaulted) -> pd.DataFrame:
    """Per subject (rows of two panels over consecutive periods, oldest first): the first period warned,
    the first period in default, and the lead time between them.

    ``warned`` and ``defaulted`` are boolean (subjects × periods). ``default_at`` is the first period in
    default (−1: never); ``first_warning`` the first warned period up to and including it (−1: none);
    ``lead`` = ``default_at − first_warning`` in periods (NaN without both): ≥ 1 means the warning came
    before the default. A subject already in default in the first period is ``observable`` False: its
    warning cannot be judged.

    >>> w = [[0, 1, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]]
    >>> d = [[0, 0, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]]
    >>> warning_lead_times(w, d).values.tolist()
    [[1, 3, 2.0, True], [2, 2, 0.0, True], [-1, -1, nan, True], [0, 0, 0.0, False]]
    """
    w = np.asarray(warned, dtype=bool)
    d = np.asarray(defaulted, dtype=bool)
    if w.shape != d.shape or w.ndim != 2:
        raise ValueError("warned and defaulted must be panels of the same shape: subjects × periods")
    periods = np.arange(w.shape[1])
    default_at = np.where(d.any(axis=1), d.argmax(axis=1), -1)
    horizon = np.where(default_at >= 0, default_at, w.shape[1] - 1)
    counted = w & (periods[None, :] <= horizon[:, None])
    first = np.where(counted.any(axis=1), counted.argmax(axis=1), -1)
    lead = np.where((first >= 0) & (default_at >= 0), default_at - first, np.nan)
    return pd.DataFrame({"first_warning": first, "default_at": default_at, "lead": lead,
                         "observable": default_at != 0})

"""Score ↔ PD (SPEC §3.6), the traffic light and letters (SPEC §3.4, §3.7), the 1–10 grade, and the band
vocabulary: the words a user may give for a band.

Thresholds and calibration come from the scorecard (:func:`~xl_cashrisk.scoring.config.default_scorecard`
unless given), so a team that recalibrates changes one file. A score of NaN means "not rated": the
band, letter and grade are then "NR".
"""

from __future__ import annotations

import bisect
import functools

import numpy as np
import pandas as pd

from xl_cashrisk._array import floats, scalar_or_array
from xl_cashrisk.scoring.config import Scorecard, default_scorecard

__all__ = [
    "BANDS",
    "BAND_LABELS",
    "BAND_MEANINGS",
    "BAND_SCHEMES",
    "BAND_WORDS",
    "NOT_RATED",
    "band_key",
    "band_keys",
    "band_of",
    "credit_band",
    "credit_grade",
    "credit_letter",
    "credit_pd",
    "score_from_pd",
]

NOT_RATED = "NR"
BANDS = ("GREEN", "YELLOW", "RED")
# band → label per language; "meaning" is the three-level warning of SPEC §3.7
BAND_LABELS = {
    "en": {"GREEN": "GREEN", "YELLOW": "YELLOW", "RED": "RED", NOT_RATED: NOT_RATED},
    "zh": {"GREEN": "绿", "YELLOW": "黄", "RED": "红", NOT_RATED: "未评级"},
}
BAND_MEANINGS = {
    "en": {"GREEN": "risk under control", "YELLOW": "trade with caution", "RED": "suspend credit sales",
           NOT_RATED: "not rated"},
    "zh": {"GREEN": "风险可控", "YELLOW": "谨慎交易", "RED": "暂停赊销", NOT_RATED: "未评级"},
}
BAND_SCHEMES = ("light", "letter", "meaning")
# word → band key: the labels of every language (GREEN, 绿, NR, 未评级 …) and the initials G/Y/R, in upper
# case. Band names are domain vocabulary, kept beside the labels they read back, so a band written by
# CREDITBAND in either language is read by CREDITLIMIT and by the register's band column alike.
BAND_WORDS = {label.upper(): key for labels in BAND_LABELS.values() for key, label in labels.items()} | {
    "G": "GREEN", "Y": "YELLOW", "R": "RED"}


def band_key(word) -> str | None:
    """The band key (GREEN, YELLOW, RED or NR) a word stands for, matched trimmed and in any case; None
    for anything that is not a band word (another text, a number, a blank).

    >>> band_key(" green "), band_key("黄"), band_key("r"), band_key("未评级"), band_key("amber"), band_key(45.0)
    ('GREEN', 'YELLOW', 'RED', 'NR', None, None)
    """
    return BAND_WORDS.get(word.strip().upper()) if isinstance(word, str) else None


def band_keys(band, scorecard: Scorecard | None = None) -> np.ndarray:
    """The band key of each cell of ``band``: a band word (:func:`band_key`) or a score (its band, NaN →
    "NR"); None for anything else. An object array of ``band``'s shape; each distinct cell is read once
    (a column of 100k buyers holds a handful of bands).

    >>> band_keys(["green", "黄", "R", 45.0, float("nan"), "amber"]).tolist()
    ['GREEN', 'YELLOW', 'RED', 'YELLOW', 'NR', None]
    """
    arr = np.asarray(band, dtype=object)
    codes, distinct = pd.factorize(arr.ravel(), use_na_sentinel=False)
    keys = np.array([band_key(v) for v in distinct] + [None], dtype=object)[:-1]
    is_num = np.array([isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in distinct], dtype=bool)
    if is_num.any():
        keys[is_num] = np.asarray(band_of(np.asarray(distinct, dtype=object)[is_num].astype(float), scorecard), dtype=object)
    return keys[codes].reshape(arr.shape)


def _calibration(card, anchor_score, anchor_odds, pdo):
    card = card or default_scorecard()
    return (card.anchor_score if anchor_score is None else float(anchor_score),
            card.anchor_odds if anchor_odds is None else float(anchor_odds),
            card.pdo if pdo is None else float(pdo))


def credit_pd(score, anchor_score=None, anchor_odds=None, pdo=None, scorecard: Scorecard | None = None):
    """One-year PD of a toolkit score: ``PD(s) = 1 / (1 + odds₀·2^((s − S₀)/PDO))`` (SPEC §3.6, D).

    Default calibration S₀ = 50 at odds 20:1, PDO = 10 (from the scorecard; give your own anchors to
    recalibrate). PD falls as the score rises.

    >>> [round(credit_pd(s) * 100, 4) for s in (100, 71, 51, 50, 30, 0)]
    [0.156, 1.1528, 4.4572, 4.7619, 16.6667, 61.5385]
    """
    s0, odds, pdo = _calibration(scorecard, anchor_score, anchor_odds, pdo)
    return scalar_or_array(1.0 / (1.0 + odds * np.exp2((floats(score) - s0) / pdo)))


def score_from_pd(pd, anchor_score=None, anchor_odds=None, pdo=None, scorecard: Scorecard | None = None):
    """Score of a PD, the inverse of :func:`credit_pd`: ``s = S₀ + PDO·log2(((1 − PD)/PD)/odds₀)``
    (SPEC §3.6). Not clamped (PD < 0.156 % gives more than 100); NaN unless 0 < PD < 1.

    >>> [round(score_from_pd(p), 4) for p in (0.01, 0.02, 0.05, 0.10, 0.20)]
    [73.0743, 62.9278, 49.26, 38.48, 26.7807]
    """
    s0, odds, pdo = _calibration(scorecard, anchor_score, anchor_odds, pdo)
    p = floats(pd)
    if p.__class__ is float:  # one PD
        return s0 + pdo * float(np.log2(((1.0 - p) / p) / odds)) if 0 < p < 1 else np.nan
    ok = (p > 0) & (p < 1)
    safe = np.where(ok, p, 0.5)
    return scalar_or_array(np.where(ok, s0 + pdo * np.log2(((1.0 - safe) / safe) / odds), np.nan))


def credit_band(score, language: str = "en", scheme: str = "light", green_min=None, yellow_min=None,
                scorecard: Scorecard | None = None):
    """Traffic light of a score (SPEC §3.7, D): GREEN if score ≥ 51, YELLOW if ≥ 30, else RED.

    ``scheme="light"`` gives GREEN/YELLOW/RED (绿/黄/红 with ``language="zh"``); ``"meaning"`` gives
    the warning (risk under control / trade with caution / suspend credit sales; 风险可控 / 谨慎交易 /
    暂停赊销); ``"letter"`` gives A–E (:func:`credit_letter`). NaN → "NR" (not rated).

    >>> credit_band(51), credit_band(50.99), credit_band(30), credit_band(29.9)
    ('GREEN', 'YELLOW', 'YELLOW', 'RED')
    >>> credit_band([80, 40, 10], language="zh").tolist(), credit_band(10, "zh", "meaning")
    (['绿', '黄', '红'], '暂停赊销')
    """
    if scheme == "letter":
        return credit_letter(score, scorecard)
    if scheme not in BAND_SCHEMES:
        raise ValueError(f"unknown band scheme {scheme!r}: use light, letter or meaning")
    card = scorecard or default_scorecard()
    green = card.green_min if green_min is None else float(green_min)
    yellow = card.yellow_min if yellow_min is None else float(yellow_min)
    names = _band_names(scheme, "zh" if language == "zh" else "en")
    s = floats(score)
    if s.__class__ is float:  # one score
        return names[3 if s != s else 0 if s >= green else 1 if s >= yellow else 2]
    idx = np.where(np.isnan(s), 3, np.where(s >= green, 0, np.where(s >= yellow, 1, 2)))
    return scalar_or_array(names[idx])


@functools.lru_cache(maxsize=8)
def _band_names(scheme: str, language: str) -> np.ndarray:
    """The words of GREEN, YELLOW, RED and NR in a scheme and language, in that order."""
    labels = (BAND_MEANINGS if scheme == "meaning" else BAND_LABELS)[language]
    names = np.array([labels[k] for k in (*BANDS, NOT_RATED)], dtype=object)
    names.setflags(write=False)
    return names


def band_of(score, scorecard: Scorecard | None = None):
    """Band key (GREEN/YELLOW/RED/NR) of a score, language-independent; same rule as :func:`credit_band`."""
    return credit_band(score, "en", "light", scorecard=scorecard)


def credit_letter(score, scorecard: Scorecard | None = None):
    """Letter A–E of a score (SPEC §3.4, D): A ≥ 71, B ≥ 51, C ≥ 30, D ≥ 21, E below; NaN → "NR".

    >>> credit_letter([100, 71, 70.5, 51, 30, 21, 20.9]).tolist()
    ['A', 'A', 'B', 'B', 'C', 'D', 'E']
    """
    card = scorecard or default_scorecard()
    bounds = np.array([b for _, b in card.letters][::-1])  # ascending
    names = np.array([n for n, _ in card.letters][::-1], dtype=object)
    s = floats(score)
    if s.__class__ is float:  # one score
        return NOT_RATED if s != s else names[max(bisect.bisect_right(bounds.tolist(), s) - 1, 0)]
    idx = np.searchsorted(bounds, np.nan_to_num(s, nan=-np.inf), side="right") - 1
    out = np.where(idx >= 0, names[np.maximum(idx, 0)], names[0]).astype(object)
    out[np.isnan(s)] = NOT_RATED
    return scalar_or_array(out)


def credit_grade(score, scorecard: Scorecard | None = None):
    """Grade 1–10 (1 best, 10 worst) for users used to insurer grades (D; no insurer's PD is implied).

    Lower bounds of grades 1–9: 90, 80, 70, 60, 51, 40, 30, 21, 10; below 10 → 10. Grades 1–5 are
    GREEN, 6–7 YELLOW and 8–10 RED, in line with SPEC §3.7. NaN → "NR".

    >>> credit_grade([95, 51, 50.9, 30, 29.9, 0]).tolist()
    [1, 5, 6, 7, 8, 10]
    """
    card = scorecard or default_scorecard()
    s = floats(score)
    if s.__class__ is float:  # one score
        return NOT_RATED if s != s else 10 - bisect.bisect_right(card.grade_bounds[::-1], s)
    bounds = np.array(card.grade_bounds[::-1])  # ascending
    grade = 10 - np.searchsorted(bounds, np.nan_to_num(s, nan=-np.inf), side="right")
    out = np.array(grade.tolist(), dtype=object)  # Python ints, so "NR" can sit beside them
    out[np.isnan(s)] = NOT_RATED
    return scalar_or_array(out)

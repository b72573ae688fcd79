"""The composite buyer score 0–100 (CREDITSCORE), its explanation and the whole-register path.

Method (docs/scorecard.md; a toolkit design choice, SPEC (D)):

1. each factor turns its input into points 0–100: numeric factors by bins ``[lower, upper)`` (a value
   equal to an edge falls in the bin above), code factors (country, sector, region) by a lookup table
   with a default for codes not listed (or, ``unlisted = "missing"``, leaving them out); a factor that
   ``replaces`` another (region → country) stands in for it where present: a buyer whose province is in
   the region table is scored on the region, not on the home country;
2. ``score = Σ wᵢ·pointsᵢ / Σ wᵢ`` over the factors present (missing ones are re-weighted away) and
   ``confidence = Σ wᵢ(present) / Σ wᵢ(all)``; below the scorecard's ``min_confidence`` the buyer is
   not rated (NaN);
3. caps: a knock-out condition (e.g. an item more than 60 days overdue) limits the score;
4. the score is clamped to [0, 100].

Inputs are keyed by factor: ``altman_z2``, ``current_ratio``, ``debt_ratio`` (TL/TA), ``paydex``
(or ``dbt_days``, turned into PAYDEX points when no PAYDEX is given), ``max_days_overdue``,
``overdue_share`` (0–1), ``years_in_business``, ``employees``, ``negative_events``, ``country``
(ISO-2), ``sector`` and ``region`` (a Chinese province or region, English or Chinese name).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xl_cashrisk._array import maximum, minimum, safe_divide, scalar_or_array
from xl_cashrisk.scoring.bands import band_of, credit_band, credit_grade, credit_pd
from xl_cashrisk.scoring.config import GROUPS, Factor, Scorecard, default_scorecard
from xl_cashrisk.scoring.models import altman_z
from xl_cashrisk.scoring.paydex import paydex_points

__all__ = ["ScoreResult", "credit_score", "explain", "factor_points", "inputs_from_register", "points_matrix",
           "score_register"]

DBT_INPUT = "dbt_days"  # alternative input for the paydex factor
REGION_COLUMN = "province"  # the register column of the region factor (its "region" column is a free grouping)
_FEW_EDGES = 16  # up to this many bin edges, factor_points counts edges instead of a binary search
_ONE_VALUE = frozenset({float, int, str, type(None)})  # the Python values one buyer's inputs arrive as
_ABSENT = object()


@dataclass(frozen=True)
class ScoreResult:
    """Scores with their confidence, the cap that bit ('' if none) and the scorecard version.

    Scalars for one buyer, arrays for many; ``score`` is NaN where the buyer is not rated."""

    score: Any
    confidence: Any
    raw_score: Any  # before caps and clamping
    capped_by: Any
    version: str


def _objects(value: Any, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=object).ravel()
    return np.repeat(arr, n) if arr.size == 1 and n > 1 else arr


def _numbers(value: Any, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float).ravel()
    return np.repeat(arr, n) if arr.size == 1 and n > 1 else arr


def factor_points(factor: Factor, value: Any) -> tuple[np.ndarray, np.ndarray]:
    """(points, present) arrays of one factor for an array of inputs.

    >>> sc = default_scorecard()
    >>> factor_points(sc.factor("paydex"), [79.9, 80, np.nan])[0].tolist()
    [70.0, 90.0, 0.0]
    >>> factor_points(sc.factor("country"), ["cn", "xx", None])
    (array([75., 40.,  0.]), array([ True,  True, False]))
    >>> factor_points(sc.factor("paydex"), 80), factor_points(sc.factor("country"), " cn ")
    ((90.0, True), (75.0, True))
    >>> factor_points(sc.factor("region"), ["广东", "Henan", "EU"])
    (array([85., 75.,  0.]), array([ True,  True, False]))
    """
    if value.__class__ in _ONE_VALUE:  # one buyer: the same bins and table, Python values out
        return _points_one(factor, value)
    if factor.kind == "table":
        idx, uniques = pd.factorize(np.asarray(value, dtype=object).ravel(), use_na_sentinel=True)
        codes = [factor.code(u) for u in uniques]
        listed = [c in factor.table or (c != "" and factor.unlisted == "default") for c in codes]
        lookup = np.array([factor.table.get(c, factor.default) if ok else 0.0
                           for c, ok in zip(codes, listed, strict=True)] + [0.0])
        known = np.array([*listed, False])
        return lookup[idx], known[idx]
    x = np.asarray(value, dtype=float).ravel()
    present = ~np.isnan(x)
    edges = np.asarray(factor.edges, dtype=float)
    if edges.size <= _FEW_EDGES and bool(np.all(np.diff(edges) > 0)):
        # a handful of increasing edges: the bin is the count of edges ≤ x (= searchsorted side="right"),
        # a few vector comparisons instead of a binary search per value (5× faster on 100k rows);
        # NaN compares False everywhere and its points are zeroed below, as before
        idx = np.zeros(x.shape, dtype=np.intp)
        for edge in edges:
            idx += x >= edge
    else:
        idx = np.searchsorted(edges, np.where(present, x, -np.inf), side="right")
    return np.where(present, np.asarray(factor.points)[idx], 0.0), present


def _points_one(factor: Factor, value: Any) -> tuple[float, bool]:
    """:func:`factor_points` of one value (a missing one gives no points and is not present)."""
    if value is None or (value.__class__ is float and value != value):
        return 0.0, False
    if factor.kind == "table":
        code = factor.code(value)
        listed = code in factor.table or (code != "" and factor.unlisted == "default")
        return (factor.table.get(code, factor.default) if listed else 0.0), listed
    x = float(value)
    return float(factor.points[bisect.bisect_right(factor.edges, x)]), True


def _inputs(inputs: Mapping[str, Any], card: Scorecard) -> tuple[dict[str, Any], int]:
    data = dict(inputs)
    if DBT_INPUT in data:
        dbt_pts = np.asarray(paydex_points(np.asarray(data.pop(DBT_INPUT), dtype=float)), dtype=float)
        if "paydex" in data:
            given = np.asarray(data["paydex"], dtype=float)
            data["paydex"] = np.where(np.isnan(given), dbt_pts, given)
        else:
            data["paydex"] = dbt_pts
    unknown = set(data) - {f.key for f in card.factors}
    if unknown:
        raise KeyError(f"unknown scorecard inputs {sorted(unknown)}; known: {[f.key for f in card.factors]}")
    sizes = {np.size(v) for v in data.values()} - {1}
    if len(sizes) > 1:
        raise ValueError(f"scorecard inputs have different lengths {sorted(sizes)}")
    return data, (sizes.pop() if sizes else 1)


def points_matrix(inputs: Mapping[str, Any], scorecard: Scorecard | None = None):
    """(points, present, values) of every factor of the scorecard for the inputs: (factors, buyers) arrays in
    the scorecard's order, and the input values by factor key. A factor that replaces another (region →
    country) leaves the other out wherever it is present itself.

    >>> points, present, _ = points_matrix({"country": ["CN", "CN", "DE"], "region": ["广东", "", "Bavaria"]})
    >>> keys = [f.key for f in default_scorecard().factors]
    >>> present[keys.index("country")].tolist(), points[keys.index("region")].tolist()
    ([False, True, True], [85.0, 0.0, 0.0])
    """
    card = scorecard or default_scorecard()
    data, n = _inputs(inputs, card)
    pts = np.zeros((len(card.factors), n))
    present = np.zeros((len(card.factors), n), dtype=bool)
    values = {}
    for i, f in enumerate(card.factors):
        if f.key not in data:
            continue
        value = _objects(data[f.key], n) if f.kind == "table" else _numbers(data[f.key], n)
        values[f.key] = value
        pts[i], present[i] = factor_points(f, value)
    keys = [f.key for f in card.factors]
    for i, f in enumerate(card.factors):
        if f.replaces:
            present[keys.index(f.replaces)] &= ~present[i]
    return pts, present, values


def _score(inputs: Mapping[str, Any], card: Scorecard):
    pts, present, raw_inputs = points_matrix(inputs, card)
    n = pts.shape[1]
    w = np.array([f.weight for f in card.factors])[:, None]
    avail = (w * present).sum(axis=0)
    raw = safe_divide((w * pts * present).sum(axis=0), avail, positive=True)
    confidence = avail / card.total_weight
    rated = (avail > 0) & (confidence >= card.min_confidence - 1e-12)
    score = np.where(rated, raw, np.nan)
    capped_by = np.full(n, -1)
    for j, cap in enumerate(card.caps):
        x = raw_inputs.get(cap.factor)
        if x is None:
            continue
        hit = (x >= cap.at_least) if cap.at_least is not None else (x < cap.below)
        bite = hit & (score > cap.max_score)
        score = np.where(bite, cap.max_score, score)
        capped_by = np.where(bite, j, capped_by)
    return np.clip(score, 0.0, 100.0), confidence, raw, capped_by, pts, present


def _score_one(inputs: Mapping[str, Any], card: Scorecard) -> ScoreResult:
    """:func:`_score` and :func:`credit_score` for one buyer given as Python values (a filled-down
    CREDITSCORE cell): the same steps without arrays, the factors summed in the order a column of buyers
    is summed. tests/test_scoring.py compares the two on random buyers."""
    data = dict(inputs)
    if DBT_INPUT in data:
        dbt = data.pop(DBT_INPUT)
        given = data.get("paydex")
        if given is None or given != given:
            data["paydex"] = paydex_points(math.nan if dbt is None else float(dbt))
    unknown = set(data) - {f.key for f in card.factors}
    if unknown:
        raise KeyError(f"unknown scorecard inputs {sorted(unknown)}; known: {[f.key for f in card.factors]}")
    got = {f.key: _points_one(f, data[f.key]) for f in card.factors if f.key in data}
    replaced = {f.replaces for f in card.factors if f.replaces and got.get(f.key, (0.0, False))[1]}
    total = avail = 0.0
    for f in card.factors:
        if f.key in got and f.key not in replaced:  # a factor present itself leaves the one it replaces out
            pts, present = got[f.key]
            total += f.weight * pts * present
            avail += f.weight * present
    raw = safe_divide(total, avail, positive=True)
    confidence = avail / card.total_weight
    score = raw if avail > 0 and confidence >= card.min_confidence - 1e-12 else math.nan
    capped_by = ""
    for cap in card.caps:
        x = data.get(cap.factor, _ABSENT)
        if x is _ABSENT:
            continue
        x = math.nan if x is None else float(x)
        if (x >= cap.at_least if cap.at_least is not None else x < cap.below) and score > cap.max_score:
            score, capped_by = cap.max_score, cap.reason_en
    return ScoreResult(minimum(maximum(score, 0.0), 100.0), confidence, raw, capped_by, card.version)


def credit_score(inputs: Mapping[str, Any], scorecard: Scorecard | None = None) -> ScoreResult:
    """Composite credit score 0–100 of one buyer (scalar inputs) or many (array inputs).

    See the module docstring for the method. Missing inputs (absent, NaN, blank codes) are allowed.

    >>> r = credit_score({"altman_z2": 2.096, "paydex": 72, "max_days_overdue": 12, "country": "CN",
    ...                   "sector": "machinery"})
    >>> round(r.score, 4), round(r.confidence, 2), r.capped_by, r.version
    (70.8182, 0.55, '', 'default-2026.2')
    >>> r = credit_score({"paydex": [85, 85], "max_days_overdue": [0, 75], "negative_events": [0, 0]})
    >>> r.score.round(4).tolist(), r.capped_by.tolist()
    ([95.5882, 29.0], ['', 'an item is more than 60 days overdue'])
    """
    card = scorecard or default_scorecard()
    if all(v.__class__ in _ONE_VALUE for v in inputs.values()):
        return _score_one(inputs, card)
    score, confidence, raw, capped_by, _, _ = _score(inputs, card)
    reasons = np.array([*(c.reason_en for c in card.caps), ""], dtype=object)[capped_by]
    scalar = all(np.ndim(v) == 0 for v in inputs.values())
    if scalar:
        return ScoreResult(float(score[0]), float(confidence[0]), float(raw[0]), reasons[0], card.version)
    return ScoreResult(score, confidence, raw, reasons, card.version)


def _bin_text(f: Factor, value: float) -> str:
    idx = int(np.searchsorted(np.asarray(f.edges), value, side="right"))
    lo = f"≥ {f.edges[idx - 1]:g}" if idx > 0 else ""
    hi = f"< {f.edges[idx]:g}" if idx < len(f.edges) else ""
    return " and ".join(p for p in (lo, hi) if p)


def explain(inputs: Mapping[str, Any], scorecard: Scorecard | None = None, language: str = "en") -> pd.DataFrame:
    """Per-factor contributions of one buyer's score, for an analyst (CREDITEXPLAIN).

    Columns: ``factor`` (key), ``group``, ``label``, ``input``, ``bin`` (the rule that gave the points),
    ``points`` (0–100), ``weight`` (scorecard), ``share`` (weight re-weighted over the factors present),
    ``contribution`` (= points × share; the contributions add up to the score before caps). Missing
    factors appear with blank points and zero share. Summary rows follow: cap, score, confidence,
    band, PD, scorecard version.

    >>> t = explain({"paydex": 85, "max_days_overdue": 75, "country": "DE"})
    >>> t.loc[t.factor.isin(["paydex", "country"]), ["points", "contribution"]].round(2).values.tolist()
    [[90.0, 38.57], [90.0, 20.57]]
    >>> t.set_index("factor").loc[["cap", "score", "band"], "input"].tolist()
    ['an item is more than 60 days overdue', 29.0, 'RED']
    >>> t = explain({"paydex": 85, "country": "CN", "region": "河南"})
    >>> t.set_index("factor").loc[["country", "region"], ["bin", "points"]].values.tolist()
    [['replaced by Regional risk (China)', nan], ['in table', 75.0]]
    >>> explain({"paydex": 85, "country": "DE", "region": "EU"}).set_index("factor").loc["region", ["input", "bin"]].tolist()
    ['EU', 'not in table: left out']
    """
    card = scorecard or default_scorecard()
    if any(np.ndim(v) for v in inputs.values()):
        raise ValueError("explain takes one buyer's inputs (scalars)")
    score, confidence, _raw, capped_by, pts, present = _score(inputs, card)
    data, _ = _inputs(inputs, card)
    avail = sum(f.weight for f, p in zip(card.factors, present[:, 0], strict=True) if p)
    zh = language == "zh"
    stand_in = {f.replaces: f for i, f in enumerate(card.factors) if f.replaces and present[i, 0]}
    rows = []
    for i, f in enumerate(card.factors):
        here = bool(present[i, 0])
        value = data.get(f.key, np.nan) if here else ""
        given = data.get(f.key)
        if f.key in stand_in:
            other = stand_in[f.key].label(language)
            rule = f"由“{other}”代替" if zh else f"replaced by {other}"
        elif not here and f.kind == "table" and isinstance(given, str) and f.code(given):  # unlisted = "missing"
            value = given
            rule = "不在表内, 不计入" if zh else "not in table: left out"
        elif f.kind == "table" and here:
            rule = ("表内" if zh else "in table") if f.code(value) in f.table else ("不在表内, 取默认值" if zh else "not in table: default")
        else:
            rule = _bin_text(f, float(value)) if here else ("缺失" if zh else "missing")
        share = f.weight / avail if here and avail else 0.0
        rows.append({"factor": f.key, "group": GROUPS[f.group][1 if zh else 0], "label": f.label(language),
                     "input": scalar_or_array(np.asarray(value)) if here and f.kind != "table" else value, "bin": rule,
                     "points": float(pts[i, 0]) if here else np.nan, "weight": f.weight, "share": share,
                     "contribution": float(pts[i, 0]) * share if here else 0.0})
    s = float(score[0])
    cap = card.caps[capped_by[0]].reason(language) if capped_by[0] >= 0 else ""
    summary = (("cap", "上限" if zh else "cap applied", cap), ("score", "评分" if zh else "score", s),
               ("confidence", "置信度" if zh else "confidence", float(confidence[0])),
               ("band", "信号灯" if zh else "band", credit_band(s, language, scorecard=card)),
               ("pd", "违约概率" if zh else "PD (1 year)", credit_pd(s, scorecard=card)),
               ("version", "评分卡版本" if zh else "scorecard version", card.version))
    for key, label, value in summary:
        rows.append({"factor": key, "group": "", "label": label, "input": value, "bin": "", "points": np.nan,
                     "weight": np.nan, "share": np.nan, "contribution": np.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Whole register

_DIRECT = ("paydex", "max_days_overdue", "overdue_share", "years_in_business", "employees", "negative_events",
           "country", "sector", "altman_z2", "current_ratio", "debt_ratio", DBT_INPUT)


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)


def inputs_from_register(register: pd.DataFrame, scorecard: Scorecard | None = None) -> dict[str, Any]:
    """Scorecard inputs from a buyer-register frame (the agreed data-model column keys).

    Derived when not given as columns: ``altman_z2`` = Z″ from current assets/liabilities, retained
    earnings, EBIT, book equity, total assets and liabilities; ``current_ratio`` = CA/CL;
    ``debt_ratio`` = TL/TA. Payment record columns, when present: ``paydex``, ``dbt_days`` (or ``dbt``),
    ``max_days_overdue`` (or ``max_dpd_open``), ``overdue_share`` (or overdue_amount/open_amount).
    ``region`` is the ``province`` column (the register's ``region`` column is a free grouping such as EU).
    Any other scorecard factor is read from the column of the same name.
    """
    df = register
    card = scorecard or default_scorecard()
    tables = {f.key for f in card.factors if f.kind == "table"}
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*_DIRECT, *(f.key for f in card.factors)]):
        if key in df.columns and key != "region":
            out[key] = df[key].to_numpy(dtype=object) if key in tables else _col(df, key)
    if REGION_COLUMN in df.columns and "region" in tables:
        out["region"] = df[REGION_COLUMN].to_numpy(dtype=object)
    ca, cl, ta, tl = (_col(df, c) for c in ("current_assets", "current_liabilities", "total_assets", "total_liabilities"))
    if "altman_z2" not in out:
        out["altman_z2"] = np.asarray(altman_z(ca - cl, _col(df, "retained_earnings"), _col(df, "ebit"),
                                               _col(df, "equity_book"), None, ta, tl, "Z2"), dtype=float)
    out.setdefault("current_ratio", safe_divide(ca, cl))
    out.setdefault("debt_ratio", safe_divide(tl, ta))
    if DBT_INPUT not in out and "dbt" in df.columns:
        out[DBT_INPUT] = _col(df, "dbt")
    if "max_days_overdue" not in out and "max_dpd_open" in df.columns:
        out["max_days_overdue"] = _col(df, "max_dpd_open")
    if "overdue_share" not in out and {"overdue_amount", "open_amount"} <= set(df.columns):
        out["overdue_share"] = safe_divide(_col(df, "overdue_amount"), _col(df, "open_amount"))
    if "negative_events" in out:  # a blank count in a register means none recorded
        out["negative_events"] = np.nan_to_num(out["negative_events"], nan=0.0)
    return out


def score_register(register: pd.DataFrame, scorecard: Scorecard | None = None, language: str = "en") -> pd.DataFrame:
    """Score every buyer of a register at once (vectorised; 100k buyers in well under a second).

    Returns a frame on the register's index with ``score`` (NaN = not rated), ``confidence``,
    ``band`` (GREEN/YELLOW/RED/NR), ``band_label`` (in ``language``), ``grade`` (1–10 or "NR"),
    ``pd``, ``weakest`` (the present factor with the fewest points), ``capped_by`` and
    ``scorecard_version``.

    >>> reg = pd.DataFrame({"buyer_id": ["B1", "B2"], "country": ["CN", "RU"], "sector": ["pharma", "retail"],
    ...     "total_assets": [1e6, 1e6], "total_liabilities": [4e5, 9.5e5], "current_assets": [6e5, 3e5],
    ...     "current_liabilities": [3e5, 4.5e5], "retained_earnings": [2.5e5, -1e5], "ebit": [1.2e5, -4e4],
    ...     "equity_book": [6e5, 5e4], "max_dpd_open": [0, 95], "years_in_business": [12, 3]})
    >>> score_register(reg)[["score", "band", "grade", "weakest"]].round(2).values.tolist()
    [[91.36, 'GREEN', 1, 'Country risk'], [11.06, 'RED', 9, "Altman Z'' (non-manufacturing)"]]
    """
    card = scorecard or default_scorecard()
    score, confidence, _, capped_by, pts, present = _score(inputs_from_register(register, card), card)
    labels = np.array([f.label(language) for f in card.factors], dtype=object)
    masked = np.where(present, pts, np.inf)
    weakest = np.where(present.any(axis=0), labels[masked.argmin(axis=0)], "")
    reasons = np.array([*(c.reason(language) for c in card.caps), ""], dtype=object)[capped_by]
    return pd.DataFrame({
        "score": score, "confidence": confidence, "band": band_of(score, card),
        "band_label": credit_band(score, language, scorecard=card), "grade": credit_grade(score, card),
        "pd": credit_pd(score, scorecard=card), "weakest": weakest, "capped_by": reasons,
        "scorecard_version": card.version,
    }, index=register.index)

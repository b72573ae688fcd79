"""The scorecard as data: load, override and validate it (docs/scorecard.md).

The default ships as ``xl_cashrisk/scorecard_default.toml``. A team changes it in a settings file (a
TOML file with the same keys, either at top level or under ``[scorecard]``) or in a settings-sheet
table of ``key | value`` rows with dotted keys (``factors.paydex.weight | 20``,
``bands.green_min | 55``, ``factors.country.table.VN | 50``, ``factors.paydex.edges | 30, 50, 70``).
Overrides are merged onto the default; a changed scorecard without its own ``version`` gets the
default's version plus "+custom", so every result says which scorecard produced it.
"""

from __future__ import annotations

import copy
import functools
import itertools
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from xl_cashrisk.errors import CashRiskError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "DIRECTIONS",
    "GROUPS",
    "TERMS_BANDS",
    "Cap",
    "Factor",
    "Scorecard",
    "ScorecardError",
    "TermsPolicy",
    "default_scorecard",
    "load_scorecard",
    "scorecard_from_table",
]

DEFAULT_FILE = "scorecard_default.toml"
DIRECTIONS = ("higher_better", "higher_worse")
UNLISTED = ("default", "missing")  # what a code that is not in a table factor's table gets
TERMS_BANDS = ("GREEN", "YELLOW", "RED", "NR")  # the rows of [terms.bands], best first (band keys)
MAX_TERMS_DAYS = 3650.0  # the register's payment_terms_days bound
GROUPS = {  # factor group → (English, Chinese) label
    "financial": ("Financial strength", "财务实力"),
    "payment": ("Payment behaviour", "付款表现"),
    "standing": ("Standing", "经营稳定性"),
    "country": ("Country risk", "国家风险"),
    "region": ("Regional risk", "地区风险"),
    "sector": ("Sector risk", "行业风险"),
    "events": ("Negative events", "负面事件"),
}


class ScorecardError(CashRiskError):
    """A scorecard file or table that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Factor:
    key: str
    group: str
    label_en: str
    label_zh: str
    weight: float
    kind: str = "bins"  # "bins" (numeric input) or "table" (a code looked up in ``table``)
    direction: str = "higher_better"
    edges: tuple[float, ...] = ()
    points: tuple[float, ...] = ()
    table: dict[str, float] = field(default_factory=dict)  # keys upper-cased
    default: float = 50.0
    aliases: dict[str, str] = field(default_factory=dict)  # other name (upper-cased) → table key
    unlisted: str = "default"  # a code not in the table: "default" points, or "missing" (left out)
    replaces: str = ""  # key of the factor this one stands in for where it is present

    def label(self, language: str = "en") -> str:
        return self.label_zh if language == "zh" else self.label_en

    def code(self, value: Any) -> str:
        """The table key a code stands for: trimmed, upper-cased, another name read as its key ('' blank).

        >>> default_scorecard().factor("region").code(" 广东省 ")
        'GUANGDONG'
        """
        text = str(value).strip().upper() if value is not None else ""
        return self.aliases.get(text, text)


@dataclass(frozen=True)
class Cap:
    factor: str
    max_score: float
    at_least: float | None = None
    below: float | None = None
    reason_en: str = ""
    reason_zh: str = ""

    def reason(self, language: str = "en") -> str:
        return self.reason_zh if language == "zh" else self.reason_en


@dataclass(frozen=True)
class Scorecard:
    version: str
    name: str
    factors: tuple[Factor, ...]
    caps: tuple[Cap, ...]
    min_confidence: float
    green_min: float
    yellow_min: float
    letters: tuple[tuple[str, float], ...]  # (letter, lower bound), best first
    grade_bounds: tuple[float, ...]  # lower bounds of grades 1..9
    anchor_score: float
    anchor_odds: float
    pdo: float
    limits: dict[str, float]
    terms: TermsPolicy
    data: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def total_weight(self) -> float:
        """The most weight a buyer can have present: of a factor and the one it replaces only the heavier
        counts (a buyer is scored on one of them)."""
        weight = {f.key: f.weight for f in self.factors}
        return sum(weight.values()) - sum(min(f.weight, weight[f.replaces]) for f in self.factors if f.replaces)

    def has_factor(self, key: str) -> bool:
        return any(f.key == key for f in self.factors)

    def factor(self, key: str) -> Factor:
        for f in self.factors:
            if f.key == key:
                return f
        raise KeyError(key)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scorecard:
        """A new scorecard with dotted-key (or nested) overrides merged onto this one."""
        data = copy.deepcopy(self.data)
        nested = _nest(overrides)
        _canonical_tables(nested, self)
        _merge(data, nested)
        if "version" not in nested and nested:
            data["version"] = f"{self.version}+custom"
        return _build(data)


@dataclass(frozen=True)
class TermsPolicy:
    """The terms policy (``[terms]``, CREDITTERMS): days by band key, a rounding step, and multipliers by the
    points a sector or region earns in its factor's table (bins ``[lower, upper)``, as factors)."""

    band_days: dict[str, float]  # TERMS_BANDS → days; 0 = no credit
    round_to: float
    sector_edges: tuple[float, ...]
    sector_multipliers: tuple[float, ...]
    region_edges: tuple[float, ...]
    region_multipliers: tuple[float, ...]


def _nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).strip().split(".")
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ScorecardError(f"scorecard key {key!r} conflicts with another key")
        node[parts[-1]] = _nest(value) if isinstance(value, Mapping) else value
    return out


def _canonical_tables(nested: dict[str, Any], card: Scorecard) -> None:
    """Table keys of the changes written as another name (``factors.region.table.河南``) turned into the
    table's own key (HENAN), so a change replaces the default's entry instead of adding a second one."""
    for key, change in (nested.get("factors") or {}).items():
        if not isinstance(change, dict) or not isinstance(change.get("table"), Mapping) or not card.has_factor(key):
            continue
        f = card.factor(key)
        change["table"] = {f.code(k): v for k, v in change["table"].items()}


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)


def _num(value: Any, key: str) -> float:
    if isinstance(value, bool):
        raise ScorecardError(f"scorecard {key} must be a number, got {value!r}")
    try:
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ScorecardError(f"scorecard {key} must be a number, got {value!r}") from None


def _nums(value: Any, key: str) -> tuple[float, ...]:
    if isinstance(value, str):  # "30, 50, 60" typed in a settings-sheet cell
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ScorecardError(f"scorecard {key} must be a list of numbers, got {value!r}")
    return tuple(_num(v, f"{key}[{i + 1}]") for i, v in enumerate(value))


def _points_ok(values: Iterable[float], key: str) -> None:
    for v in values:
        if not 0.0 <= v <= 100.0:
            raise ScorecardError(f"scorecard {key}: points must be between 0 and 100, got {v:g}")


def _factor(key: str, d: Mapping[str, Any]) -> Factor:
    where = f"factors.{key}"
    group = str(d.get("group", ""))
    if group not in GROUPS:
        raise ScorecardError(f"scorecard {where}.group must be one of {', '.join(GROUPS)}, got {group!r}")
    weight = _num(d.get("weight", 0), f"{where}.weight")
    if weight < 0:
        raise ScorecardError(f"scorecard {where}.weight must be ≥ 0, got {weight:g}")
    kind = str(d.get("kind", "bins"))
    replaces = str(d.get("replaces", "")).strip()
    common = dict(key=key, group=group, label_en=str(d.get("label_en", key)),
                  label_zh=str(d.get("label_zh", d.get("label_en", key))), weight=weight, kind=kind, replaces=replaces)
    if kind == "table":
        return _table_factor(where, d, common)
    if kind != "bins":
        raise ScorecardError(f"scorecard {where}.kind must be 'bins' or 'table', got {kind!r}")
    direction = str(d.get("direction", ""))
    if direction not in DIRECTIONS:
        raise ScorecardError(f"scorecard {where}.direction must be 'higher_better' or 'higher_worse', got {direction!r}")
    edges, points = _nums(d.get("edges", []), f"{where}.edges"), _nums(d.get("points", []), f"{where}.points")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise ScorecardError(f"scorecard {where}.edges must increase strictly, got {list(edges)}")
    if len(points) != len(edges) + 1:
        raise ScorecardError(f"scorecard {where}: {len(edges)} edges need {len(edges) + 1} points, got {len(points)}")
    _points_ok(points, where)
    step = 1 if direction == "higher_better" else -1
    if any(step * (b - a) < 0 for a, b in itertools.pairwise(points)):
        word = "rise" if step == 1 else "fall"
        raise ScorecardError(f"scorecard {where}.points must {word} with the edges ({direction}), got {list(points)}")
    return Factor(**common, direction=direction, edges=edges, points=points)


def _aliases(where: str, names: Any, table: Mapping[str, float]) -> dict[str, str]:
    """``names``: table key → its other names (a list, or one name); each name read back as that key."""
    if not isinstance(names, Mapping):
        raise ScorecardError(f"scorecard {where}.names must list, for table keys, their other names")
    out: dict[str, str] = {}
    for key, others in names.items():
        k = str(key).strip().upper()
        if k not in table:
            raise ScorecardError(f"scorecard {where}.names.{key}: {key!r} is not a key of {where}.table")
        for name in [others] if isinstance(others, str) else list(others):
            alias = str(name).strip().upper()
            if alias in table or out.get(alias, k) != k:
                raise ScorecardError(f"scorecard {where}.names.{key}: {name!r} already names another key")
            out[alias] = k
    return out


def _table_factor(where: str, d: Mapping[str, Any], common: dict[str, Any]) -> Factor:
    table = d.get("table", {})
    if not isinstance(table, Mapping) or not table:
        raise ScorecardError(f"scorecard {where}.table must list codes and their points")
    tab = {str(k).strip().upper(): _num(v, f"{where}.table.{k}") for k, v in table.items()}
    aliases = _aliases(where, d.get("names", {}), tab)
    default = _num(d.get("default", 50.0), f"{where}.default")
    unlisted = str(d.get("unlisted", "default"))
    if unlisted not in UNLISTED:
        raise ScorecardError(f"scorecard {where}.unlisted must be 'default' or 'missing', got {unlisted!r}")
    _points_ok([*tab.values(), default], where)
    return Factor(**common, table=tab, default=default, aliases=aliases, unlisted=unlisted)


def _replacements(factors: Mapping[str, Factor]) -> None:
    """A factor replaces at most one other, which replaces none and is replaced by no other."""
    targets = [f.replaces for f in factors.values() if f.replaces]
    for f in factors.values():
        if not f.replaces:
            continue
        target = factors.get(f.replaces)
        if target is None or target.key == f.key or target.replaces or targets.count(f.replaces) > 1:
            raise ScorecardError(f"scorecard factors.{f.key}.replaces must name one other factor that replaces "
                                 f"none and no other factor replaces, got {f.replaces!r}")


def _steps(where: str, d: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Edges (points 0–100, increasing) and multipliers (≥ 0, one more, never falling as the points rise)."""
    edges, mult = _nums(d.get("edges", []), f"{where}.edges"), _nums(d.get("multipliers", [1.0]), f"{where}.multipliers")
    if any(b <= a for a, b in itertools.pairwise(edges)) or any(not 0 <= e <= 100 for e in edges):
        raise ScorecardError(f"scorecard {where}.edges must be points 0–100 that increase strictly, got {list(edges)}")
    if len(mult) != len(edges) + 1:
        raise ScorecardError(f"scorecard {where}: {len(edges)} edges need {len(edges) + 1} multipliers, got {len(mult)}")
    if any(m < 0 for m in mult) or any(b < a for a, b in itertools.pairwise(mult)):
        raise ScorecardError(f"scorecard {where}.multipliers must be ≥ 0 and never fall as the points rise (a "
                             f"riskier {where.split('.')[-1]} may not get longer terms), got {list(mult)}")
    return edges, mult


def _terms(d: Any) -> TermsPolicy:
    """The ``[terms]`` table, refused (not warned) when a worse band, sector or region could get longer terms."""
    if not isinstance(d, Mapping):
        raise ScorecardError("scorecard terms must be a table")
    bands = {str(k).strip().upper(): v for k, v in (d.get("bands") or {}).items()}
    unknown = sorted(set(bands) - set(TERMS_BANDS))
    if unknown or set(bands) != set(TERMS_BANDS):
        raise ScorecardError(f"scorecard terms.bands must give days for {', '.join(TERMS_BANDS)}"
                             + (f"; unknown {', '.join(unknown)}" if unknown else ""))
    days = {k: _num(bands[k], f"terms.bands.{k}") for k in TERMS_BANDS}
    if any(not 0 <= v <= MAX_TERMS_DAYS for v in days.values()):
        raise ScorecardError(f"scorecard terms.bands: days must be between 0 and {MAX_TERMS_DAYS:g}")
    if not days["GREEN"] >= days["YELLOW"] >= days["RED"] or days["NR"] > days["YELLOW"]:
        shown = ", ".join(f"{k} {v:g}" for k, v in days.items())
        raise ScorecardError(f"scorecard terms.bands: a worse band may not get longer terms (GREEN ≥ YELLOW ≥ RED, "
                             f"and NR at most YELLOW), got {shown}")
    step = _num(d.get("round_to", 1), "terms.round_to")
    if not step > 0:
        raise ScorecardError(f"scorecard terms.round_to must be a number of days above 0, got {step:g}")
    sector = _steps("terms.sector", d.get("sector") or {})
    region = _steps("terms.region", d.get("region") or {})
    return TermsPolicy(days, step, *sector, *region)


def _cap(i: int, d: Mapping[str, Any], factors: dict[str, Factor]) -> Cap:
    where = f"caps[{i + 1}]"
    key = str(d.get("factor", ""))
    f = factors.get(key)
    if f is None or f.kind != "bins":
        raise ScorecardError(f"scorecard {where}.factor must name a numeric factor, got {key!r}")
    at_least = _num(d["at_least"], f"{where}.at_least") if "at_least" in d else None
    below = _num(d["below"], f"{where}.below") if "below" in d else None
    if (at_least is None) == (below is None):
        raise ScorecardError(f"scorecard {where} needs exactly one of at_least / below")
    # a cap must only ever bite on worse values, or a worse record could raise the score
    if (at_least is not None and f.direction != "higher_worse") or (below is not None and f.direction != "higher_better"):
        raise ScorecardError(f"scorecard {where}: use at_least for higher_worse and below for higher_better factors")
    max_score = _num(d.get("max_score"), f"{where}.max_score")
    _points_ok([max_score], where)
    return Cap(key, max_score, at_least, below, str(d.get("reason_en", "")),
               str(d.get("reason_zh", d.get("reason_en", ""))))


def _build(data: dict[str, Any]) -> Scorecard:
    facs = data.get("factors", {})
    if not isinstance(facs, Mapping) or not facs:
        raise ScorecardError("scorecard has no factors")
    factors = {k: _factor(k, v) for k, v in facs.items()}
    _replacements(factors)
    if sum(f.weight for f in factors.values()) <= 0:
        raise ScorecardError("scorecard: at least one factor needs a positive weight")
    caps = tuple(_cap(i, c, factors) for i, c in enumerate(data.get("caps", [])))
    bands = data.get("bands", {})
    green, yellow = _num(bands.get("green_min"), "bands.green_min"), _num(bands.get("yellow_min"), "bands.yellow_min")
    if not 0 < yellow < green <= 100:
        raise ScorecardError(f"scorecard bands need 0 < yellow_min < green_min ≤ 100, got {yellow:g} and {green:g}")
    letters = tuple((str(k), _num(v, f"letters.{k}")) for k, v in data.get("letters", {}).items())
    if not letters or any(b[1] >= a[1] for a, b in itertools.pairwise(letters)):
        raise ScorecardError("scorecard letters must be listed best first with falling lower bounds")
    grades = _nums(data.get("grades", {}).get("bounds", []), "grades.bounds")
    if len(grades) != 9 or any(b >= a for a, b in itertools.pairwise(grades)):
        raise ScorecardError("scorecard grades.bounds must be 9 falling lower bounds (grades 1–9; below → 10)")
    if grades[4] != green or grades[6] != yellow:
        raise ScorecardError("scorecard grades.bounds: grade 5 must start at bands.green_min and grade 7 at "
                             "bands.yellow_min, so a grade never contradicts the traffic light")
    cal = data.get("calibration", {})
    anchor, odds, pdo = (_num(cal.get(k), f"calibration.{k}") for k in ("anchor_score", "anchor_odds", "pdo"))
    if odds <= 0 or pdo <= 0:
        raise ScorecardError("scorecard calibration.anchor_odds and calibration.pdo must be positive")
    limits = {k: _num(v, f"limits.{k}") for k, v in data.get("limits", {}).items()}
    for k in ("tnw_share", "wc_share", "green", "yellow", "red", "days_in_year"):
        if k not in limits or limits[k] < 0:
            raise ScorecardError(f"scorecard limits.{k} must be a number ≥ 0")
    if not limits["red"] <= limits["yellow"] <= limits["green"]:
        raise ScorecardError("scorecard limits need red ≤ yellow ≤ green")
    if limits["days_in_year"] <= 0:  # a need-based limit divides the yearly sales by it
        raise ScorecardError("scorecard limits.days_in_year must be above 0")
    min_conf = _num(data.get("min_confidence", 0.0), "min_confidence")
    if not 0 <= min_conf <= 1:
        raise ScorecardError(f"scorecard min_confidence must be between 0 and 1, got {min_conf:g}")
    version = str(data.get("version", "")).strip()
    if not version:
        raise ScorecardError("scorecard needs a version string")
    return Scorecard(version, str(data.get("name", version)), tuple(factors.values()), caps, min_conf, green, yellow,
                     letters, grades, anchor, odds, pdo, limits, _terms(data.get("terms", {})), data)


@functools.cache
def default_scorecard() -> Scorecard:
    """The scorecard shipped with the toolkit.

    >>> sc = default_scorecard()
    >>> sc.version, sc.total_weight, sc.green_min, sc.yellow_min
    ('default-2026.2', 100.0, 51.0, 30.0)
    """
    text = resources.files("xl_cashrisk").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return _build(tomllib.loads(text))


def load_scorecard(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Scorecard:
    """The default scorecard, changed by a TOML settings file and/or dotted-key overrides.

    The file may hold the scorecard keys at top level or under ``[scorecard]``.

    >>> load_scorecard(overrides={"bands.green_min": 55, "grades.bounds": "90,80,70,60,55,40,30,21,10"}).version
    'default-2026.2+custom'
    """
    card = default_scorecard()
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScorecardError(f"scorecard file {p} not found") from None
        except tomllib.TOMLDecodeError as e:
            raise ScorecardError(f"scorecard file {p}: {e}") from None
        card = card.with_overrides(data.get("scorecard", data))
    if overrides:
        card = card.with_overrides(overrides)
    return card


def scorecard_from_table(rows: Iterable[Iterable[Any]], base: Scorecard | None = None) -> Scorecard:
    """A scorecard from a settings-sheet table: rows of ``key, value`` (a header row "key" is skipped,
    blank rows are ignored).

    >>> scorecard_from_table([["key", "value"], ["factors.paydex.weight", 20], ["version", "acme-1"]]).version
    'acme-1'
    """
    overrides: dict[str, Any] = {}
    for i, row in enumerate(rows):
        cells = [*list(row), None, None]
        key, value = cells[0], cells[1]
        if key is None or (isinstance(key, float) and key != key) or str(key).strip() == "":
            continue
        key = str(key).strip()
        if i == 0 and key.lower() in ("key", "setting", "设置项"):
            continue
        if value is None or (isinstance(value, float) and value != value):
            raise ScorecardError(f"scorecard table row {i + 1}: {key} has no value")
        overrides[key] = value
    return (base or default_scorecard()).with_overrides(overrides)

"""The Settings sheet: a key/value table of run settings and an FX table, and their one parser.

Every setting is a :class:`Setting` row (key, zh/en label, type, default, help). The core rows live in
:data:`SETTING_ROWS` here; a domain adds its own keys by defining ``SETTING_ROWS`` (rows made with
:func:`option_row`, one per field of the domain's option group in :mod:`xl_cashrisk.settings`) in its
own module under ``xl_cashrisk.schemas``. :func:`known_settings` collects them all, so a Settings sheet
or TOML file may carry any of them, and a template shows a domain's rows with
``SETTINGS.extend(DOMAIN_ROWS)``. :func:`settings_from_frames` parses them once into the typed
:class:`~xl_cashrisk.settings.Settings`: core values in its fields, a domain's values in its option
group (``settings.scoring``, ``settings.stress`` …; the insurance rows in ``settings.insurance``, the
policy).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools
import math
import pkgutil
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.settings import (
    BASES,
    DAYS_IN_YEAR,
    DEFAULT_BUCKET_EDGES,
    DEFAULT_RESERVE_RATES,
    OPTION_GROUPS,
    Settings,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = [
    "FX",
    "FX_EXAMPLE_ROWS",
    "SETTINGS",
    "SETTING_ROWS",
    "KeyValueTable",
    "Setting",
    "known_settings",
    "load_settings_file",
    "option_row",
    "settings_from_frames",
]

CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_LIST_SPLIT = re.compile(r"[,，;；\s]+")


@dataclass(frozen=True)
class Setting:
    """One row of the Settings sheet.

    ``dtype`` is one of text, choice, date, date_list, integer, number, percent, bool, int_list, number_list,
    percent_list;
    values are read by the rules of :mod:`xl_cashrisk.schemas.values` (a date within
    :data:`~xl_cashrisk.schemas.values.PLAUSIBLE_YEARS` of today).
    ``domain`` is "" for a field of :class:`~xl_cashrisk.settings.Settings`, else the option group the key
    belongs to (a field of ``Settings.<domain>``).
    """

    key: str
    zh: str
    en: str
    dtype: str
    default: object = None
    help_zh: str = ""
    help_en: str = ""
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    domain: str = ""

    @property
    def label(self) -> str:
        return f"{self.en} {self.zh}"

    def cell_default(self) -> object:
        """The default as it is shown in the sheet (lists as comma-separated text)."""
        if isinstance(self.default, (tuple, list)):
            return ",".join(_plain(v) for v in self.default)
        return self.default

    def parse(self, value: object, *, date1904: bool = False) -> object:
        """Cell or TOML value to the setting's Python value; blank gives the default.

        Raises ValueError whose text says what was expected and what was found (``date1904``: a date
        typed as a plain number counts in the workbook's 1904 date system).

        >>> Setting("bucket_edges", "账龄分段", "Bucket edges", "int_list").parse("30, 60，90")
        (30, 60, 90)
        >>> Setting("rate", "比例", "Rate", "percent").parse("5%")
        0.05
        """
        if _blank(value):
            return self.default
        kind = self.dtype
        if kind == "date":
            out: object = _date(value, date1904)
        elif kind == "date_list":
            items = value if isinstance(value, (list, tuple)) else _LIST_SPLIT.split(_plain(value).strip())
            out = tuple(_date(v, date1904) for v in items if not _blank(v))
        elif kind in ("text", "choice"):
            out = _plain(value).strip()
            if self.allowed:
                canon = {a.lower(): a for a in self.allowed}
                if out.lower() not in canon:
                    raise ValueError(f"expected one of {', '.join(self.allowed)}, got {out!r}")
                out = canon[out.lower()]
        elif kind == "integer":
            out = _integer(value)
        elif kind in ("number", "percent"):
            out = _number(value, kind)
        elif kind == "bool":
            out = _bool(value)
        elif kind in ("int_list", "number_list", "percent_list"):
            items = value if isinstance(value, (list, tuple)) else _LIST_SPLIT.split(_plain(value).strip())
            conv = {"int_list": _integer, "number_list": _number, "percent_list": lambda x: _number(x, "percent")}[kind]
            out = tuple(conv(v) for v in items if not _blank(v))
            if not out:
                raise ValueError("expected a list of numbers such as 30,60,90,120")
        else:
            raise ValueError(f"setting {self.key}: unknown type {kind!r}")
        for v in out if isinstance(out, tuple) else (out,):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if self.minimum is not None and v < self.minimum:
                    raise ValueError(f"expected at least {_plain(self.minimum)}, got {_plain(v)}")
                if self.maximum is not None and v > self.maximum:
                    raise ValueError(f"expected at most {_plain(self.maximum)}, got {_plain(v)}")
        return out


def option_row(group: type, key: str, zh: str, en: str, dtype: str, help_zh: str = "", help_en: str = "",
               **kw) -> Setting:
    """The Settings-sheet row of field ``key`` of an option group (:data:`xl_cashrisk.settings.OPTION_GROUPS`):
    its default is the group's own (defaults live in one place), its domain the group's.

    >>> from xl_cashrisk.settings import ScoringOptions
    >>> option_row(ScoringOptions, "el_lgd", "违约损失率", "Loss given default", "percent").default
    0.45
    """
    defaults = {f.name: f.default for f in dataclasses.fields(group)}
    return Setting(key, zh, en, dtype, defaults[key], help_zh, help_en, domain=group.domain, **kw)


_CORE = Settings()  # the core fields' defaults, shown in the Settings sheet

SETTING_ROWS: tuple[Setting, ...] = (
    Setting("as_of", "评估基准日", "As-of date", "date", None,
            "账龄、逾期天数等按此日期计算；留空为今天。", "Date ages and days past due are measured at; blank = today."),
    Setting("home_currency", "本位币", "Home currency", "text", _CORE.home_currency,
            "本位币 ISO 代码，所有金额按汇率表折算为本位币。",
            "ISO code of the home currency; every amount is converted to it with the FX table."),
    Setting("ageing_basis", "账龄计算基础", "Ageing basis", "choice", _CORE.ageing_basis,
            "dpd = 按逾期天数（自到期日起，默认）；invoice = 按开票日起天数。",
            "dpd = days past due (from the due date, default); invoice = days since invoice date.",
            allowed=BASES),
    Setting("bucket_edges", "账龄分段(天)", "Ageing bucket edges (days)", "int_list", DEFAULT_BUCKET_EDGES,
            "账龄段上限（含），逗号分隔，递增；30,60,90,120 即 未到期/1–30/31–60/61–90/91–120/>120。",
            "Inclusive upper bounds of the age buckets, comma-separated, increasing; 30,60,90,120 gives "
            "current, 1–30, 31–60, 61–90, 91–120, >120.", minimum=1),
    Setting("days_in_year", "年天数", "Days in year", "integer", DAYS_IN_YEAR,
            "年化计算所用天数：365 或 360。", "Days per year for annualised figures: 365 or 360.",
            minimum=360, maximum=366),
    Setting("reserve_rates", "坏账准备计提比例", "Bad-debt reserve rates", "percent_list", DEFAULT_RESERVE_RATES,
            "各账龄段的坏账计提比例（小数或百分数）；dpd 时个数 = 分段数 + 2（含未到期），invoice 时 = 分段数 + 1。",
            "Loss rate for each age bucket (decimal or percent): with dpd, edges + 2 rates "
            "(current … >last); with invoice, edges + 1.",
            minimum=0, maximum=1),
    Setting("language", "输出语言", "Output language", "choice", _CORE.language,
            "结果表标签语言：en = 英文，zh = 中文。", "Language of labels in results: en or zh.",
            allowed=("en", "zh")),
)

_KV_TABLE = Table(
    key="settings",
    sheet="Settings",
    name="Settings",
    title_zh="设置",
    title_en="Settings",
    description_zh="每行一个设置项：只填写“值”列；留空则使用默认值。",
    description_en="One setting per row: fill in the Value column only; blank uses the default.",
    key_columns=("key",),
    columns=(
        Column("key", "键", "Key", "text", required=True, unique=True, width=16,
               help_zh="设置项代码（请勿修改）。", help_en="Setting code (do not change)."),
        Column("setting", "设置项", "Setting", "text", width=30,
               help_zh="设置项名称。", help_en="Setting name."),
        Column("value", "值", "Value", "text", width=22,
               help_zh="设置值；留空使用默认值。", help_en="The value; blank uses the default."),
        Column("help", "说明", "Notes", "text", width=60,
               help_zh="说明。", help_en="What the setting means."),
    ),
)


@dataclass(frozen=True)
class KeyValueTable:
    """A key/value settings table: its sheet layout (``table``) and the settings it lists (``rows``)."""

    table: Table
    rows: tuple[Setting, ...] = field(default=())

    def extend(self, *groups: Iterable[Setting]) -> KeyValueTable:
        """This table with more settings rows (a domain's ``SETTING_ROWS``) appended."""
        rows = list(self.rows)
        for group in groups:
            rows.extend(group)
        keys = [r.key for r in rows]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"settings keys defined twice: {', '.join(dup)}")
        return replace(self, rows=tuple(rows))

    def setting(self, key: str) -> Setting:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)


SETTINGS = KeyValueTable(_KV_TABLE, SETTING_ROWS)

FX = Table(
    key="fx",
    sheet="Settings",
    name="FX",
    title_zh="汇率表",
    title_en="FX rates",
    description_zh="一单位外币折合多少本位币，例如本位币 CNY 时 USD = 7.10。",
    description_en="Home-currency units per one unit of the currency, e.g. USD = 7.10 when home is CNY.",
    key_columns=("currency",),
    columns=(
        Column("currency", "币种", "Currency", "text", required=True, unique=True, width=10,
               help_zh="ISO 币种代码，如 USD。", help_en="ISO currency code, e.g. USD."),
        Column("rate_to_home", "兑本币汇率", "Rate to home", "number", required=True, minimum=0,
               width=14, number_format="0.0000",
               help_zh="1 单位该币种 = 多少本位币（>0）。", help_en="Home-currency units per 1 unit (> 0)."),
    ),
)

FX_EXAMPLE_ROWS: tuple[dict[str, object], ...] = (
    {"currency": "USD", "rate_to_home": 7.10},
    {"currency": "EUR", "rate_to_home": 7.75},
)


def known_settings() -> tuple[Setting, ...]:
    """Core settings plus every ``SETTING_ROWS`` tuple defined in a module of ``xl_cashrisk.schemas``."""
    import xl_cashrisk.schemas as pkg

    rows: dict[str, Setting] = {r.key: r for r in SETTING_ROWS}
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("_") or mod.name in ("settings", "schema"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{mod.name}")
        for r in getattr(module, "SETTING_ROWS", ()):
            if r.key in rows and rows[r.key] != r:
                raise ValueError(f"setting key {r.key!r} is defined twice (schemas.{mod.name})")
            rows[r.key] = r
    return tuple(rows.values())


def settings_from_frames(
    values: Mapping[str, object] | object,
    fx: Mapping[str, object] | object | None = None,
    *,
    rows: Iterable[Setting] | None = None,
    where: Location | None = None,
    date1904: bool = False,
) -> Settings:
    """Build :class:`Settings` from the key/value table and the FX table.

    ``values``: a mapping key → cell value, or a DataFrame with ``key`` and ``value`` columns whose index
    holds the Excel row numbers (as the reader returns it). ``fx``: a mapping currency → rate, or a
    DataFrame with ``currency`` and ``rate_to_home``. Blank values take the default; unknown keys and bad
    values raise one :class:`InputError` listing every problem. ``date1904``: the workbook's date system.
    ``rows``: the settings the table may hold (default: :func:`known_settings`).

    >>> s = settings_from_frames({"as_of": "2026-09-30", "bucket_edges": "30,60,90", "ageing_basis": "Invoice",
    ...                           "reserve_rates": "1%, 5%, 10%, 50%", "el_lgd": "60%"}, {"usd": 7.1})
    >>> s.as_of, s.ageing_basis, s.bucket_edges, s.fx("USD"), s.reserve_rates, s.scoring.el_lgd
    (datetime.date(2026, 9, 30), 'invoice', (30, 60, 90), 7.1, (0.01, 0.05, 0.1, 0.5), 0.6)
    """
    where = where or Location()
    table = {r.key.lower(): r for r in (tuple(rows) if rows is not None else known_settings())}
    problems = _Problems(where)
    given = _given(values, table, problems)
    parsed = _parsed(table, given, problems, date1904)
    core = _core(table, parsed, given, problems)
    fx_rates = _fx_rates(fx, core["home_currency"], problems)
    problems.raise_any()
    return Settings(fx_rates=fx_rates, **core, **_option_groups(table, parsed, where))


class _Problems(list):
    """The problems of one settings table, each prefixed with its sheet, row and column."""

    def __init__(self, where: Location):
        super().__init__()
        self.where = where

    def at(self, row: object, column: str) -> str:
        loc = Location(None, self.where.sheet, row if isinstance(row, int) else None, column)
        return f"{loc}: " if str(loc) else ""

    def raise_any(self) -> None:
        if self:
            head = f"{self.where}: " if str(self.where) else ""
            more = f" (and {len(self) - 5} more)" if len(self) > 5 else ""
            raise InputError(head + "invalid settings: " + "; ".join(self[:5]) + more)


def _given(values: Mapping[str, object] | object, table: Mapping[str, Setting],
           problems: _Problems) -> dict[str, tuple[object, object]]:
    """Known key → (Excel row, value) of the table's filled rows; unknown, repeated and keyless rows refused."""
    given: dict[str, tuple[object, object]] = {}
    for row, key, value in _pairs(values, "key", "value"):
        if _blank(key):
            if not _blank(value):
                problems.append(f"{problems.at(row, 'Key 键')}a value without a setting key")
            continue
        k = _plain(key).strip().lower()
        if k not in table:
            problems.append(f"{problems.at(row, 'Key 键')}unknown setting {_plain(key)!r}")
        elif k in given:
            problems.append(f"{problems.at(row, 'Key 键')}setting {k!r} given twice")
        else:
            given[k] = (row, value)
    return given


def _parsed(table: Mapping[str, Setting], given: Mapping[str, tuple[object, object]], problems: _Problems,
            date1904: bool) -> dict[str, object]:
    """Every setting of the table parsed by its type (the default where not given)."""
    parsed: dict[str, object] = {}
    for k, spec in table.items():
        row, value = given.get(k, (None, None))
        try:
            parsed[spec.key] = spec.parse(value, date1904=date1904)
        except ValueError as exc:
            problems.append(f"{problems.at(row, 'Value 值')}{spec.key}: {exc}")
    return parsed


def _core(table: Mapping[str, Setting], parsed: Mapping[str, object], given: Mapping[str, tuple[object, object]],
          problems: _Problems) -> dict[str, object]:
    """The core fields of :class:`Settings` that were given, checked together: the home currency's code,
    increasing bucket edges, one reserve rate per age bucket."""
    names = {r.key for r in table.values() if not r.domain}
    core = {k: v for k, v in parsed.items() if k in names and v is not None}
    home = str(core.get("home_currency", _CORE.home_currency)).upper()
    if not CURRENCY_CODE.match(home):
        problems.append(f"{problems.at(given.get('home_currency', (None,))[0], 'Value 值')}home_currency: "
                        f"expected a 3-letter ISO code such as CNY, got {home!r}")
    core["home_currency"] = home
    edges = core.get("bucket_edges", DEFAULT_BUCKET_EDGES)
    if any(b <= a for a, b in itertools.pairwise(edges)):
        problems.append(f"bucket_edges: expected increasing numbers, got {','.join(map(str, edges))}")
    rates = core.get("reserve_rates")
    basis = core.get("ageing_basis", _CORE.ageing_basis)
    # SPEC §4.1: days past due adds a "current" bucket before 1–30; days since invoice starts at 0–30
    n_buckets = len(edges) + (2 if basis == "dpd" else 1)
    if rates is not None and len(rates) != n_buckets:
        problems.append(f"reserve_rates: expected {n_buckets} rates, one per age bucket for edges "
                        f"{','.join(map(str, edges))} ({basis}), got {len(rates)}")
    return core


def _fx_rates(fx: Mapping[str, object] | object | None, home: str, problems: _Problems) -> dict[str, float]:
    """Currency → rate to the home currency (the home currency itself at 1), every row checked."""
    fx_rates: dict[str, float] = {home: 1.0}
    for row, cur, rate in _pairs(fx if fx is not None else {}, "currency", "rate_to_home"):
        if _blank(cur) and _blank(rate):
            continue
        code = _plain(cur).strip().upper()
        if not CURRENCY_CODE.match(code):
            problems.append(f"{problems.at(row, 'Currency 币种')}expected a 3-letter ISO currency code, got "
                            f"{_plain(cur)!r}")
            continue
        try:
            r = _number(rate)
            if not r > 0:
                raise ValueError(f"expected a rate above 0, got {_plain(r)}")
        except ValueError as exc:
            problems.append(f"{problems.at(row, 'Rate to home 兑本币汇率')}{code}: {exc}")
            continue
        if code == home and abs(r - 1.0) > 1e-12:
            problems.append(f"{problems.at(row, 'Rate to home 兑本币汇率')}{code} is the home currency; its rate must be 1")
        elif code in fx_rates and code != home:
            problems.append(f"{problems.at(row, 'Currency 币种')}currency {code} given twice")
        fx_rates[code] = r
    return fx_rates


def _option_groups(table: Mapping[str, Setting], parsed: Mapping[str, object], where: Location) -> dict[str, object]:
    """Each option group whose rows the table holds, typed (:data:`xl_cashrisk.settings.OPTION_GROUPS`;
    the insurance rows give the policy, :func:`xl_cashrisk.schemas.policy.policy_from_values`)."""
    from xl_cashrisk.schemas.policy import DOMAIN as INSURANCE
    from xl_cashrisk.schemas.policy import policy_from_values

    by_domain: dict[str, dict[str, object]] = {}
    for spec in table.values():
        if spec.domain:
            by_domain.setdefault(spec.domain, {})[spec.key] = parsed.get(spec.key)
    groups: dict[str, object] = {g.domain: g(**by_domain[g.domain]) for g in OPTION_GROUPS if g.domain in by_domain}
    if INSURANCE in by_domain:
        groups[INSURANCE] = policy_from_values(by_domain[INSURANCE], where if str(where) else None)
    return groups


def load_settings_file(path: str | Path) -> Settings:
    """Settings from a TOML file: top-level keys, an ``[fx]`` table, and ``[domain]`` tables.

    Example file::

        as_of = 2026-09-30
        home_currency = "CNY"
        bucket_edges = [30, 60, 90, 120]
        [fx]
        USD = 7.10
        EUR = 7.75
        [scoring]          # a domain's keys may also be written at top level
        some_key = 1
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError("settings file not found", Location(str(p))) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a valid TOML settings file ({exc})", Location(str(p))) from None
    rows = known_settings()
    domains = {r.domain for r in rows if r.domain}
    fx = data.pop("fx", {})
    if not isinstance(fx, dict):
        raise InputError("[fx] must be a table of CURRENCY = rate lines", Location(str(p)))
    flat: dict[str, object] = {}
    for k, v in data.items():
        if isinstance(v, dict) and k in domains:
            flat.update(v)
        else:
            flat[k] = v
    return settings_from_frames(flat, fx, rows=rows, where=Location(str(p)))


def _pairs(obj: object, key_col: str, value_col: str) -> list[tuple[object, object, object]]:
    """(excel_row or None, key, value) triples from a mapping or a DataFrame."""
    if isinstance(obj, Mapping):
        return [(None, k, v) for k, v in obj.items()]
    cols = getattr(obj, "columns", None)
    if cols is None or key_col not in cols or value_col not in cols:
        raise TypeError(f"expected a mapping or a DataFrame with columns {key_col!r} and {value_col!r}")
    rows = [int(i) if isinstance(i, (int, np.integer)) else None for i in obj.index]
    return list(zip(rows, obj[key_col].tolist(), obj[value_col].tolist(), strict=False))


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:
        return bool(v is np.datetime64("NaT") or (isinstance(v, np.datetime64) and np.isnat(v)))
    except TypeError:
        return False


def _plain(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _number(v: object, kind: str = "number") -> float:
    return V.parse_number(v, "percent" if kind == "percent" else "number")


def _integer(v: object) -> int:
    return V.parse_integer(v)


def _bool(v: object) -> bool:
    return V.parse_bool(v)


def _date(v: object, date1904: bool = False) -> dt.date:
    """A settings date (as-of, forecast start, holidays): a whole date within PLAUSIBLE_YEARS of today."""
    return V.parse_date(v, date1904=date1904, reference=dt.date.today(), what="today")

"""The one reading of cell values: dates, numbers, percents and TRUE/FALSE flags, and their messages.

Every reader uses these rules — the workbook reader and validator (:mod:`xl_cashrisk.io.validate`),
the ERP importer, the Settings, Policy and Scenarios sheets, TOML files and the Excel functions'
arguments (``udfs._args``) — so a value means the same everywhere and is refused with the same line.

Rules, in short (docs/security.md, "Values"):

* **Dates** are calendar days from :data:`FIRST_DATE` (1900-03-01, Excel serial 61: Excel's 1900
  calendar is wrong before it) to :data:`LAST_DATE` (9999-12-30). Text must be a whole date —
  ``2026-09-30``, ``2026/9/30``, ``2026.9.30`` or ``2026年9月30日``, optionally with a time of day
  and a UTC offset or ``Z`` (the date *as written* is taken: ``2026-08-15T02:00:00+08:00`` is
  2026-08-15). ``2026`` or ``2026-07`` is refused, never read as 1 January or 1 July. A number is an
  Excel serial, counted in the workbook's date system (1900, or 1904 when the workbook says
  ``date1904``). A table column also refuses a date more than :data:`PLAUSIBLE_YEARS` from the as-of
  date (a typo such as 3026 or a 9999 "never" date would otherwise age an invoice by centuries).
  Nothing passes through ``datetime64[ns]`` before it is known to fit, so nothing wraps around.
* **Numbers**: digits with an optional sign, decimal point and exponent; thousands separators only in
  groups of three (``1,234,567.89``; ``7.777,77`` is refused, not misread); accounting negatives
  ``(1,234.00)``. A ``%`` is read only where a percentage belongs (``5%`` → 0.05): in an amount it is
  refused. NaN and infinities are refused.
* **Flags**: one set of words, :data:`TRUE_WORDS` and :data:`FALSE_WORDS` (and the numbers 1 and 0).

A refused value raises :class:`ValueRefused`, whose text is one line in English and Chinese; the
vectorised forms return a reason per cell instead (:data:`REASONS`), which callers turn into the same
line with :func:`message`.

>>> parse_date("2026-08-15T02:00:00+08:00"), parse_number("(1,234.50)"), parse_percent("5%"), parse_bool("是")
(datetime.date(2026, 8, 15), -1234.5, 0.05, True)
>>> parse_date("2026-07")
Traceback (most recent call last):
...
xl_cashrisk.schemas.values.ValueRefused: expected a date such as 2026-09-30 (YYYY-MM-DD), got '2026-07': incomplete date, give year, month and day / 应为日期，如 2026-09-30：日期不完整，须含年月日
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from xl_cashrisk.dates import EXCEL_EPOCH, EXCEL_EPOCH_1904
from xl_cashrisk.errors import InputError

__all__ = [
    "EXCEL_ERRORS", "FALSE_WORDS", "FIRST_DATE", "LAST_DATE", "MAX_MAGNITUDE", "MAX_TEXT", "PLAUSIBLE_YEARS",
    "REASONS", "TRUE_WORDS", "ValueRefused", "bool_words", "clean_dates", "clean_money", "clean_terms", "date_order",
    "decimal_mark", "has_dmy", "implausible", "is_blank", "message", "parse_as_of", "parse_bool", "parse_date", "parse_dates",
    "parse_integer", "parse_number", "parse_numbers", "parse_percent", "plausible_dates", "serial_dates",
    "show", "text_too_long",
]

FIRST_DATE = dt.date(1900, 3, 1)  # Excel serial 61; before it Excel's 1900 calendar is a day off
LAST_DATE = dt.date(9999, 12, 30)
PLAUSIBLE_YEARS = 50  # a table date further than this from the as-of date is a typo, not a due date
MAX_MAGNITUDE = 1e15  # no amount, ratio or count a user types reaches 10^15; beyond it sums lose cents
MAX_TEXT = 32_767  # characters a cell holds: more cannot be written back whole
TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "是", "真", "对", "x", "✓", "√"})
FALSE_WORDS = frozenset({"false", "no", "n", "f", "0", "否", "假", "不"})
EXCEL_ERRORS = frozenset({
    "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
})

_D = np.dtype("datetime64[D]")
_FIRST = np.datetime64(FIRST_DATE, "D")
_LAST = np.datetime64(LAST_DATE, "D")
_YEAR_DAYS = 365.2425

# what a kind of value must be: (English, Chinese)
EXPECTED: dict[str, tuple[str, str]] = {
    "number": ("a number", "数字"),
    "integer": ("a whole number", "整数"),
    "percent": ("a percentage such as 5% or 0.05", "百分比，如 5% 或 0.05"),
    "date": ("a date such as 2026-09-30 (YYYY-MM-DD)", "日期，如 2026-09-30"),
    "bool": ("TRUE or FALSE", "TRUE 或 FALSE（是/否）"),
    "text": ("text", "文本"),
}
# why a value is refused: (English, Chinese); None = nothing to add to "expected …, got …"
REASONS: dict[str, tuple[str, str] | None] = {
    "unreadable": None,
    "nonfinite": ("not a finite number", "不是有限数字"),
    "percent_sign": ("a percentage where an amount belongs; type the amount itself",
                     "此处应为金额而非百分比，请填写金额本身"),
    "decimal_comma": ("a comma is only a thousands separator (1,234.56); type the number with a decimal point",
                      "逗号只能作千位分隔符，请用小数点"),
    "fraction": ("not a whole number", "不是整数"),
    "incomplete": ("incomplete date, give year, month and day", "日期不完整，须含年月日"),
    "no_such_day": ("no such day in the calendar", "日历中没有这一天"),
    "out_of_range": (f"not a valid Excel date (Excel's dates run from {FIRST_DATE} to {LAST_DATE})",
                     f"超出 Excel 日期范围 {FIRST_DATE} 至 {LAST_DATE}"),
    "time_only": ("a time of day, not a date", "这是时间而不是日期"),
    "bad_serial": ("not a valid Excel date serial (61 = 1900-03-01 … 2958464 = 9999-12-30)",
                   "不是有效的 Excel 日期序号"),
    "date_in_number": ("the cell is formatted as a date or time; format it as a number and check the value",
                       "单元格格式为日期或时间，请改为数字格式并核对数值"),
    "not_a_flag": None,
}


class ValueRefused(ValueError):
    """A value the rules refuse. ``str()`` is the whole line (English / Chinese); ``expected``, ``got``
    and ``reason`` are its parts, for a caller that words its own line (the Excel functions)."""

    def __init__(self, kind: str, got: object, reason: str = "unreadable", *, detail: tuple[str, str] | None = None):
        self.kind, self.got, self.reason = kind, got, reason
        self.expected = EXPECTED[kind][0]
        extra = detail or REASONS.get(reason)
        self.detail = extra[0] if extra else ""
        super().__init__(message(kind, got, reason, detail=detail))


def message(kind: str, got: object, reason: str = "unreadable", *, detail: tuple[str, str] | None = None) -> str:
    """The one line saying what was expected, what was found and (for a known reason) what to do.

    >>> message("number", "5%", "percent_sign")
    "expected a number, got '5%': a percentage where an amount belongs; type the amount itself / 应为数字：此处应为金额而非百分比，请填写金额本身"
    """
    en, zh = EXPECTED[kind]
    extra = detail or REASONS.get(reason)
    if extra:
        return f"expected {en}, got {show(got)}: {extra[0]} / 应为{zh}：{extra[1]}"
    return f"expected {en}, got {show(got)} / 应为{zh}"


def show(v: object) -> str:
    """A cell value as a message shows it: numbers plainly, text quoted and cut at 40 characters."""
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float | np.floating):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)
    if isinstance(v, dt.datetime):
        return f"a date ({v.isoformat(sep=' ')[:19]})"
    if isinstance(v, dt.date):
        return f"a date ({v.isoformat()})"
    if isinstance(v, dt.time):
        return f"a time ({v.isoformat()})"
    if isinstance(v, np.datetime64):
        return f"a date ({np.datetime_as_string(v, unit='D')})"
    text = repr(v.strip() if isinstance(v, str) else v)
    return text if len(text) <= 40 else text[:37] + "...'"


def is_blank(values) -> np.ndarray | bool:
    """True where a cell is empty: None, NaN/NaT, '' or white space only (one value or an array).

    >>> is_blank(np.array([None, float("nan"), " ", "x", 0.0], dtype=object)).tolist(), is_blank("")
    ([True, True, True, False, False], True)
    """
    if not isinstance(values, np.ndarray):
        return bool(_blank_one(values))
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        out[i] = _blank_one(v)
    return out


def _blank_one(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return v is pd.NaT


def text_too_long(text: str) -> bool:
    """More characters than a cell holds (:data:`MAX_TEXT`, counted in UTF-16 units as Excel does)."""
    return len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le")) // 2 > MAX_TEXT


# ------------------------------------------------------------------------------------------------ numbers
_THOUSANDS = re.compile(r"^[(+-]?\d{1,3}(,\d{3})+(\.\d*)?\)?%?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_numbers(text: np.ndarray, kind: str = "number") -> tuple[np.ndarray, np.ndarray]:
    """Number text (an object array of stripped, non-empty strings) → (float64 values, reasons).

    ``kind`` is "number", "integer" or "percent" (only a percent reads ``5%`` as 0.05). Reasons are
    None where the value was read, else a key of :data:`REASONS`. Works on the distinct strings only.

    >>> v, why = parse_numbers(np.array(["1,234.5", "(300)", "5%", "7.777,77", "1e3", "n/a"], dtype=object))
    >>> v.tolist(), why.tolist()
    ([1234.5, -300.0, nan, nan, 1000.0, nan], [None, None, 'percent_sign', 'decimal_comma', None, 'unreadable'])
    """
    codes, uniq = pd.factorize(np.asarray(text, dtype=object))
    vals = np.full(len(uniq), np.nan)
    why = np.full(len(uniq), None, dtype=object)
    for i, raw in enumerate(uniq):
        vals[i], why[i] = _number_text(str(raw), kind)
    return vals[codes], why[codes]


def _number_text(raw: str, kind: str) -> tuple[float, str | None]:
    t = raw.strip().replace("，", ",").replace("\u00a0", "").replace(" ", "")
    if "," in t:
        if not _THOUSANDS.match(t):
            return math.nan, "decimal_comma"
        t = t.replace(",", "")
    pct = t.endswith("%")
    if pct:
        if kind != "percent":
            return math.nan, "percent_sign"
        t = t[:-1]
    neg = t.startswith("(") and t.endswith(")")
    if neg:
        t = t[1:-1]
        if t[:1] in "+-" and t:
            return math.nan, "unreadable"
    if not _PLAIN.match(t):
        return math.nan, "nonfinite" if t.lstrip("+-").casefold() in ("nan", "inf", "infinity") else "unreadable"
    x = float(t)
    if not math.isfinite(x):
        return math.nan, "nonfinite"
    x = -x if neg else x
    return (x / 100.0 if pct else x), None


def parse_number(value: object, kind: str = "number") -> float:
    """One number: a cell's float/int or text by the rules above; raises :class:`ValueRefused`.

    >>> parse_number("1,234,567.89"), parse_number(12)
    (1234567.89, 12.0)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating | str):
        raise ValueRefused(kind, value)
    if isinstance(value, str):
        x, why = _number_text(value, kind)
        if why:
            raise ValueRefused(kind, value, why)
    else:
        try:
            x = float(value)
        except OverflowError:  # an int beyond a float's range (only Python can make one)
            raise ValueRefused(kind, value, "nonfinite") from None
        if not math.isfinite(x):
            raise ValueRefused(kind, value, "nonfinite")
    if kind == "integer" and not float(x).is_integer():
        raise ValueRefused(kind, value, "fraction")
    return x


def parse_integer(value: object) -> int:
    """One whole number (3.0 from a cell is fine, 3.5 is not).

    >>> parse_integer("30"), parse_integer(60.0)
    (30, 60)
    """
    return int(parse_number(value, "integer"))


def parse_percent(value: object) -> float:
    """A percentage: ``5%`` → 0.05; a plain number is taken as the fraction it is (0.05).

    >>> parse_percent("90%"), parse_percent(0.9)
    (0.9, 0.9)
    """
    return parse_number(value, "percent")


# ------------------------------------------------------------------------------------------------ flags
def bool_words(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(TRUE, FALSE) masks of flag text (case-insensitive, stripped): :data:`TRUE_WORDS`/:data:`FALSE_WORDS`.

    >>> [m.tolist() for m in bool_words(np.array(["Yes", "否", "maybe"], dtype=object))]
    [[True, False, False], [False, True, False]]
    """
    codes, uniq = pd.factorize(np.asarray(text, dtype=object))
    low = [str(s).strip().casefold() for s in uniq]
    t = np.array([s in TRUE_WORDS for s in low] + [False], dtype=bool)
    f = np.array([s in FALSE_WORDS for s in low] + [False], dtype=bool)
    return t[codes], f[codes]


def parse_bool(value: object) -> bool:
    """One flag: a cell's TRUE/FALSE, the numbers 1/0, or a word of :data:`TRUE_WORDS`/:data:`FALSE_WORDS`.

    >>> parse_bool("T"), parse_bool(0.0), parse_bool("否")
    (True, False, False)
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if value in (0, 1):
            return bool(value)
        raise ValueRefused("bool", value, "not_a_flag")
    if isinstance(value, str):
        t, f = bool_words(np.array([value], dtype=object))
        if t[0] or f[0]:
            return bool(t[0])
    raise ValueRefused("bool", value, "not_a_flag")


# ------------------------------------------------------------------------------------------------ dates
_SEP = r"\s*([-/.])\s*"
_TIME = r"(?:(?:[Tt]|\s+)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?)?"
_DATE_TEXT = re.compile(
    rf"^(\d{{4}})(?:{_SEP}(\d{{1,2}})\2\s*(\d{{1,2}})|\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日?){_TIME}\s*$")
_PARTIAL = re.compile(r"^\d{4}(\s*[-/.年]\s*\d{1,2}\s*月?)?\s*$")


def parse_dates(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Date text (object array of strings) → (datetime64[D] days, reasons), by the rules above; the
    range :data:`FIRST_DATE` … :data:`LAST_DATE` is checked too. Works on the distinct strings only.

    >>> d, why = parse_dates(np.array(["2026-9-30", "2026年7月5日", "2026-08-15T02:00Z", "2026-07", "2026-02-30",
    ...                                "1850-01-01", "30/09/2026"], dtype=object))
    >>> d.tolist()[:3], why.tolist()
    ([datetime.date(2026, 9, 30), datetime.date(2026, 7, 5), datetime.date(2026, 8, 15)], [None, None, None, 'incomplete', 'no_such_day', 'out_of_range', 'unreadable'])
    """
    codes, uniq = pd.factorize(np.asarray(text, dtype=object))
    norm = pd.Series([unicodedata.normalize("NFKC", str(s)).strip() for s in uniq], dtype=object)
    parts = norm.str.extract(_DATE_TEXT)
    year = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
    month = pd.to_numeric(parts[2].fillna(parts[4]), errors="coerce").to_numpy(dtype=float)
    day = pd.to_numeric(parts[3].fillna(parts[5]), errors="coerce").to_numpy(dtype=float)
    days, why = _ymd(year, month, day)
    matched = ~np.isnan(year)
    partial = np.array([bool(_PARTIAL.match(s)) for s in norm], dtype=bool)
    why[~matched] = np.where(partial[~matched], "incomplete", "unreadable")
    return days[codes], why[codes]


def _ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar days from year/month/day numbers (NaN: no date), with reasons; no pandas, no overflow."""
    ok = ~(np.isnan(year) | np.isnan(month) | np.isnan(day))
    y = np.where(ok, year, 2000).astype(np.int64)
    m = np.where(ok, month, 1).astype(np.int64)
    d = np.where(ok, day, 1).astype(np.int64)
    good_month = (m >= 1) & (m <= 12)
    months = ((y - 1970) * 12 + np.clip(m, 1, 12) - 1).astype("timedelta64[M]") + np.datetime64("1970-01", "M")
    length = ((months + 1).astype(_D) - months.astype(_D)).astype(np.int64)
    good_day = good_month & (d >= 1) & (d <= length)
    days = months.astype(_D) + (d - 1).astype("timedelta64[D]")
    why = np.full(len(y), None, dtype=object)
    why[ok & ~good_day] = "no_such_day"
    out_range = ok & good_day & ((days < _FIRST) | (days > _LAST))
    why[out_range] = "out_of_range"
    days[~ok | ~good_day | out_range] = np.datetime64("NaT")
    return days, why


def _serial_bounds(epoch: np.datetime64) -> tuple[float, float]:
    """The serials from :data:`FIRST_DATE` to :data:`LAST_DATE` in a date system: ``lo ≤ s < hi``."""
    lo = float(max((_FIRST - epoch).astype(np.int64), 0))  # the 1904 system has no day before day 0
    return lo, float((_LAST - epoch).astype(np.int64)) + 1.0


# date1904 → (serial bounds, ordinal of day 0): the one serial rule, for arrays and for one cell
_SERIALS = {False: _serial_bounds(EXCEL_EPOCH), True: _serial_bounds(EXCEL_EPOCH_1904)}
_DAY0 = {False: EXCEL_EPOCH.astype(dt.date).toordinal(), True: EXCEL_EPOCH_1904.astype(dt.date).toordinal()}


def serial_dates(serials: np.ndarray, *, date1904: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Excel serials (float array; NaN blank) → (datetime64[D] days, reasons), in the workbook's date
    system (``date1904``: day 0 = 1904-01-01, the old Excel for Mac default). The fraction (time of
    day) is dropped; anything outside :data:`FIRST_DATE` … :data:`LAST_DATE` is refused.

    >>> d, why = serial_dates(np.array([45473.0, 60.0, 2958465.0, np.nan]))
    >>> d.tolist(), why.tolist()
    ([datetime.date(2024, 6, 30), None, None, None], [None, 'bad_serial', 'bad_serial', None])
    >>> serial_dates(np.array([44011.0]), date1904=True)[0].tolist()  # the same day in the 1904 system
    [datetime.date(2024, 6, 30)]
    """
    s = np.asarray(serials, dtype=float)
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH
    lo, hi = _SERIALS[date1904]
    ok = np.isfinite(s) & (s >= lo) & (s < hi)
    whole = np.where(ok, np.floor(np.where(ok, s, 0.0)), 0.0).astype(np.int64)
    days = epoch + whole.astype("timedelta64[D]")
    days[~ok] = np.datetime64("NaT")
    why = np.full(len(s), None, dtype=object)
    why[~ok & ~np.isnan(s)] = "bad_serial"
    return days, why


def plausible_dates(days: np.ndarray, reference: dt.date, years: int = PLAUSIBLE_YEARS) -> np.ndarray:
    """True where a day (datetime64) is within ``years`` of ``reference`` (NaT counts as plausible).

    >>> plausible_dates(np.array(["2026-10-14", "3026-10-14", "NaT"], dtype="datetime64[D]"), dt.date(2026, 9, 30)).tolist()
    [True, False, True]
    """
    d = np.asarray(days).astype(_D)
    gap = np.abs((d - np.datetime64(reference, "D")).astype(np.float64))
    return np.isnat(d) | (gap <= years * _YEAR_DAYS)


_REFERENCE_ZH = {"the as-of date": "基准日", "today": "今天"}


def implausible(day: object, reference: dt.date, what: str = "the as-of date", years: int = PLAUSIBLE_YEARS
                ) -> tuple[str, str]:
    """The (English, Chinese) reason for a day too far from ``reference`` (``what`` names it), for
    :func:`message`.

    >>> implausible(np.datetime64("3026-10-14"), dt.date(2026, 9, 30))[0]
    '3026-10-14 is more than 50 years after the as-of date 2026-09-30; check the cell'
    """
    d = np.datetime64(day, "D")
    side = "after" if d > np.datetime64(reference, "D") else "before"
    zh = _REFERENCE_ZH.get(what, what)
    return (f"{d} is more than {years} years {side} {what} {reference.isoformat()}; check the cell",
            f"{d} 与{zh} {reference.isoformat()} 相差超过 {years} 年，请检查")


def parse_date(value: object, *, date1904: bool = False, reference: dt.date | None = None,
               what: str = "the as-of date", years: int = PLAUSIBLE_YEARS) -> dt.date:
    """One date: a date or datetime (a timezone-aware one by its own local date), a numpy/pandas
    datetime, an Excel serial (in the 1904 system with ``date1904``) or text, by the rules above.
    With ``reference``, a day more than ``years`` from it is refused too. Raises :class:`ValueRefused`.

    >>> parse_date(45473), parse_date("2024/6/30 00:00:00"), parse_date(dt.datetime(2026, 8, 15, 2, 0))
    (datetime.date(2024, 6, 30), datetime.date(2024, 6, 30), datetime.date(2026, 8, 15))
    """
    day = _date_one(value, date1904)
    if reference is not None and not plausible_dates(np.array([day], dtype=_D), reference, years)[0]:
        raise ValueRefused("date", value, detail=implausible(day, reference, what, years))
    return day


def parse_as_of(value: object, *, date1904: bool = False) -> dt.date:
    """An as-of date (Settings sheet, ``--as-of``, a mapping file, a ribbon option): a whole date within
    :data:`PLAUSIBLE_YEARS` of today.

    >>> try:
    ...     parse_as_of("3026-09-30")
    ... except ValueRefused as exc:
    ...     print(exc.detail[:44])
    3026-09-30 is more than 50 years after today
    """
    return parse_date(value, date1904=date1904, reference=dt.date.today(), what="today")


def _date_one(value: object, date1904: bool) -> dt.date:
    kind = value.__class__
    if kind is float or kind is int:  # a serial, the usual date cell: the rule of serial_dates, on one number
        lo, hi = _SERIALS[date1904]
        serial = value if kind is float or abs(value) < hi else math.inf
        if not lo <= serial < hi:  # NaN and ±inf too
            raise ValueRefused("date", value, "bad_serial")
        return dt.date.fromordinal(_DAY0[date1904] + int(serial))
    if kind is dt.date or kind is dt.datetime:  # the rule of object_dates, on one date
        day = value if kind is dt.date else value.replace(tzinfo=None).date()
        if not FIRST_DATE <= day <= LAST_DATE:
            raise ValueRefused("date", value, "out_of_range")
        return day
    if isinstance(value, dt.datetime | dt.date | np.datetime64 | pd.Timestamp):
        days, why = object_dates(np.array([value], dtype=object))
    elif isinstance(value, dt.time):
        raise ValueRefused("date", value, "time_only")
    elif isinstance(value, str):
        days, why = parse_dates(np.array([value], dtype=object))
    elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        try:
            serial = float(value)
        except OverflowError:
            serial = math.inf
        days, why = serial_dates(np.array([serial]), date1904=date1904)
        if np.isnan(serial):
            why[0] = "bad_serial"
    else:
        raise ValueRefused("date", value)
    if why[0] is not None or np.isnat(days[0]):
        raise ValueRefused("date", value, why[0] or "unreadable")
    return days[0].astype(dt.date)


def object_dates(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Date cells as readers give them (``date``, ``datetime``, numpy/pandas datetimes; a ``time`` of day
    is refused) → (datetime64[D] days, reasons). Never through ``datetime64[ns]``: year 3026 stays 3026.

    >>> object_dates(np.array([dt.date(3026, 10, 14), dt.time(12, 0)], dtype=object))[1].tolist()
    [None, 'time_only']
    """
    codes, uniq = pd.factorize(np.asarray(values, dtype=object))
    days = np.full(len(uniq), np.datetime64("NaT"), dtype=_D)
    why = np.full(len(uniq), None, dtype=object)
    for i, v in enumerate(uniq):
        if isinstance(v, dt.datetime):
            days[i] = np.datetime64(v.replace(tzinfo=None).date(), "D")
        elif isinstance(v, dt.date):
            days[i] = np.datetime64(v, "D")
        elif isinstance(v, pd.Timestamp):
            days[i] = np.datetime64(v.tz_localize(None).date() if v.tzinfo else v.date(), "D")
        elif isinstance(v, np.datetime64):
            days[i] = v.astype(_D)
        elif isinstance(v, dt.time):
            why[i] = "time_only"
        else:
            why[i] = "unreadable"
    bad = ~np.isnat(days) & ((days < _FIRST) | (days > _LAST))
    why[bad] = "out_of_range"
    days[bad] = np.datetime64("NaT")
    return days[codes], why[codes]


# ------------------------------------------------------------------------------- export habits (importer)
# Exporters write amounts and dates in their own ways; these rewrite them into the plain forms above
# (``-1234.5``, ``2024-03-01``) on the distinct strings of a column. Typing and messages stay above.

# Symbols and codes written next to amounts, and the currency each one means for this user base
# (¥ is taken as CNY, $ as USD: a file where they mean JPY or HKD needs a currency column or mapping).
SYMBOLS: dict[str, str] = {"¥": "CNY", "￥": "CNY", "RMB": "CNY", "CNY": "CNY", "元": "CNY", "$": "USD",
                           "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
                           "HK$": "HKD", "HKD": "HKD", "JPY": "JPY"}
_TRAILING_MINUS = re.compile(r"^(.*\d)\s*-$")
_DR_CR = re.compile(r"^(.*\d)\s*(cr|dr)\.?$", re.I)
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")
_CLOCK = re.compile(r"[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm)?$", re.I)
_NAMED_FORMATS = ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d %b %y",
                  "%b %d %Y", "%d-%B-%Y")
_TERMS = re.compile(r"(\d{1,4})")
_TERMS_ZERO = frozenset({"现结", "现款", "货到付款", "款到发货", "预付", "due on receipt", "cod", "cash",
                         "immediate", "net 0", "立即"})


def _strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = np.array([isinstance(v, str) and bool(v.strip()) for v in values], dtype=bool)
    return mask, np.asarray(values, dtype=object)[mask]


def _on_unique(strings: np.ndarray, fn: Callable[[str], object]) -> np.ndarray:
    codes, uniq = pd.factorize(strings)
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(s) for s in uniq]
    return mapped[codes]


def decimal_mark(values: np.ndarray) -> str | None:
    """'.' or ',' as the decimal mark of a column of amount strings, ``None`` if it cannot tell.

    A comma followed by one or two final digits (``1.234,56``) or dots as thousands separators say
    decimal comma; a dot followed by one or two final digits, or a comma group before a dot, say
    decimal point. Raises :class:`InputError` when the column holds both.

    >>> decimal_mark(np.array(["1.234,56-", "12,5"], dtype=object)), decimal_mark(np.array(["1,234.00"], dtype=object))
    (',', '.')
    """
    _, s = _strings(values)
    comma = point = False
    for t in pd.unique(s):
        t = re.sub(r"[^\d.,]", "", str(t))
        if re.search(r",\d{1,2}$", t) or re.search(r"\.\d{3}[.,]", t) or re.search(r"\d\.\d{3},", t):
            comma = True
        if re.search(r"\.\d{1,2}$", t) or re.search(r",\d{3}\.", t):
            point = True
    if comma and point:
        raise InputError("amounts use both a decimal comma (1.234,56) and a decimal point (1,234.56) in one "
                         "column; set decimal = \",\" or \".\" in a mapping file")
    return "," if comma else "." if point else None


def clean_money(values: np.ndarray, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Amount cells → (values :func:`parse_numbers` reads, currency named by a symbol or code per cell or None).

    Removes currency symbols and codes, turns trailing minus (SAP ``1.234,56-``), ``CR`` suffixes and
    parentheses into a leading minus, and swaps a decimal comma for a point. Numbers pass unchanged.

    >>> v, cur = clean_money(np.array(["¥1,234.50", "(300.00)", "1,234.56-", 7.0, "RMB 10", "abc"], dtype=object))
    >>> v.tolist(), cur.tolist()
    (['1234.50', '-300.00', '-1234.56', 7.0, '10', 'abc'], ['CNY', None, None, None, 'CNY', None])
    >>> clean_money(np.array(["1.234,56-"], dtype=object), decimal=",")[0].tolist()
    ['-1234.56']
    """
    out = np.asarray(values, dtype=object).copy()
    cur = np.full(len(out), None, dtype=object)
    mask, s = _strings(out)
    if not mask.any():
        return out, cur
    parsed = _on_unique(s, lambda t: _money_text(t, decimal))
    out[mask] = [p[0] for p in parsed]
    cur[mask] = [p[1] for p in parsed]
    return out, cur


def _money_text(text: str, decimal: str) -> tuple[str, str | None]:
    t = unicodedata.normalize("NFKC", text).strip()
    if t.startswith("¥") or text.strip().startswith("￥"):
        t = "¥" + t.lstrip("¥￥")
    found = None
    for sym in sorted(SYMBOLS, key=len, reverse=True):
        if sym in t.upper() if sym.isalpha() else sym in t:
            found = SYMBOLS[sym]
            t = re.sub(re.escape(sym), "", t, flags=re.I)
            break
    t = t.replace(" ", "").replace("\u00a0", "").replace("'", "")
    neg = False
    m = _DR_CR.match(t)
    if m:
        t, neg = m.group(1), m.group(2).casefold() == "cr"
    m = _TRAILING_MINUS.match(t)
    if m:
        t, neg = m.group(1), True
    if t.startswith("(") and t.endswith(")"):
        t, neg = t[1:-1], True
    if t.startswith("-"):
        t, neg = t[1:], not neg
    t = t.replace(".", "").replace(",", ".") if decimal == "," else t.replace(",", "")
    return ("-" + t if neg else t), found


def date_order(values: np.ndarray, column: str) -> str | None:
    """'dmy', 'mdy' or ``None`` (no d/m/y strings, or every one ambiguous) from a column's own dates.

    Raises :class:`InputError` naming the column when some dates are day-first and others month-first.

    >>> date_order(np.array(["13/03/2024", "01/02/2024"], dtype=object), "Date")
    'dmy'
    >>> date_order(np.array(["01/02/2024"], dtype=object), "Date") is None
    True
    """
    _, s = _strings(values)
    day_first = month_first = None
    dotted = False
    for t in pd.unique(s):
        m = _DMY.match(_CLOCK.sub("", str(t).strip()))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        dotted |= m.group(2) == "."
        if a > 12 >= b:
            day_first = day_first or str(t)
        elif b > 12 >= a:
            month_first = month_first or str(t)
    if day_first and month_first:
        raise InputError(
            f"column '{column}' mixes day-first dates ({day_first!r}) and month-first dates ({month_first!r}); "
            "fix the export, or choose one reading with --dayfirst/--monthfirst (or dayfirst = true/false in a "
            "mapping file): the rows that do not fit it are then reported as invalid")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    return "dmy" if dotted else None


def has_dmy(values: np.ndarray) -> str | None:
    """The first d/m/y or m/d/y string of a column, or ``None``."""
    _, s = _strings(values)
    for t in pd.unique(s):
        if _DMY.match(_CLOCK.sub("", str(t).strip())):
            return str(t)
    return None


def clean_dates(values: np.ndarray, order: str | None) -> np.ndarray:
    """Date cells → ISO text :func:`parse_dates` reads; serials, dates and datetimes pass unchanged.

    ``order`` ('dmy' or 'mdy') decides ``01/03/2024``; month names (``30-SEP-26``, ``30 Sep 2026``)
    and time suffixes (``2024/3/1 0:00:00``, ``1 PM``) are handled whatever the order.

    Compact ``YYYYMMDD`` dates (SAP extracts: ``20200210``, ``20200210.0``) are read as such, text or number:
    as an Excel serial such a number would be a date 50,000 years ahead, so nothing is ambiguous.

    >>> clean_dates(np.array(["01/03/2024", "30.09.2026", "2024/3/1 0:00:00", "30-SEP-26", 45473.0], dtype=object),
    ...             "dmy").tolist()
    ['2024-03-01', '2026-09-30', '2024/3/1', '2026-09-30', 45473.0]
    >>> clean_dates(np.array(["20200210", 20200403.0, "20201399"], dtype=object), None).tolist()
    ['2020-02-10', '2020-04-03', '20201399']
    """
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        out[mask] = _on_unique(s, lambda t: _date_text(t, order))
    for i, v in enumerate(out):
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and 19000101 <= v <= 21001231:
            out[i] = _compact_date(f"{float(v):.0f}") or v
    return out


_COMPACT = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})(?:\.0+)?")


def _compact_date(t: str) -> str | None:
    m = _COMPACT.fullmatch(t)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _date_text(text: str, order: str | None) -> str:
    t = _CLOCK.sub("", unicodedata.normalize("NFKC", text).strip())
    compact = _compact_date(t)
    if compact:
        return compact
    m = _DMY.match(t)
    if m and order:
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if y < 100:
            y += 2000
        d, mth = (a, b) if order == "dmy" else (b, a)
        return f"{y:04d}-{mth:02d}-{d:02d}"
    if re.search(r"[A-Za-z]", t):
        for fmt in _NAMED_FORMATS:
            try:
                return dt.datetime.strptime(t.title(), fmt).date().isoformat()
            except ValueError:
                continue
    return t


def clean_terms(values: np.ndarray) -> np.ndarray:
    """Terms cells → days: ``Net 30``, ``N30``, ``30天``, ``月结60天``, ``30 days`` → 30/60; 现结 → 0.

    >>> clean_terms(np.array(["Net 30", "月结60天", "现结", 45.0], dtype=object)).tolist()
    [30.0, 60.0, 0.0, 45.0]
    """
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        def days(t: str) -> object:
            low = t.strip().casefold()
            if low in _TERMS_ZERO:
                return 0.0
            m = _TERMS.search(low)
            return float(m.group(1)) if m else t
        out[mask] = _on_unique(s, days)
    return out

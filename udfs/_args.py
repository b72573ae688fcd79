"""Excel-shaped values in, core-shaped values out, and back.

What arrives from a cell: float/int numbers, ``bool``, ``str``, ``None`` for a blank cell, ``NaN``
after a DataFrame conversion, ``datetime``/``date`` (classic xlwings, scalar dates), float serials
(dates inside ranges, always under xlwings Lite and LibreOffice), error values as strings such as
``'#N/A'``, and for a range a list of rows (2-D list or tuple of tuples). Every helper here raises
:class:`~xl_cashrisk.errors.ArgumentError` with the function, the argument and, for ranges, the item
position, so the cell shows one readable line.

Shapes: :func:`shape_of` records whether an argument was a scalar, a 1-D list or a 2-D range, and
:func:`shaped` gives a result the same shape, so a column in gives a spilled column out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import math
from typing import Any

import numpy as np

from xl_cashrisk.errors import ArgumentError
from xl_cashrisk.schemas import values as V

EXCEL_ERRORS = V.EXCEL_ERRORS
_MISSING = object()
MAX_WHOLE = 2**53  # a whole-number argument beyond this is not a count of anything a cell means


def is_blank(value: Any) -> bool:
    """A blank cell as any front end sends it: None, '' or NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def _excel_error(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


def _detail(exc: V.ValueRefused, **extra: str) -> dict[str, str]:
    """The values module's reason, as ArgumentError's ``detail``."""
    return {"detail": exc.detail, **extra} if exc.detail else extra


def number(value: Any, fn: str, arg: str, *, default: Any = _MISSING, expected: str = "a number",
           minimum: float | None = None, positive: bool = False, where: str = "") -> float:
    """One number. Blank → ``default`` (or an error if there is none); number text is read by the one
    values rule (:func:`xl_cashrisk.schemas.values.parse_number`: ``1,234.5``, ``(300)``; no ``%``)."""
    name = f"{arg}{where}"
    if is_blank(value):
        if default is _MISSING:
            raise ArgumentError(fn, name, expected, detail="the cell is blank")
        return default
    err = _excel_error(value)
    if err:
        raise ArgumentError(fn, name, expected, detail=f"the cell holds the Excel error {err}")
    try:
        x = V.parse_number(value)
    except V.ValueRefused as exc:
        raise ArgumentError(fn, name, expected, value, **_detail(exc)) from None
    if positive and x <= 0:
        raise ArgumentError(fn, name, expected, value)
    if minimum is not None and x < minimum:
        raise ArgumentError(fn, name, expected, value)
    return x


def integer(value: Any, fn: str, arg: str, *, default: Any = _MISSING, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """One whole number (a float such as 3.0 from a cell is fine, 3.5 is not), within
    [``minimum``, ``maximum``] and never beyond ±2^53."""
    top = MAX_WHOLE if maximum is None else maximum
    if minimum is None:
        expected = "a whole number" if maximum is None else f"a whole number ≤ {top:,}"
    else:
        expected = f"a whole number from {minimum:,} to {top:,}" if maximum is not None else f"a whole number ≥ {minimum}"
    x = number(value, fn, arg, default=default, expected=expected)
    if x is default and default is not _MISSING:
        return default
    if not float(x).is_integer() or (minimum is not None and x < minimum) or abs(x) > top:
        raise ArgumentError(fn, arg, expected, value)
    return int(x)


def text(value: Any, fn: str, arg: str, *, allowed: tuple[str, ...] | None = None, default: Any = _MISSING) -> str:
    """One text option, matched case-insensitively against ``allowed`` and returned as spelled there."""
    if is_blank(value):
        if default is _MISSING:
            raise ArgumentError(fn, arg, _one_of(allowed) if allowed else "text", detail="the cell is blank")
        return default
    if not isinstance(value, str):
        raise ArgumentError(fn, arg, _one_of(allowed) if allowed else "text", value)
    check_text(value, fn, arg)
    if allowed is None:
        return value.strip()
    for option in allowed:
        if value.strip().upper() == option.upper():
            return option
    raise ArgumentError(fn, arg, _one_of(allowed), value)


def _one_of(allowed: tuple[str, ...] | None) -> str:
    return "one of " + ", ".join(f'"{a}"' for a in allowed or ())


def check_text(value: str, fn: str, arg: str) -> str:
    """A text argument no longer than a cell holds (a longer one cannot come from Excel, nor go back)."""
    if V.text_too_long(value):
        raise ArgumentError(fn, arg, f"a text of at most {V.MAX_TEXT:,} characters", detail=f"it has {len(value):,}")
    return value


def flag(value: Any, fn: str, arg: str, default: bool) -> bool:
    """TRUE/FALSE as Excel sends it (bool, 1/0 from LibreOffice) or a word of the values module
    (TRUE/FALSE, yes/no, 是/否 …); blank = ``default``."""
    if is_blank(value):
        return default
    try:
        return V.parse_bool(value)
    except V.ValueRefused:
        raise ArgumentError(fn, arg, "TRUE or FALSE", value) from None


def date(value: Any, fn: str, arg: str, *, default: Any = _MISSING, where: str = "") -> np.datetime64:
    """One date by the one values rule (:func:`xl_cashrisk.schemas.values.parse_date`): a datetime/date,
    an Excel serial from 61 (1900-03-01) or text such as 2024-06-30, 2024/6/30, 2024年6月30日."""
    name = f"{arg}{where}"
    expected = "a date"
    if is_blank(value):
        if default is _MISSING:
            raise ArgumentError(fn, name, expected, detail="the cell is blank")
        return default
    err = _excel_error(value)
    if err:
        raise ArgumentError(fn, name, expected, detail=f"the cell holds the Excel error {err}")
    if isinstance(value, np.datetime64) and np.isnat(value):
        raise ArgumentError(fn, name, expected, detail="the cell is blank")
    if isinstance(value, bool | np.bool_):
        raise ArgumentError(fn, name, expected, value)
    try:
        return np.datetime64(V.parse_date(value), "D")
    except V.ValueRefused as exc:
        serial = isinstance(value, int | float | np.integer | np.floating)
        what = "a date (an Excel date serial from 61 = 1900-03-01 on)" if serial else \
            expected + " (YYYY-MM-DD text, a date cell or a serial)"
        raise ArgumentError(fn, name, what, value, **({} if serial else _detail(exc))) from None


def today() -> np.datetime64:
    return np.datetime64(dt.date.today(), "D")


# ----------------------------------------------------------------------------------------------
# Ranges


class Shape:
    """How an argument arrived: scalar, 1-D sequence, or 2-D list of rows (possibly ragged)."""

    def __init__(self, kind: str, rows: int = 1, cols: int = 1):
        self.kind, self.rows, self.cols = kind, rows, cols

    @property
    def size(self) -> int:
        return 1 if self.kind == "scalar" else self.rows * self.cols

    def position(self, i: int) -> str:
        """Where the i-th flattened item sits, for messages (1-based, row-major)."""
        if self.kind == "scalar":
            return ""
        if self.kind == "1d" or self.cols == 1:
            return f" (item {i + 1})"
        return f" (row {i // self.cols + 1}, column {i % self.cols + 1})"


_SEQ = (list, tuple, np.ndarray)
_PLAIN_NUMBERS = {float, int, type(None), np.float64}
_CELL_READY = {int, str, bool}
_CELL_READY_OR_FLOAT = {int, str, bool, float, type(None)}
_ROW_TYPES = {list, tuple}
_COLUMN_CELLS = {float, type(None), np.float64}  # cells unpacked from rows that need no check of the rows' type
_GC_PAUSE_FROM = 5_000  # cells: below this the collector's passes cost nothing noticeable


def _plain(flat: list[Any], kinds: set[type] | None = None) -> bool:
    """Only floats/ints/None, none of them an int too large for a float: safe for np.asarray(dtype=float).

    ``kinds``, the set of the item types when the caller already has it, saves a pass over the items."""
    if kinds is None:
        kinds = set(map(type, flat))
    return kinds <= _PLAIN_NUMBERS and (int not in kinds or all(abs(v) < 2**1000 for v in flat if type(v) is int))


def _is_seq(v: Any) -> bool:
    return isinstance(v, _SEQ) or (hasattr(v, "to_numpy") and hasattr(v, "shape"))


@contextlib.contextmanager
def _gc_paused(size: int):
    """Pause the cyclic garbage collector while a large range is converted.

    Building 100k one-cell rows would otherwise trigger hundreds of collections, each walking every
    live object (the caller's argument lists included): up to half the time of an array call. The
    lists built here hold only scalars, so they cannot form reference cycles; the collector is
    re-enabled afterwards (and left alone if the caller had disabled it).
    """
    if size < _GC_PAUSE_FROM or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def flatten(value: Any, fn: str, arg: str) -> tuple[list[Any], Shape]:
    """Flatten a scalar, 1-D or 2-D argument (row-major); ragged rows are padded with blanks."""
    flat, shape, _ = flatten_typed(value, fn, arg)
    return flat, shape


def flatten_typed(value: Any, fn: str, arg: str) -> tuple[list[Any], Shape, set[type] | None]:
    """:func:`flatten`, and the set of the types of the flat items when it was worked out on the way
    (``None`` when not): :func:`numbers_of` takes it instead of walking 100k items once more."""
    with _gc_paused(len(value) if isinstance(value, list | tuple) else 0):
        return _flatten(value, fn, arg)


def _flatten(value: Any, fn: str, arg: str) -> tuple[list[Any], Shape, set[type] | None]:
    if hasattr(value, "to_numpy") and hasattr(value, "shape"):
        value = value.to_numpy(dtype=object).tolist()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        return [value], Shape("scalar"), {type(value)}
    items = value if isinstance(value, list) else list(value)
    if not items:
        raise ArgumentError(fn, arg, "a value or a range of cells", detail="the range is empty")
    flat = _column(items)  # the usual range, one column [[a], [b], …]: one pass
    if flat is not None:
        kinds = set(map(type, flat))
        # Unpacking took one cell out of every row. Numbers and blanks come out of one-cell rows (lists,
        # tuples, arrays: the same cells as the general path), so the rows need no second pass; text may
        # be one-letter items of a 1-D list, so then the rows are checked. (A set or an iterator standing
        # for a row would pass here too, where the general path refuses it as a cell: no front end sends
        # one — xlwings, Lite and LibreOffice send lists or tuples of rows.)
        if kinds <= _COLUMN_CELLS or set(map(type, items)) <= _ROW_TYPES:
            if any(issubclass(t, _SEQ) for t in kinds):
                raise ArgumentError(fn, arg, "a value or a range of cells", detail="nested deeper than rows of cells")
            return flat, Shape("2d", len(items), 1), kinds
    if set(map(type, items)) <= _ROW_TYPES:  # rows of cells, as xlwings passes a range
        rows = items
    else:
        row_like = [isinstance(r, _SEQ) for r in items]
        if not any(row_like):
            return items, Shape("1d", len(items), 1), None
        rows = [r if ok else [r] for r, ok in zip(items, row_like, strict=True)]
    widths = set(map(len, rows))
    width = max(widths)
    if width == 0:
        raise ArgumentError(fn, arg, "a value or a range of cells", detail="the range is empty")
    if widths == {1}:
        flat = [r[0] for r in rows]
    elif len(widths) == 1:
        flat = list(itertools.chain.from_iterable(rows))
    else:
        flat = [c for r in rows for c in (*r, *([None] * (width - len(r))))]
    kinds = set(map(type, flat))
    if any(issubclass(t, _SEQ) for t in kinds):  # per distinct type, not per cell
        raise ArgumentError(fn, arg, "a value or a range of cells", detail="nested deeper than rows of cells")
    return flat, Shape("2d", len(rows), width), kinds


def _column(items: list[Any]) -> list[Any] | None:
    """The cells of a one-column range ``[[a], [b], …]``, unpacked in one pass (unpacking also checks that
    every row holds exactly one item); None when ``items`` is anything else (a 1-D list of numbers, wider
    rows …), for the general path."""
    try:
        return [c for (c,) in items]
    except Exception:  # an item that is not a one-item sequence (a number, a wider row, anything odd)
        return None


def numbers(value: Any, fn: str, arg: str, *, blank: float = np.nan, expected: str = "a number") -> tuple[np.ndarray, Shape]:
    """A range of numbers → float array (blanks become ``blank``) and its shape. Fast path for clean floats."""
    flat, shape, kinds = flatten_typed(value, fn, arg)
    return numbers_of(flat, shape, fn, arg, blank=blank, expected=expected, kinds=kinds), shape


def numbers_of(flat: list[Any], shape: Shape, fn: str, arg: str, *, blank: float = np.nan,
               expected: str = "a number", kinds: set[type] | None = None) -> np.ndarray:
    """:func:`numbers` for an argument already flattened: float array, blanks become ``blank``.
    ``kinds`` is the set of item types from :func:`flatten_typed`, if known."""
    if _plain(flat, kinds):
        arr = np.asarray(flat, dtype=float)  # None becomes NaN
        if not np.isinf(arr).any():
            return arr if np.isnan(blank) else np.where(np.isnan(arr), blank, arr)
    out = np.empty(len(flat))
    for i, v in enumerate(flat):
        out[i] = blank if is_blank(v) else number(v, fn, arg, expected=expected, where=shape.position(i))
    return out


def dates(value: Any, fn: str, arg: str) -> tuple[np.ndarray, Shape]:
    """A range of dates → datetime64[D] array (blanks NaT) and its shape. Fast path for float serials."""
    flat, shape, kinds = flatten_typed(value, fn, arg)
    if len(flat) == 1:  # one cell, the fill-down case: skip the array machinery
        v = flat[0]
        day = np.datetime64("NaT") if is_blank(v) else date(v, fn, arg, where=shape.position(0))
        return np.array([day], dtype="datetime64[D]"), shape
    if _plain(flat, kinds):
        s = np.asarray(flat, dtype=float)
        d, _why = V.serial_dates(s)
        bad = np.isnat(d) & ~np.isnan(s)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ArgumentError(fn, f"{arg}{shape.position(i)}", "a date (an Excel date serial from 61 = 1900-03-01 on)", flat[i])
        return d, shape
    out = np.empty(len(flat), dtype="datetime64[D]")
    for i, v in enumerate(flat):
        out[i] = np.datetime64("NaT") if is_blank(v) else date(v, fn, arg, where=shape.position(i))
    return out, shape


def cell(value: Any) -> Any:
    """A Python value a cell can hold: numpy scalars unboxed, NaN/NaT → '' (blank)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if value is None:
        return ""
    return value


def shaped(values: Any, shape: Shape) -> Any:
    """Give flat results the caller's shape: a scalar, a list, or a list of rows."""
    with _gc_paused(shape.size):
        return _shaped(values, shape)


def _shaped(values: Any, shape: Shape) -> Any:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        bad = ~np.isfinite(values)
        flat = values.tolist()
        if bad.any():
            for i in np.flatnonzero(bad).tolist():
                flat[i] = ""
    else:
        flat = values.tolist() if isinstance(values, np.ndarray) else list(values)
        kinds = set(map(type, flat))
        if kinds <= _CELL_READY_OR_FLOAT:  # same as cell() per item, without a call per item
            flat = ["" if v is None or (v.__class__ is float and v - v != 0) else v for v in flat]
        elif not kinds <= _CELL_READY:
            flat = [cell(v) for v in flat]
    return _layout(flat, shape)


def shaped_floats(values: np.ndarray, shape: Shape, marks: tuple[tuple[np.ndarray, str], ...] = (),
                  missing: str = "") -> Any:
    """:func:`shaped` for a float array whose marked rows hold text instead: for each ``(mask, text)`` of
    ``marks`` (in order, a later one wins) the rows of ``mask`` become ``text``; any other NaN becomes
    ``missing`` and ±inf ''. The same cells as building an object array with the text and calling
    :func:`shaped`, without checking 100k results one by one."""
    values = np.asarray(values, dtype=float).reshape(-1)
    with _gc_paused(shape.size):
        flat = values.tolist()
        bad = ~np.isfinite(values)
        if bad.any():
            for i in np.flatnonzero(bad & ~np.isnan(values)).tolist():
                flat[i] = ""
            for i in np.flatnonzero(np.isnan(values)).tolist():
                flat[i] = missing
        for mask, text in marks:
            if mask.any():
                for i in np.flatnonzero(mask).tolist():
                    flat[i] = text
        return _layout(flat, shape)


def _layout(flat: list[Any], shape: Shape) -> Any:
    if shape.kind == "scalar":
        return flat[0]
    if shape.kind == "1d":
        return flat
    if shape.cols == 1:
        return [[v] for v in flat]
    return [flat[r * shape.cols:(r + 1) * shape.cols] for r in range(shape.rows)]


def table(rows: list[list[Any]]) -> list[list[Any]]:
    """A spilled table (header row first) with every cell made cell-safe."""
    return [[cell(v) for v in r] for r in rows]


# ----------------------------------------------------------------------------------------------
# Element-wise functions: every argument one cell or a range of the same size

# rule → (what the message says is expected, test an item must pass)
RULES = {
    "any": ("a number", lambda x: np.ones(x.shape, dtype=bool)),
    "nonnegative": ("a number ≥ 0", lambda x: x >= 0),
    "positive": ("a positive number", lambda x: x > 0),
    "fraction": ("a decimal from 0 to 1 (0.9 = 90 %)", lambda x: (x >= 0) & (x <= 1)),
}
REQUIRED = object()  # marks a required argument in elementwise() specs


def elementwise(fn: str, *specs: tuple[str, Any, str, Any]) -> tuple[list[np.ndarray], Shape, np.ndarray]:
    """Element-wise numeric arguments: each a single cell or a range of the same size.

    ``specs`` are (name, value, rule, default); :data:`REQUIRED` marks a required argument. A blank
    single cell takes the default (or is an error when required); a blank cell inside a range takes
    the default too, or, for a required argument, makes that row blank. Returns the flat arrays,
    the output shape (that of the first range, else scalar) and the mask of blank rows.
    """
    arrays, shape, first = [], None, ""
    blank_parts = []
    for name, value, rule, default in specs:
        expected, ok = RULES[rule]
        flat, sh, kinds = flatten_typed(value, fn, name)
        if sh.kind == "scalar":
            kwargs = {} if default is REQUIRED else {"default": default}
            x = number(value, fn, name, expected=expected, **kwargs)
            arr = np.array([np.nan if x is None else x], dtype=float)
        else:
            arr = numbers_of(flat, sh, fn, name, expected=expected, kinds=kinds)  # flattened once, not twice
            if shape is None:
                shape, first = sh, name
            elif sh.size != shape.size:
                raise ArgumentError(fn, name, f"a range with as many cells as {first} ({shape.size})",
                                    detail=f"it has {sh.size}")
        missing = np.isnan(arr)
        if default is REQUIRED:
            blank_parts.append(missing)
        elif default is not None:
            arr = np.where(missing, float(default), arr)
        bad = ~np.isnan(arr) & ~ok(np.nan_to_num(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ArgumentError(fn, f"{name}{sh.position(i)}", expected, flat[i])
        arrays.append(arr)
    shape = shape or Shape("scalar")
    out = [np.broadcast_to(a, (shape.size,)) for a in arrays]
    blank = np.zeros(shape.size, dtype=bool)
    for b in blank_parts:
        blank |= np.broadcast_to(b, (shape.size,))
    return out, shape, blank


def shaped_blank(values, shape: Shape, blank: np.ndarray) -> Any:
    """Results in the caller's shape, blank rows as ''."""
    flat = np.asarray(values, dtype=object).reshape(-1)
    return shaped(np.where(blank, "", flat), shape)

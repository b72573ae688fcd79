"""Excel-shaped values in, core-shaped values out, and back.

What arrives from a cell: float/int numbers, ``bool``, ``str``, ``None`` for a blank cell, ``NaN``
after a DataFrame conversion, ``datetime``/``date`` (classic xlwings, scalar dates), float serials
(dates inside ranges, always under xlwings Lite and LibreOffice), error values as strings such as
``'#N/A'``, and for a range a list of rows (2-D list or tuple of tuples). Every helper here raises
:class:`~xl_cashrisk.errors.ArgumentError` with the function, the argument and, for ranges, the item
position, so the cell shows one readable line.

Shapes: :func:`flatten` records in a :class:`Shape` whether an argument was a scalar, a 1-D list or a
2-D range, and :func:`shaped` gives a result the same shape, so a column in gives a spilled column out.

This is the one argument system of every udfs module: values are read by the one values module
(:mod:`xl_cashrisk.schemas.values`); :data:`RULES` is the one table of what a number must be
(``"fraction"``: a decimal from 0 to 1 …); :class:`Elementwise` reads the arguments of a function that
works row by row — each one cell or a range, a single cell (or a one-cell range) applying to every row
— and shapes its results.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from xl_cashrisk.errors import ArgumentError
from xl_cashrisk.schemas import values as V

EXCEL_ERRORS = V.EXCEL_ERRORS
_MISSING = object()
MAX_WHOLE = 2**53  # a whole-number argument beyond this is not a count of anything a cell means
_BIG_INT = 2**1000  # a Python int from here on takes the reader's path (it may not fit a float)


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


_GO_ON = object()  # _blank_or_error: the cell holds a value to read


def _blank_or_error(value: Any, fn: str, name: str, expected: str, default: Any) -> Any:
    """``default`` for a blank cell (an error when the argument has none), an error for an Excel error value,
    :data:`_GO_ON` for a value to read."""
    if is_blank(value):
        if default is _MISSING:
            raise ArgumentError(fn, name, expected, detail="the cell is blank")
        return default
    err = _excel_error(value)
    if err:
        raise ArgumentError(fn, name, expected, detail=f"the cell holds the Excel error {err}")
    return _GO_ON


def number(value: Any, fn: str, arg: str, *, default: Any = _MISSING, expected: str = "a number",
           minimum: float | None = None, positive: bool = False, where: str = "") -> float:
    """One number. Blank → ``default`` (or an error if there is none); number text is read by the one
    values rule (:func:`xl_cashrisk.schemas.values.parse_number`: ``1,234.5``, ``(300)``; no ``%``)."""
    kind = value.__class__
    if kind is float and value - value == 0:  # a finite number in a cell: nothing to read
        x = value
    elif kind is int and -_BIG_INT < value < _BIG_INT:  # a default such as 365 (a bool is no int here)
        x = float(value)
    elif value is None:  # an omitted argument
        if default is _MISSING:
            raise ArgumentError(fn, f"{arg}{where}", expected, detail="the cell is blank")
        return default
    else:
        name = f"{arg}{where}"
        got = _blank_or_error(value, fn, name, expected, default)
        if got is not _GO_ON:
            return got
        try:
            x = V.parse_number(value)
        except V.ValueRefused as exc:
            raise ArgumentError(fn, name, expected, value, **_detail(exc)) from None
    if (positive and x <= 0) or (minimum is not None and x < minimum):
        raise ArgumentError(fn, f"{arg}{where}", expected, value)
    return x


def integer(value: Any, fn: str, arg: str, *, default: Any = _MISSING, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """One whole number (a float such as 3.0 from a cell is fine, 3.5 is not), within
    [``minimum``, ``maximum``] and never beyond ±2^53."""
    top = MAX_WHOLE if maximum is None else maximum
    kind = value.__class__
    if (kind is int or (kind is float and value.is_integer())) and -top <= value <= top and (
            minimum is None or value >= minimum):  # a whole number in range: nothing to read
        return int(value)
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


def read_once(read: Callable[..., Any]) -> Callable[..., Any]:
    """``read`` — the reading of a function's options (thresholds, words, a policy's terms, bucket edges)
    from its arguments — done once per distinct set of cell values: a filled-down column passes the same
    options on every row. Keyed on the values and their types (1, 1.0 and TRUE are read apart); a range
    (a list, unhashable) is read every time; a refused value is not remembered, so its message comes
    every time. ``read`` must depend on its arguments only."""
    cached = functools.lru_cache(maxsize=256, typed=True)(read)

    @functools.wraps(read)
    def reader(*args: Any) -> Any:
        try:
            hash(args)
        except TypeError:
            return read(*args)
        return cached(*args)

    return reader


@functools.lru_cache(maxsize=256)
def _options(allowed: tuple[str, ...]) -> dict[str, str]:
    """Each option of ``allowed`` under its upper-case form (the first of two that share one)."""
    table: dict[str, str] = {}
    for option in allowed:
        table.setdefault(option.upper(), option)
    return table


def text(value: Any, fn: str, arg: str, *, allowed: tuple[str, ...] | None = None, default: Any = _MISSING) -> str:
    """One text option, matched case-insensitively against ``allowed`` and returned as spelled there."""
    if value.__class__ is str and allowed is not None and len(value) < 100:  # an option as typed: one look-up
        option = _options(allowed).get(value.strip().upper())
        if option is not None:
            return option
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
    if value is True or value is False:
        return value
    if is_blank(value):
        return default
    try:
        return V.parse_bool(value)
    except V.ValueRefused:
        raise ArgumentError(fn, arg, "TRUE or FALSE", value) from None


def date(value: Any, fn: str, arg: str, *, default: Any = _MISSING, where: str = "") -> dt.date:
    """One date by the one values rule (:func:`xl_cashrisk.schemas.values.parse_date`): a datetime/date,
    an Excel serial from 61 (1900-03-01) or text such as 2024-06-30, 2024/6/30, 2024年6月30日."""
    if value.__class__ is float and value == value:  # a serial, the usual date cell
        try:
            return V.parse_date(value)
        except V.ValueRefused:
            pass  # worded below
    name = f"{arg}{where}"
    expected = "a date"
    got = _blank_or_error(value, fn, name, expected, default)
    if got is not _GO_ON:
        return got
    if isinstance(value, np.datetime64) and np.isnat(value):
        raise ArgumentError(fn, name, expected, detail="the cell is blank")
    if isinstance(value, bool | np.bool_):
        raise ArgumentError(fn, name, expected, value)
    try:
        return V.parse_date(value)
    except V.ValueRefused as exc:
        serial = isinstance(value, int | float | np.integer | np.floating)
        what = "a date (an Excel date serial from 61 = 1900-03-01 on)" if serial else \
            expected + " (YYYY-MM-DD text, a date cell or a serial)"
        raise ArgumentError(fn, name, what, value, **({} if serial else _detail(exc))) from None


def today() -> dt.date:
    return dt.date.today()


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


SCALAR = Shape("scalar")  # a plain value
ONE_CELL = Shape("2d", 1, 1)  # a one-cell range, ``[[v]]``: how xlwings passes a referenced cell to a range argument
# cells a front end sends as a plain value (what _flatten takes as a scalar), for the one-cell path
_CELL_KINDS = frozenset({float, int, str, bool, type(None), dt.date, dt.datetime, np.float64})


def single(value: Any) -> tuple[Any, Shape] | None:
    """The cell and shape of a one-cell argument — a plain value (:data:`SCALAR`) or a one-cell range
    ``[[v]]`` (:data:`ONE_CELL`) — without flattening; None for anything else (a range of several cells,
    a 1-D list, an array, a DataFrame), which :func:`flatten` reads. The same cell and shape as
    :func:`flatten` gives: the fast path of a filled-down cell (issue 20)."""
    kind = value.__class__
    if kind in _CELL_KINDS:
        return value, SCALAR
    if kind is list and len(value) == 1:
        row = value[0]
        if row.__class__ is list and len(row) == 1 and row[0].__class__ in _CELL_KINDS:
            return row[0], ONE_CELL
    return None


def first_true(mask: Any) -> int | None:
    """Position of the first True of a mask (one bool for one value), None when there is none."""
    if mask.__class__ is bool or mask.__class__ is np.bool_:
        return 0 if mask else None
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


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
    return dates_of(flat, shape, fn, arg, kinds), shape


def dates_of(flat: list[Any], shape: Shape, fn: str, arg: str, kinds: set[type] | None = None) -> np.ndarray:
    """:func:`dates` for an argument already flattened."""
    if len(flat) == 1:  # one cell: skip the array machinery
        v = flat[0]
        day = np.datetime64("NaT") if is_blank(v) else date(v, fn, arg, where=shape.position(0))
        return np.array([day], dtype="datetime64[D]")
    if _plain(flat, kinds):
        s = np.asarray(flat, dtype=float)
        d, _why = V.serial_dates(s)
        bad = np.isnat(d) & ~np.isnan(s)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ArgumentError(fn, f"{arg}{shape.position(i)}", "a date (an Excel date serial from 61 = 1900-03-01 on)", flat[i])
        return d
    out = np.empty(len(flat), dtype="datetime64[D]")
    for i, v in enumerate(flat):
        out[i] = np.datetime64("NaT") if is_blank(v) else date(v, fn, arg, where=shape.position(i))
    return out


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

# rule → (what the message says is expected, test an item must pass, None for none): the one table of every
# udfs module. A test takes a float array or one Python float (a bool comes back for it).
RULES: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    "any": ("a number", None),
    "nonnegative": ("a number ≥ 0", lambda x: x >= 0),
    "positive": ("a positive number", lambda x: x > 0),
    "fraction": ("a decimal from 0 to 1 (0.9 = 90 %)", lambda x: (x >= 0) & (x <= 1)),
    "probability": ("a probability between 0 and 1, both excluded (0.02 for 2 %)", lambda x: (x > 0) & (x < 1)),
    "paydex": ("a PAYDEX between 0 and 100", lambda x: (x >= 0) & (x <= 100)),
    "score": ("a score between 0 and 100", lambda x: (x >= 0) & (x <= 100)),
}
REQUIRED = object()  # Elementwise.number(default=REQUIRED): the argument must be given
_NAN = math.nan


def check_same_size(fn: str, name: str, shape: Shape, first: str, first_shape: Shape) -> None:
    """Refuse a range ``name`` whose number of cells differs from that of the range ``first``."""
    if shape.size != first_shape.size:
        raise ArgumentError(fn, name, f"a range with as many cells as {first} ({first_shape.size})",
                            detail=f"it has {shape.size}")


class Elementwise:
    """The arguments of an element-by-element function, converted one by one (the one way every udfs
    module reads a row of Excel arguments).

    Each argument is a single cell or a range. Ranges of more than one cell all have the same number of
    cells, one per row of the result; a single cell applies to every row, whether it arrives as a value
    or as a one-cell range (xlwings passes a referenced cell as ``[[v]]`` to an ``ndim=2`` argument).
    The result takes the shape of the first range of more than one cell, else of a one-cell range,
    else it is a single value. :meth:`result` gives blank cells on rows where a required argument is
    blank and the token on rows given a pass-through word (``"NR"``).

    One cell per argument, the filled-down cell (issue 20): a one-cell argument is read as one Python
    value — :meth:`number` gives a float, :meth:`text` a str, :meth:`date` a date — by the same rules
    and with the same messages as a range, and :meth:`result` shapes one value without an array. The
    core formulas take such floats as they are (``xl_cashrisk._array``). :attr:`blank` and
    :attr:`passed` are bools until a range of several cells makes them one flag per row.
    """

    __slots__ = ("blank", "first", "fn", "passed", "shape")

    def __init__(self, fn: str):
        self.fn = fn
        self.shape = SCALAR
        self.first = ""  # the first range of more than one cell, named in size messages
        self.blank: Any = False  # rows where a required argument is blank
        self.passed: Any = False  # rows given a pass-through word

    @property
    def size(self) -> int:
        return self.shape.size

    def _one(self, value: Any) -> tuple[Any, Shape] | None:
        """The cell and shape of a one-cell argument (:func:`single`), its shape fitted to the others'."""
        one = single(value)
        if one is not None and one[1] is ONE_CELL and self.shape.kind == "scalar":
            self.shape = ONE_CELL  # the result takes a one-cell range's shape when no larger range comes
        return one

    def cells(self, name: str, value: Any) -> tuple[list[Any], Shape, set[type] | None]:
        """One argument flattened (:func:`flatten_typed`) and its size fitted to the others'; for an
        argument whose cells the caller reads itself."""
        one = self._one(value)
        if one is not None:
            return [one[0]], one[1], {one[0].__class__}
        flat, sh, kinds = flatten_typed(value, self.fn, name)
        if sh.kind == "scalar" or (sh.size == 1 and self.shape.kind != "scalar"):
            return flat, sh, kinds  # one cell: it applies to every row
        if self.size == 1:
            self.shape = sh
            if sh.size > 1:
                self.first = name
                self.blank = np.repeat(self.blank, sh.size)
                self.passed = np.repeat(self.passed, sh.size)
        else:
            check_same_size(self.fn, name, sh, self.first, self.shape)
        return flat, sh, kinds

    def number(self, name: str, value: Any, rule: str = "any", *, default: Any = REQUIRED,
               words: frozenset[str] = frozenset(), pass_through: bool = False) -> Any:
        """One numeric argument: a Python float for one cell, a float array with one item per row for a range.

        ``rule`` names the test of :data:`RULES` every given value must pass. ``default``:
        :data:`REQUIRED` (a blank single cell is an error, a blank cell in a range blanks its row),
        ``None`` (blanks stay NaN: the core reads NaN as "not given") or the number blanks stand for.
        ``words``: texts (matched trimmed, any case) that stand for a missing value here, such as our
        own functions' "NR" and "UN"; they read as blank, and with ``pass_through`` their rows give
        :meth:`result`'s token instead.
        """
        expected, ok = RULES[rule]
        kind = value.__class__
        if kind is float and value - value == 0:  # a finite number in a cell: the usual case
            if ok is None or ok(value):
                return value
            raise ArgumentError(self.fn, name, expected, value)
        if kind is int and -_BIG_INT < value < _BIG_INT:  # a whole number, or a default such as 365
            x = float(value)
            if ok is None or ok(x):
                return x
            raise ArgumentError(self.fn, name, expected, value)
        one = self._one(value)
        if one is not None:
            return self._number_one(name, one[0], one[1], expected, ok, default, words, pass_through)
        flat, sh, kinds = self.cells(name, value)
        if kinds is None:
            kinds = set(map(type, flat))
        word = None
        if not words or str not in kinds:  # no text, no word: vectorised, same messages
            out = numbers_of(flat, sh, self.fn, name, expected=expected, kinds=kinds)
        else:
            out, word = self._numbers_or_words(flat, sh, name, expected, words)
        passing = word if pass_through and word is not None else np.zeros(len(flat), dtype=bool)
        missing = np.isnan(out)
        if default is REQUIRED:
            if sh.kind == "scalar" and missing[0] and not passing[0]:
                raise ArgumentError(self.fn, name, expected, detail="the cell is blank")
            self.blank = self.blank | missing
        elif default is not None:
            out = np.where(missing, float(default), out)
        if ok is not None:
            bad = ~np.isnan(out) & ~ok(out)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ArgumentError(self.fn, f"{name}{sh.position(i)}", expected, flat[i])
        if passing.any():
            self.passed = self.passed | passing
        return out

    def _number_one(self, name: str, v: Any, sh: Shape, expected: str, ok: Callable[[Any], Any] | None,
                    default: Any, words: frozenset[str], pass_through: bool) -> float:
        """:meth:`number` for one cell: the steps of the range path on one Python value."""
        kind = v.__class__
        word = False
        if kind is float or kind is np.float64:
            x = float(v) if v - v == 0 or v != v else number(v, self.fn, name, expected=expected, where=sh.position(0))
        elif v is None:
            x = _NAN
        elif kind is str:
            if words and v.strip().upper() in words:
                word, x = True, _NAN
            else:
                x = _NAN if not v.strip() else number(v, self.fn, name, expected=expected, where=sh.position(0))
        elif kind is int and -_BIG_INT < v < _BIG_INT:  # as np.asarray reads a plain int
            x = float(v)
        else:  # bool, a date, a huge int: the one reader refuses or converts it, with its message
            x = number(v, self.fn, name, expected=expected, where=sh.position(0))
        passing = word and pass_through
        if x != x:
            if default is REQUIRED:
                if sh is SCALAR and not passing:
                    raise ArgumentError(self.fn, name, expected, detail="the cell is blank")
                self.blank = self.blank | True
            elif default is not None:
                x = float(default)
        if ok is not None and x == x and not ok(x):
            raise ArgumentError(self.fn, f"{name}{sh.position(0)}", expected, v)
        if passing:
            self.passed = self.passed | True
        return x

    def _numbers_or_words(self, flat: list[Any], sh: Shape, name: str, expected: str,
                          words: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(len(flat), np.nan)
        word = np.zeros(len(flat), dtype=bool)
        for i, v in enumerate(flat):
            if isinstance(v, str) and v.strip().upper() in words:
                word[i] = True
            elif not is_blank(v):
                out[i] = number(v, self.fn, name, expected=expected, where=sh.position(i))
        return out, word

    def text(self, name: str, value: Any, expected: str) -> Any:
        """One text argument (codes such as a country): the trimmed text ('' for a blank) for one cell,
        an object array of them for a range."""
        one = self._one(value)
        if one is not None:
            v, sh = one
            if is_blank(v):
                return ""
            if v.__class__ is str and not v.strip().startswith("#"):
                return check_text(v, self.fn, name).strip()
            raise ArgumentError(self.fn, f"{name}{sh.position(0)}", expected, v)
        flat, sh, _ = self.cells(name, value)
        try:  # each distinct value is checked once (a 100k-row column holds a few dozen countries)
            distinct = set(flat)
        except TypeError:
            distinct = set()
        ok: dict[Any, str] = {}
        for v in distinct:
            if is_blank(v):
                ok[v] = ""
            elif isinstance(v, str) and not v.strip().startswith("#"):
                ok[v] = check_text(v, self.fn, name).strip()
        out = np.empty(len(flat), dtype=object)
        if len(ok) == len(distinct) and distinct:
            if all(ok[v] is v for v in distinct):  # codes already trimmed (the usual case): no lookups
                out[:] = flat
            else:
                out[:] = [ok[v] for v in flat]
            return out
        for i, v in enumerate(flat):
            if is_blank(v):
                out[i] = ""
            elif isinstance(v, str) and not v.strip().startswith("#"):
                out[i] = v.strip()
            else:
                raise ArgumentError(self.fn, f"{name}{sh.position(i)}", expected, v)
        return out

    def date(self, name: str, value: Any) -> Any:
        """One date argument (:func:`date`'s rule): a date, or None for a blank, for one cell; a
        datetime64[D] array (NaT where blank) for a range. Blank cells give blank rows."""
        if value.__class__ is float and value == value:  # a serial in a cell: the usual case
            try:
                return V.parse_date(value)
            except V.ValueRefused:
                pass  # worded by date() below
        one = self._one(value)
        if one is not None:
            v, sh = one
            if is_blank(v):
                self.blank = self.blank | True
                return None
            return date(v, self.fn, name, where=sh.position(0))
        flat, sh, kinds = self.cells(name, value)
        days = dates_of(flat, sh, self.fn, name, kinds)
        self.blank = self.blank | np.isnat(days)
        return days

    def add_blank(self, rows: Any) -> None:
        """Blank these rows of the result as well (an argument kind the caller read through :meth:`cells`)."""
        self.blank = self.blank | rows

    def add_passed(self, rows: Any) -> None:
        """Give these rows the pass-through token as well."""
        self.passed = self.passed | rows

    def first_given(self, mask: Any) -> int | None:
        """The first row where ``mask`` holds, rows with a blank required argument left out (None: no such row)."""
        if isinstance(self.blank, np.ndarray):
            return first_true(mask & ~self.blank)
        return None if self.blank else first_true(mask)

    def full(self, values: Any) -> np.ndarray:
        """An argument's array with one item per row (a single cell repeated)."""
        if isinstance(values, np.ndarray) and values.size != 1:
            return values
        return np.broadcast_to(values, (self.size,))

    def result(self, values: Any, *, token: str = "", missing: str = "") -> Any:
        """The results in the caller's shape: blank rows '', rows given a pass-through word ``token``;
        other NaN results ``missing`` ('' unless said otherwise), ±inf ''."""
        if self.shape is SCALAR and self.blank is False and self.passed is False and (
                (values.__class__ is float and values - values == 0) or (values.__class__ is str and not missing)):
            return values  # one finite number or one text from plain values: the usual case
        if self.shape.size == 1:
            kind = values.__class__
            if kind is float or kind is np.float64 or kind is str or kind is int or kind is bool:
                return self._result_one(values, token, missing)
        arr = np.asarray(values)
        size = self.size
        blank, passed = np.broadcast_to(self.blank, (size,)), np.broadcast_to(self.passed, (size,))
        if arr.dtype == np.float64:  # numbers: no object array, no per-cell check
            return shaped_floats(np.broadcast_to(arr, (size,)), self.shape, ((blank, ""), (passed, token)), missing)
        if missing:
            raise ValueError("missing= is for number results")
        out = np.array(np.broadcast_to(np.asarray(values, dtype=object), (size,)), dtype=object)
        out[blank] = ""
        out[passed] = token
        return shaped(out, self.shape)

    def _result_one(self, value: Any, token: str, missing: str) -> Any:
        """:meth:`result` of one value: the same cell as the one-item array path gives."""
        if value.__class__ is float or value.__class__ is np.float64:
            value = float(value)
            if value - value != 0:  # NaN: missing; ±inf: ''
                value = missing if value != value else ""
        elif missing:
            raise ValueError("missing= is for number results")
        if self.passed if self.passed.__class__ is bool else bool(np.asarray(self.passed).reshape(-1)[0]):
            value = token
        elif self.blank if self.blank.__class__ is bool else bool(np.asarray(self.blank).reshape(-1)[0]):
            value = ""
        return _layout([value], self.shape)

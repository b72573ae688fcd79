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

# rule → (what the message says is expected, test an item must pass): the one table of every udfs module
RULES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "any": ("a number", lambda x: np.ones(x.shape, dtype=bool)),
    "nonnegative": ("a number ≥ 0", lambda x: x >= 0),
    "positive": ("a positive number", lambda x: x > 0),
    "fraction": ("a decimal from 0 to 1 (0.9 = 90 %)", lambda x: (x >= 0) & (x <= 1)),
    "probability": ("a probability between 0 and 1, both excluded (0.02 for 2 %)", lambda x: (x > 0) & (x < 1)),
    "paydex": ("a PAYDEX between 0 and 100", lambda x: (x >= 0) & (x <= 100)),
    "score": ("a score between 0 and 100", lambda x: (x >= 0) & (x <= 100)),
}
REQUIRED = object()  # Elementwise.number(default=REQUIRED): the argument must be given


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

    A call of single cells takes the same steps on one-item arrays; a scalar fast path (issue 20)
    belongs in :meth:`number` and :meth:`result`, the two ends every function goes through.
    """

    def __init__(self, fn: str):
        self.fn = fn
        self.shape = Shape("scalar")
        self.first = ""  # the first range of more than one cell, named in size messages
        self.blank = np.zeros(1, dtype=bool)  # rows where a required argument is blank
        self.passed = np.zeros(1, dtype=bool)  # rows given a pass-through word

    @property
    def size(self) -> int:
        return self.shape.size

    def cells(self, name: str, value: Any) -> tuple[list[Any], Shape, set[type] | None]:
        """One argument flattened (:func:`flatten_typed`) and its size fitted to the others'; for an
        argument whose cells the caller reads itself."""
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
               words: frozenset[str] = frozenset(), pass_through: bool = False) -> np.ndarray:
        """One numeric argument: a float array of one item (a single cell) or one per row (a range).

        ``rule`` names the test of :data:`RULES` every given value must pass. ``default``:
        :data:`REQUIRED` (a blank single cell is an error, a blank cell in a range blanks its row),
        ``None`` (blanks stay NaN: the core reads NaN as "not given") or the number blanks stand for.
        ``words``: texts (matched trimmed, any case) that stand for a missing value here, such as our
        own functions' "NR" and "UN"; they read as blank, and with ``pass_through`` their rows give
        :meth:`result`'s token instead.
        """
        expected, ok = RULES[rule]
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
        bad = ~np.isnan(out) & ~ok(out)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ArgumentError(self.fn, f"{name}{sh.position(i)}", expected, flat[i])
        if passing.any():
            self.passed = self.passed | passing
        return out

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

    def text(self, name: str, value: Any, expected: str) -> np.ndarray:
        """One text argument (codes such as a country): trimmed texts, '' for blanks, as an object array."""
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

    def add_blank(self, rows: np.ndarray) -> None:
        """Blank these rows of the result as well (an argument kind the caller read through :meth:`cells`)."""
        self.blank = self.blank | rows

    def add_passed(self, rows: np.ndarray) -> None:
        """Give these rows the pass-through token as well."""
        self.passed = self.passed | rows

    def full(self, values: np.ndarray) -> np.ndarray:
        """An argument's array with one item per row (a single cell repeated)."""
        return np.broadcast_to(values, (self.size,)) if values.size == 1 else values

    def result(self, values: Any, *, token: str = "", missing: str = "") -> Any:
        """The results in the caller's shape: blank rows '', rows given a pass-through word ``token``;
        other NaN results ``missing`` ('' unless said otherwise), ±inf ''."""
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

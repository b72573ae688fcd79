"""Typing of table cells read from a file, vectorised, with every problem named by row and header.

:func:`convert_column` turns one column of raw cell values (what python-calamine gives: str, float,
int, bool, date, datetime; or a typed column from the columnar reader) into a typed array following its
:class:`~xl_cashrisk.schemas.Column`, and lists a :class:`~xl_cashrisk.schemas.rules.Problem` for every
cell it cannot use, by the rules of :mod:`xl_cashrisk.schemas.values`. The table's cross-column rules
live with its schema (:mod:`xl_cashrisk.schemas.rules`). Nothing is coerced silently: a cell that is not
used as typed is a problem (an error, or a warning when the value was still understood, e.g. a number
stored as text).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd

from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.rules import Problem, Severity
from xl_cashrisk.schemas.schema import Column

__all__ = ["EXCEL_ERRORS", "convert_column"]

EXCEL_ERRORS = V.EXCEL_ERRORS
MAX_MAGNITUDE = V.MAX_MAGNITUDE


# --------------------------------------------------------------------------------------------- cells


def convert_column(
    column: Column, values: np.ndarray, rows: np.ndarray, *, sheet: str | None = None, header: str | None = None,
    arrow=None, date1904: bool = False, reference: dt.date | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Raw cell values of one column → (typed values, bad-cell mask, problems), by the rules of
    :mod:`xl_cashrisk.schemas.values` (the one reading of dates, numbers, percents and flags).

    Typed values: float64 (number, integer, percent; NaN blank), datetime64[ns] (date; NaT blank),
    bool or object (bool), object of str/None (text, choice). Blank cells take ``column.default``.
    ``arrow``: the same cells as a pyarrow string array, when the columnar reader has one (text cells are
    then screened with Arrow kernels instead of per distinct value in Python; same results).
    ``date1904``: the workbook counts date serials in the 1904 system. ``reference``: the as-of date a
    date must lie within :data:`~xl_cashrisk.schemas.values.PLAUSIBLE_YEARS` of (default: today).

    >>> v, bad, probs = convert_column(Column("amount", "金额", "Amount", "number", required=True),
    ...                                np.array([1.5, "2,000", "", "n/a"], dtype=object), np.arange(4, 8))
    >>> v.tolist(), bad.tolist()
    ([1.5, 2000.0, nan, nan], [False, False, True, True])
    >>> [f"{p.severity} row {p.row}: {p.message}" for p in probs]
    ['warning row 5: number stored as text', 'error row 6: required value missing', "error row 7: expected a number, got 'n/a' / 应为数字"]
    """
    head = header or column.header
    if _is_arrow(values):  # text loaded column-wise: typed without a Python object per cell where it can be
        if column.dtype in ("text", "choice") and len(values):
            return _arrow_texts(column, values, rows, sheet, head)
        values, arrow = values.to_numpy(zero_copy_only=False), values
    cells = _Cells(_as_read(column, values), rows, sheet, head)
    text, blank, usable_str = _screen_text(cells, arrow)
    out = _typed(column, cells, text, usable_str, blank, arrow, date1904, reference or dt.date.today())
    out = _blanks(column, cells, out, blank)
    if column.unique:
        cells.problems.extend(_duplicates(out, ~cells.bad & ~pd.isna(out), rows, sheet, head))
    cells.problems.sort(key=lambda p: p.row)
    return out, cells.bad, cells.problems


class _Cells:
    """One column's cells on their way to typed values: the values as read, each cell's kind, the cells
    refused so far and the problems found so far."""

    def __init__(self, vals: np.ndarray, rows: np.ndarray, sheet: str | None, head: str):
        self.vals, self.rows, self.sheet, self.head = vals, rows, sheet, head
        self.kinds = _kinds(vals)
        self.bad = np.zeros(len(vals), dtype=bool)
        self.problems: list[Problem] = []

    def report(self, sev: Severity, mask: np.ndarray, msg: Callable[..., str] | str,
               why: np.ndarray | None = None) -> None:
        """One problem per True in ``mask``; ``msg`` a text, or a function of the cell's value (and ``why``)."""
        for i in np.flatnonzero(mask):
            if isinstance(msg, str):
                text = msg
            else:
                value = _python_value(self.vals[i])
                text = msg(value) if why is None else msg(value, why[i])
            self.problems.append(Problem(sev, self.sheet, int(self.rows[i]), self.head, text))


def _as_read(column: Column, values: np.ndarray) -> np.ndarray:
    """The values to type: a typed column (float64 numbers, datetime64 dates: the columnar reader) as it
    is, skipping the per-cell kinds; anything else as Python objects."""
    typed = isinstance(values, np.ndarray) and values.dtype.kind in "fM"
    if typed and values.dtype.kind == "M" and column.dtype != "date":
        return _calamine_values(values)  # a date where text or a flag is expected: as the grid gives it
    return values if typed else np.asarray(values, dtype=object)


def _screen_text(cells: _Cells, arrow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stripped text, blank, usable text) of the text cells; Excel error values and formulas stored as
    text are reported and refused."""
    vals, kinds = cells.vals, cells.kinds
    n = len(vals)
    is_str = kinds == _STR
    any_str = bool(is_str.any())
    # no text cell: a read-only stand-in (only ever indexed by all-False masks)
    text = np.full(n, "", dtype=object) if any_str else np.broadcast_to(np.array("", dtype=object), (n,))
    err = np.zeros(n, dtype=bool)
    formula = np.zeros(n, dtype=bool)
    if arrow is not None and len(arrow) == n and n and bool(is_str.all()):
        padded, stripped, err, formula = _screen_text_arrow(arrow)
        text = vals.copy()
        text[padded] = stripped
    elif any_str:
        # work on distinct strings: ledgers repeat buyer ids, currencies and doc types many times over
        idx = np.flatnonzero(is_str)
        codes, uniq = pd.factorize(vals[idx])
        stripped = np.empty(len(uniq), dtype=object)
        stripped[:] = [s.strip() for s in uniq]
        text[idx] = stripped[codes]
        lead = np.array([s[:1] for s in stripped], dtype="U1")[codes]
        err[idx] = np.array([s in EXCEL_ERRORS for s in stripped], dtype=bool)[codes] & (lead == "#")
        formula[idx[lead == "="]] = True
    blank = (kinds == _BLANK) | (is_str & (text == ""))
    cells.report("error", err, _error_value_message)
    cells.report("error", formula, _formula_message)
    cells.bad |= err | formula
    return text, blank, is_str & ~blank & ~cells.bad


def _typed(column: Column, cells: _Cells, text, usable_str, blank, arrow, date1904: bool,
           reference: dt.date) -> np.ndarray:
    """The column's typed values, by its dtype."""
    c = cells
    kind = column.dtype
    if kind in ("number", "integer", "percent"):
        return _numbers(column, c.vals, c.kinds, text, usable_str, blank, c.bad, c.report)
    if kind == "date":
        return _dates(c.vals, c.kinds, text, usable_str, c.bad, c.report, date1904, reference)
    if kind == "bool":
        return _flags(c.vals, c.kinds, text, usable_str, c.bad, c.report)
    return _texts(column, c.vals, c.kinds, text, usable_str, blank, c.bad, c.report, arrow)  # text, choice


def _blanks(column: Column, cells: _Cells, out: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Blank cells take the column's default, or are refused when the column is required."""
    missing = blank & ~cells.bad
    if column.default is not None and missing.any():
        out[missing] = column.default
    elif column.required:
        cells.report("error", missing, "required value missing")
        cells.bad |= missing
    if column.dtype == "bool":
        out = out.astype(bool) if column.default is not None and not pd.isna(out).any() else out
    return out


def _numbers(column: Column, vals, kinds, text, usable_str, blank, bad, report) -> np.ndarray:
    """Number, whole-number and percent cells (float64; NaN blank or bad)."""
    kind = column.dtype
    n = len(vals)
    out = np.full(n, np.nan)
    num = kinds == _NUM
    out[num] = vals[num].astype(float)
    if usable_str.any():
        parsed, why = V.parse_numbers(text[usable_str], "percent" if kind == "percent" else "number")
        ok = ~np.isnan(parsed)
        idx = np.flatnonzero(usable_str)
        out[idx[ok]] = parsed[ok]
        good = np.zeros(n, dtype=bool)
        good[idx[ok]] = True
        nogood = np.zeros(n, dtype=bool)
        nogood[idx[~ok]] = True
        reasons = np.full(n, None, dtype=object)
        reasons[idx] = why
        report("warning", good, "number stored as text")
        report("error", nogood, lambda v, r: V.message("number", v, r), reasons)
        bad |= nogood
    as_date = kinds == _DATE
    report("error", as_date, lambda v: V.message("number", v, "date_in_number"))
    other = ~num & (kinds != _STR) & ~blank & ~as_date
    report("error", other, lambda v: V.message("number", v))
    bad |= other | as_date
    nonfinite = num & ~np.isfinite(out)
    report("error", nonfinite, lambda v: V.message("number", v, "nonfinite"))
    bad |= nonfinite
    out[nonfinite] = np.nan
    if kind == "integer":
        frac = ~bad & ~np.isnan(out) & (out != np.round(out))
        report("error", frac, lambda v: V.message("integer", v, "fraction"))
        bad |= frac
        out[frac] = np.nan
    _bounds(column, out, bad, report)
    return out


def _dates(vals, kinds, text, usable_str, bad, report, date1904: bool, reference: dt.date) -> np.ndarray:
    """Date cells (datetime64[ns]; NaT blank or bad): date cells, serials in the workbook's date system,
    date text; each within the Excel range and within PLAUSIBLE_YEARS of ``reference``."""
    n = len(vals)
    days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if vals.dtype.kind == "M":  # typed by the columnar reader, in any unit: never through ns before checking
        days = vals.astype("datetime64[D]")
        first, last = np.datetime64(V.FIRST_DATE, "D"), np.datetime64(V.LAST_DATE, "D")
        refused = ~np.isnat(days) & ((days < first) | (days > last))
        why = np.where(refused, "out_of_range", None) if refused.any() else None
    else:
        why = np.full(n, None, dtype=object)
        for mask, parse in ((kinds == _DATE, V.object_dates), (usable_str, V.parse_dates),
                            (kinds == _NUM, lambda x: V.serial_dates(x.astype(float), date1904=date1904))):
            if mask.any():
                source = text if parse is V.parse_dates else vals
                days[mask], why[mask] = parse(source[mask])
        other = (kinds == _BOOL) | (kinds == _OTHER)
        why[other] = "unreadable"
        refused = why != None  # noqa: E711 — element-wise on an object array
    report("error", refused, lambda v, r: V.message("date", v, r), why)
    bad |= refused
    days[refused] = np.datetime64("NaT")
    far = ~V.plausible_dates(days, reference)
    report("error", far, lambda v, i: V.message("date", v, detail=V.implausible(i, reference)), days)
    bad |= far
    days[far] = np.datetime64("NaT")
    return days.astype("datetime64[ns]")


def _flags(vals, kinds, text, usable_str, bad, report) -> np.ndarray:
    """TRUE/FALSE cells (object of bool/None): booleans, the numbers 1/0, the words of the values module."""
    n = len(vals)
    out = np.full(n, None, dtype=object)
    b = kinds == _BOOL
    out[b] = vals[b].astype(bool)
    num = kinds == _NUM
    if num.any():
        f = vals[num].astype(float)
        ok = (f == 0) | (f == 1)
        idx = np.flatnonzero(num)
        out[idx[ok]] = f[ok] == 1
        nogood = np.zeros(n, dtype=bool)
        nogood[idx[~ok]] = True
        report("error", nogood, lambda v: V.message("bool", v))
        bad |= nogood
    if usable_str.any():
        idx = np.flatnonzero(usable_str)
        t, f = V.bool_words(text[usable_str])
        out[idx[t]] = True
        out[idx[f]] = False
        nogood = np.zeros(n, dtype=bool)
        nogood[idx[~(t | f)]] = True
        report("error", nogood, lambda v: V.message("bool", v))
        bad |= nogood
    other = (kinds == _DATE) | (kinds == _OTHER)
    report("error", other, lambda v: V.message("bool", v))
    bad |= other
    return out


def _texts(column: Column, vals, kinds, text, usable_str, blank, bad, report, arrow) -> np.ndarray:
    """Text and choice cells (object of str/None); a text longer than a cell holds is refused."""
    n = len(vals)
    out = np.full(n, None, dtype=object)
    out[usable_str] = text[usable_str]
    num = kinds == _NUM
    if num.any():
        out[num] = [_num_text(v) for v in vals[num]]
    other = (kinds == _DATE) | (kinds == _BOOL) | (kinds == _OTHER)
    if other.any():
        out[other] = [v.isoformat() if isinstance(v, dt.date) else str(v).upper() for v in vals[other]]
    long = np.zeros(n, dtype=bool)
    if usable_str.any():
        if arrow is not None and len(arrow) == n:
            import pyarrow.compute as pc

            cand = np.flatnonzero(pc.greater(pc.utf8_length(arrow), V.MAX_TEXT // 2).to_numpy(zero_copy_only=False))
        else:
            cand = np.flatnonzero(usable_str)
            cand = cand[np.fromiter((len(t) > V.MAX_TEXT // 2 for t in text[cand]), bool, len(cand))]
        long[cand[[V.text_too_long(text[i]) for i in cand]]] = True
    report("error", long, _long_text_message)
    bad |= long
    out[long] = None
    if column.dtype == "choice" and column.allowed:
        canon = {a.casefold(): a for a in column.allowed}
        filled = ~blank & ~bad
        codes, uniq = pd.factorize(out[filled])
        mapped = np.array([canon.get(str(v).casefold()) for v in uniq] + [None], dtype=object)[codes]
        idx = np.flatnonzero(filled)
        unknown = np.zeros(n, dtype=bool)
        unknown[idx[pd.isna(mapped)]] = True
        out[idx] = mapped
        report("error", unknown, _choice_message(column))
        bad |= unknown
    return out


def _bounds(column: Column, out: np.ndarray, bad: np.ndarray, report) -> None:
    ok = ~bad & ~np.isnan(out)
    huge = ok & (np.abs(out) >= MAX_MAGNITUDE)
    report("error", huge, lambda v: f"{V.show(v) if isinstance(v, str) else format(float(v), '.6g')} is not a plausible value (beyond ±10^15); check the cell")
    bad |= huge
    ok &= ~huge
    if column.minimum is not None:
        low = ok & (out < column.minimum)
        report("error", low, lambda v: f"must be at least {_num_text(column.minimum)}, got {V.show(v)}")
        bad |= low
    if column.maximum is not None:
        high = ok & (out > column.maximum)
        report("error", high, lambda v: f"must be at most {_num_text(column.maximum)}, got {V.show(v)}")
        bad |= high
    out[bad] = np.nan


def _duplicates(values: np.ndarray, mask: np.ndarray, rows: np.ndarray, sheet, head) -> list[Problem]:
    idx = np.flatnonzero(mask)
    kept = values[idx]
    if len(set(kept.tolist())) == len(kept):  # the usual case: all distinct (a C-level set build)
        return []
    s = pd.Series(kept, index=rows[idx], dtype=object if kept.dtype == object else None)
    dup = s.duplicated(keep="first").to_numpy()
    if not dup.any():
        return []
    first = pd.Series(s.index[~dup], index=s[~dup].to_numpy())
    firsts = first.reindex(s[dup].to_numpy()).to_numpy()
    return [Problem("error", sheet, int(r), head, f"duplicate value {V.show(v)} (first on row {int(f)})")
            for r, v, f in zip(s.index[dup], s[dup].to_numpy(), firsts, strict=False)]


_BLANK, _STR, _NUM, _BOOL, _DATE, _OTHER = range(6)
_KIND_OF = {type(None): _BLANK, str: _STR, float: _NUM, int: _NUM, bool: _BOOL, dt.date: _DATE,
            dt.datetime: _DATE, np.float64: _NUM, np.int64: _NUM, np.bool_: _BOOL, pd.Timestamp: _DATE,
            np.datetime64: _DATE, dt.time: _DATE}


def _kinds(vals: np.ndarray) -> np.ndarray:
    if vals.dtype.kind == "f":
        return np.where(np.isnan(vals), _BLANK, _NUM).astype(np.int8)
    if vals.dtype.kind == "M":
        return np.where(np.isnat(vals), _BLANK, _DATE).astype(np.int8)
    if not len(vals):
        return np.zeros(0, dtype=np.int8)
    inferred = pd.api.types.infer_dtype(vals, skipna=False)  # C loop, stops at the first mismatch
    if inferred == "string":
        return np.full(len(vals), _STR, dtype=np.int8)
    if inferred in ("date", "datetime"):
        return np.full(len(vals), _DATE, dtype=np.int8)
    if inferred == "boolean":
        return np.full(len(vals), _BOOL, dtype=np.int8)
    codes = pd.Series(vals, dtype=object).map(type).map(_KIND_OF).fillna(_OTHER).to_numpy(np.int8)
    nan = codes == _NUM
    if nan.any():
        f = vals[nan].astype(float)
        idx = np.flatnonzero(nan)
        codes[idx[np.isnan(f)]] = _BLANK
    return codes


# what str.strip() removes: str.isspace() of every code point (listed: computing them costs 50 ms a start)
_WHITESPACE = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85", "\xa0", "\u1680",
               *(chr(c) for c in range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000")


def _screen_text_arrow(arrow) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """(positions of the cells with white space at either end (per ``str.isspace``, as ``str.strip``),
    those cells stripped, Excel error value, formula as text) of an all-text pyarrow column: the first
    and last bytes of every cell are read from the array's buffers with NumPy; only a cell whose first
    or last byte may belong to white space, or that starts with '#', is looked at in Python."""
    starts, stops, data = _text_buffers(arrow)
    n = len(starts)
    first = np.zeros(n, dtype=np.uint8)
    filled = stops > starts
    first[filled] = data[starts[filled]]
    last = np.zeros(n, dtype=np.uint8)
    last[filled] = data[stops[filled] - 1]
    lead2 = np.zeros(n, dtype=np.uint8)  # the lead byte of a 2- or 3-byte last character, if any
    two = stops - starts >= 2
    lead2[two] = data[stops[two] - 2]
    lead3 = np.zeros(n, dtype=np.uint8)
    three = stops - starts >= 3
    lead3[three] = data[stops[three] - 3]
    maybe = (_SPACE_FIRST[first] | _ASCII_SPACE[last] | (lead2 == 0xC2) | _SPACE_LEAD3[lead3]) & filled
    padded, stripped = [], []
    for i in np.flatnonzero(maybe).tolist():
        value = arrow[i].as_py()
        if value != (text := value.strip()):
            padded.append(i)
            stripped.append(text)
    padded = np.array(padded, dtype=np.int64)
    lead = first == ord("#")
    formula = first == ord("=")
    if padded.size:
        lead[padded] = [t[:1] == "#" for t in stripped]
        formula[padded] = [t[:1] == "=" for t in stripped]
    err = np.zeros(n, dtype=bool)
    hashes = np.flatnonzero(lead)
    if hashes.size:
        at = dict(zip(padded.tolist(), stripped, strict=True))
        err[hashes] = [at.get(int(i), arrow[int(i)].as_py()) in EXCEL_ERRORS for i in hashes]
    return padded, stripped, err, formula


# UTF-8 bytes a white space character (str.isspace) may start or end with: ASCII ones (TAB-CR, FS-US,
# space) and the lead bytes of U+0085, U+00A0 (C2), U+1680 (E1), U+2000-U+205F (E2), U+3000 (E3)
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[*range(9, 14), *range(28, 33)]] = True
_SPACE_LEAD3 = np.zeros(256, dtype=bool)
_SPACE_LEAD3[[0xE1, 0xE2, 0xE3]] = True
_SPACE_FIRST = _ASCII_SPACE | _SPACE_LEAD3
_SPACE_FIRST[0xC2] = True


def _text_buffers(arrow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, stop) byte offsets of every cell of a pyarrow string array without nulls, and its bytes."""
    import pyarrow as pa

    _, offsets, data = arrow.buffers()
    kind = np.int64 if pa.types.is_large_string(arrow.type) else np.int32
    off = np.frombuffer(offsets, dtype=kind)[arrow.offset:arrow.offset + len(arrow) + 1].astype(np.int64)
    return off[:-1], off[1:], np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _is_arrow(values: object) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(values, pa.Array)


def _arrow_texts(column: Column, arrow, rows: np.ndarray, sheet: str | None,
                 head: str) -> tuple[object, np.ndarray, list[Problem]]:
    """:func:`convert_column` of a text or choice column whose cells are all text, in a pyarrow string
    array ("" for empty): the same problems and values as the object path, the values kept in Arrow
    (a pandas ``str`` array, what a frame makes of Python strings) and only the cells a problem names
    turned into Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pc.fill_null(arrow, "")
    n = len(arrow)
    problems: list[Problem] = []

    def report(sev: Severity, mask: np.ndarray, msg: Callable[[object], str] | str) -> None:
        for i in np.flatnonzero(mask):
            text = msg if isinstance(msg, str) else msg(arrow[int(i)].as_py())
            problems.append(Problem(sev, sheet, int(rows[i]), head, text))

    padded, stripped, err, formula = _screen_text_arrow(arrow)
    starts, stops, _ = _text_buffers(arrow)
    blank = stops == starts
    text = arrow
    if padded.size:
        at = np.zeros(n, dtype=bool)
        at[padded] = True
        text = pc.replace_with_mask(arrow, pa.array(at), pa.array(stripped, type=arrow.type))
        blank[padded] = [t == "" for t in stripped]
    report("error", err, _error_value_message)
    report("error", formula, _formula_message)
    bad = err | formula
    long = np.zeros(n, dtype=bool)
    if (~blank & ~bad).any():  # a cell of more than MAX_TEXT // 2 characters has more bytes than that
        cand = [i for i in np.flatnonzero(stops - starts > V.MAX_TEXT // 2).tolist()
                if len(arrow[i].as_py()) > V.MAX_TEXT // 2]
        long[[i for i in cand if V.text_too_long(text[i].as_py())]] = True
    report("error", long, _long_text_message)
    bad |= long
    usable = ~blank & ~bad
    out = pc.if_else(pa.array(usable), text, pa.scalar(None, type=text.type))
    if column.dtype == "choice" and column.allowed:
        canon = {a.casefold(): a for a in column.allowed}
        encoded = pc.dictionary_encode(out)
        mapped = pa.array([canon.get(v.casefold()) for v in encoded.dictionary.to_pylist()], type=pa.string())
        out = mapped.take(encoded.indices)
        unknown = usable & pc.is_null(out).to_numpy(zero_copy_only=False)
        report("error", unknown, _choice_message(column))
        bad |= unknown
    missing = blank & ~bad
    if column.default is not None and missing.any():
        out = pc.if_else(pa.array(missing), pa.scalar(column.default, type=out.type), out)
    elif column.required:
        report("error", missing, "required value missing")
        bad |= missing
    # what a frame makes of Python strings: the ``str`` dtype, or object when there is no string at all
    typed = pd.array(out, dtype=pd.StringDtype(na_value=np.nan)) if out.null_count < n else np.full(n, None, object)
    if column.unique:
        valid = pc.drop_null(out)
        if len(pc.unique(valid)) < len(valid):  # rare: name the repeated cells, as the object path does
            values = np.asarray(out.to_numpy(zero_copy_only=False), dtype=object)
            problems.extend(_duplicates(values, ~bad & ~pd.isna(values), rows, sheet, head))
    problems.sort(key=lambda p: p.row)
    return typed, bad, problems


def _error_value_message(v: object) -> str:
    return f"Excel error value {str(v).strip()}; fix the formula or type a value"


def _formula_message(v: object) -> str:
    return (f"looks like a formula stored as text, or a formula without a saved value ({V.show(v)}); enter the value "
            "(Copy, Paste Special > Values)")


def _long_text_message(v: object) -> str:
    return (f"text of {len(v):,} characters; a cell holds at most {V.MAX_TEXT:,} and the results could not show it "
            f"whole: shorten it / 文本超过 {V.MAX_TEXT:,} 个字符，请缩短")


def _choice_message(column: Column) -> Callable[[object], str]:
    allowed = " or ".join(column.allowed)
    return lambda v: f"expected {allowed}, got {V.show(v)}"


def _python_value(v: object) -> object:
    """A cell of a typed column as the grid reader's Python value (for messages)."""
    if isinstance(v, np.datetime64):
        return _calamine_values(np.array([v]))[0]
    if isinstance(v, np.floating):
        return float(v)
    return v


def _calamine_values(values: np.ndarray) -> np.ndarray:
    from xl_cashrisk.io.columnar import calamine_objects

    return calamine_objects(values)


def _num_text(v: object) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)

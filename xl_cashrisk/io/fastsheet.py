"""Bulk worksheet rows for big result tables: the ``<sheetData>`` XML built column by column, spliced into an
XlsxWriter file after it is closed.

XlsxWriter spends ~7 µs of Python per cell; for a 200k × 8 table that is most of the run. For big tables
:class:`~xl_cashrisk.io.writer.ResultWorkbook` lets XlsxWriter write everything the user sees (header,
table definition, column widths, freeze panes, conditional formats, charts with their cached data, styles)
plus the first data row, and :func:`splice` then inserts the remaining rows into that worksheet's XML part
and widens the table's ref (XlsxWriter's table spans header + first row: its overlap check costs ~1 µs a
cell). Every other part of the file is byte-identical to what the slow path writes.

The cells are exactly the ones XlsxWriter's typed writes produce (the slow path is the reference):

* numbers (and dates, as Excel serials) ``<c r="B3" s="2"><v>1234.5</v></c>``, printed with
  XlsxWriter's ``%.16G`` — so a value reads back identically from both paths (16 significant digits,
  the precision XlsxWriter keeps; Excel itself shows 15);
* booleans ``t="b"``; blanks with a format ``<c r="B3" s="2"/>``, blanks without a format: no cell;
* text as inline strings ``t="inlineStr"`` — never a formula, whatever it starts with — escaped as
  XlsxWriter escapes shared strings: control characters as ``_xHHHH_`` (and a literal ``_xHHHH_`` as
  ``_x005F_xHHHH_``), ``& < >`` as entities, ``xml:space="preserve"`` for leading/trailing white space,
  and truncated to Excel's 32,767 UTF-16 units as XlsxWriter does (a longer text never gets here:
  :class:`~xl_cashrisk.io.writer.ResultWorkbook` refuses it first, naming its cell). (Two reader/writer quirks: openpyxl decodes ``_xHHHH_``
  in shared strings but not in inline strings; XlsxWriter writes a text ``<r>…</r>`` unescaped as rich
  text — the fast path escapes it.)

>>> import pandas as pd
>>> cells, mask = column_cells(pd.Series([1.5, None, 0.1 + 0.2]), col=1, first_row=2, style=3)
>>> cells
['<c r="B3" s="3"><v>1.5</v></c>', '<c r="B4" s="3"/>', '<c r="B5" s="3"><v>0.3</v></c>']
>>> column_cells(pd.Series(["=1+1", "a&b", None]), col=0, first_row=1, style=None)[0]
['<c r="A2" t="inlineStr"><is><t>=1+1</t></is></c>', '<c r="A3" t="inlineStr"><is><t>a&amp;b</t></is></c>', '']
>>> list(rows_xml([cells], first_row=2))
['<row r="3"><c r="B3" s="3"><v>1.5</v></c></row><row r="4"><c r="B4" s="3"/></row><row r="5"><c r="B5" s="3"><v>0.3</v></c></row>']

:func:`column_cells` and :func:`rows_xml` build those cells one Python string at a time: they are the
readable reference. :class:`Block` builds the same bytes without a Python object per cell (~5× less
CPU): a chunk of rows is a ``uint8`` matrix (one row per sheet row, a fixed-width slot per cell part,
unused bytes NUL) filled column by column with NumPy, then the NULs are dropped (the XML never holds a
NUL: escape_text writes control characters as ``_xHHHH_``). Numbers print exactly as ``'%.16G' % v``
(:func:`_g16`: whole numbers by their digits, others by the error-free product ``|v| · 10**k`` rounded to
16 digits); the few values that cannot be decided that way (below 1e-4, from 1e16, within 1e-7 of a
tie) take Python's ``%``. Text is escaped once per distinct value, by :func:`escape_text` only where a
byte calls for it. The tests compare both builders byte for byte. :func:`splice` deflates (zlib level
1) on a second thread while the next chunk is built: zlib releases the GIL.

>>> b = Block("xl/worksheets/sheet1.xml", 2, 1, [pd.Series([1.5, None, 0.1 + 0.2])], [3])
>>> b"".join(b.chunks()).decode() == "".join(rows_xml([cells], first_row=2))
True
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name

from xl_cashrisk.dates import EXCEL_EPOCH
from xl_cashrisk.io.safe import column_index

__all__ = ["Block", "column_cells", "escape_text", "rows_xml", "splice"]

XLS_STRMAX = 32767
_RE_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_RE_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_RE_EDGE_SPACE = re.compile(r"^\s|\s$")
_RE_SPECIAL = re.compile(r"[&<>_\x00-\x1f\ufffe\uffff]|^\s|\s$")  # anything escape_text may change
_ROW = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')
CHUNK_ROWS = 20_000


def escape_text(s: str) -> str:
    """A string as the content of an inline string cell ``<is><t ...>…</t></is>`` (XlsxWriter's escaping).

    >>> escape_text("a<b & c>")
    '<t>a&lt;b &amp; c&gt;</t>'
    >>> escape_text(" x\\x01_x0041_")
    '<t xml:space="preserve"> x_x0001__x005F_x0041_</t>'
    """
    if len(s) > XLS_STRMAX // 2 and _utf16_len(s) > XLS_STRMAX:
        s = _utf16_truncate(s, XLS_STRMAX)
    if not _RE_SPECIAL.search(s):
        return f"<t>{s}</t>"
    if "_x" in s:
        s = _RE_ESCAPED.sub(r"_x005F\1", s)
    s = _RE_CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _RE_EDGE_SPACE.search(s) is not None
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<t xml:space="preserve">{s}</t>' if preserve else f"<t>{s}</t>"


def _numbers(values: np.ndarray, rows: Sequence[str], letter: str, s_attr: str) -> tuple[list[str], np.ndarray]:
    finite = np.isfinite(values)
    pre, mid = f'<c r="{letter}', f'"{s_attr}><v>'
    texts = map("%.16G".__mod__, np.where(finite, values, 0.0).tolist())
    cells = [pre + r + mid + v + "</v></c>" for r, v in zip(rows, texts, strict=True)]
    blank = f'"{s_attr}/>' if s_attr else None
    for i in np.flatnonzero(~finite).tolist():
        cells[i] = f"{pre}{rows[i]}{blank}" if blank else ""
    return cells, finite if blank is None else np.ones(len(values), dtype=bool)


def _texts(series: pd.Series, rows: Sequence[str], letter: str, s_attr: str) -> tuple[list[str], np.ndarray]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    escaped = np.array([*(escape_text(u) for u in uniques), None], dtype=object)[codes].tolist()
    pre, mid = f'<c r="{letter}', f'"{s_attr} t="inlineStr"><is>'
    blank = f'"{s_attr}/>' if s_attr else None
    cells = [pre + r + mid + v + "</is></c>" if v is not None else (pre + r + blank if blank else "")
             for r, v in zip(rows, escaped, strict=True)]
    return cells, (codes >= 0) | bool(blank)


def column_cells(series: pd.Series, col: int, first_row: int, style: int | None,
                 date_style: int | None = None) -> tuple[list[str], np.ndarray]:
    """One ``<c>`` element per value of ``series`` ('' for no cell) at 0-based ``col`` from ``first_row``.

    ``style``: the XF index of the column's cell format (``None``: no ``s`` attribute); ``date_style``:
    the XF index XlsxWriter uses for a date in a column without a format (its default date format). Same
    value handling as the slow path's ``_write_column``/``_write_cell``. Returns (cells, mask of cells).
    """
    n = len(series)
    letter = xl_col_to_name(col)
    rows = [str(r) for r in range(first_row + 1, first_row + n + 1)]
    s_attr = f' s="{style}"' if style is not None else ""
    kind, values = _classify(series)
    if kind == "num":
        return _numbers(values, rows, letter, s_attr)
    if kind == "bool":
        pre = f'<c r="{letter}'
        cells = [f'{pre}{r}"{s_attr} t="b"><v>{int(v)}</v></c>' for r, v in zip(rows, values.tolist(), strict=True)]
        return cells, np.ones(n, dtype=bool)
    if kind == "text":
        return _texts(values, rows, letter, s_attr)
    d_attr = s_attr or (f' s="{date_style}"' if date_style is not None else "")
    cells = _object_cells(values, rows, letter, s_attr, d_attr)
    return cells, np.fromiter((bool(c) for c in cells), dtype=bool, count=n)


def _classify(series: pd.Series) -> tuple[str, object]:
    """How a column is written: ("num", float64 array: numbers, dates as Excel serials, NaN for blank),
    ("bool", bool array), ("text", the series: strings and missing values) or ("mixed", list of objects)."""
    kind = series.dtype.kind
    if kind == "M":
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        values = series.to_numpy(dtype="datetime64[s]")
        return "num", (values - EXCEL_EPOCH.astype("datetime64[s]")) / np.timedelta64(1, "D")
    if kind in "fiu":
        return "num", series.to_numpy(dtype="float64", na_value=np.nan)
    if kind == "b" and not series.hasnans:
        return "bool", series.to_numpy(dtype=bool)
    if isinstance(series.dtype, pd.StringDtype):
        return "text", series
    if kind == "O":  # Python objects of one kind are written as that kind would be (see _object_cells)
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred == "string":
            return "text", series
        if inferred in ("empty", "integer", "floating", "mixed-integer-float"):  # float(v); missing: blank
            return "num", series.to_numpy(dtype="float64", na_value=np.nan)
        if inferred == "boolean" and not series.hasnans:
            return "bool", series.to_numpy(dtype=bool)
    return "mixed", series.to_numpy(dtype=object).tolist()


def _object_cells(values: list, rows: Sequence[str], letter: str, s_attr: str, d_attr: str) -> list[str]:
    """Cells of a column of mixed Python values, one by one (as the slow path's ``_write_cell``)."""
    memo: dict[str, str] = {}
    cells = []
    for r, v in zip(rows, values, strict=True):
        ref = f'<c r="{letter}{r}"'
        if isinstance(v, str):
            t = memo.get(v)
            if t is None:
                t = memo[v] = escape_text(v)
            cells.append(f'{ref}{s_attr} t="inlineStr"><is>{t}</is></c>')
        elif v is None or v is pd.NaT or v is pd.NA:
            cells.append(f"{ref}{s_attr}/>" if s_attr else "")
        elif isinstance(v, (bool, np.bool_)):
            cells.append(f'{ref}{s_attr} t="b"><v>{int(bool(v))}</v></c>')
        elif isinstance(v, (int, float, np.integer, np.floating)):
            f = float(v)
            if np.isfinite(f):
                cells.append(f"{ref}{s_attr}><v>{f:.16G}</v></c>")
            else:
                cells.append(f"{ref}{s_attr}/>" if s_attr else "")
        elif isinstance(v, (dt.datetime, dt.date, np.datetime64)):
            ts = pd.Timestamp(v)
            if pd.isna(ts):
                cells.append(f"{ref}{s_attr}/>" if s_attr else "")
            else:
                number = _datetime_to_excel_datetime(ts.to_pydatetime().replace(tzinfo=None), False, False)
                cells.append(f"{ref}{d_attr}><v>{number:.16G}</v></c>")
        else:
            t = escape_text(str(v))
            cells.append(f'{ref}{s_attr} t="inlineStr"><is>{t}</is></c>')
    return cells


def rows_xml(columns: Sequence[Sequence[str]], first_row: int, chunk: int = CHUNK_ROWS) -> Iterator[str]:
    """``<row>`` elements (rows with no cell are left out, as XlsxWriter does), ``chunk`` rows at a time."""
    n = len(columns[0]) if columns else 0
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        parts = []
        for r, cells in zip(range(first_row + 1 + start, first_row + 1 + stop),
                            zip(*(c[start:stop] for c in columns), strict=True), strict=True):
            joined = "".join(cells)
            if joined:
                parts.append(f'<row r="{r}">{joined}</row>')
        yield "".join(parts)


# ---------------------------------------------------------------------------------------------- bulk builder
_NUL, _LONG = 0, 1  # padding (dropped) and the stand-in for a text too long for its column's slot
_P10_U64 = np.array([10**k for k in range(20)], dtype=np.uint64)
_P10_D = np.array([10**k for k in range(16)] + [10**18] * 4, dtype=np.int64)  # 10**k; from k=16: > any N
_P10_F64 = np.array([10.0**k for k in range(20)])  # exact: 10**k = 5**k · 2**k, 5**k < 2**53
_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves
_P10_HI = _SPLIT * _P10_F64 - (_SPLIT * _P10_F64 - _P10_F64)
_P10_LO = _P10_F64 - _P10_HI


def _group_tables() -> np.ndarray:
    """"0000".."9999" as 4 bytes (read as one uint32), four ways: with zeros; leading zeros NUL (0: all
    NUL); the same but 0 as "0"; trailing zeros NUL (0: all NUL)."""
    v = np.arange(10000)
    d = np.stack([48 + (v // 10**k) % 10 for k in (3, 2, 1, 0)], axis=1).astype(np.uint8)
    lead = d.copy()
    lead[(v[:, None] < np.array([1000, 100, 10, 1]))] = _NUL
    units = lead.copy()
    units[0, 3] = 48
    trail = d.copy()
    trail[(v[:, None] % np.array([10000, 1000, 100, 10])) == 0] = _NUL
    trail[0] = _NUL
    return np.concatenate([d, lead, units, trail]).view(np.uint32).ravel()


_GROUPS = _group_tables()
_ZERO, _LEAD, _UNITS, _TRAIL = 0, 10000, 20000, 30000
# lead bytes of the UTF-8 forms of the white space characters (str.isspace, re's \s) at or above U+0080:
# U+0085 U+00A0 (C2), U+1680 (E1), U+2000-U+205F (E2), U+3000 (E3); ASCII white space is ' ' or < 0x20
_SPACE_LEAD = np.zeros(256, bool)
_SPACE_LEAD[[0x20, 0xC2, 0xE1, 0xE2, 0xE3]] = True
TARGET_CHUNK_BYTES = 4 << 20  # rows per chunk: about this many bytes of matrix (at least 4096 rows)
_LONG_COST = 256  # what a text placed after the NULs are dropped costs, in bytes of matrix (see _slot)


def _digits(x: np.ndarray, width: int, mode: str = "zero") -> np.ndarray:
    """Non-negative integers (< 10**width) as ``width`` ASCII digits, one row each: "zero" with leading
    zeros, "lead" with leading zeros NUL (0 as "0"), "trail" with trailing zeros NUL (0 all NUL)."""
    groups = max(-(-width // 4), 1)
    out = np.empty((len(x), groups), np.uint32)
    x = x.astype(np.uint64)
    low_zero = np.ones(len(x), bool) if mode == "trail" else None
    for g in range(groups - 1, -1, -1):
        q = x // np.uint64(10000)
        r = (x - q * np.uint64(10000)).astype(np.intp)
        if mode == "lead":
            r += (q == 0) * (_UNITS if g == groups - 1 else _LEAD)
        elif mode == "trail":
            zero = r == 0
            r += low_zero * _TRAIL
            low_zero &= zero
        out[:, g] = _GROUPS[r]
        x = q
    return out.view(np.uint8)[:, 4 * groups - width:]


def _int_field(x: np.ndarray) -> np.ndarray:
    """Non-negative integers right-aligned without leading zeros (NUL-padded), one row each."""
    return _digits(x, len(str(int(x.max()))) if len(x) else 1, "lead")


def _g16(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, np.ndarray]:
    """``'%.16G' % v`` for finite doubles, in parts: (negative, integer part, fraction digits, their count
    ``fw``, undecided). The fraction digits are an integer of ``fw`` digits (left-aligned: trailing zeros
    are not printed, nor the point when it is 0).

    For 1e-4 <= |v| < 1e16 with decimal exponent e, |v| · 10**(15 - e) is an exact sum p + err of two
    doubles (Dekker's product: 10**k is exact for k <= 22); rounded to an integer N it gives the 16
    significant digits that '%.16G' prints. Undecided (Python's % prints them): other magnitudes (%G
    switches to an exponent), an exponent estimate that was off, values within 1e-7 of a tie at the 17th
    significant digit.
    """
    n = len(x)
    a = np.abs(x)
    neg = np.signbit(x)
    whole = np.floor(a)
    if n and (a[:32] == whole[:32]).all() and (a == whole).all() and (a < 9007199254740992.0).all():
        return neg, a.astype(np.int64), None, 0, np.zeros(n, bool)  # whole numbers: their digits
    with np.errstate(all="ignore"):
        ei = np.clip(np.floor(np.log10(a)), -4, 15).astype(np.int64)  # the decimal exponent, if in range
        k = 15 - ei
        p = a * _P10_F64[k]
        c = _SPLIT * a
        ah = c - (c - a)
        al = a - ah
        hi, lo = _P10_HI[k], _P10_LO[k]
        err = ((ah * hi - p) + ah * lo + al * hi) + al * lo  # a * 10**k == p + err exactly (if finite)
        # in range and the exponent right: 1e15 <= a * 10**k < 1e16
        fast = ((p > 1e15) | ((p == 1e15) & (err >= 0))) & ((p < 1e16) | ((p == 1e16) & (err < 0)))
        fp = np.floor(p)
        r = (p - fp) + err
        fast &= np.abs((r - np.floor(r)) - 0.5) > 1e-7
        N = fp.astype(np.int64)
        N += np.floor(r + 0.5).astype(np.int64)
        ip = whole.astype(np.int64)
    carry = N == 10**16
    N[carry] = 10**15
    ei += carry
    fast &= ei <= 15
    rest = ~fast
    if rest.any():  # zero, or undecided: printed as 0 here (undecided ones are overwritten)
        N[rest], ei[rest], ip[rest] = 0, 15, 0
    slow = rest & (a != 0)
    # N · 10**(e - 15) rounds |v| to 16 digits: its integer part is floor(|v|) or, carried, one more (a
    # 16-digit number is never below floor(|v|)); the 15 - e fraction digits are N - ip · 10**(15 - e)
    D = _P10_D[15 - ei]
    rem = N - ip * D
    up = rem >= D
    ip += up
    rem -= up * D
    emin = int(ei.min()) if n else 15
    return neg, ip, rem.astype(np.uint64) * _P10_U64[ei - emin], 15 - min(emin, 15), slow


def _number_field(x: np.ndarray) -> list[np.ndarray]:
    """Finite doubles as ``'%.16G' % v``, one row each: side-by-side NUL-padded matrices (sign, integer
    part, point, fraction; one matrix when some value took Python's %)."""
    neg, ip, frac, fw, slow = _g16(x)
    parts = [_int_field(ip)]
    if neg.any():
        parts.insert(0, (neg * np.uint8(45))[:, None])
    if fw:
        lo, hi = 0, fw  # the most trailing zeros all fraction digits have (money: fw - 2)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if ((frac // _P10_U64[mid]) * _P10_U64[mid] != frac).any():
                hi = mid - 1
            else:
                lo = mid
        if lo < fw:
            frac = frac // _P10_U64[lo]
            parts += [((frac != 0) * np.uint8(46))[:, None], _digits(frac, fw - lo, "trail")]
    idx = np.flatnonzero(slow)
    if len(idx):
        texts = [f"{v:.16G}" for v in x[idx].tolist()]
        field = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        w = max(field.shape[1], *map(len, texts))
        field = np.concatenate([field, np.zeros((len(x), w - field.shape[1]), np.uint8)], axis=1)
        field[idx] = np.array(texts, dtype=f"S{w}").view(np.uint8).reshape(len(idx), w)
        return [field]
    return parts


def _bytes_field(values: Sequence[bytes], width: int) -> np.ndarray:
    """Byte strings left-aligned in ``width`` (NUL-padded), one row each."""
    return np.array(values, dtype=f"S{max(width, 1)}").view(np.uint8).reshape(len(values), max(width, 1))


def _slot(lens: np.ndarray, counts: np.ndarray | None = None) -> int:
    """Width of a column's text slot (bytes per row of every chunk): the one that costs least, counting
    each longer value (put in whole after the NULs are dropped, see _LONG) as _LONG_COST bytes."""
    if not len(lens):
        return 1
    counts = np.ones(len(lens), np.int64) if counts is None else counts
    order = np.argsort(lens, kind="stable")
    lens, counts = lens[order], counts[order]
    longer = counts.sum() - np.cumsum(counts)  # cells longer than lens[i] (ties: counted at the last one)
    cost = counts.sum() * lens + _LONG_COST * longer
    return int(max(1, lens[int(np.argmin(cost))]))


class _Column:
    """A column prepared for the bulk builder. :meth:`parts` gives a chunk of its cells as a list of parts,
    fixed bytes and per-row matrices (NUL-padded): ``head``, the row number, ``mid``, the value, ``tail``
    (a blank cell is ``head``, the row number, ``blank``), or one matrix of whole cells; and the texts too
    long for their slot (rows, texts)."""

    state: np.ndarray | None = None  # per row 2 value, 1 blank cell with a format, 0 no cell; None: all 2

    def __init__(self, letter: str, s_attr: str):
        self.head = f'<c r="{letter}'.encode()
        self.blank = f'"{s_attr}/>'.encode()

    def size_bound(self, wd: int) -> int:
        """At least the bytes of all its cells (``wd``: digits of the last row number)."""
        raise NotImplementedError

    def parts(self, a: int, b: int, rownum: np.ndarray) -> tuple[list, list[tuple[np.ndarray, list[bytes]]]]:
        raise NotImplementedError


class _NumberColumn(_Column):
    def __init__(self, letter: str, s_attr: str, values: np.ndarray):
        super().__init__(letter, s_attr)
        finite = np.isfinite(values)
        self.values = values
        if not finite.all():
            self.state = np.where(finite, 2, 1 if s_attr else 0).astype(np.uint8)
        self.mid, self.tail = f'"{s_attr}><v>'.encode(), b"</v></c>"

    def size_bound(self, wd: int) -> int:
        return len(self.values) * (len(self.head) + wd + len(self.mid) + 23 + len(self.tail))

    def parts(self, a, b, rownum):
        x = self.values[a:b]
        if self.state is not None:
            x = np.where(self.state[a:b] == 2, x, 0.0)
        return [self.head, rownum, self.mid, *_number_field(x), self.tail], []


class _BoolColumn(_Column):
    def __init__(self, letter: str, s_attr: str, values: np.ndarray):
        super().__init__(letter, s_attr)
        self.values = values
        self.mid, self.tail = f'"{s_attr} t="b"><v>'.encode(), b"</v></c>"

    def size_bound(self, wd: int) -> int:
        return len(self.values) * (len(self.head) + wd + len(self.mid) + 1 + len(self.tail))

    def parts(self, a, b, rownum):
        return [self.head, rownum, self.mid, (self.values[a:b].astype(np.uint8) + 48)[:, None], self.tail], []


class _TextColumn(_Column):
    """Text: each distinct value escaped once (escape_text only where a character calls for it)."""

    def __init__(self, letter: str, s_attr: str, series: pd.Series):
        super().__init__(letter, s_attr)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.codes = codes = np.asarray(codes, dtype=np.intp)
        if (codes < 0).any():
            self.state = np.where(codes >= 0, 2, 1 if s_attr else 0).astype(np.uint8)
        buf, lens, values = _utf8(uniques)
        ends = np.cumsum(lens)
        starts = ends - lens
        special = _needs_escape(buf, lens)
        # each value's <t> element after "<t": '>' and the text, or as escape_text has it (' xml:space=…>')
        self.lens = clens = lens + 1
        escaped = {}
        for i in np.flatnonzero(special).tolist():
            s = values[i] if values is not None else bytes(buf[starts[i]:ends[i]]).decode("utf-8")
            escaped[i] = escape_text(s)[2:-4].encode("utf-8")
            clens[i] = len(escaped[i])
        counts = np.bincount(codes[codes >= 0], minlength=len(clens))
        self.width = width = _slot(clens, counts)
        self.table = table = np.zeros((len(clens) + 1, width), np.uint8)  # code -1 (missing): the last row
        plain = np.flatnonzero(~special & (clens <= width))
        table[plain, 0] = ord(">")
        if width > 1 and len(buf):
            cols = np.arange(width - 1)
            for at in range(0, len(plain), 1 << 15):
                rows = plain[at:at + (1 << 15)]
                idx = starts[rows][:, None] + cols
                table[rows, 1:] = np.where(cols < lens[rows][:, None], buf[np.minimum(idx, len(buf) - 1)], _NUL)
        self.longs = {}
        for i in np.flatnonzero(clens > width).tolist():
            self.longs[i] = escaped[i] if i in escaped else b">" + bytes(buf[starts[i]:ends[i]])
            table[i, 0] = _LONG
        for i, text in escaped.items():
            if len(text) <= width:
                table[i, :len(text)] = np.frombuffer(text, np.uint8)
        self.slot_lens = np.append(np.minimum(clens, width), 0)
        self.mid, self.tail = f'"{s_attr} t="inlineStr"><is><t'.encode(), b"</t></is></c>"

    def size_bound(self, wd: int) -> int:
        present = self.codes >= 0
        fixed = len(self.head) + wd + len(self.mid) + len(self.tail)
        return int(len(self.codes) * fixed + self.lens[self.codes[present]].sum())

    def parts(self, a, b, rownum):
        codes = self.codes[a:b]
        width = max(int(self.slot_lens[codes].max()), 1) if len(codes) else 1
        field = self.table.take(codes, axis=0)[:, :width]  # (a take from a strided view is ~100× slower)
        longs = []
        if self.longs:
            at = np.flatnonzero(np.isin(codes, list(self.longs)))
            if len(at):
                longs.append((at, [self.longs[c] for c in codes[at].tolist()]))
        return [self.head, rownum, self.mid, field, self.tail], longs


class _CellColumn(_Column):
    """Mixed Python values: whole cells from the reference builder, placed as they are."""

    def __init__(self, letter: str, s_attr: str, cells: list[str]):
        super().__init__(letter, s_attr)
        self.cells = [c.encode("utf-8") for c in cells]
        lens = np.fromiter(map(len, self.cells), np.int64, len(self.cells))
        if (lens == 0).any():
            self.state = np.where(lens > 0, 2, 0).astype(np.uint8)
        self.lens = lens
        self.width = _slot(lens)

    def size_bound(self, wd: int) -> int:
        return int(self.lens.sum())

    def parts(self, a, b, rownum):
        cells = self.cells[a:b]
        long = [i for i, c in enumerate(cells) if len(c) > self.width]
        if long:
            cells = list(cells)
            texts = [cells[i] for i in long]
            for i in long:
                cells[i] = bytes([_LONG])
            return [_bytes_field(cells, max(map(len, cells)))], [(np.array(long, np.intp), texts)]
        return [_bytes_field(cells, max(map(len, cells), default=1))], []


def _utf8(uniques) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """Distinct strings as their UTF-8 bytes concatenated, each one's byte length, and the strings (None
    when read straight from Arrow's buffers)."""
    arr = getattr(uniques, "array", uniques)
    if isinstance(getattr(arr, "dtype", None), pd.StringDtype) and arr.dtype.storage == "pyarrow":
        import pyarrow as pa

        pa_arr = pa.array(arr)
        if isinstance(pa_arr, pa.ChunkedArray):
            pa_arr = pa_arr.combine_chunks()
        if pa_arr.type != pa.large_string():
            pa_arr = pa_arr.cast(pa.large_string())
        if pa_arr.null_count == 0:
            _, offsets, data = pa_arr.buffers()
            off = np.frombuffer(offsets, np.int64)[pa_arr.offset:pa_arr.offset + len(pa_arr) + 1]
            buf = np.frombuffer(data, np.uint8)[off[0]:off[-1]] if data is not None else np.zeros(0, np.uint8)
            return buf, np.diff(off), None
    values = list(uniques)
    enc = [s.encode("utf-8") for s in values]
    return np.frombuffer(b"".join(enc), np.uint8), np.fromiter(map(len, enc), np.int64, len(enc)), values


def _needs_escape(buf: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Which of the UTF-8 strings in ``buf`` (concatenated, of byte lengths ``lens``) escape_text could
    change: a special character (& < > _ controls U+FFFE U+FFFF), white space first or last, or a length
    that may need truncating. (A superset: the flagged ones go through escape_text itself.)"""
    hit = (buf < 0x20) | (buf == 0x26) | (buf == 0x3C) | (buf == 0x3E) | (buf == 0x5F)  # controls & < > _
    if len(buf) >= 3 and (buf == 0xEF).any():  # U+FFFE, U+FFFF: EF BF BE, EF BF BF
        hit[:-2] |= (buf[:-2] == 0xEF) & (buf[1:-1] == 0xBF) & (buf[2:] >= 0xBE)
    ends = np.cumsum(lens)
    starts = ends - lens
    special = lens > XLS_STRMAX // 2
    some = np.flatnonzero(lens > 0)
    if len(some):
        s, e = starts[some], ends[some]
        if hit.any():  # (empty strings left out, the next one starts where a string ends)
            special[some] |= np.maximum.reduceat(hit.view(np.uint8), s) > 0
        special[some] |= _SPACE_LEAD[buf[s]]  # first character white space (or may be)
        last = buf[e - 1]
        edge = last == 0x20
        for back in range(2, 5):  # a non-ASCII last character: its lead byte is one of the last four
            edge |= (last >= 0x80) & (e - back >= s) & _SPACE_LEAD[buf[np.maximum(e - back, 0)]]
        special[some] |= edge
    return special


def _prepare(series: pd.Series, col: int, style: int | None, date_style: int | None,
             first_row: int) -> _Column:
    letter = xl_col_to_name(col)
    s_attr = f' s="{style}"' if style is not None else ""
    kind, values = _classify(series)
    if kind == "num":
        return _NumberColumn(letter, s_attr, values)
    if kind == "bool":
        return _BoolColumn(letter, s_attr, values)
    if kind == "text":
        return _TextColumn(letter, s_attr, values)
    d_attr = s_attr or (f' s="{date_style}"' if date_style is not None else "")
    rows = [str(r) for r in range(first_row + 1, first_row + len(values) + 1)]
    return _CellColumn(letter, s_attr, _object_cells(values, rows, letter, s_attr, d_attr))


@dataclass
class Block:
    """Bulk rows of one table for one worksheet part: a frame's columns from 0-based ``first_row``/``first_col``.

    ``styles[j]``: XF index for column j (None: none); ``date_style``: XlsxWriter's default date format XF.
    """

    part: str  # e.g. "xl/worksheets/sheet1.xml"
    first_row: int
    first_col: int
    columns: list[pd.Series]
    styles: list[int | None]
    date_style: int | None = None
    table: tuple[str, str, str] | None = None  # (table name, ref as written, full ref): widen the table
    bounds: tuple[int, int, int, int] | None = field(default=None, init=False)  # r0, c0, r1, c1 (0-based)
    _cols: list[_Column] | None = field(default=None, init=False, repr=False)

    def prepare(self) -> None:
        """Classify and index the columns (text escaped, masks of cells) and find :attr:`bounds`."""
        if self._cols is not None:
            return
        self._cols = [_prepare(s, self.first_col + j, st, self.date_style, self.first_row)
                      for j, (s, st) in enumerate(zip(self.columns, self.styles, strict=True))]
        r0, r1, c0, c1 = None, None, None, None
        for j, c in enumerate(self._cols):
            n = len(self.columns[j])
            hit = np.arange(n) if c.state is None else np.flatnonzero(c.state)
            if len(hit):
                lo, hi = self.first_row + int(hit[0]), self.first_row + int(hit[-1])
                r0, r1 = (lo, hi) if r0 is None else (min(r0, lo), max(r1, hi))
                c0 = self.first_col + j if c0 is None else c0
                c1 = self.first_col + j
        self.bounds = None if r0 is None else (r0, c0, r1, c1)

    @property
    def nrows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def size_bound(self) -> int:
        """At least the number of bytes :meth:`chunks` yields."""
        self.prepare()
        wd = len(str(self.first_row + self.nrows))
        return self.nrows * (len(b'<row r=""></row>') + wd) + sum(c.size_bound(wd) for c in self._cols)

    def chunks(self) -> Iterator[bytes]:
        """The ``<row>`` elements, UTF-8, a few MB at a time (the same bytes as :func:`rows_xml`)."""
        self.prepare()
        n = self.nrows
        if not n or not self._cols:
            return
        step = int(min(CHUNK_ROWS, max(4096, TARGET_CHUNK_BYTES // (21 + 40 * len(self._cols)))))
        for a in range(0, n, step):
            yield self._chunk(a, min(n, a + step))

    def _chunk(self, a: int, b: int) -> bytes:
        n = b - a
        rownum = _int_field(np.arange(self.first_row + 1 + a, self.first_row + 1 + b, dtype=np.uint64))
        items: list = [b'<row r="', rownum, b'">']
        cells = []  # per column: (first item, last item + 1, column)
        longs = []  # (rows in the chunk, column, texts)
        for j, col in enumerate(self._cols):
            parts, col_longs = col.parts(a, b, rownum)
            cells.append((len(items), len(items) + len(parts), col))
            items += parts
            longs += [(rows, j, texts) for rows, texts in col_longs]
        items.append(b"</row>")
        offsets = np.cumsum([0] + [len(p) if isinstance(p, bytes) else p.shape[1] for p in items])
        m = np.empty((n, int(offsets[-1])), np.uint8)
        template = np.zeros(int(offsets[-1]), np.uint8)
        for i, p in enumerate(items):
            if isinstance(p, bytes):
                template[offsets[i]:offsets[i + 1]] = np.frombuffer(p, np.uint8)
        m[:] = template
        for i, p in enumerate(items):
            if not isinstance(p, bytes):
                m[:, offsets[i]:offsets[i + 1]] = p
        occupied = None if any(c.state is None for c in self._cols) else np.zeros(n, bool)
        for start, stop, col in cells:
            if col.state is None:
                continue
            state = col.state[a:b]
            lo, mid, hi = offsets[start], offsets[start + 2], offsets[stop]  # mid: after the row number
            blank = np.flatnonzero(state == 1)
            if len(blank):
                tail = np.zeros(hi - mid, np.uint8)
                tail[:len(col.blank)] = np.frombuffer(col.blank, np.uint8)
                m[blank, mid:hi] = tail
            none = np.flatnonzero(state == 0)
            if len(none):
                m[none, lo:hi] = _NUL
            if occupied is not None:
                occupied |= state > 0
        if occupied is not None and not occupied.all():
            m[~occupied] = _NUL  # a row without cells is left out
        flat = m.reshape(-1)
        data = flat[flat != _NUL].tobytes()
        if not longs:
            return data
        rows = np.concatenate([r for r, _, _ in longs])
        cols = np.concatenate([np.full(len(r), j) for r, j, _ in longs])
        texts = [t for _, _, ts in longs for t in ts]
        pieces = data.split(bytes([_LONG]))
        if len(pieces) != len(texts) + 1:
            raise RuntimeError("internal: stray placeholder in bulk sheet data")
        out = [pieces[0]]
        for k, i in enumerate(np.lexsort((cols, rows)).tolist()):
            out += [texts[i], pieces[k + 1]]
        return b"".join(out)


def _cell_rc(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits) - 1, column_index(letters)


def _dimension(xml: bytes, bounds: Iterable[tuple[int, int, int, int] | None]) -> bytes:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    r0, c0 = _cell_rc(m.group(1), m.group(2))
    r1, c1 = _cell_rc(m.group(3), m.group(4)) if m.group(3) else (r0, c0)
    for b in bounds:
        if b is not None:
            r0, c0, r1, c1 = min(r0, b[0]), min(c0, b[1]), max(r1, b[2]), max(c1, b[3])
    a, z = f"{xl_col_to_name(c0)}{r0 + 1}", f"{xl_col_to_name(c1)}{r1 + 1}"
    ref = a if a == z else f"{a}:{z}"
    return xml[:m.start()] + f'<dimension ref="{ref}"/>'.encode() + xml[m.end():]


def splice(path: str | Path, blocks: Sequence[Block], *, compresslevel: int = 1) -> None:
    """Insert each block's rows into its worksheet part of the closed workbook at ``path`` (in place).

    Every other zip member is copied unchanged, in the same order; the worksheet's ``<dimension>`` grows
    to cover the new cells, and a block's table (``Block.table``) its full range. A block's rows go before
    the first existing row below its first row. The rows are deflated (``compresslevel``; 1: the fastest,
    see docs/performance.md) on a second thread while the next chunk is built.
    """
    path = Path(path)
    by_part: dict[str, list[Block]] = {}
    for b in blocks:
        by_part.setdefault(b.part, []).append(b)
    tables = {f'displayName="{name}"'.encode(): (f'ref="{a}"'.encode(), f'ref="{z}"'.encode())
              for name, a, z in (b.table for b in blocks if b.table)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".splice", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as ztmp:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename.startswith("xl/tables/") and tables:
                    head = data[:data.find(b">", data.find(b"<table")) + 1]
                    for key, (small, full) in tables.items():
                        if key in head:
                            data = data.replace(small, full)
                if info.filename not in by_part:
                    ztmp.writestr(info, data)
                    continue
                segments: list[bytes | Block] = []
                part_blocks = sorted(by_part[info.filename], key=lambda b: b.first_row)
                end = data.rindex(b"</sheetData>")
                rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(data, 0, end)]
                pos = 0
                for b in part_blocks:
                    at = next((p for r, p in rows if r > b.first_row and p >= pos), end)
                    segments += [data[pos:at], b]
                    pos = at
                segments.append(data[pos:])
                for b in part_blocks:
                    b.prepare()
                segments[0] = _dimension(segments[0], [b.bounds for b in part_blocks])
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type, out.external_attr = info.compress_type, info.external_attr
                out._compresslevel = compresslevel  # no public per-member level in zipfile
                bound = sum(len(s) if isinstance(s, bytes) else s.size_bound() for s in segments)
                pieces: Iterable[bytes] = _expand(segments)
                if bound > zipfile.ZIP64_LIMIT:  # decide zip64 on the exact size, as zipfile.writestr would
                    pieces = list(pieces)
                    big = sum(map(len, pieces)) > zipfile.ZIP64_LIMIT
                else:
                    big = False
                _write_member(ztmp, out, pieces, force_zip64=big)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _expand(segments: Sequence[bytes | Block]) -> Iterator[bytes]:
    for s in segments:
        if isinstance(s, bytes):
            yield s
        else:
            yield from s.chunks()


def _write_member(ztmp: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: Iterable[bytes], *,
                  force_zip64: bool) -> None:
    """Write ``pieces`` as one member; zlib and the CRC release the GIL, so a worker thread deflates a
    piece while this thread builds the next (at most two pieces wait)."""
    with ztmp.open(info, "w", force_zip64=force_zip64) as f, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlc-deflate") as pool:
        pending: deque = deque()
        for p in pieces:
            pending.append(pool.submit(f.write, p))
            if len(pending) > 2:
                pending.popleft().result()
        while pending:
            pending.popleft().result()

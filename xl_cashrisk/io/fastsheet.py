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
  and truncated to Excel's 32,767 UTF-16 units. (Two reader/writer quirks: openpyxl decodes ``_xHHHH_``
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
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name

from xl_cashrisk.dates import EXCEL_EPOCH

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
    kind = series.dtype.kind
    if kind == "M":
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        values = series.to_numpy(dtype="datetime64[s]")
        days = (values - EXCEL_EPOCH.astype("datetime64[s]")) / np.timedelta64(1, "D")
        return _numbers(days, rows, letter, s_attr)
    if kind in "fiu":
        return _numbers(series.to_numpy(dtype="float64", na_value=np.nan), rows, letter, s_attr)
    if kind == "b" and not series.hasnans:
        pre = f'<c r="{letter}'
        cells = [f'{pre}{r}"{s_attr} t="b"><v>{int(v)}</v></c>'
                 for r, v in zip(rows, series.to_numpy(dtype=bool).tolist(), strict=True)]
        return cells, np.ones(n, dtype=bool)
    if isinstance(series.dtype, pd.StringDtype) or (
            kind == "O" and pd.api.types.infer_dtype(series, skipna=True) == "string"):
        return _texts(series, rows, letter, s_attr)
    d_attr = s_attr or (f' s="{date_style}"' if date_style is not None else "")
    memo: dict[str, str] = {}
    cells = []
    for r, v in zip(rows, series.to_numpy(dtype=object).tolist(), strict=True):
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
    return cells, np.fromiter((bool(c) for c in cells), dtype=bool, count=n)


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

    def chunks(self) -> Iterator[bytes]:
        cols, r0, r1, c0, c1 = [], None, None, None, None
        for j, (series, style) in enumerate(zip(self.columns, self.styles, strict=True)):
            cells, mask = column_cells(series, self.first_col + j, self.first_row, style, self.date_style)
            cols.append(cells)
            hit = np.flatnonzero(mask)
            if len(hit):
                lo, hi = self.first_row + int(hit[0]), self.first_row + int(hit[-1])
                r0, r1 = (lo, hi) if r0 is None else (min(r0, lo), max(r1, hi))
                c0 = self.first_col + j if c0 is None else c0
                c1 = self.first_col + j
        self.bounds = None if r0 is None else (r0, c0, r1, c1)
        for text in rows_xml(cols, self.first_row):
            yield text.encode("utf-8")


def _cell_rc(letters: bytes, digits: bytes) -> tuple[int, int]:
    c = 0
    for ch in letters.decode():
        c = c * 26 + ord(ch) - 64
    return int(digits) - 1, c - 1


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
    to cover the new cells, and a block's table (``Block.table``) its full range. A block's rows go before the first existing row below its first row.
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
                pieces: list[bytes] = []
                part_blocks = sorted(by_part[info.filename], key=lambda b: b.first_row)
                end = data.rindex(b"</sheetData>")
                rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(data, 0, end)]
                pos = 0
                for b in part_blocks:
                    at = next((p for r, p in rows if r > b.first_row and p >= pos), end)
                    pieces.append(data[pos:at])
                    pieces.extend(b.chunks())
                    pos = at
                pieces.append(data[pos:])
                pieces[0] = _dimension(pieces[0], [b.bounds for b in part_blocks])
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type, out.external_attr = info.compress_type, info.external_attr
                out._compresslevel = compresslevel  # no public per-member level in zipfile
                size = sum(map(len, pieces))
                with ztmp.open(out, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as f:
                    for p in pieces:
                        f.write(p)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

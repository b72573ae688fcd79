"""Columnar reading of a big table: the header rows read straight from the sheet's XML, the data columns
loaded by fastexcel (Rust: calamine → Arrow) in one pass, typed columns handed to the validator.

The grid reader (:meth:`xl_cashrisk.io.reader.WorkbookReader.grid`) turns every cell into a Python object
first: for a 1M-row ledger that is 8 million objects and most of the read. Here:

* :func:`sheet_head` finds the first rows of a sheet — where the header is looked for — by inflating
  only the start of the worksheet part and the shared strings it refers to (a few kilobytes), so the
  sheet itself is parsed once, by fastexcel;
* :func:`load_columns` loads the table's columns below the header with fastexcel, inferring each
  column's type from **all** its cells in strict mode: a column mixing numbers and text (say) makes it
  give up (``None``), and the reader falls back to the grid path, so a messy sheet is read exactly as
  before. A clean column arrives as float64 (numbers), datetime64 (dates) or strings, which the
  validator types without a Python object per cell.

Columns whose type the validator has no vectorised path for (booleans, a date in a text column, times)
are turned into the Python objects python-calamine would give (``datetime.date`` for a whole day,
``datetime.time`` for a time of day), so every message reads the same on both paths;
``tests/test_io_columnar.py`` reads the test workbooks both ways and compares frames and reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xl_cashrisk.io.safe import column_index, sheet_targets

__all__ = ["ColumnarData", "as_numpy", "available", "calamine_objects", "filled", "is_text", "load_columns",
           "open_book", "sheet_head", "sheet_part", "take"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb"\br=\"([A-Z]{1,3})?(\d+)?\"")
_ATTR_T = re.compile(rb"\bt=\"(\w+)\"")
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>|<(?:\w+:)?t(?:\s[^>]*)?/>", re.S)
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_SI_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si\s*/>")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);")
_ESCAPED = re.compile(r"_x([0-9a-fA-F]{4})_")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_HEAD_BYTES_MAX = 4 << 20  # give up (grid path) if the first rows are not within 4 MB of XML
_EXCEL_DAY0 = np.datetime64("1899-12-31", "ms")
_DAY1 = np.datetime64("1900-01-01", "ms")
_PY_MAX = np.datetime64("9999-12-31T23:59:59.999", "ms")


def available() -> bool:
    """fastexcel (the optional extra xl-cashrisk[fast]) and pyarrow importable; without them the grid path, same results."""
    try:
        import fastexcel  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def sheet_part(z: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` (``xl/worksheets/sheet1.xml``), or None."""
    from defusedxml import ElementTree as SafeET

    wb = SafeET.fromstring(z.read("xl/workbook.xml"))
    rid = None
    for el in wb.iter(f"{_NS_MAIN}sheet"):
        if el.get("name") == sheet:
            rid = el.get(f"{_NS_REL}id")
    if rid is None:
        return None
    rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    names = set(z.namelist())
    for el in rels:
        if el.get("Id") == rid:
            parts = sheet_targets(el.get("Target", ""))
            return next((p for p in parts if p in names), parts[0])  # the one calamine reads first
    return None


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        def entity(m: re.Match) -> str:
            name = m.group(1)
            if name[0] == "#":
                return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
            return _NAMED[name]
        text = _ENTITY.sub(entity, text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _rich_text(inner: bytes | None) -> str:
    if not inner:
        return ""
    if b"rPh" in inner:
        inner = _PHONETIC.sub(b"", inner)
    return "".join(_unescape(m.group(1) or b"") for m in _T.finditer(inner))


def _shared_strings(z: zipfile.ZipFile, needed: set[int]) -> dict[int, str] | None:
    """The shared strings whose indices are in ``needed``, streaming the table only as far as needed."""
    if not needed:
        return {}
    part = next((n for n in z.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if part is None:
        return None
    out: dict[int, str] = {}
    last = max(needed)
    index = 0
    with z.open(part) as f:
        carry = b""
        while index <= last:
            chunk = f.read(1 << 16)
            buf = carry + chunk
            if chunk:
                ends = [m.end() for m in _SI_END.finditer(buf)]
                end = ends[-1] if ends else 0
            else:
                end = len(buf)
            block, carry = buf[:end], buf[end:]
            for m in _SI.finditer(block):
                if index in needed:
                    out[index] = _rich_text(m.group(1))
                index += 1
                if index > last:
                    break
            if not chunk:
                break
    return out if len(out) == len(needed) else None


def sheet_head(path: str | Path, sheet: str, nrows: int) -> list[list[object]] | None:
    """The first ``nrows`` rows of a sheet as python-calamine's grid shows them (from A1; text as str,
    empty cells ""), read from the XML without parsing the rest of the sheet. Only text cells are
    decoded exactly (they are what a header is made of); any other cell is a placeholder float. None
    when the part cannot be read this way (the caller uses the grid)."""
    try:
        with zipfile.ZipFile(path) as z:
            part = sheet_part(z, sheet)
            if part is None or part not in z.namelist():
                return None
            xml = _head_xml(z, part, nrows)
            if xml is None:
                return None
            cells: list[tuple[int, int, bytes, bytes]] = []  # (row, col, type, inner)
            row_no = 0
            for rm in _ROW.finditer(xml):
                attrs = _ATTR_R.search(rm.group(1))
                row_no = int(attrs.group(2)) if attrs and attrs.group(2) else row_no + 1
                if row_no > nrows:
                    break
                if rm.group(2):  # <row .../>
                    continue
                end = _ROW_END.search(xml, rm.end())
                if end is None:
                    return None
                col = -1
                for cm in _CELL.finditer(xml, rm.end(), end.start()):
                    ref = _ATTR_R.search(cm.group(1))
                    col = column_index(ref.group(1)) if ref and ref.group(1) else col + 1
                    t = _ATTR_T.search(cm.group(1))
                    cells.append((row_no, col, t.group(1) if t else b"n", cm.group(2) or b""))
            needed = set()
            for _r, _c, t, inner in cells:
                if t == b"s":
                    v = _V.search(inner)
                    if v is None:
                        return None
                    needed.add(int(v.group(1)))
            sst = _shared_strings(z, needed)
            if sst is None:
                return None
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    last_row = max((r for r, *_ in cells), default=0)
    width = max((c + 1 for _, c, *_ in cells), default=0)
    grid: list[list[object]] = [[""] * width for _ in range(last_row)]
    for r, c, t, inner in cells:
        if t == b"s":
            value: object = sst[int(_V.search(inner).group(1))]
        elif t == b"inlineStr":
            value = _rich_text(inner)
        elif t == b"str" and _V.search(inner):
            value = _unescape(_V.search(inner).group(1))
        elif _V.search(inner) is None:
            f = _F.search(inner)
            if f is None:
                continue  # a formatted empty cell
            # a formula without a saved value: shown as the reader's grid shows it
            value = "=" + (_unescape(f.group(1) or b"") or "(shared formula)")
        elif t == b"e":
            value = _unescape(_V.search(inner).group(1))  # '#N/A', as the grid shows error cells
        else:
            value = 0.0  # number, boolean, date: never a header
        grid[r - 1][c] = value
    return grid


def _head_xml(z: zipfile.ZipFile, part: str, nrows: int) -> bytes | None:
    """The worksheet XML up to the end of row ``nrows`` (or of the sheet data)."""
    buf = b""
    with z.open(part) as f:
        while len(buf) < _HEAD_BYTES_MAX:
            chunk = f.read(1 << 16)
            buf += chunk
            if not chunk or b"sheetData>" in buf[-(1 << 16) - 16:] or _rows_seen(buf) > nrows:
                return buf
    return None


def _rows_seen(buf: bytes) -> int:
    """The number of the last row that starts in ``buf`` (rows before it are complete)."""
    last = 0
    for m in _ROW.finditer(buf):
        a = _ATTR_R.search(m.group(1))
        last = int(a.group(2)) if a and a.group(2) else last + 1
    return last


@dataclass
class ColumnarData:
    """Columns of a table below its header: key → numpy array (float64, datetime64[ms] or object) or, for
    text, a pyarrow string array."""

    columns: dict[str, object]  # text columns as pyarrow string arrays ("" for empty): see is_text
    height: int  # data rows, the first one right below the header
    arrow: dict[str, object] = field(default_factory=dict)  # the text columns again


def open_book(path: str | Path):
    """A fastexcel reader of the workbook (opened lazily: nothing is parsed until a sheet is loaded)."""
    import fastexcel

    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # its "falling back to string" notes
    return fastexcel.read_excel(str(path))


def load_columns(book, sheet: str, header_row: int, positions: dict[str, int]) -> ColumnarData | None:
    """Load the columns at 0-based sheet positions ``positions`` (key → column) below the 0-based
    ``header_row`` from ``book`` (:func:`open_book`). None when a column mixes kinds of cells (strict
    inference over all its cells) or fastexcel cannot read the sheet: the caller then uses the grid."""
    if not positions:
        return ColumnarData({}, 0)
    reader = book if not isinstance(book, (str, Path)) else open_book(book)
    batch = _load_batch(reader, sheet, header_row, positions)
    if batch is None:
        return None
    return _columnar_data(batch, list(positions))


def _columnar_data(batch, keys: list[str]) -> ColumnarData:
    import pyarrow as pa
    import pyarrow.compute as pc

    columns, arrow = {}, {}
    for i, key in enumerate(keys):
        arr = batch.column(i)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            columns[key] = arrow[key] = pc.fill_null(arr, "")  # "" for empty, as calamine's grid; no Python objects
        else:
            columns[key] = _to_numpy(arr)
    return ColumnarData(columns, batch.num_rows, arrow)


def is_text(values: object) -> bool:
    """A text column as :func:`load_columns` gives it: a pyarrow string array ("" for an empty cell)."""
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(values, pa.Array)


def filled(values) -> np.ndarray:
    """Which cells of a text column (:func:`is_text`) hold something."""
    import pyarrow.compute as pc

    return pc.greater(pc.binary_length(values), 0).to_numpy(zero_copy_only=False)


def take(values, at: np.ndarray):
    """The cells ``at`` of any column from :func:`load_columns`."""
    return values.take(at) if is_text(values) else values[at]


def as_numpy(values) -> np.ndarray:
    """Any column from :func:`load_columns` as numpy: text as an object array of ``str``."""
    return values.to_numpy(zero_copy_only=False) if is_text(values) else values


# A big sheet is loaded in a forked child process while this process runs the cell-area safety scan
# (io.safe.check_cell_area): fastexcel holds the GIL, so a thread would not overlap. The scan's verdict
# always comes first — a refused workbook kills the child and its parse is never used.
FORK_MIN_BYTES = 16 << 20  # sheet XML size from which a child pays off (~40k rows); smaller: in-process


def can_fork() -> bool:
    """Load a big sheet in a child process? Only where one starts cheaply (fork: Linux) and has a core to
    itself: this process may run on two or more CPUs and the load average leaves one of them idle. The
    child saves wall time, never CPU time (the columns travel back through a pipe), so on a one-core or
    busy machine the sheet loads in this process, after the scan. ``XL_CASHRISK_READER_PROCESS=1`` forks
    whenever fork is there, ``=0`` never."""
    import multiprocessing as mp
    import os

    choice = os.environ.get("XL_CASHRISK_READER_PROCESS", "").strip()
    if choice == "0" or not sys.platform.startswith("linux") or "fork" not in mp.get_all_start_methods():
        return False
    if choice == "1":
        return True
    cpus = len(os.sched_getaffinity(0))
    return cpus >= 2 and os.getloadavg()[0] <= cpus - 1


class PendingColumns:
    """Columns being loaded by a child process; :meth:`result` waits, :meth:`cancel` kills it."""

    def __init__(self, path: str | Path, sheet: str, header_row: int, positions: dict[str, int]):
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child_load, args=(child, str(path), sheet, header_row, positions),
                                 daemon=True, name="xl-cashrisk-reader")
        self._proc.start()
        child.close()

    def result(self) -> ColumnarData | None:
        try:
            batch_and_positions = self._conn.recv()
        except (EOFError, OSError):  # the child died: read the grid way
            batch_and_positions = None
        finally:
            self._conn.close()
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
        if batch_and_positions is None:
            return None
        batch, positions = batch_and_positions
        return _columnar_data(batch, positions)

    def cancel(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(timeout=5)
        self._conn.close()


def _child_load(conn, path: str, sheet: str, header_row: int, positions: dict[str, int]) -> None:
    try:
        batch = _load_batch(open_book(path), sheet, header_row, positions)
        conn.send(None if batch is None else (batch, list(positions)))
    except BaseException:  # the parent reads the grid way
        conn.send(None)
    finally:
        conn.close()


def _load_batch(reader, sheet: str, header_row: int, positions: dict[str, int]):
    """A RecordBatch with one column per key of ``positions``, in that order; None if fastexcel refuses."""
    import pyarrow as pa

    wanted = sorted(set(positions.values()))
    try:
        loaded = reader.load_sheet(sheet, header_row=header_row, use_columns=wanted, dtype_coercion="strict",
                                   schema_sample_rows=None)
        batch = loaded.to_arrow()
        infos = loaded.selected_columns
    except Exception:  # any refusal by fastexcel means: read it the grid way
        return None
    by_position = {info.absolute_index: batch.column(i) for i, info in enumerate(infos)}
    if set(by_position) != set(wanted):
        return None
    keys = list(positions)
    return pa.RecordBatch.from_arrays([by_position[positions[k]] for k in keys], names=keys)


def _to_numpy(arr) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_floating(t) or pa.types.is_integer(t):
        return arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
    if pa.types.is_timestamp(t):
        # milliseconds, as fastexcel gives them: a date cell in year 3026 (or an amount formatted as a date)
        # fits, where nanoseconds end in 2262; the validator checks each date before any narrower unit
        ms = arr.cast(pa.timestamp("ms"))
        values = ms.to_numpy(zero_copy_only=False).astype("datetime64[ms]", copy=False)
        first = pc.min(ms.cast(pa.int64())).as_py()  # milliseconds since 1970 (nulls left out; any year)
        if first is not None and first < _DAY1.astype(np.int64):  # a time of day: calamine gives datetime.time
            return _calamine_objects(values)
        return values
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pc.fill_null(arr, "").to_numpy(zero_copy_only=False)  # "" for empty, as calamine's grid
    if pa.types.is_boolean(t):
        return arr.to_numpy(zero_copy_only=False).astype(object)
    if pa.types.is_null(t):
        return np.full(len(arr), None, dtype=object)
    if pa.types.is_duration(t):
        return np.array(pc.cast(arr, pa.duration("us")).to_pylist(), dtype=object)
    return np.array(arr.to_pylist(), dtype=object)


def _calamine_objects(values: np.ndarray) -> np.ndarray:
    """datetime64 values as python-calamine shows them: a whole day as ``date``, a serial below 1 as
    ``time`` of day, anything else as ``datetime``."""
    out = np.full(len(values), None, dtype=object)
    for i in np.flatnonzero(~np.isnat(values)):
        ms = values[i].astype("datetime64[ms]")
        if ms < _DAY1:  # below serial 1 (negative ones too): the time of day of its fraction, as calamine
            delta = ((ms - _EXCEL_DAY0) % np.timedelta64(1, "D")).astype("timedelta64[ms]").astype(dt.timedelta)
            out[i] = (dt.datetime.min + delta).time()
        elif ms > _PY_MAX:  # beyond Python's datetime: the serial number, as calamine gives it
            out[i] = float((ms - _EXCEL_DAY0) / np.timedelta64(1, "D"))
        else:
            stamp = ms.astype(dt.datetime)
            out[i] = stamp.date() if stamp.time() == dt.time(0) else stamp
    return out


def calamine_objects(values) -> np.ndarray:
    """Any column from :func:`load_columns` as an object array of python-calamine's Python values."""
    values = as_numpy(values)
    if values.dtype.kind == "M":
        return _calamine_objects(values)
    if values.dtype.kind == "f":
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out
    return values

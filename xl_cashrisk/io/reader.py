"""Read a filled workbook: find each schema table's sheet and header row, map columns, type and validate.

Reading uses python-calamine (Rust, fast). Calamine shows Excel error cells (#N/A, #REF!) as blank, so
the sheet's XML is scanned for error cells (only when it holds any) to report them instead of
mistaking them for empty cells. Nothing is dropped: only rows blank in every column of the table are
skipped; every other row is in the result, with each unusable cell named in the report.

>>> # r = read_ledger("ledger.xlsx"); r.report.raise_if_errors(); df = r.frame
"""

from __future__ import annotations

import difflib
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from python_calamine import CalamineError, CalamineWorkbook
except ImportError:  # xlwings Lite: Pyodide has no python-calamine, and there only live Books are read
    CalamineError, CalamineWorkbook = OSError, None
from xlsxwriter.utility import xl_col_to_name

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io import columnar
from xl_cashrisk.io import columnar as _columnar_io  # the name 'columnar' is also WorkbookReader's argument
from xl_cashrisk.io.safe import check_cell_area, check_workbook, checked_cells, column_index, part_is_plain
from xl_cashrisk.io.validate import convert_column
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.rules import Problem, ValidationReport, sort_problems, validate_frame
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import FX, SETTINGS, KeyValueTable, known_settings, settings_from_frames
from xl_cashrisk.settings import Settings

__all__ = ["TableRead", "WorkbookReader", "read_ledger", "read_settings", "read_table"]

HEADER_SCAN_ROWS = 30  # a header may sit below a title and notes, within the first rows
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)\bt=\"e\"([^>]*)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
# a cell holding only a formula and no saved value (written by a script, never calculated by Excel)
_FORMULA_ONLY = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
                           rb"</(?:\w+:)?c>")


@dataclass
class TableRead:
    """A typed table (index = Excel row numbers) and the report of every problem found."""

    frame: pd.DataFrame
    report: ValidationReport


class WorkbookReader:
    """One open workbook; reads any number of schema tables from it (each sheet parsed once).

    A table is read column-wise when it can be (:mod:`xl_cashrisk.io.columnar`: header rows from the
    sheet's XML, typed columns from fastexcel) and through the cell grid otherwise; both give the same
    frame and report. ``columnar=False`` (or ``XL_CASHRISK_READER=grid``) forces the grid.
    """

    columnar = True  # class default; a reader of a live Excel Book (udfs._actions.BookReader) has no file

    def __init__(self, path: str | Path, *, columnar: bool | None = None):
        if columnar is None:
            columnar = os.environ.get("XL_CASHRISK_READER", "").strip().lower() != "grid"
        columnar = columnar and columnar_available()
        # with a child process to load a big sheet, that sheet's cell area is scanned alongside the load
        # (see _columns), and only the small sheets up front
        self._area_pending = bool(columnar) and _columnar_io.can_fork()
        self._area_cells = 0
        self._area_done: set[str] = set()
        self.path = check_workbook(path, defer_above=_columnar_io.FORK_MIN_BYTES if self._area_pending else None)
        if CalamineWorkbook is None:
            raise InputError("reading a workbook file needs python-calamine (pip install python-calamine)",
                             Location(str(self.path)))
        try:
            self.book = CalamineWorkbook.from_path(str(self.path))
        except (CalamineError, OSError, ValueError) as exc:
            raise InputError(f"cannot read the workbook ({exc})", Location(str(self.path))) from None
        self._grids: dict[str, list[list[object]]] = {}
        self._error_cells: dict[str, dict[tuple[int, int], str]] | None = None
        self.columnar = columnar

    def _check_area(self, sheet: str) -> None:
        """The cell-area safety scan (io.safe) of a big ``sheet`` left out by the up-front check, before
        anything parses it in this process."""
        if not self.__dict__.get("_area_pending") or sheet in self._area_done:
            return
        with zipfile.ZipFile(self.path) as z:
            part = columnar.sheet_part(z, sheet)
            big = part is not None and part in z.namelist() and z.getinfo(part).file_size > columnar.FORK_MIN_BYTES
        if big:  # (a small sheet was checked up front)
            already = self._area_cells or checked_cells(self.path)
            self._area_cells = check_cell_area(self.path, [part], already=already)  # raises: stays unchecked
        self._area_done.add(sheet)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.book.sheet_names)

    def has_sheet(self, name: str) -> bool:
        """Whether the workbook has a sheet of this name (case-insensitive, as Excel compares them)."""
        return any(s.casefold() == name.casefold() for s in self.sheet_names)

    @property
    def date1904(self) -> bool:
        """The workbook counts dates in the 1904 system (``<workbookPr date1904="1"/>``, old Excel for Mac):
        a date typed as a plain number is read in that system (date-formatted cells are converted by
        calamine/fastexcel, which honour the flag themselves)."""
        if "_date1904" not in self.__dict__:
            self._date1904 = workbook_date1904(self.path)
        return self._date1904

    def grid(self, sheet: str) -> list[list[object]]:
        """All cells of a sheet from A1 as rows of Python values (error cells as their code, e.g. '#N/A')."""
        if sheet not in self._grids:
            self._check_area(sheet)
            try:
                rows = self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except (CalamineError, UnicodeDecodeError, ValueError) as exc:
                raise InputError(f"cannot read the sheet ({type(exc).__name__}: {str(exc)[:200]}); open and re-save "
                                 "the workbook in Excel", Location(str(self.path), sheet)) from None
            for (r, c), code in self.error_cells(sheet).items():
                if r < len(rows):
                    row = rows[r]
                    if c >= len(row):
                        row.extend([""] * (c + 1 - len(row)))
                    row[c] = code
            self._grids[sheet] = rows
        return self._grids[sheet]

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """(row, column) 0-based → error code, for the cells Excel stored as errors."""
        if self._error_cells is None:
            self._error_cells = {}
        if sheet not in self._error_cells:
            self._error_cells[sheet] = _scan_error_cells(self.path, sheet)
        return self._error_cells[sheet]

    def head(self, sheet: str) -> list[list[object]]:
        """The first :data:`HEADER_SCAN_ROWS` rows of a sheet, as :meth:`grid` shows them; read from the
        sheet's XML alone when reading column-wise (the sheet is then parsed once, by fastexcel)."""
        if sheet in self._grids or not self.columnar:
            return self.grid(sheet)[:HEADER_SCAN_ROWS]
        heads = self.__dict__.setdefault("_heads", {})
        if sheet not in heads:
            heads[sheet] = columnar.sheet_head(self.path, sheet, HEADER_SCAN_ROWS)
        if heads[sheet] is None:
            return self.grid(sheet)[:HEADER_SCAN_ROWS]
        return heads[sheet]

    def locate(self, table: Table, sheet: str | None = None) -> tuple[str, int, dict[str, tuple[int, str]]]:
        """(sheet, 0-based header row, {column key: (0-based column, header text)}) of ``table``."""
        candidates = [sheet] if sheet else _prefer(self.sheet_names, table.sheet)
        best: tuple[int, str, int, dict[str, tuple[int, str]]] | None = None
        lookup = _name_lookup(table.columns)
        for name in candidates:
            if name not in self.sheet_names:
                raise InputError(f"no sheet named '{name}' (sheets: {', '.join(self.sheet_names)})",
                                 Location(str(self.path)))
            found = _find_header(self.head(name), lookup)
            if found and (best is None or len(found[1]) > best[0]):
                best = (len(found[1]), name, found[0], found[1])
            if best and name.casefold() == table.sheet.casefold() and best[1] == name:
                break
        needed = max(1, min(2, len(table.required)))
        if best is None or best[0] < needed:
            where = Location(str(self.path), sheet or table.sheet)
            wanted = ", ".join(f"'{c.header}'" for c in table.required[:4])
            raise InputError(f"cannot find the header row of the {table.title_en} table "
                             f"(looked for headers such as {wanted} in the first {HEADER_SCAN_ROWS} rows)", where)
        return best[1], best[2], best[3]

    def raw(self, table: Table, sheet: str | None = None):
        """Raw object columns of ``table``: (sheet, header_row 1-based, columns, excel_rows, problems)."""
        name, hrow, cols, raw, rows, problems = self._raw(table, sheet)[:6]
        return name, hrow, cols, {k: columnar.as_numpy(v) for k, v in raw.items()}, rows, problems

    def _raw(self, table: Table, sheet: str | None = None):
        """:meth:`raw` plus the Arrow twins of the text columns read column-wise (key → pyarrow array of
        the same kept rows; the validator types text faster from them). Text read column-wise stays a
        pyarrow array in the raw columns too (:func:`columnar.is_text`)."""
        name, hrow, cols = self.locate(table, sheet)
        problems: list[Problem] = []
        arrow: dict[str, object] = {}
        head = self.head(name)
        header = head[hrow] if hrow < len(head) else []
        unknown = _unknown_headers(table, header, cols)
        # a header close to a column the table lacks is loaded too, to see whether it holds data
        near = {f"\0{j}": (j, text) for j, text, close in unknown if close is not None and close.key not in cols}
        cols = {**cols, **near}
        raw = self._columns(name, hrow, cols, arrow) if self.columnar and name not in self._grids else None
        if raw is None:
            grid = self.grid(name)
            data = grid[hrow + 1:]
            if cols and data:
                widths = set(map(len, data))
                if len(widths) > 1:
                    width = max(widths)
                    data = [r + [""] * (width - len(r)) for r in data]
                block = np.array(data, dtype=object)  # C-speed 2-D; columns are views
                empty = np.full(len(block), "", dtype=object)
                raw = {key: block[:, j] if j < block.shape[1] else empty for key, (j, _) in cols.items()}
            else:
                raw = {key: np.empty(0, dtype=object) for key in cols}
        near_filled = {cols[k][0]: bool(_filled(raw.pop(k)).any()) for k in near}
        for k in near:
            arrow.pop(k, None)
            del cols[k]
        n = len(next(iter(raw.values()))) if raw else 0
        lookup = _name_lookup(table.columns)
        for j, v in enumerate(header):
            key = lookup.get(_norm(v)) if isinstance(v, str) and v.strip() else None
            if key in cols and cols[key][0] != j:
                first = xl_col_to_name(cols[key][0])
                problems.append(Problem("error", name, hrow + 1, cols[key][1],
                                        f"the column appears twice (columns {first} and {xl_col_to_name(j)}); "
                                        f"only column {first} would be read — delete or rename the other"))
        for j, text, close in unknown:
            if close is not None and near_filled.get(j):
                problems.append(Problem(
                    "error", name, hrow + 1, text,
                    f"not a column of the {table.title_en} table, but close to '{close.header}', which is missing, "
                    f"and column {xl_col_to_name(j)} holds data: it would be ignored and the results would fall back "
                    f"without it — rename the header to '{close.header}' (or clear the column) / 表头疑似拼写错误"))
            else:
                hint = f"; did you mean '{close.header}'?" if close is not None else ""
                problems.append(Problem("warning", name, hrow + 1, text,
                                        f"not a column of the {table.title_en} table, so it is ignored{hint}"))
        for c in table.input_columns:
            if c.key not in cols and c.required:
                problems.append(Problem("error", name, hrow + 1, c.header,
                                        f"required column missing (header '{c.header}' or '{c.en}' or '{c.zh}')"))
        filled = np.zeros(n, dtype=bool)
        for key, arr in raw.items():
            if not table.column(key).result:
                filled |= _filled(arr)
        keep = np.flatnonzero(filled)
        if len(keep) < n:
            raw = {k: columnar.take(v, keep) for k, v in raw.items()}
            arrow = {k: raw[k] if columnar.is_text(raw.get(k)) else a.take(keep) for k, a in arrow.items()}
        rows = keep + hrow + 2  # 0-based offset within data → Excel row
        return name, hrow + 1, cols, raw, rows.astype(np.int64), problems, arrow

    def _columns(self, sheet: str, hrow: int, cols: dict[str, tuple[int, str]],
                 arrow: dict[str, object] | None = None) -> dict[str, np.ndarray] | None:
        """The table's columns below the header, loaded column-wise; None if the sheet needs the grid."""
        positions = {key: j for key, (j, _) in cols.items()}
        if self.__dict__.get("_area_pending") and sheet not in self._area_done and positions \
                and self._part_size(sheet) > columnar.FORK_MIN_BYTES:
            pending = columnar.PendingColumns(self.path, sheet, hrow, positions)
            try:
                self._check_area(sheet)
            except BaseException:
                pending.cancel()
                raise
            data = pending.result()
        else:
            self._check_area(sheet)
            if "_fastexcel" not in self.__dict__:
                self._fastexcel = columnar.open_book(self.path)
            data = columnar.load_columns(self._fastexcel, sheet, hrow, positions)
        if data is None:
            return None
        raw = data.columns
        if arrow is not None:
            arrow.update(data.arrow)
        part_plain = self._part_plain(sheet)
        if not part_plain:
            # error cells and formulas without a saved value reach fastexcel as empty: put them back, as
            # the grid does, in the columns that hold any
            by_col: dict[int, list[tuple[int, str]]] = {}
            for (r, c), code in self.error_cells(sheet).items():
                if hrow < r <= hrow + data.height:
                    by_col.setdefault(c, []).append((r - hrow - 1, code))
            for key, j in positions.items():
                if j in by_col:
                    values = columnar.calamine_objects(raw[key]).copy()
                    for i, code in by_col[j]:
                        values[i] = code
                    raw[key] = values
                    if arrow is not None:
                        arrow.pop(key, None)
        return raw

    def _part_plain(self, sheet: str) -> bool:
        with zipfile.ZipFile(self.path) as z:
            part = columnar.sheet_part(z, sheet)
        return part is not None and part_is_plain(self.path, part)

    def _part_size(self, sheet: str) -> int:
        with zipfile.ZipFile(self.path) as z:
            part = columnar.sheet_part(z, sheet)
            return z.getinfo(part).file_size if part in z.namelist() else 0

    def read(self, table: Table, *, settings: Settings | None = None, sheet: str | None = None) -> TableRead:
        """Typed DataFrame of ``table`` plus the :class:`ValidationReport`."""
        name, hrow, cols, raw, rows, problems, arrow = self._raw(table, sheet)
        data: dict[str, np.ndarray] = {}
        bad: dict[str, np.ndarray] = {}
        headers = {k: h for k, (_, h) in cols.items()}
        typing = {"date1904": self.date1904, "reference": settings.as_of if settings is not None else None}
        for c in table.input_columns:
            values = raw.get(c.key, np.full(len(rows), np.nan))  # a column the sheet lacks: blank cells (NaN: typed at once)
            if c.key not in cols and c.required:
                typed, mask, _ = convert_column(_optional(c), values, rows, sheet=name, **typing)
            else:
                typed, mask, probs = convert_column(c, values, rows, sheet=name, header=headers.get(c.key),
                                                    arrow=arrow.get(c.key), **typing)
                problems.extend(probs)
            data[c.key] = typed
            bad[c.key] = mask | (c.key not in cols and c.required)
        frame = pd.DataFrame(data, index=pd.Index(rows, name="excel_row"), copy=False)  # the typed arrays are new: no copy
        problems.extend(validate_frame(table, frame, bad, sheet=name, settings=settings, headers=headers))
        report = ValidationReport(table.key, str(self.path), name, hrow, len(rows), sort_problems(problems))
        return TableRead(frame, report)

    def settings(self, kv: KeyValueTable = SETTINGS, fx: Table = FX) -> Settings:
        """:class:`Settings` from the workbook's Settings sheet (key/value table and FX table)."""
        name, _, _cols, raw, rows, problems = self.raw(kv.table)
        if problems:
            raise InputError(problems[0].message, Location(str(self.path), name, problems[0].row, problems[0].column))
        values = pd.DataFrame({"key": raw["key"], "value": raw.get("value", np.full(len(rows), "", dtype=object))},
                              index=rows)
        try:
            _fname, _, _fcols, fraw, frows, _fprobs = self.raw(fx)
            fx_frame = pd.DataFrame({"currency": fraw.get("currency", np.full(len(frows), "", dtype=object)),
                                     "rate_to_home": fraw.get("rate_to_home", np.full(len(frows), "", dtype=object))},
                                    index=frows)
        except InputError:
            fx_frame = None
        rows_known = {r.key: r for r in (*known_settings(), *kv.rows)}
        return settings_from_frames(values, fx_frame, rows=rows_known.values(), where=Location(str(self.path), name),
                                    date1904=self.date1904)


def read_table(path: str | Path, table: Table, *, settings: Settings | None = None,
               sheet: str | None = None) -> TableRead:
    """Read and validate one schema table from a workbook file."""
    return WorkbookReader(path).read(table, settings=settings, sheet=sheet)


def read_settings(path: str | Path) -> Settings:
    """Settings from a workbook's Settings sheet."""
    return WorkbookReader(path).settings()


def read_ledger(path: str | Path, settings: Settings | None = None) -> TableRead:
    """Read and validate the AR ledger; settings default to the workbook's own Settings sheet, if any.

    The frame has every ledger column typed (dates datetime64, numbers float, due dates derived from
    terms where blank) and ``open_amount = amount − paid_amount``; the index is the Excel row number.
    """
    book = WorkbookReader(path)
    if settings is None and book.has_sheet(SETTINGS.table.sheet):
        settings = book.settings()
    return book.read(LEDGER, settings=settings)


def workbook_date1904(path: str | Path) -> bool:
    """The ``date1904`` flag of a workbook's ``xl/workbook.xml`` (``"1"``/``"true"``: the 1904 date system)."""
    from defusedxml import ElementTree as SafeET

    try:
        with zipfile.ZipFile(path) as z:
            root = SafeET.fromstring(z.read("xl/workbook.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, SafeET.ParseError):
        return False
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "workbookPr":
            return el.get("date1904") in ("1", "true")  # what calamine and fastexcel honour
    return False


def columnar_available() -> bool:
    return columnar.available()


def _filled(arr: np.ndarray) -> np.ndarray:
    """Cells holding something: calamine's grid gives "" for an empty cell, the columnar path NaN/NaT/None."""
    if columnar.is_text(arr):
        return columnar.filled(arr)
    if arr.dtype.kind == "f":
        return ~np.isnan(arr)
    if arr.dtype.kind == "M":
        return ~np.isnat(arr)
    return (arr != "") & (arr != None)  # noqa: E711 — element-wise on an object array


def _optional(c: Column) -> Column:
    return replace(c, required=False)


def _norm(text: object) -> str:
    return " ".join(str(text).replace("*", " ").split()).casefold()


def _name_lookup(columns: Iterable[Column]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in columns:
        for n in c.names():
            out.setdefault(_norm(n), c.key)
    return out


def _find_header(rows: list[list[object]], lookup: dict[str, str]):
    best = None
    for i, row in enumerate(rows):
        found: dict[str, tuple[int, str]] = {}
        for j, v in enumerate(row):
            if isinstance(v, str) and v.strip():
                key = lookup.get(_norm(v))
                if key and key not in found:
                    found[key] = (j, " ".join(v.split()))
        if found and (best is None or len(found) > len(best[1])):
            best = (i, found)
    return best


def _unknown_headers(table: Table, header: list[object], cols: dict[str, tuple[int, str]]
                     ) -> list[tuple[int, str, Column | None]]:
    """(column, header text, closest known column or None) for each header cell in the table's block of
    headers that matches no column, so a mistyped header never drops a column silently."""
    mapped = {j for j, _ in cols.values()}
    if not mapped:
        return []

    def named(j: int) -> bool:
        return 0 <= j < len(header) and isinstance(header[j], str) and bool(header[j].strip())

    lo, hi = min(mapped), max(mapped)
    while named(lo - 1):
        lo -= 1
    while named(hi + 1):
        hi += 1
    names = {n: c for c in table.columns for n in (c.header, c.en, c.zh)}
    out = []
    for j in range(lo, hi + 1):
        if j in mapped or not named(j):
            continue
        text = " ".join(str(header[j]).split())
        close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.6)
        out.append((j, text, names[close[0]] if close else None))
    return out


def _prefer(names: list[str], wanted: str) -> list[str]:
    first = [n for n in names if n.casefold() == wanted.casefold()]
    return first + [n for n in names if n not in first]


def _scan_error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Error cells of a sheet, read from its XML in row-aligned blocks (regex only where t="e" occurs)."""
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as z:
        part = columnar.sheet_part(z, sheet)
        if part is None or part not in z.namelist() or part_is_plain(path, part):
            return out
        with z.open(part) as f:
            carry = b""
            while True:
                chunk = f.read(8 << 20)
                buf = carry + chunk
                if chunk:
                    cut = buf.rfind(b"</row>")
                    if cut < 0:
                        carry = buf
                        continue
                    block, carry = buf[:cut], buf[cut:]
                else:
                    block, carry = buf, b""
                if b"<f" in block:
                    for m in _FORMULA_ONLY.finditer(block):
                        ref = _CELL_REF.search(m.group(1))
                        if ref:
                            text = (m.group(2) or b"").decode("utf-8", "replace")
                            text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                            out[(int(ref.group(2)) - 1, column_index(ref.group(1)))] = "=" + (text or "(shared formula)")
                if b't="e"' in block:
                    for m in _ERROR_CELL.finditer(block):
                        ref = _CELL_REF.search(m.group(1) + b" " + m.group(2))
                        val = _VALUE.search(m.group(3))
                        if ref:
                            code = val.group(1).decode("utf-8", "replace") if val else "#N/A"
                            out[(int(ref.group(2)) - 1, column_index(ref.group(1)))] = code
                if not chunk:
                    break
    return out

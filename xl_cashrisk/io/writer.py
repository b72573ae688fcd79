"""Results workbooks (XlsxWriter): formatted Excel tables, summaries, charts, run stamps; saved atomically.

Every cell is written with a typed call (``write_string``, ``write_number``, ``write_datetime``,
``write_boolean``), never with XlsxWriter's ``write()`` guesser: a buyer name such as ``=HYPERLINK(...)``
or ``+86 20 1234`` stays text and can never become a formula (formula injection) or a number.

>>> # with ResultWorkbook("out.xlsx", inputs=["ledger.xlsx"]) as book:
>>> #     t = book.add_table(df, "Ageing", schema=AGEING)
>>> #     book.traffic_lights(t, "band"); book.add_chart("Ageing", "column", t, "bucket", ["amount"])
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from xl_cashrisk import __version__
from xl_cashrisk.dates import EXCEL_EPOCH
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io import fastsheet
from xl_cashrisk.io.safe import AtomicFile, disk_full, disk_full_error, file_fingerprint, release_quietly
from xl_cashrisk.schemas import labels
from xl_cashrisk.schemas.schema import Table
from xl_cashrisk.schemas.values import MAX_TEXT, text_too_long

__all__ = ["FORMATS", "LIGHTS", "LIGHT_WORDS", "RUN_STAMP_SHEET", "ResultWorkbook", "WrittenTable", "run_stamp",
           "text_width"]

RUN_STAMP_SHEET = "Run info"  # the run stamp's sheet (read back by `xl-cashrisk monitor`)

FORMATS = {
    "money": "#,##0.00", "number": "#,##0.00", "integer": "#,##0", "percent": "0.0%", "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm", "ratio": "0.000", "days": "0.0", "text": "@",
}
_SCHEMA_KIND = {"number": "number", "integer": "integer", "percent": "percent", "date": "date"}
# Excel's own Good / Neutral / Bad cell styles
LIGHTS = {
    "GREEN": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "YELLOW": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "RED": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
LIGHT_WORDS = {"GREEN": ("GREEN", "绿"), "YELLOW": ("YELLOW", "黄"), "RED": ("RED", "红")}
MAX_WIDTH, MIN_WIDTH = 60, 8
HEADER_WIDTH = 28  # a header wider than this wraps onto more lines instead of widening its column
TABLE_STYLE = "Table Style Medium 2"
TOTAL_LABEL = "Total 合计"
_SUBTOTALS = {"sum": (109, np.nansum), "count": (103, lambda v: float(np.count_nonzero(~np.isnan(v)))),
              "max": (104, np.nanmax), "min": (105, np.nanmin), "average": (101, np.nanmean)}  # SUBTOTAL codes
# print set-up: A4; a sheet up to FIT_COLUMNS columns prints one page wide, wider sheets LANDSCAPE_COLUMNS+ on
# landscape pages; a table longer than REPEAT_ROWS rows repeats its header row on every page
A4, FIT_COLUMNS, LANDSCAPE_COLUMNS, REPEAT_ROWS = 9, 20, 7, 30


@dataclass
class WrittenTable:
    """Where a DataFrame landed: sheet, Excel table name, rows (0-based) and each column's index."""

    sheet: str
    name: str
    header_row: int
    first_row: int
    last_row: int  # == header_row when the frame had no rows (an empty table keeps one blank row)
    columns: dict[str, int] = field(default_factory=dict)  # DataFrame column name → 0-based sheet column

    def ref(self, column: str) -> list:
        """[sheet, first_row, col, last_row, col] of a column's data, as XlsxWriter chart ranges take it."""
        c = self.columns[column]
        return [self.sheet, self.first_row, c, max(self.last_row, self.first_row), c]


class ResultWorkbook:
    """A results workbook being built; written to ``path`` atomically by :meth:`save` (or on ``with`` exit).

    ``inputs``: the run's input files; writing over one of them is refused. ``language``: "both" (default,
    "Amount 金额"), "zh" (Chinese first, "金额 Amount") or "en" (English only) for headers, titles and labels
    (:meth:`use_settings` takes it from the Settings' ``language``). Every sheet gets a print set-up at
    :meth:`save` (A4, fit to one page wide up to :data:`FIT_COLUMNS` columns, header row repeated). Tables with more than ``fast_cells`` cells (default
    :attr:`FAST_CELLS`) take the bulk path of :mod:`xl_cashrisk.io.fastsheet` (same cells, ~10× faster).
    """

    FAST_CELLS = 20_000

    def __init__(self, path: str | Path, *, inputs: Iterable[str | Path] = (), language: str = "both",
                 fast_cells: int | None = None):
        if language not in labels.LANGUAGES:
            raise ValueError(f"language must be both, en or zh, got {language!r}")
        self.language = language
        self.home_currency = ""
        self._file = AtomicFile(path, inputs=inputs)
        self.path = self._file.target
        self.wb = xlsxwriter.Workbook(str(self._file.path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": False, "default_date_format": FORMATS["date"],
            "in_memory": True})  # parts built in memory: no temporary files outside the target's folder
        self.wb.set_properties({"comments": f"Generated by xl-cashrisk {__version__}"})
        self._formats: dict[tuple, object] = {}
        self._sheets: dict[str, object] = {}
        self._next_row: dict[str, int] = {}
        self._names: set[str] = set()
        self.tables: dict[str, WrittenTable] = {}
        self.fast_cells = self.FAST_CELLS if fast_cells is None else fast_cells
        self._bulk: list[_Bulk] = []  # big tables' rows, written by fastsheet after close
        self._widths: dict[str, dict[int, float]] = {}  # sheet → column → width (the widest any table asked)
        self._header_lines: dict[tuple[str, int], int] = {}  # (sheet, header row) → lines its headers need
        self.print_setup: dict[str, dict[str, object]] = {}  # sheet → overrides of the print set-up (fit, landscape)
        self.summary_parts: dict[str, object] = {}  # step → result, for the Summary sheet (reports/summary.py)
        self.sheet_titles: dict[str, str] = {}  # sheet → the first title written on it (a contents list)
        self._on_save: list = []  # callables run just before the workbook closes (a contents list sees every sheet)

    # ------------------------------------------------------------------ context and saving
    def __enter__(self) -> ResultWorkbook:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.save()
        else:
            self.discard()

    def use_settings(self, settings) -> None:
        """Labels in the Settings' ``language`` (zh: Chinese first; en: English first, both languages) and the
        home currency in headers that name it."""
        self.language = "zh" if getattr(settings, "language", "en") == "zh" else "both"
        self.home_currency = getattr(settings, "home_currency", "") or ""

    def text(self, s: str) -> str:
        """A bilingual label ("English 中文") in the workbook's language."""
        return labels.in_language(s, self.language)

    def on_save(self, fn) -> None:
        """Run ``fn()`` just before the workbook closes (after every sheet exists)."""
        self._on_save.append(fn)

    def save(self) -> Path:
        """Close the workbook and move it over the target; the previous file stays if anything fails (a
        full disk is one line, "disk full", and leaves no temporary file)."""
        try:
            for fn in self._on_save:
                fn()
            self._page_setup()
            self._chart_data_for_bulk()
            self.wb.close()
            if self._bulk:
                fastsheet.splice(self._file.path, self._bulk_blocks())
        except Exception as exc:
            self._file.discard()
            if disk_full(exc):
                release_quietly(exc)
                raise disk_full_error(self.path) from None
            raise
        return self._file.commit()

    def discard(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self.wb.close()
        self._file.discard()

    # ------------------------------------------------------------------ sheets and formats
    def sheet(self, name: str):
        """The worksheet ``name`` (created on first use; Excel's 31-character limit applies)."""
        if name not in self._sheets:
            self._sheets[name] = self.wb.add_worksheet(name)
            self._next_row[name] = 0
        return self._sheets[name]

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    # ------------------------------------------------------------------ tables
    def add_table(
        self,
        df: pd.DataFrame,
        sheet: str,
        *,
        schema: Table | None = None,
        name: str | None = None,
        title: str | None = None,
        formats: Mapping[str, str] | None = None,
        widths: Mapping[str, float] | None = None,
        traffic_lights: Sequence[str] = (),
        index: bool = False,
        freeze: bool = True,
        totals: Mapping[str, str] | None = None,
    ) -> WrittenTable:
        """Write ``df`` as a formatted Excel table on ``sheet`` (below anything already there).

        ``formats`` maps a column to a key of :data:`FORMATS` or an Excel number format; otherwise the
        schema column's format, else one inferred from the dtype. Headers come from the schema (by column
        key) in the workbook's language, else the finance label of a result key
        (:func:`xl_cashrisk.schemas.labels.header`), else the column name. A ``sector`` column of keys reads as
        words unless the table is a schema's (read back as written). ``totals`` maps a column to "sum" (or
        another table total function): a total row under the table, labelled in its first column.
        """
        if index:
            df = df.reset_index()
        ws = self.sheet(sheet)
        top = self._next_row[sheet]
        if title:
            ws.write_string(top, 0, self.text(title), self.fmt(bold=True, font_size=13, font_color="#1F4E78"))
            self.sheet_titles.setdefault(sheet, self.text(title))
            top += 1
        header_row, first = top, top + 1
        n = len(df)
        last = header_row + max(n, 1)
        formats = dict(formats or {})
        names = [str(c) for c in df.columns]
        headers = _unique([self._header(c, schema) for c in names])
        tname = self._table_name(name or sheet)
        hdr_fmt = self.fmt(bold=True, text_wrap=True, valign="vcenter", font_color="#FFFFFF", bg_color="#1F4E78")
        # big tables: XlsxWriter writes the header and first data row, fastsheet the rest after close (same
        # cells); XlsxWriter's table then spans those two rows (its per-cell overlap check costs ~1 µs a cell)
        # and fastsheet widens its ref to the full range.
        bulk = _Bulk(ws, first + 1, tname) if n > 1 and n * len(names) > self.fast_cells else None
        if bulk is not None and totals:
            raise ValueError("a total row is for tables written cell by cell (not the bulk path)")
        ncols = max(len(names), 1)
        columns = [{"header": h, "header_format": hdr_fmt} for h in headers] or [{"header": "(empty)"}]
        if totals:
            self._total_columns(df, names, columns, totals, formats, schema, first)
        ws.add_table(header_row, 0, first if bulk else last + bool(totals), ncols - 1, {
            "name": tname, "style": TABLE_STYLE, "columns": columns, "total_row": bool(totals)})
        if bulk is not None:
            bulk.refs = (xl_range(header_row, 0, first, ncols - 1), xl_range(header_row, 0, last, ncols - 1))
        written = WrittenTable(sheet, tname, header_row, first, header_row + n, {c: j for j, c in enumerate(names)})
        for j, col in enumerate(names):
            series = df.iloc[:, j]
            if col == "sector" and schema is None:
                series = series.map(lambda v: labels.sector_label(v, self.language))
            _refuse_long_text(series, sheet, headers[j], first, self.path)
            num_format = _resolve_format(formats.get(col), schema, col, series)
            cell_fmt = self.fmt(num_format=num_format) if num_format else None
            if cell_fmt is None and _is_text(series):  # a space from a right-aligned number to its left
                cell_fmt = self.fmt(indent=1)
            if bulk is None:
                _write_column(ws, first, j, series, cell_fmt)
            else:
                _write_column(ws, first, j, series.iloc[:1], cell_fmt)
                bulk.columns.append(series.iloc[1:])
                bulk.formats.append(cell_fmt)
                if cell_fmt is None and _may_hold_dates(series.iloc[1:]):
                    self.wb.default_date_format._get_xf_index()  # register it as the slow path's write would
            width = (widths or {}).get(col) or _schema_width(schema, col) or _guess_width(headers[j], series)
            self._set_width(sheet, j, max(width, _header_need(headers[j])))
        lines = max((_header_lines(h, self._widths[sheet][j]) for j, h in enumerate(headers)), default=1)
        ws.set_row(header_row, 15 * max(lines, 2))
        if freeze and header_row <= 1:
            ws.freeze_panes(header_row + 1, 0)
        self._next_row[sheet] = last + 2 + bool(totals)
        self.tables[tname] = written
        if bulk is not None:
            self._bulk.append(bulk)
        for col in traffic_lights:
            self.traffic_lights(written, col)
        return written

    def traffic_lights(self, table: WrittenTable, column: str) -> None:
        """Colour a GREEN / YELLOW / RED column (English or 绿/黄/红) like Excel's Good/Neutral/Bad styles."""
        ws = self.sheet(table.sheet)
        c = table.columns[column]
        r0, r1 = table.first_row, max(table.last_row, table.first_row)
        for light, words in LIGHT_WORDS.items():
            f = self.fmt(**LIGHTS[light])
            for w in words:
                ws.conditional_format(r0, c, r1, c, {"type": "cell", "criteria": "==", "value": f'"{w}"',
                                                     "format": f})

    # ------------------------------------------------------------------ summary, charts, stamp
    def add_summary(self, sheet: str, items: Mapping[str, object] | Sequence[tuple], *, title: str | None = None,
                    headers: tuple[str, str] = ("Item 项目", "Value 数值"), translate: bool = True) -> WrittenTable:
        """A two-column key/value table. Items are (label, value) or (label, value, format key); labels in the
        workbook's language unless ``translate`` is False (the run stamp's keys are read back as written)."""
        pairs = list(items.items()) if isinstance(items, Mapping) else [tuple(i) for i in items]
        ws = self.sheet(sheet)
        top = self._next_row[sheet]
        if title:
            ws.write_string(top, 0, self.text(title), self.fmt(bold=True, font_size=13, font_color="#1F4E78"))
            self.sheet_titles.setdefault(sheet, self.text(title))
            top += 1
        hdr = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78")
        last = top + max(len(pairs), 1)
        tname = self._table_name(f"{sheet}_summary")
        ws.add_table(top, 0, last, 1, {"name": tname, "style": "Table Style Light 9",
                                       "columns": [{"header": self.text(headers[0]), "header_format": hdr},
                                                   {"header": self.text(headers[1]), "header_format": hdr}]})
        label_fmt = self.fmt(bold=True)
        texts = [self.text(str(p[0])) if translate else str(p[0]) for p in pairs]
        for i, item in enumerate(pairs):
            value = item[1]
            key = item[2] if len(item) > 2 else None
            r = top + 1 + i
            ws.write_string(r, 0, texts[i], label_fmt)
            fmt_key = key or _value_kind(value)
            num_format = FORMATS.get(fmt_key, fmt_key) if fmt_key else None
            _write_cell(ws, r, 1, value, self.fmt(num_format=num_format) if num_format else None)
        self._set_width(sheet, 0, max(MIN_WIDTH, min(MAX_WIDTH, max(map(text_width, texts), default=10) + 2)))
        self._set_width(sheet, 1, max(22, min(MAX_WIDTH, max((text_width(str(p[1])) + 2 for p in pairs
                                                               if isinstance(p[1], str)), default=0))))
        self._next_row[sheet] = last + 2
        written = WrittenTable(sheet, tname, top, top + 1, top + len(pairs), {"label": 0, "value": 1})
        self.tables[tname] = written
        return written

    def add_chart(self, sheet: str, kind: str, table: WrittenTable, x: str, ys: Sequence[str], *,
                  title: str | None = None, anchor: str | None = None, x_title: str | None = None,
                  y_title: str | None = None, size: tuple[int, int] = (720, 360)):
        """A line, column or bar chart of ``ys`` against ``x`` from a written table, placed on ``sheet``."""
        if kind not in ("line", "column", "bar"):
            raise ValueError(f"chart kind must be line, column or bar, got {kind!r}")
        chart = self.wb.add_chart({"type": kind})
        for y in ys:
            c = table.columns[y]
            chart.add_series({"name": [table.sheet, table.header_row, c], "categories": table.ref(x),
                              "values": table.ref(y)})
        if title:
            chart.set_title({"name": self.text(title)})
        if x_title:
            chart.set_x_axis({"name": x_title})
        chart.set_y_axis({"name": y_title or "", "num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_size({"width": size[0], "height": size[1]})
        chart.set_legend({"position": "bottom"})
        ws = self.sheet(sheet)
        if anchor is None:
            anchor = xl_rowcol_to_cell(self._next_row[sheet], 0)
            self._next_row[sheet] += size[1] // 20 + 2
        ws.insert_chart(anchor, chart)
        return chart

    def add_run_stamp(self, stamp: Mapping[str, object], sheet: str = RUN_STAMP_SHEET) -> WrittenTable:
        """The run stamp (see :func:`run_stamp`) as a key/value sheet."""
        items = []
        for k, v in stamp.items():
            if k == "inputs":
                for name, digest in v:
                    items.append((f"Input 输入文件: {name}", f"sha256 {digest}"))
            else:
                items.append((k, v))
        return self.add_summary(sheet, items, title="Run information 运行信息", headers=("Item 项目", "Value 值"),
                                translate=False)

    # ------------------------------------------------------------------ bulk (fast) path
    def _bulk_blocks(self) -> list[fastsheet.Block]:
        """After close: each big table's remaining rows with the XF indices XlsxWriter gave its formats."""
        parts = [w for w in self.wb.worksheets() if not w.is_chartsheet]
        date_fmt = self.wb.default_date_format
        return [fastsheet.Block(f"xl/worksheets/sheet{parts.index(b.ws) + 1}.xml", b.first_row, 0, b.columns,
                                [_xf_index(f) for f in b.formats], _xf_index(date_fmt, required=False),
                                table=(b.table, *b.refs))
                for b in self._bulk]

    def _chart_data_for_bulk(self) -> None:
        """Charts cache their data at close from XlsxWriter's cell table: lend it the bulk cells meanwhile."""
        for ws in {id(b.ws): b.ws for b in self._bulk}.values():
            blocks = [b for b in self._bulk if b.ws is ws]
            original = ws._get_range_data

            def range_data(r0, c0, r1, c1, ws=ws, blocks=blocks, original=original):
                added = []
                for b in blocks:
                    first, cols, fmts = b.first_row, b.columns, b.formats
                    for c in range(max(c0, 0), min(c1, len(cols) - 1) + 1):
                        if cols[c].dtype.kind not in "fiuM":  # text would need the (already built) SST
                            continue
                        values = cols[c].iloc[max(r0 - first, 0):max(r1 - first + 1, 0)]
                        top = first + max(r0 - first, 0)
                        _write_column(ws, top, c, values, fmts[c])
                        added += [(top + i, c) for i in range(len(values))]
                try:
                    return original(r0, c0, r1, c1)
                finally:
                    for r, c in added:
                        ws.table.get(r, {}).pop(c, None)
                        if r in ws.table and not ws.table[r]:
                            del ws.table[r]

            ws._get_range_data = range_data

    # ------------------------------------------------------------------ helpers
    def _header(self, col: str, schema: Table | None) -> str:
        if schema is not None:
            try:
                c = schema.column(col)
            except KeyError:
                c = None
            if c is not None:
                return {"both": c.header, "en": c.en, "zh": f"{c.zh} {c.en}"}[self.language]
        return labels.header(col, hc=self.home_currency, language=self.language) or self.text(col)

    def _set_width(self, sheet: str, col: int, width: float) -> None:
        """A column as wide as the widest table on the sheet asks (tables above and below share columns)."""
        widths = self._widths.setdefault(sheet, {})
        widths[col] = max(widths.get(col, 0.0), float(width))
        self.sheet(sheet).set_column(col, col, widths[col])

    def _total_columns(self, df: pd.DataFrame, names: list[str], columns: list[dict], totals: Mapping[str, str],
                       formats: Mapping[str, str], schema: Table | None, first: int) -> None:
        """The total row: SUBTOTAL over the column's cells by address (LibreOffice reads no structured
        reference to a header with parentheses, "Amount (CNY)"), with the value cached."""
        columns[0]["total_string"] = self.text(TOTAL_LABEL)
        for col, fn in totals.items():
            j = names.index(col)
            code, agg = _SUBTOTALS[fn]
            values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            num_format = _resolve_format(formats.get(col), schema, col, df[col])
            cells = xl_range(first, j, first + max(len(df), 1) - 1, j)
            columns[j].update({"total_function": f"=SUBTOTAL({code},{cells})",
                               "total_value": float(agg(values)) if len(values) else 0.0,
                               "format": self.fmt(bold=True, num_format=num_format or "General")})

    def _page_setup(self) -> None:
        """Every sheet prints: A4, landscape when wide, one page wide up to :data:`FIT_COLUMNS` columns, the
        longest table's header row repeated, the sheet name and page number in the footer."""
        for name, ws in self._sheets.items():
            tables = [t for t in self.tables.values() if t.sheet == name]
            ncols = max((max(t.columns.values(), default=0) + 1 for t in tables), default=1)
            opts = {"landscape": ncols >= LANDSCAPE_COLUMNS, "fit": (1, 0) if ncols <= FIT_COLUMNS else (2, 0),
                    **self.print_setup.get(name, {})}
            ws.set_paper(A4)
            if opts["landscape"]:
                ws.set_landscape()
            else:
                ws.set_portrait()
            ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
            ws.fit_to_pages(*opts["fit"])
            ws.set_footer(f"&L{name.replace('&', '&&')}&R&P / &N")
            longest = max(tables, key=lambda t: t.last_row - t.first_row, default=None)
            if longest is not None and longest.last_row - longest.first_row >= REPEAT_ROWS:
                ws.repeat_rows(longest.header_row)

    def _table_name(self, base: str) -> str:
        name = re.sub(r"\W", "_", base, flags=re.ASCII).strip("_") or "Table"
        if not re.match(r"[A-Za-z_]", name):
            name = "T_" + name
        if re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]\d*", name):  # would read as a cell reference
            name = "T_" + name
        candidate, k = name, 2
        while candidate.casefold() in self._names:
            candidate, k = f"{name}_{k}", k + 1
        self._names.add(candidate.casefold())
        return candidate


def run_stamp(as_of: dt.date | None = None, inputs: Iterable[str | Path] = (),
              extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """What produced a result: product, version, as-of date, run time, and each input's SHA-256.

    >>> s = run_stamp(dt.date(2026, 9, 30))
    >>> s["product"], s["as_of"]
    ('xl-cashrisk', '2026-09-30')
    """
    stamp: dict[str, object] = {
        "product": "xl-cashrisk",
        "version": __version__,
        "as_of": as_of.isoformat() if as_of else "",
        "run_at": dt.datetime.now().replace(microsecond=0).isoformat(sep=" "),
    }
    stamp.update(extra or {})
    stamp["inputs"] = [(Path(p).name, file_fingerprint(p)) for p in inputs]
    return stamp


@dataclass
class _Bulk:
    """A big table's rows below its first data row, spliced in by :mod:`fastsheet` after close."""

    ws: object
    first_row: int  # 0-based sheet row of columns[.][0]
    table: str
    columns: list[pd.Series] = field(default_factory=list)
    formats: list = field(default_factory=list)
    refs: tuple[str, str] = ("", "")  # table ref as XlsxWriter writes it, and the full one


def _refuse_long_text(series: pd.Series, sheet: str, header: str, first: int, path: Path) -> None:
    """A text longer than a cell holds (32,767 characters) is refused with its cell, never cut short."""
    if series.dtype.kind != "O" and not isinstance(series.dtype, pd.StringDtype):
        return
    try:
        lengths = series.str.len()
    except AttributeError:  # no text in the column
        return
    if not (lengths > MAX_TEXT // 2).any():
        return
    for i in np.flatnonzero((lengths > MAX_TEXT // 2).to_numpy(dtype=bool)).tolist():
        if text_too_long(series.iloc[i]):
            raise InputError(f"a text of {len(series.iloc[i]):,} characters for sheet '{sheet}', column '{header}', "
                             f"row {first + i + 1} of the results: a cell holds at most {MAX_TEXT:,}, and it is never "
                             "cut short; shorten it in the input", Location(str(path)))


def _is_text(series: pd.Series) -> bool:
    """Only text (and blanks) in the column."""
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _may_hold_dates(series: pd.Series) -> bool:
    """Could an unformatted column hold dates (written with XlsxWriter's default date format)?"""
    if series.dtype != object:
        return False
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty", "floating", "integer", "boolean", "mixed-integer-float", "decimal", "bytes"):
        return False
    return any(isinstance(v, (dt.date, np.datetime64)) for v in series)


def _xf_index(fmt, required: bool = True) -> int | None:
    """The XF index XlsxWriter wrote for ``fmt`` (a format it has not indexed has none in styles.xml)."""
    if fmt is None:
        return None
    if fmt.xf_index is None and fmt._get_format_key() not in fmt.xf_format_indices:
        if required:
            raise RuntimeError("internal: a bulk-written format was never registered with XlsxWriter")
        return None
    return fmt._get_xf_index()


def _write_column(ws, first: int, c: int, series: pd.Series, cell_fmt) -> None:
    kind = series.dtype.kind
    if kind == "M":
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        values = series.to_numpy(dtype="datetime64[s]")
        days = (values - EXCEL_EPOCH.astype("datetime64[s]")) / np.timedelta64(1, "D")
        for i, v in enumerate(days.tolist()):
            if math.isnan(v):
                ws.write_blank(first + i, c, None, cell_fmt)
            else:
                ws.write_number(first + i, c, v, cell_fmt)
    elif kind in "fiu":
        for i, v in enumerate(series.to_numpy(dtype="float64", na_value=np.nan).tolist()):
            if isinstance(v, float) and not math.isfinite(v):
                ws.write_blank(first + i, c, None, cell_fmt)
            else:
                ws.write_number(first + i, c, v, cell_fmt)
    elif kind == "b" and not series.hasnans:
        for i, v in enumerate(series.to_numpy(dtype=bool).tolist()):
            ws.write_boolean(first + i, c, v, cell_fmt)
    else:
        for i, v in enumerate(series.to_numpy(dtype=object).tolist()):
            _write_cell(ws, first + i, c, v, cell_fmt)


def _write_cell(ws, r: int, c: int, v: object, cell_fmt) -> None:
    """One value with the matching typed call; text is always text."""
    if v is None or v is pd.NaT or v is pd.NA:
        ws.write_blank(r, c, None, cell_fmt)
    elif isinstance(v, str):
        ws.write_string(r, c, v, cell_fmt)
    elif isinstance(v, (bool, np.bool_)):
        ws.write_boolean(r, c, bool(v), cell_fmt)
    elif isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isfinite(f):
            ws.write_number(r, c, f, cell_fmt)
        else:
            ws.write_blank(r, c, None, cell_fmt)
    elif isinstance(v, (dt.datetime, dt.date, np.datetime64)):
        ts = pd.Timestamp(v)
        if pd.isna(ts):
            ws.write_blank(r, c, None, cell_fmt)
        else:
            ws.write_datetime(r, c, ts.to_pydatetime().replace(tzinfo=None), cell_fmt)
    else:
        ws.write_string(r, c, str(v), cell_fmt)


def _resolve_format(explicit: str | None, schema: Table | None, col: str, series: pd.Series) -> str | None:
    if explicit:
        return FORMATS.get(explicit, explicit)
    if schema is not None:
        try:
            sc = schema.column(col)
        except KeyError:
            sc = None
        if sc is not None and (sc.number_format or sc.dtype in _SCHEMA_KIND):
            return sc.number_format or FORMATS[_SCHEMA_KIND[sc.dtype]]
    kind = series.dtype.kind
    if kind == "M":
        return FORMATS["date"]
    if kind in "iu":
        return FORMATS["integer"]
    if kind == "f":
        return FORMATS["number"]
    if kind == "O":
        sample = series.dropna().head(50)
        if len(sample) and all(isinstance(v, (dt.date, pd.Timestamp)) for v in sample):
            return FORMATS["date"]
    return None


def _value_kind(v: object) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (dt.date, np.datetime64, pd.Timestamp)):
        return "date"
    if isinstance(v, (int, np.integer)):
        return "integer"
    if isinstance(v, (float, np.floating)):
        return "number"
    return None


def _schema_width(schema: Table | None, col: str) -> float | None:
    if schema is None:
        return None
    try:
        return schema.column(col).width
    except KeyError:
        return None


def text_width(s: str) -> int:
    """Columns a text takes: wide (CJK) characters count two.

    >>> text_width("Amount 金额")
    11
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _guess_width(header: str, series: pd.Series) -> float:
    sample = series.head(200)
    lengths = [text_width(str(v)) for v in sample if v is not None]
    widest = max([*lengths, 8]) if series.dtype.kind == "O" else 12
    return float(max(MIN_WIDTH, min(MAX_WIDTH, widest + 2)))


def _header_need(header: str) -> float:
    """The width a wrapped header needs: its longest line (English and Chinese wrap apart) up to
    :data:`HEADER_WIDTH`, and never narrower than its longest word."""
    parts = [p for p in labels.split_languages(header) if p]
    words = max((text_width(w) for p in parts for w in p.split()), default=0)
    return float(max(MIN_WIDTH, min(MAX_WIDTH, max(words, min(HEADER_WIDTH, max(map(text_width, parts), default=0)))
                                    + 2)))


def _header_lines(header: str, width: float) -> int:
    """Lines a header takes wrapped in a column ``width`` characters wide."""
    usable = max(width - 2, 1)
    return sum(max(1, math.ceil(text_width(p) / usable)) for p in labels.split_languages(header) if p)


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        k = h.casefold()
        seen[k] = seen.get(k, 0) + 1
        out.append(h if seen[k] == 1 else f"{h} ({seen[k]})")
    return out

"""Template workbooks, built from the schemas only (XlsxWriter).

Each schema :class:`~xl_cashrisk.schemas.Table` becomes an Excel table on its sheet: a bilingual title,
bilingual headers coloured by role (required, optional, calculated), input cells shaded, data
validation from the column type (lists, dates, numbers ≥ minimum), number and date formats, a frozen
header and the schema's widths. A :class:`~xl_cashrisk.schemas.settings.KeyValueTable` becomes the
Settings sheet, and an Instructions sheet explains every column in Chinese and English.

Issues register their workbooks in :data:`TEMPLATES` (kind → :class:`TemplateSpec`); the files in
``workbook_templates/`` are generated from it, never edited by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from xl_cashrisk import __version__
from xl_cashrisk.io.safe import atomic_output
from xl_cashrisk.io.writer import LIGHT_WORDS, LIGHTS
from xl_cashrisk.schemas import company as company_schema
from xl_cashrisk.schemas import forecast as forecast_schema
from xl_cashrisk.schemas import policy as policy_schema
from xl_cashrisk.schemas import register as register_schema
from xl_cashrisk.schemas.ledger import EXAMPLE_ROWS, LEDGER
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import FX, FX_EXAMPLE_ROWS, SETTINGS, KeyValueTable, Setting

__all__ = ["FUNCTIONS_DATA", "TEMPLATES", "TEMPLATE_FUNCTIONS", "TemplateSpec", "build_named", "build_template",
           "function_rows"]

INSTRUCTIONS_SHEET = "Instructions"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2  # 0-based; data start on HEADER_ROW + 1
INPUT_ROWS = 200  # blank table rows offered below the examples
VALIDATION_ROWS = 20000  # validation reaches this far below the header, for rows pasted under the table
FIRST_DATE, LAST_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1)  # document properties: stable across rebuilds
TABLE_GAP = 1  # blank columns between tables that share a sheet

COLORS = {
    "required": "#1F4E78", "optional": "#5B9BD5", "result": "#7F7F7F", "input": "#FFF2CC",
    "calc": "#EDEDED", "title": "#1F4E78", "border": "#BFBFBF",
}
DEFAULT_FORMATS = {"date": "yyyy-mm-dd", "number": "#,##0.00", "integer": "0", "percent": "0.0%"}
TYPE_LABELS = {
    "text": "Text 文本", "number": "Number 数字", "integer": "Whole number 整数", "date": "Date 日期",
    "choice": "List 列表", "bool": "TRUE/FALSE 是/否", "percent": "Percent 百分比",
    "int_list": "List of whole numbers 整数列表", "number_list": "List of numbers 数字列表",
    "percent_list": "List of percentages 百分比列表", "date_list": "List of dates 日期列表",
}
GENERAL_NOTES = (
    ("Fill in the yellow cells, one row per item. Do not rename the sheets or the column headers; "
     "columns may be moved and extra columns are ignored.",
     "请在黄色单元格中填写数据，每行一条记录。请勿修改工作表名称和列标题；可调整列顺序，多余的列会被忽略。"),
    ("Dark blue headers are required, light blue optional, grey columns are calculated (do not type).",
     "深蓝色表头为必填，浅蓝色为选填，灰色为自动计算列（请勿填写）。"),
    ("Dates: an Excel date or text like 2026-09-30. Amounts: plain numbers without currency symbols.",
     "日期：Excel 日期或 2026-09-30 格式文本。金额：只填数字，不要带货币符号。"),
    ("The tables start empty: paste or type your rows right below the header row. Example rows are shown on "
     "this sheet, for reference only, and are never read as data.",
     "表格初始为空：请将数据粘贴或填写在表头正下方。示例行仅列在本说明页供参考，不会被当作数据读取。"),
    ("Blank rows are skipped. Every other row is checked; each problem is reported with its row and column, "
     "and nothing is changed or dropped silently.",
     "空行会被跳过；其余每一行都会检查，问题按行号和列名列出，不会静默修改或删除数据。"),
)


@dataclass(frozen=True)
class TemplateSpec:
    """A distributable workbook: which schema tables it holds, its title and its file name."""

    kind: str
    title_zh: str
    title_en: str
    filename: str
    tables: tuple[Table | KeyValueTable, ...]
    examples: Mapping[str, Sequence[Mapping[str, object]]] = field(default_factory=dict)  # rows in the tables
    # example rows shown on the Instructions sheet only: a data table whose rows are summed (invoices,
    # buyers, financials) ships empty, so rows pasted below its header are the only rows it holds
    shown: Mapping[str, Sequence[Mapping[str, object]]] = field(default_factory=dict)
    lights: Mapping[str, Sequence[str]] = field(default_factory=dict)  # table key → GREEN/YELLOW/RED columns
    define_names: bool = False  # Setting_<key> per settings row, <Table>_rows per data table, for formulas


TEMPLATES: dict[str, TemplateSpec] = {
    "ledger": TemplateSpec(
        "ledger", "应收账款明细模板", "AR ledger template", "ar_ledger.xlsx", (LEDGER, SETTINGS, FX),
        {"fx": FX_EXAMPLE_ROWS}, shown={"ledger": EXAMPLE_ROWS},
    ),
    "forecast": TemplateSpec(
        "forecast", "13周现金流预测与压力测试模板", "13-week cash forecast and stress test template",
        "cash_forecast.xlsx", forecast_schema.TEMPLATE_TABLES,
        {"forecast": forecast_schema.forecast_example_rows(), "scenarios": forecast_schema.SCENARIO_EXAMPLE_ROWS,
         "fx": FX_EXAMPLE_ROWS},
    ),
    "register": TemplateSpec(
        "register", "客户信用档案模板", "Buyer register template", "buyer_register.xlsx",
        (register_schema.REGISTER, SETTINGS.extend(register_schema.SETTING_ROWS), FX, register_schema.SCORECARD),
        {"fx": FX_EXAMPLE_ROWS}, shown={"register": register_schema.EXAMPLE_ROWS}, lights={"register": ("band",)},
        define_names=True,
    ),
    "settings": TemplateSpec(
        "settings", "设置、信用保险保单与公司财务模板", "Settings, credit insurance policy and company financials",
        "settings.xlsx",
        (SETTINGS.extend(company_schema.SETTING_ROWS), FX, policy_schema.POLICY, company_schema.COMPANY,
         policy_schema.BUYER_LIMITS),
        {"fx": FX_EXAMPLE_ROWS},
        shown={"company": company_schema.EXAMPLE_ROWS, "buyer_limits": policy_schema.EXAMPLE_BUYER_ROWS},
    ),
}


FUNCTIONS_SHEET = "Functions 函数"
# The Excel functions each template teaches on its Functions sheet (examples from the udfs registry).
TEMPLATE_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "ledger": ("AGEBUCKET", "DAYSPASTDUE", "AGEING", "DSO", "DSOCOUNTBACK", "BPDSO", "CEI", "BADDEBTRESERVE"),
    "register": ("ALTMANZ", "CURRENTRATIO", "PAYDEX", "CREDITSCORE", "CREDITBAND", "CREDITGRADE", "CREDITPD",
                 "CREDITLIMIT", "EXPECTEDLOSS", "HHI", "TOPNSHARE"),
    "forecast": ("WORKINGCAPITAL", "CCC", "PORTFOLIOEL", "PORTFOLIOVAR", "WCDR"),
    "settings": ("NOTIFYBY", "CLAIMBY", "INSUREDLOSS", "UNINSUREDLOSS", "INSUREDSHARE"),
}


# their examples and summaries, generated from the Excel front end's registry by the build tooling
# (python -m xl_cashrisk.build.template_functions): this layer never imports udfs
FUNCTIONS_DATA = Path(__file__).with_name("template_functions.json")


# Each template's own examples, pointing at its own tables (the registry's examples use free cells such as
# B2 for the reference docs). {col:TABLE.column}: the column's data body, {cell:TABLE.column}: its first data
# cell, {value:TABLE.key}: the value cell of a Settings or Policy row; resolved by :func:`layout_example`.
_OPEN, _DUE = "{col:ledger.open_amount}", "{col:ledger.due_date}"
_AS_OF = "{value:settings.as_of}"
TEMPLATE_EXAMPLES: dict[str, dict[str, str]] = {
    "ledger": {
        "AGEBUCKET": f"=AGEBUCKET({_DUE}, {_AS_OF})",
        "DAYSPASTDUE": f"=DAYSPASTDUE({_DUE}, {_AS_OF})",
        "AGEING": f"=AGEING({_DUE}, {_OPEN}, {_AS_OF})",
        "DSO": f"=DSO(SUM({_OPEN}), SUMIFS({{col:ledger.amount}}, {{col:ledger.invoice_date}}, \">\"&EDATE({_AS_OF}, "
               "-12)), 365)",
        "DSOCOUNTBACK": f"=DSOCOUNTBACK(SUM({_OPEN}), {{1200000;1100000;950000;900000}}, {{30;31;31;30}})",
        "BPDSO": f"=BPDSO(SUMIFS({_OPEN}, {_DUE}, \">=\"&{_AS_OF}), SUMIFS({{col:ledger.amount}}, "
                 f"{{col:ledger.invoice_date}}, \">\"&EDATE({_AS_OF}, -12)), 365)",
        "CEI": f"=CEI(2500000, SUMIFS({{col:ledger.amount}}, {{col:ledger.invoice_date}}, \">\"&EDATE({_AS_OF}, -3)), "
               f"SUM({_OPEN}), SUMIFS({_OPEN}, {_DUE}, \">=\"&{_AS_OF}), 3)",
        "BADDEBTRESERVE": "=BADDEBTRESERVE({900000,300000,120000,60000,30000,20000}, {0.01,0.03,0.1,0.25,0.5,1})",
    },
    "register": {
        "ALTMANZ": "=ALTMANZ({cell:register.current_assets}-{cell:register.current_liabilities}, "
                   "{cell:register.retained_earnings}, {cell:register.ebit}, {cell:register.equity_book}, "
                   "{cell:register.sales}, {cell:register.total_assets}, {cell:register.total_liabilities}, \"Z2\")",
        "CURRENTRATIO": "=CURRENTRATIO({col:register.current_assets}, {col:register.current_liabilities})",
        "PAYDEX": "=PAYDEX({50000;30000;20000;10000}, {0;15;40;-5})",
        "HHI": "=HHI({col:register.open_amount})",
        "TOPNSHARE": "=TOPNSHARE({col:register.open_amount}, 5)",
        "EXPECTEDLOSS": "=EXPECTEDLOSS({cell:register.pd}, {value:settings.el_lgd}, {cell:register.open_amount})",
    },
    "forecast": {
        "WORKINGCAPITAL": "=WORKINGCAPITAL(52000000, 31000000)",
        "CCC": "=CCC(62, 45, 38)",
        "PORTFOLIOEL": "=PORTFOLIOEL({1000000;500000;250000}, {0.02;0.05;0.1}, 0.45)",
        "PORTFOLIOVAR": "=PORTFOLIOVAR({1000000;500000;250000}, {0.02;0.05;0.1}, 0.45, 0.2, 0.99)",
    },
    "settings": {
        "NOTIFYBY": ("=NOTIFYBY(DATE(2026,8,31), {value:policy.notify_days}, IF({value:policy.notify_basis}=\"mep_end\", "
                     "{value:policy.max_extension_period}, 0))"),
        "CLAIMBY": "=CLAIMBY(DATE(2026,6,30), {value:policy.claim_days})",
        "INSUREDLOSS": "=INSUREDLOSS(250000, {cell:buyer_limits.insurer_limit}, {value:policy.indemnity_pct}, "
                       "{value:policy.aggregate_first_loss}, {value:policy.non_qualifying_loss})",
        "UNINSUREDLOSS": "=UNINSUREDLOSS(250000, {cell:buyer_limits.insurer_limit}, {value:policy.indemnity_pct}, "
                         "{value:policy.aggregate_first_loss}, {value:policy.non_qualifying_loss})",
        "INSUREDSHARE": "=INSUREDSHARE(300000, {cell:buyer_limits.insurer_limit}, {value:policy.indemnity_pct})",
    },
}
_PLACEHOLDER = re.compile(r"\{(col|cell|value):(\w+)\.(\w+)\}")


def layout_example(example: str, places: Mapping[str, tuple[str, int, Table | KeyValueTable, int]]) -> str:
    """``example`` with its placeholders replaced by the cells of the tables as built: ``places`` maps a
    table key to (sheet, first column, table, last data row), all 0-based."""
    def cell(m: re.Match) -> str:
        what, table, key = m.groups()
        sheet, col0, t, last = places[table]
        ref = f"'{sheet}'!"
        if what == "value":
            row = HEADER_ROW + 1 + [r.key for r in t.rows].index(key)
            col = col0 + [c.key for c in t.table.columns].index("value")
            return ref + xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
        col = col0 + [c.key for c in t.columns].index(key)
        if what == "cell":
            return ref + xl_rowcol_to_cell(HEADER_ROW + 1, col)
        return ref + xl_range_abs(HEADER_ROW + 1, col, last, col)

    return _PLACEHOLDER.sub(cell, example)


def function_rows(kind: str) -> tuple[tuple[str, str, str], ...]:
    """(name, example, summary) of the functions template ``kind`` teaches, from :data:`FUNCTIONS_DATA`."""
    rows = json.loads(FUNCTIONS_DATA.read_text(encoding="utf-8")).get(kind, ())
    own = TEMPLATE_EXAMPLES.get(kind, {})
    return tuple((name, own.get(name, example), summary) for name, example, summary in rows)


def build_named(kind: str, outdir: str | Path, *, examples: bool = True) -> Path:
    """Build the registered template ``kind`` into ``outdir``; returns the file path. ``examples=False``
    leaves out the example rows (those in tables, such as FX rates, and those on the Instructions sheet)."""
    try:
        spec = TEMPLATES[kind]
    except KeyError:
        raise KeyError(f"unknown template {kind!r}; known: {', '.join(sorted(TEMPLATES))}") from None
    path = Path(outdir) / spec.filename
    return build_template(spec.tables, path, title_zh=spec.title_zh, title_en=spec.title_en,
                          examples=spec.examples if examples else None, shown=spec.shown if examples else None,
                          lights=spec.lights, define_names=spec.define_names, functions=function_rows(kind))


def build_template(
    tables: Iterable[Table | KeyValueTable],
    path: str | Path,
    *,
    title_zh: str = "",
    title_en: str = "",
    examples: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    input_rows: int = INPUT_ROWS,
    lights: Mapping[str, Sequence[str]] | None = None,
    define_names: bool = False,
    functions: Sequence[tuple[str, str, str]] = (),
    shown: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> Path:
    """Write a template workbook for ``tables`` to ``path`` (atomically) and return the path.

    Tables naming the same sheet are placed side by side on it. An Instructions sheet comes first.
    ``examples``: rows written into the tables (a filled sample workbook, FX rates); ``shown``: example
    rows shown on the Instructions sheet only.
    """
    tables = tuple(tables)
    examples = examples or {}
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "in_memory": True})
        wb.set_properties({"title": f"{title_en} {title_zh}".strip(), "created": FIXED_TIMESTAMP,
                           "comments": f"Generated by xl-cashrisk {__version__} from its schemas"})
        fmt = _Formats(wb)
        _instructions(wb.add_worksheet(INSTRUCTIONS_SHEET), tables, fmt, title_zh, title_en, shown or {})
        sheets: dict[str, tuple[object, int]] = {}
        places: dict[str, tuple[str, int, Table | KeyValueTable, int]] = {}
        first_data = None
        for t in tables:
            layout = t.table if isinstance(t, KeyValueTable) else t
            if layout.sheet not in sheets:
                sheets[layout.sheet] = (wb.add_worksheet(layout.sheet), 0)
            ws, col0 = sheets[layout.sheet]
            if isinstance(t, KeyValueTable):
                width = _settings_table(ws, t, col0, fmt, examples.get(t.table.key, {}))
                places[t.table.key] = (layout.sheet, col0, t, HEADER_ROW + len(t.rows))
            else:
                width = _data_table(ws, t, col0, fmt, examples.get(t.key, ()), input_rows)
                places[t.key] = (layout.sheet, col0, t, HEADER_ROW + max(len(examples.get(t.key, ())), input_rows, 1))
                for key in (lights or {}).get(t.key, ()):
                    _traffic_lights(ws, fmt, col0 + [c.key for c in t.columns].index(key))
            if define_names:
                _define_names(wb, t, col0, 0 if isinstance(t, KeyValueTable) else len(examples.get(t.key, ())),
                              input_rows)
            sheets[layout.sheet] = (ws, col0 + width + TABLE_GAP)
            if col0 == 0:
                ws.freeze_panes(HEADER_ROW + 1, 0)
            first_data = first_data or ws
        if functions:
            functions = [(name, layout_example(example, places), summary) for name, example, summary in functions]
            _functions_sheet(wb.add_worksheet(FUNCTIONS_SHEET), functions, fmt)
        if first_data is not None:
            first_data.activate()
        wb.close()
    return Path(path)


def _functions_sheet(ws, functions: Sequence[tuple[str, str, str]], fmt: _Formats) -> None:
    """The Excel functions that work with this workbook, one example each (shown as text, not computed)."""
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, "Excel functions for this workbook 本模板可用的函数", fmt.title)
    ws.write_string(1, 0, "They need the CashRisk add-in (Windows), xlwings Lite (Excel 365, Mac, web) or the "
                          "LibreOffice extension. 需要安装 CashRisk 插件、xlwings Lite 或 LibreOffice 扩展。", fmt.note)
    for j, h in enumerate(("Function 函数", "Example 示例", "What it gives 说明")):
        ws.write_string(3, j, h, fmt.header("required"))
    for i, (name, example, summary) in enumerate(functions):
        ws.write_string(4 + i, 0, name, fmt.bold_wrap)
        ws.write_string(4 + i, 1, example, fmt.wrap)
        ws.write_string(4 + i, 2, summary, fmt.wrap)


class _Formats:
    """XlsxWriter formats, created once per workbook and cached by name."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.cache: dict[tuple, object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": COLORS["title"]})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.heading = wb.add_format({"bold": True, "font_size": 12, "font_color": COLORS["title"]})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.bold_wrap = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})

    def header(self, role: str):
        return self._get(("header", role), {"bold": True, "font_color": "#FFFFFF", "bg_color": COLORS[role],
                                            "text_wrap": True, "valign": "vcenter", "border": 1,
                                            "border_color": COLORS["border"]})

    def cell(self, role: str, num_format: str | None):
        props = {"bg_color": COLORS["input" if role == "input" else "calc"], "border": 1,
                 "border_color": COLORS["border"]}
        if num_format:
            props["num_format"] = num_format
        if role != "input":
            props["locked"] = True
        return self._get(("cell", role, num_format), props)

    def _get(self, key: tuple, props: dict):
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _number_format(c: Column) -> str | None:
    return c.number_format or DEFAULT_FORMATS.get(c.dtype)


def _role(c: Column) -> str:
    return "result" if c.result else "required" if c.required else "optional"


def _data_table(ws, t: Table, col0: int, fmt: _Formats, examples: Sequence[Mapping[str, object]],
                input_rows: int) -> int:
    cols = t.columns
    a1 = any(c.formula and _a1(c.formula) for c in cols)  # one reference style per table
    nrows = max(len(examples), input_rows, 1)
    first, last = HEADER_ROW + 1, HEADER_ROW + nrows
    ws.write_string(TITLE_ROW, col0, f"{t.title_en} {t.title_zh}", fmt.title)
    ws.write_string(NOTE_ROW, col0, f"{t.description_en}  {t.description_zh}".strip(), fmt.note)
    letters = {c.key: xlsxwriter.utility.xl_col_to_name(col0 + j) for j, c in enumerate(cols)}
    spec_cols = []
    for c in cols:
        entry: dict[str, object] = {"header": c.header, "header_format": fmt.header(_role(c)),
                                    "format": fmt.cell("input" if not c.result else "calc", _number_format(c))}
        if c.formula and not a1:
            entry["formula"] = c.formula.format(**{k: f"[@[{_escape(t.column(k).header)}]]" for k in letters})
        spec_cols.append(entry)
    ws.add_table(HEADER_ROW, col0, last, col0 + len(cols) - 1,
                 {"name": t.name, "style": "Table Style Light 9", "columns": spec_cols})
    ws.set_row(HEADER_ROW, 32)
    for j, c in enumerate(cols):
        cj = col0 + j
        ws.set_column(cj, cj, c.width)
        cell_fmt = fmt.cell("input" if not c.result else "calc", _number_format(c))
        if c.formula and a1:
            for r in range(first, last + 1):
                refs = {k: f"{letter}{r + 1}" for k, letter in letters.items()}
                ws.write_formula(r, cj, c.formula.format(row=r + 1, **refs), cell_fmt)
        if not c.result:
            for r in range(first, last + 1):
                i = r - first
                _write_value(ws, r, cj, examples[i].get(c.key) if i < len(examples) else None, cell_fmt)
            dv = _validation(c)
            if dv:
                ws.data_validation(first, cj, HEADER_ROW + VALIDATION_ROWS, cj, dv)
    return len(cols)


def _a1(formula: str) -> bool:
    """Does the formula need A1 references, written row by row? Yes with a {row} placeholder, and with a
    one-cell range of the row's own cell ("{key}:{key}"); LibreOffice reads neither as a structured
    reference, so such a table writes all its formulas in A1."""
    return "{row}" in formula or "}:{" in formula


def _traffic_lights(ws, fmt: _Formats, col: int) -> None:
    """GREEN / YELLOW / RED (or 绿/黄/红) cells coloured like Excel's Good / Neutral / Bad styles."""
    for light, words in LIGHT_WORDS.items():
        f = fmt._get(("light", light), LIGHTS[light])
        for w in words:
            ws.conditional_format(HEADER_ROW + 1, col, HEADER_ROW + VALIDATION_ROWS, col,
                                  {"type": "cell", "criteria": "==", "value": f'"{w}"', "format": f})


def _define_names(wb, t: Table | KeyValueTable, col0: int, n_examples: int, input_rows: int) -> None:
    """Workbook names that live formulas use: ``Setting_<key>`` (a settings value cell) and
    ``<Table>_rows`` (a data table's body)."""
    letter = xlsxwriter.utility.xl_col_to_name
    if isinstance(t, KeyValueTable):
        col = letter(col0 + [c.key for c in t.table.columns].index("value"))
        for i, s in enumerate(t.rows):
            wb.define_name(f"Setting_{s.key}", f"='{t.table.sheet}'!${col}${HEADER_ROW + 2 + i}")
        return
    last = HEADER_ROW + 1 + max(n_examples, input_rows, 1)
    wb.define_name(f"{t.name}_rows", f"='{t.sheet}'!${letter(col0)}${HEADER_ROW + 2}:"
                                     f"${letter(col0 + len(t.columns) - 1)}${last}")


def _settings_table(ws, kv: KeyValueTable, col0: int, fmt: _Formats, values: Mapping[str, object] | None = None) -> int:
    """The key/value table; ``values`` (key → value) replaces defaults, e.g. for a filled sample workbook."""
    values = dict(values or {})
    t = kv.table
    cols = t.columns
    ws.write_string(TITLE_ROW, col0, f"{t.title_en} {t.title_zh}", fmt.title)
    ws.write_string(NOTE_ROW, col0, f"{t.description_en}  {t.description_zh}".strip(), fmt.note)
    last = HEADER_ROW + max(len(kv.rows), 1)
    ws.add_table(HEADER_ROW, col0, last, col0 + len(cols) - 1, {
        "name": t.name, "style": "Table Style Light 9",
        "columns": [{"header": c.header, "header_format": fmt.header("optional" if c.key != "value" else "required")}
                    for c in cols]})
    ws.set_row(HEADER_ROW, 32)
    pos = {c.key: col0 + j for j, c in enumerate(cols)}
    for c in cols:
        ws.set_column(pos[c.key], pos[c.key], c.width)
    calc = fmt.cell("calc", None)
    for i, s in enumerate(kv.rows):
        r = HEADER_ROW + 1 + i
        ws.write_string(r, pos["key"], s.key, calc)
        ws.write_string(r, pos["setting"], s.label, calc)
        value_fmt = fmt.cell("input", DEFAULT_FORMATS.get(s.dtype) if s.dtype in ("date", "percent") else None)
        _write_value(ws, r, pos["value"], values.get(s.key, s.cell_default()), value_fmt)
        ws.write_string(r, pos["help"], f"{s.help_en} {s.help_zh}".strip(), fmt.cell("calc", None))
        dv = _setting_validation(s)
        if dv:
            ws.data_validation(r, pos["value"], r, pos["value"], dv)
    return len(cols)


def _validation(c: Column) -> dict | None:
    messages = {"input_title": c.en[:32], "input_message": _clip(f"{c.help_en}\n{c.help_zh}", 255),
                "error_title": f"{c.en} {c.zh}"[:32]}
    if c.dtype == "choice" and c.allowed:
        return {"validate": "list", "source": list(c.allowed),
                "error_message": _clip(f"Choose one of {', '.join(c.allowed)}. 请从 {'/'.join(c.allowed)} 中选择。", 255),
                **messages}
    if c.dtype == "bool":
        return {"validate": "list", "source": ["TRUE", "FALSE"],
                "error_message": "Enter TRUE or FALSE. 请填写 TRUE 或 FALSE。", **messages}
    if c.dtype == "date":
        return {"validate": "date", "criteria": "between", "minimum": FIRST_DATE, "maximum": LAST_DATE,
                "error_message": "Enter a date such as 2026-09-30. 请输入日期，如 2026-09-30。", **messages}
    if c.dtype in ("number", "integer", "percent"):
        kind = "integer" if c.dtype == "integer" else "decimal"
        lo = c.minimum if c.minimum is not None else -1e15
        hi = c.maximum if c.maximum is not None else 1e15
        what = "a whole number" if kind == "integer" else "a number"
        zh = "整数" if kind == "integer" else "数字"
        rng = f" ≥ {_plain(lo)}" if c.minimum is not None else ""
        rng_zh = f"（≥{_plain(lo)}）" if c.minimum is not None else ""
        return {"validate": kind, "criteria": "between", "minimum": lo, "maximum": hi,
                "error_message": f"Enter {what}{rng}. 请输入{zh}{rng_zh}。", **messages}
    return {"validate": "any", **messages} if c.help_en else None


def _setting_validation(s: Setting) -> dict | None:
    messages = {"input_title": s.en[:32], "input_message": _clip(f"{s.help_en}\n{s.help_zh}", 255)}
    if s.allowed:
        return {"validate": "list", "source": list(s.allowed), **messages}
    if s.dtype == "date":
        return {"validate": "date", "criteria": "between", "minimum": FIRST_DATE, "maximum": LAST_DATE,
                **messages}
    if s.dtype in ("integer", "number", "percent"):
        lo = s.minimum if s.minimum is not None else -1e15
        hi = s.maximum if s.maximum is not None else 1e15
        return {"validate": "integer" if s.dtype == "integer" else "decimal", "criteria": "between",
                "minimum": lo, "maximum": hi, **messages}
    return {"validate": "any", **messages}


def _instructions(ws, tables: Sequence[Table | KeyValueTable], fmt: _Formats, title_zh: str, title_en: str,
                  shown: Mapping[str, Sequence[Mapping[str, object]]]) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 12)
    ws.set_column(3, 3, 20)
    ws.set_column(4, 5, 55)
    ws.write_string(0, 0, f"{title_en} {title_zh}".strip() or "xl-cashrisk", fmt.title)
    ws.write_string(1, 0, "How to fill in this workbook 填写说明", fmt.heading)
    r = 2
    for en, zh in GENERAL_NOTES:
        ws.write_string(r, 0, f"{r - 1}.", fmt.wrap)
        ws.merge_range(r, 1, r, 3, "", fmt.wrap)
        ws.write_string(r, 1, en, fmt.wrap)
        ws.write_string(r, 4, zh, fmt.wrap)
        ws.set_row(r, 45)
        r += 1
    heads = ("Column 列", "Required 必填", "Type 类型", "Allowed / range 取值", "Meaning 说明", "Meaning (English)")
    for t in tables:
        layout = t.table if isinstance(t, KeyValueTable) else t
        r += 1
        ws.write_string(r, 0, f"Sheet '{layout.sheet}': {layout.title_en} {layout.title_zh}", fmt.heading)
        r += 1
        if layout.description_en or layout.description_zh:
            ws.write_string(r, 0, f"{layout.description_en}  {layout.description_zh}".strip(), fmt.note)
            r += 1
        for j, h in enumerate(heads):
            ws.write_string(r, j, h, fmt.header("required"))
        r += 1
        items = (_setting_line(s) for s in t.rows) if isinstance(t, KeyValueTable) else (
            _column_line(c) for c in layout.columns)
        for line in items:
            for j, v in enumerate(line):
                ws.write_string(r, j, v, fmt.bold_wrap if j == 0 else fmt.wrap)
            r += 1
        if not isinstance(t, KeyValueTable) and shown.get(t.key):
            r = _example_rows(ws, t, shown[t.key], r + 1, fmt)


def _example_rows(ws, t: Table, rows: Sequence[Mapping[str, object]], r: int, fmt: _Formats) -> int:
    """Example rows of a data table, below its column list: for reading only, never part of the table."""
    ws.write_string(r, 0, f"Example rows for '{t.sheet}' (for reference only: the table itself starts empty; "
                          f"paste your rows right below its header) 示例行（仅供参考：表格本身为空，请将数据粘贴在表头下方）",
                    fmt.note)
    cols = t.input_columns
    for j, c in enumerate(cols):  # marked, so no reader takes this for the table's header row
        ws.write_string(r + 1, j, f"{c.header} (example 示例)", fmt.header("optional"))
    for i, row in enumerate(rows):
        for j, c in enumerate(cols):
            _write_value(ws, r + 2 + i, j, row.get(c.key), fmt.cell("calc", _number_format(c)))
    return r + 2 + len(rows)


def _column_line(c: Column) -> tuple[str, ...]:
    req = "calculated 自动" if c.result else "yes 是" if c.required else "no 否"
    parts = []
    if c.allowed:
        parts.append(" / ".join(c.allowed))
    if c.minimum is not None:
        parts.append(f"≥ {_plain(c.minimum)}")
    if c.maximum is not None:
        parts.append(f"≤ {_plain(c.maximum)}")
    if c.unique:
        parts.append("unique 不重复")
    if c.default is not None:
        parts.append(f"blank = {_show_default(c.default)} 留空即 {_show_default(c.default)}")
    return (c.header, req, TYPE_LABELS.get(c.dtype, c.dtype), "; ".join(parts), c.help_zh, c.help_en)


def _setting_line(s: Setting) -> tuple[str, ...]:
    default = s.cell_default()
    parts = [" / ".join(s.allowed)] if s.allowed else []
    parts.append(f"default 默认: {_show_default(default) if default is not None else 'today 今天'}")
    return (f"{s.key}: {s.label}", "no 否", TYPE_LABELS.get(s.dtype, s.dtype), "; ".join(parts), s.help_zh, s.help_en)


def _write_value(ws, r: int, c: int, v: object, cell_fmt) -> None:
    """Typed write: strings always as text (never a formula), numbers, dates, booleans; blanks styled."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        ws.write_blank(r, c, None, cell_fmt)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, cell_fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, cell_fmt)
    elif isinstance(v, dt.datetime):
        ws.write_datetime(r, c, v, cell_fmt)
    elif isinstance(v, dt.date):
        ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), cell_fmt)
    else:
        ws.write_string(r, c, str(v), cell_fmt)


def _escape(header: str) -> str:
    # characters with a meaning inside a structured reference are escaped with an apostrophe
    return "".join("'" + ch if ch in "[]#'" else ch for ch in header)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _plain(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _show_default(v: object) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return _plain(v)
    return str(v)

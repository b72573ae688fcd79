"""Template workbooks built from the schemas: re-opened by openpyxl and by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from helpers import template_with_examples

from xl_cashrisk.io.reader import read_ledger
from xl_cashrisk.io.templates import (
    FUNCTIONS_DATA,
    FUNCTIONS_SHEET,
    INSTRUCTIONS_SHEET,
    TEMPLATE_EXAMPLES,
    TEMPLATES,
    build_named,
    build_template,
)
from xl_cashrisk.schemas.ledger import EXAMPLE_ROWS, LEDGER
from xl_cashrisk.schemas.settings import FX, SETTINGS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_named("ledger", tmp_path_factory.mktemp("t"))


def test_ledger_table_headers_validation_and_panes(built):
    wb = openpyxl.load_workbook(built)
    assert wb.sheetnames == [INSTRUCTIONS_SHEET, LEDGER.sheet, "Settings", FUNCTIONS_SHEET]
    ws = wb[LEDGER.sheet]
    assert list(ws.tables) == [LEDGER.name]
    ref = ws.tables[LEDGER.name].ref
    assert ref.startswith("A3:")
    headers = [c.value for c in ws[3]][: len(LEDGER.columns)]
    assert headers == [c.header for c in LEDGER.columns]
    assert [c.name for c in ws.tables[LEDGER.name].tableColumns] == headers
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["C"].width == pytest.approx(LEDGER.column("buyer_name").width, abs=1)
    dv = {str(d.sqref).split(":")[0]: d for d in ws.data_validations.dataValidation}
    col = {c.key: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(LEDGER.columns)}
    assert dv[f"{col['doc_type']}4"].type == "list" and dv[f"{col['doc_type']}4"].formula1 == '"INV,CN"'
    assert dv[f"{col['disputed']}4"].formula1 == '"TRUE,FALSE"'
    assert dv[f"{col['invoice_date']}4"].type == "date"
    terms = dv[f"{col['terms_days']}4"]
    assert terms.type == "whole" and float(terms.formula1) == 0
    assert dv[f"{col['amount']}4"].type == "decimal"
    assert "open_amount" not in {k for k, v in col.items() if f"{v}4" in dv}
    assert ws.cell(4, 5).number_format == "yyyy-mm-dd"
    assert "[#This Row],[Amount 金额]" in ws.cell(4, len(LEDGER.columns)).value  # live open-amount formula
    # the table ships empty (pasted rows are the only rows it holds); the example rows, typed, are on the
    # Instructions sheet under headers marked as examples, so no reader takes them for the table
    assert all(ws.cell(4, j).value is None for j in range(1, len(LEDGER.input_columns) + 1))
    inst = wb[INSTRUCTIONS_SHEET]
    rows = [[c.value for c in r] for r in inst.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == f"{LEDGER.column('invoice_no').header} (example 示例)")
    assert rows[at + 1][0] == EXAMPLE_ROWS[0]["invoice_no"] and rows[at + 1][8] == 100000


def test_settings_sheet(built):
    ws = openpyxl.load_workbook(built)["Settings"]
    assert set(ws.tables) == {SETTINGS.table.name, FX.name}
    keys = [ws.cell(4 + i, 1).value for i in range(len(SETTINGS.rows))]
    assert keys == [s.key for s in SETTINGS.rows]
    values = {ws.cell(4 + i, 1).value: ws.cell(4 + i, 3).value for i in range(len(SETTINGS.rows))}
    assert values["bucket_edges"] == "30,60,90,120" and values["home_currency"] == "CNY"
    assert values["as_of"] is None


def test_instructions_cover_every_column_in_both_languages(built):
    ws = openpyxl.load_workbook(built)[INSTRUCTIONS_SHEET]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for c in LEDGER.columns:
        assert c.header in text and c.help_zh in text and c.help_en in text
    for s in SETTINGS.rows:
        assert s.key in text
    assert "请在黄色单元格中填写数据" in text and "Fill in the yellow cells" in text


def test_template_reads_back_clean(built, tmp_path):
    r = read_ledger(built)
    assert r.report.errors == [] and r.frame.empty  # no example counted as an invoice
    r = read_ledger(template_with_examples("ledger", tmp_path))
    assert r.report.errors == []
    assert r.frame["invoice_no"].tolist() == [row["invoice_no"] for row in EXAMPLE_ROWS]


def test_unknown_template_kind(tmp_path):
    with pytest.raises(KeyError, match="unknown template 'nope'"):
        build_named("nope", tmp_path)


def test_build_template_is_schema_driven(tmp_path):
    from xl_cashrisk.schemas.schema import Column, Table

    t = Table("demo", "Demo", "Demo", "演示", "Demo", (
        Column("k", "键", "Key", required=True), Column("p", "比例", "Share", "percent", minimum=0, maximum=1)))
    p = build_template([t], tmp_path / "demo.xlsx", title_en="Demo", input_rows=3)
    ws = openpyxl.load_workbook(p)["Demo"]
    assert ws.tables["Demo"].ref == "A3:B6"
    assert [c.value for c in ws[3]] == ["Key 键", "Share 比例"]
    share = next(d for d in ws.data_validations.dataValidation if str(d.sqref).startswith("B4"))
    assert share.type == "decimal" and float(share.formula1) == 0 and float(share.formula2) == 1


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = (
            [[c.value for c in row] for row in ws.iter_rows()],
            dict(ws.tables.items()),
            sorted((str(d.sqref), d.type, d.formula1, d.formula2) for d in ws.data_validations.dataValidation),
            ws.freeze_panes,
        )
    return out


def test_the_functions_sheet_data_is_generated_from_the_registry(built):
    """The templates' Functions sheet rows come from the udfs registry through the build step (the I/O layer
    never imports udfs), and reach the template."""
    from xl_cashrisk.build.template_functions import render, template_function_rows

    assert FUNCTIONS_DATA.read_text(encoding="utf-8") == render(), \
        "xl_cashrisk/io/template_functions.json is stale: run python -m xl_cashrisk.build.template_functions"
    rows = template_function_rows()["ledger"]
    assert rows[0][0] == "AGEBUCKET" and all(len(r) == 3 and r[1].startswith("=") for r in rows)
    ws = openpyxl.load_workbook(built)[FUNCTIONS_SHEET]
    sheet = [[c.value for c in row[:3]] for row in ws.iter_rows(min_row=5, max_row=4 + len(rows))]
    assert [(r[0], r[2]) for r in sheet] == [(r[0], r[2]) for r in rows]  # names and summaries: the registry's
    own = TEMPLATE_EXAMPLES["ledger"]  # examples: the template's own layout (tests/test_template_functions_layout.py)
    assert [r[1] for r in sheet if r[0] not in own] == [r[1] for r in rows if r[0] not in own]


def test_committed_templates_are_up_to_date(tmp_path):
    for kind, spec in TEMPLATES.items():
        committed = REPO / "workbook_templates" / spec.filename
        assert committed.exists(), f"workbook_templates/{spec.filename} missing: run make templates"
        fresh = build_named(kind, tmp_path)
        assert _cells(fresh) == _cells(committed), f"{spec.filename} is stale: regenerate it from the schemas"


@pytest.mark.libreoffice
def test_libreoffice_opens_and_converts(built, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    out = tmp_path / "out"
    run = subprocess.run([soffice, profile, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(built)],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    wb = openpyxl.load_workbook(out / built.name)
    ws = wb[LEDGER.sheet]
    assert LEDGER.name in ws.tables
    assert [c.value for c in ws[3]][: len(LEDGER.columns)] == [c.header for c in LEDGER.columns]
    assert any(d.type == "list" for d in ws.data_validations.dataValidation)
    # every sheet as CSV (filter option: sheet -1 = all sheets)
    csv_filter = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
    run = subprocess.run([soffice, profile, "--headless", "--convert-to", csv_filter, "--outdir", str(out),
                          str(built)], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    ledger_csv = (out / f"{built.stem}-{LEDGER.sheet}.csv").read_text(encoding="utf-8")
    assert "Invoice no. 发票号码" in ledger_csv and "INV-2026-0001" not in ledger_csv
    instructions_csv = (out / f"{built.stem}-{INSTRUCTIONS_SHEET}.csv").read_text(encoding="utf-8")
    assert "INV-2026-0001" in instructions_csv

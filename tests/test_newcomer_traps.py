"""Issue 15's newcomer traps, replayed on the project's own template and sample workbook.

A clerk who pastes rows below the template's headers gets exactly those rows (no example invoice
counted with them); a misspelled header over a filled column stops the run naming the column, where
the analysis used to fall back to invoice date + terms; ``stress`` on a workbook without a forecast
refuses with one line, where it used to report every scenario GREEN.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import app as cli_app
from xl_cashrisk.cli import cli
from xl_cashrisk.io.reader import read_ledger
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.io.templates import HEADER_ROW, build_named
from xl_cashrisk.sample.workbooks import write_sample_workbooks
from xl_cashrisk.schemas.ledger import EXAMPLE_ROWS, LEDGER

PASTED = [  # three invoices of a clerk, as pasted from an export
    {"invoice_no": "A-1001", "buyer_id": "C01", "buyer_name": "Shenzhen Lights", "doc_type": "INV",
     "invoice_date": dt.datetime(2026, 7, 1), "terms_days": 30, "currency": "CNY", "amount": 12_000.0},
    {"invoice_no": "A-1002", "buyer_id": "C02", "buyer_name": "Ningbo Pumps", "doc_type": "INV",
     "invoice_date": dt.datetime(2026, 8, 20), "terms_days": 60, "currency": "CNY", "amount": 30_500.0},
    {"invoice_no": "A-1003", "buyer_id": "C01", "buyer_name": "Shenzhen Lights", "doc_type": "INV",
     "invoice_date": dt.datetime(2026, 9, 10), "terms_days": 30, "currency": "CNY", "amount": 4_250.5},
]


def _run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], terminal_width=400)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setattr(cli_app.console, "width", 400)
    monkeypatch.setattr(cli_app.err_console, "width", 400)


@pytest.fixture(scope="module")
def sample_ledger(tmp_path_factory) -> Path:
    return write_sample_workbooks(tmp_path_factory.mktemp("sample"), kinds=["ledger"])[0]


def test_rows_pasted_below_the_template_headers_are_the_only_rows(tmp_path):
    path = build_named("ledger", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER.sheet]
    col = {c.value: c.column for c in ws[HEADER_ROW + 1]}
    for i, row in enumerate(PASTED):
        for key, value in row.items():
            ws.cell(HEADER_ROW + 2 + i, col[LEDGER.column(key).header]).value = value
    settings = wb["Settings"]
    for cells in settings.iter_rows(min_row=HEADER_ROW + 2):
        if cells[0].value == "as_of":
            cells[2].value = dt.datetime(2026, 9, 30)
    wb.save(path)

    r = read_ledger(path)
    assert r.report.ok, r.report.summary()
    assert r.frame["invoice_no"].tolist() == [p["invoice_no"] for p in PASTED]
    assert not set(r.frame["invoice_no"]) & {e["invoice_no"] for e in EXAMPLE_ROWS}
    assert r.frame["open_amount"].sum() == pytest.approx(46_750.5)
    out = tmp_path / "ageing.xlsx"
    res = _run("age", path, "--out", out)
    assert res.exit_code == 0, res.output
    total = next(line for line in res.output.splitlines() if "total" in line)
    assert f"{46_750.5:,.0f}" in total  # the open AR of the pasted rows only, as the ageing table prints it


def test_misspelled_header_over_a_filled_column_stops_the_run(sample_ledger, tmp_path):
    path = tmp_path / "typo.xlsx"
    wb = openpyxl.load_workbook(sample_ledger)
    ws = wb[LEDGER.sheet]
    cell = next(c for row in ws.iter_rows(max_row=HEADER_ROW + 1) for c in row
                if c.value == LEDGER.column("due_date").header)
    cell.value = "Due dte 到期日"
    wb.save(path)
    before = file_fingerprint(path)
    for command in ("validate", "age", "analyze"):
        out = tmp_path / f"{command}.xlsx"
        res = _run(command, path, *(() if command == "validate" else ("--out", out)))
        assert res.exit_code == cli_app.EXIT_INPUT, res.output
        assert "Due dte 到期日" in res.output and "close to 'Due date 到期日', which is missing" in res.output
        assert not out.exists()
    assert file_fingerprint(path) == before


def test_stress_without_a_forecast_refuses_with_one_line(sample_ledger, tmp_path):
    out = tmp_path / "stress.xlsx"
    res = _run("stress", sample_ledger, "--out", out, "--sims", 200)
    assert res.exit_code == cli_app.EXIT_INPUT, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no 'Forecast' sheet" in errors[0] and "GREEN" not in res.output
    assert not out.exists()
    res = _run("analyze", sample_ledger, "--out", tmp_path / "all.xlsx")  # analyze skips the step, as before
    assert res.exit_code == 0 and "skipped: no 'Forecast' sheet" in res.output

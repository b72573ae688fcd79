"""The AR clerk's commands end to end: template, sample, validate, age, demo, functions."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import cli
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.pipelines.ageing import run_ageing
from xl_cashrisk.sample import load_sample
from xl_cashrisk.schemas.ledger import LEDGER

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_ledger(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    r = run("sample", "--outdir", out, "--kind", "ledger")
    assert r.exit_code == 0, r.output
    return out / "sample_ar_ledger.xlsx"


def test_template_ledger_opens_with_the_schema_headers(tmp_path):
    r = run("template", "ledger", "--out", tmp_path / "l.xlsx")
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    ws = wb[LEDGER.sheet]
    headers = {c.value for row in ws.iter_rows(min_row=1, max_row=5) for c in row if c.value}
    assert {c.header for c in LEDGER.input_columns} <= headers
    assert "Ledger" in ws.tables


def test_sample_validates_clean_and_ages_like_the_library(sample_ledger, tmp_path):
    r = run("validate", sample_ledger)
    assert r.exit_code == 0, r.output
    assert "21411 rows, 0 errors" in r.output
    before = file_fingerprint(sample_ledger)
    out = tmp_path / "aged.xlsx"
    r = run("age", sample_ledger, "--out", out)
    assert r.exit_code == 0, r.output
    assert file_fingerprint(sample_ledger) == before
    s = load_sample()
    expected = run_ageing(s.ledger, s.settings)
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb["Ageing 账龄"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=3, max_row=9, values_only=True)}
    for label, amount in expected.buckets["amount"].items():
        assert rows[label] == pytest.approx(amount, abs=0.01)
    assert {"Buyer ageing 客户账龄", "Collection 回款指标", "Open items 未清项", "Run info"} <= set(wb.sheetnames)
    assert "168,954,917" in r.output


def test_age_as_of_and_basis_override(sample_ledger, tmp_path):
    r = run("age", sample_ledger, "--out", tmp_path / "a.xlsx", "--as-of", "2026-06-30", "--basis", "invoice")
    assert r.exit_code == 0, r.output
    assert "Ageing as of 2026-06-30" in r.output
    assert "0-30" in r.output and "current" not in r.output.split("Ageing as of")[1].split("total")[0]


def test_validate_broken_ledger_names_row_and_column(sample_ledger, tmp_path):
    wb = openpyxl.load_workbook(sample_ledger)
    ws = wb[LEDGER.sheet]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == LEDGER.columns[0].header)
    col = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(header_row + 5, col[LEDGER.column("amount").header]).value = "lots"
    ws.cell(header_row + 7, col[LEDGER.column("invoice_date").header]).value = "soon"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    before = file_fingerprint(bad)
    r = run("validate", bad)
    assert r.exit_code == 3
    assert f"{header_row + 5}" in r.output and "Amount" in r.output
    assert f"{header_row + 7}" in r.output and "Invoice date" in r.output
    r = run("age", bad, "--out", tmp_path / "x.xlsx")
    assert r.exit_code == 3
    assert "Traceback" not in r.output
    assert not (tmp_path / "x.xlsx").exists()
    assert file_fingerprint(bad) == before


@pytest.mark.parametrize("content, expected", [
    (b"invoice,amount\n1,2\n", "CSV or text file"),
    (b"", "empty"),
    (b"PK\x03\x04broken", "zip"),
])
def test_not_a_workbook_gives_one_line(tmp_path, content, expected):
    f = tmp_path / "ledger.xlsx"
    f.write_bytes(content)
    r = run("age", f, "--out", tmp_path / "o.xlsx")
    assert r.exit_code == 3
    assert expected in r.output
    assert "Traceback" not in r.output


def test_bad_as_of_is_a_usage_error(sample_ledger, tmp_path):
    r = run("age", sample_ledger, "--out", tmp_path / "o.xlsx", "--as-of", "30/09/2026")
    assert r.exit_code == 2
    assert "YYYY-MM-DD" in r.output


def test_output_may_not_overwrite_the_input(sample_ledger):
    before = file_fingerprint(sample_ledger)
    r = run("age", sample_ledger, "--out", sample_ledger)
    assert r.exit_code == 3
    assert file_fingerprint(sample_ledger) == before


def test_demo_writes_a_workbook_and_prints_the_story_whole_into_a_log(tmp_path):
    """`xl-cashrisk demo > demo.log` (a nightly job): every figure and name whole, no "…", no control codes."""
    out, log = tmp_path / "demo.xlsx", tmp_path / "demo.log"
    with log.open("w", encoding="utf-8") as f:
        proc = subprocess.run([sys.executable, "-m", "xl_cashrisk", "demo", "--out", str(out)], cwd=tmp_path,
                              stdout=f, stderr=subprocess.STDOUT, timeout=600, env={**os.environ, "COLUMNS": "80"})
    text = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, text
    assert "22.0% of open AR" in text
    assert "…" not in text and "\x1b[" not in text  # nothing cut, no colour codes or progress bars
    for whole in ("126,725,875", "Current", "Largest default + 30 d delay + USD −10 %", "Altman Z'' (non-manufacturing)",
                  "US buyers stop paying (week 2)", "South China, East China, Central China"):
        assert whole in text, whole
    wb = openpyxl.load_workbook(out)
    assert "Ageing 账龄" in wb.sheetnames


def test_function_reference_is_up_to_date():
    r = run("functions", "--markdown")
    assert r.exit_code == 0
    committed = (ROOT / "docs" / "functions.md").read_text(encoding="utf-8")
    assert committed == r.output, "docs/functions.md is stale: run `xl-cashrisk functions --markdown > docs/functions.md`"


def test_function_list_names_every_function():
    import udfs

    r = CliRunner().invoke(cli, ["functions"], terminal_width=200)
    assert r.exit_code == 0
    for name in udfs.FUNCTIONS:
        assert name in r.output


def test_as_of_date_roundtrip_type():
    assert isinstance(load_sample().settings.as_of, dt.date)

"""The results workbook as a controller hands it on (issue 18 A): the Summary sheet first (key figures with
lights, the findings the terminal prints, charts, a contents list linking to every sheet), finance headers
(no internal key heads a column), a total row on the Ageing sheet, columns as wide as their headers, a print
set-up on every sheet, charts over no filled cell, and the sample analysis within a page bound when
LibreOffice prints it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from xl_cashrisk.cli import cli
from xl_cashrisk.io.writer import ResultWorkbook, text_width
from xl_cashrisk.pipelines.ageing import run_ageing
from xl_cashrisk.reports.ageing import AGEING_SHEET, OPEN_ITEMS_SHEET, write_ageing
from xl_cashrisk.reports.ratios import CONCENTRATION_SHEET
from xl_cashrisk.reports.stress_results import BUYERS_SHEET
from xl_cashrisk.reports.summary import SUMMARY_SHEET, findings, result_of
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.workbooks import write_sample_book
from xl_cashrisk.schemas.labels import SECTOR_LABELS, header, in_language, result_keys, sector_label

SIMS = ["--sims", "2000", "--seed", "7"]
PAGE_BOUND = 300  # the sample analysis printed 1,704 pages before issue 18; 190 after


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    d = tmp_path_factory.mktemp("layout")
    book = write_sample_book(d / "sample_cashrisk.xlsx")
    out = d / "analysis.xlsx"
    res = CliRunner().invoke(cli, ["analyze", str(book), "--out", str(out), *SIMS])
    assert res.exit_code == 0, res.output
    return out, res.output


@pytest.fixture(scope="module")
def wb(analysis):
    return openpyxl.load_workbook(analysis[0])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_summary_is_first_with_figures_findings_charts_and_contents(analysis, wb):
    output = analysis[1]
    assert wb.sheetnames[0] == SUMMARY_SHEET
    ws = wb[SUMMARY_SHEET]
    cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert any(c.startswith("As of 基准日 2026-09-30") and c.endswith("CNY") for c in cells)
    figures = {str(r[0].value): (r[1].value, r[2].value) for r in ws.iter_rows(min_row=6, max_row=20) if r[0].value}
    # the key figures are the steps' own numbers, with their lights
    overdue = next(v for k, v in figures.items() if k.startswith("Overdue share"))
    assert overdue[0] == pytest.approx(0.2957, abs=5e-4) and overdue[1] == "RED 红"  # 29.6 % ≥ 25 %: RED
    base = next(v for k, v in figures.items() if k.startswith("Base case: lowest cash"))
    assert base[0] == pytest.approx(6_814_838, abs=1)  # as the terminal prints it
    assert any(k.startswith("VaR 99 %") for k in figures) and any(k.startswith("Red buyers") for k in figures)
    assert sum(1 for k in figures if k.startswith(("Largest buyer's share", "Buyer concentration"))) == 2
    # the findings on the sheet are the sentences the terminal printed (rich wraps them at its width)
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:2] in
             {f"{i}." for i in range(1, 6)}]
    assert 3 <= len(texts) <= 5
    for t in texts:
        first_line = t.split("\n")[0][3:]
        assert _squash(first_line) in _squash(output)
    assert any("S4 All payments 60 days late" in t for t in texts)
    # two charts, and a link to every other sheet
    assert len(ws._charts) == 2
    links = {c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink is not None}
    assert links == {f"'{n}'!A1" for n in wb.sheetnames[1:]}


def test_no_sheet_heads_a_column_with_an_internal_key(wb):
    keys = result_keys()
    assert {"invoice_no", "open_amount_hc", "dpd", "pct_overdue", "pd_source", "lgd"} <= keys
    seen = 0
    for ws in wb:
        for t in ws.tables.values():
            for col in t.tableColumns:
                seen += 1
                assert col.name not in keys, (ws.title, t.name, col.name)
                assert col.name.lower() not in keys, (ws.title, t.name, col.name)
    assert seen > 300
    # and the sector keys read as words
    sectors = {str(r[4]) for r in wb[BUYERS_SHEET].iter_rows(min_row=3, values_only=True) if r[4]}
    assert "Consumer goods 消费品" in sectors and not sectors & set(SECTOR_LABELS)
    conc = {str(c.value) for row in wb[CONCENTRATION_SHEET].iter_rows() for c in row if c.value}
    assert "Electronics 电子" in conc and "electronics" not in conc


def test_ageing_sheet_has_a_total_row(wb):
    ws = wb[AGEING_SHEET]
    t = ws.tables["AgeingBuckets"]
    assert t.totalsRowCount == 1
    rows = list(ws[t.ref])
    amounts = [r[1].value for r in rows[1:-1]]
    total = rows[-1]
    assert total[0].value == "Total 合计"
    _c0, r0, _c1, r1 = openpyxl.utils.cell.range_boundaries(t.ref)
    assert total[1].value == f"=SUBTOTAL(109,B{r0 + 1}:B{r1 - 1})"  # by address: LibreOffice computes it
    items = [r[2].value for r in rows[1:-1]]
    assert sum(items) == 5019  # every open item and credit note of the sample
    assert sum(amounts) == pytest.approx(168_954_917, abs=1)


def _width(ws, col: int) -> float:
    """A column's width (openpyxl keeps a run of equal columns under its first letter)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max:
            return dim.width
    return 8.43  # Excel's default


def test_columns_are_as_wide_as_their_header_words(wb):
    """No "Open receivat": every header word fits its column (headers wrap between words, not inside)."""
    for ws in wb:
        for t in ws.tables.values():
            first_col = openpyxl.utils.cell.range_boundaries(t.ref)[0]
            for j, col in enumerate(t.tableColumns):
                width = _width(ws, first_col + j)
                longest = max(text_width(w) for w in col.name.split())
                assert width >= longest, (ws.title, col.name, width)


def test_every_sheet_has_a_print_setup(wb):
    for ws in wb:
        ps = ws.page_setup
        assert ps.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        ncols = ws.max_column
        if ncols <= 20:
            assert ps.fitToWidth in (None, 1), ws.title  # openpyxl reads the default 1 as None
        if ncols >= 7:
            assert ps.orientation == "landscape", ws.title
        bounds = [openpyxl.utils.cell.range_boundaries(t.ref) for t in ws.tables.values()]
        longest = max(bounds, key=lambda b: b[3] - b[1], default=None)
        if longest is not None and longest[3] - longest[1] > 40:  # a table longer than a page: its header repeats
            assert ws.print_title_rows == f"${longest[1]}:${longest[1]}", ws.title
    s = wb[SUMMARY_SHEET].page_setup
    assert s.fitToHeight in (None, 1) and s.fitToWidth in (None, 1) and s.orientation == "landscape"
    assert wb[OPEN_ITEMS_SHEET].print_title_rows == "$2:$2"


def test_no_chart_covers_a_filled_cell(wb):
    charts = 0
    for ws in wb:
        for chart in ws._charts:
            charts += 1
            a = chart.anchor
            f, t = a._from, a.to
            filled = [c.coordinate for row in ws.iter_rows(min_row=f.row + 1, max_row=t.row + 1, min_col=f.col + 1,
                                                             max_col=t.col + 1) for c in row if c.value is not None]
            assert not filled, (ws.title, filled[:5])
    assert charts >= 8


def test_labels_follow_the_settings_language(tmp_path):
    sample = load_sample()
    settings = sample.settings
    settings.language = "zh"
    result = run_ageing(sample.ledger, settings)
    out = tmp_path / "zh.xlsx"
    with ResultWorkbook(out) as rw:
        write_ageing(result, rw)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    heads = [c.name for c in wb[OPEN_ITEMS_SHEET].tables["OpenItems"].tableColumns]
    assert heads[0] == "发票号码 Invoice no." and "逾期天数 Days past due" in heads
    assert wb[AGEING_SHEET]["A1"].value == "应收账款账龄（逾期天数） Ageing as of 2026-09-30, days past due"
    zh_findings = [cn for _en, cn in findings(result_of(settings, {"ageing": result}))]
    assert zh_findings and zh_findings[0].startswith("逾期应收占")
    assert any(str(c.value).startswith("1. 逾期应收占") for row in wb[SUMMARY_SHEET].iter_rows() for c in row)


def test_label_helpers():
    assert header("pct_overdue") == "Share overdue 逾期占比"
    assert header("open_amount_hc", hc="USD", language="en") == "Open (USD)"
    assert header("not_a_key") is None
    assert sector_label("consumer_goods", "zh") == "消费品 Consumer goods" and sector_label("other") == "other"
    assert in_language("Province (domestic AR) 省份（国内应收）", "zh") == "省份（国内应收） Province (domestic AR)"
    assert in_language("Overdue ({hc}) 逾期", "en") == "Overdue ({hc})" and in_language("合计", "en") == "合计"
    assert in_language("Σ PD·LGD·EAD", "zh") == "Σ PD·LGD·EAD"


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_prints_the_analysis_within_the_page_bound(analysis, tmp_path):
    out = analysis[0]
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                          capture_output=True, text=True, timeout=600, env=env)
    pdf = tmp_path / f"{out.stem}.pdf"
    assert pdf.exists(), proc.stderr
    pages = PdfReader(pdf).pages
    assert 20 <= len(pages) <= PAGE_BOUND, len(pages)
    second = pages[1].extract_text()
    assert f"2 / {len(pages)}" in second and "Ageing" in second  # the Summary took page 1 alone
    assert "Total 合计" in second and "Err:" not in second  # LibreOffice computes the total row


def test_demo_has_the_summary_first(tmp_path):
    out = tmp_path / "demo.xlsx"
    res = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    assert "Findings 主要发现" in res.output
    summary = pd.DataFrame(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    assert summary.apply(lambda c: c.astype(str).str.startswith("5. Base case lowest cash")).any().any()


def test_a_ledger_with_nothing_open_and_no_recent_sales_gets_words_not_nan(tmp_path):
    """Every invoice paid and none in the last 12 months (an old, settled export): the Summary shows a dash
    and the reason for the figures without a value, and its findings say so; no cell reads "nan"."""
    sample = load_sample()
    ledger = sample.ledger.copy()
    ledger["paid_amount"] = ledger["amount"]
    ledger["last_payment_date"] = ledger["invoice_date"]
    shift = pd.Timedelta(days=800)  # every date more than 12 months before the as-of date
    for col in ("invoice_date", "due_date", "last_payment_date"):
        ledger[col] = pd.to_datetime(ledger[col]) - shift
    result = run_ageing(ledger, sample.settings)
    out = tmp_path / "settled.xlsx"
    with ResultWorkbook(out) as rw:
        write_ageing(result, rw)
    cells = [c for row in openpyxl.load_workbook(out)[SUMMARY_SHEET].iter_rows(values_only=True) for c in row
             if c is not None]
    texts = [str(c) for c in cells]
    assert not any(re.search(r"\bnan\b", t, re.I) for t in texts), texts
    value_after = {t: texts[i + 1] for i, t in enumerate(texts[:-1])}
    assert value_after["Overdue share 逾期占比"] == "—"
    assert value_after["DSO (12 months), days 应收账款周转天数"] == "—"
    [first] = [t for t in texts if t.startswith("1. ")]
    assert first.startswith("1. No open receivables (CNY); DSO not computed: it needs the credit sales")

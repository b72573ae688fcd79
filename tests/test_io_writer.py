"""Results writer: typed cells (no formula injection), formats, traffic lights, charts, atomic save."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xl_cashrisk.errors import InputError
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.schemas.ledger import LEDGER

INJECTIONS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd|' /C calc'!A0", "\t=HYPERLINK(\"http://x\")",
              '=HYPERLINK("http://evil","click")', "http://example.com", "0012", "1e5"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "buyer_name": INJECTIONS,
        "amount": np.arange(len(INJECTIONS), dtype=float) * 1000.5,
        "due_date": pd.to_datetime(["2026-09-30"] * (len(INJECTIONS) - 1) + [None]),
        "band": ["GREEN", "YELLOW", "RED", "绿", "黄", "红", "GREEN", "RED", None],
        "share": np.linspace(0, 1, len(INJECTIONS)),
        "count": np.arange(len(INJECTIONS)),
        "disputed": [True, False] * 4 + [True],
    })


def test_formula_injection_strings_come_back_as_text(tmp_path):
    out = tmp_path / "r.xlsx"
    with ResultWorkbook(out) as book:
        book.add_table(frame(), "Results", schema=LEDGER, formats={"share": "percent"}, traffic_lights=["band"])
    ws = openpyxl.load_workbook(out)["Results"]
    cells = [ws.cell(2 + i, 1) for i in range(len(INJECTIONS))]
    assert [c.value for c in cells] == INJECTIONS
    assert {c.data_type for c in cells} == {"s"}
    assert not ws.cell(2, 1).hyperlink
    raw = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Results").to_python()
    assert [r[0] for r in raw[1:]] == INJECTIONS
    with zipfile.ZipFile(out) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_table_headers_formats_and_values(tmp_path):
    out = tmp_path / "r.xlsx"
    with ResultWorkbook(out, language="both") as book:
        t = book.add_table(frame(), "Results", schema=LEDGER, formats={"share": "percent"}, traffic_lights=["band"])
    assert t.first_row == 1 and t.last_row == len(INJECTIONS)
    ws = openpyxl.load_workbook(out)["Results"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Buyer name 客户名称", "Amount 金额", "Due date 到期日"]
    # band, share: not in the schema, result keys with their finance labels; count: no key, as given
    assert headers[3:] == ["Light 信号灯", "Share 占比", "count", "Disputed 是否争议"]
    assert list(ws.tables) and ws.freeze_panes == "A2"
    assert ws.cell(3, 2).value == 1000.5 and ws.cell(3, 2).number_format == "#,##0.00"
    assert ws.cell(2, 3).value == dt.datetime(2026, 9, 30) and ws.cell(2, 3).number_format == "yyyy-mm-dd"
    assert ws.cell(1 + len(INJECTIONS), 3).value is None  # NaT → blank
    assert ws.cell(2, 5).number_format == "0.0%" and ws.cell(2, 6).number_format == "#,##0"
    assert ws.cell(2, 7).value is True
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert sorted(r.formula[0] for r in rules) == sorted(['"GREEN"', '"绿"', '"YELLOW"', '"黄"', '"RED"', '"红"'])
    assert {str(cf.sqref) for cf in ws.conditional_formatting} == {f"D2:D{1 + len(INJECTIONS)}"}


def test_languages_and_table_names(tmp_path):
    out = tmp_path / "r.xlsx"
    with ResultWorkbook(out, language="zh") as book:
        a = book.add_table(frame()[["amount"]], "Ageing 账龄", schema=LEDGER)
        b = book.add_table(pd.DataFrame({"amount": []}), "Ageing 账龄", schema=LEDGER, title="Empty")
    assert a.name != b.name and b.first_row == b.header_row + 1 and b.last_row == b.header_row
    ws = openpyxl.load_workbook(out)["Ageing 账龄"]
    assert ws.cell(1, 1).value == "金额 Amount"  # zh: Chinese first, English after (read back by either)
    assert len(ws.tables) == 2


def test_summary_chart_and_run_stamp(tmp_path):
    src = tmp_path / "ledger.xlsx"
    src.write_bytes(b"not really a workbook, but hashed")
    out = tmp_path / "r.xlsx"
    stamp = run_stamp(dt.date(2026, 9, 30), [src])
    assert stamp["inputs"] == [("ledger.xlsx", file_fingerprint(src))] and stamp["version"]
    df = pd.DataFrame({"bucket": ["current", "1-30", "31-60"], "amount": [10000.0, 8000.0, 6000.0]})
    with ResultWorkbook(out, inputs=[src]) as book:
        t = book.add_table(df, "Ageing")
        book.add_chart("Ageing", "column", t, "bucket", ["amount"], title="Ageing", anchor="E2")
        book.add_summary("Summary", [("Total AR 应收合计", 24000.0), ("As of 基准日", dt.date(2026, 9, 30)),
                                     ("Share overdue", 0.5833, "percent"), ("Buyers", 3)])
        book.add_run_stamp(stamp)
    wb = openpyxl.load_workbook(out)
    s = wb["Summary"]
    assert [s.cell(r, 1).value for r in range(2, 6)] == ["Total AR 应收合计", "As of 基准日", "Share overdue", "Buyers"]
    assert s.cell(2, 2).value == 24000 and s.cell(3, 2).value == dt.datetime(2026, 9, 30)
    assert s.cell(4, 2).number_format == "0.0%"
    info = {r[0]: r[1] for r in wb["Run info"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert info["product"] == "xl-cashrisk" and info["as_of"] == "2026-09-30"
    assert info["Input 输入文件: ledger.xlsx"] == f"sha256 {file_fingerprint(src)}"
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "Ageing!$B$2:$B$4" in chart and "Ageing!$A$2:$A$4" in chart


def test_failed_build_keeps_previous_results(tmp_path):
    out = tmp_path / "r.xlsx"
    with ResultWorkbook(out) as book:
        book.add_table(pd.DataFrame({"a": [1.0]}), "S")
    before = file_fingerprint(out)
    with pytest.raises(KeyError), ResultWorkbook(out) as book:
        t = book.add_table(pd.DataFrame({"a": [2.0]}), "S")
        book.traffic_lights(t, "no such column")
    assert file_fingerprint(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_refuses_to_write_over_the_input(tmp_path):
    src = tmp_path / "ledger.xlsx"
    src.write_bytes(b"x")
    with pytest.raises(InputError, match="refusing to overwrite an input file"):
        ResultWorkbook(src, inputs=[src])
    assert src.read_bytes() == b"x"


@pytest.mark.libreoffice
def test_libreoffice_opens_results(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed")
    out = tmp_path / "r.xlsx"
    with ResultWorkbook(out) as book:
        book.add_table(frame(), "Results", schema=LEDGER, traffic_lights=["band"])
    conv = tmp_path / "conv"
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                          "--convert-to", "csv", "--outdir", str(conv), str(out)],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    text = (conv / "r.csv").read_text(encoding="utf-8")
    for s in ("=1+1", "+SUM(A1:A2)", "-2+3", "0012"):
        assert s in text  # still text after a real spreadsheet loads it
    assert "\n2," not in text  # "=1+1" not evaluated


@pytest.mark.parametrize("fast_cells", [0, 10**9])
def test_a_text_longer_than_a_cell_is_refused_with_its_cell(tmp_path, fast_cells):
    """Never cut short to 32,767 characters without a word (issue 15): refused, naming the cell, on the
    bulk path and the XlsxWriter path; the previous output stays and no temporary file is left."""
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous")
    df = pd.DataFrame({"buyer": ["ok", "长" * 40_000, "x" * 32_767], "n": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"a text of 40,000 characters for sheet 'S', column 'Buyer 客户', row 3 "), \
            ResultWorkbook(out, fast_cells=fast_cells) as rw:
        rw.add_table(df, "S")
    assert out.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
    with ResultWorkbook(out, fast_cells=fast_cells) as rw:  # 32,767 characters fit whole
        rw.add_table(df.iloc[[0, 2]], "S")
    assert openpyxl.load_workbook(out)["S"]["A3"].value == "x" * 32_767


DISK_FULL_RUN = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes beyond the limit then fail with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from xl_cashrisk.cli import main
sys.argv = ["xl-cashrisk", *sys.argv[1:]]
main()
"""


def test_a_full_disk_is_one_line_and_keeps_the_previous_output(tmp_path):
    """The OS refuses the write (here through a 4 kB file-size limit, as a full disk would): one line saying
    "disk full", exit 3, the previous results untouched, no temporary file left, no traceback from a
    half-written zip's clean-up (issue 15)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "corpus"))
    from make_corpus import ledger_book

    ledger = ledger_book(tmp_path / "ledger.xlsx")
    out = tmp_path / "ageing.xlsx"
    out.write_bytes(b"previous results")
    run = subprocess.run([sys.executable, "-c", DISK_FULL_RUN, "age", str(ledger), "--out", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert run.stderr.count("\n") <= 1 and "disk full" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr + run.stdout and "Exception ignored" not in run.stderr
    assert out.read_bytes() == b"previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ageing.xlsx", "ledger.xlsx"]

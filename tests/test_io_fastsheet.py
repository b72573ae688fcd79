"""The bulk (fast) path of ResultWorkbook.add_table writes the same workbook as the slow XlsxWriter path."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xl_cashrisk.io import fastsheet
from xl_cashrisk.io.writer import ResultWorkbook

INJECTION = ["=HYPERLINK(\"http://x\",\"y\")", "+86 20 1234", "-2+3", "@SUM(A1)", "\t=1+1", "=cmd|' /C calc'!A0"]
TEXTS = ["a&b<c>d\"e'f", "中文 买家 有限公司", "emoji 🚀💰", " lead", "trail ", "line1\nline2", "ctl\x01\x07\x1f", "_x0041_ literal", "tab\tin", "", "\ufffe", "x" * 40000, *INJECTION]
# (XlsxWriter's slow path writes a string like "<r>x</r>" as raw rich-text XML; the fast path escapes it)


def _frame(n: int = 60) -> pd.DataFrame:
    k = np.arange(n)
    floats = np.array([0.1 + 0.2, 1e-300, -0.0, 2.0**60, 123456789.123456789, np.nan, -1.5, 1 / 3, 1e20, np.inf])
    texts = [*TEXTS, None, np.nan]
    dates = pd.Series(pd.date_range("1999-12-31", periods=n, freq="37D"))
    dates[3] = pd.NaT
    return pd.DataFrame({
        "amount": floats[k % len(floats)],
        "count": (k * 1_000_003) % 97 - 40,
        "big": np.int64(2**62) - k,
        "due_date": dates,
        "stamp": pd.Series(pd.date_range("2026-09-30 08:15:30", periods=n, freq="13h")),
        "text": [texts[i % len(texts)] for i in k],
        "flag": k % 3 == 0,
        "mixed": [[1, "x", None, True, dt.date(2026, 9, 30), 2.5, np.nan, dt.datetime(2026, 1, 2, 3, 4),
                   pd.NaT, np.int64(7)][i % 10] for i in k],
        "band": [("GREEN", "YELLOW", "RED", "绿", None)[i % 5] for i in k],
        "pd": np.linspace(0, 1, n),
    })


def _write(path: Path, df: pd.DataFrame, fast_cells: int) -> Path:
    with ResultWorkbook(path, fast_cells=fast_cells) as rw:
        t = rw.add_table(df, "Results", title="Result 结果", formats={"pd": "percent"}, traffic_lights=["band"])
        rw.add_summary("Results", {"rows": len(df), "total": 1.25})  # cells below the big table
        rw.add_chart("Chart", "line", t, "due_date", ["amount", "pd"], title="amounts")
        rw.add_table(df.head(3), "Other")
    return path


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    d = tmp_path_factory.mktemp("fast")
    df = _frame()
    return _write(d / "slow.xlsx", df, 10**12), _write(d / "fast.xlsx", df, 0), df


def _unescape(v):
    """openpyxl decodes _xHHHH_ escapes in shared strings but not in inline strings (Excel does in both)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), v) if isinstance(v, str) else v


def _openpyxl_cells(path: Path, inline: bool = False) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    out[(ws.title, c.coordinate)] = (_unescape(c.value) if inline else c.value, c.number_format, c.data_type)
    return out


def test_fast_path_is_used(pair):
    slow, fast, _ = pair
    with zipfile.ZipFile(fast) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('t="inlineStr"') > 40
    with zipfile.ZipFile(slow) as z:
        assert 't="inlineStr"' not in z.read("xl/worksheets/sheet1.xml").decode()


def test_same_values_and_formats_openpyxl(pair):
    slow, fast, df = pair
    a, b = _openpyxl_cells(slow), _openpyxl_cells(fast, inline=True)
    assert a.keys() == b.keys()
    # openpyxl decodes some _xHHHH_ escapes in shared strings and none in inline strings: those compare via calamine
    escaped = {k for k, v in a.items() if isinstance(v[0], str) and ("_x" in v[0] or "\ufffe" in v[0])}
    diff = {k: (a[k], b[k]) for k in a if a[k] != b[k] and k not in escaped}
    assert diff == {}
    # spot checks against the frame (row 3 = first data row; title row 1, header row 2)
    ws = openpyxl.load_workbook(fast)["Results"]
    assert ws["A3"].value == pytest.approx(0.3) and ws["A3"].number_format == "#,##0.00"
    assert ws["A5"].value == 0 and ws["A6"].value == 2.0**60
    assert ws["A8"].value is None and ws["A8"].number_format == "#,##0.00"  # NaN: blank cell, formatted
    assert ws["D4"].value == dt.datetime(2000, 2, 6) and ws["D4"].number_format == "yyyy-mm-dd"
    assert ws["J62"].value == 1 and ws["J62"].number_format == "0.0%"
    assert ws["G3"].value is True and ws["G4"].value is False
    for r, text in enumerate(df["text"], start=3):
        if isinstance(text, str) and text and not re.search("[\x00-\x08\x0b-\x1f\ufffe]|_x", text):
            assert ws[f"F{r}"].value == text[:32767]
            assert ws[f"F{r}"].data_type == "s"


def test_same_values_calamine(pair):
    slow, fast, _ = pair
    for name in ("Results", "Chart", "Other"):
        a = CalamineWorkbook.from_path(str(slow)).get_sheet_by_name(name).to_python()
        b = CalamineWorkbook.from_path(str(fast)).get_sheet_by_name(name).to_python()
        assert a == b, name
    rows = CalamineWorkbook.from_path(str(fast)).get_sheet_by_name("Results").to_python()
    assert len(rows) == 2 + 60 + 1 + 3  # title, header, data, gap, summary


def test_everything_else_identical(tmp_path):
    """Table ref, freeze panes, conditional formats, chart (incl. its cached data), styles: byte-identical.

    (Not with dates in an unformatted mixed column: the fast path registers XlsxWriter's default date format
    earlier, so XF indices are numbered in another order — same styles, different numbers.)
    """
    df = _frame().drop(columns="mixed").assign(mixed="x")
    slow, fast = _write(tmp_path / "slow.xlsx", df, 10**12), _write(tmp_path / "fast.xlsx", df, 0)
    with zipfile.ZipFile(slow) as zs, zipfile.ZipFile(fast) as zf:
        assert zs.namelist() == zf.namelist()
        for name in zs.namelist():
            # worksheets hold shared-string numbers (the slow SST has the data too): compared by value above
            if name.startswith("xl/worksheets/sheet") or name in ("xl/sharedStrings.xml", "docProps/core.xml"):
                continue
            assert zs.read(name) == zf.read(name), name
        s1, f1 = zs.read("xl/worksheets/sheet1.xml").decode(), zf.read("xl/worksheets/sheet1.xml").decode()
        table = zf.read("xl/tables/table1.xml").decode()
    assert 'ref="A2:J62"' in table
    assert re.search(r'<dimension ref="A1:J6[0-9]"/>', f1)
    assert re.search(r"<dimension[^>]*>", s1).group() == re.search(r"<dimension[^>]*>", f1).group()
    for tag in ("<sheetViews>.*?</sheetViews>", "<cols>.*?</cols>", "<conditionalFormatting.*</conditionalFormatting>"):
        assert re.search(tag, s1, re.S).group() == re.search(tag, f1, re.S).group()
    assert "<f>" not in f1  # formula-injection strings are text
    for s in INJECTION:
        esc = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<is>{fastsheet.escape_text(s)}</is>" in f1 and esc in fastsheet.escape_text(s)
    ws = openpyxl.load_workbook(fast)["Results"]
    assert ws.freeze_panes is None or ws.freeze_panes == "A3"
    assert ws.tables["Results"].ref == "A2:J62"
    assert len(ws.conditional_formatting) == 1


def test_cached_chart_data_covers_bulk_rows(pair):
    _, fast, _ = pair
    with zipfile.ZipFile(fast) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert '<c:ptCount val="60"/>' in chart and "<c:v>0.3</c:v>" in chart


def test_libreoffice_opens_fast_file(pair, tmp_path):
    _, fast, _df = pair
    profile = tmp_path / "lo-profile"
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
           "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,1", "--outdir", str(tmp_path),
           str(fast)]
    subprocess.run(cmd, check=True, timeout=180, capture_output=True)
    out = next(tmp_path.glob("fast*.csv"))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[1][0].startswith("amount")
    assert rows[2][0] == "0.30" and rows[2][6] == "TRUE"
    assert rows[2 + 12][5] == INJECTION[0]  # text, not a formula or its result
    assert rows[2 + 1][5] == "中文 买家 有限公司" and rows[3][3] == "2000-02-06"
    assert rows[61][9] == "100.0%"


def test_big_table_below_threshold_stays_slow(tmp_path):
    df = _frame(10)
    with ResultWorkbook(tmp_path / "a.xlsx") as rw:
        rw.add_table(df, "R")
        assert rw._bulk == []
    with ResultWorkbook(tmp_path / "b.xlsx", fast_cells=50) as rw:
        rw.add_table(df, "R")
        assert len(rw._bulk) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                          st.booleans(), st.integers(-2**63, 2**63 - 1)), min_size=2, max_size=12))
def test_random_values_read_back_the_same(tmp_path, values):
    df = pd.DataFrame({"v": pd.Series(values, dtype=object), "w": range(len(values))})
    slow, fast = tmp_path / "s.xlsx", tmp_path / "f.xlsx"
    for path, fc in ((slow, 10**12), (fast, 0)):
        with ResultWorkbook(path, fast_cells=fc) as rw:
            rw.add_table(df, "R")
    a = CalamineWorkbook.from_path(str(slow)).get_sheet_by_name("R").to_python()
    b = CalamineWorkbook.from_path(str(fast)).get_sheet_by_name("R").to_python()
    assert a == b
    a, b = _openpyxl_cells(slow), _openpyxl_cells(fast, inline=True)
    weird = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # see the test above
    assert {k: v for k, v in a.items() if not weird.search(str(v[0]))} == {
        k: v for k, v in b.items() if not weird.search(str(a.get(k, ("",))[0]))}


def test_escape_text_matches_xlsxwriter_shared_strings():
    from xlsxwriter.sharedstrings import SharedStrings

    for s in [*TEXTS[:-len(INJECTION) - 1], *INJECTION]:  # no 40k text: write_string truncates
        sst = SharedStrings()
        import io

        sst.fh = io.StringIO()
        sst._write_si(s)
        assert sst.fh.getvalue() == f"<si>{fastsheet.escape_text(s)}</si>"

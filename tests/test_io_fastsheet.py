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
TEXTS = ["a&b<c>d\"e'f", "中文 买家 有限公司", "emoji 🚀💰", " lead", "trail ", "line1\nline2", "ctl\x01\x07\x1f", "_x0041_ literal", "tab\tin", "", "\ufffe", "x" * 32767, *INJECTION]
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
    assert rows[1][0] == "Amount 金额"  # the finance header of the result key "amount"
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

    for s in [*TEXTS[:-len(INJECTION) - 1], *INJECTION]:  # no 32k text: the SST writer's own escaping differs
        sst = SharedStrings()
        import io

        sst.fh = io.StringIO()
        sst._write_si(s)
        assert sst.fh.getvalue() == f"<si>{fastsheet.escape_text(s)}</si>"


# ------------------------------------------------------------------ the bulk builder against the reference
def _block(df: pd.DataFrame, first_row: int, first_col: int, styles, date_style) -> fastsheet.Block:
    return fastsheet.Block("xl/worksheets/sheet1.xml", first_row, first_col,
                           [df.iloc[:, j] for j in range(df.shape[1])], list(styles), date_style)


def _assert_same_bytes(df: pd.DataFrame, first_row: int = 2, first_col: int = 0, styles=None, date_style=7):
    """Block.chunks (NumPy, bulk) == rows_xml(column_cells) (one Python string per cell), and the same bounds."""
    styles = [(j % 3) or None for j in range(df.shape[1])] if styles is None else styles
    cols, r0, r1, c0, c1 = [], None, None, None, None
    for j in range(df.shape[1]):
        cells, mask = fastsheet.column_cells(df.iloc[:, j], first_col + j, first_row, styles[j], date_style)
        cols.append(cells)
        hit = np.flatnonzero(mask)
        if len(hit):
            r0 = first_row + hit[0] if r0 is None else min(r0, first_row + hit[0])
            r1 = first_row + hit[-1] if r1 is None else max(r1, first_row + hit[-1])
            c0, c1 = (first_col + j if c0 is None else c0), first_col + j
    expected = "".join(fastsheet.rows_xml(cols, first_row)).encode("utf-8")
    block = _block(df, first_row, first_col, styles, date_style)
    got = b"".join(block.chunks())
    if got != expected:
        at = next((i for i, (x, y) in enumerate(zip(got, expected, strict=False)) if x != y), min(len(got), len(expected)))
        raise AssertionError(f"differ at byte {at}:\n{expected[at - 150:at + 80]!r}\n{got[at - 150:at + 80]!r}")
    assert block.bounds == (None if r0 is None else (r0, c0, r1, c1))
    assert block.size_bound() >= len(got)


WHITE = [chr(c) for c in range(0x110000) if chr(c).isspace()]
EDGY = [*TEXTS, "中文", "（有限公司）", "\uffef", "\ufffd", "é", "Ж" * 9000, "\U0001F680" * 8200, "y" * 300,
        *(w + "x" for w in WHITE), *("x" + w for w in WHITE), *WHITE, "\x7f", "a_b", "a__x12_", None]


def _hard_frame(n: int, seed: int = 0) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    pick = np.array(EDGY, dtype=object)[g.integers(0, len(EDGY), n)]
    tiny, huge = g.uniform(-1e-3, 1e-3, n), g.uniform(-1e20, 1e20, n)
    return pd.DataFrame({
        "text_obj": pd.Series(pick, dtype=object),
        "text_arrow": pd.Series(pick, dtype=pd.StringDtype("pyarrow")),
        "text_py": pd.Series(pick, dtype=pd.StringDtype("python")),
        "long_often": pd.Series(np.where(g.random(n) < 0.3, "z" * 5000, "short"), dtype=object),
        "ids": [f"INV-{i}" for i in range(n)],
        "bits": g.integers(0, 2**64, n, dtype=np.uint64).view(np.float64),  # incl. NaN, inf, subnormals
        "money": np.round(g.lognormal(10, 1.2, n), 2) * g.choice([-1, 1], n),
        "tiny_huge": np.where(g.random(n) < 0.5, tiny, huge),
        "i64": g.integers(-2**62, 2**62, n),
        "u8": g.integers(0, 255, n).astype(np.uint8),
        "flag": g.random(n) < 0.5,
        "nullable_bool": pd.array(np.where(g.random(n) < 0.1, None, g.random(n) < 0.5), dtype="boolean"),
        "nullable_int": pd.array(np.where(g.random(n) < 0.1, None, g.integers(-9, 9, n)), dtype="Int64"),
        "stamp": pd.to_datetime(g.integers(0, 2**40, n), unit="ms").where(g.random(n) < 0.9),
        "tz": pd.Series(pd.date_range("2020-01-01", periods=n, freq="37min", tz="Europe/Paris")),
        "empty": np.full(n, np.nan),
        "mixed": pd.Series([[1, "x<y", None, True, 2.5, np.nan, dt.date(2026, 9, 30), "w" * 32767, np.int64(7),
                             -0.0, pd.NaT, dt.datetime(2026, 1, 2, 3, 4, 5)][i % 12] for i in range(n)], dtype=object),
    })


@pytest.mark.parametrize("chunk_rows", [7, 20_000])
def test_bulk_builder_matches_the_reference_byte_for_byte(monkeypatch, chunk_rows):
    monkeypatch.setattr(fastsheet, "CHUNK_ROWS", chunk_rows)
    df = _frame(300)
    _assert_same_bytes(df)
    _assert_same_bytes(df, styles=[None] * df.shape[1], date_style=None)
    hard = _hard_frame(900)
    _assert_same_bytes(hard)
    _assert_same_bytes(hard, first_row=99_950, first_col=5, styles=[None] * hard.shape[1])  # 5 → 6 digit rows


def test_bulk_builder_leaves_out_rows_without_cells():
    k = np.arange(3000)
    df = pd.DataFrame({"a": np.where(k % 3 == 0, np.nan, 1.5), "b": pd.Series(np.where(k % 3 == 0, None, "t"))})
    _assert_same_bytes(df, styles=[None, None])
    _assert_same_bytes(df.iloc[::3], styles=[None, None])  # no cell at all: no rows, no bounds
    _assert_same_bytes(df.iloc[::3], styles=[None, 4])
    _assert_same_bytes(pd.DataFrame({"a": [0.1 + 0.2]}))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.floats(), st.none(), st.booleans(),
                          st.integers(-2**63, 2**63 - 1)), min_size=1, max_size=40),
       st.lists(st.floats(), min_size=1, max_size=40), st.lists(st.one_of(st.text(max_size=8), st.none()), min_size=1, max_size=40))
def test_bulk_builder_random_values(values, floats, texts):
    n = min(len(values), len(floats), len(texts))
    df = pd.DataFrame({"v": pd.Series(values[:n], dtype=object), "f": floats[:n],
                       "t": pd.Series(texts[:n], dtype=object), "s": pd.Series(texts[:n], dtype="str")})
    _assert_same_bytes(df)
    _assert_same_bytes(df, styles=[None] * 4, date_style=None)


def _printed(x: np.ndarray) -> list[str]:
    field = np.concatenate(fastsheet._number_field(x), axis=1)
    return [bytes(row).replace(b"\0", b"").decode() for row in field]


def test_numbers_print_exactly_as_percent_16G():
    g = np.random.default_rng(7)
    n = 20_000
    p10 = 10.0 ** np.arange(-8, 18)
    samples = {
        "money": np.round(g.lognormal(10, 1.2, n), 2),
        "rounded": np.round(g.lognormal(0, 4, n) * (d := 10.0 ** g.integers(0, 7, n))) / d * g.choice([-1, 1], n),
        "uniform": g.uniform(0, 1, n),
        "products": g.uniform(0.001, 0.2, n) * np.round(g.lognormal(10, 1.2, n), 2) * 0.45,
        "log-uniform": np.exp(g.uniform(np.log(1e-6), np.log(1e17), n)) * g.choice([-1, 1], n),
        "bits": (b := g.integers(0, 2**64, n, dtype=np.uint64).view(np.float64))[np.isfinite(b)],
        "whole": g.integers(-2**53, 2**53, n).astype(float),
        "serials": 46000.0 + g.integers(-50000, 50000, n) + g.integers(0, 86400, n) / 86400,
        "ties": (g.integers(0, 2**40, n) + 0.5) / 2.0 ** g.integers(0, 30, n),
        "17 digits": np.array([float(f"{g.integers(10**16, 10**17)}e{g.integers(-20, 0)}") for _ in range(n)]),
        "edges": np.concatenate([p10, -p10, np.nextafter(p10, 0), np.nextafter(p10, np.inf),
                                 np.nextafter(np.nextafter(p10, 0), 0), [0.0, -0.0, 5e-324, -2.2250738585072014e-308,
                                 1.7976931348623157e308, 1e-4, 9.99999999999999e-5, 0.5, 2.5, 1 / 3, 0.1 + 0.2, 9.1,
                                 2.0**53, 2.0**53 + 2, 2.0**60, 9999999999999998.0, 999999999999999.9,
                                 0.9999999999999999, 0.99999999999999994, 99999.99999999999]]),
    }
    for name, x in samples.items():
        for part in (x, x[:1], x[:2]):
            got, expected = _printed(part), [f"{v:.16G}" for v in part.tolist()]
            bad = [(v, a, b) for v, a, b in zip(part.tolist(), got, expected, strict=True) if a != b]
            assert not bad, (name, bad[:5])
    # the exact path decides nearly all everyday values (Python's % prints the rest)
    assert not fastsheet._g16(samples["money"])[-1].any()
    assert fastsheet._g16(samples["uniform"])[-1].mean() < 0.001


def test_escape_check_flags_every_string_escape_text_changes():
    leads = {chr(c).encode()[0] for c in range(0x80, 0x110000) if chr(c).isspace()}
    assert leads <= set(np.flatnonzero(fastsheet._SPACE_LEAD).tolist())
    rng = np.random.default_rng(3)
    alphabet = [*WHITE, *"abcXYZ019 &<>_\t\n\r\x01\x1f\x7f", "\ufffe", "\uffff", "\ufffd", "\uffef", "中", "é", "\U0001F680",
                "\u200b", "\u3001"]
    values = ["".join(rng.choice(alphabet, rng.integers(0, 7))) for _ in range(50_000)]
    values += ["a" * 16384, "a" * 20000, "Ж" * 9000, "\U0001F680" * 8200, ""]
    enc = [v.encode() for v in values]
    flagged = fastsheet._needs_escape(np.frombuffer(b"".join(enc), np.uint8), np.array([len(e) for e in enc]))
    missed = [v for v, f in zip(values, flagged, strict=True) if not f and fastsheet.escape_text(v) != f"<t>{v}</t>"]
    assert missed == []
    # both ways of reading the distinct values agree (Arrow buffers, or Python strings)
    arrow = fastsheet._utf8(pd.Index(values, dtype=pd.StringDtype("pyarrow")))
    python = fastsheet._utf8(pd.Index(values, dtype=object))
    assert arrow[2] is None and python[2] == values
    assert bytes(arrow[0]) == bytes(python[0]) and arrow[1].tolist() == python[1].tolist()


def test_two_bulk_tables_on_one_sheet_read_back_like_the_slow_path(tmp_path):
    a, b = _frame(40), _hard_frame(50).drop(columns=["bits", "tiny_huge"])
    paths = []
    for name, fc in (("slow", 10**12), ("fast", 0)):
        with ResultWorkbook(tmp_path / f"{name}.xlsx", fast_cells=fc) as rw:
            rw.add_table(a, "R", title="first")
            rw.add_table(b, "R", title="second")
            rw.add_table(a.head(2), "R")
        paths.append(tmp_path / f"{name}.xlsx")
    slow, fast = (CalamineWorkbook.from_path(str(p)).get_sheet_by_name("R").to_python() for p in paths)
    assert slow == fast
    with zipfile.ZipFile(paths[1]) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b"<row ") == 1 + 1 + 40 + 1 + 1 + 50 + 1 + 2


def test_splice_without_streaming_and_after_a_failure(tmp_path, monkeypatch):
    df = _frame(60)
    streamed = _write(tmp_path / "streamed.xlsx", df, 0)
    # a part too big to decide zip64 up front is built whole first: same members
    monkeypatch.setattr(fastsheet.Block, "size_bound", lambda self: zipfile.ZIP64_LIMIT + 1)
    whole = _write(tmp_path / "whole.xlsx", df, 0)
    with zipfile.ZipFile(streamed) as zs, zipfile.ZipFile(whole) as zw:
        assert zs.namelist() == zw.namelist()
        assert all(zs.read(n) == zw.read(n) for n in zs.namelist() if n != "docProps/core.xml")
    monkeypatch.undo()

    # an error while rows are being built and deflated: the previous file stays, no temporary file is left
    def broken(self):
        yield b'<row r="3"></row>'
        raise RuntimeError("boom")

    before = streamed.read_bytes()
    monkeypatch.setattr(fastsheet.Block, "chunks", broken)
    with pytest.raises(RuntimeError, match="boom"):
        _write(streamed, df, 0)
    assert streamed.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.xlsx", "whole.xlsx"]


@pytest.mark.parametrize("values", [
    [None] * 4, [None, np.nan, None], [1, 2, -3, 2**62, 2**70], [1, None, 2.5, np.nan, np.inf, -0.0],
    [np.int64(5), 7, np.float32(1.5)], [True, False, True], [True, None], [1, True], [pd.NA, 1],
    [dt.date(2026, 1, 1), None], [1.0, "x"], ["a", None, "b"]])
@pytest.mark.parametrize("style", [None, 3])
def test_object_columns_of_one_kind_are_written_as_each_value(values, style):
    """An object column of ints, floats, bools or only missing values takes the typed (bulk) path: its cells
    are the ones the value-by-value writer (the slow path's _write_cell) gives."""
    s_attr = f' s="{style}"' if style is not None else ""
    rows = [str(r) for r in range(3, 3 + len(values))]
    expected = fastsheet._object_cells(list(values), rows, "B", s_attr, s_attr or ' s="9"')
    series = pd.Series(values, dtype=object)
    assert fastsheet.column_cells(series, 1, 2, style, 9)[0] == expected
    _assert_same_bytes(pd.DataFrame({"v": series}), styles=[style])

"""The columnar read path (io/columnar.py: header rows from the XML, columns from fastexcel, a big sheet
loaded in a child process) against the grid path it replaces: same frames, same problems, same
refusals, on the bad-input corpus, the templates, the sample workbook and hand-made awkward sheets."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from xl_cashrisk.errors import InputError
from xl_cashrisk.io import columnar, safe
from xl_cashrisk.io.reader import HEADER_SCAN_ROWS, WorkbookReader
from xl_cashrisk.io.templates import TEMPLATES
from xl_cashrisk.sample.workbooks import write_sample_book
from xl_cashrisk.schemas.ledger import LEDGER

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from make_corpus import CASES

pytestmark = pytest.mark.skipif(not columnar.available(), reason="fastexcel/pyarrow not installed")
ROOT = Path(__file__).resolve().parents[1]


def _read_all(path: Path, *, use_columnar: bool):
    """Every schema table of the workbook: key → (frame, problems) or the refusal message."""
    out: dict[str, object] = {}
    try:
        book = WorkbookReader(path, columnar=use_columnar)
    except InputError as exc:
        return {"__open__": str(exc)}
    settings = None
    if any(s.casefold() == "settings" for s in book.sheet_names):
        try:
            settings = book.settings()
        except InputError as exc:
            out["__settings__"] = str(exc)
    for spec in TEMPLATES.values():
        for table in spec.tables:
            if not hasattr(table, "columns") or table.key in out:
                continue
            try:
                r = book.read(table, settings=settings)
                out[table.key] = (r.frame, [str(p) for p in r.report.problems])
            except InputError as exc:
                out[table.key] = str(exc)
    return out


def _assert_same(path: Path) -> None:
    a = _read_all(path, use_columnar=True)
    b = _read_all(path, use_columnar=False)
    assert a.keys() == b.keys(), path.name
    for key in a:
        if isinstance(a[key], tuple) and isinstance(b[key], tuple):
            pd.testing.assert_frame_equal(a[key][0], b[key][0], obj=f"{path.name} {key}")
            assert a[key][1] == b[key][1], f"{path.name} {key}"
        else:
            assert a[key] == b[key], f"{path.name} {key}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write_sample_book(tmp_path_factory.mktemp("columnar") / "sample.xlsx")


READ_CASES = [c for c in CASES if c.scope != "file" and not c.slow and c.suffix == ".xlsx"]


@pytest.mark.parametrize("case", READ_CASES, ids=[c.name for c in READ_CASES])
def test_corpus_reads_the_same_both_ways(case, tmp_path):
    _assert_same(case.build(tmp_path / f"{case.name}.xlsx"))


def test_templates_and_sample_read_the_same_both_ways(sample):
    for path in sorted((ROOT / "workbook_templates").glob("*.xlsx")):
        _assert_same(path)
    _assert_same(sample)


def _awkward_book(path: Path, *, mixed: bool) -> Path:
    """Title rows, header on row 4 starting in column B, shared strings, error and formula cells,
    a time of day in a date column, a date in a text column, whitespace, an unknown header."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("AR Ledger")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "hh:mm"})
    ws.write(0, 2, "Ledger of Example Trading 示例贸易 — 2026")
    ws.write(1, 2, "exported & checked")
    headers = ["Invoice no.", " Buyer ID ", "Invoice date", "Due date", "Currency", "Amount", "Paid amount",
               "Last payment date", "Amonut"]
    ws.write_row(3, 1, headers)
    rows = []
    for i in range(40):
        rows.append([f"INV-{i:03d}", f"B{i % 7:02d}", dt.date(2026, 1, 1 + i % 28), dt.date(2026, 3, 1 + i % 28),
                     "CNY" if i % 3 else "usd", 1000.0 + i, 0.0, None, "x"])
    rows[5][1] = "  B05  "
    rows[6][2] = dt.date(2026, 7, 1)  # invoice after due: a warning
    rows[9][6] = 200.0  # paid without a payment date: an error
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date)
            elif v is not None:
                ws.write(r, c, v)
    ws.write_formula(10, 6, "=1/0", None, "#DIV/0!")  # an error cell in Amount
    ws.write_formula(11, 7, "=G12*0", None, 0)  # a formula with a value: read as its value
    ws.write_number(12, 4, 0.25, time_fmt)  # a time of day as due date
    ws.write_datetime(13, 1, dt.datetime(2026, 5, 4), date)  # a date as invoice number
    ws.write_blank(50, 3, None, date)  # a formatted empty cell below the table
    if mixed:
        ws.write(15, 6, "1,250.50")  # text among numbers: the column is mixed
    wb.close()
    return path


@pytest.mark.parametrize("mixed", [False, True])
def test_awkward_sheet_reads_the_same_both_ways(tmp_path, mixed):
    path = _awkward_book(tmp_path / "awkward.xlsx", mixed=mixed)
    _assert_same(path)
    r = WorkbookReader(path).read(LEDGER)
    text = [str(p) for p in r.report.problems]
    assert r.report.header_row == 4 and r.report.rows == 40
    assert any("row 11" in t and "#DIV/0!" in t for t in text), text
    assert any("'Amonut'" in t and "did you mean 'Amount" in t for t in text), text
    assert r.frame.loc[10, "buyer_id"] == "B05"
    assert r.frame.loc[14, "invoice_no"] == "2026-05-04"  # a date typed as invoice number, as text


def test_sheet_head_matches_the_grid(tmp_path, sample):
    """The header rows read from the XML are the grid's, text for text, for every workbook we have."""
    books = [*sorted((ROOT / "workbook_templates").glob("*.xlsx")), sample,
             _awkward_book(tmp_path / "a.xlsx", mixed=True)]
    for case in READ_CASES[:20]:
        books.append(case.build(tmp_path / f"{case.name}.xlsx"))
    checked = 0
    for path in books:
        try:
            book = CalamineWorkbook.from_path(str(path))
        except Exception:  # a corpus file calamine refuses is not about headers
            continue
        for name in book.sheet_names:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)[:HEADER_SCAN_ROWS]
            head = columnar.sheet_head(path, name, HEADER_SCAN_ROWS)
            if head is None:
                continue
            text_grid = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if isinstance(v, str) and v}
            text_head = {(r, c): v for r, row in enumerate(head) for c, v in enumerate(row)
                         if isinstance(v, str) and v and not v.startswith(("=", "#"))}
            grid_text = {k: v for k, v in text_grid.items() if not v.startswith(("=", "#"))}
            assert text_head == grid_text, (path.name, name)
            checked += 1
    assert checked >= 15


def test_big_sheet_loads_in_a_child_process(sample, monkeypatch):
    monkeypatch.setenv("XL_CASHRISK_READER_PROCESS", "1")  # whatever the machine's load
    if not columnar.can_fork():
        pytest.skip("no fork here: big sheets load in-process")
    path = sample
    monkeypatch.setattr(columnar, "FORK_MIN_BYTES", 0)
    started = []
    real = columnar.PendingColumns.__init__

    def spy(self, *a, **k):
        started.append(a[1])
        real(self, *a, **k)

    monkeypatch.setattr(columnar.PendingColumns, "__init__", spy)
    a = WorkbookReader(path).read(LEDGER)
    b = WorkbookReader(path, columnar=False).read(LEDGER)
    assert started == ["AR Ledger"]
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.report.problems == b.report.problems
    assert not multiprocessing.active_children()


def test_refused_sheet_stops_the_child(sample, monkeypatch):
    """The cell-area verdict comes first: over the limit, the child is killed and the refusal raised."""
    monkeypatch.setenv("XL_CASHRISK_READER_PROCESS", "1")
    if not columnar.can_fork():
        pytest.skip("no fork here: big sheets load in-process")
    path = sample
    monkeypatch.setattr(columnar, "FORK_MIN_BYTES", 0)
    monkeypatch.setattr(safe, "MAX_CELLS", 50_000)
    reader = WorkbookReader(path)  # the quick checks pass; the sheet's area is scanned when it is read
    with pytest.raises(InputError, match="above the limit of"):
        reader.read(LEDGER)
    assert not multiprocessing.active_children()
    # a caller that goes on after the refusal (validate_tables does, table by table) is refused again,
    # whichever way it asks for the sheet
    with pytest.raises(InputError, match="above the limit of"):
        reader.read(LEDGER)
    with pytest.raises(InputError, match="above the limit of"):
        reader.grid("AR Ledger")
    with pytest.raises(InputError, match="above the limit of"):
        WorkbookReader(path, columnar=False)


def test_grid_env_switch(monkeypatch, sample):
    monkeypatch.setenv("XL_CASHRISK_READER", "grid")
    path = sample
    assert WorkbookReader(path).columnar is False
    monkeypatch.delenv("XL_CASHRISK_READER")
    assert WorkbookReader(path).columnar is True


def test_text_screen_with_arrow_matches_the_python_path():
    """convert_column with the Arrow twin of a text column gives the same values, masks and messages."""
    import numpy as np
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from xl_cashrisk.io.validate import EXCEL_ERRORS, convert_column
    from xl_cashrisk.schemas.ledger import LEDGER

    pieces = st.sampled_from(["", " ", "\u3000", "\xa0", "\x1c", "\t", "#", "=", "a", "客", "😀", "INV-1",
                              *sorted(EXCEL_ERRORS)[:4], "#N/A ", " =SUM(A1)"])
    texts = st.lists(st.lists(pieces, max_size=4).map("".join), min_size=1, max_size=40)

    @settings(max_examples=150, deadline=None)
    @given(texts)
    def check(values):
        vals = np.array(values, dtype=object)
        rows = np.arange(2, 2 + len(values))
        for key in ("invoice_no", "doc_type", "buyer_id"):
            col = LEDGER.column(key)
            a = convert_column(col, vals, rows, sheet="S", arrow=pa.array(values, type=pa.string()))
            b = convert_column(col, vals, rows, sheet="S")
            assert list(a[0]) == list(b[0]) and list(a[1]) == list(b[1]) and a[2] == b[2]
            # the text itself as the columnar reader hands it over: typed in Arrow, the same frame column
            c = convert_column(col, pa.array(values, type=pa.string()), rows, sheet="S")
            pd.testing.assert_frame_equal(pd.DataFrame({"x": c[0]}), pd.DataFrame({"x": b[0]}))
            assert list(c[1]) == list(b[1]) and c[2] == b[2]

    check()


def test_without_fork_the_scan_runs_first_and_the_load_in_process(sample, monkeypatch):
    """What Windows and macOS do (no fork): every sheet's area is checked when the workbook is opened,
    and a big sheet loads in this process; same frame as the grid."""
    monkeypatch.setenv("XL_CASHRISK_READER_PROCESS", "0")
    monkeypatch.setattr(columnar, "FORK_MIN_BYTES", 0)
    monkeypatch.setattr(columnar.PendingColumns, "__init__", lambda *a, **k: pytest.fail("no child expected"))
    assert not columnar.can_fork()
    reader = WorkbookReader(sample)
    assert reader._area_pending is False
    a = reader.read(LEDGER)
    b = WorkbookReader(sample, columnar=False).read(LEDGER)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.report.problems == b.report.problems
    monkeypatch.setattr(safe, "MAX_CELLS", 50_000)
    with pytest.raises(InputError, match="above the limit of"):
        WorkbookReader(sample)  # refused up front, before any sheet is parsed


def test_the_child_process_only_with_a_core_to_spare(monkeypatch):
    """By default a big sheet loads in a child only when this process may use two or more CPUs and the
    load average leaves one idle; =1 and =0 force the choice."""
    import os

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("fork is Linux's")
    monkeypatch.delenv("XL_CASHRISK_READER_PROCESS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert not columnar.can_fork()  # one core: load and scan one after the other
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert columnar.can_fork()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 1.0, 1.0))
    assert not columnar.can_fork()  # both cores busy
    monkeypatch.setenv("XL_CASHRISK_READER_PROCESS", "1")
    assert columnar.can_fork()
    monkeypatch.setenv("XL_CASHRISK_READER_PROCESS", "0")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert not columnar.can_fork()

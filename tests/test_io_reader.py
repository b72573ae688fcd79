"""Reading and validating a filled AR ledger workbook: round trip, broken ledgers, settings."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xl_cashrisk.errors import InputError
from xl_cashrisk.io.reader import read_ledger, read_settings, read_table
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.io.templates import build_named
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.settings import FX, load_settings_file, settings_from_frames
from xl_cashrisk.settings import Settings

FIRST = 4  # first data row of the template (title, note, header above)
SETTINGS = Settings(as_of=dt.date(2026, 9, 30), home_currency="CNY", fx_rates={"CNY": 1.0, "USD": 7.10, "EUR": 7.75})
H = {c.key: c.header for c in LEDGER.columns}

GOOD = [
    {"invoice_no": "INV-1", "buyer_id": "B001", "buyer_name": "Guangzhou Co.", "doc_type": "INV",
     "invoice_date": dt.date(2026, 8, 15), "terms_days": 60, "currency": "CNY", "amount": 100000.0,
     "paid_amount": 0.0, "disputed": False},
    {"invoice_no": "INV-2", "buyer_id": "B002", "buyer_name": "Hamburg GmbH", "doc_type": "INV",
     "invoice_date": dt.date(2026, 6, 1), "terms_days": 30, "due_date": dt.date(2026, 7, 1), "currency": "EUR",
     "amount": 20000.0, "paid_amount": 5000.0, "last_payment_date": dt.date(2026, 7, 20), "disputed": True,
     "note": "part paid"},
    {"invoice_no": "CN-1", "buyer_id": "B002", "doc_type": "CN", "invoice_date": dt.date(2026, 7, 5),
     "terms_days": 0, "currency": "EUR", "amount": -1500.0, "paid_amount": -1500.0,
     "last_payment_date": dt.date(2026, 7, 5)},
    {"invoice_no": "INV-3", "buyer_id": "B003", "invoice_date": dt.date(2026, 9, 1), "terms_days": 45,
     "currency": "USD", "amount": 7777.77},
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_named("ledger", tmp_path_factory.mktemp("tpl"), examples=False)


def fill(template: Path, rows: list[dict], path: Path, *, fx: dict | None = None, edit=None) -> Path:
    """The template with ``rows`` typed in via openpyxl (by header, not column letter)."""
    wb = openpyxl.load_workbook(template)
    ws = wb[LEDGER.sheet]
    col = {cell.value: cell.column for cell in ws[FIRST - 1] if cell.value}
    for i, row in enumerate(rows):
        for key, value in row.items():
            ws.cell(FIRST + i, col[H[key]]).value = value
    if fx is not None:
        st = wb["Settings"]
        hdr = {cell.value: cell.column for cell in st[3] if cell.value}
        for i, (cur, rate) in enumerate(fx.items()):
            st.cell(4 + i, hdr[FX.column("currency").header]).value = cur
            st.cell(4 + i, hdr[FX.column("rate_to_home").header]).value = rate
    if edit:
        edit(ws, col)
    wb.save(path)
    return path


def test_round_trip_values_equal(template, tmp_path):
    path = fill(template, GOOD, tmp_path / "ledger.xlsx")
    before = file_fingerprint(path)
    r = read_ledger(path, SETTINGS)
    assert r.report.problems == []
    assert r.report.counts() == {"rows": 4, "errors": 0, "warnings": 0, "rows_with_errors": 0}
    f = r.frame
    assert f.index.tolist() == [4, 5, 6, 7]
    assert f["invoice_no"].tolist() == ["INV-1", "INV-2", "CN-1", "INV-3"]
    assert f["invoice_date"].dtype == "datetime64[ns]"
    assert f["amount"].dtype == float and f["terms_days"].dtype == float
    assert f["amount"].tolist() == [100000.0, 20000.0, -1500.0, 7777.77]
    assert f["paid_amount"].tolist() == [0.0, 5000.0, -1500.0, 0.0]  # blank paid → default 0
    assert f["open_amount"].tolist() == [100000.0, 15000.0, 0.0, 7777.77]
    # due date given, or derived as invoice date + terms
    assert f["due_date"].dt.date.tolist() == [dt.date(2026, 10, 14), dt.date(2026, 7, 1), dt.date(2026, 7, 5),
                                              dt.date(2026, 10, 16)]
    assert f["disputed"].tolist() == [False, True, False, False]
    assert f["doc_type"].tolist() == ["INV", "INV", "CN", "INV"]
    assert pd.isna(f.loc[7, "last_payment_date"]) and f.loc[5, "last_payment_date"] == pd.Timestamp("2026-07-20")
    assert file_fingerprint(path) == before  # reading never touches the input


def test_accepts_serials_iso_text_and_tolerant_headers(template, tmp_path):
    rows = [dict(GOOD[0], invoice_date=46249.0, invoice_no=12345.0, doc_type="inv", currency="cny",
                 disputed="yes", terms_days="60"),
            dict(GOOD[3], invoice_date="2026-09-01", due_date="2026/10/16", amount="7,777.77")]

    def rename(ws, col):  # English-only / Chinese-only / lower-case headers are found too
        ws.cell(FIRST - 1, col[H["amount"]]).value = "amount"
        ws.cell(FIRST - 1, col[H["invoice_date"]]).value = "开票日期"
        ws.cell(FIRST - 1, col[H["invoice_no"]]).value = "INVOICE NO."

    r = read_ledger(fill(template, rows, tmp_path / "l.xlsx", edit=rename), SETTINGS)
    assert r.report.errors == []
    f = r.frame
    assert f["invoice_date"].dt.date.tolist() == [dt.date(2026, 8, 15), dt.date(2026, 9, 1)]
    assert f["due_date"].dt.date.tolist()[1] == dt.date(2026, 10, 16)
    assert f["invoice_no"].tolist() == ["12345", "INV-3"]
    assert f["doc_type"].tolist() == ["INV", "INV"] and f["currency"].tolist() == ["CNY", "USD"]
    assert f["disputed"].tolist() == [True, False]
    assert f["amount"].tolist() == [100000.0, 7777.77]
    warned = {(p.row, p.column, p.message) for p in r.report.warnings}
    assert warned == {(4, H["terms_days"], "number stored as text"), (5, "amount", "number stored as text")}


def _delete_header(key):
    def edit(ws, col):
        ws.cell(FIRST - 1, col[H[key]]).value = None
        for r in range(FIRST, FIRST + 10):
            ws.cell(r, col[H[key]]).value = None
    return edit


def _set(key, value, row=0, data_type=None):
    def edit(ws, col):
        cell = ws.cell(FIRST + row, col[H[key]])
        cell.value = value
        if data_type:
            cell.data_type = data_type
    return edit


BROKEN = [
    # (id, change to row 0 (or an edit), expected row, column key, message fragment)
    ("text in number", {"amount": "abc"}, None, 4, "amount", "expected a number, got 'abc'"),
    ("bad date text", {"invoice_date": "31/02/2026"}, None, 4, "invoice_date", "expected a date such as 2026-09-30"),
    ("impossible ISO date", {"invoice_date": "2026-02-30"}, None, 4, "invoice_date", "expected a date"),
    ("date serial out of range", {"due_date": 10.0}, None, 4, "due_date", "not a valid Excel date"),
    ("bool in date", {"invoice_date": True}, None, 4, "invoice_date", "expected a date such as 2026-09-30 (YYYY-MM-DD), got TRUE"),
    ("duplicate invoice", {"invoice_no": "INV-2"}, None, 5, "invoice_no", "duplicate value 'INV-2' (first on row 4)"),
    ("negative invoice", {"amount": -5.0}, None, 4, "amount", "an invoice (INV) needs a positive amount"),
    ("missing amount", {"amount": None}, None, 4, "amount", "required value missing"),
    ("missing buyer", {"buyer_id": "   "}, None, 4, "buyer_id", "required value missing"),
    ("positive credit note", {"doc_type": "CN"}, None, 4, "amount", "a credit note (CN) needs a negative amount"),
    ("unknown currency", {"currency": "GBP"}, None, 4, "currency", "no FX rate for GBP to CNY"),
    ("not a currency code", {"currency": "US$"}, None, 4, "currency", "3-letter ISO currency code"),
    ("paid over amount", {"paid_amount": 100000.02, "last_payment_date": dt.date(2026, 9, 1)}, None, 4,
     "paid_amount", "paid amount 100000.02 is larger than the amount 100000"),
    ("paid sign", {"paid_amount": -10.0, "last_payment_date": dt.date(2026, 9, 1)}, None, 4, "paid_amount",
     "opposite sign"),
    ("paid without date", {"paid_amount": 10.0}, None, 4, "last_payment_date", "required when the paid amount is not 0"),
    ("no due date nor terms", {"terms_days": None}, None, 4, "due_date", "give a due date or the terms"),
    ("negative terms", {"terms_days": -5}, None, 4, "terms_days", "must be at least 0, got -5"),
    ("fractional terms", {"terms_days": 30.5}, None, 4, "terms_days", "expected a whole number, got 30.5"),
    ("unknown doc type", {"doc_type": "XX"}, None, 4, "doc_type", "expected INV or CN, got 'XX'"),
    ("bad bool", {"disputed": "maybe"}, None, 4, "disputed", "expected TRUE or FALSE, got 'maybe'"),
    ("Excel #N/A", None, _set("amount", "#N/A"), 4, "amount", "Excel error value #N/A"),
    ("Excel #REF! in text column", None, _set("buyer_id", "#REF!", row=1), 5, "buyer_id", "Excel error value #REF!"),
    ("formula as text", None, _set("amount", "=B4*2", data_type="s"), 4, "amount", "formula stored as text"),
    ("missing required column", None, _delete_header("currency"), 3, "currency", "required column missing"),
]


@pytest.mark.parametrize(("change", "edit", "row", "key", "fragment"),
                         [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_ledger_names_row_and_header(template, tmp_path, change, edit, row, key, fragment):
    rows = [dict(GOOD[0]), dict(GOOD[1])]
    rows[0].update(change or {})
    r = read_ledger(fill(template, rows, tmp_path / "bad.xlsx", edit=edit), SETTINGS)
    hits = [p for p in r.report.errors if p.row == row and p.column == H[key] and fragment in p.message]
    assert hits, f"no error at row {row} {H[key]!r} containing {fragment!r}; got {[str(p) for p in r.report.problems]}"
    assert hits[0].sheet == LEDGER.sheet
    assert len(r.frame) == 2  # no row dropped
    with pytest.raises(InputError, match=r"errors in \d+ of 2 rows"):
        r.report.raise_if_errors()


def test_invalid_cells_are_missing_not_guessed(template, tmp_path):
    rows = [dict(GOOD[0], amount="abc", invoice_date="soon"), dict(GOOD[1])]
    r = read_ledger(fill(template, rows, tmp_path / "bad.xlsx"), SETTINGS)
    assert math.isnan(r.frame.loc[4, "amount"]) and pd.isna(r.frame.loc[4, "invoice_date"])
    assert r.report.error_rows == {4}
    with pytest.raises(InputError) as e:
        r.report.raise_if_errors()
    msg = str(e.value)
    assert "row 4, column 'Invoice date 开票日期': expected a date such as 2026-09-30 (YYYY-MM-DD), got 'soon'" in msg
    assert "bad.xlsx, sheet 'AR Ledger'" in msg


def test_warnings_do_not_block(template, tmp_path):
    rows = [dict(GOOD[0], due_date=dt.date(2026, 8, 1)), dict(GOOD[1], invoice_date=dt.date(2026, 12, 1),
                                                                due_date=dt.date(2026, 12, 31))]
    r = read_ledger(fill(template, rows, tmp_path / "w.xlsx"), SETTINGS)
    assert r.report.ok
    msgs = {(p.row, p.message) for p in r.report.warnings}
    assert (4, "due date is before the invoice date") in msgs
    assert (5, "invoice date is after the as-of date 2026-09-30") in msgs
    assert (5, "payment date is before the invoice date") in msgs
    r.report.raise_if_errors()


def test_title_rows_blank_rows_and_moved_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "My ledger"  # not the schema's sheet name: found by its headers
    ws["B2"] = "Exported from ERP"
    headers = ["Note 备注", H["currency"], H["amount"], "Extra", H["invoice_no"], H["buyer_id"], H["invoice_date"],
               H["due_date"]]
    for j, h in enumerate(headers):
        ws.cell(5, 2 + j).value = h
    ws.append([])
    data = [[None, "cny", 10.0, "x", "A1", "B1", dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
            [None] * 8,
            [None, "CNY", 20.0, "y", "A2", "B1", dt.date(2026, 1, 2), dt.date(2026, 2, 2)]]
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            ws.cell(6 + i, 2 + j).value = v
    wb.save(tmp_path / "erp.xlsx")
    r = read_table(tmp_path / "erp.xlsx", LEDGER, settings=SETTINGS)
    assert r.report.sheet == "My ledger" and r.report.header_row == 5
    assert r.report.errors == []
    assert r.frame.index.tolist() == [6, 8]  # blank row 7 skipped, Excel numbering kept
    assert r.frame["amount"].tolist() == [10.0, 20.0]
    assert r.frame["open_amount"].tolist() == [10.0, 20.0]


def test_no_header_is_a_clear_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "nothing here"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="cannot find the header row of the Accounts receivable ledger table"):
        read_ledger(tmp_path / "x.xlsx")


def test_reads_settings_sheet_and_fx(template, tmp_path):
    path = fill(template, GOOD[:1], tmp_path / "s.xlsx", fx={"USD": 7.1, "EUR": 7.75, "JPY": 0.05})
    wb = openpyxl.load_workbook(path)
    st = wb["Settings"]
    for row in st.iter_rows(min_row=4, max_row=12):
        if row[0].value == "as_of":
            row[2].value = dt.date(2026, 9, 30)
        if row[0].value == "bucket_edges":
            row[2].value = "30，60,90"
        if row[0].value == "reserve_rates":
            row[2].value = "1%,2%,5%,10%,50%"
    wb.save(path)
    s = read_settings(path)
    assert s.as_of == dt.date(2026, 9, 30) and s.home_currency == "CNY"
    assert s.fx_rates == {"CNY": 1.0, "USD": 7.1, "EUR": 7.75, "JPY": 0.05}
    assert s.bucket_edges == (30, 60, 90) and s.reserve_rates == (0.01, 0.02, 0.05, 0.10, 0.50)
    # read_ledger uses the workbook's own settings: GBP unknown there
    rows = [dict(GOOD[0], currency="GBP")]
    r = read_ledger(fill(template, rows, tmp_path / "g.xlsx", fx={"USD": 7.1}))
    assert [p.message for p in r.report.errors] == ["no FX rate for GBP to CNY; add it to the Settings sheet's FX table"]


def test_settings_problems_are_listed():
    with pytest.raises(InputError) as e:
        settings_from_frames({"as_of": "tomorrow", "colour": "red", "days_in_year": 200}, {"usd": -1, "X": 2})
    text = str(e.value)
    for part in ("unknown setting 'colour'", "as_of: expected a date", "days_in_year: expected at least 360",
                 "USD: expected a rate above 0"):
        assert part in text


def test_settings_frame_rows_named():
    values = pd.DataFrame({"key": ["language"], "value": ["fr"]}, index=[9])
    with pytest.raises(InputError, match=r"row 9, column 'Value 值': language: expected one of en, zh, got 'fr'"):
        settings_from_frames(values)


def test_settings_rows_land_in_typed_option_groups(tmp_path):
    """Each domain's rows are parsed once into its typed group; blank rows keep the group's defaults."""
    s = settings_from_frames({"el_lgd": "60%", "alert_overdue_days": "45", "scorecard_file": "acme.toml",
                              "opening_cash": "1,200,000", "forecast_start": "2026-10-05", "stress_sims": "5000",
                              "default_event": "Protracted", "wc_idle_above": "4", "conc_share_red": "25%",
                              "home_country": "de", "covered_countries": "us, de", "policy_holidays": "2026-10-01"})
    assert (s.scoring.el_lgd, s.scoring.alert_overdue_days, s.scoring.scorecard_file) == (0.6, 45, "acme.toml")
    assert s.scoring.review_months_green == 12
    assert (s.forecast.opening_cash, s.forecast.forecast_start) == (1_200_000.0, dt.date(2026, 10, 5))
    assert (s.stress.stress_sims, s.stress.default_event, s.stress.stress_seed) == (5000, "protracted", 12345)
    assert (s.ratios.wc_idle_above, s.ratios.wc_danger_below, s.concentration.conc_share_red) == (4.0, 1.0, 0.25)
    assert s.insurance.home_country == "de"  # as typed; every user upper-cases it
    assert s.insurance.covered_countries == frozenset({"US", "DE"}) and s.insurance.holidays == (dt.date(2026, 10, 1),)
    p = tmp_path / "s.toml"
    p.write_text('[stress]\nstress_rho = 0.3\n[insurance]\nindemnity_pct = 0.85\n', encoding="utf-8")
    t = load_settings_file(p)
    assert t.stress.stress_rho == 0.3 and t.insurance.indemnity_pct == 0.85


def test_an_inconsistent_policy_in_the_settings_is_refused_in_one_line():
    with pytest.raises(InputError, match=r"invalid insurance policy: .*claim_from_days"):
        settings_from_frames({"collection_from_days": "100", "claim_from_days": "90"})


def test_load_settings_toml(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('as_of = 2026-09-30\nhome_currency = "cny"\nbucket_edges = [30, 60]\n'
                 'reserve_rates = [0.01, 0.1, 0.2, 0.5]\n[fx]\nUSD = 7.10\nEUR = 7.75\n', encoding="utf-8")
    s = load_settings_file(p)
    assert s.as_of == dt.date(2026, 9, 30) and s.home_currency == "CNY"
    assert s.bucket_edges == (30, 60) and s.reserve_rates == (0.01, 0.1, 0.2, 0.5)
    assert s.fx("usd") == 7.10 and s.fx("CNY") == 1.0
    p.write_text("as_of = [", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid TOML settings file"):
        load_settings_file(p)


def test_error_cells_from_a_real_spreadsheet_are_not_blank(tmp_path, template):
    """A formula error stored by the spreadsheet (t="e") must be reported, not read as a blank cell."""
    def formula_errors(ws, col):
        ws.cell(FIRST, col[H["amount"]]).value = "=1/0"
        ws.cell(FIRST + 1, col[H["note"]]).value = "=NA()"

    path = fill(template, GOOD[:2], tmp_path / "f.xlsx", edit=formula_errors)
    out = _libreoffice_resave(path, tmp_path / "lo")
    r = read_ledger(out, SETTINGS)
    found = {(p.row, p.column, p.message) for p in r.report.errors}
    assert (4, H["amount"], "Excel error value #DIV/0!; fix the formula or type a value") in found
    assert (5, H["note"], "Excel error value #N/A; fix the formula or type a value") in found


def _libreoffice_resave(path: Path, outdir: Path) -> Path:
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed")
    outdir.mkdir()
    subprocess.run([soffice, f"-env:UserInstallation=file://{outdir}/profile", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=120)
    return outdir / path.name


@pytest.mark.slow
def test_many_rows_validate_fast(tmp_path):
    """Vectorised: 50k rows type and validate well under the per-row-loop cost (measured, not timed strictly)."""
    import time

    import xlsxwriter

    n = 50_000
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(LEDGER.sheet)
    keys = ["invoice_no", "buyer_id", "invoice_date", "terms_days", "currency", "amount", "paid_amount"]
    for j, k in enumerate(keys):
        ws.write_string(0, j, H[k])
    for i in range(n):
        ws.write_string(i + 1, 0, f"I{i}")
        ws.write_string(i + 1, 1, f"B{i % 100}")
        ws.write_number(i + 1, 2, 46000 + i % 300)
        ws.write_number(i + 1, 3, 30)
        ws.write_string(i + 1, 4, "USD" if i % 2 else "CNY")
        ws.write_number(i + 1, 5, 100.0 + i)
        ws.write_number(i + 1, 6, 0.0)
    ws.write_string(n, 5, "oops")
    wb.close()
    t = time.perf_counter()
    r = read_ledger(path, SETTINGS)
    elapsed = time.perf_counter() - t
    assert len(r.frame) == n
    assert [(p.row, p.message) for p in r.report.errors] == [(n + 1, "expected a number, got 'oops' / 应为数字")]
    assert np.isclose(r.frame["open_amount"].iloc[:-1].sum(), sum(100.0 + i for i in range(n - 1)))
    assert elapsed < 30


def test_a_mistyped_header_is_reported_with_the_closest_column(template, tmp_path):
    path = fill(template, GOOD, tmp_path / "typo.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER.sheet]
    col = next(c.column for c in ws[FIRST - 1] if c.value == H["note"])
    ws.cell(FIRST - 1, col).value = "Notes 备注x"
    wb.save(path)
    r = read_ledger(path, SETTINGS)
    # the misspelled column holds a note: an error, never a silent fall-back without it (issue 15)
    err = [p for p in r.report.errors if p.column == "Notes 备注x"]
    assert len(err) == 1 and err[0].row == FIRST - 1 and not r.report.ok
    assert f"close to '{H['note']}', which is missing" in err[0].message and "holds data" in err[0].message
    # the same header over an empty column is only a warning
    empty = [dict(g, note=None) for g in GOOD]
    path = fill(template, empty, tmp_path / "typo_empty.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER.sheet]
    ws.cell(FIRST - 1, col).value = "Notes 备注x"
    wb.save(path)
    r = read_ledger(path, SETTINGS)
    warn = [p for p in r.report.warnings if p.column == "Notes 备注x"]
    assert len(warn) == 1 and warn[0].row == FIRST - 1 and r.report.ok
    assert "ignored" in warn[0].message and f"did you mean '{H['note']}'" in warn[0].message


def test_error_cell_scan_is_skipped_only_for_parts_the_safety_scan_found_plain(template, tmp_path):
    """The safety check's pass over a sheet also notes formulas and error cells, so a plain sheet is
    decompressed once; a sheet with an error cell is still scanned and the error reported."""
    from xl_cashrisk.io import safe

    plain = fill(template, GOOD, tmp_path / "plain.xlsx")
    read_ledger(plain, SETTINGS)
    assert safe.part_is_plain(plain, "xl/worksheets/sheet2.xml") or any(
        safe.part_is_plain(plain, f"xl/worksheets/sheet{i}.xml") for i in range(1, 6))
    wb = openpyxl.load_workbook(plain)
    ws = wb[LEDGER.sheet]
    col = next(c.column for c in ws[FIRST - 1] if c.value == H["amount"])
    ws.cell(FIRST, col).value = "=1/0"  # a formula with no cached value: must still be found and reported
    broken = tmp_path / "formula.xlsx"
    wb.save(broken)
    r = read_ledger(broken, SETTINGS)
    assert any(p.row == FIRST and p.column == H["amount"] for p in r.report.errors)


_READ_IN_A_FRESH_PROCESS = """
import pickle, sys, zlib
if sys.argv[1] == "without":  # as if neither optional extra were installed: their imports fail
    sys.modules["fastexcel"] = None
    sys.modules["isal"] = None
from xl_cashrisk.io import columnar, safe
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.schemas.ledger import LEDGER
out = {"fastexcel": columnar.available(), "isal": safe._inflate is not zlib, "books": []}
for p in sys.argv[3:]:
    r = WorkbookReader(p).read(LEDGER)
    out["books"].append((r.frame, [str(x) for x in r.report.problems], r.report.counts()))
with open(sys.argv[2], "wb") as f:
    pickle.dump(out, f)
"""


def test_reading_without_fastexcel_and_isal(tmp_path, monkeypatch):
    """xl-cashrisk[fast] (fastexcel, isal) is optional: in a process where neither imports, a ledger of 45k rows
    (a sheet big enough for the loader child) and a small one with errors read to the same frames and problems
    as with both, and `xl-cashrisk validate` prints the same report with the same exit code."""
    import subprocess
    import sys

    import xlsxwriter

    from bench.data import ledger_workbook

    monkeypatch.setenv("BENCH_DATA", str(tmp_path))
    big = ledger_workbook(45_000)
    small = tmp_path / "errors.xlsx"
    wb = xlsxwriter.Workbook(small)
    ws = wb.add_worksheet(LEDGER.sheet)
    keys = ["invoice_no", "buyer_id", "invoice_date", "due_date", "currency", "amount", "paid_amount",
            "last_payment_date"]
    ws.write_row(0, 0, [H[k] for k in keys])
    ws.write_row(1, 0, ["INV-1", "B1", "2026-08-15", "2026-09-15", "CNY", 100.0, 0.0, None])
    ws.write_row(2, 0, ["INV-2", "B1", "2026-08-15", "2026-13-01", "CNY", "abc", 0.0, None])  # bad date, text amount
    ws.write_row(3, 0, ["INV-3", "B2", "2026-08-15", "2026-09-15", "XXX", 50.0, 20.0, None])  # paid without date
    wb.close()

    def run(mode: str) -> dict:
        out = tmp_path / f"{mode}.pkl"
        subprocess.run([sys.executable, "-c", _READ_IN_A_FRESH_PROCESS, mode, str(out), str(big), str(small)],
                       check=True, cwd=Path(__file__).resolve().parents[1])
        return pd.read_pickle(out)

    got, want = run("without"), run("with")
    assert not got["fastexcel"] and not got["isal"]
    assert len(got["books"][0][0]) == 45_000 and got["books"][1][1], got["books"][1]
    for (frame, problems, counts), (frame0, problems0, counts0) in zip(got["books"], want["books"], strict=True):
        pd.testing.assert_frame_equal(frame, frame0)
        assert (problems, counts) == (problems0, counts0)

    cli = ("import sys\nif sys.argv[1] == 'without':\n    sys.modules['fastexcel'] = sys.modules['isal'] = None\n"
           "from xl_cashrisk.cli import main\nsys.argv = ['xl-cashrisk', 'validate', sys.argv[2]]\nmain()")
    for path, code in ((big, 0), (small, 3)):
        runs = [subprocess.run([sys.executable, "-c", cli, mode, str(path)], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "200"}) for mode in ("without", "with")]
        assert [r.returncode for r in runs] == [code, code], runs
        assert runs[0].stdout == runs[1].stdout and "rows" in runs[0].stdout

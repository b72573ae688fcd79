"""Importing accounting/ERP exports: every sample export reconciles, broken ones fail with a clear message."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import cli
from xl_cashrisk.errors import InputError
from xl_cashrisk.importer import Mapping, dumps_mapping, import_file, load_mapping, save_mapping
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.schemas.ledger import LEDGER

EXPORTS = Path(__file__).parent / "data" / "exports"
EXPECTED = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))
LEDGER_FILES = sorted(k for k in EXPECTED if k != "kingdee_customers.xlsx")


def _import(name: str, **kw):
    e = EXPECTED[name]
    if e.get("currency_option"):
        kw.setdefault("currency", e["currency_option"])
    return import_file(EXPORTS / name, "ledger", **kw)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", LEDGER_FILES)
def test_each_export_reconciles_with_what_it_holds(name):
    e = EXPECTED[name]
    r = _import(name)
    rep = r.report
    open_by_cur = r.frame.groupby("currency")["open_amount"].sum().round(2).to_dict()
    assert open_by_cur == pytest.approx(e["open"], abs=0.01)
    assert rep.rows_imported == len(r.frame) == e["rows"]
    assert rep.rejected == []  # no data row left out for an error
    assert rep.reconciled
    # the export's own total rows agree with the imported rows, currency by currency
    t = rep.totals
    assert (t["stated"].notna()).all(), t
    assert np.allclose(t["stated"], t["after"], atol=0.01)
    # every source row is accounted for: imported (possibly merged) or skipped with a reason
    assert all(s.reason for s in rep.skipped)
    if "encoding" in e:
        assert rep.encoding == e["encoding"]
    if e.get("fully_paid"):
        assert rep.skipped_counts()["fully paid, no payment date in the export"] == e["fully_paid"]


def test_kingdee_xlsx_and_gbk_csv_give_the_same_ledger():
    a = _import("kingdee_ar_list.xlsx").frame
    b = _import("kingdee_ar_list_gbk.csv").frame
    cols = ["invoice_no", "buyer_id", "doc_type", "invoice_date", "due_date", "currency", "amount", "paid_amount"]
    assert a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


def test_kingdee_details():
    r = _import("kingdee_ar_list.xlsx")
    rep, f = r.report, r.frame
    assert rep.sheet == "应收单" and rep.header_rows == (4,) and rep.as_of == dt.date(2026, 9, 30)
    counts = rep.skipped_counts()
    assert counts["subtotal row"] == 6 and counts["total row"] == 1
    assert counts["heading or note row (no document number, amount or date)"] == 1  # the 制表人 footer
    cn = f[f["doc_type"] == "CN"]
    assert len(cn) == 1 and cn["amount"].iloc[0] == pytest.approx(-6800.0)
    assert f["invoice_no"].is_unique
    assert any("merged into one row" in c for c in rep.conventions)
    part = f[f["note"].fillna("").str.contains("payment date not in the export")]
    assert len(part) == 5 and (part["paid_amount"] == 0).all()
    dt_ = f["invoice_date"].dtype
    assert str(dt_).startswith("datetime64")


def test_yonyou_two_row_merged_header_and_currencies():
    r = _import("yonyou_ar_detail.xlsx")
    rep = r.report
    assert rep.header_rows == (3, 4)
    matched = {t: h for t, h, _c, _how in rep.matched}
    assert matched["amount"] == "金额 / 原币" and matched["amount_home"] == "金额 / 本币"
    assert matched["open_amount"] == "余额 / 原币"
    assert set(r.frame["currency"]) == {"CNY", "USD"}
    paid = r.frame[r.frame["paid_amount"] != 0]
    assert len(paid) and paid["last_payment_date"].notna().all()


def test_ageing_summary_in_wan_is_reshaped_by_the_documented_convention():
    r = _import("yonyou_ageing_wan.xlsx")
    rep, f = r.report, r.frame
    assert rep.layout == "ageing summary" and rep.as_of == dt.date(2026, 9, 30)
    assert any("万元" in c for c in rep.conventions)
    dpd = (np.datetime64("2026-09-30") - f["due_date"].to_numpy().astype("datetime64[D]")).astype(int)
    label = f["note"].str.extract(r"bucket (\S+) as of")[0]
    assert set(dpd[label == "未到期"]) == {-15}
    assert set(dpd[label == "逾期1-30天"]) == {15}
    assert set(dpd[label == "逾期31-60天"]) == {45}
    assert set(dpd[label == "逾期90天以上"]) == {105}
    assert (f.loc[f["amount"] < 0, "doc_type"] == "CN").all() and (f["amount"] < 0).sum() == 1


def test_xero_summary_uses_title_as_of_and_currency_option():
    r = _import("xero_aged_receivables.xlsx")
    assert r.report.as_of == dt.date(2026, 9, 30)
    assert set(r.frame["currency"]) == {"USD"}
    assert r.frame["buyer_id"].equals(r.frame["buyer_name"])
    r2 = import_file(EXPORTS / "xero_aged_receivables.xlsx", "ledger")
    assert set(r2.frame["currency"]) == {"CNY"}
    assert any("no currency in the export" in c for c in r2.report.conventions)


def test_sap_decimal_comma_trailing_minus_and_day_first():
    r = _import("sap_fbl5n.csv")
    f = r.frame
    assert r.report.delimiter == ";"
    assert any("decimal comma" in c for c in r.report.conventions)
    dz = f[f["invoice_no"] == "1400000123"]
    assert dz["amount"].iloc[0] == pytest.approx(-5000.0) and dz["doc_type"].iloc[0] == "CN"
    assert f["buyer_id"].iloc[0] == "100234" and f["buyer_name"].iloc[0] == "Hamburg Import GmbH"
    assert (f["due_date"].dt.day > 0).all()


def test_quickbooks_sections_payments_and_month_first():
    r = _import("quickbooks_ar_aging_detail.csv")
    counts = r.report.skipped_counts()
    assert counts["subtotal row"] == 5 and counts["total row"] == 1
    assert any("month-first" in c for c in r.report.conventions)
    assert r.frame["invoice_no"].str.startswith("ROW").sum() == 1  # the unapplied payment has no number
    assert (r.frame.loc[r.frame["invoice_no"].str.startswith("ROW"), "doc_type"] == "CN").all()


def test_factoring_statement_bilingual_headers():
    r = _import("bank_factoring_statement.xlsx")
    assert "Advance 融资金额 (G)" in r.report.ignored
    r2 = _import("bank_factoring_statement.xlsx", dayfirst=True)
    assert r2.frame["invoice_date"].equals(r.frame["invoice_date"])


def test_register_import_scales_wan_and_parses_terms():
    r = import_file(EXPORTS / "kingdee_customers.xlsx", "register")
    e = EXPECTED["kingdee_customers.xlsx"]
    assert len(r.frame) == e["rows"] and r.report.rejected == []
    assert r.frame["total_assets"].sum() == pytest.approx(e["total_assets"], abs=0.01)
    assert set(r.frame["country"]) == {"CN"}
    assert set(r.frame["payment_terms_days"]) <= {30.0, 60.0, 90.0}
    assert "electronics" in set(r.frame["sector"])


# ------------------------------------------------------------------------------------------- broken


def test_no_recognisable_header():
    with pytest.raises(InputError, match=r"no recognisable header row.*mapping file"):
        import_file(EXPORTS / "broken_no_header.csv", "ledger")


def test_two_candidate_amount_columns_name_both_and_the_fix():
    with pytest.raises(InputError) as exc:
        import_file(EXPORTS / "broken_two_amounts.xlsx", "ledger")
    text = str(exc.value)
    assert "'Amount' (column D)" in text and "'Invoice Amount' (column E)" in text and "--mapping" in text
    m = Mapping(columns={"amount": "Invoice Amount"})
    r = import_file(EXPORTS / "broken_two_amounts.xlsx", "ledger", mapping=m)
    assert r.report.rows_imported == 1
    assert ("amount", "Invoice Amount", "E", "mapping file") in r.report.matched


def test_mixed_date_orders_are_refused():
    with pytest.raises(InputError, match=r"mixes day-first dates.*'13/03/2026'.*month-first.*'03/25/2026'.*mapping"):
        import_file(EXPORTS / "broken_mixed_dates.csv", "ledger")


def test_ambiguous_dates_need_an_explicit_order():
    with pytest.raises(InputError, match="--dayfirst or --monthfirst"):
        import_file(EXPORTS / "ambiguous_dates.csv", "ledger")
    d = import_file(EXPORTS / "ambiguous_dates.csv", "ledger", dayfirst=True).frame
    m = import_file(EXPORTS / "ambiguous_dates.csv", "ledger", dayfirst=False).frame
    assert d["invoice_date"].iloc[0] == np.datetime64("2026-03-01")
    assert m["invoice_date"].iloc[0] == np.datetime64("2026-01-03")


def test_mapping_naming_a_missing_header_is_an_error(tmp_path):
    m = Mapping(columns={"amount": "Betrag"})
    with pytest.raises(InputError, match=r"'Betrag'.*layout may have changed"):
        import_file(EXPORTS / "sap_fbl5n.csv", "ledger", mapping=m)


def test_bad_cells_are_reported_with_row_and_left_out(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("Invoice No,Customer,Invoice Date,Due Date,Amount,Currency\n"
                 "I-1,Acme,2026-03-01,2026-04-01,100.00,USD\n"
                 "I-2,Acme,2026-03-02,2026-04-02,n/a,USD\n"
                 "I-3,Acme,someday,2026-04-03,50.00,USD\n", encoding="utf-8")
    r = import_file(p, "ledger")
    rows = {s.row: s.reason for s in r.report.rejected}
    assert set(rows) == {3, 4}
    assert "expected a number, got 'n/a'" in rows[3] and "expected a date" in rows[4]
    t = r.report.totals.loc["USD"]
    assert t["after"] == pytest.approx(100.0) and t["unreadable"] == 1
    assert not r.report.reconciled


# ------------------------------------------------------------------------------------------- mapping files


def test_mapping_file_round_trip(tmp_path):
    m = Mapping(kind="ledger", sheet="应收单", header_row=4, header_rows=1, dayfirst=True, decimal=",",
                as_of=dt.date(2026, 9, 30), columns={"invoice_no": "单据编号", "amount": "价税合计"},
                defaults={"currency": "CNY", "terms_days": 30}, units={"amount": 10000.0}, ignore=["原币金额"])
    p = save_mapping(m, tmp_path / "team.toml", "finance team\nGuangzhou")
    assert load_mapping(p) == m
    assert dumps_mapping(load_mapping(p), "finance team\nGuangzhou") == p.read_text(encoding="utf-8")


def test_saved_mapping_reproduces_the_import(tmp_path):
    first = _import("kingdee_ar_list.xlsx")
    p = save_mapping(first.report.mapping, tmp_path / "kingdee.toml")
    again = import_file(EXPORTS / "kingdee_ar_list.xlsx", "ledger", mapping=p)
    assert again.frame.equals(first.frame)
    assert {how for *_x, how in again.report.matched} == {"mapping file"}


@pytest.mark.parametrize("text, message", [
    ("colums = 1\n", "unknown key"),
    ("header_rows = 3\n", "header_rows must be 1 or 2"),
    ("[columns]\namount = 5\n", "columns.amount has the wrong type"),
    ("kind = \n", "not valid TOML"),
])
def test_bad_mapping_files(tmp_path, text, message):
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_mapping(p)


# ------------------------------------------------------------------------------------------- CLI


def test_cli_writes_the_ledger_template_and_leaves_the_input_alone(tmp_path):
    src = EXPORTS / "kingdee_ar_list_gbk.csv"
    before = _sha(src)
    out = tmp_path / "ledger.xlsx"
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "gb18030" in res.output and "subtotal row" in res.output and "1,730,252.03" in res.output
    assert _sha(src) == before
    wb = openpyxl.load_workbook(out)
    assert LEDGER.sheet in wb.sheetnames
    read = WorkbookReader(out).read(LEDGER)
    assert read.report.ok, read.report.summary()
    assert len(read.frame) == EXPECTED["kingdee_ar_list_gbk.csv"]["rows"]
    assert read.frame["open_amount"].sum() == pytest.approx(EXPECTED["kingdee_ar_list_gbk.csv"]["open"]["CNY"], abs=0.01)


def test_cli_show_and_save_mapping_then_reuse(tmp_path):
    src = EXPORTS / "broken_two_amounts.xlsx"
    m = tmp_path / "m.toml"
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "ledger", "--show-mapping", "--save-mapping", str(m)])
    assert res.exit_code == 1 and "AMBIGUOUS amount" in res.output and m.exists()
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 3 and "two columns could be the amount" in res.output
    res = CliRunner().invoke(cli, ["import", str(src), "--kind", "ledger", "--mapping", str(m),
                                   "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 0, res.output


def test_cli_exit_codes_and_refusals(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["import", str(EXPORTS / "ambiguous_dates.csv"), "--kind", "ledger",
                              "--out", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 3 and "--dayfirst" in res.output
    res = runner.invoke(cli, ["import", str(EXPORTS / "ambiguous_dates.csv"), "--kind", "ledger", "--monthfirst",
                              "--currency", "USD", "--out", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["import", str(EXPORTS / "ambiguous_dates.csv"), "--kind", "ledger"])
    assert res.exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("Invoice No,Customer,Due Date,Amount\nI-1,Acme,2026-04-01,abc\nI-2,Acme,2026-04-01,5\n")
    res = runner.invoke(cli, ["import", str(bad), "--kind", "ledger", "--out", str(tmp_path / "b.xlsx")])
    assert res.exit_code == 1 and "row 2" in res.output and (tmp_path / "b.xlsx").exists()
    x = tmp_path / "same.xlsx"
    x.write_bytes((EXPORTS / "broken_two_amounts.xlsx").read_bytes())
    res = runner.invoke(cli, ["import", str(x), "--kind", "ledger", "--mapping", str(_amount_mapping(tmp_path)),
                              "--out", str(x)])
    assert res.exit_code == 3 and "input file" in res.output


def _amount_mapping(tmp_path: Path) -> Path:
    return save_mapping(Mapping(columns={"amount": "Amount"}), tmp_path / "amount.toml")


def test_import_reads_dates_by_the_one_rule(tmp_path):
    """Issue 15: an export in the 1904 date system with dates as plain numbers imports the dates it shows;
    a due date of 9999-12-31 or a date typed as '2026-07' is left out with its reason, never written as
    1816-03-28 or 1 July; an as-of date in year 3026 is refused."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "corpus"))
    from make_corpus import _date1904, edited, good_rows, ledger_book, settings_sheet

    res = import_file(_date1904(tmp_path / "mac.xlsx"), "ledger", sheet="AR Ledger")
    assert res.frame["invoice_date"].dt.date.tolist() == [r[4] for r in good_rows()]
    odd = ledger_book(tmp_path / "odd.xlsx", edited({(0, "due_date"): dt.date(9999, 12, 31), (1, "due_date"): "2026-07"}))
    res = import_file(odd, "ledger", sheet="AR Ledger")
    assert len(res.frame) == 3 and not (res.frame["due_date"].dt.year < 2000).any()
    text = " ".join(s.reason for s in res.report.skipped)
    assert "not a valid Excel date" in text and "incomplete date" in text
    with pytest.raises(InputError, match="more than 50 years after today"):
        import_file(ledger_book(tmp_path / "far.xlsx", settings=settings_sheet()), "ledger", sheet="AR Ledger",
                    as_of=dt.date(3026, 9, 30))

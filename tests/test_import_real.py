"""Real exports end to end through the CLI (issue 17): import → validate → age, the open total equal to the
export's own figure computed independently with pandas.

The two public datasets are read from ../shared/real-exports/ (never copied into the repository); variants
with some settlement dates blanked are written to the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import cli

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-exports"
IBM = REAL / "ibm_wa_accounts_receivable.csv"
SAP = REAL / "highradius_sap_ar_invoices.csv"
needs_real = pytest.mark.skipif(not IBM.exists() or not SAP.exists(), reason="../shared/real-exports not present")


def run_chain(src: Path, tmp: Path, *options: str) -> tuple[float, str, str]:
    """(open receivables in the home currency from `age`, home currency, import output) for one export."""
    runner = CliRunner()
    ledger, aged = tmp / f"{src.stem}_ledger.xlsx", tmp / f"{src.stem}_aged.xlsx"
    res = runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(ledger), *options])
    assert res.exit_code in (0, 1), res.output
    val = runner.invoke(cli, ["validate", str(ledger)])
    assert val.exit_code == 0 and "no errors" in val.output, val.output
    age = runner.invoke(cli, ["age", str(ledger), "--out", str(aged)])
    assert age.exit_code == 0, age.output
    wb = openpyxl.load_workbook(aged, read_only=True)
    rows = list(wb["Collection 回款指标"].iter_rows(values_only=True))
    open_row = next(r for r in rows if r[0] and str(r[0]).startswith("Open receivables"))
    return float(open_row[1]), str(open_row[2]), res.output


@needs_real
def test_ibm_sample_every_invoice_settled_opens_nothing(tmp_path):
    total, home, out = run_chain(IBM, tmp_path, "--home-currency", "USD")
    assert total == 0.0 and home == "USD"
    assert "2586 of 2586 invoice(s) taken as settled" in out


@needs_real
def test_ibm_sample_with_unsettled_rows_ages_exactly_those(tmp_path):
    df = pd.read_csv(IBM, dtype=str, keep_default_na=False)
    blank = df.index % 7 == 0  # every 7th invoice not settled yet
    df.loc[blank, "SettledDate"] = ""
    src = tmp_path / "ibm_open.csv"
    df.to_csv(src, index=False)
    expected = pd.to_numeric(df.loc[df["SettledDate"] == "", "InvoiceAmount"]).sum()
    assert expected > 10_000
    total, home, out = run_chain(src, tmp_path, "--home-currency", "USD")
    assert home == "USD" and total == pytest.approx(expected, abs=0.01)
    assert f"{len(df) - int(blank.sum())} of {len(df)} invoice(s) taken as settled" in out


@needs_real
def test_sap_extract_cleared_invoices_are_paid_and_usd_is_home(tmp_path):
    total, home, out = run_chain(SAP, tmp_path)
    assert total == 0.0 and home == "USD"
    assert "9681 of 9681 invoice(s) taken as settled ('clear_date' filled in)" in out
    assert "home currency USD: the export's only currency" in out


@needs_real
def test_sap_extract_with_open_items_and_fx_to_cny(tmp_path):
    df = pd.read_csv(SAP, dtype=str, keep_default_na=False)
    df.loc[df.index % 5 == 1, "clear_date"] = ""
    src = tmp_path / "sap_open.csv"
    df.to_csv(src, index=False)
    expected_usd = pd.to_numeric(df.loc[df["clear_date"] == "", "converted_usd"]).sum()
    total, home, _ = run_chain(src, tmp_path)
    assert home == "USD" and total == pytest.approx(expected_usd, abs=0.01)
    total, home, out = run_chain(src, tmp_path, "--home-currency", "CNY", "--fx", "USD=7.1")
    assert home == "CNY" and total == pytest.approx(expected_usd * 7.1, rel=1e-9, abs=0.05)
    assert "FX USD 7.1" in out


def test_status_columns_settle_and_a_paid_amount_overrides(tmp_path):
    src = tmp_path / "status.csv"
    src.write_text(
        "Invoice No,Customer,Invoice Date,Due Date,Amount,Status,Payment Date\n"
        "A1,Acme,2026-01-05,2026-02-04,1000,Paid,2026-02-01\n"
        "A2,Acme,2026-02-05,2026-03-07,2500,Open,\n"
        "A3,Beta,2026-02-10,2026-03-12,400,Closed,2026-03-01\n"
        "A4,Beta,2026-03-01,2026-03-31,700,Awaiting Payment,\n", encoding="utf-8")
    total, home, out = run_chain(src, tmp_path, "--home-currency", "EUR")
    assert home == "EUR" and total == pytest.approx(3200.0)
    assert "2 of 4 invoice(s) taken as settled ('Status' says settled)" in out
    zh = tmp_path / "zh.csv"
    zh.write_text("单据编号,客户名称,单据日期,到期日,金额,已核销\n"
                  "X1,华锐,2026-01-05,2026-02-04,5000,是\nX2,华锐,2026-02-05,2026-03-07,7000,否\n", encoding="utf-8")
    from xl_cashrisk.importer import import_file

    r = import_file(zh, "ledger")
    # settled without a settlement date: left out as fully paid, the open 7,000 stays
    assert r.frame["open_amount"].sum() == 7000.0
    assert r.report.skipped_counts()["fully paid, no payment date in the export"] == 1
    paid = tmp_path / "paid.csv"
    paid.write_text("Invoice No,Customer,Invoice Date,Amount,Amount Paid,Status,Payment Date\n"
                    "P1,Acme,2026-01-05,1000,600,Closed,2026-02-01\n", encoding="utf-8")
    assert import_file(paid, "ledger").frame["open_amount"].sum() == 400.0  # the paid amount says otherwise


def test_home_currency_and_fx_options_are_checked(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("Invoice No,Customer,Invoice Date,Amount\nI1,Acme,2026-01-05,100\n", encoding="utf-8")
    runner = CliRunner()
    for bad in (["--fx", "USD"], ["--fx", "USD=-1"], ["--home-currency", "DOLLAR"]):
        res = runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(tmp_path / "o.xlsx"), *bad])
        assert res.exit_code == 2, res.output
    res = runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 0 and "home currency CNY (default)" in res.output


def test_mapping_files_take_every_import_option_and_refuse_unknown_keys(tmp_path):
    from xl_cashrisk.errors import InputError
    from xl_cashrisk.importer import load_mapping

    src = tmp_path / "x.csv"
    src.write_text("Invoice No,Customer,Invoice Date,Due Date,Amount\nI1,Acme,03/04/2026,04/04/2026,100\n"
                   "I2,Acme,03/05/2026,04/05/2026,0\n", encoding="utf-8")
    m = tmp_path / "m.toml"
    m.write_text('kind = "ledger"\nmonthfirst = true\ncurrency = "eur"\nhome_currency = "CNY"\n'
                 '[fx]\nEUR = 7.8\n[defaults]\ndisputed = false\n', encoding="utf-8")
    got = load_mapping(m)
    assert (got.dayfirst, got.currency, got.home_currency, got.fx) == (False, "EUR", "CNY", {"EUR": 7.8})
    total, home, out = run_chain(src, tmp_path, "--mapping", str(m))
    assert home == "CNY" and total == pytest.approx(780.0)  # 100 EUR at 7.8, the zero row skipped
    assert "zero amount" in out and "invalid value" not in out
    for text, key in [("monthfirst = 1\n", "monthfirst"), ("[defaults]\ncolour = 1\n", "colour"),
                      ("[columns]\ninvoice = \"A\"\n", "invoice"), ("[fx]\nUSD = 0\n", "fx.USD"),
                      ("home_currency = \"dollars\"\n", "home_currency"), ("dayfirst = true\nmonthfirst = true\n",
                                                                          "contradict")]:
        m.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=key):
            load_mapping(m)


def test_age_says_why_a_metric_has_no_value_never_nan(tmp_path):
    src = tmp_path / "open.csv"  # an open-item list, all invoices older than three months before the as-of date
    src.write_text("Invoice No,Customer,Invoice Date,Due Date,Open Balance\nI1,Acme,2025-01-05,2025-02-04,500\n",
                   encoding="utf-8")
    ledger = tmp_path / "l.xlsx"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(ledger)]).exit_code == 0
    res = runner.invoke(cli, ["age", str(ledger), "--as-of", "2026-09-30", "--out", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "nan" not in text.replace("finance", "")
    assert "best possible — (no credit sales in the last 3 months)" in text
    assert "DSO needs the sales history" in text
    rows = list(openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)["Collection 回款指标"].iter_rows(values_only=True))
    bpdso = next(r for r in rows if r[0] and str(r[0]).startswith("Best possible"))
    assert bpdso[1] is None and bpdso[3].startswith("no credit sales in the last 3 months; open items only")


def test_sap_extract_in_its_original_layout_with_is_open(tmp_path):
    """The HighRadius extract as first published: isOpen, invoice_currency, total_open_amount, doc_id and
    invoice_id (the same number twice), clear_date blank on open rows."""
    src = tmp_path / "hr.csv"
    head = ("business_code,cust_number,name_customer,clear_date,buisness_year,doc_id,posting_date,"
            "document_create_date,document_create_date.1,due_in_date,invoice_currency,document type,posting_id,"
            "area_business,total_open_amount,baseline_create_date,cust_payment_terms,invoice_id,isOpen\n")
    rows = [
        ("U001", "0200769623", "WAL-MAR corp", "2020-02-11 00:00:00", "1930438491", "2020-01-26", "20200125",
         "20200126", "20200210", "USD", "RV", "1", "", "54273.28", "20200126", "NAH4", "1930438491", "0"),
        ("U001", "0200980828", "BEN E", "", "1930659387", "2020-03-19", "20200318", "20200319", "20200403",
         "USD", "RV", "1", "", "11173.02", "20200319", "NAA8", "1930659387", "1"),
        ("CA02", "0140105686", "SYSC llc", "", "2960623488", "2020-03-30", "20200330", "20200330", "20200410",
         "USD", "RV", "1", "", "2309.79", "20200331", "CA10", "2960623488", "1"),
    ]
    src.write_text(head + "".join(",".join(r[:4]) + ",2020," + ",".join(r[4:]) + "\n" for r in rows),
                   encoding="utf-8")
    total, home, out = run_chain(src, tmp_path)
    assert home == "USD" and total == pytest.approx(11173.02 + 2309.79)
    assert "1 of 3 invoice(s) taken as settled ('isOpen' says settled)" in out

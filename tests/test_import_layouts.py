"""Real-layout exports built here (issue 17): grouped detail reports (Xero Aged Receivables Detail, QuickBooks
Open Invoices, Tally Pending Bills with a two-row header), a supplier-portal download, imported with no mapping
file and aged through the CLI; the open total equals the export's own total row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from test_import_real import run_chain

from xl_cashrisk.importer import import_file


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def xero_detail(path: Path) -> tuple[Path, float]:
    """Xero 'Aged Receivables Detail': contact on its own row, 'Total <contact>' rows, a grand 'Total'."""
    d = dt.date
    rows = [
        ["Aged Receivables Detail"], ["Demo Company (US)"], ["As at 31 October 2026"], ["Ageing by due date"], [],
        ["Invoice Date", "Invoice Number", "Invoice Reference", "Due Date", "Current", "< 1 Month", "1 Month",
         "2 Months", "3 Months", "Older", "Total"],
        ["Bayside Club"],
        [d(2026, 10, 20), "INV-0012", "P/O 9711", d(2026, 11, 3), 234.0, None, None, None, None, None, 234.0],
        [d(2026, 8, 15), "INV-0007", "", d(2026, 9, 14), None, None, 1520.5, None, None, None, 1520.5],
        ["Total Bayside Club", None, None, None, 234.0, None, 1520.5, None, None, None, 1754.5],
        ["City Agency"],
        [d(2026, 9, 25), "INV-0021", "Monthly support", d(2026, 10, 9), None, 396.0, None, None, None, None, 396.0],
        [d(2026, 3, 1), "INV-0003", "Old job", d(2026, 3, 31), None, None, None, None, None, 2400.0, 2400.0],
        ["Total City Agency", None, None, None, None, 396.0, None, None, None, 2400.0, 2796.0],
        [],
        ["Total", None, None, None, 234.0, 396.0, 1520.5, None, None, 2400.0, 4550.5],
    ]
    return _xlsx(path, rows), 4550.5


def quickbooks_open_invoices(path: Path) -> tuple[Path, float]:
    """QuickBooks 'Open Invoices' grouped by customer: the name in column A, 'Total for <customer>' rows."""
    rows = [
        ["Craig's Design and Landscaping Services"], ["Open Invoices"], ["As of December 31, 2026"], [],
        [None, "Date", "Transaction Type", "Num", "Terms", "Due Date", "Open Balance"],
        ["Amy's Bird Sanctuary"],
        [None, "11/15/2026", "Invoice", "1021", "Net 30", "12/15/2026", "$459.00"],
        [None, "12/01/2026", "Invoice", "1035", "Net 30", "12/31/2026", "$1,200.00"],
        ["Total for Amy's Bird Sanctuary", None, None, None, None, None, "$1,659.00"],
        ["Freeman Sporting Goods"],
        [None, "10/02/2026", "Invoice", "1004", "Net 15", "10/17/2026", "$2,000.00"],
        [None, "12/20/2026", "Payment", "", "", "", "-$300.00"],
        ["Total for Freeman Sporting Goods", None, None, None, None, None, "$1,700.00"],
        ["TOTAL", None, None, None, None, None, "$3,359.00"],
    ]
    return _xlsx(path, rows), 3359.0


def tally_pending_bills(path: Path) -> tuple[Path, float]:
    """Tally 'Bills Receivable' group-wise: party headings, two-row header Opening | Amount, Pending | Amount."""
    rows = [
        ["Sharma Traders Pvt Ltd"], ["Bills Receivable"], ["1-Apr-2026 to 30-Sep-2026"],
        ["Date", "Ref. No.", "Opening", "Pending", "Due on", "Overdue"],
        [None, None, "Amount", "Amount", None, "by days"],
        ["Gupta Enterprises"],
        ["5-Apr-26", "SI/001", "50,000.00 Dr", "20,000.00 Dr", "5-May-26", 148],
        ["12-Jun-26", "SI/014", "35,500.00 Dr", "35,500.00 Dr", "12-Jul-26", 80],
        [None, None, "85,500.00 Dr", "55,500.00 Dr", None, None],
        ["Mehta & Sons"],
        ["20-Aug-26", "SI/031", "12,000.00 Dr", "12,000.00 Dr", "19-Sep-26", 11],
        ["1-Sep-26", "CN/002", "1,500.00 Cr", "1,500.00 Cr", "1-Sep-26", None],
        [None, None, "10,500.00 Dr", "10,500.00 Dr", None, None],
        ["Grand Total", None, "96,000.00 Dr", "66,000.00 Dr", None, None],
    ]
    return _xlsx(path, rows), 66000.0


def supplier_portal(path: Path) -> tuple[Path, float]:
    """A buyer's supplier-portal download (CSV): status, paid amount, payment date; some rows paid in full."""
    path.write_text(
        "Supplier Portal - Invoice Status Report\nGenerated: 2026-10-31\n\n"
        "Invoice #,Customer Name,PO Number,Invoice Date,Due Date,Currency,Invoice Amount,Paid Amount,"
        "Payment Status,Payment Date\n"
        "SP-1001,Northwind Retail,PO-77,2026-07-01,2026-08-30,EUR,\"12,400.00\",\"12,400.00\",Paid,2026-08-28\n"
        "SP-1002,Northwind Retail,PO-78,2026-08-01,2026-09-30,EUR,\"8,000.00\",\"3,000.00\",Partially Paid,2026-09-29\n"
        "SP-1003,Northwind Retail,PO-81,2026-09-15,2026-11-14,EUR,\"5,250.00\",,Approved,\n"
        "SP-1004,Contoso GmbH,PO-12,2026-06-10,2026-08-09,EUR,\"3,100.00\",,Paid,2026-08-01\n"
        "SP-1005,Contoso GmbH,PO-15,2026-09-30,2026-11-29,EUR,\"900.00\",0,Open,\n", encoding="utf-8")
    # open: 0 + 5,000 + 5,250 + 0 (status Paid, no paid amount given) + 900
    return path, 11150.0


def quickbooks_aging_detail(path: Path) -> tuple[Path, float]:
    """QuickBooks 'A/R Aging Detail': bucket sections (not customers), a Customer column, a printed-on footer."""
    rows = [
        ["Craig's Design and Landscaping Services"], ["A/R Aging Detail"], ["As of December 31, 2026"], [],
        [None, "Date", "Transaction Type", "Num", "Customer", "Due Date", "Past Due", "Amount", "Open Balance"],
        ["Current"],
        [None, "12/15/2026", "Invoice", "1045", "Amy's Bird Sanctuary", "01/14/2027", "-14", "$1,200.00", "$1,200.00"],
        ["Total for Current", None, None, None, None, None, None, "$1,200.00", "$1,200.00"],
        ["1 - 30 days past due"],
        [None, "11/20/2026", "Invoice", "1038", "Freeman Sporting Goods", "12/20/2026", "11", "$900.00", "$450.00"],
        [None, "11/28/2026", "Credit Memo", "1040", "Freeman Sporting Goods", "11/28/2026", "33", "-$100.00",
         "-$100.00"],
        ["Total for 1 - 30 days past due", None, None, None, None, None, None, "$800.00", "$350.00"],
        ["91 or more days past due"],
        [None, "06/01/2026", "Invoice", "1010", "Cool Cars", "07/01/2026", "183", "$3,000.00", "$3,000.00"],
        ["Total for 91 or more days past due", None, None, None, None, None, None, "$3,000.00", "$3,000.00"],
        ["TOTAL", None, None, None, None, None, None, "$5,000.00", "$4,550.00"], [],
        ["Monday, January 04, 2027 09:12 AM GMT-08:00"],
    ]
    return _xlsx(path, rows), 4550.0


def xero_detail_number_reference(path: Path) -> tuple[Path, float]:
    """An older Xero detail layout: Date | Number | Reference (both generic names: the reference yields)."""
    rows = [
        ["Aged Receivables Detail"], ["Demo Company"], ["As at 31 October 2026"], [],
        ["Date", "Number", "Reference", "Due Date", "Current", "< 1 Month", "1 Month", "2 Months", "3 Months",
         "Older", "Total"],
        ["Bayside Club"],
        ["20 Oct 2026", "INV-0012", "P/O 9711", "3 Nov 2026", 234.0, None, None, None, None, None, 234.0],
        ["5 Aug 2026", "INV-0009", "", "4 Sep 2026", None, None, 99.5, None, None, None, 99.5],
        ["Total Bayside Club", None, None, None, 234.0, None, 99.5, None, None, None, 333.5],
        ["Total", None, None, None, 234.0, None, 99.5, None, None, None, 333.5],
    ]
    return _xlsx(path, rows), 333.5


@pytest.mark.parametrize("build, options", [
    (xero_detail, ("--home-currency", "USD")),
    (xero_detail_number_reference, ("--home-currency", "NZD")),
    (quickbooks_aging_detail, ("--home-currency", "USD")),
    (quickbooks_open_invoices, ("--home-currency", "USD")),
    (tally_pending_bills, ("--home-currency", "INR")),
    (supplier_portal, ()),
])
def test_real_layouts_end_to_end(tmp_path, build, options):
    src, expected = build(tmp_path / f"{build.__name__}.{'csv' if build is supplier_portal else 'xlsx'}")
    total, home, out = run_chain(src, tmp_path, *options)
    assert total == pytest.approx(expected, abs=0.01), out
    if options:
        assert home == options[1]


def test_grouped_reports_fill_the_customer_down_and_reconcile_to_their_totals(tmp_path):
    src, _ = xero_detail(tmp_path / "xero.xlsx")
    r = import_file(src, "ledger")
    f = r.frame.set_index("invoice_no")
    assert f.loc["INV-0007", "buyer_name"] == "Bayside Club" and f.loc["INV-0003", "buyer_name"] == "City Agency"
    assert r.report.rejected == [] and r.report.reconciled
    assert r.report.totals["stated"].iloc[0] == pytest.approx(4550.5)
    counts = r.report.skipped_counts()
    assert counts["customer heading row (filled down)"] == 2 and counts["subtotal row"] == 2
    src, _ = tally_pending_bills(tmp_path / "tally.xlsx")
    r = import_file(src, "ledger")
    assert dict(zip(r.frame["invoice_no"], r.frame["open_amount"], strict=True)) == {
        "SI/001": 20000.0, "SI/014": 35500.0, "SI/031": 12000.0, "CN/002": -1500.0}
    assert set(r.frame["buyer_name"]) == {"Gupta Enterprises", "Mehta & Sons"}
    assert r.report.header_rows == (4, 5) and r.report.reconciled

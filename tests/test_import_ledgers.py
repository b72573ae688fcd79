"""Chinese debit/credit ledgers and balance tables (issue 17): open items by FIFO, reconciled to 余额.

Every case is built here in the layout of a real export and run through the CLI (import → validate → age);
the expected open totals are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from test_import_real import run_chain

from xl_cashrisk.cli import cli
from xl_cashrisk.importer import import_file
from xl_cashrisk.importer.ledgers import fifo_open_items

D = dt.date


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def one_customer_ledger(path: Path) -> Path:
    """应收账款明细账 of one customer named in the title: debits 5,000 + 7,000, credit 5,000 → 7,000 open."""
    return _xlsx(path, [
        ["应收账款明细账"], ["客户：广州华锐贸易有限公司        期间：2026年1月-2026年3月"], ["单位：元"],
        ["日期", "凭证字号", "摘要", "借方", "贷方", "方向", "余额"],
        [D(2026, 1, 5), "记-3", "销售商品", 5000, None, "借", 5000],
        [D(2026, 1, 31), None, "本月合计", 5000, 0, "借", 5000],
        [D(2026, 2, 10), "记-15", "销售商品", 7000, None, "借", 12000],
        [D(2026, 2, 28), None, "本月合计", 7000, 0, "借", 12000],
        [D(2026, 3, 1), "记-2", "收到货款", None, 5000, "借", 7000],
        [D(2026, 3, 31), None, "本月合计", 0, 5000, "借", 7000],
        [D(2026, 3, 31), None, "本年累计", 12000, 5000, "借", 7000],
    ])


def test_hand_checked_fifo_case_opens_7000_not_12000(tmp_path):
    r = import_file(one_customer_ledger(tmp_path / "l.xlsx"), "ledger")
    f = r.frame
    assert f["open_amount"].sum() == 7000.0  # a debit-only reading would give 12,000
    assert list(f["amount"]) == [5000.0, 7000.0] and list(f["paid_amount"]) == [5000.0, 0.0]
    assert f["last_payment_date"].iloc[0] == np.datetime64("2026-03-01")
    assert set(f["buyer_name"]) == {"广州华锐贸易有限公司"}
    assert r.report.totals["stated"].iloc[0] == 7000.0 and r.report.reconciled
    assert r.report.skipped_counts()["subtotal row"] == 4  # 3 × 本月合计 + 本年累计
    total, home, _ = run_chain(tmp_path / "l.xlsx", tmp_path)
    assert total == 7000.0 and home == "CNY"


def test_fifo_rule_on_partial_settlements_prepayments_and_opening_balances():
    rows = np.arange(2, 9)
    cust = np.array(["A", "A", "A", "A", "B", "B", "B"], dtype=object)
    dates = np.array([D(2026, 1, 1), D(2026, 1, 10), D(2026, 2, 1), D(2026, 3, 1), D(2026, 1, 5), D(2026, 2, 5),
                      D(2026, 3, 5)], dtype=object)
    # A: opening 1,000; sale 4,000; receipt 2,500 settles the opening 1,000 and 1,500 of the sale; sale 600
    # B: receipt 800 in advance; sale 500 (settled by it); sale 900 (300 of the advance left → 600 open)
    move = np.array([1000.0, 4000.0, -2500.0, 600.0, -800.0, 500.0, 900.0])
    items = fifo_open_items(rows, cust, dates, move, np.full(7, None), np.full(7, None))
    got = [(it.customer, it.amount, it.paid, it.last_payment) for it in items]
    assert got == [("A", 1000.0, 1000.0, D(2026, 2, 1)), ("A", 4000.0, 1500.0, D(2026, 2, 1)),
                   ("A", 600.0, 0.0, None), ("B", 500.0, 500.0, D(2026, 2, 5)), ("B", 900.0, 300.0, D(2026, 3, 5))]
    assert sum(it.amount - it.paid for it in items) == pytest.approx(move.sum())
    # more credits than debits: the rest is one unapplied credit item
    items = fifo_open_items(np.array([2, 3]), np.array(["C", "C"], dtype=object),
                            np.array([D(2026, 1, 1), D(2026, 1, 2)], dtype=object), np.array([300.0, -1000.0]),
                            np.full(2, None), np.full(2, None))
    assert [(it.amount, it.paid, it.unapplied) for it in items] == [(300.0, 300.0, False), (-700.0, 0.0, True)]


def multi_customer_ledger(path: Path) -> tuple[Path, float]:
    """往来明细账 of several customers in a 往来单位 column, Kingdee style, with an opening balance, a red-ink
    credit note (negative debit), a page carry-over and a customer in credit."""
    return _xlsx(path, [
        ["往来明细账"], ["科目：1122 应收账款    期间：2026.01-2026.06"],
        ["日期", "凭证号", "往来单位", "摘要", "借方金额", "贷方金额", "方向", "余额"],
        ["2026-01-01", None, "深圳恒通电子", "期初余额", None, None, "借", 20000],
        ["2026-01-20", "记-8", "深圳恒通电子", "销售", 30000, None, "借", 50000],
        ["2026-02-15", "记-21", "深圳恒通电子", "收款", None, 25000, "借", 25000],   # opening 20,000 + 5,000
        [None, None, None, "过次页", 30000, 25000, "借", 25000],
        [None, None, None, "承前页", 30000, 25000, "借", 25000],
        ["2026-03-02", "记-4", "深圳恒通电子", "红字冲销", -2000, None, "借", 23000],  # credit 2,000 → 23,000
        ["2026-01-08", "记-2", "佛山美家家居", "销售", 8000, None, "借", 8000],
        ["2026-04-01", "记-9", "佛山美家家居", "收款", None, 10000, "贷", 2000],      # in credit: −2,000
        ["2026-05-05", "记-3", "东莞力拓", "销售", 12500.5, None, "借", 12500.5],
        [None, None, None, "合计", 48500.5, 35000, "借", 33500.5],
    ]), 23000 - 2000 + 12500.5


def customer_statement(path: Path) -> tuple[Path, float]:
    """An English customer statement: Date | Reference | Description | Debit | Credit | Balance."""
    return _xlsx(path, [
        ["Statement of Account"], ["Customer: Harbour Foods Ltd"], ["Period: 1 Jan 2026 to 31 Mar 2026"], [],
        ["Date", "Reference", "Description", "Debit", "Credit", "Balance"],
        ["01/01/2026", "", "Balance brought forward", "", "", "1,200.00"],
        ["14/01/2026", "INV-301", "Invoice", "3,400.00", "", "4,600.00"],
        ["30/01/2026", "RCPT-77", "Payment received", "", "2,000.00", "2,600.00"],
        ["18/02/2026", "INV-322", "Invoice", "950.00", "", "3,550.00"],
        ["", "", "Closing balance", "", "", "3,550.00"],
    ]), 3550.0


@pytest.mark.parametrize("build", [multi_customer_ledger, customer_statement])
def test_debit_credit_layouts_end_to_end(tmp_path, build):
    src, expected = build(tmp_path / f"{build.__name__}.xlsx")
    r = import_file(src, "ledger")
    assert r.report.reconciled and r.report.totals["stated"].iloc[0] == pytest.approx(expected)
    total, _, out = run_chain(src, tmp_path, *(("--home-currency", "GBP") if build is customer_statement else ()))
    assert total == pytest.approx(expected, abs=0.01), out


def test_multi_customer_items_by_customer(tmp_path):
    src, _ = multi_customer_ledger(tmp_path / "m.xlsx")
    r = import_file(src, "ledger")
    open_by = r.frame.groupby("buyer_name")["open_amount"].sum().to_dict()
    assert open_by == {"深圳恒通电子": 23000.0, "佛山美家家居": -2000.0, "东莞力拓": 12500.5}
    assert r.report.skipped_counts()["page carry-over row (承前页/过次页)"] == 2


def balance_table(path: Path) -> Path:
    """科目余额表 by customer, two-row header 期初余额 / 本期发生额 / 期末余额 over 借方 | 贷方."""
    ws_rows = [
        ["科目余额表"], ["2026年9月"],
        ["科目编码", "科目名称", "期初余额", None, "本期发生额", None, "期末余额", None],
        [None, None, "借方", "贷方", "借方", "贷方", "借方", "贷方"],
        ["1122", "应收账款", 50000, None, 30000, 20000, 60000, None],
        ["1122.01", "应收账款-广州华锐", 30000, None, 10000, 15000, 25000, None],
        ["1122.02", "应收账款-深圳恒通", 20000, None, 20000, 5000, 35000, None],
        [None, "合计", 50000, None, 30000, 20000, 60000, None],
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in ws_rows:
        ws.append(r)
    for rng in ("C3:D3", "E3:F3", "G3:H3", "A3:A4", "B3:B4"):
        ws.merge_cells(rng)
    wb.save(path)
    return path


def test_balance_table_is_refused_as_a_ledger_and_taken_as_a_register(tmp_path):
    src = balance_table(tmp_path / "b.xlsx")
    runner = CliRunner()
    res = runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(tmp_path / "l.xlsx")])
    assert res.exit_code == 3 and "balance table" in res.output and "--kind register" in res.output
    assert not (tmp_path / "l.xlsx").exists()
    r = import_file(src, "register")
    assert list(r.frame["buyer_name"]) == ["广州华锐", "深圳恒通"]
    assert r.report.skipped_counts()["account row (not a customer)"] == 1
    res = runner.invoke(cli, ["import", str(src), "--kind", "register", "--out", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0, res.output
    assert runner.invoke(cli, ["validate", str(tmp_path / "r.xlsx")]).exit_code == 0


def test_an_empty_ledger_never_validates_clean(tmp_path):
    src = tmp_path / "e.csv"
    src.write_text("Invoice No,Customer,Invoice Date,Amount\n,,,\n", encoding="utf-8")
    src.write_text("发票号,客户名称,开票日期,金额\n合计,,,0\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "e.xlsx"
    res = runner.invoke(cli, ["import", str(src), "--kind", "ledger", "--out", str(out)])
    assert res.exit_code == 3 and "no rows imported, nothing written" in res.output and not out.exists()
    res = runner.invoke(cli, ["template", "ledger", "--no-examples", "--out", str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["validate", str(out)])
    assert res.exit_code == 3 and "the ledger holds no rows" in res.output


def yonyou_ledger(path: Path) -> Path:
    """Yonyou 明细账: the date in 月 | 日 columns, the year and the customer in the title rows."""
    return _xlsx(path, [
        ["应收账款明细账"], ["2026年  客户：东莞力拓精密"],
        ["月", "日", "凭证号数", "摘要", "借方", "贷方", "方向", "余额"],
        [1, 1, None, "上年结转", None, None, "借", 3000],
        [1, 18, "记-0007", "销售", 8000, None, "借", 11000],
        [None, None, None, "本月合计", 8000, 0, "借", 11000],
        [2, 3, "记-0002", "收款", None, 6000, "借", 5000],
        [2, 20, "记-0015", "销售", 4500, None, "借", 9500],
        [None, None, None, "本月合计", 4500, 6000, "借", 9500],
        [None, None, None, "本年累计", 12500, 6000, "借", 9500],
    ])


def grouped_ledger(path: Path) -> Path:
    """往来明细账 printed per customer: a 客户：<name> heading, its movements, a 小计 row; a 合计 at the end."""
    return _xlsx(path, [
        ["往来明细账  2026年1月-3月"],
        ["日期", "凭证号", "摘要", "借方", "贷方", "余额"],
        ["客户：杭州云帆科技"],
        ["2026-01-10", "记-1", "销售", 6000, None, 6000],
        ["2026-02-10", "记-9", "收款", None, 6000, 0],
        ["2026-03-05", "记-12", "销售", 2200, None, 2200],
        ["杭州云帆科技 小计", None, None, 8200, 6000, 2200],
        ["客户：宁波港联物流"],
        ["2026-01-20", "记-4", "销售", 15000, None, 15000],
        ["2026-03-01", "记-10", "收款", None, 9000, 6000],
        ["宁波港联物流 小计", None, None, 15000, 9000, 6000],
        ["合计", None, None, 23200, 15000, 8200],
    ])


def test_yonyou_and_grouped_ledgers(tmp_path):
    r = import_file(yonyou_ledger(tmp_path / "y.xlsx"), "ledger")
    # opening 3,000 (1 Jan) + 8,000 (18 Jan); receipt 6,000 (3 Feb) pays the 3,000 and 3,000 of the 8,000
    open_items = r.frame[r.frame["open_amount"] > 0]
    assert list(open_items["open_amount"]) == [5000.0, 4500.0]
    assert list(open_items["invoice_date"].dt.strftime("%Y-%m-%d")) == ["2026-01-18", "2026-02-20"]
    assert r.report.reconciled
    total, _, _ = run_chain(tmp_path / "y.xlsx", tmp_path)
    assert total == 9500.0
    r = import_file(grouped_ledger(tmp_path / "g.xlsx"), "ledger")
    assert r.frame.groupby("buyer_name")["open_amount"].sum().to_dict() == {"杭州云帆科技": 2200.0, "宁波港联物流": 6000.0}
    assert r.report.reconciled and r.report.totals["stated"].iloc[0] == 8200.0
    total, _, _ = run_chain(tmp_path / "g.xlsx", tmp_path)
    assert total == 8200.0


def test_grouped_ledger_headings_are_reported_as_customers_and_kingdee_receivable_detail(tmp_path):
    r = import_file(grouped_ledger(tmp_path / "g.xlsx"), "ledger")
    assert r.report.skipped_counts()["customer heading row (filled down)"] == 2
    # Kingdee 应收款明细表: 本期应收 / 本期收款 / 期末余额 are debit / credit / running balance
    src = _xlsx(tmp_path / "k.xlsx", [
        ["应收款明细表"], ["客户：苏州恒瑞机电    期间：2026年1期至2026年3期"],
        ["日期", "单据类型", "单据编号", "摘要", "本期应收", "本期收款", "期末余额"],
        ["2026-01-03", "销售发票", "XSFP001", "", 11300, None, 11300],
        ["2026-02-14", "收款单", "SKD009", "", None, 5000, 6300],
        ["2026-03-09", "销售发票", "XSFP017", "", 2260, None, 8560],
    ])
    r = import_file(src, "ledger")
    assert r.report.reconciled
    assert dict(zip(r.frame["invoice_no"], r.frame["open_amount"], strict=True)) == {"XSFP001": 6300.0,
                                                                                     "XSFP017": 2260.0}


def test_a_statement_with_amount_received_and_running_balance_is_a_ledger(tmp_path):
    """对账单: 应收金额 / 已收金额 / 余额 are movements and a running balance, not one invoice per row."""
    src = _xlsx(tmp_path / "s.xlsx", [
        ["客户对账单"], ["客户：温州瑞达五金"],
        ["日期", "单据号", "摘要", "应收金额", "已收金额", "余额"],
        ["2026-01-01", "", "期初余额", None, None, 4000],
        ["2026-01-12", "FP-101", "销售", 6000, None, 10000],
        ["2026-02-02", "SK-17", "收款", None, 7000, 3000],
        ["2026-02-25", "FP-118", "销售", 2500, None, 5500],
    ])
    r = import_file(src, "ledger")
    # opening 4,000 and 3,000 of FP-101 paid on 2 Feb → FP-101 3,000 + FP-118 2,500 open
    assert r.report.rejected == [] and r.report.reconciled
    assert dict(zip(r.frame["invoice_no"], r.frame["open_amount"], strict=True)) == {
        "ROW4": 0.0, "FP-101": 3000.0, "FP-118": 2500.0}

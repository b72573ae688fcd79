"""Write the sample accounting/ERP exports in tests/data/exports/ (run: python tests/data/make_exports.py).

Each file imitates one system's export layout (title rows, merged or two-row headers, subtotal and total
lines, locale-specific numbers and dates, encodings). The documents are made up with a seeded random
generator, so a re-run writes the same files. ``expected.json`` records, per file, what the generator
put in: the open amount per currency and the number of documents (or buyer × bucket rows) — the tests
compare the importer's output with these figures, independently of the totals rows printed in the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

import xlsxwriter as _xlsxwriter

OUT = Path(__file__).parent / "exports"
AS_OF = dt.date(2026, 9, 30)
ZH_BUYERS = (("C1001", "广州华锐电子科技有限公司"), ("C1002", "深圳恒达机电设备有限公司"), ("C1003", "杭州鑫源纺织品有限公司"),
             ("C1004", "苏州永通化工有限公司"), ("C1005", "青岛嘉禾食品有限公司"), ("C1006", "成都博安医药有限公司"))
EN_BUYERS = (("100234", "Hamburg Import GmbH"), ("100311", "Lyon Distribution SARL"),
             ("100478", "Pacific Home Goods Inc."), ("100512", "Milano Tessuti S.r.l."))
US_BUYERS = ("Acme Retail Inc.", "Blue Ridge Supply LLC", "Coastal Hardware Co.", "Delta Outfitters")


class xlsxwriter:  # stands in for the module: workbooks with fixed properties, same bytes each run
    @staticmethod
    def Workbook(path: str):
        wb = _xlsxwriter.Workbook(path)
        wb.set_properties({"created": dt.datetime(2026, 10, 8), "author": "make_exports.py"})
        return wb


def _docs(rng: random.Random, buyers, n: int, prefix: str, currencies=("CNY",)) -> list[dict]:
    docs = []
    for k in range(n):
        bid, name = buyers[k % len(buyers)]
        inv = AS_OF - dt.timedelta(days=rng.randint(5, 200))
        terms = rng.choice((30, 45, 60, 90))
        amount = round(rng.uniform(2_000, 180_000), 2)
        paid = 0.0
        r = rng.random()
        if r < 0.2:
            paid = round(amount * rng.choice((0.3, 0.5)), 2)
        docs.append({"no": f"{prefix}{k + 1:05d}", "buyer_id": bid, "buyer": name, "date": inv, "terms": terms,
                     "due": inv + dt.timedelta(days=terms), "currency": currencies[k % len(currencies)],
                     "amount": amount, "paid": paid, "type": "INV"})
    return docs


def _open(d: dict) -> float:
    return round(d["amount"] - d["paid"], 2)


def _expect(docs: list[dict], n_rows: int | None = None, **extra) -> dict:
    totals: dict[str, float] = {}
    for d in docs:
        totals[d["currency"]] = round(totals.get(d["currency"], 0.0) + _open(d), 2)
    return {"open": totals, "rows": n_rows if n_rows is not None else len(docs), **extra}


# ---------------------------------------------------------------------------------------- Kingdee


def kingdee(rng: random.Random, expected: dict) -> None:
    """金蝶 K/3 Cloud 应收单列表: title rows, merged title, 小计 per customer, 合计, a credit note, a 2-line invoice,
    a fully paid invoice (open 0, no payment date), 已收 without a payment date; xlsx and GBK CSV."""
    docs = _docs(rng, ZH_BUYERS, 24, "AR2026-")
    docs[3].update(type="红字应收单", amount=-6_800.0, paid=0.0)
    docs[7]["paid"] = docs[7]["amount"]  # fully paid, still listed
    docs.sort(key=lambda d: (d["buyer_id"], d["date"]))
    head = ["单据编号", "单据类型", "业务日期", "到期日", "客户编码", "客户", "币别", "价税合计", "已收金额", "未收金额", "业务员",
            "备注"]
    lines: list[list] = []
    total = [0.0, 0.0, 0.0]
    for bid, _name in ZH_BUYERS:
        mine = [d for d in docs if d["buyer_id"] == bid]
        sub = [0.0, 0.0, 0.0]
        for d in mine:
            typ = d["type"] if d["type"] != "INV" else "销售发票"
            split = d is mine[0] and not d["paid"] and d["type"] == "INV"
            parts = [round(d["amount"] * 0.6, 2), 0.0] if split else [d["amount"]]
            if len(parts) == 2:
                parts[1] = round(d["amount"] - parts[0], 2)
            for j, part in enumerate(parts):  # the first document of each buyer has two lines (分录)
                paid = d["paid"]
                lines.append([d["no"], typ, d["date"], d["due"], d["buyer_id"], d["buyer"], "人民币", part, paid,
                              round(part - paid, 2), "张伟", "二号分录" if j else ""])
                sub = [sub[0] + part, sub[1] + paid, sub[2] + part - paid]
        lines.append(["", "", "", "", "", "小计", "", round(sub[0], 2), round(sub[1], 2), round(sub[2], 2), "", ""])
        lines.append([""] * len(head))
        total = [t + s for t, s in zip(total, sub, strict=True)]
    lines.append(["合计", "", "", "", "", "", "", round(total[0], 2), round(total[1], 2), round(total[2], 2), "", ""])
    n_docs = len(docs) - 1  # the fully paid invoice has no payment date: reported as skipped
    expected["kingdee_ar_list.xlsx"] = _expect(docs, n_docs, stated=round(total[2], 2), fully_paid=1)
    expected["kingdee_ar_list_gbk.csv"] = expected["kingdee_ar_list.xlsx"] | {"encoding": "gb18030"}

    wb = xlsxwriter.Workbook(str(OUT / "kingdee_ar_list.xlsx"))
    ws = wb.add_worksheet("应收单")
    bold = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.merge_range(0, 0, 0, len(head) - 1, "应收单列表", bold)
    ws.write(1, 0, "组织：广州示例贸易有限公司")
    ws.write(1, 6, "截止日期：2026-09-30")
    ws.write_row(3, 0, head, wb.add_format({"bold": True, "bg_color": "#DDEBF7"}))
    for i, line in enumerate(lines):
        for j, v in enumerate(line):
            if isinstance(v, dt.date):
                ws.write_datetime(4 + i, j, dt.datetime(v.year, v.month, v.day), date)
            elif isinstance(v, float):
                ws.write_number(4 + i, j, v, money)
            elif v != "":
                ws.write_string(4 + i, j, v)
    ws.write(5 + len(lines), 0, "制表人：李娜    打印日期：2026-10-08")
    wb.close()

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["应收单列表"])
    w.writerow(["组织：广州示例贸易有限公司", "", "", "", "", "", "截止日期：2026-09-30"])
    w.writerow([])
    w.writerow(head)
    for line in lines:
        w.writerow([f"{v.year}/{v.month}/{v.day}" if isinstance(v, dt.date) else f"{v:,.2f}" if isinstance(v, float)
                    else v for v in line])
    (OUT / "kingdee_ar_list_gbk.csv").write_bytes(buf.getvalue().encode("gbk"))


# ---------------------------------------------------------------------------------------- Yonyou


def yonyou(rng: random.Random, expected: dict) -> None:
    """用友 U8 应收明细: two-row merged header (金额 over 原币|本币, 余额 over 原币|本币), CNY and USD, 收款日期,
    a 合计 line per currency; and a 账龄分析表 in 万元 (unit in the title row)."""
    docs = _docs(rng, ZH_BUYERS, 18, "XS", currencies=("CNY", "CNY", "USD"))
    for d in docs:
        d["paydate"] = d["date"] + dt.timedelta(days=rng.randint(10, 40)) if d["paid"] else None
    rate = {"CNY": 1.0, "USD": 7.1}
    wb = xlsxwriter.Workbook(str(OUT / "yonyou_ar_detail.xlsx"))
    ws = wb.add_worksheet("应收明细账")
    h = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 10, "应收账款明细账", wb.add_format({"bold": True, "font_size": 14, "align": "center"}))
    ws.write(1, 0, "期间：2026-01-01 至 2026-09-30")
    for j, name in enumerate(["单据日期", "单据号", "客户编码", "客户名称", "币种"]):
        ws.merge_range(2, j, 3, j, name, h)
    ws.merge_range(2, 5, 2, 6, "金额", h)
    ws.merge_range(2, 7, 2, 8, "余额", h)
    ws.write_row(3, 5, ["原币", "本币", "原币", "本币"], h)
    ws.merge_range(2, 9, 3, 9, "到期日期", h)
    ws.merge_range(2, 10, 3, 10, "收款日期", h)
    r = 4
    sums: dict[str, list[float]] = {}
    for d in docs:
        cur_zh = "人民币" if d["currency"] == "CNY" else "美元"
        open_ = _open(d)
        row = [d["date"], d["no"], d["buyer_id"], d["buyer"], cur_zh, d["amount"], round(d["amount"] * rate[d["currency"]], 2),
               open_, round(open_ * rate[d["currency"]], 2), d["due"], d["paydate"]]
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), date)
            elif v is not None:
                ws.write(r, j, v)
        s = sums.setdefault(cur_zh, [0.0, 0.0])
        s[0] += d["amount"]
        s[1] += open_
        r += 1
    for cur_zh, (amt, op) in sums.items():
        ws.write_row(r, 0, ["合计", "", "", "", cur_zh, round(amt, 2), "", round(op, 2)])
        r += 1
    wb.close()
    expected["yonyou_ar_detail.xlsx"] = _expect(docs)

    # 账龄分析表 in 万元
    buckets = ["未到期", "逾期1-30天", "逾期31-60天", "逾期61-90天", "逾期90天以上"]
    wb = xlsxwriter.Workbook(str(OUT / "yonyou_ageing_wan.xlsx"))
    ws = wb.add_worksheet("账龄分析")
    ws.write(0, 0, "客户往来账龄分析表")
    ws.write(1, 0, "截止日期：2026年9月30日")
    ws.write(1, 4, "金额单位：万元")
    ws.write_row(3, 0, ["客户编码", "客户名称", "应收余额", *buckets])
    total = [0.0] * (len(buckets) + 1)
    n_rows, cny = 0, 0.0
    for i, (bid, name) in enumerate(ZH_BUYERS):
        vals = [round(rng.uniform(0, 80), 4) if rng.random() < 0.75 else 0.0 for _ in buckets]
        if i == 2:
            vals[1] = -1.25  # an unapplied credit in a bucket
        vals = [round(v, 4) for v in vals]
        row_total = round(sum(vals), 4)
        ws.write_row(4 + i, 0, [bid, name, row_total, *[v if v else None for v in vals]])
        total = [t + v for t, v in zip(total, [row_total, *vals], strict=True)]
        n_rows += sum(1 for v in vals if v)
        cny += row_total * 10_000
    ws.write_row(4 + len(ZH_BUYERS), 0, ["合计", "", round(total[0], 4), *[round(t, 4) for t in total[1:]]])
    wb.close()
    expected["yonyou_ageing_wan.xlsx"] = {"open": {"CNY": round(cny, 2)}, "rows": n_rows}


# ---------------------------------------------------------------------------------------- SAP


def sap(rng: random.Random, expected: dict) -> None:
    """SAP FBL5N customer line items, English, exported as semicolon CSV: dd.mm.yyyy, decimal comma, trailing
    minus on credits (DG) and unapplied payments (DZ), '*' subtotal and '**' total lines, 'Amount in LC'."""
    docs = _docs(rng, EN_BUYERS, 16, "90000", currencies=("EUR", "EUR", "USD"))
    docs[2].update(type="DG", amount=-2_400.0, paid=0.0, no="9100001")
    docs[9].update(type="DZ", amount=-5_000.0, paid=0.0, no="1400000123")
    rate = {"EUR": 7.75, "USD": 7.1}

    def num(x: float) -> str:
        s = f"{abs(x):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return s + "-" if x < 0 else s

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["Customer Line Item Display"])
    w.writerow(["Company Code 1000", "Open items at key date 30.09.2026"])
    w.writerow([])
    w.writerow(["Customer", "Name 1", "Document Number", "Document Type", "Document Date", "Net Due Date",
                "Amount in DC", "Document Currency", "Amount in LC", "Local Currency", "Text"])
    grand: dict[str, float] = {}
    for bid, name in EN_BUYERS:
        sub: dict[str, float] = {}
        for d in (d for d in docs if d["buyer_id"] == bid):
            t = d["type"] if d["type"] != "INV" else "RV"
            op = _open(d)
            w.writerow([bid, name, d["no"], t, d["date"].strftime("%d.%m.%Y"), d["due"].strftime("%d.%m.%Y"),
                        num(op), d["currency"], num(round(op * rate[d["currency"]], 2)), "CNY",
                        "partial payment" if d["paid"] else ""])
            sub[d["currency"]] = sub.get(d["currency"], 0.0) + op
        for c, v in sub.items():
            w.writerow(["*", "", "", "", "", "", num(round(v, 2)), c, "", "", ""])
            grand[c] = grand.get(c, 0.0) + v
    for c, v in grand.items():
        w.writerow(["**", "", "", "", "", "", num(round(v, 2)), c, "", "", ""])
    (OUT / "sap_fbl5n.csv").write_text(buf.getvalue(), encoding="utf-8")
    for d in docs:  # an open-item list: the open amount is what is imported (amount = open, paid 0)
        d["amount"], d["paid"] = _open(d), 0.0
    expected["sap_fbl5n.csv"] = _expect(docs)


# ---------------------------------------------------------------------------------------- QuickBooks


def quickbooks(rng: random.Random, expected: dict) -> None:
    """QuickBooks Online A/R Aging Detail as CSV with a BOM: title lines, 'As of September 30, 2026', sections per
    ageing bucket with 'Total for ...' lines and a TOTAL, MM/DD/YYYY dates, unapplied payments without a number."""
    buyers = [(n, n) for n in US_BUYERS]
    docs = _docs(rng, buyers, 20, "", currencies=("USD",))
    for k, d in enumerate(docs):
        d["no"] = str(1001 + k)
    docs[5].update(type="Payment", amount=-1_500.0, paid=0.0, no="")
    docs[11].update(type="Credit Memo", amount=-750.0, paid=0.0)
    sections = [("Current", None, 0), ("1 - 30 days past due", 1, 30), ("31 - 60 days past due", 31, 60),
                ("61 - 90 days past due", 61, 90), ("91 or more days past due", 91, 100000)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Acme Trading Inc."])
    w.writerow(["A/R Aging Detail"])
    w.writerow(["As of September 30, 2026"])
    w.writerow([])
    w.writerow(["", "Date", "Transaction Type", "Num", "Customer", "Due Date", "Past Due", "Amount", "Open Balance"])
    grand = 0.0
    for label, lo, hi in sections:
        mine = [d for d in docs if (lo is None and (AS_OF - d["due"]).days <= 0)
                or (lo is not None and lo <= (AS_OF - d["due"]).days <= hi)]
        if not mine:
            continue
        w.writerow([label])
        sub = 0.0
        for d in mine:
            t = "Invoice" if d["type"] == "INV" else d["type"]
            w.writerow(["", d["date"].strftime("%m/%d/%Y"), t, d["no"], d["buyer"], d["due"].strftime("%m/%d/%Y"),
                        max((AS_OF - d["due"]).days, 0), f"{d['amount']:,.2f}", f"{_open(d):,.2f}"])
            sub += _open(d)
        w.writerow([f"Total for {label}", "", "", "", "", "", "", "", f"{sub:,.2f}"])
        w.writerow([])
        grand += sub
    w.writerow(["TOTAL", "", "", "", "", "", "", "", f"{grand:,.2f}"])
    w.writerow([])
    w.writerow(["Wednesday, Oct 07, 2026 09:12:44 AM GMT-7"])
    (OUT / "quickbooks_ar_aging_detail.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    part_paid = sum(1 for d in docs if d["paid"] and d["paid"] != d["amount"])
    expected["quickbooks_ar_aging_detail.csv"] = _expect(docs, part_paid=part_paid, encoding="utf-8-sig (BOM)",
                                                        currency_option="USD")


# ---------------------------------------------------------------------------------------- Xero


def xero(rng: random.Random, expected: dict) -> None:
    """Xero Aged Receivables Summary (xlsx): 'As at 30 September 2026', Contact | Current | < 1 Month | 1 Month |
    2 Months | 3 Months | Older | Total, a Total line; no currency column (the organisation's base currency)."""
    wb = xlsxwriter.Workbook(str(OUT / "xero_aged_receivables.xlsx"))
    ws = wb.add_worksheet("Aged Receivables Summary")
    ws.write(0, 0, "Aged Receivables Summary")
    ws.write(1, 0, "Pacific Trading Limited")
    ws.write(2, 0, "As at 30 September 2026")
    ws.write(3, 0, "Ageing by due date")
    head = ["Contact", "Current", "< 1 Month", "1 Month", "2 Months", "3 Months", "Older", "Total"]
    ws.write_row(5, 0, head, wb.add_format({"bold": True}))
    total = [0.0] * 7
    n_rows = 0
    names = [*US_BUYERS, "Harbour Foods Pty Ltd", "Kowloon Gifts Ltd"]
    for i, name in enumerate(names):
        vals = [round(rng.uniform(100, 9000), 2) if rng.random() < 0.6 else 0.0 for _ in range(6)]
        row_total = round(sum(vals), 2)
        ws.write_row(6 + i, 0, [name, *vals, row_total])
        total = [t + v for t, v in zip(total, [*vals, row_total], strict=True)]
        n_rows += sum(1 for v in vals if v)
    ws.write_row(6 + len(names), 0, ["Total", *[round(t, 2) for t in total]], wb.add_format({"bold": True}))
    wb.close()
    expected["xero_aged_receivables.xlsx"] = {"open": {"USD": round(total[6], 2)}, "rows": n_rows,
                                              "currency_option": "USD"}


# ---------------------------------------------------------------------------------------- bank factoring


def factoring(rng: random.Random, expected: dict) -> None:
    """A bank's factoring statement (保理对账单), bilingual headers 'Debtor 买方', dd/mm/yyyy text dates,
    amounts written 'USD 12,000.00', an Advance column (ignored), 'Total' lines carrying their currency."""
    docs = _docs(rng, EN_BUYERS[:3] + ZH_BUYERS[:1], 12, "FX-26-", currencies=("USD", "USD", "EUR"))
    wb = xlsxwriter.Workbook(str(OUT / "bank_factoring_statement.xlsx"))
    ws = wb.add_worksheet("Statement")
    ws.write(0, 0, "中国示例银行 国际保理业务对账单 / Factoring Account Statement")
    ws.write(1, 0, "Seller 卖方: Guangzhou Example Trading Co.")
    ws.write(2, 0, "Statement date 对账日: 30/09/2026")
    head = ["Debtor 买方", "Invoice No. 发票号", "Invoice Date 发票日期", "Due Date 到期日", "Currency 币种",
            "Invoice Amount 发票金额", "Advance 融资金额", "Outstanding 未收金额", "Status 状态"]
    ws.write_row(4, 0, head, wb.add_format({"bold": True, "text_wrap": True}))
    r = 5
    sums: dict[str, float] = {}
    for d in docs:
        op = _open(d)
        ws.write_row(r, 0, [d["buyer"], d["no"], d["date"].strftime("%d/%m/%Y"), d["due"].strftime("%d/%m/%Y"),
                            d["currency"], f"{d['currency']} {d['amount']:,.2f}", f"{d['amount'] * 0.8:,.2f}",
                            f"{d['currency']} {op:,.2f}", "Financed 已融资"])
        sums[d["currency"]] = sums.get(d["currency"], 0.0) + op
        r += 1
    for c, v in sums.items():
        ws.write_row(r, 0, ["Total 合计", "", "", "", c, "", "", f"{c} {v:,.2f}"])
        r += 1
    wb.close()
    for d in docs:  # the statement has no payment dates: part-paid invoices come in at their open amount
        if d["paid"]:
            d["amount"], d["paid"] = _open(d), 0.0
    expected["bank_factoring_statement.xlsx"] = _expect(docs, dayfirst=True)


# ---------------------------------------------------------------------------------------- register


def customers(rng: random.Random, expected: dict) -> None:
    """金蝶 客户资料 export for the buyer register: 财务数据 in 万元 in the headers, Chinese country and sector names."""
    wb = xlsxwriter.Workbook(str(OUT / "kingdee_customers.xlsx"))
    ws = wb.add_worksheet("客户")
    ws.write(0, 0, "客户资料列表")
    head = ["客户编码", "客户名称", "国家", "省份", "行业", "员工人数", "资产总额(万元)", "负债总额(万元)", "流动资产(万元)",
            "流动负债(万元)", "营业收入(万元)", "信保限额", "账期"]
    ws.write_row(2, 0, head)
    rows = []
    sectors = ("电子", "机械", "纺织", "化工", "食品", "医药")
    for i, (bid, name) in enumerate(ZH_BUYERS):
        ta = round(rng.uniform(2_000, 20_000), 2)
        row = [bid, name, "中国", "Guangdong", sectors[i], rng.randint(20, 900), ta, round(ta * 0.55, 2),
               round(ta * 0.6, 2), round(ta * 0.4, 2), round(ta * 1.3, 2), float(rng.choice((500_000, 1_000_000))),
               f"{rng.choice((30, 60, 90))}天"]
        rows.append(row)
        ws.write_row(3 + i, 0, row)
    wb.close()
    expected["kingdee_customers.xlsx"] = {"rows": len(rows),
                                          "total_assets": round(sum(r[6] for r in rows) * 10_000, 2)}


# ---------------------------------------------------------------------------------------- broken


def broken() -> None:
    """Exports the importer must refuse with a clear message."""
    (OUT / "broken_no_header.csv").write_text(
        "Report 17\nCol1,Col2,Col3\nA-1,foo,12.5\nA-2,bar,7\n", encoding="utf-8")
    wb = xlsxwriter.Workbook(str(OUT / "broken_two_amounts.xlsx"))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["Invoice No", "Customer Name", "Due Date", "Amount", "Invoice Amount", "Currency"])
    ws.write_row(1, 0, ["I-1", "Acme", "2026-09-01", 100.0, 100.0, "USD"])
    wb.close()
    (OUT / "broken_mixed_dates.csv").write_text(
        "Invoice No,Customer,Invoice Date,Due Date,Amount,Currency\n"
        "I-1,Acme,13/03/2026,12/04/2026,100.00,USD\nI-2,Acme,03/25/2026,04/24/2026,50.00,USD\n", encoding="utf-8")
    (OUT / "ambiguous_dates.csv").write_text(
        "Invoice No,Customer,Invoice Date,Due Date,Amount,Currency\n"
        "I-1,Acme,01/03/2026,02/04/2026,100.00,USD\nI-2,Acme,05/06/2026,06/07/2026,50.00,USD\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20260930)
    expected: dict[str, dict] = {}
    kingdee(rng, expected)
    yonyou(rng, expected)
    sap(rng, expected)
    quickbooks(rng, expected)
    xero(rng, expected)
    factoring(rng, expected)
    customers(rng, expected)
    broken()
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    main()

"""Unit tests of the importer's pieces: synonyms, header units, values, encodings, buckets, total rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_cashrisk.errors import InputError
from xl_cashrisk.importer.ageing import Bucket, parse_bucket, synthetic_due
from xl_cashrisk.importer.headers import detect_header
from xl_cashrisk.importer.rows import total_label
from xl_cashrisk.importer.source import Sheet, decode_text
from xl_cashrisk.importer.synonyms import clean_currency, header_unit, lookup
from xl_cashrisk.io.validate import convert_column
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.values import clean_dates, clean_money, date_order, decimal_mark


def _syn():
    names = {c.key: c.names() for c in LEDGER.input_columns}
    return lookup("ledger", names)


@pytest.mark.parametrize("header, target", [
    ("客户名称", "buyer_name"), ("购货单位", "buyer_name"), ("Customer Name", "buyer_name"), ("单据编号", "invoice_no"),
    ("发票号", "invoice_no"), ("Invoice No.", "invoice_no"), ("到期日", "due_date"), ("Net Due Date", "due_date"),
    ("未收金额", "open_amount"), ("余额", "open_amount"), ("Open Balance", "open_amount"), ("Balance", "open_amount"),
    ("币别", "currency"), ("Currency", "currency"), ("Amount in LC", "amount_home"), ("价税合计", "amount"),
    ("Invoice No. 发票号", "invoice_no"), ("金额（元）", "amount"), ("Trx Number", "invoice_no"),
])
def test_synonyms(header, target):
    sheet = Sheet("x", "s", [[header, "客户编码"], ["A", "B"]])
    h = detect_header(sheet, _syn(), header_row=1)
    assert h.assigned.get(target) == 0


def test_header_detected_below_title_rows_and_generic_names_give_way():
    rows = [["应收账款明细表", "", "", ""], ["截止日期：2026-09-30", "", "", ""], ["", "", "", ""],
            ["日期", "单据日期", "客户", "客户名称"], ["2026-01-01", "2026-01-02", "C1", "Acme"]]
    h = detect_header(Sheet("x", "s", rows), _syn())
    assert h.first_row == 3
    assert h.assigned["invoice_date"] == 1 and h.assigned["buyer_name"] == 3 and h.assigned["buyer_id"] == 2
    assert ("invoice_date", 0, 1) in h.spare


def test_merged_two_row_header():
    rows = [["客户名称", "账龄", "", ""], ["", "未到期", "1-30天", "30天以上"], ["Acme", 1.0, 2.0, 3.0]]
    sheet = Sheet("x", "s", rows, merged=[(0, 1, 0, 3), (0, 0, 1, 0)])
    h = detect_header(sheet, _syn())
    assert (h.first_row, h.last_row) == (0, 1)
    assert [h.buckets[j] for j in (1, 2, 3)] == [Bucket("未到期", None, None), Bucket("1-30天", 1, 30),
                                                 Bucket("30天以上", 31, None)]


@pytest.mark.parametrize("header, scale, cur", [
    ("金额(万元)", 1e4, None), ("余额（万元）", 1e4, None), ("Amount (USD)", 1.0, "USD"), ("金额(千元)", 1e3, None),
    ("Balance in thousands", 1e3, None), ("金额(万元人民币)", 1e4, "CNY"), ("金额", 1.0, None),
])
def test_header_units(header, scale, cur):
    assert header_unit(header) == (scale, cur)


@pytest.mark.parametrize("text, value", [
    ("1,234.50", 1234.5), ("¥1,234.50", 1234.5), ("￥ 88", 88.0), ("$1,000", 1000.0), ("€2.5", 2.5), ("RMB 10", 10.0),
    ("(300.00)", -300.0), ("300.00-", -300.0), ("-300", -300.0), ("1 234.50", 1234.5), ("500.00 CR", -500.0),
])
def test_money_text_reaches_the_validator_as_numbers(text, value):
    cleaned, _ = clean_money(np.array([text], dtype=object))
    typed, bad, _ = convert_column(LEDGER.column("amount"), cleaned, np.array([2]))
    assert not bad[0] and typed[0] == pytest.approx(value)


def test_decimal_comma_detection_and_conflict():
    assert decimal_mark(np.array(["1.234,56", "7,5-"], dtype=object)) == ","
    assert decimal_mark(np.array(["1,234.56"], dtype=object)) == "."
    assert decimal_mark(np.array(["1,234", 5.0], dtype=object)) is None
    with pytest.raises(InputError, match="decimal"):
        decimal_mark(np.array(["1.234,56", "1,234.56"], dtype=object))


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_formats_round_trip(x):
    v = float(x)
    point = f"{abs(v):,.2f}"
    comma = point.replace(",", "X").replace(".", ",").replace("X", ".")
    sign = v < 0
    forms = [(f"({point})" if sign else point, "."), (f"{point}-" if sign else point, "."),
             (f"{comma}-" if sign else comma, ",")]
    for text, dec in forms:
        cleaned, _ = clean_money(np.array([text], dtype=object), dec)
        assert float(cleaned[0]) == pytest.approx(v, abs=1e-9)


@pytest.mark.parametrize("text, order, iso", [
    ("2024-03-01", None, "2024-03-01"), ("2024/3/1", None, "2024-03-01"), ("2024年3月1日", None, "2024-03-01"),
    ("01/03/2024", "dmy", "2024-03-01"), ("01/03/2024", "mdy", "2024-01-03"), ("30.09.2026", "dmy", "2026-09-30"),
    ("30-SEP-26", None, "2026-09-30"), ("30 Sep 2026", None, "2026-09-30"), ("Sep 30, 2026", None, "2026-09-30"),
    ("2024/3/1 0:00:00", None, "2024-03-01"), (45352.0, None, "2024-03-01"), (dt.datetime(2024, 3, 1, 8), None,
                                                                             "2024-03-01"),
])
def test_dates_reach_the_validator(text, order, iso):
    cleaned = clean_dates(np.array([text], dtype=object), order)
    typed, bad, probs = convert_column(LEDGER.column("invoice_date"), cleaned, np.array([2]))
    assert not bad[0], probs
    assert str(typed[0])[:10] == iso


def test_date_order_from_the_data():
    assert date_order(np.array(["13/01/2026", "01/02/2026"], dtype=object), "d") == "dmy"
    assert date_order(np.array(["01/13/2026", "01/02/2026"], dtype=object), "d") == "mdy"
    assert date_order(np.array(["01/02/2026"], dtype=object), "d") is None
    assert date_order(np.array(["01.02.2026"], dtype=object), "d") == "dmy"  # dotted dates are day-first


def test_currency_words():
    assert clean_currency(np.array(["人民币", "美元", "欧元", "usd", "RMB", ""], dtype=object)).tolist() == \
        ["CNY", "USD", "EUR", "USD", "CNY", ""]


def test_encodings():
    text = "客户名称,金额\n广州华锐,100\n"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig (BOM)")
    assert decode_text(text.encode("gbk")) == (text, "gb18030")
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16 (BOM)")


@pytest.mark.parametrize("text, kind", [
    ("小计", "subtotal"), ("合计", "total"), ("总计", "total"), ("Total", "total"), ("Subtotal", "subtotal"),
    ("Total for Acme Ltd", "subtotal"), ("Total 合计", "total"), ("本页小计", "subtotal"), ("*", "subtotal"),
    ("**", "total"), ("Total Aged Receivables", "total"), ("Acme Total Solutions", None), ("Totalcare GmbH", None),
])
def test_total_labels(text, kind):
    assert total_label(text) == kind


@given(st.sampled_from([Bucket("c", None, None), Bucket("a", 1, 30), Bucket("b", 31, 60), Bucket("d", 61, 90),
                        Bucket("e", 91, 120), Bucket("f", 121, None)]),
       st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2090, 1, 1)))
def test_synthetic_due_dates_fall_in_their_bucket(b, as_of):
    dpd = (as_of - synthetic_due(b, as_of)).days
    if b.lo is None:
        assert dpd <= 0
    else:
        assert dpd >= b.lo and (b.hi is None or dpd <= b.hi)


@pytest.mark.parametrize("label, lo, hi", [
    ("Current", None, None), ("1 - 30", 1, 30), ("31-60 days", 31, 60), ("91 and over", 91, None),
    ("> 120", 121, None), ("120+", 121, None), ("180天以上", 181, None), ("2 Months", 61, 90),
])
def test_bucket_headers(label, lo, hi):
    b = parse_bucket(label)
    assert (b.lo, b.hi) == (lo, hi)

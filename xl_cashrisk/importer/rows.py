"""Which rows below the header are data, and which are blank, repeated headers, totals or headings.

Exports carry structure that is not data: blank separator lines, the header repeated at each page
break, subtotal lines per buyer or per ageing section (小计, "Total for Acme Ltd"), a grand total
(合计, 总计, TOTAL) and section headings or footers ("1 - 30 days past due", "制表人：…"). Each such row is
skipped and reported with its row number and reason; totals rows also give the export's own totals,
which the import reconciles against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from xl_cashrisk.importer.ledgers import title_customer
from xl_cashrisk.importer.synonyms import normalise

__all__ = ["GRAND_TOTAL", "SUBTOTAL", "RowKinds", "classify_rows", "total_label"]

BLANK, DATA, HEADER, SUBTOTAL, GRAND_TOTAL, HEADING = "blank", "data", "header", "subtotal", "total", "heading"

_GRAND = frozenset({"合计", "总计", "共计", "总合计", "合计金额", "报表合计", "全部合计", "累计", "总额", "total", "totals",
                    "grandtotal", "reporttotal", "totalagedreceivables", "totalaccountsreceivable", "totalreceivables",
                    "totalar", "totaldue", "totaloutstanding", "totalallcustomers", "总计金额", "合计:", "sum"})
_ZH_TOTAL = re.compile(r"(小计|合计|总计|共计|累计)")
# period totals of a debit/credit ledger: dated, yet never movements (本月合计, 本年累计, 期末余额, 过次页 ...)
_PERIOD_TOTAL = re.compile(r"^(本[日月年期季]|本页|全年|当[月年期])?(发生额?)?(合计|小计|累计|总计)$|^期末余额$|^期末$|"
                           r"^(total\s+for\s+(the\s+)?(month|period|year)|closing\s+balance|balance\s+c/?f)$", re.I)
_EN_TOTAL = re.compile(r"^(grand\s+)?total(s)?\b|^sub-?\s?total\b|\btotal$|^sum\b", re.I)


def total_label(text: object) -> str | None:
    """'total' (grand total), 'subtotal' or ``None`` for a cell's text.

    >>> [total_label(t) for t in ("合计", "广州华锐 小计", "Total for Acme Ltd", "TOTAL", "Total Solutions Ltd", "Acme")]
    ['total', 'subtotal', 'subtotal', 'total', None, None]
    """
    if not isinstance(text, str) or not text.strip():
        return None
    if text.strip() == "*":  # SAP list output: "*" marks a subtotal line, "**" the total
        return SUBTOTAL
    if text.strip() in ("**", "***"):
        return GRAND_TOTAL
    s = " ".join(unicodedata.normalize("NFKC", text).split())
    key = normalise(s)
    if key in _GRAND or (len(s.split()) > 1 and all(normalise(p) in _GRAND for p in s.split())):  # "Total 合计"
        return GRAND_TOTAL
    if _ZH_TOTAL.search(s):
        return SUBTOTAL
    if re.match(r"^(sub-?\s?total|total\s+(for|of)\b|page\s+total)", s, re.I) or re.search(r"\s(sub)?total$", s, re.I):
        return SUBTOTAL
    if re.match(r"^total\s+(aged|accounts|receivables|a/r|ar|due|outstanding|amount|balance)\b", s, re.I):
        return GRAND_TOTAL
    return None


@dataclass
class RowKinds:
    kind: np.ndarray  # per row below the header: BLANK, DATA, HEADER, SUBTOTAL, GRAND_TOTAL, HEADING
    label: np.ndarray  # the text that decided a non-data row (for the report)
    group: np.ndarray  # per row: the customer heading above it (grouped detail reports), else None
    heading_of: np.ndarray  # per heading row: the customer it names, else None

    def grouped(self) -> bool:
        return any(g is not None for g in self.group[self.kind == DATA])


_SECTION = re.compile(r"past\s*due|overdue|current|not\s*(yet\s*)?due|days|month|older|逾期|未到期|账龄|天|"
                      r"制表|打印|printed|page|页|note|备注|说明|审核", re.I)
_TOTAL_OF = re.compile(r"^(total|totals|合计|小计)\s*(for|of|:|：)?\s*(.+)$", re.I)


def _customer_heading(text: str) -> bool:
    """A heading row that names a customer (filled down to its rows), not a section or a footer."""
    from xl_cashrisk.importer.ageing import parse_bucket

    return bool(text) and not _SECTION.search(text) and parse_bucket(text) is None and len(text) <= 80


def _blank(v: object) -> bool:
    return v is None or v == "" or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _figure(v: object) -> bool:
    """A cell that can hold a date or an amount: not blank, and text with at least one digit."""
    return not _blank(v) and (not isinstance(v, str) or any(ch.isdigit() for ch in v))


def classify_rows(block: list[list[object]], labels: list[str], *, id_cols: list[int], money_cols: list[int],
                  date_cols: list[int], key_cols: list[int]) -> RowKinds:
    """Kind of every row of ``block`` (the rows below the header).

    ``id_cols``: the document-number column(s); ``money_cols``: amount-like columns; ``date_cols``: date
    columns; ``key_cols``: columns that make a row a record even without an amount (register: buyer).
    A row is a heading/note when it has no amount, no date and no key value (a document number alone,
    or a footer text in the document-number column, is not a document). A heading of one cell that is not a
    section (``1 - 30 days past due``) or a footer names the customer of the rows below it, up to the next
    subtotal (``Total Acme Ltd``, ``Acme 小计``): grouped detail reports (Xero, QuickBooks, Tally, Sage).
    """
    n = len(block)
    group = np.full(n, None, dtype=object)
    heading_of = np.full(n, None, dtype=object)
    current: str | None = None  # the customer heading the rows below belong to
    kind = np.full(n, DATA, dtype=object)
    label = np.full(n, "", dtype=object)
    head_keys = [normalise(x) if x else "" for x in labels]
    for i, row in enumerate(block):
        filled = [j for j, v in enumerate(row) if not _blank(v)]
        if not filled:
            kind[i] = BLANK
            continue
        same = sum(1 for j in filled if j < len(head_keys) and head_keys[j] and isinstance(row[j], str)
                   and normalise(row[j]) == head_keys[j])
        if same >= 2:
            kind[i], label[i] = HEADER, "repeated header"
            continue
        any(not _blank(row[j]) for j in id_cols)
        has_date = any(_figure(row[j]) for j in date_cols)
        tot = None
        for j in filled:
            if j in money_cols:
                continue
            t = total_label(row[j])
            if t:
                tot = (t, str(row[j]).strip(), j)
                break
        if not tot and (id_cols or date_cols):  # "Total Acme Ltd" under the heading "Acme Ltd", no id, no date
            first = next((j for j in filled if isinstance(row[j], str) and j not in money_cols), None)
            m = _TOTAL_OF.match(" ".join(str(row[first]).split())) if first is not None else None
            if m:
                tot = (SUBTOTAL, str(row[first]).strip(), first)
        if not tot:
            period = next((j for j in filled if isinstance(row[j], str) and _PERIOD_TOTAL.match(row[j].strip())), None)
            if period is not None:
                tot = (SUBTOTAL, str(row[period]).strip(), period)
        if tot:  # the label's own cell does not count as a date or document number
            other_date = any(_figure(row[j]) for j in date_cols if j != tot[2])
            other_id = any(not _blank(row[j]) for j in id_cols if j != tot[2])
        strong = tot is not None and bool(_PERIOD_TOTAL.match(" ".join(tot[1].split())))
        if tot and (strong or (not other_date and not other_id)):
            kind[i], label[i] = tot[0], tot[1]
            current = current if strong else None  # a month total inside a customer's ledger keeps its customer
            continue
        has_money = any(_figure(row[j]) for j in money_cols)
        if has_money and date_cols and not has_date and all(j in money_cols for j in filled) and \
                not any(not _blank(row[j]) for j in id_cols):
            kind[i], label[i] = SUBTOTAL, "amounts only (an unlabelled total)"
            continue
        has_key = any(not _blank(row[j]) for j in key_cols)
        if not (has_money or has_date or has_key):
            kind[i] = HEADING
            text = " ".join(str(row[j]).strip() for j in filled)
            label[i] = text[:60]
            if len(filled) == 1 and _customer_heading(text):
                named = title_customer([(0, text)])
                current = named[0] if named else text
                heading_of[i] = current
            continue
        group[i] = current
    return RowKinds(kind, label, group, heading_of)

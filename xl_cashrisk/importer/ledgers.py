"""Debit/credit ledgers (往来明细账, 应收账款明细账, customer statements) → open items, first in, first out.

A debit/credit ledger lists movements, not invoices: 日期 / 摘要 / 借方 / 贷方 / 余额. The open items are
reconstructed per customer by the FIFO rule (docs/import.md, "Debit/credit ledgers"):

* each debit (a sale, a debit note, an opening debit balance) opens an item dated on its own row;
* each credit (a receipt, a credit note, a negative debit) settles the oldest open items first: an item
  settled in full is paid on the credit's date, the last one settled in part keeps its remainder open with
  its own date;
* a credit larger than every open item is kept as an unapplied credit and settles the next debits; what is
  left at the end is one credit item (negative amount, "unapplied receipts");
* rows of one customer are taken in date order (rows of the same date in ledger order).

So the open amount per customer equals the ledger's closing balance by construction; the import checks it
against the ledger's own 余额 (balance) column. FIFO is the convention of Chinese practice and of
auditors' ageing of 往来 accounts when receipts are not matched to invoices; where the ledger does match them
(a 核销 / matching / invoice-reference column), the matching is the truth and FIFO can misdate items.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict, deque
from dataclasses import dataclass

import numpy as np

__all__ = ["CARRIED", "OPENING", "Item", "fifo_open_items"]

TOL = 0.005
OPENING = re.compile(r"期初|年初|上年结转|上期结转|上年余额|opening\s*balance|brought\s*forward|balance\s*b/?f|^b/?f$",
                     re.I)
CARRIED = re.compile(r"承前页|过次页|转下页|carried\s*forward|c/f\b", re.I)  # page carry-overs: not movements


@dataclass
class Item:
    """One reconstructed ledger item (a debit, or the unapplied credit left at the end)."""

    row: int  # source row of the debit (or of the last unapplied credit)
    customer: str
    date: dt.date | None
    amount: float
    doc: object = None
    text: object = None
    paid: float = 0.0
    last_payment: dt.date | None = None
    unapplied: bool = False


def fifo_open_items(rows: np.ndarray, customer: np.ndarray, date: np.ndarray, movement: np.ndarray,
                    doc: np.ndarray, text: np.ndarray) -> list[Item]:
    """Items of a ledger by FIFO. ``movement`` is debit − credit per row (opening balances signed likewise).

    >>> d = [dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 1)]
    >>> items = fifo_open_items(np.array([2, 3, 4]), np.array(["A"] * 3, dtype=object), np.array(d, dtype=object),
    ...                         np.array([5000.0, 7000.0, -5000.0]), np.full(3, None), np.full(3, None))
    >>> [(i.amount, i.paid, i.amount - i.paid, i.last_payment) for i in items]
    [(5000.0, 5000.0, 0.0, datetime.date(2026, 3, 1)), (7000.0, 0.0, 7000.0, None)]
    """
    by_customer: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(customer):
        by_customer[c].append(i)
    out: list[Item] = []
    for c, idx in by_customer.items():
        first = min((date[i] for i in idx if date[i] is not None), default=None)
        order = sorted(idx, key=lambda i: (date[i] or first or dt.date.min, i))
        open_: deque[Item] = deque()
        credits: deque[list] = deque()  # [amount left, date, row]
        for i in order:
            m = float(movement[i])
            if abs(m) <= TOL:
                continue
            when = date[i] if date[i] is not None else first
            if m > 0:
                item = Item(int(rows[i]), c, when, m, doc[i], text[i])
                while credits and item.amount - item.paid > TOL:
                    _apply(item, credits[0], when)
                    if credits[0][0] <= TOL:
                        credits.popleft()
                out.append(item)
                if item.amount - item.paid > TOL:
                    open_.append(item)
            else:
                credit = [-m, when, int(rows[i])]
                while open_ and credit[0] > TOL:
                    _apply(open_[0], credit, when)
                    if open_[0].amount - open_[0].paid <= TOL:
                        open_.popleft()
                if credit[0] > TOL:
                    credits.append(credit)
        left = sum(cr[0] for cr in credits)
        if left > TOL:
            last = credits[-1]
            out.append(Item(last[2], c, last[1], -round(left, 2), None, "unapplied receipts / credits (FIFO)",
                            unapplied=True))
    out.sort(key=lambda it: it.row)
    return out


def _apply(item: Item, credit: list, when: dt.date | None) -> None:
    take = min(item.amount - item.paid, credit[0])
    item.paid = round(item.paid + take, 2)
    credit[0] = round(credit[0] - take, 2)
    item.last_payment = max(d for d in (when, credit[1]) if d is not None) if (when or credit[1]) else None


_CREDIT_SIDE = frozenset({"贷", "贷方", "cr", "credit", "c"})
_NIL_SIDE = frozenset({"平", "nil", "0"})


def balance_sign(direction: np.ndarray) -> np.ndarray:
    """+1 for a debit balance (借, Dr, blank), −1 for a credit balance (贷, Cr), 0 for 平 (nil).

    >>> balance_sign(np.array(["借", "贷", "平", None, "Cr"], dtype=object)).tolist()
    [1.0, -1.0, 0.0, 1.0, -1.0]
    """
    out = np.ones(len(direction))
    for i, v in enumerate(direction):
        t = str(v).strip().casefold() if isinstance(v, str) else ""
        out[i] = -1.0 if t in _CREDIT_SIDE else 0.0 if t in _NIL_SIDE else 1.0
    return out


_TITLE_CUSTOMER = (
    re.compile(r"(?:客户|往来单位|单位名称|购货单位|客户名称|核算项目|对方单位|customer|client|account\s*name|bill\s*to|"
               r"statement\s*(?:of\s*account\s*)?for|to)\s*[:：]\s*(.+)", re.I),
    re.compile(r"应收账款\s*[-—–_/|]+\s*(.+)"),
)
_TITLE_STOP = re.compile(r"\s{2,}|\s(?:期间|日期|币种|币别|科目|会计期间|period|date|currency)\s*[:：]|[（(]\d", re.I)


def title_customer(lines: list[tuple[int, str]]) -> tuple[str, int] | None:
    """(customer, Excel row) named in the title rows of a one-customer ledger or statement.

    >>> title_customer([(1, "应收账款明细账"), (2, "客户：广州华锐贸易有限公司    期间：2026年1月-9月")])
    ('广州华锐贸易有限公司', 2)
    >>> title_customer([(2, "科目：1122 应收账款—深圳恒通电子")]), title_customer([(1, "Statement")])
    (('深圳恒通电子', 2), None)
    """
    for row, line in lines:
        for rx in _TITLE_CUSTOMER:
            m = rx.search(line)
            if m:
                name = _TITLE_STOP.split(m.group(1).strip())[0].strip(" ：:;；,，")
                if name:
                    return name, row
    return None

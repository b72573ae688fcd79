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
import pandas as pd

from xl_cashrisk.errors import InputError
from xl_cashrisk.schemas import values as V

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


def _as_date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10]) if isinstance(v, str) and v.strip() else None
    except ValueError:
        return None


class DebitCreditLedger:
    """The importer's steps for a debit/credit ledger (mixed into ``core._Importer``: it uses its columns,
    notes, errors and dates)."""

    def statement_as_ledger(self, amounts: dict[str, np.ndarray]) -> bool:
        """A statement (对账单) whose amount / received / balance columns are movements and a running balance
        (each balance = the one above + amount − received), not one invoice per row: read it as debit/credit."""
        if not {"amount", "paid_amount", "open_amount"} <= amounts.keys() or len(self.rows) < 3:
            return False
        a, p = np.nan_to_num(amounts["amount"]), np.nan_to_num(amounts["paid_amount"])
        o = amounts["open_amount"]
        per_row = np.abs(a - p - np.nan_to_num(o)) <= TOL
        running = np.abs(o[1:] - o[:-1] - (a[1:] - p[1:])) <= TOL
        if running.mean() < 0.8 or per_row.mean() >= 0.5:
            return False
        amounts["debit"], amounts["credit"] = amounts.pop("amount"), amounts.pop("paid_amount")
        self.note(f"'{self.label('open_amount')}' is a running balance (each row's balance is the one above plus "
                  f"'{self.label('amount')}' less '{self.label('paid_amount')}'): read as a debit/credit ledger")
        return True

    def debit_credit(self, amounts: dict[str, np.ndarray], syms) -> dict[str, np.ndarray]:
        """A debit/credit ledger → one item per debit by FIFO (:mod:`.ledgers`), checked against 余额."""
        self.rep.layout = "debit/credit ledger (open items by FIFO)"
        n = len(self.rows)
        texts = np.array([str(x) if isinstance(x, str) else "" for x in self.col("note")], dtype=object)
        carried = np.array([bool(CARRIED.search(t)) for t in texts], dtype=bool)
        opening = np.array([bool(OPENING.search(t)) for t in texts], dtype=bool) & ~carried
        sign = balance_sign(self.col("direction"))
        bal = amounts.get("open_amount")
        movement = np.nan_to_num(amounts["debit"]) - np.nan_to_num(amounts["credit"])
        if bal is not None:
            signed = np.where(np.isnan(bal), np.nan, bal * sign)
            take = opening & (np.abs(movement) <= TOL) & ~np.isnan(signed)
            movement[take] = signed[take]
        movement[carried] = 0.0
        for i in np.flatnonzero(carried):
            self.errors[int(self.rows[i])].append("CARRIED")
        names = self.ledger_customers(carried)
        dates = self.dates("invoice_date") if "invoice_date" in self.h.assigned else np.full(n, None, dtype=object)
        when = np.array([_as_date(x) for x in dates], dtype=object)
        for i in np.flatnonzero((when == None) & ~V.is_blank(dates)):  # noqa: E711
            self.errors[int(self.rows[i])].append(f"column '{self.label('invoice_date')}': not a date: {dates[i]!r}")
        cur = self.currencies(syms)
        items = fifo_open_items(self.rows, names, when, movement, self.col("invoice_no"), texts)
        self.closing_balance(names, np.where(carried, np.nan, bal) if bal is not None else None, sign, cur)
        self.note(f"debit/credit ledger: {int((movement > TOL).sum())} debit(s) and "
                  f"{int((movement < -TOL).sum())} credit(s) of {len(set(names))} customer(s) matched first in, "
                  f"first out: each credit settles the oldest open debit (docs/import.md); {len(items)} item(s), "
                  f"{sum(1 for it in items if it.amount - it.paid > TOL)} still open"
                  + (f"; {int(opening.sum())} opening-balance row(s) taken as open debits" if opening.any() else ""))
        pos = {int(r): i for i, r in enumerate(self.rows)}
        terms = float(self.m.defaults.get("terms_days", 0))
        raw = {
            "invoice_no": [it.doc if isinstance(it.doc, str) and it.doc.strip() and not it.unapplied else
                           f"{'UNAPPLIED' if it.unapplied else 'ROW'}{it.row}" for it in items],
            "buyer_id": [it.customer for it in items], "buyer_name": [it.customer for it in items],
            "doc_type": ["CN" if it.amount < 0 else "INV" for it in items],
            "invoice_date": [it.date for it in items], "terms_days": [terms] * len(items),
            "due_date": [None] * len(items), "currency": [cur[pos[it.row]] for it in items],
            "amount": [it.amount for it in items], "paid_amount": [it.paid for it in items],
            "last_payment_date": [it.last_payment for it in items], "disputed": [None] * len(items),
            "note": [(it.text or None) for it in items],
        }
        self.note(f"due dates: {'item date + ' + str(int(terms)) + ' days ([defaults] terms_days)' if terms else 'the item date (terms 0): a ledger has no due dates; set [defaults] terms_days in a mapping file'}")
        self.rows = np.array([it.row for it in items], dtype=np.int64)
        return {k: np.array(v, dtype=object) if v else np.empty(0, dtype=object) for k, v in raw.items()}

    def compose_dates(self) -> None:
        """年 | 月 | 日 columns (Yonyou) → one date column; the year from its column, else the title rows."""
        year_col = self.col("year_part")
        title = " ".join(str(v) for r in self.sh.rows[:self.h.first_row] for v in r if isinstance(v, str))
        found = re.search(r"(20\d{2}|19\d{2})\s*(?:年|[.\-/]\s*\d{1,2})", title)
        default_year = int(found.group(1)) if found else (self.as_of.year if self.as_of else None)
        out = np.full(len(self.rows), None, dtype=object)
        for i, (y, mo, d) in enumerate(zip(year_col, self.col("month_part"), self.col("day_part"), strict=True)):
            try:
                yy = int(float(y)) if not V.is_blank(np.array([y], dtype=object))[0] else default_year
                out[i] = dt.date(int(yy), int(float(mo)), int(float(d))) if yy else None
            except (TypeError, ValueError):
                out[i] = None
        if default_year is None and "year_part" not in self.h.assigned:
            raise InputError("the dates are in 月 | 日 columns and no year is given: put the year in the title "
                             "(2026年) or run again with --as-of", self.sh.where(self.h.excel_row()))
        self.grid = np.column_stack([self.grid, out]) if len(self.grid) else np.empty((0, self.grid.shape[1] + 1),
                                                                                   dtype=object)
        self.h.labels.append("年/月/日")
        self.h.assigned["invoice_date"] = len(self.h.labels) - 1
        self.note("dates built from the 年/月/日 columns" + ("" if "year_part" in self.h.assigned else
                                                          f", year {default_year} from the title rows"))

    def ledger_customers(self, carried: np.ndarray) -> np.ndarray:
        """Customer per row: the customer column (printed once per customer: filled down), the heading rows of
        a grouped ledger, else the title row."""
        names = self.col("buyer_name").copy()
        names[carried] = None
        if not V.is_blank(names).all():
            names = pd.Series(names, dtype=object).where(~V.is_blank(names)).ffill().to_numpy(dtype=object)
        blank = V.is_blank(names)
        if not blank.any():
            return np.array([str(x).strip() for x in names], dtype=object)
        found = title_customer([(r + 1, " ".join(str(v) for v in self.sh.rows[r] if isinstance(v, str)))
                                for r in range(self.h.first_row)])
        if found is None and blank.all() and "buyer_name" not in self.m.defaults:
            raise InputError("a debit/credit ledger needs its customer: a customer column (客户/往来单位), a heading "
                             "row per customer, or the title row (客户：<name>); or set [defaults] buyer_name in a "
                             "mapping file", self.sh.where(self.h.excel_row()))
        if found is None and "buyer_name" in self.m.defaults:
            found = (str(self.m.defaults["buyer_name"]), 0)
        if found is not None:
            self.note(f"customer '{found[0]}' from " + (f"title row {found[1]}" if found[1] else "the mapping file"))
        names = names.copy()
        names[blank] = found[0] if found else None
        return np.array([str(x).strip() if x is not None else "?" for x in names], dtype=object)

    def closing_balance(self, names: np.ndarray, bal: np.ndarray | None, sign: np.ndarray, cur: np.ndarray) -> None:
        """The ledger's own closing balance (last 余额 per customer), the figure the items must add up to."""
        if bal is None:
            self.note("no balance (余额) column: the reconstructed items cannot be checked against the ledger")
            return
        last: dict[str, tuple[str, float]] = {}
        for c, b, s, k in zip(names, bal, sign, cur, strict=True):
            if not np.isnan(b):
                last[c] = (k if isinstance(k, str) else "*", float(b * s))
        out: dict[str, float] = defaultdict(float)
        for k, v in last.values():
            out[k] += v
        self.stated_override = dict(out)


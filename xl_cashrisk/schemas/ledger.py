"""The AR ledger table: one row per invoice or credit note, open and paid items.

Column keys follow the agreed data model. ``open_amount`` is derived (``amount − paid_amount``), never
typed: the template fills it with a live formula and the reader recomputes it. :func:`ledger_rules` are the
table's cross-column rules (sign vs document type, paid vs amount, due date, currency), run by every reader.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.rules import Problem, RuleContext, register_rule
from xl_cashrisk.schemas.schema import Column, Table

DOC_TYPES = ("INV", "CN")  # invoice, credit note
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_TOLERANCE = 0.005  # half a cent: paid vs amount comparisons
_ISO = re.compile(r"[A-Z]{3}")

LEDGER = Table(
    key="ledger",
    sheet="AR Ledger",
    name="Ledger",
    title_zh="应收账款明细",
    title_en="Accounts receivable ledger",
    description_zh="每行一张发票或贷项通知单（红字发票），包括未收和已收款项，建议覆盖最近约12个月。",
    description_en="One row per invoice or credit note, open and paid items, ideally covering the last ~12 months.",
    key_columns=("invoice_no",),
    columns=(
        Column(
            "invoice_no", "发票号码", "Invoice no.", "text", required=True, unique=True, width=16,
            help_zh="发票或贷项通知单号码，整张表内不得重复。",
            help_en="Invoice or credit-note number; must be unique in the ledger.",
            example="INV-2026-0001",
        ),
        Column(
            "buyer_id", "客户编号", "Buyer ID", "text", required=True, width=12,
            help_zh="客户编号，与客户档案表中的编号一致。",
            help_en="Buyer ID, the same as in the buyer register.",
            example="B001",
        ),
        Column(
            "buyer_name", "客户名称", "Buyer name", "text", width=28,
            help_zh="客户名称（仅供阅读）。", help_en="Buyer name (for reading only).",
            example="Guangzhou Example Trading Co.",
        ),
        Column(
            "doc_type", "单据类型", "Doc type", "choice", allowed=DOC_TYPES, default="INV", width=10,
            help_zh="INV = 发票，CN = 贷项通知单（红字）。留空视为 INV。",
            help_en="INV = invoice, CN = credit note. Blank means INV.",
            example="INV",
        ),
        Column(
            "invoice_date", "开票日期", "Invoice date", "date", required=True, width=13,
            number_format=DATE_FORMAT,
            help_zh="开票日期。", help_en="Invoice date.",
            example=dt.date(2026, 8, 15),
        ),
        Column(
            "terms_days", "账期天数", "Terms (days)", "integer", minimum=0, maximum=3650, width=11,
            number_format="0",
            help_zh="付款账期（天），≥0。到期日留空时用开票日期 + 账期计算。",
            help_en="Payment terms in days, ≥ 0. Used for the due date when that is blank.",
            example=60,
        ),
        Column(
            "due_date", "到期日", "Due date", "date", width=13, number_format=DATE_FORMAT,
            help_zh="到期日；留空则为开票日期 + 账期天数。到期日和账期至少填一项。",
            help_en="Due date; blank means invoice date + terms. Give at least one of the two.",
        ),
        Column(
            "currency", "币种", "Currency", "text", required=True, width=9,
            help_zh="ISO 币种代码，如 CNY、USD、EUR；非本位币须在设置表的汇率表中给出汇率。",
            help_en="ISO currency code such as CNY, USD, EUR; other than home currency it needs a rate "
            "in the Settings sheet's FX table.",
            example="CNY",
        ),
        Column(
            "amount", "金额", "Amount", "number", required=True, width=15, number_format=MONEY_FORMAT,
            help_zh="含税金额（原币）。发票为正数，贷项通知单为负数。",
            help_en="Gross amount in the document currency: positive for invoices, negative for credit notes.",
            example=100000.0,
        ),
        Column(
            "paid_amount", "已收金额", "Paid amount", "number", default=0.0, width=15,
            number_format=MONEY_FORMAT,
            help_zh="已收（已核销）金额，与金额同号且绝对值不超过金额。留空视为 0。",
            help_en="Amount paid or applied so far: same sign as the amount and not larger. Blank means 0.",
            example=0.0,
        ),
        Column(
            "last_payment_date", "最近收款日", "Last payment date", "date", width=14,
            number_format=DATE_FORMAT,
            help_zh="最近一次收款日期；已收金额不为 0 时必填，全部收回时即为收款日。",
            help_en="Date of the latest payment; required when the paid amount is not 0 (the pay date "
            "for a fully paid invoice).",
        ),
        Column(
            "disputed", "是否争议", "Disputed", "bool", default=False, width=10,
            help_zh="客户对该发票有争议填 TRUE，否则留空或 FALSE。",
            help_en="TRUE if the buyer disputes this invoice; otherwise blank or FALSE.",
            example=False,
        ),
        Column(
            "note", "备注", "Note", "text", width=24,
            help_zh="备注（可选）。", help_en="Free note (optional).",
        ),
        Column(
            "open_amount", "未收金额", "Open amount", "number", width=15, number_format=MONEY_FORMAT,
            result=True, formula='=IF({amount}="","",{amount}-N({paid_amount}))',
            help_zh="未收金额 = 金额 − 已收金额（自动计算，请勿填写）。",
            help_en="Open amount = amount − paid amount (calculated; do not type).",
        ),
    ),
)

# A few rows shown in the template (sample as-of 2026-09-30, home currency CNY).
EXAMPLE_ROWS: tuple[dict[str, object], ...] = (
    {"invoice_no": "INV-2026-0001", "buyer_id": "B001", "buyer_name": "Guangzhou Example Trading Co.",
     "doc_type": "INV", "invoice_date": dt.date(2026, 8, 15), "terms_days": 60, "currency": "CNY",
     "amount": 100000.0, "paid_amount": 0.0, "disputed": False},
    {"invoice_no": "INV-2026-0002", "buyer_id": "B002", "buyer_name": "Hamburg Import GmbH",
     "doc_type": "INV", "invoice_date": dt.date(2026, 6, 1), "terms_days": 30,
     "due_date": dt.date(2026, 7, 1), "currency": "EUR", "amount": 20000.0, "paid_amount": 5000.0,
     "last_payment_date": dt.date(2026, 7, 20), "disputed": False, "note": "part paid"},
    {"invoice_no": "CN-2026-0001", "buyer_id": "B002", "buyer_name": "Hamburg Import GmbH",
     "doc_type": "CN", "invoice_date": dt.date(2026, 7, 5), "terms_days": 0, "currency": "EUR",
     "amount": -1500.0, "paid_amount": 0.0, "disputed": False, "note": "price adjustment"},
)


# ---------------------------------------------------------------------------------------- rules


EMPTY_LEDGER = ("the ledger holds no rows: nothing to age (fill it, or import the open-item list or debit/credit "
                "ledger with `xl-cashrisk import`)")


@register_rule("ledger")
def ledger_rules(ctx: RuleContext) -> list[Problem]:
    """Cross-column checks of the AR ledger (data model): sign vs doc type, paid vs amount, due date,
    payment date, currency. Derives ``due_date`` (invoice date + terms) and ``open_amount`` in place."""
    f, bad = ctx.frame, ctx.bad
    out: list[Problem] = []
    inv_date = f["invoice_date"].to_numpy()
    terms = f["terms_days"].to_numpy(dtype=float)
    due = f["due_date"].to_numpy().copy()
    amount = f["amount"].to_numpy(dtype=float)
    paid = f["paid_amount"].to_numpy(dtype=float)
    doc = f["doc_type"].to_numpy(dtype=object)
    paydate = f["last_payment_date"].to_numpy()

    neither = np.isnat(due) & np.isnan(terms) & ~bad["due_date"] & ~bad["terms_days"]
    out += ctx.problems("error", "due_date", neither, "give a due date or the terms in days (one of the two)")
    derive = np.isnat(due) & ~np.isnan(terms) & ~np.isnat(inv_date)
    if derive.any():
        due[derive] = inv_date[derive] + (terms[derive].astype("int64") * np.timedelta64(1, "D"))
        f["due_date"] = due
    early = ~np.isnat(due) & ~np.isnat(inv_date) & (due < inv_date)
    out += ctx.problems("warning", "due_date", early & ~derive, "due date is before the invoice date")

    is_cn = doc == "CN"
    is_inv = doc == "INV"
    out += ctx.problems("error", "amount", is_inv & (amount <= 0),
                        lambda i: f"an invoice (INV) needs a positive amount, got {V.show(amount[i])}; "
                                  "use doc type CN for a credit note")
    out += ctx.problems("error", "amount", is_cn & (amount >= 0),
                        lambda i: f"a credit note (CN) needs a negative amount, got {V.show(amount[i])}")
    opposite = (paid * amount) < 0
    out += ctx.problems("error", "paid_amount", opposite,
                        lambda i: f"paid amount {V.show(paid[i])} has the opposite sign of the amount "
                                  f"{V.show(amount[i])}")
    over = ~opposite & (np.abs(paid) > np.abs(amount) + MONEY_TOLERANCE)
    out += ctx.problems("error", "paid_amount", over,
                        lambda i: f"paid amount {V.show(paid[i])} is larger than the amount "
                                  f"{V.show(amount[i])}")
    need_date = (paid != 0) & ~np.isnan(paid) & np.isnat(paydate) & ~bad["last_payment_date"]
    out += ctx.problems("error", "last_payment_date", need_date,
                        "required when the paid amount is not 0")
    before = ~np.isnat(paydate) & ~np.isnat(inv_date) & (paydate < inv_date)
    out += ctx.problems("warning", "last_payment_date", before, "payment date is before the invoice date")

    cur = f["currency"].to_numpy(dtype=object)
    codes, uniq = pd.factorize(cur)  # few distinct currencies: check each once
    filled = codes >= 0
    uniq_upper = np.array([str(c).upper() for c in uniq] + [None], dtype=object)
    upper = uniq_upper[codes]
    f["currency"] = upper
    code_ok = np.array([bool(_ISO.fullmatch(c)) for c in uniq_upper[:-1]] + [False], dtype=bool)[codes]
    out += ctx.problems("error", "currency", filled & ~code_ok,
                        lambda i: f"expected a 3-letter ISO currency code such as CNY, got {V.show(cur[i])}")
    if ctx.settings is not None:
        home = ctx.settings.home_currency.upper()
        known = {home, *(k.upper() for k in ctx.settings.fx_rates)}
        known_u = np.array([c in known for c in uniq_upper[:-1]] + [True], dtype=bool)
        unknown = filled & code_ok & ~known_u[codes]
        out += ctx.problems("error", "currency", unknown,
                            lambda i: f"no FX rate for {upper[i]} to {home}; add it to the Settings sheet's "
                                      "FX table")
        as_of = np.datetime64(ctx.settings.as_of, "ns")
        future = ~np.isnat(inv_date) & (inv_date > as_of)
        out += ctx.problems("warning", "invoice_date", future,
                            f"invoice date is after the as-of date {ctx.settings.as_of.isoformat()}")

    f["open_amount"] = amount - np.where(np.isnan(paid) & ~np.isnan(amount), 0.0, paid)
    return out

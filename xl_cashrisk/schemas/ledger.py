"""The AR ledger table: one row per invoice or credit note, open and paid items.

Column keys follow the agreed data model. ``open_amount`` is derived (``amount − paid_amount``), never
typed: the template fills it with a live formula and the reader recomputes it.
"""

from __future__ import annotations

import datetime as dt

from xl_cashrisk.schemas.schema import Column, Table

DOC_TYPES = ("INV", "CN")  # invoice, credit note
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

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

"""Header synonyms of accounting and ERP exports, Chinese and English, and header-text normalisation.

Each import *target* is a schema column key (``invoice_no``, ``amount`` ...) or an import-only role
(``open_amount``: the open balance; ``amount_home``/``open_home``: the same in home currency, used
only when the document-currency column is missing; ``row_total``: an ageing export's total column).
Tier 1 names say what the column is; tier 2 names are generic ("Date", "Customer", "Total") and give
way to a tier-1 match of the same target. Headers in :data:`IGNORED` are recognised and listed as
"known, not imported" rather than "unmatched".

The lists follow real exports: Kingdee 金蝶 (应收单/收款单 lists, 应收款明细表, 账龄分析表), Yonyou 用友
(U8/NC 应收明细账, 客户往来账龄), SAP (FBL5N customer line items, S_ALR_87012178 due-date analysis),
Oracle Receivables (aging by account, transaction register), QuickBooks (A/R Aging Detail/Summary),
Xero (Aged Receivables Detail/Summary) and bank or factoring portal statements.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from xl_cashrisk.schemas.values import bool_words

__all__ = [
    "COUNTRIES",
    "CURRENCY_WORDS",
    "DOC_TYPES",
    "IGNORED",
    "SECTORS",
    "SYNONYMS",
    "UNIT_SCALES",
    "clean_countries",
    "clean_currency",
    "clean_doc_types",
    "clean_sectors",
    "customer_accounts",
    "header_unit",
    "lookup",
    "normalise",
]

_T = tuple[tuple[str, ...], tuple[str, ...]]  # (tier 1, tier 2)

LEDGER_SYNONYMS: dict[str, _T] = {
    "invoice_no": (
        ("发票号", "发票号码", "发票编号", "单据编号", "单据号", "单据号码", "单号", "业务单号", "应收单号",
         "销售发票号", "发票代码号码", "票据号", "票号", "invoice no", "invoice number", "invoice #", "invoice#",
         "inv no", "invoice num", "document number", "document no", "doc no", "doc number", "documentno",
         "transaction number", "trx number", "bill no", "bill number", "num", "invoicenumber", "doc_id",
         "document id", "ref no", "ref. no.", "bill ref", "bill reference", "invoice id", "凭证编号"),
        ("单据", "发票", "订单号", "合同号", "invoice", "reference", "ref", "document", "number", "no",
         "transaction", "参考号", "invoice ref", "invoice reference"),
    ),
    "buyer_name": (
        ("客户名称", "客户全称", "购货单位", "购货单位名称", "购买方", "购买方名称", "购方名称", "往来单位",
         "往来单位名称", "单位名称", "买方", "买方名称", "债务人", "债务人名称", "customer name", "buyer name",
         "buyer", "debtor", "debtor name", "client", "client name", "contact", "contact name", "account name",
         "name 1", "name1", "bill to", "sold-to name", "customer full name", "name_customer", "party's name",
         "party name", "party", "ledger name", "supplier name", "vendor name"),
        ("客户", "客户简称", "customer", "name", "company", "公司名称"),
    ),
    "buyer_id": (
        ("客户编号", "客户编码", "客户代码", "客户id", "往来单位编码", "往来单位编号", "单位编码", "购货单位编码",
         "customer id", "customer no", "customer number", "customer code", "customer account",
         "customer account number", "account number", "debtor no", "debtor code", "debtor id", "buyer id",
         "buyer code", "client id", "client code", "account no", "sold-to", "sold-to party", "contact code",
         "cust_number", "customerid", "kunnr"),
        ("客户", "customer", "account"),
    ),
    "doc_type": (
        ("单据类型", "单据类别", "document type", "doc type", "doc. type", "transaction type", "trx type",
         "type of document", "invoice type", "凭证类型"),
        ("业务类型", "类型", "发票类型", "type", "class"),
    ),
    "invoice_date": (
        ("开票日期", "发票日期", "单据日期", "业务日期", "invoice date", "document date", "doc date",
         "doc. date", "transaction date", "trx date", "inv date", "bill date", "billing date", "发货日期"),
        ("日期", "记账日期", "过账日期", "制单日期", "出库日期", "date", "posting date", "gl date"),
    ),
    "terms_days": (
        ("账期", "账期天数", "账期(天)", "信用期", "信用天数", "信用期限", "付款期限", "收款期限", "credit days",
         "terms days", "terms (days)", "payment terms days", "days terms"),
        ("收款条件", "付款条件", "结算期", "payment terms", "terms", "credit terms"),
    ),
    "due_date": (
        ("到期日", "到期日期", "应收日期", "收款到期日", "付款到期日", "due date", "net due date",
         "payment due date", "due on", "maturity date", "maturity", "due_in_date", "duedate"),
        ("预计收款日期", "due", "到期"),
    ),
    "currency": (
        ("币别", "币种", "币制", "货币", "原币币别", "原币币种", "currency", "currency code", "document currency",
         "invoice currency", "invoice_currency", "trx currency", "doc currency", "crcy", "ccy", "curr", "curr.", "cur"),
        (),
    ),
    "amount": (
        ("金额", "原币金额", "金额原币", "发票金额", "价税合计", "应收金额", "单据金额", "含税金额", "开票金额",
         "应收款", "invoice amount", "original amount", "amount in doc curr", "amount in dc",
         "amount in doc. curr.", "amount doc curr", "amount (dc)", "gross amount", "invoice total",
         "transaction amount", "original invoice amount", "face value", "invoice value", "amount",
         "invoiceamount", "converted_usd", "amount due original", "total_open_amount", "opening amount", "bill amount", "wrbtr"),
        ("原始金额", "total amount"),
    ),
    "amount_home": (
        ("本位币金额", "金额本位币", "本币金额", "金额本币", "人民币金额", "折人民币", "折合本位币",
         "amount in lc", "amount in local currency", "amount (lc)", "local amount", "amount lc",
         "functional amount", "amount in local curr", "amount in local curr."),
        (),
    ),
    "paid_amount": (
        ("已收金额", "已收款", "已收", "收款金额", "已核销金额", "核销金额", "已结算金额", "累计收款", "回款金额",
         "已回款", "paid amount", "amount paid", "paid", "amount received", "received", "applied amount",
         "payments", "payments received", "paid to date"),
        (),
    ),
    "open_amount": (
        ("未收金额", "未收款", "余额", "未核销金额", "应收余额", "期末余额", "未结算金额", "剩余金额", "欠款",
         "欠款金额", "尚欠金额", "未回款金额", "原币余额", "余额原币", "open amount", "open balance", "balance",
         "balance due", "amount due", "outstanding", "outstanding amount", "amount outstanding", "remaining",
         "remaining amount", "remaining balance", "due amount", "open", "open amount dc", "unpaid",
         "unpaid amount", "outstanding balance", "pending amount", "amount due remaining", "balance remaining",
         "pending", "closing balance"),
        (),
    ),
    "open_home": (
        ("本位币余额", "余额本位币", "本币余额", "余额本币", "未收本位币", "open amount lc", "balance lc",
         "outstanding lc", "open amount in lc"),
        (),
    ),
    "last_payment_date": (
        ("最近收款日", "最近收款日期", "最后收款日", "最后收款日期", "收款日期", "核销日期", "回款日期",
         "last payment date", "last payment", "payment date", "paid date", "date paid", "clearing date",
         "last receipt date", "receipt date", "settled date", "settleddate", "settlement date", "date settled",
         "clear date", "clear_date", "cleared date", "date cleared", "cleared on", "augdt", "paid on",
         "fully paid on", "fully paid on date", "date closed", "actual date closed", "closed date", "close date",
         "结清日期", "结算日期", "销账日期", "到账日期", "回款时间", "收款时间", "核销时间"),
        (),
    ),
    "disputed": (
        ("是否争议", "争议", "争议标记", "有争议", "disputed", "dispute", "in dispute", "dispute flag"),
        (),
    ),
    "note": (
        ("备注", "摘要", "说明", "note", "notes", "memo", "memo/description", "remarks", "remark",
         "comment", "comments", "text", "description"),
        ("内容",),
    ),
    # debit/credit ledgers (往来明细账, customer statements): movements, reconstructed into items (ledgers.py)
    "debit": (
        ("借方", "借方金额", "借方发生额", "本期借方", "本期应收", "本期增加", "借方本币", "借方原币", "借方（原币）", "debit", "debits",
         "debit amount", "dr amount", "charges", "invoiced"),
        ("借",),
    ),
    "credit": (
        ("贷方", "贷方金额", "贷方发生额", "本期贷方", "本期收款", "本期收回", "本期回款", "本期减少", "贷方本币", "贷方原币", "贷方（原币）", "credit", "credits",
         "credit amount", "cr amount", "receipts", "payments and credits"),
        ("贷",),
    ),
    # Yonyou 明细账 prints the date as 年 | 月 | 日 columns (the year often only in the title)
    "year_part": (("年", "年度"), ()),
    "month_part": (("月", "月份"), ()),
    "day_part": (("日",), ()),
    "direction": (("方向", "余额方向", "借或贷", "借/贷", "借贷", "dr/cr", "dr cr"), ()),
    "status": (  # settled or open: isOpen, 已核销, Paid/Closed/Cleared (docs/import.md, settlement)
        ("状态", "单据状态", "核销状态", "收款状态", "结算状态", "付款状态", "已核销", "是否核销", "是否已核销",
         "是否结清", "已结清", "是否收款", "已收款否", "status", "invoice status", "payment status", "paid status",
         "isopen", "is open", "open item", "cleared", "is cleared", "settled", "is settled", "paid?", "fully paid",
         "clearing status", "document status"),
        (),
    ),
    "row_total": (
        ("合计", "总计", "total", "total due", "total outstanding", "总额", "应收合计", "余额合计"),
        (),
    ),
}

IGNORED: frozenset[str] = frozenset({
    "逾期天数", "超期天数", "账龄天数", "账龄", "逾期", "days overdue", "past due", "days past due", "age",
    "aging", "ageing", "days", "业务员", "销售员", "部门", "销售部门", "salesperson", "sales rep", "rep",
    "department", "税额", "不含税金额", "tax", "vat", "tax amount", "数量", "quantity", "qty", "单价", "price",
    "物料", "物料名称", "物料编码", "产品", "产品名称", "规格型号", "item", "product", "凭证号", "凭证字号",
    "voucher", "voucher no", "序号", "行号", "#", "company code", "公司代码", "科目", "会计科目",
    "posting key", "pk", "clearing document", "clearing doc", "assignment", "baseline date", "net due date symbol",
    "arrears", "arrears after net due date", "组织", "销售组织", "结算方式", "订单编号", "发货单号", "po number",
    "po", "purchase order", "advance", "advance amount", "融资金额", "预付款", "利率", "fee", "手续费",
    "审核状态", "审核人", "制单人", "location", "class", "region", "地区", "项目", "project",
    # sample-data and SAP extract columns that are not ledger columns
    "business_code", "buisness_year", "business year", "baseline_create_date", "baseline create date",
    "cust_payment_terms", "aging bucket", "countrycode", "country code", "paperlessdate", "paperlessbill",
    "daystosettle", "days to settle", "dayslate", "days late", "overdue by days", "overdue by", "posting_id",
    "area_business", "document type code", "isopen_flag", "document_create_date",
    "bukrs", "belnr", "gjahr", "zfbdt", "zterm",
})

# Units a header may carry in brackets or as a suffix, and the factor that turns a cell into units of one.
UNIT_SCALES: dict[str, float] = {
    "万元": 1e4, "万": 1e4, "千元": 1e3, "千": 1e3, "百万元": 1e6, "百万": 1e6, "亿元": 1e8, "元": 1.0,
    "thousands": 1e3, "thousand": 1e3, "in thousands": 1e3, "'000": 1e3, "000": 1e3, "000s": 1e3, "k": 1e3,
    "millions": 1e6, "million": 1e6, "mn": 1e6, "m": 1e6,
}
HEADER_CURRENCIES: dict[str, str] = {
    "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY", "￥": "CNY", "美元": "USD", "usd": "USD", "us$": "USD",
    "欧元": "EUR", "eur": "EUR", "€": "EUR", "港币": "HKD", "港元": "HKD", "hkd": "HKD", "日元": "JPY", "jpy": "JPY",
    "英镑": "GBP", "gbp": "GBP", "£": "GBP",
}

_BRACKET = re.compile(r"[(\[]\s*([^()\[\]]*?)\s*[)\]]")
_PUNCT = re.compile(r"[\s*:：.,，、_\-–/\\|()\[\]【】{}'\"“”‘’?？!！<>＜＞=+#№]+")


def _key(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def normalise(text: object) -> str:
    """A header text reduced for matching: NFKC, case-folded, no spaces, punctuation or unit brackets.

    >>> normalise(" Invoice No.* "), normalise("金额（万元）"), normalise("Amount in LC")
    ('invoiceno', '金额', 'amountinlc')
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _BRACKET.sub(lambda m: "" if _unit_word(m.group(1)) else " " + m.group(1) + " ", s)
    return _key(s)


def _unit_word(inner: str) -> bool:
    w = inner.strip().casefold()
    w = re.sub(r"^(单位|unit|in)\s*[:：]?\s*", "", w)
    parts = [p for p in re.split(r"[\s/,，]+", w) if p]
    return bool(parts) and all(p in UNIT_SCALES or p in HEADER_CURRENCIES for p in parts)


def header_unit(text: object) -> tuple[float, str | None]:
    """(scale, currency) a header states in brackets or as a suffix: ``金额(万元)`` → (10000, None).

    >>> header_unit("金额(万元)"), header_unit("Amount (USD)"), header_unit("Balance in thousands"), header_unit("金额")
    ((10000.0, None), (1.0, 'USD'), (1000.0, None), (1.0, None))
    """
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    scale, cur = 1.0, None
    words = [m.group(1) for m in _BRACKET.finditer(s)]
    code = re.search(r"(?:^|[\s_])([a-z]{3})$", s.strip())  # converted_usd, Amount EUR
    if code and code.group(1) in HEADER_CURRENCIES and len(s.strip()) > 3:
        cur = HEADER_CURRENCIES[code.group(1)]
    tail = re.search(r"\b(in thousands|in millions|'000)\s*$", s)
    if tail:
        words.append(tail.group(1).replace("in millions", "millions"))
    for w in words:
        w = re.sub(r"^(单位|unit|in)\s*[:：]?\s*", "", w.strip())
        for p in (p for p in re.split(r"[\s/,，]+", w) if p):
            if p in UNIT_SCALES:
                scale = UNIT_SCALES[p]
            elif p in HEADER_CURRENCIES:
                cur = HEADER_CURRENCIES[p]
            else:
                for unit, factor in UNIT_SCALES.items():  # 万元人民币, 千美元
                    if len(unit) > 1 and p.startswith(unit) and p[len(unit):] in HEADER_CURRENCIES:
                        scale, cur = factor, HEADER_CURRENCIES[p[len(unit):]]
                        break
                    if len(unit) > 1 and p.endswith(unit) and p[: -len(unit)] in HEADER_CURRENCIES:
                        scale, cur = factor, HEADER_CURRENCIES[p[: -len(unit)]]
                        break
    return scale, cur


REGISTER_SYNONYMS: dict[str, _T] = {
    # a balance table (科目余额表 by customer) lists customers as accounts: 科目编码 / 科目名称, 核算项目
    "buyer_id": (LEDGER_SYNONYMS["buyer_id"][0], (*LEDGER_SYNONYMS["buyer_id"][1], "科目编码", "科目代码",
                                                 "核算项目编码", "项目编码", "account code")),
    "buyer_name": (LEDGER_SYNONYMS["buyer_name"][0], (*LEDGER_SYNONYMS["buyer_name"][1], "科目名称", "核算项目",
                                                     "核算项目名称", "项目名称", "account")),
    "country": (("国家", "国家/地区", "国别", "country", "country code", "country/region"), ()),
    "province": (("省份", "省", "所在省份", "province", "state/province", "state"), ()),
    "region": (("区域", "地区", "大区", "销售区域", "region", "sales region", "territory"), ()),
    "sector": (("行业", "所属行业", "行业分类", "sector", "industry"), ()),
    "years_in_business": (("经营年限", "成立年限", "years in business", "years trading"), ()),
    "employees": (("员工人数", "职工人数", "人数", "employees", "number of employees", "headcount"), ()),
    "total_assets": (("资产总额", "资产总计", "总资产", "total assets"), ()),
    "total_liabilities": (("负债总额", "负债合计", "总负债", "total liabilities"), ()),
    "current_assets": (("流动资产", "流动资产合计", "current assets"), ()),
    "current_liabilities": (("流动负债", "流动负债合计", "current liabilities"), ()),
    "cash": (("货币资金", "现金及等价物", "cash", "cash and equivalents"), ()),
    "inventory": (("存货", "inventory", "inventories", "stock"), ()),
    "receivables": (("应收账款", "receivables", "trade receivables", "accounts receivable"), ()),
    "retained_earnings": (("留存收益", "未分配利润", "retained earnings"), ()),
    "ebit": (("息税前利润", "营业利润", "ebit", "operating profit"), ()),
    "sales": (("营业收入", "营业总收入", "主营业务收入", "销售收入", "sales", "revenue", "turnover"), ()),
    "cogs": (("营业成本", "主营业务成本", "销售成本", "cogs", "cost of sales", "cost of goods sold"), ()),
    "net_income": (("净利润", "net income", "net profit", "profit after tax"), ()),
    "cfo": (("经营活动现金流", "经营活动产生的现金流量净额", "cash flow from operations", "operating cash flow", "cfo"), ()),
    "long_term_debt": (("长期借款", "长期负债", "long-term debt", "long term debt"), ()),
    "equity_book": (("所有者权益", "股东权益", "净资产", "所有者权益合计", "equity", "book equity",
                     "shareholders equity", "net assets"), ()),
    "tangible_net_worth": (("有形净资产", "tangible net worth", "tnw"), ()),
    "fs_year": (("报表年度", "财务年度", "年度", "fs year", "financial year", "statements year"), ()),
    "insurer_limit": (("保险限额", "信保限额", "批复限额", "信用保险限额", "insurer limit", "insured limit",
                       "approved limit", "credit limit approved", "cover amount"), ()),
    "requested_limit": (("申请额度", "申请限额", "requested limit", "limit requested", "credit limit requested"), ()),
    "negative_events": (("负面事件", "负面信息", "negative events", "adverse events"), ()),
    "listed": (("上市公司", "是否上市", "listed", "public company"), ()),
    "payment_terms_days": (("账期", "账期天数", "信用期", "信用天数", "付款期限", "payment terms", "terms", "terms days",
                            "credit days"), ()),
}

SYNONYMS: dict[str, dict[str, _T]] = {"ledger": LEDGER_SYNONYMS, "register": REGISTER_SYNONYMS}


def _build(table: dict[str, _T], extra: dict[str, tuple[str, ...]]) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for target, (tier1, tier2) in table.items():
        for tier, names in ((1, tier1), (2, tier2)):
            for n in names:
                k = normalise(n)
                if k and (tier, target) not in out.setdefault(k, []):
                    out[k].append((tier, target))
    for target, names in extra.items():  # the schema's own header texts: always tier 1
        for n in names:
            k = normalise(n)
            if k and (1, target) not in out.setdefault(k, []):
                out[k].insert(0, (1, target))
    for k in list(out):
        out[k].sort(key=lambda t: t[0])
    return out


_CACHE: dict[str, dict[str, list[tuple[int, str]]]] = {}


def lookup(kind: str, schema_names: dict[str, tuple[str, ...]] | None = None) -> dict[str, list[tuple[int, str]]]:
    """normalised header → [(tier, target), ...] for an import kind (schema header texts included)."""
    if kind not in _CACHE:
        _CACHE[kind] = _build(SYNONYMS.get(kind, {}), schema_names or {})
    return _CACHE[kind]


IGNORED_KEYS = frozenset(normalise(n) for n in IGNORED)

# Status cells (compared case-folded): an invoice settled in full, or still (partly) open.
SETTLED_WORDS = frozenset({
    "paid", "fully paid", "paid in full", "closed", "close", "cleared", "clear", "settled", "complete", "completed",
    "reconciled", "c", "cl", "deposited", "已核销", "全部核销", "完全核销", "核销完毕", "已收款", "已收", "已收齐", "已结清", "结清",
    "已结算", "已付款", "已回款", "已完成", "关闭", "已关闭"})
OPEN_WORDS = frozenset({
    "open", "unpaid", "overdue", "outstanding", "awaiting payment", "partially paid", "part paid", "partial",
    "part-paid", "due", "pending", "not paid", "o", "op", "authorised", "authorized", "submitted", "sent",
    "approved", "viewed", "未核销", "部分核销", "未收款", "部分收款", "未结清", "未结算",
    "未付款", "逾期", "未到期", "未回款", "部分回款", "待收款", "开立", "未完成"})
_OPEN_HEADER = re.compile(r"open|未|欠", re.I)


def status_settled(values: np.ndarray, header: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(settled mask, mask of words known as neither, yes/no values left unread) of a status column.

    >>> s, u, unread = status_settled(np.array(["Paid", "Open", "void", None], dtype=object), "Status")
    >>> s.tolist(), u.tolist(), unread
    ([True, False, False, False], [False, False, True, False], False)
    >>> status_settled(np.array([0, 1, "0"], dtype=object), "isOpen")[0].tolist()
    [True, False, True]
    """
    vals = np.asarray(values, dtype=object)
    blank = np.array([v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
                      for v in vals], dtype=bool)
    text = np.array(["" if b else str(v).strip().casefold() for v, b in zip(vals, blank, strict=True)], dtype=object)
    text = np.array([t[:-2] if t.endswith(".0") else t for t in text], dtype=object)  # 1.0 → 1
    settled = np.isin(text, list(SETTLED_WORDS))
    open_ = np.isin(text, list(OPEN_WORDS))
    yes, no = bool_words(text)  # the one reading of flags (TRUE/FALSE, 是/否, Yes/No), plus 1/0
    yes, no = yes | (text == "1"), no | (text == "0")
    unread = False
    if (yes | no).any():
        polarity = status_polarity(header)
        if polarity is None:
            unread = True
        else:
            settled |= yes if polarity == "settled" else no
            open_ |= no if polarity == "settled" else yes
    unknown = ~blank & ~settled & ~open_ & ~((yes | no) if unread else np.zeros(len(vals), dtype=bool))
    return settled, unknown, unread


def status_polarity(header: str) -> str | None:
    """What a yes/1 in a status column means: 'open' (isOpen, 是否未结清), 'settled' (cleared, 已核销), or None.

    >>> status_polarity("isOpen"), status_polarity("已核销"), status_polarity("Cleared"), status_polarity("Status")
    ('open', 'settled', 'settled', None)
    """
    key = normalise(header)
    if _OPEN_HEADER.search(key):
        return "open"
    if key in ("status", "状态", "单据状态", "documentstatus", "invoicestatus", "paymentstatus"):
        return None
    return "settled"

# ------------------------------------------------------------------------------------------ cell words
# Words exporters write in currency, document-type, country and sector cells, and the codes they stand for.

CURRENCY_WORDS: dict[str, str] = {
    "人民币": "CNY", "rmb": "CNY", "¥": "CNY", "￥": "CNY", "元": "CNY", "本位币": "CNY", "cny": "CNY",
    "美元": "USD", "美金": "USD", "us$": "USD", "$": "USD", "us dollar": "USD", "usd": "USD",
    "欧元": "EUR", "€": "EUR", "euro": "EUR", "eur": "EUR", "港币": "HKD", "港元": "HKD", "hk$": "HKD",
    "日元": "JPY", "英镑": "GBP", "£": "GBP", "澳元": "AUD", "加元": "CAD", "新加坡元": "SGD", "瑞士法郎": "CHF",
}
DOC_TYPES: dict[str, str] = {
    # invoices
    "inv": "INV", "invoice": "INV", "invoices": "INV", "tax invoice": "INV", "sales invoice": "INV",
    "ar invoice": "INV", "发票": "INV", "销售发票": "INV", "应收单": "INV", "其他应收单": "INV",
    "增值税专用发票": "INV", "增值税普通发票": "INV", "普通发票": "INV", "专用发票": "INV", "蓝字发票": "INV",
    "dr": "INV", "rv": "INV", "debit memo": "INV", "debit note": "INV", "借项通知单": "INV", "应收": "INV",
    # credit notes, returns, unapplied cash (they all reduce the receivable: imported as CN, see docs)
    "cn": "CN", "credit note": "CN", "credit memo": "CN", "credit": "CN", "cm": "CN", "dg": "CN",
    "红字发票": "CN", "红字": "CN", "贷项通知单": "CN", "红字应收单": "CN", "退货": "CN", "销售退货": "CN",
    "payment": "CN", "unapplied payment": "CN", "unapplied cash": "CN", "prepayment": "CN", "overpayment": "CN",
    "dz": "CN", "收款单": "CN", "预收款": "CN", "预收": "CN",
}

COUNTRIES: dict[str, str] = {
    "中国": "CN", "中国大陆": "CN", "china": "CN", "prc": "CN", "p.r. china": "CN", "国内": "CN", "美国": "US",
    "usa": "US", "united states": "US", "德国": "DE", "germany": "DE", "英国": "GB", "uk": "GB",
    "united kingdom": "GB", "法国": "FR", "france": "FR", "日本": "JP", "japan": "JP", "韩国": "KR", "korea": "KR",
    "香港": "HK", "中国香港": "HK", "hong kong": "HK", "台湾": "TW", "新加坡": "SG", "singapore": "SG", "越南": "VN",
    "vietnam": "VN", "印度": "IN", "india": "IN", "意大利": "IT", "italy": "IT", "西班牙": "ES", "spain": "ES",
    "荷兰": "NL", "netherlands": "NL", "澳大利亚": "AU", "australia": "AU", "加拿大": "CA", "canada": "CA",
    "巴西": "BR", "brazil": "BR", "墨西哥": "MX", "mexico": "MX", "俄罗斯": "RU", "russia": "RU", "泰国": "TH",
    "马来西亚": "MY", "印度尼西亚": "ID", "阿联酋": "AE", "uae": "AE", "波兰": "PL", "土耳其": "TR",
}
SECTORS: dict[str, str] = {
    "机械": "machinery", "机械设备": "machinery", "消费品": "consumer_goods", "日用品": "consumer_goods",
    "医药": "pharma", "制药": "pharma", "电子": "electronics", "电子产品": "electronics", "化工": "chemicals",
    "纺织": "textiles", "纺织服装": "textiles", "零售": "retail", "批发零售": "retail", "建筑": "construction",
    "建材": "construction", "汽车": "automotive", "汽车配件": "automotive", "食品": "food", "农产品": "food",
    "consumer goods": "consumer_goods",
}


def _words(values: np.ndarray, fn) -> tuple[np.ndarray, np.ndarray]:
    """(mask of non-blank text cells, fn applied to each distinct one of them)."""
    out = np.asarray(values, dtype=object)
    mask = np.array([isinstance(v, str) and bool(v.strip()) for v in out], dtype=bool)
    codes, uniq = pd.factorize(out[mask])
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(s) for s in uniq]
    return mask, mapped[codes]


def clean_currency(values: np.ndarray) -> np.ndarray:
    """Currency cells → ISO codes where a word or symbol names one (人民币 → CNY, 美元 → USD); else unchanged."""
    out = np.asarray(values, dtype=object).copy()
    mask, mapped = _words(out, lambda t: CURRENCY_WORDS.get(t.strip().casefold(), t.strip().upper()))
    out[mask] = mapped
    return out


def clean_doc_types(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Document-type cells → (INV/CN or None where unknown, original text where it was not INV/CN itself)."""
    raw = np.asarray(values, dtype=object)
    out = np.full(len(raw), None, dtype=object)
    orig = np.full(len(raw), None, dtype=object)
    mask, mapped = _words(raw, lambda t: DOC_TYPES.get(re.sub(r"\s+", " ", t.strip().casefold())))
    out[mask] = mapped
    orig[mask] = raw[mask]
    return out, orig


_ACCOUNT_PREFIX = re.compile(r"^\s*(?:\d[\d.]*\s*)?(?:应收账款|应收票据|预收账款|合同资产|其他应收款)\s*[-—–_/|]+\s*")
_ACCOUNT_ONLY = re.compile(r"^\s*(?:\d[\d.]*\s*)?(?:应收账款|应收票据|预收账款|合同资产|其他应收款|坏账准备|"
                           r"accounts\s+receivable|trade\s+receivables)\s*$", re.I)


def customer_accounts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(names without an account prefix, mask of rows naming an account, not a customer) of a balance table.

    >>> names, acct = customer_accounts(np.array(["1122 应收账款", "应收账款-广州华锐", "深圳恒通"], dtype=object))
    >>> names.tolist(), acct.tolist()
    (['1122 应收账款', '广州华锐', '深圳恒通'], [True, False, False])
    """
    out = np.asarray(values, dtype=object).copy()
    acct = np.array([isinstance(v, str) and bool(_ACCOUNT_ONLY.match(v)) for v in out], dtype=bool)
    for i, v in enumerate(out):
        if isinstance(v, str) and not acct[i]:
            out[i] = _ACCOUNT_PREFIX.sub("", v).strip()
    return out, acct


def clean_countries(values: np.ndarray) -> np.ndarray:
    """Country cells → ISO-2 where a common name says it (中国 → CN, Germany → DE); else unchanged."""
    out = np.asarray(values, dtype=object).copy()
    mask, mapped = _words(out, lambda t: COUNTRIES.get(t.strip().casefold(), t.strip()))
    out[mask] = mapped
    return out


def clean_sectors(values: np.ndarray) -> np.ndarray:
    """Sector cells → scorecard sector keys where a Chinese or spaced name says it (机械 → machinery)."""
    out = np.asarray(values, dtype=object).copy()
    mask, mapped = _words(out, lambda t: SECTORS.get(t.strip().casefold(), t.strip()))
    out[mask] = mapped
    return out

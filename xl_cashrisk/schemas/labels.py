"""Finance labels for results: the header of every result column key (from the template tables' schemas, plus
the columns the engine adds), readable names of sector keys, and the choice of language.

A results workbook heads a column ``open_amount_hc`` with "Open (CNY) 未清金额（本币）", never with the key; a
sector ``consumer_goods`` reads "Consumer goods 消费品". Bilingual texts are written English first, Chinese
after ("Amount 金额"); :func:`in_language` puts Chinese first for ``language = zh``.

>>> header("open_amount_hc", hc="CNY")
'Open (CNY) 未清金额（本币）'
>>> header("dpd", language="zh")
'逾期天数 Days past due'
>>> sector_label("consumer_goods")
'Consumer goods 消费品'
>>> in_language("Amount (CNY) 金额", "zh")
'金额 Amount (CNY)'
"""

from __future__ import annotations

import re
from functools import cache

from xl_cashrisk.schemas.schema import Table

__all__ = ["LANGUAGES", "RESULT_HEADERS", "SECTOR_LABELS", "header", "in_language", "result_keys", "schema_tables",
           "sector_label", "split_languages"]

LANGUAGES = ("both", "zh", "en")  # English first + Chinese, Chinese first + English, English only

# Columns the engine adds to results (not in any template table), and keys whose meaning in a result differs
# from the template column of the same key. ``{hc}``: the home currency.
RESULT_HEADERS: dict[str, tuple[str, str]] = {
    "open_amount_hc": ("Open ({hc})", "未清金额（本币）"), "open_amount": ("Open amount", "未清金额"),
    "amount": ("Amount", "金额"), "paid_amount": ("Paid", "已收金额"), "dpd": ("Days past due", "逾期天数"),
    "days_since_invoice": ("Days since invoice", "开票天数"), "bucket": ("Ageing bucket", "账龄段"),
    "disputed": ("Disputed", "争议"), "current": ("Not yet due", "未到期"), "credits": ("Credits", "贷项"),
    "total": ("Total", "合计"), "overdue": ("Overdue", "逾期"), "pct_overdue": ("Share overdue", "逾期占比"),
    "oldest_dpd": ("Oldest days past due", "最长逾期天数"), "dbt": ("Days beyond terms", "超期天数"),
    "avg_days_to_pay": ("Average days to pay", "平均回款天数"), "n_paid": ("Invoices paid", "已付发票数"),
    "score": ("Score", "评分"), "band": ("Light", "信号灯"), "confidence": ("Data confidence", "数据完整度"),
    "weakest_factors (points)": ("Weakest factors (points)", "最弱因素（得分）"), "cap": ("Cap applied", "评分上限原因"),
    "bin_from": ("From", "起"), "bin_to": ("To", "止"), "midpoint": ("Midpoint", "中点"),
    "exposure": ("Exposure", "敞口"), "pd": ("PD (1 year)", "违约概率（一年）"), "pd_source": ("PD from", "违约概率来源"),
    "lgd": ("Loss given default", "违约损失率"), "insured_limit": ("Insured limit", "保险限额"),
    "indemnity": ("Indemnity", "赔款"), "waiting_days": ("Waiting period (days)", "等待期（天）"),
    "settlement_days": ("Settlement (days)", "理赔支付（天）"), "political_cover": ("Political cover", "政治风险承保"),
    "country": ("Country", "国家"), "region": ("Region", "区域"), "sector": ("Sector", "行业"),
    "province": ("Province", "省份"), "buyer_id": ("Buyer ID", "客户编号"), "buyer_name": ("Buyer name", "客户名称"),
    # generic words that a template table also uses in a narrower sense
    "share": ("Share", "占比"), "buyer": ("Buyer", "客户"), "note": ("Note", "说明"), "period": ("Period", "期间"),
}

SECTOR_LABELS: dict[str, tuple[str, str]] = {
    "pharma": ("Pharmaceuticals", "医药"), "food": ("Food", "食品"), "machinery": ("Machinery", "机械设备"),
    "chemicals": ("Chemicals", "化工"), "electronics": ("Electronics", "电子"), "consumer_goods": ("Consumer goods", "消费品"),
    "automotive": ("Automotive", "汽车配件"), "textiles": ("Textiles", "纺织服装"), "retail": ("Retail", "零售"),
    "construction": ("Construction", "建筑建材"),
}

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@cache
def schema_tables() -> tuple[Table, ...]:
    """Every template table (imported here, not at module level, so a schema module may import this one)."""
    from xl_cashrisk.schemas.company import COMPANY
    from xl_cashrisk.schemas.forecast import FORECAST, SCENARIOS
    from xl_cashrisk.schemas.ledger import LEDGER
    from xl_cashrisk.schemas.policy import BUYER_LIMITS
    from xl_cashrisk.schemas.register import REGISTER, SCORECARD, SNAPSHOT
    from xl_cashrisk.schemas.settings import FX

    return (LEDGER, REGISTER, SNAPSHOT, SCORECARD, COMPANY, FORECAST, SCENARIOS, BUYER_LIMITS, FX)


@cache
def result_keys() -> frozenset[str]:
    """Every internal column key a result could carry: the template tables' and the engine's own."""
    return frozenset({c.key for t in schema_tables() for c in t.columns} | set(RESULT_HEADERS))


@cache
def _schema_labels() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for t in schema_tables():
        for c in t.columns:
            out.setdefault(c.key, (c.en, c.zh))
    return out


def header(key: str, *, hc: str = "", language: str = "both") -> str | None:
    """The finance header of a result column ``key`` (None for a column name that is no key)."""
    pair = RESULT_HEADERS.get(key) or _schema_labels().get(key)
    if pair is None:
        return None
    en, zh = (p.format(hc=hc or "home currency") for p in pair)
    return _join(en, zh, language)


def sector_label(key: object, language: str = "both") -> object:
    """A sector key as words ("consumer_goods" → "Consumer goods 消费品"); anything else unchanged."""
    pair = SECTOR_LABELS.get(str(key).strip().lower()) if isinstance(key, str) else None
    return key if pair is None else _join(*pair, language)


def split_languages(text: str) -> tuple[str, str]:
    """A bilingual text "English 中文" → ("English", "中文"): split where the Chinese begins (a text
    without Chinese, or with Chinese inside an English parenthesis, is all English; a parenthesis just before
    the Chinese stays with it).

    >>> split_languages("Overdue (CNY) 逾期")
    ('Overdue (CNY)', '逾期')
    >>> split_languages("Ageing (days past due 逾期天数)")
    ('Ageing (days past due 逾期天数)', '')
    """
    m = _CJK.search(text)
    if m is None:
        return text, ""
    start = m.start()
    while start > 0 and text[start - 1] in "(（":
        start -= 1
    en, zh = text[:start].rstrip(), text[start:].strip()
    if en.count("(") != en.count(")"):  # Chinese inside an English parenthesis: not two halves
        return text, ""
    return en, zh


def in_language(text: str, language: str = "both") -> str:
    """A bilingual "English 中文" text for ``language``: unchanged (both), Chinese first (zh), English only (en;
    a text with only Chinese stays as it is)."""
    if language == "both" or not text:
        return text
    en, zh = split_languages(text)
    if not en or not zh:
        return text
    return _join(en, zh, language)


def _join(en: str, zh: str, language: str) -> str:
    if language == "zh":
        return f"{zh} {en}"
    if language == "en":
        return en
    return f"{en} {zh}"

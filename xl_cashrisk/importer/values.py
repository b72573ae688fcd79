"""Cell values as exporters write them, cleaned into what :func:`~xl_cashrisk.io.validate.convert_column` reads.

This module does not type cells: it rewrites exporter habits (currency symbols, trailing minus,
decimal commas, d/m/y dates, month names, time suffixes, currency words, document-type words) into the
plain forms the validator already parses (``-1234.5``, ``2024-03-01``, ``CNY``, ``INV``), and works
on the distinct strings of a column only. Typing, bounds and error messages stay in the validator.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from xl_cashrisk.errors import InputError

__all__ = [
    "clean_countries",
    "clean_currency",
    "clean_dates",
    "clean_doc_types",
    "clean_money",
    "clean_sectors",
    "clean_terms",
    "date_order",
    "decimal_mark",
    "is_blank",
]

# Symbols and codes written next to amounts, and the currency each one means for this user base
# (¥ is taken as CNY, $ as USD: a file where they mean JPY or HKD needs a currency column or mapping).
SYMBOLS: dict[str, str] = {"¥": "CNY", "￥": "CNY", "RMB": "CNY", "CNY": "CNY", "元": "CNY", "$": "USD",
                           "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
                           "HK$": "HKD", "HKD": "HKD", "JPY": "JPY"}
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
_TRAILING_MINUS = re.compile(r"^(.*\d)\s*-$")
_DR_CR = re.compile(r"^(.*\d)\s*(cr|dr)\.?$", re.I)
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")
_TIME = re.compile(r"[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm)?$", re.I)
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_NAMED_FORMATS = ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d %b %y",
                  "%b %d %Y", "%d-%B-%Y")
_TERMS = re.compile(r"(\d{1,4})")
_TERMS_ZERO = frozenset({"现结", "现款", "货到付款", "款到发货", "预付", "due on receipt", "cod", "cash",
                         "immediate", "net 0", "立即"})


def is_blank(values: np.ndarray) -> np.ndarray:
    """True where a raw cell is empty: None, NaN, '' or whitespace only."""
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        out[i] = v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
    return out


def _strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = np.array([isinstance(v, str) and bool(v.strip()) for v in values], dtype=bool)
    return mask, np.asarray(values, dtype=object)[mask]


def _on_unique(strings: np.ndarray, fn) -> np.ndarray:
    codes, uniq = pd.factorize(strings)
    mapped = np.empty(len(uniq), dtype=object)
    mapped[:] = [fn(s) for s in uniq]
    return mapped[codes]


def decimal_mark(values: np.ndarray) -> str | None:
    """'.' or ',' as the decimal mark of a column of amount strings, ``None`` if it cannot tell.

    A comma followed by one or two final digits (``1.234,56``) or dots as thousands separators say
    decimal comma; a dot followed by one or two final digits, or a comma group before a dot, say
    decimal point. Raises :class:`InputError` when the column holds both.

    >>> decimal_mark(np.array(["1.234,56-", "12,5"], dtype=object)), decimal_mark(np.array(["1,234.00"], dtype=object))
    (',', '.')
    """
    _, s = _strings(values)
    comma = point = False
    for t in pd.unique(s):
        t = re.sub(r"[^\d.,]", "", str(t))
        if re.search(r",\d{1,2}$", t) or re.search(r"\.\d{3}[.,]", t) or re.search(r"\d\.\d{3},", t):
            comma = True
        if re.search(r"\.\d{1,2}$", t) or re.search(r",\d{3}\.", t):
            point = True
    if comma and point:
        raise InputError("amounts use both a decimal comma (1.234,56) and a decimal point (1,234.56) in one "
                         "column; set decimal = \",\" or \".\" in a mapping file")
    return "," if comma else "." if point else None


def clean_money(values: np.ndarray, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Amount cells → (values the validator parses, currency named by a symbol or code per cell or None).

    Removes currency symbols and codes, turns trailing minus (SAP ``1.234,56-``), ``CR`` suffixes and
    parentheses into a leading minus, and swaps a decimal comma for a point. Numbers pass unchanged.

    >>> v, cur = clean_money(np.array(["¥1,234.50", "(300.00)", "1,234.56-", 7.0, "RMB 10", "abc"], dtype=object))
    >>> v.tolist(), cur.tolist()
    (['1234.50', '-300.00', '-1234.56', 7.0, '10', 'abc'], ['CNY', None, None, None, 'CNY', None])
    >>> clean_money(np.array(["1.234,56-"], dtype=object), decimal=",")[0].tolist()
    ['-1234.56']
    """
    out = np.asarray(values, dtype=object).copy()
    cur = np.full(len(out), None, dtype=object)
    mask, s = _strings(out)
    if not mask.any():
        return out, cur
    parsed = _on_unique(s, lambda t: _money_text(t, decimal))
    out[mask] = [p[0] for p in parsed]
    cur[mask] = [p[1] for p in parsed]
    return out, cur


def _money_text(text: str, decimal: str) -> tuple[str, str | None]:
    t = unicodedata.normalize("NFKC", text).strip()
    if t.startswith("¥") or text.strip().startswith("￥"):
        t = "¥" + t.lstrip("¥￥")
    found = None
    for sym in sorted(SYMBOLS, key=len, reverse=True):
        if sym in t.upper() if sym.isalpha() else sym in t:
            found = SYMBOLS[sym]
            t = re.sub(re.escape(sym), "", t, flags=re.I)
            break
    t = t.replace(" ", "").replace("\u00a0", "").replace("'", "")
    neg = False
    m = _DR_CR.match(t)
    if m:
        t, neg = m.group(1), m.group(2).casefold() == "cr"
    m = _TRAILING_MINUS.match(t)
    if m:
        t, neg = m.group(1), True
    if t.startswith("(") and t.endswith(")"):
        t, neg = t[1:-1], True
    if t.startswith("-"):
        t, neg = t[1:], not neg
    t = t.replace(".", "").replace(",", ".") if decimal == "," else t.replace(",", "")
    return ("-" + t if neg else t), found


def date_order(values: np.ndarray, column: str) -> str | None:
    """'dmy', 'mdy' or ``None`` (no d/m/y strings, or every one ambiguous) from a column's own dates.

    Raises :class:`InputError` naming the column when some dates are day-first and others month-first.

    >>> date_order(np.array(["13/03/2024", "01/02/2024"], dtype=object), "Date")
    'dmy'
    >>> date_order(np.array(["01/02/2024"], dtype=object), "Date") is None
    True
    """
    _, s = _strings(values)
    day_first = month_first = None
    dotted = False
    for t in pd.unique(s):
        m = _DMY.match(_TIME.sub("", str(t).strip()))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        dotted |= m.group(2) == "."
        if a > 12 >= b:
            day_first = day_first or str(t)
        elif b > 12 >= a:
            month_first = month_first or str(t)
    if day_first and month_first:
        raise InputError(
            f"column '{column}' mixes day-first dates ({day_first!r}) and month-first dates ({month_first!r}); "
            "fix the export, or choose one reading with --dayfirst/--monthfirst (or dayfirst = true/false in a "
            "mapping file): the rows that do not fit it are then reported as invalid")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    return "dmy" if dotted else None


def has_dmy(values: np.ndarray) -> str | None:
    """The first d/m/y or m/d/y string of a column, or ``None``."""
    _, s = _strings(values)
    for t in pd.unique(s):
        if _DMY.match(_TIME.sub("", str(t).strip())):
            return str(t)
    return None


def clean_dates(values: np.ndarray, order: str | None) -> np.ndarray:
    """Date cells → ISO text or dates the validator reads; serials, dates and datetimes pass unchanged.

    ``order`` ('dmy' or 'mdy') decides ``01/03/2024``; month names (``30-SEP-26``, ``30 Sep 2026``),
    Chinese dates and time suffixes (``2024/3/1 0:00:00``) are handled whatever the order.

    >>> clean_dates(np.array(["01/03/2024", "30.09.2026", "2024/3/1 0:00:00", "30-SEP-26", 45473.0], dtype=object),
    ...             "dmy").tolist()
    ['2024-03-01', '2026-09-30', '2024/3/1', '2026-09-30', 45473.0]
    """
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        out[mask] = _on_unique(s, lambda t: _date_text(t, order))
    return out


def _date_text(text: str, order: str | None) -> str:
    t = _TIME.sub("", unicodedata.normalize("NFKC", text).strip())
    m = _DMY.match(t)
    if m and order:
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if y < 100:
            y += 2000
        d, mth = (a, b) if order == "dmy" else (b, a)
        return f"{y:04d}-{mth:02d}-{d:02d}"
    if re.search(r"[A-Za-z]", t):
        for fmt in _NAMED_FORMATS:
            try:
                return dt.datetime.strptime(t.title(), fmt).date().isoformat()
            except ValueError:
                continue
    return t


def clean_currency(values: np.ndarray) -> np.ndarray:
    """Currency cells → ISO codes where a word or symbol names one (人民币 → CNY, 美元 → USD); else unchanged."""
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        out[mask] = _on_unique(s, lambda t: CURRENCY_WORDS.get(t.strip().casefold(), t.strip().upper()))
    return out


def clean_doc_types(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Document-type cells → (INV/CN or None where unknown, original text where it was not INV/CN itself)."""
    raw = np.asarray(values, dtype=object)
    out = np.full(len(raw), None, dtype=object)
    orig = np.full(len(raw), None, dtype=object)
    mask, s = _strings(raw)
    if mask.any():
        mapped = _on_unique(s, lambda t: DOC_TYPES.get(re.sub(r"\s+", " ", t.strip().casefold())))
        out[mask] = mapped
        orig[mask] = s
    return out, orig


def clean_terms(values: np.ndarray) -> np.ndarray:
    """Terms cells → days: ``Net 30``, ``N30``, ``30天``, ``月结60天``, ``30 days`` → 30/60; 现结 → 0."""
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        def days(t: str) -> object:
            low = t.strip().casefold()
            if low in _TERMS_ZERO:
                return 0.0
            m = _TERMS.search(low)
            return float(m.group(1)) if m else t
        out[mask] = _on_unique(s, days)
    return out


def cn_date(text: str) -> dt.date | None:
    m = _CN_DATE.match(text.strip())
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


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


def clean_countries(values: np.ndarray) -> np.ndarray:
    """Country cells → ISO-2 where a common name says it (中国 → CN, Germany → DE); else unchanged."""
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        out[mask] = _on_unique(s, lambda t: COUNTRIES.get(t.strip().casefold(), t.strip()))
    return out


def clean_sectors(values: np.ndarray) -> np.ndarray:
    """Sector cells → scorecard sector keys where a Chinese or spaced name says it (机械 → machinery)."""
    out = np.asarray(values, dtype=object).copy()
    mask, s = _strings(out)
    if mask.any():
        out[mask] = _on_unique(s, lambda t: SECTORS.get(t.strip().casefold(), t.strip()))
    return out

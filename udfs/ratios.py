"""Excel functions for working-capital ratios (SPEC §5) and concentration (SPEC §9).

Thin adapters over :mod:`xl_cashrisk.ratios` and :mod:`xl_cashrisk.concentration`. The ratio
functions are filled down a buyer register or a column of periods, so each argument may be a single
cell or a whole column: ranges spill a column of results, single cells apply to every row, and a
row with a blank input gives a blank cell. Amounts are plain numbers; ratios are decimals
(SPEC §0: 1.84, not 184 %).
"""

from __future__ import annotations

import numpy as np

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import concentration as conc
from xl_cashrisk import ratios
from xl_cashrisk.errors import ArgumentError

WORKING_CAPITAL, CONCENTRATION = "Working capital", "Concentration"
LANGUAGES = ("en", "zh")

_LIAB = "Current liabilities (must be positive); one cell or a column of the same size."


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "current_assets": "Current assets; one cell or a whole column, which spills a column of results.",
        "current_liabilities": "Current liabilities; one cell or a column of the same size.",
    },
    example="=WORKINGCAPITAL(B2, C2)",
    ranges=("current_assets", "current_liabilities"),
    returns_range=True,
)
def WORKINGCAPITAL(current_assets, current_liabilities):
    """Working capital = current assets − current liabilities. Ranges spill a column.

    Source: SPEC §5.

    >>> WORKINGCAPITAL(920000, 500000)  # WC-1
    420000.0
    """
    a = _args.Elementwise("WORKINGCAPITAL")
    ca, cl = a.number("current_assets", current_assets), a.number("current_liabilities", current_liabilities)
    return a.result(ratios.working_capital(ca, cl))


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "current_assets": "Current assets; one cell or a whole column, which spills a column of ratios.",
        "current_liabilities": _LIAB,
    },
    example="=CURRENTRATIO(B2, C2)",
    ranges=("current_assets", "current_liabilities"),
    returns_range=True,
)
def CURRENTRATIO(current_assets, current_liabilities):
    """Current (working-capital) ratio = current assets / current liabilities. Healthy around 1.5-2, danger below 1.

    Source: SPEC §5.

    >>> round(CURRENTRATIO(920000, 500000), 4)  # WC-1
    1.84
    >>> CURRENTRATIO([[920000], [None]], [[500000], [400000]])
    [[1.84], ['']]
    """
    a = _args.Elementwise("CURRENTRATIO")
    ca = a.number("current_assets", current_assets)
    cl = a.number("current_liabilities", current_liabilities, "positive")
    return a.result(ratios.current_ratio(ca, cl))


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "cash": "Cash and cash equivalents; one cell or a whole column, which spills a column of ratios.",
        "marketable_securities": "Marketable securities (blank = 0).",
        "receivables": "Trade receivables (accounts receivable).",
        "current_liabilities": _LIAB,
    },
    example="=QUICKRATIO(B2, C2, D2, E2)",
    ranges=("cash", "marketable_securities", "receivables", "current_liabilities"),
    returns_range=True,
)
def QUICKRATIO(cash, marketable_securities, receivables, current_liabilities):
    """Quick (acid-test) ratio = (cash + marketable securities + receivables) / current liabilities. At least 1 is conventional.

    Source: SPEC §5.

    >>> round(QUICKRATIO(120000, 30000, 400000, 500000), 4)  # WC-1
    1.1
    """
    a = _args.Elementwise("QUICKRATIO")
    c, ms = a.number("cash", cash), a.number("marketable_securities", marketable_securities, default=0.0)
    ar = a.number("receivables", receivables)
    cl = a.number("current_liabilities", current_liabilities, "positive")
    return a.result(ratios.quick_ratio(c, ms, ar, cl))


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "cash": "Cash and cash equivalents; one cell or a whole column, which spills a column of ratios.",
        "current_liabilities": _LIAB,
        "marketable_securities": "Marketable securities to count as cash (optional, blank = 0).",
    },
    example="=CASHRATIO(B2, E2, C2)",
    ranges=("cash", "current_liabilities", "marketable_securities"),
    returns_range=True,
)
def CASHRATIO(cash, current_liabilities, marketable_securities=0):
    """Cash ratio = (cash and equivalents + marketable securities) / current liabilities.

    Source: SPEC §5.

    >>> round(CASHRATIO(120000, 500000, 30000), 4)  # WC-1
    0.3
    """
    a = _args.Elementwise("CASHRATIO")
    c, cl = a.number("cash", cash), a.number("current_liabilities", current_liabilities, "positive")
    ms = a.number("marketable_securities", marketable_securities, default=0.0)
    return a.result(ratios.cash_ratio(c, cl, ms))


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "dso": "Days sales outstanding (average AR / revenue × 365); one cell or a column.",
        "dio": "Days inventory outstanding (average inventory / COGS × 365).",
        "dpo": "Days payables outstanding (average AP / COGS × 365).",
    },
    example="=CCC(B2, C2, D2)",
    ranges=("dso", "dio", "dpo"),
    returns_range=True,
)
def CCC(dso, dio, dpo):
    """Cash conversion cycle in days = DSO + DIO − DPO.

    Source: SPEC §5.

    >>> CCC(40, 43.75, 30)  # CCC-1
    53.75
    """
    a = _args.Elementwise("CCC")
    return a.result(ratios.ccc(a.number("dso", dso), a.number("dio", dio), a.number("dpo", dpo)))


@excel_function(
    category=WORKING_CAPITAL,
    args={
        "ratio": "Current ratio (or another liquidity ratio); one cell or a whole column, which spills a column of labels.",
        "danger_below": "Ratios below this are DANGER (default 1).",
        "healthy_from": "Ratios from this on are HEALTHY (default 1.5); between the two: WATCH.",
        "idle_above": "Above this a HEALTHY ratio gets the note that it may mean idle cash (default 3; 0 = no note).",
        "language": '"en" (default) or "zh" for Chinese labels.',
    },
    example="=WCHEALTH(D2)",
    ranges=("ratio",),
    returns_range=True,
)
def WCHEALTH(ratio, danger_below=1, healthy_from=1.5, idle_above=3, language="en"):
    """Health of a working-capital ratio: DANGER below 1, WATCH from 1 to 1.5, HEALTHY from 1.5, with an idle-cash note above 3. Thresholds configurable.

    Source: SPEC §5.

    >>> WCHEALTH(1.84), WCHEALTH(0.95), WCHEALTH(1.0), WCHEALTH(3.2)
    ('HEALTHY', 'DANGER', 'WATCH', 'HEALTHY: high ratio may mean idle cash')
    >>> WCHEALTH([[0.65], [0.85], [None]], 0.7, 1.0, 0, "zh")
    [['危险'], ['关注'], ['']]
    """
    lang, bands = _health_options(language, danger_below, healthy_from, idle_above)
    a = _args.Elementwise("WCHEALTH")
    return a.result(ratios.wc_health_label(a.number("ratio", ratio), bands, lang))


@_args.read_once
def _health_options(language, danger_below, healthy_from, idle_above) -> tuple[str, ratios.HealthBands]:
    fn = "WCHEALTH"
    lang = _args.text(language, fn, "language", allowed=LANGUAGES, default="en")
    low = _args.number(danger_below, fn, "danger_below", default=1.0)
    high = _args.number(healthy_from, fn, "healthy_from", default=1.5)
    idle = _args.number(idle_above, fn, "idle_above", default=3.0)
    if high < low:
        raise ArgumentError(fn, "healthy_from", f"at least danger_below ({low:g})", healthy_from)
    if idle and idle < high:
        raise ArgumentError(fn, "idle_above", f"0 (no note) or at least healthy_from ({high:g})", idle_above)
    return lang, ratios.HealthBands(low, high, idle or None)


def _amounts(fn: str, amounts) -> np.ndarray:
    values, _shape = _args.numbers(amounts, fn, "amounts")
    values = values[~np.isnan(values)]
    if not (values > 0).any():
        raise ArgumentError(fn, "amounts", "a range with at least one positive amount",
                            detail="blank, zero and negative amounts carry no exposure")
    return values


@excel_function(
    category=CONCENTRATION,
    args={
        "amounts": "Exposure per buyer (or per region, sector...): a range. Blanks are skipped; negative amounts (credit balances) count as 0.",
        "as_points": "FALSE (default): 0-1 scale. TRUE: points (× 10,000) as competition authorities quote it.",
    },
    example="=HHI(C2:C200)",
    ranges=("amounts",),
)
def HHI(amounts, as_points=False):
    """Herfindahl-Hirschman concentration index = sum of squared shares, 0-1. Above 0.25 red, 0.15-0.25 yellow.

    Source: SPEC §9.

    >>> round(HHI([[400], [300], [200], [100]]), 6)  # HHI-1
    0.3
    >>> round(HHI([[400, 300], [200, 100]], True), 2)
    3000.0
    """
    fn = "HHI"
    if isinstance(as_points, str) or _args.is_blank(as_points):
        points = _args.text(as_points, fn, "as_points", allowed=("TRUE", "FALSE"), default="FALSE") == "TRUE"
    else:
        points = bool(as_points)
    return conc.hhi(_amounts(fn, amounts), as_points=points)


@excel_function(
    category=CONCENTRATION,
    args={
        "amounts": "Exposure per buyer (or per group): a range. Blanks are skipped; negative amounts count as 0.",
        "n": "How many of the largest exposures to add up (a whole number ≥ 1).",
    },
    example="=TOPNSHARE(C2:C200, 5)",
    ranges=("amounts",),
)
def TOPNSHARE(amounts, n):
    """Share of total exposure held by the n largest buyers (or groups), 0-1. A single buyer above 20 % is red.

    Source: SPEC §9.

    >>> round(TOPNSHARE([[800000], [560000], [240000], [120000]], 2), 6)  # HHI-2
    0.790698
    """
    fn = "TOPNSHARE"
    k = _args.integer(n, fn, "n", minimum=1)
    return conc.top_n_share(_amounts(fn, amounts), k)


@excel_function(
    category=CONCENTRATION,
    args={"amounts": "Exposure per buyer (or per group): a range. Blanks are skipped; negative amounts count as 0."},
    example="=HHINORM(C2:C200)",
    ranges=("amounts",),
)
def HHINORM(amounts):
    """Normalised HHI = (HHI − 1/N) / (1 − 1/N), N = buyers with exposure: 0 when all are equal, 1 for a single buyer, so books of different sizes compare.

    Source: SPEC §9.1.

    HHI-1 (400/300/200/100): (0.30 − 0.25)/(1 − 0.25) = 0.0667; HHI-2 (the four buyers of SPEC §8.4) 0.1289.

    >>> round(HHINORM([[400], [300], [200], [100]]), 6), round(HHINORM([[800000], [560000], [240000], [120000]]), 6)
    (0.066667, 0.128899)
    """
    return conc.hhi_normalised(_amounts("HHINORM", amounts))


@excel_function(
    category=CONCENTRATION,
    args={"amounts": "Exposure per buyer: a range. Blanks are skipped; negative amounts count as 0."},
    example="=EQUIVBUYERS(C2:C200)",
    ranges=("amounts",),
)
def EQUIVBUYERS(amounts):
    """Equivalent number of buyers = 1 / HHI: how many equal-sized buyers would give the same concentration; 10 equal buyers → 10.

    Source: SPEC §9.1.

    HHI-2: four buyers of 800,000 / 560,000 / 240,000 / 120,000 concentrate like 2.88 equal ones.

    >>> round(EQUIVBUYERS([[800000], [560000], [240000], [120000]]), 4), EQUIVBUYERS([[5]] * 10)
    (2.8846, 10.0)
    """
    return conc.equivalent_number(_amounts("EQUIVBUYERS", amounts))

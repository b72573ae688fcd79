"""Working-capital and liquidity ratios, the cash conversion cycle and their health bands (SPEC §5).

Every function broadcasts its inputs like numpy: scalars in give a Python float, arrays in give an
array of the broadcast shape. A ratio whose denominator is zero or negative (no current liabilities,
no COGS) is undefined and comes back as NaN; the Excel layer turns that into a readable error.

Health bands (SPEC §5, toolkit design (D)): a ratio below ``danger_below`` is DANGER, from
``danger_below`` up to (not including) ``healthy_from`` WATCH, from ``healthy_from`` on HEALTHY. A
ratio exactly on a cut-off takes the upper band, as SPEC §5 writes "< 1.0 red, ≥ 1.5 green".
Above ``idle_above`` a current ratio stays HEALTHY but carries the note that a high ratio may mean
idle cash (SPEC §5 [S21]: "> 2.0× comfortable"; 3 is the toolkit's default for "too much").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xl_cashrisk._array import floats, safe_divide, scalar_or_array
from xl_cashrisk.dates import DAYS_IN_YEAR  # SPEC §0: period days default 365 (360 allowed); re-exported

__all__ = [
    "CURRENT_RATIO_BANDS",
    "DAYS_IN_YEAR",
    "HEALTH_LABELS",
    "IDLE_CASH_NOTE",
    "QUICK_RATIO_BANDS",
    "HealthBands",
    "average_balance",
    "cash_ratio",
    "ccc",
    "current_ratio",
    "dio",
    "dpo",
    "dso_average",
    "quick_ratio",
    "quick_ratio_from_current_assets",
    "ratio_trend",
    "wc_health",
    "wc_health_label",
    "wc_health_note",
    "working_capital",
]

DANGER, WATCH, HEALTHY = "DANGER", "WATCH", "HEALTHY"
HEALTH_LABELS = {
    "en": {DANGER: "DANGER", WATCH: "WATCH", HEALTHY: "HEALTHY"},
    "zh": {DANGER: "危险", WATCH: "关注", HEALTHY: "健康"},
}
IDLE_CASH_NOTE = {
    "en": "high ratio may mean idle cash",
    "zh": "比率偏高，可能存在闲置现金",
}


@dataclass(frozen=True)
class HealthBands:
    """Cut-offs of a ratio's health bands; ``idle_above=None`` means no idle-cash note."""

    danger_below: float = 1.0
    healthy_from: float = 1.5
    idle_above: float | None = 3.0

    def __post_init__(self):
        if not self.danger_below <= self.healthy_from:
            raise ValueError(f"danger_below ({self.danger_below}) must not exceed healthy_from ({self.healthy_from})")
        if self.idle_above is not None and self.idle_above < self.healthy_from:
            raise ValueError(f"idle_above ({self.idle_above}) must not be below healthy_from ({self.healthy_from})")


CURRENT_RATIO_BANDS = HealthBands(1.0, 1.5, 3.0)  # SPEC §5 (D): < 1.0 red, 1.0–1.5 yellow, ≥ 1.5 green
QUICK_RATIO_BANDS = HealthBands(0.7, 1.0, None)  # SPEC §5 (D): < 0.7 red, 0.7–1.0 yellow, ≥ 1.0 green


def working_capital(current_assets, current_liabilities):
    """Working capital = CA − CL (SPEC §5).

    >>> working_capital(920_000, 500_000)  # WC-1
    420000.0
    """
    return scalar_or_array(floats(current_assets) - floats(current_liabilities))


def current_ratio(current_assets, current_liabilities):
    """Current ("working-capital") ratio = CA / CL (SPEC §5); NaN where CL ≤ 0.

    >>> round(current_ratio(920_000, 500_000), 4)  # WC-1
    1.84
    """
    return scalar_or_array(safe_divide(current_assets, current_liabilities, positive=True))


def quick_ratio(cash, marketable_securities, receivables, current_liabilities):
    """Quick (acid-test) ratio = (cash + marketable securities + receivables) / CL (SPEC §5).

    >>> round(quick_ratio(120_000, 30_000, 400_000, 500_000), 4)  # WC-1
    1.1
    """
    quick = floats(cash) + floats(marketable_securities) + floats(receivables)
    return scalar_or_array(safe_divide(quick, current_liabilities, positive=True))


def quick_ratio_from_current_assets(current_assets, inventory, prepaids, current_liabilities):
    """Quick ratio, second definition = (CA − inventory − prepaids) / CL (SPEC §5).

    >>> round(quick_ratio_from_current_assets(920_000, 350_000, 20_000, 500_000), 4)  # WC-1
    1.1
    """
    ca = np.asarray(current_assets, dtype=float)
    quick = ca - np.asarray(inventory, dtype=float) - np.asarray(prepaids, dtype=float)
    return scalar_or_array(safe_divide(quick, current_liabilities, positive=True))


def cash_ratio(cash, current_liabilities, marketable_securities=0.0):
    """Cash ratio = (cash and equivalents + marketable securities) / CL (SPEC §5).

    >>> round(cash_ratio(120_000, 500_000, marketable_securities=30_000), 4)  # WC-1
    0.3
    """
    liquid = floats(cash) + floats(marketable_securities)
    return scalar_or_array(safe_divide(liquid, current_liabilities, positive=True))


def average_balance(opening, closing):
    """Average of an opening and a closing balance, the input of DSO/DIO/DPO (SPEC §5).

    >>> average_balance(380_000, 420_000)
    400000.0
    """
    return scalar_or_array((np.asarray(opening, dtype=float) + np.asarray(closing, dtype=float)) / 2.0)


def dso_average(average_receivables, revenue, days=DAYS_IN_YEAR):
    """DSO = average AR / revenue × days (SPEC §5; the ledger-based methods are in SPEC §4.2).

    >>> dso_average(average_balance(380_000, 420_000), 3_650_000)  # CCC-1
    40.0
    """
    return scalar_or_array(safe_divide(average_receivables, revenue, positive=True) * np.asarray(days, dtype=float))


def dio(average_inventory, cogs, days=DAYS_IN_YEAR):
    """DIO = average inventory / COGS × days (SPEC §5).

    >>> dio(average_balance(330_000, 370_000), 2_920_000)  # CCC-1
    43.75
    """
    return scalar_or_array(safe_divide(average_inventory, cogs, positive=True) * np.asarray(days, dtype=float))


def dpo(average_payables, cogs, days=DAYS_IN_YEAR):
    """DPO = average AP / COGS × days (SPEC §5; some analysts use purchases instead of COGS).

    >>> dpo(average_balance(220_000, 260_000), 2_920_000)  # CCC-1
    30.0
    """
    return scalar_or_array(safe_divide(average_payables, cogs, positive=True) * np.asarray(days, dtype=float))


def ccc(dso, dio, dpo):
    """Cash conversion cycle CCC = DSO + DIO − DPO, in days (SPEC §5).

    >>> ccc(40.0, 43.75, 30.0)  # CCC-1
    53.75
    """
    return scalar_or_array(floats(dso) + floats(dio) - floats(dpo))


def wc_health(ratio, bands: HealthBands = CURRENT_RATIO_BANDS):
    """Health band of a ratio: "DANGER", "WATCH", "HEALTHY" ('' for a missing ratio).

    DANGER if ratio < danger_below; WATCH if danger_below ≤ ratio < healthy_from; HEALTHY otherwise
    (SPEC §5 (D); colours red / yellow / green). Use ``QUICK_RATIO_BANDS`` for the quick ratio.

    >>> wc_health(1.84), wc_health(1.0), wc_health(0.99), wc_health(1.5)
    ('HEALTHY', 'WATCH', 'DANGER', 'HEALTHY')
    >>> wc_health(np.array([0.65, 0.7, 1.1]), QUICK_RATIO_BANDS).tolist()
    ['DANGER', 'WATCH', 'HEALTHY']
    """
    r = floats(ratio)
    if r.__class__ is float:  # one ratio: the same rule without arrays
        return "" if r != r else DANGER if r < bands.danger_below else WATCH if r < bands.healthy_from else HEALTHY
    status = np.select(
        [np.isnan(r), r < bands.danger_below, r < bands.healthy_from], ["", DANGER, WATCH], HEALTHY
    ).astype(object)
    return scalar_or_array(status)


def wc_health_note(ratio, bands: HealthBands = CURRENT_RATIO_BANDS, language: str = "en"):
    """The idle-cash note for ratios above ``bands.idle_above`` ('' otherwise).

    >>> wc_health_note(3.4), wc_health_note(2.2)
    ('high ratio may mean idle cash', '')
    """
    r = floats(ratio)
    if r.__class__ is float:  # one ratio (NaN is never idle)
        return IDLE_CASH_NOTE[language] if bands.idle_above is not None and r > bands.idle_above else ""
    if bands.idle_above is None:
        return scalar_or_array(np.full(r.shape, "", dtype=object))
    idle = np.nan_to_num(r, nan=-np.inf) > bands.idle_above
    return scalar_or_array(np.where(idle, IDLE_CASH_NOTE[language], "").astype(object))


def wc_health_label(ratio, bands: HealthBands = CURRENT_RATIO_BANDS, language: str = "en"):
    """Status and note as one cell text, in English or Chinese: "HEALTHY: high ratio may mean idle cash".

    >>> wc_health_label(0.8, language="zh"), wc_health_label(3.5)
    ('危险', 'HEALTHY: high ratio may mean idle cash')
    """
    status, note = wc_health(ratio, bands), wc_health_note(ratio, bands, language)
    names = HEALTH_LABELS[language]
    sep = "：" if language == "zh" else ": "
    if status.__class__ is str:  # one ratio (the expression below, for one)
        return "" if status == "" else names[status] + (sep + note if note else "")
    status, note = np.asarray(status, dtype=object), np.asarray(note, dtype=object)
    flat = ["" if s == "" else names[s] + (sep + n if n else "")
            for s, n in zip(status.ravel().tolist(), note.ravel().tolist(), strict=True)]
    return scalar_or_array(np.array(flat, dtype=object).reshape(status.shape))


_TREND_RATIOS = ("working_capital", "current_ratio", "quick_ratio", "cash_ratio", "dso", "dio", "dpo", "ccc")


def ratio_trend(financials: pd.DataFrame, bands: HealthBands = CURRENT_RATIO_BANDS) -> pd.DataFrame:
    """Ratios per period and their change from the previous period.

    ``financials`` has one row per period in time order (the index names the period) and the
    columns ``current_assets`` and ``current_liabilities``, optionally ``cash``,
    ``marketable_securities``, ``receivables``, ``inventory``, ``prepaids``, ``payables``,
    ``sales``, ``cogs`` and ``days`` (period length, default 365). Missing inputs give NaN ratios.
    The quick ratio uses cash + securities + receivables when cash and receivables are given, else
    CA − inventory − prepaids. DSO/DIO/DPO use the average of the previous and this period's
    balance; the first period, having no opening balance, uses its closing balance.

    Returns the ratios, ``current_health`` and a ``<ratio>_change`` column (this − previous) each.

    >>> fin = pd.DataFrame({"current_assets": [800.0, 920.0], "current_liabilities": [640.0, 500.0]},
    ...                    index=["2025", "2026"])
    >>> t = ratio_trend(fin)
    >>> t[["current_ratio", "current_ratio_change", "current_health"]].round(4).values.tolist()
    [[1.25, nan, 'WATCH'], [1.84, 0.59, 'HEALTHY']]
    """
    f = financials.copy()
    for col in ("current_assets", "current_liabilities"):
        if col not in f:
            raise KeyError(f"ratio_trend needs a '{col}' column; got {list(financials.columns)}")

    def col(name, fill=np.nan):
        return f[name].astype(float).to_numpy() if name in f else np.full(len(f), fill)

    ca, cl = col("current_assets"), col("current_liabilities")
    securities, prepaids = col("marketable_securities", 0.0), col("prepaids", 0.0)
    days = col("days", DAYS_IN_YEAR)

    def avg(name):
        closing = col(name)
        opening = np.concatenate([[np.nan], closing[:-1]])
        return np.where(np.isnan(opening), closing, (opening + closing) / 2.0)

    out = pd.DataFrame(index=f.index)
    out["working_capital"] = working_capital(ca, cl)
    out["current_ratio"] = current_ratio(ca, cl)
    if "cash" in f and "receivables" in f:
        out["quick_ratio"] = quick_ratio(col("cash"), securities, col("receivables"), cl)
    else:
        out["quick_ratio"] = quick_ratio_from_current_assets(ca, col("inventory"), prepaids, cl)
    out["cash_ratio"] = cash_ratio(col("cash"), cl, securities)
    out["dso"] = dso_average(avg("receivables"), col("sales"), days)
    out["dio"] = dio(avg("inventory"), col("cogs"), days)
    out["dpo"] = dpo(avg("payables"), col("cogs"), days)
    out["ccc"] = ccc(out["dso"], out["dio"], out["dpo"])
    out["current_health"] = wc_health(out["current_ratio"].to_numpy(), bands)
    for name in _TREND_RATIOS:
        out[f"{name}_change"] = out[name].diff()
    return out

"""Company ratios by period with health bands and a trend (SPEC §5); concentration of open AR (SPEC §9).

``run_ratios`` takes the Company financials table (one row per period, closing balances) and returns
each period's working capital, current / quick / cash ratios, DSO / DIO / DPO / CCC, the health band
of the current and quick ratios, and the trend. ``run_concentration`` measures how much of the open
receivables sits with one buyer, region, province, country or sector. Both only compose the core
functions of :mod:`xl_cashrisk.ratios` and :mod:`xl_cashrisk.concentration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk import ratios as rt
from xl_cashrisk import receivables as rc
from xl_cashrisk.concentration import ConcentrationResult, ConcentrationThresholds, concentration
from xl_cashrisk.errors import InputError
from xl_cashrisk.settings import Settings

__all__ = ["CONCENTRATION_GROUPS", "ConcentrationReport", "RatiosResult", "bands_from_settings", "buyer_exposure",
           "run_concentration", "run_ratios", "thresholds_from_settings", "trend_direction"]

LIGHT = {rt.HEALTHY: "GREEN", rt.WATCH: "YELLOW", rt.DANGER: "RED", "": ""}
STABLE_TOLERANCE = 0.02  # a current ratio moving less than this is "stable"
DOMESTIC_ONLY = "province"
CONCENTRATION_GROUPS = (  # (grouping, column, label en, label zh)
    ("buyer", "buyer_id", "Buyer", "客户"),
    ("region", "region", "Region", "区域"),
    ("province", "province", "Province (domestic AR)", "省份（国内应收）"),
    ("country", "country", "Country", "国家"),
    ("sector", "sector", "Sector", "行业"),
)


def bands_from_settings(settings: Settings) -> tuple[rt.HealthBands, rt.HealthBands]:
    """Current- and quick-ratio health bands from the settings' ratio rows (defaults SPEC §5)."""
    v = settings.ratios
    try:
        current = rt.HealthBands(v.wc_danger_below, v.wc_healthy_from, v.wc_idle_above)
        quick = rt.HealthBands(v.quick_danger_below, v.quick_healthy_from, None)
    except ValueError as exc:
        raise InputError(f"invalid ratio health bands in the settings: {exc}") from None
    return current, quick


def thresholds_from_settings(settings: Settings) -> ConcentrationThresholds:
    """Concentration cut-offs from the settings' ``conc_*`` rows (defaults SPEC §9.2)."""
    v = settings.concentration
    try:
        return ConcentrationThresholds(v.conc_share_yellow, v.conc_share_red, v.conc_hhi_yellow, v.conc_hhi_red)
    except ValueError as exc:
        raise InputError(f"invalid concentration thresholds in the settings: {exc}") from None


# ---------------------------------------------------------------------------------------------- ratios


@dataclass
class RatiosResult:
    settings: Settings
    current_bands: rt.HealthBands
    quick_bands: rt.HealthBands
    financials: pd.DataFrame  # the input rows in period order
    trend: pd.DataFrame  # one row per period: ratios, health, changes
    summary: pd.DataFrame  # key, metric, metric_zh, value, unit, note

    @property
    def latest(self) -> pd.Series:
        return self.trend.iloc[-1]

    def metric(self, key: str):
        return self.summary.set_index("key").loc[key, "value"]


def _period_days(frame: pd.DataFrame) -> np.ndarray:
    """The days column, blanks filled from the period ends (first row: the next period's length)."""
    ends = pd.to_datetime(frame["period_end"]).to_numpy().astype("datetime64[D]")
    gaps = np.diff(ends).astype(float)
    derived = np.concatenate([[gaps[0] if len(gaps) else float(rt.DAYS_IN_YEAR)], gaps])
    given = frame["days"].astype(float).to_numpy() if "days" in frame else np.full(len(frame), np.nan)
    return np.where(np.isnan(given), derived, given)


def run_ratios(financials: pd.DataFrame, settings: Settings | None = None) -> RatiosResult:
    """Ratios, health bands and trend for the Company financials rows (any order; sorted by period end)."""
    settings = settings or Settings()
    if financials.empty:
        raise InputError("the Company financials table has no rows")
    current_bands, quick_bands = bands_from_settings(settings)
    fin = financials.sort_values("period_end", kind="stable")
    fin = fin.reset_index(drop=True)
    if (pd.to_datetime(fin["period_end"]).diff().dt.days <= 0).any():
        raise InputError("Company financials: two rows have the same period end")
    frame = fin.set_index(fin["period"].astype(str))
    frame = frame.rename(columns={"accounts_payable": "payables"})
    frame["days"] = _period_days(fin)
    frame = frame.drop(columns=[c for c in ("period", "period_end") if c in frame])
    frame = frame.dropna(axis=1, how="all")  # a column left blank throughout is absent, not zero
    trend = rt.ratio_trend(frame, current_bands)
    lang = settings.language if settings.language in rt.HEALTH_LABELS else "en"
    trend["current_label"] = rt.wc_health_label(trend["current_ratio"].to_numpy(), current_bands, lang)
    trend["current_light"] = [LIGHT[s] for s in trend["current_health"]]
    trend["quick_health"] = rt.wc_health(trend["quick_ratio"].to_numpy(), quick_bands)
    trend["quick_light"] = [LIGHT[s] for s in trend["quick_health"]]
    trend.insert(0, "period_end", pd.to_datetime(fin["period_end"]).to_numpy())
    trend.insert(1, "days", frame["days"].to_numpy())
    trend.index.name = "period"
    return RatiosResult(settings, current_bands, quick_bands, fin, trend, _ratio_summary(trend, settings))


def trend_direction(values: np.ndarray, tolerance: float = STABLE_TOLERANCE) -> str:
    """"improving", "worsening" or "stable": the sign of the least-squares slope over the periods,
    "stable" when the fitted change over the whole span is within ``tolerance``.

    >>> trend_direction(np.array([1.72, 1.60, 1.47, 1.34, 1.19]))
    'worsening'
    >>> trend_direction(np.array([1.50, 1.51, np.nan, 1.505]))
    'stable'
    """
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    if ok.sum() < 2:
        return ""
    x = np.arange(len(y))[ok]
    slope = np.polyfit(x, y[ok], 1)[0]
    span = slope * (x[-1] - x[0])
    return "stable" if abs(span) < tolerance else ("improving" if span > 0 else "worsening")


def _ratio_summary(trend: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    last = trend.iloc[-1]
    first_cr = trend["current_ratio"].dropna()
    direction = trend_direction(trend["current_ratio"].to_numpy())
    ccc = trend["ccc"].dropna()
    hc = settings.home_currency
    rows = [
        ("latest_period", "Latest period", "最近期间", trend.index[-1], "", ""),
        ("working_capital", "Working capital", "营运资金", last["working_capital"], hc, "CA − CL"),
        ("current_ratio", "Current ratio", "流动比率", last["current_ratio"], "×", last["current_label"]),
        ("quick_ratio", "Quick ratio", "速动比率", last["quick_ratio"], "×", last["quick_health"]),
        ("cash_ratio", "Cash ratio", "现金比率", last["cash_ratio"], "×", "cash + securities / CL"),
        ("ccc", "Cash conversion cycle", "现金周转周期", ccc.iloc[-1] if len(ccc) else np.nan, "days",
         "DSO + DIO − DPO"),
        ("current_ratio_first", f"Current ratio, {first_cr.index[0] if len(first_cr) else ''}", "期初流动比率",
         first_cr.iloc[0] if len(first_cr) else np.nan, "×", ""),
        ("current_ratio_change", "Change in current ratio over the span", "流动比率变化",
         (first_cr.iloc[-1] - first_cr.iloc[0]) if len(first_cr) else np.nan, "×", direction),
        ("trend", "Current-ratio trend", "流动比率趋势", direction, "", "least-squares slope over the periods"),
    ]
    return pd.DataFrame(rows, columns=["key", "metric", "metric_zh", "value", "unit", "note"])


# ------------------------------------------------------------------------------------------- concentration


@dataclass
class ConcentrationReport:
    settings: Settings
    thresholds: ConcentrationThresholds
    exposure: pd.DataFrame  # one row per buyer with open AR (home currency) and its groups
    results: dict[str, ConcentrationResult] = field(default_factory=dict)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def total(self) -> float:
        return float(self.exposure["open_ar"].clip(lower=0).sum())


def buyer_exposure(ledger: pd.DataFrame, settings: Settings, buyers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open AR per buyer in home currency (credit notes net off), with the register's groups joined."""
    aged = rc.age_ledger(ledger, settings.as_of, fx=settings.fx_rates, home_currency=settings.home_currency)
    ids = aged["buyer_id"].astype(str)
    per = aged.groupby(ids, sort=True)["open_amount_hc"].sum().rename("open_ar").to_frame()
    if "buyer_name" in aged:
        per["buyer_name"] = aged.groupby(ids, sort=True)["buyer_name"].first()
    per.index.name = "buyer_id"
    per = per.reset_index()
    if buyers is not None and len(buyers):
        info = buyers.copy()
        info["buyer_id"] = info["buyer_id"].astype(str)
        extra = [c for c in ("buyer_name", "country", "province", "region", "sector") if c in info]
        info = info.drop_duplicates("buyer_id").set_index("buyer_id")[extra]
        for c in extra:
            joined = per["buyer_id"].map(info[c])
            per[c] = joined.where(joined.notna(), per[c]) if c in per else joined
    return per[per["open_ar"].abs() > 0.005].reset_index(drop=True)


def run_concentration(ledger: pd.DataFrame, settings: Settings, buyers: pd.DataFrame | None = None,
                      top: tuple[int, ...] = (1, 2, 5, 10)) -> ConcentrationReport:
    """Concentration of open AR by buyer and, where the register gives them, region, province, country
    and sector. Province is measured on domestic AR only (foreign buyers have none)."""
    th = thresholds_from_settings(settings)
    exp = buyer_exposure(ledger, settings, buyers)
    report = ConcentrationReport(settings, th, exp)
    rows = []
    for key, col, en, zh in CONCENTRATION_GROUPS:
        if col not in exp or (col != "buyer_id" and exp[col].isna().all()):
            continue
        data = exp
        if key == DOMESTIC_ONLY and "country" in exp:
            home = settings.insurance.home_country.upper()
            data = exp[exp["country"].fillna(home).astype(str).str.upper() == home]
            if data.empty:
                continue
        name = "buyer_name" if key == "buyer" and "buyer_name" in exp else None
        r = concentration(data, col, amount="open_ar", thresholds=th, top=top, name=name)
        report.results[key] = r
        rows.append({"grouping": key, "label": f"{en} {zh}", **r.summary()})
    report.summary = pd.DataFrame(rows)
    return report

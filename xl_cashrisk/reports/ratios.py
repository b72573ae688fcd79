"""Ratios sheet (health bands, trend table and charts) and Concentration sheet (HHI, largest contributors)."""

from __future__ import annotations

from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.ratios import CONCENTRATION_GROUPS, ConcentrationReport, RatiosResult
from xl_cashrisk.reports.summary import add_to_summary
from xl_cashrisk.schemas.labels import sector_label

RATIOS_SHEET = "Ratios 比率"
CONCENTRATION_SHEET = "Concentration 集中度"
TOP_ROWS = 10  # contributors listed per grouping

TREND_HEADERS = {
    "period": "Period 期间", "period_end": "Period end 期末", "days": "Days 天数",
    "working_capital": "Working capital 营运资金", "current_ratio": "Current ratio 流动比率",
    "current_label": "Current health 流动比率健康度", "current_light": "Light 信号",
    "quick_ratio": "Quick ratio 速动比率", "quick_health": "Quick health 速动比率健康度", "quick_light": "Quick light 信号",
    "cash_ratio": "Cash ratio 现金比率", "dso": "DSO 应收天数", "dio": "DIO 存货天数", "dpo": "DPO 应付天数",
    "ccc": "CCC 现金周转周期", "working_capital_change": "Δ working capital 营运资金变化",
    "current_ratio_change": "Δ current ratio 流动比率变化", "quick_ratio_change": "Δ quick ratio 速动比率变化",
    "ccc_change": "Δ CCC 周转周期变化",
}
RATIO_FORMATS = {"current_ratio": "ratio", "quick_ratio": "ratio", "cash_ratio": "ratio", "dso": "days", "dio": "days",
                 "dpo": "days", "ccc": "days", "current_ratio_change": "+0.000;-0.000;0.000",
                 "quick_ratio_change": "+0.000;-0.000;0.000", "ccc_change": "+0.0;-0.0;0.0", "days": "0",
                 "working_capital": "money", "working_capital_change": "+#,##0;-#,##0;0"}
CONC_HEADERS = {
    "label": "Grouping 分组", "groups": "Groups 组数", "total": "Open AR 应收余额", "hhi": "HHI (0–1)",
    "hhi_points": "HHI points 点数", "hhi_normalised": "HHI* normalised 标准化", "equivalent_number": "1/HHI 等效个数",
    "status": "HHI light 信号", "top1_share": "Top 1 share 第一大占比", "top2_share": "Top 2 share 前二占比",
    "top5_share": "Top 5 share 前五占比", "top10_share": "Top 10 share 前十占比", "largest": "Largest contributors 主要来源",
}


def write_ratios(result: RatiosResult, rw: ResultWorkbook) -> None:
    add_to_summary(rw, "ratios", result)
    s = result.settings
    hc = s.home_currency
    items = []
    for r in result.summary.itertuples():
        kind = "money" if r.unit == hc else ("ratio" if r.unit == "×" else ("days" if r.unit == "days" else None))
        label = f"{r.metric} {r.metric_zh}" + (f" ({r.note})" if r.note else "")
        items.append((label, r.value, kind) if kind else (label, r.value))
    b = result.current_bands
    rw.add_summary(RATIOS_SHEET, items,
                   title=f"Working capital and liquidity ({hc}); current ratio < {b.danger_below:g} DANGER, "
                   f"≥ {b.healthy_from:g} HEALTHY 营运资金与流动性")
    trend = result.trend.reset_index()
    keep = [c for c in TREND_HEADERS if c in trend]
    frame = trend[keep].rename(columns=TREND_HEADERS)
    fmts = {TREND_HEADERS[c]: f for c, f in RATIO_FORMATS.items() if c in keep}
    t = rw.add_table(frame, RATIOS_SHEET, name="RatioTrend", formats=fmts,
                     traffic_lights=[TREND_HEADERS["current_light"], TREND_HEADERS["quick_light"]],
                     title="Ratios by period, oldest first 各期比率")
    rw.add_chart(RATIOS_SHEET, "line", t, TREND_HEADERS["period"],
                 [TREND_HEADERS[c] for c in ("current_ratio", "quick_ratio", "cash_ratio")],
                 title="Liquidity ratios trend 流动性比率趋势", y_title="×")
    if trend["ccc"].notna().any():
        rw.add_chart(RATIOS_SHEET, "column", t, TREND_HEADERS["period"],
                     [TREND_HEADERS[c] for c in ("dso", "dio", "dpo", "ccc")],
                     title="DSO, DIO, DPO and cash conversion cycle (days) 周转天数", y_title="days")


def write_concentration(report: ConcentrationReport, rw: ResultWorkbook) -> None:
    add_to_summary(rw, "concentration", report)
    hc = report.settings.home_currency
    th = report.thresholds
    summary = report.summary.drop(columns=[c for c in ("grouping", "by") if c in report.summary])
    keep = [c for c in CONC_HEADERS if c in summary]
    frame = summary[keep].rename(columns=CONC_HEADERS)
    fmts = {CONC_HEADERS[c]: "percent" for c in keep if c.endswith("_share")}
    fmts.update({CONC_HEADERS["hhi"]: "0.0000", CONC_HEADERS["hhi_normalised"]: "0.0000",
                 CONC_HEADERS["hhi_points"]: "#,##0", CONC_HEADERS["equivalent_number"]: "0.00",
                 CONC_HEADERS["total"]: "money", CONC_HEADERS["groups"]: "integer"})
    rw.add_table(frame, CONCENTRATION_SHEET, name="ConcentrationSummary", formats=fmts,
                 traffic_lights=[CONC_HEADERS["status"]],
                 title=f"Concentration of open receivables ({hc}): HHI > {th.hhi_red:g} RED, ≥ {th.hhi_yellow:g} "
                 f"YELLOW; a single share > {th.share_red:.0%} RED, ≥ {th.share_yellow:.0%} YELLOW 应收账款集中度")
    labels = {key: (en, zh) for key, _col, en, zh in CONCENTRATION_GROUPS}
    chart_table = None
    for key, r in report.results.items():
        en, zh = labels[key]
        top = r.table.head(TOP_ROWS).copy()
        top["label"] = top["name"].astype(str) if "name" in top else top["group"].astype(str)
        cols = ["rank", "group", "label", "amount", "share", "cumulative_share", "status"]
        if key != "buyer":
            cols.remove("label")
        if key == "sector":
            top["group"] = top["group"].map(lambda v: sector_label(v, rw.language))
        frame = top[cols].rename(columns={
            "rank": "Rank 排名", "group": f"{en} {zh}", "label": "Name 名称", "amount": f"Open AR ({hc}) 应收余额",
            "share": "Share 占比", "cumulative_share": "Cumulative 累计占比", "status": "Light 信号"})
        t = rw.add_table(frame, CONCENTRATION_SHEET, name=f"Top_{key}", traffic_lights=["Light 信号"],
                         formats={"Share 占比": "percent", "Cumulative 累计占比": "percent", "Rank 排名": "0"},
                         title=f"Largest contributors by {en.lower()}: HHI {r.hhi:.4f} ({r.status}) 主要来源：{zh}")
        if key == "buyer":
            chart_table = t
    if chart_table is not None:
        rw.add_chart(CONCENTRATION_SHEET, "bar", chart_table, "Name 名称", ["Share 占比"],
                     title=f"Largest buyers' share of open AR (top {TOP_ROWS}) 最大客户占比", size=(640, 400))

"""Stress-test results: the sheets (scenario table, cash paths, tornado, loss histogram, weekly and monthly
forecast, buyers), the one-page management summary (PNG / PDF, matplotlib with the Agg backend) and the
run stamp (:func:`stress_stamp`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from xl_cashrisk import __version__
from xl_cashrisk.insurance import Policy
from xl_cashrisk.io.safe import atomic_output
from xl_cashrisk.io.writer import LIGHTS, ResultWorkbook, WrittenTable, run_stamp
from xl_cashrisk.pipelines.stress_test import StressTestResult
from xl_cashrisk.reports.fonts import chart_language, font_families, quiet_font_lookup
from xl_cashrisk.reports.summary import add_to_summary

RESULTS_SHEET = "Stress results 压力测试"
DATA_SHEET = "Stress chart data 图表数据"
WEEKLY_SHEET = "Weekly forecast 周预测"
MONTHLY_SHEET = "Monthly forecast 月预测"
LOSS_SHEET = "Loss distribution 损失分布"
BUYERS_SHEET = "Buyer risk 客户风险"

SCENARIO_COLUMNS = {
    "name": "Scenario 情景", "status": "Status 状态", "min_cash": "Min cash 最低现金", "week_of_min": "Week of min 最低周",
    "first_negative_week": "First week < 0 首次为负周", "first_buffer_breach": "First week < buffer 低于缓冲周",
    "runway": "Runway (weeks) 现金可维持周数", "min_liquidity": "Min liquidity 最低流动性",
    "funding_gap_week": "First liquidity < 0 流动性缺口周", "min_headroom": "Min covenant headroom 最低约定余量",
    "peak_funding_need": "Peak funding need 最大融资需求", "end_cash": "Week-13 cash 第13周现金",
    "impact_vs_base": "Impact vs base 较基准影响", "loss_gross": "Loss gross 总损失",
    "loss_net": "Loss net of insurance 保险后损失", "indemnity_in_horizon": "Indemnity in 13 weeks 13周内赔款",
    "indemnity_total": "Indemnity total 赔款合计", "defaulted": "Defaulted buyers 违约客户",
}
WEEKLY_COLUMNS = {
    "week": "Week 周", "week_start": "From 起", "week_end": "To 止", "opening_cash": "Opening cash 期初现金",
    "ar_collections": "AR collections 应收回款", "new_sales_collections": "New-sales collections 新销售回款",
    "other_receipts": "Other receipts 其他收款", "indemnity": "Insurance indemnity 保险赔款",
    "total_receipts": "Total receipts 收款合计", "supplier_payments": "Suppliers 供应商", "payroll": "Payroll 工资",
    "tax": "Taxes 税费", "debt_service": "Debt service 还本付息", "capex": "Capex 资本支出",
    "other_payments": "Other payments 其他付款", "total_disbursements": "Total disbursements 付款合计",
    "net_operating_cf": "Net operating cash flow 经营净现金流", "financing": "Financing 融资",
    "ending_cash": "Ending cash 期末现金", "drawn": "Facility drawn 已提用", "availability": "Availability 可用额度",
    "liquidity": "Liquidity 流动性", "headroom": "Covenant headroom 约定余量",
    "new_sales_invoiced": "New sales invoiced 新增赊销", "month": "Month 月份", "weeks": "Weeks 周次",
    "min_ending_cash": "Lowest ending cash 最低期末现金",
}
LOSS_COLUMNS = {"measure": "Measure 指标", "measure_zh": "指标", "mc_gross": "Monte Carlo gross 模拟（总）",
                "mc_net": "Monte Carlo net 模拟（保险后）", "exact_gross": "Exact gross 精确（总）",
                "exact_net": "Exact net 精确（保险后）", "el_formula_gross": "Σ PD·LGD·EAD", "note": "Note 说明"}
PALETTE = ("#1F4E78", "#C00000", "#ED7D31", "#7030A0", "#00B050", "#FFC000", "#5B9BD5", "#A5A5A5", "#70AD47",
           "#264478", "#9E480E", "#636363", "#997300")


def status_of(row: pd.Series) -> str:
    """RED: cash below zero in the horizon; YELLOW: below the buffer or the covenant; GREEN otherwise."""
    if pd.notna(row.get("first_negative_week")):
        return "RED"
    if pd.notna(row.get("first_buffer_breach")) or row.get("min_headroom", 0) < 0:
        return "YELLOW"
    return "GREEN"


def scenario_table(result: StressTestResult) -> pd.DataFrame:
    t = result.scenarios.copy()
    t["name"] = [f"{i} · {en} {zh}".strip() for i, en, zh in zip(t.index, t["name_en"], t["name_zh"], strict=True)]
    t["status"] = t.apply(status_of, axis=1)
    # name and status first: they share columns A and B with the key figures above, whose labels need the width
    t = t.reset_index()[[*SCENARIO_COLUMNS, "id"]]
    for c in ("week_of_min", "first_negative_week", "first_buffer_breach", "funding_gap_week"):
        t[c] = pd.array([None if pd.isna(v) else int(v) for v in t[c]], dtype="Int64")
    return t.rename(columns={"id": "ID 编号", **SCENARIO_COLUMNS})


def _money_formats(cols: Iterable[str]) -> dict[str, str]:
    return {c: "#,##0" for c in cols}


def write_stress(result: StressTestResult, rw: ResultWorkbook) -> None:
    """All stress sheets into ``rw``; charts on the Results sheet read the chart-data sheet."""
    add_to_summary(rw, "stress", result)
    hc = result.settings.home_currency
    fc = result.forecast
    worst = result.worst()
    ls = result.loss_stats.set_index("key")
    summary = [
        ("As of 基准日", result.settings.as_of.isoformat()),
        ("Forecast start 预测开始", str(result.start)),
        (f"Opening cash 期初现金 ({hc})", fc.opening_cash, "#,##0"),
        (f"Facility limit / drawn 授信额度/已提用 ({hc})", f"{fc.facility_limit:,.0f} / {fc.drawn:,.0f}"),
        (f"Minimum-cash buffer 最低现金缓冲 ({hc})", fc.min_cash_buffer, "#,##0"),
        (f"Base case: lowest cash 基准最低现金 ({hc})", result.base.metrics["min_cash"], "#,##0"),
        ("Base case: week of lowest cash 基准最低现金周", result.base.metrics["week_of_min"], "integer"),
        ("Worst scenario 最差情景", f"{worst.name} {worst['name_en']}"),
        (f"Worst scenario: lowest cash 最差情景最低现金 ({hc})", float(worst["min_cash"]), "#,##0"),
        (f"Expected loss (1 year) 预期损失 gross/net ({hc})", f"{ls.at['el', 'mc_gross']:,.0f} / {ls.at['el', 'mc_net']:,.0f}"),
        (f"VaR 99 % gross/net 风险价值 ({hc})", f"{ls.at['var99', 'mc_gross']:,.0f} / {ls.at['var99', 'mc_net']:,.0f}"),
        (f"ES 99 % gross/net 预期短缺 ({hc})", f"{ls.at['es99', 'mc_gross']:,.0f} / {ls.at['es99', 'mc_net']:,.0f}"),
        ("P(cash < 0 within 13 weeks) 13周内现金为负概率", result.prob_cash_negative, "percent"),
        ("P(cash < buffer within 13 weeks) 13周内低于缓冲概率", result.prob_buffer_breach, "percent"),
        ("Simulations / seed 模拟次数/种子", f"{result.sims:,} / {result.seed}"),
    ]
    rw.add_summary(RESULTS_SHEET, summary, title=f"Cash stress test, 13 weeks ({hc}) 13周现金流压力测试")
    st = scenario_table(result)
    money = [SCENARIO_COLUMNS[k] for k in ("min_cash", "min_liquidity", "min_headroom", "peak_funding_need",
                                           "end_cash", "impact_vs_base", "loss_gross", "loss_net",
                                           "indemnity_in_horizon", "indemnity_total")]
    t = rw.add_table(st, RESULTS_SHEET, name="StressScenarios", title="Scenarios vs base case 情景与基准对比",
                     formats={**_money_formats(money)}, traffic_lights=(SCENARIO_COLUMNS["status"],),
                     widths={SCENARIO_COLUMNS["name"]: 58, SCENARIO_COLUMNS["status"]: 26,
                             SCENARIO_COLUMNS["defaulted"]: 30})
    _scenario_formats(rw, t)

    data = _chart_data(result, rw)
    _cash_path_chart(result, rw, data["paths"])
    _tornado_chart(rw, data["tornado"])
    _histogram_chart(rw, data["histogram"], hc)

    weekly = result.weekly.rename(columns=WEEKLY_COLUMNS)
    rw.add_table(weekly, WEEKLY_SHEET, name="WeeklyForecast",
                 title=f"13-week cash forecast, base case ({hc}) 13周现金流预测（基准）",
                 formats=_money_formats(c for c in weekly.columns if c not in (WEEKLY_COLUMNS["week"], WEEKLY_COLUMNS["week_start"],
                                                                                WEEKLY_COLUMNS["week_end"])))
    monthly = result.monthly.rename(columns=WEEKLY_COLUMNS)
    rw.add_table(monthly, MONTHLY_SHEET, name="MonthlyForecast",
                 title=f"Cash forecast by month of the week's start, base case ({hc}) 按月现金流预测（基准）",
                 formats=_money_formats(c for c in monthly.columns if c not in (WEEKLY_COLUMNS["month"], WEEKLY_COLUMNS["weeks"])))

    loss = result.loss_stats.drop(columns=["key"]).rename(columns=LOSS_COLUMNS)
    rw.add_table(loss, LOSS_SHEET, name="LossStatistics",
                 title=f"Portfolio credit loss, correlated defaults, 1-year PDs ({hc}) 组合信用损失（相关违约）",
                 formats=_money_formats(c for c in loss.columns if c not in (LOSS_COLUMNS["measure"], LOSS_COLUMNS["measure_zh"],
                                                                              LOSS_COLUMNS["note"])))
    rw.add_summary(LOSS_SHEET, [
        ("P(cash < 0 within 13 weeks) 13周内现金为负概率", result.prob_cash_negative, "percent"),
        ("P(cash < buffer within 13 weeks) 13周内低于缓冲概率", result.prob_buffer_breach, "percent"),
        ("Method 方法", "one-factor Gaussian copula, antithetic Monte Carlo; exact: quadrature over the factor"),
    ], title="Liquidity risk from defaults 违约引起的流动性风险")

    buyers = result.buyers.reset_index().sort_values("exposure", ascending=False, kind="stable")
    rw.add_table(buyers, BUYERS_SHEET, name="StressBuyers", title=f"Buyers in the stress test ({hc}) 压力测试客户",
                 formats={"pd": "0.00%", "lgd": "percent", "exposure": "#,##0", "indemnity": "#,##0",
                          "insured_limit": "#,##0", "dbt": "0.0"})


def _scenario_formats(rw: ResultWorkbook, t: WrittenTable) -> None:
    ws = rw.sheet(t.sheet)
    r0, r1 = t.first_row, max(t.last_row, t.first_row)
    red = rw.fmt(**LIGHTS["RED"], num_format="#,##0")
    green = rw.fmt(**LIGHTS["GREEN"], num_format="#,##0")
    for key in ("min_cash", "min_liquidity", "min_headroom", "end_cash"):
        c = t.columns[SCENARIO_COLUMNS[key]]
        ws.conditional_format(r0, c, r1, c, {"type": "cell", "criteria": "<", "value": 0, "format": red})
        ws.conditional_format(r0, c, r1, c, {"type": "cell", "criteria": ">=", "value": 0, "format": green})
    for key in ("first_negative_week", "funding_gap_week"):
        c = t.columns[SCENARIO_COLUMNS[key]]
        ws.conditional_format(r0, c, r1, c, {"type": "no_blanks", "format": rw.fmt(**LIGHTS["RED"])})
    c = t.columns[SCENARIO_COLUMNS["first_buffer_breach"]]
    ws.conditional_format(r0, c, r1, c, {"type": "no_blanks", "format": rw.fmt(**LIGHTS["YELLOW"])})
    for key, color in (("impact_vs_base", "#F8696B"), ("loss_net", "#FFB628")):
        c = t.columns[SCENARIO_COLUMNS[key]]
        ws.conditional_format(r0, c, r1, c, {"type": "data_bar", "bar_color": color})


def _chart_data(result: StressTestResult, rw: ResultWorkbook) -> dict[str, WrittenTable]:
    paths = result.paths.copy()
    paths["min_cash_buffer"] = result.forecast.min_cash_buffer
    paths = paths.rename(columns={"week": "Week 周", "week_start": "From 起", "min_cash_buffer": "Min-cash buffer 最低现金"})
    p = rw.add_table(paths, DATA_SHEET, name="CashPaths", title="Ending cash per week and scenario 各情景每周期末现金",
                     formats=_money_formats(c for c in paths.columns if c not in ("Week 周", "From 起")))
    tor = result.scenarios.drop(index=result.base.scenario.id, errors="ignore")
    tor = pd.DataFrame({"Scenario 情景": [f"{i} {n}" for i, n in zip(tor.index, tor["name_en"], strict=True)],
                        "Impact on week-13 cash 第13周现金影响": tor["impact_vs_base"].astype(float).to_numpy(),
                        "Min cash vs base 最低现金变化": (tor["min_cash"] - result.base.metrics["min_cash"]).to_numpy()})
    # a bar chart draws its first category at the bottom: smallest impact first puts the largest on top
    tor = tor.sort_values("Impact on week-13 cash 第13周现金影响", key=np.abs, kind="stable").reset_index(drop=True)
    t = rw.add_table(tor, DATA_SHEET, name="Tornado", title="Scenarios ranked by cash impact 情景现金影响排序",
                     formats=_money_formats(list(tor.columns[1:])))
    h = result.histogram.copy()
    ls = result.loss_stats.set_index("key")
    h.insert(0, "Loss band 损失区间", [f"{a / 1e6:,.1f}–{b / 1e6:,.1f}m" for a, b in zip(h["bin_from"], h["bin_to"], strict=True)])
    for key, label in (("var95", "VaR 95 %"), ("var99", "VaR 99 %")):
        v = float(ls.at[key, "mc_gross"])
        inside = (h["bin_from"] <= v) & ((v < h["bin_to"]) | (h.index == len(h) - 1))
        h[label] = np.where(inside, h["share_gross"].clip(lower=h["share_gross"].max() * 0.02), np.nan)
    h = h.rename(columns={"share_gross": "Share gross 概率（总）", "share_net": "Share net 概率（保险后）"})
    hist = rw.add_table(h, DATA_SHEET, name="LossHistogram",
                        title="Simulated 1-year credit loss, gross 模拟一年信用损失分布（VaR 所在区间标出）",
                        formats={"bin_from": "#,##0", "bin_to": "#,##0", "midpoint": "#,##0",
                                 "Share gross 概率（总）": "0.00%", "Share net 概率（保险后）": "0.00%",
                                 "VaR 95 %": "0.00%", "VaR 99 %": "0.00%"})
    return {"paths": p, "tornado": t, "histogram": hist}


def _anchor(rw: ResultWorkbook, height: int) -> str:
    sheet = RESULTS_SHEET
    rw.sheet(sheet)
    row = rw._next_row[sheet]
    rw._next_row[sheet] += height // 20 + 2
    return xl_rowcol_to_cell(row, 0)


def _cash_path_chart(result: StressTestResult, rw: ResultWorkbook, t: WrittenTable) -> None:
    chart = rw.wb.add_chart({"type": "line"})
    cols = [c for c in t.columns if c not in ("Week 周", "From 起", "Min-cash buffer 最低现金")]
    base_id = result.base.scenario.id
    for i, c in enumerate(cols):
        is_base = c == base_id
        chart.add_series({"name": [t.sheet, t.header_row, t.columns[c]], "categories": t.ref("Week 周"),
                          "values": t.ref(c),
                          "line": {"width": 3.0 if is_base else 1.25, "color": "#000000" if is_base else PALETTE[i % len(PALETTE)]}})
    chart.add_series({"name": [t.sheet, t.header_row, t.columns["Min-cash buffer 最低现金"]],
                      "categories": t.ref("Week 周"), "values": t.ref("Min-cash buffer 最低现金"),
                      "line": {"color": "#C00000", "dash_type": "dash", "width": 1.5}})
    chart.set_title({"name": "Ending cash by scenario vs base 各情景期末现金与基准"})
    chart.set_x_axis({"name": "Week 周", "label_position": "low"})
    chart.set_y_axis({"num_format": "#,##0,,\"m\"", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 900, "height": 420})
    rw.sheet(RESULTS_SHEET).insert_chart(_anchor(rw, 420), chart)


def _tornado_chart(rw: ResultWorkbook, t: WrittenTable) -> None:
    chart = rw.wb.add_chart({"type": "bar"})
    y = "Impact on week-13 cash 第13周现金影响"
    chart.add_series({"name": [t.sheet, t.header_row, t.columns[y]], "categories": t.ref("Scenario 情景"),
                      "values": t.ref(y), "fill": {"color": "#C00000"}, "invert_if_negative": False,
                      "data_labels": {"value": True, "num_format": "#,##0,,\"m\""}})
    chart.set_title({"name": "Scenarios ranked by cash impact (tornado) 情景影响排序"})
    chart.set_x_axis({"num_format": "#,##0,,\"m\"", "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": 380})
    rw.sheet(RESULTS_SHEET).insert_chart(_anchor(rw, 380), chart)


def _histogram_chart(rw: ResultWorkbook, t: WrittenTable, hc: str) -> None:
    chart = rw.wb.add_chart({"type": "column"})
    for col, color in (("Share gross 概率（总）", "#5B9BD5"), ("VaR 95 %", "#ED7D31"), ("VaR 99 %", "#C00000")):
        chart.add_series({"name": [t.sheet, t.header_row, t.columns[col]], "categories": t.ref("Loss band 损失区间"),
                          "values": t.ref(col), "fill": {"color": color}, "gap": 5, "overlap": 100})
    chart.set_title({"name": f"Loss distribution, VaR marked ({hc}) 损失分布（标出VaR）"})
    chart.set_x_axis({"name": f"Loss {hc} 损失", "num_font": {"rotation": -45}})
    chart.set_y_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 380})
    rw.sheet(RESULTS_SHEET).insert_chart(_anchor(rw, 380), chart)


# ----------------------------------------------------------------------------------------------
# One-page summary


# the summary page's words; Chinese only when a CJK font can draw them (reports/fonts.py)
SUMMARY_TEXT = {
    "en": {"title": "13-week cash stress test — as of {as_of}, {hc}",
           "story": "Base case lowest cash {base}m (week {week}); {neg} of {n} scenarios take cash below zero; "
                    "worst: {worst} ({worst_cash}m). Credit loss 1y: EL {el}m, VaR99 {var}m gross / {var_net}m net "
                    "of insurance; P(cash < 0 in 13 weeks) {p}.",
           "paths": "Ending cash by scenario", "week": "week", "base": "Base", "buffer": "Min-cash buffer",
           "tornado": "Cash impact at week 13 vs base (tornado)", "losses": "1-year credit loss, correlated defaults",
           "gross": "gross", "net": "net of insurance", "table": "Scenario table ({hc} m)",
           "columns": ["ID", "Status", "Min cash", "Week", "1st wk <0", "Min liq.", "Impact", "Loss net"],
           "status": {"RED": "RED", "YELLOW": "YELLOW", "GREEN": "GREEN"},
           "audit": "scorecard {card} · {sims:,} simulations, seed {seed} · inputs {fp}"},
    "zh": {"title": "13周现金流压力测试 — 基准日 {as_of}，{hc}",
           "story": "基准情景最低现金 {base}m（第{week}周）；{n}个情景中有{neg}个使现金低于零；最差：{worst}（{worst_cash}m）。"
                    "一年信用损失：预期损失 {el}m，VaR99 总额 {var}m / 保险后 {var_net}m；13周内现金为负的概率 {p}。",
           "paths": "各情景期末现金", "week": "周", "base": "基准", "buffer": "最低现金缓冲",
           "tornado": "第13周现金较基准的影响（龙卷风图）", "losses": "一年信用损失（相关违约）",
           "gross": "总额", "net": "保险后", "table": "情景表（{hc} 百万）",
           "columns": ["编号", "状态", "最低现金", "周", "首次<0周", "最低流动性", "影响", "保险后损失"],
           "status": {"RED": "红 RED", "YELLOW": "黄 YELLOW", "GREEN": "绿 GREEN"},
           "audit": "评分卡 {card} · {sims:,} 次模拟，种子 {seed} · 输入 {fp}"},
}


def render_summary(result: StressTestResult, png: str | Path | None = None, pdf: str | Path | None = None,
                   *, inputs: Iterable[str | Path] = ()) -> list[Path]:
    """One A4-landscape page for a management pack: cash paths, tornado, loss histogram, scenario table
    with each scenario's traffic light (red and yellow rows coloured).

    Titles follow ``settings.language`` when a font with Chinese glyphs is on the machine
    (:func:`xl_cashrisk.reports.fonts.chart_language`; else English, with one warning line).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    lang = chart_language(result.settings.language)
    words = SUMMARY_TEXT[lang]
    with plt.rc_context({"font.family": font_families(), "axes.unicode_minus": False}), quiet_font_lookup():
        fig = plt.figure(figsize=(11.69, 8.27), dpi=110)
        grid = fig.add_gridspec(2, 2, left=0.07, right=0.98, top=0.84, bottom=0.07, hspace=0.38, wspace=0.42)
        _summary_heading(fig, result, words, lang)
        _summary_paths(fig.add_subplot(grid[0, 0]), result, words)
        _summary_tornado(fig.add_subplot(grid[0, 1]), result, words, lang)
        _summary_losses(fig.add_subplot(grid[1, 0]), result, words)
        _summary_table(fig.add_subplot(grid[1, 1]), result, words)
        fig.text(0.07, 0.015, f"xl-cashrisk {__version__} · " + words["audit"].format(
            card=_scorecard_version(result), sims=result.sims, seed=result.seed, fp=result.fingerprint[:12]),
            fontsize=7, color="grey")
        written = []
        for path, fmt in ((png, "png"), (pdf, "pdf")):
            if path is None:
                continue
            with atomic_output(path, inputs=inputs) as tmp:
                fig.savefig(tmp, format=fmt)
            written.append(Path(path))
        plt.close(fig)
    return written


def _millions():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}m")


def _name(r: pd.Series, lang: str) -> str:
    """The scenario's name in the chart's language (its English name when it has no Chinese one)."""
    zh = r.get("name_zh")
    return str(zh) if lang == "zh" and isinstance(zh, str) and zh.strip() else str(r["name_en"])


def _summary_heading(fig, result: StressTestResult, words: dict, lang: str) -> None:
    """Title and the one-paragraph story: base case, scenarios below zero, worst, credit loss."""
    hc = result.settings.home_currency
    worst = result.worst()
    ls = result.loss_stats.set_index("key")
    base = result.base.metrics
    fig.suptitle(words["title"].format(as_of=f"{result.settings.as_of:%Y-%m-%d}", hc=hc), fontsize=15,
                 fontweight="bold", x=0.07, ha="left")
    story = words["story"].format(
        base=f"{base['min_cash'] / 1e6:,.1f}", week=base["week_of_min"],
        neg=result.scenarios["first_negative_week"].notna().sum(), n=len(result.scenarios) - 1,
        worst=f"{worst.name} {_name(worst, lang)}", worst_cash=f"{worst['min_cash'] / 1e6:,.1f}",
        el=f"{ls.at['el', 'mc_gross'] / 1e6:,.1f}", var=f"{ls.at['var99', 'mc_gross'] / 1e6:,.1f}",
        var_net=f"{ls.at['var99', 'mc_net'] / 1e6:,.1f}", p=f"{result.prob_cash_negative:.1%}")
    fig.text(0.07, 0.875, textwrap.fill(story, 150 if lang == "en" else 80), fontsize=9.5, va="bottom")


def _summary_paths(ax, result: StressTestResult, words: dict) -> None:
    """Ending cash per week, every scenario against the base case and the minimum-cash buffer."""
    weeks = result.paths["week"].to_numpy()
    base_id = result.base.scenario.id
    for i, r in enumerate(result.results):
        sid = r.scenario.id
        if sid == base_id:
            continue
        ax.plot(weeks, result.paths[sid], lw=1.1, color=PALETTE[(i + 1) % len(PALETTE)], label=sid)
    ax.plot(weeks, result.paths[base_id], lw=2.8, color="black", label=words["base"])
    ax.axhline(result.forecast.min_cash_buffer, color="#C00000", ls="--", lw=1.2, label=words["buffer"])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_title(words["paths"], fontsize=11, loc="left")
    ax.set_xlabel(words["week"])
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xticks(weeks)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, ncol=3, loc="lower left")


def _summary_tornado(ax, result: StressTestResult, words: dict, lang: str) -> None:
    """Each scenario's week-13 cash impact against the base case, largest on top."""
    tor = result.scenarios.drop(index=result.base.scenario.id, errors="ignore")
    tor = tor.assign(impact=tor["impact_vs_base"].astype(float)).sort_values("impact", key=np.abs)
    width = 30 if lang == "en" else 18
    labels = [_shorten(f"{i} {_name(r, lang)}", width) for i, r in tor.iterrows()]
    colors = ["#C00000" if v > 0 else "#00B050" for v in tor["impact"]]
    ax.barh(labels, tor["impact"], color=colors)
    ax.set_title(words["tornado"], fontsize=11, loc="left")
    ax.xaxis.set_major_formatter(_millions())
    ax.tick_params(axis="y", labelsize=7.5)
    ax.grid(axis="x", alpha=0.3)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _summary_losses(ax, result: StressTestResult, words: dict) -> None:
    """The simulated 1-year credit loss, gross and net of insurance, VaR 95 / 99 marked."""
    from matplotlib.ticker import FuncFormatter

    ls = result.loss_stats.set_index("key")
    bins = np.linspace(0, max(result.losses.gross.max(), 1.0), 41)
    ax.hist(result.losses.gross, bins=bins, color="#5B9BD5", alpha=0.85, label=words["gross"],
            weights=np.full(result.losses.gross.size, 1 / result.losses.gross.size))
    ax.hist(result.losses.net, bins=bins, histtype="step", color="#1F4E78", lw=1.4, label=words["net"],
            weights=np.full(result.losses.net.size, 1 / result.losses.net.size))
    for key, color in (("var95", "#ED7D31"), ("var99", "#C00000")):
        v = ls.at[key, "mc_gross"]
        ax.axvline(v, color=color, ls="--", lw=1.4, label=f"{ls.at[key, 'measure']} {v / 1e6:,.1f}m")
    ax.set_title(words["losses"], fontsize=11, loc="left")
    ax.xaxis.set_major_formatter(_millions())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(fontsize=7.5)
    ax.grid(alpha=0.3)


def _summary_table(ax, result: StressTestResult, words: dict) -> None:
    """The scenario table in millions with each scenario's traffic light (:func:`status_of`); red and
    yellow rows coloured as on the Stress results sheet."""
    ax.axis("off")
    ax.set_title(words["table"].format(hc=result.settings.home_currency), fontsize=11, loc="left")
    rows, lights = [], []
    for sid, r in result.scenarios.iterrows():
        light = status_of(r)
        lights.append(light)
        rows.append([sid, words["status"][light], f"{r['min_cash'] / 1e6:,.1f}", str(r["week_of_min"]),
                     "" if pd.isna(r["first_negative_week"]) else str(int(r["first_negative_week"])),
                     f"{r['min_liquidity'] / 1e6:,.1f}", f"{r['impact_vs_base'] / 1e6:,.1f}",
                     f"{r['loss_net'] / 1e6:,.1f}"])
    table = ax.table(cellText=rows, colLabels=words["columns"], loc="upper center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(len(words["columns"]))))  # every label and figure whole
    table.scale(1, 1.25)
    for (i, j), cell in table.get_celld().items():
        if i == 0:
            cell.set_facecolor("#DDEBF7")
        elif lights[i - 1] in ("RED", "YELLOW"):
            colours = LIGHTS[lights[i - 1]]
            cell.set_facecolor(colours["bg_color"])
            if j == 1:
                cell.get_text().set_color(colours["font_color"])
                cell.get_text().set_fontweight("bold")


# ----------------------------------------------------------------------------------------------
# Run stamp


def _scorecard_version(result: StressTestResult) -> str:
    return result.scorecard_version or "(PDs given)"


def policy_terms(policy: Policy) -> str:
    """The policy's terms that move the stress figures, in one line (console and run stamp)."""
    p = policy
    political = f"covered {p.political_pct:.0%}" if p.political_cover else "not covered"
    cap = "unlimited" if np.isinf(p.max_liability) else f"{p.max_liability:,.0f}"
    return (f"indemnity {p.indemnity_pct:.0%}, political risk {political}, NQL {p.non_qualifying_loss:,.0f}, "
            f"AFL {p.aggregate_first_loss:,.0f}, max liability {cap}, waiting {p.waiting_period} d, "
            f"settlement {p.settlement_days} d")


def stress_stamp(result: StressTestResult, inputs: Iterable[str | Path] = (), policy_source: str | None = None,
                 scorecard_source: str | None = None) -> dict[str, object]:
    """The run stamp of a stress test over its input files: seed, simulations, forecast start, the input
    fingerprint, the scorecard that gave the PDs and the policy's terms (and where each came from, when
    known)."""
    extra: dict[str, object] = {
        "command": "stress", "scorecard_version": _scorecard_version(result), "seed": result.seed,
        "simulations": result.sims, "antithetic": True, "forecast_start": str(result.start),
        "input_fingerprint": result.fingerprint}
    if scorecard_source is not None:
        extra["scorecard"] = scorecard_source
    if policy_source is not None:
        extra["policy"] = policy_source
    extra["policy_terms"] = policy_terms(result.policy)
    return run_stamp(result.settings.as_of, inputs, extra)

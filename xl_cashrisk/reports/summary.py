"""The Summary 概览 sheet, first in a results workbook: as-of date and home currency, the key figures with
traffic lights, the findings in words (:func:`findings`, the same sentences the terminal prints), two charts
and a contents list linking to every sheet. Prints on one landscape page.

Every report writer hands its result to :func:`add_to_summary` before it writes a sheet: the first one
creates the Summary sheet (so it comes first) and the summary of all of them is written when the workbook
is saved — ``analyze``, ``demo``, the single commands and the ribbon actions alike.

Lights of the key figures (presentation thresholds, stated on the sheet beside each figure): overdue share
below 10 % GREEN, from 25 % RED; days delinquent (DSO − best possible DSO) up to 10 GREEN, over 20 RED; insured
share from 60 % GREEN, below 30 % RED; concentration, buyer bands and scenarios keep the light their step gave;
VaR 99 % net of insurance RED when it exceeds the base case's lowest cash, YELLOW above half of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xl_cashrisk.io.writer import LIGHT_WORDS, LIGHTS, ResultWorkbook, text_width
from xl_cashrisk.pipelines.ageing import metric_text
from xl_cashrisk.pipelines.analysis import AnalysisResult
from xl_cashrisk.schemas.labels import split_languages

__all__ = ["SUMMARY_SHEET", "KeyFigure", "add_to_summary", "findings", "key_figures", "result_of", "write_summary"]

SUMMARY_SHEET = "Summary 概览"
OVERDUE_SHARE = (0.10, 0.25)  # GREEN below, RED from
DAYS_DELINQUENT = (10.0, 20.0)  # GREEN up to, RED above
INSURED_SHARE = (0.60, 0.30)  # GREEN from, RED below
MAX_FINDINGS = 5
RESULT_PARTS = ("ageing", "scores", "ratios", "concentration", "insurance", "stress")  # AnalysisResult's fields
_WIDTHS = (54, 16, 12, 56)  # figure, value, light, what it means
_CHART_COL = len(_WIDTHS) + 1  # one empty column between the figures and the charts


@dataclass(frozen=True)
class KeyFigure:
    """One line of the summary: a label (en, zh), the value with its Excel number format, a light and why."""

    en: str
    zh: str
    value: object
    num_format: str
    light: str  # GREEN / YELLOW / RED, or "" when the figure has no light
    note: str


def _light(value: float, green: float, red: float, higher_is_better: bool = False) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if higher_is_better:
        return "GREEN" if value >= green else ("RED" if value < red else "YELLOW")
    return "GREEN" if value < green else ("RED" if value >= red else "YELLOW")


def _m(v: float) -> str:
    """Millions, one decimal: 6,814,838 → '6.8m'."""
    return f"{v / 1e6:,.1f}m"


def key_figures(result: AnalysisResult) -> list[KeyFigure]:
    """The key figures of whatever steps ran, in reading order."""
    from xl_cashrisk.reports.stress_results import status_of  # (that module adds its result to the summary)

    hc = result.settings.home_currency
    out: list[KeyFigure] = []
    if result.ageing is not None:
        m = result.ageing.metrics.set_index("key")["value"]
        out.append(KeyFigure("Open receivables", "应收账款余额", float(m["open_ar"]), "#,##0", "", hc))
        share = float(m["overdue_share"])
        out.append(KeyFigure("Overdue share", "逾期占比", share, "0.0%", _light(share, *OVERDUE_SHARE),
                             f"GREEN < {OVERDUE_SHARE[0]:.0%}, RED ≥ {OVERDUE_SHARE[1]:.0%}"))
        add = float(m["add"])
        rows = result.ageing.metrics.set_index("key")
        dso_note = (f"best possible {metric_text(rows.loc['bpdso'], '{:.1f}')}; "
                    f"{metric_text(rows.loc['add'], '{:.1f}')} days delinquent (GREEN ≤ "
                    f"{DAYS_DELINQUENT[0]:g}, RED > {DAYS_DELINQUENT[1]:g})")
        if not np.isfinite(float(m["dso_12m"])):
            dso_note = f"{rows.loc['dso_12m', 'note']}; {dso_note}"
        out.append(KeyFigure("DSO (12 months), days", "应收账款周转天数", float(m["dso_12m"]), "0.0",
                             _light(add, DAYS_DELINQUENT[0], DAYS_DELINQUENT[1] + 1e-9),
                             dso_note))
    if result.concentration is not None and "buyer" in result.concentration.results:
        b = result.concentration.results["buyer"]
        top = b.table.iloc[0]
        name = top.get("name") if isinstance(top.get("name"), str) and top.get("name") else top["group"]
        out.append(KeyFigure("Largest buyer's share", "最大客户占比", float(top["share"]), "0.0%", str(top["status"]),
                             f"{name} ({top['group']})"))
        out.append(KeyFigure("Buyer concentration (HHI points)", "客户集中度（HHI）", float(b.hhi_points), "#,##0",
                             b.status, f"like {b.equivalent_number:.1f} equal buyers"))
    if result.scores is not None:
        counts = result.scores.band_counts()
        scored = result.scores.scored
        for band, zh in (("RED", "红灯客户"), ("YELLOW", "黄灯客户")):
            open_amt = float(scored.loc[scored["band"] == band, "open_amount"].sum())
            out.append(KeyFigure(f"{band.title()} buyers", zh, int(counts[band]), "#,##0",
                                 band if counts[band] else "GREEN", f"owing {open_amt:,.0f} {hc}"))
    if result.insurance is not None:
        s = result.insurance.summary.set_index("key")["value"]
        share = float(s["insured_share"])
        out.append(KeyFigure("Insured share of open AR", "受保比例", share, "0.0%",
                             _light(share, *INSURED_SHARE, higher_is_better=True),
                             f"{int(s['urgent'])} urgent worklist items; {int(s['notify_missed'])} notifications missed"))
    if result.stress is not None:
        st = result.stress
        base, worst = st.scenarios.iloc[0], st.worst()
        out.append(KeyFigure("Base case: lowest cash", "基准情景最低现金", float(base["min_cash"]), "#,##0",
                             status_of(base), f"week {base['week_of_min']}; {hc}"))
        out.append(KeyFigure("Worst scenario: lowest cash", "最差情景最低现金", float(worst["min_cash"]), "#,##0",
                             status_of(worst), f"{worst.name} {worst['name_en']}"))
        ls = st.loss_stats.set_index("key")
        var_net = float(ls.at["var99", "mc_net"])
        cushion = float(base["min_cash"])
        light = "RED" if var_net > cushion else ("YELLOW" if var_net > cushion / 2 else "GREEN")
        out.append(KeyFigure("VaR 99 %, 1 year, net of insurance", "风险价值 99%（保险后）", var_net, "#,##0", light,
                             f"gross {_m(ls.at['var99', 'mc_gross'])}; ES 99 % net {_m(ls.at['es99', 'mc_net'])}; "
                             "RED when above the base case's lowest cash"))
    return out


def findings(result: AnalysisResult) -> list[tuple[str, str]]:
    """The story in three to five sentences (English, Chinese): receivables, concentration, buyers,
    insurance, cash. ``xl-cashrisk analyze`` and ``demo`` print the same sentences."""
    hc = result.settings.home_currency
    out: list[tuple[str, str]] = []
    if result.ageing is not None:
        m = result.ageing.metrics.set_index("key")["value"]
        if np.isfinite(m["overdue_share"]):
            en = (f"{m['overdue_share']:.1%} of open receivables ({_m(m['overdue_ar'])} of {_m(m['open_ar'])} {hc}) "
                  f"is overdue")
            zh = f"逾期应收占 {m['overdue_share']:.1%}（{_m(m['overdue_ar'])} / {_m(m['open_ar'])} {hc}）"
        else:
            en, zh = f"No open receivables ({hc})", f"无未收应收账款（{hc}）"
        if np.isfinite(m["dso_12m"]) and np.isfinite(m["bpdso"]):
            en += f"; DSO {m['dso_12m']:.1f} days against a best possible {m['bpdso']:.1f}."
            zh += f"；DSO {m['dso_12m']:.1f} 天，最佳可能 {m['bpdso']:.1f} 天。"
        else:  # an open-item list, or no sales in the window: DSO needs the sales history
            en += "; DSO not computed: it needs the credit sales of the last 12 months (paid invoices too)."
            zh += "；未计算 DSO：需要最近 12 个月的赊销记录（含已收款发票）。"
        if result.ratios is not None:
            r = result.ratios
            en += (f" Current ratio {r.metric('trend')}: {r.metric('current_ratio_first'):.2f} → "
                   f"{r.metric('current_ratio'):.2f}.")
            zh += f"流动比率 {r.metric('current_ratio_first'):.2f} → {r.metric('current_ratio'):.2f}。"
        out.append((en, zh))
    if result.concentration is not None and "buyer" in result.concentration.results:
        c = result.concentration
        top = c.results["buyer"].table.iloc[0]
        name = top.get("name") if isinstance(top.get("name"), str) and top.get("name") else top["group"]
        en = f"Largest buyer {name} ({top['group']}) holds {top['share']:.1%} of open AR [{top['status']}]"
        zh = f"最大客户 {name}（{top['group']}）占应收余额 {top['share']:.1%}（{top['status']}）"
        worst = c.summary[c.summary["status"] == "RED"]
        if len(worst):
            w = worst.sort_values("top1_share", ascending=False).iloc[0]
            by_en, by_zh = split_languages(str(w["label"]))
            en += f"; by {by_en.lower()}, {w['largest']} holds {w['top1_share']:.1%} [RED]"
            zh += f"；按{by_zh or by_en}，{w['largest']} 占 {w['top1_share']:.1%}（RED）"
        out.append((en + ".", zh + "。"))
    if result.scores is not None:
        s = result.scores
        counts = s.band_counts()
        red = s.scored[s.scored["band"] == "RED"]
        en = (f"{int(counts['RED'])} buyers are RED (suspend credit sales) owing {_m(red['open_amount'].sum())} {hc}, "
              f"{int(counts['YELLOW'])} YELLOW")
        zh = f"{int(counts['RED'])} 家客户为红灯（暂停赊销），欠款 {_m(red['open_amount'].sum())} {hc}；{int(counts['YELLOW'])} 家黄灯"
        if len(red):
            r = s.riskiest(1).iloc[0]
            en += f"; riskiest {r['buyer_id']} {r.get('buyer_name', '')}, score {r['score']:.1f}, PD {r['pd']:.1%}"
            zh += f"；风险最高 {r['buyer_id']} {r.get('buyer_name', '')}，评分 {r['score']:.1f}，违约概率 {r['pd']:.1%}"
        out.append((en + ".", zh + "。"))
    if result.insurance is not None:
        m = result.insurance.summary.set_index("key")["value"]
        out.append((f"Insurance covers {m['insured_share']:.1%} of open AR; {_m(m['overdue_uninsured'])} {hc} is overdue "
                    f"and uninsured; {int(m['urgent'])} worklist items are urgent and {int(m['notify_missed'])} "
                    "notification deadlines are already missed.",
                    f"保险覆盖应收余额的 {m['insured_share']:.1%}；逾期未受保 {_m(m['overdue_uninsured'])} {hc}；"
                    f"{int(m['urgent'])} 项催收紧急，{int(m['notify_missed'])} 项已错过申报期限。"))
    if result.stress is not None:
        st = result.stress
        base, worst = st.base.metrics, st.worst()
        neg = int(st.scenarios["first_negative_week"].notna().sum())
        n = len(st.scenarios) - 1
        ls = st.loss_stats.set_index("key")
        out.append((f"Base case lowest cash {_m(base['min_cash'])} {hc} in week {base['week_of_min']}; {neg} of {n} "
                    f"scenarios take cash below zero, worst {worst.name} {worst['name_en']} ({_m(worst['min_cash'])}); "
                    f"1-year credit VaR 99 % {_m(ls.at['var99', 'mc_gross'])} gross, {_m(ls.at['var99', 'mc_net'])} "
                    f"net of insurance; P(cash < 0 within 13 weeks) {st.prob_cash_negative:.1%}.",
                    f"基准情景最低现金 {_m(base['min_cash'])} {hc}（第 {base['week_of_min']} 周）；{n} 个情景中 {neg} 个"
                    f"现金为负，最差 {worst.name} {worst.get('name_zh', '')}（{_m(worst['min_cash'])}）；一年信用风险价值 99% "
                    f"总额 {_m(ls.at['var99', 'mc_gross'])}，保险后 {_m(ls.at['var99', 'mc_net'])}；"
                    f"13 周内现金为负的概率 {st.prob_cash_negative:.1%}。"))
    return out[:MAX_FINDINGS]


def add_to_summary(rw: ResultWorkbook, key: str, result) -> None:
    """Hand a step's result (``key``: a field of :class:`AnalysisResult`) to the workbook's Summary sheet. The
    first call creates the sheet, so it comes first, and takes the labels' language from the result's settings;
    the summary of every step handed over is written when the workbook is saved."""
    if key not in RESULT_PARTS:
        raise ValueError(f"summary part must be one of {RESULT_PARTS}, got {key!r}")
    parts = rw.summary_parts
    if not parts:
        rw.use_settings(result.settings)
        rw.sheet(SUMMARY_SHEET)
        rw.print_setup[SUMMARY_SHEET] = {"landscape": True, "fit": (1, 1)}
        rw.on_save(lambda: write_summary(result_of(result.settings, parts), rw))
    parts[key] = result


def write_summary(result: AnalysisResult, rw: ResultWorkbook, *, title: str = "") -> None:
    """Fill the Summary sheet: heading, key figures, findings, charts and the contents list (every sheet of
    the workbook, so call it when every other sheet exists)."""
    ws = rw.sheet(SUMMARY_SHEET)
    s = result.settings
    for j, w in enumerate(_WIDTHS):
        ws.set_column(j, j, w)
    ws.write_string(0, 0, rw.text(title or "Credit and cash risk summary 信用与现金风险概览"),
                    rw.fmt(bold=True, font_size=16, font_color="#1F4E78"))
    ws.write_string(1, 0, f"{rw.text('As of 基准日')} {s.as_of:%Y-%m-%d} · {rw.text('Home currency 本币')} {s.home_currency}",
                    rw.fmt(font_size=11, bold=True))
    row = _write_figures(rw, ws, key_figures(result), 3)
    row = _write_findings(rw, ws, findings(result), row + 1)
    _summary_charts(rw, ws)
    _write_contents(rw, ws, row + 1)


def _write_figures(rw: ResultWorkbook, ws, figures: list[KeyFigure], row: int) -> int:
    ws.write_string(row, 0, rw.text("Key figures 关键指标"), rw.fmt(bold=True, font_size=13, font_color="#1F4E78"))
    hdr = rw.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True, valign="vcenter")
    for j, h in enumerate(("Figure 指标", "Value 数值", "Light 信号", "What it means 说明")):
        ws.write_string(row + 1, j, rw.text(h), hdr)
    for i, f in enumerate(figures):
        r = row + 2 + i
        ws.write_string(r, 0, rw.text(f"{f.en} {f.zh}"), rw.fmt(bold=True, border=1, border_color="#BFBFBF"))
        if np.isfinite(float(f.value)):
            ws.write_number(r, 1, float(f.value), rw.fmt(num_format=f.num_format, border=1, border_color="#BFBFBF"))
        else:  # a figure without a value (no sales, no open items): a dash, the reason is in the note
            ws.write_string(r, 1, "—", rw.fmt(align="right", border=1, border_color="#BFBFBF"))
        if f.light:
            en, zh = LIGHT_WORDS[f.light]
            ws.write_string(r, 2, rw.text(f"{en} {zh}"), rw.fmt(**LIGHTS[f.light], bold=True, align="center", border=1,
                                                               border_color="#BFBFBF"))
        else:
            ws.write_blank(r, 2, None, rw.fmt(border=1, border_color="#BFBFBF"))
        ws.write_string(r, 3, f.note, rw.fmt(border=1, border_color="#BFBFBF", font_size=9))
    return row + 2 + len(figures)


def _write_findings(rw: ResultWorkbook, ws, lines: list[tuple[str, str]], row: int) -> int:
    ws.write_string(row, 0, rw.text("Findings 主要发现"), rw.fmt(bold=True, font_size=13, font_color="#1F4E78"))
    wrap = rw.fmt(text_wrap=True, valign="top")
    width = sum(_WIDTHS) - 2
    for i, (en, zh) in enumerate(lines):
        r = row + 1 + i
        texts = {"both": [en, zh], "zh": [zh, en], "en": [en]}[rw.language]
        text = "\n".join(f"{i + 1}. {t}" if k == 0 else f"    {t}" for k, t in enumerate(texts))
        n_lines = sum(max(1, -(-text_width(t) // width)) for t in texts)
        ws.merge_range(r, 0, r, len(_WIDTHS) - 1, text, wrap)
        ws.set_row(r, 15 * n_lines + 3)
    return row + 1 + len(lines)


def _summary_charts(rw: ResultWorkbook, ws) -> None:
    """Open AR by ageing bucket and the scenarios' cash impact (else the largest buyers' shares), right of
    the figures where no cell is filled."""
    ageing, tornado, buyers = (rw.tables.get(n) for n in ("AgeingBuckets", "Tornado", "Top_buyer"))
    placed = 0
    if ageing is not None:
        x, y = (next(c for c, j in ageing.columns.items() if j == k) for k in (0, 1))
        chart = rw.wb.add_chart({"type": "column"})
        chart.add_series({"name": rw.text("Open receivables 应收余额"), "categories": ageing.ref(x), "values": ageing.ref(y),
                          "fill": {"color": "#1F4E78"}})
        chart.set_title({"name": rw.text("Open receivables by ageing bucket 账龄分布"), "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"num_format": "#,##0,,\"m\"", "major_gridlines": {"visible": True}})
        chart.set_size({"width": 560, "height": 280})
        ws.insert_chart(3, _CHART_COL, chart)
        placed += 1
    second = tornado if tornado is not None else buyers
    if second is not None:
        chart = rw.wb.add_chart({"type": "bar"})
        if second is tornado:
            x, y = (next(c for c, j in tornado.columns.items() if j == k) for k in (0, 1))
            chart.add_series({"name": rw.text(y), "categories": tornado.ref(x), "values": tornado.ref(y),
                              "fill": {"color": "#C00000"}})
            chart.set_title({"name": rw.text("Scenarios: impact on week-13 cash 情景对第13周现金的影响"),
                             "name_font": {"size": 11}})
            chart.set_x_axis({"num_format": "#,##0,,\"m\"", "major_gridlines": {"visible": True}})
        else:
            name_col = next(c for c, j in buyers.columns.items() if j == 2)
            share_col = next(c for c, j in buyers.columns.items() if j == 4)
            chart.add_series({"categories": buyers.ref(name_col), "values": buyers.ref(share_col),
                              "fill": {"color": "#1F4E78"}})
            chart.set_title({"name": rw.text("Largest buyers' share of open AR 最大客户占比"), "name_font": {"size": 11}})
            chart.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 560, "height": 330})
        ws.insert_chart(3 + 16 * placed, _CHART_COL, chart)


def _write_contents(rw: ResultWorkbook, ws, row: int) -> None:
    """Every other sheet as a link, with the first title written on it."""
    ws.write_string(row, 0, rw.text("Contents 目录"), rw.fmt(bold=True, font_size=13, font_color="#1F4E78"))
    link = rw.fmt(font_color="#0563C1", underline=1)
    names = [n for n in rw._sheets if n != SUMMARY_SHEET]
    for i, name in enumerate(names):
        r = row + 1 + i
        ws.write_url(r, 0, f"internal:'{name}'!A1", link, string=name)
        ws.merge_range(r, 1, r, len(_WIDTHS) - 1, rw.sheet_titles.get(name, ""), rw.fmt(font_size=9, valign="top"))


def result_of(settings, parts: dict[str, object]) -> AnalysisResult:
    """An :class:`AnalysisResult` of the results a front end holds (the demo's steps, a single command)."""
    return AnalysisResult(settings=settings, **{k: parts.get(k) for k in RESULT_PARTS})

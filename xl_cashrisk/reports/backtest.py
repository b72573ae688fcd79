"""Backtest sheets: the measures (hit and false-alarm rates, AUC / Gini / KS), lead times per defaulted
buyer, calibration per band with its binomial test, the ROC points, the month-end bands of every
buyer, and the two charts (lead-time histogram, ROC curve) as one PNG, also placed in the workbook."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from xl_cashrisk.io.safe import atomic_output
from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.backtest import BacktestResult

__all__ = ["BACKTEST_SHEET", "LEADS_SHEET", "render_backtest_charts", "write_backtest"]

BACKTEST_SHEET = "Backtest 回溯检验"
LEADS_SHEET = "Lead times 预警提前期"
BANDS_SHEET = "Bands by month 各月信号"
_VERDICT_ZH = {"consistent": "一致", "PD too low": "PD偏低", "PD too high": "PD偏高", "no data": "无数据"}


def _charts_png(result: BacktestResult) -> bytes:
    """Lead-time histogram and ROC curve side by side (English labels: PNG fonts carry no Chinese)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    judged = result.buyers[result.buyers["defaulted"] & result.buyers["observable"]]
    top = int(max(1, np.nanmax(judged[["lead_yellow_months", "lead_red_months"]].to_numpy(), initial=1)))
    edges = np.arange(-0.5, top + 1.5)
    ax1.hist([judged["lead_yellow_months"].dropna(), judged["lead_red_months"].dropna()], bins=edges,
             label=["first YELLOW or RED", "first RED"], color=["#E0A800", "#C00000"])
    ax1.set_xlabel(f"months before default (> {result.default_dpd} days past due)")
    ax1.set_ylabel("defaulted buyers")
    ax1.set_title("Warning lead time")
    ax1.legend()
    roc = result.roc
    ax2.plot(roc["false_alarm_rate"], roc["hit_rate"], color="#1F4E78", label=f"score, AUC {result.measure('auc'):.3f}")
    ax2.plot([0, 1], [0, 1], color="grey", linestyle="--", label="no discrimination")
    ax2.set_xlabel("false-alarm rate (survivors flagged)")
    ax2.set_ylabel(f"hit rate (defaults within {result.horizon} months flagged)")
    ax2.set_title("ROC curve of the score")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def render_backtest_charts(result: BacktestResult, png: str | Path, *, inputs=()) -> Path:
    """The two charts as a PNG file (written atomically)."""
    with atomic_output(png, inputs=inputs) as tmp:
        Path(tmp).write_bytes(_charts_png(result))
    return Path(png)


def _summary(result: BacktestResult) -> pd.DataFrame:
    s = result.summary
    return pd.DataFrame({"Measure 指标": s["measure"], "Value 数值": s["value"], "Note 说明": s["note"]})


def _leads(result: BacktestResult) -> pd.DataFrame:
    b = result.buyers[result.buyers["defaulted"]]
    return pd.DataFrame({
        "Buyer 客户": b["buyer_id"], "Default month 违约月份": b["default_month"],
        "First YELLOW or RED 首次黄灯": b["first_yellow"], "Lead, YELLOW (months) 黄灯提前月数": b["lead_yellow_months"],
        "First RED 首次红灯": b["first_red"], "Lead, RED (months) 红灯提前月数": b["lead_red_months"],
        "Judged 可评估": np.where(b["observable"], "yes 是", "no: in default from the start 期初已违约")})


def _calibration(result: BacktestResult) -> pd.DataFrame:
    c = result.calibration
    return pd.DataFrame({
        "Band 信号": c["band"], "Buyer-months 观测数": c["observations"], "Defaults 违约数": c["defaults"],
        "Observed rate 实际违约率": c["observed_rate"], f"PD over {result.horizon} months 预测违约率": c["expected_rate"],
        "Expected defaults 预期违约数": c["expected_defaults"], "P(≥ observed) 单侧p值(多)": c["p_more"],
        "P(≤ observed) 单侧p值(少)": c["p_fewer"],
        "Verdict 结论": [f"{v} {_VERDICT_ZH.get(v, '')}".strip() for v in c["verdict"]]})


def write_backtest(result: BacktestResult, rw: ResultWorkbook) -> None:
    """The measures, the calibration and the charts on one sheet; lead times, ROC points and bands by month."""
    ends = result.month_ends
    rw.add_table(_summary(result), BACKTEST_SHEET, name="BacktestMeasures",
                 formats={"Value 数值": "#,##0.000"}, widths={"Measure 指标": 40, "Note 说明": 60},
                 title=f"Backtest of the score and warnings, {len(ends)} month-ends {ends[0]:%Y-%m-%d} … "
                       f"{ends[-1]:%Y-%m-%d} 评分与预警回溯检验")
    pct = {c: "percent" for c in ("Observed rate 实际违约率", f"PD over {result.horizon} months 预测违约率")}
    rw.add_table(_calibration(result), BACKTEST_SHEET, name="BacktestCalibration",
                 formats={**pct, "Expected defaults 预期违约数": "#,##0.0", "P(≥ observed) 单侧p值(多)": "0.0000",
                          "P(≤ observed) 单侧p值(少)": "0.0000"},
                 title="Calibration: observed default rate vs PD per band, binomial test (α 5 %) 分档校准检验")
    rw.sheet(BACKTEST_SHEET).insert_image("F2", "backtest.png", {"image_data": io.BytesIO(_charts_png(result))})
    rw.add_table(_leads(result), LEADS_SHEET, name="LeadTimes",
                 title=f"Defaulted buyers (> {result.default_dpd} days past due): first warnings and lead times "
                       "违约客户的首次预警与提前期")
    roc = result.roc.replace([np.inf], np.nan)
    rw.add_table(roc.rename(columns={"cutoff": "Cut-off (−score) 阈值", "false_alarm_rate": "False-alarm rate 误报率",
                                     "hit_rate": "Hit rate 命中率"}), LEADS_SHEET, name="RocCurve",
                 formats={"False-alarm rate 误报率": "percent", "Hit rate 命中率": "percent"},
                 title="ROC curve points ROC曲线")
    wide = result.panel.pivot(index="buyer_id", columns="month_end", values="band")
    wide.columns = [d.isoformat() for d in wide.columns]
    rw.add_table(wide.reset_index(), BANDS_SHEET, name="BandsByMonth", traffic_lights=list(wide.columns),
                 title="Band of every buyer at each month-end, as known then 各月末信号（按当时已知信息）")

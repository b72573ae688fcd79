"""Scoring sheets: the scored register with traffic lights, per-factor explanations, and alerts."""

from __future__ import annotations

import pandas as pd

from xl_cashrisk import scoring as sc
from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.monitoring import SEVERITIES
from xl_cashrisk.pipelines.scoring import ScoringResult
from xl_cashrisk.reports.summary import add_to_summary
from xl_cashrisk.schemas.register import REGISTER, SNAPSHOT

SCORES_SHEET = SNAPSHOT.sheet  # read back by ``xl-cashrisk monitor``
EXPLAIN_SHEET = "Explanations 评分说明"
ALERTS_SHEET = "Alerts 预警"
SEVERITY_LIGHTS = {"critical": "RED", "high": "RED", "medium": "YELLOW", "low": "GREEN"}
_ALERT_HEADERS = {
    "severity": "Severity 严重程度", "severity_zh": "严重程度", "buyer_id": "Buyer ID 客户编号",
    "buyer_name": "Buyer name 客户名称", "alert": "Alert 预警类型", "reason": "Reason", "reason_zh": "原因",
    "old": "Before 之前", "new": "Now 现在", "band": "Band 信号灯", "open_amount": "Open amount 未收金额",
}


def write_scores(result: ScoringResult, rw: ResultWorkbook) -> None:
    """The Scores sheet (identity and results first, then every register input; results as values, band
    coloured), a band summary and the
    Explanations sheet (each buyer's factor points and weakest factors)."""
    add_to_summary(rw, "scores", result)
    s = result.scored
    hc = result.settings.home_currency
    # who, then the results an analyst reads first, then the inputs they came from (read back by header)
    first = ["buyer_id", "buyer_name", *(c.key for c in REGISTER.result_columns)]
    cols = list(dict.fromkeys([*first, *(c.key for c in REGISTER.columns)]))
    rw.add_table(s[cols].reset_index(drop=True), SCORES_SHEET, schema=REGISTER, name=SNAPSHOT.name,
                     title=f"Scored buyer register as of {result.as_of:%Y-%m-%d}, scorecard {result.scorecard.version} "
                           f"客户信用评分", traffic_lights=("band",))
    counts = result.band_counts()
    exposure = s.groupby("band")["open_amount"].sum().reindex(counts.index, fill_value=0.0)
    summary = pd.DataFrame({
        "Band 信号灯": counts.index,
        "Meaning 含义": [f"{sc.BAND_MEANINGS['en'][b]} {sc.BAND_MEANINGS['zh'][b]}" for b in counts.index],
        "Buyers 客户数": counts.to_numpy(),
        f"Open amount ({hc}) 未收金额": exposure.to_numpy(),
        f"Recommended limits ({hc}) 建议额度": s.groupby("band")["recommended_limit"].sum()
        .reindex(counts.index, fill_value=0.0).to_numpy(),
        f"Expected loss ({hc}) 预期损失": s.groupby("band")["expected_loss"].sum()
        .reindex(counts.index, fill_value=0.0).to_numpy(),
    })
    rw.add_table(summary, EXPLAIN_SHEET, name="BandSummary", traffic_lights=("Band 信号灯",),
                 title=f"Buyers by traffic light 信号灯分布 (scorecard {result.scorecard.version})",
                 formats={"Buyers 客户数": "integer"})
    card = result.scorecard
    pts = result.points.rename(columns={f.key: f"{f.label_en} {f.label_zh} (w {f.weight:g})" for f in card.factors})
    explain = pd.concat([s[["buyer_id", "buyer_name", "score", "band", "confidence", "top_factors", "cap"]]
                         .rename(columns={"top_factors": "weakest_factors (points)"}), pts], axis=1)
    explain = explain.sort_values("score", kind="stable", na_position="first").reset_index(drop=True)
    rw.add_table(explain, EXPLAIN_SHEET, name="FactorPoints", traffic_lights=("band",),
                 title="Factor points per buyer (0–100), riskiest first 各因素得分（从风险最高开始）",
                 formats={"score": "#,##0.0", "confidence": "percent", **{c: "#,##0" for c in pts.columns}},
                 widths={"weakest_factors (points)": 60, "cap": 30})


def write_alerts(alerts: pd.DataFrame, rw: ResultWorkbook, *, title: str = "") -> None:
    """The Alerts sheet, most serious first, severity coloured (critical/high red, medium yellow, low green)."""
    a = alerts.copy()
    a["light"] = a["severity"].map(SEVERITY_LIGHTS).fillna("")
    a["old"] = a["old"].map(_cell)
    a["new"] = a["new"].map(_cell)
    a = a.rename(columns={**_ALERT_HEADERS, "light": "Light 灯"})
    rw.add_table(a, ALERTS_SHEET, name="Alerts", traffic_lights=("Light 灯", "Band 信号灯"),
                 title=title or f"Alerts, most serious first ({' > '.join(SEVERITIES)}) 预警（按严重程度排序）",
                 widths={"Reason": 50, "原因": 40}, formats={"Open amount 未收金额": "money"})


def _cell(v: object) -> object:
    """Mixed before/now values (bands, scores, dates) as text, so the column has one type."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:,.1f}"
    return str(v)

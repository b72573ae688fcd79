"""Ageing sheets: bucket totals with a chart, collection metrics, the per-buyer schedule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.ageing import AgeingResult
from xl_cashrisk.reports.summary import add_to_summary

AGEING_SHEET = "Ageing 账龄"
METRICS_SHEET = "Collection 回款指标"
SCHEDULE_SHEET = "Buyer ageing 客户账龄"
OPEN_ITEMS_SHEET = "Open items 未清项"


def write_ageing(result: AgeingResult, rw: ResultWorkbook, *, open_items: bool = True) -> None:
    add_to_summary(rw, "ageing", result)
    s = result.settings
    hc = s.home_currency
    buckets = result.buckets.reset_index()
    total = buckets["amount"].sum()
    buckets["share"] = buckets["amount"] / total if total else np.nan
    buckets.columns = ["Bucket 账龄段", f"Amount ({hc}) 金额", "Items 笔数", "Share 占比"]
    basis = ("days past due", "逾期天数") if s.ageing_basis == "dpd" else ("days since invoice", "开票天数")
    t = rw.add_table(buckets, AGEING_SHEET, name="AgeingBuckets", formats={"Share 占比": "percent"},
                     widths={"Bucket 账龄段": 16, f"Amount ({hc}) 金额": 20, "Items 笔数": 10, "Share 占比": 12},
                     totals={f"Amount ({hc}) 金额": "sum", "Items 笔数": "sum", "Share 占比": "sum"},
                     title=f"Ageing as of {s.as_of:%Y-%m-%d}, {basis[0]} 应收账款账龄（{basis[1]}）")
    m = result.metrics
    ratio = m["unit"] == "ratio"
    metrics = pd.DataFrame({
        "Metric 指标": m["metric"] + " " + m["metric_zh"],
        "Value 数值": np.where(ratio, m["value"] * 100, m["value"]),
        "Unit 单位": np.where(ratio, "%", m["unit"]),
        "Note 说明": m["note"],
    })
    rw.add_table(metrics, METRICS_SHEET, name="CollectionMetrics", title="Collection metrics 回款指标",
                 formats={"Value 数值": "#,##0.00"}, widths={"Metric 指标": 44, "Note 说明": 40})
    rw.add_chart(AGEING_SHEET, "column", t, "Bucket 账龄段", [f"Amount ({hc}) 金额"],
                 title=f"Open receivables by bucket ({hc}) 账龄分布", anchor="H2")
    sales = result.monthly_sales.copy()
    sales.columns = ["Month 月份", "Days 天数", f"Credit sales ({hc}) 赊销额"]
    rw.add_table(sales, METRICS_SHEET, name="MonthlySales", title="Credit sales by month, newest first 月度赊销额")

    sched = result.schedule.merge(result.history[["buyer_id", "dbt", "avg_days_to_pay", "n_paid"]],
                                  on="buyer_id", how="left")
    rw.add_table(sched, SCHEDULE_SHEET, name="BuyerAgeing",
                 title=f"Open receivables per buyer ({hc}), largest first 客户应收账款账龄表",
                 formats={"pct_overdue": "percent", "oldest_dpd": "integer", "dbt": "#,##0.0",
                          "avg_days_to_pay": "#,##0.0", "n_paid": "integer"},
                 totals=dict.fromkeys([c for c in sched.columns[2:] if c in result.buckets.index or c in (
                     "credits", "total", "overdue")], "sum"))
    if open_items:
        aged = result.aged
        items = aged[aged["bucket"] != ""]
        cols = [c for c in ("invoice_no", "buyer_id", "buyer_name", "doc_type", "invoice_date", "due_date",
                            "currency", "amount", "paid_amount", "open_amount", "open_amount_hc", "dpd",
                            "days_since_invoice", "bucket", "disputed") if c in items]
        items = items[cols].sort_values(["dpd", "open_amount_hc"], ascending=[False, False], kind="stable")
        rw.add_table(items.reset_index(drop=True), OPEN_ITEMS_SHEET, name="OpenItems",
                     title="Open items, most overdue first 未清项（按逾期天数排序）",
                     formats={"dpd": "integer", "days_since_invoice": "integer"})

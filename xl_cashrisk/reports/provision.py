"""The provision matrix sheet (IFRS 9 simplified approach / CAS 22 账龄迁徙率法) with its workings:
the ledger's month-end bucket history, the migration rates, the loss rates, today's balances and the
provision per bucket and in total."""

from __future__ import annotations

import pandas as pd

from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.provision import ProvisionResult

__all__ = ["PROVISION_SHEET", "write_provision"]

PROVISION_SHEET = "Provision 坏账准备"
HISTORY_SHEET = "Bucket history 账龄历史"


def _matrix(result: ProvisionResult) -> pd.DataFrame:
    hc = result.settings.home_currency
    m = result.matrix
    out = pd.DataFrame({
        "Bucket (DPD) 账龄段(逾期天数)": m["bucket"] + " " + m["bucket_zh"],
        f"Balance today ({hc}) 期末余额": m["balance"],
        f"Σ held, month-ends 1…T−1 ({hc}) 上期末本段余额合计": m["held"],
        f"Σ next bucket, month-ends 2…T ({hc}) 本期末下一段余额合计": m["rolled_next"],
        "Migration rate 迁徙率": m["migration_rate"],
        "Historical loss rate 历史损失率": m["historical_loss_rate"],
        "Loss rate (forward-looking) 预期损失率": m["loss_rate"],
        f"Provision ({hc}) 坏账准备": m["provision"],
    })
    total = {c: "" for c in out.columns}
    total[out.columns[0]] = "Total 合计"
    total[out.columns[1]] = result.total_balance
    total[out.columns[6]] = result.coverage
    total[out.columns[7]] = result.total_provision
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _workings(result: ProvisionResult) -> list[tuple]:
    hist = result.history
    return [
        ("Method 方法", "IFRS 9 simplified approach, provision matrix (¶5.5.15, ¶B5.5.35) / CAS 22 账龄迁徙率法 "
                        "(企业会计准则第22号 简化方法，预期信用损失)"),
        ("Month-ends used 月末期数", len(hist)),
        ("From 起", hist.index[0].isoformat()),
        ("To 止", hist.index[-1].isoformat()),
        ("As-of date 基准日", result.settings.as_of.isoformat()),
        ("Migration rate 迁徙率", "m_i = Σ_t B[t+1, i+1] / Σ_t B[t, i] (capped at 1); last bucket = last_rate "
                                  "本期末下一账龄段余额合计 ÷ 上期末本账龄段余额合计"),
        ("Last bucket's rate 最后账龄段损失率", result.last_rate, "percent"),
        ("Loss rate 历史损失率", "L_i = m_i × m_{i+1} × … × m_last 本段至最后一段迁徙率之积"),
        ("Forward-looking factor 前瞻性调整系数", result.forward_factor, "ratio"),
        ("Loss rate used 预期损失率", "min(1, L_i × factor)"),
        ("Provision 坏账准备", "Σ_i balance_i × loss rate_i 各账龄段余额 × 预期损失率"),
        ("Data 数据", "open invoices at each month-end from the AR ledger, payments dated later undone; credit notes "
                      "not aged 按应收明细回溯各月末未收发票余额（晚于月末的收款视为未收），贷项不计账龄"),
        *((f"Note {i} 说明", n) for i, n in enumerate(result.notes, start=1)),
    ]


def write_provision(result: ProvisionResult, rw: ResultWorkbook) -> None:
    """The provision matrix with its workings, and the month-end bucket history with its chart."""
    hc = result.settings.home_currency
    pct = {c: "percent" for c in ("Migration rate 迁徙率", "Historical loss rate 历史损失率",
                                  "Loss rate (forward-looking) 预期损失率")}
    money = {f"Balance today ({hc}) 期末余额": "money", f"Provision ({hc}) 坏账准备": "money",
             f"Σ held, month-ends 1…T−1 ({hc}) 上期末本段余额合计": "money",
             f"Σ next bucket, month-ends 2…T ({hc}) 本期末下一段余额合计": "money"}
    rw.add_table(_matrix(result), PROVISION_SHEET, name="ProvisionMatrix", formats={**pct, **money},
                 widths={"Bucket (DPD) 账龄段(逾期天数)": 24},
                 title=f"Provision matrix as of {result.settings.as_of:%Y-%m-%d} ({hc}) "
                       "预期信用损失准备矩阵（账龄迁徙率法）")
    rw.add_summary(PROVISION_SHEET, _workings(result), title="Workings 计算过程",
                   headers=("Step 步骤", "Value / formula 数值或公式"))
    hist = result.history.copy()
    hist.index = [d.isoformat() for d in hist.index]
    hist = hist.rename_axis("Month-end 月末").reset_index()
    t = rw.add_table(hist, HISTORY_SHEET, name="BucketHistory", formats={c: "money" for c in result.history.columns},
                     title=f"Open invoices by days past due at each month-end ({hc}) 各月末应收账款账龄余额")
    rw.add_chart(HISTORY_SHEET, "column", t, "Month-end 月末", list(result.history.columns),
                 title=f"Month-end balances by bucket ({hc}) 月末账龄余额", anchor="J2")

"""Insurance sheets: exposure (summary, per buyer, policy-year claims, per invoice), deadlines, worklist,
small items.

The worklist holds the material items and one row per buyer for small items that are material
together (:func:`xl_cashrisk.pipelines.insurance.rank_worklist`); its light column drives the row
colour — red for urgent (material, deadline within the policy's ``urgent_days`` or missed), amber for
soon (within ``soon_days``), none otherwise — with conditional formats that follow the rows if the
user re-sorts the table. Items below the materiality are listed uncoloured on the Small items sheet.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from xl_cashrisk.insurance import AMBER, RED
from xl_cashrisk.io.writer import LIGHTS, ResultWorkbook
from xl_cashrisk.pipelines.insurance import InsuranceResult
from xl_cashrisk.reports.summary import add_to_summary

EXPOSURE_SHEET = "Insurance exposure 保险敞口"
INVOICES_SHEET = "Insured invoices 发票受保"  # its own sheet: its header row repeats on every printed page
DEADLINES_SHEET = "Deadlines 截止日"
WORKLIST_SHEET = "Worklist 催收清单"
SMALL_SHEET = "Small items 小额事项"

HEADERS = {
    "invoice_no": "Invoice no. 发票号码", "buyer_id": "Buyer ID 客户编号", "buyer_name": "Buyer name 客户名称",
    "country": "Country 国家", "invoice_date": "Invoice date 开票日期", "due_date": "Due date 到期日",
    "currency": "Currency 币种", "open_currency": "Open (doc. currency) 原币未清",
    "open_amount": "Open ({hc}) 未清金额", "limit": "Insurer limit 保险限额", "within_limit": "Within limit 限额内",
    "cover_pct": "Cover % 赔付比例", "insured": "Insured ({hc}) 受保", "uninsured": "Uninsured ({hc}) 未受保",
    "reason": "Not insured because 未受保原因", "days_past_due": "Days past due 逾期天数",
    "notify_by": "Notify insurer by 申报截止", "stop_deliveries_from": "Stop deliveries from 停止发货日",
    "claim_by": "File claim by 索赔截止", "expected_indemnity_date": "Expected indemnity date 预计赔付日",
    "expected_indemnity": "Expected indemnity ({hc}) 预计赔款", "days_to_notify": "Days to notify 距申报截止",
    "days_to_claim": "Days to claim 距索赔截止", "step": "Step 步骤", "action": "Next action 下一步",
    "deadline": "Deadline 截止日", "days_left": "Days left 剩余天数", "urgent": "Urgent 紧急",
    "uninsured_flag": "Uninsured overdue 逾期未受保", "disputed": "Disputed 争议",
    "limit_used": "Limit used 限额使用率", "overdue": "Overdue ({hc}) 逾期",
    "overdue_uninsured": "Overdue uninsured ({hc}) 逾期未受保", "oldest_dpd": "Oldest days past due 最长逾期",
    "has_limit": "Has limit 有限额", "loss_cause": "Loss cause 损失原因", "debt": "Claim debt 索赔债权",
    "loss_date": "Loss date 损失日", "cause": "Cause 原因", "ascertained": "Ascertained 确认损失",
    "share": "Insured share 保险份额", "afl_absorbed": "AFL absorbed 累计免赔扣除", "paid": "Indemnity paid 赔款",
    "seller_loss": "Seller loss 自担损失", "eligible": "Eligible 合格",
    "light": "Priority 优先级", "at_risk": "Cash at risk ({hc}) 风险金额", "items": "Items 笔数",
    "material": "Material 重要",
}
FORMATS = {"cover_pct": "percent", "limit_used": "percent", "days_past_due": "integer", "days_to_notify": "integer",
           "days_to_claim": "integer", "days_left": "integer", "step": "0", "oldest_dpd": "integer",
           "items": "integer"}
EXPOSURE_COLUMNS = ("invoice_no", "buyer_id", "buyer_name", "country", "invoice_date", "due_date", "currency",
                    "open_currency", "open_amount", "limit", "within_limit", "cover_pct", "insured", "uninsured",
                    "reason")
DEADLINE_COLUMNS = ("invoice_no", "buyer_id", "buyer_name", "country", "invoice_date", "due_date", "days_past_due",
                    "open_amount", "material", "insured", "uninsured", "reason", "notify_by", "days_to_notify",
                    "stop_deliveries_from", "claim_by", "days_to_claim", "expected_indemnity_date",
                    "expected_indemnity")
WORKLIST_COLUMNS = ("light", "invoice_no", "buyer_id", "buyer_name", "country", "items", "due_date", "days_past_due",
                    "step", "action", "deadline", "days_left", "open_amount", "at_risk", "insured", "uninsured",
                    "reason", "notify_by", "claim_by", "expected_indemnity")
SMALL_COLUMNS = ("buyer_id", "buyer_name", "invoice_no", "country", "due_date", "days_past_due", "step", "action",
                 "deadline", "days_left", "open_amount", "at_risk", "insured", "uninsured", "reason", "notify_by",
                 "claim_by")


def _frame(df: pd.DataFrame, columns, hc: str) -> tuple[pd.DataFrame, dict[str, str]]:
    keep = [c for c in columns if c in df.columns]
    out = df.loc[:, keep].reset_index(drop=True)
    names = {c: HEADERS.get(c, c).format(hc=hc) for c in keep}
    formats = {names[c]: f for c, f in FORMATS.items() if c in names}
    return out.rename(columns=names), formats


def write_insurance(result: InsuranceResult, rw: ResultWorkbook) -> None:
    add_to_summary(rw, "insurance", result)
    s, p = result.settings, result.policy
    hc = s.home_currency
    items = [(f"{r.metric} {r.metric_zh}", r.value, "percent" if r.unit == "share" else
              ("integer" if r.unit in ("invoices", "buyers", "rows") else "money")) for r in result.summary.itertuples()]
    rw.add_summary(EXPOSURE_SHEET, items, title=f"Credit insurance exposure as of {s.as_of:%Y-%m-%d} ({hc}) 信用保险敞口")
    terms = [("Indemnity % 赔付比例", p.indemnity_pct, "percent"),
             ("Political cover 政治风险", "yes 是" if p.political_cover else "no 否"),
             ("AFL 累计免赔额", p.aggregate_first_loss, "money"), ("NQL 起赔额", p.non_qualifying_loss, "money"),
             ("MEP (days) 最长延展期", p.max_extension_period, "integer"),
             ("Notify within (days) 申报期限", f"{p.notify_days} after {p.notify_basis}"),
             ("Claim within (days) 索赔期限", f"{p.claim_days} after {p.claim_basis}"),
             ("Waiting period (days) 等待期", p.waiting_period, "integer"),
             ("Settlement (days) 理赔支付", p.settlement_days, "integer"),
             ("Worklist materiality 催收清单重要性金额", p.worklist_materiality, "money"),
             ("Red within (days) 紧急天数", p.urgent_days, "integer"),
             ("Amber within (days) 临近天数", p.soon_days, "integer")]
    rw.add_summary(EXPOSURE_SHEET, terms, title="Policy terms used 所用保单条款")
    buyers = result.by_buyer.reset_index()
    cols = ("buyer_id", "buyer_name", "country", "loss_cause", "limit", "open_amount", "within_limit", "limit_used",
            "insured", "uninsured", "overdue", "overdue_uninsured", "expected_indemnity", "oldest_dpd")
    frame, fmts = _frame(buyers, cols, hc)
    rw.add_table(frame, EXPOSURE_SHEET, name="InsuredByBuyer", formats=fmts,
                 title=f"Insured and uninsured exposure per buyer ({hc}), most uninsured first 买方受保敞口")
    if len(result.claims):
        frame, fmts = _frame(result.claims, ("buyer_id", "country", "cause", "loss_date", "debt", "cover_pct",
                                             "ascertained", "share", "afl_absorbed", "paid", "seller_loss"), hc)
        rw.add_table(frame, EXPOSURE_SHEET, name="PolicyYearClaims", formats=fmts,
                     title="If every overdue buyer defaulted: claims through the policy year (AFL, NQL, cap) "
                     "假设全部逾期买方违约的索赔")
    frame, fmts = _frame(result.exposure, EXPOSURE_COLUMNS, hc)
    rw.add_table(frame, INVOICES_SHEET, name="InsuredByInvoice", formats=fmts,
                 title="Open items: limit used oldest due date first 未清发票（限额按到期日先后分配）")

    deadlines = result.deadlines.assign(_small=~result.deadlines["material"])
    deadlines = deadlines.sort_values(["_small", "days_to_notify"], kind="stable")
    frame, fmts = _frame(deadlines, DEADLINE_COLUMNS, hc)
    rw.add_table(frame, DEADLINES_SHEET, name="Deadlines", formats=fmts,
                 title=f"Overdue invoices: the dates that matter, as of {s.as_of:%Y-%m-%d}; material items first "
                 f"(open ≥ {p.materiality:,.0f} {hc}) 逾期发票关键日期（重要事项在前）")

    frame, fmts = _frame(result.worklist.assign(light=_light_words(result.worklist["light"])), WORKLIST_COLUMNS, hc)
    t = rw.add_table(frame, WORKLIST_SHEET, name="Worklist", formats=fmts,
                     title=f"Collections worklist: red = material (≥ {p.materiality:,.0f} {hc}) and deadline within "
                     f"{p.urgent_days} days or missed, amber = within {p.soon_days} days; then by cash at risk. "
                     f"Small items: sheet '{SMALL_SHEET}' 催收清单（红：紧急，黄：临近）")
    _highlight(rw, t, HEADERS["light"])
    small = result.small_items
    title = (f"Small items: overdue invoices below {p.materiality:,.0f} {hc} (the larger of the NQL and the worklist "
             f"materiality), by buyer; a buyer's small items that are material together are one worklist row "
             f"小额事项（按买方）")
    frame, fmts = _frame(small, SMALL_COLUMNS, hc)
    rw.add_table(frame, SMALL_SHEET, name="SmallItems", formats=fmts, title=title)


def _light_words(light: pd.Series) -> list[str]:
    words = {RED: "RED urgent 红 紧急", AMBER: "AMBER soon 黄 临近", "": ""}
    return [words.get(x, x) for x in light.tolist()]


def _highlight(rw: ResultWorkbook, t, light: str) -> None:
    """Whole rows red or amber by the light column, as conditional formats that follow a re-sort."""
    ws = rw.sheet(t.sheet)
    r0, r1 = t.first_row, max(t.last_row, t.first_row)
    last_col = max(t.columns.values())
    col = xl_col_to_name(t.columns[light])
    for word, colours in ((RED, LIGHTS["RED"]), (AMBER, LIGHTS["YELLOW"])):
        ws.conditional_format(r0, 0, r1, last_col, {"type": "formula", "criteria": f'=LEFT(${col}{r0 + 1},{len(word)})="{word}"',
                                                    "format": rw.fmt(**colours)})

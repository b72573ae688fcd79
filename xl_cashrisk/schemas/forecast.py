"""The 13-week cash forecast workbook: the weekly lines a controller fills in, the scenario library, and
the forecast / stress-test settings (SPEC §8).

Receipts from open invoices come from the AR ledger; everything else a 13-week cash flow needs is typed
here:

* :data:`FORECAST` — one row per week 1..13: expected new credit sales (collected after the sales terms),
  other receipts, and the disbursements by line (suppliers, payroll, tax, debt service, capex, other),
  plus revolver draws (+) / repayments (−). Amounts in home currency.
* :data:`SCENARIOS` — one row per scenario, the columns of :class:`xl_cashrisk.stress.Scenario`
  (:func:`scenario_from_row` reads a row, :func:`scenarios_from_frame` the sheet); pre-filled with the
  standard library (SPEC §8.2).
* :data:`SETTING_ROWS` — opening cash, forecast start, facility limit and drawn amount, minimum-cash
  buffer and minimum-liquidity covenant, new-sales terms, the overdue rule, and the stress-model options
  (simulations, seed, correlations, LGDs). They sit on the Settings sheet; values land in
  ``Settings.forecast`` and ``Settings.stress``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields

import numpy as np
import pandas as pd

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import FX, SETTINGS, Setting, option_row
from xl_cashrisk.settings import ForecastOptions, StressOptions
from xl_cashrisk.stress import KINDS, STANDARD_SCENARIOS, WEEKS, Scenario

__all__ = ["FORECAST", "FORECAST_SETTINGS", "INFLOW_LINES", "OUTFLOW_LINES", "OVERDUE_CHOICES", "SCENARIOS",
           "SCENARIO_EXAMPLE_ROWS", "SETTING_ROWS", "TEMPLATE_TABLES", "forecast_example_rows", "scenario_from_row",
           "scenarios_from_frame"]

MONEY = "#,##0"
OVERDUE_CHOICES = ("week1", "drop", "spread4", "spread8", "spread13")
DEFAULT_EVENTS = ("insolvency", "protracted")

_MONEY_HELP_EN = "Home-currency amount for the week; blank = 0."
_MONEY_HELP_ZH = "本周金额（本位币）；留空为 0。"


def _money(key: str, zh: str, en: str, help_en: str, help_zh: str, minimum: float | None = 0) -> Column:
    return Column(key, zh, en, "number", minimum=minimum, width=15, number_format=MONEY, default=0.0,
                  help_en=f"{help_en} {_MONEY_HELP_EN}", help_zh=f"{help_zh}{_MONEY_HELP_ZH}")


# line key → (en, zh) in the order of a direct-method statement (SPEC §8.1)
INFLOW_LINES = {
    "new_sales": ("New credit sales (invoiced)", "新增赊销额（开票）"),
    "other_receipts": ("Other receipts", "其他收款"),
}
OUTFLOW_LINES = {
    "supplier_payments": ("Supplier payments", "供应商付款"),
    "payroll": ("Payroll", "工资"),
    "tax": ("Taxes", "税费"),
    "debt_service": ("Debt service", "还本付息"),
    "capex": ("Capital expenditure", "资本性支出"),
    "other_payments": ("Other payments", "其他付款"),
}

FORECAST = Table(
    key="forecast",
    sheet="Forecast",
    name="Forecast",
    title_zh="13周现金流预测",
    title_en="13-week cash forecast",
    description_zh="每行一周（第1–13周），金额为本位币。应收账款回款由应收账款明细自动计算，此处只填其他项目。",
    description_en="One row per week 1–13, home currency. Collections of open invoices come from the AR ledger; "
                   "type everything else here.",
    key_columns=("week",),
    columns=(
        Column("week", "周次", "Week", "integer", required=True, unique=True, minimum=1, maximum=WEEKS, width=8,
               number_format="0", help_en=f"Week number 1..{WEEKS}; week 1 starts on the forecast start date.",
               help_zh=f"周次 1..{WEEKS}；第1周从预测开始日起算。"),
        _money("new_sales", "新增赊销额", "New credit sales",
               "Expected new credit sales invoiced in the week; collected after the terms (column or setting).",
               "本周预计新开票的赊销额；按账期（本列或设置）后收回。"),
        Column("sales_terms_days", "新销售账期(天)", "Sales terms (days)", "integer", minimum=0, maximum=365,
               width=12, number_format="0",
               help_en="Days from invoice to expected payment for this week's new sales; blank = the "
                       "sales_terms_days setting.",
               help_zh="本周新销售从开票到预计收款的天数；留空使用设置中的 sales_terms_days。"),
        _money("other_receipts", "其他收款", "Other receipts",
               "VAT refunds, export rebates, asset sales and other non-trade receipts.",
               "增值税退税、出口退税、资产处置等非贸易收款。"),
        _money("supplier_payments", "供应商付款", "Supplier payments",
               "Payments to suppliers (accounts payable); scaled with revenue in a revenue-drop scenario "
               "that scales variable costs.", "支付供应商货款；收入下降情景可按比例调整。"),
        _money("payroll", "工资", "Payroll", "Wages, social insurance and housing fund.", "工资、社保及公积金。"),
        _money("tax", "税费", "Taxes", "VAT, income tax and other taxes paid.", "增值税、所得税等税费。"),
        _money("debt_service", "还本付息", "Debt service", "Interest and scheduled loan repayments.",
               "贷款利息及到期本金。"),
        _money("capex", "资本性支出", "Capex", "Capital expenditure.", "资本性支出。"),
        _money("other_payments", "其他付款", "Other payments", "Rent, freight, duties and other payments.",
               "租金、运费、关税等其他付款。"),
        _money("financing", "融资提款/还款", "Revolver draw (+) / repay (−)",
               "Planned revolver draws (positive) and repayments (negative).",
               "计划的循环贷款提款（正数）或还款（负数）。", minimum=None),
        Column("note", "备注", "Note", "text", width=30, help_en="Free text.", help_zh="备注。"),
    ),
)


def _scenario_column(key: str, zh: str, en: str, dtype: str = "text", help_en: str = "", help_zh: str = "",
                     **kw) -> Column:
    return Column(key, zh, en, dtype, help_en=help_en, help_zh=help_zh, **kw)


SCENARIOS = Table(
    key="scenarios",
    sheet="Scenarios",
    name="Scenarios",
    title_zh="压力情景库",
    title_en="Stress scenarios",
    description_zh="每行一个情景；参数列只填该类型需要的，其余留空。可增删改；run = FALSE 的行不运行。",
    description_en="One row per scenario; fill only the parameters its kind uses. Edit, add or remove rows; "
                   "rows with run = FALSE are skipped.",
    key_columns=("id",),
    columns=(
        _scenario_column("id", "编号", "ID", required=True, unique=True, width=8,
                         help_en="Short unique code, e.g. S1; a combined scenario lists these codes.",
                         help_zh="唯一编号，如 S1；组合情景引用这些编号。"),
        _scenario_column("kind", "类型", "Kind", "choice", required=True, allowed=tuple(KINDS), width=16,
                         help_en="; ".join(f"{k}: {v}" for k, v in KINDS.items())[:250],
                         help_zh="情景类型：最大客户违约、前N大违约、延迟付款、汇率冲击、区域/行业违约、收入下降、政治风险、组合。"),
        _scenario_column("name_en", "名称(英)", "Name (English)", width=34, help_en="Label in English.",
                         help_zh="英文名称。"),
        _scenario_column("name_zh", "名称(中)", "Name (Chinese)", width=24, help_en="Label in Chinese.",
                         help_zh="中文名称。"),
        _scenario_column("run", "运行", "Run", "bool", default=True, width=8,
                         help_en="FALSE skips the row (it can still be combined). Blank = TRUE.",
                         help_zh="FALSE 表示不单独运行（仍可被组合引用）；留空为 TRUE。"),
        _scenario_column("week", "违约周", "Week", "integer", minimum=1, maximum=WEEKS, width=8, number_format="0",
                         help_en="Default week (blank = 1), or first week of a revenue drop (blank = after the terms).",
                         help_zh="违约发生周（留空为第1周）；收入下降情景为开始周（留空为账期之后）。"),
        _scenario_column("buyer", "客户编号", "Buyer", width=10,
                         help_en="buyer_default: the buyer ID that defaults.", help_zh="指定客户违约时的客户编号。"),
        _scenario_column("top_n", "前N大", "Top N", "integer", minimum=1, width=8, number_format="0",
                         help_en="top_n_default: how many of the largest buyers default.",
                         help_zh="前N大客户违约的 N。"),
        _scenario_column("delay_days", "延迟天数", "Delay (days)", "integer", minimum=0, maximum=365, width=10,
                         number_format="0", help_en="delay: days every receipt arrives later.",
                         help_zh="所有回款延迟的天数。"),
        _scenario_column("region", "区域", "Region", width=14,
                         help_en="group_default: the region (as in the buyer register).", help_zh="区域（同客户档案）。"),
        _scenario_column("sector", "行业", "Sector", width=14,
                         help_en="group_default: the sector (as in the buyer register).", help_zh="行业（同客户档案）。"),
        _scenario_column("country", "国家", "Country", width=8,
                         help_en="political: ISO-2 country whose buyers stop paying.", help_zh="政治风险国家（ISO 两位代码）。"),
        _scenario_column("share", "违约比例", "Share", "percent", minimum=0, maximum=1, width=9,
                         help_en="Share of each selected buyer's receipts lost (blank = 100 %).",
                         help_zh="选中客户回款损失比例（留空为100%）。"),
        _scenario_column("vasicek", "Vasicek压力", "Vasicek", "bool", width=9,
                         help_en="group_default: haircut = stressed PD × LGD (SPEC §6.3) instead of share.",
                         help_zh="区域违约按 Vasicek 压力违约概率 × LGD 折减。"),
        _scenario_column("rho", "相关系数", "Rho", "number", minimum=0, maximum=0.99, width=8, number_format="0.00",
                         help_en="Factor weight for the Vasicek stress (blank = 0.20).", help_zh="Vasicek 因子权重（留空 0.20）。"),
        _scenario_column("quantile", "置信水平", "Quantile", "number", minimum=0.5, maximum=0.9999, width=9,
                         number_format="0.000", help_en="Stress quantile, 0.99 = 1-in-100 (blank = 0.99).",
                         help_zh="压力分位数，0.99 即百年一遇。"),
        _scenario_column("fx_currency", "外币", "FX currency", width=9,
                         help_en="fx: currency whose receipts are shocked, e.g. USD.", help_zh="受冲击的外币，如 USD。"),
        _scenario_column("shock", "汇率冲击", "FX shock", "percent", minimum=-0.99, maximum=10, width=9,
                         help_en="Change of the currency's value vs home, −10 % = −0.10.", help_zh="外币兑本币变动，-10% 填 -0.10。"),
        _scenario_column("hedged_share", "套保比例", "Hedged share", "percent", minimum=0, maximum=1, width=9,
                         help_en="Share of the currency's receipts hedged at the forward rate.", help_zh="按远期汇率套保的比例。"),
        _scenario_column("forward", "远期汇率", "Forward rate", "number", minimum=0, width=9, number_format="0.0000",
                         help_en="Forward rate of the hedged share (blank = spot).", help_zh="套保部分的远期汇率（留空为即期）。"),
        _scenario_column("revenue_drop", "收入下降", "Revenue drop", "percent", minimum=0, maximum=1, width=9,
                         help_en="revenue_drop: fall of new-sales receipts, 20 % = 0.20.", help_zh="新销售回款下降比例。"),
        _scenario_column("terms_days", "账期天数", "Terms (days)", "integer", minimum=0, width=9, number_format="0",
                         help_en="revenue_drop: terms that delay its start (blank = sales terms).",
                         help_zh="收入下降起始前的账期（留空为销售账期）。"),
        _scenario_column("scale_variable_costs", "同比例降成本", "Scale variable costs", "bool", width=10,
                         help_en="revenue_drop: supplier payments fall by the same share.", help_zh="供应商付款同比例下降。"),
        _scenario_column("insurance", "保险赔付", "Insurance", "bool", default=True, width=9,
                         help_en="Apply credit-insurance indemnities (blank = TRUE).", help_zh="是否计入信用保险赔款（留空为 TRUE）。"),
        _scenario_column("combine", "组合", "Combine", width=14,
                         help_en="combined: the IDs to combine, e.g. S1+S3+S5.", help_zh="组合情景引用的编号，如 S1+S3+S5。"),
    ),
)

_SCENARIO_FIELDS = tuple(c.key for c in SCENARIOS.columns if c.key != "run")
_FIELD_DEFAULTS = {f.name: f.default for f in fields(Scenario)}


def scenario_rows(scenarios) -> tuple[dict[str, object], ...]:
    """Scenarios as Scenarios-sheet rows: only the parameters that differ from the defaults."""
    rows = []
    for s in scenarios:
        row: dict[str, object] = {"id": s.id, "kind": s.kind, "name_en": s.name_en, "name_zh": s.name_zh,
                                  "run": True}
        for key in _SCENARIO_FIELDS[4:]:
            v = getattr(s, key)
            if v != _FIELD_DEFAULTS[key]:
                row[key] = "+".join(v) if key == "combine" else v
        rows.append(row)
    return tuple(rows)


SCENARIO_EXAMPLE_ROWS = scenario_rows(STANDARD_SCENARIOS)


def scenarios_from_frame(frame: pd.DataFrame, sheet: str | None = SCENARIOS.sheet
                         ) -> tuple[list[Scenario], tuple[str, ...]]:
    """Scenario rows (as read from the Scenarios sheet; index = Excel rows) → the scenario library and the
    ids to run (rows with ``run`` FALSE stay in the library for combinations). Bad rows raise one
    :class:`InputError` naming the row.
    """
    library: list[Scenario] = []
    skipped: set[str] = set()
    for row_no, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        values = {k: rec.get(k) for k in _SCENARIO_FIELDS if k in rec}
        try:
            s = scenario_from_row(values)
        except ValueError as exc:
            raise InputError(str(exc), Location(None, sheet, int(row_no) if isinstance(row_no, (int, np.integer))
                                                else None)) from None
        library.append(s)
        run = rec.get("run")
        if run is not None and not (isinstance(run, float) and math.isnan(run)) and not bool(run):
            skipped.add(s.id)
    ids = [s.id for s in library]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"scenario ids must be unique; repeated: {', '.join(dup)}", Location(None, sheet))
    known = set(ids)
    for s in library:
        missing = [c for c in s.combine if c not in known]
        if missing:
            raise InputError(f"scenario {s.id} combines unknown scenario(s) {', '.join(missing)}", Location(None, sheet))
    return library, tuple(i for i in ids if i not in skipped)


def _opt_float(v, default=None):
    if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return default
    return float(v)


def _opt_str(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def _opt_bool(v, default):
    """A flag typed by the Scenarios schema (TRUE/FALSE, 1/0); text was read by the schema already."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return default
    if isinstance(v, bool | np.bool_) or (isinstance(v, int | float | np.integer | np.floating) and v in (0, 1)):
        return bool(v)
    raise ValueError(f"expected TRUE or FALSE, got {v!r}")



def scenario_from_row(row: Mapping) -> Scenario:
    """A :class:`~xl_cashrisk.stress.Scenario` from a Scenarios-sheet row (keys = field names, values typed by
    the :data:`SCENARIOS` schema; blanks → defaults; ``combine`` may be text such as "S1+S3+S5" or "S1, S3").
    Raises ValueError naming what is wrong.

    >>> scenario_from_row({"id": "S8", "kind": "combined", "combine": "S1+S3+S5"}).combine
    ('S1', 'S3', 'S5')
    """
    known = {f.name: f for f in fields(Scenario)}
    unknown = set(row) - set(known)
    if unknown:
        raise ValueError(f"unknown scenario columns {sorted(unknown)}; known: {', '.join(known)}")
    kw: dict = {}
    for name, v in row.items():
        if name in ("id", "kind"):
            kw[name] = _opt_str(v)
        elif name in ("name_en", "name_zh"):
            kw[name] = _opt_str(v) or ""
        elif name in ("buyer", "region", "sector", "country", "fx_currency"):
            kw[name] = _opt_str(v)
        elif name in ("week", "terms_days"):
            x = _opt_float(v)
            kw[name] = None if x is None else int(x)
        elif name in ("top_n", "delay_days"):
            x = _opt_float(v)
            if x is not None:
                kw[name] = int(x)
        elif name in ("vasicek", "scale_variable_costs", "insurance"):
            kw[name] = _opt_bool(v, known[name].default)
        elif name == "forward":
            kw[name] = _opt_float(v)
        elif name == "combine":
            if isinstance(v, str):
                parts = v.replace("+", ",").replace("，", ",").split(",")
                kw[name] = tuple(p.strip() for p in parts if p.strip())
            elif v is not None and not (isinstance(v, float) and math.isnan(v)):
                kw[name] = tuple(str(p) for p in v)
        else:
            x = _opt_float(v)
            if x is not None:
                kw[name] = x
    if not kw.get("id") or not kw.get("kind"):
        raise ValueError("a scenario row needs an id and a kind")
    kw["kind"] = kw["kind"].lower()
    return Scenario(**kw)

SETTING_ROWS: tuple[Setting, ...] = (
    option_row(ForecastOptions, "forecast_start", "预测开始日", "Forecast start", "date",
            "第1周的第一天；留空为评估基准日的次日。", "First day of week 1; blank = the day after the as-of date."),
    option_row(ForecastOptions, "opening_cash", "期初现金", "Opening cash", "number",
            "预测开始日的银行存款余额（本位币）。", "Bank balance at the forecast start (home currency)."),
    option_row(ForecastOptions, "facility_limit", "授信额度", "Credit facility limit", "number",
            "循环贷款/授信总额度（本位币）。", "Committed revolver / credit facility (home currency).",
            minimum=0),
    option_row(ForecastOptions, "facility_drawn", "已提用金额", "Facility drawn", "number",
            "预测开始时已提用的授信金额。", "Amount drawn on the facility at the start.", minimum=0),
    option_row(ForecastOptions, "min_cash_buffer", "最低现金缓冲", "Minimum cash buffer", "number",
            "内部最低现金余额；低于此值即报警。", "Internal minimum cash balance; breaching it is flagged."),
    option_row(ForecastOptions, "min_liquidity", "最低流动性约定", "Minimum-liquidity covenant", "number",
            "贷款协议中的最低流动性（现金+可用额度）。", "Covenant: minimum cash + undrawn facility."),
    option_row(ForecastOptions, "sales_terms_days", "新销售账期(天)", "New-sales terms (days)", "integer",
            "新销售从开票到收款的天数（可在预测表逐周覆盖）。",
            "Days from invoice to payment of new sales (the Forecast sheet may override per week).",
            minimum=0, maximum=365),
    option_row(ForecastOptions, "sales_delay_days", "新销售平均逾期(天)", "New-sales delay (days)", "integer",
            "新销售在账期之外的平均延迟天数。", "Average days new sales are paid beyond their terms.",
            minimum=0, maximum=365),
    option_row(ForecastOptions, "overdue_rule", "逾期款回收假设", "Overdue collection rule", "choice",
            "预计付款日已过的未收发票：week1 = 全部在第1周收回；drop = 不计入；spreadN = 在前N周平均收回。",
            "Open invoices whose expected pay date has passed: week1 = all in week 1; drop = left out; "
            "spreadN = evenly over the first N weeks.", allowed=OVERDUE_CHOICES),
    option_row(StressOptions, "stress_sims", "模拟次数", "Simulations", "integer",
            "违约相关性蒙特卡洛模拟次数。", "Monte Carlo scenarios of correlated defaults.",
            minimum=100, maximum=5_000_000),
    option_row(StressOptions, "stress_seed", "随机种子", "Random seed", "integer",
            "随机种子：相同种子得到相同结果。", "Random seed: the same seed gives the same results.",
            minimum=0),
    option_row(StressOptions, "stress_rho", "整体相关系数", "Global correlation", "number",
            "全局因子权重 β_g（SPEC §6.3）。", "Global factor weight β_g (SPEC §6.3).", minimum=0, maximum=0.99),
    option_row(StressOptions, "stress_rho_region", "区域相关系数", "Region correlation", "number",
            "区域因子权重 β_r；0 = 仅单因子。", "Region factor weight β_r; 0 = one factor only.", minimum=0,
            maximum=0.99),
    option_row(StressOptions, "stress_rho_sector", "行业相关系数", "Sector correlation", "number",
            "行业因子权重 β_s。", "Sector factor weight β_s.", minimum=0, maximum=0.99),
    option_row(StressOptions, "loss_lgd", "违约损失率", "Loss given default", "percent",
            "损失分布使用的违约损失率（高级无担保 45%）。", "LGD of the loss distribution (senior unsecured 45 %).",
            minimum=0, maximum=1),
    option_row(StressOptions, "stress_lgd", "压力情景损失率", "Stress-scenario LGD", "percent",
            "压力情景中违约客户回款损失率（13周内难以回收，默认100%）。",
            "Share of a defaulted buyer's receipts lost in a scenario (recoveries are too slow for 13 weeks).",
            minimum=0, maximum=1),
    option_row(StressOptions, "unrated_pd", "无评级违约概率", "PD of unrated buyers", "percent",
            "无法评分的客户使用的违约概率。", "PD used for buyers the scorecard cannot rate.", minimum=0, maximum=1),
    option_row(StressOptions, "default_event", "违约类型", "Default event", "choice",
            "insolvency = 破产（赔款在结算期后支付）；protracted = 拖欠（等待期后支付）。",
            "insolvency: indemnity after proof of debt + settlement; protracted: after the waiting period too.",
            allowed=DEFAULT_EVENTS),
)

FORECAST_SETTINGS = SETTINGS.extend(SETTING_ROWS)
TEMPLATE_TABLES = (FORECAST, SCENARIOS, FORECAST_SETTINGS, FX)


def forecast_example_rows() -> tuple[dict[str, object], ...]:
    """Weeks 1..13 with blank amounts: the rows a blank template offers."""
    return tuple({"week": w} for w in range(1, WEEKS + 1))

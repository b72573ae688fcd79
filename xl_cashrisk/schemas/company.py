"""The Company financials table: the seller's own balance-sheet and P&L figures, one row per period.

One row per period (month, quarter or year) in time order, closing balances at the period end and
the period's sales and COGS. The ratios pipeline turns it into working capital, current / quick /
cash ratios, DSO / DIO / DPO / CCC and a trend (SPEC §5). Balances of the previous row are the
opening balances of the next, so a first row with balances only (no sales) makes the first real
period's day counts exact. ``SETTING_ROWS`` holds the health-band and concentration cut-offs.
"""

from __future__ import annotations

import datetime as dt

from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import Setting, option_row
from xl_cashrisk.settings import ConcentrationOptions, RatioOptions

__all__ = ["COMPANY", "COMPANY_AMOUNTS", "EXAMPLE_ROWS", "SETTING_ROWS"]

MONEY_FORMAT = "#,##0"


def _money(key: str, zh: str, en: str, help_zh: str, help_en: str, *, required: bool = False,
           minimum: float | None = 0) -> Column:
    return Column(key, zh, en, "number", required=required, minimum=minimum, width=15,
                  number_format=MONEY_FORMAT, help_zh=help_zh, help_en=help_en)


COMPANY = Table(
    key="company",
    sheet="Company financials",
    name="CompanyFinancials",
    title_zh="公司财务数据",
    title_en="Company financials",
    description_zh="本公司各期数据，每行一期（月、季或年），按时间顺序；余额为期末数，销售额和销售成本为本期发生额。",
    description_en="The company's own figures, one row per period (month, quarter or year) in time order: "
    "closing balances at the period end, sales and COGS of the period.",
    key_columns=("period",),
    columns=(
        Column("period", "期间", "Period", "text", required=True, unique=True, width=12,
               help_zh="期间名称，如 2026Q3 或 2026-09。", help_en="Period label, e.g. 2026Q3 or 2026-09.",
               example="2026Q3"),
        Column("period_end", "期末日", "Period end", "date", required=True, unique=True, width=13,
               number_format="yyyy-mm-dd", help_zh="期末日期；各行按此排序。",
               help_en="Last day of the period; rows are taken in this order.", example=dt.date(2026, 9, 30)),
        Column("days", "天数", "Days", "integer", minimum=1, maximum=366, width=8, number_format="0",
               help_zh="本期天数；留空则为与上一期末日相差的天数（第一行为下一期的天数）。",
               help_en="Days in the period; blank = days since the previous period end (first row: the next "
               "period's length)."),
        _money("cash", "货币资金", "Cash", "现金及现金等价物。", "Cash and cash equivalents."),
        _money("marketable_securities", "交易性金融资产", "Marketable securities",
               "可随时变现的短期投资。", "Short-term investments that can be sold at once."),
        _money("receivables", "应收账款", "Receivables", "应收账款余额（净额）。", "Trade receivables (net)."),
        _money("inventory", "存货", "Inventory", "存货余额。", "Inventory."),
        _money("prepaids", "预付款项", "Prepaids", "预付款项及其他流动资产。", "Prepaid expenses and other current assets."),
        _money("current_assets", "流动资产合计", "Current assets", "流动资产合计。", "Total current assets.",
               required=True),
        _money("current_liabilities", "流动负债合计", "Current liabilities", "流动负债合计。",
               "Total current liabilities.", required=True),
        _money("accounts_payable", "应付账款", "Accounts payable", "应付账款余额。", "Trade payables."),
        _money("sales", "营业收入", "Sales", "本期销售额（不含税）。", "Sales of the period (net of VAT)."),
        _money("cogs", "营业成本", "COGS", "本期销售成本。", "Cost of goods sold in the period."),
    ),
)

COMPANY_AMOUNTS = tuple(c.key for c in COMPANY.columns if c.dtype == "number")

EXAMPLE_ROWS: tuple[dict[str, object], ...] = (  # SPEC §5 WC-1 / CCC-1 figures on a yearly basis
    {"period": "FY2025", "period_end": dt.date(2025, 12, 31), "days": 365, "cash": 110_000,
     "marketable_securities": 30_000, "receivables": 380_000, "inventory": 330_000, "prepaids": 20_000,
     "current_assets": 870_000, "current_liabilities": 520_000, "accounts_payable": 220_000},
    {"period": "FY2026", "period_end": dt.date(2026, 12, 31), "days": 365, "cash": 120_000,
     "marketable_securities": 30_000, "receivables": 420_000, "inventory": 370_000, "prepaids": 20_000,
     "current_assets": 960_000, "current_liabilities": 500_000, "accounts_payable": 260_000,
     "sales": 3_650_000, "cogs": 2_920_000},
)

SETTING_ROWS: tuple[Setting, ...] = (
    option_row(RatioOptions, "wc_danger_below", "流动比率危险线", "Current ratio: danger below", "number",
            "流动比率低于此值为“危险”（红）。", "Current ratio below this is DANGER (red).",
            minimum=0),
    option_row(RatioOptions, "wc_healthy_from", "流动比率健康线", "Current ratio: healthy from", "number",
            "流动比率达到此值为“健康”（绿）；两线之间为“关注”（黄）。",
            "Current ratio from this on is HEALTHY (green); between the two, WATCH (yellow).",
            minimum=0),
    option_row(RatioOptions, "wc_idle_above", "流动比率闲置现金提示线", "Current ratio: idle cash above", "number",
            "流动比率高于此值时提示可能存在闲置现金。", "Above this the current ratio carries an idle-cash note.",
            minimum=0),
    option_row(RatioOptions, "quick_danger_below", "速动比率危险线", "Quick ratio: danger below", "number",
            "速动比率低于此值为“危险”。", "Quick ratio below this is DANGER.", minimum=0),
    option_row(RatioOptions, "quick_healthy_from", "速动比率健康线", "Quick ratio: healthy from", "number",
            "速动比率达到此值为“健康”。", "Quick ratio from this on is HEALTHY.", minimum=0),
    option_row(ConcentrationOptions, "conc_share_yellow", "单一集中度黄灯", "Concentration: share yellow from", "percent",
            "单个客户（或地区、行业）占应收账款比例达到此值为黄灯。",
            "A single buyer's (or group's) share of open AR from this on is YELLOW.",
            minimum=0, maximum=1),
    option_row(ConcentrationOptions, "conc_share_red", "单一集中度红灯", "Concentration: share red above", "percent",
            "单个客户占比高于此值为红灯。", "A share above this is RED.", minimum=0, maximum=1),
    option_row(ConcentrationOptions, "conc_hhi_yellow", "HHI 黄灯", "HHI yellow from", "number",
            "HHI（0–1）达到此值为黄灯。", "HHI (0–1 scale) from this on is YELLOW.", minimum=0, maximum=1),
    option_row(ConcentrationOptions, "conc_hhi_red", "HHI 红灯", "HHI red above", "number",
            "HHI（0–1）高于此值为红灯。", "HHI (0–1 scale) above this is RED.", minimum=0, maximum=1),
)

"""The buyer register: one row per buyer, its inputs (data model) and the scoring result columns.

Input columns follow the agreed data model; the payment-record columns (``dbt``, ``max_dpd_open``,
``overdue_amount``, ``open_amount``, ``annual_sales``) are what the ledger's ageing feeds, and may be
typed by hand when there is no ledger. Result columns hold LIVE formulas in the template
(``=CREDITSCORE(...)`` and friends, one row each) and values when the CLI scores the register; both
give the same numbers (tests/incell/test_register_template.py).

Why the formulas look the way they do: LibreOffice hands a directly referenced blank cell to an add-in
function as 0, but a blank inside a range as blank, so every optional input is passed as a one-cell
range (``D5:D5``); a blank ``negative_events`` counts as none (``N(...)``), as in the register path.

Also here: the Settings-sheet rows of the scoring domain (:data:`SETTING_ROWS`), the Scorecard table
(key | value changes to the scorecard, docs/scorecard.md) and the register's cross-column rules.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from xl_cashrisk.schemas.rules import Problem, RuleContext, register_rule
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import Setting, option_row
from xl_cashrisk.scoring import default_scorecard
from xl_cashrisk.settings import ScoringOptions

__all__ = ["EXAMPLE_ROWS", "FINANCIALS", "PAYMENT_RECORD", "REGISTER", "SCORECARD", "SCORECARD_ROWS_NAME",
           "SECTORS", "SETTING_ROWS", "SNAPSHOT", "setting_name"]

MONEY = "#,##0"
SECTORS = tuple(k.lower() for k in default_scorecard().factor("sector").table)
SCORECARD_ROWS_NAME = "Scorecard_rows"  # defined name of the Scorecard table's body (io.templates)
_ISO2 = re.compile(r"[A-Z]{2}")


def setting_name(key: str) -> str:
    """Defined name of a Settings-sheet value cell (io.templates defines one per settings row)."""
    return f"Setting_{key}"


def _r(key: str) -> str:
    """A one-cell range of this row's ``key`` cell (blank stays blank in LibreOffice, see module doc)."""
    return f"{{{key}}}:{{{key}}}"


def _money(key: str, zh: str, en: str, help_en: str, help_zh: str, *, minimum: float | None = 0.0) -> Column:
    return Column(key, zh, en, "number", minimum=minimum, width=14, number_format=MONEY, help_en=help_en,
                  help_zh=help_zh)


FINANCIALS: tuple[Column, ...] = (
    _money("total_assets", "资产总额", "Total assets", "Latest year, home currency.", "最近年度，本位币。"),
    _money("total_assets_prev", "上年资产总额", "Total assets, prior year", "Prior year.", "上一年度。"),
    _money("total_liabilities", "负债总额", "Total liabilities", "Latest year.", "最近年度。"),
    _money("current_assets", "流动资产", "Current assets", "Latest year.", "最近年度。"),
    _money("current_assets_prev", "上年流动资产", "Current assets, prior year", "Prior year.", "上一年度。"),
    _money("current_liabilities", "流动负债", "Current liabilities", "Latest year.", "最近年度。"),
    _money("current_liabilities_prev", "上年流动负债", "Current liabilities, prior year", "Prior year.", "上一年度。"),
    _money("cash", "货币资金", "Cash", "Cash and equivalents.", "货币资金。"),
    _money("inventory", "存货", "Inventory", "Inventories.", "存货。"),
    _money("receivables", "应收账款", "Receivables", "Trade receivables.", "应收账款。"),
    _money("retained_earnings", "留存收益", "Retained earnings", "May be negative.", "可为负数。", minimum=None),
    _money("ebit", "息税前利润", "EBIT", "Earnings before interest and taxes; may be negative.", "息税前利润，可为负数。",
           minimum=None),
    _money("sales", "营业收入", "Sales", "Revenue, latest year.", "最近年度营业收入。"),
    _money("sales_prev", "上年营业收入", "Sales, prior year", "Prior year.", "上一年度。"),
    _money("cogs", "营业成本", "COGS", "Cost of goods sold.", "营业成本。"),
    _money("cogs_prev", "上年营业成本", "COGS, prior year", "Prior year.", "上一年度。"),
    _money("net_income", "净利润", "Net income", "May be negative.", "可为负数。", minimum=None),
    _money("net_income_prev", "上年净利润", "Net income, prior year", "May be negative.", "可为负数。", minimum=None),
    _money("cfo", "经营活动现金流", "Cash flow from operations", "May be negative.", "可为负数。", minimum=None),
    _money("long_term_debt", "长期借款", "Long-term debt", "Latest year.", "最近年度。"),
    _money("long_term_debt_prev", "上年长期借款", "Long-term debt, prior year", "Prior year.", "上一年度。"),
    _money("equity_book", "所有者权益", "Book equity", "Book value of equity; may be negative.", "账面所有者权益，可为负数。",
           minimum=None),
    _money("tangible_net_worth", "有形净资产", "Tangible net worth", "Equity less intangibles; the credit limit "
           "uses 10 % of it.", "所有者权益减无形资产；信用额度按其10%计算。", minimum=None),
    Column("equity_issued", "本年增发股本", "Equity issued", "bool", default=False, width=10,
           help_en="TRUE if the buyer issued shares in the latest year (Piotroski).", help_zh="最近年度是否增发股本。"),
    Column("fs_year", "报表年度", "Statements year", "integer", minimum=1990, maximum=2100, width=10, number_format="0",
           help_en="Year of the financial statements above.", help_zh="以上财务数据所属年度。"),
)

PAYMENT_RECORD: tuple[Column, ...] = (
    Column("paydex", "付款指数", "PAYDEX", "number", minimum=0, maximum=100, width=10, number_format="0",
           help_en="A bureau's PAYDEX 0–100, if you have one; blank = DBT is used.",
           help_zh="征信机构的 PAYDEX（0–100），没有可留空（使用超期天数）。"),
    Column("dbt", "超期天数", "Days beyond terms", "number", width=11, number_format="0.0",
           help_en="Amount-weighted days paid beyond terms (paid invoices); filled from the ledger when one is given.",
           help_zh="已付发票按金额加权的超期付款天数；提供明细账时自动计算。"),
    Column("max_dpd_open", "最长逾期天数", "Oldest item overdue (days)", "number", minimum=0, width=12, number_format="0",
           help_en="Days the oldest open invoice is past due (0 = none overdue); from the ledger when given.",
           help_zh="最早一张未收发票的逾期天数（0 = 无逾期）；提供明细账时自动计算。"),
    _money("overdue_amount", "逾期金额", "Overdue amount", "Open amount past due; from the ledger when given.",
           "已逾期的未收金额；提供明细账时自动计算。"),
    _money("open_amount", "未收金额", "Open amount", "Open receivables (exposure); from the ledger when given.",
           "未收应收账款（风险敞口）；提供明细账时自动计算。"),
    _money("annual_sales", "近12个月销售额", "Sales to buyer, 12 months", "Invoiced to this buyer in the last 12 "
           "months incl. VAT, net of credit notes; from the ledger when given.",
           "近12个月对该客户的含税开票额（扣除红字）；提供明细账时自动计算。"),
)

_INPUTS: tuple[Column, ...] = (
    Column("buyer_id", "客户编号", "Buyer ID", "text", required=True, unique=True, width=10,
           help_en="Buyer ID, as in the AR ledger.", help_zh="客户编号，与应收账款明细一致。", example="B001"),
    Column("buyer_name", "客户名称", "Buyer name", "text", width=28, help_en="Buyer name.", help_zh="客户名称。"),
    Column("country", "国家", "Country", "text", required=True, width=8,
           help_en="ISO-2 country code: CN for domestic buyers, US, DE, …", help_zh="两位国家代码：国内为 CN，其他如 US、DE。"),
    Column("province", "省份", "Province", "text", width=12,
           help_en="Chinese province for CN buyers (e.g. Guangdong); blank abroad.", help_zh="国内客户所在省份（如 Guangdong）；境外留空。"),
    Column("region", "区域", "Region", "text", width=14,
           help_en="Free grouping, e.g. South China, EU, North America.", help_zh="自定义区域，如 华南、EU、北美。"),
    Column("sector", "行业", "Sector", "choice", allowed=SECTORS, width=14,
           help_en="One of the scorecard's sectors.", help_zh="评分卡中的行业之一。"),
    Column("years_in_business", "经营年限", "Years in business", "number", minimum=0, width=10, number_format="0",
           help_en="Years since founded.", help_zh="成立至今年数。"),
    Column("employees", "员工人数", "Employees", "integer", minimum=0, width=10, number_format="#,##0",
           help_en="Number of employees.", help_zh="员工人数。"),
    *FINANCIALS,
    _money("insurer_limit", "保险限额", "Insurer limit", "Credit-insurance limit on the buyer; blank = none "
           "(no cap, and not insured).", "信用保险公司核定的限额；留空 = 无（不设上限，也不在保）。"),
    _money("requested_limit", "申请额度", "Requested limit", "Credit limit sales asks for.", "销售部门申请的信用额度。"),
    Column("negative_events", "负面事件", "Negative events", "integer", minimum=0, default=0.0, width=10,
           number_format="0", help_en="Lawsuits, tax liens, bounced payments in the last 12 months; blank = 0.",
           help_zh="近12个月诉讼、欠税、退票等次数；留空 = 0。"),
    Column("listed", "上市公司", "Listed", "bool", default=False, width=8, help_en="TRUE for a public company.",
           help_zh="上市公司填 TRUE。"),
    Column("payment_terms_days", "账期天数", "Terms (days)", "integer", minimum=0, maximum=3650, width=9,
           number_format="0", help_en="Usual payment terms in days.", help_zh="通常账期（天）。"),
    *PAYMENT_RECORD,
    Column("last_review_date", "上次复核日", "Last review", "date", width=12, number_format="yyyy-mm-dd",
           help_en="When the buyer's limit was last reviewed; review is due monthly (RED), quarterly (YELLOW), yearly "
           "(GREEN).", help_zh="上次额度复核日期；复核周期：红灯每月、黄灯每季、绿灯每年。"),
)

_SC = f"{SCORECARD_ROWS_NAME}"
_SCORE_ARGS = ",".join([_r("altman_z2"), _r("current_ratio"), _r("debt_ratio"), _r("paydex"), _r("dbt"),
                        _r("max_dpd_open"), _r("overdue_share"), _r("years_in_business"), _r("employees"),
                        _r("country"), _r("sector"), "N({negative_events})", _SC])


def _score(output: str) -> str:
    return f'=CREDITSCORE({_SCORE_ARGS},"{output}",{_r("province")})'


def _ratio(num: str, den: str) -> str:
    return f'=IF(OR({{{num}}}="",{{{den}}}="",N({{{den}}})=0),"",{{{num}}}/{{{den}}})'


def _result(key: str, zh: str, en: str, formula: str, help_en: str, help_zh: str, fmt: str | None = None,
            width: float = 12, dtype: str = "number") -> Column:
    return Column(key, zh, en, dtype, width=width, result=True, formula=formula, number_format=fmt,
                  help_en=help_en, help_zh=help_zh)


RESULTS: tuple[Column, ...] = (
    _result("working_capital", "营运资金", "Working capital",
            '=IF(OR({current_assets}="",{current_liabilities}=""),"",{current_assets}-{current_liabilities})',
            "Current assets − current liabilities.", "流动资产 − 流动负债。", MONEY, 14),
    _result("altman_z2", "Z″评分", "Altman Z″",
            '=ALTMANZ(' + ",".join(_r(k) for k in ("working_capital", "retained_earnings", "ebit", "equity_book",
                                                    "sales", "total_assets", "total_liabilities")) + ',"Z2")',
            "Altman Z″ (non-manufacturing, SPEC §1.3).", "Altman Z″ 评分（非制造业）。", "0.00", 10),
    _result("current_ratio", "流动比率", "Current ratio", _ratio("current_assets", "current_liabilities"),
            "Current assets / current liabilities.", "流动资产 / 流动负债。", "0.00", 9),
    _result("debt_ratio", "资产负债率", "Debt ratio", _ratio("total_liabilities", "total_assets"),
            "Total liabilities / total assets.", "负债总额 / 资产总额。", "0.0%", 9),
    _result("overdue_share", "逾期占比", "Overdue share", _ratio("overdue_amount", "open_amount"),
            "Overdue / open amount.", "逾期金额 / 未收金额。", "0.0%", 9),
    _result("score", "信用评分", "Score", _score("score"), "Credit score 0–100 (NR = not rated).",
            "信用评分 0–100（NR = 未评级）。", "0.0", 9),
    _result("confidence", "置信度", "Confidence", _score("confidence"), "Share of scorecard weight with data.",
            "有数据的评分卡权重占比。", "0%", 10),
    _result("band", "信号灯", "Band", _score("band"), "GREEN / YELLOW / RED / NR.", "绿 / 黄 / 红 / 未评级。",
            None, 9, "text"),
    # filled by the CLI only: in LibreOffice a formula comparing the band cell (an add-in result) with a
    # text never matched, and =CREDITBAND(score, ..., "meaning") would ignore a changed scorecard
    _result("action", "建议", "Action", None, "What the band means for credit sales (filled by the CLI).",
            "信号灯对应的赊销建议（由命令行填写）。", None, 30, "text"),
    _result("grade", "等级", "Grade", _score("grade"), "Grade 1 (best) – 10.", "等级 1（最好）– 10。", "0", 7),
    _result("pd", "违约概率", "PD (1 year)", _score("pd"), "One-year probability of default (SPEC §3.6).",
            "一年违约概率。", "0.00%", 9),
    _result("recommended_limit", "建议额度", "Recommended limit",
            "=CREDITLIMIT(" + ",".join(_r(k) for k in ("annual_sales", "payment_terms_days", "dbt", "tangible_net_worth",
                                                        "working_capital", "band")) + f",0,{_r('insurer_limit')})",
            "min(need, band share × capacity, insurer limit), SPEC §3.8.", "建议信用额度（需求、财务能力、保险限额取小）。",
            MONEY, 14),
    _result("recommended_terms", "建议账期", "Recommended terms",
            "=CREDITTERMS(" + ",".join(_r(k) for k in ("band", "sector", "province", "payment_terms_days")) + f",{_SC})",
            "The usual terms, shortened to what the terms policy allows the band, sector and province (days; "
            "cash in advance = no credit), docs/scorecard.md.", "通常账期，按信号灯、行业、省份的账期政策缩短（天；"
            "cash in advance = 预付，不赊销）。", "0", 11, "text"),
    _result("expected_loss", "预期损失", "Expected loss",
            f"=EXPECTEDLOSS({_r('pd')},{setting_name('el_lgd')},{_r('open_amount')},"
            f'{setting_name("el_insured_share")},IF({{insurer_limit}}="",0,{{insurer_limit}}))',
            "PD × LGD × (open amount − insured part), SPEC §6.1.", "预期损失 = 违约概率 × 违约损失率 × 未保敞口。",
            MONEY, 12),
    _result("weakest", "最弱因素", "Weakest factor", _score("weakest"), "The scorecard factor with the fewest points.",
            "得分最低的评分因素。", None, 26, "text"),
    _result("cap", "封顶原因", "Cap applied", _score("cap"), "Knock-out rule that limited the score, if any.",
            "限制评分的否决条件（如有）。", None, 26, "text"),
    _result("scorecard_version", "评分卡版本", "Scorecard version", _score("version"), "Scorecard that produced the "
            "score.", "生成评分的评分卡版本。", None, 16, "text"),
)

REGISTER = Table(
    key="register",
    sheet="Buyer Register",
    name="Register",
    title_zh="客户信用档案",
    title_en="Buyer register",
    description_zh="每行一个客户：身份、财务报表、付款记录；灰色列为自动计算的评分结果（需加载 xl-cashrisk 插件）。",
    description_en="One row per buyer: identity, statements, payment record; grey columns are the live scoring "
                   "results (need the xl-cashrisk add-in).",
    key_columns=("buyer_id",),
    columns=(*_INPUTS, *RESULTS),
)

# The same columns, all read as inputs: a scored register written by the CLI, read back for monitoring.
SNAPSHOT = Table(
    key="snapshot", sheet="Scores 评分", name="Scores", title_zh="评分结果", title_en="Scored register",
    columns=tuple(Column(c.key, c.zh, c.en, "text" if c.key in ("score", "pd", "grade", "recommended_terms") else c.dtype,
                         required=c.key == "buyer_id", allowed=c.allowed) for c in REGISTER.columns),
    key_columns=("buyer_id",),
)

SCORECARD = Table(
    key="scorecard",
    sheet="Settings",
    name="Scorecard",
    title_zh="评分卡调整",
    title_en="Scorecard changes",
    description_zh="每行一项评分卡修改（键 | 值），如 factors.paydex.weight | 20；留空 = 默认评分卡。",
    description_en="One change per row (key | value), e.g. factors.paydex.weight | 20; empty = default scorecard.",
    key_columns=("scorecard_key",),
    columns=(
        Column("scorecard_key", "评分卡键", "Scorecard key", "text", required=True, unique=True, width=28,
               help_en="Dotted scorecard key (docs/scorecard.md): version, bands.green_min, factors.<f>.weight …",
               help_zh="评分卡键（见 docs/scorecard.md）：version、bands.green_min、factors.<因素>.weight 等。"),
        Column("scorecard_value", "新值", "New value", "text", width=22, help_en="New value; lists comma-separated.",
               help_zh="新值；列表用逗号分隔。"),
    ),
)

SETTING_ROWS: tuple[Setting, ...] = (
    option_row(ScoringOptions, "scorecard_file", "评分卡文件", "Scorecard file", "text",
            "评分卡 TOML 文件名（须与本工作簿在同一文件夹，不含路径）；留空 = 默认评分卡。“评分卡调整”表中的修改再叠加其上。",
            "Name of a scorecard TOML file in this workbook's own folder (a name, never a path); blank = the default. "
            "The Scorecard table's changes apply on top."),
    option_row(ScoringOptions, "el_lgd", "违约损失率", "Loss given default", "percent",
            "预期损失所用的违约损失率（0.45 = 巴塞尔高级无担保）。", "LGD for expected loss (0.45 = Basel senior unsecured).",
            minimum=0, maximum=1),
    option_row(ScoringOptions, "el_insured_share", "保险赔付比例", "Insured share", "percent",
            "有保险限额的客户，保险公司赔付的损失比例。", "Share of an insured loss the insurer pays, for buyers with an insurer limit.",
            minimum=0, maximum=1),
    option_row(ScoringOptions, "dpd_min_amount", "逾期天数起算金额", "Overdue item threshold", "number",
            "未收余额低于此金额（本位币）的发票不计入“最长逾期天数”（如银行扣费、尾差）。",
            "Open residuals below this amount (home currency; bank charges, rounding) do not count for the oldest "
            "item overdue.", minimum=0),
    option_row(ScoringOptions, "alert_score_drop", "评分下降预警", "Alert: score drop", "number",
            "评分比上次下降超过此分数即预警。", "Alert when a score falls by more than this many points.", minimum=0),
    option_row(ScoringOptions, "alert_overdue_days", "逾期预警天数", "Alert: overdue days", "integer",
            "发票新逾期超过此天数即预警。", "Alert on invoices newly overdue beyond this many days.", minimum=0),
    option_row(ScoringOptions, "review_months_red", "红灯复核周期(月)", "Review every (months), RED", "integer",
            "红灯客户复核周期（月）。", "Review cadence of RED buyers, months.", minimum=1),
    option_row(ScoringOptions, "review_months_yellow", "黄灯复核周期(月)", "Review every (months), YELLOW", "integer",
            "黄灯客户复核周期（月）。", "Review cadence of YELLOW buyers, months.", minimum=1),
    option_row(ScoringOptions, "review_months_green", "绿灯复核周期(月)", "Review every (months), GREEN", "integer",
            "绿灯客户复核周期（月）。", "Review cadence of GREEN buyers, months.", minimum=1),
)

EXAMPLE_ROWS: tuple[dict[str, object], ...] = (
    {"buyer_id": "B001", "buyer_name": "Guangzhou Example Trading Co.", "country": "CN", "province": "Guangdong",
     "region": "South China", "sector": "machinery", "years_in_business": 12, "employees": 180,
     "total_assets": 52_000_000.0, "total_liabilities": 27_000_000.0, "current_assets": 30_000_000.0,
     "current_liabilities": 18_000_000.0, "retained_earnings": 14_000_000.0, "ebit": 4_200_000.0,
     "sales": 68_000_000.0, "equity_book": 25_000_000.0, "tangible_net_worth": 23_500_000.0, "fs_year": 2025,
     "insurer_limit": 1_500_000.0, "requested_limit": 2_000_000.0, "negative_events": 0, "payment_terms_days": 60,
     "dbt": 6.0, "max_dpd_open": 12.0, "overdue_amount": 180_000.0, "open_amount": 1_250_000.0,
     "annual_sales": 7_400_000.0, "last_review_date": dt.date(2026, 3, 31)},
    {"buyer_id": "B002", "buyer_name": "Hamburg Import GmbH", "country": "DE", "region": "EU", "sector": "retail",
     "years_in_business": 4, "employees": 35, "total_assets": 9_000_000.0, "total_liabilities": 8_100_000.0,
     "current_assets": 5_000_000.0, "current_liabilities": 5_600_000.0, "retained_earnings": -400_000.0,
     "ebit": -150_000.0, "sales": 14_000_000.0, "equity_book": 900_000.0, "tangible_net_worth": 700_000.0,
     "fs_year": 2025, "negative_events": 1, "payment_terms_days": 30, "dbt": 24.0, "max_dpd_open": 48.0,
     "overdue_amount": 260_000.0, "open_amount": 400_000.0, "annual_sales": 2_100_000.0},
)


# ---------------------------------------------------------------------------------------- rules

_REL = 0.01  # 1 % of total assets: rounding room in hand-typed statements


@register_rule("register")
def register_rules(ctx: RuleContext) -> list[Problem]:
    """Cross-column checks of the buyer register: country codes, balance-sheet sanity, payment record."""
    f = ctx.frame
    out: list[Problem] = []

    def num(key: str) -> np.ndarray:
        return f[key].to_numpy(dtype=float)

    country = f["country"].to_numpy(dtype=object)
    upper = np.array([str(c).strip().upper() if c is not None else None for c in country], dtype=object)
    f["country"] = upper
    bad_code = np.array([c is not None and not _ISO2.fullmatch(c) for c in upper], dtype=bool)
    out += ctx.problems("error", "country", bad_code & ~ctx.bad["country"],
                        lambda i: f"expected a 2-letter ISO country code such as CN or US, got {country[i]!r}")
    known = default_scorecard().factor("country").table
    unlisted = np.array([c is not None and bool(_ISO2.fullmatch(c)) and c not in known for c in upper], dtype=bool)
    out += ctx.problems("warning", "country", unlisted,
                        lambda i: f"{upper[i]} is not in the scorecard's country table: it gets the default points")
    prov = f["province"].to_numpy(dtype=object)
    # a blank cell arrives as None or NaN: only a text is a province
    out += ctx.problems("warning", "province", (upper == "CN") & np.array([not isinstance(p, str) for p in prov], dtype=bool),
                        "a domestic (CN) buyer without a province is left out of regional analysis")
    region = default_scorecard().factor("region")
    odd = np.array([isinstance(p, str) and region.code(p) not in ("", *region.table) for p in prov], dtype=bool)
    out += ctx.problems("warning", "province", odd,
                        lambda i: f"{prov[i]!r} is not in the scorecard's region table: the buyer is scored on its "
                                  "country, and CREDITTERMS refuses it (write e.g. Guangdong or 广东)")

    ta, tl, ca, cl = num("total_assets"), num("total_liabilities"), num("current_assets"), num("current_liabilities")
    out += ctx.problems("error", "total_assets", ta == 0, "total assets must be above 0 (or left blank)")
    out += ctx.problems("error", "total_liabilities", tl == 0,
                        "total liabilities must be above 0 (or left blank): Altman Z″ divides by them")
    out += ctx.problems("error", "current_assets", ca > ta * (1 + _REL),
                        lambda i: f"current assets {ca[i]:,.0f} exceed total assets {ta[i]:,.0f}")
    out += ctx.problems("error", "current_liabilities", cl > tl * (1 + _REL),
                        lambda i: f"current liabilities {cl[i]:,.0f} exceed total liabilities {tl[i]:,.0f}")
    parts = np.nansum(np.vstack([num("cash"), num("inventory"), num("receivables")]), axis=0)
    out += ctx.problems("warning", "current_assets", parts > ca * (1 + _REL),
                        lambda i: f"cash + inventory + receivables ({parts[i]:,.0f}) exceed current assets "
                                  f"{ca[i]:,.0f}")
    eq = num("equity_book")
    off = np.abs(eq - (ta - tl)) > _REL * ta
    out += ctx.problems("warning", "equity_book", off,
                        lambda i: f"book equity {eq[i]:,.0f} is not total assets − total liabilities "
                                  f"({ta[i] - tl[i]:,.0f})")
    tnw = num("tangible_net_worth")
    out += ctx.problems("warning", "tangible_net_worth", tnw > eq * (1 + _REL) + 0.5,
                        lambda i: f"tangible net worth {tnw[i]:,.0f} exceeds book equity {eq[i]:,.0f}")
    over, open_ = num("overdue_amount"), num("open_amount")
    out += ctx.problems("error", "overdue_amount", over > open_ + 0.005,
                        lambda i: f"overdue amount {over[i]:,.2f} exceeds the open amount {open_[i]:,.2f}")
    if ctx.settings is not None:
        as_of = ctx.settings.as_of
        year = num("fs_year")
        out += ctx.problems("warning", "fs_year", year < as_of.year - 2,
                            lambda i: f"statements of {int(year[i])} are more than two years old")
        review = f["last_review_date"].to_numpy()
        out += ctx.problems("warning", "last_review_date", ~np.isnat(review) & (review > np.datetime64(as_of, "ns")),
                            f"review date is after the as-of date {as_of.isoformat()}")
    return out

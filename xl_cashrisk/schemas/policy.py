"""The credit-insurance policy: its terms as settings rows, a Policy sheet, and the buyer limits table.

Policy terms are :class:`~xl_cashrisk.schemas.settings.Setting` rows of the domain ``insurance``
(keys = the fields of :class:`xl_cashrisk.insurance.Policy`, holidays as ``policy_holidays``). They
may sit on their own "Policy" sheet (:data:`POLICY`, the settings template's layout), on the Settings
sheet, or in a TOML file's ``[insurance]`` table. Buyer limits come from the buyer register's
``insurer_limit`` column or the :data:`BUYER_LIMITS` table, which also carries the buyer's country
and groups (for concentration), a known insolvency date and the cause of a known loss.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.insurance import CLAIM_BASES, NOTIFY_BASES, WAITING_BASES, Policy
from xl_cashrisk.schemas.schema import Column, Table
from xl_cashrisk.schemas.settings import SETTINGS, KeyValueTable, Setting

__all__ = ["BUYER_LIMITS", "DOMAIN", "EXAMPLE_BUYER_ROWS", "LOSS_CAUSES", "MAX_POLICY_DAYS", "POLICY", "SETTING_ROWS",
           "policy_from_values"]

DOMAIN = "insurance"
LOSS_CAUSES = ("commercial", "political")
_D = Policy()  # the defaults shown in the template are the core's defaults


def _row(key: str, zh: str, en: str, dtype: str, help_zh: str, help_en: str, **kw) -> Setting:
    default = kw.pop("default", getattr(_D, key, None))
    return Setting(key, zh, en, dtype, default, help_zh, help_en, domain=DOMAIN, **kw)


MAX_POLICY_DAYS = 3650  # any day count of a policy term (notify, claim, MEP …): ten years at most
_DAYS = {"minimum": 0, "maximum": MAX_POLICY_DAYS}

SETTING_ROWS: tuple[Setting, ...] = (
    _row("indemnity_pct", "赔付比例（商业风险）", "Indemnity % (commercial)", "percent",
         "保险人赔付已确认损失的比例，如 90%。", "Share of the ascertained loss the insurer pays, e.g. 90 %.",
         minimum=0, maximum=1),
    _row("political_pct", "赔付比例（政治风险）", "Indemnity % (political)", "percent",
         "政治风险损失的赔付比例（需投保政治风险）。", "Share paid on political-risk losses (with political cover).",
         minimum=0, maximum=1),
    _row("political_cover", "承保政治风险", "Political risk covered", "bool",
         "TRUE = 保单含政治风险（国内贸易不适用）。",
         "TRUE if the policy has the political-risk module (never for domestic trade)."),
    _row("covered_countries", "承保国家", "Covered countries", "text",
         "可承保的买方国家 ISO 代码，逗号分隔；留空 = 全部国家。本国始终承保。",
         "ISO codes of the buyer countries covered, comma-separated; blank = all. Home country always.",
         default=None),
    _row("home_country", "本国", "Home country", "text",
         "本国 ISO 代码（国内贸易无政治风险）。", "ISO code of the home country (no political risk at home)."),
    _row("aggregate_first_loss", "累计免赔额", "Aggregate first loss (AFL)", "number",
         "每保单年度由被保险人自担的累计损失额（本位币）。",
         "Losses per policy year borne by you before the insurer pays (home currency).", minimum=0),
    _row("afl_before_pct", "先扣免赔额再乘比例", "AFL before indemnity %", "bool",
         "TRUE = 先从确认损失中扣除累计免赔额再乘赔付比例。",
         "TRUE: deduct the AFL from the ascertained loss before applying the percentage."),
    _row("non_qualifying_loss", "起赔额", "Non-qualifying loss (NQL)", "number",
         "确认损失低于此金额不予赔付（本位币）。", "Losses below this amount are not claimable (home currency).",
         minimum=0),
    _row("minimum_retention", "最低自留额", "Minimum retention", "number",
         "每次索赔被保险人至少自留的金额。", "Amount you keep on every claim at least.", minimum=0),
    _row("max_liability", "最高赔偿限额", "Maximum liability", "number",
         "每保单年度最高赔付总额；留空 = 不限。", "Cap on total claims paid per policy year; blank = none.",
         minimum=0, default=None),
    _row("max_credit_period", "最长信用期(天)", "Maximum credit period (days)", "integer",
         "可承保发票的最长账期。", "Longest payment terms (invoice → due date) allowed on insured invoices.", **_DAYS),
    _row("max_extension_period", "最长延展期(天)", "Maximum extension period, MEP (days)", "integer",
         "到期后最多可延展天数；到期日 + MEP 起须停止发货并申报。",
         "Days after the due date you may wait; from due + MEP stop deliveries and report.", **_DAYS),
    _row("notify_days", "逾期申报期限(天)", "Overdue notification (days)", "integer",
         "逾期须在此天数内向保险人申报，否则失去保障。",
         "Days within which an overdue invoice must be notified, or cover is lost.", **_DAYS),
    _row("notify_basis", "申报期限起算", "Notification counted from", "choice",
         "due_date = 自到期日起算；mep_end = 自延展期结束起算。",
         "due_date = from the due date; mep_end = from the end of the MEP.", allowed=NOTIFY_BASES),
    _row("claim_days", "索赔期限(天)", "Claim deadline (days)", "integer",
         "须在此天数内提交索赔。", "Days within which the claim must be filed.", **_DAYS),
    _row("claim_basis", "索赔期限起算", "Claim deadline counted from", "choice",
         "invoice_date = 自开票日起算；due_date = 自到期日起算。",
         "invoice_date = from the invoice date; due_date = from the due date.", allowed=CLAIM_BASES),
    _row("waiting_period", "等待期(天)", "Waiting period (days)", "integer",
         "拖欠（未破产）情况下，保险人在此期限后视为损失发生。",
         "Protracted default: the loss counts as established after this many days.", **_DAYS),
    _row("waiting_basis", "等待期起算", "Waiting period counted from", "choice",
         "due_date = 自到期日；notification = 自申报截止日。",
         "due_date = from the due date; notification = from the notify-by date.", allowed=WAITING_BASES),
    _row("settlement_days", "理赔支付天数", "Settlement days", "integer",
         "索赔确认后保险人付款所需天数。", "Days from an accepted claim to payment.", **_DAYS),
    _row("proof_of_debt_days", "破产债权确认天数", "Proof of debt (days)", "integer",
         "买方破产日至索赔确认的天数。", "Days from the buyer's insolvency to the accepted claim.", **_DAYS),
    _row("collection_from_days", "移交催收起始逾期天数", "Hand to collection from (days past due)", "integer",
         "逾期达到此天数时，下一步为移交催收。", "From this many days past due the next step is collection.",
         **_DAYS),
    _row("claim_from_days", "索赔起始逾期天数", "File the claim from (days past due)", "integer",
         "逾期达到此天数时，下一步为提交索赔。", "From this many days past due the next step is the claim.",
         **_DAYS),
    _row("worklist_materiality", "催收清单重要性金额", "Worklist materiality", "number",
         "逾期金额低于此数与起赔额中较大者的发票按买方归并，单列为小额事项，不标颜色（本位币）。",
         "Overdue items below the larger of this and the NQL are grouped per buyer and listed apart as "
         "small items, never coloured (home currency).", minimum=0),
    _row("urgent_days", "紧急天数", "Urgent within (days)", "integer",
         "重要事项的截止日在此天数内或已过期时标红。",
         "A material item whose deadline is at most this many days away, or missed, is red.", **_DAYS),
    _row("soon_days", "临近天数", "Soon within (days)", "integer",
         "重要事项的截止日在此天数内时标黄。", "A material item whose deadline is at most this many days away is amber.",
         **_DAYS),
    _row("move_weekends", "截止日遇休息日提前", "Move deadlines off weekends", "bool",
         "TRUE = 截止日遇周末或节假日提前到上一个工作日（付款日顺延）。",
         "TRUE: deadlines on weekends/holidays move to the previous business day (payments to the next)."),
    Setting("policy_holidays", "节假日", "Holidays", "date_list", None,
            "节假日日期（2026-10-01 格式），逗号分隔；中国调休上班日无法表示。",
            "Holiday dates such as 2026-10-01, comma-separated (weekend make-up working days cannot be given).",
            domain=DOMAIN),
)

POLICY = KeyValueTable(
    dataclasses.replace(
        SETTINGS.table, key="policy", sheet="Policy", name="Policy", title_zh="信用保险保单条款",
        title_en="Credit insurance policy",
        description_zh="每行一项保单条款：只填写“值”列；留空使用默认值。金额为本位币，比例可写 90% 或 0.9。",
        description_en="One policy term per row: fill in the Value column only; blank uses the default. "
        "Amounts in home currency; percentages as 90% or 0.9."),
    SETTING_ROWS,
)

BUYER_LIMITS = Table(
    key="buyer_limits",
    sheet="Buyer limits",
    name="BuyerLimits",
    title_zh="买方保险限额",
    title_en="Buyer limits",
    description_zh="每个买方一行：保险人批复的信用限额（本位币）、国家和分组。限额留空 = 无限额（不受保）。",
    description_en="One row per buyer: the insurer's credit limit (home currency), country and groups. "
    "Blank limit = no limit (not insured).",
    key_columns=("buyer_id",),
    columns=(
        Column("buyer_id", "客户编号", "Buyer ID", "text", required=True, unique=True, width=12,
               help_zh="客户编号，与应收账款明细一致。", help_en="Buyer ID, as in the AR ledger.", example="B001"),
        Column("buyer_name", "客户名称", "Buyer name", "text", width=28,
               help_zh="客户名称（仅供阅读）。", help_en="Buyer name (for reading only)."),
        Column("country", "国家", "Country", "text", width=9,
               help_zh="ISO 两位国家代码，CN = 国内；留空视为本国。",
               help_en="ISO-2 country code, CN = domestic; blank = home country."),
        Column("province", "省份", "Province", "text", width=12,
               help_zh="国内客户所在省份。", help_en="Province of a domestic buyer."),
        Column("region", "区域", "Region", "text", width=16,
               help_zh="区域分组，如 华南、EU。", help_en="Region group, e.g. South China, EU."),
        Column("sector", "行业", "Sector", "text", width=14, help_zh="行业。", help_en="Sector."),
        Column("insurer_limit", "保险限额", "Insurer limit", "number", minimum=0, width=15,
               number_format="#,##0",
               help_zh="保险人批复的信用限额（本位币）；留空 = 无限额，不受保。",
               help_en="Credit limit granted by the insurer (home currency); blank = none, not insured."),
        Column("insolvency_date", "破产日期", "Insolvency date", "date", width=13, number_format="yyyy-mm-dd",
               help_zh="已知破产日期（理赔时间按破产计算）。",
               help_en="Known insolvency date (the indemnity is then timed from it)."),
        Column("loss_cause", "损失原因", "Loss cause", "choice", allowed=LOSS_CAUSES, default="commercial", width=12,
               help_zh="已知拖欠原因：commercial = 商业风险，political = 买方所在国政治风险（外汇管制、战争等）。",
               help_en="Known cause of non-payment: commercial, or political (the buyer's country blocks "
               "payment: moratorium, transfer ban, war)."),
    ),
)

EXAMPLE_BUYER_ROWS: tuple[dict[str, object], ...] = (
    {"buyer_id": "B001", "buyer_name": "Guangzhou Example Trading Co.", "country": "CN", "province": "Guangdong",
     "region": "South China", "sector": "retail", "insurer_limit": 500_000},
    {"buyer_id": "B002", "buyer_name": "Example Imports LLC", "country": "US", "region": "North America",
     "sector": "electronics", "insurer_limit": 1_000_000},
    {"buyer_id": "B003", "buyer_name": "Example Handel GmbH", "country": "DE", "region": "EU",
     "sector": "machinery"},
)


def policy_from_values(values: Mapping[str, object], where: Location | None = None) -> Policy:
    """:class:`Policy` from parsed ``insurance`` settings rows (a Policy sheet, the Settings sheet or a TOML
    ``[insurance]`` table).

    The values are typed already (:meth:`Setting.parse`: percents, flags, whole days, dates); None/NaN
    values keep the core defaults. Whole numbers of days may arrive as floats (3.0), countries as a list or
    a comma-separated text; text is never read as a number, a flag or a date here. An unknown key, a value
    of the wrong type or an inconsistent policy raises :class:`InputError`.

    >>> import datetime as dt
    >>> p = policy_from_values({"indemnity_pct": 0.85, "max_extension_period": 90.0, "covered_countries": "us, de",
    ...                         "political_cover": True, "policy_holidays": (dt.date(2026, 10, 1), dt.date(2026, 10, 2))})
    >>> p.indemnity_pct, p.max_extension_period, sorted(p.covered_countries), p.political_cover, len(p.holidays)
    (0.85, 90, ['DE', 'US'], True, 2)
    """
    given = {("holidays" if k == "policy_holidays" else k): v for k, v in values.items() if v is not None}
    try:
        return Policy(**_policy_fields(given))
    except (ValueError, TypeError) as exc:
        raise InputError(f"invalid insurance policy: {exc}", where) from None


def _policy_fields(values: Mapping[str, object]) -> dict[str, object]:
    """Typed values → :class:`Policy` keyword arguments (NaN keeps the default); raises ValueError."""
    known = {f.name for f in dataclasses.fields(Policy)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown policy setting(s) {unknown}; known: {sorted(known)}")
    kwargs: dict[str, object] = {}
    for key, raw in values.items():
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            continue
        default = getattr(_D, key)
        if key == "covered_countries":
            items = raw.split(",") if isinstance(raw, str) else list(raw)  # type: ignore[arg-type]
            kwargs[key] = frozenset(str(c).strip().upper() for c in items if str(c).strip())
        elif key == "holidays":
            days = tuple(raw)  # type: ignore[arg-type]
            if not all(isinstance(d, dt.date) for d in days):
                raise ValueError(f"policy holidays must be dates, got {raw!r}")
            kwargs[key] = tuple(d.date() if isinstance(d, dt.datetime) else d for d in days)
        elif isinstance(default, bool):
            if not isinstance(raw, bool | np.bool_):
                raise ValueError(f"policy setting {key} must be TRUE or FALSE, got {raw!r}")
            kwargs[key] = bool(raw)
        elif isinstance(default, int | float) and (isinstance(raw, bool | np.bool_)
                                                    or not isinstance(raw, int | float | np.integer | np.floating)):
            raise ValueError(f"policy setting {key} must be a number, got {raw!r}")
        elif isinstance(default, int):
            number = float(raw)
            if not number.is_integer():
                raise ValueError(f"policy setting {key} must be a whole number of days, got {raw!r}")
            kwargs[key] = int(number)
        elif isinstance(default, float):
            kwargs[key] = float(raw)
        else:
            kwargs[key] = str(raw).strip()
    return kwargs

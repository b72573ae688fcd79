"""Credit insurance on the ledger: insured and uninsured exposure, deadlines, the collections worklist.

Composes :mod:`xl_cashrisk.insurance` (SPEC §7): the ledger is converted to home currency (limits are
in home currency), each buyer's limit is allocated to its oldest invoices first, every overdue invoice
gets its notify-by, stop-deliveries, claim-by and expected indemnity dates, and the worklist names the
next step of the three-step response. A buyer whose known loss cause is political (``loss_cause``)
is insured at the policy's political percentage only where political risk is covered for its country
(:func:`xl_cashrisk.insurance.cover_pct`); otherwise the core runs once per distinct percentage, which
is exact because limits are allocated within a buyer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xl_cashrisk import insurance as ins
from xl_cashrisk import receivables as rc
from xl_cashrisk.errors import InputError
from xl_cashrisk.settings import Settings

__all__ = ["InsuranceResult", "buyer_cover", "rank_worklist", "run_insurance"]

POLITICAL_NOT_COVERED = "political_not_covered"
REASONS = {lang: {**ins.REASONS[lang]} for lang in ins.REASONS}
REASONS["en"][POLITICAL_NOT_COVERED] = "political risk not covered"
REASONS["zh"][POLITICAL_NOT_COVERED] = "政治风险不在承保范围"
_SORT = (["days_left", "uninsured", "open_amount"], [True, False, False])
_LIGHT_ORDER = {ins.RED: 0, ins.AMBER: 1, "": 2}
SMALL_ITEMS = {"en": "{n} small items (each below {limit:,.0f})", "zh": "{n} 笔小额（每笔低于 {limit:,.0f}）"}


@dataclass
class InsuranceResult:
    settings: Settings
    policy: ins.Policy
    exposure: pd.DataFrame  # open items (home currency): limit allocation, insured, uninsured, reason
    by_buyer: pd.DataFrame  # per buyer: open, within limit, insured, uninsured, limit, use, overdue
    deadlines: pd.DataFrame  # overdue open invoices with every date of SPEC §7.1/§7.3
    worklist: pd.DataFrame  # material items and per-buyer groups of small ones: light, cash at risk, deadline
    small_items: pd.DataFrame  # every overdue item below the policy's materiality, by buyer
    claims: pd.DataFrame  # per overdue buyer: the policy year's AFL and max liability applied
    summary: pd.DataFrame  # key, metric, metric_zh, value, unit

    def metric(self, key: str):
        return self.summary.set_index("key").loc[key, "value"]


def buyer_cover(buyers: pd.DataFrame | None, policy: ins.Policy) -> pd.DataFrame:
    """Per buyer_id: limit (NaN = none), country, loss cause, insolvency date and the cover percentage."""
    cols = ["limit", "country", "loss_cause", "insolvency_date"]
    if buyers is None or buyers.empty:
        return pd.DataFrame(columns=[*cols, "pct"], index=pd.Index([], name="buyer_id"))
    b = buyers.copy()
    b["buyer_id"] = b["buyer_id"].astype(str)
    dup = b["buyer_id"][b["buyer_id"].duplicated()]
    if len(dup):
        raise InputError(f"buyer {dup.iloc[0]!r} is listed twice in the buyer limits")
    b = b.set_index("buyer_id")
    out = pd.DataFrame(index=b.index)
    out["limit"] = b["insurer_limit"].astype(float) if "insurer_limit" in b else np.nan
    country = b["country"] if "country" in b else pd.Series(policy.home_country, index=b.index)
    out["country"] = country.fillna(policy.home_country).astype(str).str.strip().str.upper()
    cause = b["loss_cause"] if "loss_cause" in b else pd.Series(ins.COMMERCIAL, index=b.index)
    out["loss_cause"] = cause.fillna(ins.COMMERCIAL).astype(str).str.strip().str.lower()
    out["insolvency_date"] = pd.to_datetime(b["insolvency_date"]) if "insolvency_date" in b else pd.NaT
    try:
        out["pct"] = np.asarray(ins.cover_pct(policy, out["loss_cause"].to_numpy(), out["country"].to_numpy()),
                                dtype=float).reshape(len(out))
    except ValueError as exc:
        raise InputError(f"buyer limits: {exc}") from None
    return out


def _per_pct(frame: pd.DataFrame, pct: np.ndarray, policy: ins.Policy, as_of, limits, countries, insolvency_dates,
             language: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Exposure, overdue deadlines and worklist (:func:`ins.insured_exposure`, :func:`ins.overdue_deadlines`,
    :func:`ins.collections_worklist`), run once per distinct cover percentage with the rows put back
    together. Each part's exposure is computed once and feeds its deadlines and worklist, which is
    what the two functions compute from the same rows themselves; the worklist is built without the
    insolvency dates, as :func:`ins.collections_worklist` is."""
    def one(sub: pd.DataFrame, pol: ins.Policy):
        exp = ins.insured_exposure(sub, pol, limits=limits, countries=countries)
        overdue = ins._overdue_from_exposure(exp, as_of, pol, insolvency_dates)
        plain = ins._overdue_from_exposure(exp, as_of, pol) if insolvency_dates is not None else overdue.copy()
        return exp, overdue, ins._worklist_from_overdue(plain, as_of, pol, language)

    values = np.unique(pct)
    if values.size == 0:
        return one(frame, policy)
    if values.size == 1:  # one percentage for every row: the frame as it is
        return one(frame, dataclasses.replace(policy, indemnity_pct=float(values[0])))
    parts = [one(frame.loc[pct == p], dataclasses.replace(policy, indemnity_pct=float(p))) for p in values]
    exposure, overdue, worklist = (pd.concat([part[i] for part in parts]) for i in range(3))
    return exposure, overdue, worklist


def run_insurance(ledger: pd.DataFrame, buyers: pd.DataFrame | None, policy: ins.Policy,
                  settings: Settings) -> InsuranceResult:
    """Exposure, deadlines and worklist for a validated ledger and the buyers' limits and countries.

    ``buyers``: ``buyer_id`` with ``insurer_limit`` (blank = no limit), optional ``country``,
    ``loss_cause`` ("commercial"/"political"), ``insolvency_date``. A buyer in the ledger but not in
    ``buyers`` has no limit. Amounts come out in home currency.
    """
    as_of = settings.as_of
    lang = settings.language if settings.language in REASONS else "en"
    aged = rc.age_ledger(ledger, as_of, fx=settings.fx_rates, home_currency=settings.home_currency)
    aged["buyer_id"] = aged["buyer_id"].astype(str)
    cover = buyer_cover(buyers, policy)
    items = aged[aged["open_amount_hc"].abs() > 0.005].copy()
    items["open_currency"] = items["open_amount"]
    items["open_amount"] = items["open_amount_hc"]
    ids = items["buyer_id"]
    limits = cover["limit"]  # buyer_id → value (unique buyers), as the core functions take a dict
    countries = cover["country"].reindex(ids.unique()).fillna(policy.home_country)
    pct = ins._map_keys(ids, cover["pct"]).fillna(policy.indemnity_pct).to_numpy(dtype=float)
    political = (ins._map_keys(ids, cover["loss_cause"]).astype(object).fillna(ins.COMMERCIAL).to_numpy()
                 == ins.POLITICAL)

    insolvency = cover["insolvency_date"].dropna()
    insolvency_dates = insolvency.dt.date.to_dict() if len(insolvency) else None
    exposure, overdue, worklist = _per_pct(items, pct, policy, as_of, limits, countries, insolvency_dates, lang)
    exposure = exposure.loc[items.index]
    _mark_political(exposure, political, pct)
    exposure["country"] = ins._map_keys(exposure["buyer_id"], countries)
    exposure["cover_pct"] = np.where(exposure["eligible"], pct, 0.0)

    overdue = overdue.loc[items.index[items.index.isin(overdue.index)]]
    worklist = worklist.sort_values(_SORT[0], ascending=_SORT[1], kind="stable")
    for frame in (overdue, worklist):
        frame["country"] = ins._map_keys(frame["buyer_id"], countries)
        _mark_political(frame, ins._map_keys(frame["buyer_id"], cover["loss_cause"]).eq(ins.POLITICAL).to_numpy(),
                        ins._map_keys(frame["buyer_id"], cover["pct"]).fillna(policy.indemnity_pct).to_numpy())
    for frame in (exposure, overdue, worklist):
        frame["reason"] = _translate(frame["reason"], REASONS[lang])
    overdue["material"] = overdue["open_amount"].to_numpy() >= policy.materiality
    worklist, small = rank_worklist(worklist, policy, lang)

    by_buyer = _by_buyer(exposure, overdue, cover)
    claims = _claims(overdue, cover, policy)
    summary = _summary(exposure, overdue, worklist, small, claims, by_buyer, settings, policy)
    return InsuranceResult(settings, policy, exposure, by_buyer, overdue, worklist, small, claims, summary)


def rank_worklist(rows: pd.DataFrame, policy: ins.Policy, language: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The worklist that ranks what matters, and the small items set apart.

    An item is small when its open amount is below :attr:`Policy.materiality` (the larger of the NQL
    and ``worklist_materiality``). The small items of a buyer become ONE worklist row when together
    they are material (``items`` = their number; earliest deadline, oldest due date, sums of the
    amounts); every small item is also listed on its own in the second frame. Each row gets its
    cash at risk (:func:`ins.cash_at_risk`) and light (:func:`ins.worklist_light`); rows are ordered
    red, amber, the rest, then by cash at risk (largest first), then by days left. ``urgent`` = red.
    """
    rows = rows.copy()
    rows["at_risk"] = ins.cash_at_risk(rows["uninsured"].to_numpy(), rows["insured"].to_numpy(),
                                       rows["days_to_notify"].to_numpy(), rows["days_to_claim"].to_numpy())
    rows["items"] = 1
    rows["group"] = False
    small_mask = rows["open_amount"].to_numpy() < policy.materiality
    small = rows.loc[small_mask].sort_values(["buyer_id", "days_left"], kind="stable")
    groups = _small_groups(small, policy, language)
    work = pd.concat([rows.loc[~small_mask], groups]) if len(groups) else rows.loc[~small_mask].copy()
    work["light"] = ins.worklist_light(work["open_amount"].to_numpy(), work["days_left"].to_numpy(), policy)
    work["urgent"] = work["light"].to_numpy() == ins.RED
    work["_order"] = work["light"].map(_LIGHT_ORDER)
    work = work.sort_values(["_order", "at_risk", "days_left", "open_amount"], ascending=[True, False, True, False],
                            kind="stable").drop(columns="_order")
    small = small.assign(light="", urgent=False)
    return work, small


def _small_groups(small: pd.DataFrame, policy: ins.Policy, language: str) -> pd.DataFrame:
    """One row per buyer whose small items are material together: earliest deadline first."""
    if small.empty:
        return small.iloc[:0]
    first = small.sort_values("days_left", kind="stable").groupby("buyer_id", sort=False)
    sums = first[["open_amount", "insured", "uninsured", "at_risk", "expected_indemnity", "items"]].sum()
    g = first.first().drop(columns=sums.columns).join(sums)
    g["due_date"] = first["due_date"].min()
    g["days_past_due"] = first["days_past_due"].max()
    g["notify_by"] = first["notify_by"].min()
    g["claim_by"] = first["claim_by"].min()
    g["uninsured_flag"] = g["uninsured"].to_numpy() > 0.005
    g["group"] = True
    g = g[g["open_amount"].to_numpy() >= policy.materiality].reset_index()
    text = SMALL_ITEMS.get(language, SMALL_ITEMS["en"])
    g["invoice_no"] = [text.format(n=n, limit=policy.materiality) for n in g["items"].tolist()]
    return g


def _translate(codes: pd.Series, words: dict[str, str]) -> np.ndarray:
    """``[words.get(x, x) for x in codes]`` looked up once per distinct code, as an object array."""
    keys, uniques = pd.factorize(codes, use_na_sentinel=False)
    return np.array([words.get(x, x) for x in uniques.tolist()], dtype=object)[keys]


def _mark_political(frame: pd.DataFrame, political: np.ndarray, pct: np.ndarray) -> None:
    """Eligible invoices of a buyer with a political loss where the policy pays 0 %: say why."""
    if frame.empty:
        return
    hit = political & (np.asarray(pct, dtype=float) == 0) & (frame["reason"].to_numpy() == "")
    if hit.any():
        frame.loc[hit, "reason"] = POLITICAL_NOT_COVERED


def _by_buyer(exposure: pd.DataFrame, overdue: pd.DataFrame, cover: pd.DataFrame) -> pd.DataFrame:
    b = ins.insured_exposure_by_buyer(exposure)
    if "buyer_name" in exposure:
        b.insert(0, "buyer_name", exposure.groupby("buyer_id")["buyer_name"].first())
    b["country"] = exposure.groupby("buyer_id")["country"].first()
    g = overdue.groupby(overdue["buyer_id"].astype(str))
    b["overdue"] = g["open_amount"].sum().reindex(b.index).fillna(0.0)
    b["overdue_uninsured"] = g["uninsured"].sum().reindex(b.index).fillna(0.0)
    b["expected_indemnity"] = g["expected_indemnity"].sum().reindex(b.index).fillna(0.0)
    b["oldest_dpd"] = g["days_past_due"].max().reindex(b.index)
    b["has_limit"] = b["limit"].notna() & (b["limit"] > 0)
    b["loss_cause"] = cover["loss_cause"].reindex(b.index).fillna(ins.COMMERCIAL)
    b.index.name = "buyer_id"
    return b.sort_values("uninsured", ascending=False, kind="stable")


def _claims(overdue: pd.DataFrame, cover: pd.DataFrame, policy: ins.Policy) -> pd.DataFrame:
    """If every overdue buyer defaulted: one claim per buyer on its overdue eligible invoices, oldest
    first, through the policy year (AFL, NQL, maximum liability; SPEC §7.2)."""
    if overdue.empty:
        return pd.DataFrame(columns=["buyer_id", "debt", "limit", "loss_date", "cause", "country", "paid"])
    g = overdue.groupby(overdue["buyer_id"].astype(str))
    claims = pd.DataFrame({
        "debt": g["within_limit"].sum(),
        "overdue": g["open_amount"].sum(),
        "loss_date": g["due_date"].min(),
        "country": g["country"].first(),
    })
    claims = claims[claims["debt"] > 0]
    claims["limit"] = np.inf  # the limit is already applied in within_limit
    claims["cause"] = cover["loss_cause"].reindex(claims.index).fillna(ins.COMMERCIAL)
    claims.index.name = "buyer_id"
    out = ins.policy_year_claims(claims.reset_index(), policy)
    return out.drop(columns=["limit"])


def _summary(exposure, overdue, worklist, small, claims, by_buyer, settings: Settings,
             policy: ins.Policy) -> pd.DataFrame:
    hc = settings.home_currency
    open_ar = float(exposure["open_amount"].sum())
    insured = float(exposure["insured"].sum())
    uninsured = float(exposure["uninsured"].sum())
    no_limit = by_buyer[~by_buyer["has_limit"]]
    items = pd.concat([worklist.loc[~worklist["group"].astype(bool), "step"], small["step"]])
    steps = items.value_counts() if len(items) else pd.Series(dtype=int)
    lights = worklist["light"].value_counts() if len(worklist) else pd.Series(dtype=int)
    rows = [
        ("open_ar", "Open receivables", "应收账款余额", open_ar, hc),
        ("insured", "Insured exposure", "受保敞口", insured, hc),
        ("uninsured", "Uninsured exposure", "未受保敞口", uninsured, hc),
        ("insured_share", "Insured share", "受保比例", insured / open_ar if open_ar > 0 else np.nan, "share"),
        ("buyers_no_limit", "Buyers with open AR and no limit", "无限额买方数", len(no_limit), "buyers"),
        ("open_no_limit", "Open AR of buyers without a limit", "无限额买方应收", float(no_limit["open_amount"].sum()), hc),
        ("overdue_ar", "Overdue receivables", "逾期应收账款", float(overdue["open_amount"].sum()), hc),
        ("overdue_uninsured", "Overdue and uninsured", "逾期未受保", float(overdue["uninsured"].sum()), hc),
        ("overdue_invoices", "Overdue invoices", "逾期发票数", len(overdue), "invoices"),
        ("step1", "Worklist: step 1 (documents, notify)", "第一步：核对并申报", int(steps.get(1, 0)), "invoices"),
        ("step2", "Worklist: step 2 (collection)", "第二步：移交催收", int(steps.get(2, 0)), "invoices"),
        ("step3", "Worklist: step 3 (claim)", "第三步：索赔", int(steps.get(3, 0)), "invoices"),
        ("materiality", "Materiality: larger of NQL and worklist materiality", "重要性金额（起赔额与设定取大）",
         policy.materiality, hc),
        ("worklist_rows", "Worklist rows (material items and per-buyer groups)", "催收清单行数",
         len(worklist), "rows"),
        ("urgent", f"Red: material, deadline within {policy.urgent_days} days or missed",
         f"红色：重要且{policy.urgent_days}天内到期或已过期", int(lights.get(ins.RED, 0)), "rows"),
        ("soon", f"Amber: material, deadline within {policy.soon_days} days",
         f"黄色：重要且{policy.soon_days}天内到期", int(lights.get(ins.AMBER, 0)), "rows"),
        ("small_items", "Small items (below materiality), listed apart", "小额事项（低于重要性金额）",
         len(small), "invoices"),
        ("small_amount", "Small items: open amount", "小额事项金额", float(small["open_amount"].sum()), hc),
        ("notify_missed", "Notification deadline already missed", "已错过申报期限",
         int((overdue["days_to_notify"] < 0).sum()) if len(overdue) else 0, "invoices"),
        ("claim_missed", "Claim deadline already missed", "已错过索赔期限",
         int((overdue["days_to_claim"] < 0).sum()) if len(overdue) else 0, "invoices"),
        ("expected_indemnity", "Expected indemnity on overdue invoices (before AFL)", "预计赔款（扣免赔前）",
         float(overdue["expected_indemnity"].sum()) if len(overdue) else 0.0, hc),
        ("indemnity_after_afl", "If every overdue buyer defaulted: indemnity after AFL and caps",
         "全部逾期买方违约时赔款（扣累计免赔后）", float(claims["paid"].sum()) if len(claims) else 0.0, hc),
    ]
    return pd.DataFrame(rows, columns=["key", "metric", "metric_zh", "value", "unit"])

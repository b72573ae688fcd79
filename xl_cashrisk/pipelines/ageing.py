"""Age the ledger: bucket totals, per-buyer schedule, collection metrics (SPEC §4).

Collection metrics are measured on the ledger itself: credit sales are the invoiced amounts (net
of credit notes) per calendar month; the balance at an earlier date is rebuilt from invoice dates
and last payment dates (a partial payment counts at its last payment date, since the ledger keeps
no per-payment history — documented in docs/guide-ar-clerk.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk import receivables as rc
from xl_cashrisk.errors import InputError
from xl_cashrisk.settings import Settings


@dataclass
class AgeingResult:
    settings: Settings
    aged: pd.DataFrame  # ledger rows with due_date, open amounts, dpd, bucket
    buckets: pd.DataFrame  # amount and items per bucket (+ credits)
    schedule: pd.DataFrame  # one row per buyer with an open item
    monthly_sales: pd.DataFrame  # newest month first: month, days, credit_sales (HC)
    metrics: pd.DataFrame  # metric, value, unit, note
    history: pd.DataFrame = field(default_factory=pd.DataFrame)  # per-buyer payment record

    @property
    def open_balance(self) -> float:
        return float(self.buckets["amount"].sum())

    def metric(self, key: str) -> float:
        return float(self.metrics.set_index("key").loc[key, "value"])


def _days(column: pd.Series) -> np.ndarray:
    """Dates as ``datetime64[D]`` (the calendar day, as ``.dt.date`` gives it; blanks NaT), compared as
    numbers instead of a million ``datetime.date`` objects."""
    return pd.to_datetime(column).to_numpy().astype("datetime64[D]")


def _month_starts(as_of: dt.date, months: int) -> list[dt.date]:
    starts, y, m = [], as_of.year, as_of.month
    for _ in range(months):
        starts.append(dt.date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return starts


def monthly_credit_sales(aged: pd.DataFrame, as_of: dt.date, months: int = 12) -> pd.DataFrame:
    """Credit sales (invoices net of credit notes, home currency) per calendar month, newest first.
    The current month counts up to ``as_of`` and its days are the days elapsed."""
    inv = _days(aged["invoice_date"])
    amount_hc = aged["amount"] * aged["fx_rate"]
    rows = []
    for start in _month_starts(as_of, months):
        nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = min(nxt, as_of + dt.timedelta(days=1))
        mask = (inv >= np.datetime64(start, "D")) & (inv < np.datetime64(end, "D"))
        rows.append({"month": start.strftime("%Y-%m"), "days": (end - start).days,
                     "credit_sales": float(amount_hc[mask].sum())})
    return pd.DataFrame(rows)


def balance_at(aged: pd.DataFrame, when: dt.date) -> float:
    """Open receivables (home currency) at the end of ``when``, rebuilt from the ledger."""
    day = np.datetime64(when, "D")
    inv = _days(aged["invoice_date"])
    if "last_payment_date" in aged:
        pay = _days(pd.to_datetime(aged["last_payment_date"], errors="coerce"))
        paid_by = ~np.isnat(pay) & (pay <= day)
    else:
        paid_by = np.zeros(len(aged), dtype=bool)
    paid = aged["paid_amount"].fillna(0.0) if "paid_amount" in aged else 0.0
    outstanding = aged["amount"] - np.where(paid_by, paid, 0.0)
    return float((outstanding * aged["fx_rate"])[inv <= day].sum())


# why a metric has no value, in words (the CLI and the results workbook print these, never "nan")
WHY_NOT = {
    "overdue_share": "no open receivables",
    "dso_12m": "no credit sales in the 12 months to the as-of date",
    "dso_3m": "no credit sales in the last 3 months",
    "dso_countback": "no credit sales to count back over",
    "bpdso": "no credit sales in the last 3 months",
    "add": "no credit sales in the last 3 months",
    "cei": "nothing to collect this month: no opening balance, no sales",
    "dbt": "no paid invoices with a payment date",
    "bad_debt_reserve": "the reserve rates do not match the ageing buckets",
}
OPEN_ITEMS_ONLY = "open items only: DSO needs the sales history (paid invoices too)"
_SALES_BASED = ("dso_12m", "dso_3m", "dso_countback", "bpdso", "add", "cei")


def _explain(metrics: pd.DataFrame, *, open_ar: float, sales_year: float, sales_3m: float, paid_history: bool) -> None:
    """Put the reason in ``note`` where a value cannot be computed; flag sales-based metrics of a ledger
    that holds open items only (an open-item export: its "sales" are just what is still unpaid)."""
    values = metrics["value"].to_numpy(dtype=float)
    for i, key in enumerate(metrics["key"]):
        if np.isnan(values[i]) and key in WHY_NOT:
            metrics.loc[i, "note"] = WHY_NOT[key]
        if key in _SALES_BASED and not paid_history and open_ar > 0:
            metrics.loc[i, "note"] = f"{metrics.loc[i, 'note']}; {OPEN_ITEMS_ONLY}"


def metric_text(row: pd.Series, fmt: str) -> str:
    """A metric's value as ``fmt`` formats it, or the reason it has none, in words.

    >>> metric_text(pd.Series({"value": float("nan"), "note": "no paid invoices"}), "{:.1f} d")
    '— (no paid invoices)'
    """
    v = float(row["value"])
    return fmt.format(v) if np.isfinite(v) else f"— ({row['note']})"


def run_ageing(ledger: pd.DataFrame, settings: Settings) -> AgeingResult:
    """Everything an AR clerk reads at month end, from one validated ledger."""
    kw = dict(edges=settings.bucket_edges, basis=settings.ageing_basis, fx=settings.fx_rates,
              home_currency=settings.home_currency, language=settings.language)
    as_of = settings.as_of
    if ledger.empty:
        raise InputError("the ledger has no data rows: nothing to age (fill the AR Ledger sheet below its headers)")
    # the derived per-row arrays (due dates, open amounts, DPD…) once for the four ledger functions
    prep = rc.prepare_ledger(ledger, as_of, settings.fx_rates, settings.home_currency, settings.ageing_basis)
    aged = rc.age_ledger(ledger, as_of, **kw, _prep=prep)
    if "currency" in aged:
        currencies = aged["currency"].astype(str).str.strip().str.upper()
        rates = {c: settings.fx(c) for c in currencies.unique()}
        aged["fx_rate"] = currencies.map(rates).astype(float)
    else:
        aged["fx_rate"] = 1.0
    buckets = rc.ageing_table(ledger, as_of, **kw, _prep=prep)
    schedule = rc.buyer_ageing_schedule(ledger, as_of, **kw, _prep=prep)
    history = rc.buyer_payment_history(ledger, as_of, fx=settings.fx_rates, home_currency=settings.home_currency,
                                       _prep=prep if settings.ageing_basis == "dpd" else None)
    sales = monthly_credit_sales(aged, as_of)

    open_ar = float(buckets["amount"].sum())
    invoices_open = aged[(aged["bucket"] != "") & (aged["open_amount_hc"] > 0)]
    current_ar = float(invoices_open.loc[invoices_open["dpd"] <= 0, "open_amount_hc"].sum())
    overdue_ar = float(invoices_open.loc[invoices_open["dpd"] > 0, "open_amount_hc"].sum())
    days_year = float(sales["days"].sum())
    sales_year = float(sales["credit_sales"].sum())
    last3 = sales.iloc[:3]
    dso_12m = rc.dso(open_ar, sales_year, days_year) if sales_year > 0 else np.nan
    dso_3m = rc.dso(open_ar, float(last3["credit_sales"].sum()), float(last3["days"].sum()))
    countback = rc.dso_countback(open_ar, sales["credit_sales"].to_numpy(), sales["days"].to_numpy()) \
        if sales_year > 0 else np.nan
    bpdso = rc.best_possible_dso(current_ar, float(last3["credit_sales"].sum()), float(last3["days"].sum()))
    month_start = as_of.replace(day=1)
    begin_ar = balance_at(aged, month_start - dt.timedelta(days=1))
    month_sales = float(sales.iloc[0]["credit_sales"])
    cei = rc.cei(begin_ar, month_sales, open_ar, current_ar) if begin_ar + month_sales - current_ar > 0 else np.nan
    aged_amounts = buckets["amount"].to_numpy()[:-1]
    rates = np.asarray(settings.reserve_rates, dtype=float)
    reserve = rc.bad_debt_reserve(aged_amounts, rates) if len(rates) == len(aged_amounts) else np.nan
    paid_hist = history["dbt"].notna()
    w = history.loc[paid_hist, "n_paid"]
    dbt = float(np.average(history.loc[paid_hist, "dbt"], weights=w)) if w.sum() > 0 else np.nan

    hc = settings.home_currency
    metrics = pd.DataFrame([
        ("open_ar", "Open receivables", "应收账款余额", open_ar, hc, "invoices net of credits"),
        ("overdue_ar", "Overdue receivables", "逾期应收账款", overdue_ar, hc, "days past due > 0"),
        ("overdue_share", "Overdue share", "逾期占比", overdue_ar / open_ar if open_ar else np.nan, "ratio", ""),
        ("dso_12m", "DSO, 12 months", "应收账款周转天数（12个月）", dso_12m, "days", "SPEC §4.2 standard"),
        ("dso_3m", "DSO, last 3 months", "应收账款周转天数（近3个月）", dso_3m, "days", "SPEC §4.2 three-month variant"),
        ("dso_countback", "DSO, countback", "倒推法 DSO", countback, "days", "SPEC §4.2 countback"),
        ("bpdso", "Best possible DSO", "最佳 DSO", bpdso, "days", "current AR, last 3 months' sales"),
        ("add", "Average days delinquent", "平均逾期天数", dso_3m - bpdso, "days", "DSO (3 months) − BPDSO"),
        ("cei", "Collection effectiveness, this month", "本月回款有效指数", cei, "%", "SPEC §4.3, N = 1"),
        ("dbt", "Days beyond terms (paid invoices)", "超期付款天数", dbt, "days", "amount-weighted, SPEC §2.2"),
        ("bad_debt_reserve", "Bad-debt reserve (ageing matrix)", "坏账准备（账龄法）", reserve, hc,
         "rates " + " / ".join(f"{r:.0%}" for r in rates)),
    ], columns=["key", "metric", "metric_zh", "value", "unit", "note"])
    _explain(metrics, open_ar=open_ar, sales_year=sales_year, sales_3m=float(last3["credit_sales"].sum()),
             paid_history=bool((aged["paid_amount"].fillna(0.0).abs() > 0.005).any()) if "paid_amount" in aged else False)
    return AgeingResult(settings, aged, buckets, schedule, sales, metrics, history)

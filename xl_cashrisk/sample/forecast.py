"""The sample seller's 13-week cash forecast and scenario library, consistent with ``sample.company``.

The seller (see :mod:`xl_cashrisk.sample.generate`) closed 2026Q3 with little cash, a large revolver
drawing and suppliers who are shortening its credit. Its forecast from 2026-10-01:

* opening cash = the quarter's closing cash; facility drawn = its short-term debt, limit a little above;
* new credit sales run at last quarter's weekly rate, easing 1 % a week, collected after 45-day terms
  plus an 8-day delay (the book's habits);
* suppliers are paid last quarter's weekly COGS plus a catch-up on payables over the first eight weeks
  (the story's falling DPO), payroll weekly, VAT mid-month, interest at month end, a loan instalment
  in week 9, two capex payments.

So the base case stays positive but below the minimum-cash buffer at its low point, and a default of
the largest buyer, a 30-day payment delay or a Central China (Henan) crisis pushes cash below zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xl_cashrisk.sample.generate import SamplePortfolio
from xl_cashrisk.stress import STANDARD_SCENARIOS, WEEKS, Scenario

__all__ = ["SAMPLE_SCENARIOS", "sample_forecast", "sample_forecast_settings", "write_sample_stress_workbook"]

SALES_TERMS_DAYS = 45
SALES_DELAY_DAYS = 8
SALES_DECAY = 0.99  # weekly
AP_CATCH_UP = 0.30  # extra supplier payments over weeks 1-8, as a share of weekly COGS
FACILITY_HEADROOM = 0.14  # facility limit = drawn × (1 + headroom)

SAMPLE_SCENARIOS: tuple[Scenario, ...] = (
    *STANDARD_SCENARIOS,
    Scenario("S9", "group_default", "Central China (Henan) buyers default (week 3)", "华中（河南）客户违约（第3周）",
             region="Central China", week=3),
    Scenario("S10", "political", "US buyers stop paying (week 2)", "美国客户停止付款（第2周）", country="US", week=2),
)


def _last(company: pd.DataFrame, column: str) -> float:
    return float(company.sort_values("period_end")[column].iloc[-1])


def sample_forecast(sample: SamplePortfolio) -> pd.DataFrame:
    """Weekly lines 1..13 (Forecast sheet columns), in CNY."""
    c = sample.company
    days = _last(c, "days")
    weekly_sales = _last(c, "sales") / days * 7
    weekly_cogs = _last(c, "cogs") / days * 7
    weeks = np.arange(1, WEEKS + 1)
    sales = weekly_sales * SALES_DECAY ** (weeks - 1)
    suppliers = weekly_cogs * (1 + AP_CATCH_UP * (weeks <= 8))
    payroll = np.full(WEEKS, 0.055 * weekly_sales)
    tax = np.where(np.isin(weeks, (3, 7, 11)), 0.20 * weekly_sales, 0.0)
    interest = 0.04 / 12 * _last(c, "short_term_debt_close")
    debt = np.where(np.isin(weeks, (5, 9, 13)), interest, 0.0) + np.where(weeks == 9, 8_000_000.0, 0.0)
    capex = np.where(np.isin(weeks, (6, 12)), 1_200_000.0, 0.0)
    other = np.full(WEEKS, 0.035 * weekly_sales)
    notes = {9: "loan instalment 贷款分期还款", 3: "VAT 增值税", 7: "VAT 增值税", 11: "VAT 增值税"}
    return pd.DataFrame({
        "week": weeks, "new_sales": sales.round(-3), "other_receipts": np.where(weeks == 6, 1_500_000.0, 0.0),
        "supplier_payments": suppliers.round(-3), "payroll": payroll.round(-3), "tax": tax.round(-3),
        "debt_service": debt.round(-3), "capex": capex, "other_payments": other.round(-3), "financing": 0.0,
        "note": [notes.get(int(w), "") for w in weeks],
    })


def sample_forecast_settings(sample: SamplePortfolio) -> dict[str, object]:
    """Forecast settings of the sample (Settings sheet keys)."""
    c = sample.company
    drawn = _last(c, "short_term_debt_close")
    return {
        "opening_cash": round(_last(c, "cash_close")), "facility_limit": round(drawn * (1 + FACILITY_HEADROOM), -6),
        "facility_drawn": round(drawn), "min_cash_buffer": 10_000_000.0, "min_liquidity": 25_000_000.0,
        "sales_terms_days": SALES_TERMS_DAYS, "sales_delay_days": SALES_DELAY_DAYS, "overdue_rule": "spread4",
    }


def write_sample_stress_workbook(path: str | Path, sample: SamplePortfolio | None = None) -> Path:
    """The sample as one filled stress-test workbook: Forecast, Scenarios, Settings, FX, the AR ledger and
    the buyer register."""
    from xl_cashrisk.io.templates import build_template
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.workbooks import fx_rows, records, settings_rows
    from xl_cashrisk.schemas import forecast as fs
    from xl_cashrisk.schemas.ledger import LEDGER
    from xl_cashrisk.schemas.register import REGISTER

    sample = sample or load_sample()
    settings = {**settings_rows(sample), **sample_forecast_settings(sample)}
    rows = {"forecast": records(sample_forecast(sample)), "scenarios": fs.scenario_rows(SAMPLE_SCENARIOS),
            "settings": settings, "fx": fx_rows(sample), "ledger": records(sample.ledger), "register": records(sample.buyers)}
    return build_template((*fs.TEMPLATE_TABLES, LEDGER, REGISTER), path, title_en="Sample stress test",
                          title_zh="示例压力测试", examples=rows, input_rows=0)

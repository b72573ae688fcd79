"""The sample seller's credit-insurance policy and its figures in template form.

A whole-turnover policy of the kind a Chinese exporter buys: 90 % cover on buyers with a limit,
political risk covered abroad except in Turkey (excluded by the insurer), CNY 500,000 aggregate first
loss, CNY 20,000 non-qualifying loss, 60-day maximum extension period, overdue notification within
30 days after the MEP, claim within 150 days of the due date, 180-day waiting period, 30 days to
settle, and the 2026 National Day week as holidays.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xl_cashrisk.insurance import Policy
from xl_cashrisk.sample.generate import SamplePortfolio
from xl_cashrisk.schemas.company import COMPANY
from xl_cashrisk.schemas.policy import BUYER_LIMITS

__all__ = ["SAMPLE_COVERED_COUNTRIES", "SAMPLE_POLICY", "SAMPLE_POLICY_SOURCE", "sample_buyer_limits", "sample_company_rows",
           "sample_policy_values"]

SAMPLE_COVERED_COUNTRIES = frozenset({"US", "DE", "JP", "IT", "FR", "GB", "KR", "AU", "NL", "AE", "BR", "IN", "ES"})
NATIONAL_DAY_2026 = tuple(dt.date(2026, 10, d) for d in range(1, 8))

SAMPLE_POLICY_SOURCE = "the sample's policy (xl_cashrisk/sample/policy.py; the Policy sheet of `xl-cashrisk sample`)"
SAMPLE_POLICY = Policy(
    indemnity_pct=0.90,
    political_pct=0.90,
    political_cover=True,
    home_country="CN",
    covered_countries=SAMPLE_COVERED_COUNTRIES,
    aggregate_first_loss=500_000.0,
    non_qualifying_loss=20_000.0,
    minimum_retention=0.0,
    max_liability=50_000_000.0,
    max_credit_period=180,
    max_extension_period=60,
    notify_days=30,
    notify_basis="mep_end",
    claim_days=150,
    claim_basis="due_date",
    waiting_period=180,
    waiting_basis="due_date",
    settlement_days=30,
    collection_from_days=60,
    claim_from_days=90,
    holidays=NATIONAL_DAY_2026,
)


def sample_policy_values(policy: Policy = SAMPLE_POLICY) -> dict[str, object]:
    """The policy as Policy-sheet values (key → cell value), e.g. to fill a settings workbook."""
    out: dict[str, object] = {}
    for key in ("indemnity_pct", "political_pct", "political_cover", "home_country", "aggregate_first_loss",
                "afl_before_pct", "non_qualifying_loss", "minimum_retention", "max_credit_period",
                "max_extension_period", "notify_days", "notify_basis", "claim_days", "claim_basis",
                "waiting_period", "waiting_basis", "settlement_days", "proof_of_debt_days",
                "collection_from_days", "claim_from_days", "move_weekends"):
        out[key] = getattr(policy, key)
    out["max_liability"] = None if policy.max_liability == float("inf") else policy.max_liability
    out["covered_countries"] = ",".join(sorted(policy.covered_countries)) if policy.covered_countries else None
    out["policy_holidays"] = ",".join(d.isoformat() for d in policy.holidays) or None
    return out


def sample_company_rows(sample: SamplePortfolio) -> pd.DataFrame:
    """The sample's quarterly figures as Company-financials rows: the opening balance sheet of the
    first quarter (2025-09-30, no sales) and one row per quarter with closing balances."""
    c = sample.company
    keys = [col.key for col in COMPANY.columns]
    first = {"period": "2025Q3", "period_end": c["period_start"].iloc[0] - pd.Timedelta(days=1), "days": 92}
    rows = [first | {k: c[f"{k}_open"].iloc[0] for k in keys if f"{k}_open" in c}]
    for _, q in c.iterrows():
        row = {"period": q["quarter"], "period_end": q["period_end"], "days": int(q["days"]),
               "sales": q["sales"], "cogs": q["cogs"]}
        rows.append(row | {k: q[f"{k}_close"] for k in keys if f"{k}_close" in c})
    frame = pd.DataFrame(rows)
    return frame.reindex(columns=[k for k in keys if k in frame.columns])


def sample_buyer_limits(sample: SamplePortfolio) -> pd.DataFrame:
    """The sample register's columns that the Buyer limits table holds."""
    keys = [col.key for col in BUYER_LIMITS.columns if col.key in sample.buyers.columns]
    return sample.buyers.loc[:, keys].copy()

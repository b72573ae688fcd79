"""Run settings: as-of date, home currency, FX rates, ageing conventions, and each domain's options.

Settings come from a workbook's Settings sheet (see :mod:`xl_cashrisk.schemas.settings`) or a TOML
file; defaults here are the toolkit's documented defaults (shared/domain/SPEC.md). Domain modules keep
their own option dataclasses (scorecard, insurance policy, stress options) and hang them off
:class:`Settings`, so one object travels through every pipeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DEFAULT_BUCKET_EDGES = (30, 60, 90, 120)  # SPEC §4.1: current, 1–30, 31–60, 61–90, 91–120, >120
DAYS_IN_YEAR = 365
BASES = ("dpd", "invoice")  # days past due (default) or days since invoice


@dataclass
class Settings:
    as_of: dt.date = field(default_factory=dt.date.today)
    home_currency: str = "CNY"
    fx_rates: dict[str, float] = field(default_factory=lambda: {"CNY": 1.0})  # 1 unit of currency = rate HC
    bucket_edges: tuple[int, ...] = DEFAULT_BUCKET_EDGES
    ageing_basis: str = "dpd"
    days_in_year: int = DAYS_IN_YEAR
    # loss rates per ageing bucket for the bad-debt reserve (SPEC §4.4 RES-1 style), len = len(edges)+1
    reserve_rates: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10, 0.25, 0.50)
    language: str = "en"  # "en" or "zh" for labels in outputs
    extras: dict[str, object] = field(default_factory=dict)  # domain options keyed by domain name

    def fx(self, currency: str) -> float:
        """Rate that converts one unit of ``currency`` to home currency."""
        from xl_cashrisk.errors import InputError

        cur = currency.strip().upper()
        if cur == self.home_currency.upper():
            return 1.0
        try:
            return float(self.fx_rates[cur])
        except KeyError:
            known = ", ".join(sorted(self.fx_rates)) or "none"
            raise InputError(
                f"no FX rate for currency {cur!r} to {self.home_currency} (rates given for: {known}); "
                "add it to the Settings sheet's FX table"
            ) from None

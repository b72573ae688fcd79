"""Run settings: as-of date, home currency, FX rates, ageing conventions, and each domain's typed options.

Settings come from a workbook's Settings sheet or a TOML file, parsed once by
:mod:`xl_cashrisk.schemas.settings`; the defaults here are the toolkit's documented defaults
(shared/domain/SPEC.md) and the only ones: the Settings-sheet rows show them
(:func:`xl_cashrisk.schemas.settings.option_row`). Each domain's options are one frozen dataclass
hung off :class:`Settings` under the domain's name (``settings.scoring.el_lgd``,
``settings.stress.stress_sims``, ``settings.insurance`` the policy), so one typed object travels
through every pipeline. A new option is a field here and a row in the domain's schema module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from xl_cashrisk.concentration import ConcentrationThresholds
from xl_cashrisk.dates import DAYS_IN_YEAR
from xl_cashrisk.insurance import Policy
from xl_cashrisk.portfolio import DEFAULT_SEED
from xl_cashrisk.ratios import CURRENT_RATIO_BANDS, QUICK_RATIO_BANDS
from xl_cashrisk.receivables import BASES, DEFAULT_BUCKET_EDGES

__all__ = ["BASES", "DAYS_IN_YEAR", "DEFAULT_BUCKET_EDGES", "DEFAULT_RESERVE_RATES", "OPTION_GROUPS", "ConcentrationOptions", "ForecastOptions",
           "RatioOptions", "ScoringOptions", "Settings", "StressOptions"]

# loss rates per ageing bucket for the bad-debt reserve (SPEC §4.4 RES-1 style), one per bucket (dpd)
DEFAULT_RESERVE_RATES = (0.01, 0.02, 0.05, 0.10, 0.25, 0.50)


@dataclass(frozen=True)
class ScoringOptions:
    """Scoring, limits, expected loss and monitoring (the buyer register's Settings rows)."""

    domain: ClassVar[str] = "scoring"
    scorecard_file: str | None = None  # a TOML file name in the workbook's own folder (never a path)
    el_lgd: float = 0.45  # SPEC §6.1: trade receivables are senior unsecured
    el_insured_share: float = 0.9
    dpd_min_amount: float = 1000.0  # open residuals below this do not count as overdue items
    alert_score_drop: float = 10.0
    alert_overdue_days: int = 30
    review_months_red: int = 1
    review_months_yellow: int = 3
    review_months_green: int = 12


@dataclass(frozen=True)
class ForecastOptions:
    """The 13-week cash forecast: opening position, facility, buffers, new sales (SPEC §8.1)."""

    domain: ClassVar[str] = "forecast"
    forecast_start: dt.date | None = None  # None: the day after the as-of date
    opening_cash: float = 0.0
    facility_limit: float = 0.0
    facility_drawn: float = 0.0
    min_cash_buffer: float = 0.0
    min_liquidity: float = 0.0
    sales_terms_days: int = 30
    sales_delay_days: int = 0
    overdue_rule: str = "spread4"  # week1, drop, or spreadN


@dataclass(frozen=True)
class StressOptions:
    """Stress scenarios and correlated defaults (SPEC §6.3–§6.5, §8.2)."""

    domain: ClassVar[str] = "stress"
    stress_sims: int = 20_000
    stress_seed: int = DEFAULT_SEED
    stress_rho: float = 0.20
    stress_rho_region: float = 0.0
    stress_rho_sector: float = 0.0
    loss_lgd: float = 0.45
    stress_lgd: float = 1.0
    unrated_pd: float = 0.05
    default_event: str = "insolvency"  # or "protracted"


@dataclass(frozen=True)
class RatioOptions:
    """Health bands of the current and quick ratios (SPEC §5); checked when the ratios run."""

    domain: ClassVar[str] = "ratios"
    wc_danger_below: float = CURRENT_RATIO_BANDS.danger_below
    wc_healthy_from: float = CURRENT_RATIO_BANDS.healthy_from
    wc_idle_above: float | None = CURRENT_RATIO_BANDS.idle_above
    quick_danger_below: float = QUICK_RATIO_BANDS.danger_below
    quick_healthy_from: float = QUICK_RATIO_BANDS.healthy_from


_CONC = ConcentrationThresholds()


@dataclass(frozen=True)
class ConcentrationOptions:
    """Concentration cut-offs (SPEC §9.2); checked when the concentration runs."""

    domain: ClassVar[str] = "concentration"
    conc_share_yellow: float = _CONC.share_yellow
    conc_share_red: float = _CONC.share_red
    conc_hhi_yellow: float = _CONC.hhi_yellow
    conc_hhi_red: float = _CONC.hhi_red


# the option groups read from settings rows: Settings attribute = the group's domain; the insurance
# domain's rows build the Policy (schemas/policy.py)
OPTION_GROUPS = (ScoringOptions, ForecastOptions, StressOptions, RatioOptions, ConcentrationOptions)


@dataclass
class Settings:
    as_of: dt.date = field(default_factory=dt.date.today)
    home_currency: str = "CNY"
    fx_rates: dict[str, float] = field(default_factory=lambda: {"CNY": 1.0})  # 1 unit of currency = rate HC
    bucket_edges: tuple[int, ...] = DEFAULT_BUCKET_EDGES
    ageing_basis: str = "dpd"
    days_in_year: int = DAYS_IN_YEAR
    reserve_rates: tuple[float, ...] = DEFAULT_RESERVE_RATES
    language: str = "en"  # "en" or "zh" for labels in outputs
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    forecast: ForecastOptions = field(default_factory=ForecastOptions)
    stress: StressOptions = field(default_factory=StressOptions)
    ratios: RatioOptions = field(default_factory=RatioOptions)
    concentration: ConcentrationOptions = field(default_factory=ConcentrationOptions)
    insurance: Policy = field(default_factory=Policy)  # the policy terms given in the settings

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

"""Expected credit loss on trade receivables from the ledger's own history: the provision matrix.

IFRS 9 simplified approach (¶5.5.15, ¶B5.5.35) / CAS 22 账龄迁徙率法: the ledger is replayed at each of
its past month-ends (:func:`month_ends`): every invoice dated on or before the month-end, its payment
undone when the ledger dates it later (:func:`xl_cashrisk.pipelines.scoring.ledger_as_of`), aged by
days past due at that date into the ageing buckets of the settings (:func:`bucket_history`). The
core (:mod:`xl_cashrisk.provisioning`) turns that history into migration rates and loss rates; the
rates times today's bucket balances are the provision (:func:`xl_cashrisk.receivables.bad_debt_reserve`).

At most the latest :data:`MAX_MONTH_ENDS` month-ends are used. The ledger keeps only each invoice's last payment date, so a part payment counts from that date (a
balance part-paid earlier looks slightly too high at the month-ends between). Credit notes and
unapplied cash are not aged (SPEC §4.1). Month-end periods assume 30-day buckets; other widths are
used as given and noted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk import provisioning as pv
from xl_cashrisk import receivables as rc
from xl_cashrisk.errors import InputError
from xl_cashrisk.pipelines.scoring import ledger_as_of
from xl_cashrisk.settings import Settings

__all__ = ["MIN_MONTH_ENDS", "ProvisionResult", "bucket_history", "month_ends", "run_provision"]

MIN_MONTH_ENDS = 3  # two transitions between month-ends at the least, else the rates rest on one month
MAX_MONTH_ENDS = 36  # the latest three years: older history says little of today's losses, and costs a replay each
MONTH_DAYS = 30  # the bucket width month-end periods match


def month_ends(first: dt.date, as_of: dt.date) -> list[dt.date]:
    """Every calendar month-end from the month of ``first`` up to ``as_of`` (inclusive).

    >>> month_ends(dt.date(2025, 11, 15), dt.date(2026, 2, 27))
    [datetime.date(2025, 11, 30), datetime.date(2025, 12, 31), datetime.date(2026, 1, 31)]
    """
    ends = pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), pd.Timestamp(as_of), freq="ME")
    return [d.date() for d in ends]


def _open_by_bucket(ledger: pd.DataFrame, when: dt.date, settings: Settings) -> np.ndarray:
    """Open invoice balances (home currency) per DPD bucket of ``ledger`` as it stood at ``when``."""
    snap = ledger_as_of(ledger, when)
    p = rc.prepare_ledger(snap, when, settings.fx_rates, settings.home_currency, "dpd")
    amounts = np.where(p["credit"], 0.0, p["open_hc"])  # credits are never aged
    totals, _ = rc.ageing_totals(p["dpd"], amounts, settings.bucket_edges, "dpd")
    return totals


def bucket_history(ledger: pd.DataFrame, settings: Settings, ends: list[dt.date]) -> pd.DataFrame:
    """Month-ends (rows, oldest first) × DPD buckets (columns, youngest first): the open invoice balances
    in home currency at each month-end, payments dated later undone."""
    labels = rc.bucket_labels(settings.bucket_edges, "dpd", "en")
    rows = [_open_by_bucket(ledger, e, settings) for e in ends]
    return pd.DataFrame(rows, index=pd.Index(ends, name="month_end"), columns=labels)


@dataclass
class ProvisionResult:
    settings: Settings
    history: pd.DataFrame  # month-end × bucket balances (home currency)
    matrix: pd.DataFrame  # per bucket: today's balance, migration, loss rates, provision
    last_rate: float
    forward_factor: float
    notes: list[str] = field(default_factory=list)

    @property
    def total_balance(self) -> float:
        return float(self.matrix["balance"].sum())

    @property
    def total_provision(self) -> float:
        """Σ balance × loss rate (SPEC §4.4, :func:`xl_cashrisk.receivables.bad_debt_reserve`)."""
        return float(rc.bad_debt_reserve(self.matrix["balance"].to_numpy(), self.matrix["loss_rate"].to_numpy()))

    @property
    def coverage(self) -> float:
        """Provision over the open balance (NaN without one)."""
        return self.total_provision / self.total_balance if self.total_balance else float("nan")


def run_provision(ledger: pd.DataFrame, settings: Settings, *, last_rate: float = 1.0,
                  forward_factor: float = 1.0, min_month_ends: int = MIN_MONTH_ENDS) -> ProvisionResult:
    """The provision matrix of ``ledger`` as of ``settings.as_of``: history, rates, provision per bucket.

    Raises :class:`InputError` when the ledger spans fewer than ``min_month_ends`` month-ends up to
    the as-of date, or a rate argument is out of range.
    """
    as_of = settings.as_of
    inv = pd.to_datetime(ledger["invoice_date"]).dropna()
    first = inv.min().date() if len(inv) else as_of
    ends = month_ends(first, as_of)[-MAX_MONTH_ENDS:]
    if len(ends) < min_month_ends:
        raise InputError(
            f"provision: the ledger covers {len(ends)} month-end(s) from its first invoice ({first}) to the as-of date "
            f"({as_of}); migration rates need at least {min_month_ends}. 账龄迁徙率至少需要{min_month_ends}个月末余额，"
            f"当前明细只覆盖{len(ends)}个。")
    try:
        pv.forward_looking(0.0, forward_factor)
        pv.migration_rates(np.zeros((2, 2)), last_rate)  # checks last_rate before the replay
    except ValueError as exc:
        raise InputError(f"provision: {exc}") from None
    history = bucket_history(ledger, settings, ends)
    m = pv.migration_rates(history, last_rate)
    hist_loss = pv.chain_loss_rates(m)
    loss = pv.forward_looking(hist_loss, forward_factor)
    today = history.iloc[-1].to_numpy() if ends[-1] == as_of else _open_by_bucket(ledger, as_of, settings)
    provision = today * loss.to_numpy()
    zh = rc.bucket_labels(settings.bucket_edges, "dpd", "zh")
    # the workings of each migration rate: what the bucket held over the months, and what of it rolled on
    held = np.append(history.iloc[:-1, :-1].sum().to_numpy(), np.nan)
    rolled = np.append(history.iloc[1:, 1:].sum().to_numpy(), np.nan)
    matrix = pd.DataFrame({"bucket": history.columns, "bucket_zh": zh, "balance": today, "held": held,
                           "rolled_next": rolled, "migration_rate": m.to_numpy(), "historical_loss_rate": hist_loss.to_numpy(),
                           "loss_rate": loss.to_numpy(), "provision": provision})
    notes = []
    widths = np.diff([0, *settings.bucket_edges])
    if np.any(widths != MONTH_DAYS):
        notes.append(f"bucket widths {', '.join(map(str, widths))} days: month-end periods roll 30 days, so the "
                     "migration between buckets of another width is approximate 账龄段宽度非30天，迁徙率为近似值")
    return ProvisionResult(settings, history, matrix, float(last_rate), float(forward_factor), notes)

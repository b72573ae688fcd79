"""Expected credit loss on trade receivables from the ledger's own history: migration (roll) rates
between ageing buckets, the loss rate of each bucket, and the forward-looking adjustment.

IFRS 9 simplified approach (¶5.5.15: lifetime ECL for trade receivables; ¶B5.5.35: a provision
matrix "based on historical observed default rates … adjusted for forward-looking estimates") and
CAS 22 (企业会计准则第22号 — 金融工具确认和计量, the same model), in the form Chinese practice calls the
账龄迁徙率法 (ageing migration-rate method). SPEC §4.4 applies rates to the buckets
(:func:`xl_cashrisk.receivables.bad_debt_reserve`); this module derives the rates.

The chain, each step one function (a provision step builds on it in this order)::

    bucket history B[t, i]  (period ends t oldest first × ageing buckets i youngest first,
                             e.g. one ageing_totals row per past month-end of the ledger)
      → migration_rates     m_i = Σ_t B[t+1, i+1] / Σ_t B[t, i]   (last bucket: last_rate)
      → chain_loss_rates    L_i = m_i · m_{i+1} · … · m_{n−1}
      → forward_looking     L_i' = min(1, L_i · factor)
      → provision           Σ_i B_today,i · L_i'   (receivables.bad_debt_reserve)

:func:`loss_rates` runs the middle three in one call. Every function takes a table with any leading
axes (``segments × periods × buckets``: one matrix per region, customer type or insured/uninsured
book, as B5.5.35 asks for groups with shared credit-risk characteristics) and gives one row of rates
per segment; a pandas DataFrame of one history gives a Series indexed by its bucket columns.

Balances are gross of write-offs: an amount written off in a period has not been collected, so it
still counts as having rolled into the next bucket (the rule Chinese audit practice applies, citing
the Beijing CPA Institute's expert note 北注协专家提示 2020 No. 3). The last bucket is open-ended: whatever sits in it at
t+1 counts as rolled from the bucket before, which is why its own rate is an input (``last_rate``,
default 1 = all of it is lost) rather than measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xl_cashrisk._array import safe_divide, scalar_or_array

__all__ = [
    "chain_loss_rates",
    "forward_looking",
    "loss_rates",
    "migration_rates",
]

LOSS_RATE_NAME = "loss_rate"
MIGRATION_RATE_NAME = "migration_rate"


def _history(balances) -> np.ndarray:
    b = np.asarray(balances, dtype=float)
    if b.ndim < 2:
        raise ValueError("balances must be a table: period ends as rows (oldest first), ageing buckets as "
                         "columns (youngest first)")
    if b.shape[-2] < 2 or b.shape[-1] < 2:
        raise ValueError(f"balances need at least 2 period ends and 2 buckets, got {b.shape[-2]} × {b.shape[-1]}")
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError("balances must be finite amounts ≥ 0 (credit balances are not aged)")
    return b


def _unit_interval(name: str, x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    bad = ~((a >= 0) & (a <= 1))
    if bad.any():
        raise ValueError(f"{name} must be between 0 and 1, got {a[bad].flat[0]!r}")
    return a


def _like(values: np.ndarray, balances, name: str):
    if isinstance(balances, pd.DataFrame):
        return pd.Series(values, index=balances.columns, name=name)
    return values


def migration_rates(balances, last_rate=1.0):
    """Migration (roll) rate of each ageing bucket: the share of a bucket's balance that is still
    unpaid one period later, one bucket older.

    ``m_i = Σ_t B[t+1, i+1] / Σ_t B[t, i]`` over consecutive period ends t (rows, oldest first), for
    every bucket i but the last (columns, youngest first); capped at 1 (a bucket cannot pass on more
    than it held; more means balances came from elsewhere, e.g. a late-booked invoice), and 0 where
    the denominator is 0 (nothing was there to roll). The last bucket's rate is ``last_rate`` (the
    share of the oldest bucket finally lost, default 1). Periods must be as long as the buckets are
    wide (month-ends for 30-day buckets). Source: issue 19 / 账龄迁徙率法; IFRS 9 ¶B5.5.35.

    ``balances`` may have leading axes (segments × periods × buckets); ``last_rate`` broadcasts over
    them. Returns one row of n rates per history (a Series over the columns for a DataFrame).

    Worked example LR-1 (month-end balances current / 1-30 / 31-60 / 61-90 / >90):

    >>> hist = [[100_000, 40_000, 20_000, 10_000, 5_000],
    ...         [110_000, 30_000, 16_000, 10_000, 8_000],
    ...         [120_000, 33_000, 12_000,  8_000, 9_000],
    ...         [105_000, 36_000, 13_200,  6_000, 4_000]]
    >>> migration_rates(hist).round(6).tolist()   # 99/330, 41.2/103, 24/48, 21/28, last 1
    [0.3, 0.4, 0.5, 0.75, 1.0]
    """
    b = _history(balances)
    num = b[..., 1:, 1:].sum(axis=-2)
    den = b[..., :-1, :-1].sum(axis=-2)
    m = np.minimum(safe_divide(num, den, positive=True, fill=0.0), 1.0)  # a tiny denominator: capped at 1
    last = np.broadcast_to(_unit_interval("last_rate", last_rate), m.shape[:-1])[..., None]
    return _like(np.concatenate([m, last], axis=-1), balances, MIGRATION_RATE_NAME)


def chain_loss_rates(migration):
    """Loss rate of each bucket from the migration rates: ``L_i = m_i · m_{i+1} · … · m_{n−1}``.

    A balance in bucket i is lost if it rolls through every older bucket and is not recovered from
    the last: the product of the rates from i to the end (IFRS 9 ¶B5.5.35; 账龄迁徙率法 历史损失率).
    Works along the last axis; a Series keeps its index.

    >>> chain_loss_rates([0.3, 0.4, 0.5, 0.75, 1.0]).round(6).tolist()    # LR-1
    [0.045, 0.15, 0.375, 0.75, 1.0]
    """
    m = _unit_interval("migration rates", migration)
    if m.ndim == 0:
        raise ValueError("migration rates must be a row: one rate per ageing bucket")
    out = np.cumprod(m[..., ::-1], axis=-1)[..., ::-1]
    if isinstance(migration, pd.Series):
        return pd.Series(out, index=migration.index, name=LOSS_RATE_NAME)
    return out


def forward_looking(rates, factor=1.0):
    """Forward-looking adjustment of historical loss rates: ``L' = min(1, L · factor)``.

    IFRS 9 ¶B5.5.35 and CAS 22 ask for historical rates "adjusted for forward-looking estimates":
    ``factor`` is the ratio of the loss rate expected over the receivables' life to the historical one
    (1.10 = 10 % worse than the history shows, e.g. from the expected change in the default rate of the
    buyers' sector; 1 = none; below 1 = better). One multiplier for every bucket keeps the shape of the
    history; give a row of factors for one per bucket. Capped at 1: no more than the balance is lost.
    Broadcasts; scalar in, scalar out; a Series keeps its index.

    >>> forward_looking([0.045, 0.15, 0.375, 0.75, 1.0], 1.1).round(6).tolist()   # LR-1, +10 %
    [0.0495, 0.165, 0.4125, 0.825, 1.0]
    >>> forward_looking(0.6, 2)
    1.0
    """
    r = _unit_interval("loss rates", rates)
    f = np.asarray(factor, dtype=float)
    if np.any(~np.isfinite(f)) or np.any(f < 0):
        raise ValueError(f"the forward-looking factor must be a number ≥ 0, got {factor!r}")
    out = np.minimum(r * f, 1.0)
    return scalar_or_array(out, like=rates, dtype=float)


def loss_rates(balances, last_rate=1.0, forward_factor=1.0):
    """Loss rate of each ageing bucket from a history of bucket balances: migration rates, chained,
    with the forward-looking adjustment — ``min(1, forward_factor · Π_{j ≥ i} m_j)``.

    See :func:`migration_rates` (``last_rate``), :func:`chain_loss_rates` and :func:`forward_looking`
    (``forward_factor``). Multiply by today's bucket balances for the provision
    (:func:`xl_cashrisk.receivables.bad_debt_reserve`).

    Worked example LR-1 (the history of :func:`migration_rates`; provision on the last month-end
    105,000 / 36,000 / 13,200 / 6,000 / 4,000):

    >>> hist = [[100_000, 40_000, 20_000, 10_000, 5_000],
    ...         [110_000, 30_000, 16_000, 10_000, 8_000],
    ...         [120_000, 33_000, 12_000,  8_000, 9_000],
    ...         [105_000, 36_000, 13_200,  6_000, 4_000]]
    >>> loss_rates(hist).round(6).tolist()
    [0.045, 0.15, 0.375, 0.75, 1.0]
    >>> loss_rates(hist, last_rate=0.8).round(6).tolist()
    [0.036, 0.12, 0.3, 0.6, 0.8]
    >>> from xl_cashrisk.receivables import bad_debt_reserve
    >>> round(bad_debt_reserve(hist[-1], loss_rates(hist)), 2), round(bad_debt_reserve(hist[-1], loss_rates(hist, 1, 1.1)), 2)
    (23575.0, 25532.5)
    """
    m = migration_rates(balances, last_rate)
    return forward_looking(chain_loss_rates(m), forward_factor)

"""Excel functions for expected credit loss on trade receivables: migration (roll) rates and loss rates
from the ledger's own bucket history (IFRS 9 simplified approach / CAS 22 账龄迁徙率法).

Thin adapters over :mod:`xl_cashrisk.provisioning`. ``balances`` is a block of cells: one row per
period end (oldest first), one column per ageing bucket (youngest first), numbers only — for example
the totals row of ``AGEING`` at each past month-end, without its credits and total columns. Rows
left blank at the end of the selection are ignored; a blank cell in a filled row is an empty bucket
(0); a blank row between filled ones is a missing period end and an error. Each function spills one
row, aligned with the bucket columns, so ``=BADDEBTRESERVE(today's buckets, LOSSRATES(...))`` gives
the provision.
"""

from __future__ import annotations

import numpy as np

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import provisioning as prov
from xl_cashrisk.errors import ArgumentError

CATEGORY = "Expected credit loss"

_BALANCES = ("Receivable balances by ageing bucket: one row per period end (oldest first), one column per bucket "
             "(youngest first, e.g. current, 1-30 ... >90), numbers only. Month-ends for 30-day buckets.")
_LAST_RATE = "Share of the oldest bucket finally lost, 0 to 1 (default 1 = all of it)."
_FACTOR = ("Forward-looking multiplier of the historical loss rates: 1.1 = 10 % worse outlook, 1 = none "
           "(default), 0.9 = better. Each rate is capped at 1.")


def _history(fn: str, balances) -> np.ndarray:
    """The balances block as a periods × buckets array (trailing blank rows dropped, blank cells 0)."""
    flat, shape = _args.flatten(balances, fn, "balances")
    expected = "a block of cells: period ends as rows, ageing buckets as columns"
    if shape.kind != "2d" or shape.rows < 2 or shape.cols < 2:
        raise ArgumentError(fn, "balances", expected, detail="it needs at least 2 rows and 2 columns")
    values = _args.numbers_of(flat, shape, fn, "balances", expected="an amount ≥ 0").reshape(shape.rows, shape.cols)
    filled = ~np.isnan(values).all(axis=1)
    rows = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    if rows < 2:
        raise ArgumentError(fn, "balances", expected, detail=f"only {rows} row(s) hold numbers; migration needs 2 "
                                                             "period ends or more")
    gap = np.flatnonzero(~filled[:rows])
    if gap.size:
        raise ArgumentError(fn, f"balances (row {gap[0] + 1})", "filled: a missing period end would join the "
                            "periods around it", detail="the whole row is blank; enter 0 for empty buckets")
    values = np.nan_to_num(values[:rows])
    negative = np.flatnonzero(values < 0)
    if negative.size:
        i = int(negative[0])
        raise ArgumentError(fn, f"balances{shape.position(i)}", "an amount ≥ 0 (credit balances are not aged)",
                            flat[i])
    return values


def _unit(fn: str, value, arg: str) -> float:
    x = _args.number(value, fn, arg, default=1.0, expected="a rate from 0 to 1")
    if not 0 <= x <= 1:
        raise ArgumentError(fn, arg, "a rate from 0 to 1", value)
    return x


@excel_function(
    category=CATEGORY,
    args={"balances": _BALANCES, "last_rate": _LAST_RATE},
    example="=MIGRATIONRATES(B2:F14)",
    ranges=("balances",),
    returns_range=True,
)
def MIGRATIONRATES(balances, last_rate=1):
    """Migration (roll) rate per ageing bucket: the share of a bucket still unpaid one period later, one bucket older (账龄迁徙率). Spills a row; the last bucket gets last_rate.

    Bucket i's rate is Σ over the periods of the next bucket's balance one period later, divided by
    Σ of bucket i's balance: ``Σ_t B[t+1][i+1] / Σ_t B[t][i]``, capped at 1, 0 where bucket i was always
    empty (IFRS 9 ¶B5.5.35; CAS 22). Worked example LR-1 (month-ends, buckets current / 1-30 / 31-60 /
    61-90 / >90): current → 1-30 = (30,000 + 33,000 + 36,000) / (100,000 + 110,000 + 120,000) = 0.30.

    >>> hist = [[100000, 40000, 20000, 10000, 5000], [110000, 30000, 16000, 10000, 8000],
    ...         [120000, 33000, 12000, 8000, 9000], [105000, 36000, 13200, 6000, 4000]]
    >>> [round(x, 6) for x in MIGRATIONRATES(hist)[0]]
    [0.3, 0.4, 0.5, 0.75, 1.0]
    """
    fn = "MIGRATIONRATES"
    rates = prov.migration_rates(_history(fn, balances), _unit(fn, last_rate, "last_rate"))
    return _args.table([rates.tolist()])


@excel_function(
    category=CATEGORY,
    args={"balances": _BALANCES, "last_rate": _LAST_RATE, "forward_factor": _FACTOR},
    example="=LOSSRATES(B2:F14, 1, 1.1)",
    ranges=("balances",),
    returns_range=True,
)
def LOSSRATES(balances, last_rate=1, forward_factor=1):
    """Expected loss rate per ageing bucket from a history of bucket balances (IFRS 9 / CAS 22 roll-rate method): the product of the migration rates from the bucket to the last, × forward_factor, capped at 1. Spills a row.

    Worked example LR-1 (the history of MIGRATIONRATES, rates 0.30 / 0.40 / 0.50 / 0.75 / 1): loss
    rates 0.30·0.40·0.50·0.75·1 = 4.5 %, 15 %, 37.5 %, 75 %, 100 %; on the last month-end's buckets
    105,000 / 36,000 / 13,200 / 6,000 / 4,000 the provision is 23,575 (BADDEBTRESERVE); with
    forward_factor 1.1 the rates are 4.95 %, 16.5 %, 41.25 %, 82.5 %, 100 % and the provision 25,532.50.

    >>> hist = [[100000, 40000, 20000, 10000, 5000], [110000, 30000, 16000, 10000, 8000],
    ...         [120000, 33000, 12000, 8000, 9000], [105000, 36000, 13200, 6000, 4000]]
    >>> [round(x, 6) for x in LOSSRATES(hist)[0]]
    [0.045, 0.15, 0.375, 0.75, 1.0]
    >>> [round(x, 6) for x in LOSSRATES(hist, 0.8, 1.1)[0]]
    [0.0396, 0.132, 0.33, 0.66, 0.88]
    """
    fn = "LOSSRATES"
    factor = _args.number(forward_factor, fn, "forward_factor", default=1.0, expected="a multiplier ≥ 0 (1 = none)",
                          minimum=0)
    rates = prov.loss_rates(_history(fn, balances), _unit(fn, last_rate, "last_rate"), factor)
    return _args.table([rates.tolist()])

"""Excel-shaped arguments for the array form of every Excel function that takes ranges.

Each case builds what xlwings passes for ``ranges=`` arguments: a list of rows (``[[v], [v], ...]``
for a column, ``[[a, b, c, d, e], ...]`` for a 5-column block), float date serials, Python floats
and strings, exactly as a 100k-row column reference would arrive. Scalars stay scalars.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.data import AS_OF_SERIAL, CELL_PROVINCES, COUNTRIES, SECTORS, rng

# functions whose ranges are not one-row-per-item columns: (reason shown in the table)
NOT_ROWWISE = {
    "PIOTROSKI": "one firm per call: its ranges are the 10 statement cells of one year",
    "CREDITEXPLAIN": "one buyer per call (spills an explanation table); its only range is the scorecard table",
}
# functions that answer for a whole range (a book, a history, a row of buckets), never one value per
# argument: not in the per-call benchmark (reason shown in its table)
AGGREGATES = {
    "AGEING": "totals a column of invoices",
    "BADDEBTRESERVE": "sums a row of bucket amounts",
    "DBT": "a row of 5 bucket amounts per buyer",
    "DBTPAID": "averages a column of paid invoices",
    "DAYSTOPAY": "averages a column of paid invoices",
    "DSOCOUNTBACK": "counts back a column of monthly sales",
    "EQUIVBUYERS": "a column of exposures",
    "HHI": "a column of exposures",
    "HHINORM": "a column of exposures",
    "LOSSRATES": "a history of bucket balances",
    "MIGRATIONRATES": "a history of bucket balances",
    "PAYDEX": "a column of payment experiences",
    "PORTFOLIOEL": "a book of buyers",
    "PORTFOLIOES": "a book of buyers",
    "PORTFOLIOVAR": "a book of buyers",
    "TOPNSHARE": "a column of exposures",
    "UNEXPECTEDLOSS": "a book of buyers",
}


def _col(values) -> list[list]:
    return [[v] for v in values.tolist()] if isinstance(values, np.ndarray) else [[v] for v in values]


def _block(values: np.ndarray) -> list[list]:
    return values.tolist()


def cases(n: int) -> dict[str, Callable[[], tuple[tuple, dict]]]:
    """Function name → builder of (args, kwargs) for ``n`` Excel rows."""
    g = rng(5, n)

    def money(lo=1e4, hi=1e7):
        return _col(np.round(g.uniform(lo, hi, n), 2))

    def serial_col():
        return _col(AS_OF_SERIAL - g.integers(-60, 400, n).astype(float))

    def unit(lo, hi, digits=4):
        return _col(np.round(g.uniform(lo, hi, n), digits))

    def text(options):
        return _col(options[g.integers(0, options.size, n)])

    bands = np.array(["GREEN", "YELLOW", "RED"], dtype=object)
    c = {
        "WORKINGCAPITAL": lambda: ((money(), money()), {}),
        "CURRENTRATIO": lambda: ((money(), money()), {}),
        "QUICKRATIO": lambda: ((money(), money(), money(), money()), {}),
        "CASHRATIO": lambda: ((money(), money(), money()), {}),
        "CCC": lambda: ((unit(10, 120, 1), unit(10, 120, 1), unit(10, 120, 1)), {}),
        "WCHEALTH": lambda: ((unit(0.3, 4.0, 3),), {}),
        "HHI": lambda: ((money(),), {}),
        "TOPNSHARE": lambda: ((money(), 10), {}),
        "INSUREDLOSS": lambda: ((money(), money(), 0.9), {}),
        "UNINSUREDLOSS": lambda: ((money(), money(), 0.9), {}),
        "INSUREDSHARE": lambda: ((money(), money(), 0.9), {}),
        "NOTIFYBY": lambda: ((serial_col(), 60), {}),
        "CLAIMBY": lambda: ((serial_col(), 180), {}),
        "VASICEKPD": lambda: ((unit(0.001, 0.2), 0.2, -2.326), {}),
        "VASICEKCDF": lambda: ((unit(0.01, 0.3), unit(0.001, 0.2), 0.2), {}),
        "IRBK": lambda: ((unit(0.001, 0.2), unit(0.3, 0.6, 2)), {}),
        "IRBRW": lambda: ((unit(0.001, 0.2), unit(0.3, 0.6, 2)), {}),
        "WCDR": lambda: ((unit(0.001, 0.2), 0.2, 0.999), {}),
        "BASELRHO": lambda: ((unit(0.001, 0.2),), {}),
        "PORTFOLIOEL": lambda: ((money(1e4, 1e6), unit(0.001, 0.1), 0.45), {}),
        "PORTFOLIOVAR": lambda: ((money(1e4, 1e6), unit(0.001, 0.1), 0.45, 0.2, 0.99), {}),
        "PORTFOLIOES": lambda: ((money(1e4, 1e6), unit(0.001, 0.1), 0.45, 0.2, 0.99), {}),
        "UNEXPECTEDLOSS": lambda: ((money(1e4, 1e6), unit(0.001, 0.1), 0.45, 0.2, 0.99), {}),
        "HHINORM": lambda: ((money(),), {}),
        "EQUIVBUYERS": lambda: ((money(),), {}),
        "MIGRATIONRATES": lambda: ((_block(np.round(g.uniform(0, 1e6, (n, 5)), 2)),), {}),
        "LOSSRATES": lambda: ((_block(np.round(g.uniform(0, 1e6, (n, 5)), 2)), 1, 1.1), {}),
        "DBTPAID": lambda: ((money(1e3, 1e6), serial_col(), serial_col()), {}),
        "DAYSTOPAY": lambda: ((money(1e3, 1e6), serial_col(), serial_col()), {}),
        "AGEBUCKET": lambda: ((serial_col(), AS_OF_SERIAL), {}),
        "DAYSPASTDUE": lambda: ((serial_col(), AS_OF_SERIAL), {}),
        "AGEING": lambda: ((serial_col(), money(-1e4, 1e6), AS_OF_SERIAL), {}),
        "DSO": lambda: ((money(), money(1e7, 1e8), 365), {}),
        "BPDSO": lambda: ((money(), money(1e7, 1e8), 365), {}),
        "ADD": lambda: ((money(1e6, 1e7), money(1e4, 1e6), money(1e7, 1e8), 365), {}),
        # its range is a column of months: 100k months of sales, receivables covering about half of them
        "DSOCOUNTBACK": lambda: ((5e4 * n * 0.5, unit(4e4, 6e4, 0)), {}),
        "CEI": lambda: ((money(1e6, 2e6), money(1e6, 2e6), money(1e6, 2e6), money(1e5, 1e6)), {}),
        "BADDEBTRESERVE": lambda: ((money(), unit(0.0, 0.5)), {}),
        "ALTMANZ": lambda: ((money(-1e6, 1e6), money(-1e6, 1e6), money(-1e5, 1e6), money(1e5, 1e7),
                             money(1e6, 1e7), money(1e6, 1e7), money(1e5, 1e7), "Z2"), {}),
        "ALTMANZONE": lambda: ((money(-1e6, 1e6), money(-1e6, 1e6), money(-1e5, 1e6), money(1e5, 1e7),
                                money(1e6, 1e7), money(1e6, 1e7), money(1e5, 1e7), "Z2"), {}),
        "EMRATING": lambda: ((unit(-1.0, 10.0, 3),), {}),
        "OHLSON": lambda: ((money(1e6, 1e8), _col([100.0] * n), money(1e5, 5e7), money(1e5, 5e7),
                            money(1e5, 5e7), money(-1e6, 5e6), money(-1e6, 5e6), money(-1e6, 5e6)), {}),
        "ZMIJEWSKI": lambda: ((money(-1e6, 5e6), money(1e5, 5e7), money(1e6, 1e8), money(1e5, 5e7),
                               money(1e5, 5e7)), {}),
        "PAYDEX": lambda: ((money(1e3, 1e6), _col(g.integers(-10, 120, n).astype(float))), {}),
        "DBT": lambda: ((_block(np.round(g.uniform(0, 1e6, (n, 5)), 2)),), {}),
        "CREDITSCORE": lambda: ((unit(-2, 8, 3), unit(0.3, 4, 3), unit(0.1, 1.1, 3), unit(20, 90, 0),
                                 unit(0, 60, 0), unit(0, 150, 0), unit(0, 1, 3), unit(0, 40, 0),
                                 unit(5, 5000, 0), text(COUNTRIES), text(SECTORS), unit(0, 3, 0)), {}),
        "CREDITPD": lambda: ((unit(0, 100, 2),), {}),
        "SCOREFROMPD": lambda: ((unit(0.001, 0.3),), {}),
        "CREDITBAND": lambda: ((unit(0, 100, 2),), {}),
        "CREDITGRADE": lambda: ((unit(0, 100, 2),), {}),
        "CREDITLIMIT": lambda: ((money(1e5, 1e7), unit(30, 90, 0), unit(0, 30, 0), money(1e5, 1e8),
                                 money(1e5, 1e8), text(bands)), {}),
        "CREDITTERMS": lambda: ((text(bands), text(SECTORS), text(CELL_PROVINCES), unit(0, 120, 0)), {}),
        "EXPECTEDLOSS": lambda: ((unit(0.001, 0.2), unit(0.3, 0.6, 2), money()), {}),
    }
    return c


def _cell(value, row: int):
    """Row ``row`` of a column argument (a list of one-cell rows); any other argument as it is."""
    if isinstance(value, list) and value and isinstance(value[0], list) and len(value[0]) == 1:
        return value[row][0]
    return value


def scalar_rows(k: int) -> dict[str, list[tuple]]:
    """Function name → ``k`` argument tuples of one value per argument: the first ``k`` rows of
    :func:`cases`, each cell as a filled-down formula gets it (a plain value, as LibreOffice passes it)."""
    out = {}
    for name, build in cases(k).items():
        if name in AGGREGATES or name in NOT_ROWWISE:
            continue
        args, kwargs = build()
        assert not kwargs, name
        out[name] = [tuple(_cell(a, i) for a in args) for i in range(k)]
    return out

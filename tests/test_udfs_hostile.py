"""Every Excel function against hostile scalars, argument by argument (issue 15).

``test_udfs_total`` drives the functions with random Excel-shaped values; this sweep is exhaustive
where random draws are thin: each argument of each registered function (``udfs.FUNCTIONS``), the
others kept at a sane value, receives every value of :data:`HOSTILE` — the largest double, infinities,
NaN, an integer beyond a double, a 100,000-character text, a 2-D range where one value belongs, a
date beyond Excel's calendar. A function must answer with a cell-safe value (numbers, text, booleans;
never NaN or ±inf, recursively) or raise its one-line argument message starting with its name; any
other exception, or a slow answer, is a bug.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import warnings

import numpy as np
import pytest

import udfs  # noqa: F401  (registers every function)
from udfs._registry import FUNCTIONS
from xl_cashrisk.errors import CashRiskError

HUGE = 1.7976931348623157e308
HOSTILE = [
    HUGE, -HUGE, 1e308, math.inf, -math.inf, math.nan, 10**400, -(10**400), 2.0**63, 5e-324, -0.0, 2958466.0,
    "1.797e308", "inf", "-1e999", "x" * 100_000, "9" * 400, "2026-08-15T02:00:00+08:00", "3026-10-14", "2026-07",
    [[1.0, 2.0], [3.0, 4.0]], [[HUGE], [-HUGE]], [["x" * 40_000]], [[math.inf, None]], [], [[]],
    dt.datetime(9999, 12, 31), dt.date(1, 1, 1), True, None, "#N/A", "🚢",
]

D = 46295.0  # 2026-09-30 as an Excel serial
COL = [[1000.0], [2000.0], [3000.0]]
HISTORY = [[100000, 40000, 20000, 10000, 5000], [110000, 30000, 16000, 10000, 8000],
           [120000, 35000, 15000, 9000, 7000]]
# sane positional arguments per function (positions, not names: parameters may be renamed)
SANE: dict[str, list] = {
    "ADD": [15000, 4000, 10000, 30],
    "AGEBUCKET": [D - 40, D, "dpd", None],
    "AGEING": [[[D - 40], [D + 5]], [[100.0], [200.0]], D, "dpd", None],
    "ALTMANZ": [100, 50, 30, 400, 900, 1000, 600, "Z"],
    "ALTMANZONE": [100, 50, 30, 400, 900, 1000, 600, "Z", "en"],
    "BADDEBTRESERVE": [[[76000, 14000, 6000]], [[0.01, 0.05, 0.1]]],
    "BASELRHO": [0.02, None],
    "BPDSO": [4000, 10000, 30],
    "CASHRATIO": [100, 200, 0],
    "CCC": [40, 43.75, 30],
    "CEI": [100000, 1000000, 120000, 100000, 1],
    "CLAIMBY": [D, 180, True, None],
    "CREDITBAND": [62, "en", "light", None, None],
    "CREDITEXPLAIN": [2.1, 1.4, 0.55, 76, None, 12, 0.1, 15, 120, "CN", "machinery", 0, None, "en", "Guangdong"],
    "CREDITGRADE": [62],
    "CREDITLIMIT": [1_000_000, 60, 10, 500_000, 200_000, "GREEN", 0, None],
    "CREDITPD": [62, None, None, None],
    "CREDITSCORE": [2.1, 1.4, 0.55, 76, None, 12, 0.1, 15, 120, "CN", "machinery", 0, None, "score", "Guangdong"],
    "CREDITTERMS": ["GREEN", "machinery", "Guangdong", 60, None, "en"],
    "CURRENTRATIO": [920000, 500000],
    "DAYSPASTDUE": [D - 10, D],
    "DBT": [[[1000, 500, 200, 100, 50]], None],
    "DSO": [100000, 1000000, 365],
    "DSOCOUNTBACK": [300000, [[100000], [120000], [150000]], None, "count"],
    "DAYSTOPAY": [COL, [[D - 60], [D - 50], [D - 40]], [[D - 10], [D - 5], [D]]],
    "DBTPAID": [COL, [[D - 30], [D - 20], [D - 10]], [[D - 10], [D - 5], [D]]],
    "EQUIVBUYERS": [COL],
    "HHINORM": [COL],
    "IRBK": [0.02, 0.45, 2.5, None],
    "IRBRW": [0.02, 0.45, 2.5, None, 1],
    "LOSSRATES": [HISTORY, 1, 1],
    "MIGRATIONRATES": [HISTORY, 1],
    "UNEXPECTEDLOSS": [COL, [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95, 1000, 1, "exact"],
    "VASICEKCDF": [0.05, 0.02, 0.2],
    "EMRATING": [5.1],
    "EXPECTEDLOSS": [0.02, 0.45, 100000, 0, None, "seller"],
    "HHI": [COL, False],
    "INSUREDLOSS": [1_200_000, 1_000_000, 0.9, 0, 0, 0],
    "INSUREDSHARE": [800000, 700000, 0.9, 0],
    "NOTIFYBY": [D, 60, 0, True, None],
    "OHLSON": [1000, 1.0, 600, 400, 300, 50, 40, 80, "P", 1],
    "PAYDEX": [COL, [[0.0], [10.0], [30.0]], "points", None],
    "PIOTROSKI": [[[50, 60, 900, 1000, 300, 400, 200, 900, 600, False]],
                  [[40, 50, 850, 900, 320, 420, 180, 850, 590, False]], "F"],
    "PORTFOLIOEL": [COL, [[0.02], [0.05], [0.1]], 0.6],
    "PORTFOLIOES": [COL, [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95, 1000, 1, "exact"],
    "PORTFOLIOVAR": [COL, [[0.02], [0.05], [0.1]], 0.6, 0.25, 0.95, 1000, 1, "exact"],
    "QUICKRATIO": [100, 50, 300, 400],
    "SCOREFROMPD": [0.02, None, None, None],
    "TOPNSHARE": [COL, 2],
    "UNINSUREDLOSS": [1_200_000, 1_000_000, 0.9, 0, 0, 0],
    "VASICEKPD": [0.02, 0.2, 0.99],
    "WCDR": [0.02, 0.2, 0.99],
    "WCHEALTH": [1.84, 1, 1.5, 3, "en"],
    "WORKINGCAPITAL": [920000, 500000],
    "ZMIJEWSKI": [50, 600, 1000, 400, 300, "P"],
}
SLOW_SECONDS = 5.0


def _cell_safe(value, name: str, path: str = "result") -> None:
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _cell_safe(v, name, f"{path}[{i}]")
        return
    assert isinstance(value, bool | int | float | str | np.floating | np.integer | np.bool_), \
        f"{name}: {path} is {type(value).__name__} {value!r:.80}"
    if isinstance(value, float | np.floating):
        assert math.isfinite(value), f"{name}: {path} is {value!r}"
    if isinstance(value, str):
        assert len(value) <= 32_767, f"{name}: {path} is a text of {len(value)} characters"


def _call(name: str, args: list):
    t0 = time.process_time()
    try:
        with warnings.catch_warnings():  # numpy's overflow notes on hostile values are expected; results are checked
            warnings.simplefilter("ignore", RuntimeWarning)
            result = FUNCTIONS[name].fn(*args)
    except CashRiskError as exc:
        text = str(exc)
        assert text.startswith(name), f"{name}{tuple(map(_short, args))}: message does not start with the name: {text!r}"
        assert "\n" not in text and len(text) < 600, f"{name}: not one short line: {text!r:.200}"
        return None
    finally:
        spent = time.process_time() - t0
        assert spent < SLOW_SECONDS, f"{name}{tuple(map(_short, args))}: {spent:.1f} s"
    _cell_safe(result, name)
    return result


def _short(v) -> str:
    return repr(v)[:30]


def test_every_function_has_sane_arguments():
    assert set(SANE) == set(FUNCTIONS)
    for name, args in SANE.items():
        assert len(args) == len(FUNCTIONS[name].arguments), name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_sane_call_gives_a_value(name):
    result = _call(name, SANE[name])
    assert result is not None, f"{name}: the sane call was refused"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_hostile_scalars_in_every_argument(name):
    base = SANE[name]
    failures = []
    for i in range(len(base)):
        for value in HOSTILE:
            args = list(base)
            args[i] = value
            try:
                _call(name, args)
            except Exception as exc:  # anything but a cell-safe value or the one-line message is a bug
                failures.append(f"argument {i + 1} = {_short(value)}: {type(exc).__name__}: {str(exc)[:160]}")
    assert not failures, f"{name}: " + "\n".join(failures[:8])

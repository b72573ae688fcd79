"""Excel functions for credit scoring: published models, PAYDEX/DBT, the composite score, PD, bands,
grades, credit limits and expected loss.

Thin adapters over :mod:`xl_cashrisk.scoring` (SPEC §1–§3, §6.1). Conventions chosen here:

- Functions a user fills down a column take whole ranges too and spill a column of the same shape
  (every argument may be one cell or a range with as many cells as the others; one cell applies to
  every row: :class:`udfs._args.Elementwise`). In a range a row with a blank required value gives a
  blank result; a single blank required cell is an error.
- "NR" (not rated) from CREDITSCORE and "UN" from PAYDEX may be fed to the next function: CREDITPD,
  CREDITBAND, CREDITGRADE, EXPECTEDLOSS pass "NR" on; CREDITSCORE treats a PAYDEX of "UN" as missing.
- Band words (CREDITLIMIT, CREDITTERMS) are read by the core's band vocabulary,
  :func:`xl_cashrisk.scoring.band_key`: GREEN/YELLOW/RED, 绿/黄/红, G/Y/R, and "NR" / 未评级 (not rated:
  CREDITLIMIT's row gives "NR"; CREDITTERMS gives the policy's NR terms, by default cash in advance).
- CREDITTERMS refuses a sector or region its scorecard's tables do not hold (the core would read it as
  "no adjustment"): a typo must not lengthen the terms silently.
- CREDITSCORE arguments, in register order: altman_z2, current_ratio, debt_ratio, paydex, dbt_days,
  max_days_overdue, overdue_share, years_in_business, employees, country, sector, negative_events;
  every one optional (docs/scorecard.md); ``region`` (a Chinese province or region) comes last, after
  ``output``/``language``, so formulas written before it existed keep their meaning. ``scorecard`` is the workbook's Scorecard table of key|value
  rows; blank or "default" = the default scorecard. A cell never names a file (docs/security.md).
- ALTMANZ takes its arguments in the order of the issue (…, sales, total_assets, total_liabilities),
  OHLSON in the order of SPEC §0.1 (total_assets, price_index, …) with a blank price index = 100.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from udfs import _args
from udfs._registry import excel_function
from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import ArgumentError, CashRiskError
from xl_cashrisk.receivables import DBT_BUCKET_MIDPOINTS, dbt_from_buckets
from xl_cashrisk.scoring.config import Scorecard
from xl_cashrisk.scoring.paydex import PAYDEX_METHODS

CATEGORY = "Credit scoring"
# text results of our own functions (not rated, unavailable), read as "missing" where numbers go
_PASS_WORDS = frozenset({sc.NOT_RATED, sc.UNAVAILABLE})


def _option(fn: str, name: str, value: Any, allowed: tuple[str, ...], default: str) -> str:
    return _args.text(value, fn, name, allowed=allowed, default=default)


# ----------------------------------------------------------------------------------------------
# Altman

_ALTMAN_ARGS = {
    "working_capital": "Current assets − current liabilities (currency units). Cell or range.",
    "retained_earnings": "Retained earnings.",
    "ebit": "Earnings before interest and taxes.",
    "equity_value": 'Equity: market value for model "Z", book value for "Z1", "Z2" and "EM".',
    "sales": 'Sales (revenue). Not used by "Z2" and "EM" (may be blank).',
    "total_assets": "Total assets (> 0).",
    "total_liabilities": "Total liabilities (> 0).",
    "model": '"Z" (1968, public manufacturers; default), "Z1" (Z′, private), "Z2" (Z″, non-manufacturers) or "EM" (Z″ + 3.25).',
}
_MODELS = ("Z", "Z1", "Z2", "EM", "Zp", "Zpp")


def _altman(fn: str, working_capital, retained_earnings, ebit, equity_value, sales, total_assets,
            total_liabilities, model):
    model = sc.altman_model(_option(fn, "model", model, _MODELS, "Z"))
    r = _args.Elementwise(fn)
    wc = r.number("working_capital", working_capital)
    re = r.number("retained_earnings", retained_earnings)
    ebit = r.number("ebit", ebit)
    eq = r.number("equity_value", equity_value)
    needs_sales = model in ("Z", "Z1")
    s = r.number("sales", sales, default=_args.REQUIRED if needs_sales else None)
    ta = r.number("total_assets", total_assets, "positive")
    tl = r.number("total_liabilities", total_liabilities, "positive")
    return r, model, sc.altman_z(wc, re, ebit, eq, s, ta, tl, model)


@excel_function(category=CATEGORY, args=_ALTMAN_ARGS, ranges=tuple(a for a in _ALTMAN_ARGS if a != "model"),
                example='=ALTMANZ(250000, 300000, 150000, 900000, 1200000, 1000000, 450000, "Z")')
def ALTMANZ(working_capital, retained_earnings, ebit, equity_value, sales, total_assets, total_liabilities, model="Z"):
    """Altman Z-score: "Z" 1.2·WC/TA + 1.4·RE/TA + 3.3·EBIT/TA + 0.6·E/TL + 1.0·S/TA; "Z1" private (Z′); "Z2" non-manufacturing (Z″); "EM" = Z″ + 3.25.

    Source: SPEC §1.1–1.3."""
    r, _, z = _altman("ALTMANZ", working_capital, retained_earnings, ebit, equity_value, sales, total_assets,
                      total_liabilities, model)
    return r.result(z)


_ZONE_ZH = {"safe": "安全", "grey": "灰色", "distress": "危险", "": ""}


@excel_function(category=CATEGORY, args={**_ALTMAN_ARGS, "language": '"en" (safe/grey/distress, default) or "zh" (安全/灰色/危险).'},
                ranges=tuple(a for a in _ALTMAN_ARGS if a != "model"),
                example='=ALTMANZONE(120000, 200000, 80000, 600000, 1500000, 1000000, 700000, "Z")')
def ALTMANZONE(working_capital, retained_earnings, ebit, equity_value, sales, total_assets, total_liabilities, model="Z",
               language="en"):
    """Altman zone: safe / grey / distress with the cut-offs of the model (Z 1.81–2.99, Z1 1.23–2.90, Z2 1.10–2.60, EM 4.35–5.85); a score on a cut-off is grey.

    Source: SPEC §1.1–1.3."""
    lang = _option("ALTMANZONE", "language", language, ("en", "zh"), "en")
    r, model, z = _altman("ALTMANZONE", working_capital, retained_earnings, ebit, equity_value, sales,
                                 total_assets, total_liabilities, model)
    zones = sc.altman_zone(z, model)
    if lang == "zh":
        zones = _ZONE_ZH[zones] if isinstance(zones, str) else np.array([_ZONE_ZH[z] for z in zones], dtype=object)
    return r.result(zones)


@excel_function(category=CATEGORY, args={"em_score": "Altman Z″-EM score (Z″ + 3.25), e.g. =ALTMANZ(...,\"EM\"). Cell or range."},
                ranges=("em_score",), example="=EMRATING(5.346)")
def EMRATING(em_score):
    """US bond-rating equivalent (AAA … CCC−, D) of an Altman Z″-EM score; the table's scores are used as lower bounds.

    Source: SPEC §1.3."""
    r = _args.Elementwise("EMRATING")
    s = r.number("em_score", em_score)
    return r.result(sc.em_rating(s))


# ----------------------------------------------------------------------------------------------
# Ohlson, Zmijewski, Piotroski

_OUT_P = '"P" (probability, default) or "O" (the O-score).'


@excel_function(
    category=CATEGORY,
    args={
        "total_assets": "Total assets in currency units (not thousands). Cell or range.",
        "price_index": "Price-level index for SIZE = ln(TA / index); blank = 100 (no deflation).",
        "total_liabilities": "Total liabilities.",
        "current_assets": "Current assets (> 0).",
        "current_liabilities": "Current liabilities.",
        "net_income": "Net income of the latest year.",
        "net_income_prev": "Net income of the year before.",
        "ffo": "Funds from operations (cash flow from operations).",
        "output": '"P" (probability, default), "O" (the O-score), "SIZE" (the SIZE term, to audit units) or "TERMS" (spills the 10 terms; one firm only).',
        "amount_unit": "Unit the amounts are in: 1 (default) = currency units, 1000 = thousands, 1000000 = millions. Only SIZE changes: it is taken on total assets in currency units.",
    },
    ranges=("total_assets", "price_index", "total_liabilities", "current_assets", "current_liabilities", "net_income",
            "net_income_prev", "ffo", "amount_unit"),
    example="=OHLSON(50000000, 100, 20000000, 25000000, 10000000, 4000000, 3500000, 6000000)",
)
def OHLSON(total_assets, price_index, total_liabilities, current_assets, current_liabilities, net_income,
           net_income_prev, ffo, output="P", amount_unit=1):
    """Ohlson (1980) O-score or bankruptcy probability P = 1/(1+e^−O); SIZE = ln(TA/index) with TA in currency units (amount_unit for thousands or millions). A ranking, not a calibrated PD.

    Units (SPEC §1.4): SIZE is the one term that depends on the unit. Amounts typed in thousands with
    amount_unit 1000 give the same O as in currency units; amounts in millions with amount_unit left
    at 1 reproduce the academic replications that pass Compustat total assets in $ millions, whose O
    is 0.407·ln(10⁶) = 5.62 higher (O-1: −5.4209 in currency units, 0.2021 in unflagged millions).

    >>> round(OHLSON(50000, 100, 20000, 25000, 10000, 4000, 3500, 6000, "O", 1000), 6)   # O-1 in thousands
    -5.420855
    """
    fn = "OHLSON"
    out = _option(fn, "output", output, ("P", "O", "SIZE", "TERMS"), "P")
    r = _args.Elementwise(fn)
    ta = r.number("total_assets", total_assets, "positive")
    idx = r.number("price_index", price_index, "positive", default=100.0)
    unit = r.number("amount_unit", amount_unit, "positive", default=1.0)
    tl = r.number("total_liabilities", total_liabilities, "positive")
    ca = r.number("current_assets", current_assets, "positive")
    cl = r.number("current_liabilities", current_liabilities)
    ni = r.number("net_income", net_income)
    nip = r.number("net_income_prev", net_income_prev)
    ffo = r.number("ffo", ffo)
    if out in ("P", "O"):
        return r.result((sc.ohlson_p if out == "P" else sc.ohlson_o)(ta, tl, ca, cl, ni, nip, ffo, idx, unit))
    terms = sc.ohlson_terms(ta, tl, ca, cl, ni, nip, ffo, idx, unit)
    if out == "TERMS":
        if r.size > 1:
            raise ArgumentError(fn, "output", '"P", "O" or "SIZE" when the inputs are ranges', "TERMS")
        return _args.table([["term", "value"], *([k, float(np.asarray(v).ravel()[0])] for k, v in terms.items())])
    return r.result(np.asarray(terms["SIZE"]) / -0.407)


@excel_function(
    category=CATEGORY,
    args={
        "net_income": "Net income. Cell or range.",
        "total_liabilities": "Total liabilities.",
        "total_assets": "Total assets (> 0).",
        "current_assets": "Current assets.",
        "current_liabilities": "Current liabilities (> 0).",
        "output": _OUT_P.replace("O-score", "X probit score").replace('"O"', '"X"'),
    },
    ranges=("net_income", "total_liabilities", "total_assets", "current_assets", "current_liabilities"),
    example="=ZMIJEWSKI(4000000, 20000000, 50000000, 25000000, 10000000)",
)
def ZMIJEWSKI(net_income, total_liabilities, total_assets, current_assets, current_liabilities, output="P"):
    """Zmijewski (1984) probit: X = −4.336 − 4.513·NI/TA + 5.679·TL/TA + 0.004·CA/CL and P = Φ(X); P > 0.5 flags distress.

    Source: SPEC §1.5."""
    fn = "ZMIJEWSKI"
    out = _option(fn, "output", output, ("P", "X"), "P")
    r = _args.Elementwise(fn)
    ni = r.number("net_income", net_income)
    tl = r.number("total_liabilities", total_liabilities, "nonnegative")
    ta = r.number("total_assets", total_assets, "positive")
    ca = r.number("current_assets", current_assets, "nonnegative")
    cl = r.number("current_liabilities", current_liabilities, "positive")
    f = sc.zmijewski_x if out == "X" else sc.zmijewski_p
    return r.result(f(ni, tl, ta, ca, cl))


_PIOTROSKI_ORDER = ("net income, CFO, total assets at start of year, total assets at end, long-term debt, current assets, "
                    "current liabilities, sales, COGS, equity issued (TRUE/FALSE)")


def _year(fn: str, name: str, value: Any, previous: bool) -> dict[str, float]:
    flat, _ = _args.flatten(value, fn, name)
    if len(flat) != len(sc.PIOTROSKI_ITEMS):
        raise ArgumentError(fn, name, f"a range of {len(sc.PIOTROSKI_ITEMS)} cells: {_PIOTROSKI_ORDER}",
                            detail=f"it has {len(flat)}")
    out = {}
    for i, (key, v) in enumerate(zip(sc.PIOTROSKI_ITEMS, flat, strict=True)):
        where = f" (item {i + 1}, {key})"
        unused = previous and key in ("cfo", "equity_issued")
        if unused and _args.is_blank(v):
            out[key] = 0.0
        elif key == "equity_issued":
            out[key] = _flag(fn, name + where, v)
        else:
            out[key] = _args.number(v, fn, name, where=where)
    return out


def _flag(fn: str, name: str, v: Any) -> float:
    return float(_args.flag(v, fn, name, default=False))


@excel_function(
    category=CATEGORY,
    args={
        "current_values": f"10 cells of the latest year, in this order: {_PIOTROSKI_ORDER}.",
        "previous_values": "The same 10 cells for the year before (its CFO and equity issued are not used and may be blank).",
        "output": '"F" (0–9, default) or "SIGNALS" (spills the nine 1/0 signals in a row).',
    },
    ranges=("current_values", "previous_values"),
    example='=PIOTROSKI(B2:K2, B3:K3)',
)
def PIOTROSKI(current_values, previous_values, output="F"):
    """Piotroski F-score 0–9: nine 1/0 signals on profitability, leverage/liquidity and efficiency (ROA, CFO, ΔROA, accrual, Δleverage, Δcurrent ratio, no equity issue, Δmargin, Δturnover).

    Source: SPEC §1.6."""
    fn = "PIOTROSKI"
    out = _option(fn, "output", output, ("F", "SIGNALS"), "F")
    cur = _year(fn, "current_values", current_values, previous=False)
    prev = _year(fn, "previous_values", previous_values, previous=True)
    for key, year in (("total_assets_begin", cur), ("total_assets_begin", prev), ("current_liabilities", cur),
                      ("current_liabilities", prev), ("sales", cur), ("sales", prev)):
        if year[key] == 0:
            which = "current_values" if year is cur else "previous_values"
            raise ArgumentError(fn, f"{which} ({key})", "a non-zero number", 0)
    signals = sc.piotroski_signals(cur, prev)
    if out == "SIGNALS":
        return _args.table([list(sc.PIOTROSKI_SIGNALS), signals.tolist()])
    return int(signals.sum())


# ----------------------------------------------------------------------------------------------
# Payment behaviour


@excel_function(
    category=CATEGORY,
    args={
        "amounts": "Amounts of the payment experiences (invoices or trade lines), > 0. A range.",
        "days_beyond_terms": "Days each was paid beyond terms (negative = early). A range of the same size.",
        "method": '"points" (default): amount-weighted average of the points; "days": amount-weighted days, then mapped.',
        "reporters": "Optional range naming the supplier that reported each experience; fewer than 2 → \"UN\".",
    },
    ranges=("amounts", "days_beyond_terms", "reporters"),
    example="=PAYDEX(B2:B5, C2:C5)",
)
def PAYDEX(amounts, days_beyond_terms, method="points", reporters=None):
    """PAYDEX-style payment index 1–100 (80 = pays on time, 50 = 30 days late, 20 = 120 days late) from amounts and days beyond terms; "UN" with fewer than 3 experiences.

    Source: SPEC §2.1."""
    fn = "PAYDEX"
    how = _option(fn, "method", method, PAYDEX_METHODS, "points")
    a, sa = _args.numbers(amounts, fn, "amounts")
    d, sd = _args.numbers(days_beyond_terms, fn, "days_beyond_terms")
    _args.check_same_size(fn, "days_beyond_terms", sd, "amounts", sa)
    who = None
    flat, sr = _args.flatten(reporters, fn, "reporters")
    if not all(_args.is_blank(v) for v in flat):
        _args.check_same_size(fn, "reporters", sr, "amounts", sa)
        who = np.array(["" if _args.is_blank(v) else str(v).strip() for v in flat], dtype=object)
    keep = ~(np.isnan(a) & np.isnan(d))
    for name, arr, sh in (("amounts", a, sa), ("days_beyond_terms", d, sd)):
        hole = keep & np.isnan(arr)
        if hole.any():
            i = int(np.flatnonzero(hole)[0])
            raise ArgumentError(fn, f"{name}{sh.position(i)}", "a number", detail="the cell is blank but its row is not")
    bad = keep & ~np.isnan(a) & (a <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ArgumentError(fn, f"amounts{sa.position(i)}", "a positive number", float(a[i]))
    if who is not None and (keep & (who == "")).any():
        i = int(np.flatnonzero(keep & (who == ""))[0])
        raise ArgumentError(fn, f"reporters{sa.position(i)}", "a reporter name", detail="the cell is blank")
    return sc.paydex(a[keep], d[keep], None if who is None else who[keep], method=how)


@excel_function(
    category=CATEGORY,
    args={
        "bucket_amounts": "Balances in 5 ageing buckets: current, 1–30, 31–60, 61–90, 91+ days past due. One row of 5, or one row of 5 per buyer (spills a column).",
        "midpoints": "Optional 5 days used per bucket; blank = 0, 15, 45, 75, 105 (Experian).",
    },
    ranges=("bucket_amounts", "midpoints"),
    example="=DBT(B2:F2)",
)
def DBT(bucket_amounts, midpoints=None):
    """Days beyond terms from ageing buckets: (B1-30·15 + B31-60·45 + B61-90·75 + B91+·105) / total balance, current balance counting 0 days.

    Source: SPEC §2.2."""
    fn = "DBT"
    width = len(DBT_BUCKET_MIDPOINTS)
    mids = np.asarray(DBT_BUCKET_MIDPOINTS, dtype=float)
    if not all(_args.is_blank(v) for v in _args.flatten(midpoints, fn, "midpoints")[0]):
        mids, sm = _args.numbers(midpoints, fn, "midpoints")
        if sm.size != width or np.isnan(mids).any():
            raise ArgumentError(fn, "midpoints", f"{width} numbers (days for current, 1–30, 31–60, 61–90, 91+)",
                                detail=f"got {sm.size} cells")
    b, sb = _args.numbers(bucket_amounts, fn, "bucket_amounts")
    rows = sb.rows if sb.kind == "2d" and sb.cols == width else 1
    if sb.size != rows * width:
        raise ArgumentError(fn, "bucket_amounts", f"{width} cells per row (current, 1–30, 31–60, 61–90, 91+)",
                            detail=f"got {sb.size} cells")
    grid = b.reshape(rows, width)
    blank = np.isnan(grid).all(axis=1)
    if (np.nan_to_num(grid) < 0).any():
        i = int(np.flatnonzero(np.nan_to_num(b) < 0)[0])
        raise ArgumentError(fn, f"bucket_amounts{sb.position(i)}", "a balance ≥ 0", float(b[i]))
    out = np.asarray(dbt_from_buckets(np.nan_to_num(grid), mids), dtype=float).ravel()
    empty = ~blank & np.isnan(out)
    if rows == 1:
        if blank[0] or empty[0]:
            raise ArgumentError(fn, "bucket_amounts", "balances with a positive total", detail="the total is 0")
        return float(out[0])
    return _args.shaped(np.where(blank | empty, np.nan, out), _args.Shape("2d", rows, 1))


# ----------------------------------------------------------------------------------------------
# Composite score

_FACTOR_ARGS = {
    "altman_z2": "Altman Z″ (non-manufacturing, without +3.25), e.g. =ALTMANZ(...,\"Z2\"). Optional; cell or range.",
    "current_ratio": "Current assets / current liabilities. Optional.",
    "debt_ratio": "Leverage = total liabilities / total assets (0.6 for 60 %). Optional.",
    "paydex": "PAYDEX 0–100 (=PAYDEX(...) or a bureau's); \"UN\" or blank = missing. Optional.",
    "dbt_days": "Days beyond terms; used (converted to PAYDEX points) when paydex is blank. Optional.",
    "max_days_overdue": "Days the oldest open item is overdue (0 = nothing overdue). Optional.",
    "overdue_share": "Share of the open balance that is overdue, 0–1. Optional.",
    "years_in_business": "Years since the buyer was founded. Optional.",
    "employees": "Number of employees (size). Optional.",
    "country": "Country, ISO-2 code (CN, US, DE …). Optional.",
    "sector": "Sector: machinery, consumer_goods, pharma, electronics, chemicals, textiles, retail, construction, automotive, food. Optional.",
    "negative_events": "Lawsuits, tax liens, bounced payments in the last 12 months (count). Optional.",
    "scorecard": "Optional: the workbook's Scorecard table of key|value rows changing the scorecard. Blank or \"default\" = default scorecard (a cell never names a file).",
}
_NUMERIC_FACTORS = {
    "altman_z2": "any", "current_ratio": "nonnegative", "debt_ratio": "nonnegative", "paydex": "paydex",
    "dbt_days": "any", "max_days_overdue": "nonnegative", "overdue_share": "fraction",
    "years_in_business": "nonnegative",
    "employees": "nonnegative", "negative_events": "nonnegative",
}
_REGION_ARG = {"region": "Optional Chinese province or region (Guangdong, 广东, 华南 …): scored on the region table instead of the country's. Cell or range."}
_FACTOR_RANGES = (*(k for k in _FACTOR_ARGS if k != "scorecard"), "region")
_CODES = ("country", "sector", "region")  # text factors
_SCORE_OUTPUTS = ("score", "confidence", "cap", "version", "band", "grade", "pd", "weakest")


SCORECARD_IDS = ("default",)  # what a cell may name instead of giving the Scorecard table


def _scorecard(fn: str, value: Any) -> Scorecard:
    """The scorecard argument: blank or "default" (or the built-in card's version) for the default, or the
    workbook's Scorecard table as a 2-column key|value range. A cell never names a file on disk: a text
    reaching the file system from a formula is refused (docs/security.md, "Excel functions")."""
    if value is None:  # the usual case: no Scorecard table given
        return sc.default_scorecard()
    flat, shape = _args.flatten(value, fn, "scorecard")
    if all(_args.is_blank(v) for v in flat):
        return sc.default_scorecard()
    expected = 'the workbook\'s Scorecard table (a 2-column key|value range) or "default"'
    try:
        if shape.size == 1:
            card = sc.default_scorecard()
            if isinstance(flat[0], str) and flat[0].strip().casefold() in (*SCORECARD_IDS, card.version.casefold()):
                return card
            raise ArgumentError(fn, "scorecard", expected, flat[0],
                                detail="a cell never names a file; put the changes in the Scorecard table")
        if shape.kind != "2d" or shape.cols < 2:
            raise ArgumentError(fn, "scorecard", expected)
        rows = [flat[i * shape.cols:i * shape.cols + 2] for i in range(shape.rows)]
        return sc.scorecard_from_table(rows)
    except ArgumentError:
        raise
    except CashRiskError as e:
        raise ArgumentError(fn, "scorecard", "a valid scorecard", detail=str(e)) from None


def _factor_inputs(r: _args.Elementwise, values: dict[str, Any]) -> dict[str, Any]:
    """The scorecard factors, every one optional; "UN" (or "NR") in paydex means missing. One value each
    when every argument is one cell, else one array item per row."""
    out = {}
    for key, value in values.items():
        if key in _CODES:
            out[key] = r.text(key, value, "a code (text)")
        else:
            out[key] = r.number(key, value, _NUMERIC_FACTORS[key], default=None,
                                words=_PASS_WORDS if key == "paydex" else frozenset())
    return out if r.size == 1 else {k: r.full(v) for k, v in out.items()}


@excel_function(category=CATEGORY, args={**_FACTOR_ARGS, "output": '"score" (0–100, default), "confidence", "cap" (knock-out rule that limited the score), "version"; or, under this scorecard, "band" (GREEN/YELLOW/RED), "grade" (1–10), "pd" (1-year PD) or "weakest" (factor with the fewest points).', **_REGION_ARG},
                ranges=(*_FACTOR_RANGES, "scorecard"),
                example='=CREDITSCORE(2.1, 1.4, 0.55, 76, , 12, 0.1, 15, 120, "CN", "machinery", 0)')
def CREDITSCORE(altman_z2=None, current_ratio=None, debt_ratio=None, paydex=None, dbt_days=None, max_days_overdue=None,
                overdue_share=None, years_in_business=None, employees=None, country=None, sector=None,
                negative_events=None, scorecard=None, output="score", region=None):
    """Buyer credit score 0–100 (higher = safer) from the scorecard's factors: financial strength, payment behaviour, standing, country or region, sector, negative events. Missing factors re-weight; "NR" if too few. See docs/scorecard.md."""
    fn = "CREDITSCORE"
    out = _option(fn, "output", output, _SCORE_OUTPUTS, "score")
    card = _scorecard(fn, scorecard)
    r = _args.Elementwise(fn)
    values = {k: v for k, v in locals().items() if k in _FACTOR_RANGES}
    inputs = _factor_inputs(r, values)
    res = sc.credit_score(inputs, card)
    if out == "version":
        return res.version
    if out in ("band", "grade", "pd", "weakest"):
        # derived from the same scorecard as the score, so a changed band threshold or calibration in
        # the scorecard table reaches every live column of the buyer register
        s = res.score
        if out == "weakest":
            # a register reads the region factor from its province column (its region column is a grouping)
            frame = pd.DataFrame({("province" if k == "region" else k): np.atleast_1d(v) for k, v in inputs.items()})
            vals = sc.score_register(frame, card)["weakest"]
        elif out == "pd" and isinstance(s, float):
            vals = sc.NOT_RATED if s != s else sc.credit_pd(s, scorecard=card)
        elif out == "pd":
            vals = np.where(np.isnan(s), sc.NOT_RATED, np.asarray(sc.credit_pd(s, scorecard=card)).astype(object))
        else:
            vals = (sc.band_of if out == "band" else sc.credit_grade)(s, card)
        return r.result(vals if isinstance(vals, str | int | float) else np.asarray(vals, dtype=object).ravel())
    if out == "score":  # not rated (NaN) → "NR"
        return r.result(res.score, missing=sc.NOT_RATED)
    return r.result(res.confidence if out == "confidence" else res.capped_by)


@excel_function(category=CATEGORY, args={**_FACTOR_ARGS, "language": '"en" (default) or "zh" for the labels.', **_REGION_ARG},
                ranges=("scorecard",), returns_range=True,
                example='=CREDITEXPLAIN(2.1, 1.4, 0.55, 76, , 12, 0.1, 15, 120, "CN", "machinery", 0)')
def CREDITEXPLAIN(altman_z2=None, current_ratio=None, debt_ratio=None, paydex=None, dbt_days=None, max_days_overdue=None,
                  overdue_share=None, years_in_business=None, employees=None, country=None, sector=None,
                  negative_events=None, scorecard=None, language="en", region=None):
    """Spills a table explaining CREDITSCORE for one buyer: each factor's input, rule, points, weight, share and contribution, then cap, score, confidence, band, PD and scorecard version."""
    fn = "CREDITEXPLAIN"
    lang = _option(fn, "language", language, ("en", "zh"), "en")
    card = _scorecard(fn, scorecard)
    r = _args.Elementwise(fn)
    values = {k: v for k, v in locals().items() if k in _FACTOR_RANGES}
    inputs = _factor_inputs(r, values)
    if r.size > 1:
        raise ArgumentError(fn, r.first, "a single cell (CREDITEXPLAIN explains one buyer)")
    one = {k: v[0] if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    table = sc.explain({k: (v if k in _CODES else float(v)) for k, v in one.items()}, card, lang)
    cols = ["label", "input", "bin", "points", "weight", "share", "contribution"]
    head = (["因素", "输入", "规则", "得分", "权重", "占比", "贡献"] if lang == "zh"
            else ["factor", "input", "rule", "points", "weight", "share", "contribution"])
    return _args.table([head, *table[cols].to_numpy(dtype=object).tolist()])


# ----------------------------------------------------------------------------------------------
# PD, bands, grades

_CAL = {
    "anchor_score": "Optional calibration: the score at the anchor odds (default 50).",
    "anchor_odds": "Optional: good:bad odds at the anchor score (default 20 for 20:1, PD 4.76 %).",
    "pdo": "Optional: points to double the odds (default 10).",
}


@_args.read_once
def _calibration(fn: str, anchor_score, anchor_odds, pdo) -> tuple[float | None, float | None, float | None]:
    """(anchor score, anchor odds, PDO) as credit_pd / score_from_pd take them; None = the scorecard's."""
    return (_args.number(anchor_score, fn, "anchor_score", default=None),
            _args.number(anchor_odds, fn, "anchor_odds", default=None, positive=True, expected="a positive number"),
            _args.number(pdo, fn, "pdo", default=None, positive=True, expected="a positive number"))


@excel_function(category=CATEGORY, args={"score": "CREDITSCORE result 0–100. Cell or range; \"NR\" gives \"NR\".", **_CAL},
                ranges=("score",), example="=CREDITPD(71)")
def CREDITPD(score, anchor_score=None, anchor_odds=None, pdo=None):
    """One-year probability of default of a score: PD = 1 / (1 + 20·2^((score − 50)/10)) by default (score 50 ↔ 4.76 %, 30 ↔ 16.7 %, 71 ↔ 1.15 %). Recalibrate with the anchors.

    Source: SPEC §3.6."""
    cal = _calibration("CREDITPD", anchor_score, anchor_odds, pdo)
    r = _args.Elementwise("CREDITPD")
    s = r.number("score", score, "score", words=_PASS_WORDS, pass_through=True)
    return r.result(sc.credit_pd(s, *cal), token=sc.NOT_RATED)


@excel_function(category=CATEGORY, args={"pd": "One-year probability of default, 0 < PD < 1 (0.02 for 2 %). Cell or range.", **_CAL},
                ranges=("pd",), example="=SCOREFROMPD(0.02)")
def SCOREFROMPD(pd, anchor_score=None, anchor_odds=None, pdo=None):
    """Score of a probability of default (inverse of CREDITPD): 50 + 10·log2(((1 − PD)/PD)/20) by default; PD 1 % → 73.07, 5 % → 49.26. Not clamped to 0–100.

    Source: SPEC §3.6."""
    cal = _calibration("SCOREFROMPD", anchor_score, anchor_odds, pdo)
    r = _args.Elementwise("SCOREFROMPD")
    p = r.number("pd", pd, "probability")
    return r.result(sc.score_from_pd(p, *cal))


@excel_function(
    category=CATEGORY,
    args={
        "score": "CREDITSCORE result 0–100. Cell or range; \"NR\" gives \"NR\".",
        "language": '"en" (default) or "zh" (绿/黄/红; meanings 风险可控/谨慎交易/暂停赊销).',
        "scheme": '"light" (GREEN/YELLOW/RED, default), "meaning" (risk under control / trade with caution / suspend credit sales) or "letter" (A–E).',
        "green_min": "Optional: lowest GREEN score (default 51).",
        "yellow_min": "Optional: lowest YELLOW score (default 30); below is RED.",
    },
    ranges=("score",),
    example="=CREDITBAND(64)",
)
def CREDITBAND(score, language="en", scheme="light", green_min=None, yellow_min=None):
    """Traffic light of a score: GREEN (≥ 51, risk under control), YELLOW (30–50, trade with caution), RED (< 30, suspend credit sales); or letters A–E.

    Source: SPEC §3.4, §3.7."""
    lang, how, g, y, token = _band_options(language, scheme, green_min, yellow_min)
    r = _args.Elementwise("CREDITBAND")
    s = r.number("score", score, "score", words=_PASS_WORDS, pass_through=True)
    return r.result(sc.credit_band(s, lang, how, g, y), token=token)


@_args.read_once
def _band_options(language, scheme, green_min, yellow_min) -> tuple[str, str, float | None, float | None, str]:
    """CREDITBAND's language, scheme, thresholds and the word of a not-rated row."""
    fn = "CREDITBAND"
    lang = _option(fn, "language", language, ("en", "zh"), "en")
    how = _option(fn, "scheme", scheme, sc.bands.BAND_SCHEMES, "light")
    g = _args.number(green_min, fn, "green_min", default=None)
    y = _args.number(yellow_min, fn, "yellow_min", default=None)
    card = sc.default_scorecard()
    lo, hi = (card.yellow_min if y is None else y), (card.green_min if g is None else g)
    if not lo < hi:
        raise ArgumentError(fn, "yellow_min", f"below green_min ({hi:g})", lo)
    return lang, how, g, y, sc.BAND_LABELS[lang][sc.NOT_RATED] if how == "light" else sc.NOT_RATED


@excel_function(category=CATEGORY, args={"score": "CREDITSCORE result 0–100. Cell or range; \"NR\" gives \"NR\"."},
                ranges=("score",), example="=CREDITGRADE(64)")
def CREDITGRADE(score):
    """Grade 1–10 (1 best, 10 worst) of a score for users used to insurer grades: 1–5 green, 6–7 yellow, 8–10 red. A toolkit mapping, not any insurer's grade."""
    r = _args.Elementwise("CREDITGRADE")
    s = r.number("score", score, "score", words=_PASS_WORDS, pass_through=True)
    return r.result(sc.credit_grade(s), token=sc.NOT_RATED)


# ----------------------------------------------------------------------------------------------
# Limits and expected loss


_BAND = "GREEN, YELLOW, RED or a score 0–100"


def _band_cell(fn: str, v: Any, sh: _args.Shape, i: int) -> Any:
    """One band cell: None (blank), a score as a float, or the band key (GREEN, YELLOW, RED, NR) of a band
    word (:func:`xl_cashrisk.scoring.band_key`: 绿/黄/红, G/Y/R, 未评级 …)."""
    if _args.is_blank(v):
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        if not 0 <= v <= 100:
            raise ArgumentError(fn, f"band{sh.position(i)}", _BAND, v)
        return float(v)
    key = sc.band_key(v)
    if key is None:
        raise ArgumentError(fn, f"band{sh.position(i)}", "GREEN, YELLOW, RED (绿/黄/红) or a score 0–100", v)
    return key


def _band_arg(r: _args.Elementwise, band: Any, *, pass_nr: bool = True) -> Any:
    """The band argument as :func:`_band_cell` reads each cell; its blank rows give a blank result and its
    "NR" rows "NR" (with ``pass_nr``; else "NR" is a band of its own)."""
    flat, sh, kinds = r.cells("band", band)
    if sh.size == 1 and len(flat) == 1:  # one cell: one key (or score) for every row
        key = _band_cell(r.fn, flat[0], sh, 0)
        if key is None and sh.kind == "scalar":
            raise ArgumentError(r.fn, "band", _BAND, detail="the cell is blank")
        r.add_blank(key is None)
        if pass_nr:
            r.add_passed(key == sc.NOT_RATED)
        return key
    out = np.empty(len(flat), dtype=object)
    words: dict[str, Any] | None = None
    if kinds == {str}:  # a column of band words: each distinct word is checked once (100k rows → 3 words)
        try:
            words = {v: _band_cell(r.fn, v, sh, 0) for v in set(flat)}
        except ArgumentError:  # a bad word: the cell by cell pass below names the first one
            words = None
    if words is not None and all(w == v for v, w in words.items()):
        out[:] = flat  # every word is already a band key (GREEN, YELLOW, RED, NR): no lookups
    elif words is not None:
        out[:] = [words[v] for v in flat]
    else:
        words = {}  # each distinct word is checked once, not once per cell
        for i, v in enumerate(flat):
            if v.__class__ is str and v in words:
                out[i] = words[v]
                continue
            out[i] = _band_cell(r.fn, v, sh, i)
            if v.__class__ is str:
                words[v] = out[i]
    if sh.kind == "scalar" and out[0] is None:
        raise ArgumentError(r.fn, "band", _BAND, detail="the cell is blank")
    r.add_blank(np.equal(out, None))
    if pass_nr:
        r.add_passed(out == sc.NOT_RATED)
    return out


@excel_function(
    category=CATEGORY,
    args={
        "annual_sales": "Expected yearly sales to this buyer (incl. nothing for VAT). Cell or range.",
        "terms_days": "Payment terms in days (e.g. 60).",
        "expected_dbt": "Expected days beyond terms (blank = 0; negative counts as 0).",
        "tangible_net_worth": "Buyer's tangible net worth; capacity uses 10 % of it.",
        "working_capital": "Buyer's working capital; capacity uses 20 % of it. One of the two may be blank.",
        "band": "GREEN / YELLOW / RED (or 绿/黄/红, or a score 0–100): grants 100 % / 50 % / 0 % of capacity.",
        "vat_rate": "VAT rate added to invoices (0.13 for 13 %); blank = 0.",
        "insurer_limit": "Optional credit-insurance limit on the buyer: the result never exceeds it.",
    },
    ranges=("annual_sales", "terms_days", "expected_dbt", "tangible_net_worth", "working_capital", "band", "vat_rate",
            "insurer_limit"),
    example='=CREDITLIMIT(1200000, 60, 10, 2000000, 900000, "GREEN")',
)
def CREDITLIMIT(annual_sales, terms_days, expected_dbt, tangible_net_worth, working_capital, band, vat_rate=0,
                insurer_limit=None):
    """Recommended credit limit = min(need, band share × capacity, insurer limit): need = sales/365 × (terms + DBT) × (1 + VAT); capacity = min(10 % TNW, 20 % working capital).

    Source: SPEC §3.8."""
    fn = "CREDITLIMIT"
    r = _args.Elementwise(fn)
    sales = r.number("annual_sales", annual_sales, "nonnegative")
    terms = r.number("terms_days", terms_days, "nonnegative")
    dbt = r.number("expected_dbt", expected_dbt, default=None)
    tnw = r.number("tangible_net_worth", tangible_net_worth, default=None)
    wc = r.number("working_capital", working_capital, default=None)
    bands = _band_arg(r, band)
    vat = r.number("vat_rate", vat_rate, "fraction", default=0.0)
    ins = r.number("insurer_limit", insurer_limit, "nonnegative", default=None)
    if r.shape.kind == "scalar" and math.isnan(sc.limit_capacity(tnw, wc)):
        raise ArgumentError(fn, "tangible_net_worth", "a number (or give working_capital)",
                            detail="both capacity bases are blank")
    # rows without a limit (a blank capacity base, an unrated band) come back NaN from the core: blank cells
    return r.result(sc.credit_limit(sales, terms, dbt, tnw, wc, bands, vat, ins), token=sc.NOT_RATED)


def _table_codes(r: _args.Elementwise, name: str, value: Any, card: Scorecard, expected: str) -> np.ndarray:
    """A code argument (sector, region) whose every filled cell must be a key or another name of the
    scorecard's table of that factor: a code the policy does not know is refused, not read as "no
    adjustment"."""
    codes = r.text(name, value, expected)
    if not card.has_factor(name):
        return codes
    factor = card.factor(name)
    cells = np.atleast_1d(np.asarray(codes, dtype=object)).tolist()  # one cell arrives as one Python value
    for code in dict.fromkeys(cells):
        if code and factor.code(code) not in factor.table:
            i = cells.index(code)
            where = _args.flatten(value, r.fn, name)[1].position(i) if len(cells) > 1 else ""
            raise ArgumentError(r.fn, f"{name}{where}", expected, code)
    return codes


@excel_function(
    category=CATEGORY,
    args={
        "band": "GREEN / YELLOW / RED / NR (or 绿/黄/红, or a score 0–100), e.g. =CREDITSCORE(...,\"band\"). Cell or range.",
        "sector": "Optional sector of the scorecard (machinery, pharma, consumer_goods …); blank = no sector adjustment.",
        "region": "Optional Chinese province or region of the scorecard (Guangdong, 广东, 华南 …); blank = no region adjustment.",
        "requested_days": "Optional terms asked for, in days: the result is the lesser of these and the terms allowed.",
        "scorecard": "Optional: the workbook's Scorecard table of key|value rows (terms.bands.GREEN | 60 …). Blank or \"default\" = default scorecard.",
        "language": '"en" (default) or "zh": how no credit reads, "cash in advance" or 预付.',
    },
    ranges=("band", "sector", "region", "requested_days", "scorecard"),
    example='=CREDITTERMS("GREEN", "machinery", "Guangdong")',
)
def CREDITTERMS(band, sector=None, region=None, requested_days=None, scorecard=None, language="en"):
    """Longest payment terms (days) the terms policy allows: band days (GREEN 90, YELLOW 45, RED and NR none) × sector and region multipliers, rounded down to 15; 0 reads "cash in advance". See docs/scorecard.md."""
    fn = "CREDITTERMS"
    lang = _option(fn, "language", language, ("en", "zh"), "en")
    card = _scorecard(fn, scorecard)
    r = _args.Elementwise(fn)
    bands = _band_arg(r, band, pass_nr=False)
    sectors = _table_codes(r, "sector", sector, card, "a sector of the scorecard's sector table "
                           f"({', '.join(k.lower() for k in card.factor('sector').table)})")
    regions = _table_codes(r, "region", region, card, "a province or region of the scorecard's region table "
                           "(Guangdong, 广东, 华南 …; docs/scorecard.md)")
    asked = r.number("requested_days", requested_days, "nonnegative", default=None)
    keys = np.asarray(bands, dtype=object)  # one cell arrives as one Python value
    keys = np.where(np.equal(keys, None), "", keys).astype(object)
    days = sc.credit_terms(r.full(np.asarray(keys, dtype=object)), r.full(sectors), r.full(regions), r.full(asked), card)
    return r.result(np.atleast_1d(sc.terms_words(days, lang)))


@excel_function(
    category=CATEGORY,
    args={
        "pd": "Probability of default within a year, 0–1 (0.02 for 2 %); e.g. =CREDITPD(score). Cell or range.",
        "lgd": "Loss given default, 0–1 (0.45 = Basel senior unsecured).",
        "ead": "Exposure at default: open receivables plus shipments before a stop can take effect.",
        "insured_share": "Share of an insured loss the credit insurer pays, 0–1 (e.g. 0.9); blank = 0 (uninsured).",
        "insurer_limit": "Optional insurer credit limit on the buyer (blank = none: the whole EAD is insured). 0 = not covered.",
        "output": '"seller" (loss you keep, default), "gross" (before insurance) or "insurer" (the insurer\'s part).',
    },
    ranges=("pd", "lgd", "ead", "insured_share", "insurer_limit"),
    example="=EXPECTEDLOSS(0.02, 0.45, 1000000)",
)
def EXPECTEDLOSS(pd, lgd, ead, insured_share=0, insurer_limit=None, output="seller"):
    """Expected loss = PD × LGD × EAD; with credit insurance the seller keeps PD × LGD × (EAD − I), I = insured share × min(EAD, insurer limit).

    Source: SPEC §6.1."""
    fn = "EXPECTEDLOSS"
    out = _option(fn, "output", output, ("seller", "gross", "insurer"), "seller")
    r = _args.Elementwise(fn)
    p = r.number("pd", pd, "fraction", words=_PASS_WORDS, pass_through=True)
    lgd_ = r.number("lgd", lgd, "fraction")
    e = r.number("ead", ead, "nonnegative")
    share = r.number("insured_share", insured_share, "fraction", default=0.0)
    lim = r.number("insurer_limit", insurer_limit, "nonnegative", default=None)
    seller = sc.expected_loss(p, lgd_, e, share, lim) if out != "gross" else None
    gross = sc.expected_loss(p, lgd_, e) if out != "seller" else None
    return r.result(seller if gross is None else gross if seller is None else gross - seller, token=sc.NOT_RATED)

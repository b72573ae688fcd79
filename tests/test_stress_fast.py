"""The fast paths of the scenario engine and the stress pipeline give the old results exactly:
receipt lines from dated items, the delay scenarios' shared line index, the input fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk.pipelines.stress_test import _fingerprint
from xl_cashrisk.stress import (
    STANDARD_SCENARIOS,
    WEEK_COLUMNS,
    WEEKS,
    CashForecast,
    Scenario,
    _week_of,
    receipts_from_items,
    run_scenario,
    run_stress,
)

KEYS = ["buyer_id", "source", "currency"]


def _items(n=3_000, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cur = rng.choice(np.array(["CNY", "USD", "EUR", None], dtype=object), n)
    return pd.DataFrame({
        "buyer_id": rng.choice([f"B{i}" for i in range(300)], n), "invoice_no": [f"I{i}" for i in range(n)],
        "currency": cur, "source": rng.choice(["ar", "sales", "other"], n),
        "pay_date": pd.Timestamp("2026-09-20") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "amount_hc": np.round(rng.lognormal(8, 1, n), 2)})


def _old_receipts_from_items(items, start, delay_days=0):
    """receipts_from_items as it was: a MultiIndex lookup of every item's line."""
    start = np.datetime64(pd.Timestamp(start).date(), "D")
    pay = items["pay_date"].to_numpy().astype("datetime64[D]") + np.timedelta64(int(delay_days), "D")
    week = _week_of(pay, start)
    ok = (week >= 1) & (week <= WEEKS)
    keys = items.loc[ok, KEYS].reset_index(drop=True)
    uniq = items[KEYS].drop_duplicates().reset_index(drop=True)
    if keys.empty:  # (the old code raised TypeError here: week columns are numbers, not keywords)
        return pd.concat([uniq, pd.DataFrame(np.zeros((len(uniq), WEEKS)), columns=list(WEEK_COLUMNS))], axis=1)
    row = pd.MultiIndex.from_frame(uniq).get_indexer(pd.MultiIndex.from_frame(keys))
    mat = np.zeros((len(uniq), WEEKS))
    np.add.at(mat, (row, week[ok] - 1), items["amount_hc"].to_numpy(dtype=float)[ok])
    return pd.concat([uniq, pd.DataFrame(mat, columns=list(WEEK_COLUMNS))], axis=1)


@pytest.mark.parametrize("delay", [0, 9, 30, 200])
def test_receipt_lines_same_as_the_multiindex_lookup(delay):
    items = _items()
    got = receipts_from_items(items, "2026-10-01", delay)
    pd.testing.assert_frame_equal(got, _old_receipts_from_items(items, "2026-10-01", delay))
    for none_in_horizon in (items.iloc[:0], items.assign(pay_date=pd.Timestamp("2030-01-01"))):
        pd.testing.assert_frame_equal(receipts_from_items(none_in_horizon, "2026-10-01", delay),
                                      _old_receipts_from_items(none_in_horizon, "2026-10-01", delay))


def test_delay_scenarios_share_the_line_index_and_match_single_runs():
    items = _items(seed=2)
    start = "2026-10-01"
    typed = pd.DataFrame({"buyer_id": ["W1"], "source": ["sales"], "currency": ["CNY"],
                          **{w: [1_000.0] for w in WEEK_COLUMNS}})  # a typed weekly line, not from the items
    lines = pd.concat([receipts_from_items(items, start), typed], ignore_index=True)
    fc = CashForecast(1e6, lines, disbursements=2e5, items=items, start=start)
    scen = [*STANDARD_SCENARIOS, Scenario("D9", "delay", delay_days=9)]
    results, _ = run_stress(fc, scen)
    library = {s.id: s for s in scen}
    base = results[0]
    for r in results[1:]:
        alone = run_scenario(fc, r.scenario, library, base)  # no shared cache
        pd.testing.assert_frame_equal(r.weekly, alone.weekly)
        assert r.metrics == alone.metrics
    # the typed line is shifted by whole weeks (9 days: 2 weeks), the items by days
    d9 = next(r for r in results if r.scenario.id == "D9")
    typed_only = CashForecast(1e6, typed, disbursements=2e5)
    assert run_scenario(typed_only, Scenario("D9", "delay", delay_days=9)).weekly["receipts"].loc[[1, 2, 3]].tolist() \
        == [0.0, 0.0, 1_000.0]
    assert d9.weekly["receipts"].sum() != base.weekly["receipts"].sum()


# ---------------------------------------------------------------------------- the run's input fingerprint


def _frames():
    ledger = pd.DataFrame({
        "invoice_no": pd.Series(["A1", "A2", None], dtype="str"), "buyer_id": ["A", "B", "A"],
        "note": pd.Series(["x", None, 3], dtype=object), "amount": [100.0, np.nan, 2.5],
        "due_date": pd.to_datetime(["2026-10-01", None, "2026-11-30"]), "disputed": [False, True, False],
        "terms": pd.array([30, None, 60], dtype="Int64")})
    register = pd.DataFrame({"buyer_id": ["A", "B"], "pd": [0.02, 0.05]}, index=pd.Index([10, 11]))
    return {"ledger": ledger, "register": register, "forecast": "", "scenarios": ["S1", "S2"],
            "settings": ("2026-09-30", "CNY")}


def test_fingerprint_same_inputs_same_stamp():
    a, b = _frames(), _frames()
    assert _fingerprint(a) == _fingerprint(b)
    assert len(_fingerprint(a)) == 64
    # a copy, a different chunking of the strings, the same NaN written another way
    b["ledger"] = pd.concat([a["ledger"].iloc[:1], a["ledger"].iloc[1:]])
    nan = np.array([np.nan]).view(np.uint64) | np.uint64(1)  # a NaN with another payload
    b["ledger"].loc[1, "amount"] = nan.view(np.float64)[0]
    assert _fingerprint(a) == _fingerprint(b)


@pytest.mark.parametrize("change", [
    lambda f: f["ledger"].loc.__setitem__((0, "invoice_no"), "A1x"),
    lambda f: f["ledger"].loc.__setitem__((2, "invoice_no"), ""),  # blank text is not a missing value
    lambda f: f["ledger"].loc.__setitem__((0, "note"), "y"),
    lambda f: f["ledger"].loc.__setitem__((1, "amount"), 0.0),
    lambda f: f["ledger"].loc.__setitem__((0, "amount"), 100.0 + 1e-9),
    lambda f: f["ledger"].loc.__setitem__((2, "due_date"), pd.Timestamp("2026-12-01")),
    lambda f: f["ledger"].loc.__setitem__((0, "disputed"), True),
    lambda f: f["ledger"].loc.__setitem__((1, "terms"), 45),
    lambda f: f.__setitem__("ledger", f["ledger"].rename(columns={"note": "notes"})),
    lambda f: f.__setitem__("ledger", f["ledger"].iloc[::-1]),
    lambda f: f.__setitem__("ledger", f["ledger"].iloc[:2]),
    lambda f: f.__setitem__("ledger", f["ledger"].astype({"amount": "float32"})),
    lambda f: f.__setitem__("register", f["register"].set_axis([10, 12])),
    lambda f: f.__setitem__("scenarios", ["S1"]),
    lambda f: f.__setitem__("forecast", pd.DataFrame({"week": [1]})),
])
def test_fingerprint_any_change_changes_the_stamp(change):
    before = _fingerprint(_frames())
    frames = _frames()
    change(frames)
    assert _fingerprint(frames) != before

"""Ageing a ledger whose text columns are stored in Arrow (issue 20): buyer keys dictionary-encoded where they
are stored, integer bucket codes, bincount. The figures are those of the object-per-row path, bit for bit,
and those of a plain pandas version (pd.cut + groupby, bench/ageing_alts.py) to rounding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from bench.ageing_alts import arrow_floor, loop_ageing, pandas_ageing
from xl_cashrisk import receivables as r
from xl_cashrisk.sample import load_sample

FX = {"USD": 7.1, "EUR": 7.75}
AS_OF = pd.Timestamp("2026-09-30")


def _object_kept_codes(column, keep):
    """How the rows were coded before: one Python object per row, then factorised."""
    codes, uniques = pd.factorize(column.to_numpy()[keep], use_na_sentinel=False)
    return codes, pd.Index(uniques, dtype=object)


def _as_objects(ledger: pd.DataFrame) -> pd.DataFrame:
    out = ledger.copy()
    for c in out.columns:
        if not isinstance(out[c].dtype, np.dtype):  # Arrow-backed text → one Python object per row
            out[c] = pd.Series(out[c].to_numpy(dtype=object), index=out.index, dtype=object)
    return out


def _plain(column: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in column.astype(object)]


def _assert_same(sched: pd.DataFrame, before: pd.DataFrame) -> None:
    """Figures equal bit for bit; ids and names equal as values (each storage has its own missing value)."""
    texts = [c for c in ("buyer_id", "buyer_name") if c in sched]
    pd.testing.assert_frame_equal(sched.drop(columns=texts), before.drop(columns=texts), check_exact=True)
    for c in texts:
        assert _plain(sched[c]) == _plain(before[c]), c


def _both(ledger, monkeypatch, **kw):
    table = r.ageing_table(ledger, **kw)
    sched = r.buyer_ageing_schedule(ledger, **kw)
    with monkeypatch.context() as m:
        m.setattr(r, "_kept_codes", _object_kept_codes)
        before = r.buyer_ageing_schedule(_as_objects(ledger), **kw)
    return table, sched, before


def test_sample_ledger_arrow_storage_gives_the_object_path_figures(monkeypatch):
    s = load_sample()
    ledger, as_of = s.ledger, s.settings.as_of
    assert any(not isinstance(ledger[c].dtype, np.dtype) for c in ("buyer_id", "currency")), "text not in Arrow?"
    kw = {"as_of": as_of, "fx": s.settings.fx_rates, "home_currency": s.settings.home_currency}
    table, sched, before = _both(ledger, monkeypatch, **kw)
    _assert_same(sched, before)
    p_table, p_sched = pandas_ageing(ledger, as_of, s.settings.fx_rates, s.settings.home_currency)
    np.testing.assert_allclose(table["amount"].to_numpy(), p_table["amount"].to_numpy(), rtol=1e-12, atol=1e-6)
    assert table["items"].tolist() == p_table["items"].astype(int).tolist()
    cols = [c for c in p_sched.columns]
    pd.testing.assert_frame_equal(sched[cols], p_sched, check_exact=False, rtol=1e-12, atol=1e-6,
                                  check_dtype=False)


_row = st.tuples(
    st.integers(-30, 400),                       # invoice age in days (negative: dated after the as-of date)
    st.one_of(st.none(), st.integers(0, 120)),   # terms (None: the due date is given)
    st.integers(-20, 200),                       # days past due when the due date is given
    st.sampled_from(["CNY", "USD", "EUR", " usd", ""]),
    st.one_of(st.floats(-5e5, 5e5, allow_nan=False), st.just(np.nan)),
    st.sampled_from([0.0, 0.3, 1.0]),
    st.sampled_from(["B1", "B2", "b1", "张三", "", None]),
    st.sampled_from(["INV", "CN", "inv "]),
    st.sampled_from(["Alpha", None]),
)


@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.generate])
@given(rows=st.lists(_row, min_size=1, max_size=40), arrow=st.booleans())
def test_random_ledgers_same_figures_either_storage(rows, arrow):
    as_of = AS_OF.to_datetime64().astype("datetime64[D]")
    led = pd.DataFrame({
        "invoice_no": [f"I{i}" for i in range(len(rows))],
        "buyer_id": [row[6] for row in rows],
        "buyer_name": [row[8] for row in rows],
        "doc_type": [row[7] for row in rows],
        "invoice_date": pd.to_datetime([as_of - np.timedelta64(row[0], "D") for row in rows]),
        "terms_days": [np.nan if row[1] is None else float(row[1]) for row in rows],
        "due_date": pd.to_datetime([as_of - np.timedelta64(row[2], "D") if row[1] is None else pd.NaT
                                    for row in rows]),
        "currency": [row[3] for row in rows],
        "amount": [row[4] for row in rows],
        "paid_amount": [0.0 if np.isnan(row[4]) else row[4] * row[5] for row in rows],
    })
    if arrow:
        led = led.astype({c: "string[pyarrow]" for c in ("invoice_no", "buyer_id", "buyer_name", "doc_type",
                                                         "currency")})
    else:
        led = _as_objects(led)
    kw = {"as_of": AS_OF, "fx": FX, "home_currency": "CNY"}
    table = r.ageing_table(led, **kw)
    sched = r.buyer_ageing_schedule(led, **kw)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(r, "_kept_codes", _object_kept_codes)
        before = r.buyer_ageing_schedule(_as_objects(led), **kw)
    _assert_same(sched, before)
    p_table, p_sched = pandas_ageing(led, AS_OF, FX, "CNY")
    np.testing.assert_allclose(table["amount"].to_numpy(), p_table["amount"].to_numpy(), rtol=1e-9, atol=1e-6)
    assert table["items"].tolist() == p_table["items"].astype(int).tolist()
    def keyed(s):
        return s.assign(k=["\0" if v is None else v for v in _plain(s["buyer_id"])]).set_index("k").sort_index()

    merged, ref = keyed(sched), keyed(p_sched)
    assert merged.index.tolist() == ref.index.tolist()
    for c in [*r.bucket_labels(), "credits", "total", "overdue", "pct_overdue", "oldest_dpd"]:
        np.testing.assert_allclose(merged[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-9, atol=1e-6,
                                   err_msg=c)


def test_floor_and_loop_give_the_engine_grid():
    """The benchmark's floor and plain loop do the same arithmetic as the engine (on the benchmark's kind
    of ledger: invoices only, due dates given, nothing overpaid)."""
    from bench import data

    led = data.ledger_frame(5_000)
    sched = r.buyer_ageing_schedule(led, data.AS_OF, fx=data.FX, home_currency="CNY")
    labels = r.bucket_labels()
    grid = sched.set_index("buyer_id")[labels]
    floor = arrow_floor(led, data.AS_OF, data.FX, "CNY")
    ids = pd.factorize(led["buyer_id"])[1]
    floor = pd.DataFrame(floor, index=ids, columns=labels).loc[grid.index]
    np.testing.assert_allclose(floor.to_numpy(), grid.to_numpy(), rtol=1e-12)
    open_amt = (led["amount"] - led["paid_amount"]).tolist()
    totals, per_buyer = loop_ageing(data.serials(led["due_date"]).tolist(), open_amt, led["currency"].tolist(),
                                    led["buyer_id"].tolist(), data.AS_OF_SERIAL, data.FX, "CNY")
    np.testing.assert_allclose([per_buyer[b] for b in grid.index], grid.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(totals, grid.sum().to_numpy(), rtol=1e-12)

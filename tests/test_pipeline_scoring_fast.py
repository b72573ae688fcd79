"""The vectorised paths of the ageing and scoring pipelines give the old results exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk import receivables as rc
from xl_cashrisk import scoring as sc
from xl_cashrisk.pipelines.ageing import balance_at, monthly_credit_sales, run_ageing
from xl_cashrisk.pipelines.scoring import top_factors
from xl_cashrisk.settings import Settings


def _old_top_factors(points, card, n=3, language="en"):
    labels = {f.key: f.label(language) for f in card.factors}
    pts = points.to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(pts), np.inf, pts), axis=1, kind="stable")[:, :n]
    keys = points.columns.to_numpy()
    text = []
    for row, idx in zip(pts, order, strict=True):
        text.append(" · ".join(f"{labels[keys[j]]} {row[j]:.0f}" for j in idx if not np.isnan(row[j])))
    return pd.Series(text, index=points.index, dtype=object)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("n", [1, 3, 50])
def test_top_factors_same_text_as_row_by_row(language, n):
    card = sc.default_scorecard()
    keys = [f.key for f in card.factors]
    rng = np.random.default_rng(n)
    values = np.array([np.nan, 0.0, -0.0, 0.5, 1.5, 2.5, -0.3, np.inf, 12.49, 99.5, 100.0, 37.0])
    pts = pd.DataFrame(rng.choice(values, (3_000, len(keys))), columns=keys, index=rng.permutation(3_000))
    pd.testing.assert_series_equal(top_factors(pts, card, n, language), _old_top_factors(pts, card, n, language))
    assert "-0" in "".join(top_factors(pts, card, 50, language))  # −0.0 shows as Python shows it
    pd.testing.assert_series_equal(top_factors(pts.iloc[:0], card), _old_top_factors(pts.iloc[:0], card))


def _ledger(n=5_000, seed=4):
    rng = np.random.default_rng(seed)
    inv = pd.Timestamp("2025-08-01") + pd.to_timedelta(rng.integers(0, 430, n), unit="D")
    amount = np.round(rng.lognormal(8, 1, n), 2)
    paid = np.where(rng.random(n) < 0.5, amount, 0.0)
    pay = inv + pd.to_timedelta(rng.integers(10, 120, n), unit="D")
    led = pd.DataFrame({
        "invoice_no": [f"I{i}" for i in range(n)], "buyer_id": rng.choice([f"B{i}" for i in range(200)], n),
        "buyer_name": "x", "doc_type": np.where(rng.random(n) < 0.03, "CN", "INV"),
        "invoice_date": inv.where(rng.random(n) > 0.01), "terms_days": 30.0,
        "due_date": inv + pd.Timedelta(days=30), "currency": rng.choice(["CNY", "USD"], n),
        "amount": amount, "paid_amount": paid,
        "last_payment_date": pay.where(paid > 0), "disputed": False})
    led.loc[led["doc_type"] == "CN", "amount"] *= -1
    return led


def test_monthly_sales_and_balance_by_day_numbers():
    led = _ledger()
    as_of = dt.date(2026, 9, 30)
    aged = rc.age_ledger(led, as_of, fx={"USD": 7.1}, home_currency="CNY")
    aged["fx_rate"] = aged["currency"].map({"CNY": 1.0, "USD": 7.1})
    # the old way: datetime.date objects
    inv = pd.to_datetime(aged["invoice_date"]).dt.date
    amount_hc = aged["amount"] * aged["fx_rate"]
    sales = monthly_credit_sales(aged, as_of)
    for row in sales.itertuples():
        start = dt.date(int(row.month[:4]), int(row.month[5:]), 1)
        end = start + dt.timedelta(days=row.days)
        assert row.credit_sales == float(amount_hc[(inv >= start) & (inv < end)].sum())
    for when in (dt.date(2026, 8, 31), dt.date(2025, 12, 31), dt.date(2024, 1, 1)):
        pay = pd.to_datetime(aged["last_payment_date"], errors="coerce")
        paid_by = (pay.notna() & (pay.dt.date <= when)).to_numpy()
        outstanding = aged["amount"] - np.where(paid_by, aged["paid_amount"].fillna(0.0), 0.0)
        assert balance_at(aged, when) == float((outstanding * aged["fx_rate"])[(inv <= when).to_numpy()].sum())


@pytest.mark.parametrize("basis", ["dpd", "invoice"])
def test_ageing_shares_the_derived_arrays(basis):
    led = _ledger(seed=5)
    led["invoice_date"] = led["invoice_date"].fillna(pd.Timestamp("2026-01-01"))
    settings = Settings(as_of=dt.date(2026, 9, 30), home_currency="CNY", fx_rates={"USD": 7.1}, ageing_basis=basis)
    r = run_ageing(led, settings)
    kw = dict(edges=settings.bucket_edges, basis=basis, fx=settings.fx_rates, home_currency="CNY")
    pd.testing.assert_frame_equal(r.buckets, rc.ageing_table(led, settings.as_of, **kw))
    pd.testing.assert_frame_equal(r.schedule, rc.buyer_ageing_schedule(led, settings.as_of, **kw))
    pd.testing.assert_frame_equal(r.history, rc.buyer_payment_history(led, settings.as_of, fx={"USD": 7.1},
                                                                      home_currency="CNY"))
    pd.testing.assert_frame_equal(r.aged.drop(columns="fx_rate"), rc.age_ledger(led, settings.as_of, **kw))

"""The fast paths of the insurance pipeline give the old results exactly: each part's exposure
computed once for its deadlines and worklist, lookups per distinct buyer, reasons per distinct code."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk import insurance as ins
from xl_cashrisk import receivables as rc
from xl_cashrisk.insurance import Policy
from xl_cashrisk.pipelines import insurance as pins
from xl_cashrisk.settings import Settings


def _old_run_insurance(ledger, buyers, policy, settings):
    """run_insurance as it was: every core function run on its own, Series.map per row."""
    def per_pct(frame, pct, fn, **kw):
        parts = [fn(frame.loc[pct == p], policy=dataclasses.replace(policy, indemnity_pct=float(p)), **kw)
                 for p in np.unique(pct)]
        return pd.concat(parts) if parts else fn(frame, policy=policy, **kw)

    as_of = settings.as_of
    lang = settings.language if settings.language in pins.REASONS else "en"
    aged = rc.age_ledger(ledger, as_of, fx=settings.fx_rates, home_currency=settings.home_currency)
    aged["buyer_id"] = aged["buyer_id"].astype(str)
    cover = pins.buyer_cover(buyers, policy)
    items = aged[aged["open_amount_hc"].abs() > 0.005].copy()
    items["open_currency"] = items["open_amount"]
    items["open_amount"] = items["open_amount_hc"]
    ids = items["buyer_id"]
    limits = cover["limit"].to_dict()
    countries = cover["country"].reindex(ids.unique()).fillna(policy.home_country).to_dict()
    pct = ids.map(cover["pct"]).fillna(policy.indemnity_pct).to_numpy(dtype=float)
    political = ids.map(cover["loss_cause"]).astype(object).fillna(ins.COMMERCIAL).to_numpy() == ins.POLITICAL
    exposure = per_pct(items, pct, ins.insured_exposure, limits=limits, countries=countries)
    exposure = exposure.loc[items.index]
    pins._mark_political(exposure, political, pct)
    exposure["country"] = exposure["buyer_id"].map(countries)
    exposure["cover_pct"] = np.where(exposure["eligible"], pct, 0.0)
    insolvency = cover["insolvency_date"].dropna()
    insolvency_dates = insolvency.dt.date.to_dict() if len(insolvency) else None
    kw = dict(as_of=as_of, limits=limits, countries=countries)
    overdue = per_pct(items, pct, ins.overdue_deadlines, insolvency_dates=insolvency_dates, **kw)
    overdue = overdue.loc[items.index[items.index.isin(overdue.index)]]
    worklist = per_pct(items, pct, ins.collections_worklist, language=lang, **kw)
    worklist = worklist.sort_values(pins._SORT[0], ascending=pins._SORT[1], kind="stable")
    for frame in (overdue, worklist):
        frame["country"] = frame["buyer_id"].map(countries)
        pins._mark_political(frame, frame["buyer_id"].map(cover["loss_cause"]).eq(ins.POLITICAL).to_numpy(),
                             frame["buyer_id"].map(cover["pct"]).fillna(policy.indemnity_pct).to_numpy())
    for frame in (exposure, overdue, worklist):
        frame["reason"] = [pins.REASONS[lang].get(x, x) for x in frame["reason"].tolist()]
    overdue["material"] = overdue["open_amount"].to_numpy() >= policy.materiality
    worklist, small = pins.rank_worklist(worklist, policy, lang)
    by_buyer = pins._by_buyer(exposure, overdue, cover)
    claims = pins._claims(overdue, cover, policy)
    summary = pins._summary(exposure, overdue, worklist, small, claims, by_buyer, settings, policy)
    return pins.InsuranceResult(settings, policy, exposure, by_buyer, overdue, worklist, small, claims, summary)


def _book(n=4_000, buyers=120, seed=3):
    rng = np.random.default_rng(seed)
    ids = [f"B{i:03d}" for i in range(buyers)]
    inv = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    terms = rng.choice([30, 60, 90, 200], n)
    amount = np.round(rng.lognormal(9, 1, n), 2)
    paid = np.where(rng.random(n) < 0.3, amount, np.where(rng.random(n) < 0.1, amount / 2, 0.0))
    ledger = pd.DataFrame({
        "invoice_no": [f"I{i}" for i in range(n)], "buyer_id": rng.choice([*ids, "STRAY"], n),
        "buyer_name": "x", "doc_type": np.where(rng.random(n) < 0.03, "CN", "INV"), "invoice_date": inv,
        "terms_days": terms.astype(float), "due_date": inv + pd.to_timedelta(terms, unit="D"),
        "currency": rng.choice(["CNY", "USD", "EUR"], n), "amount": amount, "paid_amount": paid,
        "last_payment_date": pd.NaT, "disputed": rng.random(n) < 0.05})
    ledger["buyer_name"] = "Buyer " + ledger["buyer_id"]
    cause = rng.choice(["commercial", "political", None], buyers, p=[0.7, 0.2, 0.1])
    country = rng.choice(["CN", "US", "AR", "IR", None], buyers)
    insolvent = np.where(rng.random(buyers) < 0.1, pd.Timestamp("2026-08-15"), pd.NaT)
    limits = pd.DataFrame({"buyer_id": ids, "insurer_limit": np.where(rng.random(buyers) < 0.2, np.nan,
                                                                      np.round(rng.lognormal(11, 1, buyers))),
                           "country": country, "loss_cause": cause, "insolvency_date": pd.to_datetime(insolvent)})
    return ledger, limits


@pytest.mark.parametrize(("political", "language", "insolvent"), [
    (False, "en", True), (True, "en", True), (True, "zh", False)])
def test_run_insurance_same_frames_as_every_function_on_its_own(political, language, insolvent):
    ledger, limits = _book()
    if not insolvent:
        limits["insolvency_date"] = pd.NaT
    policy = Policy(indemnity_pct=0.9, political_cover=political, political_pct=0.95, max_extension_period=60,
                    non_qualifying_loss=500.0, minimum_retention=0.05,
                    covered_countries=frozenset({"CN", "US", "AR"}))
    settings = Settings(as_of=dt.date(2026, 9, 30), home_currency="CNY", language=language,
                        fx_rates={"CNY": 1.0, "USD": 7.1, "EUR": 7.75})
    new = pins.run_insurance(ledger, limits, policy, settings)
    old = _old_run_insurance(ledger, limits, policy, settings)
    assert len(np.unique(new.exposure["cover_pct"])) >= 2
    for f in ("exposure", "by_buyer", "deadlines", "worklist", "small_items", "claims", "summary"):
        pd.testing.assert_frame_equal(getattr(new, f), getattr(old, f), check_exact=True, obj=f)


@pytest.mark.parametrize("keys", [
    pd.Series(["a", "b", "a", None, "c"], dtype="str", name="k", index=[5, 4, 3, 2, 1]),
    pd.Series(["a", "b", "a", None, 3], dtype=object),
    pd.Series([], dtype="str"),
])
@pytest.mark.parametrize("mapping", [
    pd.Series([1.0, 2.0], index=["a", "b"]),
    pd.Series(["x", "y"], index=["a", "c"], dtype=object),
    {"a": "CN", "b": "US"},
    {"a": 1, "nan": 2},
])
def test_map_keys_is_series_map(keys, mapping):
    pd.testing.assert_series_equal(ins._map_keys(keys, mapping), keys.map(mapping))


def test_translate_is_a_lookup_per_row():
    codes = pd.Series(["", "no_limit", "disputed", "", "unknown_code"], dtype=object)
    words = {"": "", "no_limit": "no insurer limit", "disputed": "disputed"}
    assert pins._translate(codes, words).tolist() == [words.get(x, x) for x in codes]
    assert pins._translate(codes.iloc[:0], words).tolist() == []


@pytest.mark.parametrize("mapping", [
    {"A": 1.0, "B": np.nan},
    pd.Series([1.0, 2.0], index=pd.Index(["A", "B"], dtype="str")),
    pd.Series([1.0, 2.0], index=pd.Index(["A", "B"], dtype=object)),
    pd.Series([1.0, 2.0], index=pd.Index(["A", None], dtype="str")),
    pd.Series([1.0, 2.0], index=[7, 8]),
    {},
])
def test_text_keyed_mapping_same_as_renaming_every_key(mapping):
    got = ins._by_text_key(mapping, float)
    expected = pd.Series(mapping, dtype=float).rename(index=str)
    pd.testing.assert_series_equal(got, expected)
    keys = pd.Series(["A", "B", "7", "nan", "C"], dtype="str")
    pd.testing.assert_series_equal(keys.map(got), keys.map(expected))

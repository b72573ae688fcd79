"""The embedded sample portfolio: determinism, size, data-model invariants and the story it tells."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest

from xl_cashrisk.sample import BUYER_COLUMNS, LEDGER_COLUMNS, load_sample
from xl_cashrisk.sample import generate as gen

AS_OF = pd.Timestamp("2026-09-30")
FX = {"CNY": 1.0, "USD": 7.10, "EUR": 7.75}
# The data model as agreed (xlc-helpers.md), typed out independently of the generator's constants.
DATA_MODEL_LEDGER = ["invoice_no", "buyer_id", "buyer_name", "doc_type", "invoice_date", "terms_days",
                     "due_date", "currency", "amount", "paid_amount", "last_payment_date", "disputed", "note"]
DATA_MODEL_BUYER_INPUTS = {
    "buyer_id", "buyer_name", "country", "province", "region", "sector", "years_in_business", "employees",
    "total_assets", "total_assets_prev", "total_liabilities", "current_assets", "current_assets_prev",
    "current_liabilities", "current_liabilities_prev", "cash", "inventory", "receivables", "retained_earnings",
    "ebit", "sales", "sales_prev", "cogs", "cogs_prev", "net_income", "net_income_prev", "cfo",
    "long_term_debt", "long_term_debt_prev", "equity_book", "tangible_net_worth", "equity_issued", "fs_year",
    "insurer_limit", "requested_limit", "negative_events", "listed", "payment_terms_days"}
SECTORS = {"machinery", "consumer_goods", "pharma", "electronics", "chemicals", "textiles", "retail",
           "construction", "automotive", "food"}


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def led(sample):
    """Ledger with home-currency open amount, days past due and the buyer's province and profile."""
    df = sample.ledger.copy()
    buyers = sample.buyers.set_index("buyer_id")
    df["open_hc"] = (df["amount"] - df["paid_amount"]) * df["currency"].map(FX)
    df["dpd"] = (AS_OF - df["due_date"]).dt.days
    df["province"] = df["buyer_id"].map(buyers["province"])
    df["country"] = df["buyer_id"].map(buyers["country"])
    df["profile"] = df["buyer_id"].map(sample.profiles.set_index("buyer_id")["profile"])
    return df


def _csv_hash(frames: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for key in sorted(frames):
        h.update(frames[key].to_csv(index=False, lineterminator="\n").encode())
    return h.hexdigest()


# ------------------------------------------------------------------------------------ determinism


def test_two_loads_are_equal_and_independent_copies():
    a, b = load_sample(), load_sample()
    for key in ("buyers", "ledger", "company", "profiles"):
        pd.testing.assert_frame_equal(getattr(a, key), getattr(b, key))
    assert a.story == b.story and a.settings == b.settings
    a.ledger.loc[0, "amount"] = -1.0
    a.settings.fx_rates["USD"] = 1.0
    c = load_sample()
    assert c.ledger.loc[0, "amount"] != -1.0 and c.settings.fx("USD") == 7.10


def test_fresh_generation_gives_the_same_csv_hash():
    first = _csv_hash(load_sample().to_frames())
    gen._build.cache_clear()
    again = load_sample()
    assert _csv_hash(again.to_frames()) == first
    assert again.fingerprint() == load_sample().fingerprint()


def test_another_seed_gives_another_portfolio_with_the_same_story():
    other = load_sample(seed=7)
    assert other.fingerprint() != load_sample().fingerprint()
    assert 0.18 <= other.highlights["top_buyer_share"] <= 0.30
    assert other.highlights["troubled_overdue_share"] > 1.8 * other.highlights["rest_overdue_share"]


# ------------------------------------------------------------------------------------------ sizes


def test_sizes(sample, led):
    buyers = sample.buyers
    assert len(led) >= 20_000
    assert 280 <= len(buyers) <= 320
    domestic = buyers[buyers["country"] == "CN"]
    assert domestic["province"].nunique() >= 6
    assert {"Guangdong", "Zhejiang", "Jiangsu", "Shandong", "Henan", "Sichuan", "Hubei"} <= set(
        domestic["province"])
    assert buyers.loc[buyers["country"] != "CN", "country"].nunique() >= 8
    assert set(led["currency"]) == {"CNY", "USD", "EUR"}
    cn_share = (led["doc_type"] == "CN").mean()
    assert 0.01 <= cn_share <= 0.03
    partial = (led["paid_amount"] != 0) & (led["paid_amount"].abs() < led["amount"].abs())
    assert partial.sum() >= 200
    assert 20 <= led["disputed"].sum() <= 200
    assert set(led.loc[led["doc_type"] == "INV", "terms_days"]) == {30, 45, 60, 90}
    assert led["invoice_date"].min() == pd.Timestamp("2025-10-01")
    assert led["invoice_date"].max() <= AS_OF


def test_export_buyers_in_usd_or_eur_and_a_few_domestic_in_usd(sample, led):
    cur = led.groupby("buyer_id")["currency"].agg(set)
    country = sample.buyers.set_index("buyer_id")["country"]
    assert all(len(c) == 1 for c in cur)
    export = cur[country.reindex(cur.index) != "CN"]
    assert all(c <= {"USD", "EUR"} for c in export)
    domestic_usd = sum(c == {"USD"} for c in cur[country.reindex(cur.index) == "CN"])
    assert 1 <= domestic_usd <= 15


# ------------------------------------------------------------------------------ ledger invariants


def test_ledger_columns_follow_the_data_model(sample):
    frames = sample.to_frames()
    assert list(frames["ledger"].columns) == DATA_MODEL_LEDGER == list(LEDGER_COLUMNS)
    assert set(frames["buyers"].columns) == DATA_MODEL_BUYER_INPUTS
    assert list(frames["buyers"].columns) == list(BUYER_COLUMNS)
    for col in ("invoice_date", "due_date", "last_payment_date"):
        assert pd.api.types.is_datetime64_any_dtype(frames["ledger"][col]), col


def test_ledger_columns_match_the_ledger_schema():
    schema = pytest.importorskip("xl_cashrisk.schemas.ledger")
    assert [c.key for c in schema.LEDGER.input_columns] == list(LEDGER_COLUMNS)


def test_ledger_invariants(sample, led):
    assert led["invoice_no"].is_unique and led["invoice_no"].notna().all()
    assert set(led["buyer_id"]) <= set(sample.buyers["buyer_id"])
    assert set(led["doc_type"]) == {"INV", "CN"}
    inv, cn = led[led["doc_type"] == "INV"], led[led["doc_type"] == "CN"]
    assert (inv["amount"] > 0).all() and (cn["amount"] < 0).all()
    assert (inv["paid_amount"] >= 0).all() and (cn["paid_amount"] <= 0).all()
    assert (led["paid_amount"].abs() <= led["amount"].abs()).all()
    assert (led["due_date"] == led["invoice_date"] + pd.to_timedelta(led["terms_days"], unit="D")).all()
    paid = led["paid_amount"] != 0
    assert led.loc[paid, "last_payment_date"].notna().all()
    assert led.loc[~paid, "last_payment_date"].isna().all()
    assert (led.loc[paid, "last_payment_date"] >= led.loc[paid, "invoice_date"]).all()
    assert (led.loc[paid, "last_payment_date"] <= AS_OF).all()
    # Money in cents; each buyer's name matches the register.
    assert np.allclose(led["amount"] * 100, np.round(led["amount"] * 100))
    names = sample.buyers.set_index("buyer_id")["buyer_name"]
    assert (led["buyer_name"] == led["buyer_id"].map(names)).all()
    # Credit notes cite an existing invoice of the same buyer.
    ref = cn["note"].str.extract(r"(INV-\d{4}-\d{5})")[0]
    owner = inv.set_index("invoice_no")["buyer_id"]
    assert (ref.map(owner) == cn["buyer_id"]).all()
    # Disputed items are still open.
    assert (led.loc[led["disputed"], "open_hc"] > 0).all()


def test_payment_behaviour_by_profile(led):
    full = (led["doc_type"] == "INV") & (led["paid_amount"] == led["amount"])
    late = (led["last_payment_date"] - led["due_date"]).dt.days[full]
    by = late.groupby(led.loc[full, "profile"]).median()
    assert by["prompt"] <= 5 and by["late"] >= 30
    assert by["prompt"] < by["normal"] < by["late"]
    assert (late < 0).mean() > 0.05  # some pay early


# ------------------------------------------------------------------------------------ buyer register


def test_buyer_register(sample):
    b = sample.buyers
    assert b["buyer_id"].is_unique and b["buyer_name"].is_unique
    assert set(b["sector"]) <= SECTORS
    domestic = b["country"] == "CN"
    assert b.loc[domestic, "province"].notna().all() and b.loc[~domestic, "province"].isna().all()
    assert b.loc[domestic, "buyer_name"].str.endswith("有限公司").all()
    assert b["region"].notna().all()
    has_fs = b["total_assets"].notna()
    assert 0.78 <= has_fs.mean() <= 0.92
    assert 0.62 <= b["insurer_limit"].notna().mean() <= 0.80
    assert (b["requested_limit"] > 0).all() and (b["negative_events"] >= 0).all()
    assert (b.loc[~has_fs, ["total_assets", "sales", "equity_book"]].isna()).all().all()


def test_financial_statements_are_consistent(sample):
    f = sample.buyers.dropna(subset=["total_assets"])
    assert (f["total_assets"] == f["total_liabilities"] + f["equity_book"]).all()
    assert (f["current_assets"] <= f["total_assets"]).all()
    assert (f["cash"] + f["inventory"] + f["receivables"] <= f["current_assets"]).all()
    assert (f["current_liabilities"] + f["long_term_debt"] <= f["total_liabilities"]).all()
    assert (f["tangible_net_worth"] <= f["equity_book"]).all()
    assert (f["cogs"] < f["sales"]).all() and (f["cogs_prev"] < f["sales_prev"]).all()
    assert (f["current_assets_prev"] <= f["total_assets_prev"]).all()
    assert (f["ebit"] <= f["sales"]).all()
    assert f["fs_year"].isin([2024, 2025]).all()


def _altman_zpp(f: pd.DataFrame) -> pd.Series:
    ta = f["total_assets"]
    return (6.56 * (f["current_assets"] - f["current_liabilities"]) / ta + 3.26 * f["retained_earnings"] / ta
            + 6.72 * f["ebit"] / ta + 1.05 * f["equity_book"] / f["total_liabilities"])


def test_financials_tell_the_same_story_as_payments(sample):
    f = sample.buyers.merge(sample.profiles, on="buyer_id").dropna(subset=["total_assets"])
    z = _altman_zpp(f)
    zone = pd.cut(z, [-np.inf, 1.10, 2.60, np.inf], labels=["distress", "grey", "safe"])
    share = zone.value_counts(normalize=True)
    assert 0.05 <= share["distress"] <= 0.25 and share["grey"] + share["safe"] >= 0.75
    assert (zone[f["profile"] == "default"] == "distress").all()
    assert z[f["profile"] == "prompt"].median() > z[f["profile"] == "late"].median() + 1.0
    assert f.loc[f["profile"] == "default", "negative_events"].min() >= 2


# ------------------------------------------------------------------------------------------- story


def test_one_buyer_holds_a_dangerous_share_and_starts_to_pay_late(sample, led):
    by_buyer = led.groupby("buyer_id")["open_hc"].sum().sort_values(ascending=False)
    share = by_buyer / by_buyer.sum()
    top = share.index[0]
    assert top == sample.highlights["top_buyer_id"]
    assert 0.18 <= share.iloc[0] <= 0.30 and share.iloc[1] < 0.05
    buyer = sample.buyers.set_index("buyer_id").loc[top]
    assert buyer["insurer_limit"] < 0.5 * by_buyer.iloc[0]
    mine = led[(led["buyer_id"] == top) & (led["doc_type"] == "INV") & (led["paid_amount"] == led["amount"])]
    late = (mine["last_payment_date"] - mine["due_date"]).dt.days
    before = late[mine["due_date"] < pd.Timestamp("2026-04-01")].mean()
    after = late[mine["due_date"] >= pd.Timestamp("2026-07-01")].mean()
    assert before < 3 and after > 15


def test_troubled_province_pays_ever_later_and_has_defaults(sample, led):
    province = sample.highlights["troubled_province"]
    here = led["province"] == province
    overdue = led["open_hc"].where(led["dpd"] > 0, 0.0)
    share_here = overdue[here].sum() / led.loc[here, "open_hc"].sum()
    share_rest = overdue[~here].sum() / led.loc[~here, "open_hc"].sum()
    assert share_here >= 0.5 and share_here > 2 * share_rest
    others = led.assign(group=led["province"].fillna(led["country"])).groupby("group")
    by_group = others.apply(lambda g: g["open_hc"].where(g["dpd"] > 0, 0).sum() / g["open_hc"].sum(),
                            include_groups=False)
    big = others["open_hc"].sum() > 2e6
    assert by_group[big].idxmax() == province
    defaults = sample.profiles.query("profile == 'default'").merge(sample.buyers, on="buyer_id")
    assert 2 <= (defaults["province"] == province).sum() <= 3
    # Days late of paid invoices rise quarter by quarter through 2026 (non-defaulters of the province).
    paid = here & (led["doc_type"] == "INV") & (led["paid_amount"] == led["amount"]) & (led["profile"] != "default")
    late = (led["last_payment_date"] - led["due_date"]).dt.days[paid]
    quarter = led.loc[paid, "due_date"].dt.quarter.where(led.loc[paid, "due_date"].dt.year == 2026, 0)
    means = late.groupby(quarter).mean()
    assert means.loc[3] > means.loc[1] + 10 > means.loc[0] + 10


def test_defaults_stopped_paying_and_owe_more_than_90_days(sample, led):
    ids = sample.highlights["default_buyer_ids"]
    assert 4 <= len(ids) <= 8
    for bid in ids:
        mine = led[led["buyer_id"] == bid]
        over_90 = mine.loc[mine["dpd"] > 90, "open_hc"].sum()
        assert over_90 > 0.4 * mine["open_hc"].sum() > 0, bid
        inv_paid = mine[(mine["doc_type"] == "INV") & (mine["paid_amount"] > 0)]
        assert inv_paid["last_payment_date"].max() <= AS_OF - pd.Timedelta(days=90), bid
    # At least two of them had their insurer limit withdrawn (0, not blank).
    limits = sample.buyers.set_index("buyer_id").loc[list(ids), "insurer_limit"]
    assert (limits == 0).sum() >= 2


def test_story_text_matches_the_data(sample, led):
    share = sample.highlights["top_buyer_share"]
    assert f"{share:.0%}" in sample.story["en"] and f"{share:.0%}" in sample.story["zh"]
    assert abs(sample.highlights["open_ar_hc"] - led["open_hc"].sum()) < 0.01
    assert sample.highlights["troubled_province"] in sample.story["en"]
    assert "河南" in sample.story["zh"]


# ---------------------------------------------------------------------------------- seller figures


def test_company_quarters_are_consistent_with_the_ledger(sample, led):
    c = sample.company
    assert list(c["quarter"]) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert c["period_end"].iloc[-1] == AS_OF and c["days"].sum() == 365
    assert abs(c["receivables_close"].iloc[-1] - led["open_hc"].sum()) <= 1
    amount_hc = led["amount"] * led["currency"].map(FX)
    quarter = led["invoice_date"].dt.to_period("Q").astype(str).str.replace("Q", "Q", regex=False)
    by_q = amount_hc.groupby(quarter).sum()
    assert np.allclose(c["sales"].to_numpy(), by_q.to_numpy(), atol=1)
    for item in gen.BALANCE_ITEMS:
        assert (c[f"{item}_open"].iloc[1:].to_numpy() == c[f"{item}_close"].iloc[:-1].to_numpy()).all(), item
    for side in ("open", "close"):
        ca = sum(c[f"{k}_{side}"] for k in ("cash", "marketable_securities", "receivables", "inventory",
                                             "prepaids"))
        cl = sum(c[f"{k}_{side}"] for k in ("accounts_payable", "short_term_debt", "other_current_liabilities"))
        assert (ca == c[f"current_assets_{side}"]).all() and (cl == c[f"current_liabilities_{side}"]).all()
    ratio = c["current_assets_close"] / c["current_liabilities_close"]
    assert ratio.is_monotonic_decreasing and ratio.iloc[0] > 1.5 and ratio.iloc[-1] < 1.25
    assert c["cash_close"].is_monotonic_decreasing
    assert (c["cogs"] < c["sales"]).all()


def test_settings(sample):
    s = sample.settings
    assert s.as_of == dt.date(2026, 9, 30) and s.home_currency == "CNY"
    assert s.fx("USD") == 7.10 and s.fx("EUR") == 7.75 and s.fx("CNY") == 1.0

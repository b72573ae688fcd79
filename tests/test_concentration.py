"""Concentration: HHI, normalised HHI, equivalent number, top-N, grouped with thresholds (SPEC §9)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_cashrisk import concentration as c

TOL = 1e-6
HHI2 = [800_000, 560_000, 240_000, 120_000]


def test_hhi1():
    a = [400, 300, 200, 100]
    assert c.shares(a).tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert c.hhi(a) == pytest.approx(0.3, abs=TOL)
    assert c.hhi(a, as_points=True) == pytest.approx(3000, abs=1e-6)
    assert c.hhi_normalised(a) == pytest.approx(0.066667, abs=TOL)
    assert c.equivalent_number(a) == pytest.approx(3.3333, abs=1e-4)
    assert (c.top_n_share(a, 1), c.top_n_share(a, 2)) == pytest.approx((0.4, 0.7), abs=TOL)


def test_hhi2():
    assert c.shares(HHI2).tolist() == pytest.approx([0.465116, 0.325581, 0.139535, 0.069767], abs=TOL)
    assert c.hhi(HHI2) == pytest.approx(0.346674, abs=TOL)
    assert c.hhi(HHI2, as_points=True) == pytest.approx(3466.74, abs=0.01)
    assert c.hhi_normalised(HHI2) == pytest.approx(0.128899, abs=TOL)
    assert c.equivalent_number(HHI2) == pytest.approx(2.8846, abs=1e-4)
    assert c.top_n_share(HHI2, 1) == pytest.approx(0.465116, abs=TOL)
    assert c.top_n_share(HHI2, 2) == pytest.approx(0.790698, abs=TOL)


@pytest.fixture
def register():
    return pd.DataFrame({
        "buyer_id": ["A", "B", "C", "D"],
        "buyer_name": ["Alpha Ltd", "Beta Inc", "Gamma Co", "Delta GmbH"],
        "amount": HHI2,
        "region": ["East", "US", "East", "West"],
        "sector": ["Retail", "Retail", "Wholesale", "Industrial"],
        "country": ["CN", "US", "CN", "CN"],
        "province": ["Guangdong", None, "Zhejiang", "Sichuan"],
    })


def test_hhi2_by_buyer_region_sector(register):
    by_buyer = c.concentration(register, "buyer_id", name="buyer_name")
    assert by_buyer.hhi == pytest.approx(0.346674, abs=TOL)
    assert by_buyer.hhi_points == pytest.approx(3466.74, abs=0.01)
    assert by_buyer.equivalent_number == pytest.approx(2.8846, abs=1e-4)
    assert by_buyer.top_shares[2] == pytest.approx(0.790698, abs=TOL)
    assert by_buyer.status == "RED"
    assert by_buyer.largest == ["Alpha Ltd", "Beta Inc", "Gamma Co"]
    assert by_buyer.table["status"].tolist() == ["RED", "RED", "YELLOW", "GREEN"]
    assert by_buyer.table["cumulative_share"].iloc[-1] == pytest.approx(1.0)

    region = c.concentration(register, "region")
    assert region.hhi == pytest.approx(0.476474, abs=TOL)
    assert region.hhi_points == pytest.approx(4764.74, abs=0.01)
    assert region.table["group"].tolist() == ["East", "US", "West"]
    assert region.table["amount"].tolist() == [1_040_000, 560_000, 120_000]

    sector = c.concentration(register, "sector")
    assert sector.hhi == pytest.approx(0.649540, abs=TOL)
    assert sector.hhi_points == pytest.approx(6495.40, abs=0.01)
    assert sector.largest == ["Retail", "Wholesale"]


def test_country_province_and_blank_key(register):
    country = c.concentration(register, "country")
    assert dict(zip(country.table["group"], country.table["amount"], strict=True)) == {
        "CN": 1_160_000, "US": 560_000}
    province = c.concentration(register, "province")
    assert "(blank)" in province.table["group"].tolist()
    assert province.table["amount"].sum() == sum(HHI2)
    both = c.concentration(register, ["country", "province"])
    assert both.by == "country / province"
    assert "CN / Guangdong" in both.table["group"].tolist()


def test_ledger_rows_are_summed_per_group():
    ledger = pd.DataFrame({"buyer_id": ["A", "A", "B", "C"], "amount": [300.0, 100.0, 300.0, 200.0]})
    res = c.concentration(ledger, "buyer_id")
    assert res.table["amount"].tolist() == [400.0, 300.0, 200.0]
    assert res.hhi == pytest.approx((16 + 9 + 4) / 81, abs=TOL)


def test_hhi3_equal_buyers():
    a = [10] * 10
    assert c.hhi(a) == pytest.approx(0.1, abs=TOL)
    assert c.hhi(a, as_points=True) == pytest.approx(1000, abs=1e-6)
    assert c.hhi_normalised(a) == pytest.approx(0.0, abs=TOL)
    assert c.equivalent_number(a) == pytest.approx(10, abs=1e-6)
    assert (c.top_n_share(a, 1), c.top_n_share(a, 2)) == pytest.approx((0.1, 0.2), abs=TOL)
    res = c.concentration(pd.DataFrame({"b": list("abcdefghij"), "amount": a}), "b")
    assert res.status == "GREEN"
    assert res.table["status"].unique().tolist() == ["YELLOW"]  # exactly 10 % is on the yellow cut-off
    assert res.largest == list("abcdefghij")
    few = c.concentration(pd.DataFrame({"b": list("abcdefghijkl"), "amount": [10] * 12}), "b")
    assert few.largest == ["a"]  # nobody reaches 10 %: the single largest is still named


def test_threshold_boundaries_and_custom():
    assert c.hhi_status(np.array([0.2500001, 0.25, 0.15, 0.1499])).tolist() == ["RED", "YELLOW", "YELLOW", "GREEN"]
    strict = c.ConcentrationThresholds(share_yellow=0.05, share_red=0.10, hhi_yellow=0.10, hhi_red=0.18)
    assert c.share_status(0.11, strict) == "RED"
    assert c.hhi_status(0.2, strict) == "RED"
    with pytest.raises(ValueError):
        c.ConcentrationThresholds(share_yellow=0.3, share_red=0.2)


def test_negative_blank_and_degenerate_inputs():
    assert c.hhi([100, -50, np.nan, 100]) == pytest.approx(0.5)
    assert math.isnan(c.hhi([0, 0]))
    assert math.isnan(c.hhi([]))
    assert math.isnan(c.equivalent_number([-1]))
    assert c.hhi_normalised([5, 0, 0]) == 1.0
    assert c.top_n_share([3, 1], 5) == 1.0
    with pytest.raises(ValueError, match="n must be"):
        c.top_n_share([1, 2], 0)
    with pytest.raises(KeyError, match="missing_col"):
        c.concentration(pd.DataFrame({"a": [1]}), "missing_col")


amounts = st.lists(st.floats(min_value=0.01, max_value=1e9, allow_nan=False), min_size=1, max_size=40)


@given(amounts)
def test_hhi_between_one_over_n_and_one(a):
    h = c.hhi(a)
    n = len(a)
    assert 1 / n - 1e-12 <= h <= 1 + 1e-12
    assert -1e-9 <= c.hhi_normalised(a) <= 1 + 1e-9
    assert c.equivalent_number(a) <= n * (1 + 1e-9)


@given(amounts, st.floats(min_value=0.001, max_value=1000))
def test_hhi_scale_and_order_invariant(a, k):
    assert c.hhi([x * k for x in a]) == pytest.approx(c.hhi(a), rel=1e-9)
    assert c.hhi(a[::-1]) == pytest.approx(c.hhi(a), rel=1e-9)


@given(amounts, st.integers(min_value=1, max_value=45))
def test_top_n_share_monotone_and_at_least_hhi_root(a, n):
    t = c.top_n_share(a, n)
    assert c.top_n_share(a, n + 1) >= t - 1e-12
    assert t >= min(n, len(a)) / len(a) - 1e-9  # the n largest hold at least their equal share
    assert c.top_n_share(a, 1) ** 2 <= c.hhi(a) + 1e-12


def test_group_labels_same_as_joining_each_row():
    # labels are built column by column; the same text as joining every row's keys with " / "
    data = pd.DataFrame({"country": ["CN", "US", None, "CN", "CN"], "year": [2024, 2025, 2024, np.nan, 2024],
                         "sector": ["Retail", " ", "Retail", "Retail", "Retail"], "amount": [5.0, 4, 3, 2, 1]})
    res = c.concentration(data, ["country", "year", "sector"])
    frame = data[["country", "year", "sector"]].copy()
    for k in frame:
        frame[k] = frame[k].astype(object).where(frame[k].notna() & (frame[k].astype(str).str.strip() != ""),
                                                 c.BLANK_GROUP)
    expected = {" / ".join(map(str, row)) for row in frame.itertuples(index=False)}
    assert set(res.table["group"]) == expected
    assert "CN / 2024.0 / Retail" in expected and "US / 2025.0 / (blank)" in expected
    assert res.table.set_index("group").loc["CN / 2024.0 / Retail", "amount"] == 6.0
    single = c.concentration(data, "year")
    assert single.table["group"].tolist() == ["2024.0", "2025.0", "(blank)"]

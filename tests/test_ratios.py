"""Working-capital ratios, CCC, health bands and the period trend (SPEC §5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_cashrisk import ratios as r

TOL = 1e-6

# SPEC §5 WC-1
CASH, SECURITIES, AR, INVENTORY, PREPAIDS, CL = 120_000, 30_000, 400_000, 350_000, 20_000, 500_000
CA = CASH + SECURITIES + AR + INVENTORY + PREPAIDS


def test_wc1_every_ratio():
    assert CA == 920_000
    assert r.working_capital(CA, CL) == pytest.approx(420_000, abs=0.01)
    assert r.current_ratio(CA, CL) == pytest.approx(1.84, abs=TOL)
    assert r.quick_ratio(CASH, SECURITIES, AR, CL) == pytest.approx(1.1, abs=TOL)
    assert r.quick_ratio_from_current_assets(CA, INVENTORY, PREPAIDS, CL) == pytest.approx(1.1, abs=TOL)
    assert r.cash_ratio(CASH, CL, SECURITIES) == pytest.approx(0.3, abs=TOL)
    assert r.cash_ratio(CASH, CL) == pytest.approx(0.24, abs=TOL)


def test_ccc1():
    dso = r.dso_average(r.average_balance(380_000, 420_000), 3_650_000)
    dio = r.dio(r.average_balance(330_000, 370_000), 2_920_000)
    dpo = r.dpo(r.average_balance(220_000, 260_000), 2_920_000)
    assert (dso, dio, dpo) == pytest.approx((40.0, 43.75, 30.0), abs=TOL)
    assert r.ccc(dso, dio, dpo) == pytest.approx(53.75, abs=TOL)


def test_days_in_period_360():
    assert r.dso_average(400_000, 3_650_000, days=360) == pytest.approx(400_000 / 3_650_000 * 360)


def test_scalar_in_python_float_out_and_arrays_broadcast():
    assert type(r.current_ratio(CA, CL)) is float
    out = r.current_ratio(np.array([920.0, 500.0, 100.0]), np.array([500.0, 500.0, 0.0]))
    assert isinstance(out, np.ndarray)
    assert out[:2].tolist() == pytest.approx([1.84, 1.0])
    assert math.isnan(out[2])  # no current liabilities: undefined, not inf


def test_undefined_ratios_are_nan_not_inf():
    for value in (r.current_ratio(1, 0), r.quick_ratio(1, 0, 1, -5), r.cash_ratio(1, 0), r.dio(1, 0)):
        assert math.isnan(value)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.0, "DANGER"), (0.999, "DANGER"), (1.0, "WATCH"), (1.49, "WATCH"), (1.5, "HEALTHY"),
     (2.0, "HEALTHY"), (3.0, "HEALTHY"), (9.0, "HEALTHY"), (-0.5, "DANGER")],
)
def test_current_ratio_health_bands(ratio, expected):
    assert r.wc_health(ratio) == expected


def test_idle_cash_note_only_above_idle_level():
    assert r.wc_health_note(3.0) == ""
    assert r.wc_health_note(3.01) == "high ratio may mean idle cash"
    assert r.wc_health_label(3.01) == "HEALTHY: high ratio may mean idle cash"
    assert r.wc_health_label(3.01, language="zh") == "健康：比率偏高，可能存在闲置现金"
    assert r.wc_health_label(1.2, language="zh") == "关注"


def test_configurable_bands_and_quick_light():
    bands = r.HealthBands(danger_below=1.2, healthy_from=2.0, idle_above=None)
    assert r.wc_health(np.array([1.1, 1.2, 1.99, 2.0, 50.0]), bands).tolist() == [
        "DANGER", "WATCH", "WATCH", "HEALTHY", "HEALTHY"]
    assert r.wc_health_note(50.0, bands) == ""
    assert r.wc_health(np.array([0.69, 0.7, 0.99, 1.0]), r.QUICK_RATIO_BANDS).tolist() == [
        "DANGER", "WATCH", "WATCH", "HEALTHY"]


def test_missing_ratio_gives_blank_status():
    assert r.wc_health(np.array([np.nan, 1.6])).tolist() == ["", "HEALTHY"]
    assert r.wc_health_label(np.nan) == ""


def test_bands_must_be_ordered():
    with pytest.raises(ValueError, match="danger_below"):
        r.HealthBands(2.0, 1.5)
    with pytest.raises(ValueError, match="idle_above"):
        r.HealthBands(1.0, 1.5, 1.2)


def test_trend_uses_averages_and_reports_changes():
    fin = pd.DataFrame(
        {
            "current_assets": [800_000, CA], "current_liabilities": [640_000, CL],
            "cash": [100_000, CASH], "marketable_securities": [0, SECURITIES], "receivables": [380_000, AR],
            "inventory": [330_000, 370_000], "payables": [220_000, 260_000],
            "sales": [3_400_000, 3_650_000], "cogs": [2_700_000, 2_920_000],
        },
        index=["FY2025", "FY2026"],
    )
    t = r.ratio_trend(fin)
    last = t.loc["FY2026"]
    # FY2026 averages: AR (380+400)/2 is not CCC-1; inventory and payables are CCC-1's openings/closings
    assert last["dio"] == pytest.approx(43.75, abs=TOL)
    assert last["dpo"] == pytest.approx(30.0, abs=TOL)
    assert last["dso"] == pytest.approx(390_000 / 3_650_000 * 365, abs=TOL)
    assert last["current_ratio"] == pytest.approx(1.84, abs=TOL)
    assert last["quick_ratio"] == pytest.approx(1.1, abs=TOL)
    assert last["cash_ratio"] == pytest.approx(0.3, abs=TOL)
    first = t.loc["FY2025"]
    assert first["dso"] == pytest.approx(380_000 / 3_400_000 * 365, abs=TOL)  # closing balance only
    assert last["current_ratio_change"] == pytest.approx(1.84 - 800 / 640, abs=TOL)
    assert math.isnan(first["current_ratio_change"])
    assert t["current_health"].tolist() == ["WATCH", "HEALTHY"]
    assert last["ccc"] == pytest.approx(last["dso"] + 43.75 - 30.0, abs=TOL)


def test_trend_quick_ratio_second_definition_and_missing_columns():
    fin = pd.DataFrame({"current_assets": [CA], "current_liabilities": [CL], "inventory": [INVENTORY],
                        "prepaids": [PREPAIDS]})
    t = r.ratio_trend(fin)
    assert t["quick_ratio"].iloc[0] == pytest.approx(1.1, abs=TOL)
    assert math.isnan(t["dso"].iloc[0])  # no sales given
    with pytest.raises(KeyError, match="current_liabilities"):
        r.ratio_trend(pd.DataFrame({"current_assets": [1.0]}))


money = st.floats(min_value=0, max_value=1e12, allow_nan=False)


@given(cash=money, ms=money, ar=money, inv=money, pre=money, cl=st.floats(min_value=1, max_value=1e12))
def test_quick_definitions_agree_and_bound_current_ratio(cash, ms, ar, inv, pre, cl):
    ca = cash + ms + ar + inv + pre
    q1 = r.quick_ratio(cash, ms, ar, cl)
    q2 = r.quick_ratio_from_current_assets(ca, inv, pre, cl)
    assert q1 == pytest.approx(q2, rel=1e-9, abs=1e-12 * ca / cl + 1e-9)  # CA − inventory cancels digits
    assert q1 <= r.current_ratio(ca, cl) * (1 + 1e-12) + 1e-9
    assert r.cash_ratio(cash, cl, ms) <= q1 * (1 + 1e-12) + 1e-9


@given(st.floats(min_value=-10, max_value=10, allow_nan=False), st.floats(min_value=0, max_value=10, allow_nan=False))
def test_higher_ratio_never_worse_band(x, bump):
    order = {"DANGER": 0, "WATCH": 1, "HEALTHY": 2}
    assert order[r.wc_health(x + bump)] >= order[r.wc_health(x)]

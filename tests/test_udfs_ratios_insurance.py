"""Excel functions for working capital, concentration and credit insurance, with Excel-shaped values."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import udfs
from udfs import insurance as ui
from udfs import ratios as ur
from xl_cashrisk.dates import date_to_serial
from xl_cashrisk.errors import ArgumentError

NAN = float("nan")


def serial(y, m, d):
    return float(date_to_serial(dt.date(y, m, d)))


def test_registered_with_categories():
    expected = {
        "WORKINGCAPITAL": "Working capital", "CURRENTRATIO": "Working capital", "QUICKRATIO": "Working capital",
        "CASHRATIO": "Working capital", "CCC": "Working capital", "WCHEALTH": "Working capital",
        "HHI": "Concentration", "TOPNSHARE": "Concentration", "HHINORM": "Concentration", "EQUIVBUYERS": "Concentration",
        "INSUREDLOSS": "Credit insurance", "UNINSUREDLOSS": "Credit insurance", "INSUREDSHARE": "Credit insurance",
        "NOTIFYBY": "Credit insurance", "CLAIMBY": "Credit insurance",
    }
    for name, category in expected.items():
        assert udfs.FUNCTIONS[name].category == category


# ------------------------------------------------------------------ working capital


def test_wc1_through_the_functions():
    assert ur.WORKINGCAPITAL(920000.0, 500000.0) == pytest.approx(420000, abs=0.01)
    assert ur.CURRENTRATIO(920000, 500000) == pytest.approx(1.84, abs=1e-6)
    assert ur.QUICKRATIO(120000, 30000, 400000, 500000) == pytest.approx(1.1, abs=1e-6)
    assert ur.QUICKRATIO(120000, None, 400000, 500000) == pytest.approx(1.04, abs=1e-6)  # blank securities = 0
    assert ur.CASHRATIO(120000, 500000, 30000) == pytest.approx(0.3, abs=1e-6)
    assert ur.CASHRATIO(120000, 500000) == pytest.approx(0.24, abs=1e-6)
    assert ur.CCC(40, 43.75, 30) == pytest.approx(53.75, abs=1e-6)


def test_ratio_columns_spill_with_blank_rows_and_scalar_broadcast():
    out = ur.CURRENTRATIO([[920000.0], [NAN], [300.0]], [[500000.0], [100.0], [None]])
    assert out[0][0] == pytest.approx(1.84) and out[1] == [""] and out[2] == [""]
    assert ur.QUICKRATIO([[100.0], [200.0]], 0, [[100.0], [100.0]], 100) == [[2.0], [3.0]]
    assert ur.CCC([[40], [10]], 43.75, [[30], [60]]) == [[53.75], [-6.25]]
    assert ur.WORKINGCAPITAL([1.0, 2.0], [0.5, 0.5]) == [0.5, 1.5]  # 1-D list → list


def test_ratio_errors_name_function_argument_and_item():
    with pytest.raises(ArgumentError, match=r"^CURRENTRATIO: current_liabilities must be a positive number, got 0"):
        ur.CURRENTRATIO(100, 0)
    with pytest.raises(ArgumentError, match=r"current_liabilities \(item 2\) must be a positive number, got -5"):
        ur.CURRENTRATIO([[1.0], [2.0]], [[1.0], [-5.0]])
    with pytest.raises(ArgumentError, match=r"QUICKRATIO: cash must be a number, got 'n/a'"):
        ur.QUICKRATIO("n/a", 0, 1, 1)
    with pytest.raises(ArgumentError, match="the cell is blank"):
        ur.CURRENTRATIO(None, 100)
    with pytest.raises(ArgumentError, match="#DIV/0!"):
        ur.CASHRATIO("#DIV/0!", 100)
    with pytest.raises(ArgumentError, match=r"as many cells as current_assets \(2\)"):
        ur.CURRENTRATIO([[1.0], [2.0]], [[1.0], [2.0], [3.0]])


def test_wchealth_labels_thresholds_and_languages():
    assert [ur.WCHEALTH(x) for x in (0.99, 1.0, 1.49, 1.5, 2.0, 3.0)] == [
        "DANGER", "WATCH", "WATCH", "HEALTHY", "HEALTHY", "HEALTHY"]
    assert ur.WCHEALTH(3.2) == "HEALTHY: high ratio may mean idle cash"
    assert ur.WCHEALTH(3.2, None, None, 0) == "HEALTHY"  # 0: no idle-cash note; blanks keep defaults
    assert ur.WCHEALTH([[1.84], [None], [0.5]], language="ZH") == [["健康"], [""], ["危险"]]
    assert ur.WCHEALTH(1.3, 1.2, 2.0) == "WATCH"
    with pytest.raises(ArgumentError, match="healthy_from must be at least danger_below"):
        ur.WCHEALTH(1.0, 2, 1)
    with pytest.raises(ArgumentError, match="idle_above"):
        ur.WCHEALTH(1.0, 1, 1.5, 1.2)
    with pytest.raises(ArgumentError, match=r'language must be one of "en", "zh"'):
        ur.WCHEALTH(1.0, language="fr")


# ------------------------------------------------------------------ concentration


def test_hhi_and_top_n_share_spec_examples():
    assert ur.HHI([[400], [300], [200], [100]]) == pytest.approx(0.3, abs=1e-6)
    assert ur.HHI([[400], [300], [200], [100]], True) == pytest.approx(3000, abs=1e-6)
    assert ur.HHI([[400], [300], [200], [100]], 1.0) == pytest.approx(3000, abs=1e-6)  # LibreOffice TRUE
    assert ur.HHI([[400], [300], [200], [100]], "true") == pytest.approx(3000, abs=1e-6)
    assert ur.HHI([[800000, 560000], [240000, 120000]]) == pytest.approx(0.346674, abs=1e-6)
    assert ur.HHI([[10]] * 10) == pytest.approx(0.1, abs=1e-6)
    assert ur.HHI([[400], [None], [300], [NAN], [200], [100], [-50]]) == pytest.approx(0.3, abs=1e-6)
    assert ur.TOPNSHARE([[800000], [560000], [240000], [120000]], 1) == pytest.approx(0.465116, abs=1e-6)
    assert ur.TOPNSHARE([[800000], [560000], [240000], [120000]], 2.0) == pytest.approx(0.790698, abs=1e-6)
    assert ur.TOPNSHARE([[1], [1]], 10) == 1.0


def test_hhinorm_and_equivbuyers_spec_examples():
    assert ur.HHINORM([[400], [300], [200], [100]]) == pytest.approx(0.066667, abs=1e-6)  # HHI-1
    assert ur.HHINORM([[800000], [560000], [240000], [120000]]) == pytest.approx(0.128899, abs=1e-6)  # HHI-2
    assert ur.HHINORM([[10]] * 10) == pytest.approx(0.0, abs=1e-12)  # HHI-3: equal buyers
    assert ur.HHINORM([[5], [None], [0], [-3]]) == 1.0  # one buyer with exposure
    assert ur.EQUIVBUYERS([[400], [300], [200], [100]]) == pytest.approx(3.3333, abs=1e-4)  # HHI-1
    assert ur.EQUIVBUYERS([[800000, 560000], [240000, 120000]]) == pytest.approx(2.8846, abs=1e-4)  # HHI-2
    assert ur.EQUIVBUYERS([[10]] * 10) == 10.0  # HHI-3
    with pytest.raises(ArgumentError, match="HHINORM: amounts must be a range with at least one positive amount"):
        ur.HHINORM([[0], [None]])
    with pytest.raises(ArgumentError, match=r"EQUIVBUYERS: amounts \(item 2\) must be a number"):
        ur.EQUIVBUYERS([[1], ["x"]])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e3, 1e9, allow_nan=False)), min_size=1, max_size=50))
def test_hhinorm_and_equivbuyers_match_plain_sums(amounts):
    exposures = [a for a in amounts if a is not None and a > 0]
    assume(exposures)
    total = math.fsum(exposures)
    h = math.fsum((a / total) ** 2 for a in exposures)
    n = len(exposures)
    want_norm = 1.0 if n == 1 else (h - 1 / n) / (1 - 1 / n)
    assert ur.HHINORM([[a] for a in amounts]) == pytest.approx(max(0.0, want_norm), rel=1e-9, abs=1e-12)
    assert ur.EQUIVBUYERS([[a] for a in amounts]) == pytest.approx(1 / h, rel=1e-9)
    assert 1 - 1e-9 <= ur.EQUIVBUYERS([[a] for a in amounts]) <= n + 1e-9


def test_concentration_errors():
    with pytest.raises(ArgumentError, match="HHI: amounts must be a range with at least one positive amount"):
        ur.HHI([[None], [0]])
    with pytest.raises(ArgumentError, match=r"amounts \(item 2\) must be a number, got 'abc'"):
        ur.HHI([[1], ["abc"]])
    with pytest.raises(ArgumentError, match="TOPNSHARE: n must be a whole number ≥ 1, got 0"):
        ur.TOPNSHARE([[1], [2]], 0)
    with pytest.raises(ArgumentError, match="n must be a whole number"):
        ur.TOPNSHARE([[1], [2]], 1.5)
    with pytest.raises(ArgumentError, match='as_points must be one of "TRUE", "FALSE"'):
        ur.HHI([[1]], "points")


# ------------------------------------------------------------------ insurance amounts


def test_insuredloss_uninsuredloss_tci_examples():
    assert ui.INSUREDLOSS(1200000, 1000000, 0.9) == pytest.approx(900000, abs=0.01)  # TCI-2
    assert ui.UNINSUREDLOSS(1200000, 1000000, 0.9) == pytest.approx(300000, abs=0.01)
    assert ui.INSUREDLOSS(1200000, 1000000, 0.9, 50000, 5000) == pytest.approx(850000, abs=0.01)  # TCI-1 #1
    assert ui.INSUREDLOSS(3000, 10000, 0.9, 0, 5000) == 0.0  # TCI-1 #3 below NQL
    assert ui.UNINSUREDLOSS(3000, 10000, 0.9, 0, 5000) == pytest.approx(3000)
    assert ui.INSUREDLOSS(300000, 250000, 0.9, 0, 5000, 60000) == pytest.approx(216000, abs=0.01)  # TCI-1 #4
    assert ui.UNINSUREDLOSS(300000, 250000, 0.9, None, None, 60000) == pytest.approx(24000, abs=0.01)


def test_insurance_columns_no_limit_and_blank_rows():
    debts = [[1200000.0], [40000.0], [None], [100000.0]]
    limits = [[1000000.0], [50000.0], [5.0], [None]]  # last buyer has no limit: nothing insured
    assert ui.INSUREDLOSS(debts, limits, 0.9) == [[900000.0], [36000.0], [""], [0.0]]
    assert ui.UNINSUREDLOSS(debts, limits, 0.9) == [[300000.0], [4000.0], [""], [100000.0]]
    assert ui.INSUREDLOSS(100000, None, 0.9) == 0.0


def test_insuredshare():
    assert ui.INSUREDSHARE(800000, 700000, 0.9) == pytest.approx(0.7875)
    assert ui.INSUREDSHARE([[800000], [560000], [240000], [120000]], [[700000], [600000], [None], [150000]], 0.9) == [
        [pytest.approx(0.7875)], [pytest.approx(0.9)], [0.0], [pytest.approx(0.9)]]
    assert ui.INSUREDSHARE(0, 1000, 0.9) == 0.0


def test_insurance_argument_errors():
    with pytest.raises(ArgumentError, match=r"INSUREDLOSS: cover_pct must be a decimal from 0 to 1 \(0.9 = 90 %\), got 90"):
        ui.INSUREDLOSS(1000, 1000, 90)
    with pytest.raises(ArgumentError, match="UNINSUREDLOSS: debt must be a number ≥ 0, got -1"):
        ui.UNINSUREDLOSS(-1, 1000, 0.9)
    with pytest.raises(ArgumentError, match=r"limit \(item 2\) must be a number ≥ 0, got 'none'"):
        ui.INSUREDLOSS([[1.0], [2.0]], [[1.0], ["none"]], 0.9)
    with pytest.raises(ArgumentError, match=r"debt must be a number ≥ 0 \(the cell is blank"):
        ui.INSUREDLOSS(None, 1, 0.9)


# ------------------------------------------------------------------ deadlines


def test_notifyby_dates_as_serials_from_every_date_form():
    thu_29_feb = serial(2024, 2, 29)
    assert ui.NOTIFYBY("2024-01-01", 59) == thu_29_feb
    assert ui.NOTIFYBY(dt.datetime(2024, 1, 1, 15, 30), 59.0) == thu_29_feb
    assert ui.NOTIFYBY(dt.date(2024, 1, 1), 59) == thu_29_feb
    assert ui.NOTIFYBY(serial(2024, 1, 1), 59) == thu_29_feb
    assert ui.NOTIFYBY("2024年1月1日", 59) == thu_29_feb
    assert ui.NOTIFYBY(serial(2024, 1, 3)) == serial(2024, 3, 1)  # default 60: Sun 3 Mar → Fri 1 Mar
    assert ui.NOTIFYBY(serial(2024, 1, 3), 60, 0, False) == serial(2024, 3, 3)
    assert ui.NOTIFYBY(serial(2024, 1, 3), 60, 0, 0.0) == serial(2024, 3, 3)  # LibreOffice FALSE
    assert ui.NOTIFYBY(serial(2026, 2, 28), 30, 90) == serial(2026, 6, 26)  # MEP end basis: Sun 28 Jun → Fri


def test_notifyby_column_month_ends_blank_and_holidays():
    dues = [[serial(2026, 1, 31)], [None], [NAN], [serial(2026, 6, 30)], [serial(2026, 7, 1)]]
    assert ui.NOTIFYBY(dues, 30) == [[serial(2026, 3, 2)], [""], [""], [serial(2026, 7, 30)], [serial(2026, 7, 31)]]
    assert ui.NOTIFYBY(serial(2026, 6, 30), 60, 0, True, [[serial(2026, 8, 28)]]) == serial(2026, 8, 27)
    assert ui.NOTIFYBY(serial(2026, 6, 30), 60, 0, True, [[None]]) == serial(2026, 8, 28)


def test_claimby():
    assert ui.CLAIMBY("2024-09-02") == serial(2025, 2, 28)  # +180 Sat 1 Mar 2025 → Fri
    assert ui.CLAIMBY("2024-09-02", 180, "FALSE") == serial(2025, 3, 1)
    assert ui.CLAIMBY("2023-09-02", 180) == serial(2024, 2, 29)  # leap day, a Thursday
    assert ui.CLAIMBY([[serial(2026, 5, 4), serial(2026, 5, 5)]], 180) == [[serial(2026, 10, 30)] * 2]


def test_deadline_errors():
    with pytest.raises(ArgumentError, match=r"NOTIFYBY: due_date must be a date \(an Excel date serial from 61"):
        ui.NOTIFYBY(60.0)
    with pytest.raises(ArgumentError, match=r"due_date \(item 2\) must be a date"):
        ui.NOTIFYBY([[serial(2026, 1, 1)], ["soon"]])
    with pytest.raises(ArgumentError, match="notify_days must be a whole number from 0 to 3,650, got -3"):
        ui.NOTIFYBY("2026-01-01", -3)
    with pytest.raises(ArgumentError, match=r"CLAIMBY: start_date must be a date \(the cell holds the Excel error #N/A"):
        ui.CLAIMBY("#N/A")
    with pytest.raises(ArgumentError, match='move_weekends must be TRUE or FALSE'):
        ui.CLAIMBY("2026-01-01", 180, "sometimes")


def test_no_nan_or_inf_reaches_a_cell():
    results = [
        ur.CURRENTRATIO([[1.0], [None]], [[2.0], [3.0]]), ur.HHI([[1e308], [1e308]]) * 2,
        ui.INSUREDLOSS([[None], [1.0]], [[None], [None]], 0.9), ui.NOTIFYBY([[None]]),
    ]
    flat = [v for r in results for v in (r if isinstance(r, list) else [r])]
    flat = [x for v in flat for x in (v if isinstance(v, list) else [v])]
    assert flat[2] == 1.0  # two equal huge amounts: HHI 0.5, no overflow
    assert all(not (isinstance(x, float) and not math.isfinite(x)) for x in flat)

"""Payment terms (CREDITTERMS, issue 19 part C) and the region/province risk factor (docs/scorecard.md).

The policy of the default scorecard, by hand: days GREEN 90, YELLOW 45, RED 0, NR 0; sector multiplier by
the sector's points (< 45 ×0.5, 45–60 ×0.75, 60–80 ×1, ≥ 80 ×1.25); region multiplier by the region's
points (< 50 ×0.5, 50–70 ×0.75, ≥ 70 ×1); the product rounded down to a multiple of 15 days.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs.scoring as u
from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import ArgumentError
from xl_cashrisk.scoring.config import ScorecardError

CARD = sc.default_scorecard()
SECTORS = sorted(CARD.factor("sector").table)
REGIONS = sorted(CARD.factor("region").table)
BAND_ORDER = ("GREEN", "YELLOW", "RED")  # best first; NR is at most YELLOW


# ----------------------------------------------------------------------------------------------
# Hand-checked lookups

@pytest.mark.parametrize(("band", "sector", "region", "days"), [
    ("GREEN", None, None, 90),                        # 90
    ("GREEN", "machinery", "Guangdong", 90),          # 90 × 1 (65 points) × 1 (85 points)
    ("GREEN", "pharma", None, 105),                   # 90 × 1.25 = 112.5 → 105
    ("GREEN", "consumer_goods", None, 60),            # 90 × 0.75 = 67.5 → 60 (fast-moving goods: tight)
    ("GREEN", "construction", "Shanghai", 45),        # 90 × 0.5 = 45
    ("GREEN", "machinery", "Liaoning", 60),           # 90 × 0.75 (60 points, tier 3) = 67.5 → 60
    ("GREEN", "retail", "辽宁省", 30),                 # 90 × 0.5 × 0.75 = 33.75 → 30
    ("YELLOW", "food", "河南", 45),                    # 45 × 1 × 1 (75 points)
    ("YELLOW", "textiles", "Northeast China", 15),    # 45 × 0.75 × 0.75 = 25.3 → 15
    ("YELLOW", "retail", "Tibet", 15),                # 45 × 0.5 × 0.75 = 16.9 → 15
    ("YELLOW", "construction", "东北", 15),            # 45 × 0.5 × 0.75 = 16.9 → 15
    ("RED", "pharma", "Shanghai", 0),                 # suspend credit sales: cash in advance
    ("NR", "pharma", "Shanghai", 0),                  # not rated: no credit until rated
    (75.0, "pharma", "华南", 105),                     # a score: its band (GREEN); South China 80 → ×1
    (40.0, None, None, 45),                           # YELLOW
    (10.0, None, None, 0),                            # RED
])
def test_terms_hand_checked(band, sector, region, days):
    assert sc.credit_terms(band, sector, region) == days


def test_terms_of_a_column_and_blank_codes():
    got = sc.credit_terms(["GREEN", "yellow", "红", "未评级", "amber", np.nan],
                          ["pharma", "", None, "food", "food", "food"], ["Gansu", "", None, "", "", ""])
    # Gansu 60 points → ×0.75: 90 × 1.25 × 0.75 = 84.4 → 75; "amber" is no band: NaN; a NaN score: NR → 0
    np.testing.assert_array_equal(got, [75.0, 45.0, 0.0, 0.0, np.nan, 0.0])


def test_region_not_in_table_and_foreign_sector_get_no_adjustment_in_the_core():
    # the core reads a code its table leaves out as "no adjustment"; CREDITTERMS refuses it (below)
    assert sc.terms_multiplier("region", "EU") == 1.0
    assert sc.credit_terms("GREEN", None, "Bavaria") == 90.0


# ----------------------------------------------------------------------------------------------
# requested_days

@given(st.sampled_from(["GREEN", "YELLOW", "RED", "NR"]), st.sampled_from([None, *SECTORS]),
       st.sampled_from([None, *REGIONS]), st.floats(0, 400, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_requested_days_honoured(band, sector, region, requested):
    allowed = sc.credit_terms(band, sector, region)
    got = sc.credit_terms(band, sector, region, requested_days=requested)
    assert got == min(allowed, requested)
    assert sc.credit_terms(band, sector, region, requested_days=math.nan) == allowed  # blank: the allowed


def test_requested_days_column():
    np.testing.assert_array_equal(sc.credit_terms("GREEN", "machinery", "广东", [30, 90, 120, np.nan]),
                                  [30.0, 90.0, 90.0, 90.0])


# ----------------------------------------------------------------------------------------------
# Monotone: never longer for a worse band, a riskier sector or a riskier region

def _points(kind: str, code: str) -> float:
    return CARD.factor(kind).table[CARD.factor(kind).code(code)]


@given(st.sampled_from(SECTORS), st.sampled_from(REGIONS), st.floats(0, 100), st.floats(0, 100),
       st.sampled_from([None, 15.0, 30.0, 60.0, 400.0]))
@settings(max_examples=300, deadline=None)
def test_never_longer_for_a_worse_band(sector, region, s1, s2, requested):
    lo, hi = sorted((s1, s2))  # a lower score is a worse (or the same) band
    assert sc.credit_terms(lo, sector, region, requested) <= sc.credit_terms(hi, sector, region, requested)
    words = [sc.credit_terms(b, sector, region, requested) for b in BAND_ORDER]
    assert words == sorted(words, reverse=True)
    assert sc.credit_terms("NR", sector, region, requested) <= words[1]


@given(st.sampled_from(["GREEN", "YELLOW", "RED", "NR"]), st.sampled_from(SECTORS), st.sampled_from(SECTORS),
       st.sampled_from(REGIONS), st.sampled_from(REGIONS))
@settings(max_examples=300, deadline=None)
def test_never_longer_for_a_riskier_sector_or_region(band, sa, sb, ra, rb):
    if _points("sector", sa) <= _points("sector", sb):  # sa is the riskier (or as risky)
        assert sc.credit_terms(band, sa, ra) <= sc.credit_terms(band, sb, ra)
    if _points("region", ra) <= _points("region", rb):
        assert sc.credit_terms(band, sa, ra) <= sc.credit_terms(band, sa, rb)


_DAYS = st.floats(0, 365, allow_nan=False)
_STEPS = st.lists(st.floats(0, 3, allow_nan=False), min_size=4, max_size=4).map(sorted)


@given(st.lists(_DAYS, min_size=3, max_size=3).map(lambda d: sorted(d, reverse=True)), st.floats(0, 1),
       _STEPS, _STEPS, st.sampled_from([1.0, 7.0, 15.0, 30.0]), st.floats(0, 100), st.floats(0, 100),
       st.sampled_from(SECTORS), st.sampled_from(SECTORS), st.sampled_from(REGIONS), st.sampled_from(REGIONS))
@settings(max_examples=150, deadline=None)
def test_any_accepted_policy_is_monotone(days, nr_share, sector_m, region_m, step, s1, s2, sa, sb, ra, rb):
    """Whatever policy the loader accepts (bands not rising, multipliers not falling as points rise),
    a worse band, sector or region never gets longer terms."""
    green, yellow, red = days
    card = CARD.with_overrides({
        "terms.bands.GREEN": green, "terms.bands.YELLOW": yellow, "terms.bands.RED": red,
        "terms.bands.NR": yellow * nr_share, "terms.round_to": step,
        "terms.sector.edges": [45.0, 60.0, 80.0], "terms.sector.multipliers": sector_m,
        "terms.region.edges": [50.0, 65.0, 80.0], "terms.region.multipliers": region_m,
    })
    (lo, hi), (sa, sb), (ra, rb) = (sorted((s1, s2)), sorted((sa, sb), key=lambda c: _points("sector", c)),
                                    sorted((ra, rb), key=lambda c: _points("region", c)))
    t = lambda b, s, r: sc.credit_terms(b, s, r, scorecard=card)  # noqa: E731
    assert t(lo, sb, rb) <= t(hi, sb, rb)
    assert t(hi, sa, rb) <= t(hi, sb, rb)
    assert t(hi, sb, ra) <= t(hi, sb, rb)
    assert t("NR", sb, rb) <= t("YELLOW", sb, rb)


@pytest.mark.parametrize(("change", "message"), [
    ({"terms.bands.YELLOW": 120}, "a worse band may not get longer terms"),
    ({"terms.bands.NR": 60}, "NR at most YELLOW"),
    ({"terms.sector.multipliers": [1.0, 0.75, 1.0, 1.25]}, "a riskier sector may not get longer terms"),
    ({"terms.region.multipliers": [1.0, 0.5]}, "2 edges need 3 multipliers"),
    ({"terms.region.multipliers": [1.0, 0.75, 0.5]}, "a riskier region may not get longer terms"),
    ({"terms.round_to": 0}, "round_to must be a number of days above 0"),
    ({"terms.bands.AMBER": 30}, "unknown AMBER"),
])
def test_loader_refuses_a_policy_that_is_not_monotone(change, message):
    with pytest.raises(ScorecardError, match=message):
        CARD.with_overrides(change)


# ----------------------------------------------------------------------------------------------
# The region factor: changes the score as its table says

def test_region_replaces_country_by_the_table():
    # paydex 85 → 90 points (weight 15), nothing overdue → 100 (weight 12), CN 75 (weight 8)
    base = {"paydex": 85.0, "max_days_overdue": 0.0, "country": "CN"}
    cn = sc.credit_score(base).score
    assert cn == pytest.approx((90 * 15 + 100 * 12 + 75 * 8) / 35)
    for region, points in (("Guangdong", 85), ("广东省", 85), ("Henan", 75), ("辽宁", 60), ("西北", 60)):
        got = sc.credit_score({**base, "region": region}).score
        assert got == pytest.approx((90 * 15 + 100 * 12 + points * 8) / 35), region
        assert got - cn == pytest.approx(8 * (points - 75) / 35)
    # a region the table does not hold (a grouping such as EU) is left out: the country counts
    assert sc.credit_score({**base, "region": "EU"}).score == pytest.approx(cn)
    # a region without a country counts on its own
    alone = sc.credit_score({"paydex": 85.0, "max_days_overdue": 0.0, "region": "Shanghai"}).score
    assert alone == pytest.approx((90 * 15 + 100 * 12 + 85 * 8) / 35)


def test_region_table_change_from_the_settings_table_reaches_the_score():
    card = sc.scorecard_from_table([["factors.region.table.河南", 40]])  # a Chinese name: the key HENAN
    assert card.factor("region").table["HENAN"] == 40
    assert len(card.factor("region").table) == len(CARD.factor("region").table)  # replaced, not added
    got = sc.credit_score({"paydex": 85.0, "max_days_overdue": 0.0, "region": "Henan"}, card).score
    assert got == pytest.approx((90 * 15 + 100 * 12 + 40 * 8) / 35)
    # and the terms follow the region's points: 40 < 50 → ×0.5
    assert sc.credit_terms("GREEN", "machinery", "河南", scorecard=card) == 45


def test_confidence_counts_region_or_country_once():
    full = {"altman_z2": 3.0, "current_ratio": 1.6, "debt_ratio": 0.5, "paydex": 82, "max_days_overdue": 0,
            "overdue_share": 0.02, "years_in_business": 12, "employees": 300, "negative_events": 0,
            "country": "CN", "sector": "pharma"}
    assert CARD.total_weight == pytest.approx(100)
    assert sc.credit_score(full).confidence == pytest.approx(1.0)
    assert sc.credit_score({**full, "region": "Jiangsu"}).confidence == pytest.approx(1.0)


def test_creditexplain_shows_the_region():
    t = u.CREDITEXPLAIN(paydex=85.0, country="CN", region="河南")
    rows = {r[0]: r for r in t[1:]}
    assert rows["Regional risk (China)"][1:4] == ["河南", "in table", 75.0]
    assert rows["Country risk"][2] == "replaced by Regional risk (China)"
    rows = {r[0]: r for r in u.CREDITEXPLAIN(paydex=85.0, country="DE", region="EU")[1:]}
    assert rows["Regional risk (China)"][1:3] == ["EU", "not in table: left out"]
    assert rows["Country risk"][1:4] == ["DE", "in table", 90.0]


def test_creditscore_region_argument_is_last_and_optional():
    row = (3.0, 1.6, 0.5, 82.0, None, 0.0, 0.02, 12.0, 300.0, "CN", "pharma", 0.0)
    before = u.CREDITSCORE(*row)
    assert u.CREDITSCORE(*row, None, "score", None) == before  # an old formula keeps its meaning
    assert u.CREDITSCORE(*row, None, "score", "Shanghai") == pytest.approx(before + 8 * (85 - 75) / 100)
    got = u.CREDITSCORE(*row[:9], [["CN"], ["CN"]], "pharma", 0.0, None, "score", [["上海"], [None]])
    assert got[0][0] == pytest.approx(before + 0.8) and got[1][0] == pytest.approx(before)
    assert u.CREDITSCORE(*row, None, "weakest", "Tibet") == u.CREDITSCORE(*row, None, "weakest", "西藏")


# ----------------------------------------------------------------------------------------------
# CREDITTERMS in cells

def test_creditterms_cells():
    assert u.CREDITTERMS("GREEN", "machinery", "Guangdong") == 90.0
    assert u.CREDITTERMS("红") == "cash in advance"
    assert u.CREDITTERMS("NR", language="zh") == "预付"
    assert u.CREDITTERMS("YELLOW", "retail", "西藏", 30) == 15.0
    assert u.CREDITTERMS(60, requested_days=45) == 45.0
    col = u.CREDITTERMS([["GREEN"], ["RED"], [None], ["未评级"]], "pharma", [["广东"], [None], ["广东"], ["Gansu"]])
    assert col == [[105.0], ["cash in advance"], [""], ["cash in advance"]]


def test_creditterms_policy_from_the_scorecard_table():
    table = [["key", "value"], ["terms.bands.GREEN", 60], ["terms.sector.multipliers", "0.5,0.75,1,1"]]
    assert u.CREDITTERMS("GREEN", "pharma", None, None, table) == 60.0  # pharma ×1 now
    with pytest.raises(ArgumentError, match=r"^CREDITTERMS: scorecard must be a valid scorecard \(.*worse band"):
        u.CREDITTERMS("GREEN", None, None, None, [["terms.bands.YELLOW", 120]])


@pytest.mark.parametrize(("args", "message"), [
    (("PURPLE",), r"CREDITTERMS: band must be GREEN, YELLOW, RED \(绿/黄/红\) or a score 0–100, got 'PURPLE'"),
    ((None,), r"CREDITTERMS: band must be .* \(the cell is blank\)"),
    ((120,), r"CREDITTERMS: band must be GREEN, YELLOW, RED or a score 0–100, got 120"),
    (("GREEN", "mining"), r"CREDITTERMS: sector must be a sector of the scorecard's sector table \(pharma, .*\), "
                          r"got 'mining'"),
    (("GREEN", 7), r"CREDITTERMS: sector must be a sector of the scorecard's sector table .*got 7"),
    (("GREEN", None, "EU"), r"CREDITTERMS: region must be a province or region of the scorecard's region table "
                            r"\(Guangdong, 广东, 华南 …; docs/scorecard.md\), got 'EU'"),
    ((["GREEN", "GREEN"], None, [["Henan"], ["Hennan"]]), r"CREDITTERMS: region \(item 2\) must be .* got 'Hennan'"),
    (("GREEN", None, None, -5), r"CREDITTERMS: requested_days must be a number ≥ 0, got -5"),
    (("GREEN", None, None, "soon"), r"CREDITTERMS: requested_days must be a number ≥ 0"),
    (("GREEN", None, None, None, None, "fr"), r"CREDITTERMS: language must be"),
])
def test_creditterms_messages_are_one_line_naming_function_and_argument(args, message):
    with pytest.raises(ArgumentError, match=message) as e:
        u.CREDITTERMS(*args)
    assert "\n" not in str(e.value)


def test_settings_table_wins_over_the_scorecard_file(tmp_path):
    """One rule for the terms policy as for every scorecard key: default → file → the Settings sheet's
    Scorecard table, key by key."""
    from xl_cashrisk.io.inputs import resolve_scorecard
    from xl_cashrisk.settings import Settings

    f = tmp_path / "card.toml"
    f.write_text('version = "acme-1"\n[terms.bands]\nGREEN = 75\nYELLOW = 30\nRED = 0\nNR = 0\n', encoding="utf-8")
    from_file = resolve_scorecard(Settings(), None, file=f)
    assert sc.credit_terms(["GREEN", "YELLOW"], scorecard=from_file).tolist() == [75.0, 30.0]
    both = resolve_scorecard(Settings(), [["terms.bands.GREEN", "60"]], file=f)
    assert sc.credit_terms(["GREEN", "YELLOW"], scorecard=both).tolist() == [60.0, 30.0]  # YELLOW from the file
    assert both.terms.sector_multipliers == CARD.terms.sector_multipliers  # neither changed it: the default


def test_register_warns_of_a_province_the_region_table_does_not_hold():
    import pandas as pd

    from xl_cashrisk.schemas.register import REGISTER
    from xl_cashrisk.schemas.rules import validate_frame

    n = 4
    frame = pd.DataFrame({c.key: [None] * n if c.dtype in ("text", "choice") else [np.nan] * n
                          for c in REGISTER.input_columns})
    frame["buyer_id"] = ["B1", "B2", "B3", "B4"]
    frame["country"] = ["CN", "CN", "CN", "DE"]
    frame["province"] = ["广东省", "Guangdong Province", np.nan, None]
    problems = validate_frame(REGISTER, frame, {c.key: np.zeros(n, dtype=bool) for c in REGISTER.input_columns},
                              sheet="Buyer Register", settings=None, headers={c.key: c.header for c in REGISTER.columns})
    region = [p for p in problems if "region table" in p.message]
    assert [p.severity for p in region] == ["warning"]  # 广东省 is Guangdong; blanks are no province
    assert "'Guangdong Province' is not in the scorecard's region table" in region[0].message
    # and the domestic buyer whose province is blank (NaN, as the reader gives it) is named
    assert sum("without a province" in p.message for p in problems) == 1

"""Credit-scoring Excel functions with Excel-shaped inputs: scalars, float cells, None/NaN blanks, 2-D
ranges (list of rows), text in number slots, Excel error strings, and the messages users see."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import udfs
from udfs import scoring as u
from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import ArgumentError

SCORE_TOL = 1e-6
MONEY = 0.01

SCORING = {"ALTMANZ", "ALTMANZONE", "EMRATING", "OHLSON", "ZMIJEWSKI", "PIOTROSKI", "PAYDEX", "DBT", "CREDITSCORE",
           "CREDITEXPLAIN", "CREDITPD", "SCOREFROMPD", "CREDITBAND", "CREDITGRADE", "CREDITLIMIT", "EXPECTEDLOSS"}


def col(*values):
    return [[v] for v in values]


def test_registered_in_category_with_argument_order():
    for name in SCORING:
        f = udfs.FUNCTIONS[name]
        assert f.category == "Credit scoring" and f.module == "udfs.scoring"
    names = lambda n: [a.name for a in udfs.FUNCTIONS[n].arguments]  # noqa: E731
    assert names("ALTMANZ") == ["working_capital", "retained_earnings", "ebit", "equity_value", "sales",
                                "total_assets", "total_liabilities", "model"]
    assert names("CREDITLIMIT") == ["annual_sales", "terms_days", "expected_dbt", "tangible_net_worth",
                                    "working_capital", "band", "vat_rate", "insurer_limit"]
    assert names("EXPECTEDLOSS")[:4] == ["pd", "lgd", "ead", "insured_share"]
    assert names("ZMIJEWSKI")[:5] == ["net_income", "total_liabilities", "total_assets", "current_assets",
                                      "current_liabilities"]
    for n in ("CREDITPD", "SCOREFROMPD", "CREDITBAND", "CREDITGRADE", "EMRATING", "CREDITSCORE", "ALTMANZ"):
        assert any(a.is_range for a in udfs.FUNCTIONS[n].arguments), n
    assert all(a.optional for a in udfs.FUNCTIONS["CREDITSCORE"].arguments)


# ----------------------------------------------------------------------------------------------
# Published models


def test_altmanz_spec_examples_and_models():
    assert u.ALTMANZ(250000.0, 300000.0, 150000.0, 900000.0, 1200000.0, 1000000.0, 450000.0) == pytest.approx(3.615, abs=SCORE_TOL)
    assert u.ALTMANZ(250000, 300000, 150000, 550000, 1200000, 1000000, 450000, "z1") == pytest.approx(2.610333, abs=SCORE_TOL)
    assert u.ALTMANZ(-50000, 20000, 10000, 150000, None, 1e6, 850000, "Z2") == pytest.approx(-0.010306, abs=SCORE_TOL)
    assert u.ALTMANZ(-50000, 20000, 10000, 150000, "", 1e6, 850000, "EM") == pytest.approx(3.239694, abs=SCORE_TOL)
    assert u.ALTMANZ("250,000", 300000, 150000, 900000, 1200000, 1000000, 450000, "Zpp") == pytest.approx(
        6.56 * 0.25 + 3.26 * 0.3 + 6.72 * 0.15 + 1.05 * 2, abs=SCORE_TOL)


def test_altmanz_column_with_blank_row():
    got = u.ALTMANZ(col(250000.0, -100000.0, None), col(300000.0, -200000.0, None), col(150000.0, -50000.0, None),
                    col(900000.0, 300000.0, None), col(1200000.0, 1600000.0, None), col(1e6, 2e6, None),
                    col(450000.0, 1800000.0, None))
    assert got[0][0] == pytest.approx(3.615, abs=SCORE_TOL) and got[1][0] == pytest.approx(0.6175, abs=SCORE_TOL)
    assert got[2] == [""]


def test_altmanzone_boundary_languages_and_ranges():
    assert u.ALTMANZONE(0, 0, 0, 0, 2.99, 1, 1) == "grey"  # Z-edge
    assert u.ALTMANZONE(120000, 200000, 80000, 600000, 1500000, 1000000, 700000) == "grey"   # Z-3
    assert u.ALTMANZONE(300000, 250000, 120000, 600000, None, 1e6, 400000, "EM", "zh") == "安全"
    assert u.ALTMANZONE(col(150000.0, -150000.0), col(100000.0, -100000.0), col(50000.0, -40000.0),
                        col(300000.0, 50000.0), None, 1e6, col(700000.0, 950000.0), "Z2") == [["grey"], ["distress"]]


def test_altman_messages():
    with pytest.raises(ArgumentError, match=r"ALTMANZ: total_assets must be a positive number, got 0"):
        u.ALTMANZ(1, 1, 1, 1, 1, 0.0, 1)
    with pytest.raises(ArgumentError, match=r"ALTMANZ: sales must be a number \(the cell is blank\)"):
        u.ALTMANZ(1, 1, 1, 1, None, 1, 1, "Z")
    with pytest.raises(ArgumentError, match=r"ALTMANZ: ebit must be a number, got 'n/a'"):
        u.ALTMANZ(1, 1, "n/a", 1, 1, 1, 1)
    with pytest.raises(ArgumentError, match=r"Excel error #DIV/0!"):
        u.ALTMANZ(1, "#DIV/0!", 1, 1, 1, 1, 1)
    with pytest.raises(ArgumentError, match=r'model must be one of "Z", "Z1", "Z2", "EM"'):
        u.ALTMANZ(1, 1, 1, 1, 1, 1, 1, "Z3")
    with pytest.raises(ArgumentError, match=r"total_liabilities must be a range with as many cells as working_capital \(2\)"):
        u.ALTMANZ(col(1.0, 2.0), 1, 1, 1, 1, 1, col(1.0, 2.0, 3.0))
    with pytest.raises(ArgumentError, match=r"retained_earnings \(item 2\) must be a number, got 'x'"):
        u.ALTMANZ(col(1.0, 2.0), col(1.0, "x"), 1, 1, 1, 1, 1)


def test_emrating():
    assert u.EMRATING(8.4144) == "AAA"
    assert u.EMRATING(col(3.239694, 1.726463, None, 5.346)) == [["CCC+"], ["D"], [""], ["BB+"]]
    with pytest.raises(ArgumentError, match="EMRATING: em_score must be a number"):
        u.EMRATING("AAA")


def test_ohlson_outputs():
    o1 = (50e6, None, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6)
    assert u.OHLSON(*o1) == pytest.approx(0.004404, abs=5e-7)
    assert u.OHLSON(*o1, "O") == pytest.approx(-5.420855, abs=SCORE_TOL)
    assert u.OHLSON(*o1, "size") == pytest.approx(13.122363, abs=SCORE_TOL)
    o3 = (50e6, 600.0, *o1[2:])
    assert u.OHLSON(*o3, "O") == pytest.approx(-4.691609, abs=SCORE_TOL)
    terms = u.OHLSON(*o1, "TERMS")
    assert terms[0] == ["term", "value"] and terms[2][0] == "SIZE"
    assert terms[2][1] == pytest.approx(-5.340802, abs=SCORE_TOL)
    o2 = u.OHLSON(10e6, 100, 11e6, 3e6, 5e6, -1.5e6, -0.8e6, -0.5e6)
    assert o2 == pytest.approx(0.550243, abs=5e-7)
    both = u.OHLSON(col(50e6, 10e6), None, col(20e6, 11e6), col(25e6, 3e6), col(10e6, 5e6), col(4e6, -1.5e6),
                    col(3.5e6, -0.8e6), col(6e6, -0.5e6), "O")
    assert both[1][0] == pytest.approx(0.201653, abs=SCORE_TOL)
    with pytest.raises(ArgumentError, match='OHLSON: output must be "P", "O" or "SIZE" when the inputs are ranges'):
        u.OHLSON(col(50e6, 10e6), None, 20e6, 25e6, 10e6, 4e6, 3.5e6, 6e6, "TERMS")


def test_ohlson_amount_unit():
    o1_thousands = (50e3, None, 20e3, 25e3, 10e3, 4e3, 3.5e3, 6e3)
    assert u.OHLSON(*o1_thousands, "O", 1000) == pytest.approx(-5.420855, abs=SCORE_TOL)  # O-1
    assert u.OHLSON(*o1_thousands, "SIZE", 1000) == pytest.approx(13.122363, abs=SCORE_TOL)
    assert u.OHLSON(*o1_thousands, "O", None) == pytest.approx(-5.420855 + 0.407 * math.log(1000), abs=SCORE_TOL)
    both = u.OHLSON(col(50e3, 10e3), None, col(20e3, 11e3), col(25e3, 3e3), col(10e3, 5e3), col(4e3, -1.5e3),
                    col(3.5e3, -0.8e3), col(6e3, -0.5e3), "O", col(1000, 1000))
    assert [r[0] for r in both] == pytest.approx([-5.420855, 0.201653], abs=SCORE_TOL)  # O-1, O-2
    with pytest.raises(ArgumentError, match="OHLSON: amount_unit must be a positive number, got 0"):
        u.OHLSON(*o1_thousands, "O", 0)


def test_zmijewski():
    assert u.ZMIJEWSKI(4e6, 20e6, 50e6, 25e6, 10e6) == pytest.approx(0.007858, abs=5e-7)
    assert u.ZMIJEWSKI(-1.5e6, 11e6, 10e6, 3e6, 5e6, "X") == pytest.approx(2.590250, abs=SCORE_TOL)
    assert u.ZMIJEWSKI(col(90e3, None), col(450e3, None), col(1e6, None), col(500e3, None), col(250e3, None)) == [
        [pytest.approx(0.014680, abs=5e-7)], [""]]
    with pytest.raises(ArgumentError, match="ZMIJEWSKI: current_liabilities must be a positive number, got 0"):
        u.ZMIJEWSKI(1, 1, 1, 1, 0)


PF_C_CUR = [30, 50, 900, 950, 180, 310, 220, 1150, 860, False]
PF_C_PREV = [40, 55, 800, 900, 200, 300, 200, 1000, 750, None]


def test_piotroski():
    assert u.PIOTROSKI([[float(v) if not isinstance(v, bool) else v for v in PF_C_CUR]], [PF_C_PREV]) == 7
    assert u.PIOTROSKI(col(80, 110, 1050, 1100, 280, 450, 250, 1350, 990, "no"),
                       col(60, None, 1000, 1050, 300, 400, 250, 1200, 900, None)) == 9
    assert u.PIOTROSKI([[-20, -10, 1000, 1100, 350, 450, 300, 1400, 1100, "yes"]],
                       [[50, 60, 1000, 1000, 200, 500, 250, 1500, 1100, None]]) == 1
    sig = u.PIOTROSKI([PF_C_CUR], [PF_C_PREV], "signals")
    assert sig[0][0] == "F_ROA" and sig[1] == [1, 1, 0, 1, 1, 0, 1, 1, 1]
    with pytest.raises(ArgumentError, match=r"PIOTROSKI: current_values must be a range of 10 cells: net income, CFO"):
        u.PIOTROSKI([PF_C_CUR[:9]], [PF_C_PREV])
    with pytest.raises(ArgumentError, match=r"equity_issued\) must be TRUE or FALSE, got 'maybe'"):
        u.PIOTROSKI([[*PF_C_CUR[:9], "maybe"]], [PF_C_PREV])
    with pytest.raises(ArgumentError, match=r"current_values \(item 3, total_assets_begin\) must be a number"):
        u.PIOTROSKI([[30, 50, None, *PF_C_CUR[3:]]], [PF_C_PREV])


# ----------------------------------------------------------------------------------------------
# PAYDEX and DBT


def test_paydex():
    a, d = col(50000.0, 30000.0, 15000.0, 5000.0), col(0.0, 15.0, 30.0, 90.0)
    assert u.PAYDEX(a, d) == pytest.approx(70.0, abs=SCORE_TOL)
    assert u.PAYDEX(a, d, "DAYS") == pytest.approx(71.0, abs=SCORE_TOL)
    assert u.PAYDEX(col(100000.0, 20000.0, 10000.0, None), col(-10.0, 0.0, 60.0, None)) == pytest.approx(80.769231, abs=SCORE_TOL)
    assert u.PAYDEX(col(1.0, 2.0), col(0.0, 1.0)) == "UN"
    assert u.PAYDEX(a, d, None, col("A", "A", "A", "A")) == "UN"
    assert u.PAYDEX(a, d, None, col("A", "B", "A", "A")) == pytest.approx(70.0)
    with pytest.raises(ArgumentError, match=r"PAYDEX: days_beyond_terms \(item 2\) must be a number \(the cell is blank but its row is not\)"):
        u.PAYDEX(col(1.0, 2.0, 3.0), col(0.0, None, 1.0))
    with pytest.raises(ArgumentError, match=r"PAYDEX: amounts \(item 1\) must be a positive number, got -1.0"):
        u.PAYDEX(col(-1.0, 2.0, 3.0), col(0.0, 0.0, 1.0))
    with pytest.raises(ArgumentError, match="as many cells as amounts"):
        u.PAYDEX(col(1.0, 2.0, 3.0), col(0.0, 1.0))


def test_dbt_buckets():
    assert u.DBT([[60000.0, 25000.0, 10000.0, 4000.0, 1000.0]]) == pytest.approx(12.30, abs=MONEY)   # DBT-1
    assert u.DBT(col(60000.0, 25000.0, 10000.0, 4000.0, 1000.0)) == pytest.approx(12.30, abs=MONEY)
    got = u.DBT([[60000, 25000, 10000, 4000, 1000], [None] * 5, [0, 0, 0, 0, 100]])
    assert got[0][0] == pytest.approx(12.3) and got[1] == [""] and got[2] == [105.0]
    assert u.DBT([[0, 100, 0, 0, 0]], [[0, 10, 40, 70, 100]]) == 10.0
    with pytest.raises(ArgumentError, match="DBT: bucket_amounts must be 5 cells per row"):
        u.DBT([[1, 2, 3]])
    with pytest.raises(ArgumentError, match="positive total"):
        u.DBT([[0, 0, 0, 0, 0]])
    with pytest.raises(ArgumentError, match=r"balance ≥ 0"):
        u.DBT([[0, -5, 0, 0, 10]])


# ----------------------------------------------------------------------------------------------
# CREDITSCORE / CREDITEXPLAIN

ROW = (3.0, 1.6, 0.5, 82.0, None, 0.0, 0.02, 12.0, 300.0, "DE", "pharma", 0.0)
ROW_INPUTS = dict(zip([k for k in u._FACTOR_RANGES if k != "region"], ROW, strict=True))


def test_creditscore_matches_core_and_outputs():
    core = sc.credit_score({k: (np.nan if v is None else v) for k, v in ROW_INPUTS.items()})
    assert u.CREDITSCORE(*ROW) == pytest.approx(core.score)
    assert u.CREDITSCORE(*ROW, None, "confidence") == pytest.approx(1.0)
    assert u.CREDITSCORE(*ROW, None, "version") == "default-2026.2"
    assert u.CREDITSCORE(*ROW[:5], 75.0, *ROW[6:], None, "cap") == "an item is more than 60 days overdue"
    assert u.CREDITSCORE(*ROW[:5], 75.0, *ROW[6:]) == 29.0


def test_creditscore_missing_and_not_rated():
    assert u.CREDITSCORE(paydex=85.0) == "NR"  # 15 % of the weight
    assert u.CREDITSCORE() == "NR"
    assert u.CREDITSCORE(paydex="UN", max_days_overdue=0.0, overdue_share=0.0) == "NR"  # "UN" = missing: 20 %
    assert u.CREDITSCORE(paydex="UN", max_days_overdue=0.0, overdue_share=0.0, years_in_business=25.0,
                         negative_events=0.0) == pytest.approx(100.0)
    assert u.CREDITSCORE(paydex=math.nan, dbt_days=0.0, max_days_overdue=0.0, overdue_share=0.0) == pytest.approx(
        (90 * 15 + 100 * 20) / 35)  # DBT 0 → PAYDEX 80 → 90 points


def test_creditscore_fill_down_ranges():
    got = u.CREDITSCORE(col(3.0, None, -1.0), 1.6, 0.5, col(82.0, "UN", 20.0), None, col(0.0, None, 95.0), 0.02,
                        12.0, 300.0, col("DE", "cn", None), "pharma", 0.0)
    assert len(got) == 3 and got[0][0] == pytest.approx(u.CREDITSCORE(*ROW))
    assert isinstance(got[1][0], float) and got[2][0] <= 29.0
    assert u.CREDITBAND(got)[2] == ["RED"]


def test_creditscore_messages():
    with pytest.raises(ArgumentError,
                       match=r"CREDITSCORE: overdue_share must be a decimal from 0 to 1 \(0.9 = 90 %\), got 25.0"):
        u.CREDITSCORE(overdue_share=25.0)
    with pytest.raises(ArgumentError, match=r"CREDITSCORE: paydex \(item 2\) must be a PAYDEX between 0 and 100, got 120"):
        u.CREDITSCORE(paydex=col(80, 120))
    with pytest.raises(ArgumentError, match=r"CREDITSCORE: country must be a code \(text\), got 86.0"):
        u.CREDITSCORE(country=86.0)
    with pytest.raises(ArgumentError, match=r"max_days_overdue must be a number ≥ 0, got -3"):
        u.CREDITSCORE(max_days_overdue=-3)
    with pytest.raises(ArgumentError, match="CREDITSCORE: scorecard must be a valid scorecard"):
        u.CREDITSCORE(*ROW, [["bands.green_min", 10.0]])


def test_creditscore_settings_table_and_never_a_file(tmp_path, monkeypatch):
    table = [["key", "value"], ["factors.country.table.DE", 10.0], ["version", "acme-7"], [None, None]]
    assert u.CREDITSCORE(*ROW, table, "version") == "acme-7"
    assert u.CREDITSCORE(*ROW, table) < u.CREDITSCORE(*ROW)
    assert u.CREDITSCORE(*ROW, "default", "version") == u.CREDITSCORE(*ROW, "DEFAULT-2026.2", "version") == "default-2026.2"
    # a cell never names a file: not an absolute path, not a name beside the working folder, not a huge text
    f = tmp_path / "card.toml"
    f.write_text('version = "file-1"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    opened = []
    monkeypatch.setattr(u.sc, "load_scorecard", lambda *a, **k: opened.append(a))
    for text in (str(f), "card.toml", [[str(f)]], "x" * 100_000, "../../etc/passwd"):
        with pytest.raises(ArgumentError, match="CREDITSCORE: scorecard must be the workbook's Scorecard table"):
            u.CREDITSCORE(*ROW, text, "version")
    assert opened == []


def test_creditexplain_table():
    t = u.CREDITEXPLAIN(*ROW)
    assert t[0] == ["factor", "input", "rule", "points", "weight", "share", "contribution"]
    body = {r[0]: r for r in t[1:]}
    assert body["Payment index (PAYDEX)"][1:4] == [82.0, "≥ 80 and < 90", 90.0]
    assert body["score"][1] == pytest.approx(u.CREDITSCORE(*ROW))
    assert body["scorecard version"][1] == "default-2026.2"
    assert sum(r[6] for r in t[1:12]) == pytest.approx(body["score"][1])
    assert all(not (isinstance(v, float) and math.isnan(v)) for r in t for v in r)  # no NaN reaches a cell
    zh = u.CREDITEXPLAIN(*ROW, None, "zh")
    assert zh[0][0] == "因素" and any(r[0] == "评分卡版本" for r in zh)
    with pytest.raises(ArgumentError, match="CREDITEXPLAIN: altman_z2 must be a single cell"):
        u.CREDITEXPLAIN(col(1.0, 2.0))


# ----------------------------------------------------------------------------------------------
# PD, band, grade


def test_creditpd_scorefrompd():
    assert u.CREDITPD(50.0) == pytest.approx(1 / 21, rel=1e-6)
    assert u.CREDITPD(col(100.0, None, "NR", 0.0)) == [[pytest.approx(0.001560, abs=5e-7)], [""], ["NR"],
                                                        [pytest.approx(0.615385, abs=5e-7)]]
    assert u.SCOREFROMPD(0.01) == pytest.approx(73.0743, abs=5e-5)
    assert u.SCOREFROMPD([[0.02, 0.05]]) == [[pytest.approx(62.9278, abs=5e-5), pytest.approx(49.26, abs=5e-5)]]
    assert u.SCOREFROMPD(0.02, 600, 50, 20) == pytest.approx(599.4171, abs=5e-5)
    assert u.CREDITPD(u.SCOREFROMPD(0.07, 60, 10, 15), 60, 10, 15) == pytest.approx(0.07)
    with pytest.raises(ArgumentError, match=r"SCOREFROMPD: pd must be a probability between 0 and 1, both excluded"):
        u.SCOREFROMPD(0.0)
    with pytest.raises(ArgumentError, match=r"CREDITPD: score \(item 1\) must be a score between 0 and 100, got 120"):
        u.CREDITPD(col(120, 3))
    with pytest.raises(ArgumentError, match="CREDITPD: pdo must be a positive number, got 0"):
        u.CREDITPD(50, None, None, 0)


@given(st.floats(0, 100))
def test_scorefrompd_inverts_creditpd(s):
    assert u.SCOREFROMPD(u.CREDITPD(s)) == pytest.approx(s, abs=1e-8)


def test_creditband_and_grade():
    assert u.CREDITBAND(51.0) == "GREEN" and u.CREDITBAND(50.5) == "YELLOW" and u.CREDITBAND(29.0) == "RED"
    assert u.CREDITBAND(col(80.0, 40.0, 10.0, None, "NR"), "zh") == [["绿"], ["黄"], ["红"], [""], ["未评级"]]
    assert u.CREDITBAND(10.0, "zh", "meaning") == "暂停赊销"
    assert u.CREDITBAND(col(72.0, 25.0), "en", "letter") == [["A"], ["D"]]
    assert u.CREDITBAND(55.0, "en", "light", 60, 40) == "YELLOW"
    with pytest.raises(ArgumentError, match=r"CREDITBAND: yellow_min must be below green_min \(51\), got 60"):
        u.CREDITBAND(55.0, "en", "light", None, 60)
    with pytest.raises(ArgumentError, match='CREDITBAND: language must be one of "en", "zh"'):
        u.CREDITBAND(55.0, "fr")
    assert u.CREDITGRADE(col(95.0, 51.0, 50.0, 0.0, "NR", None)) == [[1], [5], [6], [10], ["NR"], [""]]
    assert u.CREDITGRADE(64.0) == 4


# ----------------------------------------------------------------------------------------------
# CREDITLIMIT, EXPECTEDLOSS


def test_creditlimit_cl1_and_caps():
    base = (1200000.0, 60.0, 10.0, 2000000.0, 900000.0)
    assert u.CREDITLIMIT(*base, "GREEN") == pytest.approx(180000, abs=MONEY)
    assert u.CREDITLIMIT(*base, "yellow") == pytest.approx(90000, abs=MONEY)
    assert u.CREDITLIMIT(*base, "红") == 0.0
    assert u.CREDITLIMIT(*base, 75.0) == pytest.approx(180000, abs=MONEY)
    assert u.CREDITLIMIT(*base, "GREEN", 0, 120000.0) == 120000.0
    assert u.CREDITLIMIT(1200000.0, 60.0, None, None, 900000.0, "GREEN", None) == pytest.approx(180000, abs=MONEY)
    got = u.CREDITLIMIT(*base, col("GREEN", "YELLOW", "RED", "NR", None))
    assert got == [[pytest.approx(180000)], [pytest.approx(90000)], [0.0], ["NR"], [""]]
    with pytest.raises(ArgumentError, match=r"CREDITLIMIT: band must be GREEN, YELLOW, RED \(绿/黄/红\) or a score 0–100, got 'amber'"):
        u.CREDITLIMIT(*base, "amber")
    with pytest.raises(ArgumentError, match=r"tangible_net_worth must be a number \(or give working_capital\)"):
        u.CREDITLIMIT(1200000.0, 60.0, 10.0, None, None, "GREEN")
    with pytest.raises(ArgumentError, match=r"vat_rate must be a decimal from 0 to 1"):
        u.CREDITLIMIT(*base, "GREEN", 13)


def test_expectedloss_el1_el2():
    assert u.EXPECTEDLOSS(0.02, 0.45, 1000000.0) == pytest.approx(9000, abs=MONEY)
    ead = col(800000.0, 560000.0, 240000.0, 120000.0)
    pd_ = col(0.01, 0.03, 0.08, 0.20)
    lim = col(700000.0, 600000.0, 0.0, 150000.0)
    seller = u.EXPECTEDLOSS(pd_, 0.6, ead, 0.9, lim)
    gross = u.EXPECTEDLOSS(pd_, 0.6, ead, 0.9, lim, "gross")
    insurer = u.EXPECTEDLOSS(pd_, 0.6, ead, 0.9, lim, "insurer")
    np.testing.assert_allclose([r[0] for r in seller], [1020, 1008, 11520, 1440], atol=MONEY)
    np.testing.assert_allclose([r[0] for r in gross], [4800, 10080, 11520, 14400], atol=MONEY)
    np.testing.assert_allclose([r[0] for r in insurer], [3780, 9072, 0, 12960], atol=MONEY)
    assert u.EXPECTEDLOSS(0.02, 0.45, 1000000.0, 0.9) == pytest.approx(900, abs=MONEY)  # no limit: all insured
    with pytest.raises(ArgumentError, match=r"EXPECTEDLOSS: lgd must be a decimal from 0 to 1"):
        u.EXPECTEDLOSS(0.02, 45, 1000000.0)


@given(st.floats(0, 1e8), st.floats(0, 180), st.floats(0, 1e8), st.floats(0, 1e8),
       st.sampled_from(["GREEN", "YELLOW", "RED", "绿", "黄", "红"]))
def test_creditlimit_red_zero_and_capped(sales, terms, tnw, wc, band):
    got = u.CREDITLIMIT(sales, terms, 0.0, tnw, wc, band)
    assert 0 <= got <= min(0.1 * tnw, 0.2 * wc) + 1e-6
    if band in ("RED", "红"):
        assert got == 0

"""The one values module (xl_cashrisk/schemas/values.py): one reading of dates, numbers, percents and
flags, and every reader agreeing with it (issue 15)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import _args
from xl_cashrisk.errors import ArgumentError, InputError
from xl_cashrisk.io.inputs import parse_date as as_of_of
from xl_cashrisk.io.validate import convert_column
from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.settings import Setting

EPOCH_1900, EPOCH_1904 = dt.date(1899, 12, 30), dt.date(1904, 1, 1)
days = st.dates(min_value=V.FIRST_DATE, max_value=V.LAST_DATE)


@settings(max_examples=300, deadline=None)
@given(days, st.sampled_from(["iso", "slash", "dot", "cn", "time", "offset", "z", "serial", "serial1904"]))
def test_every_spelling_of_a_date_reads_as_that_date(day, spelling):
    text = {"iso": day.isoformat(), "slash": f"{day.year}/{day.month}/{day.day}", "dot": f"{day.year}.{day.month}.{day.day}",
            "cn": f"{day.year}年{day.month}月{day.day}日", "time": f"{day.isoformat()} 23:59:59",
            "offset": f"{day.isoformat()}T02:00:00+08:00", "z": f"{day.isoformat()}T23:30:00Z",
            "serial": float((day - EPOCH_1900).days), "serial1904": float((day - EPOCH_1904).days)}[spelling]
    if spelling == "serial1904" and day < EPOCH_1904:
        return
    assert V.parse_date(text, date1904=spelling == "serial1904") == day


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_no_date_outside_excel_wraps_around(day):
    """Dates outside 1900-03-01 … 9999-12-30 are refused whatever their form, never moved by an overflow."""
    inside = V.FIRST_DATE <= day <= V.LAST_DATE
    for value in (day, day.isoformat(), np.datetime64(day, "D")):
        if inside:
            assert V.parse_date(value) == day
        else:
            with pytest.raises(V.ValueRefused, match="not a valid Excel date"):
                V.parse_date(value)
    col = convert_column(LEDGER.column("due_date"), np.array([day], dtype=object), np.array([2]),
                         reference=dt.date(2026, 9, 30))
    near = abs((day - dt.date(2026, 9, 30)).days) <= V.PLAUSIBLE_YEARS * 365.2425
    assert col[1][0] == (not (inside and near))
    if not col[1][0]:
        assert col[0][0].astype("datetime64[D]").astype(dt.date) == day


@pytest.mark.parametrize(("text", "reason"), [
    ("2026", "incomplete"), ("2026-07", "incomplete"), ("2026年7月", "incomplete"), ("2026/7", "incomplete"),
    ("2026-02-30", "no_such_day"), ("2026-13-01", "no_such_day"), ("1899-12-31", "out_of_range"),
    ("0001-01-01", "out_of_range"), ("9999-12-31", "out_of_range"), ("30/09/2026", "unreadable"), ("soon", "unreadable"),
    ("2026-09-30T25:00", "unreadable"),
])
def test_dates_refused_with_their_reason(text, reason):
    with pytest.raises(V.ValueRefused) as exc:
        V.parse_date(text)
    assert exc.value.reason == reason


def test_serials_honour_the_1904_system_and_refuse_the_rest():
    d, why = V.serial_dates(np.array([44011.0, -1.0, 0.0, 2957003.0, np.nan]), date1904=True)
    assert d[:3].tolist() == [dt.date(2024, 6, 30), None, dt.date(1904, 1, 1)]
    assert why.tolist() == [None, "bad_serial", None, "bad_serial", None]
    d, why = V.serial_dates(np.array([61.0, 60.0, 2958464.0, 2958465.0, np.inf, 1.797e308]))
    assert d[[0, 2]].tolist() == [dt.date(1900, 3, 1), dt.date(9999, 12, 30)]
    assert why.tolist() == [None, "bad_serial", None, "bad_serial", "bad_serial", "bad_serial"]


def test_plausibility_names_the_day_and_the_reference():
    ref = dt.date(2026, 9, 30)
    assert V.parse_date("2076-09-29", reference=ref) == dt.date(2076, 9, 29)
    with pytest.raises(V.ValueRefused, match="3026-10-14 is more than 50 years after the as-of date 2026-09-30"):
        V.parse_date("3026-10-14", reference=ref)
    with pytest.raises(V.ValueRefused, match="1970-01-01 is more than 50 years before"):
        V.parse_date(dt.date(1970, 1, 1), reference=ref)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False))
def test_thousands_separators_and_accounting_negatives_read_back(x):
    value = float(x)
    assert V.parse_number(f"{value:,.2f}") == pytest.approx(value, abs=1e-9)
    assert V.parse_number(f"({abs(value):,.2f})") == pytest.approx(-abs(value), abs=1e-9)


@pytest.mark.parametrize(("text", "reason"), [
    ("5%", "percent_sign"), ("7.777,77", "decimal_comma"), ("12,34", "decimal_comma"), ("nan", "nonfinite"),
    ("inf", "nonfinite"), ("1e999", "nonfinite"), ("(-5)", "unreadable"), ("abc", "unreadable"), ("1,2345", "decimal_comma"),
])
def test_numbers_refused_with_their_reason(text, reason):
    with pytest.raises(V.ValueRefused) as exc:
        V.parse_number(text)
    assert exc.value.reason == reason


def test_a_percent_is_read_only_where_a_percentage_belongs():
    assert V.parse_percent("5%") == 0.05 and V.parse_percent("12.5 %") == 0.125 and V.parse_percent(0.3) == 0.3
    amount = convert_column(LEDGER.column("amount"), np.array(["5%", "1,000"], dtype=object), np.array([2, 3]))
    assert amount[1].tolist() == [True, False] and "a percentage where an amount belongs" in amount[2][0].message


@pytest.mark.parametrize("word", sorted(V.TRUE_WORDS | V.FALSE_WORDS))
def test_one_set_of_flag_words_everywhere(word):
    """Settings, Policy, Scenarios, ledger cells and Excel functions read the same words (``t`` was TRUE on
    the Settings sheet and an error in a Policy)."""
    want = word in V.TRUE_WORDS
    for text in (word, word.upper(), f" {word} "):
        assert V.parse_bool(text) is want
        assert Setting("flag", "标志", "Flag", "bool").parse(text) is want
        assert _args.flag(text, "F", "flag", default=not want) is want
        typed, bad, _ = convert_column(LEDGER.column("disputed"), np.array([text], dtype=object), np.array([2]))
        assert not bad[0] and bool(typed[0]) is want


@pytest.mark.parametrize("value", ["2026-09-30", "2026/9/30", "2026年9月30日", "2026-09-30T08:00:00+08:00", 46295.0,
                                   dt.datetime(2026, 9, 30, 17, 0)])
def test_every_reader_gives_the_same_date(value):
    want = dt.date(2026, 9, 30)
    assert V.parse_date(value) == want
    assert as_of_of(value) == want
    assert Setting("as_of", "基准日", "As-of", "date").parse(value) == want
    assert _args.date(value, "F", "d") == want
    typed, bad, _ = convert_column(LEDGER.column("invoice_date"), np.array([value], dtype=object), np.array([2]))
    assert not bad[0] and typed[0].astype("datetime64[D]").astype(dt.date) == want


@pytest.mark.parametrize("value", ["2026", "2026-07", "3026-09-30", "9999-12-31", 2958465.0, "0001-01-01"])
def test_every_reader_refuses_the_same_odd_as_of(value):
    with pytest.raises(InputError):
        as_of_of(value)
    with pytest.raises(ValueError):
        Setting("as_of", "基准日", "As-of", "date").parse(value)
    if not isinstance(value, float) and value != "3026-09-30":  # an Excel function takes any Excel date
        with pytest.raises(ArgumentError):
            _args.date(value, "F", "d")


def test_a_text_longer_than_a_cell_is_refused_with_its_cell():
    col = convert_column(LEDGER.column("buyer_name"), np.array(["ok", "名" * 40_000, "x" * 32_767], dtype=object),
                         np.array([2, 3, 4]))
    assert col[1].tolist() == [False, True, False]
    assert col[2][0].row == 3 and "text of 40,000 characters; a cell holds at most 32,767" in col[2][0].message

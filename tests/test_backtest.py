"""The backtest: scores replayed at past month-ends with what was known then, lead times on a hand-built
ledger, the measures on the sample portfolio, the command and the ribbon action."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from test_validation import brute_ks, pairwise_auc

from udfs._actions import ACTIONS, WorkbookTarget, run_action
from xl_cashrisk.cli import cli
from xl_cashrisk.errors import InputError
from xl_cashrisk.pipelines.backtest import register_as_of, run_backtest
from xl_cashrisk.reports.backtest import BACKTEST_SHEET, LEADS_SHEET
from xl_cashrisk.sample.workbooks import write_sample_workbooks
from xl_cashrisk.settings import Settings


def _tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buyer X: one invoice of 10,000 dated 1 Jan 2026, due 31 Jan, never paid. Its oldest item past due at
    the month-ends Jan…Jun: 0, 28, 59, 89, 120, 150 days. The default scorecard caps the score at 50
    (YELLOW, below green_min 51) from 31 DPD and at 29 (RED, below yellow_min 30) from 61 DPD; default is
    > 90 DPD. So: first YELLOW 31 Mar, first RED 30 Apr, default 31 May → lead 2 and 1 months.
    Buyer Y: an invoice of 5,000 each month, paid on its due date: never overdue, never defaults."""
    rows = [("X1", "X", "2026-01-01", "2026-01-31", 10000.0, 0.0, None)]
    for m in range(1, 7):
        inv = dt.date(2026, m, 3)
        due = inv + dt.timedelta(days=30)
        rows.append((f"Y{m}", "Y", inv.isoformat(), due.isoformat(), 5000.0, 5000.0, due.isoformat()))
    ledger = pd.DataFrame(rows, columns=["invoice_no", "buyer_id", "invoice_date", "due_date", "amount",
                                         "paid_amount", "last_payment_date"])
    for c in ("invoice_date", "due_date", "last_payment_date"):
        ledger[c] = pd.to_datetime(ledger[c])
    ledger["currency"], ledger["doc_type"] = "CNY", "INV"
    return ledger, pd.DataFrame({"buyer_id": ["X", "Y"], "country": ["CN", "CN"]})


def test_known_lead_times_on_a_hand_built_ledger():
    ledger, register = _tiny()
    r = run_backtest(register, ledger, Settings(as_of=dt.date(2026, 6, 30)), horizon=1)
    x = r.panel[r.panel["buyer_id"] == "X"]
    assert x["max_dpd_open"].tolist() == [0, 28, 59, 89, 120, 150]
    assert x["band"].tolist()[2:4] == ["YELLOW", "RED"]
    b = r.buyers.set_index("buyer_id")
    assert b.loc["X", ["first_yellow", "first_red", "default_month"]].tolist() == [
        "2026-03-31", "2026-04-30", "2026-05-31"]
    assert b.loc["X", "lead_yellow_months"] == 2 and b.loc["X", "lead_red_months"] == 1
    assert not b.loc["Y", "defaulted"] and b.loc["Y", "first_red"] == ""
    # horizon 1: buyer-months at Jan…May; X counts until it defaults (4), Y every month (5); one default ahead
    assert r.measure("observations") == 9 and r.measure("defaults_in_horizon") == 1
    assert r.measure("hit_rate_yellow") == 1 and r.measure("false_alarm_rate_red") == 0
    assert r.measure("mean_lead_yellow_months") == 2


def test_payments_count_only_when_dated_and_default_days_are_an_option():
    ledger, register = _tiny()
    ledger.loc[0, ["paid_amount", "last_payment_date"]] = [10000.0, pd.Timestamp("2026-05-15")]  # X pays late
    r = run_backtest(register, ledger, Settings(as_of=dt.date(2026, 6, 30)), horizon=1)
    x = r.panel[r.panel["buyer_id"] == "X"]
    # open until the May payment, as known then; nothing open afterwards
    np.testing.assert_array_equal(x["max_dpd_open"], [0, 28, 59, 89, np.nan, np.nan])
    assert not r.buyers.set_index("buyer_id").loc["X", "defaulted"]
    r60 = run_backtest(register, ledger, Settings(as_of=dt.date(2026, 6, 30)), horizon=1, default_dpd=60)
    assert r60.buyers.set_index("buyer_id").loc["X", "default_month"] == "2026-04-30"


def test_statements_count_from_the_year_after_their_year():
    reg = pd.DataFrame({"buyer_id": ["A", "B", "C"], "fs_year": [2025, 2026, np.nan],
                        "total_assets": [100.0, 200.0, 300.0], "dbt": [5.0, 6.0, 7.0]})
    jan = register_as_of(reg, dt.date(2026, 1, 31))
    assert jan["total_assets"].tolist()[0] == 100.0 and jan["total_assets"].isna().tolist()[1:] == [True, True]
    assert jan["dbt"].isna().all()  # the register's payment record is today's: the ledger refills it
    dec = register_as_of(reg, dt.date(2025, 12, 31))
    assert dec["total_assets"].isna().all()
    assert reg["total_assets"].notna().all()  # the input is not modified


def test_short_history_refused():
    ledger, register = _tiny()
    with pytest.raises(InputError, match=r"2 month-end\(s\).*at least 3"):
        run_backtest(register, ledger, Settings(as_of=dt.date(2026, 2, 28)))
    with pytest.raises(InputError, match="horizon of at most 5 months"):
        run_backtest(register, ledger, Settings(as_of=dt.date(2026, 6, 30)), horizon=6)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bt")
    book = write_sample_workbooks(tmp)[0]
    out = tmp / "bt.xlsx"
    res = CliRunner().invoke(cli, ["backtest", str(book), "--out", str(out)])
    return book, out, res


def test_backtest_command_on_the_sample(sample_run):
    _, out, res = sample_run
    assert res.exit_code == 0, res.output
    assert out.exists() and out.with_suffix(".png").stat().st_size > 10_000
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(BACKTEST_SHEET).to_python()
    measures = {r[0]: r[1] for r in rows[2:14] if r[0]}
    for key in ("AUC 曲线下面积", "Gini (accuracy ratio) 基尼系数", "KS 区分度", "Hit rate, YELLOW ≥ 1 month ahead 预警命中率",
                "False-alarm rate, RED 误报率"):
        assert 0 <= measures[key] <= 1, key
    assert measures["AUC 曲线下面积"] > 0.75  # the sample's defaulters stop paying: the score sees it
    leads = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(LEADS_SHEET).to_python()
    body = [r for r in leads[2:] if str(r[0]).startswith("B")]
    assert len(body) == measures["Buyers in default by the end 违约客户数"] >= 6
    assert all(isinstance(r[3], float) and r[3] >= 0 for r in body if r[6] == "yes 是")
    assert "AUC" in res.output and "mean lead" in res.output


def test_sample_measures_match_an_independent_computation(sample_run):
    from xl_cashrisk.io.inputs import read_scoring_inputs

    inputs = read_scoring_inputs(sample_run[0])
    r = run_backtest(inputs.register, inputs.ledger, inputs.settings, scorecard=inputs.scorecard)
    # the buyer-months again, from the panel, by brute force
    p = r.panel
    wide = {k: p.pivot(index="buyer_id", columns="period", values=k) for k in ("score", "in_default", "has_ledger")}
    risk, y = [], []
    for t in range(len(r.month_ends) - r.horizon):
        for b in wide["score"].index:
            if wide["has_ledger"].at[b, t] and not wide["in_default"].at[b, t] and not np.isnan(wide["score"].at[b, t]):
                risk.append(-wide["score"].at[b, t])
                y.append(bool(wide["in_default"].at[b, t + r.horizon]))
    assert r.measure("observations") == len(y) and r.measure("defaults_in_horizon") == sum(y)
    assert r.measure("auc") == pytest.approx(pairwise_auc(risk, y), abs=1e-12)
    assert r.measure("ks") == pytest.approx(brute_ks(risk, y), abs=1e-12)
    # the sample's six planted defaulters are among the buyers in default
    from xl_cashrisk.sample import load_sample

    planted = set(load_sample().highlights["default_buyer_ids"])
    assert planted <= set(r.buyers.loc[r.buyers["defaulted"], "buyer_id"])
    c = r.calibration
    assert c["observations"].sum() == len(y) and c["defaults"].sum() == sum(y)


def test_ribbon_action_runs_the_backtest(sample_run, tmp_path):
    assert "backtest_warnings" in ACTIONS
    res = run_action("backtest_warnings", WorkbookTarget(sample_run[0], options={"out": tmp_path / "r.cashrisk.xlsx"}))
    assert BACKTEST_SHEET in res.sheets_written and "AUC" in res.message
    assert (tmp_path / "r.backtest.png").exists()


def test_backtest_command_refuses_a_short_history_with_exit_3(sample_run, tmp_path):
    out = tmp_path / "x.xlsx"
    res = CliRunner().invoke(cli, ["backtest", str(sample_run[0]), "--out", str(out), "--as-of", "2025-11-30"])
    assert res.exit_code == 3 and "at least 3" in res.output and not out.exists()
    res = CliRunner().invoke(cli, ["backtest", str(sample_run[0]), "--out", str(out), "--horizon", "0"])
    assert res.exit_code == 2

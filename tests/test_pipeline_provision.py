"""The provision matrix from the ledger's own month-ends (IFRS 9 / CAS 22 账龄迁徙率法): a worked example
computed by hand, the refusal on a short history, the command, the analyze step and the ribbon action."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from udfs._actions import ACTIONS, WorkbookTarget, run_action
from xl_cashrisk.cli import cli
from xl_cashrisk.errors import InputError
from xl_cashrisk.pipelines.ageing import run_ageing
from xl_cashrisk.pipelines.analysis import AnalysisInputs, run_analysis
from xl_cashrisk.pipelines.provision import bucket_history, month_ends, run_provision
from xl_cashrisk.reports.provision import PROVISION_SHEET
from xl_cashrisk.sample.workbooks import write_sample_workbooks
from xl_cashrisk.settings import Settings


def _ledger() -> pd.DataFrame:
    """Seven documents, January to March 2026 (CNY). Open balance at each month-end by days past due:

    ==========  ==========================  ==========  ==================  ==================
    invoice     dates / payment             31 Jan      28 Feb              31 Mar
    ==========  ==========================  ==========  ==================  ==================
    A 1,000     inv 5 Jan, due 20 Jan,      1-30 (11)   paid                paid
                paid in full 10 Feb
    B 2,000     inv 10 Jan, due 9 Feb       current     1-30 (19)           31-60 (50)
    C   500     inv 15 Jan, due 25 Jan,     1-30 (6)    31-60 (34)          paid
                paid in full 15 Mar
    D 4,000     inv 15 Feb, due 17 Mar,     —           current             1-30 (14): 3,000
                1,000 paid 20 Mar
    E   800     inv 2 Jan, due 2 Jan        1-30 (29)   31-60 (57)          >60 (88)
    F 3,000     inv 1 Mar, due 31 Mar       —           —                   current (0)
    G  −300     credit note 1 Feb           never aged
    ==========  ==========================  ==========  ==================  ==================
    """
    rows = [("A", "2026-01-05", "2026-01-20", 1000, 1000, "2026-02-10", "INV"),
            ("B", "2026-01-10", "2026-02-09", 2000, 0, None, "INV"),
            ("C", "2026-01-15", "2026-01-25", 500, 500, "2026-03-15", "INV"),
            ("D", "2026-02-15", "2026-03-17", 4000, 1000, "2026-03-20", "INV"),
            ("E", "2026-01-02", "2026-01-02", 800, 0, None, "INV"),
            ("F", "2026-03-01", "2026-03-31", 3000, 0, None, "INV"),
            ("G", "2026-02-01", "2026-02-01", -300, 0, None, "CN")]
    df = pd.DataFrame(rows, columns=["invoice_no", "invoice_date", "due_date", "amount", "paid_amount",
                                     "last_payment_date", "doc_type"])
    for c in ("invoice_date", "due_date", "last_payment_date"):
        df[c] = pd.to_datetime(df[c])
    df["amount"] = df["amount"].astype(float)
    df["paid_amount"] = df["paid_amount"].astype(float)
    df["buyer_id"], df["currency"] = "B1", "CNY"
    return df


SETTINGS = dict(as_of=dt.date(2026, 3, 31), bucket_edges=(30, 60), home_currency="CNY")
# the table above, summed per bucket (current, 1-30, 31-60, >60)
HISTORY = [[2000, 2300, 0, 0],
           [4000, 2000, 1300, 0],
           [3000, 3000, 2000, 800]]
# migration rates by hand: m_i = Σ_t B[t+1, i+1] / Σ_t B[t, i]
M = [F(2000 + 3000, 2000 + 4000),   # current → 1-30: 5/6
     F(1300 + 2000, 2300 + 2000),   # 1-30 → 31-60: 33/43
     F(0 + 800, 0 + 1300),          # 31-60 → >60: 8/13
     F(1)]                          # >60: last_rate 1
# loss rates: products to the end — 1320/3354, 264/559, 8/13, 1
L = [M[0] * M[1] * M[2], M[1] * M[2], M[2], M[3]]
# provision on 31 March: 3000·L0 + 3000·L1 + 2000·L2 + 800·1 = 4,628.26
PROVISION = 3000 * L[0] + 3000 * L[1] + 2000 * L[2] + 800 * L[3]


def test_month_ends_from_the_first_invoice_to_the_as_of_date():
    assert month_ends(dt.date(2026, 1, 5), dt.date(2026, 3, 31)) == [
        dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    assert month_ends(dt.date(2026, 1, 5), dt.date(2026, 3, 30))[-1] == dt.date(2026, 2, 28)


def test_bucket_history_replays_payments_as_dated():
    s = Settings(**SETTINGS)
    hist = bucket_history(_ledger(), s, month_ends(dt.date(2026, 1, 2), s.as_of))
    assert list(hist.columns) == ["current", "1-30", "31-60", ">60"]
    np.testing.assert_allclose(hist.to_numpy(), HISTORY)


def test_worked_example_rates_and_provision_by_hand():
    r = run_provision(_ledger(), Settings(**SETTINGS))
    m = r.matrix
    np.testing.assert_allclose(m["migration_rate"], [float(x) for x in M], rtol=1e-12)
    np.testing.assert_allclose(m["loss_rate"], [float(x) for x in L], rtol=1e-12)
    np.testing.assert_allclose(m["balance"], HISTORY[-1])
    np.testing.assert_allclose(m["held"][:3], [6000, 4300, 1300])
    np.testing.assert_allclose(m["rolled_next"][:3], [5000, 3300, 800])
    assert r.total_provision == pytest.approx(float(PROVISION), abs=1e-9)
    assert round(r.total_provision, 2) == 4628.26
    assert r.coverage == pytest.approx(float(PROVISION) / 8800)


def test_worked_example_with_last_rate_and_forward_factor():
    # last bucket 50 % lost, loss rates 20 % worse (capped at 1): min(1, 1.2 · L_i · 0.5)
    r = run_provision(_ledger(), Settings(**SETTINGS), last_rate=0.5, forward_factor=1.2)
    want = [min(1.0, 1.2 * float(x) * 0.5) for x in L]
    np.testing.assert_allclose(r.matrix["loss_rate"], want, rtol=1e-12)
    np.testing.assert_allclose(r.matrix["historical_loss_rate"], [float(x) * 0.5 for x in L], rtol=1e-12)
    assert r.total_provision == pytest.approx(float(np.dot(HISTORY[-1], want)))


def test_today_between_month_ends_ages_the_ledger_at_the_as_of_date():
    s = Settings(**{**SETTINGS, "as_of": dt.date(2026, 4, 15)})
    r = run_provision(_ledger(), s)
    assert len(r.history) == 3  # January to March; April has not ended
    # 15 April: B 65 DPD, D 29 DPD (3,000), E 103 DPD, F 15 DPD
    np.testing.assert_allclose(r.matrix["balance"], [0, 6000, 0, 2800])


def test_too_short_a_history_is_refused_with_one_line():
    s = Settings(**{**SETTINGS, "as_of": dt.date(2026, 2, 28)})
    with pytest.raises(InputError, match=r"covers 2 month-end\(s\).*at least 3.*账龄迁徙率"):
        run_provision(_ledger(), s)
    with pytest.raises(InputError, match="last_rate"):
        run_provision(_ledger(), Settings(**SETTINGS), last_rate=1.5)


def test_analyze_step_notes_the_refusal_and_runs_the_rest():
    s = Settings(**{**SETTINGS, "as_of": dt.date(2026, 2, 28)})
    out = run_analysis(AnalysisInputs(s, ledger=_ledger()), skip={"ratios", "insurance"})
    assert out.ageing is not None and out.provision is None
    assert "at least 3" in out.notes["provision"]


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory):
    return write_sample_workbooks(tmp_path_factory.mktemp("prov"))[0]


def test_provision_command_on_the_sample(sample_book, tmp_path):
    out = tmp_path / "prov.xlsx"
    res = CliRunner().invoke(cli, ["provision", str(sample_book), "--out", str(out), "--forward-factor", "1.1"])
    assert res.exit_code == 0, res.output
    assert "Provision matrix" in res.output and "wrote" in res.output
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(PROVISION_SHEET).to_python()
    header = rows[1]
    body = rows[2:2 + 6]
    total = rows[8]
    assert total[0] == "Total 合计"
    bal, loss, prov = (header.index(h) for h in (
        "Balance today (CNY) 期末余额", "Loss rate (forward-looking) 预期损失率", "Provision (CNY) 坏账准备"))
    assert sum(r[prov] for r in body) == pytest.approx(total[prov])
    assert all(r[prov] == pytest.approx(r[bal] * r[loss]) for r in body)
    assert all(0 <= r[loss] <= 1 for r in body)
    # loss rates never fall with age, and today's balances are the ageing's (credits apart)
    assert [r[loss] for r in body] == sorted(r[loss] for r in body)
    text = str(rows)
    assert "IFRS 9" in text and "账龄迁徙率法" in text and "Bucket history" not in text


def test_provision_command_refuses_a_short_ledger_with_exit_3(sample_book, tmp_path):
    res = CliRunner().invoke(cli, ["provision", str(sample_book), "--out", str(tmp_path / "x.xlsx"),
                                   "--as-of", "2025-11-30"])
    assert res.exit_code == 3
    assert "at least 3" in res.output and not (tmp_path / "x.xlsx").exists()


def test_balances_today_agree_with_the_ageing(sample_book):
    from xl_cashrisk.io.inputs import read_ledger, workbook_settings
    from xl_cashrisk.io.reader import WorkbookReader

    book = WorkbookReader(sample_book)
    s = workbook_settings(book)
    ledger = read_ledger(book, s)
    r = run_provision(ledger, s)
    aged = run_ageing(ledger, s)
    np.testing.assert_allclose(r.matrix["balance"], aged.buckets["amount"].to_numpy()[:len(r.matrix)], rtol=1e-9)


def test_ribbon_action_writes_the_same_matrix(sample_book, tmp_path):
    assert "provision_matrix" in ACTIONS
    res = run_action("provision_matrix", WorkbookTarget(sample_book, options={"out": tmp_path / "r.xlsx"}))
    assert PROVISION_SHEET in res.sheets_written and "provision" in res.message
    rows = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name(PROVISION_SHEET).to_python()
    assert rows[8][0] == "Total 合计"

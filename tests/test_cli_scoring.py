"""`xl-cashrisk score` / `monitor`, the register template and the "Refresh scores" ribbon action."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import template_with_examples

from xl_cashrisk.cli import cli
from xl_cashrisk.io.inputs import read_scoring_inputs
from xl_cashrisk.schemas.register import REGISTER


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return template_with_examples("register", tmp_path_factory.mktemp("reg"))


def _set_as_of(path: Path, when: str = "2026-09-30") -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "as_of":
            row[2].value = when
    wb.save(path)


def _col(key: str) -> int:
    return [c.key for c in REGISTER.columns].index(key) + 1


def test_score_template_examples(template, tmp_path):
    reg = tmp_path / "register.xlsx"
    shutil.copy(template, reg)
    _set_as_of(reg)
    before = sha(reg)
    out = tmp_path / "scored.xlsx"
    res = CliRunner().invoke(cli, ["score", str(reg), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Traffic lights as of 2026-09-30" in res.output and "default-2026.2" in res.output
    assert sha(reg) == before
    wb = openpyxl.load_workbook(out)
    assert {"Scores 评分", "Explanations 评分说明", "Run info"} <= set(wb.sheetnames)
    ws = wb["Scores 评分"]
    headers = [c.value for c in ws[2]]
    # identity and results first (what an analyst reads), then every input column of the register
    first = ["buyer_id", "buyer_name", *(c.key for c in REGISTER.result_columns)]
    assert headers[: len(first)] == [REGISTER.column(k).header for k in first]
    assert sorted(h for h in headers if h) == sorted(c.header for c in REGISTER.columns)
    rows = {r[0]: dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    b1, b2 = rows["B001"], rows["B002"]
    assert b1["Band 信号灯"] == "GREEN" and b2["Band 信号灯"] == "YELLOW"
    # B001 is in Guangdong: the region table's 85 points replace CN's 75 at weight 8 of 100 present: 81.0 + 0.8
    assert b1["Score 信用评分"] == pytest.approx(81.8) and b2["Score 信用评分"] == pytest.approx(31.0)
    assert b2["Recommended limit 建议额度"] == 0  # negative working capital: no capacity
    # B001 GREEN machinery: 90 allowed, its usual 60 kept; B002 YELLOW retail: 45 × 0.5 = 22.5 → 15 < its 30
    assert (b1["Recommended terms 建议账期"], b2["Recommended terms 建议账期"]) == (60, 15)
    assert b1["Scorecard version 评分卡版本"] == "default-2026.2"
    assert any(cf.sqref for cf in ws.conditional_formatting)  # traffic lights


def test_score_lists_every_broken_row_and_column(template, tmp_path):
    reg = tmp_path / "broken.xlsx"
    shutil.copy(template, reg)
    _set_as_of(reg)
    wb = openpyxl.load_workbook(reg)
    ws = wb["Buyer Register"]
    ws.cell(4, _col("country")).value = "China"
    ws.cell(4, _col("employees")).value = "many"
    ws.cell(5, _col("sector")).value = "mining"
    ws.cell(5, _col("total_assets")).value = -5
    ws.cell(6, _col("buyer_id")).value = "B003"
    ws.cell(6, _col("country")).value = "CN"
    ws.cell(6, _col("total_assets")).value = 1000.0
    ws.cell(6, _col("current_assets")).value = 2000.0
    ws.cell(6, _col("overdue_amount")).value = 500.0
    ws.cell(6, _col("open_amount")).value = 100.0
    wb.save(reg)
    before = sha(reg)
    out = tmp_path / "never.xlsx"
    res = CliRunner().invoke(cli, ["score", str(reg), "--out", str(out)])
    assert res.exit_code == 3, res.output
    text = " ".join(res.output.split())
    assert len([line for line in res.output.splitlines() if line.startswith("│ error")]) == 6  # one per problem
    report = read_scoring_inputs(reg, check=False).reports[0]  # what the CLI printed, unwrapped
    got = {(p.row, p.column): p.message for p in report.errors}
    for row, header, message in ((4, "Country 国家", "2-letter ISO country code such as CN or US, got 'China'"),
                                 (4, "Employees 员工人数", "expected a number, got 'many'"),
                                 (5, "Sector 行业", "got 'mining'"), (5, "Total assets 资产总额", "at least 0, got -5"),
                                 (6, "Current assets 流动资产", "current assets 2,000 exceed total assets 1,000"),
                                 (6, "Overdue amount 逾期金额", "overdue amount 500.00 exceeds the open amount 100.00")):
        assert message in got[(row, header)], (row, header, got)
    assert len(got) == 6
    assert "6 errors in 3 of 3 rows" in text
    assert sha(reg) == before and not out.exists()


def test_monitor_two_scored_runs_and_a_register(template, tmp_path):
    reg = tmp_path / "register.xlsx"
    shutil.copy(template, reg)
    _set_as_of(reg, "2026-06-30")
    runner = CliRunner()
    old = tmp_path / "june.xlsx"
    assert runner.invoke(cli, ["score", str(reg), "--out", str(old)]).exit_code == 0
    wb = openpyxl.load_workbook(reg)
    ws = wb["Buyer Register"]
    ws.cell(4, _col("max_dpd_open")).value = 95  # B001 now has an item 95 days overdue
    wb.save(reg)
    _set_as_of(reg, "2026-09-30")
    new = tmp_path / "sept.xlsx"
    assert runner.invoke(cli, ["score", str(reg), "--out", str(new)]).exit_code == 0
    out = tmp_path / "alerts.xlsx"
    res = runner.invoke(cli, ["monitor", str(old), str(new), "--out", str(out)])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["Alerts 预警"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]
    assert rows[0][0] == "critical" and rows[0][2] == "B001" and rows[0][4] == "band_down"
    kinds = {(r[2], r[4]) for r in rows}
    assert {("B001", "score_drop"), ("B001", "new_overdue"), ("B002", "review_due")} <= kinds
    # the register itself as NEW: scored on the fly, same alerts
    res2 = runner.invoke(cli, ["monitor", str(old), str(reg)])
    assert res2.exit_code == 0 and "band_down" in res2.output


def test_refresh_scores_ribbon_action(template, tmp_path):
    import udfs  # noqa: F401  (registers the actions)
    from udfs._actions import WorkbookTarget, run_action

    reg = tmp_path / "book.xlsx"
    shutil.copy(template, reg)
    _set_as_of(reg)
    before = sha(reg)
    result = run_action("refresh_scores", WorkbookTarget(reg))
    assert result.output == tmp_path / "book.cashrisk.xlsx" and result.output.exists()
    assert result.message.startswith("Scored 2 buyers: 1 green, 1 yellow, 0 red (scorecard default-2026.2)")
    assert "Scores 评分" in openpyxl.load_workbook(result.output).sheetnames
    assert sha(reg) == before


@pytest.mark.libreoffice
def test_libreoffice_opens_the_scored_register(template, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) not installed")
    reg = tmp_path / "register.xlsx"
    shutil.copy(template, reg)
    _set_as_of(reg)
    out = tmp_path / "scored.xlsx"
    assert CliRunner().invoke(cli, ["score", str(reg), "--out", str(out)]).exit_code == 0
    conv = tmp_path / "conv"
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                          "xlsx", "--outdir", str(conv), str(out)], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    ws = openpyxl.load_workbook(conv / out.name, data_only=True)["Scores 评分"]
    header = [c.value for c in ws[2]]
    band = header.index(REGISTER.column("band").header)  # results come first, inputs after: find by header
    assert header[:2] == [REGISTER.column("buyer_id").header, REGISTER.column("buyer_name").header]
    bands = [r[band] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]
    assert bands == ["GREEN", "YELLOW"]

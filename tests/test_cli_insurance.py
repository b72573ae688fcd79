"""``xl-cashrisk insurance`` and ``xl-cashrisk ratios`` end to end on workbooks made from the sample:
exit codes and messages on broken input, inputs never changed, outputs re-opened by openpyxl and once
by LibreOffice; the ribbon action and the demo steps."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from udfs._actions import WorkbookTarget, run_action
from xl_cashrisk.cli import cli
from xl_cashrisk.cli._demo import DemoContext
from xl_cashrisk.cli.insurance import demo_insurance
from xl_cashrisk.cli.ratios import demo_ratios
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.insurance import run_insurance
from xl_cashrisk.reports.insurance import DEADLINES_SHEET, EXPOSURE_SHEET, WORKLIST_SHEET
from xl_cashrisk.reports.ratios import CONCENTRATION_SHEET, RATIOS_SHEET
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.policy import (
    SAMPLE_POLICY,
    sample_buyer_limits,
    sample_company_rows,
    sample_policy_values,
)

EXIT_INPUT = 3


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def subset(sample):
    """About forty buyers (the big one, defaulters, foreign buyers, buyers without limits) and their ledger."""
    ids = sorted(set(sample.buyers["buyer_id"].iloc[::8]) | {sample.highlights["top_buyer_id"]}
                 | set(sample.highlights["default_buyer_ids"]))
    ledger = sample.ledger[sample.ledger["buyer_id"].isin(ids)].reset_index(drop=True)
    limits = sample_buyer_limits(sample)
    return ledger, limits[limits["buyer_id"].isin(ids)].reset_index(drop=True)


def write_book(path: Path, sheets: dict[str, pd.DataFrame], settings: dict | None = None,
               fx: dict | None = None) -> Path:
    """A workbook whose headers are the schema keys (the reader accepts keys as headers)."""
    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd", date_format="yyyy-mm-dd") as xw:
        if settings is not None:
            kv = pd.DataFrame({"key": list(settings), "value": [str(v) for v in settings.values()]})
            kv.to_excel(xw, sheet_name="Settings", index=False)
            rates = pd.DataFrame({"currency": list(fx or {}), "rate_to_home": list((fx or {}).values())})
            rates.to_excel(xw, sheet_name="Settings", index=False, startcol=4)
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name, index=False)
    return path


def policy_frame(values: dict) -> pd.DataFrame:
    return pd.DataFrame({"key": list(values), "value": ["" if v is None else str(v) for v in values.values()]})


SETTINGS = {"as_of": "2026-09-30", "home_currency": "CNY"}
FX = {"USD": 7.10, "EUR": 7.75}


@pytest.fixture(scope="module")
def book(tmp_path_factory, subset, sample) -> Path:
    ledger, limits = subset
    folder = tmp_path_factory.mktemp("insurance")
    return write_book(folder / "book.xlsx", {"AR Ledger": ledger, "Policy": policy_frame(sample_policy_values()),
                                              "Buyer limits": limits,
                                              "Company financials": sample_company_rows(sample)}, SETTINGS, FX)


def invoke(*args) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) with rich's line wrapping undone."""
    r = CliRunner().invoke(cli, [str(a) for a in args])
    return r.exit_code, " ".join(r.output.split())


def test_insurance_command_writes_exposure_deadlines_worklist(book, subset, sample, tmp_path):
    before = file_fingerprint(book)
    out = tmp_path / "insurance.xlsx"
    code, text = invoke("insurance", book, "--out", out)
    assert code == 0, text
    assert "policy: Policy sheet of book.xlsx" in text and "buyer limits: Buyer limits sheet" in text
    assert file_fingerprint(book) == before
    ledger, limits = subset
    expected = run_insurance(ledger, limits, SAMPLE_POLICY, sample.settings)
    wb = openpyxl.load_workbook(out)
    assert {EXPOSURE_SHEET, DEADLINES_SHEET, WORKLIST_SHEET} <= set(wb.sheetnames)
    ws = wb[WORKLIST_SHEET]
    header = [c.value for c in ws[2]]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(expected.worklist)
    col = {h: i for i, h in enumerate(header)}
    assert [r[col["Invoice no. 发票号码"]] for r in rows] == expected.worklist["invoice_no"].tolist()
    assert [r[col["Days left 剩余天数"]] for r in rows] == expected.worklist["days_left"].tolist()
    assert ws.conditional_formatting, "urgent and uninsured rows are highlighted"
    summary = {r[0]: r[1] for r in wb[EXPOSURE_SHEET].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert summary["Insured exposure 受保敞口"] == pytest.approx(expected.metric("insured"))
    assert summary["Overdue invoices 逾期发票数"] == len(expected.deadlines)


def test_ratios_command_prints_and_writes_ratios_and_concentration(book, tmp_path):
    before = file_fingerprint(book)
    code, text = invoke("ratios", book)
    assert code == 0, text
    assert "worsening (1.72 → 1.19)" in text and "largest buyer" in text
    out = tmp_path / "ratios.xlsx"
    code, text = invoke("ratios", book, "--out", out)
    assert code == 0, text
    assert file_fingerprint(book) == before
    wb = openpyxl.load_workbook(out)
    assert {RATIOS_SHEET, CONCENTRATION_SHEET} <= set(wb.sheetnames)
    with zipfile.ZipFile(out) as z:
        # trend, days, top buyers; and the Summary sheet's largest buyers
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == 4
    values = [c for row in wb[RATIOS_SHEET].iter_rows(values_only=True) for c in row]
    assert "WATCH" in values and "2026Q3" in values


def test_register_and_toml_settings(subset, tmp_path):
    ledger, limits = subset
    file = write_book(tmp_path / "ledger.xlsx", {"AR Ledger": ledger}, SETTINGS, FX)
    register = write_book(tmp_path / "register.xlsx", {"Buyer Register": limits.drop(columns=["province"])})
    toml = tmp_path / "settings.toml"
    toml.write_text('as_of = 2026-09-30\nhome_currency = "CNY"\n[fx]\nUSD = 7.10\nEUR = 7.75\n'
                    '[insurance]\nindemnity_pct = 0.8\nnotify_days = 45\n', encoding="utf-8")
    hashes = {p: file_fingerprint(p) for p in (file, register, toml)}
    out = tmp_path / "out.xlsx"
    code, text = invoke("insurance", file, "--out", out, "--register", register, "--settings", toml)
    assert code == 0, text
    assert "policy: insurance rows of the settings" in text and "register register.xlsx" in text
    assert {p: file_fingerprint(p) for p in hashes} == hashes
    wb = openpyxl.load_workbook(out)
    terms = {r[0]: r[1] for r in wb[EXPOSURE_SHEET].iter_rows(values_only=True) if r and r[0]}
    assert terms["Indemnity % 赔付比例"] == pytest.approx(0.8)


def test_default_policy_is_said_out_loud(subset, tmp_path):
    ledger, limits = subset
    file = write_book(tmp_path / "plain.xlsx", {"AR Ledger": ledger, "Buyer limits": limits}, SETTINGS, FX)
    code, text = invoke("insurance", file, "--out", tmp_path / "o.xlsx")
    assert code == 0, text
    assert "defaults (SPEC §7)" in text


BROKEN = {
    "bad_pct": ({"indemnity_pct": "ninety"}, "indemnity_pct: expected a percentage such as 5% or 0.05, got 'ninety'"),
    "steps": ({"collection_from_days": 100, "claim_from_days": 90}, "invalid insurance policy"),
    "basis": ({"notify_basis": "whenever"}, "notify_basis: expected one of due_date, mep_end"),
    "unknown": ({"indemnity": 0.9}, "unknown setting 'indemnity'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_policy_sheet_exits_3_and_names_the_problem(case, subset, tmp_path):
    ledger, limits = subset
    values, message = BROKEN[case]
    file = write_book(tmp_path / "b.xlsx", {"AR Ledger": ledger.head(50), "Policy": policy_frame(values),
                                             "Buyer limits": limits}, SETTINGS, FX)
    before = file_fingerprint(file)
    out = tmp_path / "o.xlsx"
    code, text = invoke("insurance", file, "--out", out)
    assert code == EXIT_INPUT, text
    assert message in text and "Traceback" not in text
    assert "Policy" in text
    assert file_fingerprint(file) == before and not out.exists()


def test_broken_inputs_exit_3(subset, sample, tmp_path):
    ledger, limits = subset
    no_limits = write_book(tmp_path / "nolimits.xlsx", {"AR Ledger": ledger.head(20)}, SETTINGS, FX)
    code, text = invoke("insurance", no_limits, "--out", tmp_path / "o.xlsx")
    assert code == EXIT_INPUT and "no buyer limits" in text

    code, text = invoke("insurance", tmp_path / "missing.xlsx", "--out", tmp_path / "o.xlsx")
    assert code == EXIT_INPUT and "input file not found" in text

    register = write_book(tmp_path / "reg.xlsx", {"Buyers": limits.drop(columns=["insurer_limit"])})
    code, text = invoke("insurance", no_limits, "--out", tmp_path / "o.xlsx", "--register", register)
    assert code == EXIT_INPUT and "Insurer limit" in text

    bad_limits = limits.copy()
    bad_limits.loc[2, "insurer_limit"] = -5
    file = write_book(tmp_path / "neg.xlsx", {"AR Ledger": ledger.head(20), "Buyer limits": bad_limits}, SETTINGS, FX)
    code, text = invoke("insurance", file, "--out", tmp_path / "o.xlsx")
    assert code == EXIT_INPUT and "row 4" in text  # header in row 1, the third buyer in row 4

    empty = write_book(tmp_path / "empty.xlsx", {"Notes": pd.DataFrame({"x": [1]})})
    code, text = invoke("ratios", empty)
    assert code == EXIT_INPUT and "nothing to analyse" in text

    company = sample_company_rows(sample).astype(object)
    company.loc[3, "current_liabilities"] = "n/a"
    file = write_book(tmp_path / "co.xlsx", {"Company financials": company})
    before = file_fingerprint(file)
    code, text = invoke("ratios", file)
    assert code == EXIT_INPUT and "Company financials" in text and "row 5" in text
    assert file_fingerprint(file) == before


def test_out_may_not_replace_the_input(book):
    before = file_fingerprint(book)
    code, text = invoke("insurance", book, "--out", book)
    assert code == EXIT_INPUT, text
    assert file_fingerprint(book) == before


def test_ribbon_action_writes_results_beside_the_workbook(book, tmp_path):
    copy = tmp_path / "team.xlsx"
    shutil.copy(book, copy)
    before = file_fingerprint(copy)
    result = run_action("insurance_deadlines", WorkbookTarget(copy))
    assert result.output == tmp_path / "team.cashrisk.xlsx" and result.output.exists()
    assert "urgent" in result.message and WORKLIST_SHEET in result.sheets_written
    assert WORKLIST_SHEET in openpyxl.load_workbook(result.output).sheetnames
    assert file_fingerprint(copy) == before


def test_demo_steps(sample, tmp_path):
    from rich.console import Console

    console = Console(record=True, width=120)
    with ResultWorkbook(tmp_path / "demo.xlsx") as rw:
        ctx = DemoContext(sample, rw, console)
        demo_ratios(ctx)
        demo_insurance(ctx)
    assert {"ratios", "concentration", "insurance"} <= set(ctx.results)
    assert {RATIOS_SHEET, CONCENTRATION_SHEET, WORKLIST_SHEET} <= set(openpyxl.load_workbook(tmp_path / "demo.xlsx").sheetnames)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_both_outputs(book, tmp_path):
    outs = [tmp_path / "ins.xlsx", tmp_path / "rat.xlsx"]
    assert invoke("insurance", book, "--out", outs[0])[0] == 0
    assert invoke("ratios", book, "--out", outs[1])[0] == 0
    converted = tmp_path / "lo"
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(converted), *map(str, outs)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    for p in outs:
        again = openpyxl.load_workbook(converted / p.name)
        assert WORKLIST_SHEET in again.sheetnames or RATIOS_SHEET in again.sheetnames

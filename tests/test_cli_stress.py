"""``xl-cashrisk stress`` end to end: the sample workbook, results reopened by openpyxl and LibreOffice,
the summary PNG/PDF, the demo step, the ribbon action, and bad input (clear message, exit 3, input intact)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.test_pipeline_stress import write_spec_workbook
from xl_cashrisk.cli import cli
from xl_cashrisk.cli.app import EXIT_INPUT
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.reports.stress_results import (
    DATA_SHEET,
    LOSS_SHEET,
    MONTHLY_SHEET,
    RESULTS_SHEET,
    WEEKLY_SHEET,
)
from xl_cashrisk.sample.forecast import write_sample_stress_workbook
from xl_cashrisk.settings import StressOptions


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory) -> Path:
    return write_sample_stress_workbook(tmp_path_factory.mktemp("sample") / "sample_stress.xlsx")


@pytest.fixture(scope="module")
def sample_run(sample_book, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("out")
    before = file_fingerprint(sample_book)
    out, png = out_dir / "results.xlsx", out_dir / "summary.png"
    res = CliRunner().invoke(cli, ["stress", str(sample_book), "--out", str(out), "--sims", "2000", "--seed", "7",
                                   "--summary", str(png)])
    return res, out, png, before


def test_cli_on_the_sample(sample_book, sample_run):
    res, out, png, before = sample_run
    assert res.exit_code == 0, res.output
    assert file_fingerprint(sample_book) == before
    assert "13-week cash stress test from 2026-10-01" in res.output
    assert "Expected shortfall 99 %" in res.output
    assert "worst scenario S4" in res.output
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        drawings = [n for n in z.namelist() if n.startswith("xl/drawings/drawing")]
    assert len(charts) == 4 and drawings  # cash paths, tornado, losses; the Summary sheet's scenario impacts
    wb = openpyxl.load_workbook(out)
    for sheet in (RESULTS_SHEET, DATA_SHEET, WEEKLY_SHEET, MONTHLY_SHEET, LOSS_SHEET, "Run info"):
        assert sheet in wb.sheetnames
    ws = wb[RESULTS_SHEET]
    assert ws.conditional_formatting  # traffic lights, red negatives, data bars
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "S1" in values and "BASE" in values
    stamp = {r[0].value: r[1].value for r in wb["Run info"].iter_rows(min_row=3) if r[0].value}
    assert stamp["seed"] == 7 and stamp["simulations"] == 2000
    assert stamp["as_of"] == "2026-09-30" and len(stamp["input_fingerprint"]) == 64
    assert stamp["scorecard_version"]
    assert any(str(k).startswith("Input") and before in str(v) for k, v in stamp.items())
    weekly = wb[WEEKLY_SHEET]
    assert weekly.max_row >= 15
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.libreoffice
def test_results_open_in_libreoffice(sample_run, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _, out, _, _ = sample_run
    proc = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "csv", "--outdir", str(tmp_path), str(out)],
                          capture_output=True, text=True, timeout=240)
    csv = tmp_path / "results.csv"
    assert proc.returncode == 0 and csv.exists(), proc.stderr
    assert "Cash stress test" in csv.read_text(encoding="utf-8", errors="replace")


def test_same_seed_same_workbook_values(tmp_path):
    book = write_spec_workbook(tmp_path / "spec.xlsx")
    outs = []
    for name in ("a.xlsx", "b.xlsx"):
        res = CliRunner().invoke(cli, ["stress", str(book), "--out", str(tmp_path / name), "--sims", "1000"])
        assert res.exit_code == 0, res.output
        wb = openpyxl.load_workbook(tmp_path / name, read_only=True)
        outs.append([tuple(r) for r in wb[LOSS_SHEET].iter_rows(values_only=True)])
    assert outs[0] == outs[1]


def test_separate_ledger_and_register_files(tmp_path):
    full = write_spec_workbook(tmp_path / "full.xlsx")
    wb = openpyxl.load_workbook(full)
    del wb["AR Ledger"], wb["Buyer Register"]
    wb.save(tmp_path / "forecast_only.xlsx")
    res = CliRunner().invoke(cli, ["stress", str(tmp_path / "forecast_only.xlsx"), "--out", str(tmp_path / "o.xlsx"),
                                   "--sims", "500"])
    assert res.exit_code == EXIT_INPUT
    assert "no AR ledger found" in res.output and "--ledger" in res.output
    res = CliRunner().invoke(cli, ["stress", str(tmp_path / "forecast_only.xlsx"), "--ledger", str(full),
                                   "--register", str(full), "--out", str(tmp_path / "o.xlsx"), "--sims", "500"])
    assert res.exit_code == 0, res.output
    stamp = openpyxl.load_workbook(tmp_path / "o.xlsx")["Run info"]
    names = [r[0].value for r in stamp.iter_rows() if r[0].value]
    assert sum(1 for n in names if str(n).startswith("Input")) == 3


BAD_SCENARIOS = (
    ([{"id": "S1", "kind": "meteor"}], "row 4, column 'Kind 类型'"),
    ([{"id": "S8", "kind": "combined", "combine": "S1+S9"}], "combines unknown scenario"),
    ([{"id": "S2", "kind": "buyer_default"}], "buyer_default needs a buyer"),
)


@pytest.mark.parametrize("rows,message", BAD_SCENARIOS, ids=["kind", "combine", "buyer"])
def test_bad_scenarios_clear_message(tmp_path, rows, message):
    book = write_spec_workbook(tmp_path / "bad.xlsx", scenarios=rows)
    before = file_fingerprint(book)
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(cli, ["stress", str(book), "--out", str(out), "--sims", "200"])
    assert res.exit_code == EXIT_INPUT, res.output
    assert "error:" in res.output and message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert file_fingerprint(book) == before


def test_bad_inputs_and_outputs(tmp_path):
    book = write_spec_workbook(tmp_path / "in.xlsx", settings={"facility_limit": "lots"})
    before = file_fingerprint(book)
    res = CliRunner().invoke(cli, ["stress", str(book), "--out", str(tmp_path / "o.xlsx")])
    assert res.exit_code == EXIT_INPUT and "facility_limit" in res.output
    good = write_spec_workbook(tmp_path / "good.xlsx")
    res = CliRunner().invoke(cli, ["stress", str(good), "--out", str(good)])
    assert res.exit_code == EXIT_INPUT and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["stress", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "o.xlsx")])
    assert res.exit_code == EXIT_INPUT
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    res = CliRunner().invoke(cli, ["stress", str(text), "--out", str(tmp_path / "o.xlsx")])
    assert res.exit_code == EXIT_INPUT and "error:" in res.output
    res = CliRunner().invoke(cli, ["stress", str(good), "--out", str(tmp_path / "o.xlsx"), "--sims", "1"])
    assert res.exit_code == 2  # click's own usage error
    assert file_fingerprint(book) == before


def test_ribbon_action_runs_the_same_pipeline(tmp_path):
    import udfs  # noqa: F401  (registers every action)
    from udfs._actions import ACTIONS, WorkbookTarget, run_action

    assert "run_stress_test" in ACTIONS
    book = write_spec_workbook(tmp_path / "ribbon.xlsx")
    before = file_fingerprint(book)
    r = run_action("run_stress_test", WorkbookTarget(book, options={"sims": 500}))
    assert r.output == tmp_path / "ribbon.cashrisk.xlsx" and r.output.exists()
    assert RESULTS_SHEET in r.sheets_written
    assert (tmp_path / "ribbon.stress-summary.png").exists() and (tmp_path / "ribbon.stress-summary.pdf").exists()
    assert "base lowest cash 130,000 CNY (week 1)" in r.message
    assert file_fingerprint(book) == before


def test_demo_step_uses_scores_when_given(monkeypatch):
    import pandas as pd
    from rich.console import Console

    from xl_cashrisk.cli._demo import DemoContext
    from xl_cashrisk.cli.stress import demo_stress
    from xl_cashrisk.sample import load_sample

    sample = load_sample()
    written = []
    monkeypatch.setattr("xl_cashrisk.cli.stress.write_stress", lambda result, rw: written.append(result))
    scores = pd.DataFrame({"buyer_id": sample.buyers["buyer_id"], "pd": 0.02, "scorecard_version": "test-1"})
    console = Console(record=True, width=100)
    ctx = DemoContext(sample, None, console, {"scores": scores})
    monkeypatch.setattr(sample.settings, "stress", StressOptions(stress_sims=500))
    demo_stress(ctx)
    result = ctx.results["stress"]
    assert written == [result]
    assert result.scorecard_version == "test-1"
    assert set(result.buyers["pd"].round(6)) == {0.02}
    text = console.export_text()
    assert "13-week cash stress test" in text and "P(cash < 0 within 13 weeks)" in text


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_files")
    res = CliRunner().invoke(cli, ["sample", "--outdir", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_every_route_gives_the_same_stress_figures_on_the_sample(sample_files, tmp_path, monkeypatch):
    """Issue 18: `demo`/`stress` gave S10 lowest cash 0.2 m (default policy), `analyze` 1.2 m (the sample's
    Policy sheet). Now the demo applies the sample's policy, `stress --settings` the settings workbook's,
    and `stress` on the one workbook the Policy sheet found in it: the same 1.2 m by every route."""
    from rich.console import Console

    from xl_cashrisk.cli._demo import DemoContext
    from xl_cashrisk.cli.analyze import analyze_file
    from xl_cashrisk.cli.stress import demo_stress, run_stress_files
    from xl_cashrisk.sample import load_sample

    d = sample_files
    split = dict(ledger_file=d / "sample_ar_ledger.xlsx", register_file=d / "sample_buyer_register.xlsx", sims=200)
    routes = {
        "stress --settings": run_stress_files(d / "sample_cash_forecast.xlsx", tmp_path / "a.xlsx",
                                              settings_file=d / "sample_settings.xlsx", **split)[0],
        "stress one workbook": run_stress_files(d / "sample_cashrisk.xlsx", tmp_path / "b.xlsx", sims=200)[0],
        "analyze": analyze_file(d / "sample_cashrisk.xlsx", tmp_path / "c.xlsx", sims=200).stress,
    }
    sample = load_sample()
    monkeypatch.setattr(sample.settings, "stress", StressOptions(stress_sims=200))
    monkeypatch.setattr("xl_cashrisk.cli.stress.write_stress", lambda result, rw: None)
    ctx = DemoContext(sample, None, Console(record=True, width=200), {})
    demo_stress(ctx)
    routes["demo"] = ctx.results["stress"]
    s10 = {k: r.scenarios.loc["S10", "min_cash"] for k, r in routes.items()}
    assert round(s10["demo"] / 1e6, 1) == 1.2
    assert all(v == pytest.approx(s10["demo"], abs=0.5) for v in s10.values()), s10
    policies = {k: r.policy for k, r in routes.items()}
    assert all(p.non_qualifying_loss == 20_000 and p.political_cover for p in policies.values())
    assert "the sample's policy" in ctx.console.export_text()
    # without --settings the split files carry no policy: the defaults, said out loud, and a different S10
    default = run_stress_files(d / "sample_cash_forecast.xlsx", tmp_path / "d.xlsx", **split)[0]
    assert round(default.scenarios.loc["S10", "min_cash"] / 1e6, 1) == 0.2


def test_stress_settings_option_states_the_policy_and_scorecard(sample_files, tmp_path):
    d, out = sample_files, tmp_path / "o.xlsx"
    res = CliRunner().invoke(cli, ["stress", str(d / "sample_cash_forecast.xlsx"), "--ledger",
                                   str(d / "sample_ar_ledger.xlsx"), "--register", str(d / "sample_buyer_register.xlsx"),
                                   "--settings", str(d / "sample_settings.xlsx"), "--sims", "200", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "policy: Policy sheet of sample_settings.xlsx — indemnity 90%, political risk covered 90%, NQL 20,000, " \
           "AFL 500,000" in res.output
    assert "scorecard: Scorecard table of sample_buyer_register.xlsx default-2026.2" in res.output
    stamp = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["Run info"].iter_rows(min_row=3) if r[0].value}
    assert stamp["policy"] == "Policy sheet of sample_settings.xlsx"
    assert stamp["policy_terms"].startswith("indemnity 90%, political risk covered 90%, NQL 20,000")
    assert stamp["scorecard"] == "Scorecard table of sample_buyer_register.xlsx"
    assert any(str(k).startswith("Input") and "sample_settings.xlsx" in str(k) for k in stamp)


@pytest.fixture(scope="module")
def sample_result(sample_book, tmp_path_factory):
    from xl_cashrisk.cli.stress import run_stress_files

    return run_stress_files(sample_book, tmp_path_factory.mktemp("r") / "r.xlsx", sims=200)[0]


def test_summary_table_has_a_status_column_and_colours_yellow_rows_too(sample_result):
    from matplotlib import pyplot as plt

    from xl_cashrisk.io.writer import LIGHTS
    from xl_cashrisk.reports.stress_results import SUMMARY_TEXT, _summary_table, status_of

    fig, ax = plt.subplots()
    _summary_table(ax, sample_result, SUMMARY_TEXT["en"])
    cells = ax.tables[0].get_celld()
    plt.close(fig)
    assert cells[0, 1].get_text().get_text() == "Status"
    lights = [status_of(r) for _, r in sample_result.scenarios.iterrows()]
    assert {"RED", "YELLOW"} <= set(lights)  # the sample has both (S1-S4, S8 red; base, S5-S7, S9, S10 yellow)
    for i, light in enumerate(lights, start=1):
        assert cells[i, 1].get_text().get_text() == light
        colour = LIGHTS[light]["bg_color"] if light != "GREEN" else "#ffffff"
        assert matplotlib_hex(cells[i, 3].get_facecolor()) == colour.lower(), (i, light)


def matplotlib_hex(rgba) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


def test_chinese_summary_with_a_cjk_font_and_english_fallback_without(sample_result, tmp_path, monkeypatch, caplog):
    """language=zh: Chinese titles when a CJK font is on the machine (scripts/install-cjk-fonts.sh, run by
    .ci/run), no glyph drawn as a box; without one, English titles and exactly one warning line."""
    import dataclasses
    import warnings

    from xl_cashrisk.reports import fonts
    from xl_cashrisk.reports.stress_results import render_summary

    result = dataclasses.replace(sample_result, settings=dataclasses.replace(sample_result.settings, language="zh"))
    if fonts.cjk_font() is not None:
        assert fonts.chart_language("zh") == "zh" and fonts.cjk_font() in fonts.font_families()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for every box
            render_summary(result, tmp_path / "zh.png", tmp_path / "zh.pdf")
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(tmp_path / "zh.pdf"), "-"], capture_output=True, text=True).stdout
            assert "周现金流压力测试" in text and "情景表" in text
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    fonts._warn_once.cache_clear()
    with caplog.at_level("WARNING"):
        assert fonts.chart_language("zh") == "en" and fonts.chart_language("zh") == "en"
        assert fonts.chart_language("en") == "en"
    notes = [r.getMessage() for r in caplog.records if r.name == fonts.__name__]
    assert notes == [fonts.FALLBACK_NOTE] and "\n" not in fonts.FALLBACK_NOTE
    assert render_summary(result, tmp_path / "en.png") == [tmp_path / "en.png"]

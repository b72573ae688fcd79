"""Ribbon action "Run stress test": the CLI's stress pipeline on the active workbook.

Reads the workbook (Forecast, Scenarios, Settings, AR ledger, optional buyer register and Policy), runs
the 13-week stress test and writes its sheets to the results workbook beside it
(``<stem>.cashrisk.xlsx``), plus the one-page summary ``<stem>.stress-summary.png`` / ``.pdf``.
Options (``target.options``): ``sims``, ``seed``, ``summary`` (False to skip the PNG/PDF).
"""

from __future__ import annotations

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.io.inputs import load_stress_inputs
from xl_cashrisk.pipelines.stress_test import stress_from_inputs
from xl_cashrisk.reports.stress_results import render_summary, stress_stamp, write_stress

STAMP_SHEET = "Stress run 压力测试运行信息"


@ribbon_action("run_stress_test", label_en="Run stress test", label_zh="运行压力测试",
               help_en="13-week cash stress test of this workbook: every scenario of the Scenarios sheet, "
                       "correlated defaults, charts and a one-page summary.")
def run_stress_test(target: WorkbookTarget) -> ActionResult:
    inputs = load_stress_inputs(target.reader())
    opts = target.options
    result = stress_from_inputs(inputs, sims=opts.get("sims"), seed=opts.get("seed"))
    with target.results("stress", inputs.settings.as_of) as rw:
        write_stress(result, rw)
        rw.add_run_stamp(stress_stamp(result, inputs.files, inputs.policy_source), sheet=STAMP_SHEET)
    extra = []
    if opts.get("summary", True) and target.output is not None:
        png = target.output.with_name(target.output.name.replace(".cashrisk.xlsx", "") + ".stress-summary.png")
        extra = render_summary(result, png, png.with_suffix(".pdf"), inputs=inputs.files)
    hc = inputs.settings.home_currency
    worst = result.worst()
    base = result.base.metrics
    files = ", ".join(p.name for p in extra)
    return ActionResult(
        f"CashRisk: stress test of {len(result.scenarios)} scenarios; base lowest cash {base['min_cash']:,.0f} {hc} "
        f"(week {base['week_of_min']}); worst {worst.name} {worst['min_cash']:,.0f} {hc}; "
        f"P(cash < 0) {result.prob_cash_negative:.1%}" + (f"; summary {files}" if files else ""),
        target.output, target.sheets_written)

"""Ribbon actions "Provision matrix" and "Backtest warnings": the CLI's pipelines on the active workbook.

"Provision matrix" replays the AR ledger at its past month-ends, derives migration and loss rates
(IFRS 9 / CAS 22 账龄迁徙率法) and writes the provision-matrix sheets to ``<stem>.cashrisk.xlsx``
(copied into the open Book under Excel). Options (``target.options``): ``last_rate``,
``forward_factor``.

"Backtest warnings" replays the scoring at the ledger's past month-ends and writes lead times, hit and
false-alarm rates, AUC / Gini / KS, calibration per band and the charts, plus ``<stem>.backtest.png``.
Options: ``default_dpd``, ``horizon``.
"""

from __future__ import annotations

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.errors import InputError
from xl_cashrisk.io.inputs import read_ledger, read_scoring_inputs, workbook_settings
from xl_cashrisk.pipelines.backtest import DEFAULT_DPD, HORIZON_MONTHS, run_backtest
from xl_cashrisk.pipelines.provision import run_provision
from xl_cashrisk.reports.backtest import render_backtest_charts, write_backtest
from xl_cashrisk.reports.provision import write_provision


@ribbon_action("provision_matrix", label_en="Provision matrix", label_zh="坏账准备（迁徙率）",
               help_en="Loss rates from the AR ledger's own month-end history (IFRS 9 / CAS 22 roll rates) applied "
                       "to today's ageing buckets: the provision matrix with its workings.")
def provision_matrix(target: WorkbookTarget) -> ActionResult:
    book = target.reader()
    settings = workbook_settings(book)
    ledger = read_ledger(book, settings)
    opts = target.options
    last_rate, factor = float(opts.get("last_rate", 1.0)), float(opts.get("forward_factor", 1.0))
    result = run_provision(ledger, settings, last_rate=last_rate, forward_factor=factor)
    with target.results("provision", settings.as_of, {"month_ends": len(result.history), "last_rate": last_rate,
                                                       "forward_factor": factor}) as rw:
        write_provision(result, rw)
    hc = settings.home_currency
    name = target.output.name if target.output else ""
    return ActionResult(f"CashRisk: provision {result.total_provision:,.0f} {hc} ({result.coverage:.2%} of "
                        f"{result.total_balance:,.0f} {hc}) from {len(result.history)} month-ends → {name}",
                        target.output, target.sheets_written)


@ribbon_action("backtest_warnings", label_en="Backtest warnings", label_zh="预警回溯检验",
               help_en="Replay the scores and GREEN/YELLOW/RED warnings at the ledger's past month-ends: lead time "
                       "before each default, hit and false-alarm rates, AUC/Gini/KS and calibration per band.")
def backtest_warnings(target: WorkbookTarget) -> ActionResult:
    inputs = read_scoring_inputs(target.reader())
    if inputs.ledger is None:
        raise InputError("CashRisk: the backtest needs an 'AR Ledger' sheet in this workbook 回溯检验需要应收账款明细")
    opts = target.options
    dpd, horizon = int(opts.get("default_dpd", DEFAULT_DPD)), int(opts.get("horizon", HORIZON_MONTHS))
    result = run_backtest(inputs.register, inputs.ledger, inputs.settings, scorecard=inputs.scorecard,
                          default_dpd=dpd, horizon=horizon)
    with target.results("backtest", inputs.settings.as_of, {"scorecard_version": inputs.scorecard.version,
                                                              "default_dpd": dpd, "horizon_months": horizon}) as rw:
        write_backtest(result, rw)
    png = ""
    if target.output is not None:
        path = target.output.with_name(target.output.name.replace(".cashrisk.xlsx", "") + ".backtest.png")
        png = f"; charts {render_backtest_charts(result, path).name}"
    name = target.output.name if target.output else ""
    return ActionResult(f"CashRisk: backtest over {len(result.month_ends)} month-ends: AUC {result.measure('auc'):.3f}, "
                        f"KS {result.measure('ks'):.3f}, {int(result.measure('defaulted_buyers'))} defaulted buyers, "
                        f"hit rate {result.measure('hit_rate_yellow'):.0%} → {name}{png}",
                        target.output, target.sheets_written)

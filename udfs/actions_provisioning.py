"""Ribbon actions "Provision matrix" and "Backtest warnings": the CLI's pipelines on the active workbook.

"Provision matrix" replays the AR ledger at its past month-ends, derives migration and loss rates
(IFRS 9 / CAS 22 账龄迁徙率法) and writes the provision-matrix sheets to ``<stem>.cashrisk.xlsx``
(copied into the open Book under Excel). Options (``target.options``): ``last_rate``,
``forward_factor``.
"""

from __future__ import annotations

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.io.inputs import read_ledger, workbook_settings
from xl_cashrisk.pipelines.provision import run_provision
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

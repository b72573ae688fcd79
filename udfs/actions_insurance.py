"""Ribbon action "Insurance deadlines": the ``insurance`` command's pipeline on the active workbook.

Reads the active workbook (the live Book under Excel or xlwings Lite, else the file) through the shared
adapter, runs the same reading (:mod:`xl_cashrisk.io.inputs`) and pipeline as ``xl-cashrisk
insurance`` and writes the Insurance exposure, Deadlines and Worklist sheets to ``<stem>.cashrisk.xlsx``
(copied into the open Book when there is one). Options (``target.options``): ``register`` (buyer register
file), ``settings`` (settings workbook or TOML), ``as_of`` (YYYY-MM-DD), ``out`` (results file).
"""

from __future__ import annotations

from pathlib import Path

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.io.inputs import read_insurance_inputs
from xl_cashrisk.pipelines.insurance import run_insurance
from xl_cashrisk.reports.insurance import write_insurance


def _path(value) -> Path | None:
    return Path(str(value)) if value else None


@ribbon_action("insurance_deadlines", label_en="Insurance deadlines", label_zh="保险截止日",
               help_en="Insured and uninsured exposure, notify/claim deadlines for every overdue invoice, and the "
               "collections worklist, from this workbook's ledger, policy and buyer limits.")
def insurance_deadlines(target: WorkbookTarget) -> ActionResult:
    opts = target.options
    inputs = read_insurance_inputs(target.reader(), _path(opts.get("register")), _path(opts.get("settings")),
                                   opts.get("as_of"))
    result = run_insurance(inputs.ledger, inputs.buyers, inputs.policy, inputs.settings)
    with target.results("insurance", result.settings.as_of, inputs.stamp) as rw:
        write_insurance(result, rw)
    m = result.summary.set_index("key")["value"]
    hc = result.settings.home_currency
    name = target.output.name if target.output else ""
    return ActionResult(
        f"CashRisk: {int(m['overdue_invoices'])} overdue invoices, {int(m['urgent'])} urgent; uninsured "
        f"{m['uninsured']:,.0f} {hc} of {m['open_ar']:,.0f} {hc} open; results in {name}",
        target.output, target.sheets_written)

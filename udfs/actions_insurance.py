"""Ribbon action "Insurance deadlines": the ``insurance`` command's pipeline on the active workbook.

Reads the active workbook (the live Book under Excel or xlwings Lite, else the file) through the shared
adapter, runs the same reading and pipeline as ``xl-cashrisk insurance`` and writes the Insurance
exposure, Deadlines and Worklist sheets to ``<stem>.cashrisk.xlsx`` (copied into the open Book when there
is one). Options (``target.options``): ``register`` (buyer register file), ``settings`` (settings workbook
or TOML), ``as_of`` (YYYY-MM-DD), ``out`` (results file).
"""

from __future__ import annotations

from pathlib import Path

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.reports.insurance import write_insurance


def _path(value) -> Path | None:
    return Path(str(value)) if value else None


@ribbon_action("insurance_deadlines", label_en="Insurance deadlines", label_zh="保险截止日",
               help_en="Insured and uninsured exposure, notify/claim deadlines for every overdue invoice, and the "
               "collections worklist, from this workbook's ledger, policy and buyer limits.")
def insurance_deadlines(target: WorkbookTarget) -> ActionResult:
    # the reading helpers live with the command (they also print the policy source to the console)
    from xl_cashrisk.cli.insurance import insurance_inputs_run

    opts = target.options
    as_of = opts.get("as_of")
    result, _, extra = insurance_inputs_run(target.reader(), _path(opts.get("register")),
                                            _path(opts.get("settings")), None if as_of is None else str(as_of))
    with target.results("insurance", result.settings.as_of, extra) as rw:
        write_insurance(result, rw)
    m = result.summary.set_index("key")["value"]
    hc = result.settings.home_currency
    name = target.output.name if target.output else ""
    return ActionResult(
        f"CashRisk: {int(m['overdue_invoices'])} overdue invoices, {int(m['urgent'])} urgent; uninsured "
        f"{m['uninsured']:,.0f} {hc} of {m['open_ar']:,.0f} {hc} open; results in {name}",
        target.output, target.sheets_written)

"""Ribbon action "Insurance deadlines": the ``insurance`` command on the active workbook.

Runs the same code as ``xl-cashrisk insurance`` (:func:`xl_cashrisk.cli.insurance.insurance_files`)
on the workbook file and writes the Insurance exposure, Deadlines and Worklist sheets to
``<stem>.cashrisk.xlsx`` beside it. Options (``target.options``): ``register`` (buyer register file),
``settings`` (settings workbook or TOML), ``as_of`` (YYYY-MM-DD), ``out`` (results file).
"""

from __future__ import annotations

from pathlib import Path

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk.errors import CashRiskError
from xl_cashrisk.reports.insurance import DEADLINES_SHEET, EXPOSURE_SHEET, WORKLIST_SHEET

SHEETS = (EXPOSURE_SHEET, DEADLINES_SHEET, WORKLIST_SHEET)


def _path(value) -> Path | None:
    return Path(str(value)) if value else None


@ribbon_action("insurance_deadlines", label_en="Insurance deadlines", label_zh="保险截止日",
               help_en="Insured and uninsured exposure, notify/claim deadlines for every overdue invoice, and the "
               "collections worklist, from this workbook's ledger, policy and buyer limits.")
def insurance_deadlines(target: WorkbookTarget) -> ActionResult:
    from xl_cashrisk.cli.insurance import insurance_files

    if target.path is None:
        raise CashRiskError("CashRisk: 'Insurance deadlines' needs the workbook saved as a file first")
    path = Path(target.path)
    opts = target.options
    out = _path(opts.get("out")) or path.with_name(f"{path.stem}.cashrisk.xlsx")
    as_of = opts.get("as_of")
    result = insurance_files(path, out, _path(opts.get("register")), _path(opts.get("settings")),
                             None if as_of is None else str(as_of))
    m = result.summary.set_index("key")["value"]
    hc = result.settings.home_currency
    return ActionResult(
        f"CashRisk: {int(m['overdue_invoices'])} overdue invoices, {int(m['urgent'])} urgent; uninsured "
        f"{m['uninsured']:,.0f} {hc} of {m['open_ar']:,.0f} {hc} open; results in {out.name}",
        out, SHEETS)

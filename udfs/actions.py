"""The ribbon's entry point (:func:`dispatch`) and the workbook actions: age, validate, templates, help.

The add-in's one VBA callback runs ``RunPython "import udfs.actions; udfs.actions.dispatch('<tag>')"``.
:func:`dispatch` refuses any tag that is not a registered action, wraps the calling workbook in a
:class:`~udfs._actions.WorkbookTarget` and runs the action through :func:`~udfs._actions.run_action`;
the outcome is shown in Excel's status bar, errors in a message box. Other domains register their
actions in ``udfs/actions_<domain>.py`` (imported with the ``udfs`` package).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from udfs._actions import ACTIONS, ActionResult, UnknownAction, WorkbookTarget, ribbon_action, run_action
from xl_cashrisk import __version__
from xl_cashrisk.errors import CashRiskError
from xl_cashrisk.io.inputs import parse_date, read_table, validate_tables, workbook_settings
from xl_cashrisk.io.templates import TEMPLATES, build_named
from xl_cashrisk.pipelines.ageing import run_ageing
from xl_cashrisk.reports.ageing import write_ageing
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.settings import Settings

__all__ = ["ACTIONS", "dispatch", "read_settings", "validate_target"]

TITLE = "CashRisk"
PROBLEMS_SHEET = "Problems 问题"
HELP_SHEET = "Help 帮助"
TEMPLATE_ACTIONS = {"new_template_register": "register", "new_template_ledger": "ledger",
                    "new_template_forecast": "forecast"}


def dispatch(tag: str, book=None) -> ActionResult | None:
    """Run the ribbon action ``tag`` on the calling workbook (``xw.Book.caller()`` under Excel).

    Unknown tags are refused before anything is read. Errors a user can fix are shown as one message,
    never a traceback; unexpected errors are shown and re-raised (xlwings then logs them).
    """
    if book is None:
        book = _caller()
    if tag not in ACTIONS:
        refusal = UnknownAction(f"CashRisk: unknown ribbon action {tag!r}; allowed: {', '.join(sorted(ACTIONS))}")
        if book is None:
            raise refusal
        _tell(book, str(refusal), error=True)
        return None
    if book is None:
        raise CashRiskError("CashRisk: ribbon actions run from Excel (no calling workbook here)")
    target = WorkbookTarget.from_book(book)
    _status(book, f"CashRisk: {ACTIONS[tag].label_en} …")
    try:
        result = run_action(tag, target)
    except CashRiskError as exc:
        _tell(book, str(exc), error=True)
        return None
    except Exception as exc:
        _tell(book, f"CashRisk internal error: {type(exc).__name__}: {exc}", error=True)
        raise
    _tell(book, result.message)
    return result


def _caller():
    """The workbook whose ribbon button called (``xw.Book.caller()``), or None outside Excel."""
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception:  # not started by Excel's RunPython: no caller to answer to
        return None


def _status(book, message: str) -> None:
    app = getattr(book, "app", None)
    if app is not None:
        with contextlib.suppress(Exception):  # a courtesy; Lite and some hosts lack a status bar
            app.status_bar = message


def _tell(book, message: str, *, error: bool = False) -> None:
    _status(book, message)
    app = getattr(book, "app", None)
    if error and app is not None and hasattr(app, "alert"):
        app.alert(message, title=TITLE, mode="critical")


# ------------------------------------------------------------------------------------------ shared helpers
def read_settings(target: WorkbookTarget, reader=None) -> Settings:
    """The workbook's Settings sheet, or defaults when it has none; ``options["as_of"]`` overrides."""
    reader = reader or target.reader()
    settings = workbook_settings(reader)
    as_of = target.options.get("as_of")
    if as_of:
        settings.as_of = parse_date(as_of)
    return settings


def validate_target(target: WorkbookTarget):
    """Validate every known table present in the workbook: list of (table, ValidationReport)."""
    return validate_tables(target.reader())


# ------------------------------------------------------------------------------------------ actions
@ribbon_action("age_ledger", label_en="Age ledger", label_zh="账龄分析",
               help_en="Age the AR ledger of this workbook: buckets, per-buyer schedule, DSO/CEI, chart.")
def age_ledger(target: WorkbookTarget) -> ActionResult:
    reader = target.reader()
    settings = read_settings(target, reader)
    read = read_table(reader, LEDGER, settings)
    result = run_ageing(read.frame, settings)
    with target.results("age", settings.as_of) as rw:
        write_ageing(result, rw)
    hc = settings.home_currency
    return ActionResult(f"CashRisk: aged {len(read.frame)} ledger lines as of {settings.as_of}; open AR "
                        f"{result.open_balance:,.0f} {hc}; results in {', '.join(target.sheets_written)}",
                        target.output, target.sheets_written)


@ribbon_action("validate_workbook", label_en="Validate workbook", label_zh="校验工作簿",
               help_en="Check every known table of this workbook; each problem with sheet, row and column.")
def validate_workbook(target: WorkbookTarget) -> ActionResult:
    import pandas as pd

    found = validate_target(target)
    rows = [{"table": t.key, "severity": p.severity, "sheet": p.sheet, "row": p.row, "column": p.column,
             "message": p.message} for t, report in found for p in report.problems]
    summary = [(f"{t.sheet}: rows / errors / warnings",
                f"{c['rows']} / {c['errors']} / {c['warnings']}") for t, c in
               ((t, r.counts()) for t, r in found)]
    with target.results("validate") as rw:
        rw.add_summary(PROBLEMS_SHEET, summary, title="Validation 校验结果")
        frame = pd.DataFrame(rows, columns=["table", "severity", "sheet", "row", "column", "message"])
        rw.add_table(frame, PROBLEMS_SHEET, name="Problems", title="Problems 问题清单")
    errors = sum(r.counts()["errors"] for _, r in found)
    warnings = sum(r.counts()["warnings"] for _, r in found)
    verdict = "no errors" if errors == 0 else f"{errors} errors"
    return ActionResult(f"CashRisk: {verdict}, {warnings} warnings in {len(found)} tables; see {PROBLEMS_SHEET}",
                        target.output, target.sheets_written)


def _template_action(kind: str):
    def run(target: WorkbookTarget) -> ActionResult:
        if kind not in TEMPLATES:
            raise CashRiskError(f"CashRisk: the {kind} template is not available in this version "
                                f"(available: {', '.join(sorted(TEMPLATES))})")
        outdir = target.outdir
        outdir.mkdir(parents=True, exist_ok=True)
        path = _free_name(outdir / TEMPLATES[kind].filename)
        with tempfile.TemporaryDirectory(prefix="cashrisk-template-") as tmp:
            shutil.move(build_named(kind, tmp), path)
        if target.book is not None and hasattr(getattr(target.book, "app", None), "books"):
            target.book.app.books.open(str(path))
        spec = TEMPLATES[kind]
        return ActionResult(f"CashRisk: new {spec.title_en} {spec.title_zh}: {path}", path, ())

    return run


def _free_name(path: Path) -> Path:
    """``path``, or ``name (2).xlsx`` … when it exists: a new template never replaces a file."""
    k = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({k}){path.suffix}")
        k += 1
    return candidate


for _tag, _kind, _en, _zh in (("new_template_register", "register", "Buyer register", "客户信用档案"),
                               ("new_template_ledger", "ledger", "AR ledger", "应收账款明细"),
                               ("new_template_forecast", "forecast", "Cash forecast", "现金流预测")):
    ribbon_action(_tag, label_en=_en, label_zh=_zh, needs_workbook=False,
                  help_en=f"Create a new {_en.lower()} workbook from the standard template, beside this workbook.")(
        _template_action(_kind))


@ribbon_action("help", label_en="Help", label_zh="帮助", needs_workbook=False,
               help_en="List the CashRisk functions and ribbon actions, with an example of each function.")
def help_sheet(target: WorkbookTarget) -> ActionResult:
    import pandas as pd

    import udfs

    funcs = pd.DataFrame([{"function": f.name, "category": f.category, "example": f.example, "what": f.summary}
                          for f in sorted(udfs.FUNCTIONS.values(), key=lambda f: (f.category, f.name))])
    acts = pd.DataFrame([{"button": a.label_en, "按钮": a.label_zh, "what": a.help_en}
                         for a in ACTIONS.values()])
    with target.results("help") as rw:
        rw.add_table(funcs, HELP_SHEET, name="Functions", title=f"CashRisk {__version__} functions 函数")
        rw.add_table(acts, HELP_SHEET, name="Actions", title="Ribbon buttons 功能区按钮")
    return ActionResult(f"CashRisk {__version__}: {len(funcs)} functions and {len(acts)} buttons listed on "
                        f"{HELP_SHEET}", target.output, target.sheets_written)

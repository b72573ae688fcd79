"""Ribbon actions: the registry the add-in's one VBA callback dispatches into.

Every CashRisk ribbon button names the same VBA callback, which passes the control's tag to
:func:`dispatch`. Only names registered here with :func:`ribbon_action` run; any other tag is
refused with a message. An action receives a :class:`WorkbookTarget` — the active workbook's file
and, under Excel, the xlwings ``Book`` — and calls the same pipeline the CLI uses.

The adapter an action uses, identical under Excel, xlwings Lite, the CLI and tests:

- ``target.reader()`` → a :class:`~xl_cashrisk.io.reader.WorkbookReader`: over the file, or over the live
  ``Book`` (:class:`BookReader`, the values on screen including unsaved edits);
- ``with target.results(command, as_of) as rw:`` → a :class:`~xl_cashrisk.io.writer.ResultWorkbook` to
  fill with the report writers; on exit it is saved as ``<stem>.cashrisk.xlsx`` beside the workbook and,
  with a live ``Book``, its sheets are also copied into the Book (values; the user's sheets untouched);
- ``target.outdir`` → where new files (templates) go.

>>> # @ribbon_action("age_ledger", ...)
>>> # def run(target):
>>> #     ledger = target.reader().read(LEDGER, settings=...).frame
>>> #     with target.results("age", as_of) as rw: write_ageing(result, rw)
>>> #     return ActionResult("...", target.output, target.sheets_written)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from xl_cashrisk.errors import CashRiskError
from xl_cashrisk.io.reader import WorkbookReader


@dataclass(frozen=True)
class RibbonAction:
    name: str  # the ribbon control's tag
    label_en: str
    label_zh: str
    help_en: str
    run: Callable[[WorkbookTarget], ActionResult]
    needs_workbook: bool = True


@dataclass
class WorkbookTarget:
    """What an action works on: the workbook file, and the live xlwings Book when Excel runs it."""

    path: Path | None
    book: object | None = None  # xlwings.Book under Excel; None for file-only runs (tests, CLI)
    options: dict[str, object] = field(default_factory=dict)
    output: Path | None = None  # the results workbook written by the last ``results()``
    sheets_written: tuple[str, ...] = ()

    @classmethod
    def from_book(cls, book, **options) -> WorkbookTarget:
        """The target for a live xlwings Book (its file, if it has been saved, is ``path``)."""
        full = str(getattr(book, "fullname", "") or "")
        path = Path(full) if full and Path(full).is_file() else None
        return cls(path, book, dict(options))

    def reader(self):
        """A WorkbookReader over the live Book when there is one, else over the file."""
        if self.book is not None:
            return BookReader(self.book, self.path)
        if self.path is None:
            raise CashRiskError("CashRisk: this action needs a workbook file")
        return WorkbookReader(self.path)

    @property
    def outdir(self) -> Path:
        """Folder for new files: options["outdir"], else the workbook's folder, else the home folder."""
        if self.options.get("outdir"):
            return Path(str(self.options["outdir"]))
        if self.path is not None:
            return self.path.parent
        return Path.home()

    def results_path(self, command: str) -> Path:
        if self.options.get("out"):
            return Path(str(self.options["out"]))
        if self.path is not None:
            return self.path.with_name(f"{self.path.stem}.cashrisk.xlsx")
        import tempfile

        return Path(tempfile.mkdtemp(prefix="cashrisk-")) / f"{command}.cashrisk.xlsx"

    @contextmanager
    def results(self, command: str, as_of=None, extra: dict[str, object] | None = None):
        """A ResultWorkbook to fill; saved on exit (with a run stamp), then copied into the live Book."""
        from xl_cashrisk.io.writer import ResultWorkbook, run_stamp

        out = self.results_path(command)
        inputs = [self.path] if self.path is not None else []
        rw = ResultWorkbook(out, inputs=inputs)
        try:
            yield rw
            rw.add_run_stamp(run_stamp(as_of, inputs, {"command": command, "via": "ribbon", **(extra or {})}))
        except BaseException:
            rw.discard()
            raise
        rw.save()
        sheets = tuple(dict.fromkeys(t.sheet for t in rw.tables.values()))
        self.output, self.sheets_written = out, sheets
        if self.book is not None:
            copy_sheets_into_book(out, sheets, self.book)


@dataclass
class ActionResult:
    message: str  # shown to the user in the status bar / a message box
    output: Path | None = None
    sheets_written: tuple[str, ...] = ()


ACTIONS: dict[str, RibbonAction] = {}


def ribbon_action(name: str, *, label_en: str, label_zh: str, help_en: str, needs_workbook: bool = True):
    """Register ``run(target) -> ActionResult`` as the ribbon action ``name``."""

    def decorate(run: Callable[[WorkbookTarget], ActionResult]):
        if name in ACTIONS and ACTIONS[name].run.__module__ != run.__module__:
            raise ValueError(f"ribbon action {name!r} registered twice")
        ACTIONS[name] = RibbonAction(name, label_en, label_zh, help_en, run, needs_workbook)
        return run

    return decorate


class UnknownAction(CashRiskError):
    pass


def run_action(name: str, target: WorkbookTarget) -> ActionResult:
    """Run a registered action; refuse anything else."""
    action = ACTIONS.get(name)
    if action is None:
        known = ", ".join(sorted(ACTIONS))
        raise UnknownAction(f"CashRisk: unknown ribbon action {name!r}; allowed: {known}")
    if action.needs_workbook and target.path is None and target.book is None:
        raise CashRiskError(f"CashRisk: '{action.label_en}' needs an open, saved workbook")
    return action.run(target)


# ------------------------------------------------------------------------------------------ live Book adapter
def _cell(v: object) -> object:
    """An xlwings cell value as calamine gives it for a file: blanks are '', everything else as is."""
    if v is None:
        return ""
    if isinstance(v, float) and v != v:
        return ""
    return v


def _book_values(sheet) -> list[list[object]]:
    """All cells of an xlwings sheet from A1 as rows (error cells as '#N/A'-style strings)."""
    used = sheet.used_range
    try:
        rng = used.options(ndim=2, err_to_str=True)
    except (AttributeError, TypeError):  # xlwings Lite's Range has fewer options
        rng = used.options(ndim=2)
    values = rng.value or [[]]
    top, left = used.row - 1, used.column - 1
    width = left + max((len(r) for r in values), default=0)
    rows = [[""] * width for _ in range(top)]
    rows += [[""] * left + [_cell(v) for v in r] for r in values]
    return rows


class BookReader(WorkbookReader):
    """The WorkbookReader interface over a live xlwings Book (Windows Excel or xlwings Lite).

    Reads what the user sees, unsaved edits included; ``path`` only names the workbook in messages.
    """

    columnar = False  # the Book's values arrive as a grid

    def __init__(self, book, path: Path | None = None):
        self.book = book
        self.path = Path(path) if path is not None else Path(str(getattr(book, "name", "workbook")))
        self._grids = {}
        self._error_cells = {}

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    @property
    def date1904(self) -> bool:
        """Excel's own flag (Windows: ``Workbook.Date1904``); xlwings Lite has no API for it, and its date
        cells arrive converted already."""
        try:
            return bool(self.book.api.Date1904)
        except Exception:  # Lite, or a Book without a COM object
            return False

    def grid(self, sheet: str) -> list[list[object]]:
        if sheet not in self._grids:
            self._grids[sheet] = _book_values(self.book.sheets[sheet])
        return self._grids[sheet]

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        return {}  # error cells already arrive as '#N/A'-style strings


def _sheet_values(path: Path, sheet: str) -> list[list[object]]:
    """The cell values of one sheet of a results file we wrote: python-calamine, or openpyxl where it is
    missing (xlwings Lite: Pyodide has no python-calamine). Blanks are "" either way."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [["" if v is None else v for v in row] for row in wb[sheet].iter_rows(values_only=True)]
        finally:
            wb.close()
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def copy_sheets_into_book(results: Path, sheets: tuple[str, ...], book) -> None:
    """Copy the values of ``sheets`` of the results file into same-named sheets of ``book``.

    Only those sheets are created; a sheet of the same name already in the Book is kept as
    ``<name> (old)`` (one generation), and every other sheet stays as it was. A result sheet name that
    is also an input sheet of the Book is refused (the reports never use one).
    """
    from xl_cashrisk.io.templates import TEMPLATES

    inputs = {t.sheet.casefold() for spec in TEMPLATES.values() for t in spec.tables
              if hasattr(t, "sheet")} | {"settings"}
    existing = {s.name: s for s in book.sheets}
    for name in sheets:
        if name.casefold() in inputs:
            raise CashRiskError(f"CashRisk: result sheet {name!r} would overwrite an input sheet")
        values = _sheet_values(results, name)
        if name in existing:
            # keep what was there (an earlier run, or a sheet of the user's that happens to share the
            # name) as "<name> (old)"; only the previous backup of the same result is replaced
            backup = f"{name[:25]} (old)"
            if backup in existing:
                existing[backup].delete()
            existing[name].name = backup
        sheet = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
        if values:
            sheet["A1"].value = [[None if v == "" else v for v in row] for row in values]
        with contextlib.suppress(Exception):  # cosmetic; not every backend can autofit
            sheet.autofit()

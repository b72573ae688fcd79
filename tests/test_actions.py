"""Ribbon actions through the adapter interface: on workbook files and on a live-Book stand-in, vs the CLI."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import template_with_examples
from python_calamine import CalamineWorkbook

import udfs.actions as actions
from udfs._actions import ACTIONS, UnknownAction, WorkbookTarget, run_action
from xl_cashrisk.cli import cli
from xl_cashrisk.io.safe import file_fingerprint
from xl_cashrisk.reports.ageing import AGEING_SHEET
from xl_cashrisk.sample.workbooks import write_sample_workbooks
from xl_cashrisk.schemas.ledger import LEDGER

MINE = ("age_ledger", "validate_workbook", "new_template_register", "new_template_ledger",
        "new_template_forecast", "help")


class FakeRange:
    def __init__(self, sheet, values=None, row=1, column=1):
        self.sheet, self._values, self.row, self.column = sheet, values, row, column

    def options(self, **kw):
        assert kw.get("ndim") == 2
        return self

    @property
    def value(self):
        return self._values

    @value.setter
    def value(self, rows):
        self.sheet.rows = [list(r) for r in rows]


class FakeSheet:
    """The slice of xlwings' Sheet the adapter uses; values as COM gives them (None blanks, datetimes)."""

    def __init__(self, name, rows):
        self.name, self.rows, self.cleared = name, rows, False

    @property
    def used_range(self):
        return FakeRange(self, [list(r) for r in self.rows] or [[None]])

    def __getitem__(self, address):
        assert address == "A1"
        return FakeRange(self)

    def clear(self):
        self.rows, self.cleared = [], True

    def delete(self):
        self.book_sheets.remove(self)

    def autofit(self):
        pass


class FakeSheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return list.__getitem__(self, key)

    def add(self, name, after=None):
        assert all(s.name != name for s in self), f"Excel refuses a second sheet named {name!r}"
        sheet = FakeSheet(name, [])
        self.append(sheet)
        return sheet

    def append(self, sheet):
        sheet.book_sheets = self
        list.append(self, sheet)


class FakeApp:
    def __init__(self):
        self.status_bar, self.alerts, self.opened = None, [], []
        self.books = self

    def alert(self, message, title=None, mode=None):
        self.alerts.append(message)

    def open(self, path):
        self.opened.append(path)


class FakeBook:
    def __init__(self, path):
        wb = CalamineWorkbook.from_path(str(path))
        self.fullname = str(path)
        self.name = path.name
        self.sheets = FakeSheets(
            FakeSheet(n, [[None if v == "" else v for v in r] for r in wb.get_sheet_by_name(n).to_python()])
            for n in wb.sheet_names)
        self.app = FakeApp()


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory):
    return write_sample_workbooks(tmp_path_factory.mktemp("sample"), ["ledger"])[0]


def _values(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_my_actions_are_registered():
    assert set(MINE) <= set(ACTIONS)


def test_unknown_tags_refused_before_reading_anything(tmp_path):
    with pytest.raises(UnknownAction, match="unknown ribbon action 'format_c'"):
        run_action("format_c", WorkbookTarget(tmp_path / "missing.xlsx"))
    with pytest.raises(UnknownAction, match=r"allowed: .*age_ledger"):
        actions.dispatch("import os")
    book = FakeBook(template_with_examples("ledger", tmp_path))
    names = [s.name for s in book.sheets]
    assert actions.dispatch("age_ledger'); import os; ('", book=book) is None
    assert "unknown ribbon action" in book.app.alerts[0]
    assert [s.name for s in book.sheets] == names and "Functions 函数" in names


def test_unknown_tag_from_excel_answers_with_a_message_box(tmp_path, monkeypatch):
    """Under Excel the VBA calls dispatch(tag) without a book: the caller's book gets the message, no traceback."""
    import xlwings as xw

    book = FakeBook(template_with_examples("ledger", tmp_path))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    assert actions.dispatch("invalid_tag") is None
    assert book.app.alerts and "unknown ribbon action 'invalid_tag'" in book.app.alerts[0]


def test_age_ledger_matches_cli_on_file_and_on_live_book(ledger_file, tmp_path):
    before = file_fingerprint(ledger_file)
    cli_out = tmp_path / "cli.xlsx"
    res = CliRunner().invoke(cli, ["age", str(ledger_file), "--out", str(cli_out)])
    assert res.exit_code == 0, res.output
    expected = _values(cli_out, AGEING_SHEET)

    target = WorkbookTarget(ledger_file, options={"out": tmp_path / "action.xlsx"})
    result = run_action("age_ledger", target)
    assert result.output == tmp_path / "action.xlsx"
    assert AGEING_SHEET in result.sheets_written
    assert _values(result.output, AGEING_SHEET)[:12] == expected[:12]  # buckets table, identical cells

    book = FakeBook(ledger_file)
    ledger_before = [list(r) for r in book.sheets[LEDGER.sheet].rows]
    live = actions.dispatch("age_ledger", book=book)
    assert live is not None and "open AR" in live.message
    assert book.app.alerts == []
    assert book.sheets[LEDGER.sheet].rows == ledger_before  # the user's data untouched
    assert book.sheets[AGEING_SHEET].rows[:12] == [[None if v == "" else v for v in r] for r in expected[:12]]
    assert file_fingerprint(ledger_file) == before


def test_live_book_reads_unsaved_edits(tmp_path):
    path = template_with_examples("ledger", tmp_path)
    book = FakeBook(path)
    ledger = book.sheets[LEDGER.sheet].rows
    amount = LEDGER.column("amount").header
    header = next(i for i, r in enumerate(ledger) if amount in r)
    amount_col = ledger[header].index(amount)
    ledger[header + 1][amount_col] = "n/a"  # typed on screen, not saved
    target = WorkbookTarget.from_book(book)
    found = dict((t.key, r) for t, r in actions.validate_target(target))
    assert any("n/a" in p.message for p in found["ledger"].problems)
    file_found = dict((t.key, r) for t, r in actions.validate_target(WorkbookTarget(path)))
    assert file_found["ledger"].counts()["errors"] == 0


def test_validate_workbook_agrees_with_cli(ledger_file, tmp_path):
    res = CliRunner().invoke(cli, ["validate", str(ledger_file)])
    result = run_action("validate_workbook", WorkbookTarget(ledger_file, options={"out": tmp_path / "v.xlsx"}))
    assert "no errors" in result.message
    # the CLI's per-table lines (rows, errors, warnings) are the ones the action reports
    cells = {c for row in _values(result.output, actions.PROBLEMS_SHEET) for c in row}
    lines = [ln for ln in res.output.splitlines() if ln.startswith(LEDGER.sheet + " ›")]
    assert len(lines) == 1, res.output
    rows = lines[0].split(":")[1].split()[0]
    assert int(rows) > 20000 and f"{rows} / 0 / 0" in cells
    wb = openpyxl.load_workbook(result.output, read_only=True)
    assert actions.PROBLEMS_SHEET in wb.sheetnames


def test_validate_refuses_unrelated_workbook(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "hello"
    wb.save(path)
    with pytest.raises(Exception, match="no known sheet"):
        run_action("validate_workbook", WorkbookTarget(path, options={"out": tmp_path / "v.xlsx"}))


@pytest.mark.parametrize("tag", ["new_template_ledger", "new_template_forecast", "new_template_register"])
def test_new_template_never_overwrites(tag, tmp_path):
    first = run_action(tag, WorkbookTarget(None, options={"outdir": tmp_path}))
    second = run_action(tag, WorkbookTarget(None, options={"outdir": tmp_path}))
    assert first.output.exists() and second.output.exists() and first.output != second.output
    assert second.output.name.endswith(" (2).xlsx")
    assert "Functions 函数" in openpyxl.load_workbook(first.output, read_only=True).sheetnames


def test_help_lists_every_function_with_its_example(tmp_path):
    import udfs

    result = run_action("help", WorkbookTarget(None, options={"out": tmp_path / "help.xlsx"}))
    cells = {c for row in _values(result.output, actions.HELP_SHEET) for c in row}
    for f in udfs.FUNCTIONS.values():
        assert f.name in cells and f.example in cells


def test_settings_as_of_option(tmp_path):
    path = template_with_examples("ledger", tmp_path)
    s = actions.read_settings(WorkbookTarget(path, options={"as_of": "2026-09-30"}))
    assert s.as_of == dt.date(2026, 9, 30)


def test_results_never_clear_a_users_sheet_of_the_same_name(tmp_path):
    from udfs._actions import copy_sheets_into_book

    book = FakeBook(template_with_examples("ledger", tmp_path))
    book.sheets.add("Ageing 账龄").rows = [["my own notes"]]
    target = WorkbookTarget.from_book(book, out=tmp_path / "r.xlsx")
    run_action("age_ledger", target)
    names = [s.name for s in book.sheets]
    assert "Ageing 账龄 (old)" in names and names.count("Ageing 账龄") == 1
    assert book.sheets["Ageing 账龄 (old)"].rows == [["my own notes"]]
    copy_sheets_into_book(target.output, ("Ageing 账龄",), book)  # a second run replaces only the backup
    assert [s.name for s in book.sheets].count("Ageing 账龄 (old)") == 1


def test_insurance_deadlines_on_a_live_book_matches_the_file_run(tmp_path):
    """The insurance action reads the open Book (unsaved edits included) through the shared adapter and
    copies its sheets into it; on the same workbook it agrees with the file run."""
    from xl_cashrisk.reports.insurance import WORKLIST_SHEET
    from xl_cashrisk.sample.workbooks import write_sample_book

    path = write_sample_book(tmp_path / "sample.xlsx")
    on_file = run_action("insurance_deadlines", WorkbookTarget(path, options={"out": tmp_path / "file.xlsx"}))
    book = FakeBook(path)
    target = WorkbookTarget.from_book(book, out=tmp_path / "book.xlsx")
    on_book = run_action("insurance_deadlines", target)
    assert on_book.message.split("; results")[0] == on_file.message.split("; results")[0]
    assert WORKLIST_SHEET in [s.name for s in book.sheets]
    assert _values(on_book.output, WORKLIST_SHEET) == _values(on_file.output, WORKLIST_SHEET)

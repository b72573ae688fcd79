"""In-cell test bed: every ``udfs`` function typed into a workbook cell, recalculated by LibreOffice.

How it works (once per test session):
1. every ``cases_<domain>.py`` module beside this file exports ``CASES``, a list of :class:`Case`;
2. :func:`build_workbook` writes ONE workbook (openpyxl): a sheet per domain; each case's data in
   cells, and beside them the formula exactly as a user types it (``=AGEBUCKET(C5:C9,D5)``), as an
   array formula over the result's size when the function returns an array;
3. the extension is built from ``udfs.FUNCTIONS`` and installed into a temporary LibreOffice
   profile, and the workbook is recalculated headless (``calculateAll()``) and saved, all in one
   LibreOffice process (:mod:`xl_cashrisk.build.calc.unodriver`);
4. each case's cells are read back (openpyxl, ``data_only``) and compared with the direct Python
   call of the same function on the same Excel-shaped values (:meth:`Case.expected`).

Adding cases for a new function: create or extend ``cases_<domain>.py`` with ``Case(...)`` entries;
nothing here changes. Argument forms in ``Case.args``:
- a scalar (number, text, date) → written to its own cell, the formula references that cell;
- a list of rows (``[[1], [2]]``) → written as a block, the formula references the range;
- ``Inline(value)`` → written into the formula itself (``"invoice"``, ``365``);
- trailing optional arguments are simply left out.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

HERE = Path(__file__).resolve().parent
REL_TOL = 1e-9
ABS_TOL = 1e-9


@dataclass(frozen=True)
class Inline:
    """An argument written into the formula text rather than into a cell."""

    value: Any

    def formula(self) -> str:
        if isinstance(self.value, str):
            return '"' + self.value.replace('"', '""') + '"'
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        return repr(self.value)


@dataclass(frozen=True)
class Case:
    """One formula in one cell: ``function(*args)``; the expectation is the direct Python call."""

    function: str
    args: tuple
    label: str = ""
    want: Any = None  # an independent expectation (a SPEC worked example), checked against Python too
    tolerance: float = REL_TOL

    @property
    def id(self) -> str:
        return f"{self.function}-{self.label}" if self.label else self.function

    def python_args(self) -> list[Any]:
        """The arguments as a spreadsheet hands them over: every number a float (cells hold doubles)."""
        return [_as_cell(a.value if isinstance(a, Inline) else a) for a in self.args]

    def expected(self) -> Any:
        """The direct call, with the values the cells hold; an error becomes its message, as in a cell."""
        import udfs

        try:
            return udfs.FUNCTIONS[self.function].fn(*self.python_args())
        except Exception as exc:
            return " ".join(str(exc).split())


def _as_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_as_cell(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@dataclass
class Placed:
    case: Case
    sheet: str
    anchor: str  # the formula's cell
    rows: int  # result size (1×1 for a value)
    cols: int
    formula: str
    expected: Any = field(default=None)


def _is_range(arg: Any) -> bool:
    return isinstance(arg, list | tuple) and not isinstance(arg, Inline)


def _grid(value: Any) -> list[list[Any]]:
    """A result as rows of cells (a value is 1×1; a 1-D list is one row, as xlwings writes it)."""
    if isinstance(value, list | tuple):
        if not value:
            return [[""]]
        if not any(isinstance(r, list | tuple) for r in value):
            return [list(value)]
        return [list(r) if isinstance(r, list | tuple) else [r] for r in value]
    return [[value]]


def load_cases(directory: Path = HERE) -> dict[str, list[Case]]:
    """``{domain: CASES}`` from every ``cases_<domain>.py`` in ``directory``."""
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    out: dict[str, list[Case]] = {}
    for path in sorted(directory.glob("cases_*.py")):
        domain = path.stem.removeprefix("cases_")
        spec = importlib.util.spec_from_file_location(f"incell_cases_{domain}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out[domain] = list(module.CASES)
    return out


def _write_value(ws, row: int, col: int, value: Any) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return  # a blank cell
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def build_workbook(cases: dict[str, list[Case]], path: Path) -> list[Placed]:
    """Write every case to ``path``; return where each formula sits and what it should give."""
    wb = Workbook()
    wb.remove(wb.active)
    placed: list[Placed] = []
    for domain, domain_cases in cases.items():
        ws = wb.create_sheet(domain[:31])
        ws.cell(row=1, column=1, value="case")
        ws.cell(row=1, column=2, value="formula")
        row = 2
        for case in domain_cases:
            col = 4  # A: case id, B: formula text, C: spare, data from D on
            refs, height = [], 1
            for arg in case.args:
                if isinstance(arg, Inline):
                    refs.append(arg.formula())
                elif _is_range(arg):
                    block = _grid(arg)
                    width = max(len(r) for r in block)
                    for i, r in enumerate(block):
                        for j, v in enumerate(r):
                            _write_value(ws, row + i, col + j, v)
                    refs.append(f"{get_column_letter(col)}{row}:{get_column_letter(col + width - 1)}"
                                f"{row + len(block) - 1}")
                    height = max(height, len(block))
                    col += width + 1
                else:
                    _write_value(ws, row, col, arg)
                    refs.append(f"{get_column_letter(col)}{row}")
                    col += 2
            expected = case.expected()
            grid = _grid(expected)
            rows, cols = len(grid), max(len(r) for r in grid)
            formula = f"={case.function}({','.join(refs)})"
            anchor = f"{get_column_letter(col)}{row}"
            if isinstance(expected, list | tuple):
                ref = f"{anchor}:{get_column_letter(col + cols - 1)}{row + rows - 1}"
                ws[anchor] = ArrayFormula(ref, formula)
            else:
                ws[anchor] = formula
            ws.cell(row=row, column=1, value=case.id)
            ws.cell(row=row, column=2, value=formula)
            placed.append(Placed(case, ws.title, anchor, rows, cols, formula, expected))
            row += max(height, rows) + 1
    wb.save(path)
    return placed


def read_results(path: Path, placed: Sequence[Placed]) -> dict[str, tuple[list[list[Any]], str]]:
    """``{case id: (grid of values, formula text as saved)}`` from the recalculated workbook."""
    values = load_workbook(path, data_only=True)
    formulas = load_workbook(path)
    out = {}
    for p in placed:
        ws = values[p.sheet]
        top = ws[p.anchor]
        grid = [[ws.cell(row=top.row + i, column=top.column + j).value for j in range(p.cols)]
                for i in range(p.rows)]
        f = formulas[p.sheet][p.anchor].value
        text = f.text if isinstance(f, ArrayFormula) else f
        out[p.case.id] = (grid, str(text))
    return out


def same(got: Any, want: Any, tolerance: float = REL_TOL) -> bool:
    """A cell value equals a Python result: blanks ('' / None) alike, numbers within tolerance."""
    if want is None or want == "":
        return got is None or got == ""
    if isinstance(want, bool):
        return got == want or got == float(want)
    if isinstance(want, int | float):
        return isinstance(got, int | float) and not isinstance(got, bool) and math.isclose(
            got, want, rel_tol=tolerance, abs_tol=ABS_TOL)
    if isinstance(want, dt.date):
        return got == want or (isinstance(got, dt.datetime) and got.date() == want)
    return got == want


def mismatches(got_grid: list[list[Any]], expected: Any, tolerance: float = REL_TOL) -> list[str]:
    want = _grid(expected)
    out = []
    for i, row in enumerate(want):
        for j, w in enumerate(row):
            g = got_grid[i][j] if i < len(got_grid) and j < len(got_grid[i]) else None
            if not same(g, w, tolerance):
                out.append(f"[{i},{j}] cell {g!r} != python {w!r}")
    return out

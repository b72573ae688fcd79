"""The rules of every table: problems, validation reports, and the cross-column rule of each table.

A table's cross-column rule (the ledger's sign, paid and currency checks; the register's balance-sheet
checks) is registered with :func:`register_rule` under the table's key, in the table's own schema module
(:mod:`xl_cashrisk.schemas.ledger`, :mod:`xl_cashrisk.schemas.register`). It sees the typed frame
(index = Excel rows) through a :class:`RuleContext` and returns :class:`Problem` s; the readers
(:mod:`xl_cashrisk.io.reader`, the importer) run it with :func:`validate_frame` after typing each cell
by the one values module (:mod:`xl_cashrisk.schemas.values`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.schemas.schema import Table
from xl_cashrisk.settings import Settings

__all__ = ["TABLE_RULES", "Problem", "RuleContext", "Severity", "ValidationReport", "register_rule", "sort_problems",
           "validate_frame"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One unusable or doubtful cell (or column, when ``row`` is the header row)."""

    severity: Severity
    sheet: str | None
    row: int | None  # 1-based Excel row number
    column: str | None  # header text as the user sees it
    message: str

    def __str__(self) -> str:
        where = str(Location(None, self.sheet, self.row, self.column))
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ValidationReport:
    """Problems found reading one table, with counts; :meth:`raise_if_errors` for all-or-nothing runs."""

    table: str
    file: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    rows: int = 0  # data rows read (blank rows excluded)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def error_rows(self) -> set[int]:
        """Excel rows with at least one error."""
        return {p.row for p in self.problems if p.severity == "error" and p.row is not None}

    def counts(self) -> dict[str, int]:
        c = Counter(p.severity for p in self.problems)
        return {"rows": self.rows, "errors": c["error"], "warnings": c["warning"],
                "rows_with_errors": len(self.error_rows)}

    def by_column(self) -> Counter:
        """(severity, column header) → number of problems."""
        return Counter((p.severity, p.column) for p in self.problems)

    def summary(self, limit: int = 5) -> str:
        errs = self.errors
        where = str(Location(self.file, self.sheet))
        head = f"{where}: " if where else ""
        if not errs:
            return f"{head}{self.rows} rows, no errors, {len(self.warnings)} warnings"
        shown = "; ".join(
            str(Location(None, None, p.row, p.column)) + f": {p.message}" if p.row or p.column else p.message
            for p in errs[:limit]
        )
        more = f" … and {len(errs) - limit} more" if len(errs) > limit else ""
        return (f"{head}{len(errs)} errors in {len(self.error_rows)} of {self.rows} rows "
                f"(fix them and run again): {shown}{more}")

    def raise_if_errors(self, limit: int = 5) -> None:
        """Raise :class:`InputError` naming the first ``limit`` errors, if there are any."""
        if not self.ok:
            raise InputError(self.summary(limit))


@dataclass
class RuleContext:
    """What a table rule sees: the typed frame (index = Excel rows), which cells already failed, settings."""

    table: Table
    frame: pd.DataFrame
    bad: Mapping[str, np.ndarray]  # column key → bool mask of cells already reported as errors
    sheet: str | None
    settings: Settings | None
    headers: Mapping[str, str]  # column key → header text found in the file

    def problems(self, severity: Severity, key: str, mask: np.ndarray,
                 message: Callable[[int], str] | str) -> list[Problem]:
        """One problem per True in ``mask`` (message may be a function of the row position)."""
        rows = self.frame.index.to_numpy()
        col = self.headers.get(key, self.table.column(key).header)
        idx = np.flatnonzero(mask)
        if isinstance(message, str):
            return [Problem(severity, self.sheet, int(rows[i]), col, message) for i in idx]
        return [Problem(severity, self.sheet, int(rows[i]), col, message(i)) for i in idx]


TABLE_RULES: dict[str, Callable[[RuleContext], list[Problem]]] = {}


def register_rule(table_key: str):
    """Decorator: register the cross-column rule function of a table (one per table key)."""

    def deco(fn: Callable[[RuleContext], list[Problem]]):
        TABLE_RULES[table_key] = fn
        return fn

    return deco


def validate_frame(table: Table, frame: pd.DataFrame, bad: Mapping[str, np.ndarray], *, sheet: str | None,
                   settings: Settings | None, headers: Mapping[str, str]) -> list[Problem]:
    """Run the table's registered cross-column rule, if any (mutates ``frame`` for derived columns)."""
    rule = TABLE_RULES.get(table.key)
    if rule is None:
        return []
    return rule(RuleContext(table, frame, bad, sheet, settings, headers))


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row if p.row is not None else -1, p.severity != "error"))

"""Errors that reach users: one line, naming what was wrong and where.

Every message a user sees is built here or by these classes, so the CLI, the Excel functions and
the ribbon actions speak the same way. None of them should ever surface as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class CashRiskError(Exception):
    """Base class for every error whose text is meant for the user."""


class ArgumentError(CashRiskError, ValueError):
    """An Excel function argument is unusable.

    >>> str(ArgumentError("DSO", "days", "a positive number", "n/a"))
    "DSO: days must be a positive number, got 'n/a'"
    """

    def __init__(self, function: str, argument: str, expected: str, got: object = ..., *, detail: str = ""):
        self.function, self.argument, self.expected, self.got = function, argument, expected, got
        text = f"{function}: {argument} must be {expected}"
        if got is not ...:
            text += f", got {_show(got)}"
        if detail:
            text += f" ({detail})"
        super().__init__(text)


@dataclass(frozen=True)
class Location:
    """Where a problem sits in a file: every part optional, printed in the order a user looks."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # 1-based Excel row number
    column: str | None = None  # the column header as the user sees it

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


class InputError(CashRiskError):
    """A file, sheet, row or cell that cannot be used.

    >>> str(InputError("expected a date, got 'soon'", Location("ledger.xlsx", "AR Ledger", 7, "Due date")))
    "ledger.xlsx, sheet 'AR Ledger', row 7, column 'Due date': expected a date, got 'soon'"
    """

    def __init__(self, message: str, location: Location | None = None):
        self.message, self.location = message, location or Location()
        where = str(self.location)
        super().__init__(f"{where}: {message}" if where else message)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

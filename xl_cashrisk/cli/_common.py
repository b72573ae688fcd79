"""Helpers shared by the commands: dates from options, settings overrides, reading with a spinner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table as RichTable

from xl_cashrisk.cli.app import console
from xl_cashrisk.errors import InputError
from xl_cashrisk.pipelines.feedback import Feedback
from xl_cashrisk.schemas import values as V
from xl_cashrisk.settings import BASES, Settings


def parse_as_of(value: str | None) -> dt.date | None:
    """``--as-of``: a whole date within 50 years of today (the one values rule); else a usage error."""
    if value is None:
        return None
    try:
        return V.parse_as_of(value)
    except V.ValueRefused as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


as_of_option = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                            help="As-of date (default: the workbook's Settings sheet, else today).")
out_option = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                          help="Results workbook to write (.xlsx). Never the input file.")


def apply_overrides(settings: Settings, as_of: str | None = None, basis: str | None = None) -> Settings:
    d = parse_as_of(as_of)
    if d is not None:
        settings.as_of = d
    if basis is not None:
        if basis not in BASES:
            raise InputError(f"--basis must be one of {', '.join(BASES)}, got {basis!r}")
        settings.ageing_basis = basis
    return settings


def money(x: float, currency: str = "") -> str:
    return f"{x:,.0f} {currency}".strip()


def print_problems(report, limit: int = 30) -> None:
    """The first problems of a validation report as a table (sheet, row, column, message)."""
    if not report.problems:
        return
    t = RichTable("Severity", "Sheet", "Row", "Column", "Problem", show_lines=False)
    for p in report.problems[:limit]:
        style = "red" if p.severity == "error" else "yellow"
        t.add_row(f"[{style}]{p.severity}[/{style}]", p.sheet or "", str(p.row or ""), p.column or "", p.message)
    console.print(t)
    if len(report.problems) > limit:
        console.print(f"… and {len(report.problems) - limit} more problems")


class ConsoleFeedback(Feedback):
    """The shared readers' remarks (:mod:`xl_cashrisk.pipelines.inputs`) on the console: problem tables,
    notes in dim (yellow when they warn), a spinner while reading."""

    def problems(self, report) -> None:
        print_problems(report)

    def note(self, text: str, *, warning: bool = False) -> None:
        style = "yellow" if warning else "dim"
        console.print(f"[{style}]{text}[/{style}]")

    def status(self, text: str):
        return console.status(text)


CONSOLE_FEEDBACK = ConsoleFeedback()

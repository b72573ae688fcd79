"""``xl-cashrisk validate``: check a filled workbook. A module of its own that imports only the reader and
the table rules, so that a check of a big ledger pays no start-up for the analyses it does not run."""

from __future__ import annotations

from pathlib import Path

import click

from xl_cashrisk.cli._common import print_problems
from xl_cashrisk.cli.app import EXIT_INPUT, cli, console
from xl_cashrisk.io.inputs import validate_tables
from xl_cashrisk.io.reader import WorkbookReader


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--limit", default=30, show_default=True, help="Problems to list per table.")
def validate(file: Path, limit: int) -> None:
    """Check a filled workbook (校验): every problem with sheet, row and column. Exit 0 only if clean."""
    book = WorkbookReader(file)
    console.print(f"[bold]{file}[/bold]")
    with console.status("validating…"):
        found = validate_tables(book)
    failed = 0
    for table, report in found:
        c = report.counts()
        style = "green" if report.ok else "red"
        console.print(f"[{style}]{table.sheet} › {table.title_en}[/{style}]: {c['rows']} rows, {c['errors']} errors "
                      f"in {c['rows_with_errors']} rows, {c['warnings']} warnings")
        print_problems(report, limit)
        failed += not report.ok
    if failed:
        raise SystemExit(EXIT_INPUT)
    console.print("[green]no errors[/green]")

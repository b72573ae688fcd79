"""``xl-cashrisk functions``: list the Excel functions, or print the Markdown reference."""

from __future__ import annotations

import click
from rich.table import Table

from xl_cashrisk.build.reference import markdown_reference, signature
from xl_cashrisk.cli.app import cli, console


@cli.command()
@click.option("--markdown", is_flag=True, help="Print the full Markdown function reference.")
def functions(markdown: bool) -> None:
    """List the Excel functions (函数列表)."""
    if markdown:
        click.echo(markdown_reference(), nl=False)
        return
    import udfs

    table = Table("Function", "Category", "Summary", show_lines=False)
    for f in sorted(udfs.FUNCTIONS.values(), key=lambda f: (f.category, f.name)):
        table.add_row(signature(f), f.category, f.summary)
    console.print(table)

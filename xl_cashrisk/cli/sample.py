"""``xl-cashrisk sample``: the embedded sample portfolio as filled workbooks to try every command on."""

from __future__ import annotations

from pathlib import Path

import click

from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.sample.workbooks import SAMPLE_FILLERS, write_sample_workbooks


@cli.command()
@click.option("--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(SAMPLE_FILLERS)),
              help="Only these workbooks (default: all).")
def sample(outdir: Path, kinds: tuple[str, ...]) -> None:
    """Write the sample portfolio as filled template workbooks (示例数据工作簿)."""
    with console.status("writing sample workbooks…"):
        paths = write_sample_workbooks(outdir, kinds or None)
    for p in paths:
        console.print(f"wrote {p}")

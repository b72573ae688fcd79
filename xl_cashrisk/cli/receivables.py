"""Commands for the AR clerk: templates, ageing, the sample workbook (validation: :mod:`xl_cashrisk.cli.validate`)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import (
    CONSOLE_FEEDBACK,
    apply_overrides,
    as_of_option,
    money,
    out_option,
)
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.io.inputs import open_book, read_ledger, workbook_settings
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.templates import TEMPLATES, build_named
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.ageing import OPEN_ITEMS_ONLY, AgeingResult, metric_text, run_ageing
from xl_cashrisk.reports.ageing import write_ageing
from xl_cashrisk.settings import Settings


@cli.command()
@click.argument("kind", type=click.Choice(sorted([*TEMPLATES, "all"])))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: the template's standard name in --outdir).")
@click.option("--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--no-examples", is_flag=True, help="Leave the example rows out.")
def template(kind: str, out: Path | None, outdir: Path, no_examples: bool) -> None:
    """Write a blank template workbook (模板): ledger, register, forecast, ... or all."""
    kinds = sorted(TEMPLATES) if kind == "all" else [kind]
    if out is not None and len(kinds) > 1:
        raise click.BadParameter("--out names one file; use --outdir with 'all'", param_hint="--out")
    for k in kinds:
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            path = build_named(k, out.parent, examples=not no_examples)
            if path != out:
                path.replace(out)
                path = out
        else:
            outdir.mkdir(parents=True, exist_ok=True)
            path = build_named(k, outdir, examples=not no_examples)
        spec = TEMPLATES[k]
        console.print(f"wrote {path}  ({spec.title_en} {spec.title_zh})")


def read_ledger_checked(file: Path | WorkbookReader, settings: Settings | None = None):
    """The validated ledger frame (its problems printed) and the settings (default: the workbook's); ``file``
    is a path or an open reader over it."""
    book = open_book(file)
    if settings is None:
        settings = workbook_settings(book)
    return read_ledger(book, settings, feedback=CONSOLE_FEEDBACK), settings


def print_ageing(result: AgeingResult) -> None:
    hc = result.settings.home_currency
    t = RichTable("Bucket 账龄", f"Amount ({hc})", "Items", "Share", title=f"Ageing as of {result.settings.as_of}")
    total = result.open_balance
    for label, row in result.buckets.iterrows():
        t.add_row(str(label), money(row["amount"]), str(int(row["items"])),
                  f"{row['amount'] / total:.1%}" if total else "")
    t.add_row("[bold]total[/bold]", f"[bold]{money(total)}[/bold]", "", "")
    console.print(t)
    m = result.metrics.set_index("key")
    parts = [f"DSO {metric_text(m.loc['dso_12m'], '{:.1f} d')}", f"countback {metric_text(m.loc['dso_countback'], '{:.1f} d')}",
             f"best possible {metric_text(m.loc['bpdso'], '{:.1f} d')}", f"ADD {metric_text(m.loc['add'], '{:.1f} d')}",
             f"CEI {metric_text(m.loc['cei'], '{:.1f} %')}", f"overdue {metric_text(m.loc['overdue_share'], '{:.1%}')}"]
    console.print("  ".join(parts).replace(f"; {OPEN_ITEMS_ONLY}", ""), soft_wrap=True)
    if OPEN_ITEMS_ONLY in str(m.loc["dso_12m", "note"]):
        console.print(f"[yellow]note: the ledger holds {OPEN_ITEMS_ONLY}; the DSO figures above count only what "
                      "is still unpaid[/yellow]", soft_wrap=True)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@as_of_option
@click.option("--basis", type=click.Choice(["dpd", "invoice"]), help="Ageing convention (default: Settings sheet, else dpd).")
def age(file: Path, out: Path, as_of: str | None, basis: str | None) -> None:
    """Age a ledger workbook (账龄分析): buckets, per-buyer schedule, DSO/CEI, chart → a new workbook."""
    ledger, settings = read_ledger_checked(file)
    apply_overrides(settings, as_of, basis)
    result = run_ageing(ledger, settings)
    print_ageing(result)
    with ResultWorkbook(out, inputs=[file]) as rw:
        write_ageing(result, rw)
        rw.add_run_stamp(run_stamp(settings.as_of, [file], {"command": "age", "basis": settings.ageing_basis}))
    console.print(f"wrote {out}")


@demo_step(10, "Receivables ageing")
def demo_ageing(ctx: DemoContext) -> None:
    result = run_ageing(ctx.sample.ledger, ctx.sample.settings)
    ctx.results["ageing"] = result
    print_ageing(result)
    write_ageing(result, ctx.writer)
    top = result.schedule.iloc[0]
    share = top["total"] / result.open_balance
    ctx.console.print(f"largest buyer: {top['buyer_id']} {top.get('buyer_name', '')} holds {share:.1%} of open AR")

"""``xl-cashrisk provision``: the IFRS 9 / CAS 22 provision matrix from the ledger's own month-end history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import as_of_option, money, out_option
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.cli.receivables import read_ledger_checked
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.provision import ProvisionResult, run_provision
from xl_cashrisk.reports.provision import write_provision

__all__ = ["print_provision", "provision"]


def print_provision(result: ProvisionResult | None) -> None:
    """The matrix on screen: balance, migration and loss rate, provision per bucket, and the total."""
    if result is None:
        return
    hc = result.settings.home_currency
    h = result.history
    t = RichTable("Bucket 账龄", f"Balance ({hc})", "Migration", "Loss rate", f"Provision ({hc})",
                  title=f"Provision matrix as of {result.settings.as_of} ({len(h)} month-ends "
                        f"{h.index[0]} … {h.index[-1]}; forward factor {result.forward_factor:g})")
    for _, r in result.matrix.iterrows():
        t.add_row(str(r["bucket"]), money(r["balance"]), f"{r['migration_rate']:.1%}", f"{r['loss_rate']:.2%}",
                  money(r["provision"]))
    t.add_row("[bold]total[/bold]", f"[bold]{money(result.total_balance)}[/bold]", "", f"{result.coverage:.2%}",
              f"[bold]{money(result.total_provision)}[/bold]")
    console.print(t)
    for n in result.notes:
        console.print(f"[yellow]{n}[/yellow]")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@as_of_option
@click.option("--last-rate", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="Share of the oldest bucket finally lost (its own migration rate).")
@click.option("--forward-factor", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Forward-looking adjustment: loss rates × this factor, capped at 100 % (1.1 = 10 % worse).")
def provision(file: Path, out: Path, as_of: dt.date | None, last_rate: float, forward_factor: float) -> None:
    """Provision matrix from the ledger's month-ends (坏账准备：账龄迁徙率法, IFRS 9 / CAS 22) → a new workbook."""
    ledger, settings = read_ledger_checked(file)
    if as_of is not None:
        settings.as_of = as_of
    result = run_provision(ledger, settings, last_rate=last_rate, forward_factor=forward_factor)
    print_provision(result)
    with ResultWorkbook(out, inputs=[file]) as rw:
        write_provision(result, rw)
        rw.add_run_stamp(run_stamp(settings.as_of, [file], {
            "command": "provision", "month_ends": len(result.history), "last_rate": last_rate,
            "forward_factor": forward_factor}))
    console.print(f"wrote {out}  (provision {money(result.total_provision, settings.home_currency)}, "
                  f"{result.coverage:.2%} of {money(result.total_balance, settings.home_currency)})")

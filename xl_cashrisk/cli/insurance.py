"""``xl-cashrisk insurance`` (exposure, deadlines, worklist) and its demo step (40).

Where the inputs come from (read by :mod:`xl_cashrisk.io.inputs`, as for the ribbon action; here
with the problems and notes printed):

* ledger: the AR Ledger sheet of FILE;
* settings: ``--settings`` (a settings workbook or TOML file), else FILE's Settings sheet;
* policy: the Policy sheet of the ``--settings`` workbook or of FILE, else the insurance rows of the
  settings (Settings sheet or TOML ``[insurance]``), else the SPEC §7 defaults (said on screen);
* buyer limits, countries and groups: ``--register`` (the buyer register, any sheet with a
  ``Buyer ID`` and an ``Insurer limit`` column), else a "Buyer limits" sheet in FILE or the settings
  workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd
from rich.table import Table as RichTable

from xl_cashrisk import insurance as ins
from xl_cashrisk.cli._common import CONSOLE_FEEDBACK, as_of_option, money, out_option
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli as cli_group
from xl_cashrisk.cli.app import clip, console
from xl_cashrisk.io.inputs import insurance_tables, load_inputs
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.insurance import InsuranceResult, run_insurance
from xl_cashrisk.reports.insurance import write_insurance
from xl_cashrisk.sample.policy import SAMPLE_POLICY, sample_buyer_limits

__all__ = ["insurance", "insurance_files", "print_insurance", "register_option", "settings_option"]

TOP_WORKLIST = 10
STEP_SHORT = {1: "notify", 2: "collect", 3: "claim"}




def print_insurance(result: InsuranceResult, top: int = TOP_WORKLIST) -> None:
    m = result.summary.set_index("key")["value"]
    hc, p = result.settings.home_currency, result.policy
    console.print(f"open AR {money(m['open_ar'], hc)}: insured {money(m['insured'], hc)} ({m['insured_share']:.1%}), "
                  f"uninsured {money(m['uninsured'], hc)}; {int(m['buyers_no_limit'])} buyers without a limit owe "
                  f"{money(m['open_no_limit'], hc)}")
    console.print(f"overdue {money(m['overdue_ar'], hc)} in {int(m['overdue_invoices'])} invoices, of which uninsured "
                  f"{money(m['overdue_uninsured'], hc)}; step 1 {int(m['step1'])}, step 2 {int(m['step2'])}, "
                  f"step 3 {int(m['step3'])}; notification already missed {int(m['notify_missed'])}, claim deadline "
                  f"missed {int(m['claim_missed'])}")
    console.print(f"worklist {int(m['worklist_rows'])} rows: [red]{int(m['urgent'])} red[/red] (material, deadline "
                  f"within {p.urgent_days} days or missed), [yellow]{int(m['soon'])} amber[/yellow] (within "
                  f"{p.soon_days} days); {int(m['small_items'])} small items below {money(m['materiality'], hc)} "
                  f"({money(m['small_amount'], hc)}) listed apart, grouped per buyer")
    open_rows = result.worklist[result.worklist["days_left"] >= 0].head(top)
    t = RichTable("", "Invoice", "Buyer", "DPD", "Next step", "Deadline", "Left", f"At risk {hc}",
                  title=f"The {len(open_rows)} first worklist rows still in time 最重要的催收事项")
    for r in open_rows.itertuples():
        colour = {ins.RED: "red", ins.AMBER: "yellow"}.get(r.light, "")
        light = f"[{colour}]{r.light}[/{colour}]" if colour else ""
        name = clip(str(getattr(r, "buyer_name", "") or r.buyer_id), 16)
        t.add_row(light, clip(str(r.invoice_no), 24), name, str(r.days_past_due), f"{r.step} {STEP_SHORT[r.step]}",
                  pd.Timestamp(r.deadline).strftime("%Y-%m-%d"), str(r.days_left), money(r.at_risk))
    console.print(t)


settings_option = click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
                               help="Settings workbook (Settings, Policy, Buyer limits sheets) or TOML file; "
                               "default: FILE's own sheets.")
register_option = click.option("--register", type=click.Path(dir_okay=False, path_type=Path),
                               help="Buyer register workbook with Buyer ID, Country and Insurer limit columns.")


def insurance_inputs_run(file: Path | WorkbookReader, register: Path | None = None, settings_file: Path | None = None,
                         as_of: dt.date | None = None) -> tuple[InsuranceResult, list, dict[str, object]]:
    """Read and validate (file path or open reader), run the insurance pipeline: the result, the input
    files and the run-stamp extras. The reading is :mod:`xl_cashrisk.io.inputs`, as for the ribbon
    action; here its remarks go to the console."""
    inputs = load_inputs(file, settings_file, as_of)
    tables = insurance_tables(inputs, register, feedback=CONSOLE_FEEDBACK)
    result = run_insurance(tables.ledger, tables.buyers, tables.policy, tables.settings)
    return result, tables.sources, tables.stamp


def insurance_files(file: Path, out: Path, register: Path | None = None, settings_file: Path | None = None,
                    as_of: dt.date | None = None) -> InsuranceResult:
    """The ``insurance`` command's work on files: read, run, write ``out``."""
    result, sources, extra = insurance_inputs_run(file, register, settings_file, as_of)
    with ResultWorkbook(out, inputs=sources) as rw:
        write_insurance(result, rw)
        rw.add_run_stamp(run_stamp(result.settings.as_of, sources, extra))
    return result


@cli_group.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@register_option
@settings_option
@as_of_option
def insurance(file: Path, out: Path, register: Path | None, settings_file: Path | None,
              as_of: dt.date | None) -> None:
    """Credit insurance on a ledger (信用保险): insured/uninsured exposure, claim deadlines, collections worklist."""
    result = insurance_files(file, out, register, settings_file, as_of)
    print_insurance(result)
    console.print(f"wrote {out}")


@demo_step(40, "Credit insurance: exposure, deadlines, worklist 信用保险")
def demo_insurance(ctx: DemoContext) -> None:
    s = ctx.sample
    result = run_insurance(s.ledger, sample_buyer_limits(s), SAMPLE_POLICY, s.settings)
    ctx.results["insurance"] = result
    print_insurance(result)
    write_insurance(result, ctx.writer)

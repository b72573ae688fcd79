"""Commands for the controller: ``insurance`` (exposure, deadlines, worklist) and ``ratios`` (ratios,
working-capital health, trend, concentration); their demo steps (30 and 40).

Where the inputs come from (read by :mod:`xl_cashrisk.pipelines.inputs`, as for the ribbon action; here
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

from pathlib import Path

import click
import pandas as pd
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import (
    CONSOLE_FEEDBACK,
    ConsoleFeedback,
    apply_overrides,
    as_of_option,
    money,
    out_option,
)
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli as cli_group
from xl_cashrisk.cli.app import console
from xl_cashrisk.cli.receivables import read_ledger_checked
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines import inputs as pin
from xl_cashrisk.pipelines.inputs import Inputs, has_sheet, load_inputs, read_policy
from xl_cashrisk.pipelines.insurance import InsuranceResult, run_insurance
from xl_cashrisk.pipelines.ratios import ConcentrationReport, RatiosResult, run_concentration, run_ratios
from xl_cashrisk.reports.insurance import write_insurance
from xl_cashrisk.reports.ratios import write_concentration, write_ratios
from xl_cashrisk.sample.policy import SAMPLE_POLICY, sample_buyer_limits, sample_company_rows
from xl_cashrisk.schemas.company import COMPANY
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.settings import Settings

__all__ = ["CONSOLE_FEEDBACK", "ConsoleFeedback", "Inputs", "insurance_files", "load_inputs", "read_buyer_limits",
           "read_company", "read_policy"]

TOP_WORKLIST = 10
STEP_SHORT = {1: "notify", 2: "collect", 3: "claim"}




def read_buyer_limits(book: WorkbookReader, settings: Settings, *, sheet: str | None = None) -> pd.DataFrame:
    """Buyer limits (and countries, groups) from a Buyer limits sheet or a buyer register; problems printed."""
    return pin.read_buyer_limits(book, settings, sheet=sheet, feedback=CONSOLE_FEEDBACK)


def read_company(book: WorkbookReader, settings: Settings) -> pd.DataFrame:
    """The Company financials table; problems printed."""
    return pin.read_company(book, settings, feedback=CONSOLE_FEEDBACK)


def _buyers_from(inputs: Inputs, register: Path | None) -> tuple[pd.DataFrame | None, str]:
    return pin.buyers_from(inputs, register, feedback=CONSOLE_FEEDBACK)


def print_insurance(result: InsuranceResult, top: int = TOP_WORKLIST) -> None:
    m = result.summary.set_index("key")["value"]
    hc = result.settings.home_currency
    console.print(f"open AR {money(m['open_ar'], hc)}: insured {money(m['insured'], hc)} ({m['insured_share']:.1%}), "
                  f"uninsured {money(m['uninsured'], hc)}; {int(m['buyers_no_limit'])} buyers without a limit owe "
                  f"{money(m['open_no_limit'], hc)}")
    console.print(f"overdue {money(m['overdue_ar'], hc)} in {int(m['overdue_invoices'])} invoices, of which uninsured "
                  f"{money(m['overdue_uninsured'], hc)}; worklist: step 1 {int(m['step1'])}, step 2 {int(m['step2'])}, "
                  f"step 3 {int(m['step3'])}; urgent {int(m['urgent'])}; notification already missed "
                  f"{int(m['notify_missed'])}, claim deadline missed {int(m['claim_missed'])}")
    open_rows = result.worklist[result.worklist["days_left"] >= 0].head(top)
    t = RichTable("Invoice", "Buyer", "DPD", "Next step", "Deadline", "Left", f"Uninsured {hc}",
                  title=f"The {len(open_rows)} most urgent worklist rows still in time 最紧急的催收事项")
    for r in open_rows.itertuples():
        name = str(getattr(r, "buyer_name", "") or r.buyer_id)
        left = f"[red]{r.days_left}[/red]" if r.urgent else str(r.days_left)
        uninsured = f"[bold yellow]{money(r.uninsured)}[/bold yellow]" if r.uninsured_flag else money(r.uninsured)
        t.add_row(str(r.invoice_no), name[:16], str(r.days_past_due), f"{r.step} {STEP_SHORT[r.step]}",
                  pd.Timestamp(r.deadline).strftime("%Y-%m-%d"), left, uninsured)
    console.print(t)


def print_ratios(result: RatiosResult) -> None:
    t = RichTable("Period", "WC", "Current", "Health", "Quick", "Cash", "DSO", "DIO", "DPO", "CCC",
                  title="Working capital and liquidity by period 营运资金与流动性")
    colours = {"GREEN": "green", "YELLOW": "yellow", "RED": "red", "": "white"}

    def f(x, spec):
        return "" if pd.isna(x) else format(x, spec)

    for period, r in result.trend.iterrows():
        c = colours[r["current_light"]]
        t.add_row(str(period), money(r["working_capital"]), f(r["current_ratio"], ".2f"),
                  f"[{c}]{r['current_label']}[/{c}]", f(r["quick_ratio"], ".2f"), f(r["cash_ratio"], ".2f"),
                  f(r["dso"], ".1f"), f(r["dio"], ".1f"), f(r["dpo"], ".1f"), f(r["ccc"], ".1f"))
    console.print(t)
    console.print(f"current-ratio trend: {result.metric('trend')} "
                  f"({result.metric('current_ratio_first'):.2f} → {result.metric('current_ratio'):.2f})")


def print_concentration(report: ConcentrationReport) -> None:
    t = RichTable("Grouping", "Groups", "HHI", "HHI pts", "Light", "Top 1", "Top 5", "Largest",
                  title="Concentration of open AR 应收账款集中度")
    colours = {"GREEN": "green", "YELLOW": "yellow", "RED": "red", "": "white"}
    for _, r in report.summary.iterrows():
        c = colours[r["status"]]
        t.add_row(r["label"], str(r["groups"]), f"{r['hhi']:.4f}", f"{r['hhi_points']:,.0f}", f"[{c}]{r['status']}[/{c}]",
                  f"{r['top1_share']:.1%}", f"{r['top5_share']:.1%}", str(r["largest"])[:60])
    console.print(t)
    buyer = report.results.get("buyer")
    if buyer is not None:
        top = buyer.table.iloc[0]
        console.print(f"largest buyer: {top.get('name') if isinstance(top.get('name'), str) and top.get('name') else top['group']} ({top['group']}) {top['share']:.1%} of open AR "
                      f"[{top['status']}]; buyer HHI {buyer.hhi:.4f} = {buyer.hhi_points:,.0f} points "
                      f"({buyer.status}), equivalent to {buyer.equivalent_number:.1f} equal buyers")


settings_option = click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
                               help="Settings workbook (Settings, Policy, Buyer limits sheets) or TOML file; "
                               "default: FILE's own sheets.")
register_option = click.option("--register", type=click.Path(dir_okay=False, path_type=Path),
                               help="Buyer register workbook with Buyer ID, Country and Insurer limit columns.")


def insurance_inputs_run(file: Path | WorkbookReader, register: Path | None = None, settings_file: Path | None = None,
                         as_of: str | None = None) -> tuple[InsuranceResult, list, dict[str, object]]:
    """Read and validate (file path or open reader), run the insurance pipeline: the result, the input
    files and the run-stamp extras. The reading is :mod:`xl_cashrisk.pipelines.inputs`, as for the ribbon
    action; here its remarks go to the console."""
    inputs = load_inputs(file, settings_file)
    apply_overrides(inputs.settings, as_of)
    tables = pin.insurance_tables(inputs, register, feedback=CONSOLE_FEEDBACK)
    result = run_insurance(tables.ledger, tables.buyers, tables.policy, tables.settings)
    return result, tables.sources, tables.stamp


def insurance_files(file: Path, out: Path, register: Path | None = None, settings_file: Path | None = None,
                    as_of: str | None = None) -> InsuranceResult:
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
def insurance(file: Path, out: Path, register: Path | None, settings_file: Path | None, as_of: str | None) -> None:
    """Credit insurance on a ledger (信用保险): insured/uninsured exposure, claim deadlines, collections worklist."""
    result = insurance_files(file, out, register, settings_file, as_of)
    print_insurance(result)
    console.print(f"wrote {out}")


@cli_group.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Results workbook to write (.xlsx); without it the results are only printed.")
@register_option
@settings_option
@as_of_option
def ratios(file: Path, out: Path | None, register: Path | None, settings_file: Path | None, as_of: str | None) -> None:
    """Working-capital ratios (营运资金比率) from the Company financials sheet, health bands and trend; and the
    concentration of open AR when FILE also holds an AR ledger."""
    inputs = load_inputs(file, settings_file)
    apply_overrides(inputs.settings, as_of)
    settings = inputs.settings
    company_book = next((b for b in (inputs.book, inputs.settings_book)
                         if b is not None and has_sheet(b, COMPANY.sheet)), None)
    has_ledger = has_sheet(inputs.book, LEDGER.sheet)
    if company_book is None and not has_ledger:
        raise InputError(f"no '{COMPANY.sheet}' sheet and no '{LEDGER.sheet}' sheet: nothing to analyse "
                         "(xl-cashrisk template settings gives the Company financials table)", Location(str(file)))
    ratio_result = conc = None
    if company_book is not None:
        ratio_result = run_ratios(read_company(company_book, settings), settings)
        print_ratios(ratio_result)
    if has_ledger:
        ledger, settings = read_ledger_checked(file, settings)
        buyers, _ = _buyers_from(inputs, register)
        conc = run_concentration(ledger, settings, buyers)
        print_concentration(conc)
    if out is not None:
        with ResultWorkbook(out, inputs=inputs.sources) as rw:
            if ratio_result is not None:
                write_ratios(ratio_result, rw)
            if conc is not None:
                write_concentration(conc, rw)
            rw.add_run_stamp(run_stamp(settings.as_of, inputs.sources, {"command": "ratios"}))
        console.print(f"wrote {out}")


@demo_step(30, "Working capital and concentration 营运资金与集中度")
def demo_ratios(ctx: DemoContext) -> None:
    s = ctx.sample
    result = run_ratios(sample_company_rows(s), s.settings)
    conc = run_concentration(s.ledger, s.settings, sample_buyer_limits(s))
    ctx.results["ratios"], ctx.results["concentration"] = result, conc
    print_ratios(result)
    print_concentration(conc)
    write_ratios(result, ctx.writer)
    write_concentration(conc, ctx.writer)


@demo_step(40, "Credit insurance: exposure, deadlines, worklist 信用保险")
def demo_insurance(ctx: DemoContext) -> None:
    s = ctx.sample
    result = run_insurance(s.ledger, sample_buyer_limits(s), SAMPLE_POLICY, s.settings)
    ctx.results["insurance"] = result
    print_insurance(result)
    write_insurance(result, ctx.writer)

"""``xl-cashrisk ratios`` (working-capital ratios, health bands, trend; concentration of open AR) and its
demo step (30).

Where the inputs come from (read by :mod:`xl_cashrisk.io.inputs`; problems and notes printed): the
Company financials sheet of FILE or of the ``--settings`` workbook; the AR Ledger sheet of FILE for the
concentration, with the buyers' groups from ``--register`` or a Buyer limits sheet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import CONSOLE_FEEDBACK, as_of_option, money
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli as cli_group
from xl_cashrisk.cli.app import clip, console
from xl_cashrisk.cli.insurance import register_option, settings_option
from xl_cashrisk.cli.receivables import read_ledger_checked
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io.inputs import buyers_from, load_inputs, read_company
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.ratios import ConcentrationReport, RatiosResult, run_concentration, run_ratios
from xl_cashrisk.reports.ratios import write_concentration, write_ratios
from xl_cashrisk.sample.policy import sample_buyer_limits, sample_company_rows
from xl_cashrisk.schemas.company import COMPANY
from xl_cashrisk.schemas.ledger import LEDGER

__all__ = ["print_concentration", "print_ratios", "ratios"]


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
                  f"{r['top1_share']:.1%}", f"{r['top5_share']:.1%}", clip(str(r["largest"]), 60))
    console.print(t)
    buyer = report.results.get("buyer")
    if buyer is not None:
        top = buyer.table.iloc[0]
        console.print(f"largest buyer: {top.get('name') if isinstance(top.get('name'), str) and top.get('name') else top['group']} ({top['group']}) {top['share']:.1%} of open AR "
                      f"[{top['status']}]; buyer HHI {buyer.hhi:.4f} = {buyer.hhi_points:,.0f} points "
                      f"({buyer.status}), equivalent to {buyer.equivalent_number:.1f} equal buyers")


@cli_group.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Results workbook to write (.xlsx); without it the results are only printed.")
@register_option
@settings_option
@as_of_option
def ratios(file: Path, out: Path | None, register: Path | None, settings_file: Path | None,
           as_of: dt.date | None) -> None:
    """Working-capital ratios (营运资金比率) from the Company financials sheet, health bands and trend; and the
    concentration of open AR when FILE also holds an AR ledger."""
    inputs = load_inputs(file, settings_file, as_of)
    settings = inputs.settings
    company_book = next((b for b in (inputs.book, inputs.settings_book)
                         if b is not None and b.has_sheet(COMPANY.sheet)), None)
    has_ledger = inputs.book.has_sheet(LEDGER.sheet)
    if company_book is None and not has_ledger:
        raise InputError(f"no '{COMPANY.sheet}' sheet and no '{LEDGER.sheet}' sheet: nothing to analyse "
                         "(xl-cashrisk template settings gives the Company financials table)", Location(str(file)))
    ratio_result = conc = None
    if company_book is not None:
        ratio_result = run_ratios(read_company(company_book, settings, feedback=CONSOLE_FEEDBACK), settings)
        print_ratios(ratio_result)
    if has_ledger:
        ledger, settings = read_ledger_checked(inputs.book, settings)
        buyers, _ = buyers_from(inputs, register, feedback=CONSOLE_FEEDBACK)
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



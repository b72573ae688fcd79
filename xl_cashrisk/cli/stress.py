"""``xl-cashrisk stress``: the 13-week cash stress test of a workbook, and the demo's last step."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import pandas as pd
from rich import box
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import money, print_problems
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.cli.insurance import read_policy
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.insurance import Policy
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.scoring import workbook_scorecard
from xl_cashrisk.pipelines.stress import StressTestResult, run_stress_test, scenarios_from_frame
from xl_cashrisk.reports.stress import render_summary, scenario_table, write_stress
from xl_cashrisk.schemas.forecast import FORECAST, SCENARIOS
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.schemas.settings import SETTINGS
from xl_cashrisk.scoring import Scorecard
from xl_cashrisk.settings import Settings
from xl_cashrisk.stress import STANDARD_SCENARIOS, Scenario

__all__ = ["StressInputs", "load_stress_inputs", "print_stress", "run_stress_files", "stamp_with_files",
           "stress_from_inputs"]


@dataclass
class StressInputs:
    settings: Settings
    ledger: pd.DataFrame
    register: pd.DataFrame | None
    forecast: pd.DataFrame | None
    scenarios: list[Scenario]  # the library
    policy: Policy
    policy_source: str
    files: list[Path] = field(default_factory=list)
    run: tuple[str, ...] | None = None  # scenario ids to run (None: all)
    scorecard: Scorecard | None = None  # the workbook's scorecard (settings file + Scorecard table)


def _has(book: WorkbookReader, sheet: str) -> bool:
    return any(s.casefold() == sheet.casefold() for s in book.sheet_names)


def _read(book: WorkbookReader, table, settings: Settings) -> pd.DataFrame:
    r = book.read(table, settings=settings)
    if not r.report.ok:
        print_problems(r.report)
    r.report.raise_if_errors()
    return r.frame


def _ledger_book(main: WorkbookReader, other: Path | None) -> WorkbookReader:
    if other is not None:
        book = WorkbookReader(other)
        book.locate(LEDGER)  # raises with the headers it looked for
        return book
    try:
        main.locate(LEDGER)
    except InputError:
        raise InputError(f"no AR ledger found: add a '{LEDGER.sheet}' sheet or pass --ledger FILE",
                         Location(str(main.path))) from None
    return main


def _register_book(main: WorkbookReader, other: Path | None) -> WorkbookReader | None:
    """The register's workbook: --register, else FILE's register sheet (by name: the ledger's Buyer ID
    column alone must not pass for a register), else none — PDs then come from payment records."""
    if other is not None:
        book = WorkbookReader(other)
        book.locate(REGISTER)
        return book
    return main if _has(main, REGISTER.sheet) else None


def load_stress_inputs(file, ledger_file: Path | None = None, register_file: Path | None = None) -> StressInputs:
    """Read and validate everything the stress test needs; any problem raises one :class:`InputError`.

    ``file``: the workbook's path, or a reader over it (a live Book under Excel).
    """
    book = file if hasattr(file, "read") else WorkbookReader(file)
    file = book.path
    if not (_has(book, FORECAST.sheet) or _has(book, SETTINGS.table.sheet)):
        raise InputError(f"no '{FORECAST.sheet}' or '{SETTINGS.table.sheet}' sheet: start from the forecast "
                         "template (xl-cashrisk template forecast)", Location(str(file)))
    settings = book.settings() if _has(book, SETTINGS.table.sheet) else Settings()
    forecast = _read(book, FORECAST, settings) if _has(book, FORECAST.sheet) else None
    if _has(book, SCENARIOS.sheet):
        frame = _read(book, SCENARIOS, settings)
        try:
            scenarios, run = scenarios_from_frame(frame)
        except InputError as exc:
            raise InputError(str(exc), Location(str(file))) from None
        if not run:
            raise InputError("the Scenarios sheet has no scenario rows", Location(str(file), SCENARIOS.sheet))
    else:
        scenarios, run = list(STANDARD_SCENARIOS), None
    files = [Path(file)] if file is not None else []
    ledger = _read(_ledger_book(book, ledger_file), LEDGER, settings)
    rbook = _register_book(book, register_file)
    register = _read(rbook, REGISTER, settings) if rbook is not None else None
    files += [p for p in (ledger_file, register_file) if p is not None]
    policy, source = read_policy([book, rbook], settings)
    card = workbook_scorecard(rbook if rbook is not None else book, settings)
    return StressInputs(settings, ledger, register, forecast, scenarios, policy, source, files, run, card)


def run_stress_files(file: Path, out: Path, *, ledger_file: Path | None = None, register_file: Path | None = None,
                     sims: int | None = None, seed: int | None = None, summary: Path | None = None
                     ) -> tuple[StressTestResult, list[Path]]:
    """The CLI and the ribbon action: read, run, write the results workbook (and the summary PNG + PDF)."""
    with console.status("reading the workbook…"):
        inputs = load_stress_inputs(file, ledger_file, register_file)
    with console.status("running the scenarios and the simulation…"):
        result = stress_from_inputs(inputs, sims=sims, seed=seed)
    written = [out]
    with ResultWorkbook(out, inputs=inputs.files) as rw:
        write_stress(result, rw)
        rw.add_run_stamp(stamp_with_files(result, inputs.files))
    if summary is not None:
        written += render_summary(result, summary, summary.with_suffix(".pdf"), inputs=inputs.files)
    return result, written


def stress_from_inputs(inputs: StressInputs, *, sims: int | None = None, seed: int | None = None) -> StressTestResult:
    result = run_stress_test(inputs.ledger, inputs.settings, register=inputs.register, forecast=inputs.forecast,
                             scenarios=inputs.scenarios, policy=inputs.policy, sims=sims, seed=seed, run=inputs.run,
                             scorecard=inputs.scorecard)
    result.stamp["policy"] = inputs.policy_source
    return result


def stamp_with_files(result: StressTestResult, files) -> dict[str, object]:
    from xl_cashrisk.io.writer import run_stamp

    extra = {k: v for k, v in result.stamp.items() if k not in ("product", "version", "as_of")}
    return run_stamp(result.settings.as_of, files, {"command": "stress", **extra})


def _m(x: float) -> str:
    return f"{x / 1e6:,.1f}"


def print_stress(result: StressTestResult, out=console) -> None:
    hc = result.settings.home_currency
    t = RichTable("ID", "Scenario", "Status", "Min cash", "Wk", "<0 wk", "Impact", "Loss net",
                  title=f"13-week cash stress test from {result.start} ({hc} millions)", box=box.SIMPLE_HEAD)
    for c in t.columns:
        c.no_wrap, c.overflow, c.min_width = True, "ellipsis", max(len(str(c.header)), 4)
    t.columns[1].min_width, t.columns[1].max_width = 12, 16
    for (sid, r), status in zip(result.scenarios.iterrows(), scenario_table(result)["Status 状态"], strict=True):
        color = {"RED": "red", "YELLOW": "yellow", "GREEN": "green"}[status]
        neg = r["first_negative_week"]
        t.add_row(str(sid), str(r["name_en"]), f"[{color}]{status}[/{color}]", _m(r["min_cash"]),
                  str(r["week_of_min"]), "" if pd.isna(neg) else str(int(neg)), _m(r["impact_vs_base"]),
                  _m(r["loss_net"]))
    out.print(t)
    ls = RichTable("Measure", "MC gross", "MC net", "Exact gross", "Exact net",
                   title=f"1-year credit loss, correlated defaults ({hc}; {result.stamp['simulations']:,} sims, "
                         f"seed {result.stamp['seed']})")
    for _, r in result.loss_stats.iterrows():
        ls.add_row(r["measure"], money(r["mc_gross"]), money(r["mc_net"]), money(r["exact_gross"]), money(r["exact_net"]))
    out.print(ls)
    worst = result.worst()
    out.print(f"base case lowest cash {money(result.base.metrics['min_cash'], hc)} in week "
              f"{result.base.metrics['week_of_min']}; worst scenario {worst.name} ({worst['name_en']}): "
              f"{money(worst['min_cash'], hc)}; P(cash < 0 within 13 weeks) {result.prob_cash_negative:.1%}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Results workbook to write (.xlsx). Never the input file.")
@click.option("--sims", type=click.IntRange(min=2), help="Monte Carlo simulations (default: Settings, else 20000).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (default: Settings, else 12345).")
@click.option("--ledger", "ledger_file", type=click.Path(path_type=Path),
              help="Workbook with the AR ledger, when FILE has none.")
@click.option("--register", "register_file", type=click.Path(path_type=Path),
              help="Workbook with the buyer register, when FILE has none.")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a one-page PNG summary here (and a PDF beside it).")
def stress(file: Path, out: Path, sims: int | None, seed: int | None, ledger_file: Path | None,
           register_file: Path | None, summary: Path | None) -> None:
    """13-week cash stress test (现金流压力测试): scenarios, correlated defaults, charts → a new workbook."""
    t0 = time.perf_counter()
    result, written = run_stress_files(file, out, ledger_file=ledger_file, register_file=register_file, sims=sims,
                                       seed=seed, summary=summary)
    print_stress(result)
    for p in written:
        console.print(f"wrote {p}")
    console.print(f"({time.perf_counter() - t0:.1f} s)")


@demo_step(50, "Cash-flow stress test")
def demo_stress(ctx: DemoContext) -> None:
    from xl_cashrisk.sample.forecast import SAMPLE_SCENARIOS, sample_forecast, sample_forecast_settings

    sample = ctx.sample
    settings = copy.deepcopy(sample.settings)
    settings.extras["forecast"] = {**settings.extras.get("forecast", {}), **sample_forecast_settings(sample)}
    scores = ctx.results.get("scores")
    scores = getattr(scores, "scored", scores)
    if not isinstance(scores, pd.DataFrame) or "pd" not in scores:
        scores = None
    result = run_stress_test(sample.ledger, settings, register=sample.buyers, forecast=sample_forecast(sample),
                             scenarios=SAMPLE_SCENARIOS, scores=scores)
    ctx.results["stress"] = result
    print_stress(result, ctx.console)
    write_stress(result, ctx.writer)

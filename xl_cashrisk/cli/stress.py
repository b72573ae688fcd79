"""``xl-cashrisk stress``: the 13-week cash stress test of a workbook, and the demo's last step."""

from __future__ import annotations

import copy
import dataclasses
import time
from pathlib import Path

import click
import pandas as pd
from rich import box
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import CONSOLE_FEEDBACK, money
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli, console, progress
from xl_cashrisk.insurance import Policy
from xl_cashrisk.io.inputs import load_stress_inputs
from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.pipelines.stress_test import StressTestResult, run_stress_test, stress_from_inputs
from xl_cashrisk.reports.stress_results import (
    policy_terms,
    render_summary,
    scenario_table,
    stress_stamp,
    write_stress,
)

__all__ = ["print_sources", "print_stress", "run_stress_files", "stress"]


def run_stress_files(file: Path, out: Path, *, ledger_file: Path | None = None, register_file: Path | None = None,
                     settings_file: Path | None = None, sims: int | None = None, seed: int | None = None,
                     summary: Path | None = None) -> tuple[StressTestResult, list[Path]]:
    """The command's work on files: read (each table's problems printed), say which policy and scorecard
    apply, run, write the results workbook (and the summary PNG + PDF)."""
    with console.status("reading the workbook…"):
        inputs = load_stress_inputs(file, ledger_file, register_file, settings_file=settings_file,
                                    feedback=CONSOLE_FEEDBACK)
    card = inputs.scorecard.version if inputs.scorecard is not None else ""
    print_sources(inputs.policy, inputs.policy_source, f"{inputs.scorecard_source} {card}".strip())
    with progress(4 + (summary is not None)) as step:
        result = stress_from_inputs(inputs, sims=sims, seed=seed, on_step=step)
        step("writing the results workbook")
        written = [out]
        with ResultWorkbook(out, inputs=inputs.files) as rw:
            write_stress(result, rw)
            rw.add_run_stamp(stress_stamp(result, inputs.files, inputs.policy_source, inputs.scorecard_source))
        if summary is not None:
            step("drawing the summary PNG and PDF")
            written += render_summary(result, summary, summary.with_suffix(".pdf"), inputs=inputs.files)
    return result, written


def print_sources(policy: Policy, policy_source: str, scorecard_source: str | None = None, out=console) -> None:
    """The policy (where from, its terms) and the scorecard a stress run uses; yellow when defaults."""
    style = "yellow" if policy_source.startswith("defaults") else "dim"
    out.print(f"[{style}]policy: {policy_source} — {policy_terms(policy)}[/{style}]")
    if scorecard_source is not None:
        out.print(f"[dim]scorecard: {scorecard_source}[/dim]")


def _m(x: float) -> str:
    return f"{x / 1e6:,.1f}"


def print_stress(result: StressTestResult, out=console) -> None:
    hc = result.settings.home_currency
    t = RichTable("ID", "Scenario", "Status", "Min cash", "Wk", "<0 wk", "Impact", "Loss net",
                  title=f"13-week cash stress test from {result.start} ({hc} millions)", box=box.SIMPLE_HEAD)
    for c in t.columns:  # figures never wrap; in a terminal a long scenario name ends in "…", in a log it is whole
        c.no_wrap, c.min_width = True, max(len(str(c.header)), 4)
    if out.is_terminal:
        t.columns[1].overflow, t.columns[1].min_width, t.columns[1].max_width = "ellipsis", 12, 16
    for (sid, r), status in zip(result.scenarios.iterrows(), scenario_table(result)["Status 状态"], strict=True):
        color = {"RED": "red", "YELLOW": "yellow", "GREEN": "green"}[status]
        neg = r["first_negative_week"]
        t.add_row(str(sid), str(r["name_en"]), f"[{color}]{status}[/{color}]", _m(r["min_cash"]),
                  str(r["week_of_min"]), "" if pd.isna(neg) else str(int(neg)), _m(r["impact_vs_base"]),
                  _m(r["loss_net"]))
    out.print(t)
    ls = RichTable("Measure", "MC gross", "MC net", "Exact gross", "Exact net",
                   title=f"1-year credit loss, correlated defaults ({hc}; {result.sims:,} sims, "
                         f"seed {result.seed})")
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
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Settings workbook or TOML file whose policy (Policy sheet, else its insurance rows) and "
              "scorecard apply; default: the Policy sheet of FILE or of the --register workbook.")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a one-page PNG summary here (and a PDF beside it).")
def stress(file: Path, out: Path, sims: int | None, seed: int | None, ledger_file: Path | None,
           register_file: Path | None, settings_file: Path | None, summary: Path | None) -> None:
    """13-week cash stress test (现金流压力测试): scenarios, correlated defaults, charts → a new workbook."""
    t0 = time.perf_counter()
    result, written = run_stress_files(file, out, ledger_file=ledger_file, register_file=register_file,
                                       settings_file=settings_file, sims=sims, seed=seed, summary=summary)
    print_stress(result)
    for p in written:
        console.print(f"wrote {p}")
    console.print(f"({time.perf_counter() - t0:.1f} s)")


@demo_step(50, "Cash-flow stress test")
def demo_stress(ctx: DemoContext) -> None:
    from xl_cashrisk.sample.forecast import SAMPLE_SCENARIOS, sample_forecast, sample_forecast_settings
    from xl_cashrisk.sample.policy import SAMPLE_POLICY, SAMPLE_POLICY_SOURCE

    sample = ctx.sample
    settings = copy.deepcopy(sample.settings)
    settings.forecast = dataclasses.replace(settings.forecast, **sample_forecast_settings(sample))
    scores = ctx.results.get("scores")
    scores = getattr(scores, "scored", scores)
    if not isinstance(scores, pd.DataFrame) or "pd" not in scores:
        scores = None
    print_sources(SAMPLE_POLICY, SAMPLE_POLICY_SOURCE, "the scoring step's PDs" if scores is not None else None,
                  ctx.console)
    result = run_stress_test(sample.ledger, settings, register=sample.buyers, forecast=sample_forecast(sample),
                             scenarios=SAMPLE_SCENARIOS, policy=SAMPLE_POLICY, scores=scores)
    ctx.results["stress"] = result
    print_stress(result, ctx.console)
    write_stress(result, ctx.writer)

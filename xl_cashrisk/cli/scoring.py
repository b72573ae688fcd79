"""Commands for the credit analyst: score the buyer register, monitor two runs, the demo's scoring step."""

from __future__ import annotations

import copy
import datetime as dt
import time
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.table import Table as RichTable

from xl_cashrisk import scoring as sc
from xl_cashrisk.cli._common import as_of_option, money, out_option, print_problems
from xl_cashrisk.cli._demo import DemoContext, demo_step
from xl_cashrisk.cli.app import cli, clip, console
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io.inputs import ScoringInputs, read_scoring_inputs, read_snapshot, unknown_buyers
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.monitoring import monitor as monitor_runs
from xl_cashrisk.pipelines.scoring import ScoringResult, ledger_as_of, run_scoring
from xl_cashrisk.reports.scoring import write_alerts, write_scores
from xl_cashrisk.sample.scoring import sample_register
from xl_cashrisk.settings import Settings

STYLE = {"GREEN": "green", "YELLOW": "yellow", "RED": "red", sc.NOT_RATED: "dim"}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}
DEMO_LOOKBACK_MONTHS = 3


def score_file(file: Path, ledger: Path | None = None, as_of: dt.date | None = None,
               scorecard: Path | None = None) -> tuple[ScoringResult, list[Path]]:
    """Read, validate (listing every problem of every table) and score a register workbook."""
    inputs = read_scoring_checked(file, ledger, as_of, scorecard)
    result = run_scoring(inputs.register, inputs.settings, inputs.ledger, scorecard=inputs.scorecard)
    return result, inputs.files


def read_scoring_checked(file: Path | WorkbookReader, ledger: Path | None = None, as_of: dt.date | None = None,
                         scorecard: Path | None = None, *, settings: Settings | None = None) -> ScoringInputs:
    """The register, settings, scorecard and ledger of a scoring run (``file``: a path or an open reader;
    ``settings`` when read already), every problem of every table listed; raises on the first table with
    errors or unknown ledger buyers."""
    with console.status("reading the register…"):
        inputs = read_scoring_inputs(file, ledger, as_of=as_of, scorecard_file=scorecard, check=False,
                                     settings=settings)
    for r in inputs.reports:
        if r.problems:
            console.print(f"[bold]{r.sheet}[/bold]: {r.counts()['errors']} errors, {r.counts()['warnings']} warnings")
            print_problems(r, 30 if r.errors else 10)
    for r in inputs.reports:
        r.raise_if_errors()
    if inputs.ledger is not None:
        unknown_buyers(inputs.ledger, inputs.register, inputs.files[-1])
    return inputs


def _terms(value: object) -> str:
    """Recommended terms as the console shows them: whole days, or the words for no credit."""
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def print_scores(result: ScoringResult, top: int = 10) -> None:
    hc = result.settings.home_currency
    s = result.scored
    counts = result.band_counts()
    t = RichTable("Band 信号灯", "Meaning 含义", "Buyers", f"Open ({hc})", f"Limits ({hc})", f"Expected loss ({hc})",
                  title=f"Traffic lights as of {result.as_of}, scorecard {result.scorecard.version}")
    for band, n in counts.items():
        part = s[s["band"] == band]
        st = STYLE[band]
        t.add_row(f"[{st}]{band} {sc.BAND_LABELS['zh'][band]}[/{st}]",
                  f"{sc.BAND_MEANINGS['en'][band]} {sc.BAND_MEANINGS['zh'][band]}", str(int(n)),
                  money(part["open_amount"].sum()), money(part["recommended_limit"].sum()),
                  money(part["expected_loss"].sum()))
    console.print(t)
    r = RichTable("Buyer", "Name", "Score", "Band", "PD", f"Open ({hc})", f"Limit ({hc})", "Terms (days)",
                  "Weakest factors",
                  title=f"The {top} riskiest buyers 风险最高的客户")
    for _, row in result.riskiest(top).iterrows():
        st = STYLE[row["band"]]
        r.add_row(str(row["buyer_id"]), clip(str(row["buyer_name"] or ""), 24),
                  "NR" if np.isnan(row["score"]) else f"{row['score']:.1f}", f"[{st}]{row['band']}[/{st}]",
                  "" if np.isnan(row["pd"]) else f"{row['pd']:.1%}", money(row["open_amount"] or 0.0),
                  "" if pd.isna(row["recommended_limit"]) else money(row["recommended_limit"]),
                  _terms(row["recommended_terms"]), clip(str(row["top_factors"]), 60))
    console.print(r)


def print_alerts(alerts: pd.DataFrame, top: int = 12) -> None:
    counts = alerts["severity"].value_counts()
    kinds = alerts["alert"].value_counts()
    console.print(f"{len(alerts)} alerts: " + ", ".join(f"{k} {int(v)}" for k, v in counts.items())
                  + "  (" + ", ".join(f"{k} {int(v)}" for k, v in kinds.items()) + ")")
    t = RichTable("Severity", "Buyer", "Name", "Alert", "Reason", "Open", title="Most serious alerts 主要预警")
    for _, a in alerts.head(top).iterrows():
        st = SEVERITY_STYLE.get(a["severity"], "")
        t.add_row(f"[{st}]{a['severity']}[/{st}]", str(a["buyer_id"]), clip(str(a["buyer_name"] or ""), 20), a["alert"],
                  a["reason"], money(a["open_amount"]))
    console.print(t)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@click.option("--ledger", type=click.Path(path_type=Path), help="AR ledger workbook feeding the payment record "
              "(default: FILE's own AR Ledger sheet, if any).")
@as_of_option
@click.option("--scorecard", type=click.Path(path_type=Path), help="Scorecard TOML file (default: the Settings "
              "sheet's scorecard_file, else the built-in scorecard); the Scorecard table's changes apply on top.")
def score(file: Path, out: Path, ledger: Path | None, as_of: dt.date | None, scorecard: Path | None) -> None:
    """Score a buyer register (客户信用评分): score, band, PD, grade, limit, expected loss → a new workbook."""
    t0 = time.perf_counter()
    result, files = score_file(file, ledger, as_of, scorecard)
    print_scores(result)
    with ResultWorkbook(out, inputs=files) as rw:
        write_scores(result, rw)
        rw.add_run_stamp(run_stamp(result.as_of, files, {"command": "score",
                                                         "scorecard_version": result.scorecard.version}))
    console.print(f"wrote {out}  ({len(result.scored)} buyers, {time.perf_counter() - t0:.2f} s)")


def _run_of(file: Path, ledger: Path | None, as_of: dt.date | None) -> tuple[ScoringResult, pd.DataFrame | None]:
    book = WorkbookReader(file)
    snapshot = read_snapshot(book)
    if snapshot is not None:
        frame, stamped = snapshot
        when = as_of or stamped
        if when is None:
            raise InputError("the scored register has no run stamp with its as-of date; give --as-of",
                             Location(str(file)))
        settings = Settings(as_of=when)
        return ScoringResult(settings, sc.default_scorecard(), frame, pd.DataFrame(index=frame.index)), None
    inputs = read_scoring_inputs(file, ledger, as_of=as_of)
    return run_scoring(inputs.register, inputs.settings, inputs.ledger, scorecard=inputs.scorecard), inputs.ledger


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Workbook to write the Alerts sheet to.")
@click.option("--ledger", type=click.Path(path_type=Path), help="AR ledger at NEW's date (for newly overdue invoices).")
@click.option("--score-drop", type=float, help="Alert when a score falls by more than this (default: settings, 10).")
@click.option("--overdue-days", type=int, help="Alert on invoices newly overdue beyond this (default: settings, 30).")
def monitor(old: Path, new: Path, out: Path | None, ledger: Path | None, score_drop: float | None,
            overdue_days: int | None) -> None:
    """Compare two scoring runs (信用监控): OLD and NEW are registers or scored workbooks from `score`."""
    before, _ = _run_of(old, None, None)
    after, led = _run_of(new, ledger, None)
    if led is None and ledger is not None:
        from xl_cashrisk.cli.receivables import read_ledger_checked

        led, _ = read_ledger_checked(ledger)  # its own Settings sheet: NEW may be a scored workbook without FX
    alerts = monitor_runs(before, after, led, score_drop=score_drop, overdue_days=overdue_days)
    print_alerts(alerts)
    if out is not None:
        with ResultWorkbook(out, inputs=[old, new, *([ledger] if ledger else [])]) as rw:
            write_alerts(alerts, rw, title=f"Alerts {before.as_of} → {after.as_of}, most serious first 预警")
            rw.add_run_stamp(run_stamp(after.as_of, [old, new], {"command": "monitor", "previous_as_of":
                                                                 before.as_of.isoformat()}))
        console.print(f"wrote {out}")


@demo_step(20, "Buyer credit scoring and monitoring")
def demo_scoring(ctx: DemoContext) -> None:
    t0 = time.perf_counter()
    sample, settings = ctx.sample, ctx.sample.settings
    register = sample_register(sample.buyers, settings.as_of)
    ageing = ctx.results.get("ageing")
    history = getattr(ageing, "history", None)
    result = run_scoring(register, settings, sample.ledger, history=history)
    ctx.results["scores"] = result
    print_scores(result)
    earlier = copy.deepcopy(settings)
    month = (settings.as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(DEMO_LOOKBACK_MONTHS - 1):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    earlier.as_of = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    before = run_scoring(register, earlier, ledger_as_of(sample.ledger, earlier.as_of))
    alerts = monitor_runs(before, result, sample.ledger)
    c0, c1 = before.band_counts(), result.band_counts()
    ctx.console.print(f"{earlier.as_of} → {settings.as_of}: " + ", ".join(
        f"{b} {int(c0[b])} → {int(c1[b])}" for b in sc.BANDS))
    print_alerts(alerts)
    write_scores(result, ctx.writer)
    write_alerts(alerts, ctx.writer, title=f"Alerts {earlier.as_of} → {settings.as_of}, most serious first 预警")
    ctx.results["alerts"] = alerts
    ctx.console.print(f"scored {len(result.scored)} buyers twice and compared them in {time.perf_counter() - t0:.2f} s")

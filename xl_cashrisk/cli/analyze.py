"""``xl-cashrisk analyze``: the whole analysis of one workbook into one results workbook.

Validates every table the workbook holds, then runs each step whose inputs are there (ageing,
scoring, ratios & concentration, insurance, stress test; :mod:`xl_cashrisk.pipelines.analysis`) and
writes all their sheets with one run stamp. A step without its inputs is skipped with a one-line
reason; errors in a table a step needs stop the run before anything is written (exit 3).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import click
import pandas as pd

from xl_cashrisk.cli._common import (
    apply_overrides,
    as_of_option,
    money,
    out_option,
    parse_as_of,
    print_problems,
)
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.cli.insurance import (
    load_inputs,
    print_concentration,
    print_insurance,
    print_ratios,
    read_buyer_limits,
    read_company,
    read_policy,
)
from xl_cashrisk.cli.receivables import print_ageing, read_ledger_checked
from xl_cashrisk.cli.scoring import print_scores, read_scoring_checked
from xl_cashrisk.cli.stress import load_stress_inputs, print_stress
from xl_cashrisk.errors import InputError
from xl_cashrisk.io.reader import TableRead, WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.analysis import (
    STEP_TITLES,
    STEPS,
    AnalysisInputs,
    AnalysisResult,
    parse_skip,
    plan,
    run_analysis,
    tables_needed,
)
from xl_cashrisk.pipelines.validation import validate_tables
from xl_cashrisk.reports.ageing import write_ageing
from xl_cashrisk.reports.insurance import write_insurance
from xl_cashrisk.reports.ratios import write_concentration, write_ratios
from xl_cashrisk.reports.scoring import write_scores
from xl_cashrisk.reports.stress import write_stress
from xl_cashrisk.schemas.policy import BUYER_LIMITS
from xl_cashrisk.schemas.register import REGISTER

__all__ = ["OnceReader", "analyze", "analyze_file", "write_analysis"]


class OnceReader(WorkbookReader):
    """A reader that converts each table once: every step asks for the ledger, and validating and
    typing a million rows once is enough. A repeated read returns the same frame (a shallow copy, so a
    step adding a column cannot change another's) and only the errors of its report, since the
    warnings were listed with the validation already."""

    def __init__(self, path: str | Path):
        super().__init__(path)
        self._reads: dict[tuple[str, str | None, str], TableRead] = {}

    def read(self, table, *, settings=None, sheet=None) -> TableRead:
        key = (table.key, sheet, repr(settings))
        if key not in self._reads:
            self._reads[key] = super().read(table, settings=settings, sheet=sheet)
            return self._reads[key]
        first = self._reads[key]
        errors = [p for p in first.report.problems if p.severity == "error"]
        return TableRead(first.frame.copy(deep=False), dataclasses.replace(first.report, problems=errors))


def _has_sheet(book: WorkbookReader, name: str) -> bool:
    return any(s.casefold() == name.casefold() for s in book.sheet_names)


def _validate(book: WorkbookReader, skip: frozenset[str]) -> tuple[list[str], dict[str, str], set[str]]:
    """Validate every table present; print one line per table. Raises on errors in a table a step needs."""
    with console.status("validating every table…"):
        found = validate_tables(book)
    present = {t.key for t, _ in found}
    steps, skipped = plan(present, skip)
    needed = tables_needed(steps)
    broken = []
    for table, report in found:
        c = report.counts()
        used = table.key in needed
        style = "green" if report.ok else ("red" if used else "yellow")
        note = "" if used else "  (not used by the steps run)"
        console.print(f"[{style}]{table.sheet} › {table.title_en}[/{style}]: {c['rows']} rows, {c['errors']} errors, "
                      f"{c['warnings']} warnings{note}")
        print_problems(report, 30 if report.errors else 10)
        if not report.ok and used:
            broken.append(report)
    if broken:
        broken[0].raise_if_errors()
    return steps, skipped, present


def _read(book: WorkbookReader, table, settings) -> pd.DataFrame:
    r = book.read(table, settings=settings)
    r.report.raise_if_errors()
    return r.frame


def read_analysis_inputs(book: WorkbookReader, steps: list[str], present: set[str], as_of: str | None
                         ) -> tuple[AnalysisInputs, dict[str, str]]:
    """The frames the planned steps need, through the single commands' readers, and where the policy and
    buyer limits came from (for the screen and the run stamp)."""
    inputs = load_inputs(book, None)
    settings = apply_overrides(inputs.settings, as_of)
    run = AnalysisInputs(settings)
    sources: dict[str, str] = {}
    if "ledger" in present and steps:
        run.ledger, _ = read_ledger_checked(book, settings)
    if "score" in steps:
        scoring = read_scoring_checked(book, None, as_of, None)
        run.register, run.scorecard = scoring.register, scoring.scorecard
    elif "register" in present and {"ratios", "insurance", "stress"} & set(steps):
        run.register = _read(book, REGISTER, settings)
    if "ratios" in steps and "company" in present:
        run.company = read_company(book, settings)
    if {"ratios", "insurance"} & set(steps):
        if _has_sheet(book, BUYER_LIMITS.sheet):
            run.buyers = read_buyer_limits(book, settings, sheet=BUYER_LIMITS.sheet)
            sources["buyer_limits"] = f"Buyer limits sheet of {book.path.name}"
        elif run.register is not None:
            run.buyers = run.register
            sources["buyer_limits"] = f"Buyer Register of {book.path.name}"
        else:
            sources["buyer_limits"] = "none: no 'Buyer limits' sheet and no 'Buyer Register' sheet"
    if {"insurance", "stress"} & set(steps):
        run.policy, sources["policy"] = read_policy((book,), settings)
    if "stress" in steps:
        stress = load_stress_inputs(book)
        run.forecast, run.scenarios, run.scenario_run = stress.forecast, stress.scenarios, stress.run
        if run.register is None:
            run.register = stress.register
    return run, sources


def print_analysis(result: AnalysisResult, notes: dict[str, list[str]] | None = None) -> None:
    """One short section per step, with the single commands' print helpers; a reason for each skipped step.
    ``notes``: lines (rich markup) to show above a step's summary, such as where its inputs came from."""
    for i, step in enumerate(STEPS, start=1):
        console.rule(f"[bold]{i}. {STEP_TITLES[step]}[/bold]", align="left")
        if step in result.skipped:
            console.print(f"[dim]skipped: {result.skipped[step]}[/dim]")
            continue
        for line in (notes or {}).get(step, ()):
            console.print(line)
        if step == "age":
            print_ageing(result.ageing)
        elif step == "score":
            print_scores(result.scores)
        elif step == "ratios":
            if result.ratios is not None:
                print_ratios(result.ratios)
            if result.concentration is not None:
                print_concentration(result.concentration)
        elif step == "insurance":
            print_insurance(result.insurance)
        elif step == "stress":
            print_stress(result.stress)
        if step in result.notes:
            console.print(f"[dim]{result.notes[step]}[/dim]")
        console.print(f"[dim]({result.timings[step]:.2f} s)[/dim]")


def insurance_notes(inputs: AnalysisInputs, sources: dict[str, str]) -> list[str]:
    """Where the policy and the buyer limits came from (yellow when defaults or missing), and the ledger
    buyers without a limit, as the ``insurance`` command says them."""
    policy, limits = sources.get("policy", ""), sources.get("buyer_limits", "")
    style = "yellow" if policy.startswith("defaults") else "dim"
    lines = [f"[{style}]policy: {policy}[/{style}]"]
    if inputs.buyers is None:
        lines.append(f"[yellow]buyer limits: {limits}; every open item counts as uninsured[/yellow]")
        return lines
    lines.append(f"[dim]buyer limits: {limits}[/dim]")
    if inputs.ledger is not None:
        unknown = sorted(set(inputs.ledger["buyer_id"].astype(str)) - set(inputs.buyers["buyer_id"].astype(str)))
        if unknown:
            lines.append(f"[yellow]{len(unknown)} ledger buyers are not in the buyer limits (treated as without a "
                         f"limit): {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}[/yellow]")
    return lines


def write_analysis(result: AnalysisResult, rw: ResultWorkbook) -> None:
    """Every result sheet of the steps that ran, with the single commands' report writers."""
    if result.ageing is not None:
        write_ageing(result.ageing, rw)
    if result.scores is not None:
        write_scores(result.scores, rw)
    if result.ratios is not None:
        write_ratios(result.ratios, rw)
    if result.concentration is not None:
        write_concentration(result.concentration, rw)
    if result.insurance is not None:
        write_insurance(result.insurance, rw)
    if result.stress is not None:
        write_stress(result.stress, rw)


def analysis_stamp(result: AnalysisResult, file: Path, sources: dict[str, str]) -> dict[str, object]:
    extra: dict[str, object] = {"command": "analyze", "steps": ",".join(result.ran),
                                "skipped": "; ".join(f"{k}: {v}" for k, v in result.skipped.items()) or "none"}
    if result.scores is not None:
        extra["scorecard_version"] = result.scores.scorecard.version
    extra.update({k: v for k, v in sources.items() if k in ("policy", "buyer_limits")})
    if result.stress is not None:
        s = result.stress.stamp
        extra.update({"seed": s["seed"], "simulations": s["simulations"], "forecast_start": s["forecast_start"],
                      "stress_input_fingerprint": s["input_fingerprint"]})
    return run_stamp(result.settings.as_of, [file], extra)


def analyze_file(file: Path, out: Path, *, as_of: str | None = None, sims: int | None = None,
                 seed: int | None = None, skip: frozenset[str] = frozenset()) -> AnalysisResult:
    """Validate, read once, run every step, print the summaries and write ``out`` (nothing is written
    when a step's table has errors)."""
    t0 = time.perf_counter()
    book = OnceReader(file)
    console.print(f"[bold]{file}[/bold]")
    steps, skipped, present = _validate(book, skip)
    if not steps:
        raise InputError("nothing to analyse: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    t1 = time.perf_counter()
    inputs, sources = read_analysis_inputs(book, steps, present, as_of)  # the readers show their own spinners
    t2 = time.perf_counter()
    with console.status("running the analysis…"):
        result = run_analysis(inputs, skip=skip, sims=sims, seed=seed)
    print_analysis(result, {"insurance": insurance_notes(inputs, sources)})
    t3 = time.perf_counter()
    with console.status("writing the results workbook…"), ResultWorkbook(out, inputs=[file]) as rw:
        write_analysis(result, rw)
        rw.add_run_stamp(analysis_stamp(result, file, sources))
    result.timings.update({"validate": t1 - t0, "read": t2 - t1, "write": time.perf_counter() - t3})
    return result


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@as_of_option
@click.option("--sims", type=click.IntRange(min=2), help="Stress-test simulations (default: Settings, else 20000).")
@click.option("--seed", type=click.IntRange(min=0), help="Stress-test random seed (default: Settings, else 12345).")
@click.option("--skip", metavar="STEPS", help=f"Steps to leave out, comma-separated: {','.join(STEPS)}.")
def analyze(file: Path, out: Path, as_of: str | None, sims: int | None, seed: int | None, skip: str | None) -> None:
    """The whole analysis of one workbook (全面分析): validate, age, score, ratios, insurance, stress → one workbook."""
    t0 = time.perf_counter()
    parse_as_of(as_of)
    try:
        steps_skipped = parse_skip(skip)
    except InputError as exc:
        raise click.BadParameter(exc.message, param_hint="--skip") from None
    result = analyze_file(file, out, as_of=as_of, sims=sims, seed=seed, skip=steps_skipped)
    ran = ", ".join(result.ran)
    skipped = ", ".join(result.skipped) or "none"
    hc = result.settings.home_currency
    open_ar = f"; open AR {money(result.ageing.open_balance, hc)}" if result.ageing is not None else ""
    t = result.timings
    console.print(f"wrote {out}  (steps run: {ran}; skipped: {skipped}{open_ar})")
    console.print(f"[dim]{time.perf_counter() - t0:.1f} s: validating {t['validate']:.1f} s, reading "
                  f"{t['read']:.1f} s, steps {sum(t[s] for s in result.ran):.1f} s, writing {t['write']:.1f} s[/dim]")

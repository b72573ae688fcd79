"""``xl-cashrisk analyze``: the whole analysis of one workbook into one results workbook.

Validates every table the workbook holds, then runs each step whose inputs are there (ageing,
scoring, ratios & concentration, insurance, provision matrix, stress test; :mod:`xl_cashrisk.pipelines.analysis`) and
writes all their sheets with one run stamp. A step without its inputs is skipped with a one-line
reason; errors in a table a step needs stop the run before anything is written (exit 3).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from xl_cashrisk.cli._common import CONSOLE_FEEDBACK, as_of_option, money, out_option, print_problems
from xl_cashrisk.cli.app import cli, console, progress, rule
from xl_cashrisk.cli.insurance import print_insurance
from xl_cashrisk.cli.provision import print_provision
from xl_cashrisk.cli.ratios import print_concentration, print_ratios
from xl_cashrisk.cli.receivables import print_ageing
from xl_cashrisk.cli.scoring import print_scores, read_scoring_checked
from xl_cashrisk.cli.stress import print_stress
from xl_cashrisk.errors import InputError
from xl_cashrisk.io.inputs import (
    OnceReader,
    load_stress_inputs,
    read_buyer_limits,
    read_company,
    read_ledger,
    read_policy,
    read_table,
    validate_tables,
    workbook_settings,
)
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.writer import ResultWorkbook
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
from xl_cashrisk.reports.analysis import analysis_stamp, write_analysis
from xl_cashrisk.reports.stress_results import policy_terms
from xl_cashrisk.reports.summary import findings
from xl_cashrisk.schemas.policy import BUYER_LIMITS
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.settings import Settings

__all__ = ["analyze", "analyze_file", "print_findings"]

# each step's summary on screen, with the single commands' print helpers
PRINTERS = {
    "age": lambda r: print_ageing(r.ageing),
    "score": lambda r: print_scores(r.scores),
    "ratios": lambda r: (r.ratios is not None and print_ratios(r.ratios),
                         r.concentration is not None and print_concentration(r.concentration)),
    "insurance": lambda r: print_insurance(r.insurance),
    "provision": lambda r: print_provision(r.provision),
    "stress": lambda r: print_stress(r.stress),
}


def _validate(book: WorkbookReader, skip: frozenset[str], settings: Settings
              ) -> tuple[list[str], dict[str, str], set[str]]:
    """Validate every table present; print one line per table. Raises on errors in a table a step needs."""
    with console.status("validating every table…"):
        found = validate_tables(book, settings)
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


def read_analysis_inputs(book: WorkbookReader, steps: list[str], present: set[str], settings: Settings
                         ) -> tuple[AnalysisInputs, dict[str, str]]:
    """The frames the planned steps need, through the one reader of inputs (:mod:`xl_cashrisk.io.inputs`)
    with the settings read once, and where the policy and buyer limits came from (for the screen and the
    run stamp)."""
    run = AnalysisInputs(settings)
    sources: dict[str, str] = {}
    if "ledger" in present and steps:
        run.ledger = read_ledger(book, settings, feedback=CONSOLE_FEEDBACK)
    if "score" in steps:
        scoring = read_scoring_checked(book, settings=settings)
        run.register, run.scorecard = scoring.register, scoring.scorecard
    elif "register" in present and {"ratios", "insurance", "stress"} & set(steps):
        run.register = read_table(book, REGISTER, settings).frame
    if "ratios" in steps and "company" in present:
        run.company = read_company(book, settings, feedback=CONSOLE_FEEDBACK)
    if {"ratios", "insurance"} & set(steps):
        if book.has_sheet(BUYER_LIMITS.sheet):
            run.buyers = read_buyer_limits(book, settings, sheet=BUYER_LIMITS.sheet, feedback=CONSOLE_FEEDBACK)
            sources["buyer_limits"] = f"Buyer limits sheet of {book.path.name}"
        elif run.register is not None:
            run.buyers = run.register
            sources["buyer_limits"] = f"Buyer Register of {book.path.name}"
        else:
            sources["buyer_limits"] = "none: no 'Buyer limits' sheet and no 'Buyer Register' sheet"
    if {"insurance", "stress"} & set(steps):
        run.policy, sources["policy"] = read_policy((book,), settings)
    if "stress" in steps:
        stress = load_stress_inputs(book, feedback=CONSOLE_FEEDBACK, settings=settings)
        run.forecast, run.scenarios, run.scenario_run = stress.forecast, stress.scenarios, stress.run
        if run.register is None:
            run.register = stress.register
    return run, sources


def print_analysis(result: AnalysisResult, notes: dict[str, list[str]] | None = None) -> None:
    """One short section per step, with the single commands' print helpers; a reason for each skipped step.
    ``notes``: lines (rich markup) to show above a step's summary, such as where its inputs came from."""
    for i, step in enumerate(STEPS, start=1):
        rule(f"[bold]{i}. {STEP_TITLES[step]}[/bold]", align="left")
        if step in result.skipped:
            console.print(f"[dim]skipped: {result.skipped[step]}[/dim]")
            continue
        for line in (notes or {}).get(step, ()):
            console.print(line)
        PRINTERS[step](result)
        if step in result.notes:
            console.print(f"[dim]{result.notes[step]}[/dim]")
        console.print(f"[dim]({result.timings[step]:.2f} s)[/dim]")


def print_findings(result: AnalysisResult) -> None:
    """The findings in words, as the Summary sheet of the results workbook states them (Chinese when the
    Settings' language is zh)."""
    lines = findings(result)
    if not lines:
        return
    rule("[bold]Findings 主要发现[/bold]", align="left")
    zh = result.settings.language == "zh"
    for i, (en, cn) in enumerate(lines, start=1):
        console.print(f"{i}. {cn if zh else en}")


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


def stress_notes(result: AnalysisResult, sources: dict[str, str]) -> list[str]:
    """The policy (where from, its terms) and the scorecard behind the stress figures."""
    if result.stress is None:
        return []
    policy = sources.get("policy", "")
    style = "yellow" if policy.startswith("defaults") else "dim"
    card = (f"the scoring step's PDs (scorecard {result.scores.scorecard.version})" if result.scores is not None
            else f"scorecard {result.stress.scorecard_version or '(PDs given)'}")
    return [f"[{style}]policy: {policy} — {policy_terms(result.stress.policy)}[/{style}]", f"[dim]scorecard: {card}[/dim]"]


def analyze_file(file: Path, out: Path, *, as_of: dt.date | None = None, sims: int | None = None,
                 seed: int | None = None, skip: frozenset[str] = frozenset()) -> AnalysisResult:
    """Validate, read once (the settings too, ``as_of`` overriding their date), run every step, print the
    summaries and write ``out`` (nothing is written when a step's table has errors)."""
    t0 = time.perf_counter()
    book = OnceReader(file)
    console.print(f"[bold]{file}[/bold]")
    settings = workbook_settings(book, as_of)
    steps, skipped, present = _validate(book, skip, settings)
    if not steps:
        raise InputError("nothing to analyse: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    t1 = time.perf_counter()
    inputs, sources = read_analysis_inputs(book, steps, present, settings)  # the readers show their own spinners
    t2 = time.perf_counter()
    with progress(len(steps)) as step:
        result = run_analysis(inputs, skip=skip, sims=sims, seed=seed, on_step=step)
    print_analysis(result, {"insurance": insurance_notes(inputs, sources), "stress": stress_notes(result, sources)})
    print_findings(result)
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
def analyze(file: Path, out: Path, as_of: dt.date | None, sims: int | None, seed: int | None,
            skip: str | None) -> None:
    """The whole analysis of one workbook (全面分析): age, score, ratios, insurance, provision, stress → one workbook."""
    t0 = time.perf_counter()
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

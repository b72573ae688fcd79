"""The whole analysis of one workbook: age, score, ratios & concentration, insurance, provision, stress test.

What a controller's month-end run or a nightly job does with one filled workbook: each step runs when
its inputs are there and is skipped with a one-line reason when they are not (a ledger-only workbook
gets its ageing, concentration and insurance worklist; a register-only one its scores). Validated
frames in, one :class:`AnalysisResult` out; reading, printing and writing belong to the front ends.

Steps feed each other where the single commands would compute the same thing twice: the ageing's
per-buyer payment record feeds the scoring (as in the demo), and the scoring's PDs feed the stress
test, which otherwise scores the register itself with the same pipeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from xl_cashrisk.errors import InputError
from xl_cashrisk.insurance import Policy
from xl_cashrisk.pipelines.ageing import AgeingResult, run_ageing
from xl_cashrisk.pipelines.insurance import InsuranceResult, run_insurance
from xl_cashrisk.pipelines.provision import ProvisionResult, run_provision
from xl_cashrisk.pipelines.ratios import ConcentrationReport, RatiosResult, run_concentration, run_ratios
from xl_cashrisk.pipelines.scoring import ScoringResult, run_scoring
from xl_cashrisk.pipelines.stress_test import StressTestResult, run_stress_test
from xl_cashrisk.scoring.config import Scorecard
from xl_cashrisk.settings import Settings
from xl_cashrisk.stress import Scenario

__all__ = ["ANALYSIS_STEPS", "STEPS", "STEP_TITLES", "AnalysisInputs", "AnalysisResult", "AnalysisRun", "Step",
           "parse_skip", "plan", "run_analysis", "tables_needed"]

_SHEETS = {"ledger": "AR Ledger", "register": "Buyer Register", "forecast": "Forecast",
           "company": "Company financials"}


@dataclass(frozen=True)
class Step:
    """One step of the analysis: what it reads (table keys) and how it runs. ``requires``: every one of these
    tables; ``any_of``: at least one of these; ``optional``: read when present. A new step joins
    :data:`ANALYSIS_STEPS` (with a field on :class:`AnalysisResult` and its report writer)."""

    key: str
    title: str
    run: Callable[[AnalysisRun], None]
    requires: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


def parse_skip(text: str | Iterable[str] | None) -> frozenset[str]:
    """``"score,stress"`` → {"score", "stress"}; an unknown name raises :class:`InputError` naming the choices."""
    if text is None:
        return frozenset()
    names = text.split(",") if isinstance(text, str) else list(text)
    out = {n.strip().lower() for n in names if n.strip()}
    unknown = sorted(out - set(STEPS))
    if unknown:
        raise InputError(f"--skip: unknown step {unknown[0]!r}; the steps are {', '.join(STEPS)}")
    return frozenset(out)


def plan(present: Iterable[str], skip: Iterable[str] = ()) -> tuple[list[str], dict[str, str]]:
    """The steps to run, in order, and a one-line reason for each step left out, given the table keys
    ``present`` in the workbook and the steps the user asked to ``skip``.

    >>> plan({"ledger", "fx"}, skip={"age"})
    (['ratios', 'insurance', 'provision'], {'age': 'left out with --skip', 'score': "no 'Buyer Register' sheet", \
'stress': "no 'Forecast' sheet"})
    """
    present, skip = set(present), set(skip)
    run, skipped = [], {}
    for step in ANALYSIS_STEPS:
        missing = [k for k in step.requires if k not in present]
        if step.key in skip:
            skipped[step.key] = "left out with --skip"
        elif missing:
            skipped[step.key] = " and ".join(f"no '{_SHEETS[k]}' sheet" for k in missing)
        elif step.any_of and not present & set(step.any_of):
            skipped[step.key] = " and ".join(f"no '{_SHEETS[k]}' sheet" for k in step.any_of)
        else:
            run.append(step.key)
    return run, skipped


def tables_needed(steps: Iterable[str]) -> set[str]:
    """Table keys the given steps read (required or optional); the settings and FX are always read."""
    out = {"fx"}
    for step in ANALYSIS_STEPS:
        if step.key in steps:
            out |= {*step.requires, *step.any_of, *step.optional}
    return out


@dataclass
class AnalysisInputs:
    """Validated frames of one workbook (None where the workbook has no such table)."""

    settings: Settings
    ledger: pd.DataFrame | None = None
    register: pd.DataFrame | None = None
    scorecard: Scorecard | None = None
    company: pd.DataFrame | None = None
    buyers: pd.DataFrame | None = None  # limits, countries and groups (Buyer limits table, else the register)
    policy: Policy | None = None
    forecast: pd.DataFrame | None = None
    scenarios: list[Scenario] | None = None  # the library (None: the standard one)
    scenario_run: tuple[str, ...] | None = None  # ids to run (None: all)


@dataclass
class AnalysisResult:
    settings: Settings
    ageing: AgeingResult | None = None
    scores: ScoringResult | None = None
    ratios: RatiosResult | None = None
    concentration: ConcentrationReport | None = None
    insurance: InsuranceResult | None = None
    provision: ProvisionResult | None = None
    stress: StressTestResult | None = None
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # step → reason
    notes: dict[str, str] = field(default_factory=dict)  # step → what part was left out (ratios without financials)
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds


def _present(inputs: AnalysisInputs) -> set[str]:
    frames = {"ledger": inputs.ledger, "register": inputs.register, "company": inputs.company,
              "forecast": inputs.forecast}
    return {k for k, v in frames.items() if v is not None}


@dataclass
class AnalysisRun:
    """What a step sees: the inputs, the result so far (earlier steps' results feed later ones) and the
    stress test's simulations and seed."""

    inputs: AnalysisInputs
    result: AnalysisResult
    sims: int | None = None
    seed: int | None = None


def run_analysis(inputs: AnalysisInputs, *, skip: Iterable[str] = (), sims: int | None = None,
                 seed: int | None = None, on_step: Callable[[str], None] | None = None) -> AnalysisResult:
    """Run every step whose inputs are present and not in ``skip``; see :func:`plan` for the rules.

    ``sims`` and ``seed`` are the stress test's (default: its settings). ``on_step(title)`` is called
    as each step starts (a progress bar). Raises :class:`InputError` from a step whose inputs are
    unusable (e.g. a scenario the stress engine refuses).
    """
    steps, skipped = plan(_present(inputs), skip)
    out = AnalysisResult(inputs.settings, skipped=skipped)
    run = AnalysisRun(inputs, out, sims, seed)
    for step in ANALYSIS_STEPS:
        if step.key not in steps:
            continue
        if on_step is not None:
            on_step(step.title)
        t0 = time.perf_counter()
        step.run(run)
        out.timings[step.key] = time.perf_counter() - t0
        out.ran.append(step.key)
    return out


def _age(run: AnalysisRun) -> None:
    run.result.ageing = run_ageing(run.inputs.ledger, run.inputs.settings)


def _score(run: AnalysisRun) -> None:
    i, out = run.inputs, run.result
    history = out.ageing.history if out.ageing is not None else None
    out.scores = run_scoring(i.register, i.settings, i.ledger, scorecard=i.scorecard, history=history)


def _ratios(run: AnalysisRun) -> None:
    i, out = run.inputs, run.result
    if i.company is not None:
        out.ratios = run_ratios(i.company, i.settings)
    else:
        out.notes["ratios"] = f"ratios left out: no '{_SHEETS['company']}' sheet"
    if i.ledger is not None:
        out.concentration = run_concentration(i.ledger, i.settings, i.buyers)
    else:
        out.notes["ratios"] = f"concentration left out: no '{_SHEETS['ledger']}' sheet"


def _insurance(run: AnalysisRun) -> None:
    i = run.inputs
    run.result.insurance = run_insurance(i.ledger, i.buyers, i.policy or Policy(), i.settings)


def _provision(run: AnalysisRun) -> None:
    try:
        run.result.provision = run_provision(run.inputs.ledger, run.inputs.settings)
    except InputError as exc:  # too short a history: the other steps' results still stand
        run.result.notes["provision"] = exc.message


def _stress(run: AnalysisRun) -> None:
    i, out = run.inputs, run.result
    scores = out.scores.scored if out.scores is not None else None
    out.stress = run_stress_test(i.ledger, i.settings, register=i.register, forecast=i.forecast, scenarios=i.scenarios,
                                 policy=i.policy or Policy(), scores=scores, sims=run.sims, seed=run.seed,
                                 run=i.scenario_run)


# in order: the ageing's payment record feeds the scoring, the scoring's PDs the stress test
ANALYSIS_STEPS: list[Step] = [
    Step("age", "Receivables ageing 账龄分析", _age, requires=("ledger",)),
    Step("score", "Buyer credit scoring 客户信用评分", _score, requires=("register",), optional=("ledger", "scorecard")),
    Step("ratios", "Working capital and concentration 营运资金与集中度", _ratios, any_of=("company", "ledger"),
         optional=("buyer_limits", "register")),
    Step("insurance", "Credit insurance: exposure, deadlines, worklist 信用保险", _insurance, requires=("ledger",),
         optional=("buyer_limits", "register")),
    Step("stress", "13-week cash stress test 现金流压力测试", _stress, requires=("ledger", "forecast"),
         optional=("scenarios", "register")),
    Step("provision", "Provision matrix (IFRS 9 / CAS 22) 预期信用损失（账龄迁徙率）", _provision, requires=("ledger",)),
]
STEPS = tuple(s.key for s in ANALYSIS_STEPS)
STEP_TITLES = {s.key: s.title for s in ANALYSIS_STEPS}

"""The whole analysis of one workbook: age, score, ratios & concentration, insurance, stress test.

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
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from xl_cashrisk.errors import InputError
from xl_cashrisk.insurance import Policy
from xl_cashrisk.pipelines.ageing import AgeingResult, run_ageing
from xl_cashrisk.pipelines.insurance import InsuranceResult, run_insurance
from xl_cashrisk.pipelines.ratios import ConcentrationReport, RatiosResult, run_concentration, run_ratios
from xl_cashrisk.pipelines.scoring import ScoringResult, run_scoring
from xl_cashrisk.pipelines.stress import StressTestResult, run_stress_test
from xl_cashrisk.scoring.config import Scorecard
from xl_cashrisk.settings import Settings
from xl_cashrisk.stress import Scenario

__all__ = ["STEPS", "AnalysisInputs", "AnalysisResult", "parse_skip", "plan", "run_analysis", "tables_needed"]

STEPS = ("age", "score", "ratios", "insurance", "stress")
STEP_TITLES = {
    "age": "Receivables ageing 账龄分析",
    "score": "Buyer credit scoring 客户信用评分",
    "ratios": "Working capital and concentration 营运资金与集中度",
    "insurance": "Credit insurance: exposure, deadlines, worklist 信用保险",
    "stress": "13-week cash stress test 现金流压力测试",
}
# table keys (schema keys) each step reads: all required ones, or any one of the "any" ones
_REQUIRES = {"age": ("ledger",), "score": ("register",), "insurance": ("ledger",), "stress": ("ledger", "forecast")}
_ANY = {"ratios": ("company", "ledger")}
_OPTIONAL = {"score": ("ledger", "scorecard"), "ratios": ("buyer_limits", "register"),
             "insurance": ("buyer_limits", "register"), "stress": ("scenarios", "register")}
_SHEETS = {"ledger": "AR Ledger", "register": "Buyer Register", "forecast": "Forecast",
           "company": "Company financials"}


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
    (['ratios', 'insurance'], {'age': 'left out with --skip', 'score': "no 'Buyer Register' sheet", \
'stress': "no 'Forecast' sheet"})
    """
    present, skip = set(present), set(skip)
    run, skipped = [], {}
    for step in STEPS:
        missing = [k for k in _REQUIRES.get(step, ()) if k not in present]
        if step in skip:
            skipped[step] = "left out with --skip"
        elif missing:
            skipped[step] = " and ".join(f"no '{_SHEETS[k]}' sheet" for k in missing)
        elif step in _ANY and not present & set(_ANY[step]):
            skipped[step] = " and ".join(f"no '{_SHEETS[k]}' sheet" for k in _ANY[step])
        else:
            run.append(step)
    return run, skipped


def tables_needed(steps: Iterable[str]) -> set[str]:
    """Table keys the given steps read (required or optional); the settings and FX are always read."""
    out = {"fx"}
    for step in steps:
        out |= set(_REQUIRES.get(step, ())) | set(_ANY.get(step, ())) | set(_OPTIONAL.get(step, ()))
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
    stress: StressTestResult | None = None
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # step → reason
    notes: dict[str, str] = field(default_factory=dict)  # step → what part was left out (ratios without financials)
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds


def _present(inputs: AnalysisInputs) -> set[str]:
    frames = {"ledger": inputs.ledger, "register": inputs.register, "company": inputs.company,
              "forecast": inputs.forecast}
    return {k for k, v in frames.items() if v is not None}


def run_analysis(inputs: AnalysisInputs, *, skip: Iterable[str] = (), sims: int | None = None,
                 seed: int | None = None) -> AnalysisResult:
    """Run every step whose inputs are present and not in ``skip``; see :func:`plan` for the rules.

    ``sims`` and ``seed`` are the stress test's (default: its settings). Raises :class:`InputError`
    from a step whose inputs are unusable (e.g. a scenario the stress engine refuses).
    """
    steps, skipped = plan(_present(inputs), skip)
    settings = inputs.settings
    out = AnalysisResult(settings, skipped=skipped)
    for step in steps:
        t0 = time.perf_counter()
        if step == "age":
            out.ageing = run_ageing(inputs.ledger, settings)
        elif step == "score":
            history = out.ageing.history if out.ageing is not None else None
            out.scores = run_scoring(inputs.register, settings, inputs.ledger, scorecard=inputs.scorecard,
                                     history=history)
        elif step == "ratios":
            if inputs.company is not None:
                out.ratios = run_ratios(inputs.company, settings)
            else:
                out.notes[step] = f"ratios left out: no '{_SHEETS['company']}' sheet"
            if inputs.ledger is not None:
                out.concentration = run_concentration(inputs.ledger, settings, inputs.buyers)
            else:
                out.notes[step] = f"concentration left out: no '{_SHEETS['ledger']}' sheet"
        elif step == "insurance":
            out.insurance = run_insurance(inputs.ledger, inputs.buyers, inputs.policy or Policy(), settings)
        elif step == "stress":
            scores = out.scores.scored if out.scores is not None else None
            out.stress = run_stress_test(inputs.ledger, settings, register=inputs.register,
                                         forecast=inputs.forecast, scenarios=inputs.scenarios,
                                         policy=inputs.policy or Policy(), scores=scores, sims=sims, seed=seed,
                                         run=inputs.scenario_run)
        out.timings[step] = time.perf_counter() - t0
        out.ran.append(step)
    return out

"""The whole analysis of one workbook (``xl-cashrisk analyze``) into one results workbook: every step's
sheets, with the single commands' report writers, and one run stamp."""

from __future__ import annotations

from pathlib import Path

from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.analysis import AnalysisResult
from xl_cashrisk.reports.ageing import write_ageing
from xl_cashrisk.reports.insurance import write_insurance
from xl_cashrisk.reports.provision import write_provision
from xl_cashrisk.reports.ratios import write_concentration, write_ratios
from xl_cashrisk.reports.scoring import write_scores
from xl_cashrisk.reports.stress_results import policy_terms, write_stress

__all__ = ["analysis_stamp", "write_analysis"]


def write_analysis(result: AnalysisResult, rw: ResultWorkbook) -> None:
    """Every result sheet of the steps that ran, with the single commands' report writers (each hands its
    result to the Summary sheet, which comes first); labels in the Settings' language."""
    rw.use_settings(result.settings)
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
    if result.provision is not None:
        write_provision(result.provision, rw)
    if result.stress is not None:
        write_stress(result.stress, rw)


def analysis_stamp(result: AnalysisResult, file: Path, sources: dict[str, str]) -> dict[str, object]:
    """The run stamp: the steps run and skipped, the scorecard, where the policy and buyer limits came from,
    and the stress test's seed, simulations, forecast start and input fingerprint."""
    extra: dict[str, object] = {"command": "analyze", "steps": ",".join(result.ran),
                                "skipped": "; ".join(f"{k}: {v}" for k, v in result.skipped.items()) or "none"}
    if result.scores is not None:
        extra["scorecard_version"] = result.scores.scorecard.version
    extra.update({k: v for k, v in sources.items() if k in ("policy", "buyer_limits")})
    if result.stress is not None:
        s = result.stress
        extra.update({"seed": s.seed, "simulations": s.sims, "forecast_start": str(s.start),
                      "stress_input_fingerprint": s.fingerprint, "policy_terms": policy_terms(s.policy)})
    return run_stamp(result.settings.as_of, [file], extra)

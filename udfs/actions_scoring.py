"""Ribbon action "Refresh scores": score the workbook's buyer register through the CLI's pipeline.

Reads the active workbook (the live Book under Excel, else the file), runs the same scoring pipeline
as ``xl-cashrisk score`` and writes the Scores and Explanations sheets to ``<name>.cashrisk.xlsx``,
copying them into the open Book when there is one (the user's own sheets are never overwritten).
"""

from __future__ import annotations

from udfs._actions import ActionResult, WorkbookTarget, ribbon_action
from xl_cashrisk import scoring as sc
from xl_cashrisk.io.inputs import read_scoring_inputs
from xl_cashrisk.pipelines.scoring import run_scoring
from xl_cashrisk.reports.scoring import write_scores


@ribbon_action("refresh_scores", label_en="Refresh scores", label_zh="刷新信用评分",
               help_en="Score every buyer of the Buyer Register sheet (and its AR ledger, if any) and write the "
                       "Scores and Explanations sheets to <workbook>.cashrisk.xlsx.")
def refresh_scores(target: WorkbookTarget) -> ActionResult:
    inputs = read_scoring_inputs(target.reader())
    result = run_scoring(inputs.register, inputs.settings, inputs.ledger, scorecard=inputs.scorecard)
    with target.results("score", result.as_of, {"scorecard_version": result.scorecard.version}) as rw:
        write_scores(result, rw)
    counts = result.band_counts()
    lights = ", ".join(f"{int(counts[b])} {b.lower()}" for b in sc.BANDS)
    nr = f", {int(counts[sc.NOT_RATED])} not rated" if counts[sc.NOT_RATED] else ""
    name = target.output.name if target.output else ""
    return ActionResult(f"Scored {len(result.scored)} buyers: {lights}{nr} (scorecard {result.scorecard.version}) "
                        f"→ {name}", target.output, target.sheets_written)

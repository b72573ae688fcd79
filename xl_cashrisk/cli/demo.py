"""``xl-cashrisk demo``: every analysis on the embedded sample portfolio, into one workbook."""

from __future__ import annotations

import time
from pathlib import Path

import click

from xl_cashrisk.cli._demo import DEMO_STEPS, DemoContext
from xl_cashrisk.cli.analyze import print_findings
from xl_cashrisk.cli.app import cli, console, rule
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.reports.stress_results import policy_terms
from xl_cashrisk.reports.summary import result_of
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.policy import SAMPLE_POLICY, SAMPLE_POLICY_SOURCE


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("xl-cashrisk-demo.xlsx"),
              show_default=True, help="Results workbook to write.")
def demo(out: Path) -> None:
    """Run everything on the embedded sample portfolio (示例演示) and write a results workbook."""
    t0 = time.perf_counter()
    sample = load_sample()
    rule("xl-cashrisk demo — sample portfolio 示例组合")
    console.print(sample.story["en"])
    console.print(sample.story["zh"])
    console.print(f"{len(sample.buyers)} buyers, {len(sample.ledger):,} ledger lines, as of {sample.settings.as_of}, "
                  f"home currency {sample.settings.home_currency}")
    with ResultWorkbook(out) as rw:
        ctx = DemoContext(sample, rw, console)
        for step in DEMO_STEPS:
            rule(step.name)
            step.run(ctx)
        scores = ctx.results.get("scores")
        card = getattr(getattr(scores, "scorecard", None), "version", None)
        rw.add_run_stamp(run_stamp(sample.settings.as_of, [], {
            "command": "demo", "sample_fingerprint": sample.fingerprint(), "steps": ", ".join(s.name for s in DEMO_STEPS),
            "policy": SAMPLE_POLICY_SOURCE, "policy_terms": policy_terms(SAMPLE_POLICY),
            **({"scorecard_version": card} if card else {})}))
        print_findings(result_of(sample.settings, ctx.results))
    rule()
    console.print(f"wrote {out}  ({time.perf_counter() - t0:.1f} s)")

"""The demo's steps: each domain's CLI module registers one with :func:`demo_step`.

``xl-cashrisk demo`` runs the steps in order on the embedded sample portfolio, each printing a short
summary and writing its sheets into one results workbook; later steps read earlier results from
``ctx.results`` (the ageing feeds the scoring, the scores feed the stress test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from xl_cashrisk.io.writer import ResultWorkbook
from xl_cashrisk.sample import SamplePortfolio


@dataclass
class DemoContext:
    sample: SamplePortfolio
    writer: ResultWorkbook
    console: Console
    results: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoContext], None]


DEMO_STEPS: list[DemoStep] = []


def demo_step(order: int, name: str):
    def decorate(run: Callable[[DemoContext], None]):
        DEMO_STEPS.append(DemoStep(order, name, run))
        DEMO_STEPS.sort(key=lambda s: s.order)
        return run

    return decorate

"""Ribbon actions: the registry the add-in's one VBA callback dispatches into.

Every CashRisk ribbon button names the same VBA callback, which passes the control's tag to
:func:`dispatch`. Only names registered here with :func:`ribbon_action` run; any other tag is
refused with a message. An action receives a :class:`WorkbookTarget` — the active workbook's file
and, under Excel, the xlwings ``Book`` — and calls the same pipeline the CLI uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xl_cashrisk.errors import CashRiskError


@dataclass(frozen=True)
class RibbonAction:
    name: str  # the ribbon control's tag
    label_en: str
    label_zh: str
    help_en: str
    run: Callable[[WorkbookTarget], ActionResult]
    needs_workbook: bool = True


@dataclass
class WorkbookTarget:
    """What an action works on: the workbook file, and the live xlwings Book when Excel runs it."""

    path: Path | None
    book: object | None = None  # xlwings.Book under Excel; None for file-only runs (tests, CLI)
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class ActionResult:
    message: str  # shown to the user in the status bar / a message box
    output: Path | None = None
    sheets_written: tuple[str, ...] = ()


ACTIONS: dict[str, RibbonAction] = {}


def ribbon_action(name: str, *, label_en: str, label_zh: str, help_en: str, needs_workbook: bool = True):
    """Register ``run(target) -> ActionResult`` as the ribbon action ``name``."""

    def decorate(run: Callable[[WorkbookTarget], ActionResult]):
        if name in ACTIONS and ACTIONS[name].run.__module__ != run.__module__:
            raise ValueError(f"ribbon action {name!r} registered twice")
        ACTIONS[name] = RibbonAction(name, label_en, label_zh, help_en, run, needs_workbook)
        return run

    return decorate


class UnknownAction(CashRiskError):
    pass


def run_action(name: str, target: WorkbookTarget) -> ActionResult:
    """Run a registered action; refuse anything else."""
    action = ACTIONS.get(name)
    if action is None:
        known = ", ".join(sorted(ACTIONS))
        raise UnknownAction(f"CashRisk: unknown ribbon action {name!r}; allowed: {known}")
    if action.needs_workbook and target.path is None and target.book is None:
        raise CashRiskError(f"CashRisk: '{action.label_en}' needs an open, saved workbook")
    return action.run(target)

"""What the shared input readers (:mod:`xl_cashrisk.pipelines.inputs`) tell the user on the way: a module of
its own, so that a front end printing it (the CLI's console feedback) does not import the readers."""

from __future__ import annotations

import contextlib

__all__ = ["SILENT", "Feedback"]


class Feedback:
    """What the readers tell the user on the way. This base says nothing (the ribbon actions: their
    message and the run stamp say where the inputs came from); the CLI overrides it to print."""

    def problems(self, report) -> None:
        """A table's validation report with problems, shown before its errors (if any) stop the run."""

    def note(self, text: str, *, warning: bool = False) -> None:
        """One line about the inputs (where the policy came from, buyers without a limit)."""

    def status(self, text: str) -> contextlib.AbstractContextManager:
        """Context for a slow read (the CLI shows a spinner)."""
        return contextlib.nullcontext()


SILENT = Feedback()

"""The console of every command: complete in a log, pleasant in a terminal, a progress bar only on a tty."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from xl_cashrisk.cli import app


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=terminal, width=80, highlight=False), buf


def test_progress_bar_on_a_terminal_only(monkeypatch):
    for terminal in (True, False):
        con, buf = _console(terminal)
        monkeypatch.setattr(app, "console", con)
        with app.progress(2) as step:
            step("reading the workbook")
            step("simulating correlated defaults")
        text = buf.getvalue()
        assert ("simulating correlated defaults" in text) is terminal, text
        assert ("\x1b[" in text) is terminal  # a log gets neither the bar nor its control codes


def test_clip_shortens_in_a_terminal_and_keeps_everything_in_a_log(monkeypatch):
    name = "Liberty Industrial Supply Corp."
    monkeypatch.setattr(app, "console", _console(True)[0])
    assert app.clip(name, 16) == "Liberty…" and len(app.clip("B" * 30, 16)) == 16
    monkeypatch.setattr(app, "console", _console(False)[0])
    assert app.clip(name, 16) == name


@pytest.mark.skipif(sys.stdout.isatty(), reason="run with the output captured (the default)")
def test_a_redirected_console_is_wide_enough_for_every_table():
    assert app.make_console().width == app.LOG_WIDTH  # pytest captures stdout: not a terminal

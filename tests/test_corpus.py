"""The bad-input corpus (tests/corpus/make_corpus.py) through every command that reads a workbook.

For each broken or hostile file and each command: exit code 3 (the input is unusable), no traceback,
one clean ``error:`` line, the expected message (and the row and column where one applies, the file
name for file-level problems), the input's sha256 unchanged, the --out file neither created nor touched
(the previous output byte-identical, no temporary file left behind), and a bounded time. A file the
rules accept (``Case.accepted``) exits 0 and its values are checked (``Case.check``).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import app as cli_app
from xl_cashrisk.cli import cli
from xl_cashrisk.io.safe import file_fingerprint

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from make_corpus import CASES, Case, build_corpus

PREVIOUS = b"previous results - must survive a failed run"

# command name -> argv after the command (FILE and OUT substituted); only commands the CLI has
COMMANDS = {
    "validate": ["{file}"],
    "age": ["{file}", "--out", "{out}"],
    "score": ["{file}", "--out", "{out}"],
    "stress": ["{file}", "--out", "{out}", "--sims", "200"],
    "insurance": ["{file}", "--out", "{out}"],
    "import": ["{file}", "--kind", "ledger", "--out", "{out}"],
    "analyze": ["{file}", "--out", "{out}"],
}
BY_SCOPE = {
    "file": ("validate", "age", "score", "stress", "insurance", "import", "analyze"),
    "ledger": ("validate", "age", "analyze"),
    "ledger-only": ("age",),
    "register": ("validate", "score"),
    "ledger+register": ("score",),
}
# known bugs in commands this suite does not own: (case, command) -> reason; strict xfail flips when fixed
KNOWN = {
}
# cases whose data is acceptable (warning shown, exit 0 by design)
WARN_ONLY = {"future_dates"}
# cases that are no mistake at all: a ledger as tall as Excel allows is read and validated in full
PROCESSED = {"million_rows"}
SECONDS = 30  # wall time one command may take on one small case (hostile ones are refused before parsing)


def _available() -> set[str]:
    return set(cli.commands)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, request) -> dict[str, tuple[Case, Path]]:
    slow = request.config.getoption("-m", default="") != "not slow"
    folder = tmp_path_factory.mktemp("corpus")
    return {c.name: (c, p) for c, p in build_corpus(folder, include_slow=slow)}


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich tables at 400 columns so messages are not wrapped inside table cells."""
    monkeypatch.setattr(cli_app.console, "width", 400)
    monkeypatch.setattr(cli_app.err_console, "width", 400)


def _norm(text: str) -> str:
    text = re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─┳┻╇╈┼┬┴═╡╞]", " ", text)
    return " ".join(text.split()).casefold()


def _params():
    out = []
    for case in CASES:
        for cmd in BY_SCOPE[case.scope] if not case.commands else case.commands:
            marks = []
            if case.slow:
                marks.append(pytest.mark.slow)
            if (case.name, cmd) in KNOWN:
                marks.append(pytest.mark.xfail(reason=KNOWN[case.name, cmd], strict=True))
            out.append(pytest.param(case.name, cmd, id=f"{case.name}-{cmd}", marks=marks))
    return out


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "command"), _params())
def test_bad_input(corpus, tmp_path, name, command):
    if command not in _available():
        pytest.skip(f"the {command} command does not exist yet")
    if name not in corpus:
        pytest.skip("slow case not built (-m 'not slow')")
    case, path = corpus[name]
    before = file_fingerprint(path) if path.is_file() else None
    out = tmp_path / "results.xlsx"
    out.write_bytes(PREVIOUS)
    args = [a.format(file=path, out=out) for a in COMMANDS[command]]
    t0 = time.perf_counter()
    r = CliRunner().invoke(cli, [command, *args])
    spent = time.perf_counter() - t0
    text = _norm(r.output)
    shown = r.output[-3000:]
    assert "traceback" not in text and "internal error" not in text and "exception ignored" not in text, shown
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert case.slow or spent < SECONDS, f"{spent:.1f} s"
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, shown  # one clean line (a table of problems above it, at most)
    if name in PROCESSED or case.accepted:
        assert r.exit_code == 0, shown
    elif name in WARN_ONLY and r.exit_code == 0:
        assert "warning" in text
    else:
        assert r.exit_code == cli_app.EXIT_INPUT, shown
    assert case.fragment.casefold() in text or _norm(case.fragment) in text, shown
    if case.row is not None:
        assert f"row {case.row}" in text or f" {case.row} " in text, shown
    if case.column is not None:
        assert case.column.casefold() in text, shown
    for frag in case.absent:
        assert frag.casefold() not in text, shown
    if case.scope == "file":
        assert path.name.casefold() in text, shown
    if before is not None:
        assert file_fingerprint(path) == before, "the input file was modified"
    if r.exit_code != 0:
        assert out.read_bytes() == PREVIOUS, "a failed run replaced the previous output"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != out.name]
    assert not leftovers, f"temporary files left behind: {leftovers}"


@pytest.mark.parametrize("name", [c.name for c in CASES if c.check is not None])
def test_accepted_values(corpus, name):
    """An odd but valid file is read right, not just without an error: its values are checked."""
    case, path = corpus[name]
    case.check(path)


def test_issue_15_cases_are_in_the_corpus():
    names = {c.name for c in CASES}
    assert {"date1904_serials", "due_9999", "due_3026_cell", "date_year_month", "iso_offset_dates", "percent_amount",
            "misspelled_header", "long_buyer_name", "amount_as_date", "encrypted_member", "byte_ff",
            "shared_strings_count", "named_pipe", "area_outside_worksheets", "area_single_quotes", "area_ref_not_last",
            "csv_huge_field", "csv_open_quote", "stress_without_forecast"} <= names

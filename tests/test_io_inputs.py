"""The one reader of inputs (xl_cashrisk.io.inputs): what the CLI and the ribbon actions read."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from udfs._actions import WorkbookTarget, run_action
from xl_cashrisk.cli.insurance import insurance_inputs_run
from xl_cashrisk.errors import InputError
from xl_cashrisk.io import inputs as pin
from xl_cashrisk.pipelines.insurance import run_insurance
from xl_cashrisk.sample.workbooks import write_sample_book


class Recorder(pin.Feedback):
    def __init__(self):
        self.notes: list[tuple[str, bool]] = []
        self.reports = []
        self.statuses: list[str] = []

    def problems(self, report) -> None:
        self.reports.append(report)

    def note(self, text: str, *, warning: bool = False) -> None:
        self.notes.append((text, warning))

    def status(self, text: str):
        self.statuses.append(text)
        return super().status(text)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_sample_book(tmp_path_factory.mktemp("inputs") / "sample.xlsx")


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("2026-09-30", dt.date(2026, 9, 30)),
    (dt.date(2026, 9, 30), dt.date(2026, 9, 30)),
    (dt.datetime(2026, 9, 30, 14, 5), dt.date(2026, 9, 30)),
    (46295, dt.date(2026, 9, 30)),  # an Excel serial, as every other date reader takes it
    ("2026-09-30T23:30:00+08:00", dt.date(2026, 9, 30)),
])
def test_parse_date(value, expected):
    assert pin.parse_date(value) == expected


@pytest.mark.parametrize("value", ["30/09/2026", "", "2026-13-01", "2026-09", "2026", "3026-09-30", 2958465])
def test_parse_date_refuses_anything_else_with_an_input_error(value):
    with pytest.raises(InputError, match="as_of: expected a date such as 2026-09-30"):
        pin.parse_date(value)


def test_insurance_inputs_are_what_the_command_reads(book):
    rec = Recorder()
    inputs = pin.read_insurance_inputs(book, as_of="2026-09-30", feedback=rec)
    assert inputs.settings.as_of == dt.date(2026, 9, 30)
    assert inputs.stamp == {"command": "insurance", "policy": inputs.policy_source, "buyer_limits": inputs.buyer_source}
    assert rec.statuses == ["reading the ledger…"]
    assert rec.notes[0] == (f"policy: {inputs.policy_source}; buyer limits: {inputs.buyer_source}", False)
    result = run_insurance(inputs.ledger, inputs.buyers, inputs.policy, inputs.settings)
    cli_result, sources, extra = insurance_inputs_run(book, as_of=dt.date(2026, 9, 30))
    assert extra == inputs.stamp and sources == inputs.sources
    pd.testing.assert_frame_equal(result.worklist, cli_result.worklist)
    pd.testing.assert_frame_equal(result.summary, cli_result.summary)


def test_silent_by_default(book, capsys):
    pin.read_insurance_inputs(book)
    pin.load_stress_inputs(book)
    assert capsys.readouterr().out == ""


def test_stress_inputs_are_what_the_command_reads(book):
    from xl_cashrisk.cli._common import CONSOLE_FEEDBACK

    a, b = pin.load_stress_inputs(book), pin.load_stress_inputs(book, feedback=CONSOLE_FEEDBACK)
    assert (a.policy_source, a.run, a.files) == (b.policy_source, b.run, b.files)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)


def test_insurance_action_as_of_option(book, tmp_path):
    r = run_action("insurance_deadlines", WorkbookTarget(book, options={"as_of": "2026-09-30",
                                                                        "out": tmp_path / "a.xlsx"}))
    assert r.output == tmp_path / "a.xlsx" and r.output.exists()
    with pytest.raises(InputError, match="as_of"):
        run_action("insurance_deadlines", WorkbookTarget(book, options={"as_of": "30/09/2026",
                                                                        "out": tmp_path / "b.xlsx"}))


def test_where_the_policy_comes_from(book, tmp_path):
    """The Policy sheet first; else the settings' insurance rows when they say anything; else the defaults
    (a workbook without a Settings sheet has no policy rows to speak of)."""
    from xl_cashrisk.insurance import Policy
    from xl_cashrisk.io.reader import WorkbookReader
    from xl_cashrisk.settings import Settings

    reader = WorkbookReader(book)
    policy, source = pin.read_policy((reader,), Settings())
    assert source == "Policy sheet of sample.xlsx" and policy != Policy()
    given = Settings(insurance=Policy(indemnity_pct=0.8))
    assert pin.read_policy((None,), given) == (given.insurance, "insurance rows of the settings")
    policy, source = pin.read_policy((None,), Settings())
    assert policy == Policy() and source.startswith("defaults (SPEC §7)")

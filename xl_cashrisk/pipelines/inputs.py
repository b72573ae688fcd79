"""Reading and validating the workbook tables the insurance, ratios and stress pipelines run on.

Shared by the commands (``xl-cashrisk insurance``, ``ratios``, ``stress``, ``analyze``) and the ribbon
actions (Insurance deadlines, Run stress test), so the Excel side reads exactly what the CLI reads —
without the console: nothing here imports click or rich.

What a reader has to say on the way (the problems of a table before its errors stop the run, where the
policy came from, ledger buyers without a limit, what it is reading) goes to a :class:`Feedback`. The
default one says nothing; the CLI passes one that prints to its console.

Where the insurance inputs come from:

* ledger: the AR Ledger sheet of the workbook;
* settings: the settings file (a settings workbook or TOML file), else the workbook's Settings sheet;
* policy: the Policy sheet of the settings workbook or of the workbook, else the insurance rows of the
  settings (Settings sheet or TOML ``[insurance]``), else the SPEC §7 defaults;
* buyer limits, countries and groups: the buyer register file (any sheet with a ``Buyer ID`` and an
  ``Insurer limit`` column), else a "Buyer limits" sheet in the workbook or the settings workbook.

The stress test reads the Forecast, Scenarios and Settings sheets, the AR ledger (of the workbook or a
separate file), the buyer register (likewise, optional), the policy and the workbook's scorecard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.insurance import Policy
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.safe import check_regular_file
from xl_cashrisk.pipelines.feedback import SILENT, Feedback
from xl_cashrisk.pipelines.scoring import workbook_scorecard
from xl_cashrisk.pipelines.stress import StressTestResult, run_stress_test, scenarios_from_frame
from xl_cashrisk.schemas.company import COMPANY
from xl_cashrisk.schemas.forecast import FORECAST, SCENARIOS
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.policy import BUYER_LIMITS, DOMAIN, POLICY, policy_from_values
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.schemas.settings import SETTINGS, load_settings_file, settings_from_frames
from xl_cashrisk.schemas.values import ValueRefused, parse_as_of
from xl_cashrisk.scoring import Scorecard
from xl_cashrisk.settings import Settings
from xl_cashrisk.stress import STANDARD_SCENARIOS, Scenario

__all__ = [
    "SILENT", "Feedback", "Inputs", "InsuranceInputs", "StressInputs", "buyers_from", "has_sheet", "insurance_tables",
    "load_inputs", "load_stress_inputs", "parse_date", "read_buyer_limits", "read_company", "read_insurance_inputs",
    "read_ledger", "read_policy", "read_table", "stamp_with_files", "stress_from_inputs",
]


def has_sheet(book: WorkbookReader, name: str) -> bool:
    return any(s.casefold() == name.casefold() for s in book.sheet_names)


def parse_date(value: dt.date | str | None, what: str = "as_of") -> dt.date | None:
    """An as-of date given as a date or text (None stays None), by the one values rule
    (:func:`xl_cashrisk.schemas.values.parse_as_of`)."""
    if value is None:
        return None
    try:
        return parse_as_of(value)
    except ValueRefused as exc:
        raise InputError(f"{what}: {exc}") from None


def read_table(book: WorkbookReader, table, settings: Settings | None, *, feedback: Feedback = SILENT, **kw):
    """``book.read(table)``; its problems go to ``feedback`` when it has errors, which then raise."""
    r = book.read(table, settings=settings, **kw)
    if not r.report.ok:
        feedback.problems(r.report)
    r.report.raise_if_errors()
    return r


def read_ledger(book: WorkbookReader, settings: Settings, *, feedback: Feedback = SILENT) -> pd.DataFrame:
    """The validated AR ledger: every problem goes to ``feedback`` (warnings too; the run goes on with
    warnings), errors raise, and a ledger without data rows is refused."""
    with feedback.status("reading the ledger…"):
        r = book.read(LEDGER, settings=settings)
    if r.report.problems:
        feedback.problems(r.report)
    r.report.raise_if_errors()
    if r.frame.empty:
        raise InputError("the ledger has no data rows below its headers: nothing to age",
                         Location(str(book.path), r.report.sheet))
    return r.frame


# ------------------------------------------------------------------------------------------------
# Insurance and ratios


def read_policy(books: Iterable[WorkbookReader | None], settings: Settings) -> tuple[Policy, str]:
    """The policy and where it came from: the first book with a Policy sheet, else the settings'
    insurance rows (Settings sheet or TOML), else the defaults."""
    for book in books:
        if book is None or not has_sheet(book, POLICY.table.sheet):
            continue
        name, _, _cols, raw, rows, problems = book.raw(POLICY.table, POLICY.table.sheet)
        where = Location(str(book.path), name)
        if problems:
            raise InputError(problems[0].message, Location(str(book.path), name, problems[0].row, problems[0].column))
        values = pd.DataFrame({"key": raw["key"], "value": raw.get("value", [""] * len(rows))}, index=rows)
        parsed = settings_from_frames(values, rows=POLICY.rows, where=where, date1904=book.date1904)
        return policy_from_values(parsed.extras.get(DOMAIN, {}), where), f"Policy sheet of {book.path.name}"
    given = settings.extras.get(DOMAIN) or {}
    if any(given.get(row.key) != row.default for row in POLICY.rows):
        return policy_from_values(given), "insurance rows of the settings"
    return Policy(), "defaults (SPEC §7): no Policy sheet and no policy settings found"


def read_buyer_limits(book: WorkbookReader, settings: Settings, *, sheet: str | None = None,
                      feedback: Feedback = SILENT) -> pd.DataFrame:
    """Buyer limits (and countries, groups) from a Buyer limits sheet or a buyer register."""
    name, _hrow, cols = book.locate(BUYER_LIMITS, sheet)
    if "insurer_limit" not in cols:
        raise InputError("no 'Insurer limit 保险限额' column found next to 'Buyer ID 客户编号'",
                         Location(str(book.path), name))
    r = read_table(book, BUYER_LIMITS, settings, sheet=name, feedback=feedback)
    return r.frame.reset_index(drop=True)


def read_company(book: WorkbookReader, settings: Settings, *, feedback: Feedback = SILENT) -> pd.DataFrame:
    """The Company financials table (periods of balance-sheet and P&L lines)."""
    r = read_table(book, COMPANY, settings, sheet=COMPANY.sheet, feedback=feedback)
    return r.frame.reset_index(drop=True)


@dataclass
class Inputs:
    """The workbook opened, its settings and where they came from."""

    book: WorkbookReader
    settings: Settings
    settings_book: WorkbookReader | None
    sources: list[Path]


def load_inputs(file: Path | WorkbookReader, settings_file: Path | None) -> Inputs:
    """FILE opened (or the open reader given), and the settings from ``settings_file`` (workbook or TOML)
    or FILE's Settings sheet."""
    book = file if isinstance(file, WorkbookReader) else WorkbookReader(file)
    sources = [book.path if isinstance(file, WorkbookReader) else file]
    settings_book = None
    if settings_file is not None:
        sources.append(settings_file)
        if settings_file.suffix.lower() == ".toml":
            settings = load_settings_file(check_regular_file(settings_file, role="settings", what="a settings file"))
        else:
            settings_book = WorkbookReader(settings_file)
            if not has_sheet(settings_book, SETTINGS.table.sheet):
                raise InputError("no 'Settings' sheet", Location(str(settings_file)))
            settings = settings_book.settings()
    elif has_sheet(book, SETTINGS.table.sheet):
        settings = book.settings()
    else:
        settings = Settings()
    return Inputs(book, settings, settings_book, sources)


def buyers_from(inputs: Inputs, register: Path | None, *, feedback: Feedback = SILENT
                ) -> tuple[pd.DataFrame | None, str]:
    """The buyer limits and where they came from: the register file, else a Buyer limits sheet of the
    workbook or the settings workbook, else (None, '')."""
    if register is not None:
        inputs.sources.append(register)
        return (read_buyer_limits(WorkbookReader(register), inputs.settings, feedback=feedback),
                f"register {register.name}")
    for b in (inputs.book, inputs.settings_book):
        if b is not None and has_sheet(b, BUYER_LIMITS.sheet):
            return (read_buyer_limits(b, inputs.settings, sheet=BUYER_LIMITS.sheet, feedback=feedback),
                    f"Buyer limits sheet of {b.path.name}")
    return None, ""


@dataclass
class InsuranceInputs:
    """What the insurance pipeline runs on (``run_insurance(ledger, buyers, policy, settings)``), the
    input files and the run-stamp extras."""

    ledger: pd.DataFrame
    buyers: pd.DataFrame
    policy: Policy
    settings: Settings
    sources: list[Path]
    policy_source: str
    buyer_source: str

    @property
    def stamp(self) -> dict[str, object]:
        return {"command": "insurance", "policy": self.policy_source, "buyer_limits": self.buyer_source}


def insurance_tables(inputs: Inputs, register: Path | None = None, *, feedback: Feedback = SILENT
                     ) -> InsuranceInputs:
    """Read and validate the ledger, policy and buyer limits of an opened workbook (its settings final)."""
    ledger = read_ledger(inputs.book, inputs.settings, feedback=feedback)
    settings = inputs.settings
    policy, policy_source = read_policy((inputs.settings_book, inputs.book), settings)
    buyers, buyer_source = buyers_from(inputs, register, feedback=feedback)
    if buyers is None:
        raise InputError("no buyer limits: give --register with the buyer register, or add a 'Buyer limits' sheet "
                         "(xl-cashrisk template settings)", Location(str(inputs.book.path)))
    feedback.note(f"policy: {policy_source}; buyer limits: {buyer_source}", warning=policy_source.startswith("defaults"))
    unknown = sorted(set(ledger["buyer_id"].astype(str)) - set(buyers["buyer_id"].astype(str)))
    if unknown:
        feedback.note(f"{len(unknown)} ledger buyers are not in the buyer limits (treated as without a limit): "
                      f"{', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}", warning=True)
    return InsuranceInputs(ledger, buyers, policy, settings, inputs.sources, policy_source, buyer_source)


def read_insurance_inputs(file: Path | WorkbookReader, register: Path | None = None, settings_file: Path | None = None,
                          as_of: dt.date | str | None = None, *, feedback: Feedback = SILENT) -> InsuranceInputs:
    """Open the workbook (a path or an open reader), take its settings (``as_of`` overrides the as-of
    date) and read the insurance tables: :func:`load_inputs` then :func:`insurance_tables`."""
    inputs = load_inputs(file, settings_file)
    day = parse_date(as_of)
    if day is not None:
        inputs.settings.as_of = day
    return insurance_tables(inputs, register, feedback=feedback)


# ------------------------------------------------------------------------------------------------
# Stress test


@dataclass
class StressInputs:
    settings: Settings
    ledger: pd.DataFrame
    register: pd.DataFrame | None
    forecast: pd.DataFrame | None
    scenarios: list[Scenario]  # the library
    policy: Policy
    policy_source: str
    files: list[Path] = field(default_factory=list)
    run: tuple[str, ...] | None = None  # scenario ids to run (None: all)
    scorecard: Scorecard | None = None  # the workbook's scorecard (settings file + Scorecard table)


def _stress_read(book: WorkbookReader, table, settings: Settings, feedback: Feedback) -> pd.DataFrame:
    return read_table(book, table, settings, feedback=feedback).frame


def _ledger_book(main: WorkbookReader, other: Path | None) -> WorkbookReader:
    if other is not None:
        book = WorkbookReader(other)
        book.locate(LEDGER)  # raises with the headers it looked for
        return book
    try:
        main.locate(LEDGER)
    except InputError:
        raise InputError(f"no AR ledger found: add a '{LEDGER.sheet}' sheet or pass --ledger FILE",
                         Location(str(main.path))) from None
    return main


def _register_book(main: WorkbookReader, other: Path | None) -> WorkbookReader | None:
    """The register's workbook: --register, else FILE's register sheet (by name: the ledger's Buyer ID
    column alone must not pass for a register), else none — PDs then come from payment records."""
    if other is not None:
        book = WorkbookReader(other)
        book.locate(REGISTER)
        return book
    return main if has_sheet(main, REGISTER.sheet) else None


def load_stress_inputs(file: Any, ledger_file: Path | None = None, register_file: Path | None = None, *,
                       feedback: Feedback = SILENT) -> StressInputs:
    """Read and validate everything the stress test needs; any problem raises one :class:`InputError`.

    ``file``: the workbook's path, or a reader over it (a live Book under Excel).
    """
    book = file if hasattr(file, "read") else WorkbookReader(file)
    file = book.path
    if not has_sheet(book, FORECAST.sheet):  # as `analyze` skips the step: never a run on an empty forecast
        raise InputError(f"no '{FORECAST.sheet}' sheet: the stress test needs the 13-week cash forecast (opening "
                         "cash and the weekly receipts and payments); start from the forecast template "
                         "(xl-cashrisk template forecast) / 缺少现金流预测表", Location(str(file)))
    settings = book.settings() if has_sheet(book, SETTINGS.table.sheet) else Settings()
    forecast = _stress_read(book, FORECAST, settings, feedback)
    if has_sheet(book, SCENARIOS.sheet):
        frame = _stress_read(book, SCENARIOS, settings, feedback)
        try:
            scenarios, run = scenarios_from_frame(frame)
        except InputError as exc:
            raise InputError(str(exc), Location(str(file))) from None
        if not run:
            raise InputError("the Scenarios sheet has no scenario rows", Location(str(file), SCENARIOS.sheet))
    else:
        scenarios, run = list(STANDARD_SCENARIOS), None
    files = [Path(file)] if file is not None else []
    ledger = _stress_read(_ledger_book(book, ledger_file), LEDGER, settings, feedback)
    rbook = _register_book(book, register_file)
    register = _stress_read(rbook, REGISTER, settings, feedback) if rbook is not None else None
    files += [p for p in (ledger_file, register_file) if p is not None]
    policy, source = read_policy([book, rbook], settings)
    card = workbook_scorecard(rbook if rbook is not None else book, settings)
    return StressInputs(settings, ledger, register, forecast, scenarios, policy, source, files, run, card)


def stress_from_inputs(inputs: StressInputs, *, sims: int | None = None, seed: int | None = None) -> StressTestResult:
    """The stress test on what :func:`load_stress_inputs` read; the policy's source goes into the stamp."""
    result = run_stress_test(inputs.ledger, inputs.settings, register=inputs.register, forecast=inputs.forecast,
                             scenarios=inputs.scenarios, policy=inputs.policy, sims=sims, seed=seed, run=inputs.run,
                             scorecard=inputs.scorecard)
    result.stamp["policy"] = inputs.policy_source
    return result


def stamp_with_files(result: StressTestResult, files) -> dict[str, object]:
    """The run stamp of a stress result over its input files."""
    from xl_cashrisk.io.writer import run_stamp

    extra = {k: v for k, v in result.stamp.items() if k not in ("product", "version", "as_of")}
    return run_stamp(result.settings.as_of, files, {"command": "stress", **extra})

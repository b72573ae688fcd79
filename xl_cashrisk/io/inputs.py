"""Workbook → validated frames + Settings: the one reader of inputs every front end uses.

The commands (``xl-cashrisk validate``, ``age``, ``score``, ``insurance``, ``ratios``, ``stress``,
``analyze``) and the ribbon actions read through here, so the Excel side reads exactly what the CLI
reads — without the console: nothing here imports click or rich. The pipelines get frames and typed
settings from here and never open a workbook themselves.

What a reader has to say on the way (the problems of a table before its errors stop the run, where the
policy came from, ledger buyers without a limit, what it is reading) goes to a :class:`Feedback`. The
default one says nothing; the CLI passes one that prints to its console.

Where the inputs come from:

* settings: the workbook's Settings sheet (parsed once, :func:`workbook_settings`), or a settings file
  (a settings workbook or TOML file, :func:`load_inputs`), else the defaults;
* ledger: the AR Ledger sheet of the workbook, or a separate ledger workbook;
* register and scorecard: the Buyer Register sheet, the settings' ``scorecard_file`` (beside the
  workbook) or ``--scorecard``, and the Scorecard changes table on the Settings sheet;
* policy: the Policy sheet of the settings workbook or of the workbook, else the insurance rows of the
  settings (Settings sheet or TOML ``[insurance]``), else the SPEC §7 defaults;
* buyer limits, countries and groups: the buyer register file (any sheet with a ``Buyer ID`` and an
  ``Insurer limit`` column), else a "Buyer limits" sheet in the workbook or the settings workbook;
* stress test: the Forecast, Scenarios and Settings sheets, the AR ledger (of the workbook or a
  separate file), the buyer register (likewise, optional), the policy and the workbook's scorecard.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.insurance import Policy
from xl_cashrisk.io.reader import TableRead, WorkbookReader
from xl_cashrisk.io.safe import check_regular_file, file_beside
from xl_cashrisk.io.writer import RUN_STAMP_SHEET
from xl_cashrisk.schemas.company import COMPANY
from xl_cashrisk.schemas.forecast import FORECAST, SCENARIOS, scenarios_from_frame
from xl_cashrisk.schemas.ledger import EMPTY_LEDGER, LEDGER
from xl_cashrisk.schemas.policy import BUYER_LIMITS, POLICY
from xl_cashrisk.schemas.register import REGISTER, SCORECARD, SNAPSHOT
from xl_cashrisk.schemas.rules import Problem, ValidationReport
from xl_cashrisk.schemas.schema import Table
from xl_cashrisk.schemas.settings import SETTINGS, load_settings_file, settings_from_frames
from xl_cashrisk.schemas.values import ValueRefused, parse_as_of
from xl_cashrisk.schemas.values import parse_date as parse_value_date
from xl_cashrisk.scoring import Scorecard
from xl_cashrisk.settings import Settings
from xl_cashrisk.stress import STANDARD_SCENARIOS, Scenario

__all__ = [
    "SILENT", "Feedback", "Inputs", "InsuranceInputs", "OnceReader", "ScoringInputs", "StressInputs", "buyers_from",
    "insurance_tables", "known_tables", "load_inputs", "load_stress_inputs", "open_book", "parse_date",
    "read_buyer_limits", "read_company", "read_insurance_inputs", "read_ledger", "read_policy", "read_scoring_inputs",
    "read_snapshot", "read_table", "resolve_scorecard", "scorecard_rows", "unknown_buyers", "validate_tables", "workbook_scorecard",
    "workbook_settings",
]


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


class OnceReader(WorkbookReader):
    """A reader that converts each table once: every step of ``analyze`` asks for the ledger, and
    validating and typing a million rows once is enough. A repeated read returns the same frame (a
    shallow copy, so a step adding a column cannot change another's) and only the errors of its report,
    since the warnings were listed with the validation already."""

    def __init__(self, path: str | Path):
        super().__init__(path)
        self._reads: dict[tuple[str, str | None, str], TableRead] = {}

    def read(self, table, *, settings=None, sheet=None) -> TableRead:
        key = (table.key, sheet, repr(settings))
        if key not in self._reads:
            self._reads[key] = super().read(table, settings=settings, sheet=sheet)
            return self._reads[key]
        first = self._reads[key]
        errors = [p for p in first.report.problems if p.severity == "error"]
        return TableRead(first.frame.copy(deep=False), dataclasses.replace(first.report, problems=errors))


def open_book(file: str | Path | WorkbookReader) -> WorkbookReader:
    """A reader over ``file``: the reader itself when one is given (a live Book under Excel, an
    :class:`OnceReader`), else a new one over the path."""
    return file if isinstance(file, WorkbookReader) else WorkbookReader(file)


def parse_date(value: dt.date | str | None, what: str = "as_of") -> dt.date | None:
    """An as-of date given as a date or text (None stays None), by the one values rule
    (:func:`xl_cashrisk.schemas.values.parse_as_of`)."""
    if value is None:
        return None
    try:
        return parse_as_of(value)
    except ValueRefused as exc:
        raise InputError(f"{what}: {exc}") from None


def workbook_settings(book: WorkbookReader, as_of: dt.date | None = None) -> Settings:
    """The workbook's Settings sheet parsed (the defaults when it has none); ``as_of`` overrides its date."""
    settings = book.settings() if book.has_sheet(SETTINGS.table.sheet) else Settings()
    if as_of is not None:
        settings.as_of = as_of
    return settings


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
# Validation of every table


def known_tables() -> list[Table]:
    """Every data table a template can hold, once each, in template order."""
    from xl_cashrisk.io.templates import TEMPLATES

    seen: dict[str, Table] = {}
    for spec in TEMPLATES.values():
        for t in spec.tables:
            if isinstance(t, Table) and t.key not in seen:
                seen[t.key] = t
    return list(seen.values())


def validate_tables(book: WorkbookReader, settings: Settings | None = None) -> list[tuple[Table, ValidationReport]]:
    """(table, report) for every known table present in ``book``, checked with ``settings`` (default: the
    workbook's Settings sheet, if any). A table sharing its sheet with others (the optional tables beside
    Settings) counts as present only when its header is found; a table with a sheet of its own must be
    readable. Raises :class:`InputError` if none is present."""
    sheets = {s.casefold() for s in book.sheet_names}
    if settings is None and book.has_sheet(SETTINGS.table.sheet):
        settings = book.settings()
    tables = known_tables()
    per_sheet = Counter(t.sheet.casefold() for t in tables)
    out = []
    for table in tables:
        if table.sheet.casefold() not in sheets:
            continue
        if per_sheet[table.sheet.casefold()] > 1:
            try:
                book.locate(table)
            except InputError:
                continue
        report = book.read(table, settings=settings).report
        if table is LEDGER and report.rows == 0 and report.ok:  # an empty ledger never validates clean
            report.problems.append(Problem("error", report.sheet, None, None, EMPTY_LEDGER))
        out.append((table, report))
    if not out:
        names = ", ".join(dict.fromkeys(t.sheet for t in tables))
        raise InputError(f"no known sheet found (expected one of: {names})", None)
    return out


# ------------------------------------------------------------------------------------------------
# Scoring: register, ledger, scorecard


@dataclass
class ScoringInputs:
    """What a register workbook (and an optional separate ledger workbook) hold, validated."""

    register: pd.DataFrame
    settings: Settings
    scorecard: Scorecard
    ledger: pd.DataFrame | None
    files: list[Path]
    reports: list[ValidationReport]


def read_scoring_inputs(file: str | Path | WorkbookReader, ledger_file: str | Path | None = None, *,
                        as_of: dt.date | None = None, scorecard_file: str | Path | None = None, check: bool = True,
                        settings: Settings | None = None) -> ScoringInputs:
    """Read the register (its sheet), settings and Scorecard table (Settings sheet) and the ledger (the
    workbook ``file`` — a path, or an open reader such as the ribbon's live-Book reader —
    same workbook's AR Ledger sheet, or ``ledger_file``) of a scoring run. ``settings``: the workbook's
    settings when the caller has read them already (else read here; ``as_of`` overrides the date).
    Raises :class:`InputError` naming every broken row and column (first ones) when a table has errors
    (unless ``check`` is False); ``reports`` hold every problem."""
    book = open_book(file)
    path = Path(book.path)
    settings = settings if settings is not None else workbook_settings(book, as_of)
    reports = []
    reg = book.read(REGISTER, settings=settings)
    reports.append(reg.report)
    rows, table_report = scorecard_rows(book)
    if table_report is not None:
        reports.append(table_report)
    files = [path]
    if ledger_file is not None:
        lr = WorkbookReader(ledger_file).read(LEDGER, settings=settings)
        files.append(Path(ledger_file))
    elif book.has_sheet(LEDGER.sheet):
        lr = book.read(LEDGER, settings=settings)
    else:
        lr = None
    if lr is not None:
        reports.append(lr.report)
    ledger = lr.frame if lr is not None else None
    for r in reports if check else ():
        r.raise_if_errors()
    if check and ledger is not None:
        unknown_buyers(ledger, reg.frame, files[-1] if ledger_file is not None else path)
    card = resolve_scorecard(settings, rows, base_dir=path.parent, file=scorecard_file)
    return ScoringInputs(reg.frame, settings, card, ledger, files, reports)


def resolve_scorecard(settings: Settings, table_rows=None, base_dir: str | Path | None = None,
                      file: str | Path | None = None) -> Scorecard:
    """The scorecard of a run: the default, or ``file`` (named on the command line), or the settings'
    ``scorecard_file`` — a file name in the workbook's folder ``base_dir`` only: a cell never names
    another place on disk (:func:`~xl_cashrisk.io.safe.file_beside`) — then the Scorecard table's
    key | value changes (``table_rows``) on top."""
    name = settings.scoring.scorecard_file
    card = sc.default_scorecard()
    if file is not None:
        card = sc.load_scorecard(check_regular_file(file, role="scorecard", what="a scorecard file"))
    elif name:
        card = sc.load_scorecard(file_beside(base_dir or ".", name, suffix=".toml", what="scorecard_file"))
    rows = [list(r) for r in (table_rows or [])]
    return sc.scorecard_from_table(rows, base=card) if rows else card


def scorecard_rows(book: WorkbookReader):
    """The key | value rows of the workbook's Scorecard changes table and its validation report, or
    (None, None) when the workbook has no such table (the default scorecard then applies)."""
    if not book.has_sheet(SCORECARD.sheet):
        return None, None
    try:
        table = book.read(SCORECARD, sheet=SCORECARD.sheet)
    except InputError:  # a Settings sheet without the Scorecard table
        return None, None
    return table.frame[["scorecard_key", "scorecard_value"]].to_numpy(dtype=object).tolist(), table.report


def workbook_scorecard(book: WorkbookReader, settings: Settings) -> Scorecard:
    """The scorecard a workbook asks for: settings' ``scorecard_file`` plus its Scorecard table."""
    rows, report = scorecard_rows(book)
    if report is not None:
        report.raise_if_errors()
    return resolve_scorecard(settings, rows, base_dir=Path(book.path).parent)


def unknown_buyers(ledger: pd.DataFrame, register: pd.DataFrame, ledger_file: str | Path) -> None:
    """Refuse a ledger whose buyers are not all in the register: their receivables would be left out of
    every score, limit and alert without a word. Names the buyers and the first Excel row of each."""
    known = set(register["buyer_id"].astype(str).str.strip())
    ids = ledger["buyer_id"].astype(str).str.strip()
    missing = ids[~ids.isin(known)]
    if missing.empty:
        return
    first_rows = missing.groupby(missing).apply(lambda s: s.index.min())
    shown = ", ".join(f"{b} (row {r})" for b, r in list(first_rows.items())[:5])
    more = f" and {len(first_rows) - 5} more" if len(first_rows) > 5 else ""
    raise InputError(
        f"{len(first_rows)} buyer(s) in the ledger are not in the Buyer Register: {shown}{more}; "
        f"add them to the register (their {len(missing)} ledger line(s) would otherwise be left out of the scores)",
        Location(str(ledger_file), LEDGER.sheet))


def read_snapshot(book: WorkbookReader) -> tuple[pd.DataFrame, dt.date | None] | None:
    """A scored register written by ``xl-cashrisk score`` (its Scores sheet, score and PD as numbers) and the
    as-of date of its run stamp; None when the workbook has no Scores sheet (a register to score instead)."""
    if SNAPSHOT.sheet not in book.sheet_names:
        return None
    r = book.read(SNAPSHOT, sheet=SNAPSHOT.sheet)
    r.report.raise_if_errors()
    frame = r.frame.copy()
    for key in ("score", "pd"):
        frame[key] = pd.to_numeric(frame[key], errors="coerce")
    as_of = None
    if RUN_STAMP_SHEET in book.sheet_names:
        for row in book.grid(RUN_STAMP_SHEET):
            if len(row) > 1 and row[0] == "as_of" and row[1]:
                as_of = parse_value_date(row[1])
    return frame, as_of


# ------------------------------------------------------------------------------------------------
# Insurance and ratios


def read_policy(books: Iterable[WorkbookReader | None], settings: Settings) -> tuple[Policy, str]:
    """The policy and where it came from: the first book with a Policy sheet, else the settings'
    insurance rows (Settings sheet or TOML), else the defaults."""
    for book in books:
        if book is None or not book.has_sheet(POLICY.table.sheet):
            continue
        name, _, _cols, raw, rows, problems = book.raw(POLICY.table, POLICY.table.sheet)
        where = Location(str(book.path), name)
        if problems:
            raise InputError(problems[0].message, Location(str(book.path), name, problems[0].row, problems[0].column))
        values = pd.DataFrame({"key": raw["key"], "value": raw.get("value", [""] * len(rows))}, index=rows)
        parsed = settings_from_frames(values, rows=POLICY.rows, where=where, date1904=book.date1904)
        return parsed.insurance, f"Policy sheet of {book.path.name}"
    if settings.insurance != Policy():
        return settings.insurance, "insurance rows of the settings"
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


def load_inputs(file: Path | WorkbookReader, settings_file: Path | None, as_of: dt.date | None = None) -> Inputs:
    """FILE opened (or the open reader given), and the settings from ``settings_file`` (workbook or TOML)
    or FILE's Settings sheet; ``as_of`` overrides their date."""
    book = open_book(file)
    sources = [book.path if isinstance(file, WorkbookReader) else file]
    settings_book = None
    if settings_file is not None:
        sources.append(settings_file)
        if settings_file.suffix.lower() == ".toml":
            settings = load_settings_file(check_regular_file(settings_file, role="settings", what="a settings file"))
        else:
            settings_book = WorkbookReader(settings_file)
            if not settings_book.has_sheet(SETTINGS.table.sheet):
                raise InputError("no 'Settings' sheet", Location(str(settings_file)))
            settings = settings_book.settings()
    else:
        settings = workbook_settings(book)
    if as_of is not None:
        settings.as_of = as_of
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
        if b is not None and b.has_sheet(BUYER_LIMITS.sheet):
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
    """What the stress test runs on (the frames of :func:`xl_cashrisk.pipelines.stress_test.stress_from_inputs`),
    the input files and where the policy came from."""

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
    scorecard_source: str = "the default scorecard"  # or the Scorecard table / scorecard_file that gave it


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
    return main if main.has_sheet(REGISTER.sheet) else None


def _scenarios(book: WorkbookReader, settings: Settings, feedback: Feedback
               ) -> tuple[list[Scenario], tuple[str, ...] | None]:
    """The Scenarios sheet's library and the ids to run, else the standard library (all run)."""
    if not book.has_sheet(SCENARIOS.sheet):
        return list(STANDARD_SCENARIOS), None
    frame = read_table(book, SCENARIOS, settings, feedback=feedback).frame
    try:
        scenarios, run = scenarios_from_frame(frame)
    except InputError as exc:
        raise InputError(str(exc), Location(str(book.path))) from None
    if not run:
        raise InputError("the Scenarios sheet has no scenario rows", Location(str(book.path), SCENARIOS.sheet))
    return scenarios, run


def load_stress_inputs(file, ledger_file: Path | None = None, register_file: Path | None = None, *,
                       settings_file: Path | None = None, feedback: Feedback = SILENT,
                       settings: Settings | None = None) -> StressInputs:
    """Read and validate everything the stress test needs; any problem raises one :class:`InputError`.

    ``file``: the workbook's path, or a reader over it (a live Book under Excel). ``settings``: the
    workbook's settings when the caller has read them already. ``settings_file``: a settings workbook
    or TOML file (``--settings``) whose policy (Policy sheet, else its insurance rows) and scorecard
    (its Scorecard table and ``scorecard_file``) come first; the forecast settings, as-of date and FX
    stay those of the workbook's own Settings sheet (the forecast's), or the file's when the workbook
    has none.
    """
    book = open_book(file)
    file = book.path
    if not book.has_sheet(FORECAST.sheet):  # as `analyze` skips the step: never a run on an empty forecast
        raise InputError(f"no '{FORECAST.sheet}' sheet: the stress test needs the 13-week cash forecast (opening "
                         "cash and the weekly receipts and payments); start from the forecast template "
                         "(xl-cashrisk template forecast) / 缺少现金流预测表", Location(str(file)))
    given = load_inputs(book, settings_file) if settings_file is not None else None
    if settings is None:
        own = book.has_sheet(SETTINGS.table.sheet) or given is None
        settings = workbook_settings(book) if own else given.settings
    forecast = read_table(book, FORECAST, settings, feedback=feedback).frame
    scenarios, run = _scenarios(book, settings, feedback)
    files = [Path(file)] if file is not None else []
    ledger = read_table(_ledger_book(book, ledger_file), LEDGER, settings, feedback=feedback).frame
    rbook = _register_book(book, register_file)
    register = read_table(rbook, REGISTER, settings, feedback=feedback).frame if rbook is not None else None
    files += [p for p in (ledger_file, register_file, settings_file) if p is not None]
    policy, source = read_policy([book, rbook], settings)
    card_book = rbook if rbook is not None else book
    card = workbook_scorecard(card_book, settings)
    card_source = (f"Scorecard table of {card_book.path.name}" if scorecard_rows(card_book)[0] is not None
                   else "the default scorecard")
    if given is not None:
        policy, source = _given_policy(given, (policy, source))
        card, card_source = _given_scorecard(given, (card, card_source))
    return StressInputs(settings, ledger, register, forecast, scenarios, policy, source, files, run, card,
                        card_source)


def _given_policy(given: Inputs, fallback: tuple[Policy, str]) -> tuple[Policy, str]:
    """The policy of a ``--settings`` file (its Policy sheet, else its insurance rows), else ``fallback``."""
    policy, source = read_policy([given.settings_book], given.settings)
    return fallback if source.startswith("defaults") else (policy, source.replace(
        "insurance rows of the settings", f"insurance rows of {given.sources[-1].name}"))


def _given_scorecard(given: Inputs, fallback: tuple[Scorecard, str]) -> tuple[Scorecard, str]:
    """The scorecard of a ``--settings`` file (its Scorecard table, its ``scorecard_file``), else ``fallback``."""
    path = given.sources[-1]
    rows = scorecard_rows(given.settings_book)[0] if given.settings_book is not None else None
    if rows is None and not given.settings.scoring.scorecard_file:
        return fallback
    where = f"Scorecard table of {path.name}" if rows is not None else f"scorecard_file of {path.name}"
    return resolve_scorecard(given.settings, rows, base_dir=path.parent), where

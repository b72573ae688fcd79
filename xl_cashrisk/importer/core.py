"""``import_file``: an accounting/ERP export in, a frame in the schema's columns and a full report out.

Steps: read the sheets (:mod:`.source`), find the header and map columns (:mod:`.headers`, synonyms,
the mapping file), sort rows into data / blank / totals / headings (:mod:`.rows`), clean exporter
values (:mod:`.values`), shape the ledger (open-item lists, amount + balance lists, ageing exports,
:mod:`.ageing`), then type and validate every column with the shared validator
(:func:`~xl_cashrisk.io.validate.convert_column` and the table's rules). A row with an error is left
out and listed with its row number and reason; totals per currency before and after let the user
reconcile, and are checked against the export's own total rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.importer import synonyms as W
from xl_cashrisk.importer.ageing import SYNTHETIC_NOTE, Bucket, synthetic_due
from xl_cashrisk.importer.headers import HEADER_SCAN_ROWS, Header, col_letter, detect_header, title_as_of
from xl_cashrisk.importer.ledgers import DebitCreditLedger
from xl_cashrisk.importer.mapping import Mapping, load_mapping
from xl_cashrisk.importer.rows import BLANK, DATA, GRAND_TOTAL, HEADER, HEADING, SUBTOTAL, classify_rows
from xl_cashrisk.importer.source import Sheet, read_sheets
from xl_cashrisk.importer.synonyms import UNIT_SCALES, lookup
from xl_cashrisk.io.validate import convert_column
from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.rules import Problem, sort_problems, validate_frame
from xl_cashrisk.schemas.schema import Column, Table

__all__ = ["KINDS", "ImportReport", "ImportResult", "Skipped", "import_file"]

KINDS = ("ledger", "register")
HOME_CURRENCY = "CNY"  # the template's default home currency (Settings sheet)
DEFAULT_TERMS = 30  # synthetic rows of an ageing summary: invoice date = due date − 30 days
MONEY_TOL = 0.005
MONEY_TARGETS = ("amount", "paid_amount", "open_amount", "amount_home", "open_home", "row_total", "debit", "credit")
DATE_TARGETS = ("invoice_date", "due_date", "last_payment_date")
_TITLE_UNIT = re.compile(r"单位\s*[:：]\s*(万元|千元|百万元|元)|amounts?\s+in\s+(thousands|millions)", re.I)
INVALID = "invalid value"
REASONS = {BLANK: "blank row", HEADER: "repeated header row", SUBTOTAL: "subtotal row", GRAND_TOTAL: "total row",
           HEADING: "heading or note row (no document number, amount or date)"}


def _table(kind: str) -> Table:
    if kind == "ledger":
        from xl_cashrisk.schemas.ledger import LEDGER

        return LEDGER
    if kind == "register":
        from xl_cashrisk.schemas.register import REGISTER

        return REGISTER
    raise InputError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")


@dataclass(frozen=True)
class Skipped:
    row: int  # Excel row (CSV: line number)
    category: str  # "blank row", "subtotal row", "invalid value", ...
    reason: str  # the full reason shown to the user

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ImportReport:
    """Everything the user needs to trust (or fix) an import."""

    file: str
    kind: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_rows: tuple[int, ...] = ()  # Excel rows of the header
    layout: str = "list"  # "list", "ageing detail" (documents with bucket columns), "ageing summary"
    as_of: dt.date | None = None
    as_of_source: str = ""
    rows_read: int = 0  # non-blank rows below the header
    rows_data: int = 0  # rows that are records (not totals, headings, repeated headers)
    rows_imported: int = 0  # rows in the output (after merging document lines / ageing reshaping)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    matched: list[tuple[str, str, str, str]] = field(default_factory=list)  # target, header, column, how
    ignored: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    spare: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)
    empty_reason: str = ""  # why nothing could be imported (a balance-only table, no data rows)
    settled: int = 0  # rows taken as paid in full from a settlement date or status
    home_currency: str = HOME_CURRENCY  # written to the Settings sheet
    home_source: str = "default"  # "--home-currency / mapping file", "the export's only currency", "default"
    fx: dict[str, float] = field(default_factory=dict)  # the FX table written (rate to home per unit)
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)  # per currency: before, after, skipped, stated
    mapping: Mapping = field(default_factory=Mapping)

    def skipped_counts(self) -> Counter:
        return Counter(s.category for s in self.skipped)

    @property
    def rejected(self) -> list[Skipped]:
        """Data rows left out because of an error (not: fully paid without a payment date, zero amounts)."""
        return [s for s in self.skipped if s.category == INVALID]

    @property
    def reconciled(self) -> bool:
        """Every data row imported, and the rows add up to the export's own totals where it states them."""
        if self.totals.empty:
            return not self.rejected
        t = self.totals
        stated_ok = bool(((t["stated"].isna()) | ((t["stated"] - t["before"]).abs() <= 0.01)).all())
        return stated_ok and bool(((t["after"] - t["before"]).abs() <= 0.01).all())


@dataclass
class ImportResult:
    frame: pd.DataFrame  # schema input columns (+ open_amount for the ledger); index = source row
    report: ImportReport


def import_file(path: str | Path, kind: str, sheet: str | None = None, mapping: Mapping | str | Path | None = None,
                dayfirst: bool | None = None, *, as_of: dt.date | None = None, currency: str | None = None,
                home_currency: str | None = None, fx: dict[str, float] | None = None,
                check_only: bool = False, on_step: Callable[[str], None] | None = None) -> ImportResult:
    """Import an accounting/ERP export as ``kind`` ('ledger' or 'register').

    ``dayfirst`` decides dates like 01/03/2024 (True: 1 March; False: 3 January; None: from the data,
    an error if the data cannot tell). ``as_of`` is the export's as-of date (ageing exports; else the
    title rows are searched). ``currency`` is used where the export names none. ``home_currency`` and
    ``fx`` (currency → home-currency units per unit) are the books' home currency and FX table for the
    Settings sheet; without them an export in one currency takes that currency as home (reported),
    otherwise CNY. ``check_only`` maps the columns and returns without raising on ambiguities (for
    ``--show-mapping``). ``on_step(text)`` is called as each long step starts (reading, finding the
    header, converting the rows: a progress bar).
    """
    step = on_step or (lambda text: None)
    table = _table(kind)
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping) if mapping else Mapping()
    if m.kind and m.kind != kind:
        raise InputError(f"the mapping file is for kind '{m.kind}', not '{kind}'")
    dayfirst = m.dayfirst if dayfirst is None else dayfirst
    as_of = as_of or m.as_of
    currency = currency or m.currency or (str(m.defaults.get("currency") or "") or None)
    home_currency = home_currency or m.home_currency
    fx = {**m.fx, **(fx or {})}
    step(f"reading {Path(path).name}")
    sheets = read_sheets(path, sheet or m.sheet)
    step("finding the header and the columns")
    names = {c.key: c.names() for c in table.input_columns}
    if kind == "ledger":
        names["open_amount"] = table.column("open_amount").names()
    syn = lookup(kind, names)
    best: tuple[Sheet, Header] | None = None
    for sh in sheets:
        h = detect_header(sh, syn, header_row=m.header_row, header_rows=m.header_rows, fixed_labels=m.columns,
                          ignore=tuple(m.ignore))
        if h is not None and (best is None or h.score > best[1].score):
            best = (sh, h)
    if best is None:
        if kind == "ledger" and any(_balance_title(sh) for sh in sheets):
            raise InputError(BALANCE_TABLE, sheets[0].where())
        raise _no_header(sheets, table, m)
    sh, h = best
    if kind == "ledger" and _balance_table(h):
        raise InputError(BALANCE_TABLE, sh.where(h.excel_row()))
    rep = ImportReport(str(path), kind, sh.name, sh.encoding, sh.delimiter,
                       tuple(range(h.first_row + 1, h.last_row + 2)))
    _describe_mapping(rep, h)
    rep.mapping = _mapping_of(h, m, kind, sh)
    if h.conflicts and not check_only:
        t, js = h.conflicts[0]
        cols = " and ".join(h.column_name(j) for j in js)
        raise InputError(
            f"two columns could be the {_target_name(table, t)}: {cols}. Name the right one in a mapping "
            f"file's columns table, e.g. {t} = \"{h.labels[js[0]]}\", and run again with --mapping FILE "
            "(--save-mapping FILE writes a mapping file to edit)",
            sh.where(h.excel_row()))
    if check_only:
        return ImportResult(pd.DataFrame(), rep)
    found = title_as_of(sh, h.first_row)
    if as_of is None and found:
        as_of, rep.as_of_source = found[0], f"title row {found[1]}: '{found[2][:60]}'"
    elif as_of is not None:
        rep.as_of_source = "--as-of / mapping file"
    if as_of is not None:  # an as-of date by the one rule: within 50 years of today
        try:
            as_of = V.parse_as_of(as_of)
        except V.ValueRefused as exc:
            raise InputError(f"as-of date ({rep.as_of_source}): {exc}", sh.where()) from None
    rep.as_of = as_of
    step(f"checking and converting {len(sh.rows) - h.last_row - 1:,} rows")
    result = _Importer(table, kind, sh, h, m, rep, dayfirst, as_of, currency, home_currency).run()
    _home(result, home_currency, fx)
    return result


def _home(result: ImportResult, home: str | None, fx: dict[str, float]) -> None:
    """The Settings sheet's home currency and FX table: as told, else the export's only currency, else CNY."""
    rep = result.report
    rep.fx = {c: r for c, r in fx.items() if c != home}
    if home:
        rep.home_currency, rep.home_source = home, "--home-currency / mapping file"
        return
    curs = sorted(set(result.frame["currency"].dropna())) if "currency" in result.frame else []
    if len(curs) == 1 and not fx and curs[0] != HOME_CURRENCY:
        rep.home_currency, rep.home_source = curs[0], "the export's only currency"
        rep.conventions.append(f"home currency {curs[0]}: the export's only currency, no FX table needed "
                               f"(--home-currency {HOME_CURRENCY} with --fx {curs[0]}=RATE to report in {HOME_CURRENCY})")


BALANCE_TABLE = ("this is a balance table (科目余额表/余额表): it lists balances, not invoices or dated movements, so "
                 "it cannot be a ledger; import its customers with --kind register, and for the ledger export the "
                 "open-item list or the 往来明细账 (debit/credit ledger)")


def _balance_title(sh: Sheet) -> bool:
    """A sheet whose first rows say it is a balance table: 科目余额表, or 期初/期末余额 over 借方 | 贷方."""
    text = " ".join(str(v) for r in sh.rows[:HEADER_SCAN_ROWS] for v in r if isinstance(v, str))
    return bool(re.search(r"余额表|trial\s+balance", text, re.I)) or (
        bool(re.search(r"期初余额|期末余额|opening\s+balance|closing\s+balance", text, re.I))
        and "借方" in text and "贷方" in text and not re.search(r"日期|date", text, re.I))


def _balance_table(h: Header) -> bool:
    """A header with balances or debit/credit sums but no document date or number: 科目余额表, 客户余额表."""
    if any(t in h.assigned for t in (*DATE_TARGETS, "invoice_no", "month_part")) or len(h.buckets) >= 2:
        return False
    money = {"open_amount", "debit", "credit", "amount", "open_home", "amount_home"}
    claimed = set(h.assigned) | {t for t, _js in h.conflicts}
    return bool(claimed & money) or any(re.search(r"余额|balance|发生额", lab, re.I) for lab in h.labels if lab)


def _target_name(table: Table, target: str) -> str:
    try:
        c = table.column(target)
        return f"{c.en.lower()} ({c.zh})"
    except KeyError:
        return {"open_amount": "open amount (未收金额)", "amount_home": "home-currency amount (本位币金额)",
                "open_home": "home-currency open amount", "row_total": "total column"}.get(target, target)


def _no_header(sheets: list[Sheet], table: Table, m: Mapping) -> InputError:
    where = Location(sheets[0].file, sheets[0].name if len(sheets) == 1 else None)
    if m.columns:
        return InputError(
            "the mapping file names header(s) " + ", ".join(f"'{v}'" for v in m.columns.values())
            + f" but no row in the first {HEADER_SCAN_ROWS} rows holds them all; check the mapping against the "
            "export (the layout may have changed)", where)
    examples = ", ".join(f"'{c.zh}'/'{c.en}'" for c in table.required[:3])
    return InputError(
        f"no recognisable header row in the first {HEADER_SCAN_ROWS} rows (no row names two known columns such as "
        f"{examples}); write a mapping file with header_row = N and a columns table naming the export's headers "
        "(see docs/import.md), and run again with --mapping FILE", where)


def _describe_mapping(rep: ImportReport, h: Header) -> None:
    for t, j in sorted(h.assigned.items(), key=lambda kv: kv[1]):
        rep.matched.append((t, h.labels[j], col_letter(j), h.how.get(t, "")))
    rep.ignored = [f"{h.labels[j]} ({col_letter(j)})" for j in sorted(h.ignored)]
    rep.unmatched = [f"{h.labels[j]} ({col_letter(j)})" for j in sorted(h.unmatched)]
    rep.spare = [f"{h.labels[j]} ({col_letter(j)}) also looks like {t}; "
                 + (f"'{h.labels[u]}' ({col_letter(u)}) is used" if u >= 0 else "not used") for t, j, u in h.spare]
    rep.buckets = [f"{b.label} ({col_letter(j)})" for j, b in sorted(h.buckets.items())]
    for t, js in h.conflicts:
        rep.spare.append(f"AMBIGUOUS {t}: " + " or ".join(h.column_name(j) for j in js))


def _mapping_of(h: Header, m: Mapping, kind: str, sh: Sheet) -> Mapping:
    cols = {t: h.labels[j] for t, j in sorted(h.assigned.items(), key=lambda kv: kv[1])}
    for t, js in h.conflicts:
        cols.setdefault(t, h.labels[js[0]])
    return replace(m, kind=kind, sheet=sh.name, header_row=h.excel_row(), header_rows=h.last_row - h.first_row + 1,
                   columns=cols)


class _Importer(DebitCreditLedger):
    def __init__(self, table, kind, sheet: Sheet, h: Header, m: Mapping, rep: ImportReport, dayfirst, as_of,
                 currency, home_currency=None):
        self.table, self.kind, self.sh, self.h, self.m, self.rep = table, kind, sheet, h, m, rep
        self.dayfirst, self.as_of, self.currency = dayfirst, as_of, currency
        self.home = home_currency or HOME_CURRENCY
        self.errors: dict[int, list[str]] = defaultdict(list)
        self.title_scale = self._title_unit()

    def _title_unit(self) -> float:
        """A unit stated once in the title rows ("单位：万元", "Amounts in thousands") for every amount column."""
        for r in range(self.h.first_row):
            line = " ".join(str(v) for v in self.sh.rows[r] if isinstance(v, str))
            m = _TITLE_UNIT.search(line)
            if m:
                word = (m.group(1) or m.group(2)).casefold()
                scale = UNIT_SCALES.get(word, 1.0)
                if scale != 1.0:
                    self.note(f"title row {r + 1} says amounts are in {m.group(0).strip()}: multiplied by {scale:,.0f}")
                return scale
        return 1.0

    def scale_of(self, j: int, target: str = "") -> float:
        return self.m.units.get(target, self.h.scale.get(j, self.title_scale))

    # ----------------------------------------------------------------------------------- driver
    def run(self) -> ImportResult:
        h, sh = self.h, self.sh
        block = sh.rows[h.last_row + 1:]
        a = h.assigned
        money_cols = [a[t] for t in MONEY_TARGETS if t in a] + list(h.buckets)
        if self.kind == "register":
            money_cols += [a[c.key] for c in self.table.input_columns
                           if c.dtype in ("number", "integer") and c.key in a]
        kinds = classify_rows(block, h.labels, id_cols=[a["invoice_no"]] if "invoice_no" in a else [],
                              money_cols=money_cols, date_cols=[a[t] for t in DATE_TARGETS if t in a],
                              key_cols=[a[t] for t in ("buyer_id", "buyer_name") if t in a and self.kind == "register"])
        first_excel = h.last_row + 2
        rows_all = np.arange(len(block)) + first_excel
        grouped = self.kind == "ledger" and kinds.grouped()
        used = set(kinds.group[kinds.kind == DATA]) if grouped else set()
        for i in np.flatnonzero(kinds.kind != DATA):
            k = kinds.kind[i]
            if k == BLANK and not self._inside(i, kinds.kind):
                continue  # trailing blank rows of a sheet are not rows at all
            reason = "customer heading row (filled down)" if k == HEADING and kinds.heading_of[i] in used \
                else REASONS[k]
            text = reason + (f": '{kinds.label[i]}'" if kinds.label[i] and k != HEADER else "")
            self.rep.skipped.append(Skipped(int(rows_all[i]), reason, text))
        data_idx = np.flatnonzero(kinds.kind == DATA)
        self.group = kinds.group[data_idx] if grouped else None
        self.rep.rows_read = int(np.count_nonzero(kinds.kind != BLANK))
        self.rep.rows_data = len(data_idx)
        self.rows = rows_all[data_idx].astype(np.int64)
        width = sh.width
        grid = np.empty((len(block), width), dtype=object)
        for i, r in enumerate(block):
            grid[i, :len(r)] = r
        self.grid = grid[data_idx]
        self.totals_rows = grid[np.isin(kinds.kind, [SUBTOTAL, GRAND_TOTAL])]
        self.totals_kind = kinds.kind[np.isin(kinds.kind, [SUBTOTAL, GRAND_TOTAL])]
        raw = self.ledger() if self.kind == "ledger" else self.register()
        return self.finish(raw)

    def _inside(self, i: int, kinds: np.ndarray) -> bool:
        return bool((kinds[i + 1:] != BLANK).any())

    def col(self, target: str) -> np.ndarray:
        j = self.h.assigned.get(target)
        out = np.full(len(self.rows), None, dtype=object) if j is None else self.grid[:, j]
        if target == "buyer_name" and getattr(self, "group", None) is not None:
            blank = V.is_blank(out)
            if blank.any():
                out = out.copy()
                out[blank] = self.group[blank]
                if not getattr(self, "_group_noted", False):
                    self._group_noted = True
                    self.note(f"{int((blank & ~V.is_blank(self.group)).sum())} row(s) take their customer from the "
                              "heading row above them (grouped report; the heading is filled down to its Total row)")
        return out

    def label(self, target: str) -> str:
        j = self.h.assigned.get(target)
        return self.h.labels[j] if j is not None else target

    def err(self, problems: list[Problem]) -> None:
        for p in problems:
            if p.severity == "error" and p.row is None:
                self.rep.empty_reason = self.rep.empty_reason or p.message
            elif p.severity == "error":
                self.errors[p.row].append(f"column '{p.column}': {p.message}" if p.column else p.message)
            elif p.message != "number stored as text":  # exports are text by nature (CSV)
                self.rep.warnings.append(p)

    def note(self, text: str) -> None:
        self.rep.conventions.append(text)

    # ----------------------------------------------------------------------------------- values
    def decimal(self) -> str:
        self.dec = self._decimal()
        return self.dec

    def _decimal(self) -> str:
        if self.m.decimal:
            return self.m.decimal
        cols = [self.h.assigned[t] for t in MONEY_TARGETS if t in self.h.assigned] + list(self.h.buckets)
        if not cols:
            return "."
        mark = V.decimal_mark(np.concatenate([self.grid[:, j] for j in cols]) if len(self.grid) else np.empty(0))
        if mark == ",":
            self.note("amounts use a decimal comma (1.234,56): read as such")
        return mark or "."

    def money(self, values: np.ndarray, name: str, scale: float, dec: str) -> tuple[np.ndarray, np.ndarray]:
        cleaned, cur = V.clean_money(values, dec)
        typed, _bad, probs = convert_column(Column(name, name, name, "number"), cleaned, self.rows,
                                            sheet=self.sh.name, header=name)
        self.err(probs)
        return typed * scale, cur

    def money_target(self, target: str, dec: str) -> tuple[np.ndarray, np.ndarray] | None:
        j = self.h.assigned.get(target)
        if j is None:
            return None
        scale = self.scale_of(j, target)
        if scale != 1.0 and scale != self.title_scale:
            self.note(f"'{self.h.labels[j]}' is in units of {scale:,.0f}: multiplied by {scale:,.0f}")
        return self.money(self.grid[:, j], self.h.labels[j], scale, dec)

    def dates(self, target: str) -> np.ndarray:
        vals = self.col(target)
        order = None if self.dayfirst is None else ("dmy" if self.dayfirst else "mdy")
        if order is None and V.has_dmy(vals):
            try:
                order = V.date_order(vals, self.label(target))
                if order is None:
                    others = [V.date_order(self.col(t), self.label(t)) for t in DATE_TARGETS if t in self.h.assigned]
                    order = next((o for o in others if o), None)
            except InputError as exc:
                raise InputError(exc.message, Location(self.sh.file, self.sh.name)) from None
            if order is None:
                raise InputError(
                    f"dates like {V.has_dmy(vals)!r} read either day-first "
                    "or month-first, and no date in the file settles it; run again with --dayfirst or "
                    "--monthfirst (or put dayfirst = true/false in the mapping file)",
                    self.sh.where(column=self.label(target)))
            self.note(f"dates in '{self.label(target)}' read {'day' if order == 'dmy' else 'month'}-first "
                      "(from the data)")
        return V.clean_dates(vals, order)

    # ----------------------------------------------------------------------------------- ledger
    def ledger(self) -> dict[str, np.ndarray]:
        a, n = self.h.assigned, len(self.rows)
        dec = self.decimal()
        got = {t: self.money_target(t, dec) for t in MONEY_TARGETS}
        amounts = {t: v[0] for t, v in got.items() if v is not None}
        syms = [v[1] for v in got.values() if v is not None]
        if "invoice_date" not in a and "month_part" in a and "day_part" in a:
            self.compose_dates()
        if ("debit" in amounts and "credit" in amounts) or self.statement_as_ledger(amounts):
            return self.debit_credit(amounts, syms)
        if "debit" in amounts and "amount" not in amounts:  # a debit column alone is the document amount
            amounts["amount"] = amounts.pop("debit")
            self.note(f"'{self.label('debit')}' read as the document amount (no credit column)")
        buckets: dict[int, np.ndarray] = {}
        for j, _b in self.h.buckets.items():
            scale = self.scale_of(j)
            buckets[j] = self.money(self.grid[:, j], self.h.labels[j], scale, dec)[0]
        summary = len(buckets) >= 2 and "invoice_no" not in a and not any(t in a for t in DATE_TARGETS)
        if len(buckets) >= 2:
            self.rep.layout = "ageing summary" if summary else "ageing detail"
            bucket_sum = np.nansum(np.column_stack(list(buckets.values())), axis=1)
            if "row_total" in amounts:
                tot = amounts["row_total"]
                off = ~np.isnan(tot) & (np.abs(np.nan_to_num(tot) - bucket_sum) > MONEY_TOL)
                for i in np.flatnonzero(off):
                    self.errors[int(self.rows[i])].append(
                        f"the bucket columns add up to {bucket_sum[i]:,.2f} but '{self.label('row_total')}' says "
                        f"{tot[i]:,.2f}")
            if summary:
                return self.reshape_ageing(buckets, amounts, syms)
            amounts.setdefault("open_amount", amounts.get("row_total", bucket_sum))
        elif "row_total" in amounts and "amount" not in amounts and "open_amount" not in amounts:
            amounts["amount"] = amounts["row_total"]
            self.note(f"'{self.label('row_total')}' read as the document amount")

        cur = self.currencies(syms)
        if "amount" not in amounts and "open_amount" not in amounts:
            home = amounts.get("amount_home", amounts.get("open_home"))
            if home is None:
                raise InputError("no amount column found (such as 金额, 未收金额, 余额, Amount, Open Balance); name it "
                                 "in a mapping file's columns table: amount = \"<header>\"",
                                 self.sh.where(self.h.excel_row()))
            src = "amount_home" if "amount_home" in amounts else "open_home"
            amounts["amount" if src == "amount_home" else "open_amount"] = home
            cur = np.full(n, self.home, dtype=object)
            self.note(f"only home-currency amounts found: '{self.label(src)}' used, currency {self.home}")
        amount, paid, note = self.amounts(amounts)
        doc, note = self.doc_types(amount, note)
        raw: dict[str, np.ndarray] = {
            "invoice_no": self.invoice_numbers(amount),
            "buyer_id": None, "buyer_name": self.col("buyer_name"),
            "doc_type": doc, "invoice_date": self.dates("invoice_date") if "invoice_date" in a else None,
            "terms_days": V.clean_terms(self.col("terms_days")) if "terms_days" in a else None,
            "due_date": self.dates("due_date") if "due_date" in a else None,
            "currency": cur, "amount": _obj(amount), "paid_amount": _obj(paid),
            "last_payment_date": self.dates("last_payment_date") if "last_payment_date" in a else None,
            "disputed": self.col("disputed"), "note": note,
        }
        raw["buyer_id"] = self.buyer_ids(raw["buyer_name"])
        if raw["due_date"] is None and raw["terms_days"] is None and self.h.buckets:
            raw["due_date"] = self.due_from_buckets(buckets)
        if raw["terms_days"] is None and raw["due_date"] is None and "terms_days" in self.m.defaults:
            raw["terms_days"] = np.full(n, float(self.m.defaults["terms_days"]), dtype=object)
            self.note(f"no due date or terms column: terms {self.m.defaults['terms_days']} days (mapping file)")
        self.due_on_own_date(raw, n)
        if raw["invoice_date"] is None and raw["due_date"] is not None:
            raw["invoice_date"] = raw["due_date"]
            raw["terms_days"] = np.where(V.is_blank(raw["due_date"]), None, 0.0) if raw["terms_days"] is None \
                else raw["terms_days"]
            self.note("no invoice date column: the due date is used as the invoice date (terms 0)")
        raw = {k: (v if v is not None else np.full(n, None, dtype=object)) for k, v in raw.items()}
        self.apply_defaults(raw, n, skip=("currency", "terms_days"))  # those two are applied above, with notes
        return raw

    def apply_defaults(self, raw: dict[str, np.ndarray], n: int, skip: tuple[str, ...] = ()) -> None:
        """A mapping file's [defaults]: the value for every blank cell of that column (reported)."""
        for key, default in self.m.defaults.items():
            if key in skip or key not in (c.key for c in self.table.input_columns):
                continue
            col = raw.get(key, np.full(n, None, dtype=object))
            blank = V.is_blank(col)
            if blank.any():
                col = col.copy()
                col[blank] = default
                raw[key] = col
                self.note(f"{int(blank.sum())} row(s): {key} = {default!r} (mapping file default)")

    def due_on_own_date(self, raw: dict[str, np.ndarray | None], n: int) -> None:
        """Items with neither a due date nor terms (unapplied payments, exports without either column) are
        due on their own date (terms 0), reported, rather than refused: the open amount stays exact."""
        if raw["invoice_date"] is None:
            return
        blank = lambda k: V.is_blank(raw[k]) if raw[k] is not None else np.ones(n, dtype=bool)  # noqa: E731
        fill = blank("due_date") & blank("terms_days") & ~blank("invoice_date")
        if fill.any():
            terms = raw["terms_days"].copy() if raw["terms_days"] is not None else np.full(n, None, dtype=object)
            terms[fill] = 0.0
            raw["terms_days"] = terms
            self.note(f"{int(fill.sum())} row(s) with neither a due date nor terms: due on their own date (terms 0)"
                      + ("; set [defaults] terms_days in a mapping file for the real terms" if fill.all() else ""))

    def currencies(self, syms: list[np.ndarray]) -> np.ndarray:
        n = len(self.rows)
        out = W.clean_currency(self.col("currency")) if "currency" in self.h.assigned else np.full(n, None, dtype=object)
        blank = V.is_blank(out)
        if blank.any():
            from_sym = np.full(n, None, dtype=object)
            for s in syms:
                take = V.is_blank(from_sym) & ~V.is_blank(s)
                from_sym[take] = s[take]
            use = blank & ~V.is_blank(from_sym)
            if use.any():
                out[use] = from_sym[use]
                self.note(f"{int(use.sum())} row(s): currency taken from the symbol or code in the amount "
                          f"({', '.join(sorted(set(from_sym[use])))})")
            blank = V.is_blank(out)
        if blank.any():
            hdr = next((self.h.currency[self.h.assigned[t]] for t in ("amount", "open_amount", "row_total")
                        if t in self.h.assigned and self.h.assigned[t] in self.h.currency), None)
            fill, why = (self.currency, "--currency / mapping file") if self.currency else (
                (hdr, "the amount header") if hdr else (self.home, "no currency in the export: home currency"))
            out[blank] = fill
            self.note(f"{int(blank.sum())} row(s) without a currency: {fill} ({why})")
        return out

    def amounts(self, got: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self.rows)
        raw_note = self.col("note")
        note = np.where(V.is_blank(raw_note), None, raw_note).astype(object)
        amount, paid, open_ = got.get("amount"), got.get("paid_amount"), got.get("open_amount")
        if amount is None:
            self.note(f"open-item list: amount = '{self.label('open_amount')}', paid 0")
            return open_.copy(), np.zeros(n), note
        if paid is None and open_ is None:
            paid = self.settled(amount)
            if not np.any(paid):
                return amount, paid, note
            open_ = None
        if paid is not None and open_ is not None:
            off = ~np.isnan(amount) & ~np.isnan(open_) & (
                np.abs(amount - np.nan_to_num(paid) - open_) > MONEY_TOL)
            for i in np.flatnonzero(off):
                self.errors[int(self.rows[i])].append(
                    f"amount {amount[i]:,.2f} − paid {np.nan_to_num(paid[i]):,.2f} ≠ open amount {open_[i]:,.2f}")
            paid = np.nan_to_num(paid)
        elif paid is not None:
            gap = np.isnan(paid)  # a blank paid cell says nothing: the status or settlement date decides
            paid = np.nan_to_num(paid)
            if gap.any():
                paid = np.where(gap, self.settled(amount, gap), paid)
        elif open_ is not None:
            paid = np.where(np.isnan(open_), 0.0, amount - open_)
        if "last_payment_date" in self.h.assigned or not np.any(np.abs(paid) > MONEY_TOL):
            return amount, paid, note
        # payments without a payment date: the ledger needs one, and inventing it would distort payment scores
        open_ = amount - paid
        part = ~np.isnan(amount) & (np.abs(paid) > MONEY_TOL)
        full = part & (np.abs(open_) <= MONEY_TOL)
        part &= ~full
        for i in np.flatnonzero(full):
            self.errors[int(self.rows[i])].append("FULLY PAID")
        if part.any():
            for i in np.flatnonzero(part):
                text = f"original amount {amount[i]:,.2f}, paid {paid[i]:,.2f} (payment date not in the export)"
                note[i] = f"{note[i]}; {text}" if note[i] else text
            self.note(f"{int(part.sum())} part-paid row(s) without a payment date: imported at their open amount, "
                      "the original amount and payment in the note")
            amount = np.where(part, open_, amount)
            paid = np.where(part, 0.0, paid)
        return amount, paid, note

    def settled(self, amount: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Paid amounts of an export without a paid or open amount: a settled invoice is paid in full.

        Settled means: the status column says so (Paid, Closed, Cleared, 已核销, isOpen = 0 ...), or, without
        a status column, a settlement/clearing date is filled in (SettledDate, clear_date, 核销日期 ...).
        """
        n = len(amount)
        status = self.status()
        if status is not None:
            settled = status
            why = f"'{self.label('status')}' says settled"
        elif "last_payment_date" in self.h.assigned:
            settled = ~V.is_blank(self.col("last_payment_date"))
            why = f"'{self.label('last_payment_date')}' filled in"
        else:
            return np.zeros(n)
        settled = settled & ~np.isnan(amount) & (True if rows is None else rows)
        if status is not None and "last_payment_date" in self.h.assigned:
            for i in np.flatnonzero(settled & V.is_blank(self.col("last_payment_date"))):
                self.errors[int(self.rows[i])].append("FULLY PAID")
        k = int(settled.sum())
        self.rep.settled = k
        if k:
            self.note(f"{k} of {n} invoice(s) taken as settled ({why}): paid in full on their settlement date, "
                      "open 0 (" + ("no paid-amount column says otherwise)" if rows is None else
                                    "their paid-amount cell is blank)"))
        return np.where(settled, np.nan_to_num(amount), 0.0)

    def status(self) -> np.ndarray | None:
        """Per row: True where the status column says settled (None without a usable status column)."""
        if "status" not in self.h.assigned:
            return None
        vals = self.col("status")
        settled, unknown, unread = W.status_settled(vals, self.label("status"))
        if unread:
            self.note(f"'{self.label('status')}' holds yes/no values but does not say whether yes means open "
                      "or settled: not used")
        if unknown.any():
            words = ", ".join(sorted({str(v) for v in vals[unknown]})[:5])
            self.note(f"{int(unknown.sum())} row(s) with a status not known as settled or open ({words}): "
                      "taken as open")
        return settled

    def doc_types(self, amount: np.ndarray, note: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(amount)
        doc = np.full(n, None, dtype=object)
        if "doc_type" in self.h.assigned:
            doc, orig = W.clean_doc_types(self.col("doc_type"))
            unknown = (doc == None) & ~V.is_blank(orig)  # noqa: E711 - elementwise on an object array
            for i in np.flatnonzero(~V.is_blank(orig)):
                if str(orig[i]).strip().upper() not in ("INV", "CN"):
                    note[i] = f"{note[i]}; type: {orig[i]}" if note[i] else f"type: {orig[i]}"
            if unknown.any():
                self.note(f"{int(unknown.sum())} row(s) with a document type not known as invoice or credit "
                          f"({', '.join(sorted({str(x) for x in orig[unknown]})[:5])}): typed by the sign of the amount")
        by_sign = (doc == None) & ~np.isnan(amount)  # noqa: E711
        doc[by_sign & (amount >= 0)] = "INV"
        doc[by_sign & (amount < 0)] = "CN"
        flip = (doc == "CN") & (amount > 0)
        if flip.any():
            self.note(f"{int(flip.sum())} credit note(s) written as positive amounts: imported as negative")
            amount[flip] = -amount[flip]
        inv_neg = (doc == "INV") & (amount < 0) & ~by_sign
        if inv_neg.any():
            self.note(f"{int(inv_neg.sum())} row(s) typed as invoices with negative amounts: imported as credit notes")
            doc[inv_neg] = "CN"
        zero = ~np.isnan(amount) & (np.abs(amount) <= MONEY_TOL)
        for i in np.flatnonzero(zero):
            self.errors[int(self.rows[i])].append("ZERO")
        return doc, note

    def invoice_numbers(self, amount: np.ndarray) -> np.ndarray:
        nos = self.col("invoice_no").copy()
        blank = V.is_blank(nos) & ~np.isnan(amount)
        if blank.any():
            nos[blank] = [f"ROW{r}" for r in self.rows[blank]]
            what = "no document-number column" if "invoice_no" not in self.h.assigned else "no document number"
            self.note(f"{int(blank.sum())} row(s) with {what}: numbered ROW<row> (e.g. ROW{self.rows[blank][0]})")
        return nos

    def buyer_ids(self, names: np.ndarray) -> np.ndarray:
        ids = self.col("buyer_id").copy()
        blank = V.is_blank(ids) & ~V.is_blank(names)
        if blank.any():
            ids[blank] = [str(x).strip() for x in names[blank]]
            what = "no buyer ID column" if "buyer_id" not in self.h.assigned else f"{int(blank.sum())} row(s) without a buyer ID"
            self.note(f"{what}: the buyer name is used as the buyer ID")
        return ids

    def due_from_buckets(self, buckets: dict[int, np.ndarray]) -> np.ndarray:
        as_of = self.need_as_of()
        cols = list(buckets)
        stack = np.abs(np.nan_to_num(np.column_stack([buckets[j] for j in cols])))
        pick = stack.argmax(axis=1)
        out = np.array([synthetic_due(self.h.buckets[cols[k]], as_of) for k in pick], dtype=object)
        self.note("no due date column: due date set from the ageing bucket holding each row's amount "
                  "(docs/import.md, synthetic due dates)")
        return out

    def need_as_of(self) -> dt.date:
        if self.as_of is None:
            raise InputError("an ageing export needs its as-of date and none was found in the title rows; run again "
                             "with --as-of YYYY-MM-DD (or as_of = YYYY-MM-DD in the mapping file)",
                             self.sh.where(self.h.excel_row()))
        return self.as_of

    def reshape_ageing(self, buckets: dict[int, np.ndarray], amounts, syms) -> dict[str, np.ndarray]:
        as_of = self.need_as_of()
        terms = float(self.m.defaults.get("terms_days", DEFAULT_TERMS))
        cur = self.currencies(syms)
        names = self.col("buyer_name")
        ids = self.buyer_ids(names)
        out: dict[str, list] = defaultdict(list)
        src_rows: list[int] = []
        for k, (j, vals) in enumerate(buckets.items()):
            b: Bucket = self.h.buckets[j]
            due = synthetic_due(b, as_of)
            for i in np.flatnonzero(~np.isnan(vals) & (np.abs(vals) > MONEY_TOL)):
                v = float(vals[i])
                src_rows.append(int(self.rows[i]))
                out["invoice_no"].append(f"AGE-{ids[i]}-{k + 1}")
                out["buyer_id"].append(ids[i])
                out["buyer_name"].append(names[i])
                out["doc_type"].append("INV" if v > 0 else "CN")
                out["invoice_date"].append(due - dt.timedelta(days=terms))
                out["terms_days"].append(terms)
                out["due_date"].append(None)
                out["currency"].append(cur[i])
                out["amount"].append(v)
                out["paid_amount"].append(0.0)
                out["last_payment_date"].append(None)
                out["disputed"].append(None)
                out["note"].append(SYNTHETIC_NOTE.format(label=b.label, as_of=as_of.isoformat()))
        self.note(f"ageing summary reshaped: one row per buyer and non-zero bucket; due date = as-of "
                  f"{as_of.isoformat()} minus the bucket midpoint (not yet due: +15 days; open-ended '> N': N + 15), "
                  f"invoice date = due date − {terms:.0f} days (docs/import.md)")
        order = np.argsort(np.array(src_rows, dtype=np.int64), kind="stable")
        self.rows_before_reshape = self.rows
        self.rows = np.array(src_rows, dtype=np.int64)[order]
        raw = {key: np.array(vals, dtype=object)[order] if vals else np.empty(0, dtype=object)
               for key, vals in out.items()}
        if not out:
            raw = {c.key: np.empty(0, dtype=object) for c in self.table.input_columns}
        self.reshaped_measure = np.array(out["amount"], dtype=float)[order] if out else np.empty(0)
        return raw

    # ----------------------------------------------------------------------------------- register
    def register(self) -> dict[str, np.ndarray]:
        n = len(self.rows)
        dec = self.decimal()
        raw: dict[str, np.ndarray] = {}
        for c in self.table.input_columns:
            if c.key not in self.h.assigned:
                continue
            j = self.h.assigned[c.key]
            vals = self.grid[:, j]
            if c.dtype in ("number", "integer"):
                scale = self.scale_of(j, c.key)
                if scale != 1.0 and scale != self.title_scale:
                    self.note(f"'{self.h.labels[j]}' is in units of {scale:,.0f}: multiplied by {scale:,.0f}")
                vals, _ = V.clean_money(vals, dec)
                if scale != 1.0:
                    typed, _b, probs = convert_column(c, vals, self.rows, sheet=self.sh.name, header=self.h.labels[j])
                    self.err(probs)
                    vals = _obj(typed * scale)
            elif c.dtype == "date":
                vals = self.dates(c.key)
            if c.key == "payment_terms_days":
                vals = V.clean_terms(vals)
            elif c.key == "country":
                vals = W.clean_countries(vals)
            elif c.key == "sector":
                vals = W.clean_sectors(vals)
            raw[c.key] = vals
        names, accounts = W.customer_accounts(raw.get("buyer_name", np.full(n, None, dtype=object)))
        if "buyer_name" in raw:
            raw["buyer_name"] = names
        for i in np.flatnonzero(accounts):
            self.errors[int(self.rows[i])].append("ACCOUNT")
        raw["buyer_id"] = self.buyer_ids(names)
        self.apply_defaults(raw, n)
        if "country" not in raw:
            raw["country"] = np.full(n, "CN", dtype=object)
            self.note("no country column: CN (domestic) for every buyer; set [defaults] country in a mapping file")
        return raw

    # ----------------------------------------------------------------------------------- typing
    def finish(self, raw: dict[str, np.ndarray]) -> ImportResult:
        rows, sheet, h = self.rows, self.sh.name, self.h
        n = len(rows)
        headers = {t: h.labels[j] for t, j in h.assigned.items()}
        data: dict[str, np.ndarray] = {}
        bad: dict[str, np.ndarray] = {}
        problems: list[Problem] = []
        for c in self.table.input_columns:
            vals = raw.get(c.key)
            if vals is None or len(vals) != n:
                vals = np.full(n, None, dtype=object)
            # document lines sharing a number are merged after typing; uniqueness is checked then
            col = replace(c, unique=False) if (c.unique and self.kind == "ledger") else c
            typed, mask, probs = convert_column(col, vals, rows, sheet=sheet, header=headers.get(c.key, c.header),
                                                date1904=self.sh.date1904, reference=self.rep.as_of)
            data[c.key], bad[c.key] = typed, mask
            problems += probs
        frame = pd.DataFrame(data, index=pd.Index(rows, name="source_row"))
        problems += validate_frame(self.table, frame, bad, sheet=sheet, settings=None, headers=headers)
        self.err(sort_problems(problems))
        measure = self.before_measure(frame)
        reasons = {r: msgs for r, msgs in self.errors.items() if msgs}
        keep = np.array([int(r) not in reasons for r in rows], dtype=bool)
        for r in sorted(reasons):
            msgs = list(dict.fromkeys(reasons[r]))
            if "ACCOUNT" in msgs:
                self.rep.skipped.append(Skipped(r, "account row (not a customer)", "an account, not a customer"))
            elif "CARRIED" in msgs:
                self.rep.skipped.append(Skipped(r, "page carry-over row (承前页/过次页)", "page carry-over row"))
            elif "FULLY PAID" in msgs:
                self.rep.skipped.append(Skipped(r, "fully paid, no payment date in the export",
                                                "fully paid (open amount 0) and the export has no payment date"))
            elif "ZERO" in msgs:  # a zero-amount line owes nothing: skipped and counted (docs/import.md)
                self.rep.skipped.append(Skipped(r, "zero amount", "zero amount"))
            else:
                text = "; ".join(x for x in msgs if x not in ("FULLY PAID", "ZERO"))
                self.rep.skipped.append(Skipped(r, INVALID, text))
        self.rep.skipped.sort(key=lambda s: s.row)
        out = frame[keep].copy()
        if self.kind == "ledger":
            out = self.merge_lines(out)
        self.rep.rows_imported = len(out)
        self.rep.warnings = [p for p in self.rep.warnings if p.row not in reasons]
        self.totals(frame, measure, keep, out)
        return ImportResult(out, self.rep)

    def before_measure(self, frame: pd.DataFrame) -> np.ndarray:
        if self.kind != "ledger":
            return np.zeros(len(frame))
        amount = frame["amount"].to_numpy(dtype=float)
        paid = np.nan_to_num(frame["paid_amount"].to_numpy(dtype=float))
        return amount - paid

    def merge_lines(self, out: pd.DataFrame) -> pd.DataFrame:
        """Lines of one document (same number, buyer, dates, currency, type) become one row."""
        if out.empty or not out["invoice_no"].duplicated().any():
            return out
        keys = ["invoice_no", "buyer_id", "doc_type", "invoice_date", "due_date", "currency"]
        g = out.reset_index().groupby(keys, dropna=False, sort=False)
        merged = g.agg(source_row=("source_row", "first"), lines=("source_row", "size"),
                       **{c: (c, "first") for c in out.columns if c not in keys and c not in
                          ("amount", "paid_amount", "open_amount", "last_payment_date", "note")},
                       amount=("amount", "sum"), paid_amount=("paid_amount", "sum"),
                       open_amount=("open_amount", "sum"), last_payment_date=("last_payment_date", "max"),
                       note=("note", lambda s: "; ".join(dict.fromkeys(x for x in s if x)) or None)).reset_index()
        multi = int((merged["lines"] > 1).sum())
        if multi:
            self.note(f"{int(merged.loc[merged['lines'] > 1, 'lines'].sum())} lines of {multi} document(s) with the "
                      "same number, buyer, dates and currency merged into one row each (amounts added)")
        merged = merged.drop(columns="lines").set_index("source_row")
        dup = merged["invoice_no"].duplicated(keep="first")
        for r, no in zip(merged.index[dup], merged["invoice_no"][dup], strict=False):
            self.rep.skipped.append(Skipped(int(r), INVALID,
                                            f"document number {no!r} is used again with another buyer, date or "
                                            "currency (first on an earlier row)"))
        merged = merged[~dup]
        self.rep.skipped.sort(key=lambda s: s.row)
        return merged[list(out.columns)]

    def totals(self, frame: pd.DataFrame, measure: np.ndarray, keep: np.ndarray, out: pd.DataFrame) -> None:
        if self.kind != "ledger":
            return
        cur = frame["currency"].to_numpy(dtype=object)
        cur = np.where(pd.isna(cur), "?", cur)
        before = pd.Series(np.nan_to_num(measure), index=cur).groupby(level=0).sum()
        unread = pd.Series(np.isnan(measure).astype(int), index=cur).groupby(level=0).sum()
        after = out.groupby("currency")["open_amount"].sum() if len(out) else pd.Series(dtype=float)
        rows_in = pd.Series(1, index=cur).groupby(level=0).sum()
        rows_out = out.groupby("currency").size() if len(out) else pd.Series(dtype=int)
        t = pd.DataFrame({"rows": rows_in, "before": before, "unreadable": unread}).fillna(0)
        t["imported_rows"] = rows_out.reindex(t.index).fillna(0).astype(int)
        t["after"] = after.reindex(t.index).fillna(0.0)
        t["skipped"] = (t["before"] - t["after"]).round(2)
        t["stated"] = np.nan
        for c, v in self.stated_totals(set(t.index)).items():
            if c in t.index:
                t.loc[c, "stated"] = v
            elif c == "*" and len(t) == 1:
                t.iloc[0, t.columns.get_loc("stated")] = v
            elif c == "*":
                self.note(f"the export's total row ({v:,.2f}) covers several currencies: not compared")
        t.index.name = "currency"
        self.rep.totals = t
        for c, row in t.iterrows():
            if not np.isnan(row["stated"]) and abs(row["stated"] - row["before"]) > 0.01:
                self.rep.warnings.append(Problem(
                    "warning", self.sh.name, None, None,
                    f"{c}: the export's own total {row['stated']:,.2f} differs from the sum of its rows "
                    f"{row['before']:,.2f} by {row['stated'] - row['before']:,.2f}; check the column mapping "
                    "(--show-mapping) and the skipped rows"))

    def stated_totals(self, currencies: set[str]) -> dict[str, float]:
        """Open-amount totals the export states in its total rows: {currency or '*': amount}."""
        if getattr(self, "stated_override", None) is not None:
            return self.stated_override
        if not len(self.totals_rows):
            return {}
        a = self.h.assigned
        use_grand = (self.totals_kind == GRAND_TOTAL).any()
        rows = self.totals_rows[self.totals_kind == (GRAND_TOTAL if use_grand else SUBTOTAL)]
        dec = getattr(self, "dec", self.m.decimal or ".")

        def nums(j: int) -> np.ndarray:
            cleaned, _ = V.clean_money(rows[:, j], dec)
            v = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(dtype=float)
            return v * self.scale_of(j, next((t for t, jj in a.items() if jj == j), ""))

        if "open_amount" in a:
            v = nums(a["open_amount"])
        elif "row_total" in a:
            v = nums(a["row_total"])
        elif self.h.buckets:
            v = np.nansum(np.column_stack([nums(j) for j in self.h.buckets]), axis=1)
        elif "amount" in a:
            v = nums(a["amount"]) - (np.nan_to_num(nums(a["paid_amount"])) if "paid_amount" in a else 0.0)
        else:
            return {}
        out: dict[str, float] = defaultdict(float)
        curs = W.clean_currency(rows[:, a["currency"]]) if "currency" in a else np.full(len(rows), None, dtype=object)
        for c, x in zip(curs, v, strict=False):
            if not np.isnan(x):
                out[c if isinstance(c, str) and c in currencies else "*"] += float(x)
        return dict(out)


def _obj(a: np.ndarray) -> np.ndarray:
    out = np.empty(len(a), dtype=object)
    out[:] = [None if (isinstance(x, float) and np.isnan(x)) else float(x) for x in a]
    return out

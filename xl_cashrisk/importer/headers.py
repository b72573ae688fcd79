"""Find the header row of an export (below title rows; one or two rows; merged cells) and map its columns.

Every row in the first :data:`HEADER_SCAN_ROWS` is tried as a header, alone and together with the row
below it (a two-row header such as 金额 merged over 原币 | 本位币, or 账龄 over 未到期 | 1-30天). A
label is matched through the synonym dictionary (:mod:`.synonyms`); ageing bucket headers through
:func:`.ageing.parse_bucket`. The row (or pair) matching the most distinct targets wins; a two-row
header must match more than either row alone. Column assignment prefers tier-1 names; two columns
claiming one target at the same tier is an ambiguity the user resolves with a mapping file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name

from xl_cashrisk.importer.ageing import Bucket, parse_bucket
from xl_cashrisk.importer.source import Sheet
from xl_cashrisk.importer.synonyms import IGNORED_KEYS, header_unit, normalise
from xl_cashrisk.io.safe import column_index

__all__ = ["HEADER_SCAN_ROWS", "Header", "col_letter", "detect_header", "title_as_of"]

HEADER_SCAN_ROWS = 30
SOFT_TARGETS = frozenset({"note", "row_total"})  # a second candidate is listed, not an error
# generic names that yield to any other candidate of the same target (Xero: Number vs Reference)
WEAK_LABELS = frozenset(normalise(x) for x in ("reference", "ref", "invoice reference", "invoice ref", "参考号",
                                               "订单号", "合同号", "your reference", "customer reference",
                                               "invoice id"))  # SAP extracts: doc_id is the document


def col_letter(j: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    return xl_col_to_name(j)


@dataclass
class Header:
    """The header found on a sheet and what each column was mapped to."""

    first_row: int  # 0-based index of the first header row
    last_row: int  # 0-based index of the last header row (data start below it)
    labels: list[str]  # display label per column ("" for a blank header cell)
    assigned: dict[str, int] = field(default_factory=dict)  # target → column
    how: dict[str, str] = field(default_factory=dict)  # target → "synonym", "synonym (tier 2)", "mapping file"
    buckets: dict[int, Bucket] = field(default_factory=dict)  # column → ageing bucket
    ignored: list[int] = field(default_factory=list)  # recognised, not imported
    unmatched: list[int] = field(default_factory=list)  # a label nobody knows
    spare: list[tuple[str, int, int]] = field(default_factory=list)  # (target, column, column used instead)
    conflicts: list[tuple[str, list[int]]] = field(default_factory=list)  # target, candidate columns
    scale: dict[int, float] = field(default_factory=dict)  # column → unit factor from the header (万元 → 1e4)
    currency: dict[int, str] = field(default_factory=dict)  # column → currency named in the header

    @property
    def score(self) -> int:
        return len(self.assigned) + (1 if len(self.buckets) >= 2 else 0)

    def excel_row(self) -> int:
        return self.last_row + 1

    def column_name(self, j: int) -> str:
        return f"'{self.labels[j]}' (column {col_letter(j)})" if self.labels[j] else f"column {col_letter(j)}"


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return ""  # a number is never a header label
    return " ".join(str(v).split()) if isinstance(v, str) else ""


def _fill_merged(sheet: Sheet, r: int) -> list[str]:
    """Row ``r``'s labels with horizontally merged header cells repeated over their whole width."""
    row = [_text(v) for v in sheet.rows[r]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= r <= r1 and c1 > c0:
            top = _text(sheet.rows[r0][c0]) if r0 < len(sheet.rows) else ""
            for c in range(c0, min(c1 + 1, len(row))):
                row[c] = row[c] or top
    return row


def _vertical(sheet: Sheet, r: int) -> set[int]:
    """Columns whose cell in row ``r`` is merged down into row ``r + 1``."""
    return {c for r0, c0, r1, c1 in sheet.merged if r0 <= r < r1 for c in range(c0, c1 + 1)}


_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 .#/&'()\-]*")


def _runs(label: str) -> list[str]:
    """A bilingual header's English and Chinese parts: 'Invoice Date 发票日期' → ['Invoice Date', '发票日期']."""
    latin = [m.group(0).strip() for m in _LATIN_RUN.finditer(label)]
    rest = _LATIN_RUN.sub(" ", label).strip()
    return [x for x in [*latin, *rest.split()] if x]


def _match(label: str, table: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    if not label:
        return []
    found = table.get(normalise(label), [])
    if found:
        return found
    runs = _runs(label)
    if len(runs) < 2:
        return []
    hits = [table.get(normalise(r), []) for r in runs]
    tier1 = {t for h in hits for ti, t in h if ti == 1}
    if len(tier1) == 1:  # both languages (or one of them) name the same column
        return [(1, tier1.pop())]
    return []


def _ignored(label: str) -> bool:
    return normalise(label) in IGNORED_KEYS or any(normalise(r) in IGNORED_KEYS for r in _runs(label))


def _label_options(upper: str, lower: str) -> list[str]:
    if not upper:
        return [lower]
    if not lower:
        return [upper]
    return [f"{upper} {lower}", f"{lower} {upper}", lower, upper]


def _candidate(sheet: Sheet, r: int, two: bool, table, *, fixed: dict[str, int] | None = None,
               skip: set[int] | None = None) -> Header:
    width = sheet.width
    if two:
        upper = _fill_merged(sheet, r)
        lower = _fill_merged(sheet, r + 1)
        down = _vertical(sheet, r)
        labels, options = [], []
        for j in range(width):
            u, lo = upper[j], lower[j]
            if j in down:
                lo = ""
            labels.append(" / ".join(x for x in (u, lo) if x) if u != lo else u)
            options.append(_label_options(u, lo))
    else:
        labels = [_text(v) for v in sheet.rows[r]] if r < len(sheet.rows) else [""] * width
        labels += [""] * (width - len(labels))
        options = [[x] for x in labels]
    h = Header(r, r + 1 if two else r, labels)
    skip = skip or set()
    cands: dict[int, list[tuple[int, str]]] = {}
    for j, opts in enumerate(options):
        if j in skip or not labels[j]:
            continue
        found: list[tuple[int, str]] = []
        bucket = None
        for opt in opts:
            found = _match(opt, table)
            if found:
                break
        if not found:
            for opt in sorted(opts, key=len):  # a bucket is named by its own cell: 1-30天, not 账龄 1-30天
                bucket = parse_bucket(opt)
                if bucket:
                    break
        if found:
            cands[j] = found
        elif bucket:
            h.buckets[j] = bucket
        elif any(_ignored(o) for o in opts):
            h.ignored.append(j)
        else:
            h.unmatched.append(j)
        scale, cur = header_unit(labels[j])
        if scale != 1.0:
            h.scale[j] = scale
        if cur:
            h.currency[j] = cur
    for target, j in (fixed or {}).items():
        h.assigned[target] = j
        h.how[target] = "mapping file"
    _assign(h, cands)
    return h


def _assign(h: Header, cands: dict[int, list[tuple[int, str]]]) -> None:
    used = set(h.assigned.values())
    conflicted: set[str] = set()
    for tier in (1, 2):
        pending = {j: [t for ti, t in cs if ti == tier] for j, cs in cands.items() if j not in used}
        pending = {j: ts for j, ts in pending.items() if ts}
        single: dict[str, list[int]] = defaultdict(list)
        for j, ts in pending.items():
            free = [t for t in ts if t not in h.assigned]
            if len(free) == 1 and len(ts) == 1:
                single[free[0]].append(j)
        for t, js in single.items():
            strong = [j for j in js if normalise(h.labels[j]) not in WEAK_LABELS]
            if strong and len(strong) < len(js):  # "Number" and "Reference": the reference yields
                h.spare += [(t, j, strong[0]) for j in js if j not in strong]
                used.update(j for j in js if j not in strong)
                js = strong
            if len(js) == 1 or t in SOFT_TARGETS:
                h.assigned[t], h.how[t] = js[0], "synonym" if tier == 1 else "synonym (generic name)"
                used.add(js[0])
                h.spare += [(t, j, js[0]) for j in js[1:]]
            else:
                h.conflicts.append((t, js))
                conflicted.add(t)
                used.update(js)
        for j, ts in pending.items():
            if j in used:
                continue
            free = [t for t in ts if t not in h.assigned and t not in conflicted]
            if free:
                h.assigned[free[0]], h.how[free[0]] = j, "synonym" if tier == 1 else "synonym (generic name)"
                used.add(j)
    for j, cs in cands.items():
        if j not in used:
            t = cs[0][1]
            h.spare.append((t, j, h.assigned.get(t, -1)))


def detect_header(sheet: Sheet, table: dict[str, list[tuple[int, str]]], *, header_row: int | None = None,
                  header_rows: int | None = None, fixed_labels: dict[str, str] | None = None,
                  ignore: tuple[str, ...] = ()) -> Header | None:
    """The best header of ``sheet`` (``None`` if no row matches two targets).

    ``header_row`` (1-based Excel row of the *last* header row) and ``header_rows`` (1 or 2) pin it;
    ``fixed_labels`` (target → header text or column letter) come from a mapping file and win over
    synonyms; ``ignore`` lists header texts to leave out.
    """
    n = len(sheet.rows)
    if header_row is not None:
        last = header_row - 1
        spans = [(header_rows or 1) == 2] if header_rows else [False, True]
        rows = [(last - 1 if two else last, two) for two in spans if (last - 1 if two else last) >= 0]
    else:
        rows = [(r, two) for r in range(min(n, HEADER_SCAN_ROWS)) for two in (False, True) if not two or r + 1 < n]
    ignore_keys = {normalise(x) for x in ignore}
    best: Header | None = None
    single: dict[int, int] = {}
    for r, two in rows:
        if r >= n:
            continue
        probe = _candidate(sheet, r, two, table)
        if not two:
            single[r] = probe.score
        elif header_rows != 2 and probe.score <= max(single.get(r, 0), _single_score(sheet, r + 1, table, single)):
            continue  # a second row must add something: a blank or title row above a header does not
        fixed, skip = _resolve_fixed(probe, fixed_labels or {})
        skip |= {j for j, lab in enumerate(probe.labels) if lab and normalise(lab) in ignore_keys}
        h = _candidate(sheet, r, two, table, fixed=fixed, skip=skip) if (fixed or skip) else probe
        h.ignored += [j for j in skip if j not in fixed.values()]
        if fixed_labels and len(fixed) < len(fixed_labels):
            continue
        if best is None or h.score > best.score:
            best = h
    if best is None or (best.score < 2 and header_row is None):
        return None
    return best


def _single_score(sheet: Sheet, r: int, table, cache: dict[int, int]) -> int:
    if r not in cache:
        cache[r] = _candidate(sheet, r, False, table).score if r < len(sheet.rows) else 0
    return cache[r]


def _resolve_fixed(h: Header, wanted: dict[str, str]) -> tuple[dict[str, int], set[int]]:
    fixed: dict[str, int] = {}
    for target, label in wanted.items():
        j = _find_label(h.labels, label)
        if j is not None:
            fixed[target] = j
    return fixed, set(fixed.values())


def _find_label(labels: list[str], wanted: str) -> int | None:
    w = " ".join(str(wanted).split())
    if re.fullmatch(r"[A-Z]{1,3}", w):  # a column letter
        j = column_index(w)
        return j if j < len(labels) else None
    for j, lab in enumerate(labels):
        if lab == w:
            return j
    key = normalise(w)
    for j, lab in enumerate(labels):
        if lab and (normalise(lab) == key or any(normalise(p) == key for p in lab.split(" / "))):
            return j
    return None


_AS_OF_HINT = re.compile(r"(截止|截至|截止日期|报表日期|日期|as\s+(?:at|of)|ending|end(?:ing)?\s+date|period\s+end|"
                         r"report\s+date|as\s+on|到)", re.I)
_DATE_IN_TEXT = (
    re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|October|"
               r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+(\d{4})", re.I),
    re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|"
               r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", re.I),
)
_MONTH_NO = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                             "nov", "dec"))}


def title_as_of(sheet: Sheet, before_row: int) -> tuple[dt.date, int, str] | None:
    """(date, Excel row, text) of the report date written in the title rows above the header.

    Looks for a date next to 截止/截至/as at/as of/ending...; a period "2026-01-01 至 2026-09-30" gives its
    last date. A date cell beside such a label counts too.
    """
    for r in range(min(before_row, len(sheet.rows))):
        cells = sheet.rows[r]
        texts = [str(v) for v in cells if isinstance(v, str) and v.strip()]
        line = "  ".join(texts)
        if not line:
            continue
        dates = _dates_in(line)
        if dates and (_AS_OF_HINT.search(line) or len(texts) == 1):
            return dates[-1], r + 1, line.strip()
        if _AS_OF_HINT.search(line):
            for v in cells:
                if isinstance(v, dt.datetime):
                    return v.date(), r + 1, line.strip()
                if isinstance(v, dt.date):
                    return v, r + 1, line.strip()
    return None


def _dates_in(text: str) -> list[dt.date]:
    found: list[tuple[int, dt.date]] = []
    for k, rx in enumerate(_DATE_IN_TEXT):
        for m in rx.finditer(text):
            try:
                if k == 0:
                    d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                elif k == 1:
                    d = dt.date(int(m.group(3)), _MONTH_NO[m.group(2)[:3].casefold()], int(m.group(1)))
                else:
                    d = dt.date(int(m.group(3)), _MONTH_NO[m.group(1)[:3].casefold()], int(m.group(2)))
            except (ValueError, KeyError):
                continue
            found.append((m.start(), d))
    found.sort()
    return [d for _, d in found]

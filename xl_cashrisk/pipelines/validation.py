"""Validate every known table a workbook holds — shared by ``xl-cashrisk validate`` and the ribbon."""

from __future__ import annotations

from collections import Counter

from xl_cashrisk.errors import InputError
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.validate import ValidationReport
from xl_cashrisk.schemas.schema import Table


def known_tables() -> list[Table]:
    """Every data table a template can hold, once each, in template order."""
    from xl_cashrisk.io.templates import TEMPLATES

    seen: dict[str, Table] = {}
    for spec in TEMPLATES.values():
        for t in spec.tables:
            if isinstance(t, Table) and t.key not in seen:
                seen[t.key] = t
    return list(seen.values())


def validate_tables(book: WorkbookReader) -> list[tuple[Table, ValidationReport]]:
    """(table, report) for every known table present in ``book``. A table sharing its sheet with
    others (the optional tables beside Settings) counts as present only when its header is found;
    a table with a sheet of its own must be readable. Raises :class:`InputError` if none is present."""
    sheets = {s.casefold() for s in book.sheet_names}
    settings = book.settings() if "settings" in sheets else None
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
        out.append((table, book.read(table, settings=settings).report))
    if not out:
        names = ", ".join(dict.fromkeys(t.sheet for t in tables))
        raise InputError(f"no known sheet found (expected one of: {names})", None)
    return out

"""Read an export into a grid of cells: workbooks through the shared reader, CSV with encoding detection.

CSV files from Chinese accounting software are often GBK/GB18030; Excel writes UTF-8 with a byte-order
mark or, for "Unicode text", UTF-16. Encodings are tried strictly in the order UTF-16 (BOM only),
UTF-8 (with or without BOM), GB18030 (a superset of GBK and GB2312); the one that decodes the whole
file is reported. No guessing library is needed: GB18030 decodes almost any byte string, so it comes
last, and UTF-8 is strict enough to fail on GBK text.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.io.reader import WorkbookReader
from xl_cashrisk.io.safe import check_regular_file

__all__ = ["CSV_SUFFIXES", "Sheet", "decode_text", "read_sheets"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
ENCODINGS = ("utf-8", "gb18030")


@dataclass
class Sheet:
    """One sheet (or a CSV file) as rows of raw cell values, padded to the same width."""

    file: str
    name: str | None  # None for CSV
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1), 0-based inclusive
    encoding: str | None = None
    delimiter: str | None = None
    date1904: bool = False  # the workbook counts date serials in the 1904 system

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def where(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(self.file, self.name, row, column)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding label) of a CSV file's bytes.

    >>> decode_text("客户名称,金额".encode("gb18030"))[1], decode_text(b"\\xef\\xbb\\xbfa,b")[1]
    ('gb18030', 'utf-8-sig (BOM)')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16 (BOM)"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig (BOM)"
        except UnicodeDecodeError:
            pass
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode the text file as UTF-8, UTF-16 or GB18030/GBK; save it from Excel as "
                     "'CSV UTF-8' or as .xlsx")


def sniff_delimiter(sample: str) -> str | None:
    """The delimiter that splits most lines of ``sample`` into the same number (> 1) of fields.

    csv.Sniffer is misled by title lines and decimal commas (``138.960,88`` in a semicolon file); counting
    consistent widths over the whole sample is not.

    >>> sniff_delimiter("Title\\nA;B;C\\n1;2,5;3\\n4;5,0;6\\n")
    ';'
    """
    lines = sample.splitlines()[:200]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = None, 0
    for d in (",", ";", "\t", "|"):
        widths = Counter(len(r) for r in csv.reader(lines, delimiter=d) if len(r) > 1)
        if widths:
            width, count = widths.most_common(1)[0]
            score = count * 1000 + width
            if score > best_score:
                best, best_score = d, score
    return best


def _read_csv(path: Path) -> Sheet:
    check_regular_file(path, what="a CSV or workbook file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", Location(str(path))) from None
    if not data.strip():
        raise InputError("the file is empty", Location(str(path)))
    try:
        text, enc = decode_text(data)
    except InputError as exc:
        raise InputError(exc.message, Location(str(path))) from None
    delim = sniff_delimiter(text[:65536]) or ("\t" if path.suffix.lower() == ".tsv" else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        rows = [list(r) for r in reader]
    except csv.Error as exc:
        raise InputError(f"line {reader.line_num}: the CSV cannot be read ({exc}): a quote (\") opens a field that never "
                         f"closes, or a field is longer than {csv.field_size_limit():,} characters; fix the line or save "
                         "the data from Excel as 'CSV UTF-8'", Location(str(path))) from None
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Sheet(str(path), None, rows, [], enc, delim)


def read_sheets(path: str | Path, sheet: str | None = None) -> list[Sheet]:
    """The sheets to search for a table: the named one, else every sheet of a workbook, or the CSV file."""
    p = check_regular_file(path, what="a CSV or workbook file")
    if p.suffix.lower() in CSV_SUFFIXES:
        if sheet:
            raise InputError("--sheet applies to workbooks, not to a CSV file", Location(str(p)))
        return [_read_csv(p)]
    book = WorkbookReader(p)
    names = book.sheet_names
    if sheet is not None:
        match = [n for n in names if n == sheet] or [n for n in names if n.casefold() == sheet.casefold()]
        if not match:
            raise InputError(f"no sheet named '{sheet}' (sheets: {', '.join(names)})", Location(str(p)))
        names = match[:1]
    out = []
    for name in names:
        rows = [list(r) for r in book.grid(name)]
        width = max((len(r) for r in rows), default=0)
        try:
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (book.book.get_sheet_by_name(name).merged_cell_ranges or [])]
        except Exception:  # merged ranges are a help for headers only; a sheet without them still imports
            merged = []
        width = max([width, *(c1 + 1 for _, _, _, c1 in merged)])
        rows = [r + [""] * (width - len(r)) for r in rows]
        out.append(Sheet(str(p), name, rows, merged, date1904=book.date1904))
    return out

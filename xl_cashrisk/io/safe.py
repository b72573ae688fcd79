"""Safe file handling: atomic output, input fingerprints, and a first look at a workbook file.

An output is written to a temporary file in the target's own folder, flushed to disk and moved over
the target with ``os.replace``: a crash or an error halfway leaves the previous file untouched, and
no reader ever sees half a workbook. An output path that is one of the run's input files is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from defusedxml import ElementTree as SafeET
from xlsxwriter.utility import xl_cell_to_rowcol

from xl_cashrisk.errors import InputError, Location

__all__ = [
    "MAX_CELLS",
    "MAX_UNCOMPRESSED_BYTES",
    "WORKBOOK_SUFFIXES",
    "AtomicFile",
    "atomic_output",
    "check_cell_area",
    "check_workbook",
    "checked_cells",
    "column_index",
    "file_fingerprint",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Declared limit on a workbook's total uncompressed size (a 1M-row ledger is ~250 MB unpacked).
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
# Declared limit on a workbook's cells: the sum over its sheets of the used area (last row × last column), as
# the reader holds each sheet as a dense grid. A full-height ledger (Excel's 1,048,576 rows) of 13 columns is
# 13.6 million cells, and reading it peaks at about 3 GB; the limit leaves room for 19 columns. One cell at
# XFD1048576 in a 1 kB file would otherwise ask for 17 billion cells.
MAX_CELLS = 20_000_000
SCAN_CHUNK = 8 << 20  # bytes of sheet XML looked at per step of the extent scan
MAX_COMPRESSION_RATIO = 200  # per member; real sheets compress ~10-30x, zip bombs ~1000x
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "xltm",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": "xlsb",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "xlam",
}


def file_fingerprint(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as 64 hex digits (used in run stamps and to prove inputs unchanged)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class AtomicFile:
    """A temporary file beside ``target`` that becomes ``target`` on :meth:`commit`.

    Write to :attr:`path` (any library that takes a file name), then ``commit()``; or ``discard()``.
    """

    def __init__(self, target: str | Path, *, inputs: Iterable[str | Path] = (), suffix: str | None = None):
        self.target = Path(target)
        _refuse_inputs(self.target, inputs)
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.is_dir():
            raise InputError("the output folder does not exist", Location(str(self.target)))
        lock = folder / f"~${self.target.name}"
        if lock.exists():
            raise InputError(
                "the file is open in Excel (lock file ~$ found); close it and run again",
                Location(str(self.target)),
            )
        if self.target.exists() and not os.access(self.target, os.W_OK):
            raise InputError("the output file is read-only; choose another name or folder",
                             Location(str(self.target)))
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.target.stem}.", suffix=suffix or self.target.suffix + ".tmp",
                                       dir=folder)
        except OSError as exc:
            raise InputError(f"cannot write in this folder ({exc.strerror or exc})",
                             Location(str(self.target))) from None
        os.close(fd)
        self.path = Path(tmp)
        self.done = False

    def commit(self) -> Path:
        """Flush the temporary file to disk and move it over the target."""
        try:
            with open(self.path, "rb+") as f:
                os.fsync(f.fileno())
            if self.target.exists():
                with contextlib.suppress(OSError):
                    os.chmod(self.path, self.target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(self.path, 0o666 & ~umask)
            os.replace(self.path, self.target)
        except OSError as exc:
            self.discard()
            raise InputError(
                f"cannot replace the file ({exc.strerror or exc}); it may be open in Excel or read-only — "
                "close it and run again",
                Location(str(self.target)),
            ) from None
        _fsync_dir(self.target.parent)
        self.done = True
        return self.target

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        self.done = True


@contextlib.contextmanager
def atomic_output(target: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Context manager yielding a temporary path; on normal exit it replaces ``target`` atomically.

    If the body raises, the temporary file is removed and ``target`` keeps its previous content.
    """
    af = AtomicFile(target, inputs=inputs)
    try:
        yield af.path
    except BaseException:
        af.discard()
        raise
    af.commit()


def check_workbook(path: str | Path, *, role: str = "input", defer_above: int | None = None) -> Path:
    """Make sure ``path`` is a readable .xlsx/.xlsm workbook; raise :class:`InputError` saying why not.

    Looks at the bytes, not only the name: catches old .xls and password-protected files (both OLE
    compound files), .xlsb, OpenDocument, CSV or text renamed to .xlsx, corrupt or truncated zips, zip
    members larger than :data:`MAX_UNCOMPRESSED_BYTES` in total or compressed suspiciously well, and
    sheets spanning more than :data:`MAX_CELLS` cells. ``defer_above=N`` leaves that last check (it
    inflates every sheet) for worksheet parts above N bytes to a later :func:`check_cell_area` call,
    which must come before such a sheet is parsed in this process (the reader runs it alongside the
    sheet's load in a child process).
    """
    p = Path(path)
    where = Location(str(p))
    if not p.exists():
        raise InputError(f"{role} file not found", where)
    if p.is_dir():
        raise InputError("expected a workbook file, got a folder", where)
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where) from None
    if not head:
        raise InputError("the file is empty (0 bytes)", where)
    if head.startswith(_OLE_MAGIC):
        if _ole_is_encrypted(p):
            raise InputError(
                "the workbook is password-protected (encrypted); remove the password in Excel "
                "(File > Info > Protect Workbook) and save it again", where)
        raise InputError(
            "this is an old Excel 97-2003 (.xls) file; open it in Excel and save as .xlsx", where)
    if not head.startswith(b"PK"):
        kind = "a CSV or text file" if _looks_like_text(head) else "not an Excel workbook"
        raise InputError(f"{kind} (named {p.suffix or 'without extension'}); open it in Excel and save as .xlsx",
                         where)
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
            if "mimetype" in names and b"opendocument" in z.read("mimetype"):
                raise InputError("this is an OpenDocument (.ods) spreadsheet; save it as .xlsx", where)
            if "[Content_Types].xml" not in names:
                raise InputError("a zip file but not an Excel workbook ([Content_Types].xml missing)", where)
            total = 0
            for info in z.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                        and info.file_size > 10 * 1024**2:
                    raise InputError(f"zip member {info.filename} expands {info.file_size // info.compress_size}x; "
                                     "refusing a possible zip bomb", where)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise InputError(f"the workbook unpacks to {total / 1024**3:.1f} GB, above the "
                                 f"{MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GB limit", where)
            _refuse_dtds(z, where)
            kind = _main_part_kind(z.read("[Content_Types].xml"))
            if kind in ("xlsx", "xlsm", "xltx", "xltm"):
                parts = _worksheet_parts(z)
                if defer_above is not None:
                    parts = [n for n in parts if z.getinfo(n).file_size <= defer_above]
                total = _check_cell_area(z, where, parts)
                if isinstance(z.filename, str):
                    _CHECKED_CELLS[_part_key(z.filename, "")] = total
    except zipfile.BadZipFile as exc:
        raise InputError(f"the workbook is damaged or truncated (not a valid zip: {exc}); "
                         "open and re-save it in Excel", where) from None
    except (SafeET.ParseError, ValueError) as exc:  # defusedxml's refusals (entities, DTDs) are ValueErrors
        raise InputError(f"the workbook's XML is unreadable or unsafe ({type(exc).__name__}: {exc})",
                         where) from None
    except (OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise InputError(f"the workbook is damaged or truncated ({exc}); open and re-save it in Excel",
                         where) from None
    if kind == "xlsb":
        raise InputError("this is a binary workbook (.xlsb); open it in Excel and save as .xlsx", where)
    if kind is None:
        raise InputError("a zip file but not an Excel workbook (e.g. a .docx or .pptx renamed)", where)
    if p.suffix.lower() not in WORKBOOK_SUFFIXES and kind in ("xlsx", "xlsm"):
        raise InputError(f"the file is an .{kind} workbook but named {p.suffix or 'without extension'}; "
                         f"rename it to .{kind}", where)
    return p


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})\$?(\d+))?\"")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def column_index(letters: str | bytes) -> int:
    """Excel column letters → 0-based index ("A" → 0, "AB" → 27), by XlsxWriter's own parser."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    return xl_cell_to_rowcol(text + "1")[1]


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet name (best effort; an unreadable workbook.xml gives {})."""
    try:
        wb = SafeET.fromstring(z.read("xl/workbook.xml"))
        rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {}
    for el in rels:
        t = el.get("Target", "")
        targets[el.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return {targets.get(el.get(f"{_NS_REL}id"), ""): el.get("name", "") for el in wb.iter(f"{_NS_MAIN}sheet")}


def _sheet_extent(z: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column) a worksheet part uses, from its XML without parsing it into cells.

    The ``<dimension>`` element (Excel always writes one) is only trusted when it is above the limit
    (a quick refusal); otherwise the part is streamed: row numbers from ``<row r=..>`` (or the number of
    rows), the last column from the cell references, at C speed.
    """
    with z.open(part) as f:
        head = f.read(1 << 16)
    m = _DIMENSION.search(head)
    if m and m.group(3) and m.group(4):
        dim = (int(m.group(4)), column_index(m.group(3)) + 1)
        if dim[0] * dim[1] > MAX_CELLS:
            return dim
    rows = cols = count = 0
    special = False  # any formula or error cell: the reader must scan the part for them
    with z.open(part) as f:
        carry = b""
        while True:
            chunk = f.read(SCAN_CHUNK)
            buf = carry + chunk
            if chunk:
                cut = buf.rfind(b">") + 1
                block, carry = buf[:cut], buf[cut:]
            else:
                block, carry = buf, b""
            n_rows, last_row, last_col, has_special = _block_extent(block)
            special = special or has_special
            count += n_rows
            rows, cols = max(rows, last_row), max(cols, last_col)
            if not chunk:
                break
    if not special and isinstance(z.filename, str):
        _PLAIN_PARTS.add(_part_key(z.filename, part))
    return max(rows, count), cols


_R, _EQ, _QUOTE, _LT, _COLON, _O, _W, _F = (ord(c) for c in 'r="<:owf')


def _block_extent(block: bytes) -> tuple[int, int, int, bool]:
    """(row elements, largest row number, largest column number, any formula or error cell) in a piece
    of worksheet XML cut at a tag boundary, found with array operations on the bytes (every ``r="…"``
    attribute, ``<row`` and ``<f`` start tag, ``t="e"``), so a 1M-row sheet costs little more than
    inflating it."""
    a = np.frombuffer(b"   " + block + b"      ", dtype=np.uint8)  # room to look 3 bytes back, 6 ahead
    inner = a[3:-6]
    pos = np.flatnonzero(inner == _R) + 3  # every 'r' of the block
    before, after = a[pos - 1], a[pos + 1]
    starts = ((before == _LT) | (before == _COLON)) & (after == _O) & (a[pos + 2] == _W)  # <row, <x:row, </x:row
    nxt = a[pos[starts] + 3]
    space = (nxt == 32) | (nxt == 9) | (nxt == 10) | (nxt == 13)
    plain = before[starts] == _LT
    n_rows = int(np.count_nonzero(space | (plain & ((nxt == 62) | (nxt == 47)))))  # not </x:row>
    ref = pos[(after == _EQ) & (a[pos + 2] == _QUOTE)] + 3  # first byte of each r="…" value
    first = a[ref]
    letters = (first >= 65) & (first <= 90)
    cells, rowrefs = ref[letters], ref[~letters]
    last_col = 0
    if cells.size:
        l2 = a[cells + 1]
        wide = cells[(l2 >= 65) & (l2 <= 90)]  # two or three letters: rare, worked out in full
        last_col = int(first[letters].max()) - 64
        if wide.size:
            l1, l2, l3 = (a[wide + k].astype(np.int64) for k in range(3))
            three = (l3 >= 65) & (l3 <= 90)
            col = np.where(three, (l1 - 64) * 676 + (l2 - 64) * 26 + (l3 - 64), (l1 - 64) * 26 + (l2 - 64))
            last_col = max(last_col, int(col.max()))
    last_row = 0
    if rowrefs.size:  # the largest r="123" of a row element (7 digits at most in a real sheet)
        value = np.zeros(rowrefs.size, dtype=np.int64)
        alive = np.ones(rowrefs.size, dtype=bool)
        for k in range(8):
            d = a[np.minimum(rowrefs + k, len(a) - 1)].astype(np.int64) - 48
            alive &= (d >= 0) & (d <= 9)
            value = np.where(alive, value * 10 + d, value)
        last_row = int(value.max())
    if cells.size:  # ... and of the last cell reference, whichever is later
        m = _CELL_ROW.match(block, int(cells[-1]) - 3)
        if m:
            last_row = max(last_row, int(m.group(1)))
    # <f> / <x:f> (a formula) or t="e" (an error value)
    fpos = np.flatnonzero(inner == _F) + 3
    fb, fa = a[fpos - 1], a[fpos + 1]
    special = bool(np.any(((fb == _LT) | (fb == _COLON)) & ((fa == 32) | (fa == 62) | (fa == 47))))
    special = special or b't="e"' in block
    return n_rows, last_row, last_col, special


_CELL_ROW = re.compile(rb"[A-Z]{1,3}(\d+)\"")


# Worksheet parts seen by the extent scan to hold no formula and no error cell, so the reader can skip
# its own scan for them (one decompression of the sheet instead of two). Keyed by the file's identity.
_PLAIN_PARTS: set[tuple] = set()


def _part_key(path: str | Path, part: str) -> tuple:
    st = os.stat(path)
    return (str(Path(path).resolve()), st.st_mtime_ns, st.st_size, part)


_CHECKED_CELLS: dict[tuple, int] = {}


def checked_cells(path: str | Path) -> int:
    """Cells counted by the last :func:`check_workbook` of this (unchanged) file (deferred parts excluded)."""
    try:
        return _CHECKED_CELLS.get(_part_key(path, ""), 0)
    except OSError:
        return 0


def part_is_plain(path: str | Path, part: str) -> bool:
    """True when :func:`check_workbook` already streamed ``part`` of this (unchanged) file and found
    neither a formula nor an error cell in it."""
    try:
        return _part_key(path, part) in _PLAIN_PARTS
    except OSError:
        return False


_ROOT_START = re.compile(rb"<[A-Za-z_]")
MAX_PROLOG = 1 << 20


def _refuse_dtds(z: zipfile.ZipFile, where: Location) -> None:
    """Refuse any XML part with a DTD (<!DOCTYPE>/<!ENTITY>): Excel never writes one, and a DTD is how
    entity-expansion ("billion laughs") and external-entity (XXE) attacks start. Only the prolog (the
    bytes before the root element) is looked at, so this costs almost nothing."""
    for info in z.infolist():
        name = info.filename
        if not name.endswith((".xml", ".rels", ".vml")) or info.is_dir():
            continue
        with z.open(info) as f:
            head = f.read(1 << 14)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", "replace").encode("utf-8", "replace")
            while not _ROOT_START.search(head) and len(head) < MAX_PROLOG:
                more = f.read(1 << 16)
                if not more:
                    break
                head += more
        m = _ROOT_START.search(head)
        prolog = head[: m.start()] if m else head
        if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
            raise InputError(f"part {name} is unreadable: it declares a DTD (<!DOCTYPE>), which Excel never writes — a "
                             "possible XML entity-expansion (billion laughs) or external-entity attack; refused", where)
        if not m and len(head) >= MAX_PROLOG:
            raise InputError(f"part {name} has no XML root element in its first megabyte; refusing it", where)


def check_cell_area(path: str | Path, parts: Iterable[str] | None = None, *, already: int = 0) -> int:
    """The cell-area part of :func:`check_workbook` for a workbook it has already checked otherwise:
    the worksheet ``parts`` (zip member names; all worksheets when None) are scanned, and their cells plus
    ``already`` (cells of parts scanned before) must stay within :data:`MAX_CELLS`. Returns that total."""
    where = Location(str(path))
    try:
        with zipfile.ZipFile(path) as z:
            return _check_cell_area(z, where, parts, already)
    except zipfile.BadZipFile as exc:
        raise InputError(f"the workbook is damaged or truncated (not a valid zip: {exc}); "
                         "open and re-save it in Excel", where) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"the workbook is damaged or truncated ({exc}); open and re-save it in Excel",
                         where) from None


def _worksheet_parts(z: zipfile.ZipFile) -> list[str]:
    return [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _check_cell_area(z: zipfile.ZipFile, where: Location, parts: Iterable[str] | None = None,
                     already: int = 0) -> int:
    """Refuse a workbook whose sheets' used areas add up to more than :data:`MAX_CELLS` cells."""
    if parts is None:
        parts = _worksheet_parts(z)
    total, worst = already, ("", 0, 0)
    for part in parts:
        rows, cols = _sheet_extent(z, part)
        total += rows * cols
        if rows * cols > worst[1] * worst[2]:
            worst = (part, rows, cols)
    if total > MAX_CELLS:
        part, rows, cols = worst
        name = _sheet_names(z).get(part) or part
        raise InputError(
            f"sheet '{name}' spans {rows:,} rows × {cols:,} columns ({rows * cols / 1e6:.1f} million cells; "
            f"{total / 1e6:.1f} million in the workbook), above the limit of {MAX_CELLS / 1e6:.0f} million cells; "
            "delete unused rows and columns (Ctrl+End shows the last used cell), split the file, "
            "or use 'xl-cashrisk batch' on CSV/Parquet for larger ledgers", where)
    return total


def _refuse_inputs(target: Path, inputs: Iterable[str | Path]) -> None:
    t = target.resolve()
    for src in inputs:
        s = Path(src)
        same = s.resolve() == t
        if not same and t.exists() and s.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(s, t)
        if same:
            raise InputError("refusing to overwrite an input file with results; choose another output name",
                             Location(str(target)))


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _ole_is_encrypted(path: Path) -> bool:
    # An encrypted OOXML file is an OLE container holding "EncryptionInfo" and "EncryptedPackage" streams;
    # their names sit in the directory sectors as UTF-16LE.
    needle = "EncryptedPackage".encode("utf-16-le")
    with open(path, "rb") as f:
        tail = b""
        for chunk in iter(lambda: f.read(1 << 20), b""):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:1024]
    return b"\x00" not in sample and sum(32 <= b < 127 or b in b"\r\n\t" or b >= 0x80 for b in sample) > 0.95 * len(sample)


def _main_part_kind(content_types: bytes) -> str | None:
    root = SafeET.fromstring(content_types)
    for el in root:
        kind = _MAIN_TYPES.get(el.get("ContentType", ""))
        if kind:
            return kind
    return None

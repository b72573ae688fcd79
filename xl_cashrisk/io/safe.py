"""Safe file handling: atomic output, input fingerprints, and a first look at a workbook file.

An output is written to a temporary file in the target's own folder, flushed to disk and moved over
the target with ``os.replace``: a crash or an error halfway leaves the previous file untouched, and
no reader ever sees half a workbook. An output path that is one of the run's input files is refused.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import gc
import hashlib
import itertools
import os
import posixpath
import re
import stat
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from defusedxml import ElementTree as SafeET
from xlsxwriter.utility import xl_cell_to_rowcol

from xl_cashrisk.errors import InputError, Location

try:  # ISA-L's inflate (python-isal, with the optional extra xl-cashrisk[fast]): zlib's bytes for ~1/4 of its CPU
    from isal import isal_zlib as _inflate
except ImportError:
    _inflate = zlib

__all__ = [
    "MAX_CELLS",
    "MAX_UNCOMPRESSED_BYTES",
    "WORKBOOK_SUFFIXES",
    "AtomicFile",
    "atomic_output",
    "check_cell_area",
    "check_regular_file",
    "check_workbook",
    "checked_cells",
    "column_index",
    "disk_full",
    "disk_full_error",
    "file_beside",
    "file_fingerprint",
    "release_quietly",
    "sheet_parts",
    "sheet_targets",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Declared limit on a workbook's total uncompressed size (a 1M-row ledger is ~250 MB unpacked).
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
# Declared limit on a workbook's cells: the sum over its sheets of the used area (last row × last column), as
# the reader holds each sheet as a dense grid. A full-height ledger (Excel's 1,048,576 rows) of 13 columns is
# 13.6 million cells, and reading it peaks at about 3 GB; the limit leaves room for 19 columns. One cell at
# XFD1048576 in a 1 kB file would otherwise ask for 17 billion cells.
MAX_CELLS = 20_000_000
SCAN_CHUNK = 512 << 10  # bytes of XML inflated and looked at per step (its temporaries stay in the CPU cache)
INFLATE_ERRORS = (zlib.error, getattr(_inflate, "error", zlib.error))
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
        if self.done:
            raise InputError("the output was discarded before it was complete", Location(str(self.target)))
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
            if disk_full(exc):
                raise disk_full_error(self.target) from None
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

    If the body raises, the temporary file is removed and ``target`` keeps its previous content; a full
    disk becomes one line, "disk full" (:func:`disk_full_error`).
    """
    af = AtomicFile(target, inputs=inputs)
    try:
        yield af.path
    except BaseException as exc:
        af.discard()
        if disk_full(exc):
            release_quietly(exc)
            raise disk_full_error(af.target) from None
        raise
    af.commit()


DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})  # no space, quota, file-size limit


def disk_full(exc: BaseException) -> bool:
    """Is ``exc`` (or an exception it was raised from) a full disk, a quota or a file-size limit?"""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], BaseException)
                                                   else None)
    return False


def disk_full_error(target: Path) -> InputError:
    return InputError("disk full: the results could not be written (no space left on the device, or a quota or "
                      "file-size limit reached); free some space and run again — the previous file is unchanged and "
                      "no temporary file is left", Location(str(target)))


def release_quietly(exc: BaseException) -> None:
    """Drop the frames a failed write left behind (a half-written ``ZipFile`` inside XlsxWriter or
    zipfile) now, with their clean-up errors silenced: on a full disk their ``__del__`` would otherwise
    print a traceback when the garbage collector gets to them."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            exc.__traceback__ = None
            exc = exc.__cause__ or exc.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


def check_regular_file(path: str | Path, *, role: str = "input", what: str = "a file") -> Path:
    """``path`` as a Path if it is an existing regular file; a folder, a named pipe, a device or a socket
    is refused at once with :class:`InputError` (opening a pipe would wait for a writer forever)."""
    p = Path(path)
    where = Location(str(p))
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{role} file not found", where) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"expected {what}, got a folder", where)
    if not stat.S_ISREG(mode):
        raise InputError(f"expected {what}, got a named pipe, device or socket; save the data as a file and "
                         "give its name", where)
    return p


def file_beside(folder: str | Path, name: object, *, suffix: str, what: str) -> Path:
    """A file that a workbook cell names: a bare file name in the workbook's own folder, nothing else
    (no folder part, no drive, no "..", at most 255 characters, the given ``suffix``), and a regular file.
    A cell never points anywhere else on disk (docs/security.md).

    >>> file_beside("/data", "../../etc/passwd", suffix=".toml", what="scorecard_file")
    Traceback (most recent call last):
    ...
    xl_cashrisk.errors.InputError: scorecard_file: a cell may name only a .toml file in the workbook's own folder, such as 'name.toml', got '../../etc/passwd'
    """
    text = str(name).strip()
    shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
    if (not text or len(text) > 255 or any(ch in text for ch in '/\\:\0') or text.startswith((".", "~"))
            or not text.lower().endswith(suffix)):
        raise InputError(f"{what}: a cell may name only a {suffix} file in the workbook's own folder, such as "
                         f"'name{suffix}', got {shown}")
    return check_regular_file(Path(folder) / text, role=what, what=f"a {suffix} file")


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
    p = check_regular_file(path, role=role, what="a workbook file")
    where = Location(str(p))
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
                if info.flag_bits & 0x1:
                    raise InputError(f"zip member {info.filename} is encrypted (a password-protected zip, which "
                                     "Excel never writes); remove the password and save the workbook again", where)
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                        and info.file_size > 10 * 1024**2:
                    raise InputError(f"zip member {info.filename} expands {info.file_size // info.compress_size}x; "
                                     "refusing a possible zip bomb", where)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise InputError(f"the workbook unpacks to {total / 1024**3:.1f} GB, above the "
                                 f"{MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GB limit", where)
            _refuse_dtds(z, where)
            _check_shared_strings(z, where)
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
    except (OSError, EOFError, NotImplementedError, *INFLATE_ERRORS) as exc:
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


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})\$?(\d+))?[\"']")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def column_index(letters: str | bytes) -> int:
    """Excel column letters → 0-based index ("A" → 0, "AB" → 27), by XlsxWriter's own parser."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    return xl_cell_to_rowcol(text + "1")[1]


def sheet_targets(target: str) -> list[str]:
    """The zip member(s) a workbook relationship ``Target`` may name: calamine's reading (``/xl/…`` and
    ``xl/…`` as they are, anything else under ``xl/``) and the plain one (``/…`` from the package root,
    ``../`` resolved). A hostile file may make them differ; every one of them is checked.

    >>> sheet_targets("worksheets/sheet1.xml"), sheet_targets("/xl/data/big.xml")
    (['xl/worksheets/sheet1.xml'], ['xl/data/big.xml'])
    """
    if target.startswith("/xl/"):
        calamine = target[1:]
    elif target.startswith("xl/"):
        calamine = target
    else:
        calamine = "xl/" + target
    plain = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return list(dict.fromkeys((calamine, plain)))


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Every zip member a reader may parse as a worksheet → its sheet name: the targets of the workbook's
    ``<sheet>`` relationships (wherever they point) and every part under ``xl/worksheets/``."""
    names = set(z.namelist())
    out = {n: "" for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    try:
        wb = SafeET.fromstring(z.read("xl/workbook.xml"))
        rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return out
    targets = {el.get("Id"): el.get("Target", "") for el in rels}
    for el in wb.iter(f"{_NS_MAIN}sheet"):
        for part in sheet_targets(targets.get(el.get(f"{_NS_REL}id")) or ""):
            if part in names:
                out[part] = el.get("name", "")
    return out


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet name (best effort; an unreadable workbook.xml gives {})."""
    return {p: n for p, n in sheet_parts(z).items() if n}


def _sheet_extent(z: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column) a worksheet part uses, from its XML without parsing it into cells.

    The ``<dimension>`` element (Excel always writes one) is only trusted when it is above the limit
    (a quick refusal); otherwise the part is inflated once, piece by piece (:func:`_member_pieces`), and
    each block (cut after a '>') goes through :class:`_Extent`: blocks in Excel's own form by 8-byte
    words of their tags, any other by the general scan — every row and cell reference wherever it sits
    in its tag, in either quote, and the cells and rows that have none (a reader places those after the
    previous one). Text that is not UTF-8 is refused here too, with its cell, before any reader decodes
    it.
    """
    with z.open(part) as f:
        head = f.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"sheet '{_sheet_names(z).get(part) or part}' is stored as UTF-16 text, which Excel never "
                         "writes; open and re-save the workbook in Excel",
                         Location(z.filename if isinstance(z.filename, str) else None))
    utf8 = _utf8_declared(head)
    m = _DIMENSION.search(head)
    if m and m.group(3) and m.group(4):
        dim = (int(m.group(4)), column_index(m.group(3)) + 1)
        if dim[0] * dim[1] > MAX_CELLS:
            return dim
    scan = _Extent()
    pending: list[bytes] = []  # what came after the last '>' (joined once: a long text costs no quadratic copying)
    for chunk in itertools.chain(_member_pieces(z, z.getinfo(part)), [b""]):
        cut = chunk.rfind(b">") + 1 if chunk else len(chunk)
        if chunk and not cut:  # no tag ends in this piece (a long text): wait for one that does
            pending.append(chunk)
            continue
        padded = b"".join((_PAD_BEFORE, *pending, memoryview(chunk)[:cut], _PAD_AFTER))  # the one copy of a block
        pending = [chunk[cut:]] if cut < len(chunk) else []
        if len(padded) == len(_PAD_BEFORE) + len(_PAD_AFTER):
            continue
        view = memoryview(padded)[len(_PAD_BEFORE):-len(_PAD_AFTER)]
        if utf8 and not padded.isascii():  # (ASCII is UTF-8: the common case costs one fast pass)
            _check_utf8(z, part, view)
        scan.add(view, padded)
    if not scan.special and isinstance(z.filename, str):
        _PLAIN_PARTS.add(_part_key(z.filename, part))
    return scan.extent()


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then (after 22 bytes) the name's and the extra field's lengths
RAW_READ = 1 << 17  # compressed bytes read from the file per step


def _member_pieces(z: zipfile.ZipFile, info: zipfile.ZipInfo, size: int | None = None) -> Iterator[bytes]:
    """A zip member's bytes as they are inflated, at most ``size`` (:data:`SCAN_CHUNK`) at a time: one
    pass over the member that holds only a piece of it. A deflated or stored member of a workbook
    opened by name is read straight from the file and inflated by ISA-L where installed (the same bytes
    as zlib, in about a quarter of the CPU time); anything else through :mod:`zipfile`. The CRC is not
    checked here: the reader that parses the part checks it."""
    size = size or SCAN_CHUNK
    if not isinstance(z.filename, str) or info.flag_bits & 0x1 or \
            info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with z.open(info) as f:
            yield from iter(lambda: f.read(size), b"")
        return
    with open(z.filename, "rb") as f:
        f.seek(info.header_offset)
        magic, name_len, extra_len = _LOCAL_HEADER.unpack(f.read(_LOCAL_HEADER.size).ljust(_LOCAL_HEADER.size, b"\0"))
        if magic != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local file header of {info.filename}")
        f.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        left = info.compress_size
        inflater = _inflate.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0:
            raw = f.read(min(RAW_READ if inflater else size, left))
            if not raw:
                raise EOFError(f"{info.filename} is cut short")
            left -= len(raw)
            if inflater is None:
                yield raw
                continue
            while raw:
                piece = inflater.decompress(raw, size)
                raw = inflater.unconsumed_tail
                if piece:
                    yield piece
        while inflater is not None and not inflater.eof:  # output held back after the last input (ISA-L)
            piece = inflater.decompress(b"", size)
            if not piece:
                raise EOFError(f"{info.filename} is cut short")
            yield piece


def _check_utf8(z: zipfile.ZipFile, part: str, block: bytes | memoryview) -> None:
    """Refuse XML text that is not UTF-8 (a byte 0xFF in a cell), naming the sheet and the cell."""
    try:
        str(block, "utf-8")
    except UnicodeDecodeError as exc:
        block = bytes(block)
        start = max(block.rfind(b"<c ", 0, exc.start), block.rfind(b":c ", 0, exc.start))
        ref = _ANY_REF.search(block, start, exc.start) if start >= 0 else None
        cell = f", cell {ref.group(2).decode()}" if ref else ""
        sheet = _sheet_names(z).get(part) or part
        raise InputError(f"sheet '{sheet}'{cell} holds the byte 0x{block[exc.start]:02X}, which is not text (UTF-8): the "
                         "file is damaged or was not written by Excel; open and re-save it in Excel, or export it again",
                         Location(z.filename if isinstance(z.filename, str) else None)) from None


_ANY_REF = re.compile(rb"""\br\s*=\s*(["'])([A-Za-z]{1,3}\d+)\1""")
_SPACED_EQ = re.compile(rb"\s*=\s*")  # attribute spellings XML allows and Excel never writes: r = "A1",
_SINGLE_QUOTED = re.compile(rb"""='([^'"<>]*)'""")  # r='A1'; rewritten as r="A1" before the scan
_R, _EQ, _QUOTE, _APOS, _LT, _GT, _COLON, _SLASH, _F = (ord(c) for c in "r=\"'<>:/f")
_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 13, 32]] = True
_END_OF_NAME = _WS.copy()
_END_OF_NAME[[_GT, _SLASH]] = True
_UPPER = np.zeros(256, dtype=bool)
_UPPER[65:91] = _UPPER[97:123] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[48:58] = True


_FRONT = 8  # a block's first byte in its padded array: room to look back, and 8-byte aligned
_PAD_BEFORE, _PAD_AFTER = b" " * _FRONT, b" " * 32  # (and 32 bytes to look ahead)


def _padded(block: bytes) -> np.ndarray:
    return np.frombuffer(_PAD_BEFORE + block + _PAD_AFTER, dtype=np.uint8)


def _odd_r(a: np.ndarray, rs: np.ndarray) -> bool:
    """Any attribute ``r`` written other than ``r="…"`` (white space around '=', single quotes)?"""
    name = _WS[a[rs - 1]] & (_WS[a[rs + 1]] | (a[rs + 1] == _EQ))
    return bool(np.any(name & ~((a[rs + 1] == _EQ) & (a[rs + 2] == _QUOTE))))


def _number_at(a: np.ndarray, at: np.ndarray, digits: int = 8) -> np.ndarray:
    """The decimal number starting at each position of ``at`` (up to ``digits`` digits; 0 if none)."""
    value = np.zeros(at.size, dtype=np.int64)
    alive = np.ones(at.size, dtype=bool)
    for k in range(digits):
        d = a[at + k]
        alive &= _DIGIT[d]
        value = np.where(alive, value * 10 + (d.astype(np.int64) - 48), value)
    return value


_C, _O, _W = (ord(c) for c in "cow")


def _word(text: bytes) -> int:
    """Bytes as the little-endian number a 2- or 8-byte read of them gives."""
    return int.from_bytes(text, "little")


_U64 = np.uint64
_HIGH = _U64(0x8080808080808080)  # the top bit of every byte
_LOW7 = _U64(0x7F7F7F7F7F7F7F7F)
_PAIRS = [_word(b) for b in (b"<c", b"<r", b"<f")]  # a tag a cell, row or formula may start with
_CELL_START, _CELL_MASK = _U64(_word(b'<c r="')), _U64(_word(b"\xff" * 6))
_ROW_START = _U64(_word(b'<row r="'))
_ROW_NAME, _NAME_MASK = _U64(_word(b"<row")), _U64(0xFFFFFFFF)
_ERROR_PAIR = _word(b'"e')  # the start of t="e"


def _words(a: np.ndarray) -> np.ndarray:
    """Every 8 consecutive bytes of ``a`` as one little-endian uint64 (a view: no copy)."""
    return np.ndarray((len(a) - 7,), dtype="<u8", buffer=a, strides=(1,))


_ONES = 0x0101010101010101


def _at_least(low7: np.ndarray, c: int) -> np.ndarray:
    """Per byte of each word (its low 7 bits ``low7``): the top bit set where the byte is ≥ ``c``."""
    return (low7 + _U64(_ONES * (0x80 - c))) & _HIGH


def _first_byte(mask: np.ndarray) -> np.ndarray:
    """Index (0-7) of the first byte whose top bit is set in each of ``mask``; 8 when none."""
    lowest = mask & (~mask + _U64(1))  # the lowest set bit alone: 2**(8i + 7), or 0
    exponent = np.frexp(lowest.astype(np.float64))[1]  # 8i + 8, or 0
    return np.where(exponent == 0, 8, (exponent - 8) >> 3)


def _top_bytes(count: np.ndarray) -> np.ndarray:
    """The top bits of the last ``count`` (1-7) bytes of a word."""
    return _HIGH & ~((_U64(1) << ((_U64(8) - count.astype(np.uint64)) * _U64(8))) - _U64(1))


def _reference_end(words: np.ndarray, at: np.ndarray) -> np.ndarray | None:
    """Offset from ``at`` of the '"' ending each reference (at most 10 on), read as one or two words."""
    x = words[at]
    q = (x & _LOW7) ^ _U64(_ONES * 0x22)
    end = _first_byte(~((q + _LOW7) | q | x) & _HIGH)  # the first byte '"' (an ASCII byte of value 0x22)
    far = np.flatnonzero(end == 8)
    if far.size:
        y = words[at[far] + 8]
        q = (y & _LOW7) ^ _U64(_ONES * 0x22)
        end[far] = 8 + _first_byte(~((q + _LOW7) | q | y) & _HIGH)
    return end


def _decimal_max(words: np.ndarray, at: np.ndarray, end: np.ndarray, digits: np.ndarray) -> int | None:
    """The largest of the numbers written as the ``digits`` (1-7) bytes before ``at + end``; None if
    one of those bytes is not a digit. The 8 bytes up to each end are read as one word; byte-swapped,
    with one digit value per byte, the larger word is the larger number."""
    if not ((digits >= 1) & (digits <= 7)).all():
        return None
    z = words[at + end - 8]
    low7 = z & _LOW7
    is_digit = _at_least(low7, 48) & ~_at_least(low7, 58) & ~z & _HIGH
    mask = _top_bytes(digits)
    if not ((is_digit & mask) == mask).all():
        return None
    low = (_U64(1) << (digits.astype(np.uint64) * _U64(8))) - _U64(1)
    key = (z.byteswap() & low) - (_U64(_ONES * 0x30) & low)
    i = int(np.argmax(key))
    return int(int(z[i]).to_bytes(8, "little")[8 - int(digits[i]):])


def _cell_refs(words: np.ndarray, at: np.ndarray) -> tuple[int, int] | None:
    """(largest column, largest row) of the cell references ``LETTERS DIGITS"`` starting at ``at`` (1-3
    capital letters, 1-7 digits); None if one is not so written."""
    x = words[at]
    low7 = x & _LOW7
    letters = _first_byte(~(_at_least(low7, 65) & ~_at_least(low7, 91) & ~x) & _HIGH)
    if not ((letters >= 1) & (letters <= 3)).all():
        return None
    end = _reference_end(words, at)
    row = _decimal_max(words, at, end, end - letters)
    if row is None:
        return None
    # the number of letters in the top byte, the letters below it: the larger key, the larger column
    width = letters.astype(np.uint64) * _U64(8)
    key = ((x & ((_U64(1) << width) - _U64(1))).byteswap() >> _U64(8)) | (width << _U64(56))
    i = int(np.argmax(key))
    return column_index(int(x[i]).to_bytes(8, "little")[:int(letters[i])]) + 1, row


def _row_refs(words: np.ndarray, at: np.ndarray) -> int | None:
    """The largest row reference ``DIGITS"`` (1-7 digits) starting at ``at``; None if one is not so written."""
    end = _reference_end(words, at)
    return _decimal_max(words, at, end, end)


def _error_type(d: np.ndarray, scratch: np.ndarray) -> bool:
    """Does the block hold ``t="e"`` (an error cell)? The pair '"e' is looked for at even and odd
    offsets as 2-byte numbers (two cheap passes), the exact bytes only where it occurs."""
    for pairs in _pairs(d):
        hit = np.equal(pairs, _ERROR_PAIR, out=scratch[:len(pairs)])
        if hit.any():
            return b't="e"' in d.tobytes()
    return False


def _pairs(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of ``d`` as 2-byte numbers from even and from odd offsets (views)."""
    n = len(d)
    return d[:n - n % 2].view("<u2"), d[1:n - (n - 1) % 2].view("<u2")


def _tag_starts(d: np.ndarray, scratch: np.ndarray, spare: np.ndarray) -> np.ndarray:
    """Positions in ``d`` of '<c', '<r' and '<f' (unordered), compared two bytes at a time at even and
    odd offsets (into the ``scratch`` and ``spare`` buffers: no new pages per block)."""
    out = []
    for offset, pairs in enumerate(_pairs(d)):
        hit, other = scratch[:len(pairs)], spare[:len(pairs)]
        np.equal(pairs, _PAIRS[0], out=hit)
        for p in _PAIRS[1:]:
            hit |= np.equal(pairs, p, out=other)
        out.append(np.flatnonzero(hit) * 2 + offset)
    return np.concatenate(out)


class _Extent:
    """The used area of a worksheet part, fed block by block (each block cut right after a '>').

    What a reader (calamine) does with each element bounds it: a cell at its ``r`` reference, a cell
    without one after the previous cell of its row, a row without ``r`` after the previous row. So the
    last row is the largest row reference (of a row or a cell), or — when some cell has no reference —
    that plus the rows without one; the last column is the largest column reference plus the most
    cells without a reference in one row. Both are exact for files that write every reference (Excel)
    or none; only a file mixing the two is overestimated.
    """

    def __init__(self):
        self.row_refs = self.cell_rows = self.cols = 0
        self.rows_seen = self.rows_without_ref = 0
        self.run = self.widest_run = 0  # cells without a reference: in the open row, most in one row
        self.special = False  # any formula or error cell: the reader must scan the part for them
        self._scratch = self._spare = np.empty(0, dtype=bool)

    def extent(self) -> tuple[int, int]:
        rows = max(self.row_refs, self.cell_rows, self.rows_seen)
        if self.widest_run:
            rows = max(rows, self.row_refs + self.rows_without_ref)
        return rows, self.cols + self.widest_run

    def add(self, block: bytes | memoryview, padded: bytes | None = None) -> None:
        """Take in the next block (``padded``: the block between :data:`_PAD_BEFORE` and
        :data:`_PAD_AFTER`, when the caller has it so)."""
        a = np.frombuffer(padded, dtype=np.uint8) if padded is not None else _padded(block)
        if not self._excel_form(a, len(block)):
            self._general(a, bytes(block))

    def _excel_form(self, a: np.ndarray, n: int) -> bool:
        """Take in a block written the way Excel writes sheets, at a fraction of the general scan's cost:
        every cell start tag is ``<c r="LETTERS DIGITS"`` and every row start tag ``<row r="DIGITS"``
        (the reference first, 1-3 capital letters, 1-7 digits), no element name has a namespace prefix.
        A reader takes the first ``r`` of a tag, so there every cell sits at its reference and the
        block's extent is its largest references. The tags are read 8 bytes at a time as uint64 words.
        False (nothing taken in) for any other block: the general scan then reads it."""
        d = a[_FRONT:_FRONT + n]
        if len(self._scratch) < n:  # bool buffers reused block after block (fresh ones cost page faults)
            self._scratch, self._spare = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
        colons = np.flatnonzero(np.equal(d, _COLON, out=self._scratch[:n])) + _FRONT
        if colons.size:  # <x:c …>, <x:row …>, <x:f> (or text such as "a:c "): the general scan
            n1, n2 = a[colons + 1], a[colons + 2]
            if np.any((((n1 == _C) | (n1 == _F)) & _END_OF_NAME[n2])
                      | ((n1 == _R) & (n2 == _O) & (a[colons + 3] == _W) & _END_OF_NAME[a[colons + 4]])):
                return False
        words = _words(a)
        tags = _tag_starts(d, self._scratch, self._spare) + _FRONT
        head = words[tags]
        second, third = (head >> _U64(8)) & _U64(0xFF), (head >> _U64(16)) & _U64(0xFF)
        cell = (second == _C) & _END_OF_NAME[third]
        row = ((head & _NAME_MASK) == _ROW_NAME) & _END_OF_NAME[(head >> _U64(32)) & _U64(0xFF)]
        cell_ok = (head & _CELL_MASK) == _CELL_START
        row_ok = head == _ROW_START
        if np.any(cell & ~cell_ok) or np.any(row & ~row_ok):
            return False
        cells = _cell_refs(words, tags[cell_ok] + 6) if cell_ok.any() else (0, 0)
        rows = tags[row_ok] + 8
        row_ref = _row_refs(words, rows) if rows.size else 0
        if cells is None or row_ref is None:
            return False
        self.cols = max(self.cols, cells[0])
        self.cell_rows = max(self.cell_rows, cells[1])
        if rows.size:
            self.row_refs = max(self.row_refs, row_ref)
            self.rows_seen += rows.size
            self.run = 0
        if not self.special:
            self.special = bool(np.any((second == _F) & _END_OF_NAME[third])) or _error_type(d, self._scratch)
        return True

    def _general(self, a: np.ndarray, block: bytes) -> None:
        rs = np.flatnonzero(a[_FRONT:_FRONT + len(block)] == _R) + _FRONT
        if _odd_r(a, rs):
            block = _SINGLE_QUOTED.sub(rb'="\1"', _SPACED_EQ.sub(b"=", block))
            a = _padded(block)
            rs = np.flatnonzero(a[_FRONT:_FRONT + len(block)] == _R) + _FRONT
        rattr = rs[(a[rs + 1] == _EQ) & (a[rs + 2] == _QUOTE)]  # every r="…" (in a tag, or text: counted too)
        self._references(a, rattr + 3)
        starts = _Starts(a, block, rattr)
        rows, row_ref = starts.of(b"row")
        cells, cell_ref = starts.of(b"c")
        self.rows_seen += rows.size
        self.rows_without_ref += int(np.count_nonzero(~row_ref))
        bare = cells[~cell_ref]
        if bare.size:  # cells without a reference, counted per row (the first run belongs to the open row)
            counts = np.bincount(np.searchsorted(rows, bare, side="right"), minlength=rows.size + 1)
            if rows.size:
                self.widest_run = max(self.widest_run, self.run + int(counts[0]), int(counts[1:].max()))
                self.run = int(counts[-1])
            else:
                self.run += int(counts[0])
            self.widest_run = max(self.widest_run, self.run)
        elif rows.size:
            self.run = 0
        if not self.special:
            fs = np.flatnonzero(a[_FRONT:_FRONT + len(block)] == _F) + _FRONT  # <f> / <x:f> (a formula) or t="e" (an error)
            fb, fa = a[fs - 1], a[fs + 1]
            self.special = bool(np.any(((fb == _LT) | (fb == _COLON)) & _END_OF_NAME[fa])) or b't="e"' in block

    def _references(self, a: np.ndarray, at: np.ndarray) -> None:
        """Largest row of row references (digits) and largest row and column of cell references (letters)."""
        letters = _UPPER[a[at]]
        if not letters.all():
            self.row_refs = max(self.row_refs, int(_number_at(a, at[~letters]).max()))
        cells = at[letters]
        n = np.ones(cells.size, dtype=np.int64)  # letters of each reference (calamine takes any number)
        run = np.ones(cells.size, dtype=bool)
        for k in range(1, 8):
            run &= _UPPER[a[cells + k]]
            n += run
        ref = _DIGIT[a[cells + n]]  # letters then digits; anything else (xmlns:r="http://…") is no reference
        cells, n = cells[ref], n[ref]
        if not cells.size:
            return
        col = np.zeros(cells.size, dtype=np.int64)
        for k in range(3):
            col = np.where(k < n, col * 26 + (a[cells + k] & 0xDF).astype(np.int64) - 64, col)  # & 0xDF: upper case
        col[n > 3] = 1 << 20  # four letters or more: beyond any Excel column
        self.cols = max(self.cols, int(col.max()))
        self.cell_rows = max(self.cell_rows, int(_number_at(a, cells + n).max()))


class _Starts:
    """Start tags ``<name …>`` / ``<prefix:name …>`` of a block, and whether each has an ``r`` attribute."""

    def __init__(self, a: np.ndarray, block: bytes, rattr: np.ndarray):
        self.a, self.rattr, self.block = a, rattr, block
        self.lts = np.flatnonzero(a[_FRONT:_FRONT + len(block)] == _LT) + _FRONT
        self.after_lt = a[self.lts + 1]
        self.colons = np.flatnonzero(a[_FRONT:_FRONT + len(block)] == _COLON) + _FRONT  # spans="1:13", x14ac:…, <x:c …
        self._gts = None

    @property
    def gts(self) -> np.ndarray:
        if self._gts is None:
            self._gts = np.flatnonzero(self.a[_FRONT:_FRONT + len(self.block)] == _GT) + _FRONT
        return self._gts

    def of(self, name: bytes) -> tuple[np.ndarray, np.ndarray]:
        a, k = self.a, len(name)
        lts = self.lts[self.after_lt == name[0]]
        hit = _END_OF_NAME[a[lts + 1 + k]]
        for i in range(1, k):
            hit &= a[lts + 1 + i] == name[i]
        at = lts[hit] + 1  # the name's first byte
        prefixed = self._prefixed(name)
        if prefixed.size:
            at = np.union1d(at, prefixed)
        # Excel writes r first: `<c r="…` — only other tags are looked at attribute by attribute
        first = _WS[a[at + k]] & (a[at + k + 1] == _R) & (a[at + k + 2] == _EQ) & (a[at + k + 3] == _QUOTE)
        has = first.copy()
        rest = np.flatnonzero(~first)
        if rest.size:
            never = np.iinfo(np.int64).max
            following = np.append(self.rattr, never)[np.searchsorted(self.rattr, at[rest])]
            tag_end = np.append(self.gts, never)[np.searchsorted(self.gts, at[rest])]
            has[rest] = following < tag_end
        return at, has

    def _prefixed(self, name: bytes) -> np.ndarray:
        a, k, cs = self.a, len(name), self.colons
        hit = _END_OF_NAME[a[cs + 1 + k]]
        for i, ch in enumerate(name):
            hit &= a[cs + 1 + i] == ch
        cs = cs[hit]
        if not cs.size:
            return cs
        opener = np.searchsorted(self.lts, cs) - 1  # the '<' of the prefixed name: a start tag, same tag
        lt = self.lts[np.maximum(opener, 0)]
        open_tag = (opener >= 0) & (a[lt + 1] != _SLASH) & (np.searchsorted(self.gts, lt) == np.searchsorted(self.gts, cs))
        return cs[open_tag] + 1


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


_UNIQUE_COUNT = re.compile(rb"""\buniqueCount\s*=\s*["']\s*\+?(\d+)""")
MIN_SHARED_STRING_BYTES = 5  # "<si/>": a shared-strings table of N bytes holds at most N / 5 strings


def _check_shared_strings(z: zipfile.ZipFile, where: Location) -> None:
    """The shared-strings table: a declared ``uniqueCount`` it cannot hold is refused before calamine
    reserves memory for it (a 3 kB file declaring 4,294,967,295 strings aborts the process), and its
    text must be UTF-8."""
    for info in z.infolist():
        if info.filename.lower() != "xl/sharedstrings.xml":
            continue
        with z.open(info) as f:
            head = f.read(1 << 16)
        root = head[head.find(b"<sst"):head.find(b">", head.find(b"<sst")) + 1] if b"<sst" in head else head[:4096]
        m = _UNIQUE_COUNT.search(root)
        if m and int(m.group(1)) > info.file_size // MIN_SHARED_STRING_BYTES + 1:
            raise InputError(f"the workbook's text table ({info.filename}) declares {int(m.group(1)):,} strings but "
                             f"its {info.file_size:,} bytes hold at most {info.file_size // MIN_SHARED_STRING_BYTES:,}; "
                             "the file is damaged or crafted — open and re-save it in Excel", where)
        decoder = codecs.getincrementaldecoder("utf-8")()
        done = 0
        for chunk in _member_pieces(z, info):
            if not done and not _utf8_declared(chunk):
                break
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start] if exc.start < len(chunk) else 0
                raise InputError(f"the workbook's text table ({info.filename}) holds the byte 0x{bad:02X} at byte "
                                 f"{done + exc.start:,}, which is not text (UTF-8): the file is damaged or was not "
                                 "written by Excel; open and re-save it in Excel", where) from None
            done += len(chunk)
        else:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise InputError(f"the workbook's text table ({info.filename}) ends inside a character, which is not "
                                 "text (UTF-8): the file is damaged or was not written by Excel; open and re-save it "
                                 "in Excel", where) from None


_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)""")


def _utf8_declared(head: bytes) -> bool:
    """The part is UTF-8 (no byte-order mark of another encoding, no other encoding declared)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    m = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    return m is None or m.group(1).strip().lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


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
    except (OSError, EOFError, *INFLATE_ERRORS) as exc:
        raise InputError(f"the workbook is damaged or truncated ({exc}); open and re-save it in Excel",
                         where) from None


def _worksheet_parts(z: zipfile.ZipFile) -> list[str]:
    return list(sheet_parts(z))


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

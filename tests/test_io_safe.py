"""Atomic output, refusing to overwrite inputs, fingerprints, and the workbook file check."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xl_cashrisk.errors import InputError
from xl_cashrisk.io import safe
from xl_cashrisk.io.safe import AtomicFile, atomic_output, check_workbook, file_fingerprint


def _xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("S").write_string(0, 0, "hello")
    wb.close()
    return path


def test_atomic_output_replaces_target(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing visible before the commit
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_failed_write_leaves_previous_file_intact(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("previous")
    with pytest.raises(RuntimeError, match="boom"), atomic_output(target) as tmp:
        tmp.write_text("half a workbook")
        raise RuntimeError("boom")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]  # temp file removed


def test_failed_replace_is_an_input_error_and_keeps_previous(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("previous")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(InputError, match="open in Excel or read-only"), atomic_output(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_unwritable_folder_is_an_input_error(tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(InputError, match=r"cannot write in this folder \(Permission denied\)"):
        AtomicFile(tmp_path / "out.xlsx")


def test_excel_lock_file_is_reported(tmp_path):
    (tmp_path / "~$out.xlsx").write_text("lock")
    with pytest.raises(InputError, match="open in Excel"):
        AtomicFile(tmp_path / "out.xlsx")


def test_missing_output_folder(tmp_path):
    with pytest.raises(InputError, match="output folder does not exist"):
        AtomicFile(tmp_path / "nope" / "out.xlsx")


def test_refuses_to_overwrite_an_input(tmp_path):
    src = _xlsx(tmp_path / "ledger.xlsx")
    before = file_fingerprint(src)
    with pytest.raises(InputError, match="refusing to overwrite an input file"):
        AtomicFile(src, inputs=[src])
    # the same file by another spelling, and through a symlink
    other = tmp_path / "sub" / ".." / "ledger.xlsx"
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError, match="refusing"):
        AtomicFile(other, inputs=[src])
    link = tmp_path / "link.xlsx"
    link.symlink_to(src)
    with pytest.raises(InputError, match="refusing"):
        AtomicFile(link, inputs=[src])
    assert file_fingerprint(src) == before


def test_file_fingerprint_is_sha256(tmp_path):
    p = tmp_path / "a.bin"
    data = os.urandom(3 << 20)  # spans several read chunks
    p.write_bytes(data)
    assert file_fingerprint(p) == hashlib.sha256(data).hexdigest()


def test_check_workbook_accepts_xlsx(tmp_path):
    p = _xlsx(tmp_path / "ok.xlsx")
    assert check_workbook(p) == p


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("renamed.xlsx", b"invoice_no,amount\nINV1,100\n", "a CSV or text file"),
        ("bom.xlsx", "\ufeff发票号码,金额\n".encode(), "a CSV or text file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, r"old Excel 97-2003 \(.xls\)"),
        ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"),
         "password-protected"),
        ("empty.xlsx", b"", "empty"),
        ("binary.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not an Excel workbook"),
    ],
)
def test_check_workbook_refuses_non_workbooks(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError, match=message) as e:
        check_workbook(p)
    assert name in str(e.value)


def test_check_workbook_corrupt_zip(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx").read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError, match="damaged or truncated"):
        check_workbook(p)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return path


CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{}</Types>'


def test_check_workbook_xlsb_docx_ods_and_wrong_name(tmp_path):
    xlsb = CT.format('<Override PartName="/xl/workbook.bin" '
                     'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>')
    with pytest.raises(InputError, match=r"binary workbook \(.xlsb\)"):
        check_workbook(_zip(tmp_path / "b.xlsx", {"[Content_Types].xml": xlsb.encode()}))
    docx = CT.format('<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.wordprocessingml.document.main+xml"/>')
    with pytest.raises(InputError, match="not an Excel workbook"):
        check_workbook(_zip(tmp_path / "d.xlsx", {"[Content_Types].xml": docx.encode()}))
    with pytest.raises(InputError, match=r"OpenDocument \(.ods\)"):
        check_workbook(_zip(tmp_path / "o.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))
    with pytest.raises(InputError, match="not an Excel workbook"):
        check_workbook(_zip(tmp_path / "z.xlsx", {"readme.txt": b"hi"}))
    renamed = tmp_path / "report.zip"
    renamed.write_bytes(_xlsx(tmp_path / "x.xlsx").read_bytes())
    with pytest.raises(InputError, match=r"rename it to \.xlsx"):
        check_workbook(renamed)


def test_check_workbook_refuses_zip_bombs_and_xxe(tmp_path, monkeypatch):
    ct = CT.format('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/>')
    bomb = _zip(tmp_path / "bomb.xlsx", {"[Content_Types].xml": ct.encode(), "xl/big.xml": b"\0" * (20 << 20)})
    with pytest.raises(InputError, match="zip bomb"):
        check_workbook(bomb)
    monkeypatch.setattr(safe, "MAX_UNCOMPRESSED_BYTES", 1000)
    big = _zip(tmp_path / "big.xlsx", {"[Content_Types].xml": ct.encode(), "xl/a.xml": os.urandom(2000)})
    with pytest.raises(InputError, match="above the"):
        check_workbook(big)
    monkeypatch.undo()
    xxe = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&x;</Types>')
    with pytest.raises(InputError, match="unreadable"):
        check_workbook(_zip(tmp_path / "xxe.xlsx", {"[Content_Types].xml": xxe.encode()}))


def test_check_workbook_missing_and_folder(tmp_path):
    with pytest.raises(InputError, match="input file not found"):
        check_workbook(tmp_path / "nope.xlsx")
    with pytest.raises(InputError, match="got a folder"):
        check_workbook(tmp_path)


def test_extent_scan_agrees_with_a_plain_count_across_block_boundaries(tmp_path, monkeypatch):
    """The vectorised extent scan against a regex count of the same XML, with the sheet cut into
    blocks of every awkward size (tags split, references split, a block ending on 'r="')."""
    import random
    import re
    import zipfile

    from xl_cashrisk.io import safe

    rng = random.Random(7)
    letters = ["A", "B", "H", "Z", "AA", "AZ", "BC", "XFD"]
    for trial in range(12):
        rows, want_special = [], False
        row_no = 0
        for _ in range(rng.randint(1, 60)):
            row_no += rng.randint(1, 40)
            cells = []
            pool = letters[: rng.randint(1, len(letters))]
            for col in sorted(rng.sample(pool, rng.randint(1, len(pool))), key=lambda c: (len(c), c)):
                kind = rng.random()
                if kind < 0.1:
                    cells.append(f'<c r="{col}{row_no}" t="e"><v>#N/A</v></c>')
                    want_special = True
                elif kind < 0.2:
                    cells.append(f'<c r="{col}{row_no}"><f>1+1</f><v>2</v></c>')
                    want_special = True
                else:
                    cells.append(f'<c r="{col}{row_no}" t="inlineStr"><is><t>row r="9" &lt;f&gt;</t></is></c>')
            rows.append(f'<row r="{row_no}" spans="1:3">{"".join(cells)}</row>')
        xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               + "".join(rows) + "</sheetData></worksheet>").encode()
        refs = re.findall(rb'<c r="([A-Z]+)(\d+)"', xml)
        want_cols = max(sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(c.decode()))) for c, _ in refs)
        path = tmp_path / f"s{trial}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/worksheets/sheet1.xml", xml)
        for chunk in (7, 13, 64, 1 << 20):
            monkeypatch.setattr(safe, "SCAN_CHUNK", chunk)
            safe._PLAIN_PARTS.clear()
            with zipfile.ZipFile(path) as z:
                got = safe._sheet_extent(z, "xl/worksheets/sheet1.xml")
            assert got == (row_no, want_cols), (trial, chunk)
            assert safe.part_is_plain(path, "xl/worksheets/sheet1.xml") is (not want_special), (trial, chunk)


def _reference_extent(xml: bytes) -> tuple[int, int]:
    """Where a reader places each cell (calamine: a cell at its own reference, else after the previous cell
    of its row; a row at its reference, else after the previous row): the largest row and column used."""
    from xml.etree import ElementTree as ET

    from xl_cashrisk.io.safe import column_index

    rows = cols = row = 0
    for el in ET.fromstring(xml).iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "row":
            row = int(el.get("r")) if el.get("r") else row + 1
            col = 0
            for c in el:
                ref = c.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    col, r = column_index(letters.upper()) + 1, int(ref[len(letters):])
                else:
                    col, r = col + 1, row
                rows, cols = max(rows, r), max(cols, col)
    return rows, cols


@pytest.mark.parametrize("seed", range(30))
def test_extent_scan_bounds_every_spelling_of_a_reference(tmp_path, monkeypatch, seed):
    """Issue 15: the cell-area limit holds for a reference in any position of its tag, in either quote, with
    spaces around '=', lower case, a namespace prefix, and for rows and cells without any reference. The
    scan never reports less than a reader would place; it is exact when every element has a reference."""
    import random
    import zipfile

    from xl_cashrisk.io import safe

    rng = random.Random(seed)
    mixed = seed % 3 != 0  # every third sheet writes every reference, as Excel does
    prefix = "x:" if seed % 5 == 4 else ""
    ns = f'xmlns{":x" if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

    def attr(name: str, value: str) -> str:
        q = rng.choice(['"', "'"]) if mixed else '"'
        eq = rng.choice(["=", " = ", "\n=\t"]) if mixed else "="
        return f"{name}{eq}{q}{value}{q}"

    row_no, rows = 0, []
    for _ in range(rng.randint(1, 40)):
        row_no += rng.randint(1, 30)
        with_r = not mixed or rng.random() < 0.6
        cells, col = [], 0
        for _ in range(rng.randint(1, 12)):
            col = min(col + rng.randint(1, 3000), 16384)  # XFD at most: a 4-letter column is refused outright
            attrs = [' t="n"'] if rng.random() < 0.5 else []
            if not mixed or rng.random() < 0.7:
                letters = xl_col_to_name(col - 1)
                attrs.insert(rng.randint(0, len(attrs)), " " + attr("r", f"{letters.lower() if mixed and rng.random() < 0.2 else letters}{row_no}"))
            cells.append(f"<{prefix}c{''.join(attrs)}><{prefix}v>1</{prefix}v></{prefix}c>")
        row_attr = " " + attr("r", str(row_no)) if with_r else ""
        rows.append(f"<{prefix}row{row_attr}>{''.join(cells)}</{prefix}row>")
    xml = (f"<{prefix}worksheet {ns}><{prefix}sheetData>{''.join(rows)}</{prefix}sheetData></{prefix}worksheet>").encode()
    want = _reference_extent(xml)
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    for chunk in (29, 257, 1 << 20):
        monkeypatch.setattr(safe, "SCAN_CHUNK", chunk)
        with zipfile.ZipFile(path) as z:
            got = safe._sheet_extent(z, "xl/worksheets/sheet1.xml")
        assert got[0] >= want[0] and got[1] >= want[1], (seed, chunk, got, want)
        if not mixed:
            assert got == want, (seed, chunk)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("encrypted member", None, "is encrypted"),
    ("shared strings", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="4294967295">'
                       b"<si><t>a</t></si></sst>", "declares 4,294,967,295 strings"),
    ("byte 0xFF", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a\xffb</t></si></sst>',
     "holds the byte 0xFF"),
])
def test_check_workbook_refuses_what_would_crash_a_reader(tmp_path, name, data, message):
    import zipfile

    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", data or b"<sst/>")
    if data is None:  # set the 'encrypted' flag of the last member, in its local and central headers
        raw = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as z:
            raw[z.getinfo("xl/sharedStrings.xml").header_offset + 6] |= 1
        raw[raw.rfind(b"PK\x01\x02") + 8] |= 1
        path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=message):
        check_workbook(path)


def test_a_named_pipe_is_refused_at_once(tmp_path):
    import os

    fifo = tmp_path / "ledger.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        check_workbook(fifo)  # opening it would wait for a writer forever


def _excel_form_sheet(rng, *, prefix_rows: bool = False, text: str = "客户 &lt;c&gt; a:c") -> tuple[bytes, int, int]:
    """A worksheet written the way Excel writes one (every reference first in its tag), with references
    of 1-3 letters and 1-7 digits anywhere (not in order: a crafted file need not be), error and formula
    cells, and ``text`` in text cells; its largest row and column."""
    rows, top_row, top_col = [], 0, 0
    for _ in range(rng.randint(1, 50)):
        row_no = rng.choice([rng.randint(1, 9), rng.randint(1, 99_999), rng.randint(1, 1_048_576),
                             rng.randint(1_000_000, 9_999_999)])
        cells = []
        for _ in range(rng.randint(0, 6)):
            col = rng.choice([rng.randint(1, 26), rng.randint(27, 702), rng.randint(703, 16_384)])
            cell_row = row_no if rng.random() < 0.8 else rng.randint(1, 9_999_999)
            top_row, top_col = max(top_row, cell_row), max(top_col, col)
            ref = f"{xl_col_to_name(col - 1)}{str(cell_row).zfill(rng.choice([1, 1, 1, 7]))}"
            kind = rng.random()
            if kind < 0.1:
                cells.append(f'<c r="{ref}" s="3" t="e"><v>#N/A</v></c>')
            elif kind < 0.2:
                cells.append(f'<c r="{ref}"><f>SUM(A1:B2)</f><v>2</v></c>')
            elif kind < 0.3:
                cells.append(f'<c r="{ref}"/>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        top_row = max(top_row, row_no)
        spans = ' spans="1:8" x14ac:dyDescent="0.25"' if prefix_rows else ""
        rows.append(f'<row r="{row_no}"{spans}>{"".join(cells)}</row>' if cells or rng.random() < 0.5
                    else f'<row r="{row_no}"{spans}/>')
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           '2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><sheetData>'
           + "".join(rows) + "</sheetData></worksheet>")
    return xml.encode(), top_row, top_col


@pytest.mark.parametrize("seed", range(12))
def test_excel_form_blocks_agree_with_the_general_scan(tmp_path, monkeypatch, seed):
    """The fast reading of Excel-form blocks (8-byte words) gives the general scan's extent and formula/
    error verdict, whatever the block size, and takes the blocks it can."""
    import random

    rng = random.Random(seed)
    # text holding a reference: the general scan counts it too (it reads every r="…"), a reader does not
    markup = seed % 3 == 2
    xml, top_row, top_col = _excel_form_sheet(rng, prefix_rows=seed % 2 == 1,
                                              text='r="9" &lt;c r="XFD9999999"&gt;' if markup else "客户 a:c")
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    taken = []
    real = safe._Extent._excel_form

    def spy(self, a, n):
        taken.append(real(self, a, n))
        return taken[-1]

    for chunk in (61, 4096, 1 << 20):
        monkeypatch.setattr(safe, "SCAN_CHUNK", chunk)
        monkeypatch.setattr(safe._Extent, "_excel_form", spy)
        safe._PLAIN_PARTS.clear()
        with zipfile.ZipFile(path) as z:
            fast = safe._sheet_extent(z, "xl/worksheets/sheet1.xml")
        fast_plain = safe.part_is_plain(path, "xl/worksheets/sheet1.xml")
        monkeypatch.setattr(safe._Extent, "_excel_form", lambda self, a, n: False)
        safe._PLAIN_PARTS.clear()
        with zipfile.ZipFile(path) as z:
            general = safe._sheet_extent(z, "xl/worksheets/sheet1.xml")
        assert fast == (top_row, top_col), (seed, chunk)
        assert general == ((9_999_999, 16_384) if markup else fast), (seed, chunk)
        assert fast_plain is safe.part_is_plain(path, "xl/worksheets/sheet1.xml"), (seed, chunk)
    assert any(taken), seed


@pytest.mark.parametrize("xml", [
    b'<row r="1"><x:c r="A1"><v>1</v></x:c></row>',  # a namespace prefix
    b"<row r=\"1\"><c r='A1'><v>1</v></c></row>",  # single quotes
    b'<row r="1"><c s="1" r="A1"><v>1</v></c></row>',  # the reference not first
    b'<row r="1"><c><v>1</v></c></row>',  # no reference
    b'<row><c r="A1"><v>1</v></c></row>',  # a row without one
    b'<row r="1"><c r="a1"><v>1</v></c></row>',  # lower case
    b'<row r="1"><c r="AAAA1"><v>1</v></c></row>',  # four letters
    b'<row r="1"><c r="A12345678"><v>1</v></c></row>',  # eight digits
    b'<row r="12345678"><c r="A1"><v>1</v></c></row>',
    b'<row r="1"><c r="A1B2"><v>1</v></c></row>',
    b'<row r="1"><c r = "A1"><v>1</v></c></row>',
])
def test_excel_form_declines_other_spellings(xml):
    """Anything but Excel's own spelling goes to the general scan, which reads every spelling."""
    block = b"<sheetData>" + xml + b"</sheetData>"
    scan = safe._Extent()
    assert not scan._excel_form(safe._padded(block), len(block))
    assert (scan.cols, scan.cell_rows, scan.row_refs, scan.rows_seen) == (0, 0, 0, 0)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("inflater", ["default", "zlib"])
def test_member_pieces_are_the_member(tmp_path, monkeypatch, method, inflater):
    """The one-pass reading of a zip member (ISA-L's inflate where installed, else zlib) gives its bytes,
    in pieces of at most SCAN_CHUNK; a member cut short is refused in one line."""
    import random
    import zlib

    if inflater == "zlib":
        monkeypatch.setattr(safe, "_inflate", zlib)
    rng = random.Random(5)
    data = b"".join(f'<c r="B{i}" t="s"><v>{rng.randint(0, 10**6)}</v></c>'.encode() for i in range(40_000))
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("xl/worksheets/sheet1.xml", data)
        z.writestr("docProps/app.xml", b"<x/>")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        for size in (1000, 65536, 1 << 20):
            pieces = list(safe._member_pieces(z, info, size))
            assert b"".join(pieces) == data and max(map(len, pieces)) <= size
    raw = bytearray(path.read_bytes())
    del raw[info.header_offset + 30 + len(info.filename) + info.compress_size // 2:]  # the member cut in half
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as z, pytest.raises((EOFError, *safe.INFLATE_ERRORS)):
        info = z.getinfo("xl/worksheets/sheet1.xml")
        z.filename = str(cut)  # the same directory, the truncated bytes
        list(safe._member_pieces(z, info))


def test_extent_scan_reads_a_text_longer_than_many_pieces(tmp_path, monkeypatch):
    """A cell text with no '>' across hundreds of pieces is held until a tag ends and scanned once with the
    block it belongs to: the cells after it are still counted, and a non-UTF-8 byte inside it is still refused."""
    long_text = "长文本 long text " * 20_000  # ~360 kB of UTF-8, no '>'
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + long_text +
           '</t></is></c><c r="D1"><v>1</v></c></row><row r="7"><c r="B7"><v>2</v></c></row></sheetData>'
           '</worksheet>').encode()
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    for chunk in (97, 4096, 1 << 20):
        monkeypatch.setattr(safe, "SCAN_CHUNK", chunk)
        with zipfile.ZipFile(path) as z:
            assert safe._sheet_extent(z, "xl/worksheets/sheet1.xml") == (7, 4), chunk
    bad = xml.replace("长".encode(), b"\xff\xfe\xfd", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", bad)
    monkeypatch.setattr(safe, "SCAN_CHUNK", 97)
    with zipfile.ZipFile(path) as z, pytest.raises(InputError, match="0xFF"):
        safe._sheet_extent(z, "xl/worksheets/sheet1.xml")

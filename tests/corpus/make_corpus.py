"""Broken and hostile workbooks, generated at test time (nothing binary is committed).

``build_corpus(folder)`` writes every :data:`CASES` file into ``folder`` and returns the cases. Most
workbooks are written part by part with :func:`write_xlsx` (plain OOXML, inline strings), which gives
exact control over what a hostile or broken file holds: error cells, formulas without a saved value,
hidden sheets, merged cells, entity declarations, a 1,048,576-row sheet streamed in a few seconds.

Each :class:`Case` names the tables it is about (``scope``: "file" for any command, "ledger",
"register", "ledger+register") and the message fragment every command must print; ``row``/``column``
when the message must also point at a cell. Run ``python tests/corpus/make_corpus.py DIR`` to look at
the files in Excel.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name

AS_OF = dt.date(2026, 9, 30)
EPOCH = dt.date(1899, 12, 30)

LEDGER_HEADERS = ["Invoice no. 发票号码", "Buyer ID 客户编号", "Buyer name 客户名称", "Doc type 单据类型",
                  "Invoice date 开票日期", "Terms (days) 账期天数", "Due date 到期日", "Currency 币种",
                  "Amount 金额", "Paid amount 已收金额", "Last payment date 最近收款日", "Disputed 是否争议",
                  "Note 备注"]
IDX = {k: LEDGER_HEADERS.index(h) for k, h in {
    "invoice_no": "Invoice no. 发票号码", "buyer_id": "Buyer ID 客户编号", "buyer_name": "Buyer name 客户名称",
    "doc_type": "Doc type 单据类型", "invoice_date": "Invoice date 开票日期", "terms_days": "Terms (days) 账期天数",
    "due_date": "Due date 到期日", "currency": "Currency 币种", "amount": "Amount 金额",
    "paid_amount": "Paid amount 已收金额", "last_payment_date": "Last payment date 最近收款日",
    "disputed": "Disputed 是否争议", "note": "Note 备注"}.items()}


def serial(d: dt.date) -> float:
    return float((d - EPOCH).days)


# ------------------------------------------------------------------------------------------ cell markers
@dataclass(frozen=True)
class Err:
    """An Excel error cell (t="e"), e.g. Err("#REF!")."""

    code: str


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``cached`` None means no saved value (a file written by a script, never recalculated)."""

    text: str
    cached: object = None


@dataclass(frozen=True)
class RawV:
    """A numeric cell with a literal <v> text (e.g. 'NaN', '1e999')."""

    text: str


@dataclass(frozen=True)
class DateNum:
    """A number in a date-formatted cell (style 1 = yyyy-mm-dd), e.g. an amount typed into a date column."""

    value: float


@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[object]] = ()
    state: str = "visible"  # visible, hidden, veryHidden
    merges: Sequence[str] = ()
    first_row: int = 1  # Excel row of rows[0]
    xml: bytes | None = None  # the whole worksheet part, verbatim
    prolog: str = ""  # text inserted after the XML declaration (DOCTYPE for entity tests)


def _col(j: int) -> str:
    return xl_col_to_name(j)


def _cell(ref: str, v: object) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, Err):
        return f'<c r="{ref}" t="e"><v>{escape(v.code)}</v></c>'
    if isinstance(v, Formula):
        f = f"<f>{escape(v.text)}</f>"
        if v.cached is None:
            return f'<c r="{ref}">{f}</c>'
        if isinstance(v.cached, str):
            return f'<c r="{ref}" t="str">{f}<v>{escape(v.cached)}</v></c>'
        return f'<c r="{ref}">{f}<v>{v.cached!r}</v></c>'
    if isinstance(v, RawV):
        return f'<c r="{ref}"><v>{v.text}</v></c>'
    if isinstance(v, DateNum):
        return f'<c r="{ref}" s="1"><v>{float(v.value)!r}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"><v>{float(v)!r}</v></c>'
    if isinstance(v, dt.date):  # a date cell as Excel writes it: the serial with a date format
        return f'<c r="{ref}" s="1"><v>{serial(v)!r}</v></c>'
    text = str(v)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def sheet_xml(sheet: Sheet) -> bytes:
    if sheet.xml is not None:
        return sheet.xml
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', sheet.prolog,
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for i, row in enumerate(sheet.rows):
        r = sheet.first_row + i
        cells = "".join(_cell(f"{_col(j)}{r}", v) for j, v in enumerate(row))
        if cells:
            out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData>")
    if sheet.merges:
        out.append(f'<mergeCells count="{len(sheet.merges)}">'
                   + "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merges) + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


_WS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')


def write_xlsx(path: Path, sheets: Sequence[Sheet], *, main_type: str = MAIN_TYPE,
               extra: dict[str, bytes] | None = None, workbook_prolog: str = "", big: Callable | None = None,
               defined_names: str = "", date1904: bool = False, targets: Sequence[str] | None = None) -> Path:
    """A minimal valid workbook. ``big(zipfile, part_name)`` streams one sheet's part itself (1M rows);
    ``date1904`` sets the workbook's 1904 date system; ``targets`` names each sheet's part (default
    ``worksheets/sheetN.xml``, relative to ``xl/``)."""
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>']
    wb = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', workbook_prolog,
          f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}">',
          '<workbookPr date1904="1"/>' if date1904 else "", "<sheets>"]
    parts = [f"worksheets/sheet{i}.xml" for i in range(1, len(sheets) + 1)] if targets is None else list(targets)
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for i, s in enumerate(sheets, 1):
        ct.append(f'<Override PartName="/xl/{parts[i - 1]}" ContentType="{_WS_TYPE}"/>')
        state = "" if s.state == "visible" else f' state="{s.state}"'
        wb.append(f'<sheet name="{escape(s.name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="{parts[i - 1]}"/>')
    ct.append("</Types>")
    wb.append("</sheets>")
    if defined_names:
        wb.append(f"<definedNames>{defined_names}</definedNames>")
    wb.append("</workbook>")
    rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "".join(ct))
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                   f'"{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", "".join(wb))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
        z.writestr("xl/styles.xml", STYLES)
        for i, s in enumerate(sheets, 1):
            part = f"xl/{parts[i - 1]}"
            if big is not None and s.xml == b"BIG":
                big(z, part)
            else:
                z.writestr(part, sheet_xml(s))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


# ------------------------------------------------------------------------------------------ good data
def good_rows() -> list[list[object]]:
    """Five clean ledger lines (as of 2026-09-30, CNY and USD)."""
    d = dt.date
    return [
        ["INV-1", "B001", "Guangzhou Pearl Trading", "INV", d(2026, 8, 15), 60, None, "CNY", 100000.0, 0.0, None,
         False, ""],
        ["INV-2", "B002", "Hamburg Maschinen GmbH", "INV", d(2026, 6, 1), 30, d(2026, 7, 1), "USD", 20000.0, 5000.0,
         d(2026, 7, 20), True, "part paid"],
        ["CN-1", "B002", "Hamburg Maschinen GmbH", "CN", d(2026, 7, 5), 0, None, "USD", -1500.0, -1500.0,
         d(2026, 7, 5), False, ""],
        ["INV-3", "B003", "Chengdu Textiles", "INV", d(2026, 9, 1), 45, None, "CNY", 7777.77, 0.0, None, False, ""],
        ["INV-4", "B001", "Guangzhou Pearl Trading", "INV", d(2026, 5, 2), 30, None, "CNY", 55000.0, 0.0, None,
         False, ""],
    ]


def settings_sheet(as_of: object = AS_OF) -> Sheet:
    return Sheet("Settings", [
        ["Key 键", "Value 值", None, "Currency 币种", "Rate to home 兑本币汇率"],
        ["as_of", as_of, None, "USD", 7.10],
        ["home_currency", "CNY", None, "EUR", 7.75],
    ])


def ledger_book(path: Path, rows: Sequence[Sequence[object]] | None = None, *, headers=None, first_row: int = 1,
                more: Sequence[Sheet] = (), state: str = "visible", merges: Sequence[str] = (),
                settings: Sheet | None = None, **kw) -> Path:
    body = [list(headers or LEDGER_HEADERS), *(good_rows() if rows is None else rows)]
    sheets = [Sheet("AR Ledger", body, state=state, merges=merges, first_row=first_row),
              settings or settings_sheet(), *more]
    return write_xlsx(path, sheets, **kw)


def edited(changes: dict[tuple[int, str], object], extra_rows: Sequence[Sequence[object]] = ()) -> list[list[object]]:
    """good_rows() with {(0-based data row, column key): value} applied (Excel row = index + 2)."""
    rows = [list(r) for r in good_rows()] + [list(r) for r in extra_rows]
    for (i, key), v in changes.items():
        rows[i][IDX[key]] = v
    return rows


REGISTER_HEADERS = ["Buyer ID 客户编号", "Buyer name 客户名称", "Country 国家", "Sector 行业", "Total assets",
                    "Total liabilities", "Sales", "Insurer limit"]


def register_book(path: Path, rows: Sequence[Sequence[object]] | None = None, *, ledger: bool = False) -> Path:
    rows = rows if rows is not None else [
        ["B001", "Guangzhou Pearl Trading", "CN", "retail", 5.0e7, 2.0e7, 8.0e7, 300000.0],
        ["B002", "Hamburg Maschinen GmbH", "DE", "machinery", 9.0e7, 5.0e7, 1.2e8, 200000.0],
        ["B003", "Chengdu Textiles", "CN", "textiles", 2.0e7, 1.5e7, 3.0e7, None],
    ]
    sheets = [Sheet("Buyer Register", [REGISTER_HEADERS, *rows]), settings_sheet()]
    if ledger:
        sheets.insert(0, Sheet("AR Ledger", [LEDGER_HEADERS, *good_rows()]))
    return write_xlsx(path, sheets)


# ------------------------------------------------------------------------------------------ hostile parts
def billion_laughs(root: str = "lolz") -> str:
    ents = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                      for i in range(1, 10)]
    return f"<!DOCTYPE {root} [{''.join(ents)}]>"


def ole_file(path: Path, streams: Sequence[str]) -> Path:
    """A structurally valid compound file (CFB v3) whose root holds empty ``streams`` (names only).

    Enough for the magic-number and stream-name checks; a real encrypted workbook (msoffcrypto-tool, a
    test-only dependency we do not install) has the same two stream names.
    """
    sector = 512
    entries = [("Root Entry", 5, 0xFFFFFFFE, 1 if streams else 0xFFFFFFFF)]
    for name in streams:
        entries.append((name, 2, 0xFFFFFFFE, 0xFFFFFFFF))
    dir_bytes = b""
    for i, (name, kind, start, child) in enumerate(entries):
        n = (name + "\0").encode("utf-16-le")
        right = i + 1 if 0 < i < len(entries) - 1 else 0xFFFFFFFF
        dir_bytes += (n.ljust(64, b"\0") + struct.pack("<HBB", len(n), kind, 1)
                      + struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 16 + b"\0" * 4
                      + b"\0" * 16 + struct.pack("<IQ", start, 0))
    dir_bytes = dir_bytes.ljust(-(-len(dir_bytes) // sector) * sector, b"\0")
    n_dir = len(dir_bytes) // sector
    fat = [0xFFFFFFFD] + [i + 2 for i in range(1, n_dir)] + [0xFFFFFFFE]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
              + struct.pack("<I", 0) + struct.pack("<I", 0) + b"\xff" * 4 * 108)
    header = header[:76] + struct.pack("<I", 0) + b"\xff" * (512 - 80)
    path.write_bytes(header + fat_bytes + dir_bytes)
    return path


def million_rows(z: zipfile.ZipFile, part: str, n: int = 1_048_576) -> None:
    """A ledger sheet with a header and n-1 invoice rows, streamed (no <dimension>, so the size is found by scanning)."""
    with z.open(part, "w", force_zip64=True) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">')
        f.write("".join(_cell(f"{_col(j)}1", h) for j, h in enumerate(LEDGER_HEADERS[:9])).encode())
        f.write(b"</row>")
        chunk = []
        for r in range(2, n + 1):
            chunk.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r % 977}</v></c>'
                         f'<c r="E{r}"><v>{45900 + r % 300}</v></c><c r="F{r}"><v>{30 + 30 * (r % 3)}</v></c>'
                         f'<c r="H{r}" t="inlineStr"><is><t>CNY</t></is></c>'
                         f'<c r="I{r}"><v>{100 + r % 5000}</v></c></row>')
            if len(chunk) == 50_000:
                f.write("".join(chunk).encode())
                chunk = []
        f.write("".join(chunk).encode())
        f.write(b"</sheetData></worksheet>")


# ------------------------------------------------------------------------------------------ the cases
@dataclass
class Case:
    name: str
    what: str  # the wording of the case
    build: Callable[[Path], Path]
    fragment: str  # every command's output must contain this (case-insensitive, whitespace-normalised)
    scope: str = "ledger"  # file | ledger | register | ledger+register
    suffix: str = ".xlsx"
    row: int | None = None  # when set, the output must name this Excel row
    column: str | None = None  # ... and this column header (English part is enough)
    absent: Sequence[str] = ()  # fragments that must NOT appear (accepted values must not be flagged)
    slow: bool = False
    commands: Sequence[str] = field(default_factory=tuple)  # restrict to these commands (default: by scope)
    accepted: bool = False  # the file is read right: exit 0, and ``check`` holds
    check: Callable[[Path], None] | None = None  # asserts the values read from an accepted file


def _bytes(data: bytes) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        p.write_bytes(data)
        return p
    return build


def _truncated(p: Path) -> Path:
    ledger_book(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _corrupt_member(p: Path) -> Path:
    """A zip whose directory is intact but whose sheet data is damaged (bytes flipped): CRC/inflate fails."""
    rows = [list(good_rows()[0]) for _ in range(200)]
    for i, r in enumerate(rows):
        r[0] = f"INV-{i}"
    ledger_book(p, rows)
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(p.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 40, start + min(info.compress_size - 8, 400)):
        data[k] ^= 0x5A
    p.write_bytes(bytes(data))
    return p


def _plain_zip(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    return p


def _ods(p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return p


def _xlsb(p: Path) -> Path:
    return write_xlsx(p, [Sheet("AR Ledger", [["x"]])], main_type="application/vnd.ms-excel.sheet.binary.macroEnabled.main")


def _zip_bomb(p: Path) -> Path:
    ledger_book(p, extra={"xl/media/padding.bin": b"\0" * (64 << 20)})
    return p


def _sparse_bomb(p: Path) -> Path:
    return write_xlsx(p, [Sheet("AR Ledger", xml=(
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Invoice no.</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'))])


def _million(p: Path) -> Path:
    return write_xlsx(p, [Sheet("AR Ledger", xml=b"BIG"), settings_sheet()], big=million_rows)


def _laughs_sheet(p: Path) -> Path:
    rows = [LEDGER_HEADERS, ["&lol9;", "B001"]]
    xml = sheet_xml(Sheet("AR Ledger", rows)).replace(b"&amp;lol9;", b"&lol9;")
    xml = xml.replace(b"?>", b"?>" + billion_laughs("worksheet").encode(), 1)
    return write_xlsx(p, [Sheet("AR Ledger", xml=xml), settings_sheet()])


def _laughs_workbook(p: Path) -> Path:
    return ledger_book(p, workbook_prolog=billion_laughs("workbook"))


def _xxe_shared_strings(p: Path) -> Path:
    sst = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>')
    return ledger_book(p, extra={"xl/sharedStrings.xml": sst.encode()})


def _utf16_dtd(p: Path) -> Path:
    body = ('<?xml version="1.0" encoding="UTF-16"?>' + billion_laughs("sst")
            + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    return ledger_book(p, extra={"xl/sharedStrings.xml": b"\xff\xfe" + body.encode("utf-16-le")})


def _empty_workbook(p: Path) -> Path:
    return write_xlsx(p, [Sheet("Sheet1", [])])


def _no_ledger_sheet(p: Path) -> Path:
    return write_xlsx(p, [Sheet("Sales 2026", [["Month", "Sales"], ["Jan", 100.0]])])


def _header_only(p: Path) -> Path:
    return ledger_book(p, [])


def _headers_too_low(p: Path) -> Path:
    return ledger_book(p, first_row=40)


def _merged_headers(p: Path) -> Path:
    # Row 1: a banner "Dates 日期" merged over the two date columns, no date headers of their own.
    headers = list(LEDGER_HEADERS)
    headers[IDX["invoice_date"]] = "Dates 日期"
    headers[IDX["terms_days"]] = None
    headers[IDX["due_date"]] = None
    e = _col(IDX["invoice_date"])
    g = _col(IDX["due_date"])
    return ledger_book(p, headers=headers, merges=[f"{e}1:{g}1"])


def _missing_amount_column(p: Path) -> Path:
    headers = [h for h in LEDGER_HEADERS if not h.startswith("Amount")]
    rows = [[v for j, v in enumerate(r) if j != IDX["amount"]] for r in good_rows()]
    return ledger_book(p, rows, headers=headers)


def _rows(changes, extra=(), **kw) -> Callable[[Path], Path]:
    return lambda p: ledger_book(p, edited(changes, extra), **kw)


def _long_strings(p: Path) -> Path:
    rows = edited({(0, "buyer_name"): "长" * 40_000, (1, "note"): "x" * 32_767})
    rows[3][IDX["amount"]] = "9" * 5000
    return ledger_book(p, rows)


def _hidden(p: Path) -> Path:
    return ledger_book(p, edited({(2, "currency"): "XYZ"}), state="hidden",
                       more=[Sheet("Cover", [["Quarterly AR"]])])


def _very_hidden_duplicate(p: Path) -> Path:
    old = Sheet("AR Ledger (old)", [LEDGER_HEADERS, *edited({(0, "amount"): "old!"})], state="veryHidden")
    return ledger_book(p, edited({(4, "terms_days"): -3}), more=[old])


def _absurd(p: Path) -> Path:
    return ledger_book(p, edited({(0, "amount"): 1e300, (3, "amount"): 1e300}))


def _duplicate_headers(p: Path) -> Path:
    headers = [*LEDGER_HEADERS, "Amount 金额"]
    rows = [[*r, "oops"] for r in good_rows()]
    return ledger_book(p, rows, headers=headers)


def _bad_settings(p: Path) -> Path:
    return ledger_book(p, settings=settings_sheet(as_of="next Tuesday"))


def _missing_buyers(p: Path) -> Path:
    rows = edited({}, [["INV-9", "B404", "Ghost Buyer Ltd", "INV", dt.date(2026, 9, 1), 30, None, "CNY", 999.0,
                        0.0, None, False, ""]])
    body = [Sheet("AR Ledger", [LEDGER_HEADERS, *rows])]
    reg = [["B001", "Guangzhou Pearl Trading", "CN", "retail", 5.0e7, 2.0e7, 8.0e7, 300000.0],
           ["B002", "Hamburg Maschinen GmbH", "DE", "machinery", 9.0e7, 5.0e7, 1.2e8, 200000.0],
           ["B003", "Chengdu Textiles", "CN", "textiles", 2.0e7, 1.5e7, 3.0e7, None]]
    return write_xlsx(p, [*body, Sheet("Buyer Register", [REGISTER_HEADERS, *reg]), settings_sheet()])


# ------------------------------------------------------------------------------------------ issue 15 cases
def _patched(build: Callable[[Path], Path], fn: Callable[[dict[str, bytes]], None]) -> Callable[[Path], Path]:
    """A workbook from ``build`` with its members rewritten by ``fn`` (member name → bytes, in place)."""
    def make(p: Path) -> Path:
        build(p)
        with zipfile.ZipFile(p) as z:
            members = {i.filename: z.read(i) for i in z.infolist()}
        fn(members)
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        return p
    return make


def _date1904(p: Path) -> Path:
    """Dates typed as plain numbers in a workbook in the 1904 date system (day 0 = 1904-01-01)."""
    rows = [list(r) for r in good_rows()]
    for r in rows:
        for key in ("invoice_date", "due_date", "last_payment_date"):
            if isinstance(r[IDX[key]], dt.date):
                r[IDX[key]] = serial(r[IDX[key]]) - 1462.0
    return ledger_book(p, rows, settings=settings_sheet(as_of=serial(AS_OF) - 1462.0), date1904=True)


def _check_date1904(p: Path) -> None:
    from xl_cashrisk.io.reader import read_ledger

    r = read_ledger(p)
    assert r.report.ok, r.report.summary()
    assert r.frame["invoice_date"].dt.date.tolist() == [row[IDX["invoice_date"]] for row in good_rows()]
    assert r.frame["last_payment_date"].dt.date.tolist()[1] == dt.date(2026, 7, 20)


def _check_offsets(p: Path) -> None:
    from xl_cashrisk.io.reader import read_ledger

    r = read_ledger(p)
    assert r.report.ok, r.report.summary()
    assert r.frame["invoice_date"].dt.date.tolist()[:2] == [dt.date(2026, 8, 15), dt.date(2026, 6, 1)]


def _check_numbers(p: Path) -> None:
    from xl_cashrisk.io.reader import read_ledger

    r = read_ledger(p)
    assert r.report.ok, r.report.summary()
    assert r.frame["amount"].tolist()[:3] == [1_234_567.89, 20000.0, -1500.0]
    assert r.frame["paid_amount"].tolist()[2] == -1500.0


def _check_flags(p: Path) -> None:
    from xl_cashrisk.io.reader import read_ledger

    r = read_ledger(p)
    assert r.report.ok, r.report.summary()
    assert r.frame["disputed"].tolist() == [True, True, False, False, False]


def _amount_as_date(p: Path) -> Path:
    rows = edited({(0, "amount"): DateNum(100000.0), (3, "amount"): DateNum(7777.77)})
    return ledger_book(p, rows)


def _typo_header(p: Path) -> Path:
    headers = list(LEDGER_HEADERS)
    headers[IDX["due_date"]] = "Due dte 到期日"
    return ledger_book(p, edited({(0, "due_date"): D(2026, 10, 14)}), headers=headers)


def _byte_ff(members: dict[str, bytes]) -> None:
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"Pearl", b"Pe\xffrl", 1)


def _encrypted_flag(p: Path) -> Path:
    """A workbook whose first sheet's zip entry carries the 'encrypted' flag (bit 0), in both headers."""
    ledger_book(p)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data[info.header_offset + 6] |= 1
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = int.from_bytes(data[at + 28:at + 30], "little")
        if bytes(data[at + 46:at + 46 + n]) == b"xl/worksheets/sheet1.xml":
            data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 4)
    p.write_bytes(bytes(data))
    return p


def _huge_sst(p: Path) -> Path:
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="4294967295" uniqueCount="4294967295"><si><t>Invoice no.</t></si></sst>')
    return ledger_book(p, extra={"xl/sharedStrings.xml": sst.encode()})


def _fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


_WS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Invoice no. \xe5\x8f\x91\xe7\xa5\xa8\xe5\x8f'
            b'\xb7\xe7\xa0\x81</t></is></c></row>')


def _area(cells: bytes, **kw) -> Callable[[Path], Path]:
    """A 1 kB sheet whose cells, spelled as given, span more than 20 million cells."""
    xml = _WS_HEAD + cells + b"</sheetData></worksheet>"
    return lambda p: write_xlsx(p, [Sheet("AR Ledger", xml=xml), settings_sheet()], **kw)


def _utf16_sheet(p: Path) -> Path:
    xml = sheet_xml(Sheet("AR Ledger", [LEDGER_HEADERS, *good_rows()]))
    xml = xml.replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    return write_xlsx(p, [Sheet("AR Ledger", xml=b"\xff\xfe" + xml.decode().encode("utf-16-le")), settings_sheet()])


def _csv(text: str) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        p.write_text(text, encoding="utf-8")
        return p
    return build


_CSV_HEAD = "Invoice no.,Buyer ID,Buyer name,Invoice date,Terms (days),Currency,Amount\n"


D = dt.date
CASES: list[Case] = [
    # ---- not a usable workbook file (every command)
    Case("not_excel", "not an Excel file", _bytes(bytes(range(7, 256)) * 12), "not an Excel workbook", "file"),
    Case("renamed_csv", "a renamed CSV", _bytes(b"Invoice no.,Amount\nINV-1,100\n"), "a CSV or text file",
         "file"),
    Case("empty_file", "a 0-byte file", _bytes(b""), "the file is empty", "file"),
    Case("truncated_zip", "a truncated zip", _truncated, "damaged or truncated", "file"),
    Case("corrupt_member", "a corrupt zip (damaged sheet data)", _corrupt_member, "damaged", "file"),
    Case("plain_zip", "a zip that is no workbook", _plain_zip, "not an Excel workbook", "file"),
    Case("encrypted", "a password-protected workbook",
         lambda p: ole_file(p, ["EncryptionInfo", "EncryptedPackage"]), "password-protected", "file"),
    Case("xls", "an .xls (Excel 97-2003) file", lambda p: ole_file(p, ["Workbook"]), "Excel 97-2003", "file",
         suffix=".xls"),
    Case("xls_named_xlsx", "an .xls renamed to .xlsx", lambda p: ole_file(p, ["Workbook"]), "save as .xlsx", "file"),
    Case("xlsb", "an .xlsb binary workbook", _xlsb, "binary workbook (.xlsb)", "file", suffix=".xlsb"),
    Case("ods", "an OpenDocument spreadsheet", _ods, "OpenDocument", "file", suffix=".ods"),
    Case("wrong_extension", "an .xlsx named .dat", lambda p: ledger_book(p), "rename it to .xlsx", "file",
         suffix=".dat"),
    Case("zip_bomb", "a zip bomb (member expanding >200x)", _zip_bomb, "zip bomb", "file"),
    Case("sparse_bomb", "one cell at XFD1048576 (17 billion-cell area)", _sparse_bomb, "million cells", "file"),
    Case("million_rows", "1,048,576 rows: Excel's full height, processed", _million, "1048575 rows", "file",
         slow=True, commands=("validate",)),  # read in full by validate; bench/ measures age on 1M rows
    Case("billion_laughs_sheet", "XML entity expansion in a sheet", _laughs_sheet, "DTD", "file"),
    Case("billion_laughs_workbook", "XML entity expansion in workbook.xml", _laughs_workbook, "DTD", "file"),
    Case("xxe_shared_strings", "an external entity (XXE) in sharedStrings", _xxe_shared_strings, "DTD", "file"),
    Case("utf16_dtd", "entity expansion hidden in UTF-16 XML", _utf16_dtd, "DTD", "file"),
    # ---- workbook structure
    Case("empty_workbook", "an empty workbook", _empty_workbook, "AR Ledger", "ledger"),
    Case("missing_sheet", "the ledger sheet is missing", _no_ledger_sheet, "AR Ledger", "ledger"),
    Case("header_only", "headers but no data rows", _header_only, "no data rows", "ledger-only"),
    Case("headers_wrong_row", "headers below row 30", _headers_too_low, "cannot find the header row", "ledger"),
    Case("merged_headers", "merged header cells over the date columns", _merged_headers,
         "required column missing", "ledger", column="Invoice date"),
    Case("missing_column", "a required column missing", _missing_amount_column, "required column missing",
         "ledger", column="Amount"),
    Case("duplicate_header", "the Amount header twice", _duplicate_headers, "Amount", "ledger"),
    Case("bad_settings", "an unreadable as-of date in Settings", _bad_settings, "next Tuesday", "ledger"),
    # ---- cells
    Case("text_in_number", "text in a number cell", _rows({(1, "amount"): "twenty thousand"}),
         "expected a number, got 'twenty thousand'", row=3, column="Amount"),
    Case("numbers_as_text", "numbers stored as text (accepted) next to a European-format number",
         _rows({(0, "amount"): "100,000.00", (1, "paid_amount"): " 5000 ", (3, "amount"): "7.777,77"}),
         "7.777,77", row=5, column="Amount", absent=("'100,000.00'", "' 5000 '")),
    Case("dates_as_text", "dates as text: ISO, slashes, Chinese (accepted); day-first and words refused",
         _rows({(0, "invoice_date"): "2026-08-15", (1, "invoice_date"): "2026/6/1", (2, "invoice_date"): "2026年7月5日",
                (3, "invoice_date"): "01.09.2026", (4, "invoice_date"): "May 2nd"}),
         "01.09.2026", row=5, column="Invoice date", absent=("'2026-08-15'", "'2026/6/1'", "2026年7月5日")),
    Case("us_date_text", "an ambiguous 03/04/2026 date as text", _rows({(0, "due_date"): "03/04/2026"}),
         "03/04/2026", row=2, column="Due date"),
    Case("negative_invoice", "a negative invoice amount", _rows({(0, "amount"): -100000.0}),
         "needs a positive amount", row=2, column="Amount"),
    Case("absurd_amount", "an absurd amount (1e300)", _absurd, "1e+300", row=2, column="Amount"),
    Case("nan_text", "NaN and inf typed as text", _rows({(0, "amount"): "NaN", (3, "paid_amount"): "inf"}),
         "got 'NaN'", row=2, column="Amount"),
    Case("inf_value", "an infinite number stored in the XML", _rows({(0, "amount"): RawV("1e999")}),
         "amount", row=2, column="Amount"),
    Case("nan_value", "a NaN stored in the XML", _rows({(3, "amount"): RawV("NaN")}), "amount", row=5,
         column="Amount"),
    Case("duplicate_keys", "a duplicate invoice number", _rows({(3, "invoice_no"): "INV-1"}),
         "duplicate value 'INV-1' (first on row 2)", row=5, column="Invoice no"),
    Case("missing_buyers", "buyers in the ledger missing from the register", _missing_buyers, "B404",
         "ledger+register"),
    Case("future_dates", "an invoice dated after the as-of date", _rows({(3, "invoice_date"): D(2027, 1, 5)}),
         "after the as-of date 2026-09-30", row=5, column="Invoice date"),
    Case("error_ref", "a #REF! error cell", _rows({(1, "amount"): Err("#REF!")}), "Excel error value #REF!",
         row=3, column="Amount"),
    Case("error_na", "a #N/A error cell in a date", _rows({(2, "invoice_date"): Err("#N/A")}),
         "Excel error value #N/A", row=4, column="Invoice date"),
    Case("error_div0_text", "'#DIV/0!' typed as text", _rows({(0, "paid_amount"): "#DIV/0!"}), "#DIV/0!",
         row=2, column="Paid amount"),
    Case("long_strings", "very long strings (40,000 characters)", _long_strings, "expected a number, got '9999", row=5, column="Amount"),
    Case("chinese_emoji", "Chinese text and emoji (accepted) and an emoji in a number cell",
         _rows({(0, "buyer_name"): "广州珠江贸易有限公司 🚢", (1, "note"): "部分付款 💰✅", (2, "amount"): "💰-1500"}),
         "💰-1500", row=4, column="Amount", absent=("广州珠江贸易有限公司",)),
    Case("hidden_sheet", "the ledger on a hidden sheet (read, and its problems reported)", _hidden, "XYZ",
         row=4, column="Currency"),
    Case("very_hidden_duplicate", "a very hidden stale copy of the ledger", _very_hidden_duplicate,
         "must be at least 0", row=6, column="Terms", absent=("old!",)),
    Case("formula_no_value", "a formula without a saved value", _rows({(1, "amount"): Formula("SUM(X1:X9)")}),
         "=SUM(X1:X9)", row=3, column="Amount"),
    Case("formula_as_text", "a formula typed as text", _rows({(0, "amount"): "=A1*2"}), "formula stored as text",
         row=2, column="Amount"),
    Case("dde_formula", "a DDE / external-link formula with a cached value (read as data, never run)",
         _rows({(0, "note"): Formula("cmd|' /C calc'!A0", cached="ok"),
                (1, "amount"): Formula("'[1]Sheet1'!A1", cached="linked?")}),
         "expected a number, got 'linked?'", row=3, column="Amount"),
    Case("paid_more_than_amount", "paid more than the invoice", _rows({(3, "paid_amount"): 9999.0}),
         "larger than the amount", row=5, column="Paid amount"),
    Case("bad_bool", "a Disputed cell saying 'maybe'", _rows({(0, "disputed"): "maybe"}),
         "expected TRUE or FALSE", row=2, column="Disputed"),
    Case("unknown_currency", "a currency without an FX rate", _rows({(3, "currency"): "GBP"}), "no FX rate for GBP",
         row=5, column="Currency"),
    Case("blank_required", "a blank required cell", _rows({(2, "buyer_id"): None}), "required", row=4,
         column="Buyer ID"),
    Case("date_before_1900", "a date serial before 1900-03-01", _rows({(0, "invoice_date"): -5.0}), "date",
         row=2, column="Invoice date"),
    Case("terms_too_long", "terms of 5000 days", _rows({(1, "terms_days"): 5000}), "at most 3650", row=3,
         column="Terms"),
    # ---- the buyer register
    Case("register_text_in_number", "text in a register number cell",
         lambda p: register_book(p, [["B001", "X", "CN", "retail", "lots", 1.0, 1.0, None]]), "'lots'", "register",
         row=2, column="Total assets"),
    Case("register_duplicate_buyer", "a buyer twice in the register",
         lambda p: register_book(p, [["B001", "X", "CN", "retail", 1e6, 1.0, 1.0, None],
                                     ["B001", "Y", "CN", "retail", 1e6, 1.0, 1.0, None]]), "duplicate", "register",
         row=3, column="Buyer ID"),
    # ---- issue 15: dates, numbers and flags read right or refused with the cell
    Case("date1904_serials", "a 1904-date-system workbook with dates as plain numbers (read in that system)",
         _date1904, "", accepted=True, check=_check_date1904),
    Case("due_9999", "a due date typed as 9999-12-31 (never wraps to 1816)", _rows({(0, "due_date"): D(9999, 12, 31)}),
         "not a valid Excel date", row=2, column="Due date"),
    Case("due_9999_12_30", "a due date of 9999-12-30 (a valid Excel date, not a plausible due date)",
         _rows({(0, "due_date"): D(9999, 12, 30)}), "9999-12-30 is more than 50 years after the as-of date 2026-09-30",
         row=2, column="Due date"),
    Case("due_3026_text", "a due date typed as the text 3026-10-14", _rows({(0, "due_date"): "3026-10-14"}),
         "3026-10-14 is more than 50 years after the as-of date", row=2, column="Due date"),
    Case("due_3026_cell", "a date cell in year 3026 (Arrow out of bounds)", _rows({(0, "due_date"): D(3026, 10, 14)}),
         "3026-10-14 is more than 50 years", row=2, column="Due date"),
    Case("due_serial_max", "a due date given as serial 2958465", _rows({(0, "due_date"): 2958465.0}),
         "not a valid Excel date serial", row=2, column="Due date"),
    Case("date_0001", "an invoice date typed as 0001-01-01", _rows({(0, "invoice_date"): "0001-01-01"}),
         "not a valid Excel date", row=2, column="Invoice date"),
    Case("date_year_only", "a due date typed as 2026 (never read as 1 January)", _rows({(0, "due_date"): "2026"}),
         "incomplete date", row=2, column="Due date"),
    Case("date_year_month", "a due date typed as 2026-07 (never read as 1 July)", _rows({(1, "due_date"): "2026-07"}),
         "incomplete date", row=3, column="Due date"),
    Case("text_date_before_1900", "a text date before 1900-03-01, refused like a date cell",
         _rows({(0, "invoice_date"): "1850-01-01"}), "not a valid Excel date", row=2, column="Invoice date"),
    Case("iso_offset_dates", "ISO date-times with a UTC offset or Z, read as the date written",
         _rows({(0, "invoice_date"): "2026-08-15T02:00:00+08:00", (1, "invoice_date"): "2026-06-01T23:30:00Z"}), "",
         accepted=True, check=_check_offsets),
    Case("as_of_3026", "an as-of date typed as 3026-09-30", lambda p: ledger_book(p, settings=settings_sheet("3026-09-30")),
         "more than 50 years after today"),
    Case("percent_amount", "a percent in an amount column", _rows({(0, "amount"): "5%"}),
         "a percentage where an amount belongs", row=2, column="Amount"),
    Case("accounting_numbers", "thousands separators and parenthesised negatives (read right)",
         _rows({(0, "amount"): "1,234,567.89", (2, "amount"): "(1,500.00)", (2, "paid_amount"): "(1,500.00)"}), "",
         accepted=True, check=_check_numbers),
    Case("flag_words", "TRUE/FALSE words of the one set (t, 是, no, 0)",
         _rows({(0, "disputed"): "t", (1, "disputed"): "是", (2, "disputed"): "no", (3, "disputed"): 0.0}), "",
         accepted=True, check=_check_flags),
    Case("amount_as_date", "amount cells formatted as dates", _amount_as_date, "formatted as a date", row=2,
         column="Amount"),
    Case("misspelled_header", "a misspelled header over a filled column (Due dte)", _typo_header,
         "close to 'Due date 到期日', which is missing", row=1, column="Due dte"),
    Case("long_buyer_name", "a 40,000-character buyer name (never cut to 32,767 without a word)",
         _rows({(0, "buyer_name"): "名" * 40_000}), "a cell holds at most 32,767", row=2, column="Buyer name"),
    # ---- issue 15: hostile files refused at once, with one line
    Case("encrypted_member", "a zip member with the encryption flag", _encrypted_flag, "is encrypted", "file"),
    Case("byte_ff", "a byte 0xFF in a text cell", _patched(ledger_book, _byte_ff), "cell C2 holds the byte 0xFF", "file"),
    Case("shared_strings_count", "a 3 kB file declaring 4,294,967,295 shared strings (Rust allocation abort)",
         _huge_sst, "declares 4,294,967,295 strings", "file"),
    Case("named_pipe", "a named pipe called .xlsx (never hangs)", _fifo, "named pipe", "file"),
    Case("area_outside_worksheets", "a sheet part outside xl/worksheets/ spanning 17 billion cells",
         _area(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', targets=["data/ledger.xml", "data/settings.xml"]),
         "million cells", "file"),
    Case("area_single_quotes", "single-quoted r='…' references spanning 17 billion cells",
         _area(b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"), "million cells", "file"),
    Case("area_ref_not_last", "the far cell reference not last in its row block",
         _area(b'<row><c r="XFD1048576"><v>1</v></c><c><v>2</v></c></row>'), "million cells", "file"),
    Case("area_ref_after_type", "the reference after the type attribute, with spaces around '='",
         _area(b'<row r = "1048576"><c t="n" r = "XFD1048576"><v>1</v></c></row>'), "million cells", "file"),
    Case("area_cells_without_refs", "cells without references in a row at the sheet's foot",
         _area(b'<row r="1048576">' + b"<c><v>1</v></c>" * 30 + b"</row>"), "million cells", "file"),
    Case("utf16_sheet", "a worksheet stored as UTF-16", _utf16_sheet, "UTF-16", "file"),
    Case("csv_huge_field", "a CSV field over 131,072 characters",
         _csv(_CSV_HEAD + 'INV-1,B001,"' + "x" * 140_000 + '",2026-08-15,30,CNY,100\n'), "131,072", "file",
         suffix=".csv", commands=("import",)),
    Case("csv_open_quote", "a CSV quote that never closes (never 0 rows and exit 0)",
         _csv(_CSV_HEAD + 'INV-1,B001,"Pearl Trading,2026-08-15,30,CNY,100\nINV-2,B002,Hamburg,2026-06-01,30,CNY,200\n'),
         "never closes", "file", suffix=".csv", commands=("import",)),
    Case("stress_without_forecast", "stress on a workbook without a Forecast sheet (never all GREEN)",
         lambda p: ledger_book(p), "no 'Forecast' sheet", commands=("stress",)),
]


def build_corpus(folder: str | Path, *, include_slow: bool = True) -> list[tuple[Case, Path]]:
    """Write every case into ``folder``; returns (case, path) pairs."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case in CASES:
        if case.slow and not include_slow:
            continue
        path = folder / f"{case.name}{case.suffix}"
        case.build(path)
        out.append((case, path))
    return out


if __name__ == "__main__":  # pragma: no cover - for a human to look at the files
    for case, path in build_corpus(sys.argv[1] if len(sys.argv) > 1 else "corpus-out"):
        print(f"{path}  {case.what}")

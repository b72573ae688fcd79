"""The add-in's VBA project: written by LibreOffice headless, read back here to prove what is inside.

The project is a package asset (``vba/vbaProject.bin``), built by a maintainer with
``xl-cashrisk addin build-vba`` whenever ``vba/CashRisk.bas`` or the pinned xlwings changes; users'
``addin build``/``addin install`` copy it and need no LibreOffice. A test checks the asset is current.

Writing. LibreOffice can export a VBA project into OOXML (its ``VbaExport``, used when Calc saves an
``.xlsm`` with "save original Basic code" on). It writes every module's *source* (compressed as MS-OVBA
requires) and no compiled p-code: the ``_VBA_PROJECT`` stream is the 7-byte header only, which tells
Excel to compile from source when it first opens the file. We load the xlwings ribbon add-in template
in LibreOffice, replace its modules with ours, name the project, and keep only the resulting
``vbaProject.bin``. :func:`embed_vba` drives LibreOffice's own Python (it must ``import uno``) with
``lo_vba.py``. Measured with LibreOffice 25.2: the xlwings module comes back byte-identical to
``xlwings_custom_addin.bas`` except the ``PROJECT_NAME`` line we change.

Reading. :func:`read_vba_project` parses the compound file (MS-CFB), the ``dir`` stream and each
module's compressed source (MS-OVBA 2.4.1) with the standard library, so the build and the tests can
check the modules and callbacks without Excel (the tests cross-check it with oletools).
What Linux cannot show — that Excel compiles the project and runs the callbacks — is the release
smoke test (docs/windows-smoke-test.md).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from xl_cashrisk.build.calc.unodriver import lo_environment, lo_python
from xl_cashrisk.errors import CashRiskError

__all__ = ["VbaModule", "VbaProject", "code_lines", "decompress", "embed_vba", "read_vba_project"]

HERE = Path(__file__).resolve().parent
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
END_OF_CHAIN = 0xFFFFFFFE
NO_STREAM = 0xFFFFFFFF
LO_TIMEOUT = 180  # seconds for one LibreOffice run (start, load, save)


@dataclass(frozen=True)
class VbaModule:
    name: str
    stream: str
    kind: str  # "procedural" or "class/document"
    source: str


@dataclass(frozen=True)
class VbaProject:
    name: str
    code_page: int
    modules: dict[str, VbaModule]
    references: tuple[str, ...]
    performance_cache: bool  # False: a source-only project that Excel compiles on first open


# ---------------------------------------------------------------------------------------------- reading
def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression of a CompressedContainer.

    >>> decompress(bytes.fromhex("01 19 b0 00 61 62 63 64 65 66 67 68 00 69 6a 6b 6c 6d 6e 6f 70 00 71 72 73 2e"))
    b'abcdefghijklmnopqrs.'
    """
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 1)")
    out = bytearray()
    pos = 1
    while pos < len(data) - 1:
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        chunk = data[pos + 2:pos + size]
        pos += size
        if not header & 0x8000:  # raw chunk
            out += chunk[:4096]
            continue
        start, i = len(out), 0
        while i < len(chunk):
            flags = chunk[i]
            i += 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags >> bit & 1:
                    out.append(chunk[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", chunk, i)[0]
                i += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _cfb_streams(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file (MS-CFB), by path ("VBA/dir")."""
    if data[:8] != CFB_MAGIC:
        raise ValueError("not a compound file")
    ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    msz = 1 << struct.unpack_from("<H", data, 0x20)[0]
    first_dir, = struct.unpack_from("<I", data, 0x30)
    cutoff, first_mini, _n_mini, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)

    def sector(i: int) -> bytes:
        return data[(i + 1) * ssz:(i + 2) * ssz]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < END_OF_CHAIN]
    d = first_difat
    for _ in range(n_difat):
        entries = struct.unpack(f"<{ssz // 4}I", sector(d))
        fat_sectors += [s for s in entries[:-1] if s < END_OF_CHAIN]
        d = entries[-1]
    fat = [v for s in fat_sectors for v in struct.unpack(f"<{ssz // 4}I", sector(s))]

    def chain(start: int, table: list[int]) -> list[int]:
        out = []
        while start < END_OF_CHAIN and len(out) <= len(table):
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(s) for s in chain(first_dir, fat))
    entries = [directory[k:k + 128] for k in range(0, len(directory), 128)]
    mini_stream = b"".join(sector(s) for s in chain(struct.unpack_from("<I", entries[0], 116)[0], fat))
    minifat = [v for s in chain(first_mini, fat) for v in struct.unpack(f"<{ssz // 4}I", sector(s))]

    def read(e: bytes) -> bytes:
        start, size = struct.unpack_from("<II", e, 116)
        if size < cutoff:
            return b"".join(mini_stream[s * msz:(s + 1) * msz] for s in chain(start, minifat))[:size]
        return b"".join(sector(s) for s in chain(start, fat))[:size]

    streams: dict[str, bytes] = {}

    def walk(i: int, prefix: str) -> None:
        if i == NO_STREAM or i >= len(entries):
            return
        e = entries[i]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[:max(name_len - 2, 0)].decode("utf-16-le")
        kind = e[66]
        left, right, child = struct.unpack_from("<III", e, 68)
        walk(left, prefix)
        walk(right, prefix)
        if kind == 2:
            streams[prefix + name] = read(e)
        elif kind == 1:
            walk(child, prefix + name + "/")

    walk(struct.unpack_from("<I", entries[0], 76)[0], "")
    return streams


def read_vba_project(source: str | Path | bytes) -> VbaProject:
    """The VBA project of an ``.xlam``/``.xlsm`` file (or of raw ``vbaProject.bin`` bytes)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(Path(source) if not isinstance(source, bytes) else __import__("io").BytesIO(data)) as z:
            data = z.read("xl/vbaProject.bin")
    streams = _cfb_streams(data)
    root = "VBA/"
    d = decompress(streams[root + "dir"])
    pos, code_page, project, refs = 0, 1252, "", []
    modules: list[dict] = []
    while pos + 6 <= len(d):
        rid, size = struct.unpack_from("<HI", d, pos)
        pos += 6
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, the record holds 6 bytes
            size = 6
        body = d[pos:pos + size]
        pos += size
        if rid == 0x0003:
            code_page = struct.unpack_from("<H", body)[0]
        elif rid == 0x0004:
            project = body.decode("latin-1")
        elif rid == 0x0016:
            refs.append(body.decode("latin-1"))
        elif rid == 0x0019:
            modules.append({"name": body.decode("latin-1"), "kind": "procedural", "offset": 0})
        elif rid == 0x001A and modules:
            modules[-1]["stream"] = body.decode("latin-1")
        elif rid == 0x0031 and modules:
            modules[-1]["offset"] = struct.unpack_from("<I", body)[0]
        elif rid == 0x0022 and modules:
            modules[-1]["kind"] = "class/document"
        elif rid == 0x0010:  # end of the dir stream
            break
    encoding = f"cp{code_page}"
    out = {}
    for m in modules:
        raw = streams[root + m.get("stream", m["name"])]
        text = decompress(raw[m["offset"]:]).decode(encoding, "replace")
        out[m["name"]] = VbaModule(m["name"], m.get("stream", m["name"]), m["kind"], text)
    cache = streams.get(root + "_VBA_PROJECT", b"")
    return VbaProject(project, code_page, out, tuple(refs), len(cache) > 7)


def procedures(source: str) -> list[str]:
    """Names of the Sub/Function procedures defined in VBA source."""
    import re

    pattern = re.compile(r"^\s*(?:Public\s+|Private\s+|Friend\s+)?(?:Static\s+)?(?:Sub|Function)\s+(\w+)",
                         re.I | re.M)
    return pattern.findall(source)


# ---------------------------------------------------------------------------------------------- writing
def embed_vba(template: bytes, modules: dict[str, str], *, remove: tuple[str, ...] = (),
              library: str = "MyAddin", project: str = "MyAddin") -> bytes:
    """A ``vbaProject.bin``: the template workbook's project with ``modules`` (name → source) set,
    ``remove`` deleted and the project named ``project``, written by LibreOffice headless. Raises
    :class:`CashRiskError` if LibreOffice is missing or its output does not hold the modules exactly."""
    try:
        exe = lo_python()
    except FileNotFoundError:
        exe = None
    if exe is None or not shutil.which("soffice", path=lo_environment()["PATH"]):
        raise CashRiskError("LibreOffice headless (soffice and a Python that can 'import uno') is needed to "
                            "rebuild the add-in's VBA project (a maintainer step; users get it built)")
    with tempfile.TemporaryDirectory(prefix="xlc-vba-") as tmp:
        tmpdir = Path(tmp)
        src, out = tmpdir / "in.xlsm", tmpdir / "out.xlsm"
        src.write_bytes(_as_workbook(template))
        job = {"input": str(src), "output": str(out), "library": library, "project": project, "set": modules,
               "remove": list(remove), "profile": str(tmpdir / "profile")}
        (tmpdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        try:
            proc = subprocess.run([exe, str(HERE / "lo_vba.py"), str(tmpdir / "job.json")], capture_output=True,
                                  text=True, timeout=LO_TIMEOUT, env=lo_environment())
        except subprocess.TimeoutExpired:
            raise CashRiskError(f"LibreOffice did not finish writing the VBA project within {LO_TIMEOUT} s") from None
        if proc.returncode != 0 or not out.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise CashRiskError(f"LibreOffice could not write the VBA project: {detail[0]}")
        with zipfile.ZipFile(out) as z:
            blob = z.read("xl/vbaProject.bin")
    written = read_vba_project(blob)
    for name, source in modules.items():
        got = written.modules.get(name)
        if got is None or code_lines(got.source) != code_lines(source):
            raise CashRiskError(f"LibreOffice's VBA project does not hold module {name} as given")
    if written.name != project:
        raise CashRiskError(f"LibreOffice named the VBA project {written.name!r}, not {project!r}")
    return blob


def code_lines(source: str) -> list[str]:
    """VBA source compared the way the VBA editor shows it: no Attribute lines, no line-end or blank-line noise."""
    return [ln.rstrip() for ln in source.replace("\r\n", "\n").split("\n")
            if ln.strip() and not ln.startswith("Attribute VB_") and ln.strip() != "Option VBASupport 1"]


def _as_workbook(xlam: bytes) -> bytes:
    """The add-in as a visible macro workbook: LibreOffice does not load the add-in content type."""
    import io

    src = zipfile.ZipFile(io.BytesIO(xlam))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            elif info.filename == "xl/workbook.xml":
                data = data.replace(b'visibility="hidden" ', b"")
            z.writestr(info.filename, data)
    return buf.getvalue()

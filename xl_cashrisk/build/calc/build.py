"""Build the LibreOffice Calc add-in extension (``xl-cashrisk.oxt``) from the ``udfs`` registry.

Everything Calc needs is generated from :data:`udfs._registry.FUNCTIONS`, so a function added to
``udfs/`` is in Calc after a rebuild, with no hand edit:

- an IDL interface ``org.xlcashrisk.calc.XCashRisk`` with one method per function; every parameter
  is ``any``, which lets Calc pass a single value, a range (a tuple of rows) or nothing (an omitted
  optional argument), and every result is ``sequence<sequence<any>>`` (a value is a 1×1 matrix);
- its type library, compiled with LibreOffice's ``unoidl-write`` against LibreOffice's own types;
- the Python UNO component (from the template ``component.py.txt``) with the function list,
  summaries and argument docs baked in, and the paths where LibreOffice's Python finds this project;
- ``META-INF/manifest.xml`` and ``description.xml`` (version = ``xl_cashrisk.__version__``).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from xl_cashrisk import __version__
from xl_cashrisk.errors import CashRiskError

EXTENSION_ID = "org.xlcashrisk.calc"
SERVICE_NAME = "org.xlcashrisk.calc.CashRisk"
IMPLEMENTATION_NAME = "org.xlcashrisk.calc.CashRiskImpl"
INTERFACE_MODULE = "org.xlcashrisk.calc"
INTERFACE_NAME = "XCashRisk"
OXT_NAME = "xl-cashrisk.oxt"
COMPONENT_FILE = "xl_cashrisk_calc.py"
TYPES_FILE = "XCashRisk.rdb"
TEMPLATE = Path(__file__).with_name("component.py.txt")
PROJECT_ROOT = Path(__file__).resolve().parents[3]

# Where LibreOffice keeps its programs, in the order they are tried: $LIBREOFFICE_PROGRAM, the
# directory `soffice` resolves to, then the usual install locations (Debian/Ubuntu, Fedora, the
# upstream packages, macOS).
_PROGRAM_DIRS = (
    "/usr/lib/libreoffice/program",
    "/usr/lib64/libreoffice/program",
    "/opt/libreoffice/program",
    "/Applications/LibreOffice.app/Contents/Resources",
)
_SDK_BIN_DIRS = ("/usr/lib/libreoffice/sdk/bin", "/usr/lib64/libreoffice/sdk/bin", "/opt/libreoffice/sdk/bin")


@dataclass(frozen=True)
class BuildResult:
    oxt: Path
    functions: tuple[str, ...]
    python_paths: tuple[str, ...]


def _program_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("LIBREOFFICE_PROGRAM"):
        dirs.append(Path(os.environ["LIBREOFFICE_PROGRAM"]))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        dirs.append(Path(soffice).resolve().parent)
    dirs += [Path(d) for d in _PROGRAM_DIRS]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def find_type_registries() -> list[Path]:
    """LibreOffice's ``types.rdb`` (UDK types) and ``types/offapi.rdb`` (office API), for unoidl-write."""
    for d in _program_dirs():
        found = [p for p in (d / "types.rdb", d / "types" / "offapi.rdb") if p.is_file()]
        if found and found[0].name == "types.rdb":
            return found
        ure = d.parent / "ure-link" / "lib" / "types.rdb"  # older layouts keep the UDK types in URE
        if ure.is_file():
            return [ure, *found]
    raise CashRiskError(
        "LibreOffice's types.rdb was not found; install LibreOffice (see docs/libreoffice.md) "
        "or set LIBREOFFICE_PROGRAM to its 'program' directory"
    )


def find_unoidl_write() -> Path:
    """The IDL compiler (``unoidl-write``; LibreOffice 25.2 has no ``idlc``), from libreoffice-dev / the SDK."""
    candidates = [os.environ.get("UNOIDL_WRITE", ""), shutil.which("unoidl-write") or ""]
    candidates += [str(Path(d) / "unoidl-write") for d in _SDK_BIN_DIRS]
    candidates += [str(d / "unoidl-write") for d in _program_dirs()]
    candidates += [str(d.parent / "sdk" / "bin" / "unoidl-write") for d in _program_dirs()]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    raise CashRiskError(
        "unoidl-write was not found: install the LibreOffice SDK (Debian: libreoffice-dev) "
        "or set UNOIDL_WRITE to its path"
    )


def python_paths() -> tuple[str, ...]:
    """Directories LibreOffice's Python needs to import this project: the current environment's
    site-packages (numpy, pandas, the editable-install hook) and the project root."""
    paths = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if hasattr(site, "getsitepackages") and sys.prefix != sys.base_prefix:
        paths += site.getsitepackages()
    paths.append(str(PROJECT_ROOT))
    return tuple(p for p in dict.fromkeys(paths) if Path(p).is_dir())


def _registry() -> Mapping:
    import udfs

    return udfs.FUNCTIONS


def idl_text(functions: Mapping) -> str:
    """The IDL interface: one method per function. Parameters are ``any`` so single values, ranges
    and omitted optional arguments all reach Python; the result is always a matrix of ``any``,
    because Calc drops an array returned through an ``any`` result (a 1×1 matrix shows as a value)."""
    lines = [
        "#include <com/sun/star/uno/XInterface.idl>",
        "",
        "module org { module xlcashrisk { module calc {",
        f"    interface {INTERFACE_NAME} : com::sun::star::uno::XInterface",
        "    {",
    ]
    for name, f in sorted(functions.items()):
        params = ", ".join(f"[in] any arg{i}" for i in range(len(f.arguments)))
        lines.append(f"        sequence< sequence< any > > {name}({params});")
    lines += ["    };", "}; }; };", ""]
    return "\n".join(lines)


def metadata(functions: Mapping) -> dict:
    """What the component needs without importing the project: names, docs, argument specs."""
    return {
        "service": SERVICE_NAME,
        "implementation": IMPLEMENTATION_NAME,
        "version": __version__,
        "functions": [
            {
                "name": name,
                "module": f.module,
                "category": f.category,
                "summary": f.summary,
                "returns_range": f.returns_range,
                "args": [
                    {"name": a.name, "doc": a.doc, "optional": a.optional, "is_range": a.is_range}
                    for a in f.arguments
                ],
            }
            for name, f in sorted(functions.items())
        ],
    }


def component_text(functions: Mapping, paths: tuple[str, ...]) -> str:
    meta = json.dumps(metadata(functions), ensure_ascii=True, indent=1)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "__INTERFACE_MODULE__": INTERFACE_MODULE,
        "__INTERFACE_NAME__": INTERFACE_NAME,
        "__META__": meta,
        "__PATHS__": json.dumps(list(paths)),
    }.items():
        text = text.replace(key, value)
    return text


def manifest_xml() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-typelibrary;type=RDB"
                       manifest:full-path="{TYPES_FILE}"/>
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-component;type=Python"
                       manifest:full-path="{COMPONENT_FILE}"/>
</manifest:manifest>
"""


def description_xml(version: str = __version__) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:xlink="http://www.w3.org/1999/xlink">
  <identifier value="{EXTENSION_ID}"/>
  <version value="{escape(version)}"/>
  <display-name>
    <name lang="en">xl-cashrisk functions</name>
    <name lang="zh">xl-cashrisk 信用风险函数</name>
  </display-name>
  <publisher>
    <name xlink:href="https://github.com/xl-cashrisk" lang="en">xl-cashrisk team</name>
  </publisher>
  <platform value="all"/>
  <dependencies>
    <OpenOffice.org-minimal-version xmlns:d="http://openoffice.org/extensions/description/2006"
        d:name="LibreOffice 7.0" value="3.4"/>
  </dependencies>
</description>
"""


def compile_idl(idl: str, out_rdb: Path) -> None:
    """Compile the IDL into a type library with ``unoidl-write``."""
    tool = find_unoidl_write()
    registries = find_type_registries()
    with tempfile.TemporaryDirectory(prefix="xlc-idl-") as tmp:
        src = Path(tmp) / f"{INTERFACE_NAME}.idl"
        src.write_text(idl, encoding="utf-8")
        proc = subprocess.run(
            [str(tool), *map(str, registries), str(src), str(out_rdb)],
            capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0 or not out_rdb.is_file():
        raise CashRiskError(f"unoidl-write failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")


def build(out: Path | str | None = None, functions: Mapping | None = None,
          paths: tuple[str, ...] | None = None) -> BuildResult:
    """Write the extension to ``out`` (default ``./xl-cashrisk.oxt``) and say what is in it."""
    functions = _registry() if functions is None else functions
    if not functions:
        raise CashRiskError("no Excel functions are registered in udfs/: nothing to put in the extension")
    paths = python_paths() if paths is None else tuple(paths)
    out = Path(out) if out else Path.cwd() / OXT_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlc-oxt-") as tmp:
        rdb = Path(tmp) / TYPES_FILE
        compile_idl(idl_text(functions), rdb)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("META-INF/manifest.xml", manifest_xml())
            z.writestr("description.xml", description_xml())
            z.write(rdb, TYPES_FILE)
            z.writestr(COMPONENT_FILE, component_text(functions, paths))
        partial.replace(out)
    return BuildResult(out, tuple(sorted(functions)), paths)


def functions_in(oxt: Path | str) -> list[str]:
    """The function names an .oxt file's component exposes (read from its baked metadata)."""
    with zipfile.ZipFile(oxt) as z:
        text = z.read(COMPONENT_FILE).decode("utf-8")
    start = text.index("META = json.loads(r'''") + len("META = json.loads(r'''")
    meta = json.loads(text[start:text.index("''')", start)])
    return [f["name"] for f in meta["functions"]]

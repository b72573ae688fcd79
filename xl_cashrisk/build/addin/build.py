"""Build ``CashRisk.xlam`` from the ribbon add-in template that xlwings ships.

``xlwings quickstart NAME --addin --ribbon`` copies ``quickstart_addin_ribbon.xlam``; we start from the
same file (so the add-in's VBA names the installed xlwings version and its DLL) and change, part by part:

- ``customUI/customUI.xml``: the CashRisk tab (:data:`RIBBON`), every button naming the one callback
  ``CashRiskRibbon.CashRiskAction`` with the action's name as its tag; canonical 2006 namespace;
- ``_rels/.rels``: the ribbon relationship with the 2006 type (the template uses the 2007 one);
- the config sheet ``cashrisk.conf``: ``UDF Modules`` = every ``udfs`` module defining a function, and
  ``ADD_WORKBOOK_TO_PYTHONPATH`` = false, so a ``udfs.py`` beside the user's workbook cannot shadow the
  installed package (xlwings would otherwise put the workbook's folder first on ``sys.path``);
- ``xl/vbaProject.bin``: the package asset ``vba/vbaProject.bin`` (VBA project ``CashRisk``: the ribbon
  module from ``vba/CashRisk.bas`` and xlwings' module with ``PROJECT_NAME = "cashrisk"``), built by a
  maintainer with :func:`build_vba_project` (LibreOffice, :mod:`xl_cashrisk.build.addin.vba`). Building the
  add-in needs no LibreOffice; it refuses an asset that no longer matches the sources or the installed
  xlwings (the xlwings module names its DLL version).

Every part is written into the zip directly (openpyxl refuses .xlam and drops a 2006-type ribbon
relationship); zip entries carry a fixed timestamp so a rebuild with the same inputs is identical.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import xlwings

from xl_cashrisk.build.addin.vba import code_lines, read_vba_project
from xl_cashrisk.errors import CashRiskError
from xl_cashrisk.io.safe import atomic_output

__all__ = ["ADDIN_NAME", "CALLBACK", "RIBBON", "BuildReport", "build_addin", "build_vba_project", "ribbon_xml",
           "udf_modules", "vba_asset_problem"]

ADDIN_NAME = "CashRisk.xlam"
PROJECT_NAME = "cashrisk"  # xlwings' VBA constant: config sheet "cashrisk.conf", ~/.cashrisk/cashrisk.conf
VBA_PROJECT = "CashRisk"  # the VBA project's name (the VBA editor's project tree)
CONFIG_SHEET = f"{PROJECT_NAME}.conf"
VBA_MODULE = "CashRiskRibbon"
CALLBACK = f"{VBA_MODULE}.CashRiskAction"
VBA_DIR = Path(__file__).with_name("vba")
BAS_FILE = VBA_DIR / "CashRisk.bas"
VBA_ASSET = VBA_DIR / "vbaProject.bin"
REBUILD = "a maintainer rebuilds it with `xl-cashrisk addin build-vba` (needs LibreOffice)"
TEMPLATE = Path(xlwings.__file__).with_name("quickstart_addin_ribbon.xlam")
TEMPLATE_VBA_REMOVE = ("RibbonMyAddin", "Dictionary")  # the template's demo callback; a Mac-only class
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
CUSTOMUI_PART = "customUI/customUI.xml"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Button:
    tag: str  # a ribbon action registered in udfs._actions.ACTIONS
    image: str  # imageMso


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    buttons: tuple[Button, ...]
    menu: str | None = None  # buttons shown in a drop-down menu with this label


RIBBON: tuple[Group, ...] = (
    Group("CashRiskAnalyse", "Analyse 分析", (
        Button("refresh_scores", "Refresh"), Button("age_ledger", "TableInsert"),
        Button("insurance_deadlines", "ReviewProtectWorkbook"), Button("run_stress_test", "ChartInsert"),
        Button("provision_matrix", "AccountingFormat"), Button("backtest_warnings", "ChartTypeLineInsertGallery"))),
    Group("CashRiskWorkbook", "Workbook 工作簿", (Button("validate_workbook", "DataValidation"),)),
    Group("CashRiskTemplates", "Templates 模板", (
        Button("new_template_register", "FileNew"), Button("new_template_ledger", "FileNew"),
        Button("new_template_forecast", "FileNew")), menu="New template 新建模板"),
    Group("CashRiskHelp", "Help 帮助", (Button("help", "Help"),)),
)


@dataclass
class BuildReport:
    path: Path
    modules: tuple[str, ...]
    buttons: tuple[str, ...]


def ribbon_tags() -> tuple[str, ...]:
    return tuple(b.tag for g in RIBBON for b in g.buttons)


def udf_modules() -> str:
    """``UDF Modules`` for xlwings: every udfs module that defines an Excel function, ';'-separated."""
    import udfs

    return ";".join(sorted({f.module for f in udfs.FUNCTIONS.values()}))


def ribbon_xml(actions: dict | None = None) -> str:
    """The customUI part. Labels and tips come from the action registry; an unregistered tag is refused."""
    if actions is None:
        from udfs.actions import ACTIONS as actions
    missing = [t for t in ribbon_tags() if t not in actions]
    if missing:
        raise ValueError(f"ribbon buttons name unregistered actions: {', '.join(missing)}")
    lines = [f'<customUI xmlns="{CUSTOMUI_NS}">', "  <ribbon>", "    <tabs>",
             '      <tab id="CashRiskTab" label="CashRisk">']
    for g in RIBBON:
        lines.append(f"        <group id={quoteattr(g.id)} label={quoteattr(g.label)}>")
        indent = "          "
        if g.menu:
            lines.append(f'{indent}<menu id="{g.id}Menu" label={quoteattr(g.menu)} imageMso="FileNew" '
                         'size="large" itemSize="normal">')
            indent += "  "
        for b in g.buttons:
            a = actions[b.tag]
            size = "" if g.menu else ' size="large"'
            lines.append(f'{indent}<button id="CashRisk_{b.tag}" tag="{b.tag}" label={quoteattr(a.label_en)}'
                         f' screentip={quoteattr(f"{a.label_en} {a.label_zh}")} supertip={quoteattr(a.help_en)}'
                         f' imageMso="{b.image}"{size} onAction="{CALLBACK}"/>')
        if g.menu:
            lines.append("          </menu>")
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)


def _root_rels(template_rels: str) -> str:
    """The template's package relationships with the ribbon one retyped to the 2006 relationship type."""
    rels = re.sub(r'<Relationship [^>]*Target="/?customUI/[^"]*"[^>]*/>', "", template_rels)
    rel = f'<Relationship Id="rIdCashRiskUI" Type="{CUSTOMUI_REL}" Target="{CUSTOMUI_PART}"/>'
    return rels.replace("</Relationships>", rel + "</Relationships>")


def _config_parts(entries: list[tuple[str, str]]) -> tuple[str, str]:
    """sharedStrings.xml and the config sheet: key in column A, value in column B (xlwings reads A1 down)."""
    strings = [s for kv in entries for s in kv]
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" s="1" t="s"><v>{2 * i}</v></c>'
                   f'<c r="B{i + 1}" s="1" t="s"><v>{2 * i + 1}</v></c></row>' for i in range(len(entries)))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheetPr codeName="Sheet2"/>'
             f'<dimension ref="A1:B{len(entries)}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/>'
             '</sheetViews><sheetFormatPr defaultRowHeight="15.75"/>'
             '<cols><col min="1" max="1" width="16" customWidth="1"/><col min="2" max="2" width="90" customWidth="1"/>'
             f'</cols><sheetData>{rows}</sheetData>'
             '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    return sst, sheet


def _workbook_xml(template: str) -> str:
    xml = re.sub(r"<mc:AlternateContent.*?</mc:AlternateContent>", "", template, flags=re.S)  # author's path
    return re.sub(r'<sheet name="[^"]*"', f'<sheet name="{CONFIG_SHEET}"', xml, count=1)


def vba_modules() -> dict[str, str]:
    """The modules we set in the template's VBA project: ours, and xlwings' with our PROJECT_NAME."""
    xlwings_bas = Path(xlwings.__file__).with_name("xlwings_custom_addin.bas").read_text(encoding="latin-1")
    new, n = re.subn(r'(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{PROJECT_NAME}"', xlwings_bas)
    if n != 1:
        raise ValueError("xlwings_custom_addin.bas: PROJECT_NAME constant not found (xlwings changed?)")
    return {VBA_MODULE: BAS_FILE.read_text(encoding="ascii"), "xlwings": new}


def vba_asset_problem(asset: Path = VBA_ASSET) -> str | None:
    """Why the checked-in VBA project does not match ``vba_modules()`` (our .bas and the installed xlwings); None if it does."""
    if not asset.is_file():
        return f"{asset.name} is missing"
    project = read_vba_project(asset)
    if project.name != VBA_PROJECT:
        return f"its VBA project is named {project.name!r}, not {VBA_PROJECT!r}"
    for name, source in vba_modules().items():
        got = project.modules.get(name)
        if got is None:
            return f"it has no module {name}"
        if code_lines(got.source) != code_lines(source):
            what = f"xlwings {xlwings.__version__}'s module" if name == "xlwings" else BAS_FILE.name
            return f"its module {name} differs from {what}"
    return None


def build_vba_project(out: Path = VBA_ASSET, template: Path = TEMPLATE) -> Path:
    """Maintainer step: write the add-in's VBA project from the sources with LibreOffice headless."""
    from xl_cashrisk.build.addin.vba import embed_vba

    blob = embed_vba(Path(template).read_bytes(), vba_modules(), remove=TEMPLATE_VBA_REMOVE, project=VBA_PROJECT)
    with atomic_output(out) as tmp:
        Path(tmp).write_bytes(blob)
    return Path(out)


def build_addin(out: str | Path, *, template: Path = TEMPLATE, asset: Path = VBA_ASSET) -> BuildReport:
    """Write the add-in to ``out`` (atomically), with the checked-in VBA project."""
    problem = vba_asset_problem(asset)
    if problem:
        raise CashRiskError(f"the add-in's VBA project ({asset.name}) is not current: {problem}. It is built for "
                            f"the xlwings version xl-cashrisk pins on Windows; {REBUILD}")
    src = zipfile.ZipFile(template)
    parts = {i.filename: src.read(i) for i in src.infolist()}
    entries = [("UDF Modules", udf_modules()), ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    sst, sheet = _config_parts(entries)
    parts["xl/sharedStrings.xml"] = sst.encode()
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    parts["xl/workbook.xml"] = _workbook_xml(parts["xl/workbook.xml"].decode()).encode()
    parts["_rels/.rels"] = _root_rels(parts["_rels/.rels"].decode()).encode()
    parts.pop("customUI/customUI.xml", None)
    parts[CUSTOMUI_PART] = ribbon_xml().encode()
    parts["xl/vbaProject.bin"] = Path(asset).read_bytes()
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        first = ("[Content_Types].xml", "_rels/.rels")
        order = [*first, *sorted(p for p in parts if p not in first)]
        for name in order:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name])
    return BuildReport(Path(out), tuple(vba_modules()), ribbon_tags())

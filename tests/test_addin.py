"""The built CashRisk.xlam: zip and XML parts, ribbon wiring, config sheet, the VBA inside, the CLI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlwings
import xmlschema
from click.testing import CliRunner
from defusedxml import ElementTree as SafeET
from oletools.olevba import VBA_Parser

import udfs
from tests import vba_grammar
from udfs._actions import ACTIONS, RibbonAction
from xl_cashrisk.build.addin import build as B
from xl_cashrisk.build.addin.vba import code_lines, decompress, procedures, read_vba_project
from xl_cashrisk.cli import cli
from xl_cashrisk.errors import CashRiskError

NS = {"ui": B.CUSTOMUI_NS}
ROOT = Path(__file__).resolve().parents[1]
OFFICE_SCHEMAS = ROOT.parent / "shared" / "office"  # Microsoft's customUI schemas (read-only test input)


def _actions_with_stand_ins():
    """The registry, plus stand-ins for actions other domains have not registered yet (see the strict test)."""
    acts = dict(ACTIONS)
    for tag in B.ribbon_tags():
        acts.setdefault(tag, RibbonAction(tag, tag, tag, tag, lambda target: None))
    return acts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("addin") / "CashRisk.xlam"
    mp = pytest.MonkeyPatch()
    import udfs.actions

    mp.setattr(udfs.actions, "ACTIONS", _actions_with_stand_ins())
    try:
        report = B.build_addin(out)
    finally:
        mp.undo()
    return report


def test_every_ribbon_tag_is_a_registered_action():
    missing = [t for t in B.ribbon_tags() if t not in ACTIONS]
    assert not missing, f"ribbon buttons without a registered action: {missing}"


def test_ribbon_refuses_unregistered_tags():
    with pytest.raises(ValueError, match="unregistered actions: refresh_scores"):
        B.ribbon_xml({k: v for k, v in _actions_with_stand_ins().items() if k != "refresh_scores"})


def test_zip_is_valid_and_every_xml_part_parses(built):
    with zipfile.ZipFile(built.path) as z:
        assert z.testzip() is None
        names = z.namelist()
        for name in names:
            if name.endswith((".xml", ".rels")):
                SafeET.fromstring(z.read(name))
        types = z.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
        assert "xl/vbaProject.bin" in names
        rels = SafeET.fromstring(z.read("_rels/.rels"))
    ui = [r for r in rels if r.get("Target") == B.CUSTOMUI_PART]
    assert len(ui) == 1 and ui[0].get("Type") == B.CUSTOMUI_REL
    assert not [r for r in rels if "2007/relationships/ui" in (r.get("Type") or "")]


def test_every_button_names_the_one_callback_and_a_known_tag(built):
    with zipfile.ZipFile(built.path) as z:
        root = SafeET.fromstring(z.read(B.CUSTOMUI_PART))
    assert root.tag == f"{{{B.CUSTOMUI_NS}}}customUI"
    tab = root.find(".//ui:tab", NS)
    assert tab.get("label") == "CashRisk"
    buttons = root.findall(".//ui:button", NS)
    assert [b.get("tag") for b in buttons] == list(B.ribbon_tags())
    assert {b.get("onAction") for b in buttons} == {B.CALLBACK}
    assert len({b.get("id") for b in buttons}) == len(buttons)
    labels = [b.get("label") for b in buttons]
    assert "Age ledger" in labels and "Validate workbook" in labels and "Help" in labels
    menu = root.find(".//ui:menu", NS)
    assert [b.get("tag") for b in menu.findall("ui:button", NS)] == [
        "new_template_register", "new_template_ledger", "new_template_forecast"]
    for b in buttons:  # the VBA passes tags to Python only if they are lower-case identifiers
        assert re.fullmatch(r"[a-z0-9_]+", b.get("tag"))


def test_config_sheet_lists_the_udf_modules(built):
    with zipfile.ZipFile(built.path) as z:
        wb = z.read("xl/workbook.xml").decode()
        sst = SafeET.fromstring(z.read("xl/sharedStrings.xml"))
    assert f'<sheet name="{B.CONFIG_SHEET}"' in wb and "felix" not in wb
    strings = [si.findtext("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t") for si in sst]
    assert strings[0] == "UDF Modules"
    modules = strings[1].split(";")
    assert modules == sorted({f.module for f in udfs.FUNCTIONS.values()})
    assert {"udfs.receivables", "udfs.scoring"} <= set(modules)
    # a udfs.py beside the user's workbook must not shadow the package: the workbook's folder stays off sys.path
    assert strings[2:4] == ["ADD_WORKBOOK_TO_PYTHONPATH", "false"]
    assert "Interpreter_Win" not in strings  # a blank sheet entry would hide the user's config file


def test_rebuild_is_byte_identical(tmp_path, monkeypatch):
    import udfs.actions

    monkeypatch.setattr(udfs.actions, "ACTIONS", _actions_with_stand_ins())
    a = B.build_addin(tmp_path / "a.xlam")
    b = B.build_addin(tmp_path / "b.xlam")
    assert a.path.read_bytes() == b.path.read_bytes()


def test_ribbon_xml_is_valid_against_microsofts_schema(built):
    schema = xmlschema.XMLSchema(str(OFFICE_SCHEMAS / "customUI.xsd"))
    with zipfile.ZipFile(built.path) as z:
        xml = z.read(B.CUSTOMUI_PART).decode()
    assert schema.target_namespace == B.CUSTOMUI_NS
    schema.validate(xml)
    with pytest.raises(xmlschema.XMLSchemaValidationError):  # the check can fail: a size Office does not know
        schema.validate(xml.replace('size="large"', 'size="huge"', 1))


def test_vba_project_holds_the_callback_module(built):
    project = read_vba_project(built.path)
    assert project.name == B.VBA_PROJECT == "CashRisk"
    bas = B.BAS_FILE.read_text(encoding="ascii")
    module = project.modules[B.VBA_MODULE]
    assert module.kind == "procedural"
    assert [ln.rstrip() for ln in module.source.splitlines() if ln.strip() and not ln.startswith("Attribute")] == [
        ln.rstrip() for ln in bas.splitlines() if ln.strip() and not ln.startswith("Attribute")]
    assert B.CALLBACK.split(".")[1] in procedures(module.source)
    assert "udfs.actions.dispatch(" in module.source
    xlwings_src = project.modules["xlwings"].source
    assert f'PROJECT_NAME As String = "{B.PROJECT_NAME}"' in xlwings_src
    for proc in ("RunPython", "ImportPythonUDFsToAddin", "GetConfig"):
        assert proc in procedures(xlwings_src)
    assert "RibbonMyAddin" not in project.modules  # the template's demo callback is gone
    assert set(project.modules) == {B.VBA_MODULE, "xlwings", "ThisWorkbook", "Sheet2"}
    assert not project.performance_cache  # source only: Excel compiles it on first open
    assert "ActiveWorkbook Is Nothing" in module.source  # no workbook: a message box before xlwings reads it


def test_checked_in_vba_project_is_current():
    """The asset holds CashRisk.bas and the installed xlwings' module (DLL version and all), as sources."""
    assert B.vba_asset_problem() is None
    assert f'"xlwings64-{xlwings.__version__}.dll"' in read_vba_project(B.VBA_ASSET).modules["xlwings"].source


def test_a_stale_asset_is_refused(tmp_path, monkeypatch):
    changed = tmp_path / "CashRisk.bas"
    changed.write_text(B.BAS_FILE.read_text(encoding="ascii").replace("invalid_tag", "bad_tag"), encoding="ascii")
    monkeypatch.setattr(B, "BAS_FILE", changed)
    assert "differs from CashRisk.bas" in B.vba_asset_problem()
    with pytest.raises(CashRiskError, match="xl-cashrisk addin build-vba"):
        B.build_addin(tmp_path / "x.xlam")


def test_oletools_reads_back_exactly_the_sources():
    """An independent reader (oletools) finds every module of the asset with exactly its source text."""
    theirs = {stream.split("/")[-1]: code for _, stream, _, code in VBA_Parser(str(B.VBA_ASSET)).extract_macros()}
    assert set(theirs) == {B.VBA_MODULE, "xlwings", "ThisWorkbook", "Sheet2"}
    for name, source in B.vba_modules().items():
        assert code_lines(theirs[name]) == code_lines(source), name
    ours = read_vba_project(B.VBA_ASSET).modules
    assert {k: code_lines(v) for k, v in theirs.items()} == {k: code_lines(m.source) for k, m in ours.items()}


@pytest.mark.slow
def test_the_add_ins_vba_modules_parse_with_the_vba_grammar():
    """CashRisk.bas and the xlwings module as they sit in the asset (xlwings' module: about 25 s)."""
    modules = read_vba_project(B.VBA_ASSET).modules
    for name in (B.VBA_MODULE, "xlwings"):
        text = f'Attribute VB_Name = "{name}"\n' + "\n".join(code_lines(modules[name].source))
        assert vba_grammar.syntax_errors(text) == [], name


def test_add_in_builds_with_libreoffice_unavailable(tmp_path):
    """``addin build`` as a pip user runs it: no soffice on PATH, no LibreOffice Python."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    out = tmp_path / "CashRisk.xlam"
    env = {k: v for k, v in os.environ.items() if k not in ("SOFFICE", "XL_CASHRISK_LO_PYTHON")}
    env["PATH"] = str(bindir)  # nothing: not even /usr/bin, where soffice and the uno-capable python3 live
    exe = Path(sys.executable)
    proc = subprocess.run([str(exe), "-m", "xl_cashrisk", "addin", "build", "--out", str(out)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert shutil.which("soffice", path=env["PATH"]) is None
    assert proc.returncode == 0, proc.stdout + proc.stderr
    project = read_vba_project(out)
    assert project.name == "CashRisk"
    assert "CashRiskAction" in procedures(project.modules[B.VBA_MODULE].source)
    assert 'PROJECT_NAME As String = "cashrisk"' in project.modules["xlwings"].source
    assert "myaddin" not in project.modules["xlwings"].source.lower()


def test_template_vba_is_read_by_our_parser():
    project = read_vba_project(B.TEMPLATE)
    assert "RunMain" in procedures(project.modules["RibbonMyAddin"].source)
    assert 'PROJECT_NAME As String = "myaddin"' in project.modules["xlwings"].source


def test_decompress_spec_examples():
    # MS-OVBA 3.2: "no compression" and "maximum compression" examples
    assert decompress(bytes.fromhex("01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 2E")) \
        == b"abcdefghijklmnopqrs."
    assert decompress(bytes.fromhex("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 "
                                    "6B 6C 00 30 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")) \
        == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    with pytest.raises(ValueError):
        decompress(b"\x02abc")


def test_cli_build_and_install_off_windows(tmp_path, monkeypatch):
    import udfs.actions

    monkeypatch.setattr(udfs.actions, "ACTIONS", _actions_with_stand_ins())
    out = tmp_path / "CashRisk.xlam"
    res = CliRunner().invoke(cli, ["addin", "build", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "VBA project CashRisk" in res.output
    if not sys.platform.startswith("win"):
        res = CliRunner().invoke(cli, ["addin", "install"])
        assert res.exit_code == 1
        assert "nothing was installed" in res.output and "xlwings Lite" in res.output


PYTHON_DIR = "C:\\Users\\张三\\AppData\\Local\\Programs\\Python\\Python311"


def test_user_config_in_the_ansi_code_page():
    """A Chinese Windows (code page 936) reads GBK: the interpreter path arrives intact, not as mojibake."""
    from xl_cashrisk.build.addin.config import config_text

    entries = [("INTERPRETER_WIN", PYTHON_DIR + "\\python.exe"), ("PYTHONPATH", PYTHON_DIR + "\\Lib\\site-packages")]
    data = config_text(entries, "cp936")
    assert data == ('"INTERPRETER_WIN","' + PYTHON_DIR + '\\python.exe"\r\n"PYTHONPATH","' + PYTHON_DIR
                    + '\\Lib\\site-packages"\r\n').encode("gbk")
    assert "张三".encode("gbk") in data and "张三".encode() not in data
    assert data.decode("cp936").splitlines()[0] == f'"INTERPRETER_WIN","{PYTHON_DIR}\\python.exe"'


def test_user_config_path_outside_the_code_page():
    """Code page 1252 cannot hold 张三: the Windows short name is written, or a clear refusal without one."""
    from xl_cashrisk.build.addin.config import config_text

    path = PYTHON_DIR + "\\python.exe"
    short = "C:\\Users\\4E0F~1\\AppData\\Local\\Programs\\Python\\PYTHON~1\\python.exe"
    assert config_text([("INTERPRETER_WIN", path)], "cp1252", short_path=lambda p: short) == \
        f'"INTERPRETER_WIN","{short}"\r\n'.encode("cp1252")
    with pytest.raises(CashRiskError, match="cannot be written in this Windows code page"):
        config_text([("INTERPRETER_WIN", path)], "cp1252", short_path=lambda p: None)


def test_user_config_entries_plain_and_conda(monkeypatch):
    from xl_cashrisk.build.addin.config import package_root, user_config_entries

    for var in ("CONDA_DEFAULT_ENV", "CONDA_EXE"):
        monkeypatch.delenv(var, raising=False)
    assert user_config_entries("C:\\Py\\python.exe") == [("INTERPRETER_WIN", "C:\\Py\\python.exe"),
                                                          ("PYTHONPATH", package_root())]
    # what `xlwings config create` writes under conda: the conda install (without bin/conda) and the env
    monkeypatch.setenv("CONDA_DEFAULT_ENV", "cashrisk")
    monkeypatch.setenv("CONDA_EXE", os.path.sep.join(["", "opt", "miniconda3", "bin", "conda"]))
    assert user_config_entries("C:\\Py\\python.exe") == [
        ("CONDA PATH", os.path.sep.join(["", "opt", "miniconda3"])), ("CONDA ENV", "cashrisk"),
        ("PYTHONPATH", package_root())]
    assert (Path(package_root()) / "udfs" / "__init__.py").is_file()


def test_a_udfs_module_beside_the_workbook_does_not_shadow_the_package(tmp_path):
    """xlwings' own start-up path logic (prepare_sys_path) with the add-in's settings: ADD_WORKBOOK_TO_PYTHONPATH
    false (config sheet) and PYTHONPATH = the package's folder (user config). With the default (true, no
    PYTHONPATH) the stray udfs.py wins, which shows the check can fail."""
    from xl_cashrisk.build.addin.config import package_root

    (tmp_path / "udfs.py").write_text("SHADOW = True\n", encoding="utf-8")
    book = str(tmp_path / "Ledger.xlsx")
    probe = ("import sys, xlwings.utils; xlwings.utils.prepare_sys_path(sys.argv[1]); import udfs; "
             "print(getattr(udfs, 'SHADOW', False), udfs.__file__)")

    def run(args: str) -> str:
        proc = subprocess.run([sys.executable, "-c", probe, args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()[0]

    assert run(f"false;{book};{book};;;;{package_root()}") == "False"
    assert run(f"true;{book};{book};;;;") == "True"

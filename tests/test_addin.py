"""The built CashRisk.xlam: zip and XML parts, ribbon wiring, config sheet, the VBA inside, the CLI."""

from __future__ import annotations

import re
import sys
import zipfile

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as SafeET

import udfs
from udfs._actions import ACTIONS, RibbonAction
from xl_cashrisk.build.addin import build as B
from xl_cashrisk.build.addin.vba import decompress, lo_python, procedures, read_vba_project
from xl_cashrisk.cli import cli

NS = {"ui": B.CUSTOMUI_NS}
HAS_LO = lo_python() is not None


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
        report = B.build_addin(out, vba=HAS_LO)
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
    assert "Interpreter_Win" not in strings  # a blank sheet entry would hide the user's config file


def test_rebuild_without_vba_is_byte_identical(tmp_path, monkeypatch):
    import udfs.actions

    monkeypatch.setattr(udfs.actions, "ACTIONS", _actions_with_stand_ins())
    a = B.build_addin(tmp_path / "a.xlam", vba=False)
    b = B.build_addin(tmp_path / "b.xlam", vba=False)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert "one-time Windows step" in a.note


@pytest.mark.skipif(not HAS_LO, reason="LibreOffice headless with Python-UNO is needed to write the VBA project")
def test_vba_project_holds_the_callback_module(built):
    assert built.vba_embedded
    project = read_vba_project(built.path)
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


@pytest.mark.skipif(not HAS_LO, reason="LibreOffice headless with Python-UNO is needed")
def test_vba_reader_agrees_with_oletools_when_available(built):
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(built.path))
    theirs = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    ours = read_vba_project(built.path).modules
    assert set(theirs) == set(ours)
    assert theirs[B.VBA_MODULE].replace("\r\n", "\n").strip() == ours[B.VBA_MODULE].source.replace("\r\n", "\n").strip()


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
    res = CliRunner().invoke(cli, ["addin", "build", "--out", str(out), "--no-vba"])
    assert res.exit_code == 0, res.output
    assert out.exists() and "one-time Windows step" in res.output
    if not sys.platform.startswith("win"):
        res = CliRunner().invoke(cli, ["addin", "install"])
        assert res.exit_code == 1
        assert "nothing was installed" in res.output and "xlwings Lite" in res.output


def test_user_config_line_format(tmp_path):
    from xl_cashrisk.cli.addin import write_user_config

    path = tmp_path / ".cashrisk" / "cashrisk.conf"
    write_user_config(path, r"C:\Python311\python.exe")
    assert path.read_text() == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'

"""The Calc extension generator: IDL, component, manifest, package (no LibreOffice process needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

import udfs
from xl_cashrisk import __version__
from xl_cashrisk.build.calc import build as b
from xl_cashrisk.cli import cli
from xl_cashrisk.errors import CashRiskError


def _have_unoidl() -> bool:
    try:
        b.find_unoidl_write()
        b.find_type_registries()
    except CashRiskError:
        return False
    return True


needs_unoidl = pytest.mark.skipif(not _have_unoidl(), reason="unoidl-write / LibreOffice types.rdb not installed")


def test_idl_declares_every_function_with_one_any_per_parameter():
    idl = b.idl_text(udfs.FUNCTIONS)
    for name, f in udfs.FUNCTIONS.items():
        params = ", ".join(f"[in] any arg{i}" for i in range(len(f.arguments)))
        assert f"sequence< sequence< any > > {name}({params});" in idl
    assert idl.count("sequence< sequence< any > > ") == len(udfs.FUNCTIONS)
    assert "interface XCashRisk : com::sun::star::uno::XInterface" in idl


def test_metadata_carries_docs_and_argument_specs_from_the_registry():
    meta = b.metadata(udfs.FUNCTIONS)
    by_name = {f["name"]: f for f in meta["functions"]}
    assert set(by_name) == set(udfs.FUNCTIONS)
    age = by_name["AGEBUCKET"]
    assert age["module"] == "udfs.receivables"
    assert age["summary"] == udfs.FUNCTIONS["AGEBUCKET"].summary
    assert [a["name"] for a in age["args"]] == ["due_date", "as_of", "basis", "edges"]
    assert [a["optional"] for a in age["args"]] == [False, True, True, True]
    assert age["args"][0]["is_range"] is True
    assert meta["version"] == __version__


def test_component_has_no_placeholders_and_is_valid_python():
    text = b.component_text(udfs.FUNCTIONS, ("/some/site-packages", "/project"))
    assert "__META__" not in text and "__PATHS__" not in text and "__INTERFACE" not in text
    compile(text, "xl_cashrisk_calc.py", "exec")
    assert "from org.xlcashrisk.calc import XCashRisk" in text
    assert '["/some/site-packages", "/project"]' in text


def test_manifest_and_description_are_well_formed():
    manifest = ElementTree.fromstring(b.manifest_xml())
    ns = "{http://openoffice.org/2001/manifest}"
    entries = {e.get(f"{ns}full-path"): e.get(f"{ns}media-type") for e in manifest}
    assert entries == {
        b.TYPES_FILE: "application/vnd.sun.star.uno-typelibrary;type=RDB",
        b.COMPONENT_FILE: "application/vnd.sun.star.uno-component;type=Python",
    }
    desc = ElementTree.fromstring(b.description_xml("9.8.7"))
    ns = "{http://openoffice.org/extensions/description/2006}"
    assert desc.find(f"{ns}identifier").get("value") == b.EXTENSION_ID
    assert desc.find(f"{ns}version").get("value") == "9.8.7"


def test_build_refuses_an_empty_registry(tmp_path):
    with pytest.raises(CashRiskError, match="no Excel functions"):
        b.build(tmp_path / "x.oxt", functions={})


def test_missing_unoidl_write_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(b, "_SDK_BIN_DIRS", ())
    monkeypatch.setattr(b, "_program_dirs", lambda: [])
    monkeypatch.delenv("UNOIDL_WRITE", raising=False)
    with pytest.raises(CashRiskError, match="unoidl-write was not found"):
        b.find_unoidl_write()


@needs_unoidl
def test_build_packages_a_complete_extension(tmp_path):
    result = b.build(tmp_path / "out" / "xl-cashrisk.oxt")
    with zipfile.ZipFile(result.oxt) as z:
        names = set(z.namelist())
        assert names == {"META-INF/manifest.xml", "description.xml", b.TYPES_FILE, b.COMPONENT_FILE}
        assert z.read(b.TYPES_FILE)[:8] == b"UNOIDL\xff\x00"  # unoidl-write's binary format
    assert b.functions_in(result.oxt) == sorted(udfs.FUNCTIONS) == list(result.functions)
    assert str(b.PROJECT_ROOT) in result.python_paths


@needs_unoidl
def test_cli_build_says_what_it_built(tmp_path):
    out = tmp_path / "f.oxt"
    res = CliRunner().invoke(cli, ["calc", "build", "--out", str(out)], obj={})
    assert res.exit_code == 0, res.output
    assert "built" in res.output and f"{len(udfs.FUNCTIONS)} functions" in res.output
    assert out.is_file()


def test_cli_install_refuses_a_missing_file(tmp_path):
    res = CliRunner().invoke(cli, ["calc", "install", "--oxt", str(tmp_path / "none.oxt")], obj={})
    assert res.exit_code == 2 and "does not exist" in res.output


def test_functions_in_reads_the_baked_list(tmp_path):
    path = tmp_path / "fake.oxt"
    meta = b.metadata({k: udfs.FUNCTIONS[k] for k in ("DSO", "CEI")})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(b.COMPONENT_FILE, f"META = json.loads(r'''{json.dumps(meta)}''')\n")
    assert b.functions_in(path) == ["CEI", "DSO"]


_CACHE_PROBE = r"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("component", sys.argv[1])
c = importlib.util.module_from_spec(spec)
spec.loader.exec_module(c)  # outside LibreOffice the interface import fails, as in unopkg's pass
m = c.CashRiskAddIn.DAYSPASTDUE
out = {"first": m(None, 45000.0, 45473.0)}
out["again_is_cached_object"] = m(None, 45000.0, 45473.0) is out["first"]
out["size_after_repeat"] = len(c._cache)
out["range"] = m(None, ((45000.0,), (45010.0,)), 45473.0)
out["error"] = m(None, "x", 45473.0)
out["size_after_range_and_error"] = len(c._cache)
m(None, 45000.0, None)  # blank as-of: today
size = len(c._cache)
c._day[:] = [float("inf"), c._day[1] + 1]  # the next day: a blank as-of must not reuse yesterday's result
m(None, 45000.0, None)
out["new_day_adds_an_entry"] = len(c._cache) == size + 1
print(json.dumps(out))
"""


def _probe_component(tmp_path, env_extra: dict) -> dict:
    import os
    import subprocess

    from xl_cashrisk.build.calc.unodriver import lo_python

    try:
        python = lo_python()
    except FileNotFoundError:
        pytest.skip("no Python with the 'uno' module")
    component = tmp_path / b.COMPONENT_FILE
    component.write_text(b.component_text(udfs.FUNCTIONS, b.python_paths()), encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(_CACHE_PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run([python, str(probe), str(component)], capture_output=True, text=True,
                          env={**env, **env_extra}, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_component_caches_single_value_calls_only(tmp_path):
    out = _probe_component(tmp_path, {})
    assert out["first"] == [[473.0]]
    assert out["again_is_cached_object"] and out["size_after_repeat"] == 1
    assert out["range"] == [[473.0], [463.0]]
    assert out["error"][0][0].startswith("DAYSPASTDUE: due_date must be a date")
    assert out["size_after_range_and_error"] == 1  # ranges and errors are not remembered
    assert out["new_day_adds_an_entry"]


def test_component_cache_can_be_turned_off(tmp_path):
    out = _probe_component(tmp_path, {"XL_CASHRISK_CALC_CACHE": "0"})
    assert out["first"] == [[473.0]]
    assert not out["again_is_cached_object"] and out["size_after_repeat"] == 0
    assert out["new_day_adds_an_entry"] is False


def test_libreoffice_environment_drops_a_foreign_python(tmp_path):
    from xl_cashrisk.build.calc.unodriver import lo_environment

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /opt/python3.12/bin\n", encoding="utf-8")
    conda = tmp_path / "conda" / "envs" / "risk"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "bin").mkdir()
    env = lo_environment({
        "PATH": os.pathsep.join([str(venv / "bin"), str(conda / "bin"), "/usr/local/bin", "/usr/bin"]),
        "VIRTUAL_ENV": str(venv), "PYTHONHOME": "/opt/python3.12", "PYTHONPATH": "/x", "CONDA_PREFIX": str(conda),
        "XL_CASHRISK_PYTHONPATH": "/project", "HOME": "/root", "LANG": "zh_CN.UTF-8"})
    assert env == {"PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin"]), "XL_CASHRISK_PYTHONPATH": "/project",
                   "HOME": "/root", "LANG": "zh_CN.UTF-8"}


@pytest.mark.libreoffice
@needs_unoidl
def test_calc_install_from_an_activated_virtualenv(tmp_path):
    """`calc install` run the usual way: a virtualenv (here the project's, a Python other than LibreOffice's)
    activated, its bin first on PATH. LibreOffice used to die inside the extension manager (std::bad_alloc)."""
    venv_bin = Path(sys.executable).parent
    assert (venv_bin.parent / "pyvenv.cfg").is_file(), "the tests run from a virtualenv (make test)"
    env = {**os.environ, "PATH": os.pathsep.join([str(venv_bin), os.environ.get("PATH", "")]),
           "VIRTUAL_ENV": str(venv_bin.parent)}
    profile = tmp_path / "profile"
    proc = subprocess.run([str(venv_bin / "xl-cashrisk"), "calc", "install", "--profile", str(profile)],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "installed xl-cashrisk.oxt (profile" in proc.stdout
    assert (profile / "user" / "uno_packages").is_dir()

"""Layering: the Excel side (``udfs``) must not drag in the command line (click, rich, xl_cashrisk.cli).

The modules are imported in a fresh interpreter, so what the test session already loaded cannot hide
anything. (Importing any ``udfs.<module>`` runs ``udfs/__init__``, which imports every module of the
package to register the functions and actions: one interpreter for all of them says as much as one each.)
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import udfs

ROOT = Path(__file__).resolve().parents[1]
UDF_MODULES = ["udfs", *sorted(f"udfs.{m.name}" for m in pkgutil.iter_modules(udfs.__path__))]

PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "rich") or m.startswith("xl_cashrisk.cli"))))
"""


def _loaded_cli_modules(*modules: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *modules], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_excel_side_imports_no_command_line_modules():
    assert _loaded_cli_modules(*UDF_MODULES) == []


def test_shared_workbook_readers_import_no_command_line_modules():
    assert _loaded_cli_modules("xl_cashrisk.pipelines.inputs") == []


def test_every_udfs_module_is_probed():
    names = {p.stem for p in (ROOT / "udfs").glob("*.py") if p.stem != "__init__"}
    assert {m.split(".", 1)[1] for m in UDF_MODULES if "." in m} == names


def test_no_udfs_source_imports_the_cli():
    offenders = [p.name for p in (ROOT / "udfs").glob("*.py") if "xl_cashrisk.cli" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_probe_sees_the_cli_when_it_is_imported():
    """The probe itself works: importing a command module is reported."""
    assert "click" in _loaded_cli_modules("xl_cashrisk.cli.insurance")


def test_a_command_run_imports_only_its_own_module():
    """`xl-cashrisk CMD` imports the command module named in COMMAND_MODULES and no other (start-up: a
    validation of a big ledger pays no import of the analyses); the table names every command's module."""
    from xl_cashrisk.cli import app, cli

    assert {n: c.callback.__module__.rsplit(".", 1)[1] for n, c in cli.commands.items()} == app.COMMAND_MODULES
    run = ("import sys\nfrom xl_cashrisk.cli import main\nsys.argv = ['xl-cashrisk', 'validate', '--help']\n"
           "try:\n    main()\nexcept SystemExit:\n    pass\n"
           "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.startswith('xl_cashrisk.cli.'))))")
    out = subprocess.run([sys.executable, "-c", run], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=True)
    loaded = out.stdout.split("LOADED", 1)[1].split()
    assert loaded == ["xl_cashrisk.cli._common", "xl_cashrisk.cli.app", "xl_cashrisk.cli.validate"], loaded

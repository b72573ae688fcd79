"""``xl-cashrisk addin build|install``: the CashRisk Excel add-in (Windows desktop Excel, classic xlwings)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from xl_cashrisk.cli.app import cli, console, err_console

WINDOWS_ONLY = """\
'xl-cashrisk addin install' installs the add-in into Windows desktop Excel; nothing was installed here.
On this computer:
  - Excel 365 on Mac or the web: use xlwings Lite with lite/main.py (docs/excel-addin.md, "xlwings Lite").
  - LibreOffice Calc: 'xl-cashrisk calc install'.
  - To prepare the add-in for Windows users: 'xl-cashrisk addin build --out CashRisk.xlam' and hand it out
    with the steps in docs/excel-addin.md."""
EXIT_NOT_WINDOWS = 1


@cli.group()
def addin() -> None:
    """The CashRisk Excel add-in (插件): build the .xlam, install it into Excel on Windows."""


@addin.command("build")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("CashRisk.xlam"),
              show_default=True, help="Add-in file to write.")
@click.option("--no-vba", is_flag=True,
              help="Keep the template's VBA project (no LibreOffice needed); then do the one-time Windows step.")
def build(out: Path, no_vba: bool) -> None:
    """Build CashRisk.xlam: ribbon tab, config sheet (UDF Modules), VBA callback (via LibreOffice headless)."""
    from xl_cashrisk.build.addin.build import build_addin

    with console.status("building the add-in (LibreOffice writes the VBA project)…" if not no_vba else "building…"):
        report = build_addin(out, vba=not no_vba)
    console.print(f"wrote {report.path}: {len(report.buttons)} ribbon buttons")
    if report.vba_embedded:
        console.print(f"VBA modules written and read back: {', '.join(report.modules)} (source only; Excel "
                      "compiles them when it first opens the add-in)")
    else:
        err_console.print(f"[yellow]warning:[/yellow] {report.note}", soft_wrap=True)


def xlstart_dir() -> Path:
    """The user's XLSTART folder (what Excel's ``Application.StartupPath`` returns for a default install)."""
    return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"


def user_config_path() -> Path:
    """Where the add-in's xlwings VBA looks for its user config (``PROJECT_NAME`` = cashrisk)."""
    return Path(os.environ.get("USERPROFILE", str(Path.home()))) / ".cashrisk" / "cashrisk.conf"


def write_user_config(path: Path, interpreter: str) -> None:
    """``"KEY","value"`` lines as ``xlwings config create`` writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'"INTERPRETER_WIN","{interpreter}"\n', encoding="utf-8")


@addin.command("install")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An add-in built before (default: build one now).")
def install(file: Path | None) -> None:
    """Windows: copy CashRisk.xlam into Excel's XLSTART folder and write its config (this Python).

    Elsewhere: explain what to do and exit with code 1 (nothing installed)."""
    if not sys.platform.startswith("win"):
        console.print(WINDOWS_ONLY)
        raise SystemExit(EXIT_NOT_WINDOWS)
    from xl_cashrisk.build.addin.build import ADDIN_NAME, build_addin

    target_dir = xlstart_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / ADDIN_NAME
    if file is None:
        with tempfile.TemporaryDirectory() as tmp:
            report = build_addin(Path(tmp) / ADDIN_NAME, vba=False)
            shutil.copyfile(report.path, target)
        err_console.print(f"[yellow]note:[/yellow] {report.note}", soft_wrap=True)
    else:
        shutil.copyfile(file, target)
    config = user_config_path()
    write_user_config(config, sys.executable)
    console.print(f"installed {target}\nwrote {config} (INTERPRETER_WIN = {sys.executable})\n"
                  "Restart Excel; the CashRisk tab appears. First time only: docs/excel-addin.md, 'Import functions'.")

"""``xl-cashrisk addin build|build-vba|install|lite``: the CashRisk Excel add-in and the xlwings Lite bundle."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from xl_cashrisk.cli.app import cli, console

WINDOWS_ONLY = """\
'xl-cashrisk addin install' installs the add-in into Windows desktop Excel; nothing was installed here.
On this computer:
  - Excel 365 on Mac or the web: xlwings Lite, 'xl-cashrisk addin lite --out DIR' (docs/excel-addin.md, "xlwings Lite").
  - LibreOffice Calc: 'xl-cashrisk calc install'.
  - To prepare the add-in for Windows users: 'xl-cashrisk addin build --out CashRisk.xlam' and hand it out
    with the steps in docs/excel-addin.md."""
EXIT_NOT_WINDOWS = 1


@cli.group()
def addin() -> None:
    """The CashRisk Excel add-in (插件): build the .xlam, install it into Excel on Windows; the xlwings Lite bundle."""


@addin.command("build")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("CashRisk.xlam"),
              show_default=True, help="Add-in file to write.")
def build(out: Path) -> None:
    """Build CashRisk.xlam: ribbon tab, config sheet (UDF Modules), the CashRisk VBA project."""
    from xl_cashrisk.build.addin.build import build_addin

    report = build_addin(out)
    console.print(f"wrote {report.path}: {len(report.buttons)} ribbon buttons; VBA project CashRisk with modules "
                  f"{', '.join(report.modules)} (source only; Excel compiles it when it first opens the add-in)")


@addin.command("build-vba")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write vbaProject.bin (default: the package asset).")
def build_vba(out: Path | None) -> None:
    """Maintainers: rebuild the add-in's VBA project from CashRisk.bas and xlwings' module (needs LibreOffice)."""
    from xl_cashrisk.build.addin.build import VBA_ASSET, build_vba_project

    with console.status("LibreOffice writes the VBA project…"):
        path = build_vba_project(out or VBA_ASSET)
    console.print(f"wrote {path} (read back: every module as in its source)")


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
    from xl_cashrisk.build.addin.config import (
        ansi_code_page,
        user_config_entries,
        user_config_path,
        write_user_config,
    )

    target_dir = xlstart_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / ADDIN_NAME
    if file is None:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copyfile(build_addin(Path(tmp) / ADDIN_NAME).path, target)
    else:
        shutil.copyfile(file, target)
    config = user_config_path()
    entries = user_config_entries()
    write_user_config(config, entries, ansi_code_page())
    shown = ", ".join(f"{k} = {v}" for k, v in entries)
    console.print(f"installed {target}\nwrote {config} ({shown})\n"
                  "Restart Excel; the CashRisk tab appears. First time only: docs/excel-addin.md, 'Import functions'.")


def xlstart_dir() -> Path:
    """The user's XLSTART folder (what Excel's ``Application.StartupPath`` returns for a default install)."""
    return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"


@addin.command("lite")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write main.py, requirements.txt, the wheel and README-lite.txt into.")
@click.option("--wheel-url", default=None,
              help="Where you will publish the wheel (an https:// folder that sends CORS headers); "
                   "requirements.txt then names the wheel there.")
def lite(out: Path, wheel_url: str | None) -> None:
    """The xlwings Lite bundle (Excel 365 on Windows/Mac, Excel on the web): main.py, requirements.txt, the wheel."""
    from xl_cashrisk.build.lite import write_bundle

    bundle = write_bundle(out, wheel_url)
    console.print(f"wrote {bundle.main}, {bundle.requirements}, {bundle.wheel.name} and {bundle.readme.name} "
                  f"into {out}")
    console.print(bundle.next_step, soft_wrap=True)

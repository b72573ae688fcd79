"""``xl-cashrisk calc``: build, install and remove the LibreOffice Calc extension."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from xl_cashrisk.cli.app import cli, console


@cli.group()
def calc() -> None:
    """LibreOffice Calc extension: the xl-cashrisk functions in Calc cells.

    LibreOffice Calc 扩展：在 Calc 单元格中使用 xl-cashrisk 函数。
    """


@calc.command("build")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the extension (default ./xl-cashrisk.oxt).")
def build_cmd(out: Path | None) -> None:
    """Build xl-cashrisk.oxt from the functions in udfs/."""
    from xl_cashrisk.build.calc.build import build

    result = build(out)
    console.print(f"built [bold]{result.oxt}[/bold]: {len(result.functions)} functions "
                  f"({', '.join(result.functions)})", soft_wrap=True)
    console.print(f"LibreOffice's Python will import the project from: {', '.join(result.python_paths)} "
                  "(override with XL_CASHRISK_PYTHONPATH)", soft_wrap=True)


@calc.command("install")
@click.option("--oxt", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Extension file to install (default: build a fresh one first).")
@click.option("--shared", is_flag=True, help="Install for all users of this machine (unopkg --shared).")
@click.option("--profile", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Install into this private LibreOffice profile directory instead (works as root too).")
def install_cmd(oxt: Path | None, shared: bool, profile: Path | None) -> None:
    """Install the extension into LibreOffice (per user; all users with --shared or as root)."""
    from xl_cashrisk.build.calc.build import build
    from xl_cashrisk.build.calc.install import install

    with tempfile.TemporaryDirectory(prefix="xlc-oxt-") as tmp:
        if oxt is None:
            oxt = build(Path(tmp) / "xl-cashrisk.oxt").oxt
            console.print(f"built {oxt.name} from udfs/")
        outcome = install(oxt, shared=shared, profile=profile)
    console.print(f"[green]installed[/green] {oxt.name} ({outcome.scope})"
                  + (f": {outcome.detail}" if outcome.detail else ""), soft_wrap=True)
    if profile is not None:
        console.print(f"start LibreOffice with: soffice -env:UserInstallation={profile.resolve().as_uri()}",
                      soft_wrap=True)
    else:
        console.print("restart LibreOffice to use the functions, e.g. =AGEBUCKET(A2;$B$1)")


@calc.command("uninstall")
@click.option("--shared", is_flag=True, help="Remove the all-users installation (unopkg --shared).")
@click.option("--profile", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Remove it from this private LibreOffice profile directory.")
def uninstall_cmd(shared: bool, profile: Path | None) -> None:
    """Remove the extension from LibreOffice."""
    from xl_cashrisk.build.calc.install import uninstall

    outcome = uninstall(shared=shared, profile=profile)
    if outcome.action == "removed":
        console.print(f"[green]removed[/green] the xl-cashrisk extension ({outcome.scope})")
    else:
        console.print(f"the xl-cashrisk extension was not installed ({outcome.scope}); nothing removed")

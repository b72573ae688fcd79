"""Install and remove the Calc extension.

Three ways, all measured on LibreOffice 25.2 (Debian bookworm-backports):

- **Per user** (not root): ``unopkg add --force xl-cashrisk.oxt`` into the user's own profile.
- **All users** (``shared=True``): ``unopkg add --shared``. ``unopkg`` refuses to run as root
  without ``--shared``, so as root this is the default. Its registration pass imports the Python
  component before the extension's types are live; the component guards that import.
- **A private profile** (``profile=DIR``, any user, root included): LibreOffice is started headless
  on that profile and the extension is added through its ``ExtensionManager`` (see
  :mod:`xl_cashrisk.build.calc.unodriver`). Nothing outside DIR changes; tests and CI use this, and
  ``soffice -env:UserInstallation=file:///DIR`` then runs with the functions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from xl_cashrisk.build.calc.build import EXTENSION_ID, _program_dirs
from xl_cashrisk.build.calc.unodriver import lo_environment, run_driver
from xl_cashrisk.errors import CashRiskError


@dataclass(frozen=True)
class Outcome:
    action: str  # "installed" / "removed" / "not installed"
    scope: str  # "user", "shared" or "profile DIR"
    detail: str = ""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def find_unopkg() -> str:
    exe = shutil.which("unopkg")
    if exe:
        return exe
    for d in _program_dirs():
        if (d / "unopkg").is_file():
            return str(d / "unopkg")
    raise CashRiskError("unopkg was not found: install LibreOffice (see docs/libreoffice.md)")


def _unopkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([find_unopkg(), *args], capture_output=True, text=True, check=False, timeout=600,
                          env=lo_environment())


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit code {proc.returncode}"


def install(oxt: Path | str, *, shared: bool = False, profile: Path | str | None = None) -> Outcome:
    """Install ``oxt`` (replacing an installed version) and say where it went."""
    oxt = Path(oxt).resolve()
    if not oxt.is_file():
        raise CashRiskError(f"{oxt}: no such extension file; build it first with `xl-cashrisk calc build`")
    if profile is not None:
        profile = Path(profile).resolve()
        report = run_driver("install", profile, oxt)
        if EXTENSION_ID not in report.get("installed", []):
            raise CashRiskError(f"LibreOffice did not list {EXTENSION_ID} after installing into {profile}")
        return Outcome("installed", f"profile {profile}", f"{report['total_s']:.1f} s")
    scope = "shared" if shared or is_root() else "user"
    args = ["add", "--force", "--suppress-license", str(oxt)]
    if scope == "shared":
        args.insert(1, "--shared")
    proc = _unopkg(*args)
    if proc.returncode != 0:
        raise CashRiskError(f"unopkg could not install {oxt.name} ({scope}): {_last_line(proc)}")
    detail = "running as root: unopkg installs for all users (--shared)" if is_root() and not shared else ""
    return Outcome("installed", scope, detail)


def uninstall(*, shared: bool = False, profile: Path | str | None = None) -> Outcome:
    """Remove the extension; "not installed" when it was not there."""
    if profile is not None:
        profile = Path(profile).resolve()
        report = run_driver("remove", profile)
        return Outcome("removed" if report.get("removed") else "not installed", f"profile {profile}")
    scope = "shared" if shared or is_root() else "user"
    listing = _unopkg("list", *(["--shared"] if scope == "shared" else []))
    if EXTENSION_ID not in listing.stdout:
        return Outcome("not installed", scope)
    proc = _unopkg("remove", *(["--shared"] if scope == "shared" else []), EXTENSION_ID)
    if proc.returncode != 0:
        raise CashRiskError(f"unopkg could not remove {EXTENSION_ID} ({scope}): {_last_line(proc)}")
    return Outcome("removed", scope)

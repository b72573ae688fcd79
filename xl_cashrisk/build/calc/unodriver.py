"""Drive a headless LibreOffice over UNO: install the extension into a profile, recalculate workbooks.

This file runs under LibreOffice's own Python (the one that can ``import uno``; on Debian the system
``python3``), not under the project's environment, so it uses the standard library only and
imports ``uno`` inside functions (the project's tests import this module without LibreOffice).

Why a driver: ``unopkg`` refuses to run as root unless ``--shared`` (which changes the machine's
LibreOffice for every user). Installing through the office's own ``ExtensionManager`` into a private
profile works for any user, root included, and the same process then recalculates the workbooks,
so LibreOffice starts once.

    python3 unodriver.py install --profile DIR --oxt FILE
    python3 unodriver.py remove  --profile DIR
    python3 unodriver.py recalc  --profile DIR [--oxt FILE] IN.xlsx OUT.xlsx [IN OUT ...]

Each prints one JSON object on stdout (what was done, seconds taken). ``recalc`` computes every
formula exactly once: it sets the profile to recalculate .xlsx/.ods files on load (so it changes that
profile's "Recalculation on file load" setting to *Always*) instead of calling ``calculateAll()``
after loading, which computed each formula a second time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXTENSION_ID = "org.xlcashrisk.calc"
XLSX_FILTER = "Calc MS Excel 2007 XML"
# Files whose load-time recalculation the profile's "recalculation on file load" settings
# (OOXMLRecalcMode, ODFRecalcMode) govern: with both set to "always" (0) LibreOffice recalculates
# every formula while loading, so `recalc` does not call calculateAll() again (that computed every
# formula twice: once on load, once more in calculateAll). Other formats get calculateAll().
RECALCULATED_ON_LOAD = frozenset((".xlsx", ".xlsm", ".xltx", ".xltm", ".ods", ".ots", ".fods"))


def _soffice() -> str:
    exe = os.environ.get("SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise SystemExit("soffice not found")
    return exe


class Office:
    """One headless soffice process with its own profile, and a UNO connection to it."""

    def __init__(self, profile: Path, timeout: float = 60.0):
        import uno

        self.uno = uno
        self.profile = Path(profile).resolve()
        self.profile.mkdir(parents=True, exist_ok=True)
        self.pipe = f"xlc{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        self.proc = subprocess.Popen(
            [
                _soffice(), "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                "--nolockcheck", f"-env:UserInstallation={self.profile.as_uri()}",
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=lo_environment(),
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"soffice did not start (exit code {self.proc.poll()})") from None
                time.sleep(0.1)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def prop(self, name, value):
        p = self.uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        p.Name, p.Value = name, value
        return p

    def extension_manager(self):
        return self.ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")

    def installed(self) -> list[str]:
        mgr = self.extension_manager()
        out = []
        for ext in mgr.getDeployedExtensions("user", None, None):
            out.append(ext.getIdentifier().Value)
        return out

    def command_environment(self):
        """Approves the questions the ExtensionManager asks (``unopkg`` answers them the same way);
        without it ``addExtension`` fails with a bare "Error while adding"."""
        import unohelper
        from com.sun.star.task import XInteractionHandler
        from com.sun.star.ucb import XCommandEnvironment

        approve = self.uno.getTypeByName("com.sun.star.task.XInteractionApprove")

        class Handler(unohelper.Base, XInteractionHandler):
            def handle(self, request):
                for c in request.getContinuations():
                    if c.queryInterface(approve):
                        c.select()
                        return

        class Environment(unohelper.Base, XCommandEnvironment):
            def getInteractionHandler(self):
                return Handler()

            def getProgressHandler(self):
                return None

        return Environment()

    def install(self, oxt: Path) -> None:
        mgr = self.extension_manager()
        mgr.addExtension(Path(oxt).resolve().as_uri(), (), "user", None, self.command_environment())

    def remove(self) -> bool:
        mgr = self.extension_manager()
        for ext in mgr.getDeployedExtensions("user", None, None):
            if ext.getIdentifier().Value == EXTENSION_ID:
                mgr.removeExtension(EXTENSION_ID, ext.getName(), "user", None, self.command_environment())
                return True
        return False

    def recalculate_on_load(self) -> None:
        """Set this profile to recalculate every formula when an .xlsx/.ods file loads (Tools →
        Options → Calc → Formula → "Recalculation on file load": Always), cached values or not."""
        provider = self.smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", self.ctx)
        load = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (self.prop("nodepath", "/org.openoffice.Office.Calc/Formula/Load"),))
        for key in ("OOXMLRecalcMode", "ODFRecalcMode"):
            load.setPropertyValue(key, 0)
        load.commitChanges()
        self._recalculates_on_load = True

    def recalc(self, src: Path, dst: Path) -> float:
        """Load ``src``, recalculate every formula exactly once, save as .xlsx to ``dst``; seconds taken."""
        if not getattr(self, "_recalculates_on_load", False):
            self.recalculate_on_load()
        start = time.perf_counter()
        doc = self.desktop.loadComponentFromURL(
            Path(src).resolve().as_uri(), "_blank", 0, (self.prop("Hidden", True),)
        )
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {src}")
        try:
            if Path(src).suffix.lower() not in RECALCULATED_ON_LOAD:
                doc.calculateAll()
            doc.storeToURL(Path(dst).resolve().as_uri(), (self.prop("FilterName", XLSX_FILTER),))
        finally:
            doc.close(True)
        return time.perf_counter() - start

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the bridge may drop while the office quits
            self.desktop.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="unodriver")
    ap.add_argument("command", choices=("install", "remove", "recalc"))
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--oxt", type=Path)
    ap.add_argument("files", nargs="*", type=Path)
    ns = ap.parse_intermixed_args(argv)
    if len(ns.files) % 2:
        ap.error("recalc takes pairs of IN OUT files")
    report: dict = {"command": ns.command, "profile": str(ns.profile)}
    t0 = time.perf_counter()
    office = Office(ns.profile)
    report["startup_s"] = round(time.perf_counter() - t0, 3)
    try:
        if ns.command in ("install", "recalc") and ns.oxt:
            if EXTENSION_ID in office.installed():
                office.remove()
            t = time.perf_counter()
            office.install(ns.oxt)
            report["install_s"] = round(time.perf_counter() - t, 3)
        if ns.command == "remove":
            report["removed"] = office.remove()
        report["installed"] = office.installed()
        report["recalc_s"] = []
        pairs = list(zip(ns.files[::2], ns.files[1::2], strict=True))
        for src, dst in pairs:
            report["recalc_s"].append(round(office.recalc(src, dst), 3))
    finally:
        office.close()
    report["total_s"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(report))
    return 0


def run_driver(command: str, profile: Path, oxt: Path | None = None, files: list[Path] | None = None,
               python: str | None = None, timeout: float = 600) -> dict:
    """Run this driver under LibreOffice's Python from the project's environment; the JSON report."""
    exe = python or lo_python()
    args = [exe, str(Path(__file__).resolve()), command, "--profile", str(profile)]
    if oxt:
        args += ["--oxt", str(oxt)]
    args += [str(f) for f in files or ()]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=lo_environment(), check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"LibreOffice driver failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Variables through which a Python environment reaches a process it starts. LibreOffice embeds a
# Python (pyuno) that finds its home from them and from the first python3 on PATH: started from an
# activated virtualenv or conda environment of another Python version, it loads that version's standard
# library and the extension manager dies with std::bad_alloc (measured with LibreOffice 25.2, a pyenv
# 3.11.7 virtualenv first on PATH, system Python 3.11.2).
FOREIGN_PYTHON_VARS = ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE",
                       "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "__PYVENV_LAUNCHER__", "VIRTUAL_ENV",
                       "VIRTUAL_ENV_PROMPT", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_EXE", "CONDA_PYTHON_EXE",
                       "CONDA_SHLVL", "CONDA_PROMPT_MODIFIER", "PYENV_VERSION", "PYENV_VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")


def _foreign_python_dir(entry: str) -> bool:
    """A PATH entry that belongs to a Python environment: a virtualenv's or conda env's bin/Scripts, pyenv's shims."""
    d = Path(entry)
    return ((d.parent / "pyvenv.cfg").is_file() or (d.parent / "conda-meta").is_dir()
            or (d / "conda-meta").is_dir() or (d.name == "shims" and "pyenv" in str(d).lower()))


def lo_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to start LibreOffice (soffice, unopkg, its Python) with: this one without any
    Python environment's variables or PATH entries, so LibreOffice uses its own Python. The extension
    finds the project through the paths baked into it or XL_CASHRISK_PYTHONPATH, which is kept."""
    env = dict(os.environ if environ is None else environ)
    for key in FOREIGN_PYTHON_VARS:
        env.pop(key, None)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not _foreign_python_dir(p)]
    env["PATH"] = os.pathsep.join(path or ["/usr/bin", "/bin"])
    return env


def lo_python() -> str:
    """A Python interpreter that can ``import uno``: $XL_CASHRISK_LO_PYTHON, LibreOffice's bundled
    Python (upstream builds), then the system python3 (Debian/Ubuntu's python3-uno)."""
    candidates = [os.environ.get("XL_CASHRISK_LO_PYTHON", "")]
    soffice = shutil.which("soffice")
    if soffice:
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python"), str(program / "python.bin")]
    candidates += ["/usr/bin/python3", shutil.which("python3", path=lo_environment()["PATH"]) or ""]
    for c in candidates:
        if not c or not Path(c).is_file():
            continue
        ok = subprocess.run([c, "-c", "import uno"], capture_output=True, env=lo_environment(), check=False)
        if ok.returncode == 0:
            return c
    raise FileNotFoundError("no Python with the 'uno' module (Debian: apt-get install python3-uno)")


def temporary_profile() -> Path:
    return Path(tempfile.mkdtemp(prefix="xlc-lo-profile-"))


if __name__ == "__main__":
    sys.exit(main())


def libreoffice_missing() -> str:
    """Why Python functions cannot run in LibreOffice cells here (no soffice, an incomplete SDK or Python
    UNO), or '' when they can: the one check of the in-cell tests and the LibreOffice benchmark."""
    from xl_cashrisk.build.calc.build import find_type_registries, find_unoidl_write
    from xl_cashrisk.errors import CashRiskError

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "LibreOffice (soffice) is not installed; scripts/install-libreoffice.sh installs it"
    try:
        find_unoidl_write()
        find_type_registries()
        lo_python()
    except (CashRiskError, FileNotFoundError) as exc:
        return f"LibreOffice SDK/Python UNO incomplete: {exc}"
    return ""

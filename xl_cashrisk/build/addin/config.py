"""The add-in's user config file, ``%USERPROFILE%\\.cashrisk\\cashrisk.conf``, written the way its VBA reads it.

xlwings' VBA reads the file with ``Open … For Input`` / ``Input #``: one ``"KEY","value"`` line per
setting, decoded in the user's ANSI code page (936/GBK on a Chinese Windows, 1252 on a Western one),
not UTF-8. A UTF-8 file turns ``C:\\Users\\张三\\…\\python.exe`` into mojibake and Excel reports
"Could not find Interpreter". So the file is encoded in that code page; a path the code page cannot
hold is written as its Windows short (8.3) name, which is ASCII.

Entries, as ``xlwings config create`` writes them: under conda ``CONDA PATH`` and ``CONDA ENV`` (the VBA
then activates the environment, which conda's DLLs need), else ``INTERPRETER_WIN``. Plus ``PYTHONPATH``
= the folder holding the installed ``udfs`` package: xlwings puts it first on ``sys.path``, so a
``udfs.py`` in whatever folder Excel starts Python from cannot stand in for the package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from xl_cashrisk.errors import CashRiskError

__all__ = ["ansi_code_page", "config_text", "user_config_entries", "user_config_path", "write_user_config"]


def ansi_code_page() -> str:
    """The Windows ANSI code page as a Python codec name ("cp936"); elsewhere the locale's encoding."""
    if sys.platform.startswith("win"):
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetACP()}"
    import locale

    return locale.getpreferredencoding(False)


def user_config_path() -> Path:
    """Where the add-in's xlwings VBA looks for its user config (``PROJECT_NAME`` = cashrisk)."""
    return Path(os.environ.get("USERPROFILE", str(Path.home()))) / ".cashrisk" / "cashrisk.conf"


def package_root() -> str:
    """The folder that holds the ``udfs`` package (site-packages, or the project root of an editable install)."""
    import udfs

    return str(Path(udfs.__file__).resolve().parents[1])


def user_config_entries(executable: str = sys.executable) -> list[tuple[str, str]]:
    """The settings ``xlwings config create`` would write for this Python, plus PYTHONPATH."""
    from xlwings.cli import get_conda_settings

    conda_path, conda_env = get_conda_settings()
    entries = [("CONDA PATH", conda_path), ("CONDA ENV", conda_env)] if conda_path else [("INTERPRETER_WIN", executable)]
    return [*entries, ("PYTHONPATH", package_root())]


def _short_path(path: str) -> str | None:
    """The Windows 8.3 name of an existing path (ASCII), or None where there is none."""
    if not sys.platform.startswith("win"):
        return None
    import ctypes

    buf = ctypes.create_unicode_buffer(32768)
    n = ctypes.windll.kernel32.GetShortPathNameW(path, buf, len(buf))
    return buf.value if 0 < n < len(buf) else None


def config_text(entries: list[tuple[str, str]], encoding: str,
                short_path: Callable[[str], str | None] = _short_path) -> bytes:
    """The file's bytes: ``"KEY","value"`` lines (CRLF, as VBA's ``Write #`` ends them) in ``encoding``."""
    lines = []
    for key, value in entries:
        try:
            value.encode(encoding)
        except UnicodeEncodeError:
            short = short_path(value)
            if short is None or not short.isascii():
                raise CashRiskError(
                    f"{key} {value!r} cannot be written in this Windows code page ({encoding}) and has no short "
                    "name: install Python in a folder whose name uses only characters of your Windows language, "
                    "or turn on short names (fsutil 8dot3name)") from None
            value = short
        lines.append(f'"{key}","{value}"\r\n')
    return "".join(lines).encode(encoding)


def write_user_config(path: Path, entries: list[tuple[str, str]], encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(config_text(entries, encoding))

"""A font with Chinese glyphs for the matplotlib charts (PNG/PDF), or a clear fallback.

matplotlib's own DejaVu Sans has no CJK glyphs: Chinese titles and buyer names would print as empty
boxes. :func:`cjk_font` looks for a CJK font on the machine — first among the fonts matplotlib
already knows, then in the usual Debian/Windows/macOS places and through fontconfig (``fc-list``),
registering the file it finds — and returns its family name. ``scripts/install-cjk-fonts.sh``
(run by ``.ci/run``) installs Debian's fonts-wqy-microhei where none is. Without one, charts keep
English titles and :func:`chart_language` says so in one warning line.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import shutil
import subprocess
from pathlib import Path

__all__ = ["CJK_FAMILIES", "chart_language", "cjk_font", "font_families", "quiet_font_lookup"]

log = logging.getLogger(__name__)

# families with the GB2312 hanzi, most common first (Linux packages, then Windows and macOS)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Droid Sans Fallback", "AR PL UMing CN", "Microsoft YaHei", "SimHei", "DengXian", "PingFang SC",
                "Heiti SC", "Hiragino Sans GB", "Arial Unicode MS")
CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "C:/Windows/Fonts/msyh.ttc",
             "C:/Windows/Fonts/simhei.ttf", "/System/Library/Fonts/PingFang.ttc",
             "/Library/Fonts/Arial Unicode.ttf")
FALLBACK_NOTE = ("no font with Chinese glyphs found: charts keep English titles (install one with "
                 "scripts/install-cjk-fonts.sh, or Debian's fonts-noto-cjk / fonts-wqy-microhei) "
                 "未找到中文字体，图表标题使用英文")
PROBE = "应收账款现金流"  # the glyphs a font must have


@functools.cache
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs that matplotlib can use, or None."""
    from matplotlib import font_manager as fm

    known = {f.name for f in fm.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in (*CJK_FILES, *_fontconfig_files()):
        if Path(path).is_file() and _has_glyphs(path):
            try:
                fm.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            return fm.FontProperties(fname=path).get_name()
    return None


def chart_language(language: str) -> str:
    """The language the charts can be drawn in: ``"zh"`` when asked and a CJK font exists, else
    ``"en"`` (one warning line, once, when Chinese was asked for and cannot be shown)."""
    if language != "zh":
        return "en"
    if cjk_font() is not None:
        return "zh"
    _warn_once()
    return "en"


def font_families() -> list[str]:
    """matplotlib's ``font.family`` list: DejaVu Sans for Latin text and digits, then the CJK font
    (matplotlib ≥ 3.6 falls back glyph by glyph along this list — not along a generic family's list —
    so Chinese buyer and scenario names print even in English charts)."""
    font = cjk_font()
    return ["DejaVu Sans", *([font] if font else [])]


@contextlib.contextmanager
def quiet_font_lookup():
    """Silence matplotlib's "findfont: Failed to find font weight bold" lines while drawing: a CJK font
    without a bold face is drawn in its regular weight, which is what we want."""
    fm_log = logging.getLogger("matplotlib.font_manager")
    level = fm_log.level
    fm_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        fm_log.setLevel(level)


@functools.cache
def _warn_once() -> None:
    log.warning(FALLBACK_NOTE)


def _fontconfig_files() -> list[str]:
    """Font files fontconfig lists as covering Chinese (none when fc-list is missing)."""
    fc = shutil.which("fc-list")
    if fc is None:
        return []
    try:
        out = subprocess.run([fc, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())


def _has_glyphs(path: str) -> bool:
    """True when the font file maps every character of :data:`PROBE` (a .ttc: its first face)."""
    try:
        from matplotlib.ft2font import FT2Font

        face = FT2Font(path)
        return all(face.get_char_index(ord(ch)) for ch in PROBE)
    except (OSError, RuntimeError, ValueError):
        return False

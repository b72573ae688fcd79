"""The guides work when followed literally: every ```sh block of docs/guide-*.md runs, in order, in a
fresh directory with xl-cashrisk on PATH, and exits 0 (each guide writes the sample files it uses)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = sorted((ROOT / "docs").glob("guide-*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(guide: Path) -> list[tuple[str, str]]:
    """(language, text) of every fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(guide.read_text(encoding="utf-8"))]


def test_every_guide_command_is_in_a_sh_block():
    """A command block fenced otherwise would escape the test below."""
    assert len(GUIDES) >= 4
    for guide in GUIDES:
        langs = [lang for lang, text in blocks(guide) if re.search(r"^\s*xl-cashrisk ", text, re.M)]
        assert langs and set(langs) == {"sh"}, guide.name


@pytest.mark.slow
@pytest.mark.parametrize("guide", GUIDES, ids=[g.stem for g in GUIDES])
def test_guide_commands_run_as_written_on_the_sample(guide, tmp_path):
    exe = Path(sys.executable).parent
    assert (exe / "xl-cashrisk").exists() or shutil.which("xl-cashrisk"), "xl-cashrisk is not installed"
    env = {**os.environ, "PATH": f"{exe}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "120"}
    for i, (lang, text) in enumerate(blocks(guide), start=1):
        if lang != "sh":
            continue
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=900)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"{guide.name}, block {i}:\n{text}\n--- exit {proc.returncode}:\n{out[-3000:]}"
        assert "Traceback" not in out, f"{guide.name}, block {i}"

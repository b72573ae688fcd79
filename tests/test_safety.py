"""Never lose data, never run what a workbook carries: killed writes, locked targets, formula injection,
external links and DDE read as data, every writer going through the atomic writer."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xl_cashrisk.cli import cli
from xl_cashrisk.io import safe
from xl_cashrisk.io.safe import file_fingerprint

sys.path.insert(0, str(Path(__file__).parent / "corpus"))
from make_corpus import (
    IDX,
    LEDGER_HEADERS,
    REGISTER_HEADERS,
    Formula,
    Sheet,
    good_rows,
    ledger_book,
    settings_sheet,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ['=HYPERLINK("http://evil.example/x","click")', "+86 20 1234 5678", "-2+3", "@SUM(A1:A9)",
           "\tTAB=1+1", "\r=1+2", "=cmd|' /C calc'!A0"]
PASSES = [HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4]]  # the reader refuses text starting with '=' (below)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def _assert_text_not_formula(out: Path, texts: list[str]) -> None:
    """Each text is in the output as a string cell (shared or inline), and no <f> element holds any of it."""
    parts = _sheet_xml(out)
    formulas = " ".join(m for name, xml in parts.items() if name.startswith("xl/worksheets/")
                        for m in re.findall(r"<f[^>]*>(.*?)</f>", xml, re.S))
    strings = " ".join(parts.get("xl/sharedStrings.xml", "") for _ in [0]) + " ".join(
        xml for name, xml in parts.items() if name.startswith("xl/worksheets/"))
    for t in texts:
        core = t.strip().lstrip("=+-@").split("(")[0][:8]
        assert core not in formulas, f"{t!r} became a formula"
        from xml.sax.saxutils import escape

        shown = escape(t.replace("\r", "_x000D_"))
        assert escape(t.strip()[:12]) in strings or shown[:12] in strings, f"{t!r} missing from the output"
    wb = openpyxl.load_workbook(out)  # and the file opens
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for t in texts:
        # XlsxWriter stores CR as _x000D_ (Excel decodes it; openpyxl shows it raw)
        assert any(v.replace("_x000D_", "\r").strip() == t.strip() for v in values), t


# ------------------------------------------------------------------------------------------ formula injection
def test_writer_writes_every_hostile_text_as_text(tmp_path):
    import pandas as pd

    from xl_cashrisk.io.writer import ResultWorkbook

    out = tmp_path / "w.xlsx"
    with ResultWorkbook(out) as rw:
        rw.add_table(pd.DataFrame({"name": HOSTILE, "n": range(len(HOSTILE))}), "T")
        rw.add_summary("S", [(t, t) for t in HOSTILE])
    _assert_text_not_formula(out, HOSTILE)


def test_age_writes_hostile_buyer_names_as_text(tmp_path):
    rows = [list(r) for r in good_rows()]
    for i, t in enumerate(PASSES):
        rows[i][IDX["buyer_name"]] = t
        rows[i][IDX["buyer_id"]] = f"X{i}"
    src = ledger_book(tmp_path / "ledger.xlsx", rows)
    before = file_fingerprint(src)
    r = run("age", src, "--out", tmp_path / "aged.xlsx")
    assert r.exit_code == 0, r.output
    assert file_fingerprint(src) == before
    _assert_text_not_formula(tmp_path / "aged.xlsx", [t.strip() for t in PASSES])


@pytest.mark.parametrize("text", [HOSTILE[0], HOSTILE[5], HOSTILE[6]])
def test_input_text_starting_with_equals_is_refused_with_its_cell(tmp_path, text):
    rows = [list(r) for r in good_rows()]
    rows[2][IDX["buyer_name"]] = text
    src = ledger_book(tmp_path / "ledger.xlsx", rows)
    r = run("age", src, "--out", tmp_path / "aged.xlsx")
    assert r.exit_code == 3 and "row 4, column 'Buyer name" in " ".join(r.output.split()), r.output
    assert not (tmp_path / "aged.xlsx").exists()


def test_score_writes_hostile_buyer_names_as_text(tmp_path):
    if "score" not in cli.commands:
        pytest.skip("no score command yet")
    reg = [["B001", HOSTILE[1], "CN", "retail", 5.0e7, 2.0e7, 8.0e7, 300000.0],
           ["B002", HOSTILE[2], "DE", "machinery", 9.0e7, 5.0e7, 1.2e8, 200000.0],
           ["B003", HOSTILE[3], "CN", "textiles", 2.0e7, 1.5e7, 3.0e7, None]]
    src = write_xlsx(tmp_path / "reg.xlsx", [Sheet("AR Ledger", [LEDGER_HEADERS, *good_rows()]),
                                             Sheet("Buyer Register", [REGISTER_HEADERS, *reg]), settings_sheet()])
    before = file_fingerprint(src)
    r = run("score", src, "--out", tmp_path / "scored.xlsx")
    assert r.exit_code == 0, r.output
    assert file_fingerprint(src) == before
    _assert_text_not_formula(tmp_path / "scored.xlsx", [HOSTILE[1], HOSTILE[2], HOSTILE[3]])


# ------------------------------------------------------------------------------------------ links, DDE, network
def test_external_link_and_dde_formulas_are_read_as_cached_data_never_run(tmp_path, monkeypatch):
    """A DDE formula and an external-workbook reference are read as their saved values; nothing is
    fetched or started: sockets and subprocesses are booby-trapped for the whole run."""
    rows = [list(r) for r in good_rows()]
    rows[0][IDX["buyer_name"]] = Formula("cmd|' /C calc'!A0", cached="dde-cached")
    rows[4][IDX["buyer_name"]] = "dde-cached"
    rows[1][IDX["amount"]] = Formula("'[1]Sheet1'!A1", cached=20000.0)
    link = ('<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships" r:id="rId1"/></externalLink>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/externalLinkPath" Target="http://evil.example/book.xlsx" '
            'TargetMode="External"/></Relationships>')
    src = ledger_book(tmp_path / "linked.xlsx", rows, extra={"xl/externalLinks/externalLink1.xml": link.encode(),
                                                            "xl/externalLinks/_rels/externalLink1.xml.rels":
                                                                rels.encode()})

    def trap(*a, **k):
        raise AssertionError("xl-cashrisk tried to open a network connection or start a program")

    monkeypatch.setattr(socket.socket, "connect", trap)
    monkeypatch.setattr(subprocess, "Popen", trap)
    monkeypatch.setattr(os, "system", trap)
    r = run("age", src, "--out", tmp_path / "aged.xlsx")
    assert r.exit_code == 0, r.output
    monkeypatch.undo()
    wb = openpyxl.load_workbook(tmp_path / "aged.xlsx")
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "dde-cached" in values
    assert not any("<f>" in xml and "cmd|" in xml for xml in _sheet_xml(tmp_path / "aged.xlsx").values())


# ------------------------------------------------------------------------------------------ atomic writes
def test_every_writer_goes_through_the_atomic_writer():
    """No module writes a workbook or report file except through xl_cashrisk/io/safe.py (AtomicFile /
    atomic_output): an allow-list of the few writes of our own build artefacts."""
    allowed = {
        "xl_cashrisk/io/safe.py",
        "xl_cashrisk/build/lite.py",  # writes the xlwings Lite project (our source files), not user data
        "xl_cashrisk/build/template_functions.py",  # writes io/template_functions.json (our source data)
        "xl_cashrisk/build/addin/vba.py",  # a scratch job in a temp folder for LibreOffice
        "xl_cashrisk/build/calc/build.py",  # IDL source in a temp build folder
        "xl_cashrisk/build/addin/config.py",  # the add-in install's user config (cashrisk.conf, ANSI code page)
        "xl_cashrisk/batch/sources.py",  # CSV rows streamed into a file opened on AtomicFile.path (line ~261)
    }
    pattern = re.compile(r"xlsxwriter\.Workbook\(|\.to_excel\(|\.write_bytes\(|\.write_text\(|"
                         r"open\([^)]*['\"][wa]b?['\"]|\.save\(\s*['\"/]|savefig\(|to_parquet\(|to_csv\(")
    offenders = []
    for path in [*ROOT.joinpath("xl_cashrisk").rglob("*.py"), *ROOT.joinpath("udfs").rglob("*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for i, line in enumerate(text.splitlines(), 1):
            if pattern.search(line) and "h.update(" not in line and "atomic" not in line and "tmp" not in line and "_file.path" not in line:
                window = "\n".join(text.splitlines()[max(0, i - 8):i])
                if "atomic_output" in window or "AtomicFile" in window or ".path" in line:
                    continue
                if "io.BytesIO()" in window:  # into memory (a chart placed in the workbook), not a file
                    continue
                offenders.append(f"{rel}:{i}: {line.strip()}")
    assert not offenders, "writes that bypass io/safe.py:\n" + "\n".join(offenders)


KILL_SCRIPT = """
import sys, pandas as pd, numpy as np
from xl_cashrisk.io.writer import ResultWorkbook
n = int(sys.argv[2])
df = pd.DataFrame({"a": np.arange(n, dtype=float), "b": [f"buyer {i}" for i in range(n)],
                   "c": np.arange(n) * 1.5, "d": ["x" * 20] * n})
with ResultWorkbook(sys.argv[1]) as rw:
    for k in range(6):
        rw.add_table(df, f"S{k}")
"""


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "results.xlsx"
    r = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(out), "50"], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    before = file_fingerprint(out)
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(out), "400000"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        tmp = []
        while time.monotonic() < deadline and proc.poll() is None:
            tmp = [p for p in tmp_path.iterdir() if p.name.startswith(".results.")]
            if tmp:
                break
            time.sleep(0.05)
        assert tmp, "the temporary file never appeared"
        time.sleep(0.5)  # inside the build and write of 6 × 400,000 rows × 4 columns (several seconds)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert file_fingerprint(out) == before
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[:2] == ["S0", "S1"]
    assert next(wb["S0"].iter_rows(min_row=2, max_row=2, values_only=True))[:2] == (0, "buyer 0")


def test_a_locked_or_read_only_target_gets_a_clear_message_and_keeps_the_file(tmp_path, monkeypatch):
    src = ledger_book(tmp_path / "ledger.xlsx")
    out = tmp_path / "aged.xlsx"
    out.write_bytes(b"previous")
    (tmp_path / "~$aged.xlsx").write_bytes(b"lock")  # Excel's owner file: the workbook is open
    r = run("age", src, "--out", out)
    assert r.exit_code == 3 and "open in Excel" in r.output, r.output
    assert out.read_bytes() == b"previous"
    (tmp_path / "~$aged.xlsx").unlink()

    def denied(a, b):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe.os, "replace", denied)  # root ignores chmod; simulate a locked/read-only target
    r = run("age", src, "--out", out)
    assert r.exit_code == 3, r.output
    assert "aged.xlsx" in r.output and "read-only" in r.output and "Permission denied" in r.output
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aged.xlsx", "ledger.xlsx"]


def test_results_never_overwrite_the_input(tmp_path):
    src = ledger_book(tmp_path / "ledger.xlsx")
    before = file_fingerprint(src)
    r = run("age", src, "--out", src)
    assert r.exit_code == 3 and "refusing to overwrite an input file" in r.output
    assert file_fingerprint(src) == before


def test_ribbon_actions_never_write_into_the_input_workbook(tmp_path):
    """Actions write <stem>.cashrisk.xlsx beside the workbook; the workbook file itself is untouched."""
    from udfs._actions import WorkbookTarget, run_action

    src = ledger_book(tmp_path / "ledger.xlsx")
    before = file_fingerprint(src)
    result = run_action("age_ledger", WorkbookTarget(src))
    assert result.output == tmp_path / "ledger.cashrisk.xlsx"
    assert file_fingerprint(src) == before
    assert openpyxl.load_workbook(result.output).sheetnames


# ------------------------------------------------------------------------------------------ limits
def test_cell_limit_is_declared_and_a_big_but_legal_sheet_passes(tmp_path, monkeypatch):
    assert safe.MAX_CELLS == 20_000_000  # Excel's full 1,048,576 rows × 19 columns fit
    src = ledger_book(tmp_path / "ok.xlsx")
    safe.check_workbook(src)
    monkeypatch.setattr(safe, "MAX_CELLS", 40)  # 6 rows × 13 columns = 78 cells in the ledger sheet
    with pytest.raises(safe.InputError, match=r"sheet 'AR Ledger' spans 6 rows × 13 columns"):
        safe.check_workbook(src)

"""Session fixtures of the in-cell test bed: LibreOffice starts once for the whole suite."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness  # noqa: E402

from xl_cashrisk.build.calc.unodriver import libreoffice_missing  # noqa: E402 — why the in-cell suite cannot run here

TIMING_ROWS = 10_000



def timing_workbook(path: Path, rows: int = TIMING_ROWS, *, one_range: bool = False) -> str:
    """``rows`` due dates and their days past due: one DAYSPASTDUE cell per row (fill-down use), or
    with ``one_range`` a single array formula over the whole column (the sheets ``python -m bench --only
    calc`` times, bench/data.py)."""
    from bench.data import calc_sheet

    return calc_sheet(path, rows, kind="range" if one_range else "fill-down")


def stale_workbook(path: Path) -> None:
    """A workbook as a spreadsheet saved it: formulas with cached values (stale ones: 999), and no
    request to recalculate on load. Recalculating it must replace every cached value."""
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = 45000.0, 45473.0
    ws["C1"] = "=B1-A1"
    ws["D1"] = "=DAYSPASTDUE(A1,B1)"
    wb.calculation.fullCalcOnLoad = False
    plain = path.with_suffix(".tmp.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>999</v>", data)
            dst.writestr(item, data)
    plain.unlink()


@pytest.fixture(scope="session")
def incell_run(tmp_path_factory):
    """Build the extension and the case workbook, recalculate both in one LibreOffice run."""
    reason = libreoffice_missing()
    if reason:
        pytest.skip(reason)
    from xl_cashrisk.build.calc.build import build
    from xl_cashrisk.build.calc.unodriver import run_driver

    tmp = tmp_path_factory.mktemp("incell")
    oxt = build(tmp / "xl-cashrisk.oxt")
    cases = harness.load_cases()
    placed = harness.build_workbook(cases, tmp / "cases.xlsx")
    timing_fn = timing_workbook(tmp / "timing.xlsx")
    timing_workbook(tmp / "timing-range.xlsx", one_range=True)
    stale_workbook(tmp / "stale.xlsx")
    report = run_driver("recalc", tmp / "profile", oxt.oxt,
                        [tmp / "cases.xlsx", tmp / "cases-out.xlsx", tmp / "timing.xlsx", tmp / "timing-out.xlsx",
                         tmp / "timing-range.xlsx", tmp / "timing-range-out.xlsx", tmp / "stale.xlsx",
                         tmp / "stale-out.xlsx"])
    results = harness.read_results(tmp / "cases-out.xlsx", placed)
    return {
        "oxt": oxt,
        "placed": {p.case.id: p for p in placed},
        "results": results,
        "report": report,
        "timing": {"function": timing_fn, "rows": TIMING_ROWS, "seconds": report["recalc_s"][1],
                   "file": tmp / "timing-out.xlsx", "range_seconds": report["recalc_s"][2],
                   "range_file": tmp / "timing-range-out.xlsx"},
        "stale": (tmp / "stale.xlsx", tmp / "stale-out.xlsx"),
    }

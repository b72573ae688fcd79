"""The buyer register template's live formulas, recalculated by LibreOffice with our extension, give
exactly what ``xl-cashrisk score`` writes for the same buyers (30 sample buyers with their ledger-fed
payment record, plus the template's two examples)."""

from __future__ import annotations

import datetime as dt

import harness
import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import libreoffice_missing

from xl_cashrisk.io.templates import TEMPLATES, build_template
from xl_cashrisk.pipelines.scoring import run_scoring
from xl_cashrisk.sample import load_sample
from xl_cashrisk.sample.scoring import sample_register
from xl_cashrisk.schemas.register import EXAMPLE_ROWS, REGISTER
from xl_cashrisk.settings import Settings

LIVE = [c for c in REGISTER.result_columns if c.formula]
NOT_RATED = ("NR", "", None)


def _cells(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = []
    for _, r in frame.iterrows():
        d = {}
        for c in REGISTER.input_columns:
            v = r.get(c.key)
            if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                continue
            if isinstance(v, pd.Timestamp):
                v = v.date()
            d[c.key] = v.item() if isinstance(v, np.generic) else v
        rows.append(d)
    return rows


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    reason = libreoffice_missing()
    if reason:
        pytest.skip(reason)
    from xl_cashrisk.build.calc.build import build
    from xl_cashrisk.build.calc.unodriver import run_driver

    tmp = tmp_path_factory.mktemp("register")
    s = load_sample()
    sample = run_scoring(sample_register(s.buyers, s.settings.as_of), s.settings, s.ledger).scored.iloc[::10]
    examples = pd.DataFrame(EXAMPLE_ROWS)
    rows = _cells(examples) + _cells(sample)
    spec = TEMPLATES["register"]
    build_template(spec.tables, tmp / "register.xlsx", examples={"register": rows, "fx": ()}, lights=spec.lights,
                   define_names=True, input_rows=len(rows))
    run_driver("recalc", tmp / "profile", build(tmp / "x.oxt").oxt, [tmp / "register.xlsx", tmp / "out.xlsx"])
    register = pd.concat([examples, sample[[c.key for c in REGISTER.input_columns]]], ignore_index=True)
    cli = run_scoring(register, Settings(as_of=dt.date(2026, 9, 30))).scored  # payment record already filled
    ws = openpyxl.load_workbook(tmp / "out.xlsx", data_only=True)[REGISTER.sheet]
    headers = [c.value for c in ws[3]]
    grid = [dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=4, max_row=3 + len(rows), values_only=True)]
    return cli, grid


@pytest.mark.libreoffice
@pytest.mark.parametrize("column", LIVE, ids=lambda c: c.key)
def test_live_column_equals_cli(recalculated, column):
    cli, grid = recalculated
    bad = []
    for i, cells in enumerate(grid):
        got, want = cells[column.header], cli.iloc[i][column.key]
        if isinstance(want, float) and np.isnan(want):
            ok = got in NOT_RATED
        elif column.key == "grade" and want == "NR":
            ok = got == "NR"
        else:
            ok = harness.same(got, want.item() if isinstance(want, np.generic) else want)
        if not ok:
            bad.append(f"{cli.iloc[i]['buyer_id']}: cell {got!r} != CLI {want!r}")
    assert not bad, "; ".join(bad[:5])


@pytest.mark.libreoffice
def test_register_covers_every_band(recalculated):
    _, grid = recalculated
    assert {"GREEN", "YELLOW", "RED"} <= {g["Band 信号灯"] for g in grid}

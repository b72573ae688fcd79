"""Write an import as a filled template: the same workbook ``xl-cashrisk template KIND`` gives, with the rows in."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from xl_cashrisk.errors import InputError, Location
from xl_cashrisk.importer.core import ImportResult, _table

__all__ = ["records", "write_template"]


def _plain(v: object) -> object:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return None if pd.isna(v) else v.date()
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else pd.Timestamp(v).date()
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def records(result: ImportResult) -> list[dict[str, object]]:
    """The imported rows as plain Python values (dates, floats, bools, str, None), input columns only."""
    table = _table(result.report.kind)
    keys = [c.key for c in table.input_columns if c.key in result.frame.columns]
    cols = {k: result.frame[k].to_numpy(dtype=object) for k in keys}
    return [{k: _plain(cols[k][i]) for k in keys} for i in range(len(result.frame))]


def write_template(result: ImportResult, out: str | Path, *, inputs: tuple[str | Path, ...] = ()) -> Path:
    """Fill the kind's registered template with the imported rows and write it to ``out`` (atomically).

    The Settings sheet gets the home currency and the export's as-of date when one was found; the FX
    table holds only the rates given (--fx / mapping file): the export does not give rates, and example
    rates must not pass for real ones.
    """
    from xl_cashrisk.io.templates import TEMPLATES, build_template

    out = Path(out)
    for src in inputs:
        if Path(src).resolve() == out.resolve():
            raise InputError("the output file is the input file; choose another --out", Location(str(out)))
    if out.suffix.lower() != ".xlsx":
        raise InputError("the output must be an .xlsx workbook", Location(str(out)))
    rep = result.report
    spec = TEMPLATES[rep.kind]
    fx = [{"currency": c, "rate_to_home": r} for c, r in sorted(rep.fx.items())] if rep.kind == "ledger" else []
    examples: dict[str, object] = {_table(rep.kind).key: records(result), "fx": fx}
    settings: dict[str, object] = {"home_currency": rep.home_currency} if rep.kind == "ledger" else {}
    if rep.as_of is not None:
        settings["as_of"] = rep.as_of
    if settings:
        examples["settings"] = settings
    return build_template(spec.tables, out, title_zh=spec.title_zh, title_en=spec.title_en, examples=examples,
                          lights=getattr(spec, "lights", None), define_names=getattr(spec, "define_names", False))

"""The sample portfolio written as filled template workbooks, so every command can be tried on files.

``SAMPLE_FILLERS`` maps a template kind to a function giving that template's rows from the sample;
``xl-cashrisk sample`` writes one workbook per kind, each readable by the same readers as a team's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from xl_cashrisk.sample.generate import SamplePortfolio

Rows = Mapping[str, Sequence[Mapping[str, object]] | Mapping[str, object]]


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame rows as dicts with blanks (NaN/NaT) left out, dates as ``datetime.date``."""
    out = []
    for rec in df.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
                continue
            if isinstance(v, pd.Timestamp):
                v = v.date()
            row[k] = v
        out.append(row)
    return out


def settings_rows(sample: SamplePortfolio) -> dict[str, object]:
    s = sample.settings
    return {"as_of": s.as_of, "home_currency": s.home_currency, "ageing_basis": s.ageing_basis,
            "bucket_edges": ",".join(str(e) for e in s.bucket_edges), "days_in_year": s.days_in_year,
            "reserve_rates": ",".join(f"{r:g}" for r in s.reserve_rates), "language": s.language}


def fx_rows(sample: SamplePortfolio) -> list[dict[str, object]]:
    s = sample.settings
    return [{"currency": c, "rate_to_home": r} for c, r in sorted(s.fx_rates.items()) if c != s.home_currency]


def _ledger(sample: SamplePortfolio) -> Rows:
    return {"ledger": records(sample.ledger), "settings": settings_rows(sample), "fx": fx_rows(sample)}


SAMPLE_FILLERS: dict[str, Callable[[SamplePortfolio], Rows]] = {"ledger": _ledger}


def write_sample_workbooks(outdir: str | Path, kinds: Sequence[str] | None = None,
                           sample: SamplePortfolio | None = None) -> list[Path]:
    """Write the sample as filled workbooks (``sample_<kind>.xlsx``) into ``outdir``."""
    from xl_cashrisk.io.templates import TEMPLATES, build_template
    from xl_cashrisk.sample import load_sample

    sample = sample or load_sample()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in kinds or sorted(SAMPLE_FILLERS):
        spec = TEMPLATES[kind]
        path = outdir / f"sample_{spec.filename}"
        build_template(spec.tables, path, title_zh=f"示例 {spec.title_zh}", title_en=f"Sample {spec.title_en}",
                       examples=SAMPLE_FILLERS[kind](sample), input_rows=0)
        paths.append(path)
    return paths

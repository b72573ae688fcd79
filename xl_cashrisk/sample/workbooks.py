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


def _register(sample: SamplePortfolio) -> Rows:
    from xl_cashrisk.sample.scoring import sample_register

    return {"register": records(sample_register(sample.buyers, sample.settings.as_of)),
            "settings": settings_rows(sample), "fx": fx_rows(sample)}


def _forecast(sample: SamplePortfolio) -> Rows:
    from xl_cashrisk.sample.forecast import SAMPLE_SCENARIOS, sample_forecast, sample_forecast_settings
    from xl_cashrisk.schemas.forecast import scenario_rows

    return {"forecast": records(sample_forecast(sample)), "scenarios": scenario_rows(SAMPLE_SCENARIOS),
            "settings": {**settings_rows(sample), **sample_forecast_settings(sample)}, "fx": fx_rows(sample)}


def _settings(sample: SamplePortfolio) -> Rows:
    from xl_cashrisk.sample.policy import sample_buyer_limits, sample_company_rows, sample_policy_values

    return {"settings": settings_rows(sample), "fx": fx_rows(sample), "policy": sample_policy_values(),
            "company": records(sample_company_rows(sample)), "buyer_limits": records(sample_buyer_limits(sample))}


SAMPLE_FILLERS: dict[str, Callable[[SamplePortfolio], Rows]] = {
    "ledger": _ledger, "register": _register, "forecast": _forecast, "settings": _settings}


def write_sample_book(path: str | Path, sample: SamplePortfolio | None = None) -> Path:
    """The whole sample in ONE workbook (ledger, register, forecast, scenarios, settings, policy,
    company financials, buyer limits): every command can run on this single file."""
    from xl_cashrisk.io.templates import TEMPLATES, build_template
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.schemas.settings import KeyValueTable

    sample = sample or load_sample()
    tables, rows, settings_tables = {}, {}, []
    for kind in ("ledger", "register", "forecast", "settings"):
        spec = TEMPLATES[kind]
        for t in spec.tables:
            if isinstance(t, KeyValueTable) and t.table.key == "settings":
                settings_tables.append(t)
            else:
                tables.setdefault(t.table.key if isinstance(t, KeyValueTable) else t.key, t)
        for key, value in SAMPLE_FILLERS[kind](sample).items():
            if isinstance(value, Mapping):
                rows[key] = {**rows.get(key, {}), **value}
            else:
                rows.setdefault(key, value)
    merged = settings_tables[0]
    for extra in settings_tables[1:]:
        merged = merged.extend([r for r in extra.rows if r.key not in {m.key for m in merged.rows}])
    ordered = [tables.pop("ledger"), tables.pop("register"), merged, *tables.values()]
    return build_template(ordered, path, title_en="Sample trade-credit workbook", title_zh="示例信用风险工作簿",
                          examples=rows, input_rows=0)


def write_sample_workbooks(outdir: str | Path, kinds: Sequence[str] | None = None,
                           sample: SamplePortfolio | None = None) -> list[Path]:
    """Write the sample as filled workbooks (``sample_<kind>.xlsx``) into ``outdir``."""
    from xl_cashrisk.io.templates import TEMPLATES, build_template
    from xl_cashrisk.sample import load_sample

    sample = sample or load_sample()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    if kinds is None:
        paths.append(write_sample_book(outdir / "sample_cashrisk.xlsx", sample))
    for kind in kinds or sorted(SAMPLE_FILLERS):
        spec = TEMPLATES[kind]
        path = outdir / f"sample_{spec.filename}"
        build_template(spec.tables, path, title_zh=f"示例 {spec.title_zh}", title_en=f"Sample {spec.title_en}",
                       examples=SAMPLE_FILLERS[kind](sample), input_rows=0)
        paths.append(path)
    return paths

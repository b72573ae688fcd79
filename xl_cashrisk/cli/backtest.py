"""``xl-cashrisk backtest``: the scorecard and its early warning replayed at the ledger's past month-ends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import as_of_option, out_option
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.cli.scoring import read_scoring_checked
from xl_cashrisk.errors import InputError
from xl_cashrisk.io.writer import ResultWorkbook, run_stamp
from xl_cashrisk.pipelines.backtest import DEFAULT_DPD, HORIZON_MONTHS, BacktestResult, run_backtest
from xl_cashrisk.reports.backtest import render_backtest_charts, write_backtest

__all__ = ["backtest", "print_backtest"]


def print_backtest(result: BacktestResult) -> None:
    """The measures, the calibration per band and the defaulted buyers' lead times."""
    ends = result.month_ends
    t = RichTable("Measure", "Value", "Note", title=f"Backtest over {len(ends)} month-ends {ends[0]} … {ends[-1]} "
                  f"(default: > {result.default_dpd} DPD; horizon {result.horizon} months)")
    for _, r in result.summary.iterrows():
        v = r["value"]
        if v != v:  # NaN: nothing to measure (no defaulter or no survivor)
            shown = "—"
        else:
            shown = f"{v:.1%}" if "rate" in r["key"] else (f"{v:,.0f}" if float(v).is_integer() else f"{v:.3f}")
        t.add_row(r["measure"], shown, r["note"])
    console.print(t)
    c = RichTable("Band", "Buyer-months", "Defaults", "Observed", "PD", "p (more)", "Verdict",
                  title=f"Calibration over {result.horizon} months (binomial test)")
    for _, r in result.calibration.iterrows():
        c.add_row(str(r["band"]), f"{r['observations']:,}", f"{r['defaults']:,}", f"{r['observed_rate']:.2%}",
                  f"{r['expected_rate']:.2%}", f"{r['p_more']:.3g}", str(r["verdict"]))
    console.print(c)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@out_option
@as_of_option
@click.option("--ledger", "ledger_file", type=click.Path(path_type=Path),
              help="AR ledger workbook (default: FILE's own AR Ledger sheet).")
@click.option("--default-dpd", type=click.IntRange(min=1), default=DEFAULT_DPD, show_default=True,
              help="A buyer defaults when a material, undisputed item is more than this many days past due.")
@click.option("--horizon", type=click.IntRange(min=1), default=HORIZON_MONTHS, show_default=True,
              help="Months after a month-end within which a default counts against that month's score.")
def backtest(file: Path, out: Path, as_of: dt.date | None, ledger_file: Path | None, default_dpd: int,
             horizon: int) -> None:
    """Backtest the score and warnings on the ledger's history (回溯检验): lead times, hit rate, AUC/KS → a workbook."""
    inputs = read_scoring_checked(file, ledger_file, as_of=as_of)
    if inputs.ledger is None:
        raise InputError("backtest: needs an AR ledger (an 'AR Ledger' sheet in FILE or --ledger) "
                         "回溯检验需要应收账款明细")
    result = run_backtest(inputs.register, inputs.ledger, inputs.settings, scorecard=inputs.scorecard,
                          default_dpd=default_dpd, horizon=horizon)
    print_backtest(result)
    with ResultWorkbook(out, inputs=inputs.files) as rw:
        write_backtest(result, rw)
        rw.add_run_stamp(run_stamp(inputs.settings.as_of, inputs.files, {
            "command": "backtest", "scorecard_version": inputs.scorecard.version, "default_dpd": default_dpd,
            "horizon_months": horizon, "month_ends": len(result.month_ends)}))
    png = render_backtest_charts(result, out.with_suffix(".png"), inputs=inputs.files)
    console.print(f"wrote {out} and {png.name}  (AUC {result.measure('auc'):.3f}, Gini {result.measure('gini'):.3f}, "
                  f"KS {result.measure('ks'):.3f}; {int(result.measure('defaulted_buyers'))} defaulted buyers, "
                  f"mean lead {result.measure('mean_lead_yellow_months'):.1f} months)")

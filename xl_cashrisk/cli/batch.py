"""``xl-cashrisk batch age|score|loss``: Parquet/CSV inputs larger than memory, pandas or Dask (docs/scale.md)."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from xl_cashrisk.batch import engine as eng
from xl_cashrisk.batch import jobs
from xl_cashrisk.batch.sources import (
    DEFAULT_BLOCK_BYTES,
    DEFAULT_PARTITION_ROWS,
    TableSink,
    input_files,
    plan_parts,
    write_tables,
)
from xl_cashrisk.cli._common import apply_overrides, as_of_option, money
from xl_cashrisk.cli.app import cli, console
from xl_cashrisk.io.writer import run_stamp
from xl_cashrisk.portfolio import DEFAULT_SEED
from xl_cashrisk.settings import Settings


@cli.group()
def batch() -> None:
    """Batch runs on Parquet/CSV files beyond one workbook (批量): pandas or a Dask cluster.

    INPUT may be files, folders (every .parquet/.csv inside) or quoted glob patterns. See docs/scale.md.
    """


def _common(func):
    """Options every batch command takes."""
    options = [
        click.argument("inputs", nargs=-1, required=True, metavar="INPUT [INPUT...]"),
        click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                     help="Result file: .parquet, .csv or .xlsx (Excel: at most 1,048,575 rows)."),
        click.option("--engine", "engine_name", type=click.Choice(eng.ENGINES), default="pandas", show_default=True,
                     help="pandas: this process, one partition at a time; dask: a dask.distributed cluster."),
        click.option("--scheduler", metavar="ADDRESS", help="Existing Dask scheduler, e.g. tcp://10.0.0.5:8786."),
        click.option("--workers", type=click.IntRange(1), help="Local Dask cluster with N worker processes."),
        click.option("--memory-limit", default="auto", show_default=True,
                     help="Memory per local Dask worker, e.g. 2GiB."),
        click.option("--partition-rows", type=click.IntRange(1), default=DEFAULT_PARTITION_ROWS, show_default=True,
                     help="Parquet: row groups joined per partition up to this many rows."),
        click.option("--block-size", "block_mb", type=click.FloatRange(0), default=DEFAULT_BLOCK_BYTES / 2**20,
                     show_default=True, help="CSV: megabytes per partition (0 = one per file)."),
        click.option("--encoding", default="utf-8-sig", show_default=True,
                     help="CSV text encoding, e.g. gb18030 for Chinese Excel exports."),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def _settings_options(func):
    options = [
        as_of_option,
        click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Workbook whose Settings sheet gives as-of date, home currency, FX, buckets."),
        click.option("--fx", multiple=True, metavar="CUR=RATE", help="FX rate to home currency, e.g. USD=7.10 (repeat)."),
        click.option("--home-currency", metavar="CODE", help="Home currency (default CNY or the Settings sheet)."),
        click.option("--basis", type=click.Choice(["dpd", "invoice"]), help="Ageing convention (default dpd)."),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def _settings(settings_file, as_of, fx, home_currency, basis) -> Settings:
    if settings_file is not None:
        from xl_cashrisk.io.reader import WorkbookReader

        settings = WorkbookReader(settings_file).settings()
    else:
        settings = Settings()
    if home_currency:
        settings.home_currency = home_currency.strip().upper()
    rates = dict(settings.fx_rates)
    for item in fx:
        cur, sep, rate = item.partition("=")
        try:
            value = float(rate)
        except ValueError:
            value = float("nan")
        if not sep or not cur.strip() or not value > 0:
            raise click.BadParameter(f"expected CUR=RATE with a rate > 0, got {item!r}", param_hint="--fx")
        rates[cur.strip().upper()] = value
    settings.fx_rates = rates
    return apply_overrides(settings, as_of, basis)


def _plan(inputs, partition_rows, block_mb):
    parts = plan_parts(inputs, partition_rows=partition_rows, block_bytes=int(block_mb * 2**20))
    files = input_files(parts)
    console.print(f"{len(files)} file(s), {len(parts)} partition(s)")
    return parts, files


def _engine(engine_name, scheduler, workers, memory_limit):
    with console.status(f"starting {engine_name}…"):
        e = eng.make_engine(engine_name, scheduler=scheduler, workers=workers, memory_limit=memory_limit)
    console.print(f"engine: {e.describe()}")
    return e


def _stamp(out: Path, as_of, files, extra) -> dict | None:
    """The run stamp for an .xlsx result (it hashes every input, so only where it is shown)."""
    return run_stamp(as_of, files, extra) if out.suffix.lower() == ".xlsx" else None


def _progress(total: int, what: str):
    bar = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                   transient=True)
    task = bar.add_task(what, total=total)
    return bar, functools.partial(bar.advance, task)


@batch.command("age")
@_common
@_settings_options
def batch_age(inputs, out, engine_name, scheduler, workers, memory_limit, partition_rows, block_mb, encoding,
              as_of, settings_file, fx, home_currency, basis) -> None:
    """Age a partitioned ledger (批量账龄): bucket totals and the per-buyer schedule.

    .xlsx: sheets Buckets and Buyers; .parquet/.csv: the per-buyer schedule in OUT and the bucket
    totals beside it as OUT-buckets.
    """
    settings = _settings(settings_file, as_of, fx, home_currency, basis)
    parts, files = _plan(inputs, partition_rows, block_mb)
    t0 = time.perf_counter()
    with _engine(engine_name, scheduler, workers, memory_limit) as e:
        bar, tick = _progress(len(parts), "ageing")
        with bar:
            result = jobs.run_age(parts, settings, e, encoding=encoding, progress=tick)
    seconds = time.perf_counter() - t0
    hc = settings.home_currency
    t = RichTable("Bucket 账龄", f"Amount ({hc})", "Items", title=f"Ageing as of {settings.as_of}")
    for label, row in result.buckets.iterrows():
        t.add_row(str(label), money(row["amount"]), f"{int(row['items']):,}")
    t.add_row("[bold]total[/bold]", f"[bold]{money(result.open_balance)}[/bold]", "")
    console.print(t)
    buckets = result.buckets.reset_index()
    stamp = _stamp(out, settings.as_of, files, {"command": "batch age", "engine": e.name, "rows": result.rows})
    written = write_tables(out, {"Buyers": result.schedule, "Buckets": buckets}, inputs=files, stamp=stamp)
    console.print(f"{result.rows:,} ledger rows, {len(result.schedule):,} buyers with open items, {seconds:.1f} s")
    console.print("wrote " + ", ".join(map(str, written)))


@batch.command("score")
@_common
@click.option("--scorecard", "scorecard_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Scorecard TOML (default: the shipped scorecard).")
@click.option("--language", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of band labels and reasons.")
def batch_score(inputs, out, engine_name, scheduler, workers, memory_limit, partition_rows, block_mb, encoding,
                scorecard_file, language) -> None:
    """Score a partitioned buyer register (批量评分), one output row per buyer, streamed in input order."""
    from xl_cashrisk.scoring import load_scorecard

    scorecard = load_scorecard(scorecard_file)
    parts, files = _plan(inputs, partition_rows, block_mb)
    t0 = time.perf_counter()
    sink = TableSink(out, inputs=files, sheet="Scores")
    with sink, _engine(engine_name, scheduler, workers, memory_limit) as e:
        bar, tick = _progress(len(parts), "scoring")
        with bar:
            rows = jobs.run_score(parts, e, sink, scorecard=scorecard, language=language, encoding=encoding,
                                  progress=tick)
        path = sink.close(stamp=_stamp(out, None, files, {"command": "batch score", "engine": e.name,
                                                          "scorecard": scorecard.version}))
    console.print(f"{rows:,} buyers scored, {time.perf_counter() - t0:.1f} s")
    console.print(f"wrote {path}")


@batch.command("loss")
@_common
@click.option("--sims", type=click.IntRange(1), default=100_000, show_default=True, help="Monte Carlo scenarios.")
@click.option("--seed", type=click.IntRange(0), default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option("--chunks", type=click.IntRange(1),
              help="Independent scenario streams (tasks); default ⌈sims / 25,000⌉. Same seed and chunks, same result.")
@click.option("--rho", type=float, default=jobs.DEFAULT_RHO, show_default=True, help="Global factor weight.")
@click.option("--rho-region", type=float, default=0.0, show_default=True, help="Region factor weight.")
@click.option("--rho-sector", type=float, default=0.0, show_default=True, help="Sector factor weight.")
@click.option("--lgd", type=click.FloatRange(0, 1), default=jobs.DEFAULT_LGD, show_default=True,
              help="LGD where the book has no lgd column.")
def batch_loss(inputs, out, engine_name, scheduler, workers, memory_limit, partition_rows, block_mb, encoding,
               sims, seed, chunks, rho, rho_region, rho_sector, lgd) -> None:
    """Portfolio loss by correlated-default Monte Carlo (批量组合损失): EL, VaR, ES, gross and net.

    The book has one row per buyer: exposure (ead, exposure, total or open_amount), pd, and optional
    lgd, insured (indemnity), region, sector. Scenarios are split over the workers.
    """
    parts, files = _plan(inputs, partition_rows, block_mb)
    t0 = time.perf_counter()
    with _engine(engine_name, scheduler, workers, memory_limit) as e:
        plan_chunks = len(jobs.chunk_plan(sims, seed, chunks))
        bar, tick = _progress(plan_chunks, "simulating")
        with bar:
            result = jobs.run_loss(parts, e, n_sims=sims, seed=seed, chunks=chunks, rho=rho, rho_region=rho_region,
                                   rho_sector=rho_sector, lgd=lgd, encoding=encoding, progress=tick)
    seconds = time.perf_counter() - t0
    summary = result.summary()
    t = RichTable("Metric", "Gross", "Net of insurance",
                  title=f"{len(result.book):,} buyers, {sims:,} scenarios in {result.chunks} chunk(s), seed {seed}")
    for _, row in summary.iterrows():
        t.add_row(row["metric"], money(row["gross"]), money(row["net"]))
    console.print(t)
    stamp = _stamp(out, None, files, {"command": "batch loss", "engine": e.name, **result.parameters})
    written = write_tables(out, {"Loss": summary}, inputs=files, stamp=stamp)
    console.print(f"{seconds:.1f} s; wrote " + ", ".join(map(str, written)))

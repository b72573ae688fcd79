"""``xl-cashrisk import``: an accounting/ERP export (xlsx or CSV) → a filled ledger or register template."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table as RichTable

from xl_cashrisk.cli._common import parse_as_of
from xl_cashrisk.cli.app import cli, console, progress
from xl_cashrisk.errors import InputError
from xl_cashrisk.importer import KINDS, ImportReport, import_file, load_mapping, save_mapping
from xl_cashrisk.importer.mapping import currency_code, fx_rate
from xl_cashrisk.importer.output import write_template

EXIT_OK = 0
EXIT_PARTIAL = 1  # written, but rows were left out or the export's own totals disagree: read the report
EXIT_UNUSABLE = 3  # nothing usable: no row could be imported
SHOW_ROWS = 25


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), required=True, help="What the export holds: ledger or register.")
@click.option("--sheet", help="Sheet to read (default: the sheet whose header matches best).")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Mapping file (TOML) naming the export's columns; see docs/import.md.")
@click.option("--save-mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping used (detected or given) to this TOML file, to edit and reuse.")
@click.option("--show-mapping", is_flag=True, help="Print matched and unmatched columns; without --out, stop there.")
@click.option("--dayfirst/--monthfirst", default=None,
              help="How to read dates like 01/03/2024 (default: from the data; an error if it cannot tell).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="The export's as-of date (ageing exports).")
@click.option("--currency", metavar="CODE", help="Currency for rows the export gives none (default: the home currency).")
@click.option("--home-currency", metavar="CODE",
              help="The books' home currency for the Settings sheet (default: the export's only currency, else CNY).")
@click.option("--fx", "fx", metavar="CUR=RATE", multiple=True,
              help="An FX rate for the Settings sheet: home-currency units per 1 CUR (repeatable), e.g. --fx USD=7.1.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Filled template to write (.xlsx). Never the input file.")
def import_cmd(file: Path, kind: str, sheet: str | None, mapping_file: Path | None, save_mapping: Path | None,
               show_mapping: bool, dayfirst: bool | None, as_of: str | None, currency: str | None,
               home_currency: str | None, fx: tuple[str, ...], out: Path | None) -> None:
    """Import an ERP/accounting export (导入): Kingdee, Yonyou, SAP, Oracle, QuickBooks, Xero, bank statements.

    Finds the header, maps columns by Chinese/English synonyms or --mapping, skips and reports subtotal,
    total, blank and heading rows, and writes the same template as `xl-cashrisk template KIND`. Exit 0: every
    row imported and the totals reconcile; 1: written, but rows were left out or totals differ (see the
    report); 3: nothing written (unreadable file, no header, an ambiguity to resolve with a mapping file).
    """
    if out is None and not show_mapping and save_mapping is None:
        raise click.UsageError("give --out FILE (or --show-mapping / --save-mapping to only look at the mapping)")
    mapping = load_mapping(mapping_file) if mapping_file else None
    currency = _code(currency, "--currency")
    home_currency = _code(home_currency, "--home-currency")
    rates = _rates(fx)
    check_only = out is None
    with progress(3) as step:
        result = import_file(file, kind, sheet=sheet, mapping=mapping, dayfirst=dayfirst, as_of=parse_as_of(as_of),
                             currency=currency, home_currency=home_currency, fx=rates, check_only=check_only,
                             on_step=step)
    rep = result.report
    _print_source(rep)
    if show_mapping or check_only:
        _print_mapping(rep)
    if save_mapping is not None:
        save_mapping_to = save_mapping_file(rep, save_mapping)
        console.print(f"wrote mapping {save_mapping_to}")
    if check_only:
        sys.exit(EXIT_PARTIAL if any(s.startswith("AMBIGUOUS") for s in rep.spare) else EXIT_OK)
    _print_summary(rep)
    if rep.rows_imported == 0:
        console.print(f"[red]no rows imported, nothing written: {escape(rep.empty_reason or 'see the skipped rows above')}"
                      "[/red]", soft_wrap=True)
        sys.exit(EXIT_UNUSABLE)
    path = write_template(result, out, inputs=(file,))
    console.print(f"wrote {path}  ({rep.rows_imported} rows)")
    if kind == "ledger":
        console.print(f"home currency {rep.home_currency} ({rep.home_source})"
                      + (f"; FX {', '.join(f'{c} {r:g}' for c, r in sorted(rep.fx.items()))}" if rep.fx else ""))
    foreign = sorted(set(result.frame["currency"]) - {rep.home_currency} - set(rep.fx)) \
        if kind == "ledger" and len(result.frame) else []
    if foreign:
        console.print(f"[yellow]no FX rate for {', '.join(foreign)} to {rep.home_currency}: run again with "
                      f"--fx {foreign[0]}=RATE (or fill the Settings sheet's FX table) before `xl-cashrisk age`"
                      "[/yellow]")
    sys.exit(EXIT_OK if rep.reconciled and not rep.rejected and not foreign else EXIT_PARTIAL)


def _code(value: str | None, hint: str) -> str | None:
    if value is None:
        return None
    try:
        return currency_code(value, hint)
    except InputError as exc:
        raise click.BadParameter(exc.message, param_hint=hint) from None


def _rates(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in values:
        cur, sep, rate = v.partition("=")
        try:
            out[currency_code(cur, "--fx")] = fx_rate(float(rate) if sep else None, f"--fx {cur}")
        except (InputError, ValueError):
            raise click.BadParameter(f"expected CUR=RATE such as USD=7.1 (home-currency units per 1 CUR, > 0), "
                                     f"got {v!r}", param_hint="--fx") from None
    return out


def save_mapping_file(rep: ImportReport, path: Path) -> Path:
    return save_mapping(rep.mapping, path, f"xl-cashrisk import mapping for {Path(rep.file).name} "
                                           f"(kind {rep.kind}); edit [columns] and reuse with --mapping")


def _print_source(rep: ImportReport) -> None:
    where = f"sheet '{rep.sheet}'" if rep.sheet else f"CSV, encoding {rep.encoding}, delimiter {rep.delimiter!r}"
    rows = "–".join(str(r) for r in (rep.header_rows[0], rep.header_rows[-1])) if len(rep.header_rows) > 1 \
        else str(rep.header_rows[0])
    console.print(f"[bold]{escape(Path(rep.file).name)}[/bold]: {escape(where)}, header row {rows}, layout: {rep.layout}")
    if rep.as_of:
        console.print(f"as-of date {rep.as_of.isoformat()} ({escape(rep.as_of_source)})")


def _print_mapping(rep: ImportReport) -> None:
    t = RichTable("Column", "Header in the export", "Imported as", "How", title="Column mapping 列映射")
    for target, header, col, how in rep.matched:
        t.add_row(col, escape(header), target, how)
    for b in rep.buckets:
        t.add_row("", b, "ageing bucket", "bucket header")
    console.print(t)
    if rep.ignored:
        console.print("known, not imported: " + escape(", ".join(rep.ignored)))
    if rep.unmatched:
        console.print("[yellow]unmatched (not imported): " + escape(", ".join(rep.unmatched)) + "[/yellow]")
    for s in rep.spare:
        style = "red" if s.startswith("AMBIGUOUS") else "yellow"
        console.print(f"[{style}]{escape(s)}[/{style}]")


def _print_summary(rep: ImportReport) -> None:
    skipped = rep.skipped_counts()
    console.print(f"rows read {rep.rows_read}, data rows {rep.rows_data}, imported {rep.rows_imported}, "
                  f"skipped {sum(skipped.values())}")
    if skipped:
        t = RichTable("Skipped because", "Rows", "Row numbers")
        for reason, n in skipped.most_common():
            rows = [s.row for s in rep.skipped if s.category == reason]
            shown = ", ".join(map(str, rows[:12])) + (" …" if len(rows) > 12 else "")
            t.add_row(escape(reason), str(n), shown)
        console.print(t)
    for s in rep.rejected[:SHOW_ROWS]:
        console.print(f"[red]row {s.row}[/red]: {escape(s.reason)}", soft_wrap=True)
    if len(rep.rejected) > SHOW_ROWS:
        console.print(f"… and {len(rep.rejected) - SHOW_ROWS} more rows left out")
    for c in rep.conventions:
        console.print(f"note: {escape(c)}", soft_wrap=True)
    for w in rep.warnings[:SHOW_ROWS]:
        console.print(f"[yellow]warning[/yellow]: {escape(str(w))}", soft_wrap=True)
    if not rep.totals.empty:
        t = RichTable("Currency", "Rows", "In export", "Imported", "Export total", "Check", title="Totals 合计核对")
        for cur, row in rep.totals.iterrows():
            stated = "" if row["stated"] != row["stated"] else f"{row['stated']:,.2f}"
            ok = abs(row["after"] - row["before"]) <= 0.01 and (not stated or abs(row["stated"] - row["before"]) <= 0.01)
            t.add_row(str(cur), str(int(row["rows"])), f"{row['before']:,.2f}", f"{row['after']:,.2f}", stated,
                      "[green]✓[/green]" if ok else "[red]✗[/red]")
        console.print(t)
        for cur, row in rep.totals.iterrows():
            if abs(row["skipped"]) > 0.005 or row["unreadable"]:
                console.print(f"[yellow]{cur}: {row['skipped']:,.2f} left out with the rows above"
                              + (f"; {int(row['unreadable'])} row(s) with an unreadable amount are in neither total"
                                 if row["unreadable"] else "") + "[/yellow]")

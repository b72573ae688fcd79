"""Batch inputs and outputs: Parquet/CSV files cut into partitions, read one partition at a time.

A partition is fixed by the files alone — a run of Parquet row groups, or a byte range of a CSV file
(a line belongs to the range its first byte falls in) — so every engine sees the same partitions in
the same order, and per-partition partial results combine to the same bits whichever engine ran them.
Partitions are small descriptions (path and range); the worker that runs one reads it itself, so data
never travels through the driver.

Column headers are matched to the agreed keys through the ledger or register schema (``Invoice no.``,
``发票号码`` and ``invoice_no`` all name ``invoice_no``). CSV text columns are read as text in every partition, so
an ID such as ``00123`` never becomes a number in one partition and stay text in another.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import glob
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xl_cashrisk.errors import CashRiskError, InputError, Location
from xl_cashrisk.io.safe import AtomicFile
from xl_cashrisk.schemas import values as V
from xl_cashrisk.schemas.ledger import LEDGER
from xl_cashrisk.schemas.register import REGISTER

__all__ = [
    "DEFAULT_BLOCK_BYTES",
    "DEFAULT_PARTITION_ROWS",
    "OUTPUT_SUFFIXES",
    "Part",
    "TableSink",
    "input_files",
    "plan_parts",
    "read_part",
    "write_tables",
]

DEFAULT_PARTITION_ROWS = 1_000_000  # Parquet: row groups are joined up to about this many rows
DEFAULT_BLOCK_BYTES = 64 * 2**20  # CSV: bytes per partition
OUTPUT_SUFFIXES = (".parquet", ".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row
_TABLES = {"ledger": LEDGER, "register": REGISTER}


@functools.cache
def _schema(table: str) -> tuple[dict[str, str], frozenset[str], tuple[str, ...]]:
    """Header aliases → keys, text keys and date keys of a schema table (``ledger`` or ``register``)."""
    t = _TABLES[table]
    aliases = {name.strip().casefold(): c.key for c in t.columns for name in c.names()}
    text = frozenset(c.key for c in t.columns if c.dtype in ("text", "choice"))
    return aliases, text, tuple(c.key for c in t.columns if c.dtype == "date")


def _parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise CashRiskError("reading or writing Parquet needs pyarrow: pip install 'xl-cashrisk[dask]' "
                            "(or: pip install pyarrow)") from None
    return pq


def _canonical(name: str, table: str = "ledger") -> str:
    """The agreed column key for a header (the schema's English/Chinese headers), else the header, trimmed."""
    s = str(name).strip()
    return _schema(table)[0].get(s.casefold(), s)


@dataclass(frozen=True)
class Part:
    """One partition: Parquet row groups ``row_groups`` of ``path``, or CSV bytes ``[start, end)``."""

    index: int
    path: str
    kind: str  # "parquet" or "csv"
    row_groups: tuple[int, ...] = ()
    start: int = 0
    end: int = 0
    rows: int | None = None  # known for Parquet from the footer

    @property
    def label(self) -> str:
        name = Path(self.path).name
        if self.kind == "parquet":
            g = self.row_groups
            return f"{name} (row groups {g[0]}-{g[-1]})" if len(g) > 1 else f"{name} (row group {g[0]})"
        return f"{name} (bytes {self.start:,}-{self.end:,})"


def _expand(inputs: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in (".parquet", ".csv"))
            if not found:
                raise InputError("the folder holds no .parquet or .csv file", Location(str(p)))
            files.extend(found)
        elif p.exists():
            files.append(p)
        elif any(ch in str(item) for ch in "*?["):
            hits = sorted(Path(h) for h in glob.glob(str(item), recursive=True) if Path(h).is_file())
            if not hits:
                raise InputError("no file matches this pattern", Location(str(item)))
            files.extend(hits)
        else:
            raise InputError("file not found", Location(str(item)))
    kinds = {f.suffix.lower() for f in files}
    bad = sorted(k for k in kinds if k not in (".parquet", ".csv"))
    if bad:
        raise InputError(f"batch inputs must be .parquet or .csv files, got {', '.join(bad)} "
                         "(for one workbook use the ordinary commands, e.g. xl-cashrisk age)")
    return files


def plan_parts(inputs: Iterable[str | Path], *, partition_rows: int = DEFAULT_PARTITION_ROWS,
               block_bytes: int = DEFAULT_BLOCK_BYTES) -> list[Part]:
    """The partitions of the input files (files, folders or glob patterns), in a fixed order.

    Parquet: consecutive row groups of a file joined while they stay within ``partition_rows`` (a row
    group is never split; write files with row groups of ≤ 1M rows). CSV: byte ranges of
    ``block_bytes`` (``0`` = one partition per file, needed when quoted fields hold line breaks).
    """
    parts: list[Part] = []
    for f in _expand(inputs):
        if f.suffix.lower() == ".parquet":
            pq = _parquet()
            try:
                meta = pq.ParquetFile(f).metadata
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise InputError(f"not a readable Parquet file ({exc})", Location(str(f))) from None
            group: list[int] = []
            rows = 0
            for g in range(meta.num_row_groups):
                n = meta.row_group(g).num_rows
                if group and rows + n > partition_rows:
                    parts.append(Part(len(parts), str(f), "parquet", tuple(group), rows=rows))
                    group, rows = [], 0
                group.append(g)
                rows += n
            if group:
                parts.append(Part(len(parts), str(f), "parquet", tuple(group), rows=rows))
        else:
            size = f.stat().st_size
            with open(f, "rb") as fh:
                body = len(fh.readline())
            step = size if block_bytes <= 0 else block_bytes
            start = body
            while True:
                end = min(size, start + step)
                parts.append(Part(len(parts), str(f), "csv", start=start, end=end))
                if end >= size:
                    break
                start = end
    return parts


def _csv_header(raw: bytes, encoding: str) -> list[str]:
    return next(csv.reader([raw.decode(encoding).rstrip("\r\n")]))


def _csv_block(path: str, start: int, end: int) -> tuple[bytes, bytes]:
    """Header line and the lines whose first byte lies in ``[start, end)``."""
    with open(path, "rb") as f:
        header = f.readline()
        first = max(start, len(header))
        if first > len(header):
            f.seek(first - 1)
            if f.read(1) != b"\n":
                f.readline()  # that line began in the previous block
            first = f.tell()
        if first >= end:
            return header, b""
        f.seek(first)
        data = f.read(end - first)
        if data and not data.endswith(b"\n"):
            data += f.readline()
    return header, data


def read_part(part: Part, columns: Sequence[str] | None = None, *, table: str = "ledger",
              encoding: str = "utf-8-sig") -> pd.DataFrame:
    """One partition as a DataFrame with the column keys of schema ``table`` (``ledger`` or
    ``register``); ``columns`` keeps only those (where present).

    The schema's date columns are parsed; a non-blank date that cannot be read raises :class:`InputError`.
    """
    wanted = None if columns is None else set(columns)
    _, text_keys, date_keys = _schema(table)

    def canonical(name: str) -> str:
        return _canonical(name, table)

    if part.kind == "parquet":
        pf = _parquet().ParquetFile(part.path)
        names = pf.schema_arrow.names
        keep = [n for n in names if wanted is None or canonical(n) in wanted]
        frame = pf.read_row_groups(list(part.row_groups), columns=keep).to_pandas()
    else:
        header, data = _csv_block(part.path, part.start, part.end)
        names = _csv_header(header, encoding)
        keep = [n for n in names if wanted is None or canonical(n) in wanted]
        dtype = {n: str for n in keep if canonical(n) in text_keys}
        try:
            frame = pd.read_csv(io.BytesIO(header + data), usecols=keep, dtype=dtype, encoding=encoding)
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"cannot read the CSV ({exc})", Location(part.label)) from None
    frame = frame.rename(columns=canonical)
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(f"two columns mean the same thing: {', '.join(dup)}", Location(part.label))
    for key in date_keys:
        if key in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[key]):
            frame[key] = _dates(frame[key], key, part.label)
    return frame


def _dates(raw: pd.Series, key: str, where: str) -> pd.Series:
    """A date column of a CSV or Parquet partition by the one values rule (text, or Excel serials)."""
    values = raw.to_numpy(dtype=object)
    filled = ~V.is_blank(values)
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    why = np.full(len(values), None, dtype=object)
    text = np.array([isinstance(v, str) for v in values], dtype=bool) & filled
    if text.any():
        days[text], why[text] = V.parse_dates(values[text])
    other = filled & ~text
    if other.any():
        try:
            days[other], why[other] = V.serial_dates(values[other].astype(float))
        except (TypeError, ValueError):
            why[other] = "unreadable"
    bad = np.flatnonzero(why != None)  # noqa: E711 — element-wise on an object array
    if bad.size:
        first = int(bad[0])
        raise InputError(f"{bad.size} value(s) in column {key!r} are not dates, e.g. "
                         f"{V.message('date', values[first], why[first])}", Location(where))
    far = np.flatnonzero(~V.plausible_dates(days, dt.date.today()))  # a table date, as the workbook reader
    if far.size:
        first = int(far[0])
        raise InputError(f"{far.size} value(s) in column {key!r} are not plausible dates, e.g. "
                         f"{V.message('date', values[first], detail=V.implausible(days[first], dt.date.today(), 'today'))}",
                         Location(where))
    return pd.Series(days.astype("datetime64[ns]"), index=raw.index)


# ----------------------------------------------------------------------------------------------
# outputs


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Text and mixed columns as nullable strings, so every partition gives the same Parquet schema."""
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)
                or pd.api.types.is_bool_dtype(s)):
            out[c] = s.astype("string")
    return out


class TableSink:
    """Writes one table to ``.parquet`` or ``.csv`` as frames arrive (streamed, atomic), or to one
    sheet of an ``.xlsx`` results workbook (collected; Excel's row limit applies)."""

    def __init__(self, path: str | Path, *, inputs: Sequence[str | Path] = (), sheet: str = "Results"):
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in OUTPUT_SUFFIXES:
            raise InputError(f"the output must end in {', '.join(OUTPUT_SUFFIXES)}", Location(str(self.path)))
        self.inputs = list(inputs)
        self.sheet = sheet
        self.rows = 0
        self._frames: list[pd.DataFrame] = []
        self._writer = None
        self._file = None if self.suffix == ".xlsx" else AtomicFile(self.path, inputs=self.inputs)

    def write(self, frame: pd.DataFrame) -> None:
        self.rows += len(frame)
        if self.suffix == ".xlsx":
            if self.rows > EXCEL_MAX_ROWS:
                raise InputError(f"more than {EXCEL_MAX_ROWS:,} rows do not fit on a worksheet; "
                                 "write .parquet or .csv instead", Location(str(self.path)))
            self._frames.append(frame)
        elif self.suffix == ".parquet":
            pq = _parquet()
            import pyarrow as pa

            if self._writer is None:
                table = pa.Table.from_pandas(_arrow_ready(frame), preserve_index=False)
                self._writer = pq.ParquetWriter(str(self._file.path), table.schema)
            else:
                table = pa.Table.from_pandas(_arrow_ready(frame), schema=self._writer.schema, preserve_index=False)
            self._writer.write_table(table)
        else:
            first = self._writer is None
            if first:
                self._writer = open(self._file.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            frame.to_csv(self._writer, header=first, index=False, lineterminator="\n")

    def close(self, *, stamp: dict | None = None) -> Path:
        if self.suffix == ".xlsx":
            frame = pd.concat(self._frames, ignore_index=True) if self._frames else pd.DataFrame()
            return write_tables(self.path, {self.sheet: frame}, inputs=self.inputs, stamp=stamp)[0]
        if self._writer is None:  # no frame came: still write an empty file
            self.write(pd.DataFrame())
        self._writer.close()
        return self._file.commit()

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._file is not None:
            self._file.discard()

    def __enter__(self) -> TableSink:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()


def write_tables(path: str | Path, tables: dict[str, pd.DataFrame], *, inputs: Sequence[str | Path] = (),
                 stamp: dict | None = None) -> list[Path]:
    """Small result tables: sheets of one ``.xlsx`` workbook (with the run stamp), or for ``.parquet`` /
    ``.csv`` the first table in ``path`` and each other one beside it as ``<stem>-<sheet><suffix>``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"the output must end in {', '.join(OUTPUT_SUFFIXES)}", Location(str(path)))
    if suffix == ".xlsx":
        from xl_cashrisk.io.writer import ResultWorkbook

        for frame in tables.values():
            if len(frame) > EXCEL_MAX_ROWS:
                raise InputError(f"{len(frame):,} rows do not fit on a worksheet; write .parquet or .csv "
                                 "instead", Location(str(path)))
        with ResultWorkbook(path, inputs=inputs) as book:
            for sheet, frame in tables.items():
                book.add_table(frame, sheet)
            if stamp:
                book.add_run_stamp(stamp)
        return [path]
    written = []
    for i, (sheet, frame) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}-{sheet.lower().replace(' ', '_')}{path.suffix}")
        with TableSink(target, inputs=inputs) as sink:
            sink.write(frame)
            written.append(sink.close())
    return written


def input_files(parts: Sequence[Part]) -> list[str]:
    """The distinct input files behind the partitions, in order."""
    return list(dict.fromkeys(os.fspath(p.path) for p in parts))

"""Batch ageing, scoring and portfolio loss over partitioned inputs, on any :mod:`engine <.engine>`.

Each job runs the core functions unchanged on every partition and combines what they return:

* **ageing** — :func:`xl_cashrisk.receivables.ageing_table` and
  :func:`~xl_cashrisk.receivables.buyer_ageing_schedule` per partition. Bucket amounts and item
  counts are sums, so partial tables add up. A buyer's invoices may lie in several partitions: its
  partial schedule rows are summed by ``buyer_id`` (bucket columns, credits, overdue), ``oldest_dpd``
  is the largest of the partial ones, the name the first one seen, and the two derived columns are
  re-formed from the combined sums exactly as the core forms them (``total = Σ buckets + credits``,
  ``pct_overdue = overdue ÷ Σ buckets``, 0 when nothing is invoiced). With the ledger partitioned by
  buyer every buyer sits in one partition and the combine only concatenates.
* **scoring** — :func:`xl_cashrisk.scoring.score_register` is row-wise: partitions are scored
  independently and streamed to the output in order.
* **portfolio loss** — :func:`xl_cashrisk.portfolio.simulate_losses` needs every buyer in every
  scenario (the factors are shared), so the work is split by scenarios: ``chunks`` independent
  streams from ``np.random.SeedSequence(seed).spawn(chunks)``, one task each, losses concatenated in
  chunk order, VaR/ES by :func:`~xl_cashrisk.portfolio.value_at_risk` and
  :func:`~xl_cashrisk.portfolio.expected_shortfall`. Same seed and chunks ⇒ same losses on any engine.

Floating-point sums depend on their order, so partition-wise totals may differ from one in-memory call
in the last bits (≈1e-12 relative); between engines they are identical, since partitions and combine
order are fixed by the input files (:mod:`.sources`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk import portfolio as pf
from xl_cashrisk import receivables as rc
from xl_cashrisk.batch.engine import Engine
from xl_cashrisk.batch.sources import Part, read_part
from xl_cashrisk.errors import CashRiskError, InputError, Location
from xl_cashrisk.scoring import score_register
from xl_cashrisk.settings import Settings

__all__ = [
    "AGE_COLUMNS",
    "DEFAULT_CHUNK_SIMS",
    "DEFAULT_LGD",
    "DEFAULT_RHO",
    "AgeBatch",
    "LossBatch",
    "chunk_plan",
    "combine_buckets",
    "combine_schedules",
    "run_age",
    "run_loss",
    "run_score",
]

AGE_COLUMNS = ("invoice_no", "buyer_id", "buyer_name", "doc_type", "invoice_date", "terms_days", "due_date",
               "currency", "amount", "paid_amount")
ID_COLUMNS = ("buyer_id", "buyer_name")
DEFAULT_LGD = 0.45  # SPEC §6.1: trade receivables are senior unsecured
DEFAULT_RHO = 0.20  # global factor weight, as the stress scenarios' default (xl_cashrisk.stress.Scenario)
DEFAULT_CHUNK_SIMS = 25_000  # scenarios per Monte Carlo task when chunks are not given
COMBINE_EVERY = 32  # partial schedules reduced together; bounds driver memory on unpartitioned ledgers
ALPHAS = (0.95, 0.99, 0.999)
# the loss job's per-buyer columns: exposure under its first name found, then the optional ones
EAD_NAMES = ("ead", "exposure", "total", "open_amount")
LOSS_COLUMNS = (*EAD_NAMES, "buyer_id", "pd", "lgd", "insured", "region", "sector")


class _located:
    """Re-raise a user-facing error with the partition it came from."""

    def __init__(self, part: Part):
        self.part = part

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, CashRiskError) and not isinstance(exc, _Located):
            raise _Located(str(exc), Location(self.part.label)) from None
        return False


class _Located(InputError):
    pass


# ----------------------------------------------------------------------------------------------
# ageing


def _age_kw(settings: Settings) -> dict:
    return dict(edges=settings.bucket_edges, basis=settings.ageing_basis, fx=settings.fx_rates,
                home_currency=settings.home_currency, language=settings.language)


def age_part(part: Part, *, settings: Settings, encoding: str = "utf-8-sig"):
    """Bucket table, per-buyer schedule and row count of one ledger partition (core functions as they are)."""
    with _located(part):
        ledger = read_part(part, AGE_COLUMNS, encoding=encoding)
        kw = _age_kw(settings)
        return (rc.ageing_table(ledger, settings.as_of, **kw), rc.buyer_ageing_schedule(ledger, settings.as_of, **kw),
                len(ledger))


def combine_buckets(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Bucket tables of partitions added up, in the given order."""
    out = tables[0].copy()
    for t in tables[1:]:
        out += t
    return out


def _reduce_schedules(frames: list[pd.DataFrame], labels: list[str], credits: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0]
    both = pd.concat(frames, ignore_index=True)
    g = both.groupby("buyer_id", sort=False)
    sums = g[[*labels, credits, "overdue"]].sum()
    out = pd.DataFrame({"buyer_id": sums.index.to_numpy()})
    if "buyer_name" in both.columns:
        out["buyer_name"] = g["buyer_name"].first().reindex(sums.index).to_numpy()
    for c in sums.columns:
        out[c] = sums[c].to_numpy()
    out["oldest_dpd"] = g["oldest_dpd"].max().reindex(sums.index).to_numpy()  # NaN only if every part is NaN
    return out


def combine_schedules(frames: Sequence[pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """Per-buyer schedules of partitions as one schedule, the same shape and order as
    :func:`~xl_cashrisk.receivables.buyer_ageing_schedule` gives for the whole ledger."""
    labels = rc.bucket_labels(settings.bucket_edges, settings.ageing_basis, settings.language)
    credits = rc.CREDITS[settings.language]
    running: list[pd.DataFrame] = []
    pending: list[pd.DataFrame] = []
    for f in frames:
        pending.append(f)
        if len(pending) >= COMBINE_EVERY:
            running = [_reduce_schedules(running + pending, labels, credits)]
            pending = []
    merged = _reduce_schedules(running + pending, labels, credits)
    if merged.empty:
        return frames[0].iloc[:0].copy() if frames else merged
    invoiced = merged[labels].sum(axis=1).to_numpy()
    overdue = merged["overdue"].to_numpy()
    # as the core forms them: total = Σ buckets + credits; pct_overdue = overdue ÷ invoiced (0 if none)
    total = invoiced + merged[credits].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(invoiced > 0, overdue / np.where(invoiced > 0, invoiced, 1.0), 0.0)
    columns = [*(["buyer_id", "buyer_name"] if "buyer_name" in merged.columns else ["buyer_id"]), *labels, credits]
    out = merged[columns].copy()
    out["total"] = total
    out["overdue"] = overdue
    out["pct_overdue"] = pct
    out["oldest_dpd"] = merged["oldest_dpd"].to_numpy()
    out = out.sort_values(["total", "buyer_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


@dataclass
class AgeBatch:
    buckets: pd.DataFrame  # amount and items per bucket (+ credits), home currency
    schedule: pd.DataFrame  # one row per buyer with an open item
    rows: int
    partitions: int

    @property
    def open_balance(self) -> float:
        return float(self.buckets["amount"].sum())


def run_age(parts: Sequence[Part], settings: Settings, engine: Engine, *, encoding: str = "utf-8-sig",
            progress=None) -> AgeBatch:
    """Age a partitioned ledger: bucket totals and the per-buyer schedule (SPEC §4.1)."""
    if not parts:
        raise InputError("no input partitions")
    tables, schedules, rows = [], [], 0
    for table, schedule, n in engine.map(age_part, parts, settings=settings, encoding=encoding):
        tables.append(table)
        schedules.append(schedule)
        rows += n
        if progress:
            progress()
    return AgeBatch(combine_buckets(tables), combine_schedules(schedules, settings), rows, len(parts))


# ----------------------------------------------------------------------------------------------
# scoring


def score_part(part: Part, *, scorecard=None, language: str = "en", encoding: str = "utf-8-sig") -> pd.DataFrame:
    """One register partition scored by :func:`~xl_cashrisk.scoring.score_register`, ID columns first."""
    with _located(part):
        register = read_part(part, table="register", encoding=encoding)
        scores = score_register(register, scorecard, language)
        ids = register[[c for c in ID_COLUMNS if c in register.columns]]
        return pd.concat([ids, scores], axis=1)


def run_score(parts: Sequence[Part], engine: Engine, sink, *, scorecard=None, language: str = "en",
              encoding: str = "utf-8-sig", progress=None) -> int:
    """Score a partitioned buyer register into ``sink`` (a :class:`~.sources.TableSink`); rows written."""
    if not parts:
        raise InputError("no input partitions")
    rows = 0
    for frame in engine.map(score_part, parts, scorecard=scorecard, language=language, encoding=encoding):
        sink.write(frame)
        rows += len(frame)
        if progress:
            progress()
    return rows


# ----------------------------------------------------------------------------------------------
# portfolio loss


@dataclass(frozen=True)
class Book:
    """Per-buyer arrays of a loss run (the whole book is needed in every scenario)."""

    ead: np.ndarray
    pd: np.ndarray
    lgd: np.ndarray
    insured: np.ndarray | None = None
    region: np.ndarray | None = None
    sector: np.ndarray | None = None

    def __len__(self) -> int:
        return self.ead.size


def book_part(part: Part, *, encoding: str = "utf-8-sig") -> pd.DataFrame:
    with _located(part):
        return read_part(part, LOSS_COLUMNS, table="register", encoding=encoding)


def read_book(parts: Sequence[Part], engine: Engine, *, lgd: float = DEFAULT_LGD,
              encoding: str = "utf-8-sig") -> Book:
    """The per-buyer book from partitioned files: exposure (first of ``ead``, ``exposure``, ``total``,
    ``open_amount``), ``pd``, ``lgd`` (else the given default), optional ``insured``, ``region``, ``sector``."""
    frames = list(engine.map(book_part, parts, encoding=encoding))
    book = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    where = Location(parts[0].path if len(parts) == 1 else f"{len(parts)} partitions")
    ead_col = next((c for c in EAD_NAMES if c in book.columns), None)
    if ead_col is None or "pd" not in book.columns:
        raise InputError(f"the book needs an exposure column ({' or '.join(EAD_NAMES)}) and a 'pd' column, "
                         f"found {', '.join(map(str, book.columns)) or 'none'}", where)

    def numbers(col: str) -> np.ndarray:
        v = pd.to_numeric(book[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            who = f" (buyer {book['buyer_id'].iloc[i]})" if "buyer_id" in book.columns else ""
            raise InputError(f"{int(bad.sum())} buyer(s) have no number in {col!r}, e.g. row {i + 1}{who}; "
                             "fill or drop them (an unrated buyer has no PD)", where)
        return v

    ead, p = numbers(ead_col), numbers("pd")
    lg = numbers("lgd") if "lgd" in book.columns else np.full(ead.size, float(lgd))
    insured = np.nan_to_num(pd.to_numeric(book["insured"], errors="coerce").to_numpy(dtype=float)) \
        if "insured" in book.columns else None
    labels = {k: book[k].fillna("").astype(str).to_numpy() if k in book.columns else None for k in ("region", "sector")}
    try:  # the core's own checks, before any worker starts
        pf.buyer_losses(ead, lg, insured)
        pf.portfolio_el(ead, p, lg, insured)
    except ValueError as exc:
        raise InputError(str(exc), where) from None
    return Book(ead, p, lg, insured, labels["region"], labels["sector"])


def chunk_plan(n_sims: int, seed: int, chunks: int | None = None) -> list[tuple[int, int]]:
    """``(scenarios, seed)`` per Monte Carlo task: ``n_sims`` split as evenly as possible over ``chunks``
    (default ⌈n_sims / 25,000⌉) and an independent stream each from ``SeedSequence(seed).spawn(chunks)``.

    >>> [n for n, _ in chunk_plan(10, 1, 3)]
    [4, 3, 3]
    """
    if n_sims < 1:
        raise InputError(f"--sims must be ≥ 1, got {n_sims}")
    k = chunks or math.ceil(n_sims / DEFAULT_CHUNK_SIMS)
    if not 1 <= k <= n_sims:
        raise InputError(f"--chunks must be between 1 and the number of scenarios ({n_sims}), got {k}")
    sizes = [n_sims // k + (i < n_sims % k) for i in range(k)]
    # a 128-bit integer per child stream: simulate_losses takes an int seed (default_rng hashes it again)
    seeds = [int.from_bytes(c.generate_state(4, np.uint32).tobytes(), "little")
             for c in np.random.SeedSequence(seed).spawn(k)]
    return list(zip(sizes, seeds, strict=True))


def loss_chunk(task: tuple[int, int], *, book: Book, rho: float, rho_region: float, rho_sector: float,
               antithetic: bool) -> tuple[np.ndarray, np.ndarray]:
    n, seed = task
    s = pf.simulate_losses(book.ead, book.pd, book.lgd, rho, rho_region=rho_region, rho_sector=rho_sector,
                           region=book.region, sector=book.sector, insured=book.insured, n_sims=n, seed=seed,
                           antithetic=antithetic)
    return s.gross, s.net


@dataclass
class LossBatch:
    sample: pf.LossSample  # every scenario's loss, gross and net, chunks in order
    book: Book
    chunks: int
    parameters: dict = field(default_factory=dict)

    def summary(self, alphas: Sequence[float] = ALPHAS) -> pd.DataFrame:
        """EL (analytic and simulated), VaR and ES at each α, gross and net of insurance."""
        b, s = self.book, self.sample
        rows = [("buyers", float(len(b)), float(len(b))),
                ("exposure (EAD)", float(b.ead.sum()), float(b.ead.sum())),
                ("expected loss, analytic", pf.portfolio_el(b.ead, b.pd, b.lgd),
                 pf.portfolio_el(b.ead, b.pd, b.lgd, b.insured)),
                ("expected loss, simulated", s.el(), s.el(net=True))]
        for a in alphas:
            rows.append((f"VaR {a:.1%}", s.var(a), s.var(a, net=True)))
        for a in alphas:
            rows.append((f"ES {a:.1%}", s.es(a), s.es(a, net=True)))
        return pd.DataFrame(rows, columns=["metric", "gross", "net"])


def run_loss(parts: Sequence[Part], engine: Engine, *, n_sims: int = 100_000, seed: int = pf.DEFAULT_SEED,
             chunks: int | None = None, rho: float = DEFAULT_RHO, rho_region: float = 0.0, rho_sector: float = 0.0,
             lgd: float = DEFAULT_LGD, antithetic: bool = True, encoding: str = "utf-8-sig",
             progress=None) -> LossBatch:
    """Correlated-default Monte Carlo of a partitioned book, scenarios split into independent chunks (SPEC §6.4)."""
    if not parts:
        raise InputError("no input partitions")
    book = read_book(parts, engine, lgd=lgd, encoding=encoding)
    betas = (rho, rho_region, rho_sector)
    if min(betas) < 0 or sum(betas) >= 1:
        raise InputError(f"factor weights --rho, --rho-region, --rho-sector must be ≥ 0 with a sum < 1, got {betas}")
    plan = chunk_plan(n_sims, seed, chunks)
    gross, net = [], []
    for g, n in engine.map(loss_chunk, plan, book=book, rho=rho, rho_region=rho_region, rho_sector=rho_sector,
                           antithetic=antithetic):
        gross.append(g)
        net.append(n)
        if progress:
            progress()
    sample = pf.LossSample(np.concatenate(gross), np.concatenate(net), int(seed), bool(antithetic))
    params = {"sims": n_sims, "seed": seed, "chunks": len(plan), "rho": rho, "rho_region": rho_region,
              "rho_sector": rho_sector, "antithetic": antithetic}
    return LossBatch(sample, book, len(plan), params)

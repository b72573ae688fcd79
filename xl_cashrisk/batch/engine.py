"""Where batch work runs: in this process (pandas) or on a Dask cluster, behind one small interface.

An engine has one job: ``map(func, items, **shared)`` calls ``func(item, **shared)`` for every item and
yields the results **in item order**. The jobs in :mod:`xl_cashrisk.batch.jobs` are written against
that alone, so the pandas and Dask paths run the same functions on the same partitions and combine
the partial results in the same order — which is why their results are identical, not merely close.

The Dask engine keeps a bounded number of tasks in flight (twice the worker threads), so partial
results never pile up on the cluster or in the driver, and ``shared`` objects (a scorecard, a buyer
book) are sent to every worker once.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from xl_cashrisk import __version__
from xl_cashrisk.errors import CashRiskError

__all__ = ["ENGINES", "DaskEngine", "Engine", "PandasEngine", "dask_available", "make_engine"]

ENGINES = ("pandas", "dask")
INSTALL_HINT = "pip install 'xl-cashrisk[dask]'  (or: pip install 'dask[distributed]' pyarrow)"


class Engine:
    """Runs a function over items, results in item order; a context manager that releases its resources."""

    name = "pandas"

    @property
    def workers(self) -> int:
        return 1

    def map(self, func: Callable[..., Any], items: Iterable[Any], **shared: Any) -> Iterator[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine's resources (nothing for pandas)."""

    def describe(self) -> str:
        return self.name

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PandasEngine(Engine):
    """In this process, one partition after another: memory holds one partition at a time."""

    def map(self, func, items, **shared):
        for item in items:
            yield func(item, **shared)

    def describe(self) -> str:
        return "pandas (in process, one partition at a time)"


def dask_available() -> bool:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _worker_version() -> str:
    return __version__


class DaskEngine(Engine):
    """On a ``dask.distributed`` cluster: an existing one (``scheduler`` address) or a local one.

    ``workers``/``processes``/``memory_limit`` shape a local cluster (one thread per worker, since the
    core functions are numpy-bound and a thread per core is what a 2-core machine has).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, *, processes: bool = True,
                 memory_limit: str | float | None = "auto", timeout: float = 30):
        if not dask_available():
            raise CashRiskError(f"--engine dask needs Dask, which is not installed: {INSTALL_HINT}")
        from distributed import Client, LocalCluster

        self._cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=timeout, set_as_default=False)
            else:
                self._cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=processes,
                                             memory_limit=memory_limit, dashboard_address=":0",
                                             silence_logs=logging.ERROR)
                self.client = Client(self._cluster, set_as_default=False)
        except OSError as exc:
            self.close()
            raise CashRiskError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from None
        self.scheduler = scheduler
        self._check_versions()

    def _check_versions(self) -> None:
        try:
            found = self.client.run(_worker_version)
        except Exception as exc:  # a worker that cannot unpickle our function has no xl-cashrisk
            raise CashRiskError(f"the Dask workers cannot import xl_cashrisk ({type(exc).__name__}: {exc}); "
                                f"install xl-cashrisk {__version__} on every worker") from None
        if not found:
            raise CashRiskError(f"the Dask cluster {self.scheduler} has no workers")
        wrong = {w: v for w, v in found.items() if v != __version__}
        if wrong:
            w, v = next(iter(wrong.items()))
            raise CashRiskError(f"{len(wrong)} Dask worker(s) run xl-cashrisk {v} (e.g. {w}), this machine "
                                f"{__version__}; install the same version everywhere")

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def map(self, func, items, **shared):
        client = self.client
        sent = {k: client.scatter([v], broadcast=True, hash=False)[0] for k, v in shared.items()}  # [v]: one object
        window = 2 * self.workers
        pending: deque = deque()
        todo = iter(items)
        try:
            for item in itertools.islice(todo, window):
                pending.append(client.submit(func, item, pure=False, **sent))
            while pending:
                fut = pending.popleft()
                result = fut.result()
                fut.release()
                nxt = next(todo, _END)
                if nxt is not _END:
                    pending.append(client.submit(func, nxt, pure=False, **sent))
                yield result
        finally:
            if pending:
                client.cancel(list(pending))
            for f in sent.values():
                f.release()

    def describe(self) -> str:
        where = self.scheduler or "local cluster"
        return f"dask ({where}, {self.workers} worker thread(s))"

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


_END = object()


def make_engine(name: str = "pandas", *, scheduler: str | None = None, workers: int | None = None,
                processes: bool = True, memory_limit: str | float | None = "auto") -> Engine:
    """The engine called ``name``; ``scheduler``/``workers`` only apply to Dask."""
    if name == "pandas":
        if scheduler or workers:
            raise CashRiskError("--scheduler and --workers need --engine dask")
        return PandasEngine()
    if name == "dask":
        if scheduler and workers:
            raise CashRiskError("give --scheduler (an existing cluster) or --workers (a local one), not both")
        return DaskEngine(scheduler, workers, processes=processes, memory_limit=memory_limit)
    raise CashRiskError(f"--engine must be one of {', '.join(ENGINES)}, got {name!r}")

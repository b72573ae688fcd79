"""Peak memory of a benchmark child process and everything it starts.

What "peak memory of a process tree" means here. The kernel keeps a high-water mark of the resident set
size (RSS) per process only (``VmHWM``; ``ru_maxrss`` for children that have been waited for), never for
a group of processes, and RSS figures of several processes cannot simply be added: after ``fork`` the
child maps every page of its parent, so each such page is in both RSS figures although it exists once
until one side writes to it. The reader forks such a child (``xl_cashrisk.io.columnar``) to load a big
sheet while it scans the file.

So the tree's resident memory at a moment is taken as **the main process's RSS plus the unique set size
(USS) of every process it started**: USS counts only the pages of a process that no other process maps
(what it allocated or wrote after the fork), so an inherited page still shared with the parent is counted
once, in the parent. The figures recorded:

* ``peak_mb`` — the largest such sum, sampled every :data:`INTERVAL_S` (psutil: ``/proc/<pid>/statm`` for
  the main process, ``/proc/<pid>/smaps_rollup`` for the others), and never below ``self_hwm_mb``, the main
  process's exact peak (which a sample may miss); a descendant's peak shorter than the interval can be
  missed.
* ``self_hwm_mb`` — ``VmHWM`` of the main (child) process itself: kernel high-water mark, exact (for a
  process that exits on its own, as read at the last sample: :attr:`TreePeak.root_hwm_mb`). Before
  this change the benchmark's only memory figure. Never ``ru_maxrss`` from ``wait4``: a process started
  by ``subprocess`` (vfork + exec) inherits its parent's high-water mark in it, so every reader timed
  after the benchmark loaded a big ledger in-process would show the benchmark's own peak.
* ``descendants_maxrss_mb`` — the largest ``ru_maxrss`` among the processes the child started and waited
  for (``getrusage(RUSAGE_CHILDREN)`` read by the child after its work): exact, but it includes the pages
  inherited through fork, so it overstates that process's own share.

``self_hwm_mb`` + ``descendants_maxrss_mb`` bounds the tree's peak from above.
"""

from __future__ import annotations

import threading
from pathlib import Path

INTERVAL_S = 0.025


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size of a running process (``VmHWM`` in /proc/<pid>/status), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class TreePeak:
    """Samples a process's RSS plus its descendants' USS on a thread until :meth:`stop` (see above)."""

    def __init__(self, pid: int, interval: float = INTERVAL_S):
        import psutil

        self._psutil = psutil
        self._root = psutil.Process(pid)
        self._interval = interval
        self._done = threading.Event()
        self.peak_mb: float | None = None
        self.root_hwm_mb: float | None = None  # the main process's VmHWM at the last sample it was alive for
        self.samples = 0
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)
        self._thread.start()

    def _tree_mb(self) -> float | None:
        ps = self._psutil
        try:
            total = self._root.memory_info().rss
            descendants = self._root.children(recursive=True)
        except ps.Error:
            return None
        for p in descendants:
            try:
                total += p.memory_full_info().uss
            except ps.Error:  # it exited between listing and reading: it holds nothing now
                continue
        return total / 2**20

    def _sample(self) -> None:
        hwm = vm_hwm_mb(self._root.pid)
        if hwm is not None:
            self.root_hwm_mb = hwm
        mb = self._tree_mb()
        if mb is not None:
            self.samples += 1
            self.peak_mb = mb if self.peak_mb is None else max(self.peak_mb, mb)

    def _run(self) -> None:
        while not self._done.is_set():
            self._sample()
            self._done.wait(self._interval)

    def stop(self, self_hwm_mb: float | None = None) -> float | None:
        """One last sample, then the peak in MB, at least the main process's ``VmHWM`` if given (None if
        the process could not be read at all)."""
        self._done.set()
        self._thread.join()
        self._sample()
        if self_hwm_mb is not None:
            self.peak_mb = self_hwm_mb if self.peak_mb is None else max(self.peak_mb, self_hwm_mb)
        return self.peak_mb

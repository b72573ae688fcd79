"""Run one memory-measured case in a fresh process: ``python -m bench.child KIND ARGS… RESULT_JSON``.

The parent starts this module and reads the child's peak resident set size from outside
(``VmHWM`` in ``/proc/<pid>/status``, the kernel's high-water mark for this process); the child only
times its own work, writes ``{"seconds": …, "cpu_seconds": …}`` to RESULT_JSON and then waits until
the parent closes its stdin, so that the parent can read the mark after all the work.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _timed(fn) -> dict:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}


def _mc(n: int, sims: int) -> dict:
    from bench.data import portfolio_inputs
    from xl_cashrisk.portfolio import simulate_losses

    p = portfolio_inputs(n)

    def run():
        s = simulate_losses(p["ead"], p["pd"], p["lgd"], 0.15, rho_region=0.05, rho_sector=0.05,
                            region=p["region"], sector=p["sector"], n_sims=sims)
        s.var(0.99)

    return _timed(run)


def _cli_age(path: str, out: str, limit: str = "keep") -> dict:
    from click.testing import CliRunner

    from xl_cashrisk.cli import cli
    from xl_cashrisk.io import safe

    if limit == "lift":  # measure a file above the reader's size guard (reported as such)
        safe.MAX_CELLS = 10**9

    def run():
        r = CliRunner().invoke(cli, ["age", path, "--out", out, "--as-of", "2026-09-30"], catch_exceptions=False)
        if r.exit_code != 0:
            raise SystemExit(f"age failed ({r.exit_code}): {r.output[-500:]}")

    return _timed(run)


def _cli_analyze(path: str, out: str, limit: str = "keep", *extra: str) -> dict:
    """``xl-cashrisk analyze`` on the analysis workbook: validate, age, score, ratios, insurance, stress."""
    from click.testing import CliRunner

    from xl_cashrisk.cli import cli
    from xl_cashrisk.io import safe

    if limit == "lift":
        safe.MAX_CELLS = 10**9

    def run():
        r = CliRunner().invoke(cli, ["analyze", path, "--out", out, *extra], catch_exceptions=False)
        if r.exit_code != 0:
            raise SystemExit(f"analyze failed ({r.exit_code}): {r.output[-800:]}")

    return _timed(run)


def main(argv: list[str]) -> int:
    kind, *args, result = argv
    if kind == "mc":
        out = _mc(int(args[0]), int(args[1]))
    elif kind == "cli-age":
        out = _cli_age(*args)
    elif kind == "cli-analyze":
        out = _cli_analyze(*args)
    else:
        raise SystemExit(f"unknown kind {kind}")
    tmp = result + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f)
    os.replace(tmp, result)  # the parent sees the file complete or not at all
    sys.stdin.read()  # stay alive until the parent has read our peak memory (it closes our stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run one memory-measured case in a fresh process: ``python -m bench.child KIND ARGS… RESULT_JSON``.

The parent starts this module and measures its memory from outside (:mod:`bench.memory`: the summed
PSS of this process and its descendants, sampled, and this process's ``VmHWM``); the child times its
own work, adds the largest peak RSS of the processes it started and waited for
(``getrusage(RUSAGE_CHILDREN)``, e.g. the reader's forked loader), writes ``{"seconds": …,
"cpu_seconds": …, "descendants_maxrss_mb": …}`` to RESULT_JSON and then waits until the parent closes
its stdin, so that the parent can read the high-water mark after all the work. ``cpu_seconds`` is this
process's CPU time; ``children_cpu_seconds`` that of its waited-for descendants.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
import time


@contextlib.contextmanager
def loss_method(method: str):
    """Make every caller of ``portfolio.loss_distribution`` (the Excel functions, the stress test) use
    another method: the same call computed the way it was before the transform, for a ratio in the
    same run (``XLC_BENCH_LOSS_METHOD`` does this for a whole child process)."""
    from xl_cashrisk import portfolio

    original = portfolio.loss_distribution
    portfolio.loss_distribution = functools.partial(original, method=method)
    try:
        yield
    finally:
        portfolio.loss_distribution = original


def _timed(fn) -> dict:
    import resource  # Unix only, as is this way of measuring

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    out = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["children_cpu_seconds"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    out["descendants_maxrss_mb"] = after.ru_maxrss / 1024 if after.ru_maxrss else None  # KiB on Linux
    return out


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
    """``xl-cashrisk analyze`` on the analysis workbook: validate, age, score, ratios, insurance, stress.

    Also returns the seconds of each step the command measured (``steps``: validate, read, the analysis
    steps, write; ``stress.*``: the stress test's parts), to see where the time goes."""
    from click.testing import CliRunner

    from xl_cashrisk import portfolio
    from xl_cashrisk.cli import analyze as analyze_cmd
    from xl_cashrisk.cli import cli
    from xl_cashrisk.io import safe
    from xl_cashrisk.pipelines import analysis

    if limit == "lift":
        safe.MAX_CELLS = 10**9
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}
    analyze_file = analyze_cmd.analyze_file
    for step in analysis.ANALYSIS_STEPS:  # each step's CPU time too (all threads of this process)
        analysis.ANALYSIS_STEPS[analysis.ANALYSIS_STEPS.index(step)] = dataclasses.replace(
            step, run=functools.partial(_cpu_timed, step.run, cpu, step.key))
    for name, key in (("simulate_losses_and_cash", "stress.monte_carlo"), ("loss_distribution", "stress.exact")):
        setattr(portfolio, name, functools.partial(_cpu_timed, getattr(portfolio, name), cpu, key))

    def recorded(*args, **kwargs):
        result = analyze_file(*args, **kwargs)
        steps.update(result.timings)
        if result.stress is not None:
            steps.update({f"stress.{k}": v for k, v in result.stress.timings.items()})
        return result

    analyze_cmd.analyze_file = recorded

    def run():
        r = CliRunner().invoke(cli, ["analyze", path, "--out", out, *extra], catch_exceptions=False)
        if r.exit_code != 0:
            raise SystemExit(f"analyze failed ({r.exit_code}): {r.output[-800:]}")

    return {**_timed(run), "steps": steps, "steps_cpu": cpu}


def _cpu_timed(fn, into: dict, key: str, *args, **kwargs):
    """``fn(*args, **kwargs)``, its CPU time added to ``into[key]``."""
    c0 = time.process_time()
    try:
        return fn(*args, **kwargs)
    finally:
        into[key] = into.get(key, 0.0) + time.process_time() - c0


def _hold(mb: int) -> None:
    import numpy as np

    held = np.ones(mb * 2**17)  # mb MB of touched pages
    time.sleep(0.5)
    del held


def _tree_probe(self_mb: str, forked_mb: str) -> dict:
    """The harness's own check (tests/test_bench.py): hold ``self_mb`` MB here while a forked child,
    as the reader forks one, holds ``forked_mb`` MB more."""
    import multiprocessing as mp

    import numpy as np

    def run():
        held = np.ones(int(self_mb) * 2**17)
        p = mp.get_context("fork").Process(target=_hold, args=(int(forked_mb),))
        p.start()
        p.join()
        del held

    return _timed(run)


def main(argv: list[str]) -> int:
    kind, *args, result = argv
    method = os.environ.get("XLC_BENCH_LOSS_METHOD")
    if os.environ.get("XLC_BENCH_MC_DRAWS") == "normal":  # the simulation as before its grouped path
        from xl_cashrisk import portfolio

        portfolio._BUYERS_PER_KEY = 10**9
    with loss_method(method) if method else contextlib.nullcontext():
        out = _run(kind, args)
    tmp = result + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f)
    os.replace(tmp, result)  # the parent sees the file complete or not at all
    sys.stdin.read()  # stay alive until the parent has read our peak memory (it closes our stdin)
    return 0


def _run(kind: str, args: list[str]) -> dict:
    if kind == "tree-probe":
        return _tree_probe(*args)
    if kind == "mc":
        return _mc(int(args[0]), int(args[1]))
    if kind == "cli-age":
        return _cli_age(*args)
    if kind == "cli-analyze":
        return _cli_analyze(*args)
    raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The benchmarks of issue 10. Each yields one :class:`~bench.runner.Case` per size."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import data, memory
from bench.child import loss_method
from bench.runner import Alternative, Case, Target, benchmark

ROOT = Path(__file__).resolve().parent.parent


def _label(n: int, unit: str) -> str:
    return f"{n // 1_000_000}M {unit}" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k {unit}"


def _reps(args, full: int, quick: int = 2) -> int:
    return quick if args.quick else full


# ------------------------------------------------------------------------------------------------
@benchmark("ageing", cheap=True)
def ageing(args):
    """Ageing a ledger: the bucket table + per-buyer schedule (xl_cashrisk.receivables) against an Arrow
    dictionary-encode + bincount floor, a competent pandas version and a plain Python loop
    (bench/ageing_alts.py), all on the same ledger in the same run."""
    from bench.ageing_alts import arrow_floor, loop_ageing, pandas_ageing
    from xl_cashrisk import receivables as rc

    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    for n in sizes:
        ledger = data.ledger_frame(n)
        kw = {"fx": data.FX, "home_currency": "CNY"}

        def ours(ledger=ledger, kw=kw):
            """As the ageing pipeline does it: the rows prepared once for both results."""
            prep = rc.prepare_ledger(ledger, data.AS_OF, kw["fx"], kw["home_currency"])
            rc.ageing_table(ledger, data.AS_OF, **kw, _prep=prep)
            rc.buyer_ageing_schedule(ledger, data.AS_OF, **kw, _prep=prep)

        lists = (data.serials(ledger["due_date"]).tolist(), (ledger["amount"] - ledger["paid_amount"]).tolist(),
                 ledger["currency"].tolist(), ledger["buyer_id"].tolist())
        few = 1 if n >= 1_000_000 else None
        alts = [
            Alternative("Arrow floor (dictionary-encode + bincount)",
                        lambda ledger=ledger: arrow_floor(ledger, data.AS_OF, data.FX, "CNY"),
                        note="the buyer × bucket grid only: no credits, checks, labels or frame"),
            Alternative("pandas (pd.cut + groupby)",
                        lambda ledger=ledger: pandas_ageing(ledger, data.AS_OF, data.FX, "CNY"), repeats=few,
                        note="the same two results"),
            Alternative("plain Python per-row loop",
                        lambda lists=lists: loop_ageing(*lists, data.AS_OF_SERIAL, data.FX, "CNY"), repeats=few,
                        note="from Python lists made beforehand; bucket totals and the per-buyer grid"),
        ]
        targets = []
        if n == 1_000_000:
            targets = [Target("max_cpu_ratio", 2, "Arrow floor (dictionary-encode + bincount)"), Target("max_s", 1.0)]
        yield Case("ageing", _label(n, "invoices"), n, ours, repeats=_reps(args, 5), warmup=1,
                   alternatives=alts, targets=targets)


# ------------------------------------------------------------------------------------------------
@benchmark("scoring")
def scoring(args):
    """Scoring a buyer register through xl_cashrisk.scoring.score_register (vectorised)."""
    from udfs.scoring import CREDITSCORE
    from xl_cashrisk.scoring import score_register

    sizes = [1_000] if args.quick else [1_000, 10_000, 100_000]
    for n in sizes:
        reg = data.register_frame(n)
        alts = []
        if n == 1_000:  # per-buyer calls of the scalar Excel function, as a fill-down would do
            cr = reg["current_assets"] / reg["current_liabilities"]
            dr = reg["total_liabilities"] / reg["total_assets"]
            rows = list(zip(cr, dr, reg["paydex"], reg["max_dpd_open"], reg["overdue_share"],
                            reg["years_in_business"], reg["employees"], reg["country"], reg["sector"],
                            reg["negative_events"], strict=True))

            def loop(rows=rows):
                return [CREDITSCORE(None, c, d, None if p != p else p, None, m, o, y, e, co, se, ne)
                        for c, d, p, m, o, y, e, co, se, ne in rows]

            alts.append(Alternative("CREDITSCORE per-row loop", loop, repeats=_reps(args, 3, 1),
                                    note="without Altman Z'' (the loop passes no statements)"))
        targets = [Target("max_s", 0.5)] if n == 100_000 else []
        yield Case("scoring", _label(n, "buyers"), n, lambda reg=reg: score_register(reg),
                   repeats=_reps(args, 5), warmup=1, alternatives=alts, targets=targets)


# ------------------------------------------------------------------------------------------------
@benchmark("udf_arrays", cheap=True)
def udf_arrays(args):
    """Array form of every Excel function that takes ranges, over Excel-shaped rows (lists of rows)."""
    from bench.udf_cases import NOT_ROWWISE, cases
    from udfs import FUNCTIONS

    n = 2_000 if args.quick else 100_000
    builders = cases(n)
    for name, f in FUNCTIONS.items():
        if not any(a.is_range for a in f.arguments):
            continue
        label = f"{name} {_label(n, 'rows')}"
        if name in NOT_ROWWISE:
            yield Case("udf_arrays", label, n, None, skip=NOT_ROWWISE[name])
            continue
        if name not in builders:
            yield Case("udf_arrays", label, n, None, skip="no benchmark arguments defined (new function?)")
            continue
        a, k = builders[name]()

        def call(fn=f.fn, a=a, k=k):
            fn(*a, **k)

        alts = []
        if name in ("PORTFOLIOVAR", "PORTFOLIOES"):  # the exact distribution: also the way it was computed before

            def before(call=call):
                with loss_method("grid"):
                    call()

            alts.append(Alternative("same call, polynomial product (before)", before, repeats=_reps(args, 2, 1)))
        yield Case("udf_arrays", label, n, call, repeats=_reps(args, 5), warmup=1, alternatives=alts,
                   targets=[Target("max_s", 0.150)] if not args.quick else [])


# ------------------------------------------------------------------------------------------------
def _per_call(fn, rows: list[tuple], min_seconds: float):
    """A timed call running ``fn`` over ``rows`` enough times for ``min_seconds`` of CPU, reporting the
    wall and CPU time of one call (the runner takes a returned ``seconds``/``cpu_seconds`` as the case's)."""
    def one_pass() -> float:
        t0 = time.process_time()
        for args in rows:
            fn(*args)
        return time.process_time() - t0

    passes = max(1, math.ceil(min_seconds / max(min(one_pass() for _ in range(3)), 1e-6)))
    calls = passes * len(rows)

    def run():
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(passes):
            for args in rows:
                fn(*args)
        return {"seconds": (time.perf_counter() - t0) / calls, "cpu_seconds": (time.process_time() - c0) / calls}

    return run


@benchmark("udf_scalar", cheap=True)
def udf_scalar(args):
    """One call of every scalar Excel function with one value per argument (a filled-down cell), CPU per call,
    against a plain-Python function doing the same arithmetic (bench/plain.py) in the same run."""
    from bench.plain import REFERENCES
    from bench.udf_cases import AGGREGATES, NOT_ROWWISE, scalar_rows
    from udfs import FUNCTIONS

    k = 64  # different values per call, as down a column
    rows = scalar_rows(k)
    budget = 0.01 if args.quick else 0.05  # CPU seconds per timed repeat
    for name, f in FUNCTIONS.items():
        label = f"{name} per call"
        reason = AGGREGATES.get(name) or NOT_ROWWISE.get(name)
        if reason:
            yield Case("udf_scalar", label, 1, None, skip=f"not a one-value-per-argument function: {reason}")
            continue
        if name not in rows or name not in REFERENCES:
            yield Case("udf_scalar", label, 1, None, skip="no benchmark arguments or plain reference (new function?)")
            continue
        ranges = [a.is_range for a in f.arguments]
        cells = [tuple([[v]] if is_range else v for v, is_range in zip(row, ranges, strict=False)) for row in rows[name]]
        alts = [Alternative("plain Python", _per_call(REFERENCES[name], rows[name], budget)),
                Alternative("same call, one-cell ranges (xlwings, Lite)", _per_call(f.fn, cells, budget))]
        yield Case("udf_scalar", label, 1, _per_call(f.fn, rows[name], budget), repeats=_reps(args, 5, 3),
                   alternatives=alts, targets=[Target("max_cpu_ratio", 25, "plain Python")],
                   note="a plain value per argument, as LibreOffice passes a cell")


# ------------------------------------------------------------------------------------------------
@benchmark("read")
def read(args):
    """Reading a ledger as a user does, each reader a process of its own on one core and on two: `xl-cashrisk
    validate` (safety checks, typed and validated columns) vs loading it only: fastexcel → pandas,
    python-calamine, openpyxl read-only; CPU time includes child processes. ``XLC_BENCH_READ_ROWS`` (e.g.
    ``300000`` or ``300000,1000000``) sets the ledger sizes (default 300k and 1M, 10k with --quick)."""
    sizes = [int(n) for n in os.environ.get("XLC_BENCH_READ_ROWS", "").split(",") if n.strip()] or \
        ([10_000] if args.quick else [300_000, 1_000_000])
    cli = _cli_command()
    yield Case("read", "start-up only, 1 core", 0, lambda: _process([*cli, "validate", "--help"], "0"),
               repeats=_reps(args, 5), skip=_cores_missing("0"), interleave=True,
               note="what every run of either side pays before reading: the interpreter and the imports "
                    "(`xl-cashrisk validate --help`: the module of its command and what it imports, nothing read)",
               alternatives=[Alternative("python -c 'import fastexcel, pandas'", repeats=_reps(args, 5),
                                         fn=lambda: _process([sys.executable, "-c", "import fastexcel, pandas"], "0"))])
    for n in sizes:
        path = str(data.ledger_workbook(n))
        yield _read_steps(n, path, args)
        for cores in ("0", "0,1"):
            label = f"{_label(n, 'rows × 8')}, {'1 core' if cores == '0' else '2 cores'}"

            def ours(cores=cores, path=path, env=None):
                return _process([*cli, "validate", path], cores, env)

            def loader(kind, cores=cores, path=path):
                return lambda: _process([sys.executable, "-m", "bench.loaders", kind, path, "AR Ledger"], cores)

            alts = [Alternative(FASTEXCEL_PANDAS, loader("fastexcel-pandas"),
                                note="load_sheet + to_pandas in a process that imports fastexcel and pandas only: "
                                     "untyped, unvalidated, no safety checks"),
                    Alternative("python-calamine", loader("calamine"), repeats=_reps(args, 3),
                                note="CalamineWorkbook … to_python(): every cell a Python object"),
                    Alternative(FORCED_CHILD, lambda ours=ours: ours(env={"XL_CASHRISK_READER_PROCESS": "1"}),
                                repeats=_reps(args, 3)),
                    Alternative(NO_CHILD, lambda ours=ours: ours(env={"XL_CASHRISK_READER_PROCESS": "0"}),
                                repeats=_reps(args, 3))]
            if cores == "0":  # single-threaded: on two cores it costs the same
                alts.append(Alternative("openpyxl read-only", loader("openpyxl"), repeats=1,
                                        note="load_workbook(read_only=True) + iter_rows(values_only=True)"))
            yield Case("read", label, n, ours, repeats=_reps(args, 5), alternatives=alts, skip=_cores_missing(cores),
                       interleave=True,
                       targets=[] if args.quick else [Target("max_cpu_ratio", 1.5, FASTEXCEL_PANDAS)],
                       note=f"taskset -c {cores}; each run a fresh process, start-up and imports included; by "
                            "default the reader forks a loader child only with a core to spare")


FASTEXCEL_PANDAS = "fastexcel → pandas"
FORCED_CHILD = "xl-cashrisk validate, loader child forced (XL_CASHRISK_READER_PROCESS=1)"
NO_CHILD = "xl-cashrisk validate, no child (XL_CASHRISK_READER_PROCESS=0)"


def _cli_command() -> list[str]:
    """The installed ``xl-cashrisk`` console script (what a user runs), else the same entry point."""
    script = Path(sys.executable).with_name("xl-cashrisk")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from xl_cashrisk.cli import main; sys.argv[0] = 'xl-cashrisk'; main()"]


def _cores_missing(cores: str) -> str:
    """Why ``taskset -c cores`` cannot run here ('' when it can)."""
    import shutil

    if shutil.which("taskset") is None or not hasattr(os, "sched_getaffinity"):
        return "taskset (util-linux) not available"
    wanted = {int(c) for c in cores.split(",")}
    return "" if wanted <= os.sched_getaffinity(0) else f"CPUs {cores} not available to this process"


def _process(argv: list[str], cores: str, env: dict[str, str] | None = None) -> dict:
    """Run ``argv`` pinned to ``cores`` (taskset) and measure it from outside: wall time, CPU time of the
    process and of every descendant it waited for (``wait4``: the reader's forked loader included), and
    the memory of its process tree (:class:`bench.memory.TreePeak`, never below the process's own peak)."""
    import time

    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    proc = subprocess.Popen(["taskset", "-c", cores, *argv], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    tree = memory.TreePeak(proc.pid)
    err = proc.stderr.read().decode("utf-8", "replace")  # (until it exits: it never fills the pipe and waits)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    peak = tree.stop(tree.root_hwm_mb)  # (not usage.ru_maxrss: it holds this process's peak, see bench.memory)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-4:])} failed ({proc.returncode}): {err[-500:]}")
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "children_cpu_seconds": 0.0,
            "peak_mb": peak, "self_hwm_mb": tree.root_hwm_mb}


def _read_steps(n: int, path: str, args) -> Case:
    """Where a read's CPU goes, in this process and without a loader child: the safety checks (the
    cell-area scan inflates each sheet once), fastexcel's load of the eight columns, and the whole
    WorkbookReader.read (both again, plus the header, typing, ledger rules and the frame)."""
    import time

    from xl_cashrisk.io import columnar, safe
    from xl_cashrisk.io.reader import WorkbookReader
    from xl_cashrisk.schemas.ledger import LEDGER

    positions = {key: j for j, key in enumerate(data.LEDGER_COLUMNS)}

    def steps():
        out = {}
        before = os.environ.get("XL_CASHRISK_READER_PROCESS")
        os.environ["XL_CASHRISK_READER_PROCESS"] = "0"
        try:
            c0 = time.process_time()
            safe.check_workbook(path)
            out["checks (io.safe.check_workbook, cell-area scan included)"] = time.process_time() - c0
            c0 = time.process_time()
            loaded = columnar.load_columns(columnar.open_book(path), "AR Ledger", 0, positions)
            out["fastexcel load (io.columnar.load_columns)"] = time.process_time() - c0
            assert loaded is not None and loaded.height == n
            del loaded
            c0, t0 = time.process_time(), time.perf_counter()
            r = WorkbookReader(path).read(LEDGER)
            total, wall = time.process_time() - c0, time.perf_counter() - t0
            assert len(r.frame) == n and r.report.ok, r.report.problems[:3]
        finally:
            if before is None:
                os.environ.pop("XL_CASHRISK_READER_PROCESS", None)
            else:
                os.environ["XL_CASHRISK_READER_PROCESS"] = before
        out["the rest (header, typing, ledger rules, frame)"] = total - sum(out.values())
        out["WorkbookReader.read"] = total
        return {"seconds": wall, "cpu_seconds": total, "steps": out}

    return Case("read", f"{_label(n, 'rows × 8')}, steps in-process", n, steps, repeats=_reps(args, 3),
                note="CPU seconds of each step in steps_s; in the bench process, imports not counted")


# ------------------------------------------------------------------------------------------------
@benchmark("write")
def write(args):
    """Writing a formatted result table with ResultWorkbook (XlsxWriter) vs openpyxl's write-only writer."""
    from xl_cashrisk.io.writer import ResultWorkbook

    n = 10_000 if args.quick else int(os.environ.get("BENCH_WRITE_ROWS", 200_000))
    df = data.result_frame(n)
    tmp = Path(tempfile.mkdtemp(prefix="xlc-bench-write-"))

    def ours():
        with ResultWorkbook(tmp / "ours.xlsx") as rw:
            rw.add_table(df, "Results", traffic_lights=["band"])

    rows = list(zip(df["invoice_no"], df["buyer_id"], df["due_date"].dt.to_pydatetime(), df["open_amount"].tolist(),
                    df["dpd"].tolist(), df["pd"].tolist(), df["score"].tolist(), df["band"], strict=True))

    def openpyxl_wo():
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Results")
        ws.append(list(df.columns))
        for r in rows:
            ws.append(r)
        wb.save(tmp / "openpyxl.xlsx")

    yield Case("write", _label(n, "rows × 8"), n, ours, repeats=_reps(args, 3),
               alternatives=[Alternative("openpyxl write-only", openpyxl_wo, repeats=_reps(args, 1, 1),
                                         note="plain values, no formats or table (its fastest mode)")],
               targets=[] if args.quick else [Target("min_ratio", 5, "openpyxl write-only")])


# ------------------------------------------------------------------------------------------------
def _in_child(*argv: str, env: dict[str, str] | None = None) -> dict:
    """Run ``python -m bench.child ARGV`` and return its timing plus the memory of its process tree.

    The child writes its result (with ``descendants_maxrss_mb``), then waits for its stdin to close;
    meanwhile this process has sampled the tree's memory since the start and now reads the child's
    ``VmHWM`` (``self_hwm_mb``; ``peak_mb`` is never below it); see :mod:`bench.memory`. The
    figures cover all of the child's work and nothing of this (larger) parent: ``ru_maxrss`` from ``wait4``
    would not do, it also counts the parent's pages shared at fork time, before the exec.
    """
    import time

    fd, result = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    os.unlink(result)
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "bench.child", *argv, result], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    tree = memory.TreePeak(proc.pid)
    hwm = None
    try:
        while not os.path.exists(result) and proc.poll() is None:
            time.sleep(0.02)
        hwm = memory.vm_hwm_mb(proc.pid)
    finally:
        peak = tree.stop(hwm)
        proc.stdin.close()
        proc.wait()
    try:
        if proc.returncode != 0 or not os.path.exists(result):
            raise RuntimeError(f"bench.child {' '.join(argv)} failed with exit code {proc.returncode}")
        out = json.loads(Path(result).read_text(encoding="utf-8"))
    finally:
        if os.path.exists(result):
            os.unlink(result)
    out.update({"peak_mb": peak, "self_hwm_mb": hwm, "memory_samples": tree.samples})
    return out


@benchmark("mc")
def mc(args):
    """Correlated-default Monte Carlo (3 factors: global, region, sector), in a subprocess; memory of its process tree."""
    n, sims = (1_000, 10_000) if args.quick else (10_000, 100_000)
    targets = [] if args.quick else [Target("max_s", 10.0), Target("max_mb", 2048)]
    yield Case("mc", f"{_label(n, 'buyers')} × {_label(sims, 'scen.')}", n,
               lambda: _in_child("mc", str(n), str(sims)), repeats=_reps(args, 3, 1), targets=targets,
               note="time inside the child; memory of its process tree from outside (bench.memory)")


@benchmark("exact_loss", cheap=True)
def exact_loss(args):
    """Exact one-factor loss distribution (portfolio.loss_distribution) vs the polynomial product it replaced."""
    from xl_cashrisk.portfolio import loss_distribution

    sizes = [1_000] if args.quick else [1_000, 10_000, 100_000]
    for n in sizes:
        p = data.portfolio_inputs(n)
        losses = p["ead"] * p["lgd"]

        def ours(losses=losses, pd=p["pd"]):
            loss_distribution(losses, pd, 0.2).var(0.99)

        def product(losses=losses, pd=p["pd"]):
            loss_distribution(losses, pd, 0.2, method="grid").var(0.99)

        fast, ref = loss_distribution(losses, p["pd"], 0.2), loss_distribution(losses, p["pd"], 0.2, method="grid")
        diff = np.abs(fast.probs[:4096] - ref.probs[:4096])
        same = all(fast.var(a) == ref.var(a) for a in (0.95, 0.99, 0.999))
        note = (f"ρ 0.2, 128 Gauss–Hermite nodes, 4,096-point grid; against the product: max |Δp| {diff.max():.1e} "
                f"per grid point, Σ|Δp| {diff.sum():.1e}, VaR 95/99/99.9 % {'identical' if same else 'DIFFERENT'}, "
                f"ES 99 % differs by {abs(fast.es(0.99) / ref.es(0.99) - 1):.1e} (relative)")
        targets = {10_000: [Target("max_s", 2.0)], 100_000: [Target("max_s", 1.0)]}.get(n, [])
        yield Case("exact_loss", _label(n, "buyers"), n, ours, repeats=_reps(args, 5), warmup=1, note=note,
                   alternatives=[Alternative("polynomial product (method='grid', before)", product,
                                             repeats=_reps(args, 2 if n >= 100_000 else 3, 1))],
                   targets=targets)


@benchmark("e2e")
def e2e(args):
    """End to end in a subprocess: `xl-cashrisk age` on a ledger workbook (read, validate, age, write), and
    `xl-cashrisk analyze` on one workbook holding the same ledger, a register of its buyers, settings and
    a 13-week forecast (validate, age, score, ratios & concentration, insurance, stress test, write).

    ``XLC_BENCH_E2E_INVOICES`` sets the ledger size (default 1M, 10k with --quick)."""
    n = int(os.environ.get("XLC_BENCH_E2E_INVOICES") or (10_000 if args.quick else 1_000_000))
    path = data.ledger_workbook(n, settings=True)
    tmp = Path(tempfile.mkdtemp(prefix="xlc-bench-e2e-"))
    out = tmp / "aged.xlsx"
    from xl_cashrisk.io import safe

    lifted = n * len(data.LEDGER_COLUMNS) > safe.MAX_CELLS
    note = ""
    if lifted:
        note = f"io.safe.MAX_CELLS ({safe.MAX_CELLS:,} cells) lifted in the child: the product refuses this file today"
    full = n == 1_000_000 and not args.quick
    yield Case("e2e", f"age {_label(n, 'invoices')}", n,
               lambda: _in_child("cli-age", str(path), str(out), "lift" if lifted else "keep"),
               repeats=1, note=note, targets=[Target("max_mb", 4096)] if full else [])
    book = data.analysis_workbook(n)
    analysed = tmp / "analysis.xlsx"
    from xl_cashrisk.stress import STANDARD_SCENARIOS

    note = (f"{data.n_buyers_for(n):,} buyers, 13 weeks, {len(STANDARD_SCENARIOS)} standard scenarios, 20,000 "
            "simulations; validating every table and writing every sheet included") + (f"; {note}" if note else "")
    keep = "lift" if lifted else "keep"
    before = Alternative("same, exact loss by the polynomial product (before)", repeats=1,
                         fn=lambda: _in_child("cli-analyze", str(book), str(analysed), keep,
                                              env={"XLC_BENCH_LOSS_METHOD": "grid"}))
    normal = Alternative("same, Monte Carlo by normal draws (before)", repeats=1,
                         fn=lambda: _in_child("cli-analyze", str(book), str(analysed), keep,
                                              env={"XLC_BENCH_MC_DRAWS": "normal"}))
    yield Case("e2e", f"full analysis {_label(n, 'invoices')}", n,
               lambda: _in_child("cli-analyze", str(book), str(analysed), keep), alternatives=[before, normal],
               repeats=1, note=note, targets=[Target("max_s", 60.0), Target("max_mb", 4096)] if full else [])


@benchmark("calc")
def calc(args):
    """LibreOffice Calc with the extension, headless: load, recalculate and save 10,000 cells of DAYSPASTDUE
    (filled down over 400 or over 10,000 distinct due dates, or one array formula), against the same sheet
    with a native formula and with values only; each run in a fresh LibreOffice after a one-cell warm-up."""
    from xl_cashrisk.build.calc.build import build
    from xl_cashrisk.build.calc.unodriver import libreoffice_missing, run_driver

    rows = 1_000 if args.quick else data.CALC_ROWS
    skip = libreoffice_missing()
    kinds = ("fill-down", "distinct", "range", "native", "values")
    tmp = Path(tempfile.mkdtemp(prefix="xlc-bench-calc-"))
    measured: list[dict[str, float]] = []  # one LibreOffice run each: sheet kind → seconds
    calls = dict.fromkeys(kinds, 0)

    def run_all() -> dict[str, float]:
        """One LibreOffice run over every sheet (a one-cell sheet first: it imports the project)."""
        oxt = tmp / "xl-cashrisk.oxt"
        if not oxt.exists():
            build(oxt)
        files = []
        for kind in ("warm-up", *kinds):
            src = tmp / f"{kind}.xlsx"
            if not src.exists():
                data.calc_sheet(src, 1 if kind == "warm-up" else rows, kind="fill-down" if kind == "warm-up" else kind)
            files += [src, tmp / f"{kind}-out.xlsx"]
        report = run_driver("recalc", tmp / f"profile-{len(measured)}", oxt, files)
        return dict(zip(kinds, report["recalc_s"][1:], strict=True))

    def sheet(kind: str):
        def fn():  # repeat i of every sheet comes from LibreOffice run i
            i = calls[kind]
            calls[kind] += 1
            while len(measured) <= i:
                measured.append(run_all())
            return {"seconds": measured[i][kind], "cpu_seconds": float("nan")}
        return fn

    note = ("wall seconds of load + recalculate + save of each sheet inside one LibreOffice run (its start-up, "
            "about 1 s, not included); CPU not separable per sheet")
    cells = _label(rows, "cells")
    yield Case("calc", f"=DAYSPASTDUE(A2;$B$2) filled down, {cells}, 400 distinct due dates", rows,
               sheet("fill-down"), repeats=_reps(args, 3), skip=skip, note=note, interleave=True,
               alternatives=[Alternative(f"one array formula =DAYSPASTDUE(A2:A{rows + 1};$B$2)", sheet("range")),
                             Alternative("native =$B$2-A2 filled down", sheet("native")),
                             Alternative("values only (load + save)", sheet("values"))])
    yield Case("calc", f"=DAYSPASTDUE(A2;$B$2) filled down, {cells}, all due dates distinct", rows,
               sheet("distinct"), repeats=_reps(args, 3), skip=skip, note=note)

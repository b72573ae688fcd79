"""Timing, the results table, JSON output and comparison with an earlier run."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows: no child-process accounting
    resource = None

SCHEMA_VERSION = 1


@dataclass
class Target:
    """A pass/fail target: ``max_s`` (our median ≤ value seconds), ``min_ratio`` (alternative ÷ ours ≥
    value), ``max_ratio`` (ours ÷ alternative ≤ value, e.g. ≤ 1.3× the fastest reader), ``max_cpu_ratio``
    (the same on median CPU time, children included: ≤ 1.5× fastexcel's CPU, ≤ 25× a plain-Python function) or
    ``max_mb``."""

    kind: str
    value: float
    against: str = ""  # alternative name for ratio targets

    def describe(self) -> str:
        if self.kind == "max_s":
            return f"≤ {_fmt_s(self.value)}"
        if self.kind == "max_mb":
            return f"≤ {self.value:,.0f} MB"
        if self.kind == "min_ratio":
            return f"≥ {self.value:g}× vs {self.against}"
        if self.kind == "max_cpu_ratio":
            return f"CPU ≤ {self.value:g}× {self.against}"
        return f"≤ {self.value:g}× {self.against}"


@dataclass
class Alternative:
    name: str
    fn: Callable[[], Any] | None = None
    repeats: int | None = None  # default: the case's repeats
    note: str = ""


@dataclass
class Case:
    """One row of the table: ``fn`` timed ``repeats`` times (after ``warmup`` untimed calls).

    ``fn`` may return a dict of extra measurements (e.g. ``{"seconds": inner, "peak_mb": rss}`` from a
    subprocess): a ``seconds`` key replaces the wall time of that repeat.
    """

    bench: str
    label: str
    size: int
    fn: Callable[[], Any] | None
    repeats: int = 5
    warmup: int = 0
    alternatives: list[Alternative] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    note: str = ""
    skip: str = ""  # reason when the case cannot run here
    # take turns: ours, then each alternative, repeat after repeat, so that both sides meet the same
    # moments of a shared machine (the paired ratio is then fair under changing load)
    interleave: bool = False


@dataclass
class Benchmark:
    name: str
    doc: str
    cases: Callable[[argparse.Namespace], Iterable[Case]]
    cheap: bool = False


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, *, cheap: bool = False):
    def deco(fn):
        BENCHMARKS[name] = Benchmark(name, (fn.__doc__ or "").strip().split("\n")[0], fn, cheap)
        return fn
    return deco


def _fmt_s(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-5:
        return f"{s * 1e6:.1f} µs"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


# memory figures a subprocess case reports (bench.memory); the largest over the repeats is kept
MEMORY_KEYS = ("peak_mb", "self_hwm_mb", "descendants_maxrss_mb")


def _children_cpu() -> float:
    """CPU seconds of this process's terminated, waited-for children (a forked reader, a subprocess)."""
    if resource is None:
        return 0.0
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(fn: Callable[[], Any]) -> tuple[float, float, dict | None]:
    """(wall seconds, CPU seconds, extra measurements) of one call.

    CPU time is this process's (all threads) plus that of the child processes the call started and
    waited for; a call that reports its own ``seconds`` (a subprocess case) reports its CPU too
    (``cpu_seconds`` + ``children_cpu_seconds``), which then replaces it.
    """
    gc.collect()
    k0, c0, t0 = _children_cpu(), time.process_time(), time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    used = time.process_time() - c0 + _children_cpu() - k0
    if isinstance(out, dict) and "seconds" in out:
        return float(out["seconds"]), float(out.get("cpu_seconds", "nan")) + float(out.get("children_cpu_seconds") or 0.0), out
    return wall, used, None


def summary(runs: list[tuple[float, float, dict | None]]) -> dict[str, Any]:
    """Median, min and all times of the measured calls; extra measurements they returned are kept."""
    times = [w for w, _, _ in runs]
    extras = [e for _, _, e in runs if e is not None]
    rec: dict[str, Any] = {"median_s": statistics.median(times), "min_s": min(times), "times_s": times,
                           "cpu_median_s": statistics.median([c for _, c, _ in runs]),
                           "cpu_s": [c for _, c, _ in runs]}
    for key in MEMORY_KEYS:
        values = [e[key] for e in extras if e.get(key) is not None]
        if values:
            rec[key] = max(values)
    steps = [e["steps"] for e in extras if e.get("steps")]
    if steps:
        rec["steps_s"] = steps  # per repeat, what the command timed inside (e.g. analyze's steps)
        # and each step's share of the whole call, wall time, and CPU time where the command measured it
        rec["steps_share"] = [{k: v / e["seconds"] for k, v in e["steps"].items()} for e in extras if e.get("steps")]
    cpu_steps = [(e["steps_cpu"], float(e["cpu_seconds"]) + float(e.get("children_cpu_seconds") or 0.0))
                 for e in extras if e.get("steps_cpu")]
    if cpu_steps:
        rec["steps_cpu_s"] = [s for s, _ in cpu_steps]
        rec["steps_cpu_share"] = [{k: v / total for k, v in s.items()} for s, total in cpu_steps]
    return rec


def time_it(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> dict[str, Any]:
    """:func:`summary` of ``repeats`` calls (after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        fn()
    return summary([measure(fn) for _ in range(max(1, repeats))])


def machine_info() -> dict[str, Any]:
    import numpy
    import pandas

    info: dict[str, Any] = {
        "hostname": platform.node(), "platform": platform.platform(), "machine": platform.machine(),
        "processor": _cpu_model(), "cpu_count": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(), "numpy": numpy.__version__, "pandas": pandas.__version__,
    }
    from importlib.metadata import PackageNotFoundError, version

    for key, dist in (("scipy", "scipy"), ("openpyxl", "openpyxl"), ("xlsxwriter", "XlsxWriter"),
                      ("python_calamine", "python-calamine"), ("fastexcel", "fastexcel"),
                      ("xl_cashrisk", "xl-cashrisk")):
        try:
            info[key] = version(dist)
        except PackageNotFoundError:
            info[key] = None
    try:
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
        info["mem_total_gb"] = round(int(mem) / 2**20, 1)
    except Exception:
        pass
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except Exception:
        pass
    return platform.processor()


def evaluate(targets: list[Target], rec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    alts = rec.get("alternatives", {})
    for t in targets:
        value = None
        if t.kind == "max_s":
            value = rec.get("median_s")
        elif t.kind == "max_mb":
            value = rec.get("peak_mb")
        elif t.kind == "min_ratio" and t.against in alts:
            value = alts[t.against].get("speedup")
        elif t.kind in ("max_ratio", "max_cpu_ratio") and t.against in alts:
            s = alts[t.against].get("speedup" if t.kind == "max_ratio" else "cpu_speedup")
            value = None if not s else 1.0 / s
        met = None if value is None else (value >= t.value if t.kind == "min_ratio" else value <= t.value)
        out.append({"target": t.describe(), "kind": t.kind, "value": t.value, "against": t.against,
                    "measured": value, "met": met})
    return out


def run_case(case: Case, log: Callable[[str], None]) -> dict[str, Any]:
    rec: dict[str, Any] = {"bench": case.bench, "label": case.label, "size": case.size, "note": case.note}
    if case.skip:
        rec["skipped"] = case.skip
        rec["targets"] = evaluate(case.targets, rec)
        return rec
    log(f"  {case.bench} [{case.label}] ×{case.repeats}{' taking turns with the alternatives' if case.interleave else ''} …")
    rec["load_avg_before"] = _load()
    alts = [a for a in case.alternatives if a.fn is not None]
    reps = {a.name: a.repeats if a.repeats is not None else case.repeats for a in alts}
    runs: dict[str, list] = {a.name: [] for a in alts}
    failed: dict[str, str] = {}
    try:
        if case.interleave:
            for _ in range(case.warmup):
                case.fn()
            ours = []
            for r in range(max([case.repeats, *reps.values()])):
                if r < case.repeats:
                    ours.append(measure(case.fn))
                for a in alts:
                    if r < reps[a.name] and a.name not in failed:
                        try:
                            runs[a.name].append(measure(a.fn))
                        except Exception as exc:
                            log(f"    {a.name} FAILED: {type(exc).__name__}: {exc}")
                            failed[a.name] = f"failed: {type(exc).__name__}: {exc}"
            rec.update(summary(ours))
        else:
            rec.update(time_it(case.fn, case.repeats, case.warmup))
    except Exception as exc:  # one failing case must not lose the rest of the run
        log(f"    FAILED: {type(exc).__name__}: {exc}")
        rec["skipped"] = f"failed: {type(exc).__name__}: {exc}"
        rec["targets"] = evaluate(case.targets, rec)
        return rec
    rec["alternatives"] = {}
    for alt in case.alternatives:
        if alt.fn is None:
            rec["alternatives"][alt.name] = {"skipped": alt.note}
            continue
        if not case.interleave:
            log(f"    vs {alt.name} ×{reps[alt.name]} …")
            try:
                runs[alt.name] = [measure(alt.fn) for _ in range(max(1, reps[alt.name]))]
            except Exception as exc:
                log(f"    FAILED: {type(exc).__name__}: {exc}")
                failed[alt.name] = f"failed: {type(exc).__name__}: {exc}"
        if alt.name in failed:
            rec["alternatives"][alt.name] = {"skipped": failed[alt.name]}
            continue
        a = summary(runs[alt.name])
        a["speedup"] = a["median_s"] / rec["median_s"] if rec["median_s"] > 0 else None
        a["cpu_speedup"] = a["cpu_median_s"] / rec["cpu_median_s"] if rec["cpu_median_s"] > 0 else None
        a["note"] = alt.note
        rec["alternatives"][alt.name] = a
    rec["load_avg_after"] = _load()
    rec["targets"] = evaluate(case.targets, rec)
    return rec


def _load() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages now (other work on the machine while a case ran)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


# ------------------------------------------------------------------------------------------------
# report


def table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        alts = r.get("alternatives") or {}
        tg = r.get("targets") or []
        verdict = ", ".join(("✔ " if t["met"] else "✘ " if t["met"] is False else "? ") + t["target"]
                            + (f" ({t['measured']:.1f}×)" if "ratio" in t["kind"] and t["measured"] is not None else "")
                            for t in tg)
        ours = "skipped: " + r["skipped"] if r.get("skipped") else _fmt_s(r.get("median_s"))
        if not r.get("skipped") and r.get("cpu_median_s") is not None and r["cpu_median_s"] == r["cpu_median_s"]:
            ours += f" (CPU {_fmt_s(r['cpu_median_s'])})"
        if r.get("peak_mb") is not None:
            ours += f", {r['peak_mb']:,.0f} MB peak"
        alt_txt = []
        for name, a in alts.items():
            if a.get("skipped"):
                alt_txt.append(f"{name}: n/a ({a['skipped']})")
            else:
                s, c = a.get("speedup"), a.get("cpu_speedup")
                ratio = f"{s:.1f}× faster" if s and s >= 1 else f"{1 / s:.2f}× slower" if s else "—"
                cpu = f" (CPU {c:.2f}×)" if c else ""  # the alternative's CPU time ÷ ours
                alt_txt.append(f"{name} {_fmt_s(a['median_s'])} → ours {ratio}{cpu}")
        rows.append([r["bench"], r["label"], ours, "; ".join(alt_txt) or "—", verdict or "—"])
    return rows


def print_table(results: list[dict[str, Any]], machine: dict[str, Any], out=sys.stdout) -> None:
    header = ["benchmark", "size", "ours (median)", "alternative (median) → ratio", "target"]
    rows = table_rows(results)
    try:
        from rich.console import Console
        from rich.table import Table

        t = Table(title="xl-cashrisk benchmarks", show_lines=False)
        for h in header:
            t.add_column(h, overflow="fold")
        for row in rows:
            t.add_row(*row)
        Console(file=out, width=max(120, min(200, os.get_terminal_size().columns if out.isatty() else 160))).print(t)
    except Exception:
        for row in [header, *rows]:
            print(" | ".join(row), file=out)
    print(f"machine: {machine.get('processor')} · {machine.get('cpu_count')} CPUs · load {machine.get('load_avg')} · "
          f"Python {machine.get('python')} · numpy {machine.get('numpy')} · pandas {machine.get('pandas')}", file=out)


def markdown_table(results: list[dict[str, Any]]) -> str:
    header = ["benchmark", "size", "ours (median)", "alternative (median) → ratio", "target"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table_rows(results):
        lines.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
    return "\n".join(lines)


def compare(results: list[dict[str, Any]], previous: dict[str, Any], out=sys.stdout) -> list[dict[str, Any]]:
    """Our medians now vs in ``previous`` (matched by benchmark and size label)."""
    before = {(r["bench"], r["label"]): r for r in previous.get("results", [])}
    rows = []
    for r in results:
        old = before.get((r["bench"], r["label"]))
        if not old or r.get("median_s") is None or old.get("median_s") is None:
            continue
        change = r["median_s"] / old["median_s"] - 1.0
        rows.append({"bench": r["bench"], "label": r["label"], "before_s": old["median_s"],
                     "now_s": r["median_s"], "change": change})
    print(f"\ncompared with {previous.get('created', '?')} (load then {previous.get('machine', {}).get('load_avg')}):",
          file=out)
    for c in rows:
        flag = "  slower" if c["change"] > 0.10 else "  faster" if c["change"] < -0.10 else ""
        print(f"  {c['bench']:<22} {c['label']:<14} {_fmt_s(c['before_s']):>10} → {_fmt_s(c['now_s']):>10} "
              f"({c['change']:+.0%}){flag}", file=out)
    return rows


# ------------------------------------------------------------------------------------------------
# command line


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes and 2 repeats (a smoke run, ~1 minute)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only this benchmark (repeatable; comma-separated allowed)")
    p.add_argument("--out", type=Path, help="JSON file to write (default bench/results/<date>.json)")
    p.add_argument("--compare", type=Path, help="an earlier JSON to compare medians with")
    p.add_argument("--repeats", type=int, help="override the number of timed repeats")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bench import cases as _cases  # noqa: F401  (registers the benchmarks)

    args = parse(argv)
    if args.list:
        for b in BENCHMARKS.values():
            print(f"{b.name:<16} {b.doc}")
        return 0
    only = [n.strip() for o in args.only for n in o.split(",") if n.strip()]
    unknown = [n for n in only if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    if args.compare and not args.compare.exists():
        print(f"--compare: no such file {args.compare}", file=sys.stderr)
        return 2
    selected = [BENCHMARKS[n] for n in (only or BENCHMARKS)]
    machine = machine_info()
    started = dt.datetime.now().replace(microsecond=0)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log(f"xl-cashrisk bench ({'quick' if args.quick else 'full'}) on {machine['cpu_count']} CPUs, "
        f"load {machine['load_avg']}")
    results = []
    for b in selected:
        log(f"{b.name}: {b.doc}")
        for case in b.cases(args):
            if args.repeats:
                case.repeats = args.repeats
            results.append(run_case(case, log))
    machine["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    doc = {"schema": SCHEMA_VERSION, "created": started.isoformat(),
           "finished": dt.datetime.now().replace(microsecond=0).isoformat(),
           "mode": "quick" if args.quick else "full", "only": only, "machine": machine, "results": results}
    print_table(results, machine)
    if args.markdown:
        print(markdown_table(results))
    if args.compare:
        doc["compared_with"] = str(args.compare)
        doc["comparison"] = compare(results, json.loads(args.compare.read_text(encoding="utf-8")))
    out = args.out or Path(__file__).parent / "results" / f"{started:%Y-%m-%d-%H%M%S}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False, default=_json_default), encoding="utf-8")
    print(f"results written to {out}")
    return 0


def _json_default(o):
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
    except Exception:
        pass
    return str(o)

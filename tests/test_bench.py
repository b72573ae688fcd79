"""Smoke test of the benchmark suite: one cheap benchmark in a subprocess, and the JSON it writes.

No timing is asserted here (timed assertions do not belong in unit tests); the figures are checked by
running ``python -m bench`` itself, see docs/performance.md.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import runner

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                            "BENCH_DATA": str(tmp_path / "data")})


def test_quick_ageing_writes_results_json(tmp_path):
    out = tmp_path / "run.json"
    r = _run("--quick", "--only", "ageing", "--repeats", "1", "--out", str(out), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "ageing" in r.stdout and f"results written to {out}" in r.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema"] == 1 and doc["mode"] == "quick" and doc["only"] == ["ageing"]
    m = doc["machine"]
    assert m["cpu_count"] >= 1 and len(m["load_avg"]) == 3
    assert {"python", "numpy", "pandas", "processor"} <= set(m)
    [res] = doc["results"]
    assert (res["bench"], res["label"], res["size"]) == ("ageing", "10k invoices", 10_000)
    assert len(res["times_s"]) == 1 and res["median_s"] == res["times_s"][0] > 0
    assert set(res["alternatives"]) == {"Arrow floor (dictionary-encode + bincount)", "pandas (pd.cut + groupby)",
                                        "plain Python per-row loop"}
    alt = res["alternatives"]["pandas (pd.cut + groupby)"]
    assert alt["median_s"] > 0 and alt["speedup"] == alt["median_s"] / res["median_s"]
    assert res["targets"] == []  # the floor target applies at 1M rows, not in a quick run

    # a later run compares its medians with this file's
    faster = [{**res, "median_s": res["median_s"] / 2}]
    [c] = runner.compare(faster, doc, out=io.StringIO())
    assert (c["bench"], c["label"], c["before_s"]) == ("ageing", "10k invoices", res["median_s"])
    assert c["change"] == -0.5


def test_unknown_benchmark_is_refused(capsys):
    assert runner.main(["--only", "nope"]) == 2
    assert "unknown benchmark(s): nope" in capsys.readouterr().err


def test_memory_covers_the_forked_grandchild():
    """The reader forks a loader: the tree's peak must include it, the child's own high-water mark cannot."""
    from bench.cases import _in_child

    out = _in_child("tree-probe", "60", "200")
    assert out["self_hwm_mb"] < 200  # the child alone never held the forked child's 200 MB
    assert out["descendants_maxrss_mb"] >= 200 + 60  # its RSS includes the 60 MB inherited through fork
    assert 60 + 200 <= out["peak_mb"] <= out["self_hwm_mb"] + out["descendants_maxrss_mb"]
    assert out["memory_samples"] >= 5 and out["children_cpu_seconds"] >= 0


def test_plain_references_do_each_functions_arithmetic():
    """The per-call benchmark compares each scalar Excel function with a plain-Python function (bench/plain.py):
    every such function has one, and it gives the function's answer on every benchmark row, so the ratio
    compares the same arithmetic."""
    from bench.plain import REFERENCES
    from bench.udf_cases import AGGREGATES, NOT_ROWWISE, scalar_rows
    from udfs import FUNCTIONS

    assert set(AGGREGATES) | set(NOT_ROWWISE) <= set(FUNCTIONS)
    scalar = set(FUNCTIONS) - set(AGGREGATES) - set(NOT_ROWWISE)
    rows = scalar_rows(64)
    assert set(rows) == scalar == set(REFERENCES)
    for name in sorted(scalar):
        for row in rows[name]:
            got, want = FUNCTIONS[name].fn(*row), REFERENCES[name](*row)
            assert got == (pytest.approx(want, rel=1e-9, abs=1e-12) if isinstance(want, float) else want), (name, row)


def test_per_call_case_reports_cpu_per_call_and_the_ratio_target():
    import argparse

    from bench.cases import udf_scalar

    cases = {c.label: c for c in udf_scalar(argparse.Namespace(quick=True))}
    assert cases["AGEING per call"].skip.startswith("not a one-value-per-argument function")
    rec = runner.run_case(cases["DSO per call"], log=lambda _: None)
    assert 0 < rec["cpu_median_s"] < 1e-3  # one call, not a whole pass over the rows
    plain = rec["alternatives"]["plain Python"]
    [target] = rec["targets"]
    assert target["kind"] == "max_cpu_ratio"
    assert target["measured"] == pytest.approx(rec["cpu_median_s"] / plain["cpu_median_s"], rel=1e-12)
def test_interleaved_case_takes_turns_and_rates_cpu():
    """A case with interleave runs ours and each alternative in turns (a shared machine's load then falls
    on both alike); a CPU-ratio target reads the median CPU times."""
    order = []
    case = runner.Case("t", "x", 1, lambda: order.append("ours") or {"seconds": 1.0, "cpu_seconds": 3.0},
                       repeats=3, interleave=True,
                       alternatives=[runner.Alternative("alt", lambda: order.append("alt") or
                                                        {"seconds": 1.0, "cpu_seconds": 2.0}, repeats=2)],
                       targets=[runner.Target("max_cpu_ratio", 1.4, "alt")])
    rec = runner.run_case(case, log=lambda _msg: None)
    assert order == ["ours", "alt", "ours", "alt", "ours"]
    assert rec["cpu_s"] == [3.0, 3.0, 3.0] and rec["alternatives"]["alt"]["cpu_speedup"] == 2.0 / 3.0
    [target] = rec["targets"]
    assert target["measured"] == 1.5 and target["met"] is False and target["target"] == "CPU ≤ 1.4× alt"


def test_a_timed_process_is_not_charged_the_benchmarks_memory():
    """A process the reading benchmark starts (vfork + exec) inherits the benchmark's own high-water mark in
    its wait4 ru_maxrss: its memory is read from its tree and its VmHWM instead, and CPU time from wait4."""
    import pytest

    from bench.cases import _cores_missing, _process

    if _cores_missing("0"):
        pytest.skip(_cores_missing("0"))
    held = bytearray(300 << 20)
    held[::4096] = b"\1" * len(held[::4096])  # 300 MB resident in this process
    out = _process([sys.executable, "-c", "import time; x = bytearray(80 << 20); x[::4096] = b'1' * len(x[::4096]);"
                    " time.sleep(0.2)"], "0")
    assert 80 <= out["self_hwm_mb"] <= out["peak_mb"] < 200, out
    assert out["cpu_seconds"] > 0 and len(held) == 300 << 20

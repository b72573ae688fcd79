"""Behaviour-unchanged check for refactors: every command's output workbooks and console text, before and after.

Three steps (run from the repository root with the project's Python)::

    python scripts/compare_results.py inputs DIR [--bench-rows N]   # the shared input files, written once
    python scripts/compare_results.py record DIR/inputs SNAP.json [--code TREE]
    python scripts/compare_results.py compare BEFORE.json AFTER.json

``inputs`` writes the files every run reads: the sample (``xl-cashrisk sample``), each template
(``xl-cashrisk template all``, and each one with its example rows in the tables), a bench workbook
(``bench.data.analysis_workbook``: ledger, register, settings, forecast), the bad-input corpus
(tests/corpus) and the ERP exports of tests/data/exports. The inputs are shared, so both runs read the
same bytes.

``record`` runs, in a fresh process per command, with the code of ``TREE`` (default: this checkout; a
tree exported with ``git archive main | tar -x -C /tmp/base`` gives the code at main): demo, analyze,
age, score, monitor, insurance, ratios, stress (with the one-page summary), validate, import, template,
sample, batch age / score, and the ribbon actions (udfs.actions) on the same files. It stores each
command's exit code, stdout and stderr, and every sheet of every workbook it wrote: cell values and
formulas, number formats, Excel tables, data validations, conditional formats, charts per sheet, defined
names; and the bytes' SHA-256 of the PNG summaries. Run stamps' ``run_at``, the input and output folders
and elapsed seconds are masked; nothing else is.

``compare`` prints every difference and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIMS = "2000"  # stress simulations: enough to exercise every path, quick at the bench size


# ------------------------------------------------------------------------------------------------ inputs


def make_inputs(folder: Path, bench_rows: int) -> None:
    """Write every input file into ``folder`` (with the code of this checkout)."""
    folder.mkdir(parents=True, exist_ok=True)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "corpus")]
    from helpers import template_with_examples
    from make_corpus import build_corpus

    from bench import data as bench_data
    from xl_cashrisk.io.templates import TEMPLATES
    from xl_cashrisk.sample import load_sample
    from xl_cashrisk.sample.workbooks import write_sample_workbooks

    write_sample_workbooks(folder / "sample")
    (folder / "examples").mkdir(exist_ok=True)  # the templates with their example rows in the tables
    for kind in TEMPLATES:
        template_with_examples(kind, folder / "examples")
    os.environ["BENCH_DATA"] = str(folder / "bench-cache")
    shutil.copy(bench_data.analysis_workbook(bench_rows), folder / "bench.xlsx")
    shutil.copy(bench_data.ledger_workbook(bench_rows, settings=True), folder / "bench-ledger.xlsx")
    (folder / "corpus").mkdir(exist_ok=True)
    keep = ("text_in_number", "missing_column", "duplicate_keys", "missing_buyers", "error_ref", "bad_settings",
            "header_only", "unknown_currency", "paid_more_than_amount", "date1904_serials", "register_duplicate_buyer",
            "register_text_in_number", "zip_bomb", "not_excel", "empty_workbook", "formula_as_text", "future_dates")
    for case, path in build_corpus(folder / "corpus-all", include_slow=False):
        if case.name in keep:
            shutil.copy(path, folder / "corpus" / path.name)
    shutil.rmtree(folder / "corpus-all")
    shutil.copytree(ROOT / "tests" / "data" / "exports", folder / "exports", dirs_exist_ok=True)
    shutil.copytree(ROOT / "workbook_templates", folder / "templates", dirs_exist_ok=True)
    sample = load_sample()
    sample.ledger.to_csv(folder / "ledger.csv", index=False)
    reg = bench_data.register_frame(500)
    reg.to_parquet(folder / "register.parquet", index=False)
    print(f"inputs in {folder}")


# ------------------------------------------------------------------------------------------------ runs


def commands(inp: Path, out: Path) -> list[tuple[str, list[str]]]:
    """(name, argv after ``xl-cashrisk``) of every run; outputs go under ``out``."""
    s = inp / "sample"
    book, bench = s / "sample_cashrisk.xlsx", inp / "bench.xlsx"
    runs: list[tuple[str, list[str]]] = [
        ("demo", ["demo", "--out", f"{out}/demo.xlsx"]),
        ("sample", ["sample", "--outdir", f"{out}/sample"]),
        ("template", ["template", "all", "--outdir", f"{out}/templates"]),
        ("template-noex", ["template", "ledger", "--out", f"{out}/templates-noex/ledger.xlsx", "--no-examples"]),
        ("functions", ["functions"]),
    ]
    for name, f in (("sample", book), ("bench", bench)):
        runs += [
            (f"analyze-{name}", ["analyze", str(f), "--out", f"{out}/analyze-{name}.xlsx", "--sims", SIMS]),
            (f"analyze-{name}-skip", ["analyze", str(f), "--out", f"{out}/analyze-{name}-skip.xlsx", "--skip",
                                      "stress,score", "--as-of", "2026-08-31"]),
            (f"age-{name}", ["age", str(f), "--out", f"{out}/age-{name}.xlsx"]),
            (f"age-{name}-invoice", ["age", str(f), "--out", f"{out}/age-{name}-inv.xlsx", "--basis", "invoice",
                                     "--as-of", "2026-09-15"]),
            (f"score-{name}", ["score", str(f), "--out", f"{out}/score-{name}.xlsx"]),
            (f"score-{name}-asof", ["score", str(f), "--out", f"{out}/score-{name}-asof.xlsx", "--as-of", "2026-06-30"]),
            (f"insurance-{name}", ["insurance", str(f), "--out", f"{out}/insurance-{name}.xlsx"]),
            (f"ratios-{name}", ["ratios", str(f), "--out", f"{out}/ratios-{name}.xlsx"]),
            (f"stress-{name}", ["stress", str(f), "--out", f"{out}/stress-{name}.xlsx", "--sims", SIMS,
                                "--summary", f"{out}/stress-{name}.png"]),
            (f"validate-{name}", ["validate", str(f)]),
        ]
    runs += [
        ("monitor-sample", ["monitor", f"{out}/score-sample-asof.xlsx", f"{out}/score-sample.xlsx", "--out",
                            f"{out}/monitor-sample.xlsx"]),
        ("monitor-register", ["monitor", str(book), str(book), "--out", f"{out}/monitor-register.xlsx"]),
        ("insurance-register", ["insurance", str(s / "sample_ar_ledger.xlsx"), "--register",
                                str(s / "sample_buyer_register.xlsx"), "--settings", str(s / "sample_settings.xlsx"),
                                "--out", f"{out}/insurance-register.xlsx"]),
        ("ratios-settings", ["ratios", str(s / "sample_ar_ledger.xlsx"), "--settings", str(s / "sample_settings.xlsx")]),
        ("score-ledger", ["score", str(s / "sample_buyer_register.xlsx"), "--ledger", str(s / "sample_ar_ledger.xlsx"),
                          "--out", f"{out}/score-ledger.xlsx"]),
        ("stress-files", ["stress", str(s / "sample_cash_forecast.xlsx"), "--ledger", str(s / "sample_ar_ledger.xlsx"),
                          "--register", str(s / "sample_buyer_register.xlsx"), "--out", f"{out}/stress-files.xlsx",
                          "--sims", "500", "--seed", "7"]),
        ("age-bench-ledger", ["age", str(inp / "bench-ledger.xlsx"), "--out", f"{out}/age-bench-ledger.xlsx"]),
        ("batch-age", ["batch", "age", str(inp / "ledger.csv"), "--out", f"{out}/batch-age.xlsx", "--as-of",
                       "2026-09-30", "--fx", "USD=7.10", "--fx", "EUR=7.75", "--settings", str(book)]),
        ("batch-score", ["batch", "score", str(inp / "register.parquet"), "--out", f"{out}/batch-score.xlsx"]),
    ]
    for f in sorted((s).glob("sample_*.xlsx")):
        runs.append((f"validate-{f.stem}", ["validate", str(f)]))
    for f in sorted((inp / "templates").glob("*.xlsx")):
        runs += [(f"validate-tpl-{f.stem}", ["validate", str(f)]),
                 (f"analyze-tpl-{f.stem}", ["analyze", str(f), "--out", f"{out}/analyze-tpl-{f.stem}.xlsx"])]
    for f in sorted((inp / "examples").glob("*.xlsx")):
        runs += [(f"validate-ex-{f.stem}", ["validate", str(f)]),
                 (f"analyze-ex-{f.stem}", ["analyze", str(f), "--out", f"{out}/analyze-ex-{f.stem}.xlsx",
                                           "--sims", "300"])]
    for f in sorted((inp / "corpus").glob("*")):
        runs += [(f"validate-corpus-{f.stem}", ["validate", str(f)]),
                 (f"age-corpus-{f.stem}", ["age", str(f), "--out", f"{out}/age-corpus-{f.stem}.xlsx"]),
                 (f"score-corpus-{f.stem}", ["score", str(f), "--out", f"{out}/score-corpus-{f.stem}.xlsx"]),
                 (f"analyze-corpus-{f.stem}", ["analyze", str(f), "--out", f"{out}/analyze-corpus-{f.stem}.xlsx",
                                               "--sims", "300"])]
    for f in sorted((inp / "exports").glob("*")):
        if f.suffix in (".csv", ".xlsx"):
            kind = "register" if "customers" in f.stem else "ledger"
            runs.append((f"import-{f.stem}", ["import", str(f), "--kind", kind, "--out", f"{out}/import-{f.stem}.xlsx",
                                              "--as-of", "2026-09-30"]))
    runs.append(("usage-bad-skip", ["analyze", str(book), "--out", f"{out}/x.xlsx", "--skip", "nope"]))
    runs.append(("usage-bad-asof", ["analyze", str(book), "--out", f"{out}/x.xlsx", "--as-of", "soon"]))
    return runs


ACTIONS = ("age_ledger", "validate_workbook", "refresh_scores", "insurance_deadlines", "run_stress_test", "help")
ACTION_SCRIPT = """
import json, sys
from pathlib import Path
from udfs.actions import run_action
from udfs._actions import WorkbookTarget
from xl_cashrisk.errors import CashRiskError
name, path, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
opts = {"out": out, "sims": 500, "summary": False}
try:
    r = run_action(name, WorkbookTarget(path, None, opts))
    print(json.dumps({"message": r.message, "sheets": list(r.sheets_written)}))
except CashRiskError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def _masked(text: str, out: Path, inp: Path) -> str:
    text = text.replace(str(out), "<OUT>").replace(str(inp), "<IN>")
    text = re.sub(r"\d+\.\d+ s\b", "<t> s", text)
    text = re.sub(r"\d+\.\d+s\b", "<t>s", text)
    return text


def _run(python: str, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([python, *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)


def record(inp: Path, snap: Path, code: Path) -> None:
    """Run everything with the code of ``code``; store the snapshot in ``snap``."""
    inp = inp.resolve()
    out = Path(tempfile.mkdtemp(prefix="compare-out-"))
    env = {**os.environ, "PYTHONPATH": str(code), "COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1",
           "PYTHONHASHSEED": "0"}
    probe = _run(sys.executable, ["-c", "import xl_cashrisk, udfs; print(xl_cashrisk.__file__, udfs.__file__)"],
                 env, code)
    print(f"code: {probe.stdout.strip()}")
    if not probe.stdout.startswith(str(code)):
        raise SystemExit(f"the code under test is not {code}: {probe.stdout} {probe.stderr}")
    result: dict[str, object] = {"code": str(code), "runs": {}, "files": {}}
    for name, argv in commands(inp, out):
        r = _run(sys.executable, ["-m", "xl_cashrisk", *argv], env, code)
        result["runs"][name] = {"rc": r.returncode, "stdout": _masked(r.stdout, out, inp),
                                "stderr": _masked(r.stderr, out, inp)}
        print(f"{r.returncode:>3} {name}", flush=True)
    for action in ACTIONS:
        for name, f in (("sample", inp / "sample" / "sample_cashrisk.xlsx"), ("bench", inp / "bench.xlsx")):
            key = f"action-{action}-{name}"
            r = _run(sys.executable, ["-c", ACTION_SCRIPT, action, str(f), f"{out}/{key}.xlsx"], env, code)
            result["runs"][key] = {"rc": r.returncode, "stdout": _masked(r.stdout, out, inp),
                                   "stderr": _masked(r.stderr, out, inp)[-3000:]}
            print(f"{r.returncode:>3} {key}", flush=True)
    produced = {path.name for path in out.rglob("*")}  # an input made by this run has a new hash each run
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if path.suffix == ".xlsx":
            result["files"][rel] = workbook_snapshot(path, produced)
        elif path.suffix == ".png" or (path.is_file() and path.suffix != ".pdf"):
            result["files"][rel] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    snap.write_text(json.dumps(result, indent=0, ensure_ascii=False, default=str), encoding="utf-8")
    shutil.rmtree(out)
    print(f"{len(result['runs'])} runs, {len(result['files'])} files → {snap}")


def _cell(v: object) -> object:
    if isinstance(v, float):
        return repr(v)
    return v if isinstance(v, (int, str, bool)) or v is None else str(v)


def workbook_snapshot(path: Path, produced: set[str] = frozenset()) -> dict[str, object]:
    """Everything a user sees of a workbook we wrote, as JSON-able data (the run stamp's time and the hashes
    of inputs that were written by the same run masked)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.number_format == "General":
                    continue
                cells.append((c.coordinate, _cell(c.value), c.number_format))
        if ws.title.startswith(("Run info", "Stress run")):
            cells = [(k, "<masked>" if _masked_stamp(ws, k, produced) else v, f) for k, v, f in cells]
        sheets[ws.title] = {
            "cells": cells,
            "tables": sorted(ws.tables.items()),
            "validations": sorted((str(d.sqref), d.type, d.formula1) for d in ws.data_validations.dataValidation),
            "conditional": sorted((str(r.sqref), [x.type for x in r.rules]) for r in ws.conditional_formatting),
            "charts": len(ws._charts),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
        }
    names = sorted((n, str(d.attr_text)) for n, d in wb.defined_names.items())
    return {"sheets": sheets, "order": wb.sheetnames, "names": names}


def _masked_stamp(ws, coord: str, produced: set[str]) -> bool:
    """The run time, and the hash of an input written earlier in the same run (a scored workbook)."""
    row, col = ws[coord].row, ws[coord].column
    key = ws.cell(row, col - 1).value if col > 1 else None
    return key == "run_at" or (isinstance(key, str) and key.split(": ", 1)[-1] in produced)


# ------------------------------------------------------------------------------------------------ compare


def compare(a: Path, b: Path) -> int:
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    diffs: list[str] = []
    for kind in ("runs", "files"):
        x, y = before[kind], after[kind]
        for key in sorted(set(x) | set(y)):
            if key not in y:
                diffs.append(f"{kind} {key}: missing after")
            elif key not in x:
                diffs.append(f"{kind} {key}: new after")
            elif x[key] != y[key]:
                diffs.append(f"{kind} {key}: differs\n" + _first_difference(x[key], y[key]))
    for d in diffs:
        print(d)
    n_runs, n_files = len(before["runs"]), len(before["files"])
    n_sheets = sum(len(f.get("sheets", {})) for f in before["files"].values())
    n_cells = sum(len(s["cells"]) for f in before["files"].values() for s in f.get("sheets", {}).values())
    print(f"{n_runs} runs, {n_files} files, {n_sheets} sheets, {n_cells:,} cells compared: "
          f"{'no differences' if not diffs else f'{len(diffs)} differences'}")
    return 1 if diffs else 0


def _first_difference(x: object, y: object, path: str = "") -> str:
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y), key=str):
            if x.get(k) != y.get(k):
                return _first_difference(x.get(k), y.get(k), f"{path}/{k}")
    if isinstance(x, list) and isinstance(y, list):
        for i, (p, q) in enumerate(zip(x, y, strict=False)):
            if p != q:
                return _first_difference(p, q, f"{path}[{i}]")
        return f"  {path}: {len(x)} items before, {len(y)} after"
    if isinstance(x, str) and isinstance(y, str):
        import difflib

        return "\n".join(difflib.unified_diff(x.splitlines(), y.splitlines(), "before", "after", lineterm="", n=1))
    return f"  {path}: {x!r} → {y!r}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("inputs")
    i.add_argument("folder", type=Path)
    i.add_argument("--bench-rows", type=int, default=20_000)
    r = sub.add_parser("record")
    r.add_argument("inputs", type=Path)
    r.add_argument("snapshot", type=Path)
    r.add_argument("--code", type=Path, default=ROOT)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = p.parse_args()
    if args.cmd == "inputs":
        make_inputs(args.folder, args.bench_rows)
    elif args.cmd == "record":
        record(args.inputs, args.snapshot, args.code.resolve())
    else:
        raise SystemExit(compare(args.before, args.after))


if __name__ == "__main__":
    main()

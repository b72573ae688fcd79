"""Replay Excel-function calls on two versions of the code: same values and same messages, or a list of
the differences.

A change to the argument system or to the formulas behind the Excel functions must not change what a
cell shows, except where it means to. This replays every call the test suite makes (recorded), every
in-cell case, the hostile sweep (every hostile value in every argument), and every column call taken
apart into one-cell calls (a plain value, and ``[[v]]`` as xlwings passes a referenced cell), on the
old and on the new code, and compares the outcomes (value, or exception type and message) call by call.

Steps (run each from the root of the tree named; BASE is a copy of the old tree, e.g. ``git archive``)::

    cd BASE && UDF_RECORD=/tmp/recorded.pkl PYTHONPATH=/NEW/tests/replay:. \\
        python -m pytest -q -p record_plugin tests/test_udfs_*.py tests/test_lite.py udfs -m "not libreoffice"
    cd BASE && PYTHONPATH=. python /NEW/tests/replay/udf_replay.py corpus /tmp/recorded.pkl /tmp/corpus.pkl
    cd BASE && PYTHONPATH=. python /NEW/tests/replay/udf_replay.py run /tmp/corpus.pkl /tmp/before.pkl
    cd NEW && PYTHONPATH=. python tests/replay/udf_replay.py run /tmp/corpus.pkl /tmp/after.pkl
    python tests/replay/udf_replay.py compare /tmp/corpus.pkl /tmp/before.pkl /tmp/after.pkl

``compare`` sorts each difference into a deliberate kind (:data:`DELIBERATE`, each named after the change
that made it) or prints it; it exits 1 when any difference is not deliberate.
"""

from __future__ import annotations

import collections
import math
import pickle
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

MAX_SPLIT_ROWS = 40  # column calls up to this many rows are also replayed one row at a time


def _cell_lists(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) and len(r) == 1 for r in value)


def one_cell_calls(name: str, args: tuple) -> Iterator[tuple]:
    """A call whose range arguments are columns of the same length, taken apart row by row: each row once
    with plain values (LibreOffice) and once with one-cell ranges ``[[v]]`` (xlwings, Lite)."""
    columns = [i for i, a in enumerate(args) if _cell_lists(a)]
    lengths = {len(args[i]) for i in columns}
    if not columns or len(lengths) != 1 or lengths.pop() > MAX_SPLIT_ROWS:
        return
    for r in range(len(args[columns[0]])):
        for wrap in (False, True):
            row = list(args)
            for i in columns:
                row[i] = [[args[i][r][0]]] if wrap else args[i][r][0]
            yield tuple(row)


def build_corpus(recorded: list[bytes]) -> list[bytes]:
    root = Path.cwd()
    sys.path[:0] = [str(root / "tests"), str(root / "tests" / "incell"), str(root)]
    import harness
    import test_udfs_hostile as hostile

    from udfs._registry import FUNCTIONS

    calls, seen = list(recorded), set(recorded)

    def add(name, args, kwargs=None):
        try:
            blob = pickle.dumps((name, tuple(args), kwargs or {}))
        except Exception:
            return
        if blob not in seen:
            seen.add(blob)
            calls.append(blob)

    for cases in harness.load_cases().values():
        for case in cases:
            add(case.function, case.python_args())
    for name, sane in hostile.SANE.items():
        add(name, sane)
        for i in range(len(sane)):
            one_cells = [[sane[i]]] if not isinstance(sane[i], list) else []
            for value in [*hostile.HOSTILE, *one_cells, [[None]], [[" "]], [["NR"]], [["UN"]]]:
                add(name, [*sane[:i], value, *sane[i + 1:]])
    for blob in list(calls):
        name, args, kwargs = pickle.loads(blob)
        if not kwargs and name in FUNCTIONS:
            for row in one_cell_calls(name, args):
                add(name, row)
    try:  # the benchmark's rows too: realistic values, one value per argument and in one-cell ranges
        from bench.udf_cases import cases
    except ImportError:
        return calls
    for name, build in cases(MAX_SPLIT_ROWS).items():
        args, kwargs = build()
        for row in one_cell_calls(name, args) if not kwargs else ():
            add(name, row)
    return calls


def _shown(value):
    """An outcome as compared: NaN alike, every value with its type (1 and 1.0 differ)."""
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    return type(value).__name__, repr(value)


def outcome(fn: Callable, args: tuple, kwargs: dict):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "value", _shown(fn(*args, **kwargs))
    except Exception as exc:
        return "error", type(exc).__name__, " ".join(str(exc).split())


def replay(calls: list[bytes]) -> list:
    from udfs._registry import FUNCTIONS

    out = []
    for blob in calls:
        name, args, kwargs = pickle.loads(blob)
        out.append(outcome(FUNCTIONS[name].fn, args, kwargs))
    return out


# ---------------------------------------------------------------------------------------------- differences

def _cells(shown) -> list:
    """The cells of a shown value, in order (a cell is a (type, repr) pair or "<nan>")."""
    return [c for item in shown for c in _cells(item)] if isinstance(shown, list) else [shown]


def not_issued(name: str, args: tuple, before, after) -> bool:
    """Issue 19: with basis "invoice", an invoice dated after the as-of date is "not issued" (AGEBUCKET)
    and in no bucket and not in the total (AGEING), where it was in "0-30"."""
    at = {"AGEBUCKET": 2, "AGEING": 3}.get(name)
    if at is None or len(args) <= at or not (isinstance(args[at], str) and args[at].strip().lower() == "invoice"):
        return False
    if before[0] != "value" or after[0] != "value":
        return False
    if name == "AGEBUCKET":
        b, a = _cells(before[1]), _cells(after[1])
        return len(a) == len(b) and all(x == y or (x == ("str", "'0-30'") and y == ("str", "'not issued'"))
                                        for x, y in zip(b, a, strict=True))
    if name == "AGEING":
        b, a = before[1][1], after[1][1]  # the totals row: first bucket and total fall by the same amount
        gone = [float(x[1]) - float(y[1]) for x, y in zip(b, a, strict=True)]
        return gone[0] > 0 and math.isclose(gone[0], gone[-1], rel_tol=1e-12) and not any(gone[1:-1])
    return False


# kind of deliberate difference → its rule (name, args, before, after) → bool
DELIBERATE: dict[str, Callable] = {
    "issue 19: an invoice dated after the as-of date is not issued (basis invoice)": not_issued,
}


def compare(calls: list[bytes], before: list, after: list, shown: int = 20) -> int:
    assert len(calls) == len(before) == len(after)
    kinds = collections.Counter()
    other = []
    for blob, b, a in zip(calls, before, after, strict=True):
        if b == a:
            continue
        name, args, _ = pickle.loads(blob)
        kind = next((k for k, rule in DELIBERATE.items() if rule(name, args, b, a)), None)
        if kind:
            kinds[kind] += 1
        else:
            other.append((name, args, b, a))
    print(f"{len(calls):,} calls of {len({pickle.loads(c)[0] for c in calls})} functions; "
          f"{sum(kinds.values()) + len(other):,} differ")
    for kind, n in kinds.most_common():
        print(f"{n:6,}  deliberate: {kind}")
    print(f"{len(other):6,}  not deliberate")
    for name, args, b, a in other[:shown]:
        print(f"--- {name}{tuple(repr(v)[:60] for v in args)}\n    before: {str(b)[:300]}\n    after:  {str(a)[:300]}")
    return 1 if other else 0


def main(argv: list[str]) -> int:
    command, *paths = argv
    load = lambda p: pickle.loads(Path(p).read_bytes())  # noqa: E731
    if command == "corpus":
        calls = build_corpus(load(paths[0]))
        Path(paths[1]).write_bytes(pickle.dumps(calls))
        print(f"{len(calls):,} calls")
    elif command == "run":
        Path(paths[1]).write_bytes(pickle.dumps(replay(load(paths[0]))))
    elif command == "compare":
        return compare(load(paths[0]), load(paths[1]), load(paths[2]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

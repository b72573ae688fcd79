"""lite/main.py for xlwings Lite: in sync with the registries, decorated as Lite needs, Office.js-shaped calls."""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import template_with_examples
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import udfs
from udfs._actions import ACTIONS, WorkbookTarget, run_action
from xl_cashrisk.build import lite

MAIN = lite.LITE_DIR / "main.py"


@pytest.fixture(scope="module")
def main_module():
    """lite/main.py imported with a stub ``xlwings`` that records what Lite's decorators would receive."""
    stub = types.ModuleType("xlwings")
    stub.Book = type("Book", (), {})
    stub.funcs, stub.scripts, stub.args, stub.volatile = {}, {}, {}, {}

    def func(f=None, **options):
        if f is None:
            return lambda g: func(g, **options)
        stub.funcs[f.__name__] = f
        stub.volatile[f.__name__] = options.get("volatile", False)
        return f

    def arg(name, **options):
        def inner(f):
            stub.args.setdefault(f.__name__, {})[name] = options
            return f
        return inner

    def script(f):
        stub.scripts[f.__name__] = f
        return f

    stub.func, stub.arg, stub.script = func, arg, script
    saved = sys.modules.get("xlwings")
    sys.modules["xlwings"] = stub
    try:
        spec = importlib.util.spec_from_file_location("lite_main", MAIN)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.modules["xlwings"] = saved
    return module, stub


def test_committed_main_is_generated_from_the_registries():
    assert MAIN.read_text(encoding="utf-8") == lite.render_main(), "run: python -m xl_cashrisk.build.lite"


def test_every_function_exposed_with_its_real_signature_and_docs(main_module):
    module, stub = main_module
    assert set(stub.funcs) == set(udfs.FUNCTIONS)
    for name, f in udfs.FUNCTIONS.items():
        wrapper = getattr(module, name)
        assert inspect.signature(wrapper) == inspect.signature(f.fn)
        assert wrapper.__doc__ == f.summary
        assert stub.volatile[name] == f.volatile  # today-dependent functions recalculate in Lite too
        options = stub.args[name]
        for a in f.arguments:
            assert options[a.name]["doc"] == a.doc
            assert options[a.name].get("ndim") == (2 if a.is_range else None)


def test_every_action_is_a_script_taking_the_book(main_module):
    module, stub = main_module
    assert set(stub.scripts) == set(ACTIONS)
    for name in ACTIONS:
        params = list(inspect.signature(getattr(module, name)).parameters.values())
        assert len(params) == 1 and params[0].annotation in ("xw.Book", stub.Book)


def test_office_js_shaped_values(main_module):
    module, _ = main_module
    # Lite sends dates as float serials, blanks as None, ranges as lists of rows
    assert module.DAYSPASTDUE(45457.0, 45473.0) == 16  # DATE(2024,6,14), DATE(2024,6,30)
    col = module.AGEBUCKET([[45457.0], [None], [45300.0]], 45473.0)
    assert col == [["1-30"], [""], [">120"]]
    assert module.DSO([[1000.0]], [[12000.0]], 360.0) == [[30.0]]
    with pytest.raises(Exception, match="DSO"):
        module.DSO("n/a", 12000.0)


def test_script_runs_the_action_on_a_book(main_module, tmp_path, capsys):
    from tests.test_actions import FakeBook
    module, _ = main_module
    book = FakeBook(template_with_examples("ledger", tmp_path))
    book.fullname = ""  # under Lite there is no file: results go into the book only
    module.age_ledger(book)
    assert "open AR" in capsys.readouterr().out
    assert any(s.name.startswith("Ageing") for s in book.sheets)


# ---------------------------------------------------------------------------------------------- installs in Lite
# The Pyodide release xlwings Lite runs (its changelog: "Upgraded to Pyodide 0.27.5", Python 3.12), as
# scripts/fetch-pyodide-lock.sh (run by .ci/run) fetches it.
FETCH = lite.ROOT / "scripts" / "fetch-pyodide-lock.sh"
PYODIDE_VERSION = re.search(r"^PYODIDE_VERSION=(\S+)$", FETCH.read_text(encoding="utf-8"), re.M).group(1)
PYODIDE_CACHE = Path(os.environ.get("XL_CASHRISK_CACHE", Path.home() / ".cache" / "xl-cashrisk"))
WHEEL_URL = "https://example.org/cashrisk/"


def pyodide_lock() -> dict:
    """Pyodide's package list (``pyodide-lock.json`` of the ``pyodide`` npm package), fetched with npm once."""
    lock = PYODIDE_CACHE / f"pyodide-{PYODIDE_VERSION}" / "pyodide-lock.json"
    if not lock.is_file():
        proc = subprocess.run(["bash", str(FETCH)], capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr
    data = json.loads(lock.read_text(encoding="utf-8"))
    assert data["info"]["version"] == PYODIDE_VERSION
    return data


def pyodide_environment(info: dict) -> dict[str, str]:
    """PEP 508 marker values inside Pyodide (what micropip evaluates requirements' markers with)."""
    full = info["python"]
    return {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
            "platform_machine": "wasm32", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_version": ".".join(full.split(".")[:2]),
            "python_full_version": full, "implementation_version": full, "extra": ""}


def _requires(metadata: str) -> list[Requirement]:
    return [Requirement(line.split(":", 1)[1].strip()) for line in metadata.splitlines()
            if line.startswith("Requires-Dist:")]


def _wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return z.read(name).decode("utf-8")


def _pure_wheel(req: Requirement, python: str) -> Path | None:
    """A py3-none-any wheel on PyPI satisfying ``req`` (pip download, cached), or None."""
    cache = PYODIDE_CACHE / "pure-wheels"
    cache.mkdir(parents=True, exist_ok=True)
    for wheel in cache.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        if canonicalize_name(name) == canonicalize_name(req.name) and req.specifier.contains(version, prereleases=True):
            return wheel
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                           "--platform", "any", "--implementation", "py", "--abi", "none", "--python-version",
                           python, "--quiet", "-d", str(cache), f"{req.name}{req.specifier}"],
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        return None
    return next((w for w in cache.glob("*.whl")
                 if canonicalize_name(w.name.split("-")[0]) == canonicalize_name(req.name)), None)


def resolve_for_pyodide(requirements: list[Requirement], lock: dict) -> tuple[dict[str, str], list[str]]:
    """Walk the requirement set the way micropip installs it: a package Pyodide ships (at a version the
    requirement accepts) is taken from Pyodide with its dependencies; anything else must be a pure-Python
    wheel, whose own requirements are walked in turn. Returns (package → where from, problems)."""
    packages = {canonicalize_name(k): v for k, v in lock["packages"].items()}
    env = pyodide_environment(lock["info"])
    python = env["python_version"]
    found: dict[str, str] = {}
    problems: list[str] = []
    todo = list(requirements)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in found or (req.marker is not None and not req.marker.evaluate(env)):
            continue
        if name in packages:
            version = packages[name]["version"]
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req}: Pyodide {lock['info']['version']} ships {name} {version}")
            found[name] = f"pyodide {version}"
            continue
        wheel = _pure_wheel(req, python)
        if wheel is None:
            problems.append(f"{req}: neither in Pyodide {lock['info']['version']} nor a pure-Python wheel on PyPI")
            continue
        found[name] = wheel.name
        todo += _requires(_wheel_metadata(wheel))
    return found, problems


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return lite.write_bundle(tmp_path_factory.mktemp("lite"), WHEEL_URL)


def test_bundle_holds_main_requirements_wheel_and_instructions(bundle):
    assert bundle.main.read_text(encoding="utf-8") == lite.render_main()
    assert bundle.requirements.read_text(encoding="utf-8") == f"{WHEEL_URL}{lite.WHEEL}\n"
    assert bundle.wheel.name == lite.WHEEL and bundle.wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(bundle.wheel) as z:
        names = set(z.namelist())
    assert {"udfs/__init__.py", "xl_cashrisk/build/addin/vba/vbaProject.bin",
            "xl_cashrisk/scorecard_default.toml"} <= names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib"))]
    readme = bundle.readme.read_text(encoding="utf-8")
    assert "requirements.txt" in readme and "main.py" in readme and "CORS" in readme


def test_lite_requirement_set_resolves_against_pyodide(bundle):
    """Every package Lite would install is in Pyodide's own list or a pure-Python wheel."""
    lock = pyodide_lock()
    lines = [ln.strip() for ln in bundle.requirements.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines == [f"{WHEEL_URL}{lite.WHEEL}"]  # the wheel by URL, as Lite installs own packages
    metadata = _wheel_metadata(bundle.wheel)
    found, problems = resolve_for_pyodide(_requires(metadata), lock)
    assert problems == []
    assert {"numpy", "pandas", "scipy", "pyarrow", "openpyxl", "xlsxwriter", "xlwings"} <= set(found)
    assert "python-calamine" not in found and "fastexcel" not in found
    assert found["xlwings"].endswith("-py3-none-any.whl")  # a range, no exact pin: Lite keeps its own xlwings
    in_lite = next(r for r in _requires(metadata) if canonicalize_name(r.name) == "xlwings"
                   and r.marker.evaluate(pyodide_environment(lock["info"])))
    assert in_lite.specifier == SpecifierSet(">=0.33")


def test_the_resolution_check_can_fail():
    """The same walk refuses the compiled readers Pyodide lacks, and a version Pyodide does not ship."""
    lock = pyodide_lock()
    _, problems = resolve_for_pyodide([Requirement("fastexcel>=0.21"), Requirement("numpy>=99")], lock)
    assert len(problems) == 2
    assert "fastexcel" in problems[1] or "fastexcel" in problems[0]
    assert any("numpy" in p and "ships numpy" in p for p in problems)


PYODIDE_LIKE = r"""
import sys

class NoCompiledReaders:
    # what Pyodide lacks: python-calamine, fastexcel
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("python_calamine", "fastexcel"):
            raise ImportError(f"No module named {name!r} (as under Pyodide)")
        return None

sys.meta_path.insert(0, NoCompiledReaders())
import udfs
from udfs import actions
from xl_cashrisk.io import columnar
print(len(udfs.FUNCTIONS), columnar.available())
print(udfs.FUNCTIONS["DAYSPASTDUE"].fn(45457.0, 45473.0))
"""


def test_udfs_import_and_run_without_the_compiled_readers():
    """As in Lite: no python-calamine, no fastexcel: the functions import and answer."""
    proc = subprocess.run([sys.executable, "-c", PYODIDE_LIKE], capture_output=True, text=True, timeout=300,
                          cwd=lite.ROOT, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [str(len(udfs.FUNCTIONS)), "False", "16"]


def test_results_copied_into_the_book_without_python_calamine(tmp_path, monkeypatch):
    """Lite's scripts copy their result sheets into the workbook with openpyxl: the same values as calamine."""
    from tests.test_actions import FakeBook
    from udfs import _actions

    def run(block_calamine: bool):
        if block_calamine:
            monkeypatch.setitem(sys.modules, "python_calamine", None)
        folder = tmp_path / str(block_calamine)
        folder.mkdir()
        book = FakeBook(template_with_examples("ledger", folder))
        book.fullname = ""
        lite_main = run_action("age_ledger", WorkbookTarget.from_book(book, out=tmp_path / f"{block_calamine}.xlsx"))
        monkeypatch.delitem(sys.modules, "python_calamine", raising=False)
        return {s.name: s.rows for s in book.sheets if s.name in lite_main.sheets_written}

    with_calamine = run(False)
    without = run(True)
    assert with_calamine and with_calamine.keys() == without.keys()
    for name in with_calamine:
        assert _normalise(without[name]) == _normalise(with_calamine[name]), name
    assert _actions._sheet_values  # the one fallback reader


def _normalise(rows):
    out = []
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if hasattr(v, "date") and callable(v.date) and not isinstance(v, str):
                v = v.date() if hasattr(v, "hour") else v
            cells.append(v)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells[:1] != ["run_at"]:  # the run stamp's clock time differs between the two runs
            out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def test_without_fastexcel_the_grid_reader_gives_the_same_frame(tmp_path, monkeypatch):
    """xl-cashrisk[fast] is optional: without fastexcel the reader takes the grid path, with the same result."""
    from xl_cashrisk.io import columnar
    from xl_cashrisk.io.reader import WorkbookReader
    from xl_cashrisk.sample.workbooks import write_sample_workbooks
    from xl_cashrisk.schemas.ledger import LEDGER

    ledger = write_sample_workbooks(tmp_path, ["ledger"])[0]
    assert columnar.available()
    fast = WorkbookReader(ledger).read(LEDGER)
    monkeypatch.setitem(sys.modules, "fastexcel", None)
    assert not columnar.available()
    reader = WorkbookReader(ledger)
    assert reader.columnar is False
    plain = reader.read(LEDGER)
    pd.testing.assert_frame_equal(plain.frame, fast.frame)
    assert plain.report.counts() == fast.report.counts()

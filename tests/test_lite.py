"""lite/main.py for xlwings Lite: in sync with the registries, decorated as Lite needs, Office.js-shaped calls."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import types

import pytest

import udfs
from udfs._actions import ACTIONS
from xl_cashrisk.build import lite

MAIN = lite.LITE_DIR / "main.py"


@pytest.fixture(scope="module")
def main_module():
    """lite/main.py imported with a stub ``xlwings`` that records what Lite's decorators would receive."""
    stub = types.ModuleType("xlwings")
    stub.Book = type("Book", (), {})
    stub.funcs, stub.scripts, stub.args = {}, {}, {}

    def func(f):
        stub.funcs[f.__name__] = f
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
    assert (lite.LITE_DIR / "requirements.txt").read_text() == lite.render_requirements()


def test_every_function_exposed_with_its_real_signature_and_docs(main_module):
    module, stub = main_module
    assert set(stub.funcs) == set(udfs.FUNCTIONS)
    for name, f in udfs.FUNCTIONS.items():
        wrapper = getattr(module, name)
        assert inspect.signature(wrapper) == inspect.signature(f.fn)
        assert wrapper.__doc__ == f.summary
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
    from xl_cashrisk.io.templates import build_named

    module, _ = main_module
    book = FakeBook(build_named("ledger", tmp_path))
    book.fullname = ""  # under Lite there is no file: results go into the book only
    module.age_ledger(book)
    assert "open AR" in capsys.readouterr().out
    assert any(s.name.startswith("Ageing") for s in book.sheets)

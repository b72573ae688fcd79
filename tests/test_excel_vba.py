"""What Windows Excel receives from the add-in, checked on Linux with xlwings' own code and a VBA grammar.

``xlwings.udfs.import_udfs`` (xlwings 0.37.8, the code behind the add-in's "Import functions") runs here
over every registered function with Windows COM stubbed: the functions are decorated with xlwings'
real Windows decorators the way the registry does it (:func:`udfs._registry.apply_xlwings`); the one
VBA module it writes is parsed with the VBA grammar (tests/vba_grammar.py), and what it hands Excel's
``MacroOptions`` is recorded. The add-in's own modules are parsed the same way (tests/test_addin.py).
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import pytest

import udfs
from tests import vba_grammar
from udfs import _args
from udfs._registry import (
    VBA_RESERVED,
    WIZARD_LIMIT,
    XLWINGS_WRAPPER_NAMES,
    apply_xlwings,
    excel_function,
    vba_name_problem,
    wizard_text_problem,
)

INCELL = Path(__file__).resolve().parent / "incell"
ROOT = Path(__file__).resolve().parents[1]


class _ComError(Exception):
    pass


@pytest.fixture(scope="module")
def xlwings_udfs():
    """``xlwings.udfs`` (Windows only) imported with pywin32 stubbed: its decorators and VBA writer are pure Python."""
    stubs = {
        "pythoncom": types.SimpleNamespace(CoInitialize=lambda: None),
        "pywintypes": types.SimpleNamespace(com_error=_ComError),
        "win32com": types.ModuleType("win32com"),
        "win32com.client": types.SimpleNamespace(Dispatch=lambda obj: obj),
    }
    saved = {name: sys.modules.get(name) for name in [*stubs, "xlwings.udfs"]}
    sys.modules.update(stubs)
    sys.modules.pop("xlwings.udfs", None)
    try:
        module = importlib.import_module("xlwings.udfs")
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    yield module
    module.com_executor.shutdown(wait=False)


def _copy(fn):
    """A fresh function object, so xlwings' decorators do not touch the registered one."""
    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    twin.__doc__, twin.__module__, twin.__kwdefaults__ = fn.__doc__, fn.__module__, fn.__kwdefaults__
    return twin


class _Workbook:
    """The COM surface ``import_udfs`` touches: VBProject.VBComponents, Application.MacroOptions."""

    def __init__(self, name: str):
        self.Name = name
        self.imported: list[str] = []
        self.macro_options: dict[str, dict] = {}
        book = self

        class Components:
            def __call__(self, name):
                raise _ComError(f"no component {name}")

            def Remove(self, component):
                pass

            def Import(self, path):
                book.imported.append(Path(path).read_text(encoding="latin-1"))

        class Application:
            Version = "16.0"

            def MacroOptions(self, macro, **options):
                book.macro_options[macro] = options

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = Application()


@pytest.fixture(scope="module")
def imported(xlwings_udfs):
    """Run xlwings' ``import_udfs`` for every udfs module, as "Import functions" does in the add-in."""
    modules: dict[str, types.ModuleType] = {}
    for f in udfs.FUNCTIONS.values():
        module = modules.setdefault(f.module, types.ModuleType(f.module))
        setattr(module, f.name, apply_xlwings(_copy(f.fn), f.wizard_category, f.arguments, f.summary, f.volatile,
                                              func=xlwings_udfs.xlfunc, arg=xlwings_udfs.xlarg))
    book = _Workbook("CashRisk.xlam")
    mp = pytest.MonkeyPatch()
    mp.setattr(xlwings_udfs, "get_udf_module", lambda name, wb: modules[name])
    try:
        xlwings_udfs.import_udfs(";".join(sorted(modules)), book)
    finally:
        mp.undo()
    assert len(book.imported) == 1
    return book


def test_generated_module_declares_every_function(imported):
    module = imported.imported[0]
    for name in udfs.FUNCTIONS:
        assert f"\nFunction {name}(" in module
    # counted from the sources too, so a function the registry lost would show
    decorated = sum(src.read_text(encoding="utf-8").count("\n@excel_function(")
                    for src in (ROOT / "udfs").glob("*.py"))
    assert module.count("\nFunction ") == len(udfs.FUNCTIONS) == decorated


def test_generated_module_parses_with_the_vba_grammar(imported):
    assert vba_grammar.syntax_errors(imported.imported[0]) == []


def test_the_grammar_rejects_the_old_reserved_word_parameter(imported):
    """The check can fail: AGEBUCKET's wrapper with its former parameter name ``date`` does not parse."""
    module = imported.imported[0]
    head = module.split("\nFunction ", 1)[0]
    wrapper = "Function AGEBUCKET(" + module.split("\nFunction AGEBUCKET(", 1)[1].split("End Function", 1)[0]
    good = f"{head}\n{wrapper}End Function\n"
    assert vba_grammar.syntax_errors(good) == []
    errors = vba_grammar.syntax_errors(good.replace("AGEBUCKET(due_date,", "AGEBUCKET(date,"))
    assert errors and "AGEBUCKET(date" in errors[0][2]


def test_no_reserved_word_or_wrapper_name_in_any_signature():
    for f in udfs.FUNCTIONS.values():
        assert vba_name_problem(f.name) is None, f.name
        for a in f.arguments:
            assert a.name.casefold() not in VBA_RESERVED | XLWINGS_WRAPPER_NAMES, (f.name, a.name)
            assert a.name.casefold() != f.name.casefold()


def test_macro_options_get_the_clean_summaries(imported):
    assert set(imported.macro_options) == {f"'CashRisk.xlam'!{name}" for name in udfs.FUNCTIONS}
    for name, f in udfs.FUNCTIONS.items():
        options = imported.macro_options[f"'CashRisk.xlam'!{name}"]
        assert options["Description"] == f.summary
        assert options["ArgumentDescriptions"] == [a.doc for a in f.arguments]
        assert options["Category"] == f"CashRisk {f.category}"
        for text in (options["Description"], *options["ArgumentDescriptions"]):
            assert 0 < len(text) <= WIZARD_LIMIT and wizard_text_problem(text) is None, (name, text)
        assert f.fn.__doc__.strip().startswith(f.summary[:40])  # the long doc (doctests) stays on the function


def _functions_reading_today() -> set[str]:
    """Functions whose answer changed with today's date: each in-cell case called with its optional
    arguments left blank, ``udfs._args.today`` answering two different days."""
    sys.path.insert(0, str(INCELL))
    try:
        import harness
    finally:
        sys.path.remove(str(INCELL))
    found = set()
    days = iter(())
    original = _args.today

    def fake_today():
        return next(days)

    _args.today = fake_today
    try:
        for cases in harness.load_cases().values():
            for case in cases:
                f = udfs.FUNCTIONS[case.function]
                required = case.python_args()[:sum(not a.optional for a in f.arguments)]
                answers = []
                for day in ("2024-06-30", "2025-06-30"):
                    days = iter([_args.np.datetime64(day, "D")] * 1000)
                    try:
                        answers.append(repr(f.fn(*required)))
                    except Exception as exc:
                        answers.append(str(exc))
                if answers[0] != answers[1]:
                    found.add(case.function)
    finally:
        _args.today = original
    return found


def test_functions_depending_on_today_are_volatile(imported):
    today_dependent = _functions_reading_today()
    assert today_dependent == {"AGEBUCKET", "AGEING", "DAYSPASTDUE"}
    volatile = {name for name, f in udfs.FUNCTIONS.items() if f.volatile}
    assert volatile == today_dependent
    module = imported.imported[0]
    for name in udfs.FUNCTIONS:
        body = module.split(f"\nFunction {name}(", 1)[1].split("End Function", 1)[0]
        assert ("Application.Volatile" in body) == (name in volatile), name


@pytest.mark.parametrize("name, problem", [
    ("date", "reserved word"), ("String", "reserved word"), ("ERROR", "reserved word"), ("me", "reserved word"),
    ("Nothing", "reserved word"), ("currency", "reserved word"), ("type", "reserved word"),
    ("argsArray", "generated VBA wrapper"), ("failed", "generated VBA wrapper"), ("caller", "generated VBA wrapper"),
    ("_x", "not a VBA identifier"), ("montant_é", "not a VBA identifier"), ("probe", "own name"),
])
def test_registration_refuses_names_that_break_the_vba_module(name, problem):
    namespace: dict = {}
    exec(f"def PROBE({name}):\n    'A probe.'\n", namespace)
    with pytest.raises(ValueError, match=problem):
        excel_function(category="Test", args={name: "A value."}, example="=PROBE(1)")(namespace["PROBE"])
    assert "PROBE" not in udfs.FUNCTIONS


def test_registration_refuses_a_reserved_function_name():
    def DATE(value):
        """A date."""

    with pytest.raises(ValueError, match="reserved word"):
        excel_function(category="Test", args={"value": "A value."}, example="=DATE(1)")(DATE)

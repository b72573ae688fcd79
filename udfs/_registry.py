"""The one list of Excel functions, and the decorator that puts a function on it.

``@excel_function`` applies xlwings' ``func``/``arg`` decorators (real on Windows Excel, no-ops on
Linux) and records the same metadata in ``FUNCTIONS``, from which the LibreOffice extension, the
add-in's function list, the xlwings Lite ``main.py`` and the docs checks are generated. A function
decorated here is therefore in every front end with no further edit.

Rules for a UDF (checked at decoration time, so a violation fails on import):
- the name is upper case, as users type it;
- the function name and every parameter name are usable in the VBA wrapper xlwings writes for it
  (:func:`vba_name_problem`): xlwings puts every function into ONE VBA module, ``Function NAME(param,
  Optional param, ...)``, so a single reserved word (``date``, ``string``, ``type``...) stops that module
  compiling and every function of the add-in is gone;
- the summary (first docstring paragraph) and every argument doc fit the function wizard (255 chars);
- every parameter has a doc; parameters carry no type annotations (xlwings would use them as converters);
- range arguments are listed in ``ranges``: xlwings then passes them as 2-D lists (``ndim=2``), and the
  function answers in the same shape (scalar in, scalar out; column in, spilled column out);
- a function whose answer depends on today (a blank ``as_of``) is ``volatile=True``: Excel then
  recalculates it on every recalculation, so its cells cannot go stale overnight.

What the function wizard shows is the registry's ``summary`` and argument docs: :func:`apply_xlwings`
hands xlwings the summary as the text it gives ``MacroOptions`` (xlwings would take ``__doc__``, which
holds the long description and doctests, cut at 255 characters); docs/functions.md shows the long doc.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import xlwings as xw

WIZARD_LIMIT = 255
CATEGORY_PREFIX = "CashRisk "

# MS-VBAL 3.3.5.2 reserved identifiers (statement and marker keywords, operators, reserved names,
# special forms, reserved type names, literals, names reserved for the implementation, future
# reserved), plus Error and the statements VBA parses as keywords in a procedure body. VBA is not case
# sensitive: compared case-folded.
VBA_RESERVED = frozenset(w.casefold() for w in ["Call", "Case", "Close", "Const", "Declare", "DefBool", "DefByte", "DefCur", "DefDate", "DefDbl", "DefDec", "DefInt", "DefLng", "DefLngLng", "DefLngPtr", "DefObj", "DefSng", "DefStr", "DefVar", "Dim", "Do", "Else", "ElseIf", "End", "EndIf", "Enum", "Erase", "Error", "Event", "Exit", "For", "Friend", "Function", "Get", "Global", "GoSub", "GoTo", "If", "Implements", "Input", "Let", "Lock", "Loop", "LSet", "Next", "On", "Open", "Option", "Print", "Private", "Public", "Put", "RaiseEvent", "ReDim", "Resume", "Return", "RSet", "Seek", "Select", "Set", "Static", "Stop", "Sub", "Type", "Unlock", "Wend", "While", "With", "Write", "Rem", "Any", "As", "ByRef", "ByVal", "Each", "In", "New", "Shared", "Until", "WithEvents", "Optional", "ParamArray", "Preserve", "Spc", "Tab", "Then", "To", "AddressOf", "And", "Eqv", "Imp", "Is", "Like", "Mod", "Not", "Or", "TypeOf", "Xor", "Abs", "CBool", "CByte", "CCur", "CDate", "CDbl", "CDec", "CInt", "CLng", "CLngLng", "CLngPtr", "CSng", "CStr", "CVar", "CVErr", "Date", "Debug", "DoEvents", "Fix", "Int", "Len", "LenB", "Me", "PSet", "Scale", "Sgn", "String", "Array", "Circle", "InputB", "LBound", "UBound", "Boolean", "Byte", "Currency", "Decimal", "Double", "Integer", "Long", "LongLong", "LongPtr", "Object", "Single", "Variant", "True", "False", "Nothing", "Empty", "Null", "Attribute", "LineInput", "CDecl", "PtrSafe", "Property", "Lib", "Alias", "Mid", "MidB", "Width", "Name", "Step", "Line"])
# Names the wrapper xlwings 0.37.8 writes around every function uses (``xlwings.udfs.generate_vba_wrapper``:
# ``NAME = XLPy.CallUDF("module", "NAME", Array(args), ActiveWorkbook, Application.Caller)``, the error
# label ``failed:``, ``Err.Description``, ``argsArray``/``k`` for ParamArray) and ``caller``, which xlwings
# replaces by the calling range. A parameter with one of these names would shadow it inside the wrapper.
XLWINGS_WRAPPER_NAMES = frozenset(w.casefold() for w in (
    "XLPy", "CallUDF", "Application", "ActiveWorkbook", "ThisWorkbook", "Range", "Err", "failed", "argsArray",
    "k", "caller"))
VBA_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")


def wizard_text_problem(text: str) -> str | None:
    """Why ``text`` is not a clean function-wizard line (a doctest, a spec reference, a line break); None if it is.

    >>> wizard_text_problem("Days past due (SPEC §4.1).")
    'holds a spec reference (put "Source: SPEC §..." in the long doc)'
    """
    if ">>>" in text:
        return "holds a doctest (keep doctests in the long doc)"
    if "SPEC §" in text:
        return 'holds a spec reference (put "Source: SPEC §..." in the long doc)'
    if "\n" in text:
        return "spans lines"
    return None


def vba_name_problem(name: str, function: str | None = None) -> str | None:
    """Why ``name`` cannot be a function (``function=None``) or a parameter of ``function`` in the VBA
    module xlwings generates; None when it can.

    >>> vba_name_problem("date", "AGEBUCKET")
    "'date' is a VBA reserved word"
    >>> vba_name_problem("due_date", "AGEBUCKET") is None
    True
    """
    if not VBA_IDENTIFIER.fullmatch(name):
        return f"{name!r} is not a VBA identifier (ASCII letter first, then letters, digits, _)"
    key = name.casefold()
    if key in VBA_RESERVED:
        return f"{name!r} is a VBA reserved word"
    if key in XLWINGS_WRAPPER_NAMES:
        return f"{name!r} is a name xlwings' generated VBA wrapper uses"
    if function is not None and key == function.casefold():
        return f"{name!r} is the function's own name (VBA names are not case sensitive)"
    return None


@dataclass(frozen=True)
class Argument:
    name: str
    doc: str
    optional: bool
    is_range: bool
    default: object = None


@dataclass(frozen=True)
class ExcelFunction:
    name: str
    fn: Callable
    category: str
    summary: str
    arguments: tuple[Argument, ...]
    returns_range: bool
    example: str
    volatile: bool = False

    @property
    def module(self) -> str:
        return self.fn.__module__

    @property
    def wizard_category(self) -> str:
        return CATEGORY_PREFIX + self.category


FUNCTIONS: dict[str, ExcelFunction] = {}


def excel_function(
    *,
    category: str,
    args: dict[str, str],
    example: str,
    ranges: tuple[str, ...] = (),
    returns_range: bool = False,
    volatile: bool = False,
) -> Callable[[Callable], Callable]:
    """Register an Excel function. ``args`` maps every parameter to its wizard text (≤ 255 chars);
    ``example`` is a one-line formula shown in docs and template Functions sheets; ``volatile``: the
    answer depends on today, so Excel recalculates it every time."""

    def decorate(fn: Callable) -> Callable:
        name = fn.__name__
        if name != name.upper():
            raise ValueError(f"Excel function {name}: name must be upper case")
        problem = vba_name_problem(name)
        if problem:
            raise ValueError(f"Excel function {name}: {problem}; it would break the add-in's VBA module")
        if name in FUNCTIONS and FUNCTIONS[name].fn.__module__ != fn.__module__:
            raise ValueError(f"Excel function {name} defined twice")
        summary = inspect.cleandoc(fn.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip()
        if not summary or len(summary) > WIZARD_LIMIT:
            raise ValueError(f"{name}: summary must be 1..{WIZARD_LIMIT} chars, has {len(summary)}")
        if wizard_text_problem(summary):
            raise ValueError(f"{name}: summary {wizard_text_problem(summary)}")
        params = inspect.signature(fn).parameters
        if set(params) != set(args):
            raise ValueError(f"{name}: args docs {sorted(args)} do not match parameters {sorted(params)}")
        arguments = []
        for p in params.values():
            problem = vba_name_problem(p.name, name)
            if problem:
                raise ValueError(f"{name}: parameter {problem}; it would break the add-in's VBA module")
            if p.annotation is not inspect.Parameter.empty:
                raise ValueError(f"{name}: parameter {p.name} must not be annotated (xlwings converter)")
            doc = args[p.name]
            if not doc or len(doc) > WIZARD_LIMIT:
                raise ValueError(f"{name}: doc of {p.name} must be 1..{WIZARD_LIMIT} chars")
            if wizard_text_problem(doc):
                raise ValueError(f"{name}: doc of {p.name} {wizard_text_problem(doc)}")
            optional = p.default is not inspect.Parameter.empty
            arguments.append(
                Argument(p.name, doc, optional, p.name in ranges, p.default if optional else None)
            )
        unknown = set(ranges) - set(params)
        if unknown:
            raise ValueError(f"{name}: ranges names unknown parameters {sorted(unknown)}")

        wrapped = apply_xlwings(fn, f"{CATEGORY_PREFIX}{category}", arguments, summary, volatile)
        FUNCTIONS[name] = ExcelFunction(
            name, wrapped, category, summary, tuple(arguments), returns_range, example, volatile
        )
        return wrapped

    return decorate


def apply_xlwings(fn: Callable, category: str, arguments: Sequence[Argument], summary: str, volatile: bool,
                  func: Callable = xw.func, arg: Callable = xw.arg) -> Callable:
    """xlwings' ``func``/``arg`` decorators as Windows Excel needs them (no-ops elsewhere); ``func`` and
    ``arg`` are parameters so the tests can apply xlwings' real Windows decorators the same way.

    xlwings gives ``MacroOptions`` its ``ret["doc"]``, filled from ``__doc__`` when the first decorator
    runs; ``__doc__`` keeps the long description and the doctests, so the summary replaces it there.
    """
    wrapped = fn
    for a in reversed(arguments):
        options: dict[str, object] = {"doc": a.doc}
        if a.is_range:
            options["ndim"] = 2
        wrapped = arg(a.name, **options)(wrapped)
    wrapped = func(category=category, volatile=volatile)(wrapped)
    meta = getattr(wrapped, "__xlfunc__", None)
    if meta is not None and "ret" in meta:
        meta["ret"]["doc"] = summary
    return wrapped

"""The one list of Excel functions, and the decorator that puts a function on it.

``@excel_function`` applies xlwings' ``func``/``arg`` decorators (real on Windows Excel, no-ops on
Linux) and records the same metadata in ``FUNCTIONS``, from which the LibreOffice extension, the
add-in's function list, the xlwings Lite ``main.py`` and the docs checks are generated. A function
decorated here is therefore in every front end with no further edit.

Rules for a UDF (checked at decoration time, so a violation fails on import):
- the name is upper case, as users type it;
- the summary (first docstring paragraph) and every argument doc fit the function wizard (255 chars);
- every parameter has a doc; parameters carry no type annotations (xlwings would use them as converters);
- range arguments are listed in ``ranges``: xlwings then passes them as 2-D lists (``ndim=2``), and the
  function answers in the same shape (scalar in, scalar out; column in, spilled column out).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import xlwings as xw

WIZARD_LIMIT = 255


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

    @property
    def module(self) -> str:
        return self.fn.__module__


FUNCTIONS: dict[str, ExcelFunction] = {}


def excel_function(
    *,
    category: str,
    args: dict[str, str],
    example: str,
    ranges: tuple[str, ...] = (),
    returns_range: bool = False,
) -> Callable[[Callable], Callable]:
    """Register an Excel function. ``args`` maps every parameter to its wizard text (≤ 255 chars);
    ``example`` is a one-line formula shown in docs and template Functions sheets."""

    def decorate(fn: Callable) -> Callable:
        name = fn.__name__
        if name != name.upper():
            raise ValueError(f"Excel function {name}: name must be upper case")
        if name in FUNCTIONS and FUNCTIONS[name].fn.__module__ != fn.__module__:
            raise ValueError(f"Excel function {name} defined twice")
        summary = inspect.cleandoc(fn.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip()
        if not summary or len(summary) > WIZARD_LIMIT:
            raise ValueError(f"{name}: summary must be 1..{WIZARD_LIMIT} chars, has {len(summary)}")
        params = inspect.signature(fn).parameters
        if set(params) != set(args):
            raise ValueError(f"{name}: args docs {sorted(args)} do not match parameters {sorted(params)}")
        arguments = []
        for p in params.values():
            if p.annotation is not inspect.Parameter.empty:
                raise ValueError(f"{name}: parameter {p.name} must not be annotated (xlwings converter)")
            doc = args[p.name]
            if not doc or len(doc) > WIZARD_LIMIT:
                raise ValueError(f"{name}: doc of {p.name} must be 1..{WIZARD_LIMIT} chars")
            optional = p.default is not inspect.Parameter.empty
            arguments.append(
                Argument(p.name, doc, optional, p.name in ranges, p.default if optional else None)
            )
        unknown = set(ranges) - set(params)
        if unknown:
            raise ValueError(f"{name}: ranges names unknown parameters {sorted(unknown)}")

        wrapped = fn
        for a in reversed(arguments):
            options = {"doc": a.doc}
            if a.is_range:
                options["ndim"] = 2
            wrapped = xw.arg(a.name, **options)(wrapped)
        wrapped = xw.func(category=f"CashRisk {category}")(wrapped)
        FUNCTIONS[name] = ExcelFunction(
            name, wrapped, category, summary, tuple(arguments), returns_range, example
        )
        return wrapped

    return decorate

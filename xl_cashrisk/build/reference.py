"""The function reference, generated from the UDF registry so it can never drift from the code.

``docs/functions.md`` is written by :func:`markdown_reference` (``xl-cashrisk functions --markdown``);
a test regenerates it and compares.
"""

from __future__ import annotations

import inspect
from collections import defaultdict


def _registry():
    import udfs

    return udfs.FUNCTIONS


def signature(f) -> str:
    parts = []
    for a in f.arguments:
        parts.append(f"[{a.name}]" if a.optional else a.name)
    return f"{f.name}({', '.join(parts)})"


def markdown_reference() -> str:
    """The whole function reference as Markdown: per category, each function's signature, summary,
    arguments (with defaults), what it returns and an example formula."""
    by_cat: dict[str, list] = defaultdict(list)
    for f in _registry().values():
        by_cat[f.category].append(f)
    out = [
        "# Function reference — xl-cashrisk Excel functions",
        "",
        "Generated from the code (`xl-cashrisk functions --markdown > docs/functions.md`); do not edit by hand.",
        "Every function accepts Excel-shaped values: numbers, dates (date cells, serial numbers or",
        "`YYYY-MM-DD` text), blanks. Functions marked *range-capable* also take a whole column and spill a",
        "column of results of the same shape; an argument given as a single cell (a value or a one-cell",
        "reference) beside a column applies to every row. A bad argument shows a one-line reason in the cell, e.g.",
        "`DSO: days must be a positive number, got 'n/a'`.",
        "",
        "函数参考：所有函数都接受 Excel 单元格的值（数字、日期、空白）；可对整列输入并溢出同形状的结果。",
        "",
        "**Today and volatility.** A function whose `as_of` may be left blank (meaning today) is *volatile*:",
        "Excel recalculates it at every recalculation (and when the workbook opens), so its cells never show",
        "yesterday's ages. Give `as_of` a cell (e.g. `$B$1` holding the report date) for a reproducible report;",
        "the function is still volatile, but its answer no longer changes with the date. Volatile functions:",
        "" + ", ".join(f"`{name}`" for name in sorted(n for n, f in _registry().items() if f.volatile)) + ".",
        "",
        "Range results spill (dynamic arrays): Excel 365 or Excel 2021 and later. Excel 2016/2019 are not",
        "supported for range results (see README).",
        "",
        "| Function | Category | What it returns |",
        "|---|---|---|",
    ]
    for cat in sorted(by_cat):
        for f in sorted(by_cat[cat], key=lambda f: f.name):
            out.append(f"| [`{f.name}`](#{f.name.lower()}) | {cat} | {f.summary.split('. ')[0].rstrip('.')} |")
    for cat in sorted(by_cat):
        out += ["", f"## {cat}"]
        for f in sorted(by_cat[cat], key=lambda f: f.name):
            doc = inspect.cleandoc(f.fn.__doc__ or "")
            rest = doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else ""
            out += ["", f"### {f.name}", "", f"`={signature(f)}`", "", f.summary, ""]
            if rest:
                out += [rest, ""]
            out += ["| Argument | Required | Range | Meaning |", "|---|---|---|---|"]
            for a in f.arguments:
                req = "optional" + (f" (default `{a.default!r}`)" if a.default is not None else "") if a.optional else "yes"
                out.append(f"| `{a.name}` | {req} | {'yes' if a.is_range else ''} | {a.doc} |")
            out += ["", f"Example: `{f.example}`" + ("  (spills a range)" if f.returns_range else "")
                    + ("  Volatile: recalculated every time, since a blank `as_of` means today." if f.volatile else "")]
    return "\n".join(out) + "\n"

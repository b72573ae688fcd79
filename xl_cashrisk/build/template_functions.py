"""The Functions sheet of each template, generated from the ``udfs`` registry into a data file.

Each template teaches a few Excel functions on its Functions sheet (:data:`xl_cashrisk.io.templates.TEMPLATE_FUNCTIONS`
names them); their example formulas and one-line summaries live in the registry of the Excel front end. The
template builder belongs to the I/O layer, which never imports ``udfs``, so this build step writes the rows to
``xl_cashrisk/io/template_functions.json`` and the builder reads that file: every template — from the CLI,
the ribbon, the importer or a test — gets the same sheet. A test regenerates the file and compares::

    python -m xl_cashrisk.build.template_functions      # rewrites xl_cashrisk/io/template_functions.json
"""

from __future__ import annotations

import json

from xl_cashrisk.io.templates import FUNCTIONS_DATA, TEMPLATE_FUNCTIONS

__all__ = ["main", "render", "template_function_rows"]


def template_function_rows() -> dict[str, list[list[str]]]:
    """Template kind → [name, example, summary] of each function it teaches (names not registered are left out)."""
    import udfs

    return {kind: [[f.name, f.example, f.summary] for f in (udfs.FUNCTIONS.get(n) for n in names) if f is not None]
            for kind, names in TEMPLATE_FUNCTIONS.items()}


def render() -> str:
    """The data file's text."""
    return json.dumps(template_function_rows(), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    FUNCTIONS_DATA.write_text(render(), encoding="utf-8")
    print(f"wrote {FUNCTIONS_DATA}")


if __name__ == "__main__":  # pragma: no cover - a build step
    main()

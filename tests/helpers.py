"""Helpers shared by several test modules (importable: tests/conftest.py puts this folder on the path)."""

from __future__ import annotations

from pathlib import Path

from xl_cashrisk.io.templates import TEMPLATES, build_template, function_rows


def template_with_examples(kind: str, folder: Path) -> Path:
    """The registered template ``kind`` with its example rows typed into the tables, as a user who copied
    them from the Instructions sheet would have it (the shipped template keeps its tables empty)."""
    spec = TEMPLATES[kind]
    return build_template(spec.tables, Path(folder) / spec.filename, title_zh=spec.title_zh, title_en=spec.title_en,
                          examples={**spec.examples, **spec.shown}, lights=spec.lights,
                          define_names=spec.define_names, functions=function_rows(kind))

"""Column and table schemas: the single source of truth for every template table.

A :class:`Table` lists its :class:`Column` s (key, Chinese and English header, type, required,
allowed values, bounds, help text). The template builder, the reader/validator, the ERP importer and
the results writer all work from these objects; nothing else knows a header text or a column letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["text", "number", "integer", "date", "choice", "bool", "percent"]


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    dtype: DType = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    help_zh: str = ""
    help_en: str = ""
    width: float = 14
    result: bool = False  # filled by the engine (CLI values, or live formulas in Excel)
    formula: str | None = None  # live formula for a result column, with {row} placeholders
    number_format: str | None = None
    example: object = None
    default: object = None  # value a blank input cell stands for (None: blank stays blank)

    @property
    def header(self) -> str:
        """The header cell text: English and Chinese, so either reader finds it."""
        return f"{self.en} {self.zh}"

    def names(self) -> tuple[str, ...]:
        """Every header text that identifies this column (case-insensitive match)."""
        return (self.header, self.en, self.zh, self.key, f"{self.zh} {self.en}", f"{self.en}/{self.zh}",
                f"{self.zh}/{self.en}", f"{self.en} / {self.zh}", f"{self.en}\n{self.zh}")


@dataclass(frozen=True)
class Table:
    key: str  # "ledger"
    sheet: str  # worksheet name
    name: str  # Excel table (ListObject) name
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    description_zh: str = ""
    description_en: str = ""
    key_columns: tuple[str, ...] = field(default=())

    def __post_init__(self):
        keys = [c.key for c in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"table {self.key}: duplicate column keys")

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"table {self.key} has no column {key!r}")

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.result)

    @property
    def result_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.result)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

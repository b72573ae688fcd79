"""The readers the reading benchmark compares ``xl-cashrisk validate`` with, each as a process of its own
that only loads the sheet: ``python -m bench.loaders KIND PATH SHEET`` (KIND: fastexcel-pandas, calamine,
openpyxl). Nothing else is imported, so a process costs what its reader costs, start-up included, as
the CLI's process does. Prints the number of data rows read.
"""

from __future__ import annotations

import sys


def load(kind: str, path: str, sheet: str) -> int:
    if kind == "fastexcel-pandas":  # Arrow columns in Rust, then a pandas frame: untyped, unvalidated
        import fastexcel

        return len(fastexcel.read_excel(path).load_sheet(sheet).to_pandas())
    if kind == "calamine":  # python-calamine: every cell a Python object, rows as lists
        from python_calamine import CalamineWorkbook

        return len(CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()) - 1
    if kind == "openpyxl":  # openpyxl's read-only mode, values only
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return sum(1 for _ in wb[sheet].iter_rows(values_only=True)) - 1
        finally:
            wb.close()
    raise SystemExit(f"unknown loader {kind}")


if __name__ == "__main__":
    print(load(*sys.argv[1:4]))

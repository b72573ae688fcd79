"""The Excel functions (xlwings UDFs) and ribbon actions of xl-cashrisk.

Importing this package imports every public module in it, which registers each function in
:data:`udfs._registry.FUNCTIONS`; the add-in's ``UDF Modules`` setting is generated from the same
list. Each module is a thin adapter: convert the Excel-shaped arguments (:mod:`udfs._args`), call the
core in :mod:`xl_cashrisk`, shape the result. Domain logic never lives here.
"""

import importlib
import pkgutil

from udfs._registry import FUNCTIONS

MODULES = tuple(
    m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")
)
for _name in MODULES:
    importlib.import_module(f"udfs.{_name}")

__all__ = ["FUNCTIONS", "MODULES"]

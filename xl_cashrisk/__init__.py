"""xl-cashrisk: trade-credit and cash-flow risk toolkit for Excel.

The core (this package's domain modules) is pure and vectorised: numbers, numpy arrays and pandas
objects in, the same kind out. Above it, each floor importing only the floors below
(docs/architecture.md): ``schemas`` (tables, rules, values), ``io`` (workbook → validated frames +
Settings), ``pipelines`` (frames in, result tables out), ``reports`` (results workbooks), and the front
ends ``udfs`` (Excel), ``build`` and ``cli``.
"""

__version__ = "0.1.0"

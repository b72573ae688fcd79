"""xl-cashrisk: trade-credit and cash-flow risk toolkit for Excel.

The core (this package's domain modules) is pure and vectorised: numbers, numpy arrays and pandas
objects in, the same kind out. ``xl_cashrisk.io`` holds the workbook schemas, readers and writers;
``xl_cashrisk.pipelines`` composes the core into the jobs the CLI and the ribbon run.
"""

__version__ = "0.1.0"

"""Import accounting and ERP exports (Kingdee, Yonyou, SAP, Oracle, QuickBooks, Xero, bank portals).

``import_file(path, kind)`` finds the header, maps columns by Chinese and English synonyms or a mapping
file, cleans exporter values, reshapes ageing exports, and types and validates every row with the
shared schema validator; see docs/import.md.
"""

from xl_cashrisk.importer.core import KINDS, ImportReport, ImportResult, Skipped, import_file
from xl_cashrisk.importer.mapping import Mapping, dumps_mapping, load_mapping, save_mapping

__all__ = ["KINDS", "ImportReport", "ImportResult", "Mapping", "Skipped", "dumps_mapping", "import_file",
           "load_mapping", "save_mapping"]

"""Build tooling: what turns the ``udfs`` registry into things users install.

- :mod:`.addin`: the Windows Excel add-in ``CashRisk.xlam`` (ribbon, config sheet, the checked-in VBA project);
- :mod:`.calc`: the LibreOffice Calc extension (``xl-cashrisk.oxt``), its installer and UNO driver;
- :mod:`.lite`: the xlwings Lite bundle (``main.py``, ``requirements.txt``, the wheel);
- :mod:`.reference`: docs/functions.md;
- :mod:`.template_functions`: the templates' Functions sheet rows (``xl_cashrisk/io/template_functions.json``).

The only code besides the CLI that imports ``udfs`` (docs/ARCHITECTURE: build tooling is the top layer).
"""

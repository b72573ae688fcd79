"""The CashRisk Excel add-in: build (:mod:`.build`), its VBA project (:mod:`.vba`), the xlwings Lite file (:mod:`.lite`)."""

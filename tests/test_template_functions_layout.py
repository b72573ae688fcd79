"""The Functions sheet of every template points at the template's own tables: each reference in an example
is a column of a table's data body (the whole body for a range) or a Settings/Policy value cell, and the
headers (or setting keys) referenced are the ones the function's arguments need — read from the templates."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from xl_cashrisk.io.templates import FUNCTIONS_SHEET, build_named

ROOT = Path(__file__).resolve().parents[1]
REF = re.compile(r"'([^']+)'!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)")
DUE, OPEN, AMOUNT, INVOICED = "Due date 到期日", "Open amount 未收金额", "Amount 金额", "Invoice date 开票日期"
# function → the headers / setting keys its example refers to, in order (written by hand from the signatures)
EXPECTED = {
    "ledger": {
        "AGEBUCKET": [DUE, "as_of"], "DAYSPASTDUE": [DUE, "as_of"], "AGEING": [DUE, OPEN, "as_of"],
        "DSO": [OPEN, AMOUNT, INVOICED, "as_of"], "DSOCOUNTBACK": [OPEN],
        "BPDSO": [OPEN, DUE, "as_of", AMOUNT, INVOICED, "as_of"],
        "CEI": [AMOUNT, INVOICED, "as_of", OPEN, OPEN, DUE, "as_of"], "BADDEBTRESERVE": [],
    },
    "register": {
        "ALTMANZ": ["Current assets 流动资产", "Current liabilities 流动负债", "Retained earnings 留存收益",
                    "EBIT 息税前利润", "Book equity 所有者权益", "Sales 营业收入", "Total assets 资产总额",
                    "Total liabilities 负债总额"],
        "CURRENTRATIO": ["Current assets 流动资产", "Current liabilities 流动负债"],
        "HHI": [OPEN], "TOPNSHARE": [OPEN],
        "EXPECTEDLOSS": ["PD (1 year) 违约概率", "el_lgd", OPEN],
    },
    "forecast": {},
    "settings": {
        "NOTIFYBY": ["notify_days", "notify_basis", "max_extension_period"], "CLAIMBY": ["claim_days"],
        "INSUREDLOSS": ["Insurer limit 保险限额", "indemnity_pct", "aggregate_first_loss", "non_qualifying_loss"],
        "UNINSUREDLOSS": ["Insurer limit 保险限额", "indemnity_pct", "aggregate_first_loss", "non_qualifying_loss"],
        "INSUREDSHARE": ["Insurer limit 保险限额", "indemnity_pct"],
    },
}


def referenced(wb, sheet: str, ref: str) -> str:
    """The header of the table column ``ref`` covers (a range must be the whole data body), or the key of
    the key/value row whose value cell it is."""
    ws = wb[sheet]
    c0, r0, c1, r1 = range_boundaries(ref.replace("$", ""))
    assert c0 == c1, f"{sheet}!{ref}: one column"
    for t in ws.tables.values():
        tc0, tr0, tc1, tr1 = range_boundaries(t.ref)
        if not (tc0 <= c0 <= tc1 and tr0 < r0 <= r1 <= tr1):
            continue
        header = ws.cell(tr0, c0).value
        keys = [ws.cell(tr0, c).value for c in range(tc0, tc1 + 1)]
        if keys[:1] == ["Key 键"] and header == "Value 值":  # a Settings or Policy row
            assert r0 == r1, f"{sheet}!{ref}: one value cell"
            return ws.cell(r0, tc0).value
        if ":" in ref:
            assert (r0, r1) == (tr0 + 1, tr1), f"{sheet}!{ref} is not the whole data body of table {t.name}"
        else:
            assert r0 == tr0 + 1, f"{sheet}!{ref}: the table's first data row"
        return header
    raise AssertionError(f"{sheet}!{ref} is in no table of the template")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_functions_sheet_examples_point_at_the_templates_own_tables(kind, tmp_path):
    for path in (build_named(kind, tmp_path), ROOT / "workbook_templates" / build_named(kind, tmp_path).name):
        wb = openpyxl.load_workbook(path)
        rows = {r[0]: r[1] for r in wb[FUNCTIONS_SHEET].iter_rows(min_row=5, values_only=True) if r[0]}
        assert rows, path
        for name, example in rows.items():
            refs = [referenced(wb, sheet, ref) for sheet, ref in REF.findall(example)]
            rest = re.sub(r'"[^"]*"', "", REF.sub("", example))  # no string literal, no checked reference
            assert not re.search(r"\b\$?[A-Z]{1,3}\$?\d+\b", rest), f"{name}: a cell outside the tables: {example}"
            assert refs == EXPECTED[kind].get(name, []), f"{path.name} {name}: {example}"

"""In-cell cases for the expected-credit-loss functions (udfs/provisioning.py: IFRS 9 / CAS 22 roll rates).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the hand-checked worked example LR-1.
"""

from harness import Case, Inline

# LR-1: month-end balances current / 1-30 / 31-60 / 61-90 / >90, oldest month first
LR1 = [[100000, 40000, 20000, 10000, 5000],
       [110000, 30000, 16000, 10000, 8000],
       [120000, 33000, 12000, 8000, 9000],
       [105000, 36000, 13200, 6000, 4000]]
BLANK_ROW = [None] * 5

CASES = [
    # MIGRATIONRATES ----------------------------------------------------------------------------
    Case("MIGRATIONRATES", (LR1,), "LR-1", want=[[0.3, 0.4, 0.5, 0.75, 1.0]]),
    Case("MIGRATIONRATES", ([*LR1, BLANK_ROW], Inline(0.8)), "LR-1-spare-row-last-rate",
         want=[[0.3, 0.4, 0.5, 0.75, 0.8]]),
    Case("MIGRATIONRATES", ([[1000, 0, 50], [800, 1200, 40]],), "LR-2-cap-and-empty-bucket", want=[[1.0, 0.0, 1.0]]),
    Case("MIGRATIONRATES", ([LR1[0], BLANK_ROW, LR1[1]],), "gap-row-message"),
    # LOSSRATES ---------------------------------------------------------------------------------
    Case("LOSSRATES", (LR1,), "LR-1", want=[[0.045, 0.15, 0.375, 0.75, 1.0]]),
    Case("LOSSRATES", (LR1, Inline(1), Inline(1.1)), "LR-1-forward-factor",
         want=[[0.0495, 0.165, 0.4125, 0.825, 1.0]]),
    Case("LOSSRATES", (LR1, 0.8, 1.1), "LR-1-both-from-cells", want=[[0.0396, 0.132, 0.33, 0.66, 0.88]]),
    Case("LOSSRATES", ([[100, 50], [80, -1]],), "negative-balance-message"),
    Case("LOSSRATES", (LR1, Inline(2)), "last-rate-message"),
]

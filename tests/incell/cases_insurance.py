"""In-cell cases for the credit-insurance functions (udfs/insurance.py, SPEC §7, §6.1).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the SPEC worked example where there is one.
Deadlines come back as Excel date serials (45351 = 2024-02-29).
"""

from datetime import date

from harness import Case, Inline

# SPEC §7.2 TCI-1 debts, limits, recoveries (claim 3 is below the 5,000 NQL)
DEBTS = [[1200000], [40000], [3000], [300000]]
LIMITS = [[1000000], [50000], [10000], [250000]]
RECOVERIES = [[0], [0], [0], [60000]]

CASES = [
    # INSUREDLOSS / UNINSUREDLOSS ---------------------------------------------------------------
    Case("INSUREDLOSS", (1200000, 1000000, 0.9), "TCI-2", want=900000.0),
    Case("UNINSUREDLOSS", (1200000, 1000000, 0.9), "TCI-2", want=300000.0),
    Case("INSUREDLOSS", (DEBTS, LIMITS, Inline(0.9), Inline(0), Inline(5000), RECOVERIES), "TCI-1-each-alone",
         want=[[900000.0], [36000.0], [0.0], [216000.0]]),
    Case("UNINSUREDLOSS", (DEBTS, LIMITS, Inline(0.9), Inline(0), Inline(5000), RECOVERIES), "TCI-1-each-alone",
         want=[[300000.0], [4000.0], [3000.0], [24000.0]]),
    Case("INSUREDLOSS", (1200000, 1000000, 0.9, 50000, 5000), "TCI-1-claim1-with-AFL", want=850000.0),
    Case("INSUREDLOSS", ([[100000], [None]], [[None], [5]], Inline(0.9)), "no-limit-and-blank-row",
         want=[[0.0], [""]]),
    Case("UNINSUREDLOSS", (100000, None, 0.9), "no-limit-fully-uninsured", want=100000.0),
    Case("INSUREDLOSS", (1000, 1000, 90), "percent-not-decimal-message"),
    # INSUREDSHARE --------------------------------------------------------------------------------
    Case("INSUREDSHARE", (800000, 700000, 0.9), "EL-2-buyer-A", want=0.7875),
    Case("INSUREDSHARE", ([[800000], [560000], [240000], [120000]], [[700000], [600000], [None], [150000]],
                          Inline(0.9)), "EL-2-column", want=[[0.7875], [0.9], [0.0], [0.9]]),
    # NOTIFYBY ------------------------------------------------------------------------------------
    Case("NOTIFYBY", (date(2024, 1, 1), 59), "leap-day", want=45351.0),
    Case("NOTIFYBY", (date(2024, 1, 3),), "sunday-moves-to-friday", want=45352.0),
    Case("NOTIFYBY", (date(2024, 1, 3), Inline(60), Inline(0), Inline(False)), "weekend-kept", want=45354.0),
    Case("NOTIFYBY", ([[date(2026, 1, 31)], [None], [date(2026, 6, 30)]], Inline(30)), "month-ends-column",
         want=[[46083.0], [""], [46233.0]]),
    Case("NOTIFYBY", (date(2026, 6, 30), Inline(60), Inline(0), Inline(True), [[date(2026, 8, 28)]]),
         "holiday-range", want=46261.0),
    Case("NOTIFYBY", ("soon",), "bad-date-message"),
    # CLAIMBY -------------------------------------------------------------------------------------
    Case("CLAIMBY", (date(2024, 9, 2),), "saturday-moves-to-friday", want=45716.0),
    Case("CLAIMBY", (date(2023, 9, 2), Inline(180)), "leap-day", want=45351.0),
    Case("CLAIMBY", ([[date(2026, 5, 4), date(2026, 5, 5)]], Inline(180)), "row-weekend", want=[[46325.0, 46325.0]]),
    Case("CLAIMBY", (date(2026, 1, 1), Inline(-3)), "negative-days-message"),
]

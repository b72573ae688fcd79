"""In-cell cases for the receivables functions (udfs/receivables.py, SPEC §4).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the SPEC worked example where there is one.
"""

from datetime import date

from harness import Case, Inline

AS_OF = date(2024, 6, 30)  # SPEC AG-1
# AG-1: due dates, invoice dates and amounts of INV1..INV6, plus a blank row and a credit note
DUE = [[date(2024, 7, 10)], [date(2024, 6, 14)], [date(2024, 5, 10)], [date(2024, 3, 31)],
       [date(2024, 3, 5)], [date(2023, 12, 31)]]
INVOICED = [[date(2024, 6, 10)], [date(2024, 5, 15)], [date(2024, 4, 10)], [date(2024, 3, 1)],
            [date(2024, 1, 5)], [date(2023, 12, 1)]]
AMOUNTS = [[10000], [8000], [6000], [4000], [2000], [1000]]

CASES = [
    # AGEBUCKET -------------------------------------------------------------------------------
    Case("AGEBUCKET", (date(2024, 6, 14), AS_OF), "one-cell", want="1-30"),
    Case("AGEBUCKET", (date(2024, 5, 31), AS_OF), "bound-30-inclusive", want="1-30"),
    Case("AGEBUCKET", (date(2024, 6, 30), AS_OF), "due-today-current", want="current"),
    Case("AGEBUCKET", ([*DUE, [None]], AS_OF), "AG-1-column-with-blank",
         want=[["current"], ["1-30"], ["31-60"], ["91-120"], ["91-120"], [">120"], [""]]),
    Case("AGEBUCKET", (INVOICED, AS_OF, Inline("invoice")), "AG-1-invoice-basis",
         want=[["0-30"], ["31-60"], ["61-90"], [">120"], [">120"], [">120"]]),
    Case("AGEBUCKET", ("2024-03-01", Inline(45473), Inline("INVOICE")), "text-date-serial-asof", want=">120"),
    Case("AGEBUCKET", ("soon", AS_OF), "bad-date-message"),
    Case("AGEBUCKET", (date(2024, 6, 14), AS_OF, Inline("weekly")), "bad-basis-message"),
    # bucket edges as an argument (issue 19): a range of cells, a text in the formula, a text in a cell
    Case("AGEBUCKET", ([*DUE, [None]], AS_OF, Inline("dpd"), [[15], [45]]), "edges-range",
         want=[["current"], ["16-45"], [">45"], [">45"], [">45"], [">45"], [""]]),
    Case("AGEBUCKET", (date(2024, 5, 10), AS_OF, Inline("dpd"), Inline("15,45")), "edges-text", want=">45"),
    Case("AGEBUCKET", (INVOICED, AS_OF, Inline("invoice"), "60;120"), "edges-text-cell-invoice",
         want=[["0-60"], ["0-60"], ["61-120"], [">120"], [">120"], [">120"]]),
    Case("AGEBUCKET", (date(2024, 5, 10), AS_OF, Inline("dpd"), Inline("60,30")), "unsorted-edges-message"),
    Case("AGEBUCKET", (date(2024, 5, 10), AS_OF, Inline("dpd"), [[-30], [60]]), "negative-edge-message"),
    # an invoice dated after the as-of date had not been issued yet (basis invoice)
    Case("AGEBUCKET", (date(2024, 7, 5), AS_OF, Inline("invoice")), "invoice-after-as-of", want="not issued"),
    # DAYSPASTDUE -----------------------------------------------------------------------------
    Case("DAYSPASTDUE", (date(2024, 6, 14), AS_OF), "one-cell", want=16),
    Case("DAYSPASTDUE", ([*DUE[:3], [None], DUE[5]], AS_OF), "column-with-blank",
         want=[[-10], [16], [51], [""], [182]]),
    Case("DAYSPASTDUE", ([[date(2024, 6, 14), date(2024, 7, 10)]], Inline(45473)), "row-range", want=[[16, -10]]),
    # AGEING ------------------------------------------------------------------------------------
    Case("AGEING", ([*DUE, [None]], [*AMOUNTS, [-500]], AS_OF), "AG-1-with-credit-note",
         want=[["current", "1-30", "31-60", "61-90", "91-120", ">120", "credits", "total"],
               [10000, 8000, 6000, 0, 6000, 1000, -500, 30500]]),
    Case("AGEING", (INVOICED, AMOUNTS, AS_OF, Inline("invoice")), "AG-1-invoice-basis",
         want=[["0-30", "31-60", "61-90", "91-120", ">120", "credits", "total"],
               [10000, 8000, 6000, 0, 7000, 0, 31000]]),
    Case("AGEING", (DUE[:3], AMOUNTS[:2], AS_OF), "size-mismatch-message"),
    Case("AGEING", (DUE, AMOUNTS, AS_OF, Inline("dpd"), [[60], [120]]), "AG-1-edges-range",
         want=[["current", "1-60", "61-120", ">120", "credits", "total"], [10000, 14000, 6000, 1000, 0, 31000]]),
    Case("AGEING", ([*INVOICED, [date(2024, 7, 5)]], [*AMOUNTS, [2500]], AS_OF, Inline("invoice")),
         "AG-1-invoice-not-issued-left-out",
         want=[["0-30", "31-60", "61-90", "91-120", ">120", "credits", "total"], [10000, 8000, 6000, 0, 7000, 0, 31000]]),
    Case("AGEING", (DUE, AMOUNTS, AS_OF, Inline("dpd"), Inline("30,30")), "edges-message"),
    # DSO ---------------------------------------------------------------------------------------
    Case("DSO", (150000, 1800000), "DSO-1-default-365", want=30.41666666666667),
    Case("DSO", (15000, 10000, Inline(30)), "ADD-1-month", want=45.0),
    Case("DSO", ([[150000], [15000], [None]], [[1800000], [10000], [None]], Inline(365)), "columns",
         want=[[30.41666666666667], [547.5], [""]]),
    Case("DSO", ("n/a", 1800000), "text-in-number-message"),
    Case("DSO", (150000, 0), "zero-sales-message"),
    # DSOCOUNTBACK ------------------------------------------------------------------------------
    Case("DSOCOUNTBACK", (212000, [[100000], [80000], [70000]]), "CB-1", want=73.714286, tolerance=1e-6),
    Case("DSOCOUNTBACK", (212000, [[100000], [80000], [70000]], [[31], [28], [31]]), "CB-2",
         want=73.171429, tolerance=1e-6),
    Case("DSOCOUNTBACK", (350000, [[120000], [150000], [90000], [110000], [None]],
                          [[30], [31], [30], [31], [None]]), "CB-3-spare-row", want=87.666667, tolerance=1e-6),
    Case("DSOCOUNTBACK", (212000, [[100000, 80000, 70000]], Inline(30)), "row-one-day-count",
         want=73.714286, tolerance=1e-6),
    Case("DSOCOUNTBACK", (212000, [[None], [None]]), "blank-sales-message"),
    Case("DSOCOUNTBACK", (150000, [[100000], [0], [80000]]), "CB-Z-count", want=78.75),
    Case("DSOCOUNTBACK", (150000, [[100000], [0], [80000]], Inline(30), Inline("stop")), "CB-Z-stop", want=30.0),
    Case("DSOCOUNTBACK", (150000, [[100000], [0], [80000]], Inline(30), Inline("skip")), "zero-sales-message"),
    # BPDSO -------------------------------------------------------------------------------------
    Case("BPDSO", (4000, 10000, Inline(30)), "ADD-1", want=12.0),
    Case("BPDSO", ([[4000], [0]], [[10000], [20000]], Inline(30)), "columns", want=[[12.0], [0.0]]),
    # ADD ---------------------------------------------------------------------------------------
    Case("ADD", (15000, 4000, 10000, Inline(30)), "ADD-1", want=33.0),
    Case("ADD", ([[15000], [None]], [[4000], [None]], [[10000], [None]], Inline(30)), "columns-with-blank",
         want=[[33.0], [""]]),
    Case("ADD", (4000, 15000, 10000), "current-above-total-message"),
    # CEI ---------------------------------------------------------------------------------------
    Case("CEI", (6200, 10890, 6340, 3590, Inline(3)), "CEI-1-three-months", want=55.9295, tolerance=1e-6),
    Case("CEI", (6200, 10890, 6340, 3590), "CEI-1b-full-period", want=79.6296, tolerance=1e-6),
    Case("CEI", (100000, 1000000, 120000, 100000), "CEI-2", want=98.0),
    Case("CEI", ([[6200], [100000]], [[10890], [1000000]], [[6340], [120000]], [[3590], [100000]]), "columns",
         want=[[79.62962962962963], [98.0]]),
    # BADDEBTRESERVE ----------------------------------------------------------------------------
    Case("BADDEBTRESERVE", ([[76000, 14000, 6000, 3000, 1000]], [[0.01, 0.05, 0.1, 0.25, 0.5]]), "RES-1",
         want=3310.0),
    Case("BADDEBTRESERVE", ([[15e6], [7.5e6], [4e6], [2.5e6], [1e6]], [[0.003], [0.016], [0.036], [0.066], [0.106]]),
         "RES-2-columns", want=580000.0),
    Case("BADDEBTRESERVE", ([[76000, 14000]], [[0.01, 5]]), "rate-above-one-message"),
    # DBTPAID / DAYSTOPAY (SPEC §2.2 DBT-2; the third invoice is not paid yet) -------------------
    Case("DBTPAID", ([[10000], [10000], [5000]], [[date(2024, 1, 31)], [date(2024, 3, 2)], [date(2024, 5, 31)]],
                     [[date(2024, 2, 5)], [date(2024, 3, 9)], [None]]), "DBT-2", want=6.0),
    Case("DBTPAID", ([[100], [300]], [[date(2024, 1, 31)], [date(2024, 1, 31)]],
                     [[date(2024, 1, 21)], [date(2024, 2, 10)]]), "early-counts-zero", want=7.5),
    Case("DAYSTOPAY", ([[10000], [30000], [9999]], [[date(2024, 1, 1)], [date(2024, 2, 1)], [date(2024, 3, 1)]],
                       [[date(2024, 2, 5)], [date(2024, 3, 1)], [None]]), "weighted", want=30.5),
    Case("DAYSTOPAY", ([[10000]], [[date(2024, 1, 1)]], [[None]]), "nothing-paid-message"),
]

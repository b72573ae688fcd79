"""In-cell cases for the credit-scoring functions (udfs/scoring.py, SPEC §1–§3, §6.1).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the SPEC worked example where there is one.
"""

from harness import Case, Inline

# SPEC §1.7 Z-1..Z-3 as columns, plus a blank row
WC = [[250000], [-100000], [120000], [None]]
RE = [[300000], [-200000], [200000], [None]]
EBIT = [[150000], [-50000], [80000], [None]]
MVE = [[900000], [300000], [600000], [None]]
SALES = [[1200000], [1600000], [1500000], [None]]
TA = [[1000000], [2000000], [1000000], [None]]
TL = [[450000], [1800000], [700000], [None]]
# one buyer's scorecard inputs: altman_z2 … negative_events (dbt_days blank)
# LibreOffice hands a directly referenced blank cell over as 0; a blank inside a range stays blank,
# so a deliberately blank argument is written as a one-cell range ([[None]]).
BLANK = [[None]]
BUYER = (3.0, 1.6, 0.5, 82, BLANK, 0, 0.02, 12, 300, "DE", "pharma", 0)
PF_C_CUR = [[30, 50, 900, 950, 180, 310, 220, 1150, 860, 0]]
PF_C_PREV = [[40, 55, 800, 900, 200, 300, 200, 1000, 750, None]]

CASES = [
    # ALTMANZ / ALTMANZONE / EMRATING -----------------------------------------------------------
    Case("ALTMANZ", (250000, 300000, 150000, 900000, 1200000, 1000000, 450000), "Z-1", want=3.615, tolerance=1e-6),
    Case("ALTMANZ", (WC, RE, EBIT, MVE, SALES, TA, TL), "Z-1-2-3-column-with-blank",
         want=[[3.615], [0.6175], [2.702286], [""]], tolerance=1e-6),
    Case("ALTMANZ", (250000, 300000, 150000, 550000, 1200000, 1000000, 450000, Inline("Z1")), "Zp-1",
         want=2.610333, tolerance=1e-6),
    Case("ALTMANZ", (150000, 100000, 50000, 300000, None, 1000000, 700000, Inline("EM")), "Zpp-4-EM",
         want=5.346, tolerance=1e-6),
    Case("ALTMANZ", (1, 1, 1, 1, 1, 0, 1), "zero-assets-message"),
    Case("ALTMANZONE", (0, 0, 0, 0, 2.99, 1, 1), "Z-edge-grey", want="grey"),
    Case("ALTMANZONE", (WC, RE, EBIT, MVE, SALES, TA, TL), "Z-zones-column",
         want=[["safe"], ["distress"], ["grey"], [""]]),
    Case("ALTMANZONE", (300000, 250000, 120000, 600000, None, 1000000, 400000, Inline("Z2"), Inline("zh")),
         "Zpp-1-zh", want="安全"),
    Case("EMRATING", ([[8.4144], [3.239694], [1.726463], [5.346], [None]],), "Zpp-ratings",
         want=[["AAA"], ["CCC+"], ["D"], ["BB+"], [""]]),
    # OHLSON / ZMIJEWSKI / PIOTROSKI ------------------------------------------------------------
    Case("OHLSON", (50000000, BLANK, 20000000, 25000000, 10000000, 4000000, 3500000, 6000000), "O-1-P",
         want=0.004404, tolerance=1e-4),
    Case("OHLSON", (10000000, 100, 11000000, 3000000, 5000000, -1500000, -800000, -500000, Inline("O")), "O-2-O",
         want=0.201653, tolerance=1e-5),
    Case("OHLSON", (50000000, 600, 20000000, 25000000, 10000000, 4000000, 3500000, 6000000, Inline("O")), "O-3-O",
         want=-4.691609, tolerance=1e-6),
    Case("OHLSON", (50000, BLANK, 20000, 25000, 10000, 4000, 3500, 6000, Inline("O"), Inline(1000)), "O-1-thousands",
         want=-5.420855, tolerance=1e-6),
    Case("OHLSON", (50, BLANK, 20, 25, 10, 4, 3.5, 6, Inline("O")), "O-1-millions-unflagged", want=0.202058,
         tolerance=1e-5),
    Case("ZMIJEWSKI", (4000000, 20000000, 50000000, 25000000, 10000000), "Zm-1", want=0.007858, tolerance=1e-4),
    Case("ZMIJEWSKI", (-1500000, 11000000, 10000000, 3000000, 5000000, Inline("X")), "Zm-2-X",
         want=2.59025, tolerance=1e-6),
    Case("PIOTROSKI", (PF_C_CUR, PF_C_PREV), "PF-C", want=7),
    Case("PIOTROSKI", (PF_C_CUR, PF_C_PREV, Inline("SIGNALS")), "PF-C-signals",
         want=[["F_ROA", "F_CFO", "F_dROA", "F_ACCRUAL", "F_dLEVER", "F_dLIQUID", "EQ_OFFER", "F_dMARGIN", "F_dTURN"],
               [1, 1, 0, 1, 1, 0, 1, 1, 1]]),
    # PAYDEX / DBT ------------------------------------------------------------------------------
    Case("PAYDEX", ([[50000], [30000], [15000], [5000]], [[0], [15], [30], [90]]), "PX-1", want=70.0),
    Case("PAYDEX", ([[50000], [30000], [15000], [5000]], [[0], [15], [30], [90]], Inline("days")), "PX-1-days",
         want=71.0),
    Case("PAYDEX", ([[1000], [2000]], [[0], [5]]), "too-few-UN", want="UN"),
    Case("DBT", ([[60000, 25000, 10000, 4000, 1000]],), "DBT-1", want=12.3),
    Case("DBT", ([[60000, 25000, 10000, 4000, 1000], [None] * 5, [0, 0, 0, 0, 100]],), "rows-with-blank",
         want=[[12.3], [""], [105.0]]),
    # CREDITSCORE / CREDITEXPLAIN --------------------------------------------------------------
    Case("CREDITSCORE", BUYER, "one-buyer", want=89.95, tolerance=1e-9),
    Case("CREDITSCORE", (BLANK, BLANK, BLANK, 85), "too-little-data-NR", want="NR"),
    Case("CREDITSCORE", (3.0, 1.6, 0.5, [[82], ["UN"], [20]], BLANK, [[0], [None], [95]], 0.02, 12, 300,
                         [["DE"], ["CN"], [None]], "pharma", 0), "fill-down-ranges"),
    Case("CREDITSCORE", (*BUYER, BLANK, Inline("version")), "version", want="default-2026.2"),
    Case("CREDITSCORE", (BLANK, BLANK, BLANK, BLANK, BLANK, BLANK, 25), "share-as-percent-message"),
    Case("CREDITEXPLAIN", BUYER, "one-buyer-table"),
    # CREDITPD / SCOREFROMPD / CREDITBAND / CREDITGRADE ----------------------------------------
    Case("CREDITPD", ([[100], [71], [50], [30], [0], ["NR"], [None]],), "SPEC-3.6-table",
         want=[[0.001560], [0.011528], [0.047619], [0.166667], [0.615385], ["NR"], [""]], tolerance=1e-4),
    Case("SCOREFROMPD", ([[0.01], [0.02], [0.05], [0.10], [0.20]],), "SPEC-3.6-inverse",
         want=[[73.0743], [62.9278], [49.26], [38.48], [26.7807]], tolerance=1e-5),
    Case("SCOREFROMPD", (0.02, 600, 50, 20), "classic-600", want=599.4171, tolerance=1e-6),
    Case("SCOREFROMPD", (0,), "zero-pd-message"),
    Case("CREDITBAND", ([[51], [50.5], [30], [29.9], ["NR"], [None]],), "boundaries",
         want=[["GREEN"], ["YELLOW"], ["YELLOW"], ["RED"], ["NR"], [""]]),
    Case("CREDITBAND", ([[80], [40], [10]], Inline("zh")), "zh", want=[["绿"], ["黄"], ["红"]]),
    Case("CREDITBAND", ([[80], [40], [10]], Inline("zh"), Inline("meaning")), "zh-meaning",
         want=[["风险可控"], ["谨慎交易"], ["暂停赊销"]]),
    Case("CREDITBAND", ([[72], [25]], Inline("en"), Inline("letter")), "letters", want=[["A"], ["D"]]),
    Case("CREDITGRADE", ([[95], [51], [50], [30], [29], [0]],), "grades",
         want=[[1], [5], [6], [7], [8], [10]]),
    # CREDITLIMIT / EXPECTEDLOSS ---------------------------------------------------------------
    Case("CREDITLIMIT", (1200000, 60, 10, 2000000, 900000, [["GREEN"], ["YELLOW"], ["RED"]]), "CL-1",
         want=[[180000.0], [90000.0], [0.0]], tolerance=1e-6),
    Case("CREDITLIMIT", (1200000, 60, 10, 2000000, 900000, "GREEN", 0, 150000), "insurer-cap", want=150000.0),
    Case("CREDITLIMIT", (1200000, 60, 10, 2000000, 900000, "amber"), "bad-band-message"),
    # a band word in Chinese, 未评级 (CREDITBAND's "NR" in zh) included; one-cell terms beside the column
    Case("CREDITLIMIT", (1200000, [[60]], 10, 2000000, 900000, [["绿"], ["黄"], ["红"], ["未评级"]]), "CL-1-zh",
         want=[[180000.0], [90000.0], [0.0], ["NR"]], tolerance=1e-6),
    # CREDITTERMS (docs/scorecard.md, terms policy): 90 × 1.0 × 1.0 = 90; 45 × 0.75 × 0.75 = 25.3 → 15;
    # 90 × 1.25 = 112.5 → 105; RED and NR → cash in advance; requested 30 < 90 allowed
    Case("CREDITTERMS", ("GREEN", "machinery", "Guangdong"), "T-1", want=90.0),
    Case("CREDITTERMS", ([["GREEN"], ["YELLOW"], ["RED"], ["NR"], [None], [75]], [["pharma"], ["consumer_goods"],
                          ["retail"], ["food"], ["food"], ["pharma"]], [["广东"], ["辽宁省"], ["Henan"], [None],
                                                                      ["Henan"], ["华南"]]),
         "T-column", want=[[105.0], [15.0], ["cash in advance"], ["cash in advance"], [""], [105.0]]),
    Case("CREDITTERMS", ("G", BLANK, BLANK, 30), "T-requested", want=30.0),
    Case("CREDITTERMS", ("RED", BLANK, BLANK, BLANK, BLANK, Inline("zh")), "T-zh", want="预付"),
    Case("CREDITTERMS", ("GREEN", "mining"), "T-bad-sector-message"),
    Case("CREDITTERMS", ("GREEN", BLANK, "Bavaria"), "T-bad-region-message"),
    Case("CREDITSCORE", (*BUYER, BLANK, Inline("score"), "广东"), "region-replaces-country"),
    Case("EXPECTEDLOSS", (0.02, 0.45, 1000000), "EL-1", want=9000.0, tolerance=1e-6),
    Case("EXPECTEDLOSS", ([[0.01], [0.03], [0.08], [0.20]], 0.6, [[800000], [560000], [240000], [120000]], 0.9,
                          [[700000], [600000], [0], [150000]]), "EL-2-seller",
         want=[[1020.0], [1008.0], [11520.0], [1440.0]], tolerance=1e-6),
]

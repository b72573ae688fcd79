"""In-cell cases for the working-capital and concentration functions (udfs/ratios.py, SPEC §5, §9).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the SPEC worked example where there is one.
"""

from harness import Case, Inline

# SPEC §5 WC-1: cash, securities, AR, inventory, prepaids; CA 920,000; CL 500,000
CA, CL, CASH, MS, AR = 920000, 500000, 120000, 30000, 400000
HHI2 = [[800000], [560000], [240000], [120000]]

CASES = [
    # WORKINGCAPITAL / CURRENTRATIO --------------------------------------------------------------
    Case("WORKINGCAPITAL", (CA, CL), "WC-1", want=420000.0),
    Case("WORKINGCAPITAL", ([[CA], [None], [300]], [[CL], [100], [500]]), "column-with-blank",
         want=[[420000.0], [""], [-200.0]]),
    Case("CURRENTRATIO", (CA, CL), "WC-1", want=1.84),
    Case("CURRENTRATIO", ([[CA], [150], [None]], [[CL], [100], [100]]), "column-with-blank",
         want=[[1.84], [1.5], [""]]),
    Case("CURRENTRATIO", (100, 0), "zero-liabilities-message"),
    Case("CURRENTRATIO", ("n/a", 100), "text-in-number-message"),
    # QUICKRATIO / CASHRATIO / CCC ---------------------------------------------------------------
    Case("QUICKRATIO", (CASH, MS, AR, CL), "WC-1", want=1.1),
    Case("QUICKRATIO", (CASH, None, AR, CL), "blank-securities", want=1.04),
    Case("QUICKRATIO", ([[CASH], [10]], Inline(0), [[AR], [20]], [[CL], [30]]), "columns", want=[[1.04], [1.0]]),
    Case("CASHRATIO", (CASH, CL, MS), "WC-1", want=0.3),
    Case("CASHRATIO", (CASH, CL), "no-securities", want=0.24),
    Case("CCC", (40, 43.75, 30), "CCC-1", want=53.75),
    Case("CCC", ([[40], [10]], Inline(43.75), [[30], [60]]), "columns", want=[[53.75], [-6.25]]),
    # WCHEALTH -----------------------------------------------------------------------------------
    Case("WCHEALTH", (1.84,), "WC-1-healthy", want="HEALTHY"),
    Case("WCHEALTH", (1.0,), "bound-1-watch", want="WATCH"),
    Case("WCHEALTH", (3.2,), "idle-cash-note", want="HEALTHY: high ratio may mean idle cash"),
    Case("WCHEALTH", ([[0.5], [1.2], [None], [1.6]], Inline(1), Inline(1.5), Inline(3), Inline("zh")), "column-zh",
         want=[["危险"], ["关注"], [""], ["健康"]]),
    Case("WCHEALTH", ([[0.65], [0.7], [1.0]], Inline(0.7), Inline(1.0), Inline(0)), "quick-ratio-light",
         want=[["DANGER"], ["WATCH"], ["HEALTHY"]]),
    Case("WCHEALTH", (1.0, Inline(2), Inline(1)), "bad-thresholds-message"),
    # HHI / TOPNSHARE ----------------------------------------------------------------------------
    Case("HHI", ([[400], [300], [200], [100]],), "HHI-1", want=0.3),
    Case("HHI", ([[400], [300], [200], [100]], Inline(True)), "HHI-1-points", want=3000.0),
    Case("HHI", (HHI2,), "HHI-2", want=0.346674, tolerance=1e-6),
    Case("HHI", ([[1040000, 560000, 120000]],), "HHI-2-by-region-row", want=0.476474, tolerance=1e-6),
    Case("HHI", ([[10]] * 10,), "HHI-3", want=0.1),
    Case("HHI", ([[None], [0]],), "no-exposure-message"),
    Case("TOPNSHARE", (HHI2, 1), "HHI-2-top1", want=0.465116, tolerance=1e-6),
    Case("TOPNSHARE", (HHI2, Inline(2)), "HHI-2-top2", want=0.790698, tolerance=1e-6),
    Case("TOPNSHARE", (HHI2, Inline(0)), "bad-n-message"),
    # HHINORM / EQUIVBUYERS ------------------------------------------------------------------------
    Case("HHINORM", ([[400], [300], [200], [100]],), "HHI-1", want=0.066667, tolerance=5e-6),
    Case("HHINORM", (HHI2,), "HHI-2", want=0.128899, tolerance=4e-6),
    Case("HHINORM", ([[10]] * 10,), "HHI-3-equal"),
    Case("HHINORM", ([[None], [0]],), "no-exposure-message"),
    Case("EQUIVBUYERS", (HHI2,), "HHI-2", want=2.8846, tolerance=2e-5),
    Case("EQUIVBUYERS", ([[10]] * 10,), "HHI-3", want=10.0),
    Case("EQUIVBUYERS", ([[1040000, 560000, 120000]],), "by-region-row", want=1 / 0.476474, tolerance=1e-6),
]

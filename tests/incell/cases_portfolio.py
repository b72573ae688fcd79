"""In-cell cases for the portfolio-risk functions (udfs/portfolio.py, SPEC §6.3–6.5).

Each case is typed into a cell of the in-cell workbook beside its data, recalculated by LibreOffice
and compared with the direct Python call; ``want`` adds the SPEC worked example where there is one.
"""

from harness import Case, Inline

# SPEC §6.5 VaR-1: three buyers, LGD 60 %, one factor ρ 0.25
EADS = [[500000], [300000], [200000]]
PDS = [[0.02], [0.05], [0.10]]

CASES = [
    # VASICEKPD -------------------------------------------------------------------------------
    Case("VASICEKPD", (0.02, 0.20, -2.326348), "VS-1", want=0.128610, tolerance=4e-6),
    Case("VASICEKPD", (0.015, 0.40, Inline(-3)), "VS-4", want=0.362387, tolerance=2e-6),
    Case("VASICEKPD", ([[0.02], [0.02], [None], [0.015]], Inline(0.2), [[0], [2], [1], [-1]]), "column-with-blank"),
    Case("VASICEKPD", ("n/a", 0.2, 0), "text-in-number-message"),
    Case("VASICEKPD", (0.02, Inline(1), 0), "rho-one-message"),
    # WCDR --------------------------------------------------------------------------------------
    Case("WCDR", (0.02, 0.20, Inline(0.999)), "VS-6", want=0.226313, tolerance=3e-6),
    Case("WCDR", ([[0.001], [0.01], [0.02], [0.05]], [[0.234148], [0.192784], [0.164146], [0.129850]],
                  Inline(0.999)), "VS-7-column"),
    Case("WCDR", (0.02, 0.2, Inline(1)), "q-one-message"),
    # BASELRHO ----------------------------------------------------------------------------------
    Case("BASELRHO", (0.01,), "VS-8", want=0.192784, tolerance=3e-6),
    Case("BASELRHO", ([[0.001], [None], [0.05]],), "column-with-blank"),
    Case("BASELRHO", (0.01, 5), "SME-turnover-5", want=0.152784, tolerance=4e-6),
    Case("BASELRHO", ([[0.01], [0.01], [0.01]], [[2], [27.5], [None]]), "SME-column",
         want=[[0.152784], [0.172784], [0.192784]], tolerance=4e-6),
    # IRBK / IRBRW: VS-8 and the Basel II Annex 5 table (corporate and SME S = 5 columns) ---------
    Case("IRBK", (0.01, 0.45), "VS-8", want=0.073853, tolerance=7e-6),
    Case("IRBK", ([[0.01], [None], [0.03]], Inline(0.45), Inline(2.5), Inline(5)), "SME-column"),
    Case("IRBRW", (0.01, 0.45, Inline(2.5)), "Annex5-1pct", want=0.9232, tolerance=6e-5),
    Case("IRBRW", ([[0.0003], [0.01], [0.03]], Inline(0.45), Inline(2.5), Inline(5)), "Annex5-SME-column",
         want=[[0.1130], [0.7240], [0.9758]], tolerance=5e-4),
    Case("IRBRW", (0.01, 0.45, Inline(2.5), [[None]], Inline(1.06)), "CRR-scaling", want=0.978558, tolerance=2e-6),
    Case("IRBK", (0.01, 0.45, Inline(7)), "maturity-message"),
    Case("IRBRW", (Inline(0), 0.45), "pd-zero-message"),
    # VASICEKCDF --------------------------------------------------------------------------------
    Case("VASICEKCDF", (0.128610, 0.02, 0.2), "VS-6-inverse", want=0.99, tolerance=2e-6),
    Case("VASICEKCDF", ([[0.02], [None], [0.226313]], Inline(0.02), Inline(0.2)), "column",
         want=[[0.686100], [""], [0.999]], tolerance=2e-6),
    Case("VASICEKCDF", (0.1, 0.02, Inline(0)), "rho-zero-message"),
    # PORTFOLIOEL -------------------------------------------------------------------------------
    Case("PORTFOLIOEL", (EADS, PDS, Inline(0.6)), "VaR-1-EL", want=27000.0),
    # one cell referenced beside the columns (xlwings passes it as [[0.6]]) applies to every buyer
    Case("PORTFOLIOEL", (EADS, PDS, [[0.6]]), "VaR-1-EL-one-cell-lgd", want=27000.0),
    Case("PORTFOLIOVAR", (EADS, [[0.05]], [[0.6]], Inline(0.25), Inline(0.95)), "one-cell-pd-lgd"),
    Case("PORTFOLIOEL", ([[800000], [560000], [240000], [120000]], [[0.01], [0.03], [0.08], [0.2]],
                         Inline(0.6)), "EL-2-gross", want=40800.0),
    # PORTFOLIOVAR / PORTFOLIOES ------------------------------------------------------------------
    Case("PORTFOLIOVAR", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.95)), "VaR-1-95", want=180000.0),
    Case("PORTFOLIOVAR", (EADS, PDS, Inline(0.6), Inline(0.25)), "VaR-1-99-default", want=300000.0),
    Case("PORTFOLIOVAR", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.999)), "VaR-1-999", want=600000.0),
    Case("PORTFOLIOES", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.95)), "VaR-1-ES95", want=273369.56,
         tolerance=2e-8),  # SPEC rounds to cents
    Case("PORTFOLIOES", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.99)), "VaR-1-ES99", want=409620.57,
         tolerance=2e-8),  # SPEC rounds to cents
    Case("PORTFOLIOES", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.95), Inline(20000), Inline(7),
                         Inline("mc")), "mc-seeded"),
    Case("PORTFOLIOVAR", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(1.5)), "alpha-message"),
    # UNEXPECTEDLOSS = VaR − EL (SPEC §6.5) ----------------------------------------------------------
    Case("UNEXPECTEDLOSS", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.95)), "VaR-1-95", want=153000.0),
    Case("UNEXPECTEDLOSS", (EADS, PDS, Inline(0.6), Inline(0.25)), "VaR-1-99-default", want=273000.0),
    Case("UNEXPECTEDLOSS", (EADS, PDS, Inline(0.6), Inline(1)), "rho-message"),
    Case("PORTFOLIOVAR", (EADS, PDS, Inline(0.6), Inline(0.25), Inline(0.99), Inline(1000), Inline(1),
                          Inline("fast")), "method-message"),
]

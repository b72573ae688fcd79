"""Deterministic benchmark data: ledgers, buyer registers, Excel-shaped ranges and workbook files.

Everything is generated from a fixed seed with NumPy (vectorised), so two runs on two machines time
the same rows. Workbook files are expensive to write (a 1M-row sheet takes a minute or more), so
they are cached under ``BENCH_DATA`` (default ``$TMPDIR/xl-cashrisk-bench``), keyed by size and seed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260930
AS_OF = pd.Timestamp("2026-09-30")
AS_OF_SERIAL = 46295.0  # Excel serial of 2026-09-30
EPOCH = np.datetime64("1899-12-30", "D")
CURRENCIES = np.array(["CNY", "CNY", "CNY", "USD", "EUR"], dtype=object)
FX = {"USD": 7.10, "EUR": 7.75}
SECTORS = np.array(["machinery", "consumer_goods", "pharma", "electronics", "chemicals", "textiles",
                    "retail", "construction", "automotive", "food"], dtype=object)
COUNTRIES = np.array(["CN", "CN", "CN", "US", "DE", "GB", "VN", "IN", "BR", "RU"], dtype=object)
# provinces and regions as a register holds them: English and Chinese names, a few blanks (abroad)
CELL_PROVINCES = np.array(["Guangdong", "Jiangsu", "浙江", "Henan", "辽宁省", "Guizhou", "华南", "", "", ""], dtype=object)
REGIONS = np.array(["South China", "East China", "North China", "EU", "North America", "Asia"], dtype=object)
# the 8 ledger columns of the benchmark workbook (English headers the reader recognises)
LEDGER_COLUMNS = ("invoice_no", "buyer_id", "invoice_date", "due_date", "currency", "amount",
                  "paid_amount", "last_payment_date")
LEDGER_HEADERS = ("Invoice no.", "Buyer ID", "Invoice date", "Due date", "Currency", "Amount",
                  "Paid amount", "Last payment date")


def rng(*salt: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *salt])


def n_buyers_for(n_invoices: int) -> int:
    """Buyers behind a ledger: 10 invoices per buyer (1M invoices ↔ 100k buyers)."""
    return max(10, n_invoices // 10)


def ledger_frame(n: int, n_buyers: int | None = None) -> pd.DataFrame:
    """A typed AR ledger like the reader returns: ~12 months of invoices, 35 % open, some part-paid."""
    g = rng(1, n)
    nb = n_buyers or n_buyers_for(n)
    inv_days = g.integers(0, 365, n)
    invoice_date = AS_OF.to_datetime64().astype("datetime64[D]") - inv_days.astype("timedelta64[D]")
    terms = g.choice(np.array([30, 45, 60, 90]), n)
    due_date = invoice_date + terms.astype("timedelta64[D]")
    amount = np.round(g.lognormal(10.0, 1.2, n), 2)
    state = g.random(n)
    paid = np.where(state < 0.65, amount, np.where(state < 0.75, np.round(amount * g.random(n), 2), 0.0))
    pay_lag = g.integers(0, 120, n)
    pay_date = np.minimum(invoice_date + pay_lag.astype("timedelta64[D]"), AS_OF.to_datetime64().astype("datetime64[D]"))
    last_pay = np.where(paid != 0, pay_date, np.datetime64("NaT", "D"))
    buyer = g.integers(0, nb, n)
    return pd.DataFrame({
        "invoice_no": np.char.add("INV-", np.arange(1, n + 1).astype(str)).astype(object),
        "buyer_id": np.char.add("B", np.char.zfill(buyer.astype(str), 6)).astype(object),
        "doc_type": "INV",
        "invoice_date": invoice_date.astype("datetime64[ns]"),
        "terms_days": terms.astype(float),
        "due_date": due_date.astype("datetime64[ns]"),
        "currency": CURRENCIES[g.integers(0, CURRENCIES.size, n)],
        "amount": amount,
        "paid_amount": paid,
        "last_payment_date": last_pay.astype("datetime64[ns]"),
    })


def serials(d: np.ndarray) -> np.ndarray:
    """datetime64 → Excel serial floats (NaT → NaN)."""
    d = np.asarray(d).astype("datetime64[D]")
    out = (d - EPOCH).astype(float)
    out[np.isnat(d)] = np.nan
    return out


def register_frame(n: int) -> pd.DataFrame:
    """A buyer register with the financial statements and payment record the scorecard reads."""
    g = rng(2, n)
    ta = np.round(g.lognormal(16.0, 1.5, n), 0)
    tl = np.round(ta * g.uniform(0.2, 1.1, n), 0)
    ca = np.round(ta * g.uniform(0.2, 0.8, n), 0)
    cl = np.round(ca * g.uniform(0.4, 1.6, n), 0)
    sales = np.round(ta * g.uniform(0.5, 2.5, n), 0)
    frame = pd.DataFrame({
        "buyer_id": np.char.add("B", np.char.zfill(np.arange(n).astype(str), 6)).astype(object),
        "country": COUNTRIES[g.integers(0, COUNTRIES.size, n)],
        "region": REGIONS[g.integers(0, REGIONS.size, n)],
        "sector": SECTORS[g.integers(0, SECTORS.size, n)],
        "years_in_business": g.integers(0, 40, n).astype(float),
        "employees": g.integers(5, 5000, n).astype(float),
        "total_assets": ta, "total_liabilities": tl, "current_assets": ca, "current_liabilities": cl,
        "cash": np.round(ca * g.uniform(0.05, 0.4, n), 0),
        "inventory": np.round(ca * g.uniform(0.1, 0.5, n), 0),
        "receivables": np.round(ca * g.uniform(0.1, 0.5, n), 0),
        "retained_earnings": np.round(ta * g.uniform(-0.2, 0.4, n), 0),
        "ebit": np.round(sales * g.uniform(-0.05, 0.15, n), 0),
        "sales": sales,
        "equity_book": ta - tl,
        "paydex": np.round(g.uniform(20, 90, n), 0),
        "dbt_days": np.round(g.exponential(8.0, n), 1),
        "max_dpd_open": g.integers(0, 150, n).astype(float),
        "overdue_share": np.round(g.beta(1.0, 4.0, n), 3),
        "negative_events": g.poisson(0.3, n).astype(float),
    })
    missing = g.random(n) < 0.05  # some buyers without a payment record
    frame.loc[missing, ["paydex", "dbt_days"]] = np.nan
    return frame


def portfolio_inputs(n: int) -> dict[str, np.ndarray]:
    """EAD, PD, LGD, region and sector of ``n`` buyers (EADs whole yuan, PDs 0.2 %–8 %)."""
    g = rng(3, n)
    return {
        "ead": np.round(g.lognormal(13.0, 1.0, n), 0),
        "pd": np.round(g.uniform(0.002, 0.08, n), 4),
        "lgd": np.full(n, 0.45),
        "region": REGIONS[g.integers(0, REGIONS.size, n)],
        "sector": SECTORS[g.integers(0, SECTORS.size, n)],
    }


# ----------------------------------------------------------------------------------------------
# workbook files


def data_dir() -> Path:
    d = Path(os.environ.get("BENCH_DATA") or Path(tempfile.gettempdir()) / "xl-cashrisk-bench")
    d.mkdir(parents=True, exist_ok=True)
    return d


def ledger_workbook(n: int, settings: bool = False) -> Path:
    """A ledger workbook (``AR Ledger``, 8 columns, header + ``n`` rows), written once and cached.

    Written with XlsxWriter in constant-memory mode: shared strings, dates as serials with a date
    format, as Excel itself saves them. ``settings`` adds a *Settings* sheet (as-of date, home
    currency and the FX table), which the CLI commands need to convert USD and EUR items.
    """
    path = data_dir() / f"ledger-{n}-{SEED}{'-settings' if settings else ''}.xlsx"
    if path.exists():
        return path

    tmp = path.with_suffix(".tmp.xlsx")
    wb = _workbook(tmp)
    _write_ledger(wb, ledger_frame(n))
    if settings:
        _write_settings(wb)
    wb.close()
    tmp.replace(path)
    return path


def _workbook(path: Path):
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})


def _write_ledger(wb, df: pd.DataFrame) -> None:
    ws = wb.add_worksheet("AR Ledger")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    for j, h in enumerate(LEDGER_HEADERS):
        ws.write_string(0, j, h)
    cols = [df["invoice_no"].tolist(), df["buyer_id"].tolist(), serials(df["invoice_date"]).tolist(),
            serials(df["due_date"]).tolist(), df["currency"].tolist(), df["amount"].tolist(),
            df["paid_amount"].tolist(), serials(df["last_payment_date"]).tolist()]
    kinds = ("s", "s", "d", "d", "s", "m", "m", "d")
    ws_s, ws_n, ws_b = ws.write_string, ws.write_number, ws.write_blank
    for i, row in enumerate(zip(*cols, strict=True), start=1):
        for j, (v, k) in enumerate(zip(row, kinds, strict=True)):
            if k == "s":
                ws_s(i, j, v)
            elif v != v:  # NaN: blank cell
                ws_b(i, j, None)
            else:
                ws_n(i, j, v, date_fmt if k == "d" else money)


def _write_settings(wb, extra: tuple[tuple[str, object], ...] = ()) -> None:
    st = wb.add_worksheet("Settings")  # constant-memory mode: write row by row, in order
    kv = [("Key", "Value"), ("as_of", "2026-09-30"), ("home_currency", "CNY"), *extra]
    fx = [("Currency", "Rate to home"), *FX.items()]
    for r in range(max(len(kv), len(fx))):
        if r < len(kv):
            st.write_string(r, 0, kv[r][0])
            (st.write_string if r == 0 or isinstance(kv[r][1], str) else st.write_number)(r, 1, kv[r][1])
        if r < len(fx):
            st.write_string(r, 3, fx[r][0])
            (st.write_string if r == 0 else st.write_number)(r, 4, fx[r][1])


# the register columns of the analysis workbook (register_frame's payment-record columns are left
# out: the ledger supplies them), with the limits and terms the insurance and limit steps read
REGISTER_COLUMNS = ("buyer_id", "country", "province", "region", "sector", "years_in_business", "employees", "total_assets",
                    "total_liabilities", "current_assets", "current_liabilities", "cash", "inventory", "receivables",
                    "retained_earnings", "ebit", "sales", "equity_book", "paydex", "negative_events",
                    "insurer_limit", "payment_terms_days")
PROVINCES = np.array(["Guangdong", "Zhejiang", "Jiangsu", "Shanghai", "Shandong", "Beijing"], dtype=object)
FORECAST_COLUMNS = ("week", "new_sales", "supplier_payments", "payroll", "tax", "other_payments")


def analysis_workbook(n: int) -> Path:
    """One workbook for ``xl-cashrisk analyze``: the ledger of :func:`ledger_workbook` (``n`` invoices),
    a Buyer Register of its ``n // 10`` buyers (:func:`register_frame` plus insurer limits and terms), a
    Settings sheet (FX, opening cash, facility) and a 13-week Forecast; written once and cached."""
    from xl_cashrisk.schemas.forecast import FORECAST
    from xl_cashrisk.schemas.register import REGISTER

    path = data_dir() / f"analysis-{n}-{SEED}.xlsx"
    if path.exists():
        return path
    nb = n_buyers_for(n)
    g = rng(5, n)
    reg = register_frame(nb)
    reg["total_liabilities"] = np.maximum(reg["total_liabilities"], reg["current_liabilities"])  # as the register checks
    reg["equity_book"] = reg["total_assets"] - reg["total_liabilities"]
    reg["province"] = np.where(reg["country"] == "CN", PROVINCES[g.integers(0, PROVINCES.size, nb)], "")
    reg["insurer_limit"] = np.where(g.random(nb) < 0.7, np.round(reg["sales"] * 0.02, -3), np.nan)
    reg["payment_terms_days"] = g.choice(np.array([30.0, 45.0, 60.0, 90.0]), nb)
    weekly_sales = round(n * 45_000 / 52, -3)  # the ledger's invoices average about 45k CNY a year
    weeks = np.arange(1, 14)
    fc = pd.DataFrame({"week": weeks, "new_sales": weekly_sales, "supplier_payments": round(weekly_sales * 0.8, -3),
                       "payroll": round(weekly_sales * 0.06, -3),
                       "tax": np.where(weeks % 4 == 3, round(weekly_sales * 0.2, -3), 0.0),
                       "other_payments": round(weekly_sales * 0.04, -3)})
    tmp = path.with_suffix(".tmp.xlsx")
    wb = _workbook(tmp)
    _write_ledger(wb, ledger_frame(n))
    _write_frame(wb, "Buyer Register", reg[list(REGISTER_COLUMNS)], REGISTER)
    _write_settings(wb, (("opening_cash", round(weekly_sales * 1.5, -3)), ("facility_limit", round(weekly_sales * 3, -3)),
                         ("min_cash_buffer", round(weekly_sales * 0.2, -3))))
    _write_frame(wb, "Forecast", fc[list(FORECAST_COLUMNS)], FORECAST)
    wb.close()
    tmp.replace(path)
    return path


def _write_frame(wb, sheet: str, df: pd.DataFrame, table) -> None:
    """A table with the schema's English headers, row by row (constant-memory mode): text as strings,
    numbers as numbers, NaN as a blank cell."""
    ws = wb.add_worksheet(sheet)
    for j, key in enumerate(df.columns):
        ws.write_string(0, j, table.column(key).en)
    for i, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for j, v in enumerate(row):
            if isinstance(v, str):
                if v:
                    ws.write_string(i, j, v)
            elif v == v:
                ws.write_number(i, j, float(v))


def result_frame(n: int) -> pd.DataFrame:
    """An 8-column result table (text, dates, money, ratios, a traffic light) like an ageing/score sheet."""
    g = rng(4, n)
    led = ledger_frame(n)
    return pd.DataFrame({
        "invoice_no": led["invoice_no"], "buyer_id": led["buyer_id"], "due_date": led["due_date"],
        "open_amount": led["amount"] - led["paid_amount"], "dpd": (AS_OF - led["due_date"]).dt.days.astype(float),
        "pd": np.round(g.uniform(0.001, 0.2, n), 4), "score": np.round(g.uniform(0, 100, n), 1),
        "band": np.array(["GREEN", "YELLOW", "RED"], dtype=object)[g.integers(0, 3, n)],
    })


# ----------------------------------------------------------------------------------------------
# LibreOffice sheets (the in-cell test bed and `python -m bench --only calc`)

CALC_ROWS = 10_000
CALC_AS_OF = 45565.0  # 2024-09-30


def calc_sheet(path: Path, rows: int = CALC_ROWS, *, kind: str = "fill-down") -> str:
    """``rows`` due dates in column A and the as-of date in B2, written by openpyxl (no cached values):
    ``fill-down`` one ``=DAYSPASTDUE(A{r},$B$2)`` per row over 400 distinct dates (a ledger repeats
    them), ``distinct`` the same over ``rows`` different dates, ``range`` one array formula over the
    column, ``native`` ``=B$2-A{r}`` per row, ``values`` the dates only. Returns the function's name."""
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "timing"
    ws["A1"], ws["B1"], ws["C1"] = "due_date", "as_of", "days past due"
    ws["B2"] = CALC_AS_OF
    for r in range(2, rows + 2):
        ws.cell(row=r, column=1, value=40000.0 + r if kind == "distinct" else 45000.0 + r % 400)
        if kind in ("fill-down", "distinct"):
            ws.cell(row=r, column=3, value=f"=DAYSPASTDUE(A{r},$B$2)")
        elif kind == "native":
            ws.cell(row=r, column=3, value=f"=$B$2-A{r}")
    if kind == "range":
        ws["C2"] = ArrayFormula(f"C2:C{rows + 1}", f"=DAYSPASTDUE(A2:A{rows + 1},$B$2)")
    wb.save(path)
    return "DAYSPASTDUE"

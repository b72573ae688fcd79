"""13-week direct-method cash forecast and its stress scenarios (SPEC §8, claim timing §7.3).

The forecast is weekly, in home currency (HC):
``ending_cash[w] = opening + Σ_{k≤w}(receipts[k] + indemnities[k] − disbursements[k] + financing[k])``.

Receipts are *lines* — one row per buyer, source and currency, 13 weekly HC amounts:

* ``source="ar"``: collections of open invoices, built by :func:`receipts_from_invoices` at the
  expected pay date ``due date + buyer's expected DBT`` (SPEC §8.1). Invoices expected before week 1
  (already overdue) follow an explicit ``overdue`` assumption: all in week 1 (default), dropped, or
  spread evenly over the first n weeks. The dated items are kept, so a payment-delay scenario
  re-buckets them by day;
* ``source="sales"``: collections of new sales, or any weekly receipts table typed by the user, such
  as SPEC §8.4's receipts by buyer (:func:`receipts_from_weekly`). A revenue drop acts on these only,
  because open invoices are already billed;
* ``source="other"``: other receipts (VAT refunds, export rebates).

A :class:`Scenario` is one row of the Scenarios sheet, plain data, so the library is editable. Its
transformation (SPEC §8.2) is applied in a fixed order: payment delay, defaults (largest buyer,
top N, named buyer, region / sector / country, deterministic or Vasicek-stressed), revenue drop, FX.
Insurance indemnities of defaulted buyers are paid in week ``t + ceil((waiting + settlement)/7)`` and
count as liquidity only inside the 13 weeks (SPEC §7.3). Metrics follow SPEC §8.3.

Assumptions made explicit here (D):

* a defaulted buyer pays nothing from the start of the default week on;
* a scenario default is an insolvency: the claim is paid ``waiting_days`` (default 0) +
  ``settlement_days`` (default 30) after it; set ``waiting_days`` 90/180 for protracted-default
  policies, which then fall outside the horizon;
* loss gross = share × LGD × exposure (open AR, HC), net = share × LGD × (exposure − indemnity), with
  the stress LGD 1.0 unless the buyer table gives ``lgd`` (recoveries are too slow for 13 weeks);
* weekly-only data are delayed by ``ceil(d/7)`` whole weeks (conservative: +30 d → 5 weeks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from xl_cashrisk.errors import InputError
from xl_cashrisk.portfolio import vasicek_pd

__all__ = [
    "KINDS",
    "OVERDUE_RULES",
    "STANDARD_SCENARIOS",
    "WEEKS",
    "CashForecast",
    "Scenario",
    "StressResult",
    "claim_week",
    "receipts_from_invoices",
    "receipts_from_items",
    "receipts_from_weekly",
    "run_scenario",
    "run_stress",
    "stress_metrics",
]

WEEKS = 13
WEEK_COLUMNS = tuple(range(1, WEEKS + 1))
SOURCES = ("ar", "sales", "other")
OVERDUE_RULES = ("week1", "drop")  # or an int n: spread evenly over weeks 1..n
DEFAULT_TERMS_DAYS = 30
DEFAULT_SETTLEMENT_DAYS = 30  # Coface: 30 days from notification of insolvency (SPEC §7.3)
DEFAULT_INSURED_PCT = 0.90  # SPEC §7.1, approved limits
STRESS_LGD = 1.0

KINDS = {
    "base": "no change",
    "largest_default": "largest buyer by exposure defaults in week t (S1)",
    "top_n_default": "the top_n buyers by exposure default in week t (S2)",
    "buyer_default": "the named buyer defaults in week t",
    "delay": "every receipt is paid delay_days later (S3/S4)",
    "fx": "receipts in fx_currency move by shock; hedged_share at the forward rate (S5)",
    "group_default": "buyers of a region and/or sector default in week t, share or Vasicek-stressed (S6)",
    "revenue_drop": "new-sales receipts fall by revenue_drop from week 1 + ceil(terms/7) (S7)",
    "political": "buyers in country stop paying from week t; only political cover indemnifies",
    "combined": "the scenarios listed in combine, together (S8)",
}


# ----------------------------------------------------------------------------------------------
# Scenario spec


@dataclass(frozen=True)
class Scenario:
    """One stress scenario — one row of the Scenarios sheet (SPEC §8.2).

    ``kind`` is one of :data:`KINDS`; the other fields are its parameters (unused ones stay blank):
    ``week`` = default week, or the first week of a revenue drop (blank: 1 + ceil(terms/7));
    ``share`` = fraction of each selected buyer that defaults (1 = all); ``vasicek`` = replace
    ``share`` by the stressed conditional PD ``pᵢ(Z = Φ⁻¹(1 − quantile))`` with factor weight ``rho``,
    times LGD (SPEC §6.3, §8.2 S6); ``shock`` = change of the currency's value vs HC (−0.10 = −10 %);
    ``forward`` = forward rate of the hedged share (blank: spot); ``insurance`` = apply indemnities;
    ``combine`` = ids of the scenarios to combine.
    """

    id: str
    kind: str
    name_en: str = ""
    name_zh: str = ""
    week: int | None = None
    buyer: str | None = None
    top_n: int = 1
    delay_days: int = 0
    region: str | None = None
    sector: str | None = None
    country: str | None = None
    share: float = 1.0
    vasicek: bool = False
    rho: float = 0.20
    quantile: float = 0.99
    fx_currency: str | None = None
    shock: float = 0.0
    hedged_share: float = 0.0
    forward: float | None = None
    revenue_drop: float = 0.0
    terms_days: int | None = None
    scale_variable_costs: bool = False
    insurance: bool = True
    combine: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"scenario {self.id}: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.week is not None and not 1 <= self.week <= WEEKS:
            raise ValueError(f"scenario {self.id}: week must be 1..{WEEKS}, got {self.week}")
        if not 0 <= self.share <= 1 or not 0 <= self.hedged_share <= 1 or not 0 <= self.revenue_drop <= 1:
            raise ValueError(f"scenario {self.id}: share, hedged_share and revenue_drop must be in [0, 1]")
        if self.delay_days < 0 or self.top_n < 1:
            raise ValueError(f"scenario {self.id}: delay_days must be ≥ 0 and top_n ≥ 1")
        if self.kind == "buyer_default" and not self.buyer:
            raise ValueError(f"scenario {self.id}: buyer_default needs a buyer")
        if self.kind == "group_default" and not (self.region or self.sector):
            raise ValueError(f"scenario {self.id}: group_default needs a region or a sector")
        if self.kind == "political" and not self.country:
            raise ValueError(f"scenario {self.id}: political needs a country")
        if self.kind == "fx" and not self.fx_currency:
            raise ValueError(f"scenario {self.id}: fx needs fx_currency")
        if self.kind == "combined" and not self.combine:
            raise ValueError(f"scenario {self.id}: combined needs the ids to combine")


STANDARD_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("BASE", "base", "Base case", "基准情景"),
    Scenario("S1", "largest_default", "Largest buyer defaults (week 4)", "最大客户违约（第4周）", week=4),
    Scenario("S2", "top_n_default", "Top-3 buyers default (week 4)", "前三大客户违约（第4周）", week=4, top_n=3),
    Scenario("S3", "delay", "All payments 30 days late", "全部回款延迟30天", delay_days=30),
    Scenario("S4", "delay", "All payments 60 days late", "全部回款延迟60天", delay_days=60),
    Scenario("S5", "fx", "USD −10 %", "美元贬值10%", fx_currency="USD", shock=-0.10),
    Scenario("S6", "group_default", "South China sector stress (1-in-100)", "华南地区压力（百年一遇）",
             region="South China", vasicek=True, week=1),
    Scenario("S7", "revenue_drop", "Revenue −20 %", "收入下降20%", revenue_drop=0.20),
    Scenario("S8", "combined", "Largest default + 30 d delay + USD −10 %", "最大客户违约+延迟30天+美元贬值10%",
             combine=("S1", "S3", "S5")),
)


# ----------------------------------------------------------------------------------------------
# Receipts schedule


def _week_of(pay: np.ndarray, start: np.datetime64) -> np.ndarray:
    days = (pay.astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
    return np.floor_divide(days, 7) + 1


def receipts_from_invoices(ledger: pd.DataFrame, start, *, dbt: Mapping | pd.Series | None = None,
                           fx_rates: Mapping[str, float] | None = None, home_currency: str = "CNY",
                           overdue="week1", include_disputed: bool = False) -> pd.DataFrame:
    """Dated expected receipts of the open invoices (SPEC §8.1 receipt timing rule).

    ``pay_date = due_date + DBT(buyer)`` (``due_date`` blank ⇒ ``invoice_date + terms_days``; DBT from
    ``dbt``, a buyer → days mapping, 0 when missing); ``amount_hc = open_amount × FX``. Items expected
    before ``start`` are overdue: ``overdue="week1"`` puts them on ``start``; ``"drop"`` leaves them
    out; an integer n spreads each evenly over weeks 1..n. Disputed items are left out unless
    ``include_disputed``. Returns columns buyer_id, invoice_no, currency, pay_date, amount_hc, source.

    >>> led = pd.DataFrame({"invoice_no": ["1", "2"], "buyer_id": ["A", "B"], "currency": ["CNY", "USD"],
    ...     "due_date": pd.to_datetime(["2026-09-20", "2026-10-20"]), "amount": [100.0, 10.0]})
    >>> it = receipts_from_invoices(led, "2026-10-01", dbt={"B": 5}, fx_rates={"USD": 7.1})
    >>> it[["buyer_id", "pay_date", "amount_hc"]].to_dict("records")[1]["amount_hc"]
    71.0
    """
    start = np.datetime64(pd.Timestamp(start).date(), "D")
    df = ledger.copy()
    for col in ("buyer_id", "amount"):
        if col not in df:
            raise InputError(f"the ledger has no {col!r} column")
    paid = df["paid_amount"].fillna(0.0) if "paid_amount" in df else 0.0
    df["open"] = df["amount"].astype(float) - paid
    if "disputed" in df and not include_disputed:
        df = df[~df["disputed"].fillna(False).astype(bool)]
    df = df[df["open"].abs() > 0.005]
    due = pd.to_datetime(df["due_date"]) if "due_date" in df else pd.Series(pd.NaT, index=df.index)
    if due.isna().any():
        if "invoice_date" not in df or "terms_days" not in df:
            raise InputError("open invoices without a due date need invoice_date and terms_days")
        alt = pd.to_datetime(df["invoice_date"]) + pd.to_timedelta(df["terms_days"].astype(float), unit="D")
        due = due.fillna(alt)
    if due.isna().any():
        bad = df.loc[due.isna(), "invoice_no"].astype(str).head(3).tolist() if "invoice_no" in df else []
        raise InputError(f"{int(due.isna().sum())} open invoice(s) have no due date ({', '.join(bad)})")
    # a Series with unique buyers maps as the dict it stands for, without building the dict
    by_buyer = dbt if isinstance(dbt, pd.Series) and dbt.index.is_unique else dict(dbt) if dbt is not None else {}
    delay = df["buyer_id"].map(by_buyer).fillna(0.0).astype(float)
    pay = (due + pd.to_timedelta(delay.round(), unit="D")).to_numpy().astype("datetime64[D]")
    cur = df["currency"].astype(str).str.upper() if "currency" in df else pd.Series(home_currency, index=df.index)
    rates = {k.upper(): float(v) for k, v in (fx_rates or {}).items()}
    rates[home_currency.upper()] = 1.0
    missing = sorted(set(cur) - set(rates))
    if missing:
        raise InputError(f"no FX rate for {', '.join(missing)} to {home_currency}; add it to the Settings sheet")
    items = pd.DataFrame({
        "buyer_id": df["buyer_id"].astype(str).to_numpy(),
        "invoice_no": (df["invoice_no"].astype(str) if "invoice_no" in df else pd.Series("", index=df.index)).to_numpy(),
        "currency": cur.to_numpy(),
        "pay_date": pay,
        "amount_hc": (df["open"] * cur.map(rates)).to_numpy(dtype=float),
        "source": "ar",
    })
    late = items["pay_date"].to_numpy().astype("datetime64[D]") < start
    if overdue == "week1":
        items.loc[late, "pay_date"] = pd.Timestamp(start)
    elif overdue == "drop":
        items = items[~late]
    elif isinstance(overdue, int) and not isinstance(overdue, bool) and 1 <= overdue <= WEEKS:
        old = items[late]
        parts = [old.assign(pay_date=pd.Timestamp(start + np.timedelta64(7 * k, "D")),
                            amount_hc=old["amount_hc"] / overdue) for k in range(overdue)]
        items = pd.concat([items[~late], *parts], ignore_index=True)
    else:
        raise ValueError(f"overdue must be one of {OVERDUE_RULES} or a number of weeks 1..{WEEKS}, got {overdue!r}")
    return items.reset_index(drop=True)


_LINE_KEYS = ["buyer_id", "source", "currency"]


def _line_index(items: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The receipt lines of dated items: their distinct (buyer_id, source, currency), in order of first
    appearance, and each item's line number. The same for every delay, so a scenario run reuses it."""
    line = items.groupby(_LINE_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    first = np.unique(line, return_index=True)[1]  # lines are numbered in order of first appearance
    return items[_LINE_KEYS].iloc[first].reset_index(drop=True), line


def receipts_from_items(items: pd.DataFrame, start, delay_days: int = 0, *, _index=None) -> pd.DataFrame:
    """Bucket dated items into weekly lines: ``week = floor((pay_date + delay − start)/7) + 1``, weeks
    outside 1..13 dropped (SPEC §8.1). One line per buyer, source and currency."""
    start = np.datetime64(pd.Timestamp(start).date(), "D")
    pay = items["pay_date"].to_numpy().astype("datetime64[D]") + np.timedelta64(int(delay_days), "D")
    week = _week_of(pay, start)
    ok = (week >= 1) & (week <= WEEKS)
    uniq, line = _line_index(items) if _index is None else _index
    mat = np.zeros((len(uniq), WEEKS))
    np.add.at(mat, (line[ok], week[ok] - 1), items["amount_hc"].to_numpy(dtype=float)[ok])
    return pd.concat([uniq, pd.DataFrame(mat, columns=list(WEEK_COLUMNS))], axis=1)


def receipts_from_weekly(table, *, currency: Mapping | pd.Series | str | None = None,
                         source: str = "sales", fx_rates: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Receipt lines from a weekly receipts-by-buyer table (SPEC §8.4 style).

    ``table``: a mapping or Series buyer → constant weekly HC amount, or a DataFrame indexed by buyer
    with week columns 1..13 (HC). ``currency``: one code, or buyer → code, for lines received in a
    foreign currency (their HC amounts are at spot). ``source`` "sales" (default: a typed weekly table
    is trading receipts, so a revenue drop applies), "ar" or "other".

    >>> receipts_from_weekly({"A": 200_000, "B": 140_000}, currency={"B": "USD"})[[1, 13]].sum().tolist()
    [340000.0, 340000.0]
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if isinstance(table, pd.DataFrame):
        cols = [c for c in table.columns if c in WEEK_COLUMNS or str(c) in map(str, WEEK_COLUMNS)]
        if len(cols) != WEEKS:
            raise InputError(f"the weekly receipts table needs week columns 1..{WEEKS}, has {list(table.columns)}")
        mat = table[cols].to_numpy(dtype=float)
        buyers = table.index.astype(str)
    else:
        s = pd.Series(table, dtype=float)
        mat = np.repeat(s.to_numpy()[:, None], WEEKS, axis=1)
        buyers = s.index.astype(str)
    if isinstance(currency, str) or currency is None:
        cur = [currency or ""] * len(buyers)
    else:
        cmap = dict(currency)
        cur = [str(cmap.get(b, "") or "") for b in buyers]
    out = pd.DataFrame({"buyer_id": list(buyers), "source": source, "currency": [c.upper() for c in cur]})
    return pd.concat([out, pd.DataFrame(np.nan_to_num(mat), columns=list(WEEK_COLUMNS))], axis=1)


# ----------------------------------------------------------------------------------------------
# Forecast


def _weekly(x, name) -> np.ndarray:
    a = np.broadcast_to(np.asarray(0.0 if x is None else x, dtype=float), (WEEKS,)).astype(float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be {WEEKS} finite weekly amounts")
    return a


@dataclass
class CashForecast:
    """The base 13-week forecast (SPEC §8.1), in home currency.

    ``receipts``: receipt lines (buyer_id, source, currency, 1..13), see the module notes.
    ``buyers``: indexed by buyer_id; columns used when present: ``exposure`` (open AR, HC; ranks S1/S2
    and sizes losses), ``region``, ``sector``, ``country``, ``pd``, ``lgd``, ``insured_limit``,
    ``insured_pct``, ``indemnity`` (overrides pct × min(exposure, limit), e.g. from the insurance
    module), ``waiting_days``, ``settlement_days``, ``political_cover``.
    ``financing``: revolver draws (+) / repayments (−); ``drawn`` = amount drawn at the start, so
    ``liquidity[w] = ending_cash[w] + facility_limit − (drawn + Σ financing)``.
    ``spot``: FX spot rates (HC per unit) used for the receipts' HC amounts. ``items``: dated receipts
    behind the "ar" lines (from :func:`receipts_from_invoices`) with ``start``, so delays re-bucket by day.
    """

    opening_cash: float
    receipts: pd.DataFrame
    disbursements: object = 0.0
    buyers: pd.DataFrame | None = None
    financing: object = 0.0
    variable_disbursements: object = 0.0
    facility_limit: float = 0.0
    drawn: float = 0.0
    min_cash_buffer: float = 0.0
    min_liquidity: float = 0.0
    spot: Mapping[str, float] = field(default_factory=dict)
    terms_days: int = DEFAULT_TERMS_DAYS
    insured_pct: float = DEFAULT_INSURED_PCT
    waiting_days: int = 0
    settlement_days: int = DEFAULT_SETTLEMENT_DAYS
    lgd: float = STRESS_LGD
    items: pd.DataFrame | None = None
    start: object = None

    def __post_init__(self):
        self.disbursements = _weekly(self.disbursements, "disbursements")
        self.financing = _weekly(self.financing, "financing")
        self.variable_disbursements = _weekly(self.variable_disbursements, "variable_disbursements")
        missing = {"buyer_id", "source", "currency", *WEEK_COLUMNS} - set(self.receipts.columns)
        if missing:
            raise InputError(f"receipt lines lack columns {sorted(map(str, missing))}")
        self.receipts = self.receipts.reset_index(drop=True)
        ids = self.receipts["buyer_id"].astype(str).unique()
        if self.buyers is None:
            self.buyers = pd.DataFrame(index=pd.Index(ids, name="buyer_id"))
        else:
            self.buyers = self.buyers.copy()
            self.buyers.index = self.buyers.index.astype(str)
            listed = np.asarray(ids, dtype=object)  # receipt buyers missing from the buyer table, non-blank
            extra = listed[~pd.Index(listed).isin(self.buyers.index) & (listed != "")].tolist()
            if extra:
                self.buyers = pd.concat([self.buyers, pd.DataFrame(index=pd.Index(extra))])
        if self.items is not None and self.start is None:
            raise ValueError("dated receipt items need the forecast start date")

    def column(self, name: str, default) -> pd.Series:
        """A buyer column with blanks filled by ``default``."""
        if name in self.buyers:
            return self.buyers[name].where(self.buyers[name].notna(), default)
        return pd.Series(default, index=self.buyers.index, dtype=object if isinstance(default, str) else None)

    def exposure(self) -> pd.Series:
        """Open AR (HC) per buyer: the ``exposure`` column, else the receipts in the horizon."""
        if "exposure" in self.buyers:
            return self.buyers["exposure"].astype(float).fillna(0.0)
        by = self.receipts.groupby("buyer_id")[list(WEEK_COLUMNS)].sum().sum(axis=1)
        return by.reindex(self.buyers.index).fillna(0.0)

    def indemnity(self) -> pd.Series:
        """Insurer's payment if the whole buyer defaults: ``indemnity`` column, else
        ``insured_pct × min(exposure, insured_limit)`` (0 without a limit) (SPEC §6.1, §7.2 without NQL/AFL)."""
        exp = self.exposure()
        limit = self.column("insured_limit", np.nan).astype(float)
        pct = self.column("insured_pct", self.insured_pct).astype(float)
        calc = (pct * np.minimum(exp, limit)).fillna(0.0)
        if "indemnity" in self.buyers:
            return self.buyers["indemnity"].astype(float).where(self.buyers["indemnity"].notna(), calc)
        return calc


def claim_week(default_week, waiting_days=0, settlement_days=DEFAULT_SETTLEMENT_DAYS):
    """Week the indemnity is paid: ``t + ceil((waiting + settlement)/7)`` (SPEC §7.3, §8.4 S1b).

    >>> claim_week(4, 0, 30)
    9
    """
    w = np.asarray(default_week) + np.ceil((np.asarray(waiting_days, float) + settlement_days) / 7.0)
    w = w.astype(np.int64)
    return w.item() if w.ndim == 0 else w


# ----------------------------------------------------------------------------------------------
# Scenario engine


@dataclass
class StressResult:
    """One scenario's weekly table (receipts, indemnity, disbursements, financing, ending_cash, drawn,
    liquidity, headroom; index weeks 1..13) and its metrics (SPEC §8.3)."""

    scenario: Scenario
    weekly: pd.DataFrame
    metrics: dict


def _flatten(s: Scenario, library: Mapping[str, Scenario], seen=()) -> list[Scenario]:
    if s.kind != "combined":
        return [s]
    out = []
    for sid in s.combine:
        if sid in seen or sid == s.id:
            raise ValueError(f"scenario {s.id}: combination loops through {sid}")
        if sid not in library:
            raise ValueError(f"scenario {s.id}: combines unknown scenario {sid!r}")
        out += _flatten(library[sid], library, (*seen, s.id))
    return out


def _ranked(fc: CashForecast) -> list[str]:
    """Buyers by exposure, largest first; ties by higher PD, then id (SPEC §8.2 S2)."""
    exp = fc.exposure()
    pdv = fc.column("pd", 0.0).astype(float)
    order = pd.DataFrame({"e": exp, "p": pdv, "id": exp.index}).sort_values(["e", "p", "id"],
                                                                            ascending=[False, False, True])
    return order["id"].tolist()


def _default_events(s: Scenario, fc: CashForecast) -> dict[str, float]:
    """Buyer → defaulted share for a default-type scenario."""
    ids = fc.buyers.index
    if s.kind == "largest_default":
        return {b: s.share for b in _ranked(fc)[:1]}
    if s.kind == "top_n_default":
        return {b: s.share for b in _ranked(fc)[: s.top_n]}
    if s.kind == "buyer_default":
        if s.buyer not in ids:
            raise InputError(f"scenario {s.id}: buyer {s.buyer!r} is not in the buyer list")
        return {s.buyer: s.share}
    if s.kind == "political":
        sel = fc.column("country", "").astype(str).str.upper() == s.country.upper()
        return {b: s.share for b in ids[sel.to_numpy()]}
    if s.kind == "group_default":
        sel = np.ones(len(ids), dtype=bool)
        if s.region:
            sel &= (fc.column("region", "").astype(str).str.casefold() == s.region.casefold()).to_numpy()
        if s.sector:
            sel &= (fc.column("sector", "").astype(str).str.casefold() == s.sector.casefold()).to_numpy()
        chosen = ids[sel]
        if not s.vasicek:
            return {b: s.share for b in chosen}
        pdv = fc.column("pd", np.nan).astype(float)[chosen]
        if pdv.isna().any():
            raise InputError(f"scenario {s.id}: Vasicek stress needs a pd for buyers "
                             f"{', '.join(pdv.index[pdv.isna()][:5])}")
        lgd = fc.column("lgd", fc.lgd).astype(float)[chosen]
        stressed = np.asarray(vasicek_pd(pdv.to_numpy(), s.rho, ndtri(1.0 - s.quantile))) * lgd.to_numpy()
        return dict(zip(chosen, s.share * stressed, strict=True))
    return {}


def _dated_lines(fc: CashForecast) -> tuple[tuple[pd.DataFrame, np.ndarray], pd.DataFrame]:
    """What a delay scenario re-buckets: the receipt lines of ``fc.items`` (see :func:`_line_index`) and
    the receipt lines that do not come from them (shifted by whole weeks instead)."""
    index = _line_index(fc.items)
    from_items = fc.receipts.merge(index[0], on=_LINE_KEYS, how="left", indicator=True)
    return index, fc.receipts[(from_items["_merge"] == "left_only").to_numpy()]


def run_scenario(fc: CashForecast, scenario: Scenario, library: Mapping[str, Scenario] | None = None,
                 base: StressResult | None = None, *, _dated=None) -> StressResult:
    """Apply one scenario to the forecast and measure it (SPEC §8.2–8.3).

    ``library`` resolves the ids of a combined scenario; ``base`` (the BASE result) gives impact_vs_base.
    ``_dated``: a list shared by the scenarios of one run, caching :func:`_dated_lines` of ``fc``.
    Steps: payment delays re-bucket the receipts, defaults cut them (and bring indemnities), revenue and
    FX shocks scale them, then the weekly cash and its metrics.
    """
    parts = _flatten(scenario, library or {})
    lines = _delayed_lines(fc, sum(p.delay_days for p in parts if p.kind == "delay"), _dated)
    mat = lines[list(WEEK_COLUMNS)].to_numpy(dtype=float).copy()
    defaulted = _defaults(fc, parts)
    indemnity, losses = _apply_defaults(fc, defaulted, mat, lines["buyer_id"].astype(str).to_numpy())
    variable = _apply_shocks(fc, parts, lines, mat)
    receipts = mat.sum(axis=0)
    weekly = _weekly_cash(fc, receipts, indemnity, fc.disbursements + variable)
    metrics = stress_metrics(weekly["ending_cash"].to_numpy(), weekly["liquidity"].to_numpy(),
                             min_cash_buffer=fc.min_cash_buffer, min_liquidity=fc.min_liquidity,
                             base_ending_cash=None if base is None else base.weekly["ending_cash"].to_numpy())
    base_receipts = float(fc.receipts[list(WEEK_COLUMNS)].to_numpy().sum())
    metrics.update(
        receipts_lost=base_receipts - float(receipts.sum()),
        **losses,
        indemnity_in_horizon=float(indemnity.sum()),
        defaulted=", ".join(sorted(defaulted)),
    )
    return StressResult(scenario, weekly, metrics)


def _delayed_lines(fc: CashForecast, delay: int, _dated) -> pd.DataFrame:
    """The receipt lines with every payment ``delay`` days later: dated items re-bucketed by day, the other
    lines shifted by whole weeks."""
    if not delay:
        return fc.receipts
    if fc.items is None:
        return _shift(fc.receipts, math.ceil(delay / 7))
    if _dated is None:
        _dated = []
    if not _dated:
        _dated.append(_dated_lines(fc))
    index, rest = _dated[0]
    dated = receipts_from_items(fc.items, fc.start, delay, _index=index)
    return pd.concat([dated, _shift(rest, math.ceil(delay / 7))], ignore_index=True)


def _defaults(fc: CashForecast, parts: list[Scenario]) -> dict[str, tuple[float, int, bool]]:
    """Buyer → (defaulted share, default week, insured) over the scenario's parts."""
    political_cover = fc.column("political_cover", False)
    defaulted: dict[str, tuple[float, int, bool]] = {}
    for p in parts:
        t = p.week or 1
        for b, share in _default_events(p, fc).items():
            covered = p.insurance and (p.kind != "political" or bool(political_cover[b]))
            if b in defaulted:  # the same buyer hit by two combined scenarios: worst share, earliest week
                s0, t0, c0 = defaulted[b]
                share, t, covered = max(share, s0), min(t, t0), covered or c0
            defaulted[b] = (share, t, covered)
    return defaulted


def _apply_defaults(fc: CashForecast, defaulted: Mapping[str, tuple[float, int, bool]], mat: np.ndarray,
                    buyer_of: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """Cut the defaulted buyers' receipts (``mat``, in place) from their default week; the indemnities paid
    per week within the horizon, and the scenario's gross and net loss and total indemnity."""
    indemnity = np.zeros(WEEKS)
    losses = {"loss_gross": 0.0, "loss_net": 0.0, "indemnity_total": 0.0}
    if not defaulted:
        return indemnity, losses
    # all defaulted buyers at once: a regional default may hit tens of thousands of buyers
    weeks = np.arange(1, WEEKS + 1)
    ids = pd.Index(list(defaulted), dtype=object)
    share = np.array([v[0] for v in defaulted.values()], dtype=float)
    week = np.array([v[1] for v in defaulted.values()], dtype=np.int64)
    covered = np.array([v[2] for v in defaulted.values()], dtype=bool)
    pos = ids.get_indexer(buyer_of)
    hit = pos >= 0
    if hit.any():
        mat[hit] *= np.where(weeks[None, :] >= week[pos[hit]][:, None], 1.0 - share[pos[hit]][:, None], 1.0)
    e = fc.exposure().reindex(ids).fillna(0.0).to_numpy(dtype=float)
    i = np.where(covered, fc.indemnity().reindex(ids).fillna(0.0).to_numpy(dtype=float), 0.0)
    loss_rate = share * fc.column("lgd", fc.lgd).astype(float).loc[ids].to_numpy(dtype=float)
    paid = share * np.minimum(i, e)
    losses = {"loss_gross": float((loss_rate * e).sum()), "loss_net": float((loss_rate * (e - np.minimum(i, e))).sum()),
              "indemnity_total": float(paid.sum())}
    cw = np.atleast_1d(claim_week(
        week, fc.column("waiting_days", fc.waiting_days).astype(float).loc[ids].to_numpy(),
        fc.column("settlement_days", fc.settlement_days).astype(float).loc[ids].to_numpy()))
    due = (cw <= WEEKS) & (paid != 0)
    np.add.at(indemnity, cw[due] - 1, paid[due])
    return indemnity, losses


def _apply_shocks(fc: CashForecast, parts: list[Scenario], lines: pd.DataFrame, mat: np.ndarray) -> np.ndarray:
    """Revenue drops and FX shocks on the receipts (``mat``, in place); the variable disbursements after them."""
    weeks = np.arange(1, WEEKS + 1)
    variable = fc.variable_disbursements.copy()
    for p in parts:
        if p.kind == "revenue_drop":
            t = p.week or 1 + math.ceil((p.terms_days if p.terms_days is not None else fc.terms_days) / 7)
            sales = (lines["source"] == "sales").to_numpy()
            mat[sales[:, None] & (weeks >= t)[None, :]] *= 1.0 - p.revenue_drop
            if p.scale_variable_costs:
                variable[weeks >= t] *= 1.0 - p.revenue_drop
        elif p.kind == "fx":
            cur = p.fx_currency.upper()
            spot = fc.spot.get(cur)
            if spot is None and p.hedged_share and p.forward is not None:
                raise InputError(f"scenario {p.id}: no spot rate for {cur} to value the forward")
            fwd_ratio = 1.0 if p.forward is None else p.forward / spot
            factor = (1.0 - p.hedged_share) * (1.0 + p.shock) + p.hedged_share * fwd_ratio
            mat[(lines["currency"].astype(str).str.upper() == cur).to_numpy()] *= factor
    return variable


def _weekly_cash(fc: CashForecast, receipts: np.ndarray, indemnity: np.ndarray, disb: np.ndarray) -> pd.DataFrame:
    """The weekly table: receipts, indemnity, disbursements, financing, ending cash, drawn, liquidity, headroom."""
    weekly = pd.DataFrame({
        "receipts": receipts,
        "indemnity": indemnity,
        "disbursements": disb,
        "financing": fc.financing,
    }, index=pd.Index(np.arange(1, WEEKS + 1), name="week"))
    weekly["ending_cash"] = fc.opening_cash + np.cumsum(receipts + indemnity - disb + fc.financing)
    weekly["drawn"] = fc.drawn + np.cumsum(fc.financing)
    weekly["liquidity"] = weekly["ending_cash"] + fc.facility_limit - weekly["drawn"]
    weekly["headroom"] = weekly["liquidity"] - fc.min_liquidity
    return weekly


def _shift(lines: pd.DataFrame, k: int) -> pd.DataFrame:
    """Weekly-only delay: receipts move k weeks later; the first k weeks receive nothing (SPEC §8.2 S3)."""
    out = lines.copy()
    mat = lines[list(WEEK_COLUMNS)].to_numpy(dtype=float)
    shifted = np.zeros_like(mat)
    if k < WEEKS:
        shifted[:, k:] = mat[:, : WEEKS - k]
    out[list(WEEK_COLUMNS)] = shifted
    return out


def _first(mask: np.ndarray):
    idx = np.flatnonzero(mask)
    return int(idx[0]) + 1 if idx.size else None


def stress_metrics(ending_cash, liquidity=None, *, min_cash_buffer=0.0, min_liquidity=0.0,
                   base_ending_cash=None) -> dict:
    """SPEC §8.3 metrics of one weekly path (weeks numbered from 1; ``None`` = never).

    >>> m = stress_metrics([130_000, -20_000, -10_000], [1_130_000, 980_000, 990_000])
    >>> m["min_cash"], m["week_of_min"], m["first_negative_week"], m["runway_weeks"], m["runway"]
    (-20000.0, 2, 2, 1, '1')
    """
    cash = np.asarray(ending_cash, dtype=float)
    liq = cash if liquidity is None else np.asarray(liquidity, dtype=float)
    i_min = int(np.argmin(cash))
    first_neg = _first(cash < 0)
    runway = len(cash) if first_neg is None else first_neg - 1
    out = {
        "min_cash": float(cash[i_min]),
        "week_of_min": i_min + 1,
        "first_negative_week": first_neg,
        "first_buffer_breach": _first(cash < min_cash_buffer),
        "runway_weeks": runway,
        "runway": f"≥{len(cash)}" if first_neg is None else str(runway),
        "min_liquidity": float(liq.min()),
        "funding_gap_week": _first(liq < 0),
        "min_headroom": float((liq - min_liquidity).min()),
        "peak_funding_need": max(0.0, -float(cash.min())),
        "end_cash": float(cash[-1]),
        "impact_vs_base": None if base_ending_cash is None else float(np.asarray(base_ending_cash)[-1] - cash[-1]),
    }
    return out


def run_stress(fc: CashForecast, scenarios: Iterable[Scenario] = STANDARD_SCENARIOS,
               ) -> tuple[list[StressResult], pd.DataFrame]:
    """Run BASE and every scenario; returns the results and one metrics row per scenario.

    The base case is always run first (added when the list has no ``base`` scenario) so every row
    carries ``impact_vs_base``; a combined scenario may name any scenario of the list.
    """
    scen = list(scenarios)
    library = {s.id: s for s in scen}
    if len(library) != len(scen):
        raise ValueError("scenario ids must be unique")
    base_s = next((s for s in scen if s.kind == "base"), Scenario("BASE", "base", "Base case", "基准情景"))
    base = run_scenario(fc, base_s)
    base.metrics["impact_vs_base"] = 0.0
    dated: list = []  # filled by the first delay scenario, reused by the others
    results = []
    for s in scen:
        results.append(base if s is base_s else run_scenario(fc, s, library, base, _dated=dated))
    if base_s not in scen:
        results.insert(0, base)
    rows = [{"id": r.scenario.id, "name_en": r.scenario.name_en, "name_zh": r.scenario.name_zh, **r.metrics}
            for r in results]
    return results, pd.DataFrame(rows).set_index("id")

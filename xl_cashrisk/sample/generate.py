"""Deterministic generator of the embedded sample portfolio (buyer register, AR ledger, seller figures).

One ``numpy.random.Generator`` seeded with a fixed number drives every draw, in a fixed order, over
tuples and arrays only (no set or hash ordering, no clock), so :func:`load_sample` gives the same frames
on every call and platform. The data tells one story that every demo should reveal:

* **concentration** — one large Guangdong electronics buyer holds about 22 % of open receivables, its
  insurer limit covers a fraction of that, and it has started to pay late since mid-2026;
* **a region in trouble** — Henan buyers (mostly construction-linked) pay later every month of 2026,
  and three of them stopped paying altogether (large balances more than 90 days past due);
* buyer quality drives both payment behaviour and financial statements, so scoring the register tells
  the same story as ageing the ledger (defaults sit in Altman's distress zone).

Column keys follow the data model agreed for the templates (``BUYER_COLUMNS``, ``LEDGER_COLUMNS``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk.sample import names
from xl_cashrisk.settings import Settings

DEFAULT_SEED = 20261126
AS_OF = dt.date(2026, 9, 30)
FIRST_INVOICE = dt.date(2025, 10, 1)
HOME_CURRENCY = "CNY"
FX_RATES = {"CNY": 1.0, "USD": 7.10, "EUR": 7.75}  # CNY per unit
TERMS = (30, 45, 60, 90)
SECTORS = ("machinery", "consumer_goods", "pharma", "electronics", "chemicals", "textiles", "retail",
           "construction", "automotive", "food")
TROUBLED_PROVINCE = "Henan"
TOP_BUYER_SHARE = 0.22  # target share of open AR held by the concentration buyer
TOP_BUYER_NAME = "深圳宏远智能电子股份有限公司"
SELLER_NAME = "浙江华锐进出口有限公司 (Zhejiang Huarui Import & Export Co., Ltd.)"
N_INVOICES = 21_000  # approximate number of invoice lines (credit notes come on top)
N_DISPUTES = 70

LEDGER_COLUMNS = ("invoice_no", "buyer_id", "buyer_name", "doc_type", "invoice_date", "terms_days",
                  "due_date", "currency", "amount", "paid_amount", "last_payment_date", "disputed", "note")
FS_COLUMNS = ("total_assets", "total_assets_prev", "total_liabilities", "current_assets",
              "current_assets_prev", "current_liabilities", "current_liabilities_prev", "cash", "inventory",
              "receivables", "retained_earnings", "ebit", "sales", "sales_prev", "cogs", "cogs_prev",
              "net_income", "net_income_prev", "cfo", "long_term_debt", "long_term_debt_prev", "equity_book",
              "tangible_net_worth")
BUYER_COLUMNS = ("buyer_id", "buyer_name", "country", "province", "region", "sector", "years_in_business",
                 "employees", *FS_COLUMNS, "equity_issued", "fs_year", "insurer_limit", "requested_limit",
                 "negative_events", "listed", "payment_terms_days")
BALANCE_ITEMS = ("cash", "marketable_securities", "receivables", "inventory", "prepaids", "current_assets",
                 "accounts_payable", "short_term_debt", "other_current_liabilities", "current_liabilities")
PROFILES = ("prompt", "normal", "late", "default", "concentration")

_DAY0 = np.datetime64(FIRST_INVOICE.isoformat(), "D")
_T_ASOF = (AS_OF - FIRST_INVOICE).days  # day index of the as-of date (364)
_N_DAYS = _T_ASOF + 1


def _day(date: dt.date) -> int:
    return (date - FIRST_INVOICE).days


_T_2026 = _day(dt.date(2026, 1, 1))  # Henan's slide starts with the new year
_T_TOP_LATE = _day(dt.date(2026, 5, 1))  # the concentration buyer starts to slip
_HOLIDAYS = ((dt.date(2025, 10, 1), dt.date(2025, 10, 8)), (dt.date(2026, 2, 15), dt.date(2026, 2, 23)),
             (dt.date(2026, 5, 1), dt.date(2026, 5, 5)))
_QUARTER_ENDS = (dt.date(2025, 9, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31), dt.date(2026, 6, 30),
                 AS_OF)
# Asset turnover (sales / total assets) and gross margin by sector: the shape of typical statements.
_TURNOVER = {"machinery": 0.9, "consumer_goods": 1.4, "pharma": 0.7, "electronics": 1.2, "chemicals": 0.9,
             "textiles": 1.3, "retail": 2.0, "construction": 0.8, "automotive": 1.1, "food": 1.6}
_GROSS_MARGIN = {"machinery": 0.24, "consumer_goods": 0.28, "pharma": 0.40, "electronics": 0.20,
                 "chemicals": 0.22, "textiles": 0.18, "retail": 0.25, "construction": 0.15, "automotive": 0.17,
                 "food": 0.22}
_DISPUTE_NOTES = ("质量争议 quality dispute", "数量短缺争议 short-delivery dispute", "价格争议 price dispute")
_CN_NOTES = ("退货 goods returned", "价格折让 price allowance", "质量折让 quality allowance",
             "返利 volume rebate")


@dataclass
class SamplePortfolio:
    """The embedded sample: buyer register, AR ledger, settings, the seller's own quarterly figures.

    ``profiles`` is the answer key (buyer_id → profile, one of :data:`PROFILES`, and whether the buyer is
    in the troubled province) that demos and tests use to check that the analyses find the story.
    """

    buyers: pd.DataFrame
    ledger: pd.DataFrame
    settings: Settings
    company: pd.DataFrame
    story: dict[str, str]
    seller_name: str = SELLER_NAME
    profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    highlights: dict[str, object] = field(default_factory=dict)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Buyers and ledger in data-model column order, and the seller's quarterly figures."""
        return {"buyers": self.buyers.loc[:, list(BUYER_COLUMNS)].copy(),
                "ledger": self.ledger.loc[:, list(LEDGER_COLUMNS)].copy(),
                "company": self.company.copy()}

    def fingerprint(self) -> str:
        """SHA-256 of a canonical CSV dump of the three frames (changes whenever any value changes)."""
        h = hashlib.sha256()
        for key, frame in self.to_frames().items():
            h.update(key.encode())
            h.update(frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode("utf-8"))
        return h.hexdigest()

    def copy(self) -> SamplePortfolio:
        return SamplePortfolio(
            buyers=self.buyers.copy(), ledger=self.ledger.copy(), settings=copy.deepcopy(self.settings),
            company=self.company.copy(), story=dict(self.story), seller_name=self.seller_name,
            profiles=self.profiles.copy(), highlights=copy.deepcopy(self.highlights))


def load_sample(seed: int = DEFAULT_SEED) -> SamplePortfolio:
    """The sample portfolio for ``seed`` (generated once per process, then copied on each call).

    >>> s = load_sample()
    >>> len(s.buyers), s.settings.as_of.isoformat(), s.settings.fx("USD")
    (300, '2026-09-30', 7.1)
    """
    return _build(int(seed)).copy()


def sample_settings() -> Settings:
    """Settings of the sample: as of 2026-09-30, home currency CNY, USD 7.10 and EUR 7.75."""
    return Settings(as_of=AS_OF, home_currency=HOME_CURRENCY, fx_rates=dict(FX_RATES))


# --------------------------------------------------------------------------------------------- buyers

def _draw_keys(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _layout(rng: np.random.Generator) -> pd.DataFrame:
    """Country, province, region, sector, city and invoice currency of every buyer."""
    parts = []
    for province, region, n, cities, weights in names.PROVINCES:
        parts.append(pd.DataFrame({
            "country": "CN", "province": province, "region": region,
            "sector": _draw_keys(rng, weights, n),
            "city": np.array(cities, dtype=object)[rng.integers(0, len(cities), n)],
            "currency": "CNY"}))
    for iso, region, n, currency, _forms, _words in names.COUNTRIES:
        parts.append(pd.DataFrame({
            "country": iso, "province": None, "region": region,
            "sector": _draw_keys(rng, names.EXPORT_SECTOR_WEIGHTS, n), "city": None, "currency": currency}))
    return pd.concat(parts, ignore_index=True)


def _names(rng: np.random.Generator, lay: pd.DataFrame, listed: np.ndarray, top: int) -> list[str]:
    forms = {c[0]: c[4] for c in names.COUNTRIES}
    words = {c[0]: c[5] for c in names.COUNTRIES}
    used = {TOP_BUYER_NAME}
    out = []
    for i, row in enumerate(lay.itertuples(index=False)):
        if i == top:
            out.append(TOP_BUYER_NAME)
            continue
        while True:
            if row.country == "CN":
                first, second = names.ZH_FIRST, names.ZH_SECOND
                trade = first[rng.integers(len(first))] + second[rng.integers(len(second))]
                word = names.ZH_SECTOR_WORDS[row.sector]
                suffix = "股份有限公司" if listed[i] else "有限公司"
                name = f"{row.city}{trade}{word[rng.integers(len(word))]}{suffix}"
            else:
                local = names.LOCAL_SECTOR_WORDS.get(row.country)
                sector_words = names.EN_SECTOR_WORDS[row.sector]
                sw = local[row.sector] if local else sector_words[rng.integers(len(sector_words))]
                w, f = words[row.country], forms[row.country]
                name = f"{w[rng.integers(len(w))]} {sw} {f[rng.integers(len(f))]}"
            if name not in used:
                used.add(name)
                out.append(name)
                break
    return out


def _buyers(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Buyer attributes plus the latent drivers (quality, sales to the buyer, payment behaviour)."""
    lay = _layout(rng)
    n = len(lay)
    domestic = (lay["country"] == "CN").to_numpy()
    henan = (lay["province"] == TROUBLED_PROVINCE).to_numpy()
    top = 0  # the first Guangdong row becomes the concentration buyer
    lay.loc[top, ["sector", "city"]] = ["electronics", "深圳"]

    quality = rng.standard_normal(n) - 0.5 * henan
    sales = np.minimum(rng.lognormal(np.log(1.2e6), 0.95, n), 2.5e7) * np.where(domestic, 1.0, 1.3)
    quality[top], sales[top] = 0.4, 9.0e7

    idx = np.arange(n)
    others = (idx != top)
    pool_h = idx[henan & others]
    # Three more defaulters elsewhere, one each in different large groups, so that no small group
    # looks like a second troubled region.
    group = lay["province"].fillna(lay["country"]).to_numpy(dtype=object)
    sizes = pd.Series(group).value_counts()
    pool_o = idx[~henan & others & (pd.Series(group).map(sizes).to_numpy() >= 18)]
    picked: list[int] = []
    for i in pool_o[np.argsort(quality[pool_o], kind="stable")]:
        if len(picked) < 3 and all(group[j] != group[i] for j in picked):
            picked.append(int(i))
    defaults = np.sort(np.concatenate([pool_h[np.argsort(quality[pool_h], kind="stable")[:3]], picked]))
    quality[defaults] = np.minimum(quality[defaults], -1.7) - 0.3 * np.abs(rng.standard_normal(len(defaults)))
    sales[defaults] = rng.uniform(2.5e6, 7.0e6, len(defaults))

    # Behaviour follows quality with noise: bottom 15 % chronic late, next 35 % normal, rest prompt.
    profile = np.full(n, "prompt", dtype=object)
    profile[defaults] = "default"
    profile[top] = "concentration"
    rest = idx[profile == "prompt"]
    order = rest[np.argsort(quality[rest] + 0.6 * rng.standard_normal(len(rest)), kind="stable")]
    n_late, n_norm = round(0.15 * len(rest)), round(0.35 * len(rest))
    profile[order[:n_late]] = "late"
    profile[order[n_late:n_late + n_norm]] = "normal"

    mu = np.select([profile == "prompt", profile == "normal", profile == "late", profile == "default"],
                   [rng.uniform(-4, 4, n), rng.uniform(5, 20, n), rng.uniform(30, 90, n),
                    rng.uniform(10, 30, n)], 0.0)
    sd = np.select([profile == "prompt", profile == "normal", profile == "late", profile == "default"],
                   [4.0, 8.0, 15.0, 10.0], 3.0)
    early = (profile == "prompt") & (rng.random(n) < 0.2)  # take the early-payment discount
    mu[early] = rng.uniform(-12, -6, early.sum())
    slope = np.where(henan, rng.uniform(5, 9, n), 0.0)  # extra days late per month of 2026
    p_partial = np.select([profile == "normal", profile == "late", profile == "default"], [0.08, 0.2, 0.35],
                          0.03)
    stop = np.full(n, 10**6)
    stop[defaults] = rng.integers(_day(dt.date(2026, 2, 25)), _day(dt.date(2026, 5, 31)), len(defaults))
    last_sale = np.where(profile == "default", stop + rng.integers(20, 60, n), _T_ASOF)

    terms = np.where(domestic, rng.choice(TERMS, n, p=[0.3, 0.3, 0.3, 0.1]),
                     rng.choice(TERMS, n, p=[0.1, 0.1, 0.4, 0.4]))
    terms[top] = 90
    # A few domestic buyers in bonded zones are invoiced in USD.
    usd_dom = domestic & (rng.random(n) < 0.03) & (idx != top)
    lay.loc[usd_dom, "currency"] = "USD"

    listed = (sales > 8e6) & (rng.random(n) < 0.5)
    listed[top] = True
    lay["buyer_name"] = _names(rng, lay, listed, top)
    perm = rng.permutation(n)
    lay.insert(0, "buyer_id", [f"B{k + 1:04d}" for k in perm])
    lay["listed"] = listed
    lay["payment_terms_days"] = terms
    drivers = {"quality": quality, "sales": sales, "profile": profile, "mu": mu, "sd": sd, "slope": slope,
               "p_partial": p_partial, "stop": stop, "last_sale": last_sale, "henan": henan,
               "domestic": domestic, "top": np.asarray(idx == top), "fx": lay["currency"].map(FX_RATES)
               .to_numpy(float)}
    return lay, drivers


# --------------------------------------------------------------------------------------------- ledger

def _day_weights() -> np.ndarray:
    t = np.arange(_N_DAYS)
    w = np.where((FIRST_INVOICE.weekday() + t) % 7 >= 5, 0.15, 1.0)
    for lo, hi in _HOLIDAYS:
        w[_day(lo):_day(hi) + 1] = 0.1
    return w


def _invoices(rng: np.random.Generator, lay: pd.DataFrame, d: dict[str, np.ndarray]) -> pd.DataFrame:
    sales, top = d["sales"], d["top"]
    count = sales ** 0.55
    n_top = 850
    count = np.where(top, n_top, np.maximum(np.rint(count * (N_INVOICES - n_top) / count[~top].sum()), 8))
    count = count.astype(np.int64)
    base = _day_weights()
    t = np.arange(_N_DAYS)
    days = []
    for i in range(len(lay)):
        w = base.copy()
        if d["henan"][i]:
            w *= 1.0 - 0.45 * t / _T_ASOF  # orders dry up as the region slows
        if top[i]:
            w *= 1.0 + 0.3 * t / _T_ASOF  # ever more of the business goes to one buyer
        w[t > d["last_sale"][i]] = 0.0
        days.append(np.sort(rng.choice(_N_DAYS, size=count[i], p=w / w.sum())))
    b = np.repeat(np.arange(len(lay)), count)
    inv = pd.DataFrame({"b": b, "t": np.concatenate(days)})
    size = sales[b] / count[b] * rng.lognormal(-0.18, 0.6, len(b))
    inv["amount"] = np.maximum(np.round(size / d["fx"][b], 2), 100.0)
    own = lay["payment_terms_days"].to_numpy()[b]
    inv["terms"] = np.where(rng.random(len(b)) < 0.9, own, rng.choice(TERMS, len(b)))
    inv["buyer_id"] = lay["buyer_id"].to_numpy()[b]
    inv = inv.sort_values(["t", "buyer_id"], kind="stable", ignore_index=True)
    inv["invoice_no"] = _numbers("INV", inv["t"].to_numpy(), 5)
    return inv


def _numbers(prefix: str, t: np.ndarray, width: int) -> np.ndarray:
    """Document numbers PREFIX-YYMM-NNNNN, numbered within each month in the (sorted) row order."""
    months = pd.Series((_DAY0 + t.astype("timedelta64[D]")).astype("datetime64[M]"))
    yymm = months.dt.strftime("%y%m")
    seq = months.groupby(months).cumcount() + 1
    return (prefix + "-" + yymm + "-" + seq.astype(str).str.zfill(width)).to_numpy(dtype=object)


def _payments(rng: np.random.Generator, inv: pd.DataFrame, d: dict[str, np.ndarray]) -> None:
    """Pay date from each buyer's behaviour; paid, partly paid and open items as at the as-of date."""
    b, t = inv["b"].to_numpy(), inv["t"].to_numpy()
    amount = inv["amount"].to_numpy()
    n = len(inv)
    due = t + inv["terms"].to_numpy()
    trend = d["slope"][b] * np.maximum(due - _T_2026, 0) / 30 + np.where(
        d["top"][b], 0.3 * np.maximum(due - _T_TOP_LATE, 0), 0.0)
    pay = np.maximum(due + np.rint(d["mu"][b] + d["sd"][b] * rng.standard_normal(n) + trend), t + 2)
    pay = pay.astype(np.int64)
    unpaid = pay > np.minimum(d["stop"][b], _T_ASOF)
    paid_amount = np.where(unpaid, 0.0, amount)
    last = np.where(unpaid, -1, pay)
    note = np.full(n, None, dtype=object)

    # Export buyers' banks sometimes deduct their charges: a small residual stays open.
    short = ~unpaid & ~d["domestic"][b] & (rng.random(n) < 0.04)
    paid_amount[short] = np.round(amount[short] - rng.uniform(15, 45, short.sum()), 2)
    note[short] = "银行扣费 bank charges deducted"

    # Partial payments on open items (instalments; defaulters only before they stopped paying).
    upper = np.minimum(_T_ASOF, d["stop"][b])
    lower = t + 7
    part = unpaid & (t <= _T_ASOF - 20) & (upper >= lower) & (rng.random(n) < d["p_partial"][b])
    frac = rng.uniform(0.15, 0.8, n)
    when = lower + np.floor(rng.random(n) * (upper - lower + 1)).astype(np.int64)
    paid_amount[part] = np.round(amount[part] * frac[part], 2)
    last[part] = when[part]

    # Disputes: recent invoices held back in full or in part (the concentration buyer raises four).
    cand = np.flatnonzero((due <= _T_ASOF - 10) & (t >= _T_ASOF - 240) & (d["profile"][b] != "default")
                          & ~d["top"][b])
    top_cand = np.flatnonzero(d["top"][b] & (due >= _T_ASOF - 60) & (due <= _T_ASOF - 10))
    disp = np.sort(np.concatenate([rng.choice(cand, N_DISPUTES - 4, replace=False),
                                   rng.choice(top_cand, 4, replace=False)]))
    held = rng.random(len(disp)) < 0.6
    share = rng.uniform(0.5, 0.9, len(disp))
    paid_amount[disp] = np.where(held, 0.0, np.round(amount[disp] * share, 2))
    last[disp] = np.where(held, -1, np.clip(due[disp] + rng.integers(0, 21, len(disp)), t[disp] + 1, _T_ASOF))
    note[disp] = np.array(_DISPUTE_NOTES, dtype=object)[rng.integers(0, len(_DISPUTE_NOTES), len(disp))]
    disputed = np.zeros(n, dtype=bool)
    disputed[disp] = True

    inv["doc_type"] = "INV"
    inv["due"] = due
    inv["paid_amount"] = paid_amount
    inv["last"] = last
    inv["disputed"] = disputed
    inv["note"] = note


def _credit_notes(rng: np.random.Generator, inv: pd.DataFrame) -> pd.DataFrame:
    """About 2 % credit notes against earlier invoices: returns, allowances, rebates (negative amounts)."""
    n_cn = round(0.021 * len(inv))
    src = inv.iloc[np.sort(rng.choice(len(inv), n_cn, replace=False))]
    t = src["t"].to_numpy() + rng.integers(3, 46, n_cn)
    full = rng.random(n_cn) < 0.08
    ratio = np.where(full, 1.0, rng.uniform(0.02, 0.25, n_cn))
    amount = -np.round(src["amount"].to_numpy() * ratio, 2)
    applied_on = t + rng.integers(0, 21, n_cn)
    applied = applied_on <= _T_ASOF
    reason = np.array(_CN_NOTES, dtype=object)[np.where(full, 0, rng.integers(1, len(_CN_NOTES), n_cn))]
    cn = pd.DataFrame({
        "b": src["b"].to_numpy(), "t": t, "amount": amount, "terms": 0, "buyer_id": src["buyer_id"].to_numpy(),
        "doc_type": "CN", "due": t, "paid_amount": np.where(applied, amount, 0.0),
        "last": np.where(applied, applied_on, -1), "disputed": False,
        "note": reason + " · " + src["invoice_no"].to_numpy(dtype=object)})
    cn = cn[cn["t"] <= _T_ASOF].sort_values(["t", "buyer_id"], kind="stable", ignore_index=True)
    cn["invoice_no"] = _numbers("CN", cn["t"].to_numpy(), 4)
    return cn


def _calibrate_top(items: pd.DataFrame, d: dict[str, np.ndarray]) -> float:
    """Scale the concentration buyer's documents so that it holds TOP_BUYER_SHARE of open AR."""
    fx = d["fx"][items["b"].to_numpy()]
    open_hc = (items["amount"] - items["paid_amount"]).to_numpy() * fx
    on_top = d["top"][items["b"].to_numpy()]
    a, r = open_hc[on_top].sum(), open_hc[~on_top].sum()
    k = TOP_BUYER_SHARE * r / ((1 - TOP_BUYER_SHARE) * a)
    amount = items.loc[on_top, "amount"].to_numpy()
    paid = items.loc[on_top, "paid_amount"].to_numpy()
    new_amount = np.round(amount * k, 2)
    items.loc[on_top, "amount"] = new_amount
    items.loc[on_top, "paid_amount"] = np.where(paid == amount, new_amount, np.round(paid * k, 2))
    return float(k)


def _dates(t: np.ndarray) -> np.ndarray:
    out = (_DAY0 + np.maximum(t, 0).astype("timedelta64[D]")).astype("datetime64[ns]")
    out[t < 0] = np.datetime64("NaT")
    return out


def _ledger(items: pd.DataFrame, lay: pd.DataFrame) -> pd.DataFrame:
    t = items["t"].to_numpy()
    led = pd.DataFrame({
        "invoice_no": items["invoice_no"].to_numpy(dtype=object),
        "buyer_id": items["buyer_id"].to_numpy(dtype=object),
        "buyer_name": lay["buyer_name"].to_numpy(dtype=object)[items["b"].to_numpy()],
        "doc_type": items["doc_type"].to_numpy(dtype=object),
        "invoice_date": _dates(t),
        "terms_days": items["terms"].to_numpy(np.int64),
        "due_date": _dates(items["due"].to_numpy()),
        "currency": lay["currency"].to_numpy(dtype=object)[items["b"].to_numpy()],
        "amount": items["amount"].to_numpy(float),
        "paid_amount": items["paid_amount"].to_numpy(float),
        "last_payment_date": _dates(items["last"].to_numpy()),
        "disputed": items["disputed"].to_numpy(bool),
        "note": items["note"].to_numpy(dtype=object)})
    return led.sort_values(["invoice_date", "invoice_no"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------- buyer financials

def _financials(rng: np.random.Generator, lay: pd.DataFrame, d: dict[str, np.ndarray],
                sales_to: np.ndarray) -> pd.DataFrame:
    """Latest and prior-year statements in CNY, consistent by construction, worse for weaker buyers."""
    n = len(lay)
    q = d["quality"]
    profile = d["profile"]
    weak_trend = d["henan"] | (profile == "default")
    sector = lay["sector"].to_numpy()
    share = np.select([d["top"], profile == "default"], [0.035, rng.uniform(0.1, 0.3, n)],
                      rng.uniform(0.03, 0.2, n))
    revenue = np.maximum(np.maximum(sales_to, 1e5) / share, 3e6)
    turnover = np.array([_TURNOVER[s] for s in sector]) * rng.lognormal(0, 0.2, n)
    ta = np.round(revenue / turnover)
    lev = np.clip(0.55 - 0.12 * q + rng.normal(0, 0.07, n), 0.15, 1.2)
    tl = np.round(lev * ta)
    equity = ta - tl
    ca_ratio = np.clip(rng.normal(0.6, 0.08, n), 0.35, 0.85)
    ca = np.round(ca_ratio * ta)
    wc_ta = 0.14 + 0.08 * q + rng.normal(0, 0.05, n)
    cl = np.round(np.clip(ca - wc_ta * ta, 0.05 * ta, 0.95 * tl))
    ltd = np.round((tl - cl) * rng.uniform(0.3, 0.9, n))
    parts = rng.dirichlet([2.0, 3.0, 3.0, 1.0], n)  # cash, receivables, inventory, other current assets
    cash = np.floor(ca * parts[:, 0])
    receivables = np.floor(ca * parts[:, 1])
    inventory = np.floor(ca * parts[:, 2])
    retained = equity - np.round(ta * rng.uniform(0.08, 0.25, n))  # equity = paid-in capital + RE
    tnw = equity - np.round(ta * rng.uniform(0.0, 0.06, n))
    margin = 0.06 + 0.03 * q + rng.normal(0, 0.02, n)
    ebit = np.round(margin * revenue)
    pretax = ebit - 0.045 * (ltd + 0.3 * cl)
    net = np.round(np.where(pretax > 0, 0.75 * pretax, pretax))
    cfo = np.round(net + 0.025 * ta + (0.02 * q + rng.normal(0, 0.02, n)) * revenue)
    gm = np.clip(np.array([_GROSS_MARGIN[s] for s in sector]) + 0.03 * q + rng.normal(0, 0.02, n), 0.04, 0.6)
    sales = np.round(revenue)
    cogs = np.round(sales * (1 - gm))

    # Prior year: momentum > 0 means the buyer improved (Piotroski signals mostly 1), < 0 it slipped.
    momentum = 0.5 * q + rng.normal(0, 0.8, n) - 1.5 * weak_trend
    momentum[d["top"]] = -1.0  # the big buyer's last year was weaker than the one before
    growth = np.where(d["henan"], rng.normal(-0.15, 0.05, n), 0.04 + 0.05 * momentum + rng.normal(0, 0.04, n))
    sales_prev = np.round(sales / (1 + np.clip(growth, -0.5, 1.0)))
    ta_prev = np.round(ta / (1 + np.clip(0.5 * growth + rng.normal(0, 0.04, n), -0.4, 0.8)))
    ca_prev = np.round(np.clip(ca_ratio + rng.normal(0, 0.03, n), 0.3, 0.9) * ta_prev)
    cr_prev = (ca / cl) * np.clip(1 - 0.05 * momentum + rng.normal(0, 0.05, n), 0.6, 1.5)
    cl_prev = np.round(np.minimum(ca_prev / cr_prev, 0.95 * ta_prev))
    ltd_prev = np.round(ltd * np.clip(1 + 0.15 * momentum + rng.normal(0, 0.1, n), 0.2, 3.0))
    cogs_prev = np.round(sales_prev * (1 - np.clip(gm - 0.01 * momentum + rng.normal(0, 0.005, n), 0.03, 0.6)))
    net_prev = np.round(net - 0.015 * momentum * revenue + rng.normal(0, 0.005, n) * revenue)
    fs = pd.DataFrame({
        "total_assets": ta, "total_assets_prev": ta_prev, "total_liabilities": tl, "current_assets": ca,
        "current_assets_prev": ca_prev, "current_liabilities": cl, "current_liabilities_prev": cl_prev,
        "cash": cash, "inventory": inventory, "receivables": receivables, "retained_earnings": retained,
        "ebit": ebit, "sales": sales, "sales_prev": sales_prev, "cogs": cogs, "cogs_prev": cogs_prev,
        "net_income": net, "net_income_prev": net_prev, "cfo": cfo, "long_term_debt": ltd,
        "long_term_debt_prev": ltd_prev, "equity_book": equity, "tangible_net_worth": tnw})
    equity_issued = pd.array(rng.random(n) < 0.08, dtype="boolean")
    fs_year = pd.array(np.where(rng.random(n) < 0.1, 2024, 2025), dtype="Int64")

    # About 15 % of buyers (never the story's buyers) have sent no statements.
    keep = d["top"] | weak_trend
    missing = ~keep & (rng.random(n) < np.where(d["domestic"], 0.15, 0.22))
    fs.loc[missing, :] = np.nan
    equity_issued[missing] = pd.NA
    fs_year[missing] = pd.NA
    fs["equity_issued"] = equity_issued
    fs["fs_year"] = fs_year
    fs["years_in_business"] = np.clip(np.rint(12 + 6 * q + rng.normal(0, 5, n)), 2, 45).astype(np.int64)
    fs["employees"] = np.maximum(np.rint(revenue / rng.uniform(0.4e6, 1.5e6, n)), 5).astype(np.int64)
    events = rng.poisson(np.select([profile == "default", profile == "late"], [3.0, 0.6],
                                   np.where(d["henan"], 0.8, 0.1)))
    fs["negative_events"] = np.where(profile == "default", np.maximum(events, 2), events).astype(np.int64)
    return fs


def _limits(rng: np.random.Generator, d: dict[str, np.ndarray], sales_to: np.ndarray,
            terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Requested limit (peak need, rounded up to 10,000) and insurer limit (~70 %, blank = none)."""
    n = len(sales_to)
    need = np.maximum(sales_to, 0) / 365 * (terms + 45)
    requested = np.ceil(need / 1e4) * 1e4
    factor = np.clip(0.8 + 0.3 * d["quality"] + rng.normal(0, 0.2, n), 0.2, 1.5)
    insurer = np.round(need * factor / 1e4) * 1e4
    has = rng.random(n) < 0.7
    is_def = d["profile"] == "default"
    has |= d["top"] | is_def
    insurer[d["top"]] = 8.0e6  # the insurer long ago capped the big buyer far below the exposure
    cancelled = np.flatnonzero(is_def)[:2]  # the insurer withdrew cover on two defaulters
    insurer[cancelled] = 0.0
    return requested, np.where(has, insurer, np.nan)


# ------------------------------------------------------------------------------------- seller figures

def _company(ledger: pd.DataFrame) -> pd.DataFrame:
    """The seller's quarterly working-capital figures; receivables and sales come from the ledger."""
    fx = ledger["currency"].map(FX_RATES).to_numpy(float)
    amount_hc = ledger["amount"].to_numpy() * fx
    paid_hc = ledger["paid_amount"].to_numpy() * fx
    inv_d = ledger["invoice_date"].to_numpy()
    pay_d = ledger["last_payment_date"].to_numpy()
    ends = [np.datetime64(e.isoformat(), "ns") for e in _QUARTER_ENDS]
    ar = [float(amount_hc[inv_d <= e].sum() - paid_hc[(inv_d <= e) & (pay_d <= e)].sum()) for e in ends]
    ar[0] = 0.92 * ar[1]  # receivables from before the ledger's first invoice
    sales = [float(amount_hc[(inv_d > ends[i]) & (inv_d <= ends[i + 1])].sum()) for i in range(4)]
    days = [(_QUARTER_ENDS[i + 1] - _QUARTER_ENDS[i]).days for i in range(4)]
    gm = np.array([0.185, 0.178, 0.171, 0.163])  # margin squeeze
    cogs = np.array(sales) * (1 - gm)
    daily_cogs = np.concatenate([[cogs[0] / days[0]], cogs / np.array(days)])
    daily_sales = np.concatenate([[sales[0] / days[0]], np.array(sales) / np.array(days)])
    annual = sum(sales)
    bal = {
        "cash": annual * np.array([0.09, 0.08, 0.065, 0.05, 0.035]),
        "marketable_securities": annual * np.array([0.03, 0.028, 0.02, 0.012, 0.008]),
        "receivables": np.array(ar),
        "inventory": daily_cogs * np.array([52, 56, 61, 67, 74]),  # DIO creeping up
        "prepaids": daily_sales * 3.5,
    }
    bal["current_assets"] = sum(bal[k] for k in ("cash", "marketable_securities", "receivables", "inventory",
                                                 "prepaids"))
    bal["accounts_payable"] = daily_cogs * np.array([48, 46, 43, 39, 35])  # suppliers shorten credit
    bal["other_current_liabilities"] = daily_sales * 2.7
    bal["current_liabilities"] = bal["current_assets"] / np.array([1.72, 1.60, 1.47, 1.34, 1.19])
    bal["short_term_debt"] = (bal["current_liabilities"] - bal["accounts_payable"]
                              - bal["other_current_liabilities"])
    bal = {k: np.round(v) for k, v in bal.items()}
    # Keep the identities exact after rounding.
    bal["current_assets"] = sum(bal[k] for k in ("cash", "marketable_securities", "receivables", "inventory",
                                                 "prepaids"))
    bal["current_liabilities"] = bal["accounts_payable"] + bal["short_term_debt"] + bal["other_current_liabilities"]
    out = pd.DataFrame({
        "quarter": ["2025Q4", "2026Q1", "2026Q2", "2026Q3"],
        "period_start": pd.to_datetime([e + dt.timedelta(days=1) for e in _QUARTER_ENDS[:4]]).astype(
            "datetime64[ns]"),
        "period_end": pd.to_datetime(list(_QUARTER_ENDS[1:])).astype("datetime64[ns]"),
        "days": days, "sales": np.round(sales), "cogs": np.round(cogs)})
    for item in BALANCE_ITEMS:
        out[f"{item}_open"] = bal[item][:4]
        out[f"{item}_close"] = bal[item][1:]
    return out


# ----------------------------------------------------------------------------------------- the story

def _facts(buyers: pd.DataFrame, ledger: pd.DataFrame, profiles: pd.DataFrame) -> dict[str, object]:
    fx = ledger["currency"].map(FX_RATES)
    open_hc = (ledger["amount"] - ledger["paid_amount"]) * fx
    as_of = np.datetime64(AS_OF.isoformat(), "ns")
    dpd = (as_of - ledger["due_date"].to_numpy()) / np.timedelta64(1, "D")
    by_buyer = open_hc.groupby(ledger["buyer_id"]).sum()
    top_id = profiles.loc[profiles["profile"] == "concentration", "buyer_id"].iloc[0]
    province = ledger["buyer_id"].map(buyers.set_index("buyer_id")["province"])
    troubled = (province == TROUBLED_PROVINCE).to_numpy()
    overdue = open_hc.where(dpd > 0, 0.0)
    defaults = tuple(profiles.loc[profiles["profile"] == "default", "buyer_id"])
    return {
        "open_ar_hc": float(open_hc.sum()),
        "top_buyer_id": top_id,
        "top_buyer_name": TOP_BUYER_NAME,
        "top_buyer_share": float(by_buyer[top_id] / open_hc.sum()),
        "top_buyer_insurer_limit": float(buyers.set_index("buyer_id").at[top_id, "insurer_limit"]),
        "troubled_province": TROUBLED_PROVINCE,
        "troubled_overdue_share": float(overdue[troubled].sum() / open_hc[troubled].sum()),
        "rest_overdue_share": float(overdue[~troubled].sum() / open_hc[~troubled].sum()),
        "default_buyer_ids": defaults,
        "default_over_90_hc": float(open_hc[ledger["buyer_id"].isin(defaults).to_numpy() & (dpd > 90)].sum()),
    }


def _story(f: dict[str, object]) -> dict[str, str]:
    m = 1e6
    en = (
        f"Sample book of {SELLER_NAME} as of {AS_OF.isoformat()}: 300 buyers (210 in nine Chinese provinces, "
        f"90 abroad in 14 countries), 12 months of invoices; open receivables CNY {f['open_ar_hc'] / m:,.1f} m. "
        f"Two problems hide in it. (1) Concentration: {f['top_buyer_name']} ({f['top_buyer_id']}, a Shenzhen "
        f"electronics maker) holds {f['top_buyer_share']:.0%} of open receivables, its insurer limit covers only "
        f"CNY {f['top_buyer_insurer_limit'] / m:,.0f} m, and since May 2026 it pays later each month and has "
        f"raised disputes. (2) Region: {f['troubled_province']} buyers (a construction and machinery cluster) slow down all "
        f"through 2026: {f['troubled_overdue_share']:.0%} of their open balance is overdue against "
        f"{f['rest_overdue_share']:.0%} elsewhere, and three of them stopped paying in spring; with three "
        f"other defaulters they owe CNY {f['default_over_90_hc'] / m:,.1f} m more than 90 days past due. "
        "Scores agree: the defaulters' statements sit in Altman's distress zone. Meanwhile the seller's own "
        "cash falls and its current ratio slides from 1.72 to 1.19 in four quarters."
    )
    zh = (
        f"{SELLER_NAME}截至{AS_OF.isoformat()}的示例账簿:300家买方(国内九个省份210家,海外14个国家90家),"
        f"12个月的发票;未收应收账款{f['open_ar_hc'] / m:,.1f}百万元人民币。其中藏着两个问题。"
        f"(1)集中度:{f['top_buyer_name']}({f['top_buyer_id']},深圳电子制造商)占未收应收账款的"
        f"{f['top_buyer_share']:.0%},保险公司限额只有{f['top_buyer_insurer_limit'] / m:,.0f}百万元,"
        f"且自2026年5月起付款逐月推迟,并提出争议。(2)区域:河南省的买方(以建筑、机械产业为主)"
        f"在2026年付款越来越慢:其未收余额的{f['troubled_overdue_share']:.0%}已逾期,其他地区为"
        f"{f['rest_overdue_share']:.0%};其中三家在春季停止付款,连同另外三家违约买方,逾期90天以上的欠款达"
        f"{f['default_over_90_hc'] / m:,.1f}百万元。评分结果一致:违约买方的财务报表处于Altman困境区。"
        "同时,卖方自身现金减少,流动比率在四个季度内从1.72降至1.19。"
    )
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------------------------------- assembly

@functools.lru_cache(maxsize=4)
def _build(seed: int) -> SamplePortfolio:
    rng = np.random.default_rng(seed)
    lay, d = _buyers(rng)
    inv = _invoices(rng, lay, d)
    _payments(rng, inv, d)
    items = pd.concat([inv, _credit_notes(rng, inv)], ignore_index=True)
    d["scale_top"] = _calibrate_top(items, d)
    ledger = _ledger(items, lay)

    sales_to = np.bincount(items["b"].to_numpy(), weights=items["amount"].to_numpy() * d["fx"][
        items["b"].to_numpy()], minlength=len(lay))
    fs = _financials(rng, lay, d, sales_to)
    requested, insurer = _limits(rng, d, sales_to, lay["payment_terms_days"].to_numpy())
    buyers = pd.concat([lay.drop(columns=["city", "currency"]), fs], axis=1)
    buyers["insurer_limit"] = insurer
    buyers["requested_limit"] = requested
    buyers = buyers.loc[:, list(BUYER_COLUMNS)].sort_values("buyer_id", ignore_index=True)

    profiles = pd.DataFrame({"buyer_id": lay["buyer_id"], "profile": d["profile"].astype(str),
                             "troubled_region": d["henan"], "invoice_currency": lay["currency"]})
    profiles = profiles.sort_values("buyer_id", ignore_index=True)
    facts = _facts(buyers, ledger, profiles)
    return SamplePortfolio(buyers=buyers, ledger=ledger, settings=sample_settings(), company=_company(ledger),
                           story=_story(facts), profiles=profiles, highlights=facts)

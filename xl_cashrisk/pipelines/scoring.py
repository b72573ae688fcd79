"""Score the buyer register: register (+ ledger) + settings → scored register (SPEC §2–§3, §6.1).

The ledger, when given, feeds each buyer's payment record (``receivables.buyer_payment_history``: DBT,
oldest item overdue, overdue and open amounts) and the last 12 months' sales to the buyer; buyers
without ledger lines keep what the register says. Scores, bands, grades and PD come from
``scoring.score_register``, limits from ``scoring.credit_limit`` and expected loss from
``scoring.expected_loss``: this module composes them and fills the register's result columns
(:data:`xl_cashrisk.schemas.register.RESULTS`) with the values the template's live formulas give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xl_cashrisk import receivables as rc
from xl_cashrisk import scoring as sc
from xl_cashrisk.schemas.register import REGISTER
from xl_cashrisk.scoring.config import Scorecard
from xl_cashrisk.scoring.scorecard import REGION_COLUMN
from xl_cashrisk.settings import Settings

__all__ = ["ScoringResult", "ledger_as_of", "payment_record", "run_scoring", "top_factors"]

FROM_LEDGER = ("dbt", "max_dpd_open", "overdue_amount", "open_amount", "annual_sales")
TOP_FACTORS = 3  # weakest factors named in the explanation


@dataclass
class ScoringResult:
    settings: Settings
    scorecard: Scorecard
    scored: pd.DataFrame  # register input columns, payment record, every result column (schema keys)
    points: pd.DataFrame  # buyer × factor points (NaN where the factor is missing)

    @property
    def as_of(self) -> dt.date:
        return self.settings.as_of

    def band_counts(self) -> pd.Series:
        """Buyers per band, GREEN / YELLOW / RED / NR (all four always present)."""
        return self.scored["band"].value_counts().reindex([*sc.BANDS, sc.NOT_RATED], fill_value=0)

    def riskiest(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` lowest scores (unrated buyers last), largest exposure first among equals."""
        s = self.scored
        order = s.assign(_s=s["score"].fillna(np.inf), _e=-s["open_amount"].fillna(0.0))
        return s.loc[order.sort_values(["_s", "_e"], kind="stable").index[:n]]


def ledger_as_of(ledger: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """The ledger as it stood at the end of ``when``: documents dated later are dropped, payments dated
    later are undone. The ledger keeps only the last payment date, so a part payment made later counts
    as unpaid (the snapshot is then slightly too pessimistic)."""
    date = np.datetime64(when, "D")
    inv = pd.to_datetime(ledger["invoice_date"]).to_numpy("datetime64[D]")
    out = ledger.loc[inv <= date].copy()
    pay = pd.to_datetime(out["last_payment_date"]).to_numpy("datetime64[D]")
    later = ~np.isnat(pay) & (pay > date)
    out.loc[later, "paid_amount"] = 0.0
    out.loc[later, "last_payment_date"] = pd.NaT
    return out


def payment_record(ledger: pd.DataFrame, settings: Settings, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per buyer: dbt, max_dpd_open and overdue_amount (material, undisputed items), open_amount,
    disputed_amount (SPEC §2.2, from
    ``receivables.buyer_payment_history``, or ``history`` when the ageing already computed it) and
    annual_sales (invoices net of credit notes dated in the 365 days to the as-of date, home currency)."""
    as_of = settings.as_of
    kw = dict(fx=settings.fx_rates, home_currency=settings.home_currency)
    if history is None:
        history = rc.buyer_payment_history(ledger, as_of, **kw)
    inv = pd.to_datetime(ledger["invoice_date"]).to_numpy("datetime64[D]")
    end = np.datetime64(as_of, "D")
    recent = (inv > end - np.timedelta64(settings.days_in_year, "D")) & (inv <= end)
    currency = ledger["currency"].astype(str).str.strip().str.upper()
    rate = currency.map({c: settings.fx(c) for c in currency.unique()}).to_numpy(dtype=float)
    amount = ledger["amount"].to_numpy(dtype=float) * rate
    sales = pd.Series(np.where(recent, amount, 0.0), index=ledger.index).groupby(ledger["buyer_id"]).sum()
    rec = history.set_index("buyer_id")[["dbt", "max_dpd_open", "overdue_amount", "open_amount"]]
    # Payment behaviour is judged on material, undisputed items: residuals such as deducted bank
    # charges, and invoices under dispute (a quality or quantity claim, handled in the worklist and
    # excluded from insurance cover), would otherwise mark a prompt payer as 90+ days overdue.
    open_hc = (ledger["amount"].to_numpy(dtype=float) - ledger["paid_amount"].fillna(0.0).to_numpy(dtype=float)) * rate
    small = (open_hc > 0) & (open_hc < float(settings.scoring.dpd_min_amount))
    disputed = (ledger["disputed"].fillna(False).astype(bool).to_numpy() if "disputed" in ledger
                else np.zeros(len(ledger), dtype=bool))
    disputed_open = pd.Series(np.where(disputed & (open_hc > 0), open_hc, 0.0), index=ledger.index)
    rec["disputed_amount"] = disputed_open.groupby(ledger["buyer_id"]).sum().reindex(rec.index).fillna(0.0)
    in_dispute = disputed & (open_hc > 0)
    if in_dispute.any():
        undisputed = rc.buyer_payment_history(ledger.loc[~in_dispute], as_of, **kw).set_index("buyer_id")
        rec["overdue_amount"] = undisputed["overdue_amount"].reindex(rec.index).fillna(0.0)
    excluded = small | in_dispute
    if excluded.any():
        material = rc.buyer_payment_history(ledger.loc[~excluded], as_of, **kw).set_index("buyer_id")
        rec["max_dpd_open"] = (material["max_dpd_open"].reindex(rec.index).fillna(0.0)
                               .where(rec["max_dpd_open"].notna()))
    return rec.join(sales.rename("annual_sales"), how="outer").rename_axis("buyer_id").reset_index()


def _num(df: pd.DataFrame, key: str) -> np.ndarray:
    if key not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[key], errors="coerce").to_numpy(dtype=float)


def top_factors(points: pd.DataFrame, card: Scorecard, n: int = TOP_FACTORS, language: str = "en") -> pd.Series:
    """Text naming each buyer's ``n`` weakest present factors with their points, weakest first."""
    labels = {f.key: f.label(language) for f in card.factors}
    pts = points.to_numpy(dtype=float)
    order = np.argsort(np.where(np.isnan(pts), np.inf, pts), axis=1, kind="stable")[:, :n]
    names = np.array([labels[k] for k in points.columns], dtype=object)
    chosen = np.take_along_axis(pts, order, axis=1)  # (buyers, n) points, weakest first
    # "label points" per buyer and place, column by column; each distinct number formatted once
    # (by its bits, so -0.0 keeps its "-0")
    bits = chosen.view(np.int64)
    distinct, where = np.unique(bits, return_inverse=True)
    shown = np.array([f"{v:.0f}" for v in distinct.view(np.float64).tolist()], dtype=object)
    shown = shown[where.reshape(bits.shape)] if shown.size else np.empty(bits.shape, dtype=object)
    text = np.full(len(pts), "", dtype=object)
    started = np.zeros(len(pts), dtype=bool)
    for k in range(order.shape[1]):
        present = ~np.isnan(chosen[:, k])
        piece = names[order[:, k]] + " " + shown[:, k]
        text = np.where(present, np.where(started, text + " · " + piece, piece), text)
        started |= present
    return pd.Series(text, index=points.index, dtype=object)


def _points(register: pd.DataFrame, card: Scorecard) -> pd.DataFrame:
    """Buyer × factor points, NaN where the factor is missing or stood in for (region → country)."""
    pts, present, _ = sc.points_matrix(sc.inputs_from_register(register, card), card)
    return pd.DataFrame(np.where(present, pts, np.nan).T, index=register.index,
                        columns=[f.key for f in card.factors])


def run_scoring(register: pd.DataFrame, settings: Settings, ledger: pd.DataFrame | None = None, *,
                scorecard: Scorecard | None = None, history: pd.DataFrame | None = None) -> ScoringResult:
    """Score every buyer of ``register`` (data-model columns) as of ``settings.as_of``.

    ``ledger`` (validated AR ledger) replaces the payment-record columns of the buyers it has lines
    for; ``history`` is its ``buyer_payment_history`` if already computed (the ageing has it).
    """
    card = scorecard or sc.default_scorecard()
    opts = settings.scoring
    reg = register.copy()
    for c in REGISTER.input_columns:
        if c.key not in reg:
            reg[c.key] = c.default if c.default is not None else np.nan
    if ledger is not None:
        rec = payment_record(ledger, settings, history).set_index("buyer_id")
        ids = reg["buyer_id"].astype(str)
        known = ids.isin(rec.index.astype(str)).to_numpy()
        rec.index = rec.index.astype(str)
        for key in FROM_LEDGER:
            reg[key] = np.where(known, rec[key].reindex(ids).to_numpy(dtype=float), _num(reg, key))
    reg["negative_events"] = np.nan_to_num(_num(reg, "negative_events"), nan=0.0)

    inputs = sc.inputs_from_register(reg, card)
    ca, cl = _num(reg, "current_assets"), _num(reg, "current_liabilities")
    reg["working_capital"] = ca - cl
    for key in ("altman_z2", "current_ratio", "debt_ratio", "overdue_share"):
        reg[key] = np.asarray(inputs.get(key, np.full(len(reg), np.nan)), dtype=float)
    scores = sc.score_register(reg, card, settings.language)
    band = scores["band"].to_numpy(dtype=object)
    reg["score"] = scores["score"].to_numpy(dtype=float)
    reg["confidence"] = scores["confidence"].to_numpy(dtype=float)
    reg["band"] = band
    reg["action"] = [f"{sc.BAND_MEANINGS['en'][b]} {sc.BAND_MEANINGS['zh'][b]}" for b in band]
    reg["grade"] = scores["grade"].to_numpy(dtype=object)
    reg["pd"] = scores["pd"].to_numpy(dtype=float)

    sales, terms, dbt = _num(reg, "annual_sales"), _num(reg, "payment_terms_days"), _num(reg, "dbt")
    tnw, wc, ins = _num(reg, "tangible_net_worth"), reg["working_capital"].to_numpy(dtype=float), _num(reg, "insurer_limit")
    # NaN (no limit) without sales, terms, a capacity base or a band: the core's rule, as CREDITLIMIT's
    reg["recommended_limit"] = np.asarray(sc.credit_limit(sales, terms, dbt, tnw, wc, band, 0.0, ins, card), dtype=float)
    # the buyer's usual terms, shortened to what the terms policy allows its band, sector and province
    region = reg[REGION_COLUMN].to_numpy(dtype=object) if REGION_COLUMN in reg else None
    days = sc.credit_terms(band, reg["sector"].to_numpy(dtype=object), region, terms, card)
    reg["recommended_terms"] = np.atleast_1d(sc.terms_words(days, settings.language))  # as CREDITTERMS shows them
    ead = _num(reg, "open_amount")
    reg["expected_loss"] = np.asarray(sc.expected_loss(reg["pd"].to_numpy(), float(opts.el_lgd), ead,
                                                       float(opts.el_insured_share), np.nan_to_num(ins, nan=0.0)),
                                      dtype=float)
    reg["weakest"] = scores["weakest"].to_numpy(dtype=object)
    reg["cap"] = scores["capped_by"].to_numpy(dtype=object)
    reg["scorecard_version"] = card.version
    points = _points(reg, card)
    reg["top_factors"] = top_factors(points, card, language=settings.language)
    order = [c.key for c in REGISTER.columns] + ["top_factors"]
    return ScoringResult(settings, card, reg[order + [c for c in reg.columns if c not in order]], points)

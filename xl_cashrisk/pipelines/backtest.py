"""Backtest of the scorecard and its early warning on the ledger's own history.

The scoring (:func:`xl_cashrisk.pipelines.scoring.run_scoring`) is replayed at each past month-end of
the ledger (:func:`xl_cashrisk.pipelines.provision.month_ends`) with what was known then:

* payment behaviour: the ledger as it stood at the month-end (invoices dated later dropped, payments
  dated later undone: :func:`~xl_cashrisk.pipelines.scoring.ledger_as_of`); the register's own
  payment-record columns (today's) are blanked, so a buyer is scored on its ledger lines only;
* statements as dated: a register row's financial statements of year ``fs_year`` count from 1 January
  of the next year (the earliest they can exist; audited accounts arrive months later, so the replay
  is if anything early); before it the statement columns are blank (the scorecard scores what is left). Undated register facts (sector, country, negative events, PAYDEX) are taken as given
  — a stated limit of the replay.

**Default** is the Basel II ¶452 / IFRS 9 ¶B5.5.37 presumption: a material, undisputed item more than
``default_dpd`` days past due (90 by default; the scoring's ``max_dpd_open``, which leaves out items
below ``settings.scoring.dpd_min_amount`` and disputed ones); the first month-end it holds is the
default month (a defaulted buyer stays defaulted). The ledger carries no write-off flag.

Measures (:mod:`xl_cashrisk.scoring.validation`): per defaulted buyer the first YELLOW-or-RED and the
first RED month-end and the lead time in months before default; over the buyers the hit rate
(defaulters warned at least one month ahead) and the false-alarm rate (buyers warned at a month-end
with ``horizon`` months of history after it that did not default by the end); over buyer-months with
a full ``horizon`` ahead (not in default, with ledger lines) the AUC / Gini / KS of the score against
default within the horizon, and per band the observed default rate against the band's PD over the
horizon with a binomial test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xl_cashrisk import scoring as sc
from xl_cashrisk.errors import InputError
from xl_cashrisk.pipelines.provision import MAX_MONTH_ENDS, MIN_MONTH_ENDS, month_ends
from xl_cashrisk.pipelines.scoring import FROM_LEDGER, ledger_as_of, run_scoring
from xl_cashrisk.schemas.register import FINANCIALS
from xl_cashrisk.scoring import validation as va
from xl_cashrisk.scoring.config import Scorecard
from xl_cashrisk.settings import Settings

__all__ = ["DEFAULT_DPD", "HORIZON_MONTHS", "BacktestResult", "register_as_of", "replay", "run_backtest"]

DEFAULT_DPD = 90  # Basel II ¶452, IFRS 9 ¶B5.5.37: more than 90 days past due
HORIZON_MONTHS = 6  # default within this many months after a month-end counts for that month-end's score
WARNED = {"yellow": ("YELLOW", "RED"), "red": ("RED",)}
_STATEMENTS = tuple(c.key for c in FINANCIALS if c.key != "fs_year")


def register_as_of(register: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """The register as known at ``when``: statements of a later year end blanked, payment record blanked
    (the ledger as of ``when`` refills it)."""
    out = register.copy()
    year = pd.to_numeric(out["fs_year"], errors="coerce") if "fs_year" in out else pd.Series(np.nan, out.index)
    unknown = ~(year < when.year)  # statements of year Y are known from 1 Jan Y+1; no year: not dated
    for key in (*_STATEMENTS, "fs_year"):
        if key in out:
            out[key] = out[key].where(~unknown)
    for key in FROM_LEDGER:
        if key in out:
            out[key] = np.nan
    return out


def replay(register: pd.DataFrame, ledger: pd.DataFrame, settings: Settings, ends: list[dt.date], *,
           scorecard: Scorecard | None = None) -> pd.DataFrame:
    """Scores as known at each month-end: a long table ``month_end, period, buyer_id, score, pd, band,
    max_dpd_open, has_ledger``."""
    frames = []
    for period, end in enumerate(ends):
        snap = ledger_as_of(ledger, end)
        scored = run_scoring(register_as_of(register, end), dataclasses.replace(settings, as_of=end), snap,
                             scorecard=scorecard).scored
        ids = scored["buyer_id"].astype(str)
        frames.append(pd.DataFrame({
            "month_end": end, "period": period, "buyer_id": ids.to_numpy(),
            "score": scored["score"].to_numpy(dtype=float), "pd": scored["pd"].to_numpy(dtype=float),
            "band": scored["band"].to_numpy(dtype=object),
            "max_dpd_open": pd.to_numeric(scored["max_dpd_open"], errors="coerce").to_numpy(dtype=float),
            "has_ledger": ids.isin(set(snap["buyer_id"].astype(str))).to_numpy()}))
    return pd.concat(frames, ignore_index=True)


@dataclass
class BacktestResult:
    settings: Settings
    month_ends: list[dt.date]
    panel: pd.DataFrame  # buyer-months: scores, bands, default flags
    buyers: pd.DataFrame  # per buyer: default month, first YELLOW / RED, lead times
    summary: pd.DataFrame  # measure, value, note
    roc: pd.DataFrame
    calibration: pd.DataFrame  # per band: observations, defaults, rates, binomial test
    default_dpd: int
    horizon: int

    def measure(self, key: str) -> float:
        return float(self.summary.set_index("key").at[key, "value"])


def _panels(panel: pd.DataFrame, default_dpd: int) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Buyers × periods boolean panels: in default (absorbing), warned YELLOW-or-RED, warned RED, observed."""
    wide = panel.pivot(index="buyer_id", columns="period")
    dpd = wide["max_dpd_open"].to_numpy(dtype=float)
    band = wide["band"].to_numpy(dtype=object)
    out = {"default": np.maximum.accumulate(np.nan_to_num(dpd) > default_dpd, axis=1),
           "observed": wide["has_ledger"].fillna(False).to_numpy(dtype=bool),
           "score": wide["score"].to_numpy(dtype=float), "pd": wide["pd"].to_numpy(dtype=float), "band": band}
    for level, bands in WARNED.items():
        out[level] = np.isin(band, bands)
    return wide.index, out


def _per_buyer(ids: pd.Index, p: dict[str, np.ndarray], ends: list[dt.date]) -> pd.DataFrame:
    labels = np.array([e.isoformat() for e in ends] + [""], dtype=object)  # index -1 → ""
    out = pd.DataFrame({"buyer_id": ids})
    for level in WARNED:
        t = va.warning_lead_times(p[level], p["default"])
        out[f"first_{level}"] = labels[t["first_warning"].to_numpy()]
        out[f"lead_{level}_months"] = t["lead"].to_numpy()
    out["default_month"] = labels[t["default_at"].to_numpy()]
    out["observable"] = t["observable"].to_numpy()
    out["defaulted"] = p["default"][:, -1]
    return out


def _rates(buyers: pd.DataFrame, p: dict[str, np.ndarray], horizon: int) -> list[tuple]:
    """Hit and false-alarm rates per warning level: (key, label, value, note)."""
    rows = []
    judged = buyers["defaulted"].to_numpy() & buyers["observable"].to_numpy()
    survivors = ~p["default"][:, -1] & p["observed"].any(axis=1)
    full = p["default"].shape[1] - horizon  # periods with a full horizon after them
    for level in WARNED:
        lead = buyers[f"lead_{level}_months"].to_numpy()
        hits = int(np.sum(judged & (lead >= 1)))
        rows.append((f"hit_rate_{level}", f"Hit rate, {level.upper()} ≥ 1 month ahead 预警命中率",
                     hits / judged.sum() if judged.sum() else np.nan,
                     f"{hits} of {int(judged.sum())} defaulters warned at least a month before default"))
        warned = (p[level][:, :max(full, 0)] & p["observed"][:, :max(full, 0)]).any(axis=1) & survivors
        rows.append((f"false_alarm_rate_{level}", f"False-alarm rate, {level.upper()} 误报率",
                     warned.sum() / survivors.sum() if full > 0 and survivors.sum() else np.nan,
                     f"{int(warned.sum())} of {int(survivors.sum())} buyers without default warned at a month-end "
                     f"with {horizon} months after it"))
    return rows


def _observations(p: dict[str, np.ndarray], horizon: int) -> pd.DataFrame:
    """Buyer-months with a full horizon ahead, observed and not in default: score, PD, band, outcome."""
    d = p["default"]
    n_periods = d.shape[1]
    parts = []
    for t in range(n_periods - horizon):
        keep = p["observed"][:, t] & ~d[:, t] & ~np.isnan(p["score"][:, t])
        parts.append(pd.DataFrame({"period": t, "score": p["score"][keep, t], "pd": p["pd"][keep, t],
                                   "band": p["band"][keep, t], "defaulted": d[keep, t + horizon]}))
    if not parts:
        return pd.DataFrame(columns=["period", "score", "pd", "band", "defaulted"])
    return pd.concat(parts, ignore_index=True)


def _calibration(obs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    bands = [b for b in sc.BANDS if b in set(obs["band"])]
    g = obs.assign(p_h=va.horizon_pd(obs["pd"].to_numpy(dtype=float), horizon)).groupby("band")
    n = g.size().reindex(bands).to_numpy()
    k = g["defaulted"].sum().reindex(bands).to_numpy().astype(np.int64)
    p = g["p_h"].mean().reindex(bands).to_numpy()
    t = va.binomial_calibration(n, k, p)
    t.insert(0, "band", bands)
    return t


def run_backtest(register: pd.DataFrame, ledger: pd.DataFrame, settings: Settings, *,
                 scorecard: Scorecard | None = None, default_dpd: int = DEFAULT_DPD,
                 horizon: int = HORIZON_MONTHS, min_month_ends: int = MIN_MONTH_ENDS) -> BacktestResult:
    """Replay, default flags, lead times and the discrimination and calibration measures (module doc)."""
    as_of = settings.as_of
    inv = pd.to_datetime(ledger["invoice_date"]).dropna()
    ends = month_ends(inv.min().date() if len(inv) else as_of, as_of)[-MAX_MONTH_ENDS:]
    if len(ends) < min_month_ends:
        raise InputError(f"backtest: the ledger covers {len(ends)} month-end(s) up to the as-of date ({as_of}); a "
                         f"backtest needs at least {min_month_ends}. 回溯检验至少需要{min_month_ends}个月末。")
    if horizon < 1 or default_dpd < 1:
        raise InputError(f"backtest: horizon and default days must be ≥ 1, got {horizon} and {default_dpd}")
    if horizon >= len(ends):
        raise InputError(f"backtest: a {horizon}-month horizon leaves no month-end with its outcome known (the ledger "
                         f"has {len(ends)} month-ends); use a horizon of at most {len(ends) - 1} months. "
                         f"观察期须短于历史月数。")
    panel = replay(register, ledger, settings, ends, scorecard=scorecard)
    ids, p = _panels(panel, default_dpd)
    panel["in_default"] = p["default"][ids.get_indexer(panel["buyer_id"]), panel["period"].to_numpy()]
    buyers = _per_buyer(ids, p, ends)
    obs = _observations(p, horizon)
    risk, y = -obs["score"].to_numpy(dtype=float), obs["defaulted"].to_numpy(dtype=bool)
    stats = [("auc", "AUC 曲线下面积", va.auc(risk, y), "P(a defaulter scored below a survivor), ties ½"),
             ("gini", "Gini (accuracy ratio) 基尼系数", va.gini(risk, y), "2·AUC − 1"),
             ("ks", "KS 区分度", va.ks_statistic(risk, y), "largest gap between the score distributions"),
             ("observations", "Buyer-months scored 观测数", float(len(obs)),
              f"month-ends with {horizon} months after them, buyers with ledger lines and not in default"),
             ("defaults_in_horizon", "Of which default within the horizon 其中违约", float(y.sum()),
              f"more than {default_dpd} days past due within {horizon} months"),
             ("defaulted_buyers", "Buyers in default by the end 违约客户数", float(buyers["defaulted"].sum()),
              f"a material undisputed item more than {default_dpd} days past due")]
    lead = buyers.loc[buyers["defaulted"] & buyers["observable"], "lead_yellow_months"]
    stats.append(("mean_lead_yellow_months", "Mean lead time, YELLOW 平均预警提前期(月)",
                  float(lead.mean()) if lead.notna().any() else np.nan, "months from first YELLOW-or-RED to default"))
    summary = pd.DataFrame([*stats, *_rates(buyers, p, horizon)], columns=["key", "measure", "value", "note"])
    return BacktestResult(settings, ends, panel, buyers, summary, va.roc_curve(risk, y), _calibration(obs, horizon),
                          default_dpd, horizon)

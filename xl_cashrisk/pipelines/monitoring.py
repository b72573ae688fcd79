"""Monitoring: compare two scoring runs and list what needs attention, most serious first.

Alerts (one row per buyer and kind): a band change (worse or better), a score drop beyond the
threshold, invoices that crossed N days past due between the runs, limit utilisation (open AR over
the recommended limit, or the insurer limit when there is no recommendation) above 100 %, and reviews
that are due by the band's cadence (RED monthly, YELLOW quarterly, GREEN yearly by default; a buyer
never reviewed is due). The thresholds are scoring settings (``alert_score_drop``,
``alert_overdue_days``, ``review_months_*``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xl_cashrisk import scoring as sc
from xl_cashrisk.pipelines.scoring import ScoringResult

__all__ = ["ALERT_COLUMNS", "SEVERITIES", "monitor"]

SEVERITIES = ("critical", "high", "medium", "low")  # most serious first
SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低"}
ALERT_COLUMNS = ("severity", "severity_zh", "buyer_id", "buyer_name", "alert", "reason", "reason_zh", "old", "new",
                 "band", "open_amount")
_RANK = {b: i for i, b in enumerate((*sc.BANDS, sc.NOT_RATED))}  # worse → higher


def _months_after(d: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar months later, day clipped to the month's end (datetime64[D] in and out)."""
    m = d.astype("datetime64[M]")
    day = (d - m.astype("datetime64[D]")).astype(int)
    target = m + months.astype(int)
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int) - 1
    return target.astype("datetime64[D]") + np.minimum(day, last)


def _frame(kind: str, severity, ids, names, reason, reason_zh, old, new, band, exposure) -> pd.DataFrame:
    n = len(ids)
    sev = np.broadcast_to(np.asarray(severity, dtype=object), (n,))
    return pd.DataFrame({"severity": sev, "severity_zh": [SEVERITY_ZH[s] for s in sev], "buyer_id": ids,
                         "buyer_name": names, "alert": kind, "reason": reason, "reason_zh": reason_zh, "old": old,
                         "new": new, "band": band, "open_amount": exposure})


def monitor(old: ScoringResult | pd.DataFrame, new: ScoringResult, ledger: pd.DataFrame | None = None, *,
            score_drop: float | None = None, overdue_days: int | None = None,
            old_as_of: dt.date | None = None) -> pd.DataFrame:
    """Alerts between ``old`` (an earlier run, or a scored-register snapshot frame) and ``new``.

    ``ledger`` (at the new as-of date) finds invoices that crossed ``overdue_days`` past due since
    ``old_as_of`` (default: the old run's as-of date); without a ledger the buyer's oldest item
    overdue (``max_dpd_open``) crossing the threshold stands in. Returns :data:`ALERT_COLUMNS`, most
    serious first, then largest exposure.
    """
    opts = new.settings.scoring
    drop = float(opts.alert_score_drop if score_drop is None else score_drop)
    days = int(opts.alert_overdue_days if overdue_days is None else overdue_days)
    runs = _Runs(old, new)
    since = old_as_of or (old.as_of if isinstance(old, ScoringResult) else None)
    parts = [*_band_changes(runs), _score_drops(runs, drop),
             _new_overdue(runs.cur, runs.prev, ledger, new.as_of, since, days, runs.band_new, runs.exposure),
             _over_limit(runs), _reviews_due(runs, opts, new.as_of)]
    frames = [p for p in parts if p is not None and len(p)]
    if not frames:
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["_s"] = out["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    out = out.sort_values(["_s", "open_amount", "buyer_id"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_s").reset_index(drop=True)[list(ALERT_COLUMNS)]


class _Runs:
    """The two runs side by side, one row per buyer of the new run (the old run reindexed to it)."""

    def __init__(self, old: ScoringResult | pd.DataFrame, new: ScoringResult):
        before = old.scored if isinstance(old, ScoringResult) else old
        self.cur = cur = new.scored.set_index(new.scored["buyer_id"].astype(str))
        self.prev = prev = before.set_index(before["buyer_id"].astype(str)).reindex(cur.index)
        self.ids, self.names = cur.index.to_numpy(), cur["buyer_name"].to_numpy(dtype=object)
        self.band_new, self.band_old = cur["band"].to_numpy(dtype=object), prev["band"].to_numpy(dtype=object)
        self.s_new = pd.to_numeric(cur["score"], errors="coerce").to_numpy(dtype=float)
        self.s_old = pd.to_numeric(prev["score"], errors="coerce").to_numpy(dtype=float)
        self.exposure = pd.to_numeric(cur["open_amount"], errors="coerce").fillna(0.0).to_numpy()
        self.known = pd.notna(prev["band"]).to_numpy() & (self.band_old != "")

    def alerts(self, mask, kind, severity, reason, reason_zh, old_v, new_v) -> pd.DataFrame | None:
        """The alert rows of the buyers in ``mask`` (each other argument a scalar or one value per buyer)."""
        if not np.any(mask):
            return None
        pick = lambda v: np.broadcast_to(np.asarray(v, dtype=object), mask.shape)[mask]  # noqa: E731
        return _frame(kind, pick(severity), self.ids[mask], self.names[mask], pick(reason), pick(reason_zh),
                      pick(old_v), pick(new_v), self.band_new[mask], self.exposure[mask])


def _band_changes(r: _Runs) -> list[pd.DataFrame | None]:
    """A band worse (high; critical into RED) or better (low) than in the old run."""
    r_new = np.array([_RANK.get(b, 3) for b in r.band_new])
    r_old = np.array([_RANK.get(b, 3) if k else -1 for b, k in zip(r.band_old, r.known, strict=True)])
    worse, better = r.known & (r_new > r_old), r.known & (r_new < r_old)
    to = np.array([f"{o} → {n}" for o, n in zip(r.band_old, r.band_new, strict=True)], dtype=object)
    to_zh = np.array([f"{sc.BAND_LABELS['zh'].get(o, o)} → {sc.BAND_LABELS['zh'].get(n, n)}"
                      for o, n in zip(r.band_old, r.band_new, strict=True)], dtype=object)
    return [r.alerts(worse, "band_down", np.where(r.band_new == "RED", "critical", "high"), "band worse: " + to,
                     "信号灯恶化：" + to_zh, r.band_old, r.band_new),
            r.alerts(better, "band_up", "low", "band better: " + to, "信号灯好转：" + to_zh, r.band_old, r.band_new)]


def _score_drops(r: _Runs, drop: float) -> pd.DataFrame | None:
    """A score fallen by more than ``drop`` points (high beyond twice that)."""
    fall = r.s_old - r.s_new
    dropped = ~np.isnan(fall) & (fall > drop)
    txt = np.array([f"score fell {f:.1f} points ({o:.1f} → {n:.1f})" if d else ""
                    for f, o, n, d in zip(fall, r.s_old, r.s_new, dropped, strict=True)], dtype=object)
    txt_zh = np.array([f"评分下降 {f:.1f} 分（{o:.1f} → {n:.1f}）" if d else ""
                       for f, o, n, d in zip(fall, r.s_old, r.s_new, dropped, strict=True)], dtype=object)
    return r.alerts(dropped, "score_drop", np.where(fall > 2 * drop, "high", "medium"), txt, txt_zh, r.s_old, r.s_new)


def _over_limit(r: _Runs) -> pd.DataFrame | None:
    """Open AR above the limit in force: the insurer's limit where there is one (above it the exposure is
    uninsured), else the recommended limit (high beyond 150 %)."""
    limit = pd.to_numeric(r.cur["recommended_limit"], errors="coerce").to_numpy(dtype=float)
    ins = pd.to_numeric(r.cur["insurer_limit"], errors="coerce").to_numpy(dtype=float)
    insured = ~np.isnan(ins)
    base = np.where(insured, ins, limit)
    which = np.where(insured, "insurer limit", "recommended limit")
    which_zh = np.where(insured, "保险限额", "建议额度")
    exposure = r.exposure
    over = ~np.isnan(base) & (exposure > base + 0.005)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(base > 0, exposure / base, np.inf)
    txt = np.array([f"open AR {e:,.0f} is {u:.0%} of the {w} {b:,.0f}" if np.isfinite(u) else
                    f"open AR {e:,.0f} against a {w} of 0"
                    for e, u, b, w in zip(exposure, util, base, which, strict=True)], dtype=object)
    txt_zh = np.array([f"未收 {e:,.0f}，为{w} {b:,.0f} 的 {u:.0%}" if np.isfinite(u) else f"未收 {e:,.0f}，{w}为 0"
                       for e, u, b, w in zip(exposure, util, base, which_zh, strict=True)], dtype=object)
    return r.alerts(over, "over_limit", np.where(util > 1.5, "high", "medium"), txt, txt_zh, base, exposure)


def _reviews_due(r: _Runs, opts, as_of: dt.date) -> pd.DataFrame | None:
    """Reviews due by the band's cadence (``review_months_*``; a buyer never reviewed is due)."""
    months_by_band = {"RED": opts.review_months_red, "YELLOW": opts.review_months_yellow,
                      "GREEN": opts.review_months_green, sc.NOT_RATED: opts.review_months_red}
    months = np.array([months_by_band.get(b, opts.review_months_red) for b in r.band_new], dtype=int)
    last = pd.to_datetime(r.cur["last_review_date"], errors="coerce").to_numpy("datetime64[D]") \
        if "last_review_date" in r.cur else np.full(len(r.cur), np.datetime64("NaT"), "datetime64[D]")
    due = _months_after(np.where(np.isnat(last), np.datetime64("1970-01-01"), last), months)
    is_due = np.isnat(last) | (due <= np.datetime64(as_of, "D"))
    txt = np.array([f"review due ({b}: every {m} months); never reviewed" if np.isnat(lr) else
                    f"review due ({b}: every {m} months); last {lr!s}" for b, m, lr in
                    zip(r.band_new, months, last, strict=True)], dtype=object)
    txt_zh = np.array([f"需复核（每 {m} 个月）；从未复核" if np.isnat(lr) else f"需复核（每 {m} 个月）；上次 {lr!s}"
                       for m, lr in zip(months, last, strict=True)], dtype=object)
    return r.alerts(is_due, "review_due", np.where(r.band_new == "RED", "medium", "low"), txt, txt_zh,
                    np.array([str(d) if not np.isnat(d) else "" for d in last], dtype=object),
                    np.array([str(d) for d in due]))


def _new_overdue(cur, prev, ledger, as_of, since, days, band_new, exposure) -> pd.DataFrame | None:
    ids = cur.index.to_numpy()
    names = cur["buyer_name"].to_numpy(dtype=object)
    if ledger is not None and since is not None:
        open_amt = ledger["amount"].to_numpy(dtype=float) - ledger["paid_amount"].fillna(0.0).to_numpy(dtype=float)
        due = pd.to_datetime(ledger["due_date"]).to_numpy("datetime64[D]")
        crossed_on = due + np.timedelta64(days, "D")
        hit = ((open_amt > 0) & ~np.isnat(due) & (crossed_on < np.datetime64(as_of, "D"))
               & (crossed_on >= np.datetime64(since, "D")))
        if not hit.any():
            return None
        per = pd.DataFrame({"buyer_id": ledger["buyer_id"].astype(str).to_numpy()[hit], "n": 1,
                            "amount": open_amt[hit]}).groupby("buyer_id").sum()
        per = per.reindex(ids).dropna()
        if per.empty:
            return None
        pos = pd.Index(ids).get_indexer(per.index)
        return _frame("new_overdue", np.where(band_new[pos] == "RED", "high", "medium"), per.index.to_numpy(),
                      names[pos], [f"{int(n)} invoice(s), {a:,.0f}, became more than {days} days overdue"
                                   for n, a in zip(per["n"], per["amount"], strict=True)],
                      [f"{int(n)} 张发票（{a:,.0f}）新逾期超过 {days} 天" for n, a in zip(per["n"], per["amount"],
                                                                                strict=True)],
                      np.zeros(len(per)), per["n"].to_numpy(), band_new[pos], exposure[pos])
    d_new = pd.to_numeric(cur["max_dpd_open"], errors="coerce").to_numpy(dtype=float)
    d_old = pd.to_numeric(prev["max_dpd_open"], errors="coerce").to_numpy(dtype=float)
    hit = (d_new > days) & ~(d_old > days)
    if not hit.any():
        return None
    return _frame("new_overdue", np.where(band_new[hit] == "RED", "high", "medium"), ids[hit], names[hit],
                  [f"oldest item now {d:.0f} days overdue (over {days})" for d in d_new[hit]],
                  [f"最长逾期已达 {d:.0f} 天（超过 {days} 天）" for d in d_new[hit]], d_old[hit], d_new[hit],
                  band_new[hit], exposure[hit])

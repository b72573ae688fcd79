"""The alternatives the ``ageing`` benchmark times beside the engine, on the same ledger in the same run.

* :func:`arrow_floor` — the least work that gives the buyer × bucket grid: Arrow dictionary-encodes the
  buyer and currency keys, NumPy turns due dates into bucket codes (``searchsorted``) and one
  ``np.bincount`` sums the open amounts per (buyer, bucket). No credits, no checks, no labels, no frame.
* :func:`pandas_ageing` — what a competent pandas user writes for the same two results as the engine
  (the bucket table and the per-buyer schedule with credits, total, overdue, % overdue, oldest DPD, sorted):
  ``pd.cut`` for the buckets, ``groupby`` for the sums. ``tests/test_ageing_arrow.py`` checks it gives
  the engine's figures, so it does no less work than the engine.
* :func:`loop_ageing` — a plain Python loop over the rows (Python lists of due-date serials, open amounts,
  currencies, buyer ids: what a script reading a CSV has), ``bisect`` for the bucket, dicts for the sums.
"""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd

EDGES = (30, 60, 90, 120)
LABELS = ["current", "1-30", "31-60", "61-90", "91-120", ">120"]


def _arrow(column: pd.Series):
    import pyarrow as pa

    return pa.array(column.array) if not isinstance(column.dtype, np.dtype) else pa.array(column.to_numpy())


def arrow_floor(ledger: pd.DataFrame, as_of: pd.Timestamp, fx: dict[str, float], home: str) -> np.ndarray:
    """Open amount (home currency) per buyer × DPD bucket: Arrow dictionary encoding + one bincount."""
    import pyarrow.compute as pc

    buyers = pc.dictionary_encode(_arrow(ledger["buyer_id"]))
    codes = buyers.indices.to_numpy(zero_copy_only=False)
    cur = pc.dictionary_encode(_arrow(ledger["currency"]))
    rates = np.array([1.0 if c == home else fx[c] for c in cur.dictionary.to_pylist()])
    open_hc = (ledger["amount"].to_numpy() - ledger["paid_amount"].to_numpy()) * rates[cur.indices.to_numpy()]
    dpd = (as_of.to_datetime64() - ledger["due_date"].to_numpy()) // np.timedelta64(1, "D")
    bucket = np.searchsorted(np.array((0, *EDGES)), dpd, side="left")
    live = open_hc > 0
    k = len(EDGES) + 2
    return np.bincount(codes[live] * k + bucket[live], weights=open_hc[live],
                       minlength=len(buyers.dictionary) * k).reshape(-1, k)


def pandas_ageing(ledger: pd.DataFrame, as_of, fx: dict[str, float] | None, home: str | None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's two ageing results (DPD basis, default edges) the pandas way: ``pd.cut`` + ``groupby``.

    Due date = invoice date + terms where missing; open = amount − paid (NaN as 0) × the currency's rate;
    credit notes (doc type CN) and negative open amounts are credits, not aged; settled rows left out."""
    as_of = pd.Timestamp(as_of)
    due = ledger["due_date"]
    if "terms_days" in ledger:
        due = due.fillna(ledger["invoice_date"] + pd.to_timedelta(ledger["terms_days"], unit="D"))
    dpd = (as_of - due).dt.days.astype(float)
    if "currency" in ledger:
        rates = {**{k.upper(): v for k, v in (fx or {}).items()}, (home or "").upper(): 1.0, "": 1.0}
        rate = ledger["currency"].fillna("").str.strip().str.upper().map(rates).astype(float)
    else:
        rate = 1.0
    open_hc = (ledger["amount"].fillna(0.0) - ledger["paid_amount"].fillna(0.0)) * rate
    credit = open_hc < 0
    if "doc_type" in ledger:
        credit |= ledger["doc_type"].fillna("").str.strip().str.upper().eq("CN")
    bucket = pd.cut(dpd, [-np.inf, 0, *EDGES, np.inf], labels=LABELS, right=True)
    df = pd.DataFrame({"buyer_id": ledger["buyer_id"], "bucket": bucket, "open": open_hc, "credit": credit,
                       "dpd": dpd})
    df = df[df["open"] != 0]
    aged, cred = df[~df["credit"]], df[df["credit"]]
    table = aged[aged["open"] > 0].groupby("bucket", observed=False)["open"].agg(["sum", "count"])
    table.loc["credits"] = [cred["open"].sum(), len(cred)]
    table.columns = ["amount", "items"]

    by = aged.groupby(["buyer_id", "bucket"], observed=False, dropna=False)["open"].sum().unstack(fill_value=0.0)
    out = by.reindex(index=df["buyer_id"].unique(), columns=LABELS, fill_value=0.0)
    out.columns = list(out.columns)
    invoiced = out.sum(axis=1)
    out["credits"] = cred.groupby("buyer_id", dropna=False)["open"].sum().reindex(out.index, fill_value=0.0)
    out["total"] = invoiced + out["credits"]
    late = aged[aged["dpd"] > 0]
    out["overdue"] = late.groupby("buyer_id", dropna=False)["open"].sum().reindex(out.index, fill_value=0.0)
    out["pct_overdue"] = (out["overdue"] / invoiced.where(invoiced > 0)).fillna(0.0)
    out["oldest_dpd"] = aged.groupby("buyer_id", dropna=False)["dpd"].max().clip(lower=0.0).reindex(out.index)
    out = out.rename_axis("buyer_id").reset_index()
    return table, out.sort_values(["total", "buyer_id"], ascending=[False, True], kind="stable",
                                  ignore_index=True)


def loop_ageing(due_serials: list[float], open_amounts: list[float], currencies: list[str], buyers: list[str],
                as_of_serial: float, fx: dict[str, float], home: str):
    """A plain Python loop: one row at a time, ``bisect`` for the bucket, dicts for the sums."""
    bounds = (0, *EDGES)
    rates = {home: 1.0, **fx}
    totals = [0.0] * (len(EDGES) + 2)
    per_buyer: dict[str, list[float]] = {}
    for due, amount, cur, buyer in zip(due_serials, open_amounts, currencies, buyers, strict=True):
        if amount <= 0:
            continue
        amount *= rates[cur]
        b = bisect.bisect_left(bounds, as_of_serial - due)
        totals[b] += amount
        row = per_buyer.get(buyer)
        if row is None:
            row = per_buyer[buyer] = [0.0] * (len(EDGES) + 2)
        row[b] += amount
    return totals, per_buyer

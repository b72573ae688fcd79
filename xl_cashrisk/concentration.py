"""Concentration of exposure: HHI, equivalent number, top-N share, grouped by any key (SPEC §9).

Exposure amounts are non-negative: a negative amount (a buyer or group with a net credit balance)
carries no exposure and counts as zero; NaN counts as zero too. With no positive exposure at all
the measures are undefined (NaN).

Thresholds (SPEC §9.2, toolkit defaults (D)): a single group's share > 20 % RED, 10–20 % YELLOW;
HHI (0–1) > 0.25 RED, 0.15–0.25 YELLOW, below GREEN. A value exactly on a cut-off takes the milder
band, as SPEC §9.2 writes the upper cut-offs as strict ("> 20 %", "> 0.25"). The share cut-offs were
written for single buyers; applied to regions, countries or sectors they flag dependence on one
group and are configurable per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xl_cashrisk._array import scalar_or_array

__all__ = [
    "ConcentrationResult",
    "ConcentrationThresholds",
    "concentration",
    "equivalent_number",
    "hhi",
    "hhi_normalised",
    "hhi_status",
    "share_status",
    "shares",
    "top_n_share",
]

GREEN, YELLOW, RED = "GREEN", "YELLOW", "RED"
HHI_POINTS = 10_000  # the "points" convention of competition authorities (SPEC §9.1)
BLANK_GROUP = "(blank)"


@dataclass(frozen=True)
class ConcentrationThresholds:
    share_yellow: float = 0.10  # share ≥ this: YELLOW
    share_red: float = 0.20  # share > this: RED
    hhi_yellow: float = 0.15
    hhi_red: float = 0.25

    def __post_init__(self):
        if not (0 <= self.share_yellow <= self.share_red <= 1 and 0 <= self.hhi_yellow <= self.hhi_red <= 1):
            raise ValueError(f"concentration thresholds must satisfy 0 ≤ yellow ≤ red ≤ 1, got {self}")


def _exposures(amounts) -> np.ndarray:
    a = np.asarray(amounts, dtype=float).ravel()
    return np.where(np.isnan(a) | (a < 0), 0.0, a)


def shares(amounts) -> np.ndarray:
    """sᵢ = exposureᵢ / Σ exposure (negative and NaN amounts count as 0; all NaN when Σ = 0).

    >>> shares([400, 300, 200, 100]).tolist()
    [0.4, 0.3, 0.2, 0.1]
    """
    a = _exposures(amounts)
    top = a.max(initial=0.0)
    if top <= 0:
        return np.full(a.shape, np.nan)
    scaled = a / top  # keeps the sum finite for amounts near the float limit
    return scaled / scaled.sum()


def hhi(amounts, as_points: bool = False) -> float:
    """Herfindahl–Hirschman index HHI = Σ sᵢ², in (0, 1] (× 10,000 with ``as_points``) (SPEC §9.1).

    >>> round(hhi([400, 300, 200, 100]), 6), round(hhi([400, 300, 200, 100], as_points=True), 2)  # HHI-1
    (0.3, 3000.0)
    >>> round(hhi([800_000, 560_000, 240_000, 120_000]), 6)  # HHI-2
    0.346674
    """
    s = shares(amounts)
    value = float(np.sum(s * s)) if s.size and not np.isnan(s[0]) else np.nan
    return value * HHI_POINTS if as_points else value


def hhi_normalised(amounts) -> float:
    """Normalised HHI* = (HHI − 1/N) / (1 − 1/N), N = groups with positive exposure; 1 when N = 1.

    >>> round(hhi_normalised([400, 300, 200, 100]), 6), round(hhi_normalised([800_000, 560_000, 240_000, 120_000]), 6)
    (0.066667, 0.128899)
    >>> round(hhi_normalised([10] * 10), 6)  # HHI-3
    0.0
    """
    n = int(np.count_nonzero(_exposures(amounts)))
    h = hhi(amounts)
    if n <= 1:
        return 1.0 if n == 1 else np.nan
    return max(0.0, (h - 1.0 / n) / (1.0 - 1.0 / n))


def equivalent_number(amounts) -> float:
    """Equivalent number of equal-sized buyers = 1 / HHI (SPEC §9.1).

    Computed as ``(Σ a)² / Σ a²`` (the same number, = 1/Σ sᵢ²): ten equal buyers give exactly 10.

    >>> round(equivalent_number([800_000, 560_000, 240_000, 120_000]), 4), equivalent_number([5] * 10)  # HHI-2, HHI-3
    (2.8846, 10.0)
    """
    a = _exposures(amounts)
    top = a.max(initial=0.0)
    if top <= 0:
        return np.nan
    scaled = a / top  # as in shares(): no overflow for amounts near the float limit
    return float(scaled.sum() ** 2 / np.dot(scaled, scaled))


def top_n_share(amounts, n: int) -> float:
    """Share of the n largest exposures (SPEC §9.1); 1.0 when n ≥ the number of exposures.

    >>> round(top_n_share([800_000, 560_000, 240_000, 120_000], 1), 6), round(top_n_share([800_000, 560_000, 240_000, 120_000], 2), 6)
    (0.465116, 0.790698)
    """
    if n < 1:
        raise ValueError(f"top_n_share: n must be a whole number ≥ 1, got {n!r}")
    s = shares(amounts)
    if s.size == 0 or np.isnan(s[0]):
        return np.nan
    return float(np.sort(s)[::-1][:n].sum())


def share_status(share, thresholds: ConcentrationThresholds = ConcentrationThresholds()):
    """RED above ``share_red``, YELLOW from ``share_yellow``, GREEN below; '' for NaN.

    >>> share_status(np.array([0.25, 0.20, 0.10, 0.05])).tolist()
    ['RED', 'YELLOW', 'YELLOW', 'GREEN']
    """
    s = np.asarray(share, dtype=float)
    out = np.select([np.isnan(s), s > thresholds.share_red, s >= thresholds.share_yellow], ["", RED, YELLOW], GREEN)
    out = out.astype(object)
    return scalar_or_array(out)


def hhi_status(value, thresholds: ConcentrationThresholds = ConcentrationThresholds()):
    """RED above ``hhi_red`` (0.25), YELLOW from ``hhi_yellow`` (0.15), GREEN below (0–1 scale).

    >>> hhi_status(0.3), hhi_status(0.25), hhi_status(0.1)
    ('RED', 'YELLOW', 'GREEN')
    """
    h = np.asarray(value, dtype=float)
    out = np.select([np.isnan(h), h > thresholds.hhi_red, h >= thresholds.hhi_yellow], ["", RED, YELLOW], GREEN)
    out = out.astype(object)
    return scalar_or_array(out)


@dataclass
class ConcentrationResult:
    """Concentration of one grouping: the per-group table and the summary measures."""

    by: str
    table: pd.DataFrame  # group, amount, share, cumulative_share, rank, status — largest first
    total: float
    hhi: float
    hhi_points: float
    hhi_normalised: float
    equivalent_number: float
    top_shares: dict[int, float]
    status: str  # the HHI band
    largest: list[str] = field(default_factory=list)  # groups above the yellow share cut-off, largest first

    def summary(self) -> dict[str, object]:
        """One row for a Concentration sheet."""
        row: dict[str, object] = {
            "by": self.by, "groups": len(self.table), "total": self.total, "hhi": self.hhi,
            "hhi_points": self.hhi_points, "hhi_normalised": self.hhi_normalised,
            "equivalent_number": self.equivalent_number, "status": self.status,
        }
        row.update({f"top{n}_share": v for n, v in self.top_shares.items()})
        row["largest"] = ", ".join(self.largest)
        return row


def concentration(
    data: pd.DataFrame,
    by: str | Sequence[str],
    amount: str = "amount",
    thresholds: ConcentrationThresholds = ConcentrationThresholds(),
    top: Sequence[int] = (1, 2, 5),
    name: str | None = None,
) -> ConcentrationResult:
    """Concentration of ``amount`` grouped by one or more columns (buyer, province, country, sector...).

    Rows are summed per group first (so a ledger with one row per invoice can be passed as is);
    blank keys form the group "(blank)". ``largest`` names every group whose share reaches the
    yellow cut-off, largest first, or the single largest group when none does. ``name`` is a
    column holding display names for the groups (e.g. ``buyer_name`` next to ``buyer_id``).

    >>> buyers = pd.DataFrame({"buyer_id": list("ABCD"), "amount": [800_000, 560_000, 240_000, 120_000],
    ...                        "region": ["East", "US", "East", "West"],
    ...                        "sector": ["Retail", "Retail", "Wholesale", "Industrial"]})
    >>> r = concentration(buyers, "buyer_id")  # HHI-2
    >>> round(r.hhi, 6), round(r.hhi_normalised, 6), r.status, r.largest
    (0.346674, 0.128899, 'RED', ['A', 'B', 'C'])
    >>> round(concentration(buyers, "region").hhi, 6), round(concentration(buyers, "sector").hhi, 6)
    (0.476474, 0.64954)
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*keys, amount] if c not in data.columns]
    if missing:
        raise KeyError(f"concentration: columns {missing} not found; have {list(data.columns)}")
    frame = data[keys + [amount] + ([name] if name and name not in keys else [])].copy()
    for k in keys:
        frame[k] = frame[k].astype(object).where(frame[k].notna() & (frame[k].astype(str).str.strip() != ""), BLANK_GROUP)
    frame[amount] = pd.to_numeric(frame[amount], errors="coerce").fillna(0.0)
    grouped = frame.groupby(keys, sort=False, dropna=False)
    table = grouped[amount].sum().rename("amount").reset_index()
    if name and name not in keys:
        table["name"] = grouped[name].first().to_numpy()
    group = table[keys[0]].astype(str)  # "key1 / key2 / …", built column by column (no per-row Python)
    for k in keys[1:]:
        group = group + " / " + table[k].astype(str)
    table["group"] = group
    exposure = _exposures(table["amount"].to_numpy())
    table["share"] = shares(exposure)
    table = table.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table["cumulative_share"] = table["share"].cumsum()
    table["status"] = share_status(table["share"].to_numpy(), thresholds)
    front = ["group", *(["name"] if "name" in table else [])]
    table = table[front + [c for c in table.columns if c not in front]]

    h = hhi(exposure)
    flagged = table.loc[table["share"] >= thresholds.share_yellow, "group"].tolist()
    label_col = "name" if "name" in table else "group"
    shown = table[label_col].where(table[label_col].notna(), table["group"])  # a group without a name: its key
    labels = dict(zip(table["group"], shown.astype(str), strict=True))
    largest = [labels[g] for g in (flagged or table["group"].head(1).tolist())]
    return ConcentrationResult(
        by=" / ".join(keys),
        table=table,
        total=float(exposure.sum()),
        hhi=h,
        hhi_points=h * HHI_POINTS,
        hhi_normalised=hhi_normalised(exposure),
        equivalent_number=equivalent_number(exposure),
        top_shares={n: top_n_share(exposure, n) for n in top},
        status=hhi_status(h, thresholds),
        largest=largest,
    )

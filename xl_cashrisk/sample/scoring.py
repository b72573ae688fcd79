"""What the scoring slice adds to the sample register: each buyer's last limit review date.

Deterministic (no randomness): reviews are spread over the 15 months before the as-of date by buyer
number, so some buyers of every band are due for review and a few were never reviewed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

NEVER_EVERY = 23  # every 23rd buyer has no review on file


def review_dates(buyers: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """``last_review_date`` per buyer (NaT = never reviewed).

    >>> review_dates(pd.DataFrame({"buyer_id": ["B0001", "B0023"]}), dt.date(2026, 9, 30)).tolist()
    [Timestamp('2026-04-29 00:00:00'), NaT]
    """
    number = buyers["buyer_id"].astype(str).str.extract(r"(\d+)")[0].astype(float).fillna(0).astype(int).to_numpy()
    days_back = (number * 137) % 457 + 17
    dates = np.datetime64(as_of, "D") - days_back.astype("timedelta64[D]")
    out = pd.Series(pd.to_datetime(dates), index=buyers.index)
    return out.mask(number % NEVER_EVERY == 0)


def sample_register(buyers: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The sample buyers as a register: the data-model columns plus ``last_review_date``."""
    return buyers.assign(last_review_date=review_dates(buyers, as_of))

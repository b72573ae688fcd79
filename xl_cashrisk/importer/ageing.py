"""Ageing exports: amounts already spread over bucket columns (未到期 / 1-30天 / ... / Current / 1-30 / Older).

Bucket headers are read into day ranges past due. An ageing *summary* (one row per buyer, no document
numbers or dates) is reshaped into one ledger row per buyer and non-zero bucket with a synthetic due
date, by this convention (``SYNTHETIC_DUE``), recorded in the import report:

* not yet due (未到期 / Current): due date = as-of + 15 days (half of the next 30 days);
* a closed bucket ``lo–hi`` days past due: due date = as-of − the bucket's midpoint, ``(lo + hi) // 2``
  (1–30 → 15 days, 31–60 → 45, 61–90 → 75, 91–120 → 105);
* an open bucket ``> N`` days (Older / 120天以上): due date = as-of − (N + 15);
* invoice date = due date − terms (mapping ``[defaults] terms_days``, else 30); paid amount 0.

Every synthetic row therefore falls in the same bucket under the SPEC §4.1 days-past-due convention
(default bucket edges), and the buyer's total is unchanged. Ageing by days since invoice, or DSO and
payment scores, are not meaningful on synthetic dates; the note column says ``synthetic: ageing bucket``.
When the export lists documents (document numbers or dates per row), each row stays one document and
the buckets only give its amount (and its due date when the export has none).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["NOT_DUE_DAYS", "OPEN_BUCKET_EXTRA", "Bucket", "parse_bucket", "synthetic_due"]

NOT_DUE_DAYS = 15  # a not-yet-due amount is placed 15 days ahead of the as-of date
OPEN_BUCKET_EXTRA = 15  # an open-ended bucket "> N" is placed N + 15 days past due
SYNTHETIC_NOTE = "synthetic: ageing bucket {label} as of {as_of}"

_CURRENT = frozenset({"未到期", "未逾期", "信用期内", "账期内", "current", "notyetdue", "notdue", "notoverdue",
                      "currentnotdue", "current0", "0天", "未到期金额", "withinterms", "current(notdue)"})
_OLDER = frozenset({"older", "older than", "more", "over"})
_WORDS = re.compile(r"(逾期|超期|账龄|past\s*due|overdue|days?|天|日|以内|内|期间|金额|amount|aged|age)", re.I)
_RANGE = re.compile(r"^(\d{1,4})\s*(?:-|–|—|~|～|至|到|to)\s*(\d{1,4})$")
_OPEN = re.compile(r"^(?:>|>=|≥|over|above|more than|超过|大于|older than)\s*(\d{1,4})$|^(\d{1,4})\s*(?:\+|以上|及以上|"
                   r"and over|and above|or more|or older|plus)$", re.I)
_MONTHS = re.compile(r"^(<\s*1|\d)\s*months?$", re.I)


@dataclass(frozen=True)
class Bucket:
    """Days past due: ``lo`` is None for not yet due; ``hi`` None for an open-ended bucket."""

    label: str
    lo: int | None
    hi: int | None

    def midpoint_days(self) -> int:
        if self.lo is None:
            return -NOT_DUE_DAYS
        if self.hi is None:
            return self.lo - 1 + OPEN_BUCKET_EXTRA
        return (self.lo + self.hi) // 2


def parse_bucket(label: object) -> Bucket | None:
    """The bucket a header names, or ``None``.

    >>> [parse_bucket(h) for h in ("未到期", "逾期1-30天", "31 - 60 days past due", "120天以上", "> 90")]
    [Bucket(label='未到期', lo=None, hi=None), Bucket(label='逾期1-30天', lo=1, hi=30), Bucket(label='31 - 60 days past due', lo=31, hi=60), Bucket(label='120天以上', lo=121, hi=None), Bucket(label='> 90', lo=91, hi=None)]
    >>> parse_bucket("< 1 Month"), parse_bucket("Older"), parse_bucket("金额")
    (Bucket(label='< 1 Month', lo=1, hi=30), Bucket(label='Older', lo=121, hi=None), None)
    """
    if label is None:
        return None
    raw = " ".join(unicodedata.normalize("NFKC", str(label)).split())
    s = raw.casefold().strip()
    if not s:
        return None
    compact = s.replace(" ", "")
    if compact in _CURRENT:
        return Bucket(raw, None, None)
    m = _MONTHS.match(s)
    if m:  # Xero: < 1 Month, 1 Month, 2 Months, 3 Months (by month past due), then Older
        n = 0 if "<" in m.group(1) else int(m.group(1))
        return Bucket(raw, 30 * n + 1, 30 * (n + 1))
    if s in _OLDER or s.startswith("older"):
        return Bucket(raw, 121, None)
    core = _WORDS.sub(" ", s).strip()
    core = " ".join(core.split())
    m = _RANGE.match(core)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi:
            return Bucket(raw, max(lo, 1) if lo > 0 else 1, hi)
        return None
    m = _OPEN.match(core)
    if m:
        if m.group(1) is not None:  # "> 90": more than 90 days
            return Bucket(raw, int(m.group(1)) + 1, None)
        n = int(m.group(2))
        # "120天以上" / "91 and over" / "120+": Chinese 以上 and "+" after a round number mean beyond it;
        # "91 and over" names the first day of the bucket
        return Bucket(raw, n if n % 10 == 1 else n + 1, None)
    return None


def synthetic_due(bucket: Bucket, as_of: dt.date) -> dt.date:
    """The due date that puts an amount of ``bucket`` in that bucket as of ``as_of`` (module convention).

    >>> d = dt.date(2026, 9, 30)
    >>> [synthetic_due(b, d).isoformat() for b in (Bucket("c", None, None), Bucket("1-30", 1, 30), Bucket(">120", 121, None))]
    ['2026-10-15', '2026-09-15', '2026-05-18']
    """
    return as_of - dt.timedelta(days=bucket.midpoint_days())

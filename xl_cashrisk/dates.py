"""Excel date serials and calendar days.

Excel (1900 date system) counts serial 1 as 1900-01-01 and keeps the fictitious 1900-02-29 as
serial 60, so serials from 61 on are days since 1899-12-30. LibreOffice uses 1899-12-30 as day 0
throughout; both agree from 1900-03-01 (serial 61) on, which is every date a ledger holds.
Serial 60 is refused rather than mapped to a real day. A workbook in the 1904 date system (the old
Excel for Mac default, ``<workbookPr date1904="1"/>``) counts from :data:`EXCEL_EPOCH_1904` instead;
:func:`xl_cashrisk.schemas.values.serial_dates` reads serials in either system.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EXCEL_EPOCH_1904 = np.datetime64("1904-01-01", "D")  # serial 0 in the 1904 date system
FIRST_SAFE_SERIAL = 61  # 1900-03-01; below it Excel and real calendars disagree by a day
LAST_SERIAL = 2958465  # 9999-12-31, Excel's last date
DAYS_IN_YEAR = 365  # SPEC §0: the period's days default to 365 (360 allowed)

__all__ = ["EXCEL_EPOCH", "EXCEL_EPOCH_1904", "LAST_SERIAL", "date_to_serial", "serial_to_date", "serials_to_dates"]


def serial_to_date(serial: float) -> dt.date:
    """Convert one Excel serial (fraction = time of day, dropped) to a date.

    >>> serial_to_date(45473)
    datetime.date(2024, 6, 30)
    >>> serial_to_date(45473.75)
    datetime.date(2024, 6, 30)
    """
    days = serials_to_dates(np.asarray([serial], dtype=float))[0]
    if np.isnat(days):
        raise ValueError(f"{serial!r} is not an Excel date serial between 61 and {LAST_SERIAL}")
    return days.astype(dt.date)


def serials_to_dates(serials: np.ndarray) -> np.ndarray:
    """Vectorised: float serials to datetime64[D]; NaN and out-of-range serials become NaT.

    >>> serials_to_dates(np.array([45473.0, np.nan, 60.0]))
    array(['2024-06-30',        'NaT',        'NaT'], dtype='datetime64[D]')
    """
    s = np.asarray(serials, dtype=float)
    ok = np.isfinite(s) & (s >= FIRST_SAFE_SERIAL) & (s < LAST_SERIAL + 1)
    whole = np.where(ok, np.floor(np.where(ok, s, 0.0)), 0).astype("int64")
    out = EXCEL_EPOCH + whole.astype("timedelta64[D]")
    out[~ok] = np.datetime64("NaT")
    return out


def date_to_serial(day: dt.date | np.datetime64) -> int:
    """Excel serial of a date.

    >>> date_to_serial(dt.date(2024, 6, 30))
    45473
    """
    return int((np.datetime64(day, "D") - EXCEL_EPOCH).astype(int))

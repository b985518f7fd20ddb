"""The city's year, as the sources feel it: multipliers on a day's volume, driven by the office calendar.

- Documents (S1) stop on days off; the first working days after a long break (Lunar New Year, a long
  weekend, a typhoon) carry the pile-up, the last days before Lunar New Year a small rush.
- Petitions (S2) drop on days off, peak in summer, on a typhoon day and the days after it (roads,
  trees, drains), and pile up after a long break at the counters.
- The budget's year-end rush (S3) is in budget.py (RUSH_AHEAD), meetings (S4) in register.py.
Pure functions of the calendar: no randomness here, so the generator stays byte-for-byte the same
for a seed.
"""
from __future__ import annotations

from datetime import date, timedelta

from .calendar import OfficeCalendar

# A break of at least this many days off in a row leaves a pile-up behind it (a long weekend is 3).
LONG_BREAK = 3
# Petitions by month (summer peak), averaging 1 over the year.
PETITION_MONTH = [0.85, 0.80, 0.95, 0.95, 1.00, 1.10, 1.25, 1.25, 1.15, 1.00, 0.90, 0.85]
# A typhoon day and the calendar days after it: hotline calls first, then the damage reports.
TYPHOON_DAY = 1.8
TYPHOON_AFTER = [2.4, 1.8, 1.4, 1.15]


def _pile_up(calendar: OfficeCalendar, d: date) -> float:
    """Extra volume on the first two working days after a long break, growing with its length
    (capped at 9 days off, a long Lunar New Year)."""
    off = calendar.days_off_before(d)
    if off >= LONG_BREAK:
        return 1.0 + 0.07 * min(off, 9)
    previous = d - timedelta(days=1)
    off = calendar.days_off_before(previous) if calendar.is_working_day(previous) else 0
    if off >= LONG_BREAK:
        return 1.0 + 0.035 * min(off, 9)
    return 1.0


def _before_new_year_break(calendar: OfficeCalendar, d: date) -> bool:
    """d is one of the two working days before a break of 5 or more days off (Lunar New Year)."""
    nxt = calendar.nth_working_day_after(d, 1)
    if (nxt - d).days > 5:
        return True
    after = calendar.nth_working_day_after(nxt, 1)
    return (after - nxt).days > 5


def document_factor(calendar: OfficeCalendar, d: date) -> float:
    """A working day's document volume relative to an ordinary day (0 on a day off)."""
    if not calendar.is_working_day(d):
        return 0.0
    factor = _pile_up(calendar, d)
    if _before_new_year_break(calendar, d):
        factor *= 1.15
    return factor


def days_after_typhoon(calendar: OfficeCalendar, d: date) -> int | None:
    """0 on a typhoon day, 1-4 on the calendar days after one, else None."""
    for k in range(len(TYPHOON_AFTER) + 1):
        if calendar.is_typhoon_day(d - timedelta(days=k)):
            return k
    return None


def petition_factor(calendar: OfficeCalendar, d: date) -> float:
    """A day's petition volume relative to an average day of the year (before the working-day
    weighting the simulator applies)."""
    factor = PETITION_MONTH[d.month - 1]
    k = days_after_typhoon(calendar, d)
    if k == 0:
        factor *= TYPHOON_DAY
    elif k is not None:
        factor *= TYPHOON_AFTER[k - 1]
    if calendar.is_working_day(d):
        factor *= _pile_up(calendar, d)
    return factor

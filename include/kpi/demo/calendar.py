"""S6: the government office calendar (辦公日曆表), and the working-day arithmetic the other sources use.

The dates are the DGPA calendars as published for 2022-2026 (days off on weekdays, make-up working
Saturdays). Weekend days inside a long holiday carry no note, as in the published files.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

WEEKDAY_ZH = "一二三四五六日"

# (MMDD, note) for days off that are not ordinary weekends (or are weekend holidays worth a note).
_DAYS_OFF: dict[int, list[tuple[str, str]]] = {
    2022: [
        ("0101", "開國紀念日"), ("0131", "春節"), ("0201", "春節"), ("0202", "春節"),
        ("0203", "春節"), ("0204", "春節"), ("0228", "和平紀念日"), ("0404", "兒童節"),
        ("0405", "民族掃墓節"), ("0603", "端午節"), ("0909", "中秋節補假"), ("0910", "中秋節"),
        ("1010", "國慶日"),
    ],
    2023: [
        ("0101", "開國紀念日"), ("0102", "開國紀念日補假"), ("0120", "春節"), ("0123", "春節"),
        ("0124", "春節"), ("0125", "春節"), ("0126", "春節"), ("0127", "春節"),
        ("0227", "調整放假"), ("0228", "和平紀念日"), ("0403", "調整放假"), ("0404", "兒童節"),
        ("0405", "民族掃墓節"), ("0622", "端午節"), ("0623", "調整放假"), ("0929", "中秋節"),
        ("1009", "調整放假"), ("1010", "國慶日"),
    ],
    2024: [
        ("0101", "開國紀念日"), ("0208", "春節"), ("0209", "春節"), ("0212", "春節"),
        ("0213", "春節"), ("0214", "春節"), ("0228", "和平紀念日"), ("0404", "兒童節及民族掃墓節"),
        ("0405", "兒童節補假"), ("0610", "端午節"), ("0917", "中秋節"), ("1010", "國慶日"),
    ],
    2025: [
        ("0101", "開國紀念日"), ("0127", "春節"), ("0128", "春節"), ("0129", "春節"),
        ("0130", "春節"), ("0131", "春節"), ("0228", "和平紀念日"), ("0403", "兒童節"),
        ("0404", "民族掃墓節"), ("0501", "勞動節"), ("0530", "端午節補假"), ("0531", "端午節"),
        ("0928", "孔子誕辰紀念日"), ("0929", "孔子誕辰紀念日補假"), ("1006", "中秋節"),
        ("1010", "國慶日"), ("1024", "臺灣光復節補假"), ("1025", "臺灣光復節"), ("1225", "行憲紀念日"),
    ],
    2026: [
        ("0101", "開國紀念日"), ("0216", "春節"), ("0217", "春節"), ("0218", "春節"),
        ("0219", "春節"), ("0220", "春節"), ("0227", "和平紀念日補假"), ("0228", "和平紀念日"),
        ("0403", "兒童節補假"), ("0404", "兒童節"), ("0405", "民族掃墓節"), ("0406", "民族掃墓節補假"),
        ("0501", "勞動節"), ("0619", "端午節"), ("0925", "中秋節"), ("0928", "孔子誕辰紀念日"),
        ("1009", "國慶日補假"), ("1010", "國慶日"), ("1025", "臺灣光復節"), ("1026", "臺灣光復節補假"),
        ("1225", "行憲紀念日"),
    ],
}
# Typhoon days off (颱風停止上班上課) the city declared, a few each summer and autumn; the office
# calendar file carries them as days off like any holiday (2024's are the real ones; the others are
# plausible dates for the demo). Petitions peak on the days after them (seasons.py).
TYPHOON_DAYS: dict[int, list[str]] = {
    2022: ["0912"],
    2023: ["0728", "0803"],
    2024: ["0724", "0725", "1002", "1003", "1031"],
    2025: ["0729", "1112"],
    2026: ["0805", "0915"],
}
TYPHOON_NOTE = "颱風停止上班"
_MAKEUP_WORKDAYS: dict[int, list[str]] = {
    2022: ["0122"],
    2023: ["0107", "0204", "0218", "0325", "0617", "0923"],
    2024: ["0217"],
    2025: ["0208"],
    2026: [],
}
# Years not hard-coded still get the fixed-date national days, so the file looks published.
_FIXED_DAYS_OFF = [("0101", "開國紀念日"), ("0228", "和平紀念日"), ("1010", "國慶日")]


def _days_off(year: int) -> dict[date, str]:
    pairs = _DAYS_OFF.get(year, _FIXED_DAYS_OFF) + [(md, TYPHOON_NOTE) for md in TYPHOON_DAYS.get(year, [])]
    return {date(year, int(md[:2]), int(md[2:])): note for md, note in pairs}


def _makeup(year: int) -> set[date]:
    return {date(year, int(md[:2]), int(md[2:])) for md in _MAKEUP_WORKDAYS.get(year, [])}


class OfficeCalendar:
    """Working days as the pipeline will see them: the published years use their calendar file,
    any other year counts only weekends as days off (the rule of docs/sources.md#s6-calendar)."""

    def __init__(self, published_years: range | list[int]):
        self.published_years = set(published_years)
        self._off: dict[date, str] = {}
        self._makeup: set[date] = set()
        for year in self.published_years:
            self._off.update(_days_off(year))
            self._makeup |= _makeup(year)

    def is_working_day(self, d: date) -> bool:
        if d.year not in self.published_years:
            return d.weekday() < 5
        if d in self._makeup:
            return True
        return d.weekday() < 5 and d not in self._off

    def note(self, d: date) -> str:
        if d in self._makeup:
            return "補行上班"
        note = self._off.get(d, "")
        # Long-holiday weekends are left blank in the published files; named weekend days keep theirs.
        if note == "春節" and d.weekday() >= 5:
            return ""
        return note

    def is_typhoon_day(self, d: date) -> bool:
        return self._off.get(d) == TYPHOON_NOTE

    def days_off_before(self, d: date) -> int:
        """How many days off in a row end the day before d (0 after a working day)."""
        n, cur = 0, d - timedelta(days=1)
        while n < 14 and not self.is_working_day(cur):
            n, cur = n + 1, cur - timedelta(days=1)
        return n

    def nth_working_day_after(self, d: date, n: int) -> date:
        """The n-th working day after d (d itself not counted)."""
        cur = d
        while n > 0:
            cur += timedelta(days=1)
            if self.is_working_day(cur):
                n -= 1
        return cur

    def next_working_day(self, d: date) -> date:
        """d if it is a working day, else the next one."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def working_days(self, first: date, last: date) -> list[date]:
        days, cur = [], first
        while cur <= last:
            if self.is_working_day(cur):
                days.append(cur)
            cur += timedelta(days=1)
        return days


def calendar_encoding(year: int) -> str:
    """Even years arrive as Big5 (cp950), odd years as UTF-8 with BOM, like the sample files."""
    return "cp950" if year % 2 == 0 else "utf-8-sig"


def write_calendar_files(landing: Path, calendar: OfficeCalendar, years: list[int],
                         progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, year in enumerate(years):
        lines = ["西元日期,星期,是否放假,備註"]
        d = date(year, 1, 1)
        while d.year == year:
            off = "0" if calendar.is_working_day(d) else "2"
            lines.append(f"{d:%Y%m%d},{WEEKDAY_ZH[d.weekday()]},{off},{calendar.note(d)}")
            d += timedelta(days=1)
        encoding = calendar_encoding(year)
        path = folder / f"calendar_{year}.csv"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        files.append({
            "path": f"calendar/{path.name}", "format": "csv",
            "encoding": "cp950" if encoding == "cp950" else "utf-8-bom",
            "rows": len(lines) - 1, "bad_rows": 0, "bad": [],
        })
        if progress:
            progress("calendar", i + 1, len(years))
    return {"files": files, "rows": sum(f["rows"] for f in files), "bad_rows": 0}

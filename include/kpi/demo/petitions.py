"""S2: the petition / 1999 case system's daily incremental export (cp950 CSV, one file per day).

Cases are simulated one receipt day at a time; each case's later versions (correction, transfer,
closing, withdrawal) are parked in the bucket of the day they happen and written with that day's
file, so memory holds only the versions still to come.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .calendar import OfficeCalendar
from .draws import poisson
from .orgs import Department
from .people import Petitioner, petitioner
from .roc import impossible_roc_date, roc_compact, roc_date, roc_datetime
from .seasons import days_after_typhoon, petition_factor

HEADER = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,"
          "結案日期,陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間")
HOTLINE = "1999市民熱線"
OPEN, CLOSED, WITHDRAWN = "處理中", "已結案", "已撤案"

# Cases a year at scale 1 (Keelung: tens of thousands, growing as the hotline is promoted).
YEAR_CASES = {2022: 27_000, 2023: 29_000, 2024: 31_000, 2025: 32_500, 2026: 34_000}
CHANNELS_WORKDAY = {HOTLINE: 0.55, "市長信箱": 0.14, "臨櫃": 0.09, "書面": 0.05, "電子郵件": 0.13, "其他": 0.04}
CHANNELS_DAY_OFF = {HOTLINE: 0.80, "市長信箱": 0.10, "電子郵件": 0.08, "其他": 0.02}
# Hotline receipts by hour: around the clock, thin at night but never zero (midnight included).
_HOTLINE_HOURS = [0.5, 0.3, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 2.2, 3.0, 3.0, 2.8, 2.2, 2.6, 2.8, 2.6,
                  2.4, 2.0, 1.6, 1.4, 1.2, 1.0, 0.8, 0.6]
_ONLINE_HOURS = [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.0, 2.0, 1.8, 1.4, 1.6, 1.8, 1.8, 1.6,
                 1.4, 1.2, 1.3, 1.5, 1.5, 1.2, 0.7]

# (main category, sub categories, {department: weight}, share of cases)
CATEGORIES = [
    ("道路維修", ["路面坑洞", "人行道破損", "水溝蓋鬆動"], {"KL1200": 1}, 14),
    ("路燈", ["路燈故障", "路燈增設"], {"KL1200": 1}, 6),
    ("環境衛生", ["垃圾清運", "環境髒亂", "病媒蚊孳生"], {"KL1900": 1}, 13),
    ("噪音", ["施工噪音", "營業噪音", "車輛噪音"], {"KL1900": 0.8, "KL1600": 0.2}, 7),
    ("交通", ["違規停車", "號誌故障", "公車服務", "標線劃設"], {"KL1600": 0.4, "KL0900": 0.6}, 14),
    ("社會福利", ["補助申請", "長照服務", "急難救助"], {"KL0600": 1}, 6),
    ("消防安全", ["消防設備", "防火巷阻塞"], {"KL1700": 1}, 3),
    ("衛生醫療", ["食品衛生", "醫療院所"], {"KL1800": 1}, 4),
    ("動物保護", ["流浪動物", "動物救援"], {"KL0500": 1}, 4),
    ("建築管理", ["違章建築", "建物安全", "騎樓占用"], {"KL0800": 1}, 6),
    ("地政", ["地籍測量", "土地登記"], {"KL0700": 1}, 2),
    ("稅務", ["房屋稅", "地價稅", "使用牌照稅"], {"KL2000": 1}, 3),
    ("教育", ["校園安全", "學校設施"], {"KL0400": 1}, 3),
    ("觀光", ["景點設施", "觀光活動"], {"KL1000": 1}, 2),
    ("文化", ["藝文活動", "圖書館服務"], {"KL1500": 1}, 2),
    ("民政", ["戶政服務", "殯葬服務", "里鄰事務"], {"KL0100": 1}, 4),
    ("財政", ["公有財產", "公庫服務"], {"KL0200": 1}, 1),
    ("人事", ["人事陳情"], {"KL1100": 1}, 0.4),
    ("主計", ["預算執行"], {"KL1300": 1}, 0.2),
    ("政風", ["廉政檢舉"], {"KL1400": 1}, 0.5),
    ("市政建議", ["施政建議", "其他建議"], {"KL0300": 1}, 3),
]
# Share of cases left open long past their due date, per department (the rest close on time or a
# little late). Public works and urban development (illegal buildings) drag; the city lands near 80%.
LONG_OVERDUE = {"KL1200": 0.38, "KL0800": 0.46, "KL0900": 0.30, "KL0700": 0.26, "KL1900": 0.21}
LONG_OVERDUE_DEFAULT = 0.15
YEAR_BACKLOG = {2022: 0.85, 2023: 1.15, 2024: 0.85, 2025: 1.1, 2026: 1.0}
HOTLINE_DUE_WORKDAYS = 6
_STORM_CATEGORIES = {"道路維修", "路燈", "環境衛生"}
OTHER_DUE_DAYS = 30


@dataclass
class _Case:
    case_id: str
    channel: str
    main: str
    sub: str
    received: datetime
    dept: Department
    due: str
    person: Petitioner
    status: str = OPEN
    closed_at: datetime | None = None


@dataclass
class _DayBuckets:
    rows: dict[date, list[tuple[str, datetime, list[str]]]] = field(default_factory=dict)

    def add(self, when: datetime, case_id: str, fields: list[str]) -> None:
        self.rows.setdefault(when.date(), []).append((case_id, when, fields))


class PetitionSimulator:
    def __init__(self, departments: list[Department], calendar: OfficeCalendar, until: date,
                 rng: random.Random, scale: float):
        self.calendar, self.until, self.rng, self.scale = calendar, until, rng, scale
        self.by_code = {d.code: d for d in departments}
        self.departments = departments
        self.categories = [
            (main, subs, {c: w for c, w in routes.items() if c in self.by_code} or None, share)
            for main, subs, routes, share in CATEGORIES
        ]
        self.usual_weights = [c[3] for c in self.categories]
        self.storm_weights = [w * (3 if c[0] in _STORM_CATEGORIES else 1)
                              for c, w in zip(self.categories, self.usual_weights)]
        self.category_weights = self.usual_weights
        self.buckets = _DayBuckets()
        self.cases = 0

    # -- one day of receipts -------------------------------------------------------------------
    def receive_day(self, day: date) -> None:
        working = self.calendar.is_working_day(day)
        base = YEAR_CASES.get(day.year, YEAR_CASES[min(YEAR_CASES, key=lambda y: abs(y - day.year))])
        # Working days carry ~1.25x the average day, days off ~0.45x (mostly hotline calls); then the
        # season: the summer peak, typhoons and the pile-up after a long break (seasons.py).
        factor = petition_factor(self.calendar, day)
        n = poisson(self.rng, base / 365 * (1.25 if working else 0.45) * factor * self.scale)
        # After a typhoon the damage reports (roads, street lights, debris) dominate.
        self.category_weights = self.storm_weights if days_after_typhoon(self.calendar, day) is not None \
            else self.usual_weights
        channels = CHANNELS_WORKDAY if working else CHANNELS_DAY_OFF
        drafts = []
        for _ in range(n):
            channel = self.rng.choices(list(channels), weights=list(channels.values()))[0]
            drafts.append((self._receipt_time(day, channel, working), channel))
        drafts.sort()
        for seq, (received, channel) in enumerate(drafts, start=1):
            self._simulate_case(f"KL{roc_compact(day)}{seq:05d}", channel, received)

    def _receipt_time(self, day: date, channel: str, working: bool) -> datetime:
        rng = self.rng
        if channel in ("臨櫃", "書面") and working:
            minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
            return datetime.combine(day, time(minutes // 60, minutes % 60, rng.randrange(60)))
        hours = _HOTLINE_HOURS if channel == HOTLINE else _ONLINE_HOURS
        hour = rng.choices(range(24), weights=hours)[0]
        return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))

    # -- one case's life -----------------------------------------------------------------------
    def _simulate_case(self, case_id: str, channel: str, received: datetime) -> None:
        rng = self.rng
        main, subs, routes, _ = rng.choices(self.categories, weights=self.category_weights)[0]
        if routes:
            dept = self.by_code[rng.choices(list(routes), weights=list(routes.values()))[0]]
        else:
            dept = rng.choice(self.departments)
        due_day = self._due_day(received, channel)
        # The case system fills the due date for some cases only; blank is legal (derived later).
        due = roc_date(due_day) if rng.random() < 0.55 else ""
        case = _Case(case_id, channel, main, rng.choice(subs), received, dept, due, petitioner(rng))
        self.cases += 1

        created = received + timedelta(seconds=rng.randrange(120, 900))
        events: list[tuple[datetime, str]] = [(created, "create")]
        if rng.random() < 0.04:
            events.append((created + timedelta(minutes=rng.randrange(10, 20 * 60)), "correct"))
        if rng.random() < 0.03:
            events.append((created + timedelta(minutes=rng.randrange(120, 3 * 24 * 60)), "transfer"))
        events.append(self._outcome(case, due_day, created))
        events.sort()
        # Every version is at least a minute after the previous one, so the latest version is clear.
        last = None
        for when, kind in events:
            if case.status != OPEN:
                break  # nothing changes on a closed or withdrawn case
            if last is not None and when <= last + timedelta(seconds=60):
                when = last + timedelta(seconds=61 + rng.randrange(600))
            if when.date() > self.until:
                break
            self._apply(case, kind, when)
            last = when

    def _due_day(self, received: datetime, channel: str) -> date:
        if channel == HOTLINE:
            return self.calendar.nth_working_day_after(received.date(), HOTLINE_DUE_WORKDAYS)
        return received.date() + timedelta(days=OTHER_DUE_DAYS)

    def _outcome(self, case: _Case, due_day: date, created: datetime) -> tuple[datetime, str]:
        rng = self.rng
        if rng.random() < 0.02:
            return self._office_time(created.date() + timedelta(days=rng.randrange(0, 10)), created), "withdraw"
        overdue = LONG_OVERDUE.get(case.dept.code, LONG_OVERDUE_DEFAULT)
        overdue *= YEAR_BACKLOG.get(created.year, 1.0)
        roll = rng.random()
        if roll < overdue:
            day = due_day + timedelta(days=rng.randrange(120, 700))
        elif roll < overdue + 0.10:
            day = due_day + timedelta(days=rng.randrange(1, 45))
        elif case.channel == HOTLINE:
            k = rng.choices(range(7), weights=[8, 22, 20, 16, 13, 11, 10])[0]
            day = self.calendar.nth_working_day_after(created.date(), k) if k else created.date()
        else:
            day = created.date() + timedelta(days=rng.randrange(1, OTHER_DUE_DAYS))
        return self._office_time(day, created), "close"

    def _office_time(self, day: date, not_before: datetime) -> datetime:
        """Office hours on the first working day from `day`, after `not_before`."""
        day = self.calendar.next_working_day(max(day, not_before.date()))
        minutes = self.rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        when = datetime.combine(day, time(minutes // 60, minutes % 60, self.rng.randrange(60)))
        if when <= not_before:
            when = not_before + timedelta(minutes=self.rng.randrange(20, 240))
        return when

    def _apply(self, case: _Case, kind: str, when: datetime) -> None:
        rng = self.rng
        if kind == "correct":
            case.sub += "（更正）"
        elif kind == "transfer":
            others = [d for d in self.departments if d.code != case.dept.code]
            case.dept = rng.choice(others) if others else case.dept
        elif kind == "close":
            case.status, case.closed_at = CLOSED, when
            when = when + timedelta(seconds=rng.randrange(0, 1200))
        elif kind == "withdraw":
            case.status = WITHDRAWN
        if when.date() > self.until:
            return
        p = case.person
        fields = [
            case.case_id, case.channel, case.main, case.sub,
            roc_datetime(case.received, seconds=rng.random() < 0.75),
            case.dept.code, case.dept.name, case.due, case.status,
            roc_datetime(case.closed_at, seconds=rng.random() < 0.75) if case.closed_at else "",
            p.name, p.phone, p.email, p.address, roc_datetime(when),
        ]
        self.buckets.add(when, case.case_id, fields)

    def day_rows(self, day: date) -> list[list[str]]:
        rows = self.buckets.rows.pop(day, [])
        rows.sort(key=lambda r: (r[0], r[1]))
        return [r[2] for r in rows]


_STATUS_TYPOS = ["審核中", "已結", "待分案", "結案"]


def _spoil(fields: list[str], kind: int, year: int, rng: random.Random) -> str:
    """Break one row the way real exports do; returns the reason for the manifest."""
    if kind % 2 == 0:
        time_part = fields[4].split(" ", 1)[1] if " " in fields[4] else "10:00"
        fields[4] = f"{impossible_roc_date(year, rng.randrange(5))} {time_part}"
        return f"impossible date in 受理日期 ({fields[4].split(' ')[0]})"
    fields[8] = rng.choice(_STATUS_TYPOS)
    return f"unknown 處理狀態 ({fields[8]})"


def write_petitions(landing: Path, departments: list[Department], calendar: OfficeCalendar,
                    start: date, until: date, rng: random.Random, scale: float,
                    progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "petitions"
    folder.mkdir(parents=True, exist_ok=True)
    days = [start + timedelta(days=i) for i in range((until - start).days + 1)]
    n_days = len(days)
    # A few files arrive as UTF-8 with BOM (an export run from another machine): one in fifty.
    bom_offset = rng.randrange(min(50, n_days))
    bom_days = {i for i in range(n_days) if i % 50 == bom_offset}
    n_bad = min(8, max(1, n_days // 40))
    bad_days = {n_days * k // n_bad + rng.randrange(max(1, n_days // n_bad)) for k in range(n_bad)}

    sim = PetitionSimulator(departments, calendar, until, rng, scale)
    files, pending_bad, spoiled = [], 0, 0
    for i, day in enumerate(days):
        sim.receive_day(day)
        rows = sim.day_rows(day)
        bad = []
        if i in bad_days:
            pending_bad += 1
        if pending_bad and rows:
            # An empty day passes its bad row on to the next file that has rows.
            index = rng.randrange(len(rows))
            reason = _spoil(rows[index], spoiled, day.year, rng)
            bad.append({"line": index + 2, "reason": reason})
            pending_bad -= 1
            spoiled += 1
        encoding = "utf-8-sig" if i in bom_days else "cp950"
        lines = [HEADER] + [",".join(r) for r in rows]
        # The export ends with an empty line, as the sample file does.
        text = "\r\n".join(lines) + "\r\n\r\n"
        path = folder / f"petitions_{day:%Y%m%d}.csv"
        path.write_bytes(text.encode(encoding))
        files.append({
            "path": f"petitions/{path.name}", "format": "csv",
            "encoding": "cp950" if encoding == "cp950" else "utf-8-bom",
            "rows": len(rows), "bad_rows": len(bad), "bad": bad, "blank_lines": [len(lines) + 1],
        })
        if progress and (i % 10 == 9 or i == n_days - 1):
            progress("petitions", i + 1, n_days)
    return {
        "files": files, "rows": sum(f["rows"] for f in files),
        "bad_rows": sum(f["bad_rows"] for f in files), "cases": sim.cases,
    }

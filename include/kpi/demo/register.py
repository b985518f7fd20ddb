"""S4: the hand-kept 管考 register (UTF-8 with BOM, CRLF), with the typing quirks staff produce."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .calendar import OfficeCalendar
from .orgs import Department
from .people import person_name
from .roc import impossible_roc_date, roc_date, roc_datetime, roc_year, to_fullwidth

HEADER = "指標代碼,辦理日期,辦理單位,辦理事項,數值,分母,有效期限,佐證連結,填報人,填報時間"
PLANNING_UNIT = "KL0300"   # 綜合發展處 keeps the register and does most of the work in it
PROPERTY_UNIT = "KL0200"   # 財政處 runs the vehicle / property / building check (K8.1)

# ISO 27001 certificates (valid from, valid to): the first lapses before the renewal audit, so
# 2023 has a gap of seven weeks; the 2026 renewal overlaps the old certificate.
CERTIFICATES = [
    (date(2021, 11, 15), date(2023, 6, 30)),
    (date(2023, 8, 21), date(2026, 8, 20)),
    (date(2026, 8, 10), date(2029, 8, 9)),
]
# K3.1 (政府服務獎 coaching): agencies coached so far / agencies taking part, by year.
SERVICE_AWARD = {2022: 8, 2023: 9, 2024: 9, 2025: 10, 2026: 10}
SERVICE_AWARD_SHORT = {2023: 1, 2026: 2}   # years the last agencies were not reached
# A designed miss: a meeting called off and never held. The regulations panel meets ahead of the
# plan's straight line, so in October 2025 it is on track by the line one meeting short, while the
# projection (two more meetings to come, as every year) already sees 15 of 16: an early warning.
CANCELLED = {(2025, "K6.4", "第7次法規審查小組委員會會議")}


@dataclass
class Entry:
    code: str
    done: date
    unit: str
    item: str
    value: str = ""
    denominator: str = ""
    expires: str = ""
    link: str = ""
    clerk: str = ""
    entered: datetime | None = None


# Indicators counted in committee meetings: held on their scheduled day (the next working day when
# it is a day off), now and then put off by a week or two, not by months like other work.
_MEETINGS = {"K4.1", "K6.2", "K6.3", "K6.4"}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0 = Monday) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _planned_events(year: int) -> list[tuple[str, date, str, str]]:
    """(code, planned date, unit, item) for everything the plan asks of one year."""
    roc = roc_year(year)
    ev: list[tuple[str, date, str, str]] = []
    u = PLANNING_UNIT
    for m in range(1, 13):
        ev.append(("K1.1", date(year, m, 22), u, f"{m}月份資訊機房暨設備定期保養維護"))
    ev.append(("K2.1", date(year, 5, 20), u, f"{roc}年度資訊安全教育訓練講習"))
    ev.append(("K2.2", date(year, 4, 15), u, "上半年社交工程演練"))
    ev.append(("K2.2", date(year, 10, 14), u, "下半年社交工程演練"))
    ev.append(("K2.3", date(year, 8, 18), u, "資通安全事件通報及應變演練"))
    ev.append(("K2.4", date(year, 7, 8), u, "核心資通系統網站安全弱點檢測"))
    ev.append(("K2.5", date(year, 10, 28), u, "內部資通安全稽核"))
    ev.append(("K2.6", date(year, 9, 23), u, "所屬機關資通安全維護計畫實施情形查核"))
    ev.append(("K4.1", _nth_weekday(year, 6, 2, 3), u, f"{roc}年度研究發展報告評審會議"))
    ev.append(("K4.1", date(year, 11, 10), u, f"{roc}年度研究發展成果獎勵審查"))
    ev.append(("K5.2", date(year, 12, 15), u, f"{roc + 1}年度施政計畫彙編完成"))
    ev.append(("K5.3", date(year, 3, 20), u, f"{roc - 1}年度施政績效成果報告彙編完成"))
    ev.append(("K5.4", date(year, 6, 16), u, "施政總報告（第1次定期大會）編撰完成"))
    ev.append(("K5.4", date(year, 11, 12), u, "施政總報告（第2次定期大會）編撰完成"))
    ev.append(("K6.1", date(year, 8, 5), u, f"{roc}年度法規講習"))
    # Committees meet on their own calendar: the appeals board on the 4th Tuesday of each quarter's
    # first month, the state-compensation panel on the 3rd Thursday of its second month, the
    # regulations panel every third Wednesday from the 2nd Wednesday of January.
    for q in range(4):
        ev.append(("K6.2", _nth_weekday(year, 1 + 3 * q, 1, 4), u, f"第{q + 1}次訴願審議委員會會議"))
        ev.append(("K6.3", _nth_weekday(year, 2 + 3 * q, 3, 3), u, f"第{q + 1}次國家賠償事件處理小組委員會會議"))
    for k in range(16):
        ev.append(("K6.4", _nth_weekday(year, 1, 2, 2) + timedelta(weeks=3 * k), u,
                   f"第{k + 1}次法規審查小組委員會會議"))
    ev.append(("K8.1", date(year, 9, 30), PROPERTY_UNIT, "清查車輛、財產及廳舍使用狀況"))
    return ev


_LINK_KIND = {"K1": "it/maintenance", "K2": "security", "K4": "research", "K5": "report",
              "K6": "legal/minutes", "K8": "property", "K3": "service-award"}


class RegisterBuilder:
    def __init__(self, departments: list[Department], calendar: OfficeCalendar, start: date,
                 until: date, rng: random.Random):
        self.calendar, self.start, self.until, self.rng = calendar, start, until, rng
        names = {d.code: d.name for d in departments}
        self.unit_name = lambda code: names.get(code, names.get(PLANNING_UNIT, next(iter(names.values()))))
        # A handful of clerks, each usually entering their own indicators.
        self.clerks = [person_name(rng) for _ in range(5)]
        self._serial = 0

    def _link(self, code: str, done: date) -> str:
        if self.rng.random() < 0.1:
            return ""
        self._serial += 1
        return f"https://example.gov.tw/{_LINK_KIND.get(code[:2], 'kpi')}/{done:%Y%m%d}-{self._serial}"

    def _clerk(self, code: str) -> str:
        regular = {"K1": 0, "K2": 0, "K3": 1, "K4": 1, "K5": 2, "K6": 3, "K8": 4}.get(code[:2], 1)
        return self.clerks[regular] if self.rng.random() < 0.85 else self.rng.choice(self.clerks)

    def _entered(self, done: date) -> datetime:
        day = self.calendar.nth_working_day_after(done, self.rng.choices(range(5), weights=[5, 3, 1, 1, 1])[0])
        minutes = self.rng.randrange(8 * 60 + 30, 18 * 60 + 30)
        when = datetime.combine(min(day, self.until), time(minutes // 60, minutes % 60))
        return max(when, datetime.combine(done, time(9, 0)))

    def _entry(self, code: str, done: date, unit: str, item: str, **extra) -> Entry:
        return Entry(code, done, self.unit_name(unit), item, link=extra.pop("link", self._link(code, done)),
                     clerk=self._clerk(code), entered=self._entered(done), **extra)

    def entries(self) -> list[Entry]:
        rng, out = self.rng, []
        for year in range(self.start.year, self.until.year + 1):
            for code, planned, unit, item in _planned_events(year):
                roll = rng.random()
                if roll < 0.035 or (year, code, item) in CANCELLED:
                    continue  # never done: the year falls short
                if code in _MEETINGS:
                    done = planned + timedelta(weeks=rng.randrange(1, 3) if roll < 0.135 else 0)
                else:
                    done = planned + timedelta(days=rng.randrange(-6, 7))
                    if roll < 0.135:
                        done += timedelta(days=rng.randrange(15, 60))  # done late
                done = self.calendar.next_working_day(min(done, date(year, 12, 28)))
                if self.start <= done <= self.until:
                    out.append(self._entry(code, done, unit, item))
            out.extend(self._service_award(year))
        out.extend(self._certificates())
        return out

    def _service_award(self, year: int) -> list[Entry]:
        total = SERVICE_AWARD.get(year, 10)
        reached = total - SERVICE_AWARD_SHORT.get(year, 0)
        out = []
        for month, day, share in [(4, 30, 0.4), (7, 31, 0.7), (10, 30, 0.9), (12, 18, 1.0)]:
            done = self.calendar.next_working_day(date(year, month, day))
            if not (self.start <= done <= self.until):
                continue
            value = min(reached, round(total * share))
            out.append(self._entry("K3.1", done, PLANNING_UNIT, "政府服務獎參獎機關輔導",
                                   value=str(value), denominator=str(total)))
        return out

    def _certificates(self) -> list[Entry]:
        out = []
        for valid_from, valid_to in CERTIFICATES:
            # Nothing is dated before the data starts, so a certificate already valid then is
            # entered as valid from the first day.
            done = max(valid_from, self.start)
            if valid_to < self.start or done > self.until:
                continue
            out.append(self._entry("K2.7", done, PLANNING_UNIT, "ISO 27001 第三方驗證",
                                   expires=roc_date(valid_to), link=f"https://example.gov.tw/cert/{valid_from.year}"))
        return out


def _cells(e: Entry, date_text: str, item: str, unit: str, code: str) -> list[str]:
    cells = [code, date_text, unit, item, e.value, e.denominator, e.expires, e.link, e.clerk,
             roc_datetime(e.entered, seconds=False)]
    # Rows are joined without quoting (as the sample is), so no cell may need quoting.
    if any(c in cell for cell in cells for c in ',"\r\n'):
        raise ValueError(f"register cell needs quoting: {cells[:4]}")
    return cells


def _typed(e: Entry, rng: random.Random) -> tuple[str, bool]:
    """The row as someone typed it: sometimes `114/3/5`, full-width digits, or stray spaces.
    Also says whether it came out plain (no quirk at all)."""
    roll = rng.random()
    if roll < 0.05:
        date_text = to_fullwidth(roc_date(e.done))
    elif roll < 0.13:
        date_text = roc_date(e.done, padded=False)
    else:
        date_text = roc_date(e.done)
    item = f"  {e.item}  " if rng.random() < 0.08 else e.item
    unit = f"{e.unit} " if rng.random() < 0.03 else e.unit
    code = f" {e.code}" if rng.random() < 0.02 else e.code
    plain = (date_text, item, unit, code) == (roc_date(e.done), e.item, e.unit, e.code)
    return ",".join(_cells(e, date_text, item, unit, code)), plain


@dataclass
class _Line:
    text: str
    kind: str                   # row | bad | dup_exact | dup_normalised | blank
    reason: str = ""
    plain: bool = False
    source: _Line | None = None


def write_register(landing: Path, departments: list[Department], calendar: OfficeCalendar,
                   start: date, until: date, rng: random.Random,
                   progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "register"
    folder.mkdir(parents=True, exist_ok=True)
    builder = RegisterBuilder(departments, calendar, start, until, rng)
    entries = sorted(builder.entries(), key=lambda e: (e.entered, e.code, e.done))
    lines: list[_Line] = []
    for e in entries:
        text, plain = _typed(e, rng)
        lines.append(_Line(text, "row", plain=plain))
    by_text = {ln.text: e for ln, e in zip(lines, entries)}

    def insert_after(source: _Line | None, line: _Line) -> None:
        first = 0 if source is None else next(i for i, ln in enumerate(lines) if ln is source) + 1
        lines.insert(rng.randrange(first, len(lines) + 1), line)

    n = len(entries)
    if n >= 8:
        for k in range(3):  # bad rows: an unknown code, impossible dates
            e = entries[rng.randrange(n)]
            if k == 0:
                text, reason = ",".join(_cells(e, roc_date(e.done), e.item, e.unit, "K9.9")), "unknown 指標代碼 K9.9"
            else:
                bad_date = impossible_roc_date(e.done.year, rng.randrange(5))
                text = ",".join(_cells(e, bad_date, e.item, e.unit, e.code))
                reason = f"impossible 辦理日期 {bad_date}"
            insert_after(None, _Line(text, "bad", reason))
        originals = [ln for ln in lines if ln.kind == "row"]
        for source in rng.sample(originals, 4):  # the same row typed twice, byte for byte
            insert_after(source, _Line(source.text, "dup_exact", source=source))
        # ...and once more with full-width digits and spaces: the same row after normalising.
        plain_rows = [ln for ln in originals if ln.plain and not ln.text.startswith("K3.1")]
        if plain_rows:
            source = rng.choice(plain_rows)
            e = by_text[source.text]
            wide = ",".join(_cells(e, to_fullwidth(roc_date(e.done)), f" {e.item} ", e.unit, e.code))
            insert_after(source, _Line(wide, "dup_normalised", source=source))
        for _ in range(3):  # blank lines where someone pressed Enter once too often
            lines.insert(rng.randrange(0, len(lines) + 1), _Line("", "blank"))

    bad, duplicates, blanks = [], [], []
    line_no = {id(ln): i + 2 for i, ln in enumerate(lines)}  # line 1 is the header
    for ln in lines:
        no = line_no[id(ln)]
        if ln.kind == "blank":
            blanks.append(no)
        elif ln.kind == "bad":
            bad.append({"line": no, "reason": ln.reason})
        elif ln.kind in ("dup_exact", "dup_normalised"):
            duplicates.append({"line": no, "duplicate_of": line_no[id(ln.source)],
                               "kind": "exact" if ln.kind == "dup_exact" else "after_normalisation"})

    path = folder / "kpi_register.csv"
    physical = ["\ufeff" + HEADER] + [ln.text for ln in lines]
    path.write_bytes(("\r\n".join(physical) + "\r\n").encode("utf-8"))
    rows = sum(1 for ln in lines if ln.kind != "blank")
    if progress:
        progress("register", 1, 1)
    entry = {
        "path": "register/kpi_register.csv", "format": "csv", "encoding": "utf-8-bom",
        "rows": rows, "bad_rows": len(bad), "bad": bad,
        "duplicates": duplicates, "duplicate_rows": len(duplicates),
        "blank_lines": blanks, "distinct_good_rows": rows - len(bad) - len(duplicates),
    }
    return {"files": [entry], "rows": rows, "bad_rows": len(bad)}

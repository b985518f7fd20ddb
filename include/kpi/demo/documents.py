"""S1: the document system's daily statistics table (SQLite `doc_daily_stats`)."""
from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .calendar import OfficeCalendar
from .draws import binomial, centred, jitter, poisson
from .orgs import Department
from .seasons import document_factor

# Same DDL text as the source system's table (and the sample database).
DDL = """CREATE TABLE doc_daily_stats (stat_date text, unit_code text, unit_name text,
        recv_total integer, recv_electronic integer, sent_total integer, sent_electronic integer,
        closed_count integer, closed_days_sum real, updated_at text)"""

# City-wide yearly design at scale 1: received, sent, electronic share received, electronic share
# sent. K9.1 = recv*er + sent*es: 2022 ~112.7k (target 110.5k, met), 2023 ~109.4k (111k, missed),
# 2024 ~115.9k (111.5k, met), 2025 ~118.3k (120k: behind at a linear pace, missed),
# 2026 ~125k (carried 120k: ahead of the linear pace, not by a month, so at risk in late November).
YEAR_DESIGN = {
    2022: (120_000, 70_000, 0.44, 0.855),
    2023: (118_000, 69_000, 0.43, 0.850),
    2024: (121_000, 70_000, 0.46, 0.860),
    2025: (122_000, 70_500, 0.47, 0.865),
    2026: (124_000, 71_500, 0.50, 0.880),
}
# Weighted mean processing days per department (K7.1, target <= 2): most are quicker, a few are
# chronically slow (public works, urban development, land administration, social affairs).
PROCESSING_DAYS = {
    "KL0100": 1.75, "KL0200": 1.65, "KL0300": 1.6, "KL0400": 1.85, "KL0500": 1.9, "KL0600": 2.1,
    "KL0700": 2.25, "KL0800": 2.6, "KL0900": 1.95, "KL1000": 1.8, "KL1100": 1.6, "KL1200": 2.45,
    "KL1300": 1.65, "KL1400": 1.7, "KL1500": 1.8, "KL1600": 1.7, "KL1700": 1.75, "KL1800": 1.85,
    "KL1900": 1.95, "KL2000": 1.7,
}
# Year-to-year swing of all departments together, so the city meets the target in some years only.
YEAR_SPEED = {2022: 0.98, 2023: 1.06, 2024: 0.96, 2025: 1.01, 2026: 1.04}
# Busier early in the week and before the year-end closing of accounts; on top of that the
# calendar's pile-ups after long breaks and the rush before Lunar New Year (seasons.py).
_WEEKDAY_LOAD = [1.15, 1.05, 1.0, 0.97, 0.9, 0.7, 0.7]
_MONTH_LOAD = [0.95, 0.85, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.15]
# Processing takes longer while the Lunar New Year backlog is worked off and in the year-end rush,
# a little less in the quiet summer (K7.1's shape through the year; averages about 1).
_MONTH_DAYS = [1.02, 1.10, 1.02, 0.99, 0.98, 0.97, 0.97, 0.97, 0.98, 0.99, 1.0, 1.04]
# Units that keep duty officers on weekends and holidays and so log a few documents then.
_ON_DUTY_UNITS = {"KL1600", "KL1700"}
REVISED_DAYS = 3


def _design(year: int) -> tuple[int, int, float, float]:
    nearest = min(YEAR_DESIGN, key=lambda y: abs(y - year))
    return YEAR_DESIGN[nearest]


def _day_load(calendar: OfficeCalendar, d: date) -> float:
    return _WEEKDAY_LOAD[d.weekday()] * _MONTH_LOAD[d.month - 1] * document_factor(calendar, d)


def _half_days(rng: random.Random, closed: int, mean_days: float) -> float:
    """Σ processing days of `closed` documents, in half days (a same-day close counts 0.5)."""
    if closed == 0:
        return 0.0
    total = closed * mean_days * jitter(rng, 0.12)
    return max(0.5 * closed, round(total * 2) / 2)


def _stamp(d: date) -> str:
    return datetime.combine(d, time(1, 0)).strftime("%Y-%m-%d %H:%M:%S")


def generate_rows(departments: list[Department], calendar: OfficeCalendar, start: date, until: date,
                  rng: random.Random, scale: float) -> list[list]:
    weights = [d.workload for d in departments]
    recv_weight = [w * jitter(rng, 0.05) for w in weights]
    sent_weight = [w * jitter(rng, 0.15) for w in weights]
    er_offset = centred([rng.uniform(-0.08, 0.08) for _ in departments], recv_weight, 0.0)
    es_offset = centred([rng.uniform(-0.05, 0.05) for _ in departments], sent_weight, 0.0)
    total_recv_w, total_sent_w = sum(recv_weight), sum(sent_weight)

    rows: list[list] = []
    for year in range(start.year, until.year + 1):
        recv_y, sent_y, er_y, es_y = _design(year)
        year_days = calendar.working_days(date(year, 1, 1), date(year, 12, 31))
        loads = {d: _day_load(calendar, d) for d in year_days}
        load_sum = sum(loads.values())
        speed = YEAR_SPEED.get(year, 1.0)
        drift_er = centred([rng.gauss(0, 0.01) for _ in departments], recv_weight, 0.0)
        mean_days = [PROCESSING_DAYS.get(d.code, 1.85) * speed * jitter(rng, 0.03) for d in departments]
        d = max(start, date(year, 1, 1))
        last = min(until, date(year, 12, 31))
        while d <= last:
            working = calendar.is_working_day(d)
            day_share = loads.get(d, 0.0) / load_sum
            for i, dept in enumerate(departments):
                if working:
                    recv_mean = recv_y * day_share * recv_weight[i] / total_recv_w * scale
                    sent_mean = sent_y * day_share * sent_weight[i] / total_sent_w * scale
                elif dept.code in _ON_DUTY_UNITS and rng.random() < 0.55:
                    recv_mean, sent_mean = 3.0 * max(scale, 0.3), 1.5 * max(scale, 0.3)
                else:
                    continue
                recv = poisson(rng, recv_mean * jitter(rng, 0.12))
                sent = poisson(rng, sent_mean * jitter(rng, 0.15))
                recv_e = binomial(rng, recv, min(0.98, max(0.05, er_y + er_offset[i] + drift_er[i])))
                sent_e = binomial(rng, sent, min(0.99, max(0.3, es_y + es_offset[i])))
                closed = poisson(rng, recv_mean * 0.98 * jitter(rng, 0.1))
                rows.append([
                    d.isoformat(), dept.code, dept.name, recv, recv_e, sent, sent_e, closed,
                    _half_days(rng, closed, mean_days[i] * _MONTH_DAYS[d.month - 1]), _stamp(d + timedelta(days=1)),
                ])
            d += timedelta(days=1)
    return rows


def _revise_recent(rows: list[list], until: date, rng: random.Random) -> int:
    """The system keeps revising the last few days; only the current version is in the table,
    so a revised row simply carries a later updated_at (a later nightly run)."""
    stat_dates = sorted({r[0] for r in rows if r[0] < until.isoformat()})[-REVISED_DAYS:]
    revised = 0
    for r in rows:
        if r[0] in stat_dates and rng.random() < 0.6:
            stat = date.fromisoformat(r[0])
            later = min(stat + timedelta(days=1 + rng.randint(1, 3)), until + timedelta(days=1))
            r[7] += rng.randint(0, 3)
            r[8] = max(r[8], 0.5 * r[7]) + 0.5 * rng.randint(0, 4)
            r[9] = _stamp(later)
            revised += 1
    return revised


_BAD_KINDS = [
    ("recv_electronic greater than recv_total", lambda r, rng: r.__setitem__(4, r[3] + rng.randint(1, 9))),
    ("negative sent_total", lambda r, rng: r.__setitem__(5, -max(1, r[5]))),
    ("negative closed_days_sum", lambda r, rng: r.__setitem__(8, -max(0.5, r[8]))),
    ("sent_electronic greater than sent_total", lambda r, rng: r.__setitem__(6, r[5] + rng.randint(1, 9))),
]


def _spoil_some(rows: list[list], until: date, rng: random.Random) -> list[dict]:
    """A few rows that break the table's constraints, away from the revised days."""
    window_start = (until - timedelta(days=14)).isoformat()
    candidates = [i for i, r in enumerate(rows) if r[0] < window_start]
    n_bad = 8 if len(candidates) >= 1600 else (len(candidates) // 200 if len(candidates) >= 200 else 0)
    bad = []
    for k in range(n_bad):
        lo = len(candidates) * k // n_bad
        hi = len(candidates) * (k + 1) // n_bad
        index = candidates[rng.randrange(lo, hi)]
        reason, spoil = _BAD_KINDS[k % len(_BAD_KINDS)]
        spoil(rows[index], rng)
        bad.append({"line": index + 1, "reason": reason})  # rowid = insertion order, from 1
    return bad


def write_documents(landing: Path, departments: list[Department], calendar: OfficeCalendar,
                    start: date, until: date, rng: random.Random, scale: float,
                    progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "doc_stats.sqlite"
    if progress:
        progress("documents", 0, 2)
    rows = generate_rows(departments, calendar, start, until, rng, scale)
    revised = _revise_recent(rows, until, rng)
    bad = _spoil_some(rows, until, rng)
    if progress:
        progress("documents", 1, 2)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute(DDL)
        con.executemany("INSERT INTO doc_daily_stats VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        con.commit()
    finally:
        con.close()
    if progress:
        progress("documents", 2, 2)
    entry = {
        "path": "documents/doc_stats.sqlite", "format": "sqlite", "table": "doc_daily_stats",
        "rows": len(rows), "bad_rows": len(bad), "bad": bad, "revised_rows": revised,
    }
    return {"files": [entry], "rows": len(rows), "bad_rows": len(bad)}

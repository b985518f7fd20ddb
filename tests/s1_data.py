"""Hand-made S1 (documents) databases for tests, in the source system's own SQLite layout."""
from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """create table doc_daily_stats (stat_date text, unit_code text, unit_name text,
    recv_total integer, recv_electronic integer, sent_total integer, sent_electronic integer,
    closed_count integer, closed_days_sum real, updated_at text)"""


def write(path: Path, rows: list[tuple]) -> str:
    """rows: (stat_date, unit_code, recv, recv_e, sent, sent_e, closed, days_sum, updated_at)."""
    conn = sqlite3.connect(path)
    conn.execute("drop table if exists doc_daily_stats")
    conn.execute(SCHEMA)
    names = {"KL0100": "民政處", "KL0300": "綜合發展處", "KL1200": "工務處"}
    conn.executemany("insert into doc_daily_stats values (?,?,?,?,?,?,?,?,?,?)",
                     [(r[0], r[1], names.get(r[1], r[1]), *r[2:]) for r in rows])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"

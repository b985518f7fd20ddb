"""Which as-of dates a run computes: one night [d, d], a backfill [D1, D2], or, when the warehouse
holds no statuses before d yet, every date from the first day of data (the first run fills the
history; a run after missed nights fills the gap). dbt computes the whole range in one build."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from kpi import config, errors, labels, warehouse

# the earliest dated column of each source as loaded (raw), for "the first day of data"
FIRST_DATA_SQL = {
    "documents__doc_daily_stats": "min(stat_date)",
    "petitions__case_versions": "min((received_at at time zone 'Asia/Taipei')::date)",
    "register__entries": "min(event_date)",
    "hr__monthly_staffing": "min(year_month)",
}


class RangeError(errors.InputError):
    """An as-of range that cannot be computed (before the first data, in the future, reversed)."""


def first_data_date(conn) -> date | None:
    """The first day any loaded source has data (None before anything was loaded)."""
    found = []
    for table, expr in FIRST_DATA_SQL.items():
        if conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone()[0]:
            found.append(conn.execute(f"select {expr} from raw.{table}").fetchone()[0])
    found = [d for d in found if d is not None]
    return min(found) if found else None


def last_status_date_before(conn, as_of: date) -> date | None:
    if not conn.execute("select to_regclass('marts.fct_kpi_status')").fetchone()[0]:
        return None
    return conn.execute("select max(as_of_date) from marts.fct_kpi_status where as_of_date < %s",
                        (as_of,)).fetchone()[0]


def statuses_between(conn, first: date, last: date) -> tuple[int, int]:
    """(as-of dates, status rows) of marts.fct_kpi_status in [first, last]: what a backfill wrote."""
    return conn.execute("select count(distinct as_of_date), count(*) from marts.fct_kpi_status "
                        "where as_of_date between %s and %s", (first, last)).fetchone()


def latest_possible_as_of(now: datetime | None = None) -> date:
    """Yesterday in Asia/Taipei: the latest day whose data can be complete."""
    return (now or datetime.now(config.TIMEZONE)).astimezone(config.TIMEZONE).date() - timedelta(days=1)


def check_range(as_of_from: date, as_of_to: date, first_data: date | None, latest: date) -> None:
    """Raise RangeError (in words for the operator) unless [as_of_from, as_of_to] can be computed."""
    if as_of_to < as_of_from:
        raise RangeError(f"基準日區間起日 {labels.roc_date(as_of_from)} 晚於迄日 {labels.roc_date(as_of_to)}")
    if as_of_to > latest:
        raise RangeError(f"基準日區間迄日 {labels.roc_date(as_of_to)} 在未來：最晚只能到昨天 {labels.roc_date(latest)}")
    if first_data is not None and as_of_from < first_data:
        raise RangeError(f"基準日區間起日 {labels.roc_date(as_of_from)} 早於最早資料日 {labels.roc_date(first_data)}")


def resolve(as_of: date, as_of_from: date | None = None, as_of_to: date | None = None,
            now: datetime | None = None) -> tuple[date, date]:
    """The as-of dates a run computes, checked against the loaded data: the given range (a
    backfill), else from the day after the latest statuses before `as_of` (or from the first day of
    data when there are none) through `as_of`."""
    with warehouse.connect() as conn:
        first = first_data_date(conn)
        if as_of_from is not None or as_of_to is not None:
            start, end = as_of_from or as_of_to, as_of_to or as_of_from
            check_range(start, end, first, latest_possible_as_of(now))
            return start, end
        previous = last_status_date_before(conn, as_of)
    if previous is not None:
        start = previous + timedelta(days=1)
    else:
        start = first if first is not None else as_of
        if config.history_from() is not None:  # a first run need not reach back to the oldest data
            start = max(start, config.history_from())
    return min(start, as_of), as_of

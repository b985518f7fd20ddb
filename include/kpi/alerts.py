"""The final task of a run: one alert per flagged status and per stale source, in marts.kpi_alerts.

Rerunning an as-of date (or a range of them) replaces those dates' alerts (delete + insert in one
transaction).
"""
from __future__ import annotations

from datetime import date

from kpi import labels, warehouse

DDL = """
create table if not exists marts.kpi_alerts (
    as_of_date     date not null,
    kpi_code       text,
    org_unit_code  text,
    year           integer,
    severity       text not null check (severity in ('red', 'yellow', 'grey')),
    status         text not null,
    message        text not null,
    source_code    text,
    created_at     timestamptz not null default now()
);
create index if not exists kpi_alerts_as_of_idx on marts.kpi_alerts (as_of_date);
comment on table marts.kpi_alerts is 'Alerts of each as-of date: flagged indicators (red behind/missed, yellow at_risk) and stale sources (grey). 警示清單。';
"""


def write_alerts(as_of: date, as_of_to: date | None = None) -> dict[str, int]:
    """Replace the alerts of `as_of` (through `as_of_to`, a range); returns counts by severity."""
    first, last = as_of, as_of_to or as_of
    with warehouse.connect() as conn:
        conn.execute(DDL)
        conn.execute("delete from marts.kpi_alerts where as_of_date between %s and %s", (first, last))
        conn.execute(
            """
            insert into marts.kpi_alerts (as_of_date, kpi_code, org_unit_code, year, severity, status, message)
            select as_of_date, kpi_code, org_unit_code, year,
                   case when status = 'at_risk' then 'yellow' else 'red' end, status, status_reason
            from marts.fct_kpi_status
            where as_of_date between %(first)s and %(last)s and status = any(%(flagged)s)
              and year between extract(year from as_of_date)::int - 1 and extract(year from as_of_date)::int
            """,
            {"first": first, "last": last, "flagged": list(labels.FLAGGED)},
        )
        conn.execute(
            """
            insert into marts.kpi_alerts (as_of_date, source_code, severity, status, message)
            select as_of_date, source_code, 'grey', 'stale',
                   source_name_zh || case when newest_date is null then '尚無任何資料'
                                          else '最新資料僅至 ' || (extract(year from newest_date)::int - 1911) || to_char(newest_date, '/MM/DD')
                                               || '（' || newest_date || '）' end
                   || '，基準日 ' || (extract(year from as_of_date)::int - 1911) || to_char(as_of_date, '/MM/DD')
                   || ' 資料未及時更新，相關指標仍依現有資料計算'
            from marts.fct_source_freshness
            where as_of_date between %s and %s and not is_fresh
            """,
            (first, last),
        )
        counts = dict(conn.execute(
            "select severity, count(*) from marts.kpi_alerts where as_of_date between %s and %s group by severity",
            (first, last),
        ).fetchall())
        conn.commit()
    return counts

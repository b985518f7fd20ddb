"""The final task of a run: one alert per flagged status and per stale source, in marts.kpi_alerts.

Rerunning an as-of date replaces that date's alerts (delete + insert in one transaction).
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
-- names and words for BI tools, so a count by severity needs no join and no CASE
alter table marts.kpi_alerts add column if not exists kpi_name_zh text;
alter table marts.kpi_alerts add column if not exists org_unit_name_zh text;
alter table marts.kpi_alerts add column if not exists severity_zh text;
alter table marts.kpi_alerts add column if not exists status_zh text;
alter table marts.kpi_alerts add column if not exists is_prior_year boolean;
alter table marts.kpi_alerts add column if not exists actual_text text;
alter table marts.kpi_alerts add column if not exists target_text text;
create index if not exists kpi_alerts_as_of_idx on marts.kpi_alerts (as_of_date);
comment on table marts.kpi_alerts is 'Alerts of each as-of date: flagged indicators (red behind/missed, yellow at_risk) and stale sources (grey); is_prior_year separates last year''s final misses from this year''s flags. 每一基準日之警示：落後／未達成（紅）、有落後風險（黃）、資料來源逾期（灰）；is_prior_year 區分前一年度結果。';
comment on column marts.kpi_alerts.as_of_date is 'The data date d of the run. 基準日。';
comment on column marts.kpi_alerts.kpi_code is 'Indicator code; empty for a stale-source alert. 指標代碼。';
comment on column marts.kpi_alerts.org_unit_code is 'ALL for the whole city, else a department code. 單位代碼（ALL 為全市）。';
comment on column marts.kpi_alerts.year is 'Gregorian year judged. 評估年度（西元）。';
comment on column marts.kpi_alerts.severity is 'red / yellow / grey. 燈號。';
comment on column marts.kpi_alerts.status is 'The flagged status, or stale for a source. 狀態代碼。';
comment on column marts.kpi_alerts.message is 'The sentence people read: the status reason, or which source is late. 說明。';
comment on column marts.kpi_alerts.source_code is 'Source system of a grey alert. 資料來源代碼。';
comment on column marts.kpi_alerts.created_at is 'When the alert was written. 建立時間。';
comment on column marts.kpi_alerts.kpi_name_zh is 'Indicator name. 指標名稱。';
comment on column marts.kpi_alerts.org_unit_name_zh is 'Scope name: 全市 or the department. 單位名稱。';
comment on column marts.kpi_alerts.severity_zh is 'Severity in Traditional Chinese. 燈號說明。';
comment on column marts.kpi_alerts.status_zh is 'Status in Traditional Chinese. 狀態（中文）。';
comment on column marts.kpi_alerts.is_prior_year is 'The alert is about a year before the as-of year (its final result). 是否為前一年度之警示。';
comment on column marts.kpi_alerts.actual_text is 'The actual value as people read it. 實際值（顯示文字）。';
comment on column marts.kpi_alerts.target_text is 'The target as people read it. 目標值（顯示文字）。';
"""


def create_table(conn) -> None:
    """marts.kpi_alerts, created with the warehouse's other pipeline tables (warehouse.bootstrap), so
    the dbt view kpi_alerts_current can be built before the first night has flagged anything."""
    conn.execute(DDL)


def write_alerts(as_of: date) -> dict[str, int]:
    """Replace the alerts of `as_of`; returns counts by severity."""
    with warehouse.connect() as conn:
        create_table(conn)
        conn.execute("delete from marts.kpi_alerts where as_of_date = %s", (as_of,))
        # flags and their severities, words and value texts as the marts have them (seeds status_labels,
        # alert_severities, value_formats)
        conn.execute(
            """
            insert into marts.kpi_alerts (as_of_date, kpi_code, org_unit_code, year, severity, status, message,
                                          kpi_name_zh, org_unit_name_zh, severity_zh, status_zh, is_prior_year,
                                          actual_text, target_text)
            select s.as_of_date, s.kpi_code, s.org_unit_code, s.year, s.severity, s.status, s.status_reason,
                   s.kpi_name_zh, s.org_unit_name_zh, v.severity_zh, s.status_zh, not s.is_as_of_year,
                   s.actual_text, s.target_text
            from marts.kpi_status_labelled s
            join marts.dim_alert_severity v using (severity)
            where s.as_of_date = %(d)s and s.is_flagged
              and s.year between extract(year from %(d)s::date)::int - 1 and extract(year from %(d)s::date)::int
            """,
            {"d": as_of},
        )
        conn.execute(
            """
            insert into marts.kpi_alerts (as_of_date, source_code, severity, status, message, severity_zh, status_zh,
                                          is_prior_year)
            select f.as_of_date, f.source_code, 'grey', 'stale',
                   f.source_name_zh || case when f.newest_date is null then '尚無任何資料'
                                          else '最新資料僅至 ' || (extract(year from f.newest_date)::int - %(roc)s)
                                               || to_char(f.newest_date, '/MM/DD') || '（' || f.newest_date || '）' end
                   || '，基準日 ' || (extract(year from f.as_of_date)::int - %(roc)s) || to_char(f.as_of_date, '/MM/DD')
                   || ' 資料未及時更新，相關指標仍依現有資料計算',
                   v.severity_zh, st.status_zh, false
            from marts.fct_source_freshness f
            cross join (select severity_zh from marts.dim_alert_severity where severity = 'grey') v
            cross join (select status_zh from marts.dim_status where status = 'stale') st
            where f.as_of_date = %(d)s and not f.is_fresh
            """,
            {"d": as_of, "roc": labels.ROC_OFFSET},
        )
        counts = dict(conn.execute(
            "select severity, count(*) from marts.kpi_alerts where as_of_date = %s group by severity", (as_of,)
        ).fetchall())
        conn.commit()
    return counts

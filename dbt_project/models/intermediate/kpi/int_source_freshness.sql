-- Per source: the earliest and newest data known at d, and whether it is fresh (kpi-rules.md
-- "Data known at d" and "Freshness"). Each loaded source adds one select to `newest`.
-- Month sources (S3, S5) give the first day of their month; freshness compares months.
-- S6 (calendar) has no earliest_date: int_kpi_years starts the status years at the earliest data of
-- any source, and the calendar's span (published a year ahead, kept for years) says nothing about that.
with newest as (
    select 'S1' as source_code, min(stat_date) as earliest_date, max(stat_date) as newest_date
    from {{ ref('stg_documents__doc_daily_stats') }}
    where stat_date <= {{ as_of_date() }}

    union all

    select 'S2', min(export_date), max(export_date)
    from {{ ref('stg_petitions__case_versions') }}
    where export_date <= {{ as_of_date() }}

    union all

    select 'S3', min(snapshot_month), max(snapshot_month)
    from {{ ref('stg_budget__execution_lines') }}
    where snapshot_month <= date_trunc('month', {{ as_of_date() }})::date

    union all

    select 'S4', min(event_date), max(event_date)
    from {{ ref('stg_register__entries') }}
    where event_date <= {{ as_of_date() }}

    union all

    select 'S5', min(year_month), max(year_month)
    from {{ ref('stg_hr__monthly_staffing') }}
    where year_month <= date_trunc('month', {{ as_of_date() }})::date

    union all

    select 'S6', null::date, max(calendar_date)
    from {{ ref('stg_calendar__days') }}
),

sources as (
    select * from {{ ref('source_systems') }}
)

select
    s.source_code,
    s.source_name,
    s.source_name_zh,
    n.earliest_date,
    n.newest_date,
    case s.freshness_unit
        when 'never' then true
        when 'day' then coalesce(n.newest_date >= {{ as_of_date() }} - s.freshness_lag, false)
        when 'month' then coalesce(
            date_trunc('month', n.newest_date) >= date_trunc('month', {{ as_of_date() }}) - make_interval(months => s.freshness_lag),
            false)
    end as is_fresh
from sources as s
left join newest as n using (source_code)

{{ config(materialized='view') }}
-- Alerts of every as-of date (interface.md): each flagged status of d's year and the year before
-- (red: behind, missed; yellow: at_risk; the same severities as kpi.labels.SEVERITY, which the
-- report and the e-mail colour by) and each source not fresh at d (grey).
-- A view of the published marts, not a table written after them: whatever step of a night fails,
-- the alerts of a date are those of its statuses and freshness as published, never of another
-- night. It covers every as-of date those marts hold, so a build of many dates needs nothing more.
with statuses as (
    select * from {{ ref('fct_kpi_status') }}
),

freshness as (
    select * from {{ ref('fct_source_freshness') }}
),

computed as (
    select as_of_date, max(computed_at) as computed_at
    from statuses
    group by as_of_date
)

select
    as_of_date,
    kpi_code,
    org_unit_code,
    year,
    case when status = 'at_risk' then 'yellow' else 'red' end as severity,
    status,
    status_reason as message,
    null::text as source_code,
    computed_at as created_at
from statuses
where status in ('behind', 'missed', 'at_risk')
  and year between extract(year from as_of_date)::int - 1 and extract(year from as_of_date)::int

union all

select
    f.as_of_date,
    null::text,
    null::text,
    null::integer,
    'grey',
    'stale',
    f.source_name_zh
        || case when f.newest_date is null then '尚無任何資料'
                else '最新資料僅至 ' || (extract(year from f.newest_date)::int - 1911) || to_char(f.newest_date, '/MM/DD')
                     || '（' || to_char(f.newest_date, 'YYYY-MM-DD') || '）' end
        || '，基準日 ' || (extract(year from f.as_of_date)::int - 1911) || to_char(f.as_of_date, '/MM/DD')
        || ' 資料未及時更新，相關指標仍依現有資料計算',
    f.source_code,
    c.computed_at
from freshness as f
left join computed as c using (as_of_date)
where not f.is_fresh

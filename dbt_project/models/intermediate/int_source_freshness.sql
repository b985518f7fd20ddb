-- Per source: the newest data known at d, and whether it is fresh (kpi-rules.md "Freshness").
-- Each loaded source adds one select to `newest`.
with newest as (
    select 'S1' as source_code, min(stat_date) as earliest_date, max(stat_date) as newest_date
    from {{ ref('stg_documents__doc_daily_stats') }}
    where stat_date <= {{ as_of_date() }}
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

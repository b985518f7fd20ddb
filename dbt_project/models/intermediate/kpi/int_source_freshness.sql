{{ config(materialized='table') }}

-- Per as-of date d of the build and source: the earliest and newest data known at d, and whether it is fresh
-- (docs/indicators.md#known-at-d and docs/indicators.md#freshness). Which model holds each source's data
-- dates is declared once, in the var `kpi_sources` of dbt_project.yml (macros/kpi_sources.sql); the
-- cut at d is that model's, not repeated here. The rhythm comes from seeds/source_systems.csv: a month
-- source's date is known from its month's first day, and freshness compares months.
-- An `always_known` source (the calendar) has no earliest_date: int_kpi_years starts the status years at
-- the earliest data of any source, and the calendar's span says nothing about that.
-- Each data date is the newest known from that date (its month's first day for month sources) until
-- the next one, spread over the as-of dates it holds.
with sources as (
    select * from {{ ref('source_systems') }}
),

declared_dates as (
    {{ source_data_dates() }}
),

data_dates as (
    select
        dd.source_code,
        dd.data_date,
        case s.freshness_unit
            when 'month' then date_trunc('month', dd.data_date)::date
            else dd.data_date
        end as known_from
    from declared_dates as dd
    inner join sources as s on dd.source_code = s.source_code
),

newest_intervals as (
    select
        source_code,
        data_date as newest_date,
        min(data_date) over (partition by source_code) as earliest_date,
        known_from,
        lead(known_from) over (partition by source_code order by known_from, data_date) as known_until
    from data_dates
    where data_date is not null
),

newest as (
    select spread.as_of_day::date as as_of_date, n.source_code, n.earliest_date, n.newest_date
    from newest_intervals as n
    {{ spread_over_as_of_dates('n.known_from', 'n.known_until') }}
    -- two dates of one month (month sources): the later holds
    where n.known_until is null or n.known_until > n.known_from
    {{ always_known_newest(as_of_dates()) }}
),

as_of_dates as (
    {{ as_of_dates() }}
)

select
    d.as_of_date,
    s.source_code,
    s.source_name,
    s.source_name_zh,
    n.earliest_date,
    n.newest_date,
    case s.freshness_unit
        when 'never' then true
        when 'day' then coalesce(n.newest_date >= d.as_of_date - s.freshness_lag, false)
        when 'month' then coalesce(
            date_trunc('month', n.newest_date)
            >= date_trunc('month', d.as_of_date) - make_interval(months => s.freshness_lag),
            false)
    end as is_fresh
from as_of_dates as d
cross join sources as s
left join newest as n on n.as_of_date = d.as_of_date and n.source_code = s.source_code
-- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).

{{ config(materialized='table') }}

-- Per as-of date d of the build and source: the earliest and newest data known at d, and whether it is fresh
-- (docs/indicators.md#known-at-d and docs/indicators.md#freshness). Each source's data dates come from its
-- `*_known` model, which holds the rows known at some d of the build (the cut at d is that model's, not
-- repeated here; S2 below is the exception); each loaded source adds one select to `data_dates`.
-- Month sources (S3, S5) give the first day of their month; freshness compares months.
-- S6 (calendar) has no earliest_date: int_kpi_years starts the status years at the earliest data of
-- any source, and the calendar's span (published a year ahead, kept for years) says nothing about that.
-- Each data date is the newest known from that date (its month's first day for month sources) until
-- the next one, spread over the as-of dates it holds.
with data_dates as (
    select distinct 'S1' as source_code, stat_date as data_date, stat_date as known_from
    from {{ ref('int_documents__known') }}

    union all

    -- S2's data dates are its exports (an export delivered by d counts even if every row of it was
    -- revised since), so not int_petitions__cases_known, which keeps only the versions current at some
    -- d of the build: the earliest export would go once its cases are all updated
    select distinct 'S2', export_date as data_date, export_date as known_from
    from {{ ref('stg_petitions__case_versions') }}
    where export_date <= {{ as_of_to() }}

    union all

    select distinct 'S3', snapshot_month, date_trunc('month', snapshot_month)::date
    from {{ ref('int_budget__snapshots_known') }}

    union all

    select distinct 'S4', event_date as data_date, event_date as known_from
    from {{ ref('int_register__entries_known') }}

    union all

    select distinct 'S5', year_month, date_trunc('month', year_month)::date
    from {{ ref('int_hr__months_known') }}
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

    union all

    -- the calendar: whatever it holds is known, whatever d
    select d.as_of_date, 'S6', null::date, c.newest_date
    from ({{ as_of_dates() }}) as d
    cross join (select max(calendar_date) as newest_date from {{ ref('stg_calendar__days') }}) as c
),

as_of_dates as (
    {{ as_of_dates() }}
),

sources as (
    select * from {{ ref('source_systems') }}
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

-- A table: the foresight models join it per working day and the backtest per month end.
{{ config(materialized='table') }}

-- The day-by-day path of every closed year of each cumulative indicator with a linear progress rule
-- (the ones a seasonal shape applies to), city-wide: the value to date at each calendar day and the
-- year's final value, with the working days elapsed (office calendar S6, int_calendar__days) so that
-- years line up by working day, not by date (a moving Lunar New Year).
-- A closed year Y is read as it was known on 1 January of Y+1 (docs/indicators.md#known-at-d): every
-- later year learns from the same figures, whatever the date of the build.
-- Counts are the measures of int_kpi_actuals__documents (K9.1: electronic received + sent) and
-- int_kpi_actuals__register (rows per 辦理日期), summed per day instead of per as-of date.
with calendar as (
    select * from {{ ref('int_foresight__working_days') }}
),

closed_years as (
    -- years that ended before the last as-of date of the build
    select distinct year from calendar
    where year < extract(year from {{ as_of_to() }})::int
),

kpis as (
    select kpi_code, source_code
    from {{ ref('kpi_catalog') }}
    where measure_type = 'cumulative' and progress_rule = 'linear'
),

documents as (
    select
        'K9.1'::text as kpi_code,
        v.stat_date as event_date,
        sum(v.docs_received_electronic + v.docs_sent_electronic)::numeric as increment
    from {{ ref('int_documents__known') }} as v
    where v.valid_from <= make_date(extract(year from v.stat_date)::int + 1, 1, 1)
      and coalesce(v.valid_to, 'infinity') > make_date(extract(year from v.stat_date)::int + 1, 1, 1)
    group by v.stat_date
),

register as (
    select e.kpi_code, e.event_date, count(*)::numeric as increment
    from {{ ref('int_register__entries_known') }} as e
    inner join kpis as k on k.kpi_code = e.kpi_code and k.source_code = 'S4'
    group by e.kpi_code, e.event_date
),

increments as (
    select * from documents
    union all
    select * from register
),

-- a year has a path only if its source has data in it (a year before the source began has none)
years_with_data as (
    select distinct kpi_code, extract(year from event_date)::int as year
    from increments
    where kpi_code = 'K9.1'
    union
    select k.kpi_code, e.year
    from kpis as k
    cross join (
        select distinct extract(year from event_date)::int as year from {{ ref('int_register__entries_known') }}
    ) as e
    where k.source_code = 'S4'
),

daily as (
    select
        y.kpi_code,
        c.year,
        c.calendar_date,
        c.working_days_elapsed,
        sum(coalesce(i.increment, 0)) over (
            partition by y.kpi_code, c.year order by c.calendar_date
        ) as value_to_date
    from years_with_data as y
    inner join closed_years as cy on cy.year = y.year
    inner join calendar as c on c.year = y.year
    left join increments as i on i.kpi_code = y.kpi_code and i.event_date = c.calendar_date
)

select
    kpi_code::text as kpi_code,
    'ALL'::text as org_unit_code,
    year::int as year,
    calendar_date::date as calendar_date,
    working_days_elapsed::int as working_days_elapsed,
    value_to_date::numeric as value_to_date,
    (max(value_to_date) over (partition by kpi_code, year))::numeric as year_total,
    -- no snapshot clock for a count (as int_kpi_daily_paths__ratios, so the two stack)
    null::int as snapshot_month
from daily

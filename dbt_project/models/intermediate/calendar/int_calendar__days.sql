-- The one date spine of the project, with the working days of the government office calendar (辦公日曆表)
-- and a running working-day number for "n-th working day after" arithmetic (docs/indicators.md#default-due-date:
-- a blank 限辦日期 of a 1999 case). dim_date is this spine with its labels.
-- Span: Jan 1 of 2022, or of the earliest year of any source's data if earlier (each loaded source adds
-- one select to `source_dates`; petitions count by 受理日期, which runs years before the first export),
-- through Dec 31 of the year after the later of the as-of date and the latest calendar file (derived due
-- dates run past year end; the calendar is published a year ahead).
--
-- A year with a calendar file takes its working days from the file; a year without one counts only
-- weekends as days off (docs/sources.md#s6-calendar). A date missing from its year's file
-- falls back to the weekday rule too.
--
-- Table, not a view: the due dates of the petition versions (with_due_date_effective) join it twice
-- per version, and the window function over a few thousand dates should run once per build, not once
-- per query.
{{ config(materialized='table') }}

with calendar_days as (
    select calendar_date, is_working_day, is_makeup_workday, note
    from {{ ref('stg_calendar__days') }}
),

calendar_years as (
    select distinct extract(year from calendar_date)::int as year
    from calendar_days
),

source_dates as (
    select min(stat_date) as first_date from {{ ref('stg_documents__doc_daily_stats') }}
    union all
    select min(received_date) from {{ ref('stg_petitions__case_versions') }}
    union all
    select min(snapshot_month) from {{ ref('stg_budget__execution_lines') }}
    union all
    select min(event_date) from {{ ref('stg_register__entries') }}
    union all
    select min(year_month) from {{ ref('stg_hr__monthly_staffing') }}
    union all
    select min(calendar_date) from calendar_days
),

bounds as (
    select
        date_trunc('year', least(date '2022-01-01', (select min(first_date) from source_dates)))::date as first_date,
        make_date(
            greatest(extract(year from {{ as_of_to() }})::int, (select max(year) from calendar_years)) + 1,
            12, 31
        ) as last_date
),

dates as (
    select generate_series(first_date, last_date, interval '1 day')::date as calendar_date
    from bounds
),

flagged as (
    select
        d.calendar_date,
        extract(year from d.calendar_date)::int as year,
        extract(isodow from d.calendar_date)::int as iso_weekday,
        cy.year is not null as has_calendar_file,
        c.calendar_date is not null as is_in_calendar_file,
        coalesce(c.is_working_day, extract(isodow from d.calendar_date) < 6) as is_working_day,
        coalesce(c.is_makeup_workday, false) as is_makeup_workday,
        c.note
    from dates as d
    left join calendar_years as cy on cy.year = extract(year from d.calendar_date)::int
    left join calendar_days as c on c.calendar_date = d.calendar_date
)

select
    calendar_date,
    year,
    iso_weekday,
    has_calendar_file,
    is_in_calendar_file,
    is_working_day,
    sum(case when is_working_day then 1 else 0 end) over (order by calendar_date)::int as working_day_number,
    is_makeup_workday,
    note
from flagged

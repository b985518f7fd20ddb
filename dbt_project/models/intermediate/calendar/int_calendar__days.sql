-- Every date from Jan 1 of the earliest year any petition was received (or of the S6 calendar, whichever
-- is earlier) through Dec 31 of the year after the last as-of date of the build (derived due dates run
-- past year end),
-- with the working days of the government office calendar (辦公日曆表) and a running working-day number
-- for "n-th working day after" arithmetic (docs/indicators.md#default-due-date: a blank 限辦日期 of a 1999 case).
--
-- A year with a calendar file takes its working days from the file; a year without one counts only
-- weekends as days off (docs/sources.md#s6-calendar). A date missing from its year's file
-- falls back to the weekday rule too.
--
-- Table, not a view: int_petitions__cases_known joins it twice per case, and the window function over
-- a few thousand dates should run once per build, not once per query.
{{ config(materialized='table') }}

with calendar_days as (
    select calendar_date, is_working_day
    from {{ ref('stg_calendar__days') }}
),

calendar_years as (
    select distinct extract(year from calendar_date)::int as year
    from calendar_days
),

bounds as (
    select
        make_date(
            coalesce(
                least(
                    (select extract(year from min(received_date))::int from {{ ref('stg_petitions__case_versions') }}),
                    (select min(year) from calendar_years)
                ),
                extract(year from {{ as_of_to() }})::int
            ),
            1, 1
        ) as first_date,
        make_date(extract(year from {{ as_of_to() }})::int + 1, 12, 31) as last_date
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
        coalesce(c.is_working_day, extract(isodow from d.calendar_date) < 6) as is_working_day
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
    sum(case when is_working_day then 1 else 0 end) over (order by calendar_date)::int as working_day_number
from flagged

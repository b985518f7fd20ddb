-- A table: joined per as-of date and per day of every path.
{{ config(materialized='table') }}

-- Working days elapsed in its year at each calendar day (the day itself included), by the office
-- calendar (S6, int_calendar__days): the clock the seasonal shapes are aligned on, so that the same
-- point of two years is the same number of working days in, whatever the date of Lunar New Year.
select
    calendar_date::date as calendar_date,
    year::int as year,
    (count(*) filter (where is_working_day) over (partition by year order by calendar_date))::int
        as working_days_elapsed
from {{ ref('int_calendar__days') }}

-- The date dimension with the government office calendar (辦公日曆表, S6), one row per day: the date
-- spine int_calendar__days (its span: 2022-01-01, or the earliest year of any source if earlier, through
-- 12-31 of the year after the later of the as-of date and the latest calendar file) with its labels.
-- A year with a calendar file takes its days off, make-up workdays and notes from the file; a year
-- without one falls back to weekends (docs/indicators.md#default-due-date).
with days as (
    select * from {{ ref('int_calendar__days') }}
)

select
    calendar_date::date as date_day,
    year::integer as year,
    {{ roc_year('year') }}::integer as roc_year,
    extract(month from calendar_date)::integer as month,
    extract(day from calendar_date)::integer as day,
    iso_weekday::integer as iso_weekday,
    ((array['一', '二', '三', '四', '五', '六', '日'])[iso_weekday])::text as weekday_zh,
    extract(quarter from calendar_date)::integer as quarter,
    (iso_weekday in (6, 7))::boolean as is_weekend,
    -- the file's word where the date is in it, else the weekend rule (int_calendar__days)
    (not is_working_day)::boolean as is_day_off,
    is_working_day::boolean as is_working_day,
    is_makeup_workday::boolean as is_makeup_workday,
    note::text as holiday_note_zh,
    has_calendar_file::boolean as has_calendar_file,
    {{ roc_date('calendar_date') }}::text as roc_date_text,
    date_trunc('month', calendar_date)::date as first_day_of_month
from days

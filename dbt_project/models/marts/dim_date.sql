-- The date dimension with the government office calendar (辦公日曆表, S6), one row per day.
-- Span: 2022-01-01, or the earliest date of any source if earlier, through 12-31 of the year after
-- the latest calendar file (the as-of year when no calendar file has arrived yet).
-- A year with a calendar file takes its days off, make-up workdays and notes from the file; a year
-- without one falls back to weekends (docs/indicators.md#default-due-date).
with calendar as (
    select * from {{ ref('stg_calendar__days') }}
),

calendar_years as (
    select distinct year from calendar
),

source_dates as (
    select min(stat_date) as d from {{ ref('stg_documents__doc_daily_stats') }}
    union all
    select min(received_date) from {{ ref('stg_petitions__case_versions') }}
    union all
    select min(snapshot_month) from {{ ref('stg_budget__execution_lines') }}
    union all
    select min(event_date) from {{ ref('stg_register__entries') }}
    union all
    select min(year_month) from {{ ref('stg_hr__monthly_staffing') }}
    union all
    select min(calendar_date) from calendar
),

bounds as (
    select
        least(date '2022-01-01', (select min(d) from source_dates)) as first_day,
        make_date(
            coalesce((select max(year) from calendar_years), extract(year from {{ as_of_to() }})::int) + 1,
            12, 31) as last_day
),

days as (
    select gs::date as date_day
    from bounds, generate_series(bounds.first_day, bounds.last_day, interval '1 day') as gs
),

enriched as (
    select
        d.date_day,
        extract(year from d.date_day)::int as year,
        extract(month from d.date_day)::int as month,
        extract(day from d.date_day)::int as day,
        extract(isodow from d.date_day)::int as iso_weekday,
        extract(quarter from d.date_day)::int as quarter,
        extract(isodow from d.date_day) in (6, 7) as is_weekend,
        cy.year is not null as has_calendar_file,
        c.is_day_off as calendar_day_off,
        c.is_makeup_workday as calendar_makeup_workday,
        c.note as calendar_note
    from days as d
    left join calendar as c on c.calendar_date = d.date_day
    left join calendar_years as cy on cy.year = extract(year from d.date_day)::int
)

select
    date_day::date as date_day,
    year::integer as year,
    {{ roc_year('year') }}::integer as roc_year,
    month::integer as month,
    day::integer as day,
    iso_weekday::integer as iso_weekday,
    ((array['一', '二', '三', '四', '五', '六', '日'])[iso_weekday])::text as weekday_zh,
    quarter::integer as quarter,
    is_weekend::boolean as is_weekend,
    -- the file's word where the date is in it, else the weekend rule
    coalesce(calendar_day_off, is_weekend)::boolean as is_day_off,
    (not coalesce(calendar_day_off, is_weekend))::boolean as is_working_day,
    coalesce(calendar_makeup_workday, false)::boolean as is_makeup_workday,
    calendar_note::text as holiday_note_zh,
    has_calendar_file::boolean as has_calendar_file,
    {{ roc_date('date_day') }}::text as roc_date_text,
    date_trunc('month', date_day)::date as first_day_of_month
from enriched

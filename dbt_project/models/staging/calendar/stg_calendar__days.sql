-- S6 government office calendar (辦公日曆表), one row per date; if two files (or two deliveries) hold
-- the same date the later-loaded one wins.
with raw_rows as (
    select * from {{ source('calendar', 'days') }}
),

latest as (
    select distinct on (calendar_date) *
    from raw_rows
    order by calendar_date, _load_id desc, _object desc, _record desc
)

select
    calendar_date,
    extract(year from calendar_date)::int as year,
    weekday_zh,
    is_day_off,
    not is_day_off as is_working_day,
    note,
    (not is_day_off and extract(isodow from calendar_date) in (6, 7)) as is_makeup_workday
from latest

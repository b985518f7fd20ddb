select
    d::date as calendar_date,
    2025 as year,
    null::text as weekday_zh,
    not is_work as is_day_off,
    is_work as is_working_day,
    null::text as note,
    (is_work and extract(isodow from d) in (6, 7)) as is_makeup_workday
from (
    select
        d,
        case
            when d::date = date '2025-02-08' then true
            when d::date = date '2025-01-01' or d::date between date '2025-01-27' and date '2025-01-31' then false
            else extract(isodow from d) < 6
        end as is_work
    from generate_series(date '2025-01-01', date '2025-12-31', interval '1 day') as g(d)
) as s
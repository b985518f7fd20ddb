{{ config(materialized='table') }}

-- The seasonal shape of each year Y of an indicator, learned from up to 3 earlier closed years
-- (Y-3 … Y-1, those with a path in int_kpi_daily_paths and a year total above 0): at each number w of
-- working days elapsed in Y, the share of the year's final value each earlier year had reached at the
-- same point of its own working year, w' = round(w × W' / W) with W and W' the two years' working
-- days (so the last working day of Y meets the last of every earlier year: share 1), and their mean,
-- spread and range. Also the amount each earlier year still added after that point (for an indicator
-- still at 0, where a share cannot scale anything).
-- Ratios and means (int_kpi_daily_paths__ratios) the same way: the share is the value to date over the
-- year's final value. A day of an earlier year without a value yet (no ratio) gives no share; n_years
-- counts the earlier years with one.
-- Snapshot indicators (K5.1, a monthly snapshot) are aligned by the month of the snapshot instead of by
-- working days: at snapshot month m (1–12) of Y, each earlier year is read at the end of its month m
-- (its latest snapshot with month <= m), whatever the days off; those rows have snapshot_month = m and
-- no working_days_elapsed. Aligned by working days, a year with more days off would be read in the
-- earlier years after their next snapshot.
with all_paths as (
    select * from {{ ref('int_kpi_daily_paths') }}
    where year_total > 0
    union all
    select * from {{ ref('int_kpi_daily_paths__ratios') }}
    where year_total > 0
),

paths as (
    select * from all_paths
    where kpi_code not in {{ snapshot_kpis() }}
),

snapshot_paths as (
    -- the value at the end of each month m: the latest snapshot with month <= m
    select kpi_code, org_unit_code, year, extract(month from calendar_date)::int as m, value_to_date, year_total
    from all_paths
    where kpi_code in {{ snapshot_kpis() }}
      and calendar_date = (date_trunc('month', calendar_date) + interval '1 month - 1 day')::date
),

earlier_years as (
    select distinct kpi_code, org_unit_code, year, year_total
    from all_paths
),

at_working_day as (
    -- the value of an earlier year at the last day with w working days elapsed (weekends after it too)
    select
        kpi_code, org_unit_code, year, working_days_elapsed::int as w,
        (array_agg(value_to_date order by calendar_date desc))[1] as value_at_w
    from paths
    group by kpi_code, org_unit_code, year, working_days_elapsed
),

working_years as (
    select year, max(working_days_elapsed)::int as working_days
    from {{ ref('int_foresight__working_days') }}
    group by year
),

target_years as (
    select distinct e.kpi_code, e.org_unit_code, e.year + lag_years.n as year
    from earlier_years as e
    cross join generate_series(1, 3) as lag_years (n)
    where e.year + lag_years.n <= extract(year from {{ as_of_to() }})::int
),

points as (
    -- each day w of Y against each earlier year, read at w' = round(w × W' / W) of that year
    select
        t.kpi_code,
        t.org_unit_code,
        t.year,
        e.year as earlier_year,
        w.w,
        round(w.w * ey.working_days::numeric / ty.working_days)::int as earlier_w,
        e.year_total
    from target_years as t
    inner join working_years as ty on ty.year = t.year
    inner join earlier_years as e
        on e.kpi_code = t.kpi_code and e.org_unit_code = t.org_unit_code
        and e.year between t.year - 3 and t.year - 1
    inner join working_years as ey on ey.year = e.year
    cross join generate_series(0, ty.working_days) as w (w)
    where t.kpi_code not in {{ snapshot_kpis() }}
),

grid as (
    select
        p.kpi_code,
        p.org_unit_code,
        p.year,
        p.earlier_year,
        p.w,
        null::int as snapshot_month,
        case when a.w is not null then a.value_at_w
             when p.earlier_w > 0 then p.year_total else 0 end as value_at_w,
        p.year_total
    from points as p
    left join at_working_day as a
        on a.kpi_code = p.kpi_code and a.org_unit_code = p.org_unit_code and a.year = p.earlier_year
        and a.w = p.earlier_w

    union all

    -- snapshot indicators: month m of Y against month m of each earlier year
    select
        t.kpi_code,
        t.org_unit_code,
        t.year,
        e.year as earlier_year,
        null::int as w,
        e.m as snapshot_month,
        e.value_to_date as value_at_w,
        e.year_total
    from target_years as t
    inner join snapshot_paths as e
        on e.kpi_code = t.kpi_code and e.org_unit_code = t.org_unit_code
        and e.year between t.year - 3 and t.year - 1
    where t.kpi_code in {{ snapshot_kpis() }}
)

select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::int as year,
    w::int as working_days_elapsed,
    snapshot_month::int as snapshot_month,
    count(value_at_w)::int as n_years,
    min(earlier_year) filter (where value_at_w is not null)::int as first_earlier_year,
    max(earlier_year) filter (where value_at_w is not null)::int as last_earlier_year,
    avg(value_at_w / year_total)::numeric as share_mean,
    coalesce(stddev_samp(value_at_w / year_total), 0)::numeric as share_sd,
    min(value_at_w / year_total)::numeric as share_min,
    max(value_at_w / year_total)::numeric as share_max,
    avg(year_total - value_at_w)::numeric as remaining_mean,
    coalesce(stddev_samp(year_total - value_at_w), 0)::numeric as remaining_sd
from grid
group by kpi_code, org_unit_code, year, w, snapshot_month

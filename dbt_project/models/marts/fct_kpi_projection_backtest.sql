-- The track record of the year-end projection (docs/foresight.md): for every closed year Y of every
-- projected indicator, the projection made at the end of each month January … November with only
-- what was known then (the value to date and the shapes of the years before Y), against the actual
-- year end, beside the linear extrapolation baseline (a count: value to date ÷ elapsed fraction of the
-- year; a ratio or mean: the value to date itself). Counts (int_kpi_daily_paths) and the ratios and
-- means (int_kpi_daily_paths__ratios, city and departments) alike; a miss and the projected status
-- follow the indicator's direction (lower is better for K7.1).
-- Set-based: one row per (indicator, scope, year, month), from the daily paths and the shares.
-- Coverage counts only ranges with a width (in_range not null): see is_point_range below.
with paths as (
    select p.*, true as is_count from {{ ref('int_kpi_daily_paths') }} as p
    union all
    select p.*, false from {{ ref('int_kpi_daily_paths__ratios') }} as p
),

month_ends as (
    select
        p.kpi_code,
        p.org_unit_code,
        p.year,
        p.is_count,
        extract(month from p.calendar_date)::int as month,
        p.calendar_date as month_end,
        p.working_days_elapsed,
        p.snapshot_month,
        p.value_to_date as actual_to_date,
        p.year_total as actual_year_end,
        (p.calendar_date - make_date(p.year, 1, 1) + 1)::numeric
            / (make_date(p.year + 1, 1, 1) - make_date(p.year, 1, 1)) as elapsed_fraction
    from paths as p
    where p.calendar_date = (date_trunc('month', p.calendar_date) + interval '1 month - 1 day')::date
      and extract(month from p.calendar_date) < 12
      -- a ratio with no value yet (nothing closed, no snapshot) has nothing to project
      and p.value_to_date is not null
),

projected as (
    select
        m.*,
        s.n_years,
        t.target_value,
        coalesce(c.direction, 'higher') as direction,
        {{ projection_method('m.actual_to_date', 's') }} as projection_method,
        {{ projected_value('m.actual_to_date', 'm.elapsed_fraction', 's', 'm.is_count') }} as projected_year_end,
        {{ projected_low('m.actual_to_date', 's', 'm.is_count') }} as projected_low,
        {{ projected_high('m.actual_to_date', 's', 'm.is_count') }} as projected_high,
        -- the baseline: a count goes on in a straight line, a ratio or mean stays where it is
        case when m.is_count then round(m.actual_to_date / m.elapsed_fraction) else m.actual_to_date end
            as linear_year_end
    from month_ends as m
    left join {{ ref('int_kpi_seasonal_shares') }} as s
        on s.kpi_code = m.kpi_code and s.org_unit_code = m.org_unit_code and s.year = m.year
        and {{ shares_clock('s') }} = {{ clock_at('m.kpi_code', 'm.working_days_elapsed', 'm.snapshot_month') }}
    left join {{ ref('kpi_targets') }} as t on t.kpi_code = m.kpi_code and t.year = m.year
    left join {{ ref('kpi_catalog') }} as c on c.kpi_code = m.kpi_code
)

select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::integer as year,
    (year - 1911)::integer as roc_year,
    month::integer as month,
    month_end::date as month_end,
    projection_method::text as projection_method,
    trim_scale(actual_to_date)::numeric as actual_to_date,
    trim_scale(projected_year_end)::numeric as projected_year_end,
    trim_scale(projected_low)::numeric as projected_low,
    trim_scale(projected_high)::numeric as projected_high,
    trim_scale(linear_year_end)::numeric as linear_year_end,
    trim_scale(actual_year_end)::numeric as actual_year_end,
    trim_scale(target_value)::numeric as target_value,
    -- a range of one value (the earlier years agreed exactly at this point: sd 0) is not an 80 %
    -- range but a point, so it is not counted in the coverage; is_point_range keeps it apart
    (case when projected_low < projected_high
          then actual_year_end between projected_low and projected_high end)::boolean as in_range,
    (projected_low = projected_high)::boolean as is_point_range,
    trim_scale(abs(projected_year_end - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error,
    trim_scale(abs(linear_year_end - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error_linear,
    {{ projected_status('projected_year_end', 'projected_low', 'target_value', 'projected_high',
                         'direction', 'n_years') }}::text
        as projected_status,
    (case when direction = 'lower' then actual_year_end > target_value
          else actual_year_end < target_value end)::boolean as missed_target
from projected

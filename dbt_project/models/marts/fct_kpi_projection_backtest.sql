-- The track record of the year-end projection (docs/foresight.md): for every closed year Y of every
-- projected indicator, the projection made at the end of each month January … November with only
-- what was known then (the value to date and the shapes of the years before Y), against the actual
-- year end, beside the linear extrapolation baseline (value to date ÷ elapsed fraction of the year).
-- Set-based: one row per (indicator, scope, year, month), from the daily paths and the shares.
with month_ends as (
    select
        p.kpi_code,
        p.org_unit_code,
        p.year,
        extract(month from p.calendar_date)::int as month,
        p.calendar_date as month_end,
        p.working_days_elapsed,
        p.value_to_date as actual_to_date,
        p.year_total as actual_year_end,
        (p.calendar_date - make_date(p.year, 1, 1) + 1)::numeric
            / (make_date(p.year + 1, 1, 1) - make_date(p.year, 1, 1)) as elapsed_fraction
    from {{ ref('int_kpi_daily_paths') }} as p
    where p.calendar_date = (date_trunc('month', p.calendar_date) + interval '1 month - 1 day')::date
      and extract(month from p.calendar_date) < 12
),

projected as (
    select
        m.*,
        t.target_value,
        {{ projection_method('m.actual_to_date', 's') }} as projection_method,
        {{ projected_value('m.actual_to_date', 'm.elapsed_fraction', 's') }} as projected_year_end,
        {{ projected_low('m.actual_to_date', 's') }} as projected_low,
        {{ projected_high('m.actual_to_date', 's') }} as projected_high,
        m.actual_to_date / m.elapsed_fraction as linear_year_end
    from month_ends as m
    left join {{ ref('int_kpi_seasonal_shares') }} as s
        on s.kpi_code = m.kpi_code and s.org_unit_code = m.org_unit_code and s.year = m.year
        and s.working_days_elapsed = m.working_days_elapsed
    left join {{ ref('kpi_targets') }} as t on t.kpi_code = m.kpi_code and t.year = m.year
)

select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::integer as year,
    (year - 1911)::integer as roc_year,
    month::integer as month,
    month_end::date as month_end,
    projection_method::text as projection_method,
    actual_to_date::numeric as actual_to_date,
    projected_year_end::numeric as projected_year_end,
    projected_low::numeric as projected_low,
    projected_high::numeric as projected_high,
    round(linear_year_end)::numeric as linear_year_end,
    actual_year_end::numeric as actual_year_end,
    target_value::numeric as target_value,
    (case when projected_low is not null and projected_high is not null
          then actual_year_end between projected_low and projected_high end)::boolean as in_range,
    (abs(projected_year_end - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error,
    (abs(round(linear_year_end) - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error_linear,
    {{ projected_status('projected_year_end', 'projected_low', 'target_value') }}::text as projected_status,
    (actual_year_end < target_value)::boolean as missed_target
from projected

-- The track record of the year-end projection (docs/foresight.md): for every closed year Y of every
-- projected indicator, the projection made at the end of each month January … November with only
-- what was known then (the value to date and the shapes of the years before Y), against the actual
-- year end, beside the linear extrapolation baseline (a count: value to date ÷ elapsed fraction of the
-- year; a ratio or mean: the value to date itself). Counts (int_kpi_daily_paths) and the ratios and
-- means (int_kpi_daily_paths__ratios, city and departments) alike; a miss and the projected status
-- follow the indicator's direction (lower is better for K7.1).
-- Set-based: one row per (indicator, scope, year, month), from the daily paths and the shares.
with  __dbt__cte__int_kpi_daily_paths as (

-- Fixture for int_kpi_daily_paths
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-03-31' as date)
 as "calendar_date", 
    
    cast(60 as integer)
 as "working_days_elapsed", 
    
    cast(500 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-03-30' as date)
 as "calendar_date", 
    
    cast(59 as integer)
 as "working_days_elapsed", 
    
    cast(495 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-12-31' as date)
 as "calendar_date", 
    
    cast(248 as integer)
 as "working_days_elapsed", 
    
    cast(1250 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
),  __dbt__cte__int_kpi_daily_paths__ratios as (

-- Fixture for int_kpi_daily_paths__ratios
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0800' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-10-31' as date)
 as "calendar_date", 
    
    cast(200 as integer)
 as "working_days_elapsed", 
    
    cast(2.4 as numeric)
 as "value_to_date", 
    
    cast(2.5 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-01-31' as date)
 as "calendar_date", 
    
    cast(20 as integer)
 as "working_days_elapsed", 
    
    cast(null as numeric)
 as "value_to_date", 
    
    cast(0.83 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('2024-10-31' as date)
 as "calendar_date", 
    
    cast(200 as integer)
 as "working_days_elapsed", 
    
    cast(0.6 as numeric)
 as "value_to_date", 
    
    cast(0.8 as numeric)
 as "year_total", 
    
    cast(10 as integer)
 as "snapshot_month"
),  __dbt__cte__int_kpi_seasonal_shares as (

-- Fixture for int_kpi_seasonal_shares
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(60 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.5 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(500 as numeric)
 as "remaining_mean", 
    
    cast(20 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0800' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(200 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.96 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.1 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(20 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.7 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(10 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.75 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(11 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.72 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.22 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(200 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.72 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.22 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
),  __dbt__cte__kpi_targets as (

-- Fixture for kpi_targets
select 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(1200 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(2 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(0.82 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(0.82 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
),  __dbt__cte__kpi_catalog as (

-- Fixture for kpi_catalog
select 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", 
    
    cast('lower' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
), paths as (
    select p.*, true as is_count from __dbt__cte__int_kpi_daily_paths as p
    union all
    select p.*, false from __dbt__cte__int_kpi_daily_paths__ratios as p
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
        (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end) as projection_method,
        (case when m.is_count then round(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then m.actual_to_date / s.share_mean
        when 'seasonal_remaining' then m.actual_to_date + s.remaining_mean
        else case when m.is_count then m.actual_to_date / nullif(m.elapsed_fraction, 0) else m.actual_to_date end end) else round(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then m.actual_to_date / s.share_mean
        when 'seasonal_remaining' then m.actual_to_date + s.remaining_mean
        else case when m.is_count then m.actual_to_date / nullif(m.elapsed_fraction, 0) else m.actual_to_date end end, 4) end) as projected_year_end,
        (case when m.is_count then floor(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when m.is_count then greatest(m.actual_to_date, m.actual_to_date / (s.share_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd))
                 else m.actual_to_date / (s.share_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd) end
        when 'seasonal_remaining' then m.actual_to_date + greatest(0, s.remaining_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.remaining_sd)
        end) else round(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when m.is_count then greatest(m.actual_to_date, m.actual_to_date / (s.share_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd))
                 else m.actual_to_date / (s.share_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd) end
        when 'seasonal_remaining' then m.actual_to_date + greatest(0, s.remaining_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.remaining_sd)
        end, 4) end) as projected_low,
        (case when m.is_count then ceil(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when s.share_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd > 0
                 then m.actual_to_date / (s.share_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd) end
        when 'seasonal_remaining' then m.actual_to_date + s.remaining_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.remaining_sd
        end) else round(case (case when coalesce(s.n_years, 0) < 2 then 'linear'
          when m.actual_to_date > 0 and s.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when s.share_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd > 0
                 then m.actual_to_date / (s.share_mean - (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.share_sd) end
        when 'seasonal_remaining' then m.actual_to_date + s.remaining_mean + (case when s.n_years = 2 then 3.770 when s.n_years = 3 then 2.178 end) * s.remaining_sd
        end, 4) end) as projected_high,
        -- the baseline: a count goes on in a straight line, a ratio or mean stays where it is
        case when m.is_count then round(m.actual_to_date / m.elapsed_fraction) else m.actual_to_date end
            as linear_year_end
    from month_ends as m
    left join __dbt__cte__int_kpi_seasonal_shares as s
        on s.kpi_code = m.kpi_code and s.org_unit_code = m.org_unit_code and s.year = m.year
        and coalesce(s.snapshot_month, s.working_days_elapsed) = (case when m.kpi_code in ('K5.1') then m.snapshot_month else m.working_days_elapsed end)
    left join __dbt__cte__kpi_targets as t on t.kpi_code = m.kpi_code and t.year = m.year
    left join __dbt__cte__kpi_catalog as c on c.kpi_code = m.kpi_code
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
    (case when projected_low is not null and projected_high is not null
          then actual_year_end between projected_low and projected_high end)::boolean as in_range,
    trim_scale(abs(projected_year_end - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error,
    trim_scale(abs(linear_year_end - actual_year_end) / nullif(actual_year_end, 0))::numeric as abs_pct_error_linear,
    (case when target_value is null or projected_year_end is null then null
          when direction = 'lower' then
              case when coalesce(projected_high, projected_year_end) <= target_value then 'likely_achieved'
                   when target_value < projected_year_end
                        + (case when n_years = 2 then 0.1876 when n_years = 3 then 0.2652 else 0 end) * (coalesce(projected_high, projected_year_end) - projected_year_end)
                        then 'likely_missed'
                   else 'uncertain' end
          when coalesce(projected_low, projected_year_end) >= target_value then 'likely_achieved'
          when target_value > projected_year_end - (case when n_years = 2 then 0.1876 when n_years = 3 then 0.2652 else 0 end) * (projected_year_end - coalesce(projected_low, projected_year_end))
              then 'likely_missed'
          else 'uncertain' end)::text
        as projected_status,
    (case when direction = 'lower' then actual_year_end > target_value
          else actual_year_end < target_value end)::boolean as missed_target
from projected


-- Beside each official status of d's year (int_kpi_status_evaluated, unchanged): the seasonal
-- expected value to date and the status it gives, and the year-end projection with its 80 % range
-- and one sentence (docs/foresight.md). For cumulative indicators with a linear progress rule (the
-- ones whose plan pace is a straight line), and for ratios and means judged against a flat target
-- (progress rule none) with a daily path (int_kpi_daily_paths__ratios: K7.1, K5.1), each scope
-- with earlier years; other rows get nulls. Set-based over every as-of date of the build: each row
-- joins the shares of its year at its working day (K5.1: at the month of the latest snapshot known).
-- Deadline indicators (K5.2–K5.4) and the certificate (K2.7) have no seasonal shape; their year end
-- follows from the plan itself (steps_and_certificate below): the steps still due, and whether the
-- certificate's validity covers the rest of the year.
with  __dbt__cte__int_kpi_status_evaluated as (
select *, null::numeric as numerator, null::numeric as denominator from (values
  (date '2025-04-30', 'K5.1', 2025, 114, 'KL0100', 0.6::numeric, 0.82::numeric, null::numeric, 'behind', date '2025-04-30'),
  (date '2025-04-30', 'K7.1', 2025, 114, 'ALL', 2.16::numeric, 2::numeric, null::numeric, 'at_risk', date '2025-04-30'),
  (date '2025-04-30', 'K7.1', 2025, 114, 'KL0300', 1.9::numeric, 2::numeric, null::numeric, 'on_track', date '2025-04-30'),
  (date '2025-04-30', 'K5.1', 2025, 114, 'KL0200', 0.66::numeric, 0.82::numeric, null::numeric, 'on_track', date '2025-04-30'),
  (date '2025-04-30', 'K7.1', 2025, 114, 'KL0200', 2.34::numeric, 2::numeric, null::numeric, 'on_track', date '2025-04-30'),
  (date '2025-04-30', 'K7.1', 2025, 114, 'KL0400', 2.28::numeric, 2::numeric, null::numeric, 'on_track', date '2025-04-30')
) as t(as_of_date, kpi_code, year, roc_year, org_unit_code, actual_value, target_value, expected_to_date, status, evaluation_date)
),  __dbt__cte__kpi_catalog as (

-- Fixture for kpi_catalog
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('ratio' as text)
 as "measure_type", 
    
    cast('none' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('%' as text)
 as "unit_zh", 
    
    cast('percent' as text)
 as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('average' as text)
 as "measure_type", 
    
    cast('none' as text)
 as "progress_rule", 
    
    cast('lower' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('天' as text)
 as "unit_zh", 
    
    cast('days' as text)
 as "value_format", cast(null as text) as "filter_note"
),  __dbt__cte__int_kpi_years as (
select date '2025-04-30' as as_of_date, code as kpi_code, 2025 as year, true as is_current_year, 0.33::numeric as elapsed_fraction
from unnest(array['K5.1', 'K7.1']) as code
),  __dbt__cte__int_budget__snapshots_known as (

-- Fixture for int_budget__snapshots_known
select cast(null as integer) as "roc_year", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "month", 
    
    cast('2024-12-01' as date)
 as "snapshot_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", cast(null as text) as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "month", 
    
    cast('2025-03-01' as date)
 as "snapshot_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", cast(null as text) as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "month", 
    
    cast('2025-04-01' as date)
 as "snapshot_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", cast(null as text) as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "month", 
    
    cast('2025-05-01' as date)
 as "snapshot_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", cast(null as text) as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
),  __dbt__cte__int_foresight__working_days as (

-- Fixture for int_foresight__working_days
select 
    
    cast('2025-04-30' as date)
 as "calendar_date", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed"
),  __dbt__cte__int_kpi_seasonal_shares as (

-- Fixture for int_kpi_seasonal_shares
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(4 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.8 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.78 as numeric)
 as "share_min", 
    
    cast(0.82 as numeric)
 as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(3 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.7 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.68 as numeric)
 as "share_min", 
    
    cast(0.72 as numeric)
 as "share_max", 
    
    cast(0.3 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(5 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.9 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.88 as numeric)
 as "share_min", 
    
    cast(0.92 as numeric)
 as "share_max", 
    
    cast(0.1 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.6 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.58 as numeric)
 as "share_min", 
    
    cast(0.62 as numeric)
 as "share_max", 
    
    cast(0.4 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(4 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.5 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.48 as numeric)
 as "share_min", 
    
    cast(0.52 as numeric)
 as "share_max", 
    
    cast(0.4 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(2 as integer)
 as "n_years", 
    
    cast(2023 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(1.2 as numeric)
 as "share_mean", 
    
    cast(0.05 as numeric)
 as "share_sd", 
    
    cast(1.15 as numeric)
 as "share_min", 
    
    cast(1.25 as numeric)
 as "share_max", 
    
    cast(-0.4 as numeric)
 as "remaining_mean", 
    
    cast(0.1 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0200' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(4 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", 
    
    cast(2022 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(0.8 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", 
    
    cast(0.78 as numeric)
 as "share_min", 
    
    cast(0.82 as numeric)
 as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0200' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(2 as integer)
 as "n_years", 
    
    cast(2023 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(1.2 as numeric)
 as "share_mean", 
    
    cast(0.05 as numeric)
 as "share_sd", 
    
    cast(1.15 as numeric)
 as "share_min", 
    
    cast(1.25 as numeric)
 as "share_max", 
    
    cast(-0.4 as numeric)
 as "remaining_mean", 
    
    cast(0.1 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0400' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(2 as integer)
 as "n_years", 
    
    cast(2023 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(1.2 as numeric)
 as "share_mean", 
    
    cast(0.05 as numeric)
 as "share_sd", 
    
    cast(1.15 as numeric)
 as "share_min", 
    
    cast(1.25 as numeric)
 as "share_max", 
    
    cast(-0.4 as numeric)
 as "remaining_mean", 
    
    cast(0.1 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(80 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(1 as integer)
 as "n_years", 
    
    cast(2024 as integer)
 as "first_earlier_year", 
    
    cast(2024 as integer)
 as "last_earlier_year", 
    
    cast(1.1 as numeric)
 as "share_mean", 
    
    cast(0 as numeric)
 as "share_sd", 
    
    cast(1.1 as numeric)
 as "share_min", 
    
    cast(1.1 as numeric)
 as "share_max", 
    
    cast(-0.2 as numeric)
 as "remaining_mean", 
    
    cast(0 as numeric)
 as "remaining_sd"
),  __dbt__cte__int_kpi_actuals as (

-- Fixture for int_kpi_actuals
select cast(null as date) as "as_of_date", cast(null as text) as "kpi_code", cast(null as integer) as "year", cast(null as text) as "org_unit_code", cast(null as numeric) as "actual_value", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "coverage_end_date", cast(null as boolean) as "is_final"
    limit 0
),  __dbt__cte__projection_labels as (

-- Fixture for projection_labels
select 
    
    cast('likely_missed' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('可能未達目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
union all
select 
    
    cast('uncertain' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('尚難判斷能否達到目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
union all
select 
    
    cast('likely_achieved' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('可望達成目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
),  __dbt__cte__value_formats as (

-- Fixture for value_formats
select 
    
    cast('percent' as text)
 as "value_format", 
    
    cast(100 as numeric)
 as "scale", 
    
    cast(1 as integer)
 as "decimals", 
    
    cast('{n}{unit}' as text)
 as "text_pattern", cast(null as text) as "value_format_zh"
union all
select 
    
    cast('days' as text)
 as "value_format", 
    
    cast(1 as numeric)
 as "scale", 
    
    cast(2 as integer)
 as "decimals", 
    
    cast('{n} {unit}' as text)
 as "text_pattern", cast(null as text) as "value_format_zh"
), evaluated as (
    select
        e.as_of_date, e.kpi_code, e.year, e.roc_year, e.org_unit_code, e.actual_value, e.target_value,
        e.expected_to_date, e.status, e.evaluation_date, y.elapsed_fraction, c.unit_zh, c.direction,
        c.value_format, (c.measure_type = 'cumulative') as is_count
    from __dbt__cte__int_kpi_status_evaluated as e
    inner join __dbt__cte__kpi_catalog as c using (kpi_code)
    inner join __dbt__cte__int_kpi_years as y using (as_of_date, kpi_code, year)
    where y.is_current_year
      and ((c.measure_type = 'cumulative' and c.progress_rule = 'linear')
           or (c.measure_type in ('ratio', 'average') and c.progress_rule = 'none'
               and e.kpi_code in ('K7.1', 'K5.1')))
      and e.actual_value is not null
),

snapshot_months as (
    -- the S3 snapshots known in the build (K5.1's clock: the month of the latest one known at e)
    select distinct year, snapshot_month from __dbt__cte__int_budget__snapshots_known
),

with_shares as (
    select
        e.*,
        s.n_years,
        s.first_earlier_year,
        s.last_earlier_year,
        s.share_mean,
        s.share_sd,
        s.share_min,
        s.share_max,
        s.remaining_mean,
        s.remaining_sd
    from evaluated as e
    inner join __dbt__cte__int_foresight__working_days as w on w.calendar_date = e.evaluation_date
    left join lateral (
        select extract(month from max(sm.snapshot_month))::int as snapshot_month
        from snapshot_months as sm
        where e.kpi_code in ('K5.1') and sm.year = e.year and sm.snapshot_month <= e.evaluation_date
    ) as m on true
    left join __dbt__cte__int_kpi_seasonal_shares as s
        on s.kpi_code = e.kpi_code and s.org_unit_code = e.org_unit_code and s.year = e.year
        and coalesce(s.snapshot_month, s.working_days_elapsed) = (case when e.kpi_code in ('K5.1') then m.snapshot_month else w.working_days_elapsed end)
),

projected as (
    select
        *,
        -- ratios and means: the target scaled by the share is the value expected at this point
        case when n_years >= 2 and is_count then floor(target_value * share_mean)
             when n_years >= 2 then round(target_value * share_mean, 4)
             when is_count then expected_to_date end as seasonal_expected_to_date,
        (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end) as projection_method,
        (case when is_count then round(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then actual_value / with_shares.share_mean
        when 'seasonal_remaining' then actual_value + with_shares.remaining_mean
        else case when is_count then actual_value / nullif(elapsed_fraction, 0) else actual_value end end) else round(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then actual_value / with_shares.share_mean
        when 'seasonal_remaining' then actual_value + with_shares.remaining_mean
        else case when is_count then actual_value / nullif(elapsed_fraction, 0) else actual_value end end, 4) end) as projected_year_end,
        (case when is_count then floor(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when is_count then greatest(actual_value, actual_value / (with_shares.share_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd))
                 else actual_value / (with_shares.share_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd) end
        when 'seasonal_remaining' then actual_value + greatest(0, with_shares.remaining_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.remaining_sd)
        end) else round(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when is_count then greatest(actual_value, actual_value / (with_shares.share_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd))
                 else actual_value / (with_shares.share_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd) end
        when 'seasonal_remaining' then actual_value + greatest(0, with_shares.remaining_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.remaining_sd)
        end, 4) end) as projected_low,
        (case when is_count then ceil(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when with_shares.share_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd > 0
                 then actual_value / (with_shares.share_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd) end
        when 'seasonal_remaining' then actual_value + with_shares.remaining_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.remaining_sd
        end) else round(case (case when coalesce(with_shares.n_years, 0) < 2 then 'linear'
          when actual_value > 0 and with_shares.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
        when 'seasonal_share' then
            case when with_shares.share_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd > 0
                 then actual_value / (with_shares.share_mean - (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.share_sd) end
        when 'seasonal_remaining' then actual_value + with_shares.remaining_mean + (case when with_shares.n_years = 2 then 3.770 when with_shares.n_years = 3 then 2.178 end) * with_shares.remaining_sd
        end, 4) end) as projected_high
    from with_shares
),

judged as (
    select
        *,
        case
            when target_value is null then null
            -- a ratio or mean is judged at year end only: never achieved before
            when is_count and actual_value >= target_value then 'achieved'
            when seasonal_expected_to_date is null then null
            when direction = 'lower' and actual_value > seasonal_expected_to_date then 'behind'
            when coalesce(direction, 'higher') <> 'lower' and actual_value < seasonal_expected_to_date then 'behind'
            else 'on_track'
        end as seasonal_status,
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
          else 'uncertain' end)
            as projected_status,
        case when n_years >= 2
             then '過去 ' || n_years || ' 年（' || (first_earlier_year - 1911) || '–' || (last_earlier_year - 1911) || '）'
             end as years_text
    from projected
),

-- Deadline indicators: A steps done; the steps whose deadline is after e are still due. If each is
-- done by its deadline, the year ends at A + due: the range is A (none done) … A + due.
-- Certificate: covered days so far c of the days so far p, validity to v (the interval covering e;
-- none when e is not covered), N days in the year. Low = (c + days from e+1 to min(v, 12-31)) ÷ N,
-- the share of the year covered if it is not renewed; high = projected = (c + days from e+1 to 12-31)
-- ÷ N, renewed in time (as usual). A gap so far (c < p) keeps both below 1: likely_missed.
steps_and_certificate as (
    select
        e.as_of_date, e.kpi_code, e.year, e.org_unit_code, e.roc_year, e.actual_value, e.target_value,
        c.measure_type, c.unit_zh,
        (select count(*) from unnest(string_to_array(c.deadlines, ';')) as dl (md)
         where to_date(e.year || '-' || dl.md, 'YYYY-MM-DD') > e.evaluation_date) as still_due,
        (select string_agg(replace(dl.md, '-', '/'), '、' order by dl.md)
         from unnest(string_to_array(c.deadlines, ';')) as dl (md)
         where to_date(e.year || '-' || dl.md, 'YYYY-MM-DD') > e.evaluation_date) as due_text,
        e.numerator as covered_days,
        e.denominator as period_days,
        a.coverage_end_date,
        e.numerator < e.denominator as has_gap,
        (make_date(e.year, 12, 31) - e.evaluation_date) as days_left,
        (make_date(e.year + 1, 1, 1) - make_date(e.year, 1, 1)) as days_in_year
    from __dbt__cte__int_kpi_status_evaluated as e
    inner join __dbt__cte__kpi_catalog as c using (kpi_code)
    inner join __dbt__cte__int_kpi_years as y using (as_of_date, kpi_code, year)
    left join __dbt__cte__int_kpi_actuals as a using (as_of_date, kpi_code, year, org_unit_code)
    where y.is_current_year
      and e.actual_value is not null
      and ((c.measure_type = 'cumulative' and c.progress_rule = 'deadlines') or c.measure_type = 'certificate')
),

steps_projected as (
    select
        *,
        case when measure_type = 'certificate'
             then round((covered_days + days_left)::numeric / days_in_year, 4)
             else actual_value + still_due end as projected_year_end,
        case when measure_type = 'certificate'
             then round((covered_days + greatest(0, least(coalesce(coverage_end_date, make_date(year, 1, 1) - 1),
                         make_date(year, 12, 31)) - (make_date(year, 12, 31) - days_left)))::numeric / days_in_year, 4)
             else actual_value end as projected_low
    from steps_and_certificate
),

steps_judged as (
    select
        *,
        (case when target_value is null or projected_year_end is null then null
          when 'higher' = 'lower' then
              case when coalesce(null, projected_year_end) <= target_value then 'likely_achieved'
                   when target_value < projected_year_end
                        + 0 * (coalesce(null, projected_year_end) - projected_year_end)
                        then 'likely_missed'
                   else 'uncertain' end
          when coalesce(projected_low, projected_year_end) >= target_value then 'likely_achieved'
          when target_value > projected_year_end - 0 * (projected_year_end - coalesce(projected_low, projected_year_end))
              then 'likely_missed'
          else 'uncertain' end) as projected_status
    from steps_projected
),

steps_rows as (
    select
        s.as_of_date,
        s.kpi_code,
        s.year,
        s.org_unit_code,
        null::numeric as seasonal_expected_to_date,
        null::text as seasonal_status,
        trim_scale(s.projected_year_end)::numeric as projected_year_end,
        trim_scale(s.projected_low)::numeric as projected_low,
        trim_scale(s.projected_year_end)::numeric as projected_high,
        (case
            when s.measure_type = 'certificate' then 'certificate validity' else 'deadlines (steps still due)'
        end)::text
            as projection_basis,
        s.projected_status::text as projected_status,
        (case
            when s.measure_type = 'certificate' and s.has_gap then
                '本年度已有 ' || to_char((s.period_days - s.covered_days)::numeric, 'FM999,999,999,990')
                || ' 天不在證書有效期間內，即使如期續證，全年至多涵蓋 '
                || (trim(trailing '.' from trim(trailing '0' from to_char(round(((s.projected_year_end) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%')
            when s.measure_type = 'certificate' and s.projected_low >= 1 then
                '證書效期至 ' || to_char(s.coverage_end_date, 'YYYY-MM-DD')
                || '，涵蓋' || s.roc_year || '年（' || s.year || '）其餘期間'
            when s.measure_type = 'certificate' then
                '證書效期至 ' || coalesce(to_char(s.coverage_end_date, 'YYYY-MM-DD'), '—') || '，年底前須完成續證（未續證則全年涵蓋 '
                || (trim(trailing '.' from trim(trailing '0' from to_char(round(((s.projected_low) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%') || '）'
            when s.still_due = 0 then
                '已無未到期之期限，年底為 ' || to_char((s.actual_value)::numeric, 'FM999,999,999,990') || ' ' || s.unit_zh
            else
                '已完成 ' || to_char((s.actual_value)::numeric, 'FM999,999,999,990') || ' ' || s.unit_zh || '，年底前尚有 ' || s.still_due
                || ' 項期限（' || s.due_text || '），如期完成則' || s.roc_year || '年（' || s.year || '）年底為 '
                || to_char((s.projected_year_end)::numeric, 'FM999,999,999,990') || ' ' || s.unit_zh
         end
         || coalesce('，' || l.sentence_zh
                     || case when s.measure_type = 'certificate' then ''
                             else ' ' || to_char((s.target_value)::numeric, 'FM999,999,999,990') || ' ' || s.unit_zh end, '')
        )::text as projection_reason
    from steps_judged as s
    left join __dbt__cte__projection_labels as l using (projected_status)
),

seasonal_rows as (
select
    j.as_of_date,
    j.kpi_code,
    j.year,
    j.org_unit_code,
    trim_scale(j.seasonal_expected_to_date)::numeric as seasonal_expected_to_date,
    j.seasonal_status::text as seasonal_status,
    trim_scale(j.projected_year_end)::numeric as projected_year_end,
    trim_scale(j.projected_low)::numeric as projected_low,
    trim_scale(j.projected_high)::numeric as projected_high,
    (case j.projection_method
        when 'seasonal_share' then 'seasonal_share ' || j.first_earlier_year || '-' || j.last_earlier_year
        when 'seasonal_remaining' then 'seasonal_remaining ' || j.first_earlier_year || '-' || j.last_earlier_year
        else 'linear (fewer than 2 earlier years)' end)::text as projection_basis,
    j.projected_status::text as projected_status,
    (case j.projection_method
        when 'seasonal_share' then
            j.years_text || case when j.is_count then '同期累計約占全年 ' else '同期數值約為全年之 ' end
            || trim(trailing '.' from trim(trailing '0' from to_char(round((j.share_min * 100)::numeric, 0), 'FM999,999,990.'))) || '–'
            || trim(trailing '.' from trim(trailing '0' from to_char(round((j.share_max * 100)::numeric, 0), 'FM999,999,990.'))) || '%（平均 ' || (trim(trailing '.' from trim(trailing '0' from to_char(round(((j.share_mean) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%') || '）'
        when 'seasonal_remaining' then
            j.years_text || '同期之後平均再增加 ' || trim(trailing '.' from trim(trailing '0' from to_char(round((j.remaining_mean)::numeric, 1), 'FM999,999,990.0'))) || ' ' || j.unit_zh
        when 'linear' then
            case when j.is_count then '過去資料不足 2 年，依直線進度（已過全年 ' || (trim(trailing '.' from trim(trailing '0' from to_char(round(((j.elapsed_fraction) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%') || '）'
                 else '過去資料不足 2 年，以目前數值推估' end
     end
     || '，推估' || (j.roc_year) || '年（' || j.year || '）年底約 '
     || case when j.is_count then to_char((j.projected_year_end)::numeric, 'FM999,999,999,990') || ' ' || j.unit_zh
             else case when (j.projected_year_end) is null then '—'
    else replace(replace(fmt.text_pattern, '{n}',
        case when fmt.decimals > 0
             then rtrim(rtrim(to_char(round((j.projected_year_end)::numeric * fmt.scale, fmt.decimals),
                                      'FM999,999,999,990.' || repeat('0', fmt.decimals)), '0'), '.')
             else to_char(round((j.projected_year_end)::numeric * fmt.scale, 0), 'FM999,999,999,990') end),
        '{unit}', coalesce(j.unit_zh, '')) end end
     || case when j.projected_low is not null and j.is_count
             then '（' || to_char((j.projected_low)::numeric, 'FM999,999,999,990') || '–'
                  || coalesce(to_char((j.projected_high)::numeric, 'FM999,999,999,990'), '—') || ' ' || j.unit_zh || '）'
             when j.projected_low is not null
             then '（' || case when (j.projected_low) is null then '—'
    else replace(replace(fmt.text_pattern, '{n}',
        case when fmt.decimals > 0
             then rtrim(rtrim(to_char(round((j.projected_low)::numeric * fmt.scale, fmt.decimals),
                                      'FM999,999,999,990.' || repeat('0', fmt.decimals)), '0'), '.')
             else to_char(round((j.projected_low)::numeric * fmt.scale, 0), 'FM999,999,999,990') end),
        '{unit}', coalesce(j.unit_zh, '')) end || '–'
                  || coalesce(case when (j.projected_high) is null then '—'
    else replace(replace(fmt.text_pattern, '{n}',
        case when fmt.decimals > 0
             then rtrim(rtrim(to_char(round((j.projected_high)::numeric * fmt.scale, fmt.decimals),
                                      'FM999,999,999,990.' || repeat('0', fmt.decimals)), '0'), '.')
             else to_char(round((j.projected_high)::numeric * fmt.scale, 0), 'FM999,999,999,990') end),
        '{unit}', coalesce(j.unit_zh, '')) end, '—') || '）'
             else '' end
     || coalesce('，' || l.sentence_zh || ' '
                 || case when j.is_count then to_char((j.target_value)::numeric, 'FM999,999,999,990') || ' ' || j.unit_zh
                         else case when (j.target_value) is null then '—'
    else replace(replace(fmt.text_pattern, '{n}',
        case when fmt.decimals > 0
             then rtrim(rtrim(to_char(round((j.target_value)::numeric * fmt.scale, fmt.decimals),
                                      'FM999,999,999,990.' || repeat('0', fmt.decimals)), '0'), '.')
             else to_char(round((j.target_value)::numeric * fmt.scale, 0), 'FM999,999,999,990') end),
        '{unit}', coalesce(j.unit_zh, '')) end end, '')
    )::text as projection_reason
from judged as j
left join __dbt__cte__projection_labels as l using (projected_status)
left join __dbt__cte__value_formats as fmt on fmt.value_format = j.value_format
where j.projected_year_end is not null
)

select * from seasonal_rows
union all
select * from steps_rows
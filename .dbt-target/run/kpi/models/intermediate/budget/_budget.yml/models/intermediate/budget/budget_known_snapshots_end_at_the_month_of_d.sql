
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "month","snapshot_month", 'actual' as "actual_or_expected"
  from (
    with __dbt__cte__stg_budget__execution_lines as (

-- Fixture for stg_budget__execution_lines
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", 
    
    cast('2025-11-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('P1' as text)
 as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", 
    
    cast('業務費' as text)
 as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", 
    
    cast('2025-12-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('P1' as text)
 as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", 
    
    cast('業務費' as text)
 as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
) -- S3 budget-execution lines of the monthly snapshots known at some as-of date d of the build
-- (docs/indicators.md#known-at-d: S3 months <= d's month); a line is known at every d from its
-- snapshot month on, so the measures keep snapshot_month <= d's month per d.
select *
from __dbt__cte__stg_budget__execution_lines
where snapshot_month <= date_trunc('month', date '2025-11-25')::date
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "month", "snapshot_month", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast(11 as integer)
 as "month", 
    
    cast('2025-11-01' as date)
 as "snapshot_month"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
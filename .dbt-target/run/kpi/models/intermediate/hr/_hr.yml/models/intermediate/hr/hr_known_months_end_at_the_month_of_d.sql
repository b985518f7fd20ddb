
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "year_month","org_unit_code", 'actual' as "actual_or_expected"
  from (
    with __dbt__cte__stg_hr__monthly_staffing as (

-- Fixture for stg_hr__monthly_staffing
select 
    
    cast('2025-11-01' as date)
 as "year_month", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "contract_staff", cast(null as bigint) as "civil_servants", cast(null as bigint) as "learning_completed"
union all
select 
    
    cast('2025-12-01' as date)
 as "year_month", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "contract_staff", cast(null as bigint) as "civil_servants", cast(null as bigint) as "learning_completed"
) -- S5 monthly staffing figures known at some as-of date d of the build
-- (docs/indicators.md#known-at-d: S5 months <= d's month); a month is known at every d from that
-- month on, so the measures keep year_month <= d's month per d.
select *
from __dbt__cte__stg_hr__monthly_staffing
where year_month <= date_trunc('month', date '2025-11-25')::date
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "year_month", "org_unit_code", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('2025-11-01' as date)
 as "year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected

    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","year","target_value","target_roc_year","target_basis", 'actual' as "actual_or_expected"
  from (
    -- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).


-- The target of each KPI and year judged at each as-of date: the plan's, else the latest earlier
-- year's (carried forward).
with  __dbt__cte__int_kpi_years as (

-- Fixture for int_kpi_years
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as boolean) as "is_current_year", cast(null as date) as "year_start", cast(null as date) as "year_end", cast(null as date) as "evaluation_date", cast(null as integer) as "days_in_year", cast(null as numeric) as "elapsed_fraction", cast(null as numeric) as "elapsed_fraction_30", cast(null as date) as "evaluation_date_30"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(2026 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as boolean) as "is_current_year", cast(null as date) as "year_start", cast(null as date) as "year_end", cast(null as date) as "evaluation_date", cast(null as integer) as "days_in_year", cast(null as numeric) as "elapsed_fraction", cast(null as numeric) as "elapsed_fraction_30", cast(null as date) as "evaluation_date_30"
),  __dbt__cte__kpi_targets as (

-- Fixture for kpi_targets
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(113 as integer)
 as "roc_year", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(111500 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(114 as integer)
 as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(120000 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
), years as (
    select as_of_date, kpi_code, year from __dbt__cte__int_kpi_years
),

targets as (
    select kpi_code, year, roc_year, target_value from __dbt__cte__kpi_targets
)

select distinct on (y.as_of_date, y.kpi_code, y.year)
    y.as_of_date,
    y.kpi_code,
    y.year,
    t.target_value,
    t.roc_year as target_roc_year,
    case when t.year is null then null
         when t.year = y.year then 'plan'
         else 'carried_forward'
    end as target_basis
from years as y
left join targets as t
    on t.kpi_code = y.kpi_code
    and t.year <= y.year
order by y.as_of_date, y.kpi_code, y.year, t.year desc nulls last
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "year", "target_value", "target_roc_year", "target_basis", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(120000 as numeric)
 as "target_value", 
    
    cast(114 as integer)
 as "target_roc_year", 
    
    cast('plan' as text)
 as "target_basis"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(2026 as integer)
 as "year", 
    
    cast(120000 as numeric)
 as "target_value", 
    
    cast(114 as integer)
 as "target_roc_year", 
    
    cast('carried_forward' as text)
 as "target_basis"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
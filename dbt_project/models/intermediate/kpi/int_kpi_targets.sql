-- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).
{{ config(materialized='table') }}

-- The target of each KPI and year judged at each as-of date: the plan's, else the latest earlier
-- year's (carried forward).
with years as (
    select as_of_date, kpi_code, year from {{ ref('int_kpi_years') }}
),

targets as (
    select kpi_code, year, roc_year, target_value from {{ ref('kpi_targets') }}
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

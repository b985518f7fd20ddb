
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","year","org_unit_code","actual_value","numerator","denominator","is_final", 'actual' as "actual_or_expected"
  from (
    -- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).


-- S3 budget measures (docs/indicators.md#k5-1, docs/indicators.md#c1-1):
--   * K5.1 execution rate of tracked basic-infrastructure tenders (列管基本設施標案執行率), from the
--     latest snapshot of Y with month <= e's month, city-wide ('ALL') and per department (單位代碼):
--     Σ (累計實支數 + 累計應付未付數 + 累計節餘數) ÷ Σ 累計分配數;
--   * C1.1 unspent share of the current operating-expense budget (經常門業務費賸餘數百分比), only from
--     Y's month-12 snapshot: (Σ 預算數 − Σ (累計實支數 + 保留數)) ÷ Σ 預算數, is_final = true; without it
--     a row with no value and is_final = false (status pending).
-- Years run from the first year with a snapshot known at d through d's year; e = d in d's year,
-- else Y-12-31. Per as-of date d of the build: everything here depends on d only through d's month,
-- so it is computed once per month of the build's dates and given to each of its dates.
with  __dbt__cte__int_budget__snapshots_known as (

-- Fixture for int_budget__snapshots_known
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", 
    
    cast('2025-12-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(True as boolean)
 as "is_current_expense", 
    
    cast('業務費' as text)
 as "expense_class", 
    
    cast(False as boolean)
 as "is_tracked_infrastructure", 
    
    cast(1000 as numeric)
 as "budget_amount", cast(null as numeric) as "allocated_cum", 
    
    cast(940 as numeric)
 as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", 
    
    cast(50 as numeric)
 as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
), lines as (
    select * from __dbt__cte__int_budget__snapshots_known
),

as_of_dates as (
    select d::date as as_of_date
    from generate_series(date '2025-12-31', date '2025-12-31', interval '1 day') as d
),

as_of_months as (
    -- each month of the build, judged as of its last as-of date (only the month matters)
    select date_trunc('month', as_of_date)::date as as_of_month, max(as_of_date) as as_of_date
    from as_of_dates
    group by 1
),

snapshots as (
    select distinct year, snapshot_month from lines
),

first_years as (
    select m.as_of_date, min(s.year) as first_year
    from as_of_months as m
    inner join snapshots as s on s.snapshot_month <= m.as_of_month
    group by m.as_of_date
),

years as (
    select
        f.as_of_date,
        y.year,
        make_date(y.year, 1, 1) as period_start,
        e.evaluation_date,
        date_trunc('month', e.evaluation_date)::date as evaluation_month
    from first_years as f
    cross join lateral generate_series(f.first_year, extract(year from f.as_of_date)::int) as y(year)
    cross join lateral (
        select
            case
                when y.year = extract(year from f.as_of_date)::int then f.as_of_date
                else make_date(y.year, 12, 31)
            end as evaluation_date
    ) as e
),

-- K5.1 -------------------------------------------------------------------------------------------
k51_snapshot as (
    -- the latest snapshot of each year with month <= e's month; later snapshots are ignored
    select y.as_of_date, y.year, max(s.snapshot_month) as snapshot_month
    from years as y
    inner join snapshots as s
        on s.year = y.year
        and s.snapshot_month <= y.evaluation_month
    group by y.as_of_date, y.year
),

k51_snapshot_units as (
    -- each snapshot's tracked lines per department, summed once whatever the dates that use it
    select
        snapshot_month,
        org_unit_code,
        sum(coalesce(disbursed_cum, 0) + coalesce(payable_unpaid_cum, 0) + coalesce(savings_cum, 0)) as executed,
        sum(coalesce(allocated_cum, 0)) as allocated
    from lines
    where is_tracked_infrastructure
    group by snapshot_month, org_unit_code
),

k51_scopes as (
    -- the city: one row for every year with a snapshot, even one without tracked lines (no value)
    select s.as_of_date, s.year, 'ALL' as org_unit_code,
           coalesce(sum(k.executed), 0) as executed, coalesce(sum(k.allocated), 0) as allocated
    from k51_snapshot as s
    left join k51_snapshot_units as k using (snapshot_month)
    group by s.as_of_date, s.year

    union all

    -- each department with tracked lines in that snapshot
    select s.as_of_date, s.year, k.org_unit_code, k.executed, k.allocated
    from k51_snapshot as s
    inner join k51_snapshot_units as k using (snapshot_month)
),

-- C1.1 -------------------------------------------------------------------------------------------
c11_month_12 as (
    select
        year,
        snapshot_month,
        count(*) as line_count,
        sum(budget_amount) filter (
            where is_current_expense and expense_class = '業務費'
        ) as budget_amount,
        sum(coalesce(disbursed_cum, 0) + coalesce(carried_over, 0)) filter (
            where is_current_expense and expense_class = '業務費'
        ) as final_spend
    from lines
    where month = 12
    group by year, snapshot_month
),

c11_year_end as (
    select
        y.as_of_date,
        y.year,
        coalesce(sum(l.line_count), 0) > 0 as has_month_12,
        sum(l.budget_amount) as budget_amount,
        sum(l.final_spend) as final_spend
    from years as y
    left join c11_month_12 as l
        on l.year = y.year
        and l.snapshot_month <= y.evaluation_month
    group by y.as_of_date, y.year
),

by_month as (
    select
        as_of_date,
        'K5.1'::text as kpi_code,
        year::int as year,
        org_unit_code::text as org_unit_code,
        trim_scale(executed::numeric / nullif(allocated, 0)) as actual_value,
        trim_scale(executed::numeric) as numerator,
        trim_scale(allocated::numeric) as denominator,
        null::date as coverage_end_date,
        null::boolean as is_final
    from k51_scopes

    union all

    select
        as_of_date,
        'C1.1',
        year::int,
        'ALL',
        case when has_month_12 then trim_scale((budget_amount - final_spend)::numeric / nullif(budget_amount, 0)) end,
        case when has_month_12 then trim_scale((coalesce(budget_amount, 0) - coalesce(final_spend, 0))::numeric) end,
        case when has_month_12 then trim_scale(coalesce(budget_amount, 0)::numeric) end,
        null::date,
        has_month_12
    from c11_year_end
)

select
    d.as_of_date,
    b.kpi_code,
    b.year,
    b.org_unit_code,
    b.actual_value,
    b.numerator,
    b.denominator,
    b.coverage_end_date,
    b.is_final
from as_of_dates as d
inner join by_month as b
    on date_trunc('month', b.as_of_date) = date_trunc('month', d.as_of_date)
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "year", "org_unit_code", "actual_value", "numerator", "denominator", "is_final", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('C1.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(0.01 as numeric)
 as "actual_value", 
    
    cast(10 as numeric)
 as "numerator", 
    
    cast(1000 as numeric)
 as "denominator", 
    
    cast(True as boolean)
 as "is_final"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(null as numeric)
 as "actual_value", 
    
    cast(0 as numeric)
 as "numerator", 
    
    cast(0 as numeric)
 as "denominator", 
    
    cast(null as boolean)
 as "is_final"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
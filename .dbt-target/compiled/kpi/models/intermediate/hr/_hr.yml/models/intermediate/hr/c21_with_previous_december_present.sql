-- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).


-- S5 HR measures (docs/indicators.md#c2-1, docs/indicators.md#c3-1), city-wide ('ALL') only:
--   * C2.1 contract-staff growth (約聘僱員額成長率): H(m) = Σ contractStaff over units in month m;
--     (H(latest month of Y <= e) − H(Y−1 month 12)) ÷ H(Y−1 month 12); either month missing: no row;
--   * C3.1 learning-hours completion (完成年度學習時數之人數比率): in the latest month of Y <= e,
--     Σ learningCompleted ÷ Σ civilServants.
-- Years run from the first year with a month known at d through d's year; e = d in d's year,
-- else Y-12-31. Per as-of date d of the build: everything here depends on d only through d's month,
-- so it is computed once per month of the build's dates and given to each of its dates.
with  __dbt__cte__int_hr__months_known as (

-- Fixture for int_hr__months_known
select 
    
    cast('2024-12-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(12 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(45 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2024-12-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(8 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(40 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-11-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(11 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(30 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-11-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(8 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(20 as bigint)
 as "learning_completed"
), months as (
    select
        year_month,
        year,
        month,
        sum(contract_staff) as contract_staff,
        sum(civil_servants) as civil_servants,
        sum(learning_completed) as learning_completed
    from __dbt__cte__int_hr__months_known
    group by year_month, year, month
),

as_of_dates as (
    select d::date as as_of_date
    from generate_series(date '2025-11-25', date '2025-11-25', interval '1 day') as d
),

as_of_months as (
    -- each month of the build, judged as of its last as-of date (only the month matters)
    select date_trunc('month', as_of_date)::date as as_of_month, max(as_of_date) as as_of_date
    from as_of_dates
    group by 1
),

first_years as (
    select a.as_of_date, min(m.year) as first_year
    from as_of_months as a
    inner join months as m on m.year_month <= a.as_of_month
    group by a.as_of_date
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

latest_month as (
    -- the latest month of each year with figures, up to e's month
    select distinct on (y.as_of_date, y.year)
        y.as_of_date,
        y.year,
        m.year_month,
        m.contract_staff,
        m.civil_servants,
        m.learning_completed
    from years as y
    inner join months as m
        on m.year = y.year
        and m.year_month <= y.evaluation_month
    order by y.as_of_date, y.year, m.year_month desc
),

growth as (
    -- December of Y-1 is before the latest month of Y, so known whenever that is
    select
        l.as_of_date,
        l.year,
        l.contract_staff - p.contract_staff as staff_change,
        p.contract_staff as previous_december_staff
    from latest_month as l
    inner join months as p
        on p.year = l.year - 1
        and p.month = 12
),

by_month as (
    select
        as_of_date,
        'C2.1'::text as kpi_code,
        year::int as year,
        'ALL'::text as org_unit_code,
        trim_scale(staff_change::numeric / nullif(previous_december_staff, 0)) as actual_value,
        staff_change::numeric as numerator,
        previous_december_staff::numeric as denominator,
        null::date as coverage_end_date,
        null::boolean as is_final
    from growth

    union all

    select
        as_of_date,
        'C3.1',
        year::int,
        'ALL',
        trim_scale(learning_completed::numeric / nullif(civil_servants, 0)),
        learning_completed::numeric,
        civil_servants::numeric,
        null::date,
        null::boolean
    from latest_month
)

select
    d.as_of_date,
    h.kpi_code,
    h.year,
    h.org_unit_code,
    h.actual_value,
    h.numerator,
    h.denominator,
    h.coverage_end_date,
    h.is_final
from as_of_dates as d
inner join by_month as h
    on date_trunc('month', h.as_of_date) = date_trunc('month', d.as_of_date)
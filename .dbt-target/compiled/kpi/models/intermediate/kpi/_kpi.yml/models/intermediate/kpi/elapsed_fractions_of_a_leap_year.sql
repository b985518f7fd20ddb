

-- Every KPI for every year from the earliest year any source has data known at d through d's year,
-- per as-of date d of the build, with the evaluation day e and the elapsed fractions f and f30 of
-- docs/indicators.md#evaluation-period.
with  __dbt__cte__int_source_freshness as (

-- Fixture for int_source_freshness
select 
    
    cast('2024-12-31' as date)
 as "as_of_date", 
    
    cast('S1' as text)
 as "source_code", cast(null as text) as "source_name", cast(null as text) as "source_name_zh", 
    
    cast('2023-05-02' as date)
 as "earliest_date", cast(null as date) as "newest_date", cast(null as boolean) as "is_fresh"
),  __dbt__cte__kpi_catalog as (

-- Fixture for kpi_catalog
select 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
), as_of_dates as (
    select d::date as as_of_date
    from generate_series(date '2024-12-31', date '2024-12-31', interval '1 day') as d
),

bounds as (
    select
        d.as_of_date,
        coalesce(extract(year from min(f.earliest_date))::int, extract(year from d.as_of_date)::int) as first_year,
        extract(year from d.as_of_date)::int as as_of_year
    from as_of_dates as d
    left join __dbt__cte__int_source_freshness as f on f.as_of_date = d.as_of_date
    group by d.as_of_date
),

years as (
    select as_of_date, generate_series(first_year, as_of_year) as year, as_of_year
    from bounds
),

periods as (
    select
        as_of_date,
        year,
        year = as_of_year as is_current_year,
        make_date(year, 1, 1) as year_start,
        make_date(year, 12, 31) as year_end,
        case when year = as_of_year then as_of_date else make_date(year, 12, 31) end as evaluation_date,
        (make_date(year + 1, 1, 1) - make_date(year, 1, 1)) as days_in_year
    from years
)

select
    p.as_of_date,
    c.kpi_code,
    p.year,
    p.year - 1911 as roc_year,
    p.is_current_year,
    p.year_start,
    p.year_end,
    p.evaluation_date,
    p.days_in_year,
    (p.evaluation_date - p.year_start + 1)::numeric / p.days_in_year as elapsed_fraction,
    least(1, (p.evaluation_date - p.year_start + 1 + 30)::numeric / p.days_in_year) as elapsed_fraction_30,
    least(p.evaluation_date + 30, p.year_end) as evaluation_date_30
from __dbt__cte__kpi_catalog as c
cross join periods as p
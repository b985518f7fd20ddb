{{ config(materialized='table') }}

-- Every KPI for every year from the earliest year any source has data known at d through d's year,
-- per as-of date d of the build, with the evaluation day e and the elapsed fractions f and f30 of
-- docs/indicators.md#evaluation-period.
with as_of_dates as (
    {{ as_of_dates() }}
),

bounds as (
    select
        d.as_of_date,
        coalesce(extract(year from min(f.earliest_date))::int, extract(year from d.as_of_date)::int) as first_year,
        extract(year from d.as_of_date)::int as as_of_year
    from as_of_dates as d
    left join {{ ref('int_source_freshness') }} as f on f.as_of_date = d.as_of_date
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
    p.year - {{ roc_offset() }} as roc_year,
    p.is_current_year,
    p.year_start,
    p.year_end,
    p.evaluation_date,
    p.days_in_year,
    (p.evaluation_date - p.year_start + 1)::numeric / p.days_in_year as elapsed_fraction,
    least(1, (p.evaluation_date - p.year_start + 1 + 30)::numeric / p.days_in_year) as elapsed_fraction_30,
    least(p.evaluation_date + 30, p.year_end) as evaluation_date_30
from {{ ref('kpi_catalog') }} as c
cross join periods as p


    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","year","org_unit_code","actual_value","numerator","denominator", 'actual' as "actual_or_expected"
  from (
    

-- K9.1 (electronic documents received + sent) and K7.1 (weighted mean processing days) per as-of
-- date d and year, city-wide and per unit. A version's figures count from its valid_from to its
-- valid_to (int_documents__known), so each (year, unit) is a running total over the dates its
-- figures change, spread over the as-of dates it holds; stat_date <= d is in valid_from, so
-- grouping by year gives period P.
with  __dbt__cte__int_documents__known as (

-- Fixture for int_documents__known
select 
    
    cast('2025-01-02' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", 
    
    cast(50 as bigint)
 as "docs_received_electronic", cast(null as bigint) as "docs_sent", 
    
    cast(30 as bigint)
 as "docs_sent_electronic", 
    
    cast(10 as bigint)
 as "docs_closed", 
    
    cast(10.0 as numeric)
 as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('2025-01-03' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", 
    
    cast(5 as bigint)
 as "docs_received_electronic", cast(null as bigint) as "docs_sent", 
    
    cast(5 as bigint)
 as "docs_sent_electronic", 
    
    cast(1 as bigint)
 as "docs_closed", 
    
    cast(12.0 as numeric)
 as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
), versions as (
    select * from __dbt__cte__int_documents__known
),

changes as (
    select
        extract(year from stat_date)::int as year, org_unit_code, valid_from as change_date,
        1 as row_count, docs_received_electronic + docs_sent_electronic as electronic_docs,
        docs_closed, closed_days_sum
    from versions

    union all

    select
        extract(year from stat_date)::int, org_unit_code, valid_to,
        -1, -(docs_received_electronic + docs_sent_electronic), -docs_closed, -closed_days_sum
    from versions
    where valid_to is not null
),

by_change as (
    select
        year, org_unit_code, change_date,
        sum(row_count) as row_count,
        sum(electronic_docs) as electronic_docs,
        sum(docs_closed) as docs_closed,
        sum(closed_days_sum) as closed_days_sum
    from changes
    group by year, org_unit_code, change_date
),

running as (
    select
        year,
        org_unit_code,
        change_date,
        lead(change_date) over w as next_change_date,
        sum(row_count) over w as row_count,
        sum(electronic_docs) over w as electronic_docs,
        sum(docs_closed) over w as docs_closed,
        sum(closed_days_sum) over w as closed_days_sum
    from by_change
    window w as (partition by year, org_unit_code order by change_date)
),

by_unit as (
    select
        spread.as_of_day::date as as_of_date,
        r.year,
        r.org_unit_code,
        r.electronic_docs::bigint as electronic_docs,
        r.docs_closed::bigint as docs_closed,
        r.closed_days_sum
    from running as r
    cross join lateral generate_series(
        greatest(r.change_date, date '2025-12-31'),
        least(coalesce(r.next_change_date - 1, 'infinity'::date), date '2025-12-31'),
        interval '1 day'
    ) as spread(as_of_day)
    where r.row_count > 0
),

by_scope as (
    select as_of_date, year, org_unit_code, electronic_docs, docs_closed, closed_days_sum from by_unit
    union all
    select as_of_date, year, 'ALL', sum(electronic_docs), sum(docs_closed), sum(closed_days_sum)
    from by_unit
    group by as_of_date, year
)

select
    as_of_date,
    'K9.1' as kpi_code,
    year,
    org_unit_code,
    electronic_docs::numeric as actual_value,
    null::numeric as numerator,
    null::numeric as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from by_scope
where org_unit_code = 'ALL'

union all

select
    as_of_date,
    'K7.1',
    year,
    org_unit_code,
    -- a weighted mean (sum of days / sum of documents), never a mean of daily means
    case when docs_closed > 0 then closed_days_sum / docs_closed end,
    closed_days_sum,
    docs_closed,
    null::date,
    null::boolean
from by_scope
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "year", "org_unit_code", "actual_value", "numerator", "denominator", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast('2.0000000000000000' as numeric)
 as "actual_value", 
    
    cast('22.0' as numeric)
 as "numerator", 
    
    cast(11 as numeric)
 as "denominator"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(90 as numeric)
 as "actual_value", 
    
    cast(null as numeric)
 as "numerator", 
    
    cast(null as numeric)
 as "denominator"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('2.0000000000000000' as numeric)
 as "actual_value", 
    
    cast('22.0' as numeric)
 as "numerator", 
    
    cast(11 as numeric)
 as "denominator"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
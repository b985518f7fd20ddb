
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","year","org_unit_code","actual_value","numerator","denominator", 'actual' as "actual_or_expected"
  from (
    -- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).


-- K7.2 人民陳情案件結案率 (all channels) and K3.2 1999 市民熱線結案率 (channel 1999市民熱線) per year Y and
-- scope: the city ('ALL') and each responsible department (承辦機關代碼). docs/indicators.md#closure-rate:
-- e = d in d's year, else Y-12-31; P = Y-01-01 … e. Cases received in P and not withdrawn (已撤案) in
-- the version known at d. Closed = 已結案 with 結案日期 <= e (a case closed after e was open at e).
-- Denominator = closed + open with due date <= e (cases still within their deadline are left out);
-- numerator = closed; no case in the denominator gives a null rate (no_data).
--
-- Per as-of date d of the build, set-based: a case version is known on [valid_from, valid_to)
-- (int_petitions__cases_known), it is in its year's period from its day of receipt, counts as closed
-- from its 結案日期 and in the denominator from the earlier of that and its due date (each only if it
-- falls in its year: after Y-12-31, e stays Y-12-31). Each count is a running total over the dates
-- it changes, spread over the as-of dates it holds.
with  __dbt__cte__int_petitions__cases_known as (

-- Fixture for int_petitions__cases_known
select 
    
    cast('p01' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-31' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2025-01-30' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2024-12-31' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p02' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-02' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-12-31' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-01-01' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p03' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-30' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2025-01-29' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-01-20' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p04' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-07-01' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-07-31' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('withdrawn' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p05' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(True as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-03-01' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-03-08' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2024-03-04' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p06' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(True as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-03-02' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-03-09' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
), cases as (
    select * from __dbt__cte__int_petitions__cases_known
),

kpis as (
    select 'K7.2' as kpi_code, false as hotline_only
    union all
    select 'K3.2', true
),

dated as (
    select
        c.*,
        extract(year from c.received_date)::int as year,
        greatest(c.valid_from, c.received_date) as received_known_on,
        case when c.status = 'closed' and c.closed_date <= make_date(extract(year from c.received_date)::int, 12, 31)
             then c.closed_date end as closed_in_year,
        case when c.due_date_effective <= make_date(extract(year from c.received_date)::int, 12, 31)
             then c.due_date_effective end as due_in_year
    from cases as c
),

spans as (
    -- per KPI and case version: from which as-of date on it is in P, closed by e, in the denominator
    select
        k.kpi_code,
        d.year,
        d.org_unit_code,
        d.valid_to,
        d.received_known_on as counted_from,
        -- (greatest and least skip nulls: never closed or never due in its year is no date at all)
        case when d.closed_in_year is not null
             then greatest(d.received_known_on, d.closed_in_year) end as closed_from,
        case when coalesce(d.closed_in_year, d.due_in_year) is not null
             then greatest(d.received_known_on, least(d.closed_in_year, d.due_in_year)) end as due_from
    from dated as d
    inner join kpis as k on d.is_hotline_1999 or not k.hotline_only
    where d.status <> 'withdrawn'
),

changes as (
    select kpi_code, year, org_unit_code, counted_from as change_date, 1 as cases, 0 as closed, 0 as due
    from spans
    where counted_from < coalesce(valid_to, 'infinity')
    union all
    select kpi_code, year, org_unit_code, valid_to, -1, 0, 0
    from spans
    where counted_from < valid_to
    union all
    select kpi_code, year, org_unit_code, closed_from, 0, 1, 0
    from spans
    where closed_from < coalesce(valid_to, 'infinity')
    union all
    select kpi_code, year, org_unit_code, valid_to, 0, -1, 0
    from spans
    where closed_from < valid_to
    union all
    select kpi_code, year, org_unit_code, due_from, 0, 0, 1
    from spans
    where due_from < coalesce(valid_to, 'infinity')
    union all
    select kpi_code, year, org_unit_code, valid_to, 0, 0, -1
    from spans
    where due_from < valid_to
),

running as (
    select
        kpi_code, year, org_unit_code, change_date,
        lead(change_date) over w as next_change_date,
        sum(sum(cases)) over w as cases,
        sum(sum(closed)) over w as numerator,
        sum(sum(due)) over w as denominator
    from changes
    group by kpi_code, year, org_unit_code, change_date
    window w as (partition by kpi_code, year, org_unit_code order by change_date)
),

by_unit as (
    select
        spread.as_of_day::date as as_of_date,
        r.kpi_code,
        r.year,
        r.org_unit_code,
        r.numerator::bigint as numerator,
        r.denominator::bigint as denominator
    from running as r
    cross join lateral generate_series(
        greatest(r.change_date, date '2025-11-25'),
        least(coalesce(r.next_change_date - 1, 'infinity'::date), date '2025-11-25'),
        interval '1 day'
    ) as spread(as_of_day)
    where r.cases > 0
),

-- from the first year with a case received (known at d, any status) through d's year
year_changes as (
    select extract(year from received_date)::int as year, greatest(valid_from, received_date) as change_date, 1 as cases
    from cases
    where greatest(valid_from, received_date) < coalesce(valid_to, 'infinity')
    union all
    select extract(year from received_date)::int, valid_to, -1
    from cases
    where greatest(valid_from, received_date) < valid_to
),

year_running as (
    select
        year, change_date,
        lead(change_date) over w as next_change_date,
        sum(sum(cases)) over w as cases
    from year_changes
    group by year, change_date
    window w as (partition by year order by change_date)
),

first_years as (
    select spread.as_of_day::date as as_of_date, min(r.year) as first_year
    from year_running as r
    cross join lateral generate_series(
        greatest(r.change_date, date '2025-11-25'),
        least(coalesce(r.next_change_date - 1, 'infinity'::date), date '2025-11-25'),
        interval '1 day'
    ) as spread(as_of_day)
    where r.cases > 0
    group by 1
),

periods as (
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

city as (
    -- the city row exists for every KPI and year, even with no case at all (a null rate, no_data)
    select
        p.as_of_date,
        k.kpi_code,
        p.year,
        'ALL' as org_unit_code,
        coalesce(sum(u.numerator), 0) as numerator,
        coalesce(sum(u.denominator), 0) as denominator
    from kpis as k
    cross join periods as p
    left join by_unit as u on u.as_of_date = p.as_of_date and u.kpi_code = k.kpi_code and u.year = p.year
    group by p.as_of_date, k.kpi_code, p.year
),

by_scope as (
    select as_of_date, kpi_code, year, org_unit_code, numerator, denominator from city
    union all
    select as_of_date, kpi_code, year, org_unit_code, numerator, denominator from by_unit
)

select
    as_of_date,
    kpi_code,
    year,
    org_unit_code,
    -- trim_scale: 0.5, not 0.50000000000000000000 (as the other actuals models)
    case when denominator > 0 then trim_scale(numerator::numeric / denominator) end as actual_value,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from by_scope
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "year", "org_unit_code", "actual_value", "numerator", "denominator", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(0.5 as numeric)
 as "actual_value", 
    
    cast(2 as numeric)
 as "numerator", 
    
    cast(4 as numeric)
 as "denominator"
union all
select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(0.5 as numeric)
 as "actual_value", 
    
    cast(1 as numeric)
 as "numerator", 
    
    cast(2 as numeric)
 as "denominator"
union all
select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast(0.5 as numeric)
 as "actual_value", 
    
    cast(1 as numeric)
 as "numerator", 
    
    cast(2 as numeric)
 as "denominator"
union all
select 
    
    cast('K3.2' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(0.5 as numeric)
 as "actual_value", 
    
    cast(1 as numeric)
 as "numerator", 
    
    cast(2 as numeric)
 as "denominator"
union all
select 
    
    cast('K3.2' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast(0.5 as numeric)
 as "actual_value", 
    
    cast(1 as numeric)
 as "numerator", 
    
    cast(2 as numeric)
 as "denominator"
union all
select 
    
    cast('K7.2' as text)
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
 as "denominator"
union all
select 
    
    cast('K3.2' as text)
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
 as "denominator"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
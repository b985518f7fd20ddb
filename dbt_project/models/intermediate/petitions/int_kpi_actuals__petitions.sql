-- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).
{{ config(materialized='table') }}

-- K7.2 人民陳情案件結案率 (all channels) and K3.2 1999 市民熱線結案率 (channel 1999市民熱線) per year Y and
-- scope: the city ('ALL') and each responsible department (承辦機關代碼). kpi-rules.md "Measures":
-- e = d in d's year, else Y-12-31; P = Y-01-01 … e. Cases received in P and not withdrawn (已撤案) in
-- the version known at d. Closed = 已結案 with 結案日期 <= e (a case closed after e was open at e).
-- Denominator = closed + open with due date <= e (cases still within their deadline are left out);
-- numerator = closed; no case in the denominator gives a null rate (no_data).
with cases as (
    select * from {{ ref('int_petitions__cases_known') }}
),

periods as (
    -- from the first year with a case received (known at d) through d's year
    select
        y.year,
        make_date(y.year, 1, 1) as period_start,
        case
            when y.year = extract(year from {{ as_of_date() }})::int then {{ as_of_date() }}
            else make_date(y.year, 12, 31)
        end as evaluation_date
    from generate_series(
        (select extract(year from min(received_date))::int from cases where received_date <= {{ as_of_date() }}),
        extract(year from {{ as_of_date() }})::int
    ) as y(year)
),

kpis as (
    select 'K7.2' as kpi_code, false as hotline_only
    union all
    select 'K3.2', true
),

counted as (
    -- one row per KPI, year and case received in P and not withdrawn, classified as at e
    select
        k.kpi_code,
        p.year,
        c.org_unit_code,
        c.status = 'closed' and c.closed_date <= p.evaluation_date as is_closed,
        c.due_date_effective <= p.evaluation_date as is_due
    from kpis as k
    cross join periods as p
    inner join cases as c
        on c.received_date between p.period_start and p.evaluation_date
        and (c.is_hotline_1999 or not k.hotline_only)
    where c.status <> 'withdrawn'
),

by_unit as (
    select
        kpi_code,
        year,
        org_unit_code,
        count(*) filter (where is_closed) as numerator,
        count(*) filter (where is_closed or is_due) as denominator
    from counted
    group by kpi_code, year, org_unit_code
),

city as (
    -- the city row exists for every KPI and year, even with no case at all (a null rate, no_data)
    select
        k.kpi_code,
        p.year,
        'ALL' as org_unit_code,
        coalesce(sum(u.numerator), 0) as numerator,
        coalesce(sum(u.denominator), 0) as denominator
    from kpis as k
    cross join periods as p
    left join by_unit as u on u.kpi_code = k.kpi_code and u.year = p.year
    group by k.kpi_code, p.year
),

by_scope as (
    select kpi_code, year, org_unit_code, numerator, denominator from city
    union all
    select kpi_code, year, org_unit_code, numerator, denominator from by_unit
)

select
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

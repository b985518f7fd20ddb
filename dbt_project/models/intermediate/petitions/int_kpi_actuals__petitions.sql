-- A table, not a view: int_kpi_actuals unions it with the other measures for every downstream model.
{{ config(materialized='table') }}

-- K7.2 人民陳情案件結案率 (all channels) and K3.2 1999 市民熱線結案率 (channel 1999市民熱線) per year Y and
-- scope: the city ('ALL') and each responsible department (承辦機關代碼). docs/indicators.md#closure-rate:
-- e = d in d's year, else Y-12-31; P = Y-01-01 … e. Cases received in P and not withdrawn (已撤案) in
-- the version known at d. Closed = 已結案 with 結案日期 <= e (a case closed after e was open at e).
-- Denominator = closed + open with due date <= e (cases still within their deadline are left out);
-- numerator = closed; no case in the denominator gives a null rate (no_data).
--
-- Per as-of date d of the build, set-based: the counts change on the dates int_petitions__closure_changes
-- holds (kept incrementally, per channel kind, year, department and date, so a night reads a table that
-- grows with dates and departments, not with cases); each count is a running total over those dates,
-- spread over the as-of dates it holds. int_petitions__cases_known lists the case versions behind a
-- rate at any d, to recompute it by hand.
with kpis as (
    select 'K7.2' as kpi_code, false as hotline_only
    union all
    select 'K3.2', true
),

changes_by_kind as (
    -- changes after the build's last date change nothing it shows
    select is_hotline_1999, year, org_unit_code, change_date, known, cases, closed, due
    from {{ ref('int_petitions__closure_changes') }}
    where change_date <= {{ as_of_to() }}
),

running as (
    select
        k.kpi_code, c.year, c.org_unit_code, c.change_date,
        lead(c.change_date) over w as next_change_date,
        sum(sum(c.cases)) over w as cases,
        sum(sum(c.closed)) over w as numerator,
        sum(sum(c.due)) over w as denominator
    from changes_by_kind as c
    inner join kpis as k on c.is_hotline_1999 or not k.hotline_only
    group by k.kpi_code, c.year, c.org_unit_code, c.change_date
    window w as (partition by k.kpi_code, c.year, c.org_unit_code order by c.change_date)
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
    {{ spread_over_as_of_dates('r.change_date', 'r.next_change_date') }}
    where r.cases > 0
),

-- from the first year with a case received (known at d, any status) through d's year
year_running as (
    select
        year, change_date,
        lead(change_date) over w as next_change_date,
        sum(sum(known)) over w as cases
    from changes_by_kind
    group by year, change_date
    window w as (partition by year order by change_date)
),

first_years as (
    select spread.as_of_day::date as as_of_date, min(r.year) as first_year
    from year_running as r
    {{ spread_over_as_of_dates('r.change_date', 'r.next_change_date') }}
    where r.cases > 0
    group by 1
),

periods as (
    {{ years_judged('first_years') }}
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

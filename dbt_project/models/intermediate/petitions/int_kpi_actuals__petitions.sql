-- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).
{{ config(materialized='table') }}

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
with cases as (
    select * from {{ ref('int_petitions__cases_known') }}
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
    -- per case version: from which as-of date on it is known (any status: the years judged start at the
    -- first year with a case), in P (not withdrawn), closed by e, in the denominator
    select
        d.is_hotline_1999,
        d.year,
        d.org_unit_code,
        d.valid_to,
        d.status <> 'withdrawn' as counted,
        d.received_known_on as counted_from,
        -- (greatest and least skip nulls: never closed or never due in its year is no date at all)
        case when d.status <> 'withdrawn' and d.closed_in_year is not null
             then greatest(d.received_known_on, d.closed_in_year) end as closed_from,
        case when d.status <> 'withdrawn' and coalesce(d.closed_in_year, d.due_in_year) is not null
             then greatest(d.received_known_on, least(d.closed_in_year, d.due_in_year)) end as due_from
    from dated as d
),

changes as (
    select is_hotline_1999, year, org_unit_code, counted_from as change_date,
        1 as known, counted::int as cases, 0 as closed, 0 as due
    from spans
    where counted_from < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, valid_to, -1, -counted::int, 0, 0
    from spans
    where counted_from < valid_to
    union all
    select is_hotline_1999, year, org_unit_code, closed_from, 0, 0, 1, 0
    from spans
    where closed_from < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, valid_to, 0, 0, -1, 0
    from spans
    where closed_from < valid_to
    union all
    select is_hotline_1999, year, org_unit_code, due_from, 0, 0, 0, 1
    from spans
    where due_from < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, valid_to, 0, 0, 0, -1
    from spans
    where due_from < valid_to
),

changes_by_kind as (
    -- the versions are read once: the two KPIs are formed from these counts per channel kind
    select
        is_hotline_1999, year, org_unit_code, change_date,
        sum(known) as known, sum(cases) as cases, sum(closed) as closed, sum(due) as due
    from changes
    group by is_hotline_1999, year, org_unit_code, change_date
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

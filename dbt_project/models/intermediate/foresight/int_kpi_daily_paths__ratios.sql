-- A table: the shares join it per working day.
{{ config(materialized='table') }}

-- The day-by-day path of every closed year of the ratio and mean indicators judged against a flat
-- target (progress rule none) whose value to date can be recomputed at every day from the warehouse,
-- city-wide and per department: the value the indicator had at the end of each day of the year, and
-- the year's final value (docs/foresight.md "Ratios and means"). As int_kpi_daily_paths, a closed year
-- Y is read as it was known on 1 January of Y+1, whatever the date of the build.
--   K7.1 (mean processing days, S1): Σ closed days ÷ Σ documents closed, of the days 1 January … t;
--   K5.1 (execution rate of tracked tenders, S3): executed ÷ allocated of the latest snapshot of Y with
--     month <= t's month (none before the first: no value), and that snapshot's month.
-- Days without a value (nothing closed yet, no snapshot yet) are kept with a null value, so a year
-- lines up by working day all the same; their shares are left out.
-- Not here (docs/foresight.md): K7.2 / K3.2 (the petitions' versions and due dates are cut to the
-- build's dates upstream), K3.1 (register), C1.1 (year-end only), C3.1 (pro-rated), C2.1 (growth).
with calendar as (
    select * from {{ ref('int_foresight__working_days') }}
),

closed_years as (
    select distinct year from calendar
    where year < extract(year from {{ as_of_to() }})::int
),

-- K7.1 --------------------------------------------------------------------------------------------
documents as (
    select
        v.org_unit_code,
        v.stat_date,
        sum(v.closed_days_sum)::numeric as closed_days_sum,
        sum(v.docs_closed)::numeric as docs_closed
    from {{ ref('int_documents__known') }} as v
    where v.valid_from <= make_date(extract(year from v.stat_date)::int + 1, 1, 1)
      and coalesce(v.valid_to, 'infinity') > make_date(extract(year from v.stat_date)::int + 1, 1, 1)
    group by v.org_unit_code, v.stat_date
),

document_scopes as (
    select org_unit_code, stat_date, closed_days_sum, docs_closed from documents
    union all
    select 'ALL', stat_date, sum(closed_days_sum), sum(docs_closed) from documents
    group by stat_date
),

document_years as (
    select distinct org_unit_code, extract(year from stat_date)::int as year from document_scopes
),

k71 as (
    select
        'K7.1'::text as kpi_code,
        y.org_unit_code,
        c.year,
        c.calendar_date,
        c.working_days_elapsed,
        sum(coalesce(d.closed_days_sum, 0)) over w as numerator,
        sum(coalesce(d.docs_closed, 0)) over w as denominator,
        null::int as snapshot_month
    from document_years as y
    inner join closed_years as cy on cy.year = y.year
    inner join calendar as c on c.year = y.year
    left join document_scopes as d on d.org_unit_code = y.org_unit_code and d.stat_date = c.calendar_date
    window w as (partition by y.org_unit_code, c.year order by c.calendar_date)
),

-- K5.1 --------------------------------------------------------------------------------------------
snapshot_units as (
    -- as int_kpi_actuals__budget: each snapshot's tracked lines per department
    select
        year,
        snapshot_month,
        org_unit_code,
        sum(coalesce(disbursed_cum, 0) + coalesce(payable_unpaid_cum, 0) + coalesce(savings_cum, 0)) as executed,
        sum(coalesce(allocated_cum, 0)) as allocated
    from {{ ref('int_budget__snapshots_known') }}
    where is_tracked_infrastructure
    group by year, snapshot_month, org_unit_code
),

snapshot_scopes as (
    select year, snapshot_month, org_unit_code, executed, allocated from snapshot_units
    union all
    select year, snapshot_month, 'ALL', sum(executed), sum(allocated) from snapshot_units
    group by year, snapshot_month
),

k51 as (
    select
        'K5.1'::text as kpi_code,
        y.org_unit_code,
        c.year,
        c.calendar_date,
        c.working_days_elapsed,
        s.executed as numerator,
        s.allocated as denominator,
        extract(month from s.snapshot_month)::int as snapshot_month
    from (select distinct year, org_unit_code from snapshot_scopes) as y
    inner join closed_years as cy on cy.year = y.year
    inner join calendar as c on c.year = y.year
    left join lateral (
        select executed, allocated, snapshot_month
        from snapshot_scopes as s
        where s.year = y.year and s.org_unit_code = y.org_unit_code
          and s.snapshot_month <= date_trunc('month', c.calendar_date)
        order by s.snapshot_month desc
        limit 1
    ) as s on true
),

paths as (
    select *, case when denominator > 0 then numerator / denominator end as value_to_date from k71
    union all
    select *, case when denominator > 0 then numerator::numeric / denominator end from k51
)

select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::int as year,
    calendar_date::date as calendar_date,
    working_days_elapsed::int as working_days_elapsed,
    value_to_date::numeric as value_to_date,
    -- the value at the end of 31 December
    (first_value(value_to_date) over (partition by kpi_code, org_unit_code, year order by calendar_date desc))::numeric
        as year_total,
    -- K5.1: the month (1–12) of the snapshot the value comes from, its clock (int_kpi_seasonal_shares)
    snapshot_month::int as snapshot_month
from paths

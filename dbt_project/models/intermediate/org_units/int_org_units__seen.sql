-- A table, not a view: the org-unit list (int_org_units) is read by the statuses, dim_org_unit and
-- fct_source_org_units, and each would otherwise re-read every petition version.
{{ config(materialized='table') }}

-- Every department code a source system uses, per source: how many of its records carry it, over
-- which dates, and the name the source gives it. All data loaded, no as-of cut: the org-unit list
-- must know every code any as-of date can meet. The register (S4) names units in free text, with
-- no code, so it is not here. A new source with a unit code adds one select to `coded`. S2's records
-- (cases) come counted per case and code from int_petitions__case_org_units, which a night updates
-- for its new versions only, instead of from every version.
with coded as (
    -- S1: one record per unit and day (every version counts once)
    select 'S1' as source_code, org_unit_code, org_unit_name, stat_date::text as record_key,
           stat_date as data_date, updated_at as delivered_at
    from {{ ref('stg_documents__doc_daily_stats') }}

    union all

    -- S3: one record per budget line of each month's latest workbook
    select 'S3', org_unit_code, org_unit_name,
           concat_ws('|', year, month, plan_code, expense_class), snapshot_month, snapshot_month::timestamptz
    from {{ ref('stg_budget__execution_lines') }}

    union all

    -- S5: one record per unit and month
    select 'S5', org_unit_code, org_unit_name, year_month::text, year_month, year_month::timestamptz
    from {{ ref('stg_hr__monthly_staffing') }}
),

by_record as (
    select
        source_code,
        org_unit_code,
        count(distinct record_key) as records,
        min(data_date) as first_date,
        max(data_date) as last_date,
        -- the name of the latest delivery: what the source calls the unit now
        (array_agg(org_unit_name order by delivered_at desc, data_date desc)
            filter (where org_unit_name is not null))[1] as org_unit_name
    from coded
    where org_unit_code is not null
    group by source_code, org_unit_code
),

-- S2: one record per case (a case reassigned to another unit counts under each)
petition_counts as (
    select org_unit_code, count(*) as records, min(first_date) as first_date, max(last_date) as last_date
    from {{ ref('int_petitions__case_org_units') }}
    group by org_unit_code
),

petition_cases as (
    -- the latest name of each code: one probe of the (org_unit_code, named_at, named_date) index per
    -- code, not a sort of every case
    select 'S2' as source_code, c.org_unit_code, c.records, c.first_date, c.last_date, latest.org_unit_name
    from petition_counts as c
    left join lateral (
        select u.org_unit_name
        from {{ ref('int_petitions__case_org_units') }} as u
        where u.org_unit_code = c.org_unit_code and u.org_unit_name is not null
        order by u.named_at desc, u.named_date desc
        limit 1
    ) as latest on true
)

select source_code, org_unit_code, records, first_date, last_date, org_unit_name from by_record
union all
select source_code, org_unit_code, records, first_date, last_date, org_unit_name from petition_cases

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='case_id',
        indexes=[
            {'columns': ['case_id', 'org_unit_code'], 'unique': True},
            {'columns': ['source_files'], 'type': 'gin'},
            {'columns': ['org_unit_code', 'named_at', 'named_date']},
        ],
        post_hook=["delete from {{ this }} where org_unit_code is null"],
    )
}}
-- S2 cases per department code, over every version loaded (no as-of cut), for the org-unit list
-- (int_org_units__seen): a case reassigned to another unit is a record of each. Incremental, so a
-- night reads its new versions, not all of them (int_org_units__seen aggregated every version: 8–10 s
-- at 8 times the demo's petitions against 1.1–1.6 s): the cases with a version of a newer load than
-- any here, and those with a version from a file loaded again since (raw.load_ledger; its earlier
-- delivery is gone from raw and staging, so the files each row's versions came from are kept here),
-- are recomputed from all their versions and replace their rows (delete+insert on case_id). A
-- touched case with no version left gets one row without a unit, so that its old rows are replaced
-- too; the post-hook removes it. The unique index, not a data test reading every row each night,
-- keeps one row per case and code.
{%- set watermark = load_watermark() %}
with
{%- if is_incremental() %}
touched as (
    select case_id
    from {{ ref('stg_petitions__case_versions') }}
    where _load_id > {{ watermark }}
    union
    select case_id
    from {{ this }}
    where source_files && array(
        select object_name from {{ source('loads', 'load_ledger') }}
        where source = 'petitions' and status = 'loaded' and load_id > {{ watermark }})
),
{%- endif %}

versions as (
    select case_id, org_unit_code, org_unit_name, received_date, last_updated_at, source_file, _load_id
    from {{ ref('stg_petitions__case_versions') }}
    where org_unit_code is not null
    {%- if is_incremental() %}
    -- = any(array(...)): planned for a few cases, read through the case_id index
    and case_id = any(array(select case_id from touched))
    {%- endif %}
),

case_units as (
    select
        case_id,
        org_unit_code,
        min(received_date) as first_date,
        max(received_date) as last_date,
        -- the unit's name in the latest version of the case that names it: the org-unit list keeps the latest
        (array_agg(org_unit_name order by last_updated_at desc, received_date desc)
            filter (where org_unit_name is not null))[1] as org_unit_name,
        max(last_updated_at) filter (where org_unit_name is not null) as named_at,
        (array_agg(received_date order by last_updated_at desc, received_date desc)
            filter (where org_unit_name is not null))[1] as named_date,
        array_agg(distinct source_file order by source_file) as source_files,
        max(_load_id) as _load_id
    from versions
    group by case_id, org_unit_code
)

select case_id, org_unit_code, first_date, last_date, org_unit_name, named_at, named_date, source_files, _load_id
from case_units
{%- if is_incremental() %}
union all
select t.case_id, null, null, null, null, null, null, null, {{ watermark }}
from touched as t
where not exists (
    select 1 from case_units as c
    where c.case_id = t.case_id
)
{%- endif %}

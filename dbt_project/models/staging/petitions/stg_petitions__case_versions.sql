{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['case_id']}, {'columns': ['_load_id']}],
        post_hook=[
            "{{ delivery_index() }}",
            "delete from {{ this }} as t using (
                select d.source_file, d._load_id
                from ({{ distinct_deliveries(this) }}) as d
                where d._load_id is distinct from (
                    select max(r._load_id) from {{ source('petitions', 'case_versions') }} as r
                    where r._object = d.source_file)
            ) as stale
            where t.source_file = stale.source_file and t._load_id = stale._load_id",
        ],
        pre_hook=[
            "create index if not exists petitions__case_versions_load_id_idx on {{ source('petitions', 'case_versions') }} (_load_id)",
            "create index if not exists petitions__case_versions_case_id_idx on {{ source('petitions', 'case_versions') }} (case_id)",
            "create index if not exists petitions__case_versions_object_load_idx on {{ source('petitions', 'case_versions') }} (_object, _load_id)",
            "{{ delivery_index() }}",
        ],
    )
}}
-- No index on source_file alone: delivery_index's (source_file, _load_id) serves its lookups.
-- post_hook: delete+insert replaces only the cases the night's rows hold: a case that vanished from a file
-- delivered again (or a removed file) would keep its old rows. Rows not from the latest delivery
-- of their file are what a full refresh would not have; they go.
-- S2 petition / 1999 case versions (人民陳情案件), one row per (case_id, last_updated_at).
-- Every version is kept: the version current at an as-of date d is chosen in intermediate, so a
-- backfill for an old d sees what was known then (docs/indicators.md#known-at-d).
-- A file delivered again under the same name replaces its earlier delivery (docs/sources.md#s2-petitions); a version
-- exported again unchanged in a later file is kept once, from the later file.
--
-- Incremental, so a night reads only what its loads changed (versions are append-only): the cases
-- touched since the last build (a row of a load newer than any this table holds, or a row here from a
-- file delivered again since) are recomputed whole from raw, their rows replaced (delete+insert on
-- case_id); other cases stay. A file removed from the landing without a new delivery needs
-- `dbt build --full-refresh` (README "History and backfills").
with
{%- if is_incremental() %}
new_rows as (
    select case_id, _object
    from {{ source('petitions', 'case_versions') }}
    where _load_id > {{ load_watermark() }}
),

touched as (
    select case_id from new_rows
    union
    select case_id from {{ this }}
    where source_file = any(array(select distinct _object from new_rows))
),
{%- endif %}

raw_rows as (
    select
        *,
        substring(_object from 'petitions_(\d{8})') as export_yyyymmdd
    from {{ source('petitions', 'case_versions') }}
    {%- if is_incremental() %}
    -- = any(array(...)), not in (select ...): PostgreSQL then plans for a few values and reads
    -- through the case_id index; from `in` it expected every version and read them all (8.5 s of a
    -- night at 1.9 million versions)
    where case_id = any(array(select case_id from touched))
    {%- endif %}
),

latest_delivery as (
    -- rows of the latest delivery of each file name only
    select *
    from (
        -- the latest delivery of the file among all its rows, not only the touched cases' rows: a case
        -- missing from a file's new delivery must lose its version from the earlier one
        select *, (select max(f._load_id) from {{ source('petitions', 'case_versions') }} as f
                   where f._object = raw_rows._object) as _latest_load_id
        from raw_rows
    ) as r
    where _load_id = _latest_load_id
),

versions as (
    select distinct on (case_id, last_updated_at) *
    from latest_delivery
    order by case_id, last_updated_at, _object desc, _record desc
),

with_export_date as (
    select
        *,
        -- export date of the file name; an impossible date (20250230) gives null instead of an error
        case
            when export_yyyymmdd is not null
                and substr(export_yyyymmdd, 5, 2)::int between 1 and 12
                and substr(export_yyyymmdd, 7, 2)::int between 1 and 31
                and extract(month from make_date(substr(export_yyyymmdd, 1, 4)::int,
                                                 substr(export_yyyymmdd, 5, 2)::int, 1)
                    + (substr(export_yyyymmdd, 7, 2)::int - 1)) = substr(export_yyyymmdd, 5, 2)::int
            then make_date(
                substr(export_yyyymmdd, 1, 4)::int,
                substr(export_yyyymmdd, 5, 2)::int,
                substr(export_yyyymmdd, 7, 2)::int)
        end as export_date
    from versions
)

select
    case_id,
    channel,
    channel = '1999市民熱線' as is_hotline_1999,
    category,
    sub_category,
    received_at,
    (received_at at time zone 'Asia/Taipei')::date as received_date,
    org_unit_code,
    org_unit_name,
    due_date,
    status as status_zh,
    case status
        when '處理中' then 'open'
        when '已結案' then 'closed'
        when '已撤案' then 'withdrawn'
    end as status,
    closed_at,
    (closed_at at time zone 'Asia/Taipei')::date as closed_date,
    petitioner_pseudonym,
    district,
    last_updated_at,
    export_date,
    _object as source_file,
    _record as source_line,
    _load_id
from with_export_date

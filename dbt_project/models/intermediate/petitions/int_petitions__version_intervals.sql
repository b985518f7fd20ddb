{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['case_id']}, {'columns': ['_load_id']}, {'columns': ['valid_from']}],
        pre_hook=["{{ delivery_index() }}"],
        post_hook=[
            "{{ delivery_index() }}",
            "{{ delete_gone_deliveries(ref('stg_petitions__case_versions')) }}",
            "{{ closure_bound_index() }}",
        ],
    )
}}
-- post_hook: a case whose versions all left staging (its file delivered again without it) is in no
-- night's rows, so delete+insert never replaces it: rows of a delivery staging no longer holds go
-- Every S2 case version with the as-of dates it is the case's known version: [valid_from, valid_to),
-- valid_to null while no later version replaces it (docs/indicators.md#known-at-d; docs/sources.md#s2-petitions: the
-- latest 最後更新時間 wins, a tie goes to the later file). Independent of the as-of dates of the build,
-- so it is incremental: a new version closes the open interval of its case, so the cases with a
-- version newer (by load) than any here are recomputed whole and their rows replaced (delete+insert
-- on case_id); every other case keeps its intervals. A version replaced the same day was never the
-- one known at the end of a day and is left out.
with
{%- if is_incremental() %}
touched as (
    {{ touched_cases(ref('stg_petitions__case_versions')) }}
),
{%- endif %}

versions as (
    select
        *,
        -- known from the as-of date of its 最後更新時間 (Asia/Taipei) on
        (last_updated_at at time zone 'Asia/Taipei')::date as valid_from
    from {{ ref('stg_petitions__case_versions') }}
    {%- if is_incremental() %}
    where case_id in (select case_id from touched)
    {%- endif %}
),

intervals as (
    select
        *,
        lead(valid_from) over (
            partition by case_id
            order by last_updated_at, export_date nulls first, source_file, source_line
        ) as valid_to
    from versions
)

select
    case_id,
    channel,
    is_hotline_1999,
    category,
    sub_category,
    received_at,
    received_date,
    org_unit_code,
    org_unit_name,
    due_date,
    status_zh,
    status,
    closed_at,
    closed_date,
    district,
    last_updated_at,
    export_date,
    source_file,
    source_line,
    _load_id,
    valid_from,
    valid_to
from intervals
where coalesce(valid_to > valid_from, true)

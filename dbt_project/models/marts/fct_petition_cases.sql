{{
    config(
        indexes=[
            {'columns': ['received_date']},
            {'columns': ['org_unit_code']},
            {'columns': ['closed_date']},
        ],
    )
}}
-- S2 petition / 1999 cases (人民陳情案件) for BI, one row per case: its latest version (latest
-- last_updated_at; staging already settled ties by the later file). All known data, no as-of cut:
-- BI shows each case's current state. The petitioner's pseudonym is personal data and stays out.
with latest as (
    select distinct on (case_id) *
    from {{ ref('stg_petitions__case_versions') }}
    order by case_id, last_updated_at desc, source_file desc, source_line desc
)

select
    case_id::text as case_id,
    channel::text as channel,
    is_hotline_1999::boolean as is_hotline_1999,
    category::text as category,
    sub_category::text as sub_category,
    received_at::timestamptz as received_at,
    received_date::date as received_date,
    org_unit_code::text as org_unit_code,
    org_unit_name::text as org_unit_name,
    due_date::date as due_date,
    status::text as status,
    status_zh::text as status_zh,
    closed_at::timestamptz as closed_at,
    closed_date::date as closed_date,
    district::text as district,
    last_updated_at::timestamptz as last_updated_at,
    (closed_date - received_date)::integer as days_to_close
from latest

{{
    config(
        indexes=[
            {'columns': ['kpi_code', 'event_date']},
            {'columns': ['event_date']},
        ],
    )
}}
-- S4 管考 register (管考填報登記表) for BI, one row per entry of the latest register snapshot, exact
-- duplicates counted once (staging). The entering person (填報人) is dropped by the loader already.
select
    entry_id::text as entry_id,
    kpi_code::text as kpi_code,
    event_date::date as event_date,
    org_unit_name::text as org_unit_name,
    description::text as description,
    value::numeric as value,
    denominator::numeric as denominator,
    valid_until::date as valid_until,
    evidence_url::text as evidence_url,
    entered_at::timestamptz as entered_at
from {{ ref('stg_register__entries') }}

{{
    config(
        indexes=[{'columns': ['org_unit_code']}],
    )
}}
-- S5 monthly staffing (人事系統月報) for BI, one row per (year_month, org_unit_code), the later item
-- winning (staging). Counts of staff only; no person appears.
select
    year_month::date as year_month,
    year::integer as year,
    month::integer as month,
    org_unit_code::text as org_unit_code,
    org_unit_name::text as org_unit_name,
    contract_staff::bigint as contract_staff,
    civil_servants::bigint as civil_servants,
    learning_completed::bigint as learning_completed,
    (learning_completed::numeric / nullif(civil_servants, 0))::numeric as learning_completion_rate
from {{ ref('stg_hr__monthly_staffing') }}

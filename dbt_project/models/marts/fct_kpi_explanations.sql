-- The departments' explanations (S7 落後說明), the latest per indicator, unit and year: the answer to
-- the most recent template (as_of_date), and of equal ones the file loaded last (a unit correcting
-- its answer sends it again).
{{ config(materialized='table') }}
with ranked as (
    select
        *,
        row_number() over (
            partition by kpi_code, org_unit_code, year
            order by as_of_date desc, received_at desc, source_file desc, source_line desc
        ) as recency
    from {{ ref('stg_explanations__returns') }}
)

select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::integer as year,
    as_of_date::date as as_of_date,
    lag_reason::text as lag_reason,
    improvement_action::text as improvement_action,
    expected_improvement_date::date as expected_improvement_date,
    received_date::date as received_date,
    source_file::text as source_file
from ranked
where recency = 1

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='as_of_date',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['as_of_date', 'kpi_code']}],
    )
}}
-- History of every as-of date: a build of a range of dates replaces those dates' rows (delete+insert on
-- as_of_date), other dates stay as their own nights left them. Publishes the audited
-- int_kpi_status_evaluated: the statuses are tested there, before this model writes them.
select
    as_of_date::date as as_of_date,
    kpi_code::text as kpi_code,
    year::integer as year,
    roc_year::integer as roc_year,
    org_unit_code::text as org_unit_code,
    measure_type::text as measure_type,
    actual_value::numeric as actual_value,
    target_value::numeric as target_value,
    target_basis::text as target_basis,
    expected_to_date::numeric as expected_to_date,
    status::text as status,
    status_reason::text as status_reason,
    source_fresh::boolean as source_fresh,
    kpi_name_zh::text as kpi_name_zh,
    org_unit_name_zh::text as org_unit_name_zh,
    evaluation_date::date as evaluation_date,
    numerator::numeric as numerator,
    denominator::numeric as denominator,
    now() as computed_at,
    -- foresight beside the official status (int_kpi_foresight, docs/foresight.md)
    f.seasonal_expected_to_date::numeric as seasonal_expected_to_date,
    f.seasonal_status::text as seasonal_status,
    f.projected_year_end::numeric as projected_year_end,
    f.projected_low::numeric as projected_low,
    f.projected_high::numeric as projected_high,
    f.projection_basis::text as projection_basis,
    f.projected_status::text as projected_status,
    f.projection_reason::text as projection_reason
from {{ ref('int_kpi_status_evaluated') }}
left join {{ ref('int_kpi_foresight') }} as f using (as_of_date, kpi_code, year, org_unit_code)

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
    now() as computed_at
from {{ ref('int_kpi_status_evaluated') }}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='as_of_date',
        on_schema_change='append_new_columns',
    )
}}
-- Per as-of date and source: the newest data known, and whether it was fresh enough.
-- Published with d's statuses, after their audit: the ref below holds this model back until
-- int_kpi_status_evaluated (which reads int_source_freshness) has passed its tests, so a failed
-- audit leaves the freshness of d as old as the statuses of d (and kpi_alerts, built from both).
-- depends_on: {{ ref('int_kpi_status_evaluated') }}
select
    as_of_date::date as as_of_date,
    source_code::text as source_code,
    source_name::text as source_name,
    source_name_zh::text as source_name_zh,
    earliest_date::date as earliest_date,
    newest_date::date as newest_date,
    is_fresh::boolean as is_fresh
from {{ ref('int_source_freshness') }}

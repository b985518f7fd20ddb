{{ config(materialized='view') }}
-- The alerts of the latest as-of date, with their severity's order and colour: "alerts by severity"
-- is a plain count on this view. is_prior_year tells last year's final misses from this year's flags.
-- A view on the view kpi_alerts, so it is always current.
select
    a.as_of_date,
    {{ roc_date_text('a.as_of_date') }}::text as as_of_roc_text,
    a.kpi_code,
    a.kpi_name_zh,
    a.org_unit_code,
    a.org_unit_name_zh,
    a.year,
    a.is_prior_year,
    a.severity,
    a.severity_zh,
    v.severity_sort,
    v.colour_hex as severity_colour_hex,
    a.status,
    a.status_zh,
    a.actual_text,
    a.target_text,
    a.message,
    a.source_code,
    a.created_at
from {{ ref('kpi_alerts') }} as a
left join {{ ref('dim_alert_severity') }} as v using (severity)
where a.as_of_date = (select max(as_of_date) from {{ ref('kpi_alerts') }})

{{ config(materialized='view') }}
-- The daily history for dashboards: every as-of date, indicator and scope (city and departments),
-- for the as-of date's own year only (each as-of date also re-judges earlier years; those rows
-- stay in kpi_status_labelled).
select *
from {{ ref('kpi_status_labelled') }}
where is_as_of_year

{{ config(materialized='table') }}

-- Every measured value, one row per (as_of_date, kpi_code, year, org_unit_code): the union of the
-- `actuals` model of every source declared in the var `kpi_sources` of dbt_project.yml
-- (macros/kpi_sources.sql), so a new source's model joins it by its declaration alone.
{{ kpi_actuals_union() }}

{{ config(materialized='view') }}
-- The current status for dashboards: one row per indicator and scope (city and departments) of the
-- latest as-of date in the warehouse and its year. No filter needed to read "now".
select *
from {{ ref('kpi_status_history') }}
where as_of_date = (select max(as_of_date) from {{ ref('fct_kpi_status') }})

-- S5 HR monthly staffing (人事系統月報), one row per (year_month, unit_code): a later item wins
-- (docs/sources.md#s5-hr): the latest load, then the last item of the crawl.
with raw_rows as (
    select * from {{ source('hr', 'monthly_staffing') }}
),

latest as (
    select distinct on (year_month, unit_code) *
    from raw_rows
    order by year_month, unit_code, _load_id desc, _record desc
)

select
    year_month,
    extract(year from year_month)::int as year,
    extract(month from year_month)::int as month,
    {{ roc_year('extract(year from year_month)') }}::text
    || lpad(extract(month from year_month)::int::text, 2, '0') as roc_year_month,
    unit_code as org_unit_code,
    unit_name as org_unit_name,
    contract_staff,
    civil_servants,
    learning_completed
from latest

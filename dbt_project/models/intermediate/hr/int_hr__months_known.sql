-- S5 monthly staffing figures known at the as-of date d
-- (kpi-rules.md "Data known at d": S5 months <= d's month).
select *
from {{ ref('stg_hr__monthly_staffing') }}
where year_month <= date_trunc('month', {{ as_of_date() }})::date

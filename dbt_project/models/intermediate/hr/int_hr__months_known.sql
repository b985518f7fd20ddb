-- S5 monthly staffing figures known at some as-of date d of the build
-- (docs/indicators.md#known-at-d: S5 months <= d's month); a month is known at every d from that
-- month on, so the measures keep year_month <= d's month per d.
select *
from {{ ref('stg_hr__monthly_staffing') }}
where year_month <= date_trunc('month', {{ as_of_to() }})::date

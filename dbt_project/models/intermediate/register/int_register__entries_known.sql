-- S4 register entries known at the as-of date d (kpi-rules.md "Data known at d": 辦理日期 <= d).
-- Staging already counts exact duplicates once, so every row here is one distinct entry.
select *
from {{ ref('stg_register__entries') }}
where event_date <= {{ as_of_date() }}

-- S4 register entries known at some as-of date d of the build (docs/indicators.md#known-at-d:
-- 辦理日期 <= d; the measures keep event_date <= d per d).
-- Staging already counts exact duplicates once, so every row here is one distinct entry.
select *
from {{ ref('stg_register__entries') }}
where event_date <= {{ as_of_to() }}

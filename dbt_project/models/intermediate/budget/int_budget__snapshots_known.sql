-- S3 budget-execution lines of the monthly snapshots known at some as-of date d of the build
-- (docs/indicators.md#known-at-d: S3 months <= d's month); a line is known at every d from its
-- snapshot month on, so the measures keep snapshot_month <= d's month per d.
select *
from {{ ref('stg_budget__execution_lines') }}
where snapshot_month <= date_trunc('month', {{ as_of_to() }})::date

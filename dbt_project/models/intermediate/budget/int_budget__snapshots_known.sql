-- S3 budget-execution lines of the monthly snapshots known at the as-of date d
-- (kpi-rules.md "Data known at d": S3 months <= d's month).
select *
from {{ ref('stg_budget__execution_lines') }}
where snapshot_month <= date_trunc('month', {{ as_of_date() }})::date

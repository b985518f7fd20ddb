-- S1 rows known at d: stat_date <= d (kpi-rules.md), in the version current when d's nightly run
-- started (updated_at <= d+1 02:00), so a backfill reproduces that night even after later revisions.
-- A day whose every version we hold is newer (history loaded late) keeps its earliest version.
with versions as (
    select
        *,
        updated_at <= {{ as_of_cutoff() }} as known_that_night
    from {{ ref('stg_documents__doc_daily_stats') }}
    where stat_date <= {{ as_of_date() }}
)

select distinct on (stat_date, org_unit_code)
    stat_date,
    org_unit_code,
    org_unit_name,
    docs_received,
    docs_received_electronic,
    docs_sent,
    docs_sent_electronic,
    docs_closed,
    closed_days_sum,
    updated_at
from versions
order by
    stat_date,
    org_unit_code,
    known_that_night desc,
    case when known_that_night then updated_at end desc,
    updated_at asc

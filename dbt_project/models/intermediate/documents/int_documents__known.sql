{{ config(materialized='table') }}

-- S1 versions known at some as-of date d of the build, each with the as-of dates at which it is the
-- known one: [valid_from, valid_to), valid_to null while no later version replaces it
-- (docs/indicators.md#known-at-d). At d a row of stat_date <= d counts in the version current when d's nightly run
-- started (updated_at <= d+1 02:00), so a backfill reproduces that night even after later revisions;
-- a day whose every version is newer (history loaded late) keeps its earliest. For one as-of date
-- this is one row per day and unit, as that night knew it.
with versions as (
    select
        *,
        {{ first_night_knowing('updated_at') }} as first_known_on,
        row_number() over (partition by stat_date, org_unit_code order by updated_at) as version_no
    from {{ ref('stg_documents__doc_daily_stats') }}
    where stat_date <= {{ as_of_to() }}
),

intervals as (
    select
        *,
        -- the earliest version also stands for the nights before it was known
        case when version_no = 1 then stat_date else greatest(stat_date, first_known_on) end as valid_from,
        lead(first_known_on) over (partition by stat_date, org_unit_code order by updated_at) as next_known_on
    from versions
),

bounded as (
    select
        *,
        -- (greatest skips nulls: the latest version has no end)
        case when next_known_on is not null then greatest(stat_date, next_known_on) end as valid_to
    from intervals
)

select
    stat_date,
    org_unit_code,
    org_unit_name,
    docs_received,
    docs_received_electronic,
    docs_sent,
    docs_sent_electronic,
    docs_closed,
    closed_days_sum,
    updated_at,
    valid_from,
    valid_to
from bounded
where valid_from <= {{ as_of_to() }}
    and coalesce(valid_to > {{ as_of_from() }}, true)
    -- a version replaced before its own first night was never the one known
    and coalesce(valid_to > valid_from, true)

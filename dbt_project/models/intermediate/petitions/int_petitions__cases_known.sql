-- A view: no model reads it any more (the closure rates come from int_petitions__closure_changes);
-- it lists, for any as-of date, the case versions behind K7.2 / K3.2, so a rate can be recomputed by
-- hand. Its data tests read only the versions of loads no passing build has tested (_load_id,
-- _petitions.yml), through the intervals' _load_id index.
{{ config(materialized='view') }}

-- S2 petition / 1999 case versions (人民陳情案件) known at some as-of date d of the build, each with the
-- as-of dates at which it is the case's known version: [valid_from, valid_to), valid_to null while no
-- later version replaces it. At d a case is its latest version with 最後更新時間 up to the end of d in
-- Asia/Taipei (docs/indicators.md#known-at-d; docs/sources.md#s2-petitions: the latest 最後更新時間 wins,
-- a tie goes to the later file); a version updated after d is ignored, so a backfill for an old d sees what that
-- night's run saw. For one as-of date this is one row per case, as that night knew it.
--
-- due_date_effective applies the default deadline of a blank 限辦日期 (docs/indicators.md#default-due-date;
-- macros/petition_closure.sql: the 6th working day after receipt for a 1999 case, else 30 days after).
-- The petitioner's pseudonym is not carried: no KPI needs it (Personal Data Protection Act §5).
-- The intervals are kept, incrementally, in int_petitions__version_intervals; this model cuts them to
-- the build's dates and applies the calendar, which a new S6 file may change for every case.
with latest as (
    -- the versions known at some as-of date of the build (their intervals: int_petitions__version_intervals)
    select *
    from {{ ref('int_petitions__version_intervals') }}
    where valid_from <= {{ as_of_to() }}
        and coalesce(valid_to > {{ as_of_from() }}, true)
),

with_due as (
    {{ with_due_date_effective('latest', ref('int_calendar__days')) }}
)

select
    case_id,
    channel,
    is_hotline_1999,
    category,
    sub_category,
    received_at,
    received_date,
    extract(year from received_date)::int as received_year,
    org_unit_code,
    org_unit_name,
    due_date,
    due_date_effective,
    due_date_derived,
    status_zh,
    status,
    closed_at,
    closed_date,
    district,
    last_updated_at,
    export_date,
    source_file,
    source_line,
    _load_id,
    valid_from,
    valid_to
from with_due

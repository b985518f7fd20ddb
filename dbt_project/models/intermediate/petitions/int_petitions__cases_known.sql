-- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data). Its data
-- tests read only the versions of loads no passing build has tested (_load_id, _petitions.yml): a
-- night's table holds every case, and reading all of them for each of its twelve tests grew with
-- the history (about 3 s at 8 times the demo's petitions).
{{ config(materialized='table', indexes=[{'columns': ['_load_id']}], post_hook=['analyze {{ this }}']) }}

-- S2 petition / 1999 case versions (人民陳情案件) known at some as-of date d of the build, each with the
-- as-of dates at which it is the case's known version: [valid_from, valid_to), valid_to null while no
-- later version replaces it. At d a case is its latest version with 最後更新時間 up to the end of d in
-- Asia/Taipei (docs/indicators.md#known-at-d; docs/sources.md#s2-petitions: the latest 最後更新時間 wins,
-- a tie goes to the later file); a version updated after d is ignored, so a backfill for an old d sees what that
-- night's run saw. For one as-of date this is one row per case, as that night knew it.
--
-- due_date_effective applies the default deadline of a blank 限辦日期 (docs/indicators.md#default-due-date):
--   1999市民熱線: the 6th working day after the day of receipt (the receipt day itself is not counted,
--     even when it is a working day; S6 calendar, weekends only where the year has no calendar file);
--   any other channel: 30 calendar days after the day of receipt.
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

calendar as (
    select calendar_date, is_working_day, working_day_number
    from {{ ref('int_calendar__days') }}
),

with_hotline_due as (
    select
        l.*,
        hotline_due.calendar_date as hotline_default_due_date
    from latest as l
    -- working_day_number of the receipt day counts the receipt day only if it is a working day, so it is
    -- the number of the receipt day or of the last working day before it; + 6 is the 6th working day
    -- after. Working days have distinct numbers, so this joins at most one date.
    left join calendar as receipt_day
        on receipt_day.calendar_date = l.received_date
    left join calendar as hotline_due
        on hotline_due.is_working_day
        and hotline_due.working_day_number = receipt_day.working_day_number + 6
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
    case
        when due_date is not null then due_date
        when is_hotline_1999 then hotline_default_due_date
        else received_date + 30
    end as due_date_effective,
    due_date is null as due_date_derived,
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
from with_hotline_due

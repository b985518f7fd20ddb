
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "case_id","status","due_date_effective","due_date_derived","last_updated_at", 'actual' as "actual_or_expected"
  from (
    -- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).


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
with  __dbt__cte__int_petitions__version_intervals as (

-- Fixture for int_petitions__version_intervals
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-03' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-20 10:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-20' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251120.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-20' as date)
 as "valid_from", 
    
    cast('2025-11-25' as date)
 as "valid_to"
union all
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 23:59:59+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-25' as date)
 as "valid_from", 
    
    cast('2025-11-26' as date)
 as "valid_to"
union all
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-11-26' as date)
 as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-26 00:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('B' as text)
 as "case_id", 
    
    cast('臨櫃' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-26' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-26 08:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('C' as text)
 as "case_id", 
    
    cast('書面' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-10' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-10 09:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-10' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251110.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-10' as date)
 as "valid_from", 
    
    cast('2025-11-24' as date)
 as "valid_to"
union all
select 
    
    cast('C' as text)
 as "case_id", 
    
    cast('書面' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-10' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('withdrawn' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-24 17:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-24' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251124.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-24' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('D' as text)
 as "case_id", 
    
    cast('電子郵件' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-25' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 16:30:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('E' as text)
 as "case_id", 
    
    cast('電子郵件' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-25' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 15:59:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-25' as date)
 as "valid_from", cast(null as date) as "valid_to"
),  __dbt__cte__int_calendar__days as (

-- Fixture for int_calendar__days
select 
    
    cast('2025-11-25' as date)
 as "calendar_date", cast(null as integer) as "year", cast(null as integer) as "iso_weekday", cast(null as boolean) as "has_calendar_file", cast(null as boolean) as "is_in_calendar_file", 
    
    cast(True as boolean)
 as "is_working_day", 
    
    cast(1 as integer)
 as "working_day_number", cast(null as boolean) as "is_makeup_workday", cast(null as text) as "note"
), latest as (
    -- the versions known at some as-of date of the build (their intervals: int_petitions__version_intervals)
    select *
    from __dbt__cte__int_petitions__version_intervals
    where valid_from <= date '2025-11-25'
        and coalesce(valid_to > date '2025-11-25', true)
),

calendar as (
    select calendar_date, is_working_day, working_day_number
    from __dbt__cte__int_calendar__days
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
    valid_from,
    valid_to
from with_hotline_due
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "case_id", "status", "due_date_effective", "due_date_derived", "last_updated_at", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('open' as text)
 as "status", 
    
    cast('2025-12-10' as date)
 as "due_date_effective", 
    
    cast(False as boolean)
 as "due_date_derived", 
    
    cast('2025-11-25 23:59:59+08' as timestamp with time zone)
 as "last_updated_at"
union all
select 
    
    cast('C' as text)
 as "case_id", 
    
    cast('withdrawn' as text)
 as "status", 
    
    cast('2025-12-10' as date)
 as "due_date_effective", 
    
    cast(False as boolean)
 as "due_date_derived", 
    
    cast('2025-11-24 17:00:00+08' as timestamp with time zone)
 as "last_updated_at"
union all
select 
    
    cast('E' as text)
 as "case_id", 
    
    cast('open' as text)
 as "status", 
    
    cast('2025-12-25' as date)
 as "due_date_effective", 
    
    cast(True as boolean)
 as "due_date_derived", 
    
    cast('2025-11-25 23:59:00+08' as timestamp with time zone)
 as "last_updated_at"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
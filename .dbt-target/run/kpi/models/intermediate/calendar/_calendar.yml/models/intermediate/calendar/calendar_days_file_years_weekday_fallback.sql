
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "calendar_date","year","iso_weekday","has_calendar_file","is_in_calendar_file","is_working_day","working_day_number","is_makeup_workday","note", 'actual' as "actual_or_expected"
  from (
    -- The one date spine of the project, with the working days of the government office calendar (辦公日曆表)
-- and a running working-day number for "n-th working day after" arithmetic (docs/indicators.md#default-due-date:
-- a blank 限辦日期 of a 1999 case). dim_date is this spine with its labels.
-- Span: Jan 1 of 2022, or of the earliest year of any source's data if earlier (each loaded source adds
-- one select to `source_dates`; petitions count by 受理日期, which runs years before the first export),
-- through Dec 31 of the year after the later of the as-of date and the latest calendar file (derived due
-- dates run past year end; the calendar is published a year ahead).
--
-- A year with a calendar file takes its working days from the file; a year without one counts only
-- weekends as days off (docs/sources.md#s6-calendar). A date missing from its year's file
-- falls back to the weekday rule too.
--
-- Table, not a view: int_petitions__cases_known joins it twice per case, and the window function over
-- a few thousand dates should run once per build, not once per query.


with  __dbt__cte__stg_calendar__days as (
select
    d::date as calendar_date,
    2025 as year,
    null::text as weekday_zh,
    not is_work as is_day_off,
    is_work as is_working_day,
    null::text as note,
    (is_work and extract(isodow from d) in (6, 7)) as is_makeup_workday
from (
    select
        d,
        case
            when d::date = date '2025-02-08' then true
            when d::date = date '2025-01-01' or d::date between date '2025-01-27' and date '2025-01-31' then false
            else extract(isodow from d) < 6
        end as is_work
    from generate_series(date '2025-01-01', date '2025-12-31', interval '1 day') as g(d)
) as s
),  __dbt__cte__stg_documents__doc_daily_stats as (

-- Fixture for stg_documents__doc_daily_stats
select cast(null as date) as "stat_date", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
    limit 0
),  __dbt__cte__stg_petitions__case_versions as (

-- Fixture for stg_petitions__case_versions
select 
    
    cast('KL113123000001' as text)
 as "case_id", cast(null as text) as "channel", cast(null as boolean) as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-30' as date)
 as "received_date", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", cast(null as text) as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2024-12-30 09:00:00+08' as timestamp with time zone)
 as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
),  __dbt__cte__stg_budget__execution_lines as (

-- Fixture for stg_budget__execution_lines
select cast(null as integer) as "roc_year", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as date) as "snapshot_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", cast(null as boolean) as "is_current_expense", cast(null as text) as "expense_class", cast(null as boolean) as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", cast(null as numeric) as "allocated_cum", cast(null as numeric) as "disbursed_cum", cast(null as numeric) as "payable_unpaid_cum", cast(null as numeric) as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
    limit 0
),  __dbt__cte__stg_register__entries as (

-- Fixture for stg_register__entries
select cast(null as text) as "entry_id", 
    
    cast('K1.1' as text)
 as "kpi_code", 
    
    cast('2021-07-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", cast(null as text) as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", cast(null as timestamp with time zone) as "entered_at", cast(null as bigint) as "source_line"
),  __dbt__cte__stg_hr__monthly_staffing as (

-- Fixture for stg_hr__monthly_staffing
select cast(null as date) as "year_month", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as text) as "roc_year_month", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "contract_staff", cast(null as bigint) as "civil_servants", cast(null as bigint) as "learning_completed"
    limit 0
), calendar_days as (
    select calendar_date, is_working_day, is_makeup_workday, note
    from __dbt__cte__stg_calendar__days
),

calendar_years as (
    select distinct extract(year from calendar_date)::int as year
    from calendar_days
),

source_dates as (
    select min(stat_date) as first_date from __dbt__cte__stg_documents__doc_daily_stats
    union all
    select min(received_date) from __dbt__cte__stg_petitions__case_versions
    union all
    select min(snapshot_month) from __dbt__cte__stg_budget__execution_lines
    union all
    select min(event_date) from __dbt__cte__stg_register__entries
    union all
    select min(year_month) from __dbt__cte__stg_hr__monthly_staffing
    union all
    select min(calendar_date) from calendar_days
),

bounds as (
    select
        date_trunc('year', least(date '2022-01-01', (select min(first_date) from source_dates)))::date as first_date,
        make_date(
            greatest(extract(year from date '2025-03-01')::int, (select max(year) from calendar_years)) + 1,
            12, 31
        ) as last_date
),

dates as (
    select generate_series(first_date, last_date, interval '1 day')::date as calendar_date
    from bounds
),

flagged as (
    select
        d.calendar_date,
        extract(year from d.calendar_date)::int as year,
        extract(isodow from d.calendar_date)::int as iso_weekday,
        cy.year is not null as has_calendar_file,
        c.calendar_date is not null as is_in_calendar_file,
        coalesce(c.is_working_day, extract(isodow from d.calendar_date) < 6) as is_working_day,
        coalesce(c.is_makeup_workday, false) as is_makeup_workday,
        c.note
    from dates as d
    left join calendar_years as cy on cy.year = extract(year from d.calendar_date)::int
    left join calendar_days as c on c.calendar_date = d.calendar_date
)

select
    calendar_date,
    year,
    iso_weekday,
    has_calendar_file,
    is_in_calendar_file,
    is_working_day,
    sum(case when is_working_day then 1 else 0 end) over (order by calendar_date)::int as working_day_number,
    is_makeup_workday,
    note
from flagged
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "calendar_date", "year", "iso_weekday", "has_calendar_file", "is_in_calendar_file", "is_working_day", "working_day_number", "is_makeup_workday", "note", 'expected' as "actual_or_expected"
  from (
    with expected as (
    select
        d::date as calendar_date,
        extract(year from d)::int as year,
        extract(isodow from d)::int as iso_weekday,
        extract(year from d)::int = 2025 as has_calendar_file,
        extract(year from d)::int = 2025 as is_in_calendar_file,
        case
            when d::date = date '2025-02-08' then true
            when d::date = date '2025-01-01' or d::date between date '2025-01-27' and date '2025-01-31' then false
            else extract(isodow from d) < 6
        end as is_working_day,
        d::date = date '2025-02-08' as is_makeup_workday,
        null::text as note
    from generate_series(date '2021-01-01', date '2026-12-31', interval '1 day') as g(d)
),
numbered as (
    select e.*, (select count(*) from expected as w where w.is_working_day and w.calendar_date <= e.calendar_date)::int as working_day_number
    from expected as e
),
pinned as (
    -- 2021 has 261 weekdays, 2022 and 2023 260 each, 2024 262 (a leap year starting on a Monday):
    -- 1043 through 2024; 2025-01-02 … 01-24 are 17 working days
    select * from (values
        (date '2021-12-31', 261),
        (date '2024-12-31', 1043),
        (date '2025-01-01', 1043),
        (date '2025-01-02', 1044),
        (date '2025-01-24', 1060),
        (date '2025-01-27', 1060),
        (date '2025-02-02', 1060),
        (date '2025-02-03', 1061),
        (date '2025-02-07', 1065),
        (date '2025-02-08', 1066),
        (date '2025-02-10', 1067)
    ) as v(calendar_date, working_day_number)
)
-- the pinned numbers must agree with the count, else the expectation itself is wrong (an extra row fails the test)
select n.calendar_date, n.year, n.iso_weekday, n.has_calendar_file, n.is_in_calendar_file, n.is_working_day,
    n.working_day_number, n.is_makeup_workday, n.note
from numbered as n
union all
select p.calendar_date, null, null, null, null, null, p.working_day_number, null, null
from pinned as p
inner join numbered as n using (calendar_date)
where n.working_day_number <> p.working_day_number
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
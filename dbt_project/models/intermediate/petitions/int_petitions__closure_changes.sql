{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['is_hotline_1999', 'year', 'org_unit_code', 'change_date'], 'unique': True}],
        pre_hook=["{{ clear_closure_changes() }}"],
    )
}}
-- The day-by-day changes of the K7.2 / K3.2 closure counts (docs/indicators.md#closure-rate), per
-- channel kind (1999 or not), year of receipt Y, responsible department and date, over every S2 case
-- version loaded: by how much, from that date on, the cases known, the cases in P (not withdrawn),
-- the closed ones (結案日期 <= e) and those in the denominator (closed, or due by e) change. A version
-- is known on [valid_from, valid_to) (int_petitions__version_intervals); it counts in its year's P from
-- its day of receipt, as closed from its 結案日期 and in the denominator from the earlier of that and
-- its due date (each only if it falls in its year: after Y-12-31, e stays Y-12-31), and stops on
-- valid_to. int_kpi_actuals__petitions sums them up to each as-of date.
--
-- Independent of the build's as-of dates, and incremental by date: a night's new versions change the
-- counts only from their valid_from on, so the changes before that are kept and the later ones are
-- recomputed (the pre-hook deletes them; macros/petition_closure.sql says when everything is). The
-- versions recomputed are those whose changes can reach that date (closure_change_bound, indexed): the
-- versions replaced since and the recent cases, not the history. A unique index keeps one row per
-- channel kind, year, department and date.
{%- set since = closure_changes_since() %}
with versions as (
    select case_id, is_hotline_1999, org_unit_code, received_date, due_date, status, closed_date, valid_from, valid_to
    from {{ ref('int_petitions__version_intervals') }}
    {%- if since.from_date is none %}
    where false
    {%- elif since.partial %}
    where {{ closure_change_bound() }} >= {{ since.from_date }}
    {%- endif %}
),

with_due as (
    {{ with_due_date_effective('versions', ref('int_calendar__days')) }}
),

dated as (
    select
        *,
        extract(year from received_date)::int as year,
        greatest(valid_from, received_date) as known_on,
        case when status = 'closed' and closed_date <= make_date(extract(year from received_date)::int, 12, 31)
             then closed_date end as closed_in_year,
        case when due_date_effective <= make_date(extract(year from received_date)::int, 12, 31)
             then due_date_effective end as due_in_year
    from with_due
),

spans as (
    -- per version: from which date on it is known (any status: the years judged start at the first
    -- year with a case), in P (not withdrawn), closed by e, in the denominator
    select
        is_hotline_1999,
        year,
        org_unit_code,
        valid_to,
        status <> 'withdrawn' as counted,
        known_on,
        -- (greatest and least skip nulls: never closed or never due in its year is no date at all)
        case when status <> 'withdrawn' and closed_in_year is not null
             then greatest(known_on, closed_in_year) end as closed_from,
        case when status <> 'withdrawn' and coalesce(closed_in_year, due_in_year) is not null
             then greatest(known_on, least(closed_in_year, due_in_year)) end as due_from
    from dated
),

changes as (
    -- each count goes up on the day it starts to hold, if the version is not replaced by then, and
    -- every count that held goes down together on valid_to (closed_from and due_from are never before
    -- known_on, so a count that started before valid_to is one the version was known for)
    select is_hotline_1999, year, org_unit_code, known_on as change_date,
        1 as known, counted::int as cases, 0 as closed, 0 as due
    from spans
    where known_on < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, closed_from, 0, 0, 1, 0
    from spans
    where closed_from < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, due_from, 0, 0, 0, 1
    from spans
    where due_from < coalesce(valid_to, 'infinity')
    union all
    select is_hotline_1999, year, org_unit_code, valid_to, -1, -counted::int,
        -coalesce((closed_from < valid_to)::int, 0), -coalesce((due_from < valid_to)::int, 0)
    from spans
    where known_on < valid_to
)

select
    is_hotline_1999,
    year,
    org_unit_code,
    change_date,
    sum(known)::integer as known,
    sum(cases)::integer as cases,
    sum(closed)::integer as closed,
    sum(due)::integer as due,
    -- the highest load of the versions this build saw, and the calendar it used: what the next build
    -- compares with (closure_changes_since)
    {{ since.load }}::bigint as _load_id,
    '{{ since.calendar }}'::text as calendar_md5
from changes
{%- if since.from_date is not none %}
where change_date >= {{ since.from_date }}
{%- endif %}
group by is_hotline_1999, year, org_unit_code, change_date

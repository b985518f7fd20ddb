{# The S2 closure-rate rules shared by the models that need them, each in one place. #}

{# The due date the closure rates use (docs/indicators.md#default-due-date), added to every row of
   `versions` (a relation or CTE with due_date, is_hotline_1999 and received_date): the exported
   限辦日期; else, for a 1999市民熱線 case, the 6th working day after the day of receipt (the receipt
   day itself is not counted, even when it is a working day; `calendar` is int_calendar__days: the S6
   calendar, weekends only where the year has no calendar file); else the day of receipt + 30
   calendar days. #}
{% macro with_due_date_effective(versions, calendar) -%}
    select
        v.*,
        case
            when v.due_date is not null then v.due_date
            when v.is_hotline_1999 then hotline_due.calendar_date
            else v.received_date + 30
        end as due_date_effective,
        v.due_date is null as due_date_derived
    from {{ versions }} as v
    -- working_day_number of the receipt day counts the receipt day only if it is a working day, so it
    -- is the number of the receipt day or of the last working day before it; + 6 is the 6th working
    -- day after. Working days have distinct numbers, so this joins at most one date.
    left join {{ calendar }} as receipt_day
        on receipt_day.calendar_date = v.received_date
    left join {{ calendar }} as hotline_due
        on hotline_due.is_working_day
        and hotline_due.working_day_number = receipt_day.working_day_number + 6
{%- endmacro %}

{# The latest date at which a version of int_petitions__version_intervals can change a closure count
   (int_petitions__closure_changes), or later: its valid_to when it was replaced; else the latest of
   the day it became known, its day of receipt, its 結案日期 and its due date, where a blank 限辦日期
   counts as the day of receipt + 60 days (the derived due date is at most + 30 days, or 6 working
   days: a data test of int_petitions__cases_known keeps it so). Immutable, so an expression index of
   the intervals (closure_bound_index) finds the versions a night recomputes without the calendar. #}
{% macro closure_change_bound() -%}
    coalesce(valid_to, greatest(valid_from, received_date, closed_date, coalesce(due_date, received_date + 60)))
{%- endmacro %}

{# Post-hook of int_petitions__version_intervals: the index of closure_change_bound. A hook, not the
   `indexes` config, so that a warehouse built before it gets it on its next night. PostgreSQL keeps
   statistics of an expression index only once the table is analyzed, and without them it guesses
   that a third of the versions pass, so a new index gets them at once (0.5–0.7 s, once). #}
{% macro closure_bound_index() -%}
    {%- set index = this.identifier ~ '__closure_bound_idx' -%}
    do $$ begin
        create index if not exists {{ index }} on {{ this }} (({{ closure_change_bound() }}));
        if not exists (select 1 from pg_stats where schemaname = '{{ this.schema }}' and tablename = '{{ index }}') then
            analyze {{ this }};
        end if;
    end $$
{%- endmacro %}

{# What a build of int_petitions__closure_changes recomputes: the change dates from `from_date` on
   (SQL, or none: nothing to do), and what it stamps on its rows (the versions' highest load, the
   calendar's fingerprint). A new version changes the counts of its case from its valid_from on only
   (the version it replaces keeps its earlier days), so the changes before the earliest valid_from of
   the versions of newer loads stay as they are. Everything is recomputed on a first build, a full
   refresh, a change of the S6 calendar (derived due dates move), and a petitions file delivered
   again (its earlier delivery's versions left raw and staging, with changes of any date). #}
{% macro closure_changes_since() -%}
    {%- set intervals = ref('int_petitions__version_intervals') -%}
    {%- set calendar = ref('int_calendar__days') -%}
    {%- set ledger = source('loads', 'load_ledger') -%}
    {%- set everything = {'from_date': "'-infinity'::date", 'partial': false, 'load': 0, 'calendar': ''} -%}
    {%- if not execute -%}
        {{- return(everything) -}}
    {%- endif -%}
    {%- set now = run_query(
        "select (select coalesce(max(_load_id), 0) from " ~ intervals ~ "), "
        ~ "(select md5(string_agg(calendar_date::text || ':' || is_working_day::text, ',' order by calendar_date)) "
        ~ "from " ~ calendar ~ ")").rows[0] -%}
    {%- do everything.update({'load': now[0] | int, 'calendar': now[1]}) -%}
    {%- if not is_incremental() -%}
        {{- return(everything) -}}
    {%- endif -%}
    {%- set held = run_query(
        "select coalesce(max(_load_id), 0), count(distinct calendar_md5), max(calendar_md5) from " ~ this).rows[0] -%}
    {%- if held[1] != 1 or held[2] != now[1] -%}
        {{- return(everything) -}}
    {%- endif -%}
    {%- set watermark = held[0] | int -%}
    {%- set redelivered = run_query(
        "select count(*) from " ~ ledger ~ " as n where n.source = 'petitions' and n.status = 'loaded' "
        ~ "and n.load_id > " ~ watermark ~ " and exists (select 1 from " ~ ledger ~ " as o "
        ~ "where o.source = n.source and o.object_name = n.object_name and o.status = 'loaded' "
        ~ "and o.load_id <= " ~ watermark ~ ")").rows[0][0] -%}
    {%- if redelivered > 0 -%}
        {{- return(everything) -}}
    {%- endif -%}
    {#- materialized: a plain min() with that filter walks the valid_from index from the oldest version
        until it meets a new one, which is most of it (1–1.3 s at 8 times the demo's petitions) -#}
    {%- set first = run_query(
        "with new as materialized (select valid_from from " ~ intervals ~ " where _load_id > " ~ watermark ~ ") "
        ~ "select min(valid_from) from new").rows[0][0] -%}
    {{- return({'from_date': ("date '" ~ first ~ "'") if first is not none else none, 'partial': true,
                'load': now[0] | int, 'calendar': now[1]}) -}}
{%- endmacro %}

{# Pre-hook of int_petitions__closure_changes: the changes it recomputes go first (an append follows),
   in the same transaction as the insert. #}
{% macro clear_closure_changes() -%}
    {%- if execute and is_incremental() -%}
        {%- set since = closure_changes_since() -%}
        {%- if since.from_date is not none -%}
            delete from {{ this }} where change_date >= {{ since.from_date }}
        {%- else -%}
            select 1
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{# The as-of dates of a build (docs/indicators.md#known-at-d), read from the var in this one place:
   as_of_date is one date d ('2025-11-25') or a range as an ISO 8601 interval ('2022-01-01/2025-11-25'):
   every date of it is computed in the same build, each exactly as a build of that date alone. Unset,
   a build takes yesterday in Asia/Taipei, like the nightly schedule. A unit test overriding it
   holds whatever range the build was given. Returns SQL date expressions. #}
{% macro as_of_bounds() -%}
    {%- set given = var('as_of_date', none) -%}
    {%- if given -%}
        {%- set parts = (given | string).split('/') -%}
        {%- if parts | length > 2 -%}
            {{ exceptions.raise_compiler_error("var as_of_date: '" ~ given ~ "' is neither a date nor a range D1/D2") }}
        {%- endif -%}
        {{ return({'from': "date '" ~ parts[0] ~ "'", 'to': "date '" ~ parts[-1] ~ "'"}) }}
    {%- endif -%}
    {%- set yesterday = "((now() at time zone 'Asia/Taipei')::date - 1)" -%}
    {{ return({'from': yesterday, 'to': yesterday}) }}
{%- endmacro %}

{% macro as_of_from() -%}{{ as_of_bounds()['from'] }}{%- endmacro %}

{% macro as_of_to() -%}{{ as_of_bounds()['to'] }}{%- endmacro %}

{# Every as-of date of the build, one row each (column as_of_date). #}
{% macro as_of_dates() -%}
    select d::date as as_of_date
    from generate_series({{ as_of_from() }}, {{ as_of_to() }}, interval '1 day') as d
{%- endmacro %}

{# The nightly run of d starts at 02:00 on d+1 (Asia/Taipei): the first as-of date whose night knew a
   version updated at `ts` (timestamptz). A backfill of an earlier d leaves that version out. #}
{% macro first_night_knowing(ts) -%}
    {%- set t = "((" ~ ts ~ " at time zone 'Asia/Taipei') - interval '26 hours')" -%}
    ({{ t }}::date + case when {{ t }}::time > time '00:00' then 1 else 0 end)
{%- endmacro %}

{# As-of dates of the build inside [valid_from, valid_to) (valid_to null: open), one row each:
   "cross join lateral" over a relation whose rows hold from valid_from until valid_to, so a value is
   stored once per change and spread over the dates it holds, not recomputed per date. #}
{% macro spread_over_as_of_dates(valid_from, valid_to) -%}
    cross join lateral generate_series(
        greatest({{ valid_from }}, {{ as_of_from() }}),
        least(coalesce({{ valid_to }} - 1, 'infinity'::date), {{ as_of_to() }}),
        interval '1 day'
    ) as spread(as_of_day)
{%- endmacro %}

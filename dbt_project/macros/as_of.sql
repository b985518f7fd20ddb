{# The as-of date d as a SQL date literal: var as_of_date, else yesterday in Asia/Taipei. #}
{% macro as_of_date() -%}
    {%- set d = var('as_of_date', none) -%}
    {%- if d -%}
        date '{{ d }}'
    {%- else -%}
        ((now() at time zone 'Asia/Taipei')::date - 1)
    {%- endif -%}
{%- endmacro %}

{# End of day d in Asia/Taipei, as timestamptz: "known at d" for timestamps. #}
{% macro as_of_end() -%}
    (({{ as_of_date() }} + 1)::timestamp at time zone 'Asia/Taipei')
{%- endmacro %}

{# The nightly run of d starts at 02:00 on d+1 (Asia/Taipei): a source row version updated after it
   was not known to that night's run, so a backfill of d leaves it out. #}
{% macro as_of_cutoff() -%}
    (({{ as_of_date() }} + 1)::timestamp + interval '2 hours') at time zone 'Asia/Taipei'
{%- endmacro %}

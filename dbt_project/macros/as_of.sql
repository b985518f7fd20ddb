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

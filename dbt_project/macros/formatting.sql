{# Number formats for status_reason sentences (Traditional Chinese with the numbers). #}

{% macro fmt_count(expr) -%}
    to_char(({{ expr }})::numeric, 'FM999,999,999,990')
{%- endmacro %}

{% macro fmt_decimal(expr, places=2) -%}
    trim(trailing '.' from trim(trailing '0' from to_char(round(({{ expr }})::numeric, {{ places }}), 'FM999,999,990.{{ "0" * places }}')))
{%- endmacro %}

{% macro fmt_pct(expr) -%}
    ({{ fmt_decimal('(' ~ expr ~ ') * 100', 1) }} || '%')
{%- endmacro %}

{# 11/25 style month/day of a date. #}
{% macro fmt_md(expr) -%}
    to_char({{ expr }}, 'FMMM/FMDD')
{%- endmacro %}

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

{# A value as people read it, by the indicator's display format (seed value_formats, joined as
   `fmt`): scaled (fractions to percent), rounded to at most `decimals` places without trailing
   zeros, thousands separated, with the unit placed by text_pattern ({n}{unit} or {n} {unit}).
   '—' when there is no value. The same rounding as fmt_pct / fmt_decimal / fmt_count above, so the
   texts equal the numbers inside status_reason. #}
{% macro fmt_value(expr, fmt='fmt', unit='unit_zh') -%}
    case when ({{ expr }}) is null then '—'
    else replace(replace({{ fmt }}.text_pattern, '{n}',
        case when {{ fmt }}.decimals > 0
             then rtrim(rtrim(to_char(round(({{ expr }})::numeric * {{ fmt }}.scale, {{ fmt }}.decimals),
                                      'FM999,999,999,990.' || repeat('0', {{ fmt }}.decimals)), '0'), '.')
             else to_char(round(({{ expr }})::numeric * {{ fmt }}.scale, 0), 'FM999,999,999,990') end),
        '{unit}', coalesce({{ unit }}, '')) end
{%- endmacro %}

{# The value in its display unit (percent points, count, days) rounded as its text: for BI columns
   that hold one unit each. Null unless the indicator's format is `format`. #}
{% macro display_number(expr, format, fmt='fmt') -%}
    case when {{ fmt }}.value_format = '{{ format }}'
         then round(({{ expr }})::numeric * {{ fmt }}.scale, {{ fmt }}.decimals) end
{%- endmacro %}

{# Tolerance m of the status rules: the catalog's, else 0.05 for ratios and 0 otherwise
   (docs/indicators.md#tolerance). `c` is the catalog (or dim_kpi) alias. #}
{% macro kpi_tolerance(c='c') -%}
    coalesce({{ c }}.tolerance, case when {{ c }}.measure_type = 'ratio' then 0.05 else 0 end)
{%- endmacro %}

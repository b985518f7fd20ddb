{# The ROC (民國) calendar in one place: year 1 of the Republic is 1912. Every ROC year, date and
   label the marts show comes from these macros. #}

{% macro roc_offset() -%} 1911 {%- endmacro %}

{# ROC year of a Gregorian year (integer expression). #}
{% macro roc_year(year_expr) -%}
    (({{ year_expr }})::int - {{ roc_offset() }})
{%- endmacro %}

{# 114/11/25: the short ROC date of government documents. #}
{% macro roc_date(date_expr) -%}
    ({{ roc_year('extract(year from ' ~ date_expr ~ ')') }}::text || to_char({{ date_expr }}, '/MM/DD'))
{%- endmacro %}

{# 114/11/25（2025-11-25）: the ROC date with the Gregorian one beside it. #}
{% macro roc_date_text(date_expr) -%}
    ({{ roc_date(date_expr) }} || '（' || to_char({{ date_expr }}, 'YYYY-MM-DD') || '）')
{%- endmacro %}

{# 民國114年11月25日（2025-11-25）: headings and printed reports. #}
{% macro roc_date_long(date_expr) -%}
    ('民國' || {{ roc_year('extract(year from ' ~ date_expr ~ ')') }}::text || '年'
     || extract(month from {{ date_expr }})::int::text || '月' || extract(day from {{ date_expr }})::int::text || '日（'
     || to_char({{ date_expr }}, 'YYYY-MM-DD') || '）')
{%- endmacro %}

{# 114年（2025）: a year in both calendars. #}
{% macro roc_year_text(year_expr) -%}
    ({{ roc_year(year_expr) }}::text || '年（' || ({{ year_expr }})::int::text || '）')
{%- endmacro %}

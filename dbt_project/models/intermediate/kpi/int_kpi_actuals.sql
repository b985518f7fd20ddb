-- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).
{{ config(materialized='table') }}

-- Every measured value, one row per (as_of_date, kpi_code, year, org_unit_code). A new source adds its
-- int_kpi_actuals__<source> model to this list.
{% set actual_models = [
    'int_kpi_actuals__documents',
    'int_kpi_actuals__petitions',
    'int_kpi_actuals__register',
    'int_kpi_actuals__budget',
    'int_kpi_actuals__hr',
] %}

{% for model in actual_models %}
select
    as_of_date, kpi_code, year, org_unit_code, actual_value, numerator, denominator, coverage_end_date, is_final
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}

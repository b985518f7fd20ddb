{#-
  Generic data test: fails for every combination of the given columns that
  occurs more than once in the model (a composite-key uniqueness check, like
  dbt_utils.unique_combination_of_columns, which we cannot install because the
  dbt hub is unreachable).

  Usage (dbt >= 1.10 syntax):
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [kpi_code, roc_year]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- if combination_of_columns is string -%}
    {%- set combination_of_columns = [combination_of_columns] -%}
{%- endif -%}
{%- if combination_of_columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("unique_combination_of_columns: combination_of_columns must list at least one column") }}
{%- endif -%}
{%- set column_list = combination_of_columns | join(', ') -%}

select
    {{ column_list }},
    count(*) as n_records
from {{ model }}
group by {{ column_list }}
having count(*) > 1

{% endtest %}

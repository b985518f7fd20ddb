{# Schemas are the warehouse's layers (raw, staging, intermediate, marts), named exactly so for BI
   users and grants, not prefixed with the target schema as dbt does by default. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}

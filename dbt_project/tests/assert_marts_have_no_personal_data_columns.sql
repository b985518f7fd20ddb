-- No mart exposes personal data (docs/sources.md#personal-data).
-- Fails with one row per offending column:
--   1. any column of schema marts whose name looks like personal data: a pseudonym (still personal
--      data), a person's name, phone, e-mail, address, petitioner, birth date or ID number; names of
--      organisations, plans, indicators and sources are allowed by the explicit list below, so a new
--      *_name column must be added to it on purpose;
--   2. any column named like a pseudonym, anywhere in the warehouse, that the BI role can read.
-- The refs only order the test after the marts (every mart model should be listed here).
-- depends_on: {{ ref('dim_date') }}
-- depends_on: {{ ref('dim_kpi') }}
-- depends_on: {{ ref('dim_kpi_target') }}
-- depends_on: {{ ref('dim_org_unit') }}
-- depends_on: {{ ref('fct_kpi_status') }}
-- depends_on: {{ ref('fct_source_freshness') }}
-- depends_on: {{ ref('fct_documents_daily') }}
-- depends_on: {{ ref('fct_petition_cases') }}
-- depends_on: {{ ref('fct_budget_lines') }}
-- depends_on: {{ ref('fct_register_events') }}
-- depends_on: {{ ref('fct_staffing_monthly') }}
-- depends_on: {{ ref('fct_source_org_units') }}
-- depends_on: {{ ref('kpi_alerts') }}
-- depends_on: {{ ref('fct_kpi_explanations') }}
-- depends_on: {{ ref('fct_kpi_flags') }}
{% set marts_schema = ref('dim_date').schema -%}
{%- set allowed_name_columns = [
    'org_unit_name', 'org_unit_name_zh', 'org_unit_name_en',
    'plan_name',
    'kpi_name_zh', 'kpi_name_en',
    'source_name', 'source_name_zh',
] -%}
{%- set personal_patterns = [
    '%pseudonym%', '%name%', '%phone%', '%mobile%', '%mail%', '%addr%', '%petitioner%',
    '%contact%', '%birth%', '%national_id%', '%id_number%',
    '%姓名%', '%電話%', '%郵件%', '%地址%', '%身分證%', '%填報人%', '%陳情人%',
] %}

with mart_columns as (
    select table_schema, table_name, column_name
    from information_schema.columns
    where table_schema = '{{ marts_schema }}'
),

named_like_personal_data as (
    select
        table_schema,
        table_name,
        column_name,
        'column of ' || table_schema || ' named like personal data' as reason
    from mart_columns
    where lower(column_name) like any(array[
        {%- for p in personal_patterns %}
        '{{ p }}'{{ ',' if not loop.last }}
        {%- endfor %}
    ])
      and lower(column_name) not in (
        {%- for c in allowed_name_columns %}
        '{{ c }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )
),

pseudonyms_readable_by_bi as (
    select
        n.nspname::text as table_schema,
        c.relname::text as table_name,
        a.attname::text as column_name,
        'pseudonym readable by role ' || r.rolname as reason
    from pg_catalog.pg_attribute as a
    inner join pg_catalog.pg_class as c on c.oid = a.attrelid
    inner join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    cross join pg_catalog.pg_roles as r
    where r.rolname = 'bi_reader'
      and c.relkind in ('r', 'v', 'm', 'p', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema')
      and a.attnum > 0
      and not a.attisdropped
      and lower(a.attname) like '%pseudonym%'
      and has_schema_privilege(r.oid, n.oid, 'USAGE')
      and has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')
)

select * from named_like_personal_data
union all
select * from pseudonyms_readable_by_bi

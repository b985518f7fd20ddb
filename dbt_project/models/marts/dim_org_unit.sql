{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='org_unit_code',
        on_schema_change='append_new_columns',
    )
}}
-- The org-unit list (int_org_units): ALL, the seed's departments, and 未知單位（code） for every code
-- a source uses that the seed lacks. Incremental so that a code once seen stays: status rows of
-- earlier as-of dates keep their unit after a corrected delivery stops using the code. A code the
-- seed learns or renames is replaced by the seed's row at the next build.
select
    org_unit_code,
    org_unit_name_zh,
    org_unit_name_en,
    org_unit_type,
    is_known
from {{ ref('int_org_units') }}

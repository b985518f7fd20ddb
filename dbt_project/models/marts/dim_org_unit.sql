-- Departments of the city government, plus ALL for the city as a whole (全市).
select
    'ALL'::text as org_unit_code,
    '全市'::text as org_unit_name_zh,
    'Whole city'::text as org_unit_name_en,
    'city'::text as org_unit_type
union all
select
    org_unit_code::text,
    org_unit_name_zh::text,
    org_unit_name_en::text,
    org_unit_type::text
from {{ ref('org_units') }}

-- The org-unit list every model resolves unit codes with (docs/sources.md#unknown-units): ALL for the city,
-- the departments of the seed org_units, and every code a source uses that the seed does not know,
-- named 未知單位（code） with is_known = false. Such a code is data the list does not know yet, not
-- a bad row: its records count for the city and the unit shows under this name until the seed
-- learns it, when it takes the seed's name without anything else changing.
with listed as (
    select
        org_unit_code::text as org_unit_code,
        org_unit_name_zh::text as org_unit_name_zh,
        org_unit_name_en::text as org_unit_name_en,
        org_unit_type::text as org_unit_type
    from {{ ref('org_units') }}
),

unknown as (
    select distinct org_unit_code
    from {{ ref('int_org_units__seen') }}
    where org_unit_code <> 'ALL'
      and org_unit_code not in (select org_unit_code from listed)
)

select 'ALL'::text as org_unit_code, '全市'::text as org_unit_name_zh, 'Whole city'::text as org_unit_name_en,
       'city'::text as org_unit_type, true as is_known

union all

select org_unit_code, org_unit_name_zh, org_unit_name_en, org_unit_type, true
from listed

union all

select org_unit_code, '未知單位（' || org_unit_code || '）', 'Unknown unit (' || org_unit_code || ')', 'unknown', false
from unknown

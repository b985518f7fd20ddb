-- The org-unit list every model resolves unit codes with (docs/sources.md#unknown-units): ALL for the city,
-- the departments of the seed org_units, and every code a source uses that the seed does not know,
-- named 未知單位（code） with is_known = false. Such a code is data the list does not know yet, not
-- a bad row: its records count for the city and the unit shows under this name until the seed
-- learns it, when it takes the seed's name without anything else changing.
with  __dbt__cte__org_units as (

-- Fixture for org_units
select 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast('民政處' as text)
 as "org_unit_name_zh", 
    
    cast('Department of Civil Affairs' as text)
 as "org_unit_name_en", 
    
    cast('department' as text)
 as "org_unit_type"
),  __dbt__cte__int_org_units__seen as (

-- Fixture for int_org_units__seen
select 
    
    cast('S2' as text)
 as "source_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as bigint) as "records", cast(null as date) as "first_date", cast(null as date) as "last_date", 
    
    cast('民政處（舊名）' as text)
 as "org_unit_name"
union all
select 
    
    cast('S2' as text)
 as "source_code", 
    
    cast('KL9999' as text)
 as "org_unit_code", cast(null as bigint) as "records", cast(null as date) as "first_date", cast(null as date) as "last_date", 
    
    cast('海洋事務處' as text)
 as "org_unit_name"
union all
select 
    
    cast('S3' as text)
 as "source_code", 
    
    cast('KL9999' as text)
 as "org_unit_code", cast(null as bigint) as "records", cast(null as date) as "first_date", cast(null as date) as "last_date", 
    
    cast('海洋事務處' as text)
 as "org_unit_name"
union all
select 
    
    cast('S1' as text)
 as "source_code", 
    
    cast('KL8888' as text)
 as "org_unit_code", cast(null as bigint) as "records", cast(null as date) as "first_date", cast(null as date) as "last_date", cast(null as text) as "org_unit_name"
), listed as (
    select
        org_unit_code::text as org_unit_code,
        org_unit_name_zh::text as org_unit_name_zh,
        org_unit_name_en::text as org_unit_name_en,
        org_unit_type::text as org_unit_type
    from __dbt__cte__org_units
),

unknown as (
    select distinct org_unit_code
    from __dbt__cte__int_org_units__seen
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
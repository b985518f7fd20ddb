
-- Fixture for int_org_units
select 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as text) as "org_unit_name_en", cast(null as text) as "org_unit_type", cast(null as boolean) as "is_known"
union all
select 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast('綜合發展處' as text)
 as "org_unit_name_zh", cast(null as text) as "org_unit_name_en", cast(null as text) as "org_unit_type", cast(null as boolean) as "is_known"
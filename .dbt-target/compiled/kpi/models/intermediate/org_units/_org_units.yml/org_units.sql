
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
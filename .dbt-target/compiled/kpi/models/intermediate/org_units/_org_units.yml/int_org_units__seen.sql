
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
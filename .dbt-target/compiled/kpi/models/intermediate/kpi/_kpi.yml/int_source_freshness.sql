
-- Fixture for int_source_freshness
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S1' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('公文系統統計' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S2' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('人民陳情案件系統' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(False as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S3' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('歲出預算執行明細表' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S4' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('管考填報登記表' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S5' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('人事系統月報' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
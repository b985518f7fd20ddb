
-- Fixture for int_source_freshness
select 
    
    cast('2024-12-31' as date)
 as "as_of_date", 
    
    cast('S1' as text)
 as "source_code", cast(null as text) as "source_name", cast(null as text) as "source_name_zh", 
    
    cast('2023-05-02' as date)
 as "earliest_date", cast(null as date) as "newest_date", cast(null as boolean) as "is_fresh"
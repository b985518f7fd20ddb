
-- Fixture for dim_status
select 
    
    cast('stale' as text)
 as "status", 
    
    cast('資料逾期' as text)
 as "status_zh", cast(null as text) as "status_en", cast(null as integer) as "status_sort", cast(null as boolean) as "is_flagged", cast(null as text) as "severity", cast(null as text) as "colour", cast(null as text) as "colour_zh", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex", cast(null as text) as "applies_to"
union all
select 
    
    cast('behind' as text)
 as "status", 
    
    cast('落後' as text)
 as "status_zh", cast(null as text) as "status_en", cast(null as integer) as "status_sort", cast(null as boolean) as "is_flagged", cast(null as text) as "severity", cast(null as text) as "colour", cast(null as text) as "colour_zh", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex", cast(null as text) as "applies_to"
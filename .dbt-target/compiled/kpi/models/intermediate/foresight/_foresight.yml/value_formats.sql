
-- Fixture for value_formats
select 
    
    cast('count' as text)
 as "value_format", 
    
    cast(1 as numeric)
 as "scale", 
    
    cast(0 as integer)
 as "decimals", 
    
    cast('{n} {unit}' as text)
 as "text_pattern", cast(null as text) as "value_format_zh"
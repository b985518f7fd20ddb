
-- Fixture for dim_alert_severity
select 
    
    cast('red' as text)
 as "severity", 
    
    cast('落後／未達成' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
union all
select 
    
    cast('yellow' as text)
 as "severity", 
    
    cast('有落後風險' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
union all
select 
    
    cast('grey' as text)
 as "severity", 
    
    cast('資料未及時更新' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
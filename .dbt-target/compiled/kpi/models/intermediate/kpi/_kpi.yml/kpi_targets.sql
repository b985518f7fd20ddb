
-- Fixture for kpi_targets
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(113 as integer)
 as "roc_year", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(111500 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast(114 as integer)
 as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(120000 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
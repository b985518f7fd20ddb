
-- Fixture for kpi_targets
select 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(1200 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(2 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(0.82 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", cast(null as integer) as "roc_year", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(0.82 as numeric)
 as "target_value", cast(null as text) as "target_text_zh"

-- Fixture for int_kpi_daily_paths
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-03-31' as date)
 as "calendar_date", 
    
    cast(60 as integer)
 as "working_days_elapsed", 
    
    cast(500 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-03-30' as date)
 as "calendar_date", 
    
    cast(59 as integer)
 as "working_days_elapsed", 
    
    cast(495 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-12-31' as date)
 as "calendar_date", 
    
    cast(248 as integer)
 as "working_days_elapsed", 
    
    cast(1250 as numeric)
 as "value_to_date", 
    
    cast(1250 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
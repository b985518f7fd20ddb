
-- Fixture for int_kpi_daily_paths__ratios
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0800' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-10-31' as date)
 as "calendar_date", 
    
    cast(200 as integer)
 as "working_days_elapsed", 
    
    cast(2.4 as numeric)
 as "value_to_date", 
    
    cast(2.5 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('2023-01-31' as date)
 as "calendar_date", 
    
    cast(20 as integer)
 as "working_days_elapsed", 
    
    cast(null as numeric)
 as "value_to_date", 
    
    cast(0.83 as numeric)
 as "year_total", cast(null as integer) as "snapshot_month"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('2024-10-31' as date)
 as "calendar_date", 
    
    cast(200 as integer)
 as "working_days_elapsed", 
    
    cast(0.6 as numeric)
 as "value_to_date", 
    
    cast(0.8 as numeric)
 as "year_total", 
    
    cast(10 as integer)
 as "snapshot_month"
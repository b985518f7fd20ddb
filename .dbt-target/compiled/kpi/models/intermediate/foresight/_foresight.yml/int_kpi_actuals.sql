
-- Fixture for int_kpi_actuals
select 
    
    cast('2025-10-15' as date)
 as "as_of_date", 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", cast(null as numeric) as "actual_value", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", 
    
    cast('2026-08-20' as date)
 as "coverage_end_date", cast(null as boolean) as "is_final"
union all
select 
    
    cast('2025-10-15' as date)
 as "as_of_date", 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as numeric) as "actual_value", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", 
    
    cast('2025-11-30' as date)
 as "coverage_end_date", cast(null as boolean) as "is_final"
union all
select 
    
    cast('2025-10-15' as date)
 as "as_of_date", 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as numeric) as "actual_value", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", 
    
    cast(null as date)
 as "coverage_end_date", cast(null as boolean) as "is_final"
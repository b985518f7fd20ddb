
-- Fixture for int_hr__months_known
select 
    
    cast('2024-12-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(12 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(45 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2024-12-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(8 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(40 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-11-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(11 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(30 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-11-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(8 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(20 as bigint)
 as "learning_completed"
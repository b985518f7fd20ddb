
-- Fixture for int_hr__months_known
select 
    
    cast('2023-06-01' as date)
 as "year_month", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(6 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(9 as bigint)
 as "contract_staff", 
    
    cast(40 as bigint)
 as "civil_servants", 
    
    cast(10 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2023-12-01' as date)
 as "year_month", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(10 as bigint)
 as "contract_staff", 
    
    cast(40 as bigint)
 as "civil_servants", 
    
    cast(30 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2023-12-01' as date)
 as "year_month", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(10 as bigint)
 as "contract_staff", 
    
    cast(60 as bigint)
 as "civil_servants", 
    
    cast(50 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2024-11-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(12 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(50 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2024-11-01' as date)
 as "year_month", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(11 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(10 as bigint)
 as "contract_staff", 
    
    cast(50 as bigint)
 as "civil_servants", 
    
    cast(40 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-09-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(9 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(11 as bigint)
 as "contract_staff", 
    
    cast(100 as bigint)
 as "civil_servants", 
    
    cast(60 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-10-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(11 as bigint)
 as "contract_staff", 
    
    cast(100 as bigint)
 as "civil_servants", 
    
    cast(80 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-10-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(9 as bigint)
 as "contract_staff", 
    
    cast(100 as bigint)
 as "civil_servants", 
    
    cast(70 as bigint)
 as "learning_completed"
union all
select 
    
    cast('2025-12-01' as date)
 as "year_month", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(30 as bigint)
 as "contract_staff", 
    
    cast(100 as bigint)
 as "civil_servants", 
    
    cast(100 as bigint)
 as "learning_completed"

-- Fixture for stg_hr__monthly_staffing
select 
    
    cast('2025-11-01' as date)
 as "year_month", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "contract_staff", cast(null as bigint) as "civil_servants", cast(null as bigint) as "learning_completed"
union all
select 
    
    cast('2025-12-01' as date)
 as "year_month", cast(null as integer) as "year", cast(null as integer) as "month", cast(null as text) as "roc_year_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "contract_staff", cast(null as bigint) as "civil_servants", cast(null as bigint) as "learning_completed"
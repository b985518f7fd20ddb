
-- Fixture for int_documents__known
select 
    
    cast('2025-01-02' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", 
    
    cast(50 as bigint)
 as "docs_received_electronic", cast(null as bigint) as "docs_sent", 
    
    cast(30 as bigint)
 as "docs_sent_electronic", 
    
    cast(10 as bigint)
 as "docs_closed", 
    
    cast(10.0 as numeric)
 as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('2025-01-03' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", 
    
    cast(5 as bigint)
 as "docs_received_electronic", cast(null as bigint) as "docs_sent", 
    
    cast(5 as bigint)
 as "docs_sent_electronic", 
    
    cast(1 as bigint)
 as "docs_closed", 
    
    cast(12.0 as numeric)
 as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
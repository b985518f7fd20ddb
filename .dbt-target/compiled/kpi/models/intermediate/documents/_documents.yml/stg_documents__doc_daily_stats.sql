
-- Fixture for stg_documents__doc_daily_stats
select 
    
    cast('2025-03-31' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(10 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-01 01:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-31' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(99 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-01 08:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-30' as date)
 as "stat_date", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(20 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-03 09:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-30' as date)
 as "stat_date", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(21 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-04 09:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-04-01' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(50 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-02 01:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
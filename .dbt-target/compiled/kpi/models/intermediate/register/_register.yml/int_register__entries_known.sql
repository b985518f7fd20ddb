
-- Fixture for int_register__entries_known
select 
    
    cast('a' as text)
 as "entry_id", 
    
    cast('K6.2' as text)
 as "kpi_code", 
    
    cast('2023-03-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", 
    
    cast('訴願會第1次會議' as text)
 as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", 
    
    cast('2023-03-02 09:00:00+08' as timestamp with time zone)
 as "entered_at", cast(null as bigint) as "source_line"
union all
select 
    
    cast('b' as text)
 as "entry_id", 
    
    cast('K6.2' as text)
 as "kpi_code", 
    
    cast('2023-03-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", 
    
    cast('訴願會第1次會議' as text)
 as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", 
    
    cast('2023-03-03 10:00:00+08' as timestamp with time zone)
 as "entered_at", cast(null as bigint) as "source_line"
union all
select 
    
    cast('c' as text)
 as "entry_id", 
    
    cast('K6.4' as text)
 as "kpi_code", 
    
    cast('2025-02-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", cast(null as text) as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", cast(null as timestamp with time zone) as "entered_at", cast(null as bigint) as "source_line"

-- Fixture for stg_register__entries
select cast(null as text) as "entry_id", 
    
    cast('K1.1' as text)
 as "kpi_code", 
    
    cast('2021-07-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", cast(null as text) as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", cast(null as timestamp with time zone) as "entered_at", cast(null as bigint) as "source_line"
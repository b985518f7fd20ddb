
-- Fixture for stg_petitions__case_versions
select 
    
    cast('KL113123000001' as text)
 as "case_id", cast(null as text) as "channel", cast(null as boolean) as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-30' as date)
 as "received_date", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", cast(null as text) as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2024-12-30 09:00:00+08' as timestamp with time zone)
 as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
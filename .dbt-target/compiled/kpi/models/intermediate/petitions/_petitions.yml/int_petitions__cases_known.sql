
-- Fixture for int_petitions__cases_known
select 
    
    cast('p01' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-31' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2025-01-30' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2024-12-31' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p02' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-02' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-12-31' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-01-01' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p03' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-12-30' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2025-01-29' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-01-20' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p04' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-07-01' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-07-31' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('withdrawn' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p05' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(True as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-03-01' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-03-08' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2024-03-04' as date)
 as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('p06' as text)
 as "case_id", cast(null as text) as "channel", 
    
    cast(True as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2024-03-02' as date)
 as "received_date", cast(null as integer) as "received_year", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", 
    
    cast('2024-03-09' as date)
 as "due_date_effective", cast(null as boolean) as "due_date_derived", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", cast(null as timestamp with time zone) as "last_updated_at", cast(null as date) as "export_date", cast(null as text) as "source_file", cast(null as bigint) as "source_line", cast(null as date) as "valid_from", cast(null as date) as "valid_to"
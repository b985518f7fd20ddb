
-- Fixture for int_petitions__version_intervals
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-03' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-20 10:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-20' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251120.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-20' as date)
 as "valid_from", 
    
    cast('2025-11-25' as date)
 as "valid_to"
union all
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 23:59:59+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-25' as date)
 as "valid_from", 
    
    cast('2025-11-26' as date)
 as "valid_to"
union all
select 
    
    cast('A' as text)
 as "case_id", 
    
    cast('市長信箱' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-03' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('closed' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", 
    
    cast('2025-11-26' as date)
 as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-26 00:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('B' as text)
 as "case_id", 
    
    cast('臨櫃' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-26' as date)
 as "received_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-26 08:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('C' as text)
 as "case_id", 
    
    cast('書面' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-10' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-10 09:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-10' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251110.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-10' as date)
 as "valid_from", 
    
    cast('2025-11-24' as date)
 as "valid_to"
union all
select 
    
    cast('C' as text)
 as "case_id", 
    
    cast('書面' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-10' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast('2025-12-10' as date)
 as "due_date", cast(null as text) as "status_zh", 
    
    cast('withdrawn' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-24 17:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-24' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251124.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-24' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('D' as text)
 as "case_id", 
    
    cast('電子郵件' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-25' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 16:30:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-26' as date)
 as "valid_from", cast(null as date) as "valid_to"
union all
select 
    
    cast('E' as text)
 as "case_id", 
    
    cast('電子郵件' as text)
 as "channel", 
    
    cast(False as boolean)
 as "is_hotline_1999", cast(null as text) as "category", cast(null as text) as "sub_category", cast(null as timestamp with time zone) as "received_at", 
    
    cast('2025-11-25' as date)
 as "received_date", 
    
    cast('KL0200' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as date) as "due_date", cast(null as text) as "status_zh", 
    
    cast('open' as text)
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "district", 
    
    cast('2025-11-25 15:59:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id", 
    
    cast('2025-11-25' as date)
 as "valid_from", cast(null as date) as "valid_to"
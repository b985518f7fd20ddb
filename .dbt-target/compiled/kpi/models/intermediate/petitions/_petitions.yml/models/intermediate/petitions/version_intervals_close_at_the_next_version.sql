
-- post_hook: a case whose versions all left staging (its file delivered again without it) is in no
-- night's rows, so delete+insert never replaces it: rows of a delivery staging no longer holds go
-- Every S2 case version with the as-of dates it is the case's known version: [valid_from, valid_to),
-- valid_to null while no later version replaces it (docs/indicators.md#known-at-d; docs/sources.md#s2-petitions: the
-- latest 最後更新時間 wins, a tie goes to the later file). Independent of the as-of dates of the build,
-- so it is incremental: a new version closes the open interval of its case, so the cases with a
-- version newer (by load) than any here are recomputed whole and their rows replaced (delete+insert
-- on case_id); every other case keeps its intervals. A version replaced the same day was never the
-- one known at the end of a day and is left out.
with

 __dbt__cte__stg_petitions__case_versions as (

-- Fixture for stg_petitions__case_versions
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-20 10:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-20' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251120.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-25 23:59:59+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-26 00:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-26 08:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-10 09:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-10' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251110.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-24 17:00:00+08' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-24' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251124.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-25 16:30:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-26' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251126.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
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
 as "status", cast(null as timestamp with time zone) as "closed_at", cast(null as date) as "closed_date", cast(null as text) as "petitioner_pseudonym", cast(null as text) as "district", 
    
    cast('2025-11-25 15:59:00+00' as timestamp with time zone)
 as "last_updated_at", 
    
    cast('2025-11-25' as date)
 as "export_date", 
    
    cast('petitions/petitions_20251125.csv' as text)
 as "source_file", cast(null as bigint) as "source_line", cast(null as bigint) as "_load_id"
), versions as (
    select
        *,
        -- known from the as-of date of its 最後更新時間 (Asia/Taipei) on
        (last_updated_at at time zone 'Asia/Taipei')::date as valid_from
    from __dbt__cte__stg_petitions__case_versions
),

intervals as (
    select
        *,
        lead(valid_from) over (
            partition by case_id
            order by last_updated_at, export_date nulls first, source_file, source_line
        ) as valid_to
    from versions
)

select
    case_id,
    channel,
    is_hotline_1999,
    category,
    sub_category,
    received_at,
    received_date,
    org_unit_code,
    org_unit_name,
    due_date,
    status_zh,
    status,
    closed_at,
    closed_date,
    district,
    last_updated_at,
    export_date,
    source_file,
    source_line,
    _load_id,
    valid_from,
    valid_to
from intervals
where coalesce(valid_to > valid_from, true)
-- Which department codes each source system uses, and whether the org-unit list knows them
-- (data quality: the report lists the unknown ones with their source and records).
select
    s.source_code::text as source_code,
    src.source_name::text as source_name,
    src.source_name_zh::text as source_name_zh,
    s.org_unit_code::text as org_unit_code,
    o.org_unit_name_zh::text as org_unit_name_zh,
    o.is_known::boolean as is_known,
    s.org_unit_name::text as org_unit_name,
    s.records::bigint as records,
    s.first_date::date as first_date,
    s.last_date::date as last_date
from {{ ref('int_org_units__seen') }} as s
inner join {{ ref('int_org_units') }} as o using (org_unit_code)
left join {{ ref('source_systems') }} as src using (source_code)

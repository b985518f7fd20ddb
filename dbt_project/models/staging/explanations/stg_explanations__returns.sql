-- S7 落後說明: one row per line of every explanation file in the landing directory (a re-delivered
-- file replaces its earlier rows at load). received_date is the day the file was loaded, in the
-- office's time zone (the session's). The person who filled it in (填報人) never reached raw.
select
    kpi_code::text as kpi_code,
    org_unit_code::text as org_unit_code,
    year::integer as year,
    as_of_date::date as as_of_date,
    nullif(trim(lag_reason), '')::text as lag_reason,
    nullif(trim(improvement_action), '')::text as improvement_action,
    expected_improvement_date::date as expected_improvement_date,
    _loaded_at::date as received_date,
    _loaded_at as received_at,
    _object::text as source_file,
    _record::bigint as source_line
from {{ source('explanations', 'returns') }}

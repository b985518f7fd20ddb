-- S1 rows known at d (kpi-rules.md "Data known at d": stat_date <= d).
select *
from {{ ref('stg_documents__doc_daily_stats') }}
where stat_date <= {{ as_of_date() }}

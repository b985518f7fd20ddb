-- Every version of each (stat_date, unit_code): the source revises its last few days in place, and a
-- run for an old as-of date must see the version that was current that night (int_documents__known).
select
    stat_date,
    unit_code as org_unit_code,
    unit_name as org_unit_name,
    recv_total as docs_received,
    recv_electronic as docs_received_electronic,
    sent_total as docs_sent,
    sent_electronic as docs_sent_electronic,
    closed_count as docs_closed,
    closed_days_sum::numeric as closed_days_sum,
    updated_at,
    _loaded_at as loaded_at
from {{ source('documents', 'doc_daily_stats') }}

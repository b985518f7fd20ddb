{{
    config(
        indexes=[{'columns': ['org_unit_code']}],
    )
}}
-- S1 document counts (公文統計) for BI, one row per (stat_date, org_unit_code): the latest version of
-- each day and unit, all days known (no as-of cut: BI shows the current figures).
with latest as (
    select distinct on (stat_date, org_unit_code) *
    from {{ ref('stg_documents__doc_daily_stats') }}
    order by stat_date, org_unit_code, updated_at desc
)

select
    stat_date::date as stat_date,
    org_unit_code::text as org_unit_code,
    org_unit_name::text as org_unit_name,
    docs_received::bigint as docs_received,
    docs_received_electronic::bigint as docs_received_electronic,
    docs_sent::bigint as docs_sent,
    docs_sent_electronic::bigint as docs_sent_electronic,
    docs_closed::bigint as docs_closed,
    closed_days_sum::numeric as closed_days_sum,
    (docs_received_electronic + docs_sent_electronic)::bigint as electronic_docs,
    (closed_days_sum / nullif(docs_closed, 0))::numeric as avg_closed_days
from latest


-- Fixture for stg_documents__doc_daily_stats
select cast(null as date) as "stat_date", cast(null as text) as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as bigint) as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", cast(null as timestamp with time zone) as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
    limit 0
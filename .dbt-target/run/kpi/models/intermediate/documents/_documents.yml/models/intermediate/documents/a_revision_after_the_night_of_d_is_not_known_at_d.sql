
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "stat_date","org_unit_code","docs_received", 'actual' as "actual_or_expected"
  from (
    

-- S1 versions known at some as-of date d of the build, each with the as-of dates at which it is the
-- known one: [valid_from, valid_to), valid_to null while no later version replaces it
-- (docs/indicators.md#known-at-d). At d a row of stat_date <= d counts in the version current when d's nightly run
-- started (updated_at <= d+1 02:00), so a backfill reproduces that night even after later revisions;
-- a day whose every version is newer (history loaded late) keeps its earliest. For one as-of date
-- this is one row per day and unit, as that night knew it.
with  __dbt__cte__stg_documents__doc_daily_stats as (

-- Fixture for stg_documents__doc_daily_stats
select 
    
    cast('2025-03-31' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(10 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-01 01:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-31' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(99 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-01 08:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-30' as date)
 as "stat_date", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(20 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-03 09:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-03-30' as date)
 as "stat_date", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(21 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-04 09:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
union all
select 
    
    cast('2025-04-01' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", 
    
    cast(50 as bigint)
 as "docs_received", cast(null as bigint) as "docs_received_electronic", cast(null as bigint) as "docs_sent", cast(null as bigint) as "docs_sent_electronic", cast(null as bigint) as "docs_closed", cast(null as numeric) as "closed_days_sum", 
    
    cast('2025-04-02 01:00:00+08' as timestamp with time zone)
 as "updated_at", cast(null as timestamp with time zone) as "loaded_at"
), versions as (
    select
        *,
        (((updated_at at time zone 'Asia/Taipei') - interval '26 hours')::date + case when ((updated_at at time zone 'Asia/Taipei') - interval '26 hours')::time > time '00:00' then 1 else 0 end) as first_known_on,
        row_number() over (partition by stat_date, org_unit_code order by updated_at) as version_no
    from __dbt__cte__stg_documents__doc_daily_stats
    where stat_date <= date '2025-03-31'
),

intervals as (
    select
        *,
        -- the earliest version also stands for the nights before it was known
        case when version_no = 1 then stat_date else greatest(stat_date, first_known_on) end as valid_from,
        lead(first_known_on) over (partition by stat_date, org_unit_code order by updated_at) as next_known_on
    from versions
),

bounded as (
    select
        *,
        -- (greatest skips nulls: the latest version has no end)
        case when next_known_on is not null then greatest(stat_date, next_known_on) end as valid_to
    from intervals
)

select
    stat_date,
    org_unit_code,
    org_unit_name,
    docs_received,
    docs_received_electronic,
    docs_sent,
    docs_sent_electronic,
    docs_closed,
    closed_days_sum,
    updated_at,
    valid_from,
    valid_to
from bounded
where valid_from <= date '2025-03-31'
    and coalesce(valid_to > date '2025-03-31', true)
    -- a version replaced before its own first night was never the one known
    and coalesce(valid_to > valid_from, true)
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "stat_date", "org_unit_code", "docs_received", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('2025-03-31' as date)
 as "stat_date", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(10 as bigint)
 as "docs_received"
union all
select 
    
    cast('2025-03-30' as date)
 as "stat_date", 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast(20 as bigint)
 as "docs_received"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{{ config(materialized='view') }}
-- Alerts of every as-of date (docs/indicators.md#alerts): each flagged status of d's year and the year before
-- (red: behind, missed; yellow: at_risk; flags and severities from the seed status_labels, which the
-- report and the e-mail colour by) and each source not fresh at d (grey).
-- A view of the published marts, not a table written after them: whatever step of a night fails,
-- the alerts of a date are those of its statuses and freshness as published, never of another
-- night. It covers every as-of date those marts hold, so a build of many dates needs nothing more.
-- Names, words and value texts come with each alert (kpi_status_labelled, dim_alert_severity), so a
-- BI tool's count by severity or an e-mail line needs no join and no CASE.
-- Beside each flag, the unit's explanation (S7, fct_kpi_flags); a flag without one for more than
-- KPI_EXPLANATION_DUE_DAYS working days raises its own alert (severity overdue, 未提出落後說明).
-- Early warnings (severity early_warning, 預警; docs/foresight.md): where the year-end projection
-- disagrees with the plan's status: on track but likely to miss (early_warning_miss), or flagged but
-- likely to achieve (early_warning_recover, so nobody is called to account for a Lunar New Year).
-- They are never flags: dim_status.is_flagged is false for them, and counts of flags leave them out.
-- The CTEs read by more than one branch are NOT MATERIALIZED: PostgreSQL would otherwise compute them once
-- for every as-of date in the marts before a query's date filter applies (8-14 s for one date of a
-- full history instead of 0.2 s); inlined, the filter reaches fct_kpi_status.
with statuses as not materialized (
    select * from {{ ref('kpi_status_labelled') }}
),

flags as not materialized (
    select
        s.*,
        f.flagged_since,
        f.working_days_flagged,
        f.explanation_due_days,
        f.lag_reason as explanation_reason,
        f.improvement_action as explanation_action,
        f.expected_improvement_date as explanation_expected_date,
        coalesce(f.is_explanation_overdue, false) as is_explanation_overdue
    from statuses as s
    left join {{ ref('fct_kpi_flags') }} as f using (as_of_date, kpi_code, org_unit_code, year)
    where s.is_flagged
      and s.year between extract(year from s.as_of_date)::int - 1 and extract(year from s.as_of_date)::int
),

overdue as (
    select status, status_zh from {{ ref('dim_status') }}
    where status = 'explanation_overdue'
),

early as (
    select
        s.*,
        case when s.is_flagged then 'early_warning_recover' else 'early_warning_miss' end as early_status
    from statuses as s
    where (s.status = 'on_track' and s.projected_status = 'likely_missed')
       or (s.is_flagged and s.projected_status = 'likely_achieved')
),

freshness as (
    select * from {{ ref('fct_source_freshness') }}
),

severities as (
    select * from {{ ref('dim_alert_severity') }}
),

stale as (
    select status_zh from {{ ref('dim_status') }}
    where status = 'stale'
),

computed as (
    select as_of_date, max(computed_at) as computed_at
    from statuses
    group by as_of_date
)

select
    s.as_of_date,
    s.kpi_code,
    s.org_unit_code,
    s.year,
    s.severity,
    s.status,
    s.status_reason as message,
    null::text as source_code,
    s.computed_at as created_at,
    s.kpi_name_zh,
    s.org_unit_name_zh,
    v.severity_zh,
    s.status_zh,
    (s.year < extract(year from s.as_of_date)::int)::boolean as is_prior_year,
    s.actual_text,
    s.target_text,
    s.explanation_reason,
    s.explanation_action,
    s.explanation_expected_date
from flags as s
left join severities as v using (severity)

union all

select
    s.as_of_date,
    s.kpi_code,
    s.org_unit_code,
    s.year,
    'overdue',
    o.status,
    '自 ' || {{ roc_date_text('s.flagged_since') }} || ' 起列為「' || s.status_zh || '」已 '
        || s.working_days_flagged || ' 個工作天，逾 ' || s.explanation_due_days || ' 個工作天仍未提出落後說明',
    null::text,
    s.computed_at,
    s.kpi_name_zh,
    s.org_unit_name_zh,
    v.severity_zh,
    o.status_zh,
    (s.year < extract(year from s.as_of_date)::int)::boolean,
    s.actual_text,
    s.target_text,
    null::text,
    null::text,
    null::date
from flags as s
cross join overdue as o
left join severities as v on v.severity = 'overdue'
where s.is_explanation_overdue

union all

select
    s.as_of_date,
    s.kpi_code,
    s.org_unit_code,
    s.year,
    'early_warning',
    e.status,
    '依計畫進度為「' || s.status_zh || '」；' || s.projection_reason,
    null::text,
    s.computed_at,
    s.kpi_name_zh,
    s.org_unit_name_zh,
    v.severity_zh,
    e.status_zh,
    (s.year < extract(year from s.as_of_date)::int)::boolean,
    s.actual_text,
    s.target_text,
    null::text,
    null::text,
    null::date
from early as s
inner join {{ ref('dim_status') }} as e on e.status = s.early_status
left join severities as v on v.severity = 'early_warning'

union all

select
    f.as_of_date,
    null::text,
    null::text,
    null::integer,
    'grey',
    'stale',
    f.source_name_zh
        || case when f.newest_date is null then '尚無任何資料'
                else '最新資料僅至 ' || {{ roc_date_text('f.newest_date') }} end
        || '，基準日 ' || {{ roc_date('f.as_of_date') }}
        || ' 資料未及時更新，相關指標仍依現有資料計算',
    f.source_code,
    c.computed_at,
    null::text,
    null::text,
    v.severity_zh,
    st.status_zh,
    false,
    null::text,
    null::text,
    null::text,
    null::text,
    null::date
from freshness as f
left join computed as c using (as_of_date)
left join severities as v on v.severity = 'grey'
cross join stale as st
where not f.is_fresh

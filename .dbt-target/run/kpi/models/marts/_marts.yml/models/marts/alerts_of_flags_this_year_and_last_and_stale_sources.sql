
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "as_of_date","kpi_code","org_unit_code","year","severity","status","message","source_code","kpi_name_zh","org_unit_name_zh","severity_zh","status_zh","is_prior_year","actual_text","target_text", 'actual' as "actual_or_expected"
  from (
    
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
with  __dbt__cte__kpi_status_labelled as (

-- Fixture for kpi_status_labelled
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('K7.2' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標甲' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('at_risk' as text)
 as "status", 
    
    cast('有落後風險' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(True as boolean)
 as "is_flagged", 
    
    cast('yellow' as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('r1' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", 
    
    cast('70%' as text)
 as "actual_text", 
    
    cast('80%' as text)
 as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('K7.2' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標甲' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('KL9999' as text)
 as "org_unit_code", 
    
    cast('未知單位（KL9999）' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('behind' as text)
 as "status", 
    
    cast('落後' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(True as boolean)
 as "is_flagged", 
    
    cast('red' as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('未知單位（KL9999）：r2' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", 
    
    cast('0%' as text)
 as "actual_text", 
    
    cast('80%' as text)
 as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標乙' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('missed' as text)
 as "status", 
    
    cast('未達成' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(True as boolean)
 as "is_flagged", 
    
    cast('red' as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('r3' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", 
    
    cast('5' as text)
 as "actual_text", 
    
    cast('10' as text)
 as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2023 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('K7.1' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標乙' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('missed' as text)
 as "status", 
    
    cast('未達成' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(True as boolean)
 as "is_flagged", 
    
    cast('red' as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('r4' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", cast(null as text) as "actual_text", cast(null as text) as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標丙' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('on_track' as text)
 as "status", 
    
    cast('進度正常' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(False as boolean)
 as "is_flagged", 
    
    cast(null as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('r5' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", cast(null as text) as "actual_text", cast(null as text) as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", cast(null as text) as "as_of_roc_text", cast(null as text) as "as_of_roc_long_text", 
    
    cast(2025 as integer)
 as "year", cast(null as integer) as "roc_year", cast(null as text) as "year_text", cast(null as boolean) as "is_as_of_year", 
    
    cast('C1.1' as text)
 as "kpi_code", cast(null as integer) as "kpi_sort", 
    
    cast('指標丁' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as text) as "kpi_label_zh", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as boolean) as "is_city", 
    
    cast('pending' as text)
 as "status", 
    
    cast('待結算' as text)
 as "status_zh", cast(null as integer) as "status_sort", 
    
    cast(False as boolean)
 as "is_flagged", 
    
    cast(null as text)
 as "severity", cast(null as text) as "status_colour", cast(null as text) as "status_colour_hex", cast(null as text) as "status_text_hex", 
    
    cast('r6' as text)
 as "status_reason", cast(null as boolean) as "source_fresh", cast(null as text) as "value_format", cast(null as text) as "unit_zh", cast(null as numeric) as "actual_value", cast(null as numeric) as "target_value", cast(null as numeric) as "expected_to_date", cast(null as text) as "actual_text", cast(null as text) as "target_text", cast(null as text) as "expected_text", cast(null as numeric) as "actual_pct", cast(null as numeric) as "actual_count", cast(null as numeric) as "actual_days", cast(null as numeric) as "target_pct", cast(null as numeric) as "target_count", cast(null as numeric) as "target_days", cast(null as numeric) as "expected_pct", cast(null as numeric) as "expected_count", cast(null as text) as "target_basis", cast(null as numeric) as "numerator", cast(null as numeric) as "denominator", cast(null as date) as "evaluation_date", cast(null as numeric) as "year_fraction", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "kpi_kind", cast(null as text) as "strategic_goal_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('2025-11-26 02:10:00+08' as timestamp with time zone)
 as "computed_at", cast(null as numeric) as "seasonal_expected_to_date", cast(null as text) as "seasonal_status", cast(null as text) as "seasonal_status_zh", cast(null as numeric) as "projected_year_end", cast(null as numeric) as "projected_low", cast(null as numeric) as "projected_high", cast(null as text) as "projection_basis", cast(null as text) as "projected_status", cast(null as text) as "projected_status_zh", cast(null as integer) as "projected_status_sort", cast(null as text) as "projection_reason", cast(null as text) as "projected_text", cast(null as text) as "projected_low_text", cast(null as text) as "projected_high_text", cast(null as numeric) as "achievement", cast(null as text) as "achievement_text"
),  __dbt__cte__fct_kpi_flags as (

-- Fixture for fct_kpi_flags
select cast(null as date) as "as_of_date", cast(null as text) as "kpi_code", cast(null as text) as "org_unit_code", cast(null as integer) as "year", cast(null as date) as "flagged_since", cast(null as integer) as "working_days_flagged", cast(null as integer) as "explanation_due_days", cast(null as date) as "explanation_as_of_date", cast(null as text) as "lag_reason", cast(null as text) as "improvement_action", cast(null as date) as "expected_improvement_date", cast(null as date) as "explanation_received_date", cast(null as boolean) as "is_explanation_overdue"
    limit 0
),  __dbt__cte__dim_status as (

-- Fixture for dim_status
select 
    
    cast('stale' as text)
 as "status", 
    
    cast('資料逾期' as text)
 as "status_zh", cast(null as text) as "status_en", cast(null as integer) as "status_sort", cast(null as boolean) as "is_flagged", cast(null as text) as "severity", cast(null as text) as "colour", cast(null as text) as "colour_zh", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex", cast(null as text) as "applies_to"
union all
select 
    
    cast('behind' as text)
 as "status", 
    
    cast('落後' as text)
 as "status_zh", cast(null as text) as "status_en", cast(null as integer) as "status_sort", cast(null as boolean) as "is_flagged", cast(null as text) as "severity", cast(null as text) as "colour", cast(null as text) as "colour_zh", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex", cast(null as text) as "applies_to"
),  __dbt__cte__fct_source_freshness as (

-- Fixture for fct_source_freshness
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S1' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('公文系統統計' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", 
    
    cast('2025-11-25' as date)
 as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S2' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('人民陳情案件系統' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", 
    
    cast('2025-11-20' as date)
 as "newest_date", 
    
    cast(False as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S5' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('人事系統月報' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", 
    
    cast(null as date)
 as "newest_date", 
    
    cast(False as boolean)
 as "is_fresh"
),  __dbt__cte__dim_alert_severity as (

-- Fixture for dim_alert_severity
select 
    
    cast('red' as text)
 as "severity", 
    
    cast('落後／未達成' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
union all
select 
    
    cast('yellow' as text)
 as "severity", 
    
    cast('有落後風險' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
union all
select 
    
    cast('grey' as text)
 as "severity", 
    
    cast('資料未及時更新' as text)
 as "severity_zh", cast(null as text) as "severity_en", cast(null as integer) as "severity_sort", cast(null as text) as "colour", cast(null as text) as "colour_hex", cast(null as text) as "colour_text_hex"
), statuses as not materialized (
    select * from __dbt__cte__kpi_status_labelled
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
    left join __dbt__cte__fct_kpi_flags as f using (as_of_date, kpi_code, org_unit_code, year)
    where s.is_flagged
      and s.year between extract(year from s.as_of_date)::int - 1 and extract(year from s.as_of_date)::int
),

overdue as (
    select status, status_zh from __dbt__cte__dim_status
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
    select * from __dbt__cte__fct_source_freshness
),

severities as (
    select * from __dbt__cte__dim_alert_severity
),

stale as (
    select status_zh from __dbt__cte__dim_status
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
    '自 ' || ((((extract(year from s.flagged_since))::int - 1911)::text || to_char(s.flagged_since, '/MM/DD')) || '（' || to_char(s.flagged_since, 'YYYY-MM-DD') || '）') || ' 起列為「' || s.status_zh || '」已 '
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
inner join __dbt__cte__dim_status as e on e.status = s.early_status
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
                else '最新資料僅至 ' || ((((extract(year from f.newest_date))::int - 1911)::text || to_char(f.newest_date, '/MM/DD')) || '（' || to_char(f.newest_date, 'YYYY-MM-DD') || '）') end
        || '，基準日 ' || (((extract(year from f.as_of_date))::int - 1911)::text || to_char(f.as_of_date, '/MM/DD'))
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
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "as_of_date", "kpi_code", "org_unit_code", "year", "severity", "status", "message", "source_code", "kpi_name_zh", "org_unit_name_zh", "severity_zh", "status_zh", "is_prior_year", "actual_text", "target_text", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('yellow' as text)
 as "severity", 
    
    cast('at_risk' as text)
 as "status", 
    
    cast('r1' as text)
 as "message", 
    
    cast(null as text)
 as "source_code", 
    
    cast('指標甲' as text)
 as "kpi_name_zh", 
    
    cast('全市' as text)
 as "org_unit_name_zh", 
    
    cast('有落後風險' as text)
 as "severity_zh", 
    
    cast('有落後風險' as text)
 as "status_zh", 
    
    cast(False as boolean)
 as "is_prior_year", 
    
    cast('70%' as text)
 as "actual_text", 
    
    cast('80%' as text)
 as "target_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast('KL9999' as text)
 as "org_unit_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('red' as text)
 as "severity", 
    
    cast('behind' as text)
 as "status", 
    
    cast('未知單位（KL9999）：r2' as text)
 as "message", 
    
    cast(null as text)
 as "source_code", 
    
    cast('指標甲' as text)
 as "kpi_name_zh", 
    
    cast('未知單位（KL9999）' as text)
 as "org_unit_name_zh", 
    
    cast('落後／未達成' as text)
 as "severity_zh", 
    
    cast('落後' as text)
 as "status_zh", 
    
    cast(False as boolean)
 as "is_prior_year", 
    
    cast('0%' as text)
 as "actual_text", 
    
    cast('80%' as text)
 as "target_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('red' as text)
 as "severity", 
    
    cast('missed' as text)
 as "status", 
    
    cast('r3' as text)
 as "message", 
    
    cast(null as text)
 as "source_code", 
    
    cast('指標乙' as text)
 as "kpi_name_zh", 
    
    cast('全市' as text)
 as "org_unit_name_zh", 
    
    cast('落後／未達成' as text)
 as "severity_zh", 
    
    cast('未達成' as text)
 as "status_zh", 
    
    cast(True as boolean)
 as "is_prior_year", 
    
    cast('5' as text)
 as "actual_text", 
    
    cast('10' as text)
 as "target_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast(null as text)
 as "kpi_code", 
    
    cast(null as text)
 as "org_unit_code", 
    
    cast(null as integer)
 as "year", 
    
    cast('grey' as text)
 as "severity", 
    
    cast('stale' as text)
 as "status", 
    
    cast('人民陳情案件系統最新資料僅至 114/11/20（2025-11-20），基準日 114/11/25 資料未及時更新，相關指標仍依現有資料計算' as text)
 as "message", 
    
    cast('S2' as text)
 as "source_code", 
    
    cast(null as text)
 as "kpi_name_zh", 
    
    cast(null as text)
 as "org_unit_name_zh", 
    
    cast('資料未及時更新' as text)
 as "severity_zh", 
    
    cast('資料逾期' as text)
 as "status_zh", 
    
    cast(False as boolean)
 as "is_prior_year", 
    
    cast(null as text)
 as "actual_text", 
    
    cast(null as text)
 as "target_text"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast(null as text)
 as "kpi_code", 
    
    cast(null as text)
 as "org_unit_code", 
    
    cast(null as integer)
 as "year", 
    
    cast('grey' as text)
 as "severity", 
    
    cast('stale' as text)
 as "status", 
    
    cast('人事系統月報尚無任何資料，基準日 114/11/25 資料未及時更新，相關指標仍依現有資料計算' as text)
 as "message", 
    
    cast('S5' as text)
 as "source_code", 
    
    cast(null as text)
 as "kpi_name_zh", 
    
    cast(null as text)
 as "org_unit_name_zh", 
    
    cast('資料未及時更新' as text)
 as "severity_zh", 
    
    cast('資料逾期' as text)
 as "status_zh", 
    
    cast(False as boolean)
 as "is_prior_year", 
    
    cast(null as text)
 as "actual_text", 
    
    cast(null as text)
 as "target_text"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
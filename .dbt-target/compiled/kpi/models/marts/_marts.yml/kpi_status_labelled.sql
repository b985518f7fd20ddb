
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
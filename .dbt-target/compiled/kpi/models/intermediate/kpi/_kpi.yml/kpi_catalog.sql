
-- Fixture for kpi_catalog
select 
    
    cast('K9.1' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", cast(null as text) as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
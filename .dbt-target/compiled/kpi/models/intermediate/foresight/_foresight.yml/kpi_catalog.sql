
-- Fixture for kpi_catalog
select 
    
    cast('K5.4' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('cumulative' as text)
 as "measure_type", 
    
    cast('deadlines' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", 
    
    cast('06-30;11-30' as text)
 as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('次' as text)
 as "unit_zh", 
    
    cast('count' as text)
 as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K5.2' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('cumulative' as text)
 as "measure_type", 
    
    cast('deadlines' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", 
    
    cast('12-31' as text)
 as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('冊' as text)
 as "unit_zh", 
    
    cast('count' as text)
 as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K5.3' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('cumulative' as text)
 as "measure_type", 
    
    cast('deadlines' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", 
    
    cast('03-31' as text)
 as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('冊' as text)
 as "unit_zh", 
    
    cast('count' as text)
 as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K2.7' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", cast(null as text) as "source_code", 
    
    cast('certificate' as text)
 as "measure_type", 
    
    cast('none' as text)
 as "progress_rule", 
    
    cast('none' as text)
 as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", 
    
    cast('式' as text)
 as "unit_zh", 
    
    cast('count' as text)
 as "value_format", cast(null as text) as "filter_note"
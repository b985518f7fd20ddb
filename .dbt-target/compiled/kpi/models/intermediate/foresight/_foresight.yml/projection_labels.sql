
-- Fixture for projection_labels
select 
    
    cast('likely_missed' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('可能未達目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
union all
select 
    
    cast('uncertain' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('尚難判斷能否達到目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
union all
select 
    
    cast('likely_achieved' as text)
 as "projected_status", cast(null as text) as "projected_status_zh", cast(null as text) as "projected_status_en", 
    
    cast('可望達成目標' as text)
 as "sentence_zh", cast(null as integer) as "projected_status_sort"
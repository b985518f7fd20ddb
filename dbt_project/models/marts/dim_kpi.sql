-- The catalog of the plan's 26 indicators, with each year's target spelled out.
with targets as (
    select
        kpi_code,
        string_agg(roc_year || '年 ' || target_text_zh, '；' order by roc_year) as targets_zh,
        max(year) as last_plan_year
    from {{ ref('kpi_targets') }}
    group by kpi_code
)

select
    c.kpi_code::text as kpi_code,
    c.kpi_kind::text as kpi_kind,
    c.goal_seq::integer as goal_seq,
    c.item_no::integer as item_no,
    c.kpi_name_zh::text as kpi_name_zh,
    c.kpi_name_en::text as kpi_name_en,
    c.strategic_goal_zh::text as strategic_goal_zh,
    c.goal_category_zh::text as goal_category_zh,
    c.evaluation_system::integer as evaluation_system,
    c.evaluation_method_zh::text as evaluation_method_zh,
    c.measure_standard_zh::text as measure_standard_zh,
    c.source_code::text as source_code,
    c.measure_type::text as measure_type,
    c.progress_rule::text as progress_rule,
    c.direction::text as direction,
    c.tolerance::numeric as tolerance,
    c.deadlines::text as deadlines,
    c.per_department::boolean as per_department,
    c.unit_zh::text as unit_zh,
    c.value_format::text as value_format,
    t.targets_zh::text as targets_zh,
    t.last_plan_year::integer as last_plan_year
from {{ ref('kpi_catalog') }} as c
left join targets as t using (kpi_code)

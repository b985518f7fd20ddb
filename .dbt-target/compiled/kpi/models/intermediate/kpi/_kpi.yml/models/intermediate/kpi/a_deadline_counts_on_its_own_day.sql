-- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).
-- No nested loops: over a range of as-of dates the planner takes the five-key joins below for
-- one row each and loops over every date's freshness and units (minutes instead of seconds).


-- One status per KPI, year and unit by the rules of docs/indicators.md#statuses, with the sentence a
-- person needs to check it. Tolerances, deadlines and targets come from the catalog seeds.
-- Write-audit-publish: this table is the audited copy of d's statuses. Every test that guards them
-- runs on it (_kpi.yml, single-parent tests, so they run inside this node's task), and only then do
-- fct_kpi_status and fct_source_freshness publish d; a failed test leaves every mart of d as it was.
with  __dbt__cte__kpi_catalog as (

-- Fixture for kpi_catalog
select 
    
    cast('K5.4' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", 
    
    cast('編撰施政總報告' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", 
    
    cast('S4' as text)
 as "source_code", 
    
    cast('cumulative' as text)
 as "measure_type", 
    
    cast('deadlines' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", 
    
    cast('06-30;11-30' as text)
 as "deadlines", 
    
    cast(False as boolean)
 as "per_department", 
    
    cast('次' as text)
 as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
union all
select 
    
    cast('K5.3' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", 
    
    cast('彙編本府年度施政績效成果報告' as text)
 as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", 
    
    cast('S4' as text)
 as "source_code", 
    
    cast('cumulative' as text)
 as "measure_type", 
    
    cast('deadlines' as text)
 as "progress_rule", 
    
    cast('higher' as text)
 as "direction", cast(null as numeric) as "tolerance", 
    
    cast('03-31' as text)
 as "deadlines", 
    
    cast(False as boolean)
 as "per_department", 
    
    cast('冊' as text)
 as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
),  __dbt__cte__int_kpi_years as (
select date '2025-06-30' as as_of_date, 'K5.4' as kpi_code, 2025 as year, 114 as roc_year, true as is_current_year, date '2025-01-01' as year_start,
       date '2025-12-31' as year_end, date '2025-06-30' as evaluation_date, date '2025-07-30' as evaluation_date_30,
       181.0/365 as elapsed_fraction, 211.0/365 as elapsed_fraction_30
union all
select date '2025-03-30', 'K5.3', 2025, 114, true, date '2025-01-01', date '2025-12-31', date '2025-03-30', date '2025-04-29', 89.0/365, 119.0/365
),  __dbt__cte__int_kpi_actuals as (
select * from (values
  (date '2025-06-30', 'K5.4', 2025, 'ALL', 0::numeric, null::numeric, null::numeric, null::date, null::boolean),
  (date '2025-03-30', 'K5.3', 2025, 'ALL', 0::numeric, null::numeric, null::numeric, null::date, null::boolean)
) as t(as_of_date, kpi_code, year, org_unit_code, actual_value, numerator, denominator, coverage_end_date, is_final)
),  __dbt__cte__int_kpi_targets as (

-- Fixture for int_kpi_targets
select 
    
    cast('2025-06-30' as date)
 as "as_of_date", 
    
    cast('K5.4' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(2 as numeric)
 as "target_value", 
    
    cast(114 as integer)
 as "target_roc_year", 
    
    cast('plan' as text)
 as "target_basis"
union all
select 
    
    cast('2025-03-30' as date)
 as "as_of_date", 
    
    cast('K5.3' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(1 as numeric)
 as "target_value", 
    
    cast(114 as integer)
 as "target_roc_year", 
    
    cast('plan' as text)
 as "target_basis"
),  __dbt__cte__int_source_freshness as (

-- Fixture for int_source_freshness
select 
    
    cast('2025-06-30' as date)
 as "as_of_date", 
    
    cast('S4' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('管考填報登記表' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-03-30' as date)
 as "as_of_date", 
    
    cast('S4' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('管考填報登記表' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
),  __dbt__cte__int_org_units as (

-- Fixture for int_org_units
select 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('全市' as text)
 as "org_unit_name_zh", cast(null as text) as "org_unit_name_en", cast(null as text) as "org_unit_type", cast(null as boolean) as "is_known"
), catalog as (
    select * from __dbt__cte__kpi_catalog
),

years as (
    select * from __dbt__cte__int_kpi_years
),

actuals as (
    select * from __dbt__cte__int_kpi_actuals
),

scopes as (
    -- the city as a whole for every KPI and year; departments where the catalog says so
    select as_of_date, kpi_code, year, 'ALL' as org_unit_code from years
    union
    select a.as_of_date, a.kpi_code, a.year, a.org_unit_code
    from actuals as a
    inner join catalog as c using (kpi_code)
    inner join years using (as_of_date, kpi_code, year)
    where c.per_department and a.org_unit_code <> 'ALL'
),

joined as (
    select
        s.as_of_date,
        s.kpi_code,
        s.year,
        y.roc_year,
        s.org_unit_code,
        c.kpi_name_zh,
        c.measure_type,
        c.progress_rule,
        c.direction,
        c.unit_zh,
        c.source_code,
        coalesce(c.tolerance, case when c.measure_type = 'ratio' then 0.05 else 0 end) as tolerance,
        y.is_current_year,
        y.year_start,
        y.year_end,
        y.evaluation_date,
        y.evaluation_date_30,
        y.elapsed_fraction,
        y.elapsed_fraction_30,
        t.target_value,
        t.target_basis,
        t.target_roc_year,
        a.actual_value,
        a.numerator,
        a.denominator,
        a.coverage_end_date,
        a.is_final,
        coalesce(f.is_fresh, true) as source_fresh,
        f.source_name_zh,
        -- from the org-unit list: 全市, the seed's name, or 未知單位（code）; null only if the list
        -- missed a code, which the audit (a not_null test) stops before anything is published
        o.org_unit_name_zh,
        case
            when c.deadlines is not null and c.deadlines <> '' then string_to_array(c.deadlines, ';')
        end as deadline_list
    from scopes as s
    inner join catalog as c using (kpi_code)
    inner join years as y using (as_of_date, kpi_code, year)
    inner join __dbt__cte__int_kpi_targets as t using (as_of_date, kpi_code, year)
    left join actuals as a using (as_of_date, kpi_code, year, org_unit_code)
    left join __dbt__cte__int_source_freshness as f on f.as_of_date = s.as_of_date and f.source_code = c.source_code
    left join __dbt__cte__int_org_units as o on o.org_unit_code = s.org_unit_code
),

expected as (
    select
        *,
        case
            when measure_type = 'cumulative' and progress_rule = 'deadlines' then
                (select count(*) from unnest(deadline_list) as d (md)
                 where to_date(year || '-' || md, 'YYYY-MM-DD') <= evaluation_date)::numeric
            when measure_type = 'cumulative' then floor(target_value * elapsed_fraction)
            when progress_rule = 'pro_rated' then target_value * elapsed_fraction
        end as expected_to_date,
        case
            when measure_type = 'cumulative' and progress_rule = 'deadlines' then
                (select count(*) from unnest(deadline_list) as d (md)
                 where to_date(year || '-' || md, 'YYYY-MM-DD') <= evaluation_date_30)::numeric
            when measure_type = 'cumulative' then floor(target_value * elapsed_fraction_30)
        end as expected_30
    from joined
),

judged as (
    select
        *,
        case
            when target_value is null then 'no_target'
            when progress_rule = 'year_end' and not coalesce(is_final, false) then 'pending'
            when actual_value is null then 'no_data'
            when not is_current_year then
                case
                    when measure_type = 'certificate'
                        then case when actual_value >= 1 then 'achieved' else 'missed' end
                    when direction = 'lower'
                        then case when actual_value <= target_value then 'achieved' else 'missed' end
                    else case when actual_value >= target_value then 'achieved' else 'missed' end
                end
            when measure_type = 'cumulative' then
                case
                    when actual_value >= target_value then 'achieved'
                    when actual_value < expected_to_date then 'behind'
                    when actual_value < expected_30 then 'at_risk'
                    else 'on_track'
                end
            when measure_type = 'ratio' and progress_rule = 'pro_rated' then
                case
                    when actual_value >= target_value then 'achieved'
                    when actual_value >= expected_to_date then 'on_track'
                    when actual_value >= expected_to_date - tolerance then 'at_risk'
                    else 'behind'
                end
            when measure_type = 'certificate' then
                case
                    when actual_value < 1 then 'behind'
                    when coverage_end_date < evaluation_date + 90 then 'at_risk'
                    else 'on_track'
                end
            when direction = 'lower' then
                case
                    when actual_value <= target_value then 'on_track'
                    when actual_value <= target_value + tolerance then 'at_risk'
                    else 'behind'
                end
            else
                case
                    when actual_value >= target_value then 'on_track'
                    when actual_value >= target_value - tolerance then 'at_risk'
                    else 'behind'
                end
        end as status
    from expected
),

worded as (
    select
        *,
        -- numbers as a person reads them: counts with separators, ratios as percentages
        case when measure_type in ('ratio', 'growth') then (trim(trailing '.' from trim(trailing '0' from to_char(round(((actual_value) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%')
             when measure_type = 'average' then trim(trailing '.' from trim(trailing '0' from to_char(round((actual_value)::numeric, 2), 'FM999,999,990.00'))) || ' ' || unit_zh
             else to_char((actual_value)::numeric, 'FM999,999,999,990') || ' ' || unit_zh end as actual_text,
        case when measure_type in ('ratio', 'growth') then (trim(trailing '.' from trim(trailing '0' from to_char(round(((target_value) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%')
             when measure_type = 'cumulative' then to_char((target_value)::numeric, 'FM999,999,999,990') || ' ' || unit_zh
             else trim(trailing '.' from trim(trailing '0' from to_char(round((target_value)::numeric, 2), 'FM999,999,990.00'))) || ' ' || unit_zh end as target_text,
        to_char((numerator)::numeric, 'FM999,999,999,990') || ' ÷ ' || to_char((denominator)::numeric, 'FM999,999,999,990') as fraction_text,
        roc_year || '年（' || year || '）' as year_text,
        to_char(evaluation_date, 'FMMM/FMDD') as md_text
    from judged
),

sentences as (
    select
        *,
        case
            when status = 'no_target' then year_text || '無年度目標值'
            when status = 'pending' then year_text || '12 月底預算執行資料尚未產生，待年度結算後判定'
            when status = 'no_data' then
                '截至 ' || roc_year || '/' || md_text || ' 尚無' || coalesce(source_name_zh, '') || '資料'
            when measure_type = 'cumulative' and not is_current_year then
                year_text || '全年累計 ' || actual_text || '，' || case when status = 'achieved' then '已達' else '未達' end
                || '年度目標 ' || target_text
            when measure_type = 'cumulative' and status = 'achieved' then
                '累計 ' || actual_text || '，已達年度目標 ' || target_text
            when measure_type = 'cumulative' then
                '累計 ' || actual_text || '，依進度至 ' || md_text
                || ' 應達 ' || to_char((expected_to_date)::numeric, 'FM999,999,999,990') || ' ' || unit_zh
                || case when status = 'at_risk' then '，至 ' || to_char(evaluation_date_30, 'FMMM/FMDD') || ' 應達 '
                        || to_char((expected_30)::numeric, 'FM999,999,999,990') || ' ' || unit_zh else '' end
                || '（年度目標 ' || target_text || '）'
            when measure_type = 'average' then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '平均 ' || actual_text || '（結案天數合計 ' || trim(trailing '.' from trim(trailing '0' from to_char(round((numerator)::numeric, 1), 'FM999,999,990.0'))) || ' 天 ÷ 結案 '
                || to_char((denominator)::numeric, 'FM999,999,999,990') || ' 件），目標不超過 ' || target_text
                || case when is_current_year
                        then '，容許至 ' || trim(trailing '.' from trim(trailing '0' from to_char(round((target_value + tolerance)::numeric, 2), 'FM999,999,990.00'))) || ' ' || unit_zh else '' end
            when measure_type = 'certificate' and actual_value >= 1 then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '每日皆在第三方驗證證書有效期間內，證書效期至 ' || to_char(coverage_end_date, 'YYYY-MM-DD')
                || case when status = 'at_risk' then '，距評估日不足 90 天，應辦理續證' else '' end
            when measure_type = 'certificate' then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '有 ' || to_char((denominator - numerator)::numeric, 'FM999,999,999,990') || ' 天不在證書有效期間內（涵蓋 '
                || to_char((numerator)::numeric, 'FM999,999,999,990') || ' ÷ ' || to_char((denominator)::numeric, 'FM999,999,999,990') || ' 天）'
            else
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || case when measure_type = 'growth' then '成長率 ' else '比率 ' end || actual_text
                || case when denominator is not null then '（' || fraction_text || '）' else '' end
                || case when progress_rule = 'pro_rated' and is_current_year and status <> 'achieved'
                        then '，依進度應達 ' || (trim(trailing '.' from trim(trailing '0' from to_char(round(((expected_to_date) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%') else '' end
                || '，目標 ' || case when direction = 'lower' then '不超過 ' else '' end || target_text
                || case when is_current_year and status in ('at_risk', 'behind')
                        then '，容許' || case when direction = 'lower'
                                                   then '上限 ' || (trim(trailing '.' from trim(trailing '0' from to_char(round(((target_value + tolerance) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%')
                                               else '下限 ' || (trim(trailing '.' from trim(trailing '0' from to_char(round(((target_value - tolerance) * 100)::numeric, 1), 'FM999,999,990.0'))) || '%') end
                        else '' end
        end as base_reason
    from worded
)

select
    as_of_date,
    kpi_code,
    year,
    roc_year,
    org_unit_code,
    org_unit_name_zh,
    kpi_name_zh,
    measure_type,
    evaluation_date,
    actual_value,
    numerator,
    denominator,
    target_value,
    target_basis,
    case when measure_type = 'cumulative' or progress_rule = 'pro_rated' then expected_to_date end as expected_to_date,
    status,
    case when org_unit_code = 'ALL' then '' else org_unit_name_zh || '：' end
        || base_reason
        || case when target_basis = 'carried_forward'
                then '（' || roc_year || '年無目標，沿用 ' || target_roc_year || '年目標）' else '' end
        as status_reason,
    source_fresh
from sentences
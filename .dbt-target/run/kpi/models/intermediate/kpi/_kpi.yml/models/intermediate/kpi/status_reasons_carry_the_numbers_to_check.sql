
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","org_unit_code","status_reason", 'actual' as "actual_or_expected"
  from (
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
select * from (values
  ('K1.1', '落實資訊機房暨設備管理與維護', 'cumulative', 'linear', 'higher', '次', 'S4', null::numeric, null, false),
  ('K7.2', '人民陳情案件結案率', 'ratio', 'none', 'higher', '%', 'S2', 0.05, null, true),
  ('K2.7', '核心資通系統導入 ISO/CNS 27001 並通過公正第三方之驗證', 'certificate', 'none', 'none', '式', 'S4', null, null, false),
  ('K7.1', '公文結案天數', 'average', 'none', 'lower', '天', 'S1', 0.2, null, true)
) as t(kpi_code, kpi_name_zh, measure_type, progress_rule, direction, unit_zh, source_code, tolerance, deadlines, per_department)
),  __dbt__cte__int_kpi_years as (
select date '2025-11-25' as as_of_date, * from (values
  ('K1.1', 2025, 114, true, date '2025-01-01', date '2025-12-31', date '2025-11-25', date '2025-12-25', 329.0/365, 359.0/365),
  ('K7.2', 2025, 114, true, date '2025-01-01', date '2025-12-31', date '2025-11-25', date '2025-12-25', 329.0/365, 359.0/365),
  ('K2.7', 2024, 113, false, date '2024-01-01', date '2024-12-31', date '2024-12-31', date '2024-12-31', 1.0, 1.0),
  ('K7.1', 2025, 114, true, date '2025-01-01', date '2025-12-31', date '2025-11-25', date '2025-12-25', 329.0/365, 359.0/365)
) as t(kpi_code, year, roc_year, is_current_year, year_start, year_end, evaluation_date,
       evaluation_date_30, elapsed_fraction, elapsed_fraction_30)
),  __dbt__cte__int_kpi_actuals as (
select date '2025-11-25' as as_of_date, * from (values
  ('K1.1', 2025, 'ALL', 10::numeric, null::numeric, null::numeric, null::date, null::boolean),
  ('K7.2', 2025, 'KL0300', 0.5, 40, 80, null, null),
  ('K7.2', 2025, 'KL9999', 0, 0, 1, null, null),
  ('K2.7', 2024, 'ALL', 0, 365, 366, null, null),
  ('K7.1', 2025, 'ALL', 2.1333333, 32, 15, null, null)
) as t(kpi_code, year, org_unit_code, actual_value, numerator, denominator, coverage_end_date, is_final)
),  __dbt__cte__int_kpi_targets as (
select date '2025-11-25' as as_of_date, * from (values
  ('K1.1', 2025, 12::numeric, 113, 'carried_forward'),
  ('K7.2', 2025, 0.8, 114, 'plan'),
  ('K2.7', 2024, 1, 113, 'plan'),
  ('K7.1', 2025, 2, 114, 'plan')
) as t(kpi_code, year, target_value, target_roc_year, target_basis)
),  __dbt__cte__int_source_freshness as (

-- Fixture for int_source_freshness
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S1' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('公文系統統計' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
 as "as_of_date", 
    
    cast('S2' as text)
 as "source_code", cast(null as text) as "source_name", 
    
    cast('人民陳情案件系統' as text)
 as "source_name_zh", cast(null as date) as "earliest_date", cast(null as date) as "newest_date", 
    
    cast(True as boolean)
 as "is_fresh"
union all
select 
    
    cast('2025-11-25' as date)
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
union all
select 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast('綜合發展處' as text)
 as "org_unit_name_zh", cast(null as text) as "org_unit_name_en", cast(null as text) as "org_unit_type", cast(null as boolean) as "is_known"
union all
select 
    
    cast('KL9999' as text)
 as "org_unit_code", 
    
    cast('未知單位（KL9999）' as text)
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
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "org_unit_code", "status_reason", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('K1.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('累計 10 次，依進度至 11/25 應達 10 次，至 12/25 應達 11 次（年度目標 12 次）（114年無目標，沿用 113年目標）' as text)
 as "status_reason"
union all
select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('截至 114/11/25 尚無人民陳情案件系統資料' as text)
 as "status_reason"
union all
select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast('KL0300' as text)
 as "org_unit_code", 
    
    cast('綜合發展處：截至 11/25 比率 50%（40 ÷ 80），目標 80%，容許下限 75%' as text)
 as "status_reason"
union all
select 
    
    cast('K7.2' as text)
 as "kpi_code", 
    
    cast('KL9999' as text)
 as "org_unit_code", 
    
    cast('未知單位（KL9999）：截至 11/25 比率 0%（0 ÷ 1），目標 80%，容許下限 75%' as text)
 as "status_reason"
union all
select 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('113年（2024）全年有 1 天不在證書有效期間內（涵蓋 365 ÷ 366 天）' as text)
 as "status_reason"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast('截至 11/25 平均 2.13 天（結案天數合計 32 天 ÷ 結案 15 件），目標不超過 2 天，容許至 2.2 天' as text)
 as "status_reason"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
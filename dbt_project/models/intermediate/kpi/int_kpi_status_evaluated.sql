-- A table, not a view: its data tests and every model downstream would otherwise each re-run the
-- whole chain over every petition version (about 8 s each on five years of demo data).
-- No nested loops: over a range of as-of dates the planner takes the five-key joins below for
-- one row each and loops over every date's freshness and units (minutes instead of seconds).
{{ config(materialized='table', pre_hook="set local enable_nestloop = off") }}

-- One status per KPI, year and unit by the rules of docs/indicators.md#statuses, with the sentence a
-- person needs to check it. Tolerances, deadlines and targets come from the catalog seeds.
-- Write-audit-publish: this table is the audited copy of d's statuses. Every test that guards them
-- runs on it (_kpi.yml, single-parent tests, so they run inside this node's task), and only then do
-- fct_kpi_status and fct_source_freshness publish d; a failed test leaves every mart of d as it was.
with catalog as (
    select * from {{ ref('kpi_catalog') }}
),

years as (
    select * from {{ ref('int_kpi_years') }}
),

actuals as (
    select * from {{ ref('int_kpi_actuals') }}
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
    inner join {{ ref('int_kpi_targets') }} as t using (as_of_date, kpi_code, year)
    left join actuals as a using (as_of_date, kpi_code, year, org_unit_code)
    left join {{ ref('int_source_freshness') }} as f on f.as_of_date = s.as_of_date and f.source_code = c.source_code
    left join {{ ref('int_org_units') }} as o on o.org_unit_code = s.org_unit_code
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
        case when measure_type in ('ratio', 'growth') then {{ fmt_pct('actual_value') }}
             when measure_type = 'average' then {{ fmt_decimal('actual_value', 2) }} || ' ' || unit_zh
             else {{ fmt_count('actual_value') }} || ' ' || unit_zh end as actual_text,
        case when measure_type in ('ratio', 'growth') then {{ fmt_pct('target_value') }}
             when measure_type = 'cumulative' then {{ fmt_count('target_value') }} || ' ' || unit_zh
             else {{ fmt_decimal('target_value', 2) }} || ' ' || unit_zh end as target_text,
        {{ fmt_count('numerator') }} || ' ÷ ' || {{ fmt_count('denominator') }} as fraction_text,
        roc_year || '年（' || year || '）' as year_text,
        {{ fmt_md('evaluation_date') }} as md_text
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
                || ' 應達 ' || {{ fmt_count('expected_to_date') }} || ' ' || unit_zh
                || case when status = 'at_risk' then '，至 ' || {{ fmt_md('evaluation_date_30') }} || ' 應達 '
                        || {{ fmt_count('expected_30') }} || ' ' || unit_zh else '' end
                || '（年度目標 ' || target_text || '）'
            when measure_type = 'average' then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '平均 ' || actual_text || '（結案天數合計 ' || {{ fmt_decimal('numerator', 1) }} || ' 天 ÷ 結案 '
                || {{ fmt_count('denominator') }} || ' 件），目標不超過 ' || target_text
                || case when is_current_year
                        then '，容許至 ' || {{ fmt_decimal('target_value + tolerance', 2) }} || ' ' || unit_zh else '' end
            when measure_type = 'certificate' and actual_value >= 1 then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '每日皆在第三方驗證證書有效期間內，證書效期至 ' || to_char(coverage_end_date, 'YYYY-MM-DD')
                || case when status = 'at_risk' then '，距評估日不足 90 天，應辦理續證' else '' end
            when measure_type = 'certificate' then
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || '有 ' || {{ fmt_count('denominator - numerator') }} || ' 天不在證書有效期間內（涵蓋 '
                || {{ fmt_count('numerator') }} || ' ÷ ' || {{ fmt_count('denominator') }} || ' 天）'
            else
                case when is_current_year then '截至 ' || md_text || ' ' else year_text || '全年' end
                || case when measure_type = 'growth' then '成長率 ' else '比率 ' end || actual_text
                || case when denominator is not null then '（' || fraction_text || '）' else '' end
                || case when progress_rule = 'pro_rated' and is_current_year and status <> 'achieved'
                        then '，依進度應達 ' || {{ fmt_pct('expected_to_date') }} else '' end
                || '，目標 ' || case when direction = 'lower' then '不超過 ' else '' end || target_text
                || case when is_current_year and status in ('at_risk', 'behind')
                        then '，容許' || case when direction = 'lower'
                                                   then '上限 ' || {{ fmt_pct('target_value + tolerance') }}
                                               else '下限 ' || {{ fmt_pct('target_value - tolerance') }} end
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

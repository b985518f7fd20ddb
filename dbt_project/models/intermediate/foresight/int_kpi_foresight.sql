{{ config(materialized='table') }}

-- Beside each official status of d's year (int_kpi_status_evaluated, unchanged): the seasonal
-- expected value to date and the status it gives, and the year-end projection with its 80 % range
-- and one sentence (docs/foresight.md). For cumulative indicators with a linear progress rule (the
-- ones whose plan pace is a straight line), and for ratios and means judged against a flat target
-- (progress rule none) with a daily path (int_kpi_daily_paths__ratios: K7.1, K5.1), each scope
-- with earlier years; other rows get nulls. Set-based over every as-of date of the build: each row
-- joins the shares of its year at its working day (K5.1: at the month of the latest snapshot known).
-- Deadline indicators (K5.2–K5.4) and the certificate (K2.7) have no seasonal shape; their year end
-- follows from the plan itself (steps_and_certificate below): the steps still due, and whether the
-- certificate's validity covers the rest of the year.
with evaluated as (
    select
        e.as_of_date, e.kpi_code, e.year, e.roc_year, e.org_unit_code, e.actual_value, e.target_value,
        e.expected_to_date, e.status, e.evaluation_date, y.elapsed_fraction, c.unit_zh, c.direction,
        c.value_format, (c.measure_type = 'cumulative') as is_count
    from {{ ref('int_kpi_status_evaluated') }} as e
    inner join {{ ref('kpi_catalog') }} as c using (kpi_code)
    inner join {{ ref('int_kpi_years') }} as y using (as_of_date, kpi_code, year)
    where y.is_current_year
      and ((c.measure_type = 'cumulative' and c.progress_rule = 'linear')
           or (c.measure_type in ('ratio', 'average') and c.progress_rule = 'none'
               and e.kpi_code in {{ ratio_path_kpis() }}))
      and e.actual_value is not null
),

snapshot_months as (
    -- the S3 snapshots known in the build (K5.1's clock: the month of the latest one known at e)
    select distinct year, snapshot_month from {{ ref('int_budget__snapshots_known') }}
),

with_shares as (
    select
        e.*,
        s.n_years,
        s.first_earlier_year,
        s.last_earlier_year,
        s.share_mean,
        s.share_sd,
        s.share_min,
        s.share_max,
        s.remaining_mean,
        s.remaining_sd
    from evaluated as e
    inner join {{ ref('int_foresight__working_days') }} as w on w.calendar_date = e.evaluation_date
    left join lateral (
        select extract(month from max(sm.snapshot_month))::int as snapshot_month
        from snapshot_months as sm
        where e.kpi_code in {{ snapshot_kpis() }} and sm.year = e.year and sm.snapshot_month <= e.evaluation_date
    ) as m on true
    left join {{ ref('int_kpi_seasonal_shares') }} as s
        on s.kpi_code = e.kpi_code and s.org_unit_code = e.org_unit_code and s.year = e.year
        and {{ shares_clock('s') }} = {{ clock_at('e.kpi_code', 'w.working_days_elapsed', 'm.snapshot_month') }}
),

projected as (
    select
        *,
        -- ratios and means: the target scaled by the share is the value expected at this point
        case when n_years >= 2 and is_count then floor(target_value * share_mean)
             when n_years >= 2 then round(target_value * share_mean, 4)
             when is_count then expected_to_date end as seasonal_expected_to_date,
        {{ projection_method('actual_value', 'with_shares') }} as projection_method,
        {{ projected_value('actual_value', 'elapsed_fraction', 'with_shares', 'is_count') }} as projected_year_end,
        {{ projected_low('actual_value', 'with_shares', 'is_count') }} as projected_low,
        {{ projected_high('actual_value', 'with_shares', 'is_count') }} as projected_high
    from with_shares
),

judged as (
    select
        *,
        case
            when target_value is null then null
            -- a ratio or mean is judged at year end only: never achieved before
            when is_count and actual_value >= target_value then 'achieved'
            when seasonal_expected_to_date is null then null
            when direction = 'lower' and actual_value > seasonal_expected_to_date then 'behind'
            when coalesce(direction, 'higher') <> 'lower' and actual_value < seasonal_expected_to_date then 'behind'
            else 'on_track'
        end as seasonal_status,
        {{ projected_status('projected_year_end', 'projected_low', 'target_value', 'projected_high',
                             'direction', 'n_years') }}
            as projected_status,
        case when n_years >= 2
             then '過去 ' || n_years || ' 年（' || (first_earlier_year - 1911) || '–' || (last_earlier_year - 1911) || '）'
             end as years_text
    from projected
),

-- Deadline indicators: A steps done; the steps whose deadline is after e are still due. If each is
-- done by its deadline, the year ends at A + due: the range is A (none done) … A + due.
-- Certificate: covered days so far c of the days so far p, validity to v (the interval covering e;
-- none when e is not covered), N days in the year. Low = (c + days from e+1 to min(v, 12-31)) ÷ N,
-- the share of the year covered if it is not renewed; high = projected = (c + days from e+1 to 12-31)
-- ÷ N, renewed in time (as usual). A gap so far (c < p) keeps both below 1: likely_missed.
steps_and_certificate as (
    select
        e.as_of_date, e.kpi_code, e.year, e.org_unit_code, e.roc_year, e.actual_value, e.target_value,
        c.measure_type, c.unit_zh,
        (select count(*) from unnest(string_to_array(c.deadlines, ';')) as dl (md)
         where to_date(e.year || '-' || dl.md, 'YYYY-MM-DD') > e.evaluation_date) as still_due,
        (select string_agg(replace(dl.md, '-', '/'), '、' order by dl.md)
         from unnest(string_to_array(c.deadlines, ';')) as dl (md)
         where to_date(e.year || '-' || dl.md, 'YYYY-MM-DD') > e.evaluation_date) as due_text,
        e.numerator as covered_days,
        e.denominator as period_days,
        a.coverage_end_date,
        e.numerator < e.denominator as has_gap,
        (make_date(e.year, 12, 31) - e.evaluation_date) as days_left,
        (make_date(e.year + 1, 1, 1) - make_date(e.year, 1, 1)) as days_in_year
    from {{ ref('int_kpi_status_evaluated') }} as e
    inner join {{ ref('kpi_catalog') }} as c using (kpi_code)
    inner join {{ ref('int_kpi_years') }} as y using (as_of_date, kpi_code, year)
    left join {{ ref('int_kpi_actuals') }} as a using (as_of_date, kpi_code, year, org_unit_code)
    where y.is_current_year
      and e.actual_value is not null
      and ((c.measure_type = 'cumulative' and c.progress_rule = 'deadlines') or c.measure_type = 'certificate')
),

steps_projected as (
    select
        *,
        case when measure_type = 'certificate'
             then round((covered_days + days_left)::numeric / days_in_year, 4)
             else actual_value + still_due end as projected_year_end,
        case when measure_type = 'certificate'
             then round((covered_days + greatest(0, least(coalesce(coverage_end_date, make_date(year, 1, 1) - 1),
                         make_date(year, 12, 31)) - (make_date(year, 12, 31) - days_left)))::numeric / days_in_year, 4)
             else actual_value end as projected_low
    from steps_and_certificate
),

steps_judged as (
    select
        *,
        {{ projected_status('projected_year_end', 'projected_low', 'target_value') }} as projected_status
    from steps_projected
),

steps_rows as (
    select
        s.as_of_date,
        s.kpi_code,
        s.year,
        s.org_unit_code,
        null::numeric as seasonal_expected_to_date,
        null::text as seasonal_status,
        trim_scale(s.projected_year_end)::numeric as projected_year_end,
        trim_scale(s.projected_low)::numeric as projected_low,
        trim_scale(s.projected_year_end)::numeric as projected_high,
        (case
            when s.measure_type = 'certificate' then 'certificate validity' else 'deadlines (steps still due)'
        end)::text
            as projection_basis,
        s.projected_status::text as projected_status,
        (case
            when s.measure_type = 'certificate' and s.has_gap then
                '本年度已有 ' || {{ fmt_count('s.period_days - s.covered_days') }}
                || ' 天不在證書有效期間內，即使如期續證，全年至多涵蓋 '
                || {{ fmt_pct('s.projected_year_end') }}
            when s.measure_type = 'certificate' and s.projected_low >= 1 then
                '證書效期至 ' || to_char(s.coverage_end_date, 'YYYY-MM-DD')
                || '，涵蓋' || s.roc_year || '年（' || s.year || '）其餘期間'
            when s.measure_type = 'certificate' then
                '證書效期至 ' || coalesce(to_char(s.coverage_end_date, 'YYYY-MM-DD'), '—') || '，年底前須完成續證（未續證則全年涵蓋 '
                || {{ fmt_pct('s.projected_low') }} || '）'
            when s.still_due = 0 then
                '已無未到期之期限，年底為 ' || {{ fmt_count('s.actual_value') }} || ' ' || s.unit_zh
            else
                '已完成 ' || {{ fmt_count('s.actual_value') }} || ' ' || s.unit_zh || '，年底前尚有 ' || s.still_due
                || ' 項期限（' || s.due_text || '），如期完成則' || s.roc_year || '年（' || s.year || '）年底為 '
                || {{ fmt_count('s.projected_year_end') }} || ' ' || s.unit_zh
         end
         || coalesce('，' || l.sentence_zh
                     || case when s.measure_type = 'certificate' then ''
                             else ' ' || {{ fmt_count('s.target_value') }} || ' ' || s.unit_zh end, '')
        )::text as projection_reason
    from steps_judged as s
    left join {{ ref('projection_labels') }} as l using (projected_status)
),

seasonal_rows as (
select
    j.as_of_date,
    j.kpi_code,
    j.year,
    j.org_unit_code,
    trim_scale(j.seasonal_expected_to_date)::numeric as seasonal_expected_to_date,
    j.seasonal_status::text as seasonal_status,
    trim_scale(j.projected_year_end)::numeric as projected_year_end,
    trim_scale(j.projected_low)::numeric as projected_low,
    trim_scale(j.projected_high)::numeric as projected_high,
    (case j.projection_method
        when 'seasonal_share' then 'seasonal_share ' || j.first_earlier_year || '-' || j.last_earlier_year
        when 'seasonal_remaining' then 'seasonal_remaining ' || j.first_earlier_year || '-' || j.last_earlier_year
        else 'linear (fewer than 2 earlier years)' end)::text as projection_basis,
    j.projected_status::text as projected_status,
    (case j.projection_method
        when 'seasonal_share' then
            j.years_text || case when j.is_count then '同期累計約占全年 ' else '同期數值約為全年之 ' end
            || {{ fmt_decimal('j.share_min * 100', 0) }} || '–'
            || {{ fmt_decimal('j.share_max * 100', 0) }} || '%（平均 ' || {{ fmt_pct('j.share_mean') }} || '）'
        when 'seasonal_remaining' then
            j.years_text || '同期之後平均再增加 ' || {{ fmt_decimal('j.remaining_mean', 1) }} || ' ' || j.unit_zh
        when 'linear' then
            case when j.is_count then '過去資料不足 2 年，依直線進度（已過全年 ' || {{ fmt_pct('j.elapsed_fraction') }} || '）'
                 else '過去資料不足 2 年，以目前數值推估' end
     end
     || '，推估' || (j.roc_year) || '年（' || j.year || '）年底約 '
     || case when j.is_count then {{ fmt_count('j.projected_year_end') }} || ' ' || j.unit_zh
             else {{ fmt_value('j.projected_year_end', 'fmt', 'j.unit_zh') }} end
     || case when j.projected_low is not null and j.is_count
             then '（' || {{ fmt_count('j.projected_low') }} || '–'
                  || coalesce({{ fmt_count('j.projected_high') }}, '—') || ' ' || j.unit_zh || '）'
             when j.projected_low is not null
             then '（' || {{ fmt_value('j.projected_low', 'fmt', 'j.unit_zh') }} || '–'
                  || coalesce({{ fmt_value('j.projected_high', 'fmt', 'j.unit_zh') }}, '—') || '）'
             else '' end
     || coalesce('，' || l.sentence_zh || ' '
                 || case when j.is_count then {{ fmt_count('j.target_value') }} || ' ' || j.unit_zh
                         else {{ fmt_value('j.target_value', 'fmt', 'j.unit_zh') }} end, '')
    )::text as projection_reason
from judged as j
left join {{ ref('projection_labels') }} as l using (projected_status)
left join {{ ref('value_formats') }} as fmt on fmt.value_format = j.value_format
where j.projected_year_end is not null
)

select * from seasonal_rows
union all
select * from steps_rows

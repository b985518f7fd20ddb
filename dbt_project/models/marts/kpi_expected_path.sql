-- The expected trajectory of each indicator over each as-of year, day by day
-- (docs/indicators.md#expected-path), for charts: day 0 is the start of the year (f = 0), day n its end (f = 1).
-- Counts: ⌊T × f⌋ (linear) or the deadlines passed; pro-rated ratios: T × f; other indicators are
-- judged against the flat target and have no expected value. The tolerance band is where the rules
-- say at_risk: below T (higher is better), above T (lower is better), below T × f (pro-rated);
-- none for counts and certificates. T is the year's target as of the latest as-of date.
-- Beside it, the seasonal path of docs/foresight.md: ⌊T × mean share⌋ of the earlier years at the
-- day's working day, where there are 2 or more earlier years.
with targets as (
    select distinct on (kpi_code, year) kpi_code, year, target_value
    from {{ ref('fct_kpi_status') }}
    where org_unit_code = 'ALL' and year = extract(year from as_of_date)::int
    order by kpi_code, year, as_of_date desc
),

days as (
    select
        t.kpi_code,
        t.year,
        t.target_value,
        d.day_of_year,
        n.days_in_year,
        d.day_of_year::numeric / n.days_in_year as f
    from targets as t
    cross join lateral (select (make_date(t.year + 1, 1, 1) - make_date(t.year, 1, 1)) as days_in_year) as n
    cross join lateral generate_series(0, n.days_in_year) as d (day_of_year)
),

valued as (
    select
        d.*,
        k.measure_type,
        k.progress_rule,
        k.direction,
        {{ kpi_tolerance('k') }} as tolerance,
        case
            when d.target_value is null then null
            when k.measure_type = 'cumulative' and k.progress_rule = 'deadlines' then
                (select count(*) from unnest(string_to_array(k.deadlines, ';')) as dl (md)
                 where d.day_of_year > 0
                   and to_date(d.year || '-' || trim(dl.md), 'YYYY-MM-DD')
                   <= make_date(d.year, 1, 1) + d.day_of_year - 1)::numeric
            when k.measure_type = 'cumulative' then floor(d.target_value * d.f)
            when k.progress_rule = 'pro_rated' then d.target_value * d.f
        end as expected_value
    from days as d
    inner join {{ ref('dim_kpi') }} as k using (kpi_code)
)

select
    v.kpi_code::text as kpi_code,
    v.year::integer as year,
    day_of_year::integer as day_of_year,
    (case when day_of_year > 0 then make_date(v.year, 1, 1) + day_of_year - 1 end)::date as date_day,
    f::numeric as year_fraction,
    target_value::numeric as target_value,
    expected_value::numeric as expected_value,
    (case
        when target_value is null or tolerance = 0 or measure_type in ('cumulative', 'certificate') then null
        when progress_rule = 'pro_rated' then target_value * f - tolerance
        when direction = 'lower' then target_value
        else target_value - tolerance
    end)::numeric as band_low,
    (case
        when target_value is null or tolerance = 0 or measure_type in ('cumulative', 'certificate') then null
        when progress_rule = 'pro_rated' then target_value * f
        when direction = 'lower' then target_value + tolerance
        else target_value
    end)::numeric as band_high,
    (case when s.n_years >= 2 then floor(v.target_value * s.share_mean) end)::numeric as seasonal_expected_value
from valued as v
left join {{ ref('int_foresight__working_days') }} as w
    on w.calendar_date = make_date(v.year, 1, 1) + v.day_of_year - 1 and v.day_of_year > 0
left join {{ ref('int_kpi_seasonal_shares') }} as s
    on s.kpi_code = v.kpi_code and s.org_unit_code = 'ALL' and s.year = v.year
    -- a snapshot indicator (K5.1) at the day's month: its snapshot of that month, due on its first day
    and {{ shares_clock('s') }} = {{ clock_at('v.kpi_code', 'coalesce(w.working_days_elapsed, 0)',
                                              'case when v.day_of_year > 0 then extract(month from w.calendar_date)::int end') }}

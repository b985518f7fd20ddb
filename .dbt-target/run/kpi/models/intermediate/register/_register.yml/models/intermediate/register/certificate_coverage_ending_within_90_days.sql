
    -- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select
    "kpi_code","year","org_unit_code","actual_value","numerator","denominator","coverage_end_date", 'actual' as "actual_or_expected"
  from (
    -- A table, not a view: over a range of as-of dates the status model joins it per date, and as a view
-- the planner misjudged its size by orders of magnitude (nested loops over every date).


-- S4 register measures (docs/indicators.md#measures), one row per (kpi_code, year, 'ALL'):
--   * counts (every cumulative S4 code of the catalog): rows with 辦理日期 in P; nothing recorded is 0;
--   * K2.7 certificate: is every day of P inside some certificate's [辦理日期, 有效期限]?
--   * K3.1 self-reported ratio: 數值 ÷ 分母 of the latest row in P (a tie goes to the later 填報時間).
-- Years run from the first year the register has data known at d through d's year; for a year Y the
-- evaluation day e is d in d's year, else Y-12-31, and P = Y-01-01 .. e. Per as-of date d of the
-- build: a row is known at d when 辦理日期 <= d, so counts are running totals over 辦理日期; the few
-- certificate and ratio rows are joined to each date.
with  __dbt__cte__int_register__entries_known as (

-- Fixture for int_register__entries_known
select cast(null as text) as "entry_id", 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast('2023-01-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", cast(null as text) as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", 
    
    cast('2026-01-31' as date)
 as "valid_until", cast(null as text) as "evidence_url", cast(null as timestamp with time zone) as "entered_at", cast(null as bigint) as "source_line"
union all
select cast(null as text) as "entry_id", 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast('2025-10-01' as date)
 as "event_date", cast(null as text) as "org_unit_name", cast(null as text) as "description", cast(null as numeric) as "value", cast(null as numeric) as "denominator", cast(null as date) as "valid_until", cast(null as text) as "evidence_url", cast(null as timestamp with time zone) as "entered_at", cast(null as bigint) as "source_line"
),  __dbt__cte__kpi_catalog as (

-- Fixture for kpi_catalog
select 
    
    cast('K2.7' as text)
 as "kpi_code", cast(null as text) as "kpi_kind", cast(null as integer) as "goal_seq", cast(null as integer) as "item_no", cast(null as text) as "strategic_goal_zh", cast(null as text) as "goal_category_zh", cast(null as text) as "kpi_name_zh", cast(null as text) as "kpi_name_en", cast(null as integer) as "evaluation_system", cast(null as text) as "evaluation_method_zh", cast(null as text) as "measure_standard_zh", 
    
    cast('S4' as text)
 as "source_code", 
    
    cast('certificate' as text)
 as "measure_type", cast(null as text) as "progress_rule", cast(null as text) as "direction", cast(null as numeric) as "tolerance", cast(null as text) as "deadlines", cast(null as boolean) as "per_department", cast(null as text) as "unit_zh", cast(null as text) as "value_format", cast(null as text) as "filter_note"
), entries as (
    select * from __dbt__cte__int_register__entries_known
),

as_of_dates as (
    select d::date as as_of_date
    from generate_series(date '2025-11-25', date '2025-11-25', interval '1 day') as d
),

first_years as (
    select d.as_of_date, extract(year from f.first_date)::int as first_year
    from as_of_dates as d
    inner join (select min(event_date) as first_date from entries) as f on f.first_date <= d.as_of_date
),

years as (
    select
        f.as_of_date,
        y.year,
        make_date(y.year, 1, 1) as period_start,
        e.evaluation_date,
        date_trunc('month', e.evaluation_date)::date as evaluation_month
    from first_years as f
    cross join lateral generate_series(f.first_year, extract(year from f.as_of_date)::int) as y(year)
    cross join lateral (
        select
            case
                when y.year = extract(year from f.as_of_date)::int then f.as_of_date
                else make_date(y.year, 12, 31)
            end as evaluation_date
    ) as e
),

-- counts -----------------------------------------------------------------------------------------
counted_codes as (
    select kpi_code
    from __dbt__cte__kpi_catalog
    where source_code = 'S4' and measure_type = 'cumulative'
),

running_counts as (
    -- per code and year, the count of rows up to each 辦理日期, held until the next one
    select
        kpi_code,
        extract(year from event_date)::int as year,
        event_date,
        lead(event_date) over w as next_event_date,
        sum(count(*)) over w as entry_count
    from entries
    group by kpi_code, extract(year from event_date)::int, event_date
    window w as (partition by kpi_code, extract(year from event_date)::int order by event_date)
),

counts_known as (
    select spread.as_of_day::date as as_of_date, r.kpi_code, r.year, r.entry_count
    from running_counts as r
    cross join lateral generate_series(
        greatest(r.event_date, date '2025-11-25'),
        least(coalesce(r.next_event_date - 1, 'infinity'::date), date '2025-11-25'),
        interval '1 day'
    ) as spread(as_of_day)
),

counts as (
    -- a code and year with nothing recorded still gets a row, with 0
    select
        y.as_of_date,
        c.kpi_code,
        y.year,
        coalesce(k.entry_count, 0) as entry_count
    from counted_codes as c
    cross join years as y
    left join counts_known as k
        on k.as_of_date = y.as_of_date
        and k.kpi_code = c.kpi_code
        and k.year = y.year
),

-- K2.7 certificate -------------------------------------------------------------------------------
certificates as (
    -- a row without 有效期限 (or expiring before it starts) covers no day; known at d from 辦理日期
    select d.as_of_date, e.event_date as valid_from, e.valid_until
    from entries as e
    inner join as_of_dates as d on e.event_date <= d.as_of_date
    where e.kpi_code = 'K2.7' and e.valid_until is not null and e.valid_until >= e.event_date
),

certificates_ordered as (
    select
        *,
        max(valid_until) over (
            partition by as_of_date
            order by valid_from, valid_until rows between unbounded preceding and 1 preceding
        ) as previous_max_until
    from certificates
),

certificates_grouped as (
    -- a new merged interval starts where a certificate neither overlaps nor touches the ones
    -- before it (adjacent: next start <= previous end + 1 day)
    select
        *,
        sum(case when previous_max_until is null or valid_from > previous_max_until + 1 then 1 else 0 end)
            over (partition by as_of_date order by valid_from, valid_until rows unbounded preceding) as interval_no
    from certificates_ordered
),

coverage_intervals as (
    select as_of_date, interval_no, min(valid_from) as covered_from, max(valid_until) as covered_until
    from certificates_grouped
    group by as_of_date, interval_no
),

certificate_years as (
    -- a year gets a row only when some certificate row was entered in or before P
    select y.*
    from years as y
    where exists (
        select 1 from entries as e
        where e.kpi_code = 'K2.7' and e.event_date <= y.evaluation_date
    )
),

certificate_coverage as (
    select
        y.as_of_date,
        y.year,
        (y.evaluation_date - y.period_start + 1) as period_days,
        coalesce(sum(greatest(0,
            least(i.covered_until, y.evaluation_date) - greatest(i.covered_from, y.period_start) + 1
        )), 0) as covered_days,
        max(i.covered_until) filter (
            where y.evaluation_date between i.covered_from and i.covered_until
        ) as coverage_end_date
    from certificate_years as y
    left join coverage_intervals as i
        on i.as_of_date = y.as_of_date
        and i.covered_from <= y.evaluation_date
        and i.covered_until >= y.period_start
    group by y.as_of_date, y.year, y.evaluation_date, y.period_start
),

-- K3.1 self-reported ratio -----------------------------------------------------------------------
ratio_latest as (
    select distinct on (y.as_of_date, y.year)
        y.as_of_date,
        y.year,
        e.value,
        e.denominator
    from years as y
    inner join entries as e
        on e.kpi_code = 'K3.1'
        and e.event_date between y.period_start and y.evaluation_date
    order by y.as_of_date, y.year, e.event_date desc, e.entered_at desc nulls last, e.source_line desc nulls last
)

select
    as_of_date,
    kpi_code,
    year::int as year,
    'ALL'::text as org_unit_code,
    entry_count::numeric as actual_value,
    null::numeric as numerator,
    null::numeric as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from counts

union all

select
    as_of_date,
    'K2.7',
    year::int,
    'ALL',
    case when covered_days = period_days then 1 else 0 end::numeric,
    covered_days::numeric,
    period_days::numeric,
    coverage_end_date::date,
    null::boolean
from certificate_coverage

union all

select
    as_of_date,
    'K3.1',
    year::int,
    'ALL',
    trim_scale(value / denominator),
    trim_scale(value),
    trim_scale(denominator),
    null::date,
    null::boolean
from ratio_latest
where value is not null and denominator is not null and denominator <> 0
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select
    "kpi_code", "year", "org_unit_code", "actual_value", "numerator", "denominator", "coverage_end_date", 'expected' as "actual_or_expected"
  from (
    select 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(1 as numeric)
 as "actual_value", 
    
    cast(365 as numeric)
 as "numerator", 
    
    cast(365 as numeric)
 as "denominator", 
    
    cast('2026-01-31' as date)
 as "coverage_end_date"
union all
select 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(1 as numeric)
 as "actual_value", 
    
    cast(366 as numeric)
 as "numerator", 
    
    cast(366 as numeric)
 as "denominator", 
    
    cast('2026-01-31' as date)
 as "coverage_end_date"
union all
select 
    
    cast('K2.7' as text)
 as "kpi_code", 
    
    cast(2025 as integer)
 as "year", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(1 as numeric)
 as "actual_value", 
    
    cast(329 as numeric)
 as "numerator", 
    
    cast(329 as numeric)
 as "denominator", 
    
    cast('2026-01-31' as date)
 as "coverage_end_date"
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
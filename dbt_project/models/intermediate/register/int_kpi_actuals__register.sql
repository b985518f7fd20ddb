-- S4 register measures (kpi-rules.md "Measures"), one row per (kpi_code, year, 'ALL'):
--   * counts (every cumulative S4 code of the catalog): rows with 辦理日期 in P; nothing recorded is 0;
--   * K2.7 certificate: is every day of P inside some certificate's [辦理日期, 有效期限]?
--   * K3.1 self-reported ratio: 數值 ÷ 分母 of the latest row in P (a tie goes to the later 填報時間).
-- Years run from the first year the register has data known at d through d's year; for a year Y the
-- evaluation day e is d in d's year, else Y-12-31, and P = Y-01-01 .. e.
with entries as (
    select * from {{ ref('int_register__entries_known') }}
),

years as (
    {{ years_judged("select min(extract(year from event_date))::int from entries") }}
),

-- counts -----------------------------------------------------------------------------------------
counted_codes as (
    select kpi_code
    from {{ ref('kpi_catalog') }}
    where source_code = 'S4' and measure_type = 'cumulative'
),

counts as (
    -- a code and year with nothing recorded still gets a row, with 0
    select
        c.kpi_code,
        y.year,
        count(e.kpi_code) as entry_count
    from counted_codes as c
    cross join years as y
    left join entries as e
        on e.kpi_code = c.kpi_code
        and e.event_date between y.period_start and y.evaluation_date
    group by c.kpi_code, y.year
),

-- K2.7 certificate -------------------------------------------------------------------------------
certificates as (
    -- a row without 有效期限 (or expiring before it starts) covers no day
    select event_date as valid_from, valid_until
    from entries
    where kpi_code = 'K2.7' and valid_until is not null and valid_until >= event_date
),

certificates_ordered as (
    select
        *,
        max(valid_until) over (
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
            over (order by valid_from, valid_until rows unbounded preceding) as interval_no
    from certificates_ordered
),

coverage_intervals as (
    select interval_no, min(valid_from) as covered_from, max(valid_until) as covered_until
    from certificates_grouped
    group by interval_no
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
        on i.covered_from <= y.evaluation_date
        and i.covered_until >= y.period_start
    group by y.year, y.evaluation_date, y.period_start
),

-- K3.1 self-reported ratio -----------------------------------------------------------------------
ratio_latest as (
    select distinct on (y.year)
        y.year,
        e.value,
        e.denominator
    from years as y
    inner join entries as e
        on e.kpi_code = 'K3.1'
        and e.event_date between y.period_start and y.evaluation_date
    order by y.year, e.event_date desc, e.entered_at desc nulls last, e.source_line desc nulls last
)

select
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

-- S5 HR measures (kpi-rules.md "Measures"), city-wide ('ALL') only:
--   * C2.1 contract-staff growth (約聘僱員額成長率): H(m) = Σ contractStaff over units in month m;
--     (H(latest month of Y <= e) − H(Y−1 month 12)) ÷ H(Y−1 month 12); either month missing: no row;
--   * C3.1 learning-hours completion (完成年度學習時數之人數比率): in the latest month of Y <= e,
--     Σ learningCompleted ÷ Σ civilServants.
-- Years run from the first year with a month known at d through d's year; e = d in d's year,
-- else Y-12-31.
with months as (
    select
        year_month,
        year,
        month,
        sum(contract_staff) as contract_staff,
        sum(civil_servants) as civil_servants,
        sum(learning_completed) as learning_completed
    from {{ ref('int_hr__months_known') }}
    group by year_month, year, month
),

years as (
    {{ years_judged("select min(year) from months") }}
),

latest_month as (
    -- the latest month of each year with figures, up to e's month
    select distinct on (y.year)
        y.year,
        m.year_month,
        m.contract_staff,
        m.civil_servants,
        m.learning_completed
    from years as y
    inner join months as m
        on m.year = y.year
        and m.year_month <= y.evaluation_month
    order by y.year, m.year_month desc
),

growth as (
    select
        l.year,
        l.contract_staff - p.contract_staff as staff_change,
        p.contract_staff as previous_december_staff
    from latest_month as l
    inner join months as p
        on p.year = l.year - 1
        and p.month = 12
)

select
    'C2.1'::text as kpi_code,
    year::int as year,
    'ALL'::text as org_unit_code,
    trim_scale(staff_change::numeric / nullif(previous_december_staff, 0)) as actual_value,
    staff_change::numeric as numerator,
    previous_december_staff::numeric as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from growth

union all

select
    'C3.1',
    year::int,
    'ALL',
    trim_scale(learning_completed::numeric / nullif(civil_servants, 0)),
    learning_completed::numeric,
    civil_servants::numeric,
    null::date,
    null::boolean
from latest_month

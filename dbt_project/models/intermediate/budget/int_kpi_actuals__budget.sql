-- S3 budget measures (kpi-rules.md "Measures"):
--   * K5.1 execution rate of tracked basic-infrastructure tenders (列管基本設施標案執行率), from the
--     latest snapshot of Y with month <= e's month, city-wide ('ALL') and per department (單位代碼):
--     Σ (累計實支數 + 累計應付未付數 + 累計節餘數) ÷ Σ 累計分配數;
--   * C1.1 unspent share of the current operating-expense budget (經常門業務費賸餘數百分比), only from
--     Y's month-12 snapshot: (Σ 預算數 − Σ (累計實支數 + 保留數)) ÷ Σ 預算數, is_final = true; without it
--     a row with no value and is_final = false (status pending).
-- Years run from the first year with a snapshot known at d through d's year; e = d in d's year,
-- else Y-12-31.
with lines as (
    select * from {{ ref('int_budget__snapshots_known') }}
),

years as (
    {{ years_judged("select min(year) from lines") }}
),

-- K5.1 -------------------------------------------------------------------------------------------
k51_snapshot as (
    -- the latest snapshot of each year with month <= e's month; later snapshots are ignored
    select y.year, max(l.snapshot_month) as snapshot_month
    from years as y
    inner join lines as l
        on l.year = y.year
        and l.snapshot_month <= y.evaluation_month
    group by y.year
),

k51_lines as (
    select
        s.year,
        l.org_unit_code,
        coalesce(l.disbursed_cum, 0) + coalesce(l.payable_unpaid_cum, 0) + coalesce(l.savings_cum, 0) as executed,
        coalesce(l.allocated_cum, 0) as allocated
    from k51_snapshot as s
    inner join lines as l
        on l.snapshot_month = s.snapshot_month
    where l.is_tracked_infrastructure
),

k51_scopes as (
    -- the city: one row for every year with a snapshot, even one without tracked lines (no value)
    select s.year, 'ALL' as org_unit_code,
           coalesce(sum(k.executed), 0) as executed, coalesce(sum(k.allocated), 0) as allocated
    from k51_snapshot as s
    left join k51_lines as k using (year)
    group by s.year

    union all

    -- each department with tracked lines in that snapshot
    select year, org_unit_code, sum(executed), sum(allocated)
    from k51_lines
    group by year, org_unit_code
),

-- C1.1 -------------------------------------------------------------------------------------------
c11_year_end as (
    select
        y.year,
        count(l.year) > 0 as has_month_12,
        sum(l.budget_amount) filter (
            where l.is_current_expense and l.expense_class = '業務費'
        ) as budget_amount,
        sum(coalesce(l.disbursed_cum, 0) + coalesce(l.carried_over, 0)) filter (
            where l.is_current_expense and l.expense_class = '業務費'
        ) as final_spend
    from years as y
    left join lines as l
        on l.year = y.year
        and l.month = 12
        and l.snapshot_month <= y.evaluation_month
    group by y.year
)

select
    'K5.1'::text as kpi_code,
    year::int as year,
    org_unit_code::text as org_unit_code,
    trim_scale(executed::numeric / nullif(allocated, 0)) as actual_value,
    trim_scale(executed::numeric) as numerator,
    trim_scale(allocated::numeric) as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from k51_scopes

union all

select
    'C1.1',
    year::int,
    'ALL',
    case when has_month_12 then trim_scale((budget_amount - final_spend)::numeric / nullif(budget_amount, 0)) end,
    case when has_month_12 then trim_scale((coalesce(budget_amount, 0) - coalesce(final_spend, 0))::numeric) end,
    case when has_month_12 then trim_scale(coalesce(budget_amount, 0)::numeric) end,
    null::date,
    has_month_12
from c11_year_end

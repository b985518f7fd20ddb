{{
    config(
        indexes=[
            {'columns': ['snapshot_month']},
            {'columns': ['org_unit_code']},
        ],
    )
}}
-- S3 budget execution (歲出預算執行明細表) for BI: every line of every monthly cumulative snapshot
-- (the latest delivery of each month, as staging keeps it), one row per
-- (year, month, org_unit_code, plan_code, expense_class). Month 12 is the year's final figures.
select
    year::integer as year,
    roc_year::integer as roc_year,
    month::integer as month,
    snapshot_month::date as snapshot_month,
    org_unit_code::text as org_unit_code,
    org_unit_name::text as org_unit_name,
    plan_code::text as plan_code,
    plan_name::text as plan_name,
    fund_type_zh::text as fund_type_zh,
    expense_class::text as expense_class,
    is_tracked_infrastructure::boolean as is_tracked_infrastructure,
    budget_amount::numeric as budget_amount,
    allocated_cum::numeric as allocated_cum,
    disbursed_cum::numeric as disbursed_cum,
    payable_unpaid_cum::numeric as payable_unpaid_cum,
    savings_cum::numeric as savings_cum,
    carried_over::numeric as carried_over,
    (disbursed_cum + payable_unpaid_cum + savings_cum)::numeric as execution_amount,
    (month = 12)::boolean as is_year_end
from {{ ref('stg_budget__execution_lines') }}

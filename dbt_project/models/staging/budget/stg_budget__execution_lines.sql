-- S3 budget execution lines (歲出預算執行明細表), one row per (roc_year, month, org_unit_code,
-- plan_code, expense_class). Each month is a cumulative snapshot; a later delivery of the same month
-- replaces that month completely (docs/sources.md#s3-budget), so only the rows of the latest load of each month
-- are kept; a key repeated within that delivery keeps its last worksheet row.
with raw_rows as (
    select * from {{ source('budget', 'execution_lines') }}
),

latest_delivery as (
    select *
    from (
        select *, max(_load_id) over (partition by roc_year, month) as _latest_load_id
        from raw_rows
    ) as r
    where _load_id = _latest_load_id
),

lines as (
    select distinct on (roc_year, month, org_unit_code, plan_code, expense_class) *
    from latest_delivery
    order by roc_year, month, org_unit_code, plan_code, expense_class, _load_id desc, _record desc
)

select
    roc_year::int as roc_year,
    (roc_year + {{ roc_offset() }})::int as year,
    month::int as month,
    make_date((roc_year + {{ roc_offset() }})::int, month::int, 1) as snapshot_month,
    org_unit_code,
    org_unit_name,
    plan_code,
    plan_name,
    fund_type as fund_type_zh,
    fund_type = '經常門' as is_current_expense,
    expense_class,
    is_tracked_infrastructure,
    budget_amount,
    allocated_cum,
    disbursed_cum,
    payable_unpaid_cum,
    savings_cum,
    carried_over,
    _object as source_file,
    _record as source_line
from lines

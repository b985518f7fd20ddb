
-- Fixture for int_budget__snapshots_known
select cast(null as integer) as "roc_year", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", 
    
    cast('2024-12-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(400 as numeric)
 as "allocated_cum", 
    
    cast(250 as numeric)
 as "disbursed_cum", 
    
    cast(30 as numeric)
 as "payable_unpaid_cum", 
    
    cast(20 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(9 as integer)
 as "month", 
    
    cast('2025-09-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(1000 as numeric)
 as "allocated_cum", 
    
    cast(100 as numeric)
 as "disbursed_cum", 
    
    cast(0 as numeric)
 as "payable_unpaid_cum", 
    
    cast(0 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", 
    
    cast('2025-10-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(1000 as numeric)
 as "allocated_cum", 
    
    cast(700 as numeric)
 as "disbursed_cum", 
    
    cast(100 as numeric)
 as "payable_unpaid_cum", 
    
    cast(50 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", 
    
    cast('2025-10-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('獎補助費' as text)
 as "expense_class", 
    
    cast(False as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(500 as numeric)
 as "allocated_cum", 
    
    cast(0 as numeric)
 as "disbursed_cum", 
    
    cast(0 as numeric)
 as "payable_unpaid_cum", 
    
    cast(0 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", 
    
    cast('2025-10-01' as date)
 as "snapshot_month", 
    
    cast('KL0300' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(1000 as numeric)
 as "allocated_cum", 
    
    cast(600 as numeric)
 as "disbursed_cum", 
    
    cast(0 as numeric)
 as "payable_unpaid_cum", 
    
    cast(0 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(10 as integer)
 as "month", 
    
    cast('2025-10-01' as date)
 as "snapshot_month", 
    
    cast('KL0500' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(0 as numeric)
 as "allocated_cum", 
    
    cast(0 as numeric)
 as "disbursed_cum", 
    
    cast(0 as numeric)
 as "payable_unpaid_cum", 
    
    cast(0 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
union all
select cast(null as integer) as "roc_year", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(12 as integer)
 as "month", 
    
    cast('2025-12-01' as date)
 as "snapshot_month", 
    
    cast('KL0100' as text)
 as "org_unit_code", cast(null as text) as "org_unit_name", cast(null as text) as "plan_code", cast(null as text) as "plan_name", cast(null as text) as "fund_type_zh", 
    
    cast(False as boolean)
 as "is_current_expense", 
    
    cast('設備及投資' as text)
 as "expense_class", 
    
    cast(True as boolean)
 as "is_tracked_infrastructure", cast(null as numeric) as "budget_amount", 
    
    cast(1000 as numeric)
 as "allocated_cum", 
    
    cast(1000 as numeric)
 as "disbursed_cum", 
    
    cast(0 as numeric)
 as "payable_unpaid_cum", 
    
    cast(0 as numeric)
 as "savings_cum", cast(null as numeric) as "carried_over", cast(null as text) as "source_file", cast(null as bigint) as "source_line"
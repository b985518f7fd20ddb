-- Every flagged status (behind, missed, at_risk) of every as-of date with its age and its explanation:
-- since when it has been flagged without a break (flagged_since), how many working days of the office
-- calendar (dim_date) have passed since, the unit's explanation answering this run of the flag (S7, a
-- template of an as-of date from flagged_since through d), and whether it is overdue: more than
-- KPI_EXPLANATION_DUE_DAYS working days (default 10; kpi.config.explanation_due_days) without one.
-- A table: the age needs the whole history of each status, too much for a view read every time.
{{ config(materialized='table', indexes=[{'columns': ['as_of_date']}]) }}
{%- set due_days = env_var('KPI_EXPLANATION_DUE_DAYS', '10') | trim %}
{%- if not due_days.isdigit() %}
  {{ exceptions.raise_compiler_error("KPI_EXPLANATION_DUE_DAYS must be a whole number of working days, got '" ~ due_days ~ "'") }}
{%- endif %}
with statuses as (
    select s.as_of_date, s.kpi_code, s.org_unit_code, s.year, st.is_flagged
    from {{ ref('fct_kpi_status') }} as s
    inner join {{ ref('dim_status') }} as st using (status)
),

runs as (
    select
        *,
        -- the last as-of date before this one on which the status was not flagged
        max(case when not is_flagged then as_of_date end) over (
            partition by kpi_code, org_unit_code, year order by as_of_date
            rows between unbounded preceding and current row
        ) as last_unflagged
    from statuses
),

flags as (
    -- the flagged rows after the same last unflagged date are one run of the flag
    select
        as_of_date, kpi_code, org_unit_code, year,
        min(as_of_date) over (partition by kpi_code, org_unit_code, year, last_unflagged) as flagged_since
    from runs
    where is_flagged
),

workdays as (
    select
        date_day,
        (count(*) filter (where is_working_day) over (order by date_day))::integer as workday_number
    from {{ ref('dim_date') }}
)

select
    f.as_of_date::date as as_of_date,
    f.kpi_code::text as kpi_code,
    f.org_unit_code::text as org_unit_code,
    f.year::integer as year,
    f.flagged_since::date as flagged_since,
    (wd.workday_number - ws.workday_number)::integer as working_days_flagged,
    {{ due_days }}::integer as explanation_due_days,
    e.as_of_date::date as explanation_as_of_date,
    e.lag_reason::text as lag_reason,
    e.improvement_action::text as improvement_action,
    e.expected_improvement_date::date as expected_improvement_date,
    e.received_date::date as explanation_received_date,
    (e.kpi_code is null and wd.workday_number - ws.workday_number > {{ due_days }})::boolean as is_explanation_overdue
from flags as f
left join workdays as wd on wd.date_day = f.as_of_date
left join workdays as ws on ws.date_day = f.flagged_since
left join {{ ref('fct_kpi_explanations') }} as e
  on e.kpi_code = f.kpi_code and e.org_unit_code = f.org_unit_code and e.year = f.year
 and e.as_of_date between f.flagged_since and f.as_of_date

{{ config(materialized='view') }}
-- Every row of fct_kpi_status (every as-of date, year and scope) with everything a reader sees:
-- status words, order and colours, values as text and in one unit per column, ROC labels, and the
-- catalog columns the report needs. The report, the e-mail and `kpi status` read this, so they show
-- what BI tools show. Dashboards use kpi_status_current / kpi_status_history, which filter it.
with kpi as (
    select
        *,
        row_number() over (order by goal_seq, kpi_kind desc, item_no)::integer as kpi_sort
    from {{ ref('dim_kpi') }}
)

select
    s.as_of_date,
    {{ roc_date_text('s.as_of_date') }}::text as as_of_roc_text,
    {{ roc_date_long('s.as_of_date') }}::text as as_of_roc_long_text,
    s.year,
    s.roc_year,
    {{ roc_year_text('s.year') }}::text as year_text,
    (s.year = extract(year from s.as_of_date)::int)::boolean as is_as_of_year,
    s.kpi_code,
    k.kpi_sort,
    s.kpi_name_zh,
    k.kpi_name_en,
    (s.kpi_code || ' ' || s.kpi_name_zh)::text as kpi_label_zh,
    s.org_unit_code,
    s.org_unit_name_zh,
    (s.org_unit_code = 'ALL')::boolean as is_city,
    s.status,
    st.status_zh,
    st.status_sort,
    st.is_flagged,
    st.severity,
    st.colour as status_colour,
    st.colour_hex as status_colour_hex,
    st.colour_text_hex as status_text_hex,
    s.status_reason,
    s.source_fresh,
    k.value_format,
    k.unit_zh,
    s.actual_value,
    s.target_value,
    s.expected_to_date,
    {{ fmt_value('s.actual_value') }}::text as actual_text,
    {{ fmt_value('s.target_value') }}::text as target_text,
    (case when s.expected_to_date is not null then {{ fmt_value('s.expected_to_date') }} end)::text as expected_text,
    {{ display_number('s.actual_value', 'percent') }}::numeric as actual_pct,
    {{ display_number('s.actual_value', 'count') }}::numeric as actual_count,
    {{ display_number('s.actual_value', 'days') }}::numeric as actual_days,
    {{ display_number('s.target_value', 'percent') }}::numeric as target_pct,
    {{ display_number('s.target_value', 'count') }}::numeric as target_count,
    {{ display_number('s.target_value', 'days') }}::numeric as target_days,
    {{ display_number('s.expected_to_date', 'percent') }}::numeric as expected_pct,
    {{ display_number('s.expected_to_date', 'count') }}::numeric as expected_count,
    s.target_basis,
    s.numerator,
    s.denominator,
    s.evaluation_date,
    -- f(d) of docs/indicators.md#evaluation-period: the share of the year elapsed at the end of the evaluation day
    ((s.evaluation_date - make_date(s.year, 1, 1) + 1)::numeric
        / (make_date(s.year + 1, 1, 1) - make_date(s.year, 1, 1)))::numeric as year_fraction,
    s.measure_type,
    k.progress_rule,
    k.direction,
    {{ kpi_tolerance('k') }}::numeric as tolerance,
    k.deadlines,
    k.per_department,
    k.kpi_kind,
    k.strategic_goal_zh,
    k.measure_standard_zh,
    k.source_code,
    s.computed_at,
    -- foresight (docs/foresight.md), beside the official status which it never changes
    s.seasonal_expected_to_date,
    s.seasonal_status,
    ss.status_zh as seasonal_status_zh,
    s.projected_year_end,
    s.projected_low,
    s.projected_high,
    s.projection_basis,
    s.projected_status,
    pl.projected_status_zh,
    pl.projected_status_sort,
    s.projection_reason,
    -- the projection as the charts and the flagged table show it: counts without their unit
    -- (23,954), ratios and means with theirs (80.2%, 1.8 天)
    {{ projection_text('s.projected_year_end') }}::text as projected_text,
    {{ projection_text('s.projected_low') }}::text as projected_low_text,
    {{ projection_text('s.projected_high') }}::text as projected_high_text,
    -- achievement (達成率): actual ÷ target, target ÷ actual where lower is better; the annual report's
    a.achievement::numeric as achievement,
    (case when a.achievement is not null then {{ fmt_value('a.achievement', 'pct', "'%'") }} end)::text
        as achievement_text
from {{ ref('fct_kpi_status') }} as s
inner join kpi as k using (kpi_code)
left join {{ ref('dim_status') }} as st using (status)
left join {{ ref('dim_status') }} as ss on ss.status = s.seasonal_status
left join {{ ref('projection_labels') }} as pl using (projected_status)
left join {{ ref('value_formats') }} as fmt on fmt.value_format = k.value_format
left join {{ ref('value_formats') }} as pct on pct.value_format = 'percent'
cross join lateral (
    select case when s.actual_value is null or s.target_value is null then null
                when k.direction = 'lower' then
                    case when s.actual_value > 0 and s.target_value > 0 then s.target_value / s.actual_value end
                when s.target_value <> 0 then s.actual_value / s.target_value
           end as achievement
) as a

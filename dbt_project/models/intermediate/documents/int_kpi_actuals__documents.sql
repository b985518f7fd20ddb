-- K9.1 (electronic documents received + sent) and K7.1 (weighted mean processing days) per year,
-- city-wide and per unit. Data is already cut at d, so grouping by year gives period P.
with by_unit as (
    select
        extract(year from stat_date)::int as year,
        org_unit_code,
        sum(docs_received_electronic + docs_sent_electronic) as electronic_docs,
        sum(docs_closed) as docs_closed,
        sum(closed_days_sum) as closed_days_sum
    from {{ ref('int_documents__known') }}
    group by 1, 2
),

by_scope as (
    select year, org_unit_code, electronic_docs, docs_closed, closed_days_sum from by_unit
    union all
    select year, 'ALL', sum(electronic_docs), sum(docs_closed), sum(closed_days_sum)
    from by_unit
    group by year
)

select
    'K9.1' as kpi_code,
    year,
    org_unit_code,
    electronic_docs::numeric as actual_value,
    null::numeric as numerator,
    null::numeric as denominator,
    null::date as coverage_end_date,
    null::boolean as is_final
from by_scope
where org_unit_code = 'ALL'

union all

select
    'K7.1',
    year,
    org_unit_code,
    -- a weighted mean (sum of days / sum of documents), never a mean of daily means
    case when docs_closed > 0 then closed_days_sum / docs_closed end,
    closed_days_sum,
    docs_closed,
    null::date,
    null::boolean
from by_scope

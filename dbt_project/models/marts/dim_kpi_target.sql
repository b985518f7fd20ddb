-- Targets per indicator and plan year (ROC 111-114), ratios as fractions.
select
    kpi_code::text as kpi_code,
    year::integer as year,
    roc_year::integer as roc_year,
    target_value::numeric as target_value,
    target_text_zh::text as target_text_zh
from {{ ref('kpi_targets') }}

-- The backtest in one line per closed year and month: how often the 80 % range held the actual year
-- end and the mean absolute percentage error, seasonal against linear. For the report and `kpi
-- backtest`. Only projections with the seasonal method (2 or more earlier years) count.
select
    year::integer as year,
    (year - 1911)::integer as roc_year,
    month::integer as month,
    count(*)::integer as projections,
    (avg(case when in_range then 1.0 else 0.0 end) filter (where in_range is not null))::numeric as coverage_80,
    avg(abs_pct_error)::numeric as mape,
    avg(abs_pct_error_linear)::numeric as mape_linear
from {{ ref('fct_kpi_projection_backtest') }}
where projection_method <> 'linear'
group by year, month

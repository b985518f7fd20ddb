{# The years a measure model judges at each as-of date d: from the first year with data known at d
   (first_years: a relation of (as_of_date, first_year); no row or a null first_year: no data known
   at d, no rows) through d's year. For year Y the evaluation day e is d in d's year, else Y-12-31
   (docs/indicators.md#evaluation-period), and the period P runs from Y-01-01 to e. #}
{% macro years_judged(first_years) -%}
    select
        f.as_of_date,
        y.year,
        make_date(y.year, 1, 1) as period_start,
        e.evaluation_date,
        date_trunc('month', e.evaluation_date)::date as evaluation_month
    from {{ first_years }} as f
    cross join lateral generate_series(f.first_year, extract(year from f.as_of_date)::int) as y(year)
    cross join lateral (
        select
            case
                when y.year = extract(year from f.as_of_date)::int then f.as_of_date
                else make_date(y.year, 12, 31)
            end as evaluation_date
    ) as e
{%- endmacro %}

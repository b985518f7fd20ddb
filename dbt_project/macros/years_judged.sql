{# The years a measure model judges: from the first year with data known at d (first_year_sql, a
   scalar query) through d's year. For year Y the evaluation day e is d in d's year, else Y-12-31
   (kpi-rules.md), and the period P runs from Y-01-01 to e. No data known at d: no rows. #}
{% macro years_judged(first_year_sql) -%}
    select
        y.year,
        make_date(y.year, 1, 1) as period_start,
        e.evaluation_date,
        date_trunc('month', e.evaluation_date)::date as evaluation_month
    from generate_series(({{ first_year_sql }}), extract(year from {{ as_of_date() }})::int) as y(year)
    cross join lateral (
        select
            case
                when y.year = extract(year from {{ as_of_date() }})::int then {{ as_of_date() }}
                else make_date(y.year, 12, 31)
            end as evaluation_date
    ) as e
{%- endmacro %}

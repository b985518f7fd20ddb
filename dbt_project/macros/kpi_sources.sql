{# What each source contributes to the models every source shares, read from the one declaration,
   the var `kpi_sources` of dbt_project.yml (docs/adding-a-source-and-an-indicator.md). A var and not
   each model's YAML `meta`: the refs below must be known when dbt parses the project (graph.nodes is
   only complete at execution, too late for a ref). Keys are the codes of seeds/source_systems.csv. #}
{% macro kpi_sources() -%}
    {{ return(var('kpi_sources', {})) }}
{%- endmacro %}

{# The data dates of every declared source, one select each (int_source_freshness): the distinct
   values of its `data_date` column in its `known` model, which already holds only rows known at some
   as-of date of the build; `cut_at_as_of: true` adds the cut at the build's last as-of date for a
   model that does not (S2 counts its exports from staging). `always_known: true` sources are left
   out here: whatever they hold is known at every d (see always_known_sources). #}
{% macro source_data_dates() -%}
    {%- for code, source in kpi_sources().items() | sort if source.get('known') and not source.get('always_known') %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select distinct '{{ code }}' as source_code, {{ source['data_date'] }} as data_date
    from {{ ref(source['known']) }}
    {%- if source.get('cut_at_as_of') %}
    where {{ source['data_date'] }} <= {{ as_of_to() }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{# The newest date of each `always_known: true` source at every as-of date of the build, with no
   earliest date (the calendar: published a year ahead and kept for years, it says nothing about when
   the data starts). Rows (as_of_date, source_code, earliest_date, newest_date), each select after a
   `union all`. #}
{% macro always_known_newest(as_of_dates) -%}
    {%- for code, source in kpi_sources().items() | sort if source.get('always_known') %}

    union all

    select d.as_of_date, '{{ code }}', null::date, c.newest_date
    from ({{ as_of_dates }}) as d
    cross join (select max({{ source['data_date'] }}) as newest_date from {{ ref(source['known']) }}) as c
    {%- endfor %}
{%- endmacro %}

{# The measured values of every declared source: the union of their `actuals` models
   (int_kpi_actuals), each one row per (as_of_date, kpi_code, year, org_unit_code). #}
{% macro kpi_actuals_union() -%}
    {%- for code, source in kpi_sources().items() | sort if source.get('actuals') %}
    {%- if not loop.first %}
union all
{% endif %}
select
    as_of_date, kpi_code, year, org_unit_code, actual_value, numerator, denominator, coverage_end_date, is_final
from {{ ref(source['actuals']) }}
    {%- endfor %}
{%- endmacro %}

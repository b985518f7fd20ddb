{# Helpers of the incremental models over append-only loads (the S2 petition versions: staging, the
   version intervals, fct_petition_cases), so that a night's cost follows its new loads, not the history. #}

{# The highest load id the model already holds, written into the SQL as a number. As a subquery
   (`_load_id > (select max(_load_id) from this)`) its value is unknown when PostgreSQL plans the
   query, so it guesses that a third of the versions are new and reads every version through hash
   joins: 8.4 s for a night's 1,488 new versions among 1.9 million, against milliseconds through
   the indexes once the planner sees the number. 0 outside an incremental run. #}
{% macro load_watermark() -%}
    {%- if execute and is_incremental() -%}
        {{- run_query("select coalesce(max(_load_id), 0) from " ~ this).columns[0].values()[0] | int -}}
    {%- else -%}
        0
    {%- endif -%}
{%- endmacro %}

{# The distinct (source_file, _load_id) deliveries of `relation`, one index probe each (a loose
   index scan over delivery_index below) instead of sorting every row: the (file, load) pairs
   are about 1,400 on the demo's four years, whatever the number of versions. #}
{% macro distinct_deliveries(relation) -%}
    with recursive deliveries as (
        (select source_file, _load_id from {{ relation }}
         where source_file is not null and _load_id is not null
         order by source_file, _load_id limit 1)
        union all
        select next_delivery.source_file, next_delivery._load_id
        from deliveries as d
        cross join lateral (
            select t.source_file, t._load_id from {{ relation }} as t
            where (t.source_file, t._load_id) > (d.source_file, d._load_id)
            order by t.source_file, t._load_id
            limit 1
        ) as next_delivery
    )
    select source_file, _load_id from deliveries
{%- endmacro %}

{# The index distinct_deliveries walks. A hook, not the `indexes` config: dbt creates configured
   indexes only when it creates the table, and a warehouse built before this index existed needs it
   on its next incremental night (pre-hook) as much as a new table does (post-hook). A table built
   before it had the two columns gets them in the same night (on_schema_change) and the index then. #}
{% macro delivery_index() -%}
    do $$ begin
        if (select count(*) from information_schema.columns
            where table_schema = '{{ this.schema }}' and table_name = '{{ this.identifier }}'
              and column_name in ('source_file', '_load_id')) = 2 then
            create index if not exists {{ this.identifier }}__delivery_idx on {{ this }} (source_file, _load_id);
        end if;
    end $$
{%- endmacro %}

{# is_incremental(), and the table already has `column`: a table built before the column existed
   (an upgraded warehouse) is read whole once, as on its first night, and gets the column. #}
{% macro is_incremental_with(column) -%}
    {%- if execute and is_incremental() -%}
        {{- return(column in (adapter.get_columns_in_relation(this) | map(attribute='name') | list)) -}}
    {%- else -%}
        {{- return(false) -}}
    {%- endif -%}
{%- endmacro %}

{# The deliveries (file, load) this model holds that `upstream` no longer does: their file was
   delivered again and replaced them upstream. The cases with a row from one are read again
   (`touched`), and the rows left from them after the night's insert go (delete_gone_deliveries). #}
{% macro gone_deliveries(upstream) -%}
    select h.source_file, h._load_id
    from ({{ distinct_deliveries(this) }}) as h
    where not exists (
        select 1 from {{ upstream }} as u
        where u.source_file = h.source_file and u._load_id = h._load_id)
{%- endmacro %}

{# Post-hook: a case whose versions all left `upstream` (its file delivered again without it) is in
   no night's rows, so delete+insert never replaces it; its rows from a gone delivery go. #}
{% macro delete_gone_deliveries(upstream) -%}
    delete from {{ this }} as t
    using ({{ gone_deliveries(upstream) }}) as gone
    where t.source_file = gone.source_file and t._load_id = gone._load_id
{%- endmacro %}

{# The cases a night reads again from `upstream`: those with a version of a newer load than any this
   model holds, and those with a row here from a delivery `upstream` no longer holds (their file was
   delivered again: their remaining versions may all be older than the watermark, yet they change). #}
{% macro touched_cases(upstream) -%}
    select case_id
    from {{ upstream }}
    where _load_id > {{ load_watermark() }}
    union
    select t.case_id
    from {{ this }} as t
    inner join ({{ gone_deliveries(upstream) }}) as gone
        on t.source_file = gone.source_file and t._load_id = gone._load_id
{%- endmacro %}

{# A data test's `where` of `__new_petition_rows__` (dbt_project.yml, the S2 tables' tests): only the
   rows of loads after the last one a whole `dbt build` tested without a failure (tested_loads below);
   every row on a first build or a full refresh. `__new_petition_cases__`: every row of a case with
   such a row, for the tests across a case's rows (unique versions and intervals). Replaced here, when
   the test runs, as dbt's documentation suggests for a `where` that needs more than the parse-time
   context; the load id goes in as a number, so PostgreSQL plans a night's few rows through the
   _load_id and case_id indexes. Only for a `where` with a placeholder. #}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- if '__new_petition_' in where -%}
        {%- set since = tested_load('petitions') -%}
        {#- `in`, a semi-join, whatever the number of cases (`= any(array(…))` compares each row with
            every element: hours on a full refresh's 1.9 million); every row after load 0 is no filter -#}
        {%- set new_rows = '_load_id > ' ~ since if since else 'true' -%}
        {%- set new_cases = 'case_id in (select case_id from ' ~ relation ~ ' where ' ~ new_rows ~ ')'
            if since else 'true' -%}
        {%- set where = where | replace('__new_petition_rows__', new_rows)
                              | replace('__new_petition_cases__', new_cases) -%}
    {%- endif -%}
    {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
{%- endmacro %}

{# <staging schema>.tested_loads: per source, the highest load whose rows a whole `dbt build` (no
   --select) tested with no node failing, written by the on-run-end hook record_tested_loads. A
   failed night does not move it, so its rows are tested again the next night until they pass: a
   failing test does not go quiet by itself. #}
{% macro tested_loads_relation() -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == 'stg_petitions__case_versions' -%}
        {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier='tested_loads')) -}}
    {%- endfor -%}
{%- endmacro %}

{# The load after which `source`'s rows are still to be tested: 0 (every row) on a full refresh, a
   first build, or before any build passed. #}
{% macro tested_load(source) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{- return(0) -}}
    {%- endif -%}
    {%- set table = tested_loads_relation() -%}
    {%- if adapter.get_relation(table.database, table.schema, table.identifier) is none -%}
        {{- return(0) -}}
    {%- endif -%}
    {%- set found = run_query("select load_id from " ~ table ~ " where source = '" ~ source ~ "'").columns[0].values() -%}
    {{- return(found[0] | int if found else 0) -}}
{%- endmacro %}

{# on-run-end: a `dbt build` of the whole project in which nothing failed has tested every S2 row
   staging holds; later nights test only rows of later loads. #}
{% macro record_tested_loads(results) -%}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error', 'skipped']) | list -%}
    {%- if execute and invocation_args_dict.get('which') == 'build' and not invocation_args_dict.get('select')
          and not failed -%}
        {%- set table = tested_loads_relation() -%}
        do $$ begin
            create table if not exists {{ table }} (source text primary key, load_id bigint not null);
            insert into {{ table }} (source, load_id)
            select 'petitions', coalesce(max(_load_id), 0) from {{ table.schema }}.stg_petitions__case_versions
            on conflict (source) do update set load_id = excluded.load_id;
        end $$
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

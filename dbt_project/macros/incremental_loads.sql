{# Helpers of the incremental models over append-only loads (S2 petition versions: staging and the
   version intervals), so that a night's cost follows its new loads, not the history. #}

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
   index scan over delivery_index below) instead of sorting every row: a file and its delivery
   are about 1,400 pairs on the demo's four years, whatever the number of versions. #}
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

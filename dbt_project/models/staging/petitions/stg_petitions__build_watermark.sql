{{ config(materialized='table') }}
-- The highest S2 load the staging table held when this build began; 0 on its first build and on a
-- full refresh. The petition versions are append-only and a night adds only its new loads, so the
-- data tests of the raw source, staging and the version intervals check the rows of the loads after
-- it (dbt_project.yml's `where`, macro get_where_subquery) instead of every version again each
-- night: 11 of those tests read 1.9 million versions at 8 times the demo's petitions, 1–2.5 s each.
-- Staging waits for it (its depends_on), so it is read before staging changes.
select {{ prior_load_watermark('stg_petitions__case_versions') }}::bigint as load_id

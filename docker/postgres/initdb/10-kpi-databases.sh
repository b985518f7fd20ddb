#!/usr/bin/env bash
# Creates the databases and login roles of the compose stack. The official postgres image runs
# the *.sh/*.sql files of /docker-entrypoint-initdb.d once, right after initdb, and only when the
# data directory is empty: on an existing volume this script does not run again (change passwords
# there with ALTER ROLE, or start from a fresh volume).
#
#   database  owner     used by
#   kpi       kpi       the warehouse (WAREHOUSE_URL); schemas raw/staging/intermediate/marts are
#                       created by the pipeline itself
#   airflow   airflow   Airflow's metadata database
#   metabase  metabase  Metabase's application database
#
# bi_reader is the read-only login BI users give Metabase for the kpi database. It is created here
# with KPI_BI_READER_PASSWORD so that it can log in; what it may read (USAGE/SELECT on the marts)
# is granted by the pipeline, which owns the schemas. kpi may manage bi_reader (ADMIN OPTION).
#
# Passwords come from the container environment (docker-compose.yml, values from .env) and are
# passed to psql as variables, so they are quoted by psql (:'name') and never spliced into SQL.
set -euo pipefail

: "${KPI_WAREHOUSE_PASSWORD:?KPI_WAREHOUSE_PASSWORD is not set}"
: "${AIRFLOW_DB_PASSWORD:?AIRFLOW_DB_PASSWORD is not set}"
: "${METABASE_DB_PASSWORD:?METABASE_DB_PASSWORD is not set}"
: "${KPI_BI_READER_PASSWORD:?KPI_BI_READER_PASSWORD is not set}"
DB_TIMEZONE="${TZ:-Asia/Taipei}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
     -v kpi_pw="${KPI_WAREHOUSE_PASSWORD}" \
     -v airflow_pw="${AIRFLOW_DB_PASSWORD}" \
     -v metabase_pw="${METABASE_DB_PASSWORD}" \
     -v bi_reader_pw="${KPI_BI_READER_PASSWORD}" \
     -v db_tz="${DB_TIMEZONE}" <<'EOSQL'
-- login roles (CREATE ROLE has no IF NOT EXISTS: \gexec runs the statement only when missing)
SELECT format('CREATE ROLE kpi LOGIN CREATEROLE PASSWORD %L', :'kpi_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kpi') \gexec
SELECT format('CREATE ROLE airflow LOGIN PASSWORD %L', :'airflow_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airflow') \gexec
SELECT format('CREATE ROLE metabase LOGIN PASSWORD %L', :'metabase_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'metabase') \gexec
SELECT format('CREATE ROLE bi_reader LOGIN PASSWORD %L', :'bi_reader_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_reader') \gexec
-- the warehouse owner may manage bi_reader (PostgreSQL 16+: ADMIN without membership of it)
GRANT bi_reader TO kpi WITH ADMIN TRUE, INHERIT FALSE, SET FALSE;

-- databases, UTF-8, each owned by its role
SELECT 'CREATE DATABASE kpi OWNER kpi ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kpi') \gexec
SELECT 'CREATE DATABASE airflow OWNER airflow ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airflow') \gexec
SELECT 'CREATE DATABASE metabase OWNER metabase ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'metabase') \gexec

-- the office reads dates in Asia/Taipei; Airflow keeps its own timestamps in UTC regardless
SELECT format('ALTER DATABASE kpi SET timezone TO %L', :'db_tz') \gexec
SELECT format('ALTER DATABASE metabase SET timezone TO %L', :'db_tz') \gexec

-- nobody but the owner connects to a database unless granted: BI users reach kpi only
REVOKE ALL ON DATABASE kpi FROM PUBLIC;
REVOKE ALL ON DATABASE airflow FROM PUBLIC;
REVOKE ALL ON DATABASE metabase FROM PUBLIC;
-- and the server's own: a BI tool lists no database it cannot read
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
GRANT CONNECT ON DATABASE kpi TO bi_reader;
EOSQL

"""WAREHOUSE_URL in every form libpq takes, and the same connection as psycopg, dbt and Airflow take it
(include/kpi/connections.py); the dbt tasks read it from the Airflow connection when they run."""
from __future__ import annotations

import json

import pytest

from kpi import connections


@pytest.mark.parametrize("url, expected", [
    # a Unix socket: the host in the query string, or percent-encoded in the host part
    ("postgresql://kpi@/kpi?host=/var/run/postgresql",
     {"host": "/var/run/postgresql", "port": "5432", "user": "kpi", "dbname": "kpi"}),
    ("postgresql://kpi@%2Fvar%2Frun%2Fpostgresql:5433/kpi",
     {"host": "/var/run/postgresql", "port": "5433", "user": "kpi", "dbname": "kpi"}),
    # nothing but the database: libpq's defaults (the default socket directory, 5432, the login name)
    ("postgresql:///kpi",
     {"host": "/var/run/postgresql", "port": "5432", "user": connections.system_user(), "dbname": "kpi"}),
    # TLS and other parameters are kept, an IPv6 address in brackets, SQLAlchemy's driver spelling
    ("postgres://u:p%40w@[::1]:6543/wh?sslmode=verify-full&sslrootcert=/etc/ca.pem&options=-c%20statement_timeout%3D5min",
     {"host": "::1", "port": "6543", "user": "u", "password": "p@w", "dbname": "wh", "sslmode": "verify-full",
      "sslrootcert": "/etc/ca.pem", "options": "-c statement_timeout=5min"}),
    ("postgresql+psycopg://u@db.example/wh?connect_timeout=3&application_name=kpi",
     {"host": "db.example", "port": "5432", "user": "u", "dbname": "wh", "connect_timeout": "3",
      "application_name": "kpi"}),
])
def test_every_libpq_uri_form_is_understood(url, expected, monkeypatch):
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    assert connections.parse_url(url) == expected


@pytest.mark.parametrize("url, reason", [
    ("postgresql://u@h1,h2/kpi", "several hosts"),
    ("postgresql://u@h:1,h:2/kpi", "several"),
    ("postgresql:///kpi?service=warehouse", "service="),
    ("postgresql://u@h/kpi?tcp_user_timeout=100", "tcp_user_timeout cannot be passed on to dbt"),
    ("postgresql://u@h/kpi?sslmod=require", 'invalid URI query parameter: "sslmod"'),
    ("postgresql://u@h:port/kpi", "the port must be a number, got 'port'"),
    ("mysql://u@h/kpi", "must be a postgresql:// URL"),
    # libpq quotes a URL it cannot read: never with its password
    ("postgresql://u:Sec-ret-99@[::1/kpi", r'"postgresql://u:\*\*\*@\[::1/kpi"'),
    ("postgresql://u:Sec%zzret-99@h/kpi", "the password is not valid percent-encoding"),
])
def test_what_cannot_be_carried_everywhere_is_refused_by_name(url, reason):
    with pytest.raises(connections.ConnectionSettingError, match=reason) as info:
        connections.parse_url(url)
    assert str(info.value).startswith("WAREHOUSE_URL") and "ret-99" not in str(info.value)


def test_dbt_and_airflow_get_every_parameter():
    params = connections.parse_url(
        "postgresql://kpi:s3cret@/wh?host=/run/pg&port=5999&sslmode=disable&options=-c%20search_path%3Draw"
        "&keepalives_idle=30&target_session_attrs=read-write")
    env = connections.dbt_env(params)
    assert env == {
        "KPI_PG_HOST": "/run/pg", "KPI_PG_PORT": "5999", "KPI_PG_USER": "kpi", "KPI_PG_PASSWORD": "s3cret",
        "KPI_PG_DBNAME": "wh", "KPI_PG_KEEPALIVES_IDLE": "30",
        # libpq's own variables for what dbt's profile has no field for
        "PGSSLMODE": "disable", "PGOPTIONS": "-c search_path=raw", "PGTARGETSESSIONATTRS": "read-write",
    }
    # profiles.yml reads every KPI_PG_* that dbt_env can set
    profile = (connections.config.dbt_project_dir() / "profiles.yml").read_text()
    for name in {*env, *(f"KPI_PG_{k.upper()}" for k in connections.DBT_PROFILE_PARAMS)}:
        assert not name.startswith("KPI_PG_") or f"env_var('{name}'" in profile, name

    from airflow.sdk.definitions.connection import Connection

    as_json = Connection.from_json(json.dumps(connections.airflow_connection(params)), conn_id="kpi_warehouse")
    assert (as_json.conn_type, as_json.host, as_json.port, as_json.schema) == ("postgres", "/run/pg", 5999, "wh")
    assert connections.params_from_airflow(as_json) == params
    # the same connection defined by hand as a URI (the socket comes back as extra host)
    as_uri = Connection.from_uri(
        "postgresql://kpi:s3cret@/wh?host=%2Frun%2Fpg&port=5999&sslmode=disable&options=-c+search_path%3Draw"
        "&keepalives_idle=30&target_session_attrs=read-write&cursor=dictcursor", conn_id="kpi_warehouse")
    assert connections.params_from_airflow(as_uri) == params


def test_the_dbt_task_resolves_the_connection_when_it_runs(monkeypatch):
    """The task dbt_build hands dbt the environment made from the Airflow connection kpi_warehouse when
    it runs (kpi.pipeline.dbt_build), a socket and no password included; profiles.yml holds only
    placeholders."""
    monkeypatch.setenv(connections.CONN_ENV, json.dumps(connections.airflow_connection(
        connections.parse_url("postgresql://kpi:Runtime-Secret-42@db.internal:6000/wh?sslmode=require"))))
    env = connections.airflow_dbt_env()
    assert env["KPI_PG_PASSWORD"] == "Runtime-Secret-42" and env["KPI_PG_HOST"] == "db.internal"
    assert env["PGSSLMODE"] == "require"
    profile = (connections.config.dbt_project_dir() / "profiles.yml").read_text()
    assert "Runtime-Secret-42" not in profile and "db.internal" not in profile
    # peer authentication over a socket: no password
    monkeypatch.setenv(connections.CONN_ENV, "postgresql://kpi@/wh?host=%2Fvar%2Frun%2Fpostgresql")
    env = connections.airflow_dbt_env()
    assert env["KPI_PG_HOST"] == "/var/run/postgresql" and env["KPI_PG_PASSWORD"] == ""

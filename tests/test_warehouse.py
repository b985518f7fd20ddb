"""The warehouse switch: the embedded server by default, any PostgreSQL through WAREHOUSE_URL."""
from __future__ import annotations

import os

import pytest

from kpi import config, connections, warehouse


def test_parse_a_full_url():
    p = connections.parse_url("postgresql://kpi%40owner:s%3Ecret@db.example:6543/warehouse")
    assert p == {"user": "kpi@owner", "password": "s>cret", "host": "db.example", "port": "6543", "dbname": "warehouse"}
    assert connections.parse_url("postgresql://u@h/d")["port"] == "5432"
    with pytest.raises(ValueError, match="postgresql://"):
        connections.parse_url("mysql://u@h/d")


def test_warehouse_url_points_everything_at_another_server(embedded_server, monkeypatch):
    """A database owned by an ordinary role (not a superuser), reached only through WAREHOUSE_URL."""
    with warehouse.connect(autocommit=True, dbname="postgres") as conn:
        conn.execute("drop database if exists external_wh with (force)")
        conn.execute("drop role if exists kpi_owner")
        conn.execute("create role kpi_owner login password 'owner pw'")
        conn.execute("create database external_wh owner kpi_owner")
        conn.execute("do $$ begin if not exists (select from pg_roles where rolname = 'bi_reader') "
                     "then create role bi_reader login; end if; end $$")
    port = config.warehouse_port()
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://kpi_owner:owner%20pw@127.0.0.1:{port}/external_wh")
    assert not config.uses_embedded_warehouse()
    assert connections.dbt_env(connections.warehouse_params())["KPI_PG_DBNAME"] == "external_wh"
    assert warehouse.up() == f"127.0.0.1:{port}/external_wh"
    with warehouse.connect() as conn:
        assert conn.execute("select current_user, current_database()").fetchone() == ("kpi_owner", "external_wh")
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
        assert {"raw", "staging", "intermediate", "marts"} <= schemas
        assert conn.execute("show timezone").fetchone()[0] == "Asia/Taipei"
    monkeypatch.delenv("WAREHOUSE_URL")
    assert connections.warehouse_params()["dbname"] == os.environ["KPI_WAREHOUSE_DB"]

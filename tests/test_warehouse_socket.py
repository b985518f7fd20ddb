"""WAREHOUSE_URL in libpq's Unix-socket form, as a city server's own PostgreSQL is often reached (peer
authentication, no password): `kpi run` loads, builds with dbt through Airflow and flags over that
socket."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import psycopg
import pytest
from conftest import _free_port, run_kpi, server_tmpdir

from kpi import config, declarations, warehouse

AS_OF = date(2022, 2, 27)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def socket_server(embedded_server):
    """A PostgreSQL listening on a Unix socket (short path: sockets are limited to ~100 bytes) that
    lets the system user running the tests in as postgres by peer authentication."""
    pgdata = server_tmpdir("kpi-test-socket-") / "pg" / "data"
    socket_dir = Path(tempfile.mkdtemp(prefix="kpi-s-"))
    port = _free_port()
    warehouse.start_embedded(pgdata=pgdata, port=port, socket_dir=socket_dir)
    with psycopg.connect(host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute("create database kpi_socket")
    # Airflow's metadata stays in the session's embedded server (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)
    warehouse.ensure_database(config.AIRFLOW_DB)
    yield socket_dir, port
    warehouse.stop_embedded(pgdata=pgdata)


def test_kpi_run_over_a_unix_socket(socket_server, tmp_path):
    socket_dir, port = socket_server
    env = {
        # no password, no host part: the socket directory and port in the query string
        "WAREHOUSE_URL": f"postgresql://postgres@/kpi_socket?host={socket_dir}&port={port}&application_name=kpi",
        "KPI_LANDING_DIR": str(tmp_path / "landing"),
        "KPI_REPORTS_DIR": str(tmp_path / "reports"),
    }
    res = run_kpi("demo-data", "--until", "2022-02-28", "--scale", "0.05", env=env)
    assert res.returncode == 0, res.stderr
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), env=env)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    assert "基準日 111/02/27（2022-02-27）" in res.stdout

    with psycopg.connect(host=str(socket_dir), port=port, user="postgres", dbname="kpi_socket") as conn:
        loaded = dict(conn.execute("select source, sum(rows_loaded) from raw.load_ledger group by source").fetchall())
        assert set(loaded) >= {"documents", "petitions", "budget", "register", "hr", "calendar"}
        # dbt built the marts there, in the task dbt_build (the DAG's dbt) and for the report's docs
        rows = conn.execute("select count(*) from marts.fct_kpi_status where as_of_date = %s", (AS_OF,)).fetchone()
        assert rows[0] >= len(declarations.kpi_codes())
        assert conn.execute("select count(*) from marts.kpi_alerts where as_of_date = %s", (AS_OF,)).fetchone()
    assert (tmp_path / "reports" / AS_OF.isoformat() / "dbt-docs.html").exists()

"""BI access: bi_reader logs in over TCP with the password set by `kpi bi-password` or
KPI_BI_READER_PASSWORD, reads schema marts and nothing else, and writes nothing."""
from __future__ import annotations

import psycopg
import pytest
from conftest import run_kpi as _run_kpi
from psycopg import errors

from kpi import config, connections, warehouse

PASSWORD = "bi 密碼 'quoted\" $1"  # spaces, CJK, quotes: nothing is spliced into SQL


def run_kpi(*args: str, env: dict | None = None, input_text: str | None = None):
    """`kpi` in a subprocess, its stdin a pipe (so `kpi bi-password` reads one line, no prompt)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    if input_text is None:
        return _run_kpi(*args, env=env)
    return subprocess.run([str(Path(sys.executable).with_name("kpi")), *args], input=input_text,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


def _connect_as_bi(password: str | None) -> psycopg.Connection:
    p = connections.warehouse_params()
    return psycopg.connect(host="127.0.0.1", port=p["port"], dbname=p["dbname"], user="bi_reader",
                           password=password, connect_timeout=5, autocommit=True)


@pytest.fixture(scope="module")
def marts(warehouse_db):
    with warehouse.connect(autocommit=True) as conn:
        # a mart as dbt builds it (after the bootstrap: the default privileges must cover it)
        conn.execute("create table marts.fct_kpi_status as select date '2025-11-25' as as_of_date, 'K7.2' as kpi_code")
        # and a view on it, as the BI views kpi_status_current / kpi_status_history are
        conn.execute("create view marts.kpi_status_current as select * from marts.fct_kpi_status")
        conn.execute("insert into raw.load_ledger (source, object_name, status) "
                     "values ('petitions', 'x.csv', 'loaded')")
    return warehouse_db


def test_without_a_password_bi_reader_cannot_log_in(marts):
    res = run_kpi("bi-password", "--disable")
    assert res.returncode == 0, res.stderr
    with warehouse.connect() as conn:
        assert conn.execute("select rolcanlogin from pg_roles where rolname = 'bi_reader'").fetchone() == (False,)
    with pytest.raises(psycopg.OperationalError):
        _connect_as_bi("anything")


def test_kpi_bi_password_lets_bi_reader_log_in_with_it_only(marts):
    res = run_kpi("bi-password", input_text=PASSWORD + "\n")
    assert res.returncode == 0, res.stderr
    assert "bi_reader can log in" in res.stdout and PASSWORD not in res.stdout + res.stderr
    with _connect_as_bi(PASSWORD) as conn:
        assert conn.execute("select current_user").fetchone() == ("bi_reader",)
    for wrong in ("wrong", None):
        with pytest.raises(psycopg.OperationalError, match="password"):
            _connect_as_bi(wrong)
    # stored as a SCRAM verifier, never in clear
    with warehouse.connect() as conn:
        stored = conn.execute("select rolpassword from pg_authid where rolname = 'bi_reader'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and PASSWORD not in stored


def test_an_empty_password_is_refused(marts):
    res = run_kpi("bi-password", input_text="\n")
    assert res.returncode != 0 and "empty" in res.stderr


def test_kpi_up_sets_the_password_from_the_environment(marts):
    res = run_kpi("up", env={"KPI_BI_READER_PASSWORD": "from-env"})
    assert res.returncode == 0, res.stderr
    _connect_as_bi("from-env").close()
    with pytest.raises(psycopg.OperationalError):
        _connect_as_bi(PASSWORD)
    # without the variable, `kpi up` leaves the password alone
    assert run_kpi("up").returncode == 0
    _connect_as_bi("from-env").close()


def test_bi_reader_reads_marts_only_and_writes_nothing(marts):
    warehouse.set_bi_reader_password(PASSWORD)
    with _connect_as_bi(PASSWORD) as conn:
        assert conn.execute("select kpi_code from marts.fct_kpi_status").fetchall() == [("K7.2",)]
        assert conn.execute("select kpi_code from marts.kpi_status_current").fetchall() == [("K7.2",)]
        forbidden = [
            "select * from raw.load_ledger",
            "select * from raw.petitions__case_versions",  # the petitioner pseudonyms
            "select * from raw.rejected_rows",
            "insert into marts.fct_kpi_status values (date '2025-11-26', 'K1.1')",
            "update marts.fct_kpi_status set kpi_code = 'x'",
            "delete from marts.fct_kpi_status",
            "create table marts.mine (x int)",
            "create table public.mine (x int)",
            "create schema mine",
            "drop table marts.fct_kpi_status",
        ]
        for statement in forbidden:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        for schema in ("raw", "staging", "intermediate"):
            assert conn.execute("select has_schema_privilege(%s, 'usage')", (schema,)).fetchone() == (False,)


def test_other_databases_of_the_server_are_closed_to_it(marts):
    warehouse.ensure_database(config.AIRFLOW_DB)  # Airflow's metadata, on the same embedded server
    warehouse.set_bi_reader_password(PASSWORD)
    p = connections.warehouse_params()
    for dbname in (config.AIRFLOW_DB, "postgres", "template1"):  # a BI tool lists what it can connect to
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(host="127.0.0.1", port=p["port"], dbname=dbname, user="bi_reader",
                            password=PASSWORD, connect_timeout=5).close()

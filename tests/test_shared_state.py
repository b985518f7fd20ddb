"""Hosts that share no disk (README: State every host shares): every piece of state a DAG task needs
lives in a shared service or a configured place every host reaches. A host without it fails the task
with a clear message; it never quietly makes its own (a new embedded warehouse, a new PII key)."""
from __future__ import annotations

import socket
from datetime import date

import pytest

from kpi import config, pipeline, warehouse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bare_host(tmp_path, monkeypatch):
    """A worker host: its own empty state dir and no warehouse listening on its port."""
    port = _free_port()
    monkeypatch.setenv("KPI_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("KPI_WAREHOUSE_PORT", str(port))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    yield tmp_path, port
    if warehouse.embedded_running(config.embedded_pgdata()):  # the old behaviour started one: stop it
        warehouse.stop_embedded(config.embedded_pgdata())


def test_a_task_on_a_host_without_the_warehouse_fails_and_starts_none(bare_host):
    state, port = bare_host
    with pytest.raises(warehouse.WarehouseError) as err:
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "never starts the embedded warehouse" in message
    assert not (state / ".warehouse").exists()  # no data dir, no generated password


def test_a_task_whose_embedded_warehouse_is_down_names_host_and_port(bare_host):
    state, port = bare_host
    config.embedded_password()  # the main host's state, its server stopped (or another host's port)
    with pytest.raises(warehouse.WarehouseError) as err:
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    assert f"127.0.0.1:{port}" in str(err.value) and "kpi up" in str(err.value)
    assert not (state / ".warehouse" / "pgdata").exists()


def test_a_task_reaches_a_warehouse_url_it_cannot_reach_with_host_and_port_named(bare_host, monkeypatch):
    state, port = bare_host
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://kpi:pw@127.0.0.1:{port}/kpi?connect_timeout=3")
    with pytest.raises(warehouse.WarehouseError, match=f"127.0.0.1:{port}/kpi .*WAREHOUSE_URL"):
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    assert not (state / ".warehouse").exists()


def test_a_task_on_the_main_host_bootstraps_the_running_warehouse(warehouse_db):
    where = warehouse.ready()
    assert where.endswith(f"/{warehouse_db}")
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from pg_namespace where nspname = 'marts'").fetchone()[0] == 1

"""Airflow backfills: `airflow backfill create` over a range of dates, executed by a real scheduler,
leaves one set of statuses per as-of date, one run at a time on the warehouse."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import _free_port, run_kpi

from kpi import airflow_env, declarations, warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def airflow_services(warehouse_db):
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr
    res = run_kpi("airflow", "dags", "reserialize", env={"KPI_TASK_RETRIES": "0"})
    assert res.returncode == 0, res.stderr[-2000:]
    port = _free_port()
    env = {**airflow_env.services_env(port), "KPI_TASK_RETRIES": "0",
           "AIRFLOW__CORE__PARALLELISM": "4", "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2"}
    airflow = str(Path(sys.executable).with_name("airflow"))
    logs = airflow_env.airflow_home() / "test-services"
    logs.mkdir(parents=True, exist_ok=True)
    procs = [subprocess.Popen([airflow, *cmd], env=env, stdout=open(logs / f"{cmd[0]}.log", "w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
             for cmd in (["api-server", "--port", str(port)], ["dag-processor"], ["scheduler"])]
    yield env
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _statuses(as_of: date) -> int:
    with warehouse.connect() as conn:
        return conn.execute("select count(*) from marts.fct_kpi_status where as_of_date = %s", (as_of,)).fetchone()[0]


def test_backfill_create_runs_each_date_of_the_range(airflow_services):
    # a backfill runs only while the DAG is unpaused; the latest nightly run it then schedules waits
    # for the warehouse lock like any other run
    for args in (["dags", "unpause", "kpi_nightly"],
                 ["backfill", "create", "--dag-id", "kpi_nightly", "--from-date", "2025-03-04T02:00:00+08:00",
                  "--to-date", "2025-03-05T02:00:00+08:00", "--max-active-runs", "1"]):
        res = run_kpi("airflow", *args)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    deadline = time.monotonic() + 1200
    while True:
        res = run_kpi("airflow", "dags", "list-runs", "kpi_nightly", "-o", "plain")
        backfills = [line for line in res.stdout.splitlines() if "backfill__" in line]
        if any("failed" in line for line in backfills) or time.monotonic() > deadline:
            break
        if len(backfills) == 2 and all("success" in line for line in backfills):
            break
        time.sleep(15)
    run_kpi("airflow", "dags", "pause", "kpi_nightly")
    assert len(backfills) == 2 and all("success" in line for line in backfills), res.stdout
    # as-of dates: the day before each 02:00 slot
    # every indicator for the city, and per department
    every = len(declarations.kpi_codes())
    assert _statuses(date(2025, 3, 3)) > every and _statuses(date(2025, 3, 4)) > every

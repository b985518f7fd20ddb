"""The DAG file: imports cleanly without a database, and has the shape the nightly run relies on."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest

from conftest import PROJECT


@pytest.fixture(scope="module")
def dag(dbt_manifest):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT / "dags"))
    assert bag.import_errors == {}
    return bag.dags["kpi_nightly"]


def test_schedule_is_0200_taipei_one_run_at_a_time(dag):
    assert dag.timetable.summary == "0 2 * * *"
    assert str(dag.timetable._timezone) in ("Asia/Taipei", "Timezone('Asia/Taipei')")
    assert dag.max_active_runs == 1
    assert dag.catchup is False


def test_tasks_retry_with_backoff(dag):
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.retry_delay == timedelta(minutes=2)


def test_order_load_then_dbt_then_flags_then_publish(dag):
    ids = set(dag.task_ids)
    assert {"resolve_as_of", "prepare_warehouse", "load_documents", "flag_indicators", "publish"} <= ids
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("dbt.")]
    # one visible task per model and seed
    for node in ("stg_documents__doc_daily_stats", "int_kpi_status_evaluated", "fct_kpi_status", "dim_kpi", "kpi_catalog"):
        assert any(node in t.task_id for t in dbt_tasks), node
    load = dag.get_task("load_documents")
    flags = dag.get_task("flag_indicators")
    assert dag.get_task("prepare_warehouse").task_id in load.upstream_task_ids
    # every dbt task runs after the loads (directly or through another dbt task), flags after all dbt
    roots = [t for t in dbt_tasks if not any(u.startswith("dbt.") for u in t.upstream_task_ids)]
    assert roots and all("load_documents" in t.upstream_task_ids for t in roots)
    assert flags.get_flat_relative_ids(upstream=True) >= {t.task_id for t in dbt_tasks}
    assert "flag_indicators" in dag.get_task("publish").upstream_task_ids
    fct = next(t for t in dbt_tasks if "fct_kpi_status" in t.task_id)
    assert "{{" in str(fct.vars["as_of_date"])  # templated per run, not frozen at parse time


def test_as_of_is_the_day_before_the_0200_slot():
    from kpi import config, pipeline

    slot = datetime(2025, 11, 26, 2, 0, tzinfo=config.TIMEZONE)
    assert pipeline.as_of_for_run(slot) == date(2025, 11, 25)
    # 18:00 UTC is 02:00 next day in Taipei
    assert pipeline.as_of_for_run(datetime.fromisoformat("2025-11-25T18:00:00+00:00")) == date(2025, 11, 25)
    # Airflow hands tasks pendulum DateTimes in UTC
    import pendulum

    assert pipeline.as_of_for_run(pendulum.datetime(2025, 11, 25, 18, tz="UTC")) == date(2025, 11, 25)
    assert pipeline.run_time_for(date(2024, 12, 31)) == datetime(2025, 1, 1, 2, 0, tzinfo=config.TIMEZONE)


def test_dag_file_parses_without_a_reachable_database(dbt_manifest):
    """No work at import time: parsing must not touch the warehouse (here: a closed port)."""
    env = {**os.environ, "WAREHOUSE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    code = "import runpy, time; t=time.monotonic(); runpy.run_path('dags/kpi_nightly.py'); print(time.monotonic()-t)"
    started = time.monotonic()
    res = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert time.monotonic() - started < 60

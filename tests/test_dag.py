"""The DAG file: imports cleanly without a database, and has the shape the nightly run relies on."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest
from conftest import PROJECT

from kpi.loaders import source_names


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
        # Airflow 3 reads it as a multiplier: True (= 1) would keep every retry at the first delay
        assert task.retry_exponential_backoff == 2, task.task_id
        assert task.retry_delay == timedelta(seconds=10)  # a task lost with its worker runs again soon


def test_order_load_then_dbt_then_flags_then_publish(dag):
    ids = set(dag.task_ids)
    # one load task per declared source, whatever their number (the original six at least)
    loads = {f"load_{name}" for name in source_names()}
    assert {f"load_{name}" for name in ("documents", "petitions", "budget", "register", "hr", "calendar")} <= loads
    assert loads | {"resolve_as_of", "prepare_warehouse", "loads_finished", "flag_indicators", "publish",
                    "notify", "check_loads"} <= ids
    # dbt is one task, one `dbt build` (kpi.dbt_build: a log line and an XCom row per node)
    assert not [t for t in ids if t.startswith("dbt") and t != "dbt_build"]
    for load in loads:
        assert dag.get_task(load).upstream_task_ids == {"prepare_warehouse"}
    joined = dag.get_task("loads_finished")
    assert joined.upstream_task_ids == loads
    assert joined.trigger_rule == "all_done"  # one unreadable file does not stop the other sources' KPIs
    assert dag.get_task("dbt_build").upstream_task_ids == {"loads_finished"}
    flags = dag.get_task("flag_indicators")
    assert flags.upstream_task_ids == {"dbt_build", "loads_finished"}
    assert "flag_indicators" in dag.get_task("publish").upstream_task_ids
    check = dag.get_task("check_loads")
    assert check.upstream_task_ids == {"publish"} and not check.downstream_task_ids
    assert check.trigger_rule == "all_done"  # the run still ends red when a load failed
    notify = dag.get_task("notify")
    # after the results are published; a leaf of its own, so that a failed notification fails the run
    # (check_loads runs on all_done and would turn a failure upstream of it green)
    assert notify.upstream_task_ids == {"publish", "resolve_as_of"} and not notify.downstream_task_ids
    assert notify.trigger_rule == "all_success"
    release = dag.get_task("release_warehouse")
    assert release.is_teardown and "prepare_warehouse" in release.upstream_task_ids  # the lock is always released


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


def test_exposures_render_no_tasks_and_kpi_run_counts_every_task(dag, dbt_manifest):
    """The dbt exposures (report, Metabase dashboards) are documentation, no task of the DAG, and
    `kpi run`'s progress total is the DAG's task count."""
    import json
    from pathlib import Path

    from kpi.dag_runner import dag_counts

    manifest = json.loads(Path(dbt_manifest).read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert exposures["kpi_status_report"]["type"] == "application"
    assert exposures["metabase_kpi_overview"]["type"] == exposures["metabase_source_activity"]["type"] == "dashboard"
    for exposure in exposures.values():
        assert exposure["owner"]["email"] and exposure["owner"]["name"]
        for node in exposure["depends_on"]["nodes"]:
            target = manifest["nodes"].get(node) or manifest["sources"][node]
            assert target["schema"] == "marts", f"{exposure['name']} reads {node} outside marts"
    assert "model.kpi.kpi_alerts" in exposures["kpi_alert_notifications"]["depends_on"]["nodes"]
    for name in exposures:
        assert not [t for t in dag.task_ids if name in t], name
    assert dag_counts()[0] == len(dag.tasks)


def test_marts_of_d_publish_after_their_audit_and_the_alerts_are_a_view_of_them(dbt_manifest):
    """Write-audit-publish: d's statuses are tested on int_kpi_status_evaluated (no test of it has a
    second parent, which `dbt build` would run after the marts instead of before them: a failed test
    skips its model's children); fct_kpi_status and fct_source_freshness publish only after it;
    kpi_alerts is a view of those two, so no failure can leave alerts of one night beside statuses of
    another."""
    import json
    from pathlib import Path

    manifest = json.loads(Path(dbt_manifest).read_text())
    upstream = {n["name"]: set(n["depends_on"]["nodes"]) for n in manifest["nodes"].values()
                if n["resource_type"] == "model"}
    audit = "model.kpi.int_kpi_status_evaluated"
    assert audit in upstream["fct_kpi_status"]
    assert audit in upstream["fct_source_freshness"]
    # the alerts read the published statuses through their labelled view, and the published freshness
    assert upstream["kpi_alerts"] >= {"model.kpi.kpi_status_labelled", "model.kpi.fct_source_freshness"}
    assert "model.kpi.fct_kpi_status" in upstream["kpi_status_labelled"]
    audit_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"
                   and "model.kpi.int_kpi_status_evaluated" in n["depends_on"]["nodes"]]
    assert {n["column_name"] for n in audit_tests} >= {"status", "org_unit_name_zh", "org_unit_code", "kpi_code"}
    assert all(set(n["depends_on"]["nodes"]) == {"model.kpi.int_kpi_status_evaluated"} for n in audit_tests)
    assert manifest["nodes"]["model.kpi.kpi_alerts"]["config"]["materialized"] == "view"


def test_the_runners_airflow_command_passes_on_its_exit_code(dbt_manifest):
    """kpi.airflow_runner (what `kpi run` starts) ends with Airflow's own exit code though it skips the
    interpreter's teardown: 0 when the command succeeds, not 0 with Airflow's message when it fails."""
    from kpi import airflow_env

    def runner(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kpi.airflow_runner", *args], cwd=PROJECT,
                              env=airflow_env.env(), capture_output=True, text=True, timeout=300)

    ok = runner("version")
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert ok.stdout.strip().startswith("3."), ok.stdout
    failed = runner("dags", "test")   # no DAG id: Airflow's argument parser exits with 2
    assert failed.returncode == 2
    assert "dag_id" in failed.stderr

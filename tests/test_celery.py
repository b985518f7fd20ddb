"""CeleryExecutor for real on one machine: a Redis with a password on a loopback port, `kpi airflow-ui`
(`make airflow`) with AIRFLOW__CORE__EXECUTOR=CeleryExecutor, which starts its own worker, and a second
worker started as on another host would be (both with concurrency 1 and their own host names). The
real kpi_nightly runs through the scheduler and the broker, not in-process: the run succeeds, both
workers ran tasks, the statuses equal `kpi run`'s of the same date on the same data, and the broker's
password reaches no log."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import _free_port, run_kpi, small_demo_landing

from kpi import airflow_env, airflow_ui, config, errors, pipeline, redact, warehouse

AS_OF = date(2025, 3, 5)
READY_TIMEOUT = 600   # two shared cores; alone Airflow is ready in 20-40 s
RUN_TIMEOUT = 1500
REFERENCE_DB = "t_test_celery_reference"


def _stop(proc: subprocess.Popen, grace: float = 120) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def redis_url():
    """A throwaway redis-server with a password on a free loopback port; its URL."""
    server = shutil.which("redis-server")
    if not server:
        if os.environ.get("KPI_REQUIRE_REDIS"):
            pytest.fail("KPI_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server); CI sets KPI_REQUIRE_REDIS")
    import redis

    port, password = _free_port(), secrets.token_hex(16)
    workdir = Path(tempfile.mkdtemp(prefix="kpi-test-redis-"))
    conf = workdir / "redis.conf"  # the password in a file (mode 600), not on the command line
    conf.write_text(f"port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir {workdir}\n"
                    f"requirepass {password}\n")
    conf.chmod(0o600)
    proc = subprocess.Popen([server, str(conf)], stdout=open(workdir / "redis.log", "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (workdir / "redis.log").read_text()
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"redis://:{password}@127.0.0.1:{port}/0", password
    finally:
        _stop(proc, grace=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def celery_night(warehouse_db, dbt_manifest, redis_url, tmp_path_factory, monkeypatch_module):
    """kpi_nightly for AS_OF on two Celery workers, triggered through the REST API as the scheduler's
    own runs are queued; returns (the run, its task instances, seconds, the broker's password)."""
    small_demo_landing(tmp_path_factory, monkeypatch_module)
    url, password = redis_url
    for name, value in {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "KPI_TASK_RETRIES": "0",   # a broken task fails the test at once, as in `kpi run`
    }.items():
        monkeypatch_module.setenv(name, value)
    port = _free_port()
    out = tmp_path_factory.mktemp("celery") / "airflow-ui.txt"
    kpi = str(Path(sys.executable).with_name("kpi"))
    started = datetime.now(UTC)
    with open(out, "w") as sink:  # `make airflow`: its worker is host worker-a
        ui = subprocess.Popen([kpi, "airflow-ui", "--port", str(port), "--paused"], stdout=sink,
                              stderr=subprocess.STDOUT, start_new_session=True,
                              env={**os.environ, "KPI_HOSTNAME": "worker-a", "PYTHONUNBUFFERED": "1"})
    second = None
    try:
        # the second worker, as another host starts one: the settings, its own name, pid and log port
        env = {**airflow_ui.service_env(port, "127.0.0.1", True), "KPI_HOSTNAME": "worker-b",
               "AIRFLOW__CORE__HOSTNAME_CALLABLE": "kpi.airflow_env.hostname",
               "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port())}
        log_b = airflow_env.airflow_home() / "logs" / "services" / "celery-worker-b.log"
        log_b.parent.mkdir(parents=True, exist_ok=True)
        with open(log_b, "w") as sink:
            second = subprocess.Popen(
                [str(Path(sys.executable).with_name("airflow")), "celery", "worker", "--concurrency", "1",
                 "--celery-hostname", "kpi-2@%h", "--pid", str(airflow_env.airflow_home() / "celery-worker-2.pid")],
                env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        t0 = time.monotonic()
        while "Airflow is ready" not in out.read_text():
            assert ui.poll() is None, f"kpi airflow-ui exited ({ui.returncode}):\n{out.read_text()[-4000:]}"
            assert second.poll() is None, f"second worker exited:\n{log_b.read_text()[-4000:]}"
            assert time.monotonic() - t0 < READY_TIMEOUT, out.read_text()[-4000:]
            time.sleep(1)
        printed = out.read_text()
        assert "celery-worker" in printed and "(CeleryExecutor)" in printed, printed

        base = f"http://127.0.0.1:{port}"
        bearer = airflow_ui.token(base, airflow_ui.admin_password())
        run_time = pipeline.run_time_for(AS_OF)
        status, run = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns", "POST",
                                     {"logical_date": run_time.isoformat(), "conf": {}}, token=bearer)
        assert status in (200, 201), run
        run_id = run["dag_run_id"]
        t_run = time.monotonic()
        # unpaused, the DAG also gets its latest 02:00 slot (no catchup: yesterday): not this test's night
        status, _ = airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": False}, token=bearer)
        assert status == 200
        while run["state"] not in ("success", "failed"):
            assert ui.poll() is None, out.read_text()[-4000:]
            _fail_other_runs(base, bearer, run_id)
            assert time.monotonic() - t_run < RUN_TIMEOUT, f"run still {run['state']} after {RUN_TIMEOUT} s"
            time.sleep(3)
            status, run = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}", token=bearer)
            assert status == 200, run
        seconds = time.monotonic() - t_run
        status, tis = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}/taskInstances?limit=100",
                                     token=bearer)
        assert status == 200, tis
        # later modules share the metadata database: no nightly runs of this one for them
        airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": True}, token=bearer)
        print(f"\nAirflow ready in {t_run - t0:.0f} s; the night on Celery took {seconds:.0f} s ({started:%H:%M} UTC)")
        yield run, tis["task_instances"], seconds, password
    finally:
        _stop(ui, grace=180)
        if second is not None:
            _stop(second, grace=60)


def _fail_other_runs(base: str, bearer: str, run_id: str) -> None:
    _, runs = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns?state=queued&state=running", token=bearer)
    for other in runs.get("dag_runs", []):
        if other["dag_run_id"] != run_id:
            airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{other['dag_run_id']}", "PATCH",
                           {"state": "failed"}, token=bearer)


def _rows(dbname: str, relation: str) -> list[tuple]:
    """The rows of marts.<relation> for AS_OF, sorted, without the time they were computed."""
    with warehouse.connect(dbname=dbname) as conn:
        cols = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = %s and column_name not in ('computed_at', 'created_at') order by ordinal_position",
            (relation,))]
        return conn.execute(f"select {', '.join(cols)} from marts.{relation} where as_of_date = %s "
                            f"order by {', '.join(cols)}", (AS_OF,)).fetchall()


@pytest.mark.slow
def test_the_night_runs_on_both_workers(celery_night):
    run, tis, _, _ = celery_night
    failed = [(t["task_id"], t["state"]) for t in tis if t["state"] != "success"]
    assert run["state"] == "success", failed
    per_host: dict[str, list[str]] = {}
    for t in tis:
        per_host.setdefault(t["hostname"], []).append(t["task_id"])
    print("tasks per worker: " + ", ".join(f"{h} {len(ids)}" for h, ids in sorted(per_host.items())))
    assert set(per_host) == {"worker-a", "worker-b"}, per_host


@pytest.mark.slow
def test_statuses_equal_kpi_runs_on_the_same_data(celery_night, monkeypatch_module):
    on_celery = {name: _rows(config.warehouse_db(), name) for name in ("fct_kpi_status", "kpi_alerts")}
    assert len(on_celery["fct_kpi_status"]) >= 26  # every indicator, for the city at least
    assert on_celery["kpi_alerts"], "the demo data has alerts on this date"
    with warehouse.connect(autocommit=True, dbname="postgres") as conn:
        conn.execute(f'drop database if exists "{REFERENCE_DB}" with (force)')
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), env={"KPI_WAREHOUSE_DB": REFERENCE_DB,
                                                             "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"})
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    for name, rows in on_celery.items():
        assert _rows(REFERENCE_DB, name) == rows, name
    print(f"fct_kpi_status {len(on_celery['fct_kpi_status'])} rows, kpi_alerts {len(on_celery['kpi_alerts'])}: equal")


@pytest.mark.slow
def test_the_broker_password_reaches_no_log(celery_night):
    _, _, _, password = celery_night
    leaked = [str(p) for p in (airflow_env.airflow_home() / "logs").rglob("*")
              if p.is_file() and password in p.read_text(errors="replace")]
    assert not leaked


def test_the_executor_comes_from_the_settings(monkeypatch):
    for name in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__WORKER_CONCURRENCY",
                 "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    assert airflow_env.executor_env() == {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
    assert airflow_ui.AirflowUI(8080).services() == airflow_ui.SERVICES
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "KubernetesExecutor")
    with pytest.raises(errors.InputError, match="AIRFLOW__CORE__EXECUTOR"):
        airflow_env.executor_env()
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    with pytest.raises(errors.InputError, match="AIRFLOW__CELERY__BROKER_URL"):  # no passwordless default
        airflow_env.executor_env()
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://:s3cret-pw@127.0.0.1:6390/0")
    env = airflow_env.services_env(8080)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
    assert env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"] == "7200"
    assert airflow_ui.AirflowUI(8080).services() == (*airflow_ui.SERVICES, "celery-worker")
    monkeypatch.setenv("AIRFLOW__CELERY__WORKER_CONCURRENCY", "0")
    with pytest.raises(errors.InputError, match="AIRFLOW__CELERY__WORKER_CONCURRENCY"):
        airflow_env.executor_env()


def test_the_broker_password_is_masked(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://:s3cret-pw@127.0.0.1:6390/0")
    text = redact.mask("Error 111 connecting to redis://:s3cret-pw@127.0.0.1:6390/0")
    assert "s3cret-pw" not in text and "127.0.0.1:6390" in text

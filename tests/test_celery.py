"""CeleryExecutor for real on one machine: a Redis with a password on a loopback port, `kpi airflow-ui`
(`make airflow`) with AIRFLOW__CORE__EXECUTOR=CeleryExecutor, which starts its own worker, and a second
worker started as on another host would be, by `kpi worker` (both with concurrency 1 and their own host
names). The real kpi_nightly runs through the scheduler and the broker, not in-process: the run succeeds, both
workers ran tasks, the statuses equal `kpi run`'s of the same date on the same data, and the broker's
password reaches no log. On the way Redis is restarted and a worker is killed mid-task: the night
still finishes, the killed task's retry starts within RECOVERY_BOUND, and no lock is left."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import _free_port, run_kpi, small_demo_landing

from kpi import airflow_env, airflow_ui, config, declarations, errors, pipeline, redact, warehouse

pytestmark = pytest.mark.celery  # `pytest -m celery`: the scale-out tests; the nights among them are slow too

AS_OF = date(2025, 3, 5)
READY_TIMEOUT = 600   # two shared cores; alone Airflow is ready in 20-40 s
RUN_TIMEOUT = 1500
# a killed worker's task runs again within this: heartbeat timeout 60 s, the scheduler's check every
# 10 s, the retry delay 30-60 s, and room for a busy machine
RECOVERY_BOUND = 180
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


class Redis:
    """A throwaway redis-server with a password on a free loopback port, its queue in an append-only
    file so that a restart keeps it (as the Redis `kpi airflow-ui` starts)."""

    def __init__(self, server: str):
        self.server, self.port, self.password = server, _free_port(), secrets.token_hex(16)
        self.workdir = Path(tempfile.mkdtemp(prefix="kpi-test-redis-"))
        self.conf = self.workdir / "redis.conf"  # the password in a file (mode 600), not on the command line
        self.conf.write_text(f"port {self.port}\nbind 127.0.0.1\nsave \"\"\nappendonly yes\nappendfsync always\n"
                             f"dir {self.workdir}\nrequirepass {self.password}\n")
        self.conf.chmod(0o600)
        self.url = f"redis://:{self.password}@127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen([self.server, str(self.conf)], stdout=open(self.workdir / "redis.log", "a"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=2)
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, (self.workdir / "redis.log").read_text()
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def restart(self) -> None:
        _stop(self.proc, grace=10)
        self.start()

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, grace=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server():
    server = shutil.which("redis-server")
    if not server:
        if os.environ.get("KPI_REQUIRE_REDIS"):
            pytest.fail("KPI_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server); CI sets KPI_REQUIRE_REDIS")
    broker = Redis(server)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def celery_night(warehouse_db, dbt_manifest, redis_server, tmp_path_factory, monkeypatch_module):
    """kpi_nightly for AS_OF on two Celery workers, triggered through the REST API as the scheduler's
    own runs are queued, with two faults on the way: Redis restarted once the first tasks run, and
    worker-b killed (SIGKILL to its process group, as a host is lost) while it runs a task, after it
    finished one. Returns a Night."""
    small_demo_landing(tmp_path_factory, monkeypatch_module)
    for name, value in {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": redis_server.url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "KPI_TASK_RETRIES": "0",   # a broken task fails the test soon, as in `kpi run` (Celery keeps 1 retry)
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
        # the second worker, as another host starts one (`kpi worker`): its own name and log port
        env = {**os.environ, "KPI_HOSTNAME": "worker-b", "PYTHONUNBUFFERED": "1",
               "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
               "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port())}
        log_b = airflow_env.airflow_home() / "logs" / "services" / "celery-worker-b.log"
        log_b.parent.mkdir(parents=True, exist_ok=True)
        with open(log_b, "w") as sink:
            second = subprocess.Popen([kpi, "worker", "--concurrency", "1", "--name", "b"], env=env, stdout=sink,
                                      stderr=subprocess.STDOUT, start_new_session=True)
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
        tis_path = f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}/taskInstances?limit=200"
        t_run = time.monotonic()
        # unpaused, the DAG also gets its latest 02:00 slot (no catchup: yesterday): not this test's night
        status, _ = airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": False}, token=bearer)
        assert status == 200
        night = Night(password=redis_server.password)
        while run["state"] not in ("success", "failed"):
            assert ui.poll() is None, out.read_text()[-4000:]
            _fail_other_runs(base, bearer, run_id)
            assert time.monotonic() - t_run < RUN_TIMEOUT, f"run still {run['state']} after {RUN_TIMEOUT} s"
            time.sleep(2)
            status, tis = airflow_ui.api(base, tis_path, token=bearer)
            assert status == 200, tis
            _inject_faults(night, tis["task_instances"], redis_server, second)
            status, run = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}", token=bearer)
            assert status == 200, run
        night.ended = time.monotonic()
        night.seconds = night.ended - t_run
        status, tis = airflow_ui.api(base, tis_path, token=bearer)
        assert status == 200, tis
        night.run, night.tis = run, tis["task_instances"]
        # later modules share the metadata database: no nightly runs of this one for them
        airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": True}, token=bearer)
        print(f"\nAirflow ready in {t_run - t0:.0f} s; the night on Celery took {night.seconds:.0f} s "
              f"({started:%H:%M} UTC); Redis restarted: {night.redis_restarted}; worker-b killed in "
              f"{night.killed_task}: night over {night.ended - (night.killed_at or night.ended):.0f} s later")
        yield night
    finally:
        _stop(ui, grace=180)
        if second is not None:
            _stop(second, grace=60)


@dataclass
class Night:
    password: str
    run: dict = field(default_factory=dict)
    tis: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    ended: float = 0.0
    redis_restarted: bool = False
    killed_at: float | None = None      # time.monotonic() of the SIGKILL
    killed_at_utc: datetime | None = None
    killed_task: tuple[str, int] | None = None


def _inject_faults(night: Night, tis: list[dict], broker: Redis, worker_b: subprocess.Popen) -> None:
    """Restart Redis as soon as a task runs; then kill worker-b once it has finished a task and runs
    another one (SIGKILL to its process group: the worker, its pool and the task's processes)."""
    running = [t for t in tis if t["state"] == "running"]
    if not night.redis_restarted:
        if running:
            broker.restart()
            night.redis_restarted = True
        return
    if night.killed_at is not None:
        return
    on_b = [t for t in tis if t.get("hostname") == "worker-b"]
    busy = [t for t in on_b if t["state"] == "running"]
    if busy and any(t["state"] == "success" for t in on_b):
        os.killpg(worker_b.pid, signal.SIGKILL)
        worker_b.wait(timeout=30)
        night.killed_at, night.killed_at_utc = time.monotonic(), datetime.now(UTC)
        night.killed_task = (busy[0]["task_id"], busy[0]["map_index"])


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
    run, tis = celery_night.run, celery_night.tis
    failed = [(t["task_id"], t["state"]) for t in tis if t["state"] != "success"]
    assert run["state"] == "success", failed
    per_host: dict[str, list[str]] = {}
    for t in tis:
        per_host.setdefault(t["hostname"], []).append(t["task_id"])
    print("tasks per worker: " + ", ".join(f"{h} {len(ids)}" for h, ids in sorted(per_host.items())))
    assert set(per_host) == {"worker-a", "worker-b"}, per_host


@pytest.mark.slow
def test_a_killed_worker_costs_the_night_a_retry_not_a_human(celery_night):
    """worker-b died with a task: the scheduler fails it after the heartbeat timeout and its retry runs
    on worker-a within RECOVERY_BOUND of the kill (Airflow's defaults, 300 s and no retry under
    `kpi run`'s settings, took 8 min or failed the night); Redis restarted earlier lost nothing."""
    night = celery_night
    assert night.redis_restarted and night.killed_task, "the run ended before both faults were injected"
    assert night.run["state"] == "success", [(t["task_id"], t["state"]) for t in night.tis if t["state"] != "success"]
    task_id, map_index = night.killed_task
    ti = next(t for t in night.tis if (t["task_id"], t["map_index"]) == (task_id, map_index))
    assert ti["state"] == "success" and ti["try_number"] >= 2 and ti["hostname"] == "worker-a", ti
    recovered = (datetime.fromisoformat(ti["start_date"]) - night.killed_at_utc).total_seconds()
    print(f"{task_id}[{map_index}] killed; its retry started {recovered:.0f} s later on worker-a, "
          f"the night ended {night.ended - night.killed_at:.0f} s after the kill")
    assert recovered <= RECOVERY_BOUND
    # the short heartbeat timeout failed no healthy task: the supervisor beats while dbt builds
    build = next(t for t in night.tis if t["task_id"] == "dbt_build")
    print(f"dbt_build ran {build['duration']:.0f} s in try {build['try_number']} (heartbeat timeout "
          f"{config.task_heartbeat_timeout()} s)")
    assert not [t["task_id"] for t in night.tis if t["try_number"] > 1 and t is not ti]


@pytest.mark.slow
def test_no_lock_is_left_behind(celery_night):
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from raw.pipeline_lock").fetchone()[0] == 0


@pytest.mark.slow
def test_statuses_equal_kpi_runs_on_the_same_data(celery_night, monkeypatch_module):
    on_celery = {name: _rows(config.warehouse_db(), name) for name in ("fct_kpi_status", "kpi_alerts")}
    assert len(on_celery["fct_kpi_status"]) >= len(declarations.kpi_codes())  # every indicator, the city at least
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
    password = celery_night.password
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
    assert airflow_ui.AirflowUI(8080).services() == (*airflow_ui.SERVICES, "celery-worker-1")
    monkeypatch.setenv("AIRFLOW__CELERY__WORKER_CONCURRENCY", "0")
    with pytest.raises(errors.InputError, match="AIRFLOW__CELERY__WORKER_CONCURRENCY"):
        airflow_env.executor_env()


def test_a_dead_workers_task_is_failed_in_a_minute_and_retried_under_celery(monkeypatch):
    for name in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT", "KPI_TASK_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    # every Airflow process reads it: the scheduler to fail a silent task, a task's supervisor to beat
    assert airflow_env.env()["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == "60"
    monkeypatch.setenv("AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT", "90")
    assert airflow_env.env()["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == "90"
    monkeypatch.setenv("KPI_TASK_RETRIES", "0")
    assert config.task_retries() == 0                  # `kpi run`: a broken night fails at once
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    assert config.task_retries() == 1                  # a lost worker's task needs one
    monkeypatch.setenv("KPI_TASK_RETRIES", "3")
    assert config.task_retries() == 3


def test_the_broker_password_is_masked(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://:s3cret-pw@127.0.0.1:6390/0")
    text = redact.mask("Error 111 connecting to redis://:s3cret-pw@127.0.0.1:6390/0")
    assert "s3cret-pw" not in text and "127.0.0.1:6390" in text


def test_kpi_starts_its_own_redis_with_a_password_and_a_queue_that_survives_a_restart(redis_server, tmp_path,
                                                                                       monkeypatch):
    import redis

    from kpi import redis_broker

    monkeypatch.setenv("KPI_STATE_DIR", str(tmp_path))
    broker = redis_broker.Broker()
    try:
        url = broker.start()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert port != 6379 and url.startswith("redis://:") and "@127.0.0.1:" in url
        secret = redis_broker.password()
        for private in ("password", "redis.conf"):
            assert (redis_broker.redis_dir() / private).stat().st_mode & 0o777 == 0o600, private
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=port, socket_timeout=2).rpush("x", "1")
        redis.Redis.from_url(url, socket_timeout=2).rpush("celery", "queued task")
        pid = broker.proc.pid
        broker.stop()
        assert not broker.alive() and not Path(f"/proc/{pid}").exists()
        assert broker.start() == url  # the same port (the workers have it), password and queue
        assert redis_broker.password() == secret
        assert redis.Redis.from_url(url, socket_timeout=2).lrange("celery", 0, -1) == [b"queued task"]
    finally:
        broker.stop()


def test_several_workers_on_one_machine_are_told_apart(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://:pw@127.0.0.1:6390/0")
    monkeypatch.setenv("KPI_HOSTNAME", "vm")
    ui = airflow_ui.AirflowUI(8080, workers=2)
    assert ui.services() == (*airflow_ui.SERVICES, "celery-worker-1", "celery-worker-2")
    args = [ui._args(name) for name in ui.worker_names()]
    assert len({a[a.index("--pid") + 1] for a in args}) == 2
    assert len({a[a.index("--celery-hostname") + 1] for a in args}) == 2
    base = {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "8793"}
    envs = [ui._env(name, base) for name in ui.worker_names()]
    assert envs[0] == base  # the first is the machine's worker, as with one
    assert envs[1]["KPI_HOSTNAME"] == "vm-2" and envs[1]["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] != "8793"


def test_kpi_airflow_ui_refuses_workers_without_celery_and_kpi_worker_a_worker_that_could_not_report(monkeypatch):
    monkeypatch.delenv("AIRFLOW__CORE__EXECUTOR", raising=False)
    res = run_kpi("airflow-ui", "--workers", "2")
    assert res.returncode != 0 and "--workers N (1 or more) needs --executor celery" in res.stderr, res.stderr
    res = run_kpi("worker")
    assert res.returncode != 0 and "AIRFLOW__CORE__EXECUTOR=CeleryExecutor" in res.stderr, res.stderr
    # on another host: the warehouse elsewhere and no shared metadata database named
    res = run_kpi("worker", env={"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                                 "AIRFLOW__CELERY__BROKER_URL": f"redis://:pw@127.0.0.1:{_free_port()}/0",
                                 "WAREHOUSE_URL": f"postgresql://kpi:pw@127.0.0.1:{_free_port()}/kpi",
                                 "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "", "AIRFLOW__CELERY__RESULT_BACKEND": ""},
                  timeout=120)
    assert res.returncode != 0 and "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in res.stderr, res.stderr
    assert "pw@" not in res.stderr

"""CeleryExecutor for real on one machine: a Redis with a password on a loopback port, `kpi airflow-ui`
(`make airflow`) with AIRFLOW__CORE__EXECUTOR=CeleryExecutor, which starts its own worker, and a second
worker started as on another host would be, by `kpi worker` (both with concurrency 1 and their own host
names). The real kpi_nightly runs through the scheduler and the broker, not in-process: the run succeeds, both
workers ran tasks, the statuses equal `kpi run`'s of the same date on the same data, and the broker's
password reaches no log. On the way Redis is restarted and a worker is killed mid-task: the night
still finishes within RECOVERY_BOUND of the kill, and no lock is left. worker-b is as on another host: its
own home and state folder, only the shared settings (README: Scaling out)."""
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
from urllib.parse import quote

import pytest
from conftest import _free_port, run_kpi, small_demo_landing

from kpi import (
    airflow_env,
    airflow_secrets,
    airflow_ui,
    config,
    connections,
    declarations,
    errors,
    pipeline,
    redact,
    warehouse,
)

pytestmark = pytest.mark.celery  # `pytest -m celery`: the scale-out tests; the nights among them are slow too

AS_OF = date(2025, 3, 5)
READY_TIMEOUT = 600   # two shared cores; alone Airflow is ready in 20-40 s
RUN_TIMEOUT = 1500
# issue 16: "a worker killed mid-task: the night finishes without a human, within 3 minutes of the
# kill" (the chain of delays: include/kpi/config.py, README "When a worker or Redis dies")
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


def _url(params: dict[str, str]) -> str:
    """A libpq URL of `params` (WAREHOUSE_URL, as another host is given the warehouse)."""
    return (f"postgresql://{quote(params['user'], safe='')}:{quote(params['password'], safe='')}@{params['host']}:"
            f"{params['port']}/{quote(params['dbname'], safe='')}")


def task_settings() -> dict[str, str]:
    """The pipeline's settings a task reads, as set here (README, Scaling out: alike on every host):
    KPI_HISTORY_FROM and the like, the sources' URLs and limits, the notifications."""
    from kpi.loaders.spec import LIMITS, load_sources

    names = {"KPI_HISTORY_FROM", "KPI_EXPLANATION_DUE_DAYS", "KPI_LOADER_PATH", "KPI_BI_READER_PASSWORD",
             "KPI_STORAGE_CONN_ID", "KPI_NOTIFY_ON", "KPI_REPORT_BASE_URL"}
    for source in load_sources().values():
        names |= {source.url_env or ""} | {config.source_limit_setting(source.name, limit)[0] for limit in LIMITS}
    prefixes = ("KPI_SMTP_", "KPI_ALERT_EMAIL_", "KPI_WEBHOOK_")
    return {name: value for name, value in os.environ.items() if name in names or name.startswith(prefixes)}


def worker_b_env(host: Path, shared: dict[str, str], api_port: int) -> dict[str, str]:
    """worker-b's whole environment, as on a host of its own: its own home and state folder (so its own
    AIRFLOW_HOME, KPI_STATE_DIR/.airflow), and of the main host only what the README's "Scaling out"
    table lists. Nothing else of this process's environment (its AIRFLOW_HOME, keys, warehouse port)."""
    return {
        # the machine's own, not state: where programs are, the locale
        **{name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TZ") if name in os.environ},
        "HOME": str(host / "home"),      # ~/.config/kpi/pii.key would be here, were one made
        "KPI_STATE_DIR": str(host / "state"),
        # two workers on one machine: a name and a log-server port of its own (README: Scaling out)
        "KPI_HOSTNAME": "worker-b",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "PYTHONUNBUFFERED": "1",
        # what every host shares
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_env.metadata_url(),
        "WAREHOUSE_URL": _url(connections.warehouse_params()),
        **shared,
        **task_settings(),  # KPI_HISTORY_FROM: without it worker-b's loads_finished chose another history
    }


@pytest.fixture(scope="module")
def celery_night(warehouse_db, dbt_manifest, redis_server, tmp_path_factory, monkeypatch_module):
    """kpi_nightly for AS_OF on two Celery workers, triggered through the REST API as the scheduler's
    own runs are queued, with two faults on the way: Redis restarted once the first tasks run, and
    worker-b killed (SIGKILL to all its processes, as a host is lost) while it runs a task, after it
    finished one. worker-b is as on another host: its own home and state folder, and of the main host
    only the shared settings (worker_b_env); landing, reports, task logs and Airflow's keys are on a
    shared folder. Returns a Night."""
    landing = small_demo_landing(tmp_path_factory, monkeypatch_module)
    shared_dir = tmp_path_factory.mktemp("shared")  # the one location both hosts reach (NFS, a bucket)
    shared = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": redis_server.url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(config.task_heartbeat_timeout()),
        "KPI_PII_KEY": os.environ["KPI_PII_KEY"],
        "KPI_AIRFLOW_SECRETS_FILE": str(shared_dir / "airflow-secrets.json"),  # the main host writes it
        "KPI_LANDING_URL": f"file://{landing}",
        "KPI_REPORTS_URL": f"file://{shared_dir}/reports",
        "KPI_LOGS_URL": f"file://{shared_dir}/logs",
    }
    for name, value in {**shared, "KPI_TASK_RETRIES": "0"}.items():  # a broken task fails the test soon, as
        monkeypatch_module.setenv(name, value)                          # in `kpi run` (Celery keeps 1 retry)
    for name in airflow_secrets.SHARED:  # the session's keys: the main host takes them from the shared file
        monkeypatch_module.delenv(name, raising=False)
    port = _free_port()
    out = tmp_path_factory.mktemp("celery") / "airflow-ui.txt"
    kpi = str(Path(sys.executable).with_name("kpi"))
    host_b = tmp_path_factory.mktemp("worker-b-host")
    started = datetime.now(UTC)
    with open(out, "w") as sink:  # `make airflow`: its worker is host worker-a
        ui = subprocess.Popen([kpi, "airflow-ui", "--port", str(port), "--paused"], stdout=sink,
                              stderr=subprocess.STDOUT, start_new_session=True,
                              env={**os.environ, "KPI_HOSTNAME": "worker-a", "PYTHONUNBUFFERED": "1"})
    second = None
    try:
        t0 = time.monotonic()
        secrets_file = Path(shared["KPI_AIRFLOW_SECRETS_FILE"])
        while not secrets_file.exists():  # what the main host writes before any Airflow part starts
            assert ui.poll() is None, f"kpi airflow-ui exited ({ui.returncode}):\n{out.read_text()[-4000:]}"
            assert time.monotonic() - t0 < READY_TIMEOUT, out.read_text()[-4000:]
            time.sleep(0.5)
        # the second worker, as another host starts one (`kpi worker`)
        log_b = host_b / "celery-worker-b.log"
        with open(log_b, "w") as sink:
            second = subprocess.Popen([kpi, "worker", "--concurrency", "1", "--name", "b"],
                                      env=worker_b_env(host_b, shared, port), stdout=sink,
                                      stderr=subprocess.STDOUT, start_new_session=True, cwd=host_b)
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
        night = Night(password=redis_server.password, host_b=host_b, shared=shared_dir)
        while run["state"] not in ("success", "failed"):
            assert ui.poll() is None, out.read_text()[-4000:]
            _fail_other_runs(base, bearer, run_id)
            assert time.monotonic() - t_run < RUN_TIMEOUT, f"run still {run['state']} after {RUN_TIMEOUT} s"
            if night.redis_restarted and night.killed_at is None:
                _kill_worker_b_mid_task(night, run_id, second, seconds=2)
            else:
                time.sleep(2)
            status, tis = airflow_ui.api(base, tis_path, token=bearer)
            assert status == 200, tis
            if not night.redis_restarted and any(t["state"] == "running" for t in tis["task_instances"]):
                redis_server.restart()  # as soon as a task runs: the queue must survive it
                night.redis_restarted = True
            night.watch_heartbeats(run_id)
            status, run = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}", token=bearer)
            assert status == 200, run
        night.ended = time.monotonic()
        night.seconds = night.ended - t_run
        status, tis = airflow_ui.api(base, tis_path, token=bearer)
        assert status == 200, tis
        night.run, night.tis = run, tis["task_instances"]
        if night.killed_task:
            night.chain = _recovery_chain(base, bearer, run, night)
        # later modules share the metadata database: no nightly runs of this one for them
        airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": True}, token=bearer)
        print(f"\nAirflow ready in {t_run - t0:.0f} s; the night on Celery took {night.seconds:.0f} s "
              f"({started:%H:%M} UTC, load average {_load()}); Redis restarted: {night.redis_restarted}; "
              f"worker-b killed in {night.killed_task}: {_describe(night.chain)}")
        yield night
    finally:
        _stop(ui, grace=180)
        if second is not None:
            _stop(second, grace=60)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Night:
    password: str
    host_b: Path          # worker-b's own disk: its home and state folder
    shared: Path          # the folder both hosts reach: reports, task logs, Airflow's keys
    run: dict = field(default_factory=dict)
    tis: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    ended: float = 0.0
    redis_restarted: bool = False
    killed_at: float | None = None      # time.monotonic() of the SIGKILL
    killed_at_utc: datetime | None = None
    killed_task: tuple[str, int] | None = None
    chain: dict[str, datetime] = field(default_factory=dict)  # _recovery_chain
    # the longest a healthy running task went without a heartbeat, as sampled every poll: the
    # margin of the heartbeat timeout against false positives on this machine
    silence: tuple[float, str] = (0.0, "")
    events: list[str] = field(default_factory=list)  # the killed task's event log
    load_at_kill: str = ""

    def watch_heartbeats(self, run_id: str) -> None:
        with warehouse.connect(dbname=config.AIRFLOW_DB) as conn:
            rows = conn.execute(
                "select task_id, try_number, extract(epoch from now() - last_heartbeat_at) from task_instance "
                "where dag_id = 'kpi_nightly' and run_id = %s and state = 'running' "
                "and last_heartbeat_at is not null", (run_id,)).fetchall()
        for task_id, try_number, age in rows:
            if self.killed_task and (task_id, try_number) == (self.killed_task[0], 1):
                continue  # the killed one: its silence is the point
            if float(age) > self.silence[0]:
                self.silence = (float(age), f"{task_id} try {try_number}")


def _kill_worker_b_mid_task(night: Night, run_id: str, worker_b: subprocess.Popen, seconds: float) -> None:
    """For `seconds`, look 5 times a second (in the metadata database: the REST API every 2 s missed
    every task of worker-b on a quiet machine) for worker-b running a task, the first try, after it
    has finished one; kill it (_lose_host) in the middle of that task: once the try's log holds a line
    of the task's own code (kpi's loggers), so the kill falls neither in Airflow's start of the task nor
    after its work."""
    deadline = time.monotonic() + seconds
    with warehouse.connect(dbname=config.AIRFLOW_DB, autocommit=True) as conn:
        while time.monotonic() < deadline:
            on_b = conn.execute("select task_id, map_index, state, try_number from task_instance "
                                "where dag_id = 'kpi_nightly' and run_id = %s and hostname = 'worker-b'",
                                (run_id,)).fetchall()
            busy = [(task, index) for task, index, state, try_number in on_b if state == "running" and try_number == 1]
            if busy and any(state == "success" for _, _, state, _ in on_b) and _working(night, run_id, *busy[0]):
                _lose_host(worker_b)
                night.killed_at, night.killed_at_utc = time.monotonic(), datetime.now(UTC)
                night.load_at_kill = _load()
                night.killed_task = busy[0]
                return
            time.sleep(0.2)


def _working(night: Night, run_id: str, task_id: str, map_index: int) -> bool:
    """Whether the task's first try has logged from its own code (a kpi logger) yet."""
    folder = night.shared / "logs" / "dag_id=kpi_nightly" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index >= 0:
        folder = folder / f"map_index={map_index}"
    try:
        text = (folder / "attempt=1.log").read_text(errors="replace")
    except OSError:
        return False
    return '"logger":"kpi.' in text or '"logger": "kpi.' in text


def _lose_host(worker: subprocess.Popen) -> None:
    """SIGKILL to every process of the worker's session (it was started in one of its own), as when its
    host is lost: the Celery worker, its pool, each task's supervisor, and the task runner with its dbt.
    Airflow 3.3 puts the task runner in a process group of its own, so a SIGKILL to the worker's group
    left it loading on as an orphan, and its retry found the work done."""
    import psutil

    for _ in range(50):
        left = []
        for proc in psutil.process_iter(["status"]):
            try:
                if os.getsid(proc.pid) == worker.pid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                    left.append(proc)
            except (OSError, psutil.Error):
                pass
        if not left:
            worker.wait(timeout=30)
            return
        for proc in left:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        time.sleep(0.1)
    raise AssertionError(f"worker-b's processes survive SIGKILL: {left}")


def _fail_other_runs(base: str, bearer: str, run_id: str) -> None:
    _, runs = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns?state=queued&state=running", token=bearer)
    for other in runs.get("dag_runs", []):
        if other["dag_run_id"] != run_id:
            airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{other['dag_run_id']}", "PATCH",
                           {"state": "failed"}, token=bearer)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _recovery_chain(base: str, bearer: str, run: dict, night: Night) -> dict[str, datetime]:
    """The times from the SIGKILL to the end of the night, from Airflow's records: the scheduler's
    heartbeat-timeout event, the first try's end (failed, up for retry), the retry queued, started and
    ended, and the DAG run's end."""
    task_id, map_index = night.killed_task
    prefix = f"/api/v2/dags/kpi_nightly/dagRuns/{run['dag_run_id']}/taskInstances/{task_id}"
    status, tries = airflow_ui.api(base, f"{prefix}/tries" if map_index < 0 else f"{prefix}/{map_index}/tries",
                                   token=bearer)
    assert status == 200, tries
    by_try = {t["try_number"]: t for t in tries["task_instances"]}
    status, events = airflow_ui.api(base, f"/api/v2/eventLogs?dag_id=kpi_nightly&task_id={task_id}"
                                    f"&run_id={quote(run['dag_run_id'])}&limit=100", token=bearer)
    assert status == 200, events
    night.events = sorted({e["event"] for e in events["event_logs"]})
    timeouts = [e for e in events["event_logs"] if e["event"] == "heartbeat timeout"]
    first, retry = by_try.get(1, {}), by_try.get(2, {})
    chain = {
        "killed": night.killed_at_utc,
        "first try started": _when(first.get("start_date")),
        "timeout detected": min((_when(e["when"]) for e in timeouts), default=None),
        "first try failed": _when(first.get("end_date")),
        "retry queued": _when(retry.get("queued_when")),
        "retry started": _when(retry.get("start_date")),
        "retry ended": _when(retry.get("end_date")),
        "night ended": _when(run.get("end_date")),
    }
    chain["first try state"] = first.get("state")  # type: ignore[assignment]
    return chain


def _describe(chain: dict) -> str:
    if not chain:
        return "no kill"
    kill = chain["killed"]
    return ", ".join(f"{name} {'?' if when is None else f'{(when - kill).total_seconds():+.0f} s'}"
                     for name, when in chain.items() if name not in ("killed", "first try state"))


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
def test_worker_b_kept_no_state_of_its_own(celery_night):
    """worker-b ran its tasks from its own home and state folder with only the shared settings: Airflow
    made its home there (AIRFLOW_HOME = KPI_STATE_DIR/.airflow), and no warehouse, PII key or Airflow
    keys of its own are in it; its task logs are in the shared folder."""
    host = celery_night.host_b
    assert (host / "state" / ".airflow" / "airflow.cfg").is_file()  # its own AIRFLOW_HOME, not the main host's
    kept = sorted(str(p.relative_to(host)) for p in host.rglob("*")
                  if p.name in ("pii.key", ".warehouse", "postgres.password", airflow_secrets.FILE_NAME))
    assert not kept, kept
    on_b = {t["task_id"] for t in celery_night.tis if t["hostname"] == "worker-b"}
    logged = {p.parent.name.removeprefix("task_id=") for p in (celery_night.shared / "logs").rglob("attempt=*.log")}
    assert on_b and on_b <= logged, (on_b, logged)


@pytest.mark.slow
def test_a_killed_worker_costs_the_night_a_retry_not_a_human(celery_night):
    """worker-b died in the middle of a task: the scheduler fails it when its heartbeats stop, its retry
    runs on worker-a, and the night ends within RECOVERY_BOUND of the kill (issue 16). Airflow's
    defaults (300 s timeout, no retry under `kpi run`'s settings) took 8 min or failed the night.
    Redis restarted earlier lost nothing."""
    night = celery_night
    assert night.redis_restarted and night.killed_task, "the run ended before both faults were injected"
    chain, task_id = night.chain, night.killed_task[0]
    print(f"{task_id} killed on worker-b at load average {night.load_at_kill}: {_describe(chain)}")
    after = sorted((t for t in night.tis if t["end_date"] and _when(t["end_date"]) > chain["killed"]),
                   key=lambda t: t["start_date"])
    print("after the kill: " + ", ".join(
        f"{t['task_id']} {(_when(t['start_date']) - chain['killed']).total_seconds():+.0f} s "
        f"({t['duration']:.0f} s, {t['hostname']})" for t in after))
    print(f"longest heartbeat silence of a healthy task {night.silence[0]:.1f} s ({night.silence[1]}); "
          f"heartbeat timeout {config.task_heartbeat_timeout()} s")
    assert night.run["state"] == "success", [(t["task_id"], t["state"]) for t in night.tis if t["state"] != "success"]
    ti = next(t for t in night.tis if (t["task_id"], t["map_index"]) == night.killed_task)
    assert ti["state"] == "success" and ti["try_number"] == 2 and ti["hostname"] == "worker-a", ti
    # the kill was mid-run: the first try was running, never finished, and was failed by the timeout
    assert chain["first try state"] in ("failed", "up_for_retry"), chain
    assert chain["timeout detected"], f"no heartbeat timeout in the task's event log: {night.events}"
    assert chain["first try started"] < chain["killed"] < chain["timeout detected"], chain
    assert (chain["night ended"] - chain["killed"]).total_seconds() <= RECOVERY_BOUND, _describe(chain)
    # the heartbeat timeout failed no healthy task: the supervisor beats while dbt builds
    assert not [t["task_id"] for t in night.tis if t["try_number"] > 1 and t is not ti]


@pytest.mark.slow
def test_no_lock_is_left_behind(celery_night):
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from raw.pipeline_lock").fetchone()[0] == 0


@pytest.fixture(scope="module")
def reference_run(celery_night):
    """`kpi run` of the same date on the same data into a database of its own, on the main host."""
    with warehouse.connect(autocommit=True, dbname="postgres") as conn:
        conn.execute(f'drop database if exists "{REFERENCE_DB}" with (force)')
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), env={"KPI_WAREHOUSE_DB": REFERENCE_DB,
                                                             "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"})
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return REFERENCE_DB


@pytest.mark.slow
def test_statuses_equal_kpi_runs_on_the_same_data(celery_night, reference_run):
    on_celery = {name: _rows(config.warehouse_db(), name) for name in ("fct_kpi_status", "kpi_alerts")}
    assert len(on_celery["fct_kpi_status"]) >= len(declarations.kpi_codes())  # every indicator, the city at least
    assert on_celery["kpi_alerts"], "the demo data has alerts on this date"
    for name, rows in on_celery.items():
        assert _rows(reference_run, name) == rows, name
    print(f"fct_kpi_status {len(on_celery['fct_kpi_status'])} rows, kpi_alerts {len(on_celery['kpi_alerts'])}: equal")


def _pseudonyms(dbname: str) -> dict[str, str]:
    with warehouse.connect(dbname=dbname) as conn:
        return dict(conn.execute("select distinct case_id, petitioner_pseudonym "
                                 "from raw.petitions__case_versions").fetchall())


@pytest.mark.slow
def test_the_pseudonyms_are_the_shared_keys_whichever_worker_loaded(celery_night, reference_run):
    """The petitions were loaded by worker-a or worker-b (whichever took the task; worker-b has no key
    file, only KPI_PII_KEY): every petitioner pseudonym equals the one the main host's `kpi run` made
    of the same case with the shared key."""
    loaded = next(t for t in celery_night.tis if t["task_id"] == "load_petitions")
    on_celery, reference = _pseudonyms(config.warehouse_db()), _pseudonyms(reference_run)
    print(f"load_petitions ran on {loaded['hostname']} (try {loaded['try_number']}): "
          f"{len(on_celery)} cases, {sum(1 for v in on_celery.values() if v)} with a pseudonym")
    assert any(on_celery.values()) and on_celery == reference


@pytest.mark.slow
def test_the_broker_password_reaches_no_log(celery_night):
    password = celery_night.password
    folders = (airflow_env.airflow_home() / "logs", celery_night.shared / "logs", celery_night.host_b)
    leaked = [str(p) for folder in folders for p in folder.rglob("*")
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


def test_a_dead_workers_task_is_failed_in_half_a_minute_and_retried_under_celery(monkeypatch):
    for name in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT",
                 "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL", "KPI_TASK_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    # every Airflow process reads it: the scheduler to fail a silent task, a task's supervisor to beat
    env = airflow_env.env()
    assert env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] == "30"
    assert env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL"] == "5"
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

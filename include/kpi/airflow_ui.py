"""`kpi airflow-ui` (`make airflow`): Airflow's web UI and scheduler on this project's settings.

Starts the four parts of an Airflow 3 installation as child processes of one command: the API
server (the web UI and the REST API, also the execution API the tasks report to), the scheduler
(LocalExecutor: it runs the tasks), the DAG processor and the triggerer, all on the embedded warehouse
with the metadata database `airflow` in it; with CeleryExecutor (README: Scaling out) also N
`airflow celery worker`s, which take the tasks from the broker, and a Redis as that broker unless
AIRFLOW__CELERY__BROKER_URL names one (kpi.redis_broker). Waits until the API's health
endpoint reports every part healthy, unpauses kpi_nightly (unless asked not to) so that its 02:00
schedule really runs while this command runs, prints where to log in,
and stops every child process on Ctrl-C or SIGTERM.

Why not `airflow standalone`: it stops its parts on Ctrl-C only (a SIGTERM, e.g. from a service
manager or a test, leaves them running), cannot be told the port of the execution API, and prints
the four logs interleaved. Here each part logs to its own file under $AIRFLOW_HOME/logs/services/.

Login is Airflow's simple auth manager (Airflow's default, meant for one developer's machine): user
`admin`, whose password Airflow reads from $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated;
we write that file (mode 600) with a random password before the API server would, so that it can be
printed at once. Edit the file to choose another password. The team server (docker-compose.yml)
uses the FAB auth manager with real users instead.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from kpi import airflow_env, config, errors

DAG_ID = "kpi_nightly"
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
WORKER = "celery-worker"  # with CeleryExecutor: celery-worker-1..N on this machine (others may join: `kpi worker`)
HEALTH_PARTS = ("metadatabase", "scheduler", "dag_processor", "triggerer")
ADMIN = "admin"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class _Stop(Exception):
    """Raised by the signal handler to leave whatever the main loop is waiting on."""


def password_file() -> Path:
    return config.airflow_passwords_file(airflow_env.airflow_home())


def admin_password() -> str:
    """The admin's password: generated once into the simple auth manager's password file."""
    path = password_file()
    text = path.read_text() if path.exists() else ""
    passwords = json.loads(text) if text.strip() else {}
    if ADMIN not in passwords:
        passwords[ADMIN] = secrets.token_urlsafe(12)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(passwords) + "\n")
    return passwords[ADMIN]


def service_env(port: int, host: str, unpause: bool) -> dict[str, str]:
    env = airflow_env.services_env(port)
    env.update({
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False" if unpause else "True",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file()),
    })
    env.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", f"{ADMIN}:admin")
    # the scheduler and the triggerer serve their task logs on fixed ports (8793, 8794): another
    # Airflow on this machine (a second checkout, a test) must not make them fail
    for name, default in (("WORKER_LOG_SERVER_PORT", 8793), ("TRIGGER_LOG_SERVER_PORT", 8794)):
        key = f"AIRFLOW__LOGGING__{name}"
        if key not in env:
            env[key] = str(default if port_free(default, "0.0.0.0") else free_port())
    # a developer's machine: a few tasks at a time (the six loads run side by side, dbt mostly in a chain)
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    return env


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this command dies without cleaning up (e.g. SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# --- the REST API ---------------------------------------------------------------------------------

def api(base: str, path: str, method: str = "GET", body: dict | None = None, token: str | None = None,
        timeout: float = 30) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read() or b"{}")
        except ValueError:
            return err.code, {}


def token(base: str, password: str) -> str:
    status, body = api(base, "/auth/token", "POST", {"username": ADMIN, "password": password}, timeout=30)
    if status not in (200, 201):
        raise errors.StepFailed(f"login as {ADMIN} failed ({status}): {body}")
    return body["access_token"]


def unhealthy_parts(health: dict, since: datetime) -> list[str]:
    """Parts of /api/v2/monitor/health that are not healthy, or whose heartbeat is from before
    `since` (a job left in the metadata database by an earlier start)."""
    bad = []
    for part in HEALTH_PARTS:
        info = health.get(part) or {}
        if info.get("status") != "healthy":
            bad.append(part)
            continue
        beat = info.get(f"latest_{part}_heartbeat")
        if part != "metadatabase" and (not beat or datetime.fromisoformat(beat) < since):
            bad.append(part)
    return bad


# --- the supervisor -------------------------------------------------------------------------------

class AirflowUI:
    def __init__(self, port: int, host: str = "127.0.0.1", unpause: bool = True, out=sys.stdout,
                 ready_timeout: float = 600, workers: int = 1):
        self.port, self.host, self.unpause, self.out = port, host, unpause, out
        self.workers = workers
        self.broker = None  # a kpi.redis_broker.Broker when we start the Redis ourselves
        self.ready_timeout = ready_timeout
        self.base = f"http://127.0.0.1:{port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = airflow_env.airflow_home() / "logs" / "services"
        self._signals = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # signals: the first one stops everything cleanly, a second one kills what is left
    def _on_signal(self, signum, frame) -> None:
        self._signals += 1
        if self._signals == 1:
            raise _Stop(signal.Signals(signum).name)

    def run(self) -> int:
        from kpi import dbt_render, warehouse

        if not port_free(self.port, self.host):
            raise errors.StepFailed(f"port {self.port} is in use (another Airflow?): choose another with "
                               f"KPI_AIRFLOW_PORT or --port")
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        started = time.monotonic()
        try:
            self.say(f"warehouse: {warehouse.up()}")
            dbt_render.ensure_manifest()
            airflow_env.ensure_metadata_db()
            self._start_broker()
            password = admin_password()
            since = datetime.now(UTC).replace(microsecond=0)
            self._start_all()
            dag = self._wait_ready(password, since)
            self._print_ready(dag, password, time.monotonic() - started)
            return self._watch()
        except _Stop as stop:
            self.say(f"{stop}: stopping Airflow")
            return 0
        finally:
            self._stop_all()
            if self.broker is not None:
                self.broker.stop()

    def _start_broker(self) -> None:
        """With Celery and no broker given, our own Redis (kpi.redis_broker). Its URL goes into this
        process's environment: the settings read it there, the children inherit it, and the masking
        of secrets (kpi.redact) hides its password."""
        if not config.uses_celery() or config.celery_broker_given():
            return
        from kpi import redis_broker

        self.broker = redis_broker.Broker()
        url = self.broker.start(preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        config.decide("AIRFLOW__CELERY__BROKER_URL", url)
        self.say(f"redis: 127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]} (password in "
                 f"{self._rel(redis_broker.redis_dir() / 'password')})")

    def worker_names(self) -> tuple[str, ...]:
        return tuple(f"{WORKER}-{i}" for i in range(1, self.workers + 1)) if config.uses_celery() else ()

    def services(self) -> tuple[str, ...]:
        return (*SERVICES, *self.worker_names())

    def _args(self, name: str) -> list[str]:
        if name == "api-server":
            return ["api-server", "--port", str(self.port), "--host", self.host]
        if name in self.worker_names():
            return airflow_env.worker_args(f"kpi-{name.rsplit('-', 1)[1]}")
        return [name]

    def _env(self, name: str, env: dict[str, str]) -> dict[str, str]:
        """A worker's own settings beside the others on this machine: its log-server port, and with
        several, its host name on the task instances (KPI_HOSTNAME or the machine's, `-<n>` added)."""
        if name not in self.worker_names()[1:]:
            return env
        number = name.rsplit("-", 1)[1]
        return {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "KPI_HOSTNAME": f"{config.hostname_override() or socket.gethostname()}-{number}",
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "kpi.airflow_env.hostname"}

    def _start_all(self) -> None:
        env = service_env(self.port, self.host, self.unpause)
        airflow = str(Path(sys.executable).with_name("airflow"))
        self.logs.mkdir(parents=True, exist_ok=True)
        for name in self.services():
            args = self._args(name)
            log = open(self.logs / f"{name}.log", "a", encoding="utf-8")
            log.write(f"\n==== {datetime.now().astimezone().isoformat(timespec='seconds')} kpi airflow-ui: "
                      f"airflow {' '.join(args)}\n")
            log.flush()
            self.procs[name] = subprocess.Popen(
                [airflow, *args], env=self._env(name, env), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # own process group: Ctrl-C reaches this command only, which stops each part in order
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            log.close()
        self.say(f"starting Airflow {', '.join(self.services())} (logs: {self._rel(self.logs)}/)")

    def _check_children(self) -> None:
        if self.broker is not None and not self.broker.alive():
            # the queue is in its append-only file and every part reconnects: start it again, same port
            self.say(f"redis-server exited with code {self.broker.proc.returncode}: starting it again")
            self.broker.start(preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()[-25:]
                raise errors.StepFailed(f"airflow {name} exited with code {proc.returncode}; the end of "
                                   f"{self._rel(self.logs / f'{name}.log')}:\n" + "\n".join(tail))

    def _wait_ready(self, password: str, since: datetime) -> dict:
        """Until the health endpoint reports every part, then the DAG is known (and unpaused)."""
        deadline = time.monotonic() + self.ready_timeout
        waiting: list[str] = list(HEALTH_PARTS)
        while True:
            self._check_children()
            try:
                status, health = api(self.base, "/api/v2/monitor/health", timeout=5)
                waiting = unhealthy_parts(health, since) if status == 200 else ["api-server"]
            except OSError:
                waiting = ["api-server"]
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise errors.StepFailed(f"Airflow not healthy after {self.ready_timeout:.0f} s: waiting for "
                                   f"{', '.join(waiting)} (logs in {self._rel(self.logs)}/)")
            time.sleep(1)
        bearer = None
        while True:  # the DAG processor's first parse of dags/ (the dbt project renders into tasks)
            self._check_children()
            try:  # a busy machine: the API server may be slow to answer at first
                bearer = bearer or token(self.base, password)
                status, dag = api(self.base, f"/api/v2/dags/{DAG_ID}", token=bearer, timeout=30)
            except OSError:
                status = None
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise errors.StepFailed(f"DAG {DAG_ID} not parsed after {self.ready_timeout:.0f} s: see "
                                   f"{self._rel(self.logs / 'dag-processor.log')} "
                                   "and `kpi airflow dags list-import-errors`")
            time.sleep(1)
        if dag.get("is_paused") == self.unpause:  # unpause it (default), or pause it (--paused)
            status, dag = api(self.base, f"/api/v2/dags/{DAG_ID}", "PATCH", {"is_paused": not self.unpause},
                              token=bearer, timeout=60)
            if status != 200:
                raise errors.StepFailed(f"could not {'un' if self.unpause else ''}pause {DAG_ID} ({status}): {dag}")
        return dag

    def _print_ready(self, dag: dict, password: str, seconds: float) -> None:
        shown_host = "127.0.0.1" if self.host in ("127.0.0.1", "0.0.0.0", "localhost") else self.host
        url = f"http://{shown_host}:{self.port}"
        if dag.get("is_paused"):
            schedule = f"{DAG_ID} is paused: no scheduled runs (unpause it in the UI to run it nightly)"
        else:
            nxt = dag.get("next_dagrun_run_after")
            when = ""
            if nxt:
                local = datetime.fromisoformat(nxt).astimezone(config.TIMEZONE)
                when = f"; next run {local:%Y-%m-%d %H:%M} Asia/Taipei"
            schedule = f"{DAG_ID} is unpaused: it runs at 02:00 Asia/Taipei while this command runs{when}"
        self.say("\n".join([
            f"Airflow is ready ({seconds:.0f} s): {', '.join(self.services())} ({config.airflow_executor()})",
            f"  web UI     {url}/dags/{DAG_ID}",
            f"  log in     user {ADMIN}, password {password}",
            f"             (kept in {password_file()})",
            f"  REST API   {url}/api/v2 (token: POST {url}/auth/token with that user)",
            f"  schedule   {schedule}",
            f"  logs       {self._rel(self.logs)}/<part>.log; task logs in the UI",
            "Ctrl-C stops Airflow (the warehouse keeps running; `kpi down` stops it).",
        ]))

    def _watch(self) -> int:
        while True:
            try:
                self._check_children()
            except RuntimeError as exc:
                self.say(str(exc))
                return 1
            time.sleep(1)

    def _stop_all(self) -> None:
        """Stop every part, the API server last: tasks still running report their end to it.

        1. SIGTERM to the triggerer, the DAG processor and the scheduler. The scheduler's
           LocalExecutor then waits for the tasks it has queued, all of them, so
        2. after 10 s its executor processes are killed (they would start every queued task) and
           the running tasks get SIGTERM (each ends as failed and is retried at the next start);
        3. SIGTERM to the API server;
        4. SIGKILL to whatever is left of all that after 45 s, or at a second Ctrl-C.
        """
        import psutil

        if not self.procs:
            return

        def count(signum, frame):
            self._signals += 1

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, count)
        started = time.monotonic()
        family: dict[int, psutil.Process] = {}  # every descendant ever seen, also once orphaned

        def gather() -> None:
            for proc in self.procs.values():
                try:
                    parent = psutil.Process(proc.pid)
                    for p in (parent, *parent.children(recursive=True)):
                        family.setdefault(p.pid, p)
                except psutil.NoSuchProcess:
                    pass

        def alive(pgid: int | None = None, but: int | None = None) -> list[psutil.Process]:
            out = []
            for p in family.values():
                try:
                    if p.is_running() and p.status() != psutil.STATUS_ZOMBIE and p.pid != but and (
                            pgid is None or os.getpgid(p.pid) == pgid or os.getsid(p.pid) == pgid):
                        out.append(p)
                except (psutil.NoSuchProcess, ProcessLookupError):
                    pass
            return out

        def wait(seconds: float, pgids: list[int] | None = None) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and self._signals < 2:
                for proc in self.procs.values():
                    proc.poll()  # reap our own children
                gather()
                left = [p for g in (pgids or [None]) for p in alive(g)]
                if not left:
                    return
                time.sleep(0.3)

        def signal_group(name: str, sig: int) -> None:
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass

        gather()
        scheduler = self.procs.get("scheduler")
        # the Celery worker: a warm shutdown (it waits for its running tasks, up to the kill below)
        for name in ("triggerer", "dag-processor", *self.worker_names()):
            signal_group(name, signal.SIGTERM)
        if scheduler and scheduler.poll() is None:
            os.kill(scheduler.pid, signal.SIGTERM)
        inner = [self.procs[n].pid for n in ("scheduler", "triggerer", "dag-processor", *self.worker_names())
                 if n in self.procs]
        wait(10, inner)
        if scheduler and alive(scheduler.pid):
            gather()
            for p in alive(scheduler.pid, but=scheduler.pid):
                try:
                    if os.getpgid(p.pid) == scheduler.pid:
                        p.kill()  # an executor process or the log server
                    else:
                        p.terminate()  # a running task (its own process group)
                except (psutil.NoSuchProcess, ProcessLookupError):
                    pass
            wait(20, inner)
        signal_group("api-server", signal.SIGTERM)
        wait(max(5.0, 45 - (time.monotonic() - started)))
        killed = []
        for p in alive():
            try:
                killed.append(f"{p.pid} {' '.join(p.cmdline())[:60].strip()}")
                p.kill()
            except psutil.NoSuchProcess:
                pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if killed:
            self.say("killed (SIGTERM was not enough): " + "; ".join(killed))
        self.say(f"Airflow stopped in {time.monotonic() - started:.0f} s")
        self.procs = {}

    @staticmethod
    def _rel(path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def run(port: int | None = None, host: str = "127.0.0.1", unpause: bool = True, workers: int = 1) -> int:
    return AirflowUI(port or config.airflow_port(), host=host, unpause=unpause, workers=workers).run()

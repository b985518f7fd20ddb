"""Fault injection on the real pipeline (`kpi run` through Airflow, the embedded warehouse): kill -9
of the Airflow runner, of `kpi run` itself and of the postmaster mid-run. The next run proceeds within
a minute, a run waiting for a live holder says who holds the lock, every run keeps its log, and the
task a kill interrupted is named."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from conftest import run_kpi
from lock_holder import hold

from kpi import airflow_env, config

pytestmark = pytest.mark.slow
PROCEED_WITHIN = 60  # seconds from the start of prepare_warehouse to the lock taken


@pytest.fixture(scope="module")
def demo_landing(warehouse_db):
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr


@pytest.fixture(scope="module")
def hanging_hr_api():
    """An HR API that accepts and never answers: its load task stays running until killed."""
    asked, stop = threading.Event(), threading.Event()

    class Hang(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.set()
            stop.wait(900)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hang)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/monthly.json", asked
    stop.set()
    server.shutdown()


class Run:
    """`kpi run --as-of D` started in the background, in its own process group."""

    def __init__(self, as_of: str, tmp_path: Path, env: dict | None = None):
        self.as_of = as_of
        self.runs = airflow_env.airflow_home() / "runs"
        self.before = set(self.runs.glob(f"{as_of}.*.log"))
        self.stderr_path = tmp_path / f"run-{as_of}-{time.monotonic_ns()}.err"
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("kpi")), "run", "--as-of", as_of], stdout=subprocess.DEVNULL,
            stderr=open(self.stderr_path, "w"), env={**os.environ, **(env or {})}, start_new_session=True)

    @property
    def log_path(self) -> Path | None:
        new = set(self.runs.glob(f"{self.as_of}.*.log")) - self.before
        if new:
            return new.pop()
        plain = self.runs / f"{self.as_of}.log"  # the one log per date of older versions
        return plain if plain.is_file() and not plain.is_symlink() else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float, where: str = "log", times: int = 1) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = list(re.finditer(pattern, self.log() if where == "log" else self.stderr()))
            if len(found) >= times:
                return found[0]
            if self.proc.poll() is not None:
                break
            time.sleep(1)
        self.kill()
        pytest.fail(f"{pattern!r} not in the {where} of the run of {self.as_of} after {timeout:.0f} s:\n"
                    f"{self.stderr()[-3000:]}\n{self.log()[-3000:]}")

    def runner(self) -> psutil.Process:
        """The `airflow dags test` process executing the run's tasks."""
        return next(p for p in psutil.Process(self.proc.pid).children(recursive=True)
                    if "dags" in p.cmdline() and "test" in p.cmdline())

    def finish(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the run of {self.as_of} did not end within {timeout:.0f} s:\n{self.stderr()[-3000:]}")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)

    def lock_taken_within(self, seconds: float) -> str:
        """prepare_warehouse (the lock) ends within `seconds` of its start; returns its log."""
        start = self.wait_for(r"(\S+) \[info\s*\] \[DAG TEST\] starting task_id=prepare_warehouse ", 600)
        self.wait_for(r"\[DAG TEST\] end task task_id=prepare_warehouse ", seconds + 30)
        end = re.search(r"(\S+) \[info\s*\] \[DAG TEST\] end task task_id=prepare_warehouse ", self.log())
        took = (datetime.fromisoformat(end[1]) - datetime.fromisoformat(start[1])).total_seconds()
        assert took < seconds, f"prepare_warehouse took {took:.0f} s"
        return self.log()


def _run_id(log: str) -> str:
    return re.search(r"run_id='(manual__[^']+)'", log)[1]


def _hanging(url: str) -> dict[str, str]:
    # The HR load must still be waiting when the test kills it: with the default 30 s timeout and
    # retries it gave up by itself after about 120 s on a loaded CI machine, before the kill.
    return {"KPI_HR_API_URL": url, "KPI_HR_TIMEOUT": "900", "KPI_HR_PAGE_DEADLINE": "900", "KPI_HR_DEADLINE": "900"}


def test_a_killed_runner_names_its_task_and_blocks_nobody(demo_landing, hanging_hr_api, tmp_path):
    url, hr_asked = hanging_hr_api
    # kill -9 of `airflow dags test` while load_hr runs
    first = Run("2025-03-04", tmp_path, env=_hanging(url))
    first.wait_for(r"starting task_id=load_hr ", 600)
    assert hr_asked.wait(120)
    first.runner().send_signal(signal.SIGKILL)
    assert first.finish(120) == 1
    err = first.stderr()
    assert "task load_hr failed" in err and "SIGKILL" in err and "unknown task" not in err, err[-2000:]
    first_log = first.log_path
    assert str(first_log) in err and "starting task_id=load_hr" in first_log.read_text()
    first_run_id = _run_id(first.log())

    # the next run (another date: the dead run stays `running` in Airflow) takes the lock at once;
    # then kill -9 of `kpi run` itself takes its runner down with it
    hr_asked.clear()
    second = Run("2025-03-05", tmp_path, env=_hanging(url))
    log = second.lock_taken_within(PROCEED_WITHIN)
    assert "took over the warehouse lock from a dead run" in log and first_run_id in log
    second.wait_for(r"starting task_id=load_hr ", 900)
    assert hr_asked.wait(120)
    runner = second.runner()
    os.kill(second.proc.pid, signal.SIGKILL)
    second.proc.wait(timeout=30)
    psutil.wait_procs([runner], timeout=15)
    assert not runner.is_running(), "airflow dags test outlived kpi run"
    assert first_log.exists()


def test_a_waiting_run_says_who_holds_the_lock_and_goes_on_when_the_holder_dies(demo_landing, tmp_path):
    holder = hold("manual__live_holder", date(2025, 3, 4))
    try:
        waiting = Run("2025-03-06", tmp_path)
        # on the terminal, at every poll (15 s): who, which date, where, since when
        waiting.wait_for(r"等待倉儲鎖：由執行 manual__live_holder 持有（基準日 114/03/04（2025-03-04），"
                         rf"主機 \S+ pid {holder.pid}），自 \S+ \S+ 起", 600, where="stderr", times=2)
        assert "waiting for the warehouse lock, held by run_id=manual__live_holder" in waiting.log()  # the task log
    finally:
        holder.kill()
        holder.wait(timeout=30)
    killed = time.monotonic()
    waiting.wait_for(r"\[DAG TEST\] end task task_id=prepare_warehouse ", PROCEED_WITHIN + 30)
    assert time.monotonic() - killed < PROCEED_WITHIN
    assert waiting.finish(1200) == 0, waiting.stderr()[-3000:]


def test_a_killed_postmaster_blocks_nobody_and_the_crashed_log_is_kept(demo_landing, tmp_path):
    crashed = Run("2025-03-07", tmp_path)
    crashed.wait_for(r"dbt node model ", 900)  # dbt_build is under way
    os.kill(int((config.embedded_pgdata() / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
    assert crashed.finish(300) != 0
    err = crashed.stderr()
    failed = re.search(r"task (\S+) failed", err)
    assert failed and "unknown task" not in err, err[-2000:]
    assert f"starting task_id={failed[1].split('、')[0]} " in crashed.log()
    crashed_log, crashed_text = crashed.log_path, crashed.log()
    crashed_run_id = _run_id(crashed_text)

    again = Run("2025-03-07", tmp_path)  # starts the warehouse again
    log = again.lock_taken_within(PROCEED_WITHIN)
    assert "took over the warehouse lock from a dead run" in log and crashed_run_id in log
    assert again.finish(1200) == 0, again.stderr()[-3000:]
    # both runs of the date keep their logs; the dated name is the latest
    assert crashed_log.read_text(errors="replace") == crashed_text
    latest = airflow_env.airflow_home() / "runs" / "2025-03-07.log"
    assert latest.resolve() == again.log_path.resolve() != crashed_log.resolve()


def test_a_scheduler_run_holds_the_lock_while_airflow_runs_it(demo_landing, tmp_path):
    """A lock of a scheduler's run lives while Airflow has that DAG run queued or running (asked through
    Airflow's API); once Airflow ends it (here: marked failed, as in the UI) the next run takes over."""
    from kpi import warehouse

    holder = "manual__scheduler_holder"
    for args in (["dags", "reserialize"], ["dags", "trigger", "kpi_nightly", "--run-id", holder]):
        res = run_kpi("airflow", *args)  # the run stays queued: no scheduler runs here
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("delete from raw.pipeline_lock")
        conn.execute("insert into raw.pipeline_lock (lock_name, run_id, dag_id, as_of_date, host, pid, alive_while) "
                     "values ('warehouse', %s, 'kpi_nightly', '2025-03-08', 'worker-1', 77, 'dag_run')", (holder,))
    run = Run("2025-03-09", tmp_path)
    try:
        run.wait_for(rf"waiting for the warehouse lock, held by run_id={holder} .*host=worker-1 pid=77", 600, times=2)
        with warehouse.connect(autocommit=True, dbname=config.AIRFLOW_DB) as conn:
            assert conn.execute("update dag_run set state = 'failed' where run_id = %s", (holder,)).rowcount == 1
        ended = time.monotonic()
        run.wait_for(r"\[DAG TEST\] end task task_id=prepare_warehouse ", PROCEED_WITHIN + 30)
        assert time.monotonic() - ended < PROCEED_WITHIN
        log = run.log()
        assert f"took over the warehouse lock from a dead run (run_id={holder}" in log
        assert "Airflow no longer runs that DAG run" in log and "cannot ask Airflow" not in log
    finally:
        run.kill()

"""One pipeline run at a time on a warehouse, with a lock that dies with its holder.

Why a lock: the dbt views of a run are compiled for its as-of date, so two runs interleaving their
dbt tasks (a backfill beside the nightly run: Airflow applies a backfill's max_active_runs apart from
the DAG's) would read each other's views.

What it is: the row `raw.pipeline_lock` ('warehouse'): the DAG run holding it (dag_id, run_id), its
as-of date, since when, and the host and pid of the process that took it. The first task of a run
(prepare_warehouse) takes it, the teardown release_warehouse deletes it, also when the run fails.

Why not a plain PostgreSQL advisory lock: a run's tasks are separate processes under the scheduler
(on other hosts with Celery), and a session lock dies with the task that took it. So the row says
what the holder lives by (`alive_while`), and a waiter checks that at every poll:

- 'session': `kpi run` (`airflow dags test`) runs every task of the run in one process. That process
  keeps a database session open for the whole run holding a shared advisory lock keyed by its run
  id. Kill the process and the kernel closes its socket; kill the postmaster and every session ends;
  either way the advisory lock is gone and the next run takes over at its first look. (Server-side
  TCP keepalives on that session let PostgreSQL notice a vanished host within about a minute.)
- 'dag_run': under the scheduler the holder is alive while Airflow says its DAG run is queued or
  running (asked through the Task SDK, so it works on any worker). A run that ended, was marked
  failed in the UI or was deleted is replaced at once; a run whose scheduler is stopped keeps the lock
  until Airflow ends that run.

A waiter logs who holds the lock and since when at every poll (`kpi run` shows that line on the
terminal) and gives up after `wait_seconds`. `kpi unlock` deletes the row by hand, for a holder that
is alive but stuck.
"""
from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from kpi import config, errors, labels, warehouse

log = logging.getLogger(__name__)

LOCK_NAME = "warehouse"
# first key of the runner's advisory lock ('kpi'); the second is hashtext(run_id)
ADVISORY_CLASS = 0x6B7069
SESSION, DAG_RUN = "session", "dag_run"

_SESSION_HELD = """
select exists (
    select 1 from pg_locks
    where locktype = 'advisory' and granted
      and database = (select oid from pg_database where datname = current_database())
      and classid = %(cls)s::bigint::oid and objid = (hashtext(%(run_id)s)::bigint & 4294967295)::oid
      and objsubid = 2)
"""


@dataclass(frozen=True)
class Holder:
    run_id: str
    dag_id: str | None
    as_of: date | None
    since: datetime
    host: str | None
    pid: int | None
    alive_while: str

    def describe(self) -> str:
        """For logs (English), one key=value per fact so `kpi run` can read it back (waiting_note)."""
        since = self.since.astimezone(config.TIMEZONE).isoformat(timespec="seconds")
        return f"run_id={self.run_id} as_of={self.as_of} host={self.host} pid={self.pid} since={since}"


def read_holder(conn: psycopg.Connection) -> Holder | None:
    row = conn.execute(
        "select run_id, dag_id, as_of_date, acquired_at, host, pid, alive_while from raw.pipeline_lock "
        "where lock_name = %s", (LOCK_NAME,)).fetchone()
    return Holder(*row) if row else None


def session_alive(conn: psycopg.Connection, holder: Holder) -> bool:
    """Whether the runner process of a 'session' holder still has its session open."""
    return bool(conn.execute(_SESSION_HELD, {"cls": ADVISORY_CLASS, "run_id": holder.run_id}).fetchone()[0])


def acquire(run_id: str, as_of: date, *, dag_id: str | None = None, keep_session: bool = False,
            run_active: Callable[[str, str], bool] | None = None,
            wait_seconds: float = 7200, poll_seconds: float = 15) -> None:
    """Take the lock for `run_id`, waiting while another live run holds it.

    keep_session: this process runs every task of the run (`airflow dags test`); it keeps a session
    holding the lock's life until release() or its death. run_active(dag_id, run_id) says whether
    Airflow still runs a DAG run (None: cannot ask, a 'dag_run' holder counts as alive). A retry of
    the holding run takes the lock again; a dead holder is replaced at once.
    """
    if keep_session:
        _keep_session(run_id)
    alive_while = SESSION if keep_session else DAG_RUN
    started = time.monotonic()
    while True:
        with warehouse.connect(autocommit=True) as conn:
            holder = read_holder(conn)
            dead = None if holder is None or holder.run_id == run_id else _why_dead(conn, holder, run_active)
            if holder is None or holder.run_id == run_id or dead:
                if _take(conn, holder, run_id, dag_id, as_of, alive_while):
                    if dead:
                        log.warning("took over the warehouse lock from a dead run (%s): %s", holder.describe(), dead)
                    return
                continue  # another run took it between our look and our write: look again
        waited = time.monotonic() - started
        if waited > wait_seconds:
            raise errors.StepFailed(f"warehouse busy: the lock is held by {holder.describe()}; "
                                    f"gave up after {waited:.0f} s "
                               "(`kpi unlock` releases it if that run is stuck)")
        log.info("%s %s, waited %d s", WAITING, holder.describe(), waited)
        time.sleep(poll_seconds)


def release(run_id: str) -> None:
    try:
        with warehouse.connect(autocommit=True) as conn:
            conn.execute("delete from raw.pipeline_lock where lock_name = %s and run_id = %s", (LOCK_NAME, run_id))
    finally:
        _drop_session(run_id)


def force_release(holder: Holder) -> bool:
    """`kpi unlock`: delete the lock if `holder` still has it (not a run that took it since)."""
    with warehouse.connect(autocommit=True) as conn:
        return conn.execute("delete from raw.pipeline_lock where lock_name = %s and run_id = %s and acquired_at = %s "
                            "returning 1", (LOCK_NAME, holder.run_id, holder.since)).fetchone() is not None


def _take(conn, holder: Holder | None, run_id, dag_id, as_of, alive_while) -> bool:
    values = {"lock": LOCK_NAME, "run_id": run_id, "dag_id": dag_id, "as_of": as_of, "host": socket.gethostname(),
              "pid": os.getpid(), "alive_while": alive_while}
    if holder is None:
        return conn.execute(
            "insert into raw.pipeline_lock (lock_name, run_id, dag_id, as_of_date, host, pid, alive_while) "
            "values (%(lock)s, %(run_id)s, %(dag_id)s, %(as_of)s, %(host)s, %(pid)s, %(alive_while)s) "
            "on conflict (lock_name) do nothing returning 1", values).fetchone() is not None
    # only if the row is still the one judged: two waiters replacing the same dead run, one wins
    return conn.execute(
        "update raw.pipeline_lock set run_id = %(run_id)s, dag_id = %(dag_id)s, as_of_date = %(as_of)s, "
        "host = %(host)s, pid = %(pid)s, alive_while = %(alive_while)s, acquired_at = now() "
        "where lock_name = %(lock)s and run_id = %(old_run)s and acquired_at = %(old_since)s returning 1",
        {**values, "old_run": holder.run_id, "old_since": holder.since}).fetchone() is not None


def _why_dead(conn, holder: Holder, run_active) -> str | None:
    """Why `holder` is no longer alive, or None while it is (or cannot be told)."""
    if holder.alive_while == SESSION:
        if session_alive(conn, holder):
            return None
        return (f"the database session of its runner (host {holder.host} pid {holder.pid}) is gone: "
                "the process ended or the server restarted")
    if run_active is None or holder.dag_id is None or run_active(holder.dag_id, holder.run_id):
        return None
    return "Airflow no longer runs that DAG run"


# --- the runner's session (alive_while = 'session') -------------------------------------------

_keeper: tuple[str, psycopg.Connection] | None = None


def _keep_session(run_id: str) -> None:
    global _keeper
    if _keeper and _keeper[0] == run_id:
        try:
            _keeper[1].execute("select 1")
            return
        except psycopg.Error:  # the server restarted under us: open a new one
            pass
    _drop_session(None)
    conn = warehouse.connect(autocommit=True)
    # a vanished host is noticed by the server after ~30 s idle + 3 probes 10 s apart
    for name, value in (("tcp_keepalives_idle", "30"), ("tcp_keepalives_interval", "10"),
                        ("tcp_keepalives_count", "3"), ("application_name", f"kpi run lock {run_id}"[:63])):
        conn.execute("select set_config(%s, %s, false)", (name, value))
    conn.execute("select pg_advisory_lock_shared(%s, hashtext(%s))", (ADVISORY_CLASS, run_id))
    _keeper = (run_id, conn)


def _drop_session(run_id: str | None) -> None:
    """Close the runner's session (of `run_id`, or whichever with None)."""
    global _keeper
    if _keeper and (run_id is None or _keeper[0] == run_id):
        try:
            _keeper[1].close()
        finally:
            _keeper = None


# --- what Airflow knows ---------------------------------------------------------------------------

def runs_in_this_process() -> bool:
    """Whether every task of the current DAG run runs in this process: `airflow dags test` (what `kpi
    run` uses) executes tasks in-process through the Task SDK's InProcessSupervisorComms."""
    try:
        from airflow.sdk.execution_time import task_runner
        from airflow.sdk.execution_time.supervisor import InProcessSupervisorComms
    except ImportError:
        return False
    return isinstance(getattr(task_runner, "SUPERVISOR_COMMS", None), InProcessSupervisorComms)


def airflow_run_active(dag_id: str, run_id: str) -> bool:
    """Whether Airflow still has `run_id` queued or running, asked from inside a task through the
    execution API (any executor, any host). When Airflow cannot answer, the run counts as alive."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    try:
        return RuntimeTaskInstance.get_dr_count(dag_id=dag_id, run_ids=[run_id], states=["queued", "running"]) > 0
    except Exception as exc:
        log.warning("cannot ask Airflow about run %s of %s (%s); taking it as alive", run_id, dag_id, exc)
        return True


# --- what people see ------------------------------------------------------------------------------

WAITING = "waiting for the warehouse lock, held by"
_WAITING_LINE = re.compile(re.escape(WAITING) + r" run_id=(?P<run_id>\S+) as_of=(?P<as_of>\S+) host=(?P<host>\S+) "
                           r"pid=(?P<pid>\S+) since=(?P<since>\S+), waited (?P<waited>\d+) s")


def describe_zh(run_id: str, as_of: date | None, host: str | None, pid, since: datetime) -> str:
    """The holder for the terminal: 執行 … 持有（基準日 …，主機 … pid …），自 … 起（… 前）."""
    local = since.astimezone(config.TIMEZONE)
    held = max(0, int((datetime.now(config.TIMEZONE) - local).total_seconds()))
    day = labels.roc_date(as_of) if as_of else "不明"
    where = f"主機 {host} pid {pid}" if host and pid not in (None, "None") else "主機不明"
    return (f"執行 {run_id} 持有（基準日 {day}，{where}），"
            f"自 {local:%Y-%m-%d %H:%M:%S} 起（已 {_duration_zh(held)}）")


def holder_zh(holder: Holder) -> str:
    return describe_zh(holder.run_id, holder.as_of, holder.host, holder.pid, holder.since)


def waiting_note(line: str) -> str | None:
    """The terminal line for a waiting run's log line (what `kpi run` prints), else None."""
    m = _WAITING_LINE.search(line)
    if not m:
        return None
    as_of = date.fromisoformat(m["as_of"]) if m["as_of"] != "None" else None
    holder = describe_zh(m["run_id"], as_of, m["host"], m["pid"], datetime.fromisoformat(m["since"]))
    return (f"  等待倉儲鎖：由{holder}"
            f"；本次已等待 {_duration_zh(int(m['waited']))}")


def _duration_zh(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} 小時 {minutes} 分"
    return f"{minutes} 分 {secs} 秒" if minutes else f"{secs} 秒"

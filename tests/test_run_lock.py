"""One pipeline run at a time on a warehouse (dbt views are compiled for a run's as-of date), and a
lock that dies with its holder: a killed runner or a killed server frees it at once, a live one keeps
it and waiters say who holds it; `kpi unlock` for the rare stuck case."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from lock_holder import hold

from kpi import config, run_lock, warehouse


def _holder_run_id() -> str | None:
    with warehouse.connect() as conn:
        holder = run_lock.read_holder(conn)
    return holder.run_id if holder else None


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=30)


def test_a_second_run_waits_and_gives_up_naming_the_holder(warehouse_db):
    run_lock.acquire("nightly_A", date(2025, 11, 25), dag_id="kpi_nightly")
    with pytest.raises(RuntimeError, match=r"nightly_A.*2025-11-25"):
        run_lock.acquire("backfill_B", date(2025, 1, 1), wait_seconds=0.5, poll_seconds=0.1)
    run_lock.acquire("nightly_A", date(2025, 11, 25), wait_seconds=0)  # a retry of the holder goes on
    run_lock.release("nightly_A")
    run_lock.acquire("backfill_B", date(2025, 1, 1), wait_seconds=0)
    run_lock.release("backfill_B")


def test_a_scheduler_run_airflow_no_longer_runs_is_replaced_at_once(warehouse_db):
    asked = []

    def still_running(answer):
        def run_active(dag_id, run_id):
            asked.append((dag_id, run_id))
            return answer
        return run_active

    run_lock.acquire("scheduled__A", date(2025, 11, 24), dag_id="kpi_nightly")
    with pytest.raises(RuntimeError, match="scheduled__A"):
        run_lock.acquire("B", date(2025, 11, 25), run_active=still_running(True), wait_seconds=0.3, poll_seconds=0.1)
    run_lock.acquire("B", date(2025, 11, 25), run_active=still_running(False), wait_seconds=0)
    assert _holder_run_id() == "B" and asked[-1] == ("kpi_nightly", "scheduled__A")
    run_lock.release("B")


def test_a_live_runner_keeps_the_lock_and_a_killed_one_loses_it_at_once(warehouse_db, caplog):
    holder = hold("manual__runner", date(2025, 11, 24))
    try:
        # alive: its session is open, however old the lock (no takeover by age)
        with warehouse.connect(autocommit=True) as conn:
            conn.execute("update raw.pipeline_lock set acquired_at = now() - interval '7 hours'")
        with pytest.raises(RuntimeError, match="manual__runner"):
            run_lock.acquire("next", date(2025, 11, 25), wait_seconds=0.3, poll_seconds=0.1)
    finally:
        _kill(holder)
    caplog.set_level(logging.WARNING, logger="kpi.run_lock")
    started = time.monotonic()
    run_lock.acquire("next", date(2025, 11, 25), wait_seconds=0)
    assert time.monotonic() - started < 5 and _holder_run_id() == "next"
    assert "took over the warehouse lock from a dead run" in caplog.text and "manual__runner" in caplog.text
    run_lock.release("next")


def test_a_killed_server_frees_the_lock_of_a_runner_still_alive(warehouse_db):
    """kill -9 of the postmaster ends every session: after the restart the lock is free, even though
    the old runner process lives on (its run is broken: it lost its database mid-task)."""
    holder = hold("manual__before_crash", date(2025, 11, 24))
    try:
        postmaster = int((config.embedded_pgdata() / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:  # its backends take a moment to notice and exit
            try:
                warehouse.up()
                break
            except warehouse.WarehouseError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        assert holder.poll() is None
        run_lock.acquire("manual__after_crash", date(2025, 11, 25), wait_seconds=0)
        assert _holder_run_id() == "manual__after_crash"
        run_lock.release("manual__after_crash")
    finally:
        _kill(holder)


def test_a_waiting_run_says_who_holds_the_lock_at_every_poll(warehouse_db, caplog):
    holder = hold("manual__2025-11-26T02:00:00+08:00", date(2025, 11, 25))
    caplog.set_level(logging.INFO, logger="kpi.run_lock")
    try:
        with pytest.raises(RuntimeError):
            run_lock.acquire("waiter", date(2025, 11, 26), wait_seconds=0.45, poll_seconds=0.1)
    finally:
        _kill(holder)
    lines = [r.getMessage() for r in caplog.records if run_lock.WAITING in r.getMessage()]
    assert len(lines) >= 3
    assert f"host={os.uname().nodename}" in lines[0] and f"pid={holder.pid}" in lines[0]
    # what `kpi run` prints for such a line of the task log
    note = run_lock.waiting_note("2025-11-26T02:00:03Z [info     ] " + lines[-1] + " [kpi.run_lock]")
    assert note.startswith(
        "  等待倉儲鎖：由執行 manual__2025-11-26T02:00:00+08:00 持有（基準日 114/11/25（2025-11-25），")
    assert f"pid {holder.pid}）" in note and "起（已 " in note and "本次已等待 0 秒" in note
    assert run_lock.waiting_note("an ordinary log line") is None
    run_lock.acquire("waiter", date(2025, 11, 26), wait_seconds=0)
    run_lock.release("waiter")


def _unlock(*args: str, answer: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("kpi")), "unlock", *args], input=answer,
                          capture_output=True, text=True, timeout=120)


def test_kpi_unlock_shows_the_holder_and_asks_first(warehouse_db):
    res = _unlock()
    assert res.returncode == 0 and "倉儲鎖目前無人持有" in res.stdout
    holder = hold("manual__stuck", date(2025, 11, 24))
    try:
        res = _unlock(answer="n\n")
        assert res.returncode == 1, res.stderr
        assert "執行 manual__stuck 持有（基準日 114/11/24（2025-11-24），主機 " in res.stdout
        assert "仍連線中" in res.stdout and "未解除" in res.stderr
        assert _holder_run_id() == "manual__stuck"
        res = _unlock(answer="y\n")
        assert res.returncode == 0 and "已解除倉儲鎖" in res.stdout, res.stderr
        assert _holder_run_id() is None
        run_lock.acquire("after", date(2025, 11, 25), wait_seconds=0)
        res = _unlock("--yes")  # scripts: no question
        assert res.returncode == 0 and "執行 after 持有" in res.stdout and "確定解除" not in res.stdout
        assert _holder_run_id() is None
    finally:
        _kill(holder)


def test_every_run_keeps_its_log_and_the_dated_name_is_the_latest(kpi_state, monkeypatch):
    from kpi import airflow_env, dag_runner

    monkeypatch.setenv("AIRFLOW_HOME", str(kpi_state / "log-test-airflow"))
    runs = airflow_env.airflow_home() / "runs"
    runs.mkdir(parents=True)
    (runs / "2025-03-05.log").write_text("a log written before logs were kept per run\n")
    first = dag_runner.run_log(date(2025, 3, 5))
    first.write_text("the first run, killed\n")
    second = dag_runner.run_log(date(2025, 3, 5))
    second.write_text("the second run\n")
    logs = sorted(p.read_text() for p in runs.glob("2025-03-05.*.log"))
    assert logs == ["a log written before logs were kept per run\n", "the first run, killed\n", "the second run\n"]
    assert (runs / "2025-03-05.log").read_text() == "the second run\n"

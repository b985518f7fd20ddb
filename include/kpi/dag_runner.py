"""`kpi run` and `kpi backfill` run the real DAG through `airflow dags test`: the runner process, its
log file under AIRFLOW_HOME/runs, and what its output says (the task it is in, a task's end, a dbt
node's result, a wait for the warehouse lock), reported to a ProgressPrinter as it happens."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from kpi import config
from kpi.progress import ProgressPrinter

DAG_ID = "kpi_nightly"


def dag_counts() -> tuple[int, int]:
    """(tasks of the DAG, dbt nodes its dbt_build builds: seeds, models and tests), from the manifest,
    without importing Airflow."""
    from kpi import dbt_render
    from kpi.loaders import source_names

    manifest = json.loads(dbt_render.manifest_path().read_text())
    dbt_nodes = sum(1 for n in manifest["nodes"].values()
                    if n["resource_type"] in ("model", "seed", "test", "snapshot"))
    dbt_nodes += len(manifest.get("unit_tests") or {})
    # resolve_as_of, prepare_warehouse, loads_finished, dbt_build, flag_indicators, publish, notify,
    # check_loads, release_warehouse
    return 9 + len(source_names()), dbt_nodes


def _die_with(parent: int):
    """preexec_fn for the runner: SIGKILL when `kpi run` dies (Linux), so a killed `kpi run` leaves no
    run going on headless; its lock then dies with it (run_lock)."""
    def preexec() -> None:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl
            os.kill(os.getpid(), signal.SIGKILL)
    return preexec


def _how_it_ended(rc: int) -> str:
    import signal

    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "?"
        return f"Airflow 執行程序被訊號 {-rc}（{name}）終止"
    return f"Airflow 執行程序結束，結束碼 {rc}"


def run_dag(as_of: date, log_path: Path, progress: ProgressPrinter,
            conf: dict | None = None) -> tuple[bool, list[str], float, str | None]:
    """Run the real DAG for `as_of` through `airflow dags test` (with DAG params `conf`); returns (ok,
    failed tasks, seconds, how the runner ended when not by itself). Progress: tasks done of all
    tasks, and dbt nodes (seeds, models, tests) done of all, from the line the task dbt_build logs per
    node; a failed node is named as it fails, then with its file and dbt's message when the build
    ends; a run waiting for the warehouse lock says who holds it."""
    from kpi import airflow_env, dbt_build, pipeline, run_lock

    run_time = pipeline.run_time_for(as_of)
    total, dbt_total = dag_counts()
    # unbuffered child, line-buffered log: the progress and the run's log follow a task as it runs,
    # and a killed runner's last lines (the task it was in) are not lost in a buffer
    # `dags test` runs every task in this process whatever the executor: no Celery, hence no retries;
    # its tasks run here, on the host that started the warehouse
    env = {**airflow_env.env(), "KPI_TASK_RETRIES": "0", "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
           "PYTHONUNBUFFERED": "1", "KPI_HOST_ROLE": config.host_role()}
    # `airflow dags test` through kpi.airflow_runner: the same command, without its collector's and
    # its exit's seconds
    cmd = [sys.executable, "-m", "kpi.airflow_runner", "dags", "test", DAG_ID, run_time.isoformat()]
    if conf:
        cmd += ["--conf", json.dumps(conf)]
    started = time.monotonic()
    failed: list[str] = []
    current, task_started, done, dbt_done = None, 0.0, 0, 0
    finished_ok = False

    with open(log_path, "w", encoding="utf-8", buffering=1) as log, subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
        preexec_fn=_die_with(os.getpid()) if sys.platform.startswith("linux") else None,
    ) as proc:
        progress(DAG_ID, 0, total, f"dbt 0/{dbt_total}")
        for line in proc.stdout:
            log.write(line)
            if m := re.search(r"\[DAG TEST\] starting task_id=(\S+)", line):
                current, task_started = m.group(1), time.monotonic()
                progress(DAG_ID, done, total, f"dbt {dbt_done}/{dbt_total}  {current}")
            elif node := dbt_build.NODE_RE.search(line):
                kind, name, status = node.groups()
                dbt_done += 1
                if status in dbt_build.FAILED:
                    progress.message(f"  dbt {kind} {name}: {status}")
                progress(DAG_ID, done, total, f"dbt {dbt_done}/{dbt_total}  {current}")
            elif dbt_build.FAILURE_LINE in line:
                # the failed node, its file and dbt's own message, as the dbt_build task logs them
                progress.message("    " + line.split(dbt_build.FAILURE_LINE, 1)[1].rstrip())
            elif note := run_lock.waiting_note(line):
                log.flush()
                progress.message(note)
            elif current and ("new_state=failed" in line or "new_state=success" in line):
                ok = "new_state=success" in line
                done += 1
                if not ok:
                    failed.append(current)
                    progress.message(f"  {current} FAILED after {time.monotonic() - task_started:.1f}s")
                progress(DAG_ID, done, total, f"dbt {dbt_done}/{dbt_total}  {current} "
                                              f"{'ok' if ok else 'FAILED'} {time.monotonic() - task_started:.1f}s")
                current = None
            elif "DagRun Finished" in line and "state=success" in line:
                finished_ok = True
        rc = proc.wait()
    ended = None if rc == 0 else _how_it_ended(rc)
    if current:  # the runner died inside a task (killed, or the database went away): that task failed
        failed.append(current)
        progress.message(f"  {current} 未完成：{ended or 'Airflow 未回報其結果'}")
    return rc == 0 and finished_ok and not failed, failed, time.monotonic() - started, ended


def run_log(name: str) -> Path:
    """A new log file for this run, `runs/<name>.<local time>.log` (name: the as-of date, or a backfill's
    range), with `runs/<name>.log` a link to it: every run keeps its log (a crashed run's too), the
    latest is where it always was."""
    from kpi import airflow_env

    runs = airflow_env.airflow_home() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    latest = runs / f"{name}.log"
    if latest.is_file() and not latest.is_symlink():  # a log from before logs were kept per run
        stamp = datetime.fromtimestamp(latest.stat().st_mtime, config.TIMEZONE)
        latest.rename(runs / f"{name}.{stamp:%Y%m%dT%H%M%S}.log")
    stamp = datetime.now(config.TIMEZONE).strftime("%Y%m%dT%H%M%S")
    path = runs / f"{name}.{stamp}.log"
    n = 1
    while path.exists():  # two runs of a date in the same second
        n += 1
        path = runs / f"{name}.{stamp}-{n}.log"
    path.touch()
    link = runs / f".{latest.name}.{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(path.name)
    os.replace(link, latest)  # atomic: readers never see it missing
    return path

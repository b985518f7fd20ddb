"""One night on two Celery workers beside `kpi run` and the bare work (the loads and one `dbt build`,
from bench/dag_vs_dbt.py), with the median overhead per task and the peak memory per worker and per
task.

Usage: .venv/bin/python bench/celery.py [--as-of 2025-11-25] [--repeat 1] [--no-warmup]
Needs redis-server and the demo landing data (`kpi demo-data`); uses this checkout's state (set
KPI_WAREHOUSE_PORT / KPI_AIRFLOW_PORT to keep off another checkout's). Starts `kpi airflow-ui
--executor celery --workers 2 --paused` (its own Redis; concurrency AIRFLOW__CELERY__WORKER_CONCURRENCY,
default 2), triggers the night through the REST API and times it from the trigger to the run's end.
A first `kpi run`, not timed, loads every source, and a first Celery night, not timed, starts what
the API server and the workers start once, so every timed night is a steady-state one.

Memory: every second the proportional set size (PSS: shared pages split among their users, so
sums add up) of each worker's process tree, and of each task's processes (what the pool process
that supervises it forks: the task and dbt), the peak of each kept.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# `python bench/celery.py` puts bench/ first on sys.path, where this file would shadow the celery package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import importlib.util  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime  # noqa: E402

import psutil  # noqa: E402

from kpi import airflow_ui, config, pipeline  # noqa: E402

_spec = importlib.util.spec_from_file_location("dag_vs_dbt", HERE / "dag_vs_dbt.py")
dag_vs_dbt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dag_vs_dbt)

KPI = str(Path(sys.executable).with_name("kpi"))
MB = 1024 * 1024


def _pss(proc: psutil.Process) -> int:
    try:
        return proc.memory_full_info().pss
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return 0


class Sampler(threading.Thread):
    """Peak PSS of each worker's tree, and of the largest one task's processes (children of the pool)."""

    def __init__(self, ui_pid: int):
        super().__init__(daemon=True)
        self.ui_pid, self.stop_event = ui_pid, threading.Event()
        self.worker_peak: dict[str, int] = {}
        self.worker_idle: dict[str, int] = {}
        self.task_peak = 0

    def workers(self) -> dict[str, psutil.Process]:
        matches = {}
        for child in psutil.Process(self.ui_pid).children(recursive=True):
            try:
                cmd = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if "celery worker" in cmd and (m := re.search(r"--celery-hostname (\S+)@", cmd)):
                matches[child.pid] = (m.group(1), child)
        # a worker's pool processes are forks with its command line: the worker is the one whose
        # parent is not a match
        return {name: proc for name, proc in matches.values() if proc.ppid() not in matches}

    def sample(self) -> dict[str, int]:
        sizes = {}
        for name, worker in self.workers().items():
            try:
                tree = worker.children(recursive=True)
                pool = worker.children()
            except psutil.Error:
                continue
            sizes[name] = _pss(worker) + sum(_pss(p) for p in tree)
            for pool_child in pool:  # a task: what the pool process forked for it
                try:
                    task = sum(_pss(p) for p in pool_child.children(recursive=True))
                except psutil.Error:
                    continue
                self.task_peak = max(self.task_peak, task)
        return sizes

    def run(self) -> None:
        while not self.stop_event.wait(1.0):
            for name, size in self.sample().items():
                self.worker_peak[name] = max(self.worker_peak.get(name, 0), size)


def celery_night(base: str, bearer: str, as_of: date, sampler: Sampler) -> tuple[float, list[dict]]:
    """Trigger the night of `as_of`, wait for its end; (seconds, its task instances)."""
    run_time = pipeline.run_time_for(as_of)
    # `kpi run` (airflow dags test) leaves a run of the same logical date, which a trigger may not repeat
    stamp = run_time.isoformat().replace("+", "%2B")
    _, same = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns?logical_date_gte={stamp}"
                                   f"&logical_date_lte={stamp}", token=bearer)
    for old in same.get("dag_runs", []):
        airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{old['dag_run_id']}", "DELETE", token=bearer)
    status, run = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns", "POST",
                                 {"logical_date": run_time.isoformat(), "conf": {}}, token=bearer)
    if status not in (200, 201):
        sys.exit(f"trigger failed ({status}): {run}")
    run_id = run["dag_run_id"]
    started = time.monotonic()
    airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": False}, token=bearer)
    while run["state"] not in ("success", "failed"):
        time.sleep(2)
        # unpaused, the DAG also gets its latest 02:00 slot: not the benchmark's night
        _, others = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns?state=queued&state=running",
                                   token=bearer)
        for other in others.get("dag_runs", []):
            if other["dag_run_id"] != run_id:
                airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{other['dag_run_id']}", "PATCH",
                               {"state": "failed"}, token=bearer)
        _, run = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}", token=bearer)
    seconds = time.monotonic() - started
    airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": True}, token=bearer)
    _, tis = airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}/taskInstances?limit=200",
                            token=bearer)
    if run["state"] != "success":
        sys.exit(f"the Celery night failed: {[(t['task_id'], t['state']) for t in tis['task_instances']]}")
    # the next repeat triggers the same logical date again
    airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run_id}", "DELETE", token=bearer)
    return seconds, tis["task_instances"]


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def timeline(tis: list[dict]) -> None:
    """Each task's queued, start and end, in seconds from the first task's start: where a night's
    time beyond its tasks' own work goes (waiting for the scheduler, for a worker, or starting)."""
    rows = sorted((t for t in tis if t.get("start_date")), key=lambda t: t["start_date"])
    t0 = _ts(rows[0]["start_date"])
    print("| task | host | queued | started | ended | ran |\n|---|---|---|---|---|---|")
    for t in rows:
        at = {k: (_ts(t[k]) - t0).total_seconds() if t.get(k) else None
              for k in ("queued_when", "start_date", "end_date")}
        print(f"| {t['task_id']} | {t.get('hostname') or ''} | "
              + " | ".join("" if v is None else f"{v:.1f}" for v in at.values())
              + f" | {t.get('duration') or 0:.1f} |")


def main() -> None:
    args = dag_vs_dbt.steady_night(repeat=1)

    port = config.airflow_port()
    out = Path(tempfile.mkdtemp(prefix="kpi-bench-celery-")) / "airflow-ui.txt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("AIRFLOW__CELERY__BROKER_URL", None)
    with open(out, "w") as sink:
        ui = subprocess.Popen([KPI, "airflow-ui", "--executor", "celery", "--workers", "2", "--paused",
                               "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT,
                              start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 900
        while "Airflow is ready" not in out.read_text():
            if ui.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"kpi airflow-ui did not get ready:\n{out.read_text()[-3000:]}")
            time.sleep(1)
        base = f"http://127.0.0.1:{port}"
        bearer = airflow_ui.token(base, airflow_ui.admin_password())
        sampler = Sampler(ui.pid)
        time.sleep(5)
        idle = sampler.sample()
        sampler.start()
        if not args.no_warmup:
            # a scheduler runs for months: its API server's first task of all pays a one-time start
            # (3.7-3.9 s here, before the task's DAG is even parsed), which no later night pays
            print(f"warm-up Celery night: {celery_night(base, bearer, args.as_of, sampler)[0]:.1f} s", flush=True)
        celery, direct, local, waits = [], [], [], []
        for n in range(args.repeat):
            before = dag_vs_dbt.load_average()
            seconds, tis = celery_night(base, bearer, args.as_of, sampler)
            celery.append(seconds)
            timeline(tis)
            waits += [(_ts(t["start_date"]) - _ts(t["queued_when"])).total_seconds()
                      for t in tis if t.get("queued_when") and t.get("start_date")]
            local.append(dag_vs_dbt.timed(lambda: dag_vs_dbt.kpi_run(args.as_of))[0])
            direct.append(dag_vs_dbt.timed(lambda: dag_vs_dbt.bare_work(args.as_of))[0])
            print(f"#{n + 1}: Celery {celery[-1]:6.1f} s (load avg {before}), kpi run {local[-1]:6.1f} s, "
                  f"bare work {direct[-1]:6.1f} s; {len(tis)} tasks", flush=True)
        sampler.stop_event.set()
        sampler.join()
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        ui.wait(timeout=300)
    c, r, b = (statistics.median(x) for x in (celery, local, direct))
    print(f"as-of {args.as_of}, {args.repeat} run(s) each, {os.cpu_count()} CPUs, load avg now "
          f"{dag_vs_dbt.load_average()}, worker concurrency {config.celery_worker_concurrency()}")
    print("| | median wall time | × bare work |\n|---|---|---|")
    print(f"| Celery, 2 workers | {c:.0f} s | {c / b:.2f} |")
    print(f"| `kpi run` | {r:.0f} s | {r / b:.2f} |")
    print(f"| bare work (`kpi load` + one `dbt build`) | {b:.0f} s | 1.00 |")
    print(f"median overhead per task (queued → started on a worker): {statistics.median(waits):.1f} s "
          f"over {len(waits)} task runs")
    for name in sorted(sampler.worker_peak):
        print(f"{name}: idle {idle.get(name, 0) / MB:.0f} MB, peak {sampler.worker_peak[name] / MB:.0f} MB (PSS)")
    print(f"peak of one task's processes (the task and its dbt; the pool process supervising it is in the "
          f"worker's idle size): {sampler.task_peak / MB:.0f} MB (PSS)")
    print(f"overhead per task from the wall times: ({c:.0f} - {b:.0f}) s / {len(tis)} tasks = "
          f"{(c - b) / len(tis):.1f} s")


if __name__ == "__main__":
    main()

"""`make airflow` (`kpi airflow-ui`): the real command starts Airflow's API server, scheduler, DAG
processor and triggerer on the embedded warehouse, reports healthy on the API's health endpoint,
serves kpi_nightly unpaused to the login it prints, and leaves nothing behind when stopped."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from conftest import _free_port

from kpi import airflow_env, airflow_ui

pytestmark = pytest.mark.slow

READY_TIMEOUT = 600  # two shared cores; alone it takes 20-40 s


def _gone(p: psutil.Process) -> bool:
    try:
        return not p.is_running() or p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _cmdline(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:  # gone, or a zombie
        return ""


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def airflow_ui_command(warehouse_db, dbt_manifest, tmp_path_factory):
    """`kpi airflow-ui --port P` as `make airflow` runs it; yields (process, port, output file, started)."""
    port = _free_port()
    out = tmp_path_factory.mktemp("airflow-ui") / "out.txt"
    started = datetime.now(UTC)
    with open(out, "w") as sink:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("kpi")), "airflow-ui", "--port", str(port)],
                                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    yield proc, port, out, started
    if proc.poll() is None:  # a failed test: stop it anyway
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_make_airflow_runs_the_scheduler_and_ui_until_stopped(airflow_ui_command):
    proc, port, out, started = airflow_ui_command
    base = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()

    # 1. the health endpoint: every part healthy, heartbeats from this start
    waiting = None
    while time.monotonic() - t0 < READY_TIMEOUT:
        assert proc.poll() is None, f"kpi airflow-ui exited ({proc.returncode}):\n{out.read_text()[-3000:]}"
        try:
            status, health = airflow_ui.api(base, "/api/v2/monitor/health", timeout=5)
            waiting = airflow_ui.unhealthy_parts(health, started.replace(microsecond=0)) if status == 200 else status
        except OSError as exc:
            waiting = str(exc)
        if not waiting:
            break
        time.sleep(2)
    assert not waiting, f"not healthy after {READY_TIMEOUT} s: {waiting}\n{out.read_text()[-3000:]}"
    healthy_after = time.monotonic() - t0
    assert set(health) >= {"metadatabase", "scheduler", "dag_processor", "triggerer"}

    # 2. the command says where to log in, once the DAG is parsed and unpaused
    while "Airflow is ready" not in out.read_text() and time.monotonic() - t0 < READY_TIMEOUT:
        assert proc.poll() is None, out.read_text()[-3000:]
        time.sleep(1)
    printed = out.read_text()
    password = json.loads(airflow_ui.password_file().read_text())["admin"]
    assert airflow_ui.password_file().parent == airflow_env.airflow_home()
    assert oct(airflow_ui.password_file().stat().st_mode & 0o777) == "0o600"
    assert f"{base}/dags/kpi_nightly" in printed
    assert f"user admin, password {password}" in printed
    assert str(airflow_ui.password_file()) in printed

    # 3. the REST API: a login is needed, and kpi_nightly is there, unpaused, on its 02:00 schedule
    assert airflow_ui.api(base, "/api/v2/dags/kpi_nightly")[0] == 401
    with pytest.raises(RuntimeError, match="login"):
        airflow_ui.token(base, password + "x")
    bearer = airflow_ui.token(base, password)
    status, dags = airflow_ui.api(base, "/api/v2/dags", token=bearer)
    assert status == 200 and "kpi_nightly" in [d["dag_id"] for d in dags["dags"]]
    status, dag = airflow_ui.api(base, "/api/v2/dags/kpi_nightly", token=bearer)
    assert status == 200 and dag["is_paused"] is False
    assert dag["timetable_summary"] == "0 2 * * *"
    assert dag.get("has_import_errors") is not True
    # later test modules share Airflow's metadata database: no nightly runs of this module for them
    airflow_ui.api(base, "/api/v2/dags/kpi_nightly", "PATCH", {"is_paused": True}, token=bearer)
    _, runs = airflow_ui.api(base, "/api/v2/dags/kpi_nightly/dagRuns", token=bearer)
    for run in runs.get("dag_runs", []):
        if run["state"] in ("queued", "running"):
            airflow_ui.api(base, f"/api/v2/dags/kpi_nightly/dagRuns/{run['dag_run_id']}", "PATCH",
                           {"state": "failed"}, token=bearer)

    # 4. SIGTERM (as Ctrl-C or a service manager sends): every process it started ends, the port is free
    family = psutil.Process(proc.pid).children(recursive=True)
    names = " ".join(_cmdline(p) for p in family)
    assert "api_server" in names or "api-server" in names, names  # uvicorn renames its process
    for part in ("scheduler", "dag-processor", "triggerer"):
        assert part in names, names
    stop_started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=180) == 0, out.read_text()[-3000:]
    stopped_after = time.monotonic() - stop_started
    deadline = time.monotonic() + 10
    while not all(_gone(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = [f"{p.pid} {_cmdline(p)}" for p in family if not _gone(p)]
    assert not left, f"still running after kpi airflow-ui stopped: {left}"
    assert not _listening(port), f"port {port} still open"
    assert "Airflow stopped" in out.read_text()
    print(f"\nkpi airflow-ui: healthy after {healthy_after:.0f} s, stopped in {stopped_after:.0f} s")


def test_a_port_in_use_is_refused_with_the_way_out(warehouse_db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([str(Path(sys.executable).with_name("kpi")), "airflow-ui", "--port", str(port)],
                             capture_output=True, text=True, timeout=120)
    assert res.returncode != 0
    assert f"port {port} is in use" in res.stderr and "KPI_AIRFLOW_PORT" in res.stderr


def test_makefile_target_runs_the_command():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    target = re.search(r"^airflow:.*\n\t(.+)$", makefile, re.M)
    assert target and "kpi airflow-ui" in target.group(1)

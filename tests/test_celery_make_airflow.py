"""`make airflow EXECUTOR=celery WORKERS=2` (`kpi airflow-ui --executor celery --workers 2`) with no
broker given: it starts its own Redis (a password, a free loopback port, its files in the state dir)
and two workers that both connect; a Redis killed with SIGKILL is started again on its port; Ctrl-C
(SIGTERM) stops every part, the Redis too."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import _free_port

from kpi import airflow_env, redis_broker

pytestmark = [pytest.mark.slow, pytest.mark.celery]

READY_TIMEOUT = 600


def _wait_for(what: str, check, proc: subprocess.Popen, out: Path, seconds: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert proc.poll() is None, f"kpi airflow-ui exited ({proc.returncode}):\n{out.read_text()[-4000:]}"
        assert time.monotonic() < deadline, f"{what} not after {seconds} s:\n{out.read_text()[-4000:]}"
        time.sleep(1)


def _ours(pattern: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if pattern in " ".join(p.info["cmdline"] or [])]


def test_make_airflow_with_celery_and_two_workers_runs_its_own_redis(warehouse_db, dbt_manifest, tmp_path,
                                                                      monkeypatch):
    if not shutil.which("redis-server"):
        if os.environ.get("KPI_REQUIRE_REDIS"):
            pytest.fail("KPI_REQUIRE_REDIS is set but redis-server is not installed")
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    import redis

    for name in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CELERY__BROKER_URL", "KPI_HOSTNAME"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "airflow-ui.txt"
    kpi = str(Path(sys.executable).with_name("kpi"))
    with open(out, "w") as sink:
        ui = subprocess.Popen([kpi, "airflow-ui", "--executor", "celery", "--workers", "2", "--paused",
                               "--port", str(_free_port())], stdout=sink, stderr=subprocess.STDOUT,
                              start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    conf = redis_broker.redis_dir() / "redis.conf"
    logs = airflow_env.airflow_home() / "logs" / "services"
    try:
        _wait_for("Airflow ready", lambda: "Airflow is ready" in out.read_text(), ui, out)
        printed = out.read_text()
        assert "celery-worker-1, celery-worker-2 (CeleryExecutor)" in printed, printed
        password = redis_broker.password()
        assert password not in printed
        port = int(next(line.split()[1] for line in conf.read_text().splitlines() if line.startswith("port ")))
        assert port != 6379
        client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
        assert client.ping()
        for n in (1, 2):  # Celery logs "<name> ready." once connected to the broker
            _wait_for(f"worker {n}", lambda n=n: f"kpi-{n}@" in (logs / f"celery-worker-{n}.log").read_text()
                      and "ready." in (logs / f"celery-worker-{n}.log").read_text(), ui, out, 300)

        title = f"redis-server 127.0.0.1:{port}"  # Redis' process title
        [server] = _ours(title)
        server.kill()
        _wait_for("Redis again", lambda: "starting it again" in out.read_text(), ui, out, 60)
        time.sleep(2)
        assert client.ping() and _ours(title)[0].pid != server.pid

        os.killpg(ui.pid, signal.SIGTERM)
        assert ui.wait(timeout=180) == 0, out.read_text()[-4000:]
        assert not _ours(title), "Redis left running"
        assert not _ours(str(airflow_env.airflow_home() / "celery-worker-")), "a worker left running"
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait(timeout=30)
        for p in _ours("redis-server 127.0.0.1:"):
            try:
                if p.cwd() == str(redis_broker.redis_dir()):  # Redis works in its `dir`: ours only
                    p.kill()
            except psutil.Error:
                pass

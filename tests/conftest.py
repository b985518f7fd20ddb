"""Shared fixtures: one real embedded PostgreSQL for the whole session (its own data dir and port,
never the developer's), one database per test module, Airflow state in a temp dir."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_tmpdir(prefix: str) -> Path:
    """A temp dir for PostgreSQL data. Not under pytest's basetemp: under root the server runs as
    another user, and pytest resets its /tmp/pytest-of-root to 0700 whenever another session starts."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def pytest_configure(config):
    """With pytest-xdist (`make test`), parse the dbt project once here, in the controller, before the
    workers start: each worker's `dbt_manifest` then finds it fresh, and no two of them write the
    checkout's dbt_project/target at once."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from kpi import dbt_render

        dbt_render.ensure_manifest()


@pytest.fixture(scope="session", autouse=True)
def kpi_state():
    """Point every setting at a throwaway state dir before anything reads it."""
    state = server_tmpdir("kpi-test-state-")
    saved = dict(os.environ)
    keep = os.environ.get("KPI_KEEP_TEST_STATE")
    for var in ("WAREHOUSE_URL", "KPI_DOCUMENTS_URL", "KPI_HR_API_URL", "AIRFLOW_HOME",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        os.environ.pop(var, None)
    os.environ.update({
        "KPI_STATE_DIR": str(state),
        "KPI_WAREHOUSE_PORT": str(_free_port()),
        "KPI_LANDING_DIR": str(state / "landing"),
        "KPI_REPORTS_DIR": str(state / "reports"),
        "KPI_PII_KEY": "test-pii-key",
        "KPI_WAREHOUSE_DB": "kpi",
        # a first run fills the history from here, not from 2022: the demo's four years of dates
        # in every module that starts from an empty warehouse would triple the suite's time.
        # test_history_range covers older dates with explicit ranges.
        "KPI_HISTORY_FROM": "2025-01-01",
    })
    from kpi import airflow_env

    # Airflow reads its settings at import: give this process the same env the CLI gives Airflow.
    os.environ.update({k: v for k, v in airflow_env.env().items() if k.startswith("AIRFLOW")})
    yield state
    os.environ.clear()
    os.environ.update(saved)
    if not keep:  # set it to look at a failed run's logs
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_server(kpi_state):
    from kpi import warehouse

    warehouse.start_embedded()
    yield
    warehouse.stop_embedded()


@pytest.fixture(scope="module")
def warehouse_db(request, embedded_server):
    """A fresh database for this test module, bootstrapped like `kpi up` does."""
    from kpi import warehouse

    name = "t_" + re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])
    with warehouse.connect(autocommit=True, dbname="postgres") as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
    previous = os.environ.get("KPI_WAREHOUSE_DB")
    os.environ["KPI_WAREHOUSE_DB"] = name
    warehouse.up()
    yield name
    os.environ["KPI_WAREHOUSE_DB"] = previous or "kpi"


@pytest.fixture(scope="module")
def monkeypatch_module():
    """Environment changes that last for one test module (its warehouse, landing directory)."""
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="session")
def dbt_manifest(kpi_state):
    from kpi import dbt_render

    return dbt_render.ensure_manifest()


def run_kpi(*args: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """The `kpi` command as a user runs it, in a subprocess with this session's settings."""
    return subprocess.run([str(Path(sys.executable).with_name("kpi")), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def small_demo_landing(tmp_path_factory, monkeypatch_module) -> Path:
    """A module's own landing and reports folders with the demo data at scale 0.05 through 2025-03-10,
    written by `kpi demo-data` as a user would."""
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr[-3000:]
    return landing


def load_demo_year_2025() -> None:
    """The demo data at scale 0.05 through 2025-12-31 (four closed years), written and loaded into raw
    as a user would: the input of the modules that build a range of as-of dates with dbt directly."""
    res = run_kpi("demo-data", "--until", "2025-12-31", "--scale", "0.05", "--force")
    assert res.returncode == 0, res.stderr[-2000:]
    res = run_kpi("load")
    assert res.returncode == 0, res.stderr[-2000:]


# --- object storage: a real S3 API (moto's server) on a loopback port --------------------------
BUCKET = "kpi-test"
CONN_ID = "kpi_s3"
DUMMY_KEYS = {"login": "moto-access-key", "password": "moto-secret-key"}  # moto takes any


def _forget_s3_stores() -> None:
    """Airflow keeps one store per protocol and connection id for a process's life
    (airflow.sdk.io.store), and so does shared_storage (the store with its deadline): a host meets one
    storage in its life, this test process a new moto server per module, under the same conn id."""
    from airflow.sdk.io import store

    from kpi import shared_storage

    shared_storage._attach_s3.cache_clear()
    for alias in [a for a in store._STORE_CACHE if a.split("-", 1)[0] in shared_storage.S3_SCHEMES]:
        del store._STORE_CACHE[alias]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto_server on a free loopback port, with an empty bucket; killed at the end of the module."""
    _forget_s3_stores()
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.kill()
        server.wait(timeout=30)
        _forget_s3_stores()


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=DUMMY_KEYS["login"], aws_secret_access_key=DUMMY_KEYS["password"],
                        config=Config(connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 2}))


def aws_connection(endpoint: str) -> str:
    """An `aws` Airflow connection in its JSON form, as AIRFLOW_CONN_<ID> or a secrets backend holds it."""
    return json.dumps({"conn_type": "aws", **DUMMY_KEYS,
                       "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"}})


@pytest.fixture
def on_s3(s3_endpoint, monkeypatch):
    """This host's landing and reports are in the bucket, its credentials the connection kpi_s3."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", aws_connection(s3_endpoint))
    monkeypatch.setenv("KPI_STORAGE_CONN_ID", CONN_ID)
    monkeypatch.setenv("KPI_LANDING_URL", f"s3://{BUCKET}/landing")
    monkeypatch.setenv("KPI_REPORTS_URL", f"s3://{BUCKET}/reports")
    return s3_client(s3_endpoint)

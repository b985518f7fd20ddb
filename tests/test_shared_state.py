"""Hosts that share no disk (README: State every host shares): every piece of state a DAG task needs
lives in a shared service or a configured place every host reaches. A host without it fails the task
with a clear message; it never quietly makes its own (a new embedded warehouse, a new PII key)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import _free_port

from kpi import airflow_secrets, config, pipeline, shared_storage, warehouse

pytestmark = pytest.mark.celery  # scale-out: the state a worker on another host must find


@pytest.fixture
def bare_host(tmp_path, monkeypatch):
    """A worker host: its own empty state dir and no warehouse listening on its port."""
    port = _free_port()
    monkeypatch.setenv("KPI_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("KPI_WAREHOUSE_PORT", str(port))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    yield tmp_path, port
    if warehouse.embedded_running(config.embedded_pgdata()):  # the old behaviour started one: stop it
        warehouse.stop_embedded(config.embedded_pgdata())


def test_a_task_on_a_host_without_the_warehouse_fails_and_starts_none(bare_host):
    state, port = bare_host
    with pytest.raises(warehouse.WarehouseError) as err:
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "never starts the embedded warehouse" in message
    assert not (state / ".warehouse").exists()  # no data dir, no generated password


def test_a_task_whose_embedded_warehouse_is_down_names_host_and_port(bare_host):
    state, port = bare_host
    config.embedded_password()  # the main host's state, its server stopped (or another host's port)
    with pytest.raises(warehouse.WarehouseError) as err:
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    assert f"127.0.0.1:{port}" in str(err.value) and "kpi up" in str(err.value)
    assert not (state / ".warehouse" / "pgdata").exists()


def test_a_task_reaches_a_warehouse_url_it_cannot_reach_with_host_and_port_named(bare_host, monkeypatch):
    state, port = bare_host
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://kpi:pw@127.0.0.1:{port}/kpi?connect_timeout=3")
    with pytest.raises(warehouse.WarehouseError, match=f"127.0.0.1:{port}/kpi .*WAREHOUSE_URL"):
        pipeline.prepare_warehouse("manual__shared_state", date(2025, 3, 9))
    assert not (state / ".warehouse").exists()


def test_a_task_on_the_main_host_bootstraps_the_running_warehouse(warehouse_db):
    where = warehouse.ready()
    assert where.endswith(f"/{warehouse_db}")
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from pg_namespace where nspname = 'marts'").fetchone()[0] == 1


# --- the PII key: one for every host, from the environment or Airflow's secrets -------------------
SAMPLE_PETITIONS = Path(__file__).parent / "fixtures" / "samples" / "petitions_20250305.csv"
SAMPLE_HR = SAMPLE_PETITIONS.with_name("hr_monthly.json")


def _load_petitions_as_host(home: Path, database: str, monkeypatch, **env: str) -> dict[str, str]:
    """Load the sample petitions as a worker host with its own home and state (no key file shared)
    into a database of its own; its pseudonyms by case."""
    from kpi.loaders import engine

    landing = home / "landing"
    (landing / "petitions").mkdir(parents=True)
    shutil.copy(SAMPLE_PETITIONS, landing / "petitions")
    for name in ("KPI_PII_KEY", "AIRFLOW_VAR_KPI_PII_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                        "KPI_LANDING_DIR": str(landing), "KPI_HOST_ROLE": "worker",
                        "KPI_WAREHOUSE_DB": database, **env}.items():
        monkeypatch.setenv(name, value)
    warehouse.ensure_database(database)
    warehouse.ready()
    result = engine.load("petitions")
    assert result.rows_loaded > 0 and not result.failures, result.as_dict()
    with warehouse.connect() as conn:
        rows = conn.execute("select case_id, petitioner_pseudonym from raw.petitions__case_versions").fetchall()
    assert not (home / ".config" / "kpi").exists()  # no key of its own
    return dict(rows)


def test_two_hosts_with_the_shared_key_make_the_same_pseudonyms(embedded_server, tmp_path, monkeypatch):
    """Host a has the key in KPI_PII_KEY, host b as the Airflow Variable kpi_pii_key (here from the
    environment, as a secrets backend would serve it): the same person, the same pseudonym."""
    with monkeypatch.context() as mp:
        a = _load_petitions_as_host(tmp_path / "a", "t_shared_pii_a", mp, KPI_PII_KEY="shared-key-0123456789")
    with monkeypatch.context() as mp:
        b = _load_petitions_as_host(tmp_path / "b", "t_shared_pii_b", mp,
                                    AIRFLOW_VAR_KPI_PII_KEY="shared-key-0123456789")
    with monkeypatch.context() as mp:
        other = _load_petitions_as_host(tmp_path / "c", "t_shared_pii_c", mp, KPI_PII_KEY="another-key-0123456789")
    assert a == b and any(a.values())
    assert all(a[case] != other[case] for case in a if a[case])


def test_a_worker_without_the_shared_key_refuses_and_makes_none(embedded_server, tmp_path, monkeypatch):
    with pytest.raises(config.PiiKeyMissing, match="KPI_PII_KEY or the Airflow Variable kpi_pii_key"):
        _load_petitions_as_host(tmp_path / "w", "t_shared_pii_w", monkeypatch)
    assert not (tmp_path / "w" / ".config" / "kpi").exists()
    with warehouse.connect() as conn:  # nothing of the file loaded
        assert conn.execute("select to_regclass('raw.petitions__case_versions') is null "
                            "or not exists (select from raw.petitions__case_versions)").fetchone()[0]


def test_a_celery_task_is_a_worker_and_the_main_host_keeps_its_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("KPI_PII_KEY", raising=False)
    monkeypatch.delenv("KPI_HOST_ROLE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    assert config.host_role() == "main"  # `make airflow` on the main host
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "kpi_nightly")  # a task: Airflow's task runner sets it
    assert config.host_role() == "worker"
    with pytest.raises(config.PiiKeyMissing):
        config.pii_key()
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    assert config.host_role() == "main"
    key = config.pii_key()  # the single-machine convenience: generated once, then the same
    assert key == config.pii_key() == (tmp_path / "kpi" / "pii.key").read_text().strip().encode()
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    with pytest.raises(config.PiiKeyMissing, match="share the key in"):  # a worker ignores a local file
        config.pii_key()


# --- Airflow's fernet_key, secret_key and jwt_secret: one set for every host -----------------------
def _airflow_host(home: Path, monkeypatch, role: str, **env: str) -> None:
    for name in (*airflow_secrets.SHARED, "KPI_AIRFLOW_SECRETS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(home / ".airflow"))
    monkeypatch.setenv("KPI_HOST_ROLE", role)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_the_main_host_writes_the_airflow_secrets_once_and_a_worker_reads_the_same(tmp_path, monkeypatch):
    shared = tmp_path / "shared" / "airflow-secrets.json"
    cfg = tmp_path / "main" / ".airflow" / "airflow.cfg"  # an installation from before: its key stays
    cfg.parent.mkdir(parents=True)
    cfg.write_text("[core]\nfernet_key = gqsx0NPWSnmCRSWnOnOdjFV1C9f5ywIPdQ5pL8nbcf0=\n[api]\nsecret_key = \n")
    with monkeypatch.context() as mp:
        _airflow_host(tmp_path / "main", mp, "main", KPI_AIRFLOW_SECRETS_FILE=str(shared))
        main = airflow_secrets.env()
        assert main == airflow_secrets.env()
        assert main["AIRFLOW__CORE__FERNET_KEY"] == "gqsx0NPWSnmCRSWnOnOdjFV1C9f5ywIPdQ5pL8nbcf0="
        assert all(main[var] for var in airflow_secrets.SHARED)
        assert shared.stat().st_mode & 0o777 == 0o600
    with monkeypatch.context() as mp:
        _airflow_host(tmp_path / "worker", mp, "worker", KPI_AIRFLOW_SECRETS_FILE=str(shared))
        from kpi import airflow_env

        worker_env = airflow_env.env()
        assert {var: worker_env[var] for var in airflow_secrets.SHARED} == main
        # Airflow itself takes them (over any airflow.cfg of the worker)
        res = subprocess.run([str(Path(sys.executable).with_name("airflow")), "config", "get-value", "api_auth",
                              "jwt_secret"], env=worker_env, capture_output=True, text=True, timeout=300)
        assert res.stdout.strip() == main["AIRFLOW__API_AUTH__JWT_SECRET"], res.stderr[-2000:]
        assert not (tmp_path / "worker" / ".airflow" / airflow_secrets.FILE_NAME).exists()


def test_a_worker_without_the_airflow_secrets_fails_and_generates_none(tmp_path, monkeypatch):
    _airflow_host(tmp_path / "w", monkeypatch, "worker")
    with pytest.raises(airflow_secrets.SecretsMissing, match="KPI_AIRFLOW_SECRETS_FILE"):
        airflow_secrets.env()
    assert not (tmp_path / "w" / ".airflow" / airflow_secrets.FILE_NAME).exists()
    given = {"AIRFLOW__CORE__FERNET_KEY": "k1", "AIRFLOW__API__SECRET_KEY": "k2", "AIRFLOW__API_AUTH__JWT_SECRET": "k3"}
    for name, value in given.items():  # or all three from the environment (a secrets manager)
        monkeypatch.setenv(name, value)
    assert airflow_secrets.env() == given


# --- landing and reports at a location every host reaches (KPI_LANDING_URL, KPI_REPORTS_URL) -------
def test_a_load_task_reads_its_files_from_the_shared_landing_url(embedded_server, tmp_path, monkeypatch):
    """A worker whose own landing folder is empty loads the petitions delivered to the shared folder
    (file://, through ObjectStoragePath); a second run loads nothing again; no scratch is left."""
    shared = tmp_path / "shared" / "landing"
    (shared / "petitions").mkdir(parents=True)
    shutil.copy(SAMPLE_PETITIONS, shared / "petitions")
    (shared / "petitions" / "petitions_20250306.csv").symlink_to(shared / "petitions" / SAMPLE_PETITIONS.name)
    (tmp_path / "own").mkdir()
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("KPI_LANDING_URL", f"file://{shared}")
    monkeypatch.setenv("KPI_WAREHOUSE_DB", "t_shared_landing")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    warehouse.ensure_database("t_shared_landing")
    warehouse.ready()
    with pytest.raises(pipeline.LoadFailed, match=r"petitions_20250306\.csv is a symbolic link"):
        pipeline.load_source("petitions")  # a link in the shared folder is refused as in a local one
    with warehouse.connect() as conn:
        loaded = conn.execute("select count(*) from raw.petitions__case_versions").fetchone()[0]
    assert loaded > 0
    (shared / "petitions" / "petitions_20250306.csv").unlink()
    assert pipeline.load_source("petitions")["rows_loaded"] == 0  # the same file: nothing again
    assert list((tmp_path / "scratch").iterdir()) == []
    assert list((tmp_path / "own").iterdir()) == []


def test_an_api_in_the_shared_landing_follows_its_absolute_links_into_the_copy(embedded_server, tmp_path,
                                                                                monkeypatch):
    """The HR pages may name their next page absolutely, by its place on the shared folder (as `kpi
    demo-data` writes one link): a worker reads that page from its own copy, not from outside it. The
    crawl keeps its shared name in the ledger and raw, not the scratch folder's, which is new each night:
    the next night finds it unchanged instead of loading its rows a second time."""
    import json

    shared = tmp_path / "shared" / "landing"
    (shared / "hr").mkdir(parents=True)
    items = json.loads(SAMPLE_HR.read_text(encoding="utf-8"))["items"]
    nexts = ["monthly-2.json", (shared / "hr" / "monthly-3.json").as_uri(), None]
    for k, nxt in enumerate(nexts, start=1):
        page = shared / "hr" / ("monthly.json" if k == 1 else f"monthly-{k}.json")
        page.write_text(json.dumps({"items": items[k - 1::3], "next": nxt}), encoding="utf-8")
    (tmp_path / "own").mkdir()
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("KPI_LANDING_URL", shared.as_uri())
    monkeypatch.setenv("KPI_WAREHOUSE_DB", "t_shared_landing_api")
    monkeypatch.delenv("KPI_HR_API_URL", raising=False)
    warehouse.ensure_database("t_shared_landing_api")
    warehouse.ready()
    first = pipeline.load_source("hr")
    assert first["rows_loaded"] == len(items) and not first.get("failures"), first
    assert pipeline.load_source("hr")["rows_loaded"] == 0  # unchanged: skipped, not loaded twice
    with warehouse.connect() as conn:
        objects = conn.execute("select distinct _object from raw.hr__monthly_staffing").fetchall()
        rows = conn.execute("select count(*) from raw.hr__monthly_staffing").fetchone()[0]
    assert objects == [(f"{shared.as_uri()}/hr/monthly.json",)] and rows == len(items)


def test_an_unreachable_landing_url_fails_the_load_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_LANDING_URL", f"file://{tmp_path}/not-mounted")
    with pytest.raises(shared_storage.StorageError, match=f"KPI_LANDING_URL file://{tmp_path}/not-mounted"):
        pipeline.load_source("petitions")


def test_the_report_goes_to_the_shared_reports_url_and_notify_fetches_it(tmp_path):
    report = tmp_path / "written"
    report.mkdir()
    (report / "report.html").write_text("<html>報告</html>", encoding="utf-8")
    location = f"file://{tmp_path}/shared/reports/2025-03-09"
    shared_storage.upload(report, location)
    assert (tmp_path / "shared" / "reports" / "2025-03-09" / "report.html").is_file()
    with shared_storage.fetched_report(location) as local:
        assert (local / "report.html").read_text(encoding="utf-8") == "<html>報告</html>"
    assert not local.exists()


def test_notify_fails_clearly_when_the_report_is_not_there(tmp_path, monkeypatch):
    """Before: the notice went out without its attachment when publish ran on another host."""
    monkeypatch.setenv("KPI_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    with pytest.raises(shared_storage.StorageError, match=f"the report is not in {tmp_path}"):
        pipeline.notify(date(2025, 3, 9), str(tmp_path))
    monkeypatch.setenv("KPI_REPORTS_URL", f"file://{tmp_path}/shared")
    with pytest.raises(shared_storage.StorageError, match=f"the report is not at file://{tmp_path}/shared/2025-03-09"):
        pipeline.notify(date(2025, 3, 9))


def test_task_logs_go_where_every_host_writes_them(tmp_path, monkeypatch):
    """Airflow itself takes the shared folder KPI_LOGS_URL gives as its log folder; object storage
    becomes remote logging through the storage's connection (tests/test_s3_storage.py uploads a log
    to S3 that way)."""
    from kpi import airflow_env

    airflow = str(Path(sys.executable).with_name("airflow"))

    def airflow_setting(option: str) -> str:
        res = subprocess.run([airflow, "config", "get-value", "logging", option], env=airflow_env.env(),
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stdout.strip()

    monkeypatch.setenv("KPI_LOGS_URL", f"file://{tmp_path}/shared/logs")
    assert airflow_setting("base_log_folder") == f"{tmp_path}/shared/logs"
    monkeypatch.setenv("KPI_LOGS_URL", "s3://kpi-bucket/logs/")
    monkeypatch.setenv("KPI_STORAGE_CONN_ID", "kpi_storage")
    env = airflow_env.env()
    assert (env["AIRFLOW__LOGGING__REMOTE_LOGGING"], env["AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER"],
            env["AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID"]) == ("True", "s3://kpi-bucket/logs", "kpi_storage")

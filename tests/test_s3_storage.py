"""Landing, reports and task logs on object storage (README: State every host shares): a real S3 API,
moto's server as a process on a loopback port, reached through Airflow's ObjectStoragePath with the
credentials of an Airflow connection, as a worker on another host reaches S3 or MinIO. The same steps
as tests/test_shared_state.py's file:// ones, and the deadline of every request (KPI_STORAGE_TIMEOUT)."""
from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import BUCKET, DUMMY_KEYS, aws_connection, run_kpi

from kpi import pipeline, shared_storage, warehouse

pytestmark = pytest.mark.celery  # scale-out: the state a worker on another host must find

SAMPLE_PETITIONS = Path(__file__).parent / "fixtures" / "samples" / "petitions_20250305.csv"


def test_a_load_task_stages_its_files_from_the_s3_landing(warehouse_db, on_s3, tmp_path, monkeypatch):
    """A worker whose own landing folder is empty loads the petitions delivered to the bucket; a
    second run loads nothing again; no scratch folder is left behind."""
    on_s3.upload_file(str(SAMPLE_PETITIONS), BUCKET, f"landing/petitions/{SAMPLE_PETITIONS.name}")
    (tmp_path / "own").mkdir()
    (tmp_path / "scratch").mkdir()
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    assert pipeline.load_source("petitions")["rows_loaded"] > 0
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from raw.petitions__case_versions").fetchone()[0] > 0
    assert pipeline.load_source("petitions")["rows_loaded"] == 0  # the same file: nothing again
    assert list((tmp_path / "scratch").iterdir()) == []
    assert list((tmp_path / "own").iterdir()) == []


def test_the_report_goes_to_s3_and_comes_back(on_s3, tmp_path):
    written = tmp_path / "written"
    written.mkdir()
    (written / "report.html").write_text("<html>報告</html>", encoding="utf-8")
    location = shared_storage.report_location(date(2025, 3, 9))
    assert location == f"s3://{BUCKET}/reports/2025-03-09"
    shared_storage.upload(written, location)
    body = on_s3.get_object(Bucket=BUCKET, Key="reports/2025-03-09/report.html")["Body"].read()
    assert body.decode("utf-8") == "<html>報告</html>"
    with shared_storage.fetched_report(location) as local:
        assert (local / "report.html").read_text(encoding="utf-8") == "<html>報告</html>"
    assert not local.exists()


def test_notify_fails_naming_the_s3_url_when_the_report_is_missing(warehouse_db, on_s3, monkeypatch):
    """The DAG's notify task and `kpi notify` alike: no notice goes out without its report."""
    monkeypatch.setenv("KPI_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    missing = f"s3://{BUCKET}/reports/2025-03-08"
    with pytest.raises(shared_storage.StorageError, match=f"the report is not at {missing} "):
        pipeline.notify(date(2025, 3, 8))
    res = run_kpi("notify", "--as-of", "2025-03-08", timeout=300)
    assert res.returncode == 2 and f"the report is not at {missing} " in res.stderr, res.stderr[-2000:]
    assert DUMMY_KEYS["password"] not in res.stdout + res.stderr


@pytest.fixture
def silent_endpoint():
    """A port that accepts connections and never answers: a storage that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_storage_that_does_not_answer_fails_within_the_deadline(on_s3, silent_endpoint, monkeypatch):
    """Every request has KPI_STORAGE_TIMEOUT to connect and to answer, tried twice: a hung storage
    fails the task in seconds, naming the URL, instead of botocore's 60 s a read, five times over."""
    monkeypatch.setenv("AIRFLOW_CONN_KPI_S3_SILENT", aws_connection(silent_endpoint))
    monkeypatch.setenv("KPI_STORAGE_CONN_ID", "kpi_s3_silent")
    monkeypatch.setenv("KPI_STORAGE_TIMEOUT", "2")
    started = time.monotonic()
    with pytest.raises(shared_storage.StorageError,
                       match=f"KPI_LANDING_URL s3://{BUCKET}/landing cannot be read from this host: "
                             "Read timeout on endpoint URL"):
        pipeline.load_source("petitions")
    took = {"load": time.monotonic() - started}
    started = time.monotonic()
    with pytest.raises(shared_storage.StorageError,
                       match=f"the report at s3://{BUCKET}/reports/2025-03-09 cannot be read from this host: "
                             "Read timeout on endpoint URL"):
        with shared_storage.fetched_report(shared_storage.report_location(date(2025, 3, 9))):
            pass
    took["notify"] = time.monotonic() - started
    print(f"a storage not answering failed after {took} s (KPI_STORAGE_TIMEOUT=2)")
    assert max(took.values()) < 15, took


def test_a_task_log_goes_to_the_bucket_by_airflow_remote_logging(on_s3, tmp_path, monkeypatch):
    """KPI_LOGS_URL=s3://… makes Airflow's remote logging upload a task's log to the bucket through
    the storage's connection: here Airflow's own handler, loaded as the task supervisor loads it at a
    task's end, uploads one log file (a whole scheduler and worker would take minutes)."""
    from kpi import airflow_env

    monkeypatch.setenv("KPI_LOGS_URL", f"s3://{BUCKET}/logs")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    relative = "dag_id=kpi_nightly/run_id=manual__s3/task_id=publish/attempt=1.log"
    code = f"""
from pathlib import Path
from airflow.sdk.log import load_remote_log_handler
from airflow.configuration import conf
handler = load_remote_log_handler()
log = Path(conf.get("logging", "base_log_folder")) / {relative!r}
log.parent.mkdir(parents=True)
log.write_text("published to s3\\n")
handler.upload({relative!r})
print(type(handler).__name__)
"""
    res = subprocess.run([sys.executable, "-c", code], env=airflow_env.env(), capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0 and res.stdout.strip().endswith("S3RemoteLogIO"), res.stderr[-3000:]
    body = on_s3.get_object(Bucket=BUCKET, Key=f"logs/{relative}")["Body"].read()
    assert body == b"published to s3\n"
    assert DUMMY_KEYS["password"] not in res.stdout + res.stderr

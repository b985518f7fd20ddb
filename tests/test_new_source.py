"""`kpi new-source` scaffolds a source that loads and models end to end, in a copy of the project."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT, run_kpi

from kpi import warehouse


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    copy = tmp_path / "project"
    for part in ("dags", "dbt_project"):
        shutil.copytree(PROJECT / part, copy / part, ignore=shutil.ignore_patterns("target", "logs"))
    (copy / "include/kpi/loaders").mkdir(parents=True)
    shutil.copy(PROJECT / "include/kpi/loaders/sources.yml", copy / "include/kpi/loaders/sources.yml")
    monkeypatch.setenv("KPI_PROJECT_DIR", str(copy))
    landing = tmp_path / "landing"
    (landing / "parking").mkdir(parents=True)
    monkeypatch.setenv("KPI_LANDING_DIR", str(landing))
    return copy, landing


def test_new_file_source_loads_and_builds(warehouse_db, project_copy):
    copy, landing = project_copy
    res = run_kpi("new-source", "parking", "--kind", "file")
    assert res.returncode == 0, res.stderr
    assert "include/kpi/loaders/sources.yml" in res.stdout
    model = copy / "dbt_project/models/staging/parking/stg_parking__parking.sql"
    assert model.exists() and (copy / "dbt_project/models/staging/parking/_parking.yml").exists()

    # the scaffold's columns as a city export would deliver them, with one bad row
    (landing / "parking" / "parking_20250301.csv").write_text(
        "編號,日期,數量\r\nP001,114/03/01,12\r\nP002,１１４／０３／０２,3\r\nP003,114/02/30,1\r\n",
        encoding="utf-8-sig")
    from kpi.loaders import engine

    result = engine.load("parking")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)

    from kpi import dbt_render

    dbt_render.dbt("build", "--select", "stg_parking__parking", target_path=copy / "target")
    with warehouse.connect() as conn:
        rows = conn.execute("select record_id, record_date::text, quantity from staging.stg_parking__parking "
                            "order by 1").fetchall()
    assert rows == [("P001", "2025-03-01", 12), ("P002", "2025-03-02", 3)]

    # the DAG grows a load task for it without being edited
    code = ("from airflow.dag_processing.dagbag import DagBag; b = DagBag(dag_folder='dags'); "
            "assert not b.import_errors, b.import_errors; print(sorted(b.dags['kpi_nightly'].task_ids))")
    subprocess.run([str(Path(sys.executable).with_name("kpi")), "parse"], check=True, env=os.environ)
    res = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, env=os.environ)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "load_parking" in res.stdout


def test_new_source_refuses_bad_names_and_duplicates(project_copy):
    assert "lower_snake_case" in run_kpi("new-source", "Parking", "--kind", "file").stderr
    assert "already declared" in run_kpi("new-source", "petitions", "--kind", "file").stderr

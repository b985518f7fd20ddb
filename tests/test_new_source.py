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


def test_new_indicator_writes_every_place_and_the_project_parses(project_copy, tmp_path):
    """`kpi new-indicator` after `kpi new-source`: the seeds, the declaration the shared models loop
    over, the models with a complete unit test, the docs, demo and test stubs; dbt parses the result."""
    import yaml

    from kpi import dbt_render, declarations

    copy, _ = project_copy
    for part in ("docs",):
        shutil.copytree(PROJECT / part, copy / part)
    assert run_kpi("new-source", "parking", "--kind", "file").returncode == 0
    before = {c: r["source_name"] for c, r in declarations.source_systems().items()}
    res = run_kpi("new-indicator", "K3.9", "--source", "parking", "--source-code", "S9", "--source-name-zh", "停車場",
                  "--rhythm", "day", "--name-zh", "停車場周轉", "--measure", "cumulative", "--target", "120",
                  "--per-department", "--value", "quantity")
    assert res.returncode == 0, res.stderr
    assert "left for you to fill in:" in res.stdout and "sources.yml" in res.stdout.split("left for you")[1]
    assert {c: r["source_name"] for c, r in declarations.source_systems().items()} == {**before, "S9": "parking"}
    row = declarations.catalog()["K3.9"]
    assert (row["source_code"], row["measure_type"], row["progress_rule"], row["per_department"]) == \
        ("S9", "cumulative", "linear", "true")
    assert row["strategic_goal_zh"] == declarations.catalog()["K3.1"]["strategic_goal_zh"]
    assert {t["target_value"] for t in declarations.targets() if t["kpi_code"] == "K3.9"} == {"120"}
    assert declarations.kpi_sources()["S9"] == {"known": "int_parking__known", "data_date": "record_date",
                                                "actuals": "int_kpi_actuals__parking"}
    unit_test = yaml.safe_load((copy / "dbt_project/models/intermediate/parking/_parking.yml").read_text())
    expected = unit_test["unit_tests"][0]["expect"]["rows"]
    assert [(r["org_unit_code"], r["actual_value"]) for r in expected] == [("KL0100", 3), ("KL0300", 4), ("ALL", 7)]
    assert "### K3.9 停車場周轉（S9）" in (copy / "docs/indicators.md").read_text(encoding="utf-8")
    assert (copy / "include/kpi/demo/sources/parking.py").exists() and (copy / "tests/test_parking.py").exists()
    dbt_render.dbt("parse", target_path=tmp_path / "target")
    manifest = (tmp_path / "target" / "manifest.json").read_text()
    assert "model.kpi.int_kpi_actuals__parking" in manifest and "unit_test.kpi.int_kpi_actuals__parking" in manifest

    again = run_kpi("new-indicator", "K3.9", "--source", "parking", "--name-zh", "x", "--target", "1")
    assert "already in dbt_project/seeds/kpi_catalog.csv" in again.stderr
    second = run_kpi("new-indicator", "K3.8", "--source", "parking", "--name-zh", "x", "--target", "1",
                     "--measure", "cumulative", "--value", "quantity")
    assert "int_kpi_actuals__parking.sql already: add K3.8 there by hand" in second.stderr
    unknown = run_kpi("new-indicator", "K3.7", "--source", "bicycles", "--name-zh", "x", "--target", "1")
    assert "run `kpi new-source bicycles --kind file` first" in unknown.stderr

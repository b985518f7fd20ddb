"""The night's dbt step (kpi.dbt_build), with real dbt on the real warehouse, in a small project of its
own: a failing model fails the step with a message naming that model and dbt's error; the retry
re-runs only what did not succeed (checked in the retry's run_results), with the same vars."""
from __future__ import annotations

import json
import logging
import os
import shutil

import pytest
from conftest import PROJECT, run_kpi

from kpi import connections, dbt_build, warehouse

PROBE = {
    "dbt_project.yml": "name: probe\nversion: '1.0'\nconfig-version: 2\nprofile: kpi\n"
                       "models:\n  probe:\n    +materialized: table\n",
    "seeds/probe_seed.csv": "n\n1\n2\n",
    "models/probe_ok.sql": "select n, '{{ var('as_of_date') }}'::date as as_of_date from {{ ref('probe_seed') }}",
    # fails (division by zero) until the test puts a row into public.probe_switch
    "models/probe_broken.sql":
        "select n / (select count(*)::int from public.probe_switch) as n from {{ ref('probe_ok') }}",
    "models/probe_after.sql": "select n from {{ ref('probe_broken') }}",
    "models/_probe.yml": "version: 2\nmodels:\n"
                         "  - name: probe_ok\n    columns:\n      - name: n\n        data_tests: [not_null]\n"
                         "  - name: probe_broken\n    columns:\n      - name: n\n        data_tests: [not_null]\n",
}


@pytest.fixture
def probe_project(warehouse_db, tmp_path, monkeypatch):
    root = tmp_path / "project"
    for name, text in PROBE.items():
        (root / "dbt_project" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "dbt_project" / name).write_text(text)
    shutil.copy(PROJECT / "dbt_project/profiles.yml", root / "dbt_project/profiles.yml")
    monkeypatch.setenv("KPI_PROJECT_DIR", str(root))
    with warehouse.connect() as conn:
        conn.execute("drop table if exists public.probe_switch")
        conn.execute("create table public.probe_switch (on_ boolean)")
        conn.commit()
    return root


def _results(path):
    run = json.loads((path / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in run["results"]}, run["args"]


def test_a_failed_model_names_itself_and_the_retry_redoes_only_what_did_not_succeed(probe_project, caplog):
    env = connections.dbt_env(connections.warehouse_params())
    run_id = "manual__2025-03-06T02:00:00+08:00"
    dbt_vars = {"as_of_date": "2025-03-05"}
    with caplog.at_level(logging.INFO, logger="kpi.dbt_build"), pytest.raises(dbt_build.DbtBuildFailed) as failed:
        dbt_build.build(run_id, dbt_vars, 1, env)
    message = str(failed.value)
    assert "model.probe.probe_broken (error, models/probe_broken.sql)" in message, message
    assert "division by zero" in message, message
    assert "probe_ok" not in message
    # a line per node as it finishes, the failed one with its status
    logged = [r.getMessage() for r in caplog.records]
    assert "dbt node model probe_ok: success" in "\n".join(logged)
    assert any(line.startswith("dbt node model probe_broken: error") for line in logged), logged
    first, _ = _results(dbt_build.run_dir(run_id) / "try-1")
    assert {k.split(".")[2]: v for k, v in first.items()} == {
        "probe_seed": "success", "probe_ok": "success", "not_null_probe_ok_n": "pass",
        "probe_broken": "error", "not_null_probe_broken_n": "skipped", "probe_after": "skipped"}, first

    with warehouse.connect() as conn:  # the cause is fixed; the task is retried
        conn.execute("insert into public.probe_switch values (true)")
        conn.commit()
    rows = dbt_build.build(run_id, dbt_vars, 2, env)

    retried, args = _results(dbt_build.run_dir(run_id) / "try-2")
    # only what errored or was skipped; the seed, probe_ok and its test are not redone
    assert sorted(k.split(".")[2] for k in retried) == ["not_null_probe_broken_n", "probe_after", "probe_broken"]
    assert set(retried.values()) <= {"success", "pass"}
    assert {r["node"] for r in rows} == set(retried)
    assert args["vars"] == dbt_vars  # the retry computes the same as-of dates
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from staging.probe_after").fetchone() == (2,)


def test_a_failed_unit_test_shows_its_file_and_the_expected_and_actual_rows(probe_project, caplog):
    """What `kpi run` prints under a failed node (the lines dbt_build logs with FAILURE_LINE): the test,
    the YAML it is declared in, and dbt's diff of the rows, not only the task's name."""
    models = probe_project / "dbt_project" / "models"
    (models / "probe_unit.sql").write_text("select n * 2 as doubled from {{ ref('probe_seed') }}")
    (models / "_probe_unit.yml").write_text(
        "unit_tests:\n  - name: doubles_each_n\n    model: probe_unit\n"
        "    given:\n      - input: ref('probe_seed')\n        rows: [{n: 1}, {n: 2}]\n"
        "    expect:\n      rows: [{doubled: 2}, {doubled: 5}]\n")
    env = connections.dbt_env(connections.warehouse_params())
    with caplog.at_level(logging.INFO, logger="kpi.dbt_build"), pytest.raises(dbt_build.DbtBuildFailed) as failed:
        dbt_build.build("manual__unit", {"as_of_date": "2025-03-05"}, 1, env)
    shown = "\n".join(r.getMessage().split(dbt_build.FAILURE_LINE, 1)[1] for r in caplog.records
                      if dbt_build.FAILURE_LINE in r.getMessage())
    assert "unit_test.probe.probe_unit.doubles_each_n (fail, models/_probe_unit.yml)" in shown, shown
    # dbt's diff, without its colours: the actual row that was not expected (4), the expected one missing (5)
    assert "actual differs from expected" in shown and "\x1b" not in shown, shown
    assert "+++,4" in shown and "---,5" in shown, shown
    assert "model.probe.probe_broken (error, models/probe_broken.sql)" in shown, shown
    assert "unit_test.probe.probe_unit.doubles_each_n" in str(failed.value)


def test_target_dirs_of_old_runs_are_deleted():
    import os
    import time

    old, recent = dbt_build.run_dir("scheduled__old"), dbt_build.run_dir("scheduled__recent")
    for path in (old, recent):
        (path / "try-1").mkdir(parents=True, exist_ok=True)
    stale = time.time() - (dbt_build.KEEP_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    dbt_build.prune()
    assert not old.exists() and (recent / "try-1").is_dir()



def test_kpi_dbt_runs_any_command_on_this_checkouts_warehouse_with_the_as_of_var(warehouse_db):
    """`kpi dbt` is a bare dbt with the night's settings: the test warehouse listens on a free port, not
    the profile's default 54329, and dbt gets the as-of date given as its var. It writes its own target
    dir, never the manifest the DAG is rendered from."""
    from kpi import config, dbt_render

    dag_manifest = dbt_render.ensure_manifest()
    before = dag_manifest.stat().st_mtime_ns
    res = run_kpi("dbt", "--as-of", "2025-03-01", "show", "--inline",
                  "select {{ as_of_to() }} as as_of, current_database() as db, inet_server_port() as port")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert dag_manifest.stat().st_mtime_ns == before
    assert (config.dbt_attached_target() / "manifest.json").is_file()
    row = next(line for line in res.stdout.splitlines() if "2025-03-01" in line)
    assert warehouse_db in row and os.environ["KPI_WAREHOUSE_PORT"] in row, res.stdout[-2000:]
    # dbt's own exit code and output: a failing command fails and says why
    res = run_kpi("dbt", "show", "--inline", "select 1 / 0 as n")
    assert res.returncode != 0 and "division by zero" in res.stdout, res.stdout[-3000:]
    assert run_kpi("dbt").returncode == 2

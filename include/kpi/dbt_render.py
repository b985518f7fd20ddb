"""How the dbt project becomes Airflow tasks (astronomer-cosmos), and the manifest it is read from.

Cosmos reads the project from dbt's manifest.json (LoadMode.DBT_MANIFEST), so parsing the DAG file
costs a JSON read, not a dbt invocation; `ensure_manifest()` rebuilds it when a project file is newer.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from kpi import config

MANIFEST = "target/manifest.json"


def task_retries() -> int:
    """Retries per task; `kpi run` sets KPI_TASK_RETRIES=0 so a broken night fails at once."""
    return int(os.environ.get("KPI_TASK_RETRIES", "2"))


def dbt_executable() -> Path:
    return Path(sys.executable).with_name("dbt")


def manifest_path() -> Path:
    return config.dbt_project_dir() / MANIFEST


def manifest_is_stale() -> bool:
    manifest = manifest_path()
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    project = config.dbt_project_dir()
    for folder in ("models", "seeds", "macros", "tests"):
        for path in (project / folder).rglob("*"):
            if path.is_file() and path.stat().st_mtime > built:
                return True
    return any((project / f).stat().st_mtime > built for f in ("dbt_project.yml", "profiles.yml"))


def as_of_vars(as_of_from: date, as_of_to: date | None = None) -> dict[str, str]:
    """dbt's vars for the as-of dates [as_of_from, as_of_to]: as_of_date, one date or an ISO 8601
    interval 'D1/D2' (macros/as_of.sql)."""
    if as_of_to is None or as_of_to == as_of_from:
        return {"as_of_date": as_of_from.isoformat()}
    if as_of_to < as_of_from:
        raise ValueError(f"as-of range ends ({as_of_to}) before it starts ({as_of_from})")
    return {"as_of_date": f"{as_of_from.isoformat()}/{as_of_to.isoformat()}"}


def dbt(*args: str, as_of: date | None = None, as_of_to: date | None = None, target_path: Path | None = None,
        check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the dbt CLI on the project against the configured warehouse (manifest builds, the docs of
    the report, tests, benchmarks), for the as-of date `as_of` or the range [as_of, as_of_to].
    `env`: dbt's connection environment when not the configured warehouse's, e.g.
    kpi.connections.airflow_dbt_env() inside an Airflow task."""
    from kpi import connections, redact

    project = config.dbt_project_dir()
    cmd = [str(dbt_executable()), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    if as_of is not None:
        cmd += ["--vars", json.dumps(as_of_vars(as_of, as_of_to))]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    if env is None:
        env = connections.dbt_env(connections.warehouse_params())
    res = subprocess.run(cmd, env={**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
                         capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError(redact.mask(
            f"dbt {' '.join(args)} failed:\n{res.stdout[-5000:]}\n{res.stderr[-2000:]}", env.get("KPI_PG_PASSWORD")))
    return res


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project. No database needed."""
    if manifest_is_stale():
        dbt("parse", "--quiet")
    return manifest_path()


def task_group(range_task_id: str):
    """The dbt project as a Cosmos task group: one task per seed and model, each running
    `dbt build` of its node (model + its tests), so a failure names the model and retries alone.
    The as-of dates come from the XCom of task `range_task_id` (its dbt vars, as_of_vars)."""
    from cosmos import DbtTaskGroup, ExecutionConfig, LoadMode, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, TestBehavior

    from kpi import cosmos_profile

    project = config.dbt_project_dir()
    manifest = manifest_path()
    if not manifest.exists():
        raise FileNotFoundError(
            f"dbt manifest not found at {manifest}: run `kpi parse` (or `make run`) to build it")
    return DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(dbt_project_path=project, manifest_path=manifest, project_name="kpi"),
        # credentials from the Airflow connection kpi_warehouse when a task runs, never operator args:
        # those are serialized with the DAG (and rendered into the metadata database)
        profile_config=cosmos_profile.profile_config(),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.LOCAL,
                                         invocation_mode=InvocationMode.DBT_RUNNER,
                                         dbt_executable_path=str(dbt_executable())),
        # Tests that join two nodes (relationships) get their own task after both parents;
        # inside a parent's build they would run before the other parent exists.
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD,
                                   emit_datasets=False, should_detach_multiple_parents_tests=True),
        operator_args={
            "vars": {"as_of_date": f"{{{{ ti.xcom_pull(task_ids='{range_task_id}')['vars']['as_of_date'] }}}}"},
            "install_deps": False,
        },
    )

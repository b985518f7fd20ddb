"""The dbt CLI on the project (`dbt()`), and its manifest: `kpi run` counts the nodes of its progress
from it and the report's docs are built from it; `ensure_manifest()` rebuilds it when a project file
is newer. The night's own dbt step is kpi.dbt_build.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from kpi import config, errors

MANIFEST = "target/manifest.json"


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
        raise errors.InputError(f"as-of range ends ({as_of_to}) before it starts ({as_of_from})")
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
    res = subprocess.run(cmd, env=config.child_env({**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}),
                         capture_output=True, text=True)
    if check and res.returncode != 0:
        raise errors.StepFailed(redact.mask(
            f"dbt {' '.join(args)} failed:\n{res.stdout[-5000:]}\n{res.stderr[-2000:]}", env.get("KPI_PG_PASSWORD")))
    return res


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project. No database needed."""
    if manifest_is_stale():
        dbt("parse", "--quiet")
    return manifest_path()



def run_attached(args: list[str], as_of: date | None) -> int:
    """Any dbt command by hand (`kpi dbt ...`), with what the night gives dbt: this project and its
    profile, the configured warehouse's host, port and credentials, and the as-of date as the var.
    Output goes straight to the terminal. A bare `dbt` in dbt_project/ would read the profile's
    defaults instead (port 54329), which on a machine with two checkouts is the other one's warehouse."""
    from kpi import connections

    project = config.dbt_project_dir()
    cmd = [str(dbt_executable()), *args]
    given = set(args)
    if not given & {"--project-dir"}:
        cmd += ["--project-dir", str(project)]
    if not given & {"--profiles-dir"}:
        cmd += ["--profiles-dir", str(project)]
    # commands that take no vars (deps, clean, debug's flags are fine) still accept --vars
    if as_of is not None and "--vars" not in given and args and args[0] not in ("clean", "deps", "init"):
        cmd += ["--vars", json.dumps(as_of_vars(as_of))]
    # its own target dir (dbt reads DBT_TARGET_PATH where a command has one; --target-path wins): the
    # manifest the DAG is rendered from is not rewritten under a running scheduler, with other vars
    env = config.child_env({**connections.dbt_env(connections.warehouse_params()),
                            "DBT_TARGET_PATH": str(config.dbt_attached_target()),
                            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return subprocess.run(cmd, env=env).returncode

"""dbt's documentation site as one file next to the report: `dbt docs generate --static` writes
static_index.html with the manifest and catalog built in, so it opens from disk like the report.

The site describes the project (models, columns, tests, lineage) and the relations it built, not the
night's data, so it is generated once per version of the project and copied on the nights after:
`dbt docs generate` costs a full dbt parse, a compile and the catalog queries (48 s on a busy
2-core machine, a third of that night's `dbt build`), the copy nothing. The cache is keyed by `fingerprint()`.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path

from kpi import errors

log = logging.getLogger(__name__)

FILE_NAME = "dbt-docs.html"
# what `dbt docs generate` reads from the project (besides dbt_project.yml and profiles.yml)
PROJECT_FOLDERS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")


def fingerprint() -> str:
    """A hash of what the docs site is made of: every file dbt reads from the project, dbt's
    version and the warehouse it documents (host, port, database: the catalog's relations)."""
    from kpi import config, connections

    project = config.dbt_project_dir()
    files = sorted(p for folder in PROJECT_FOLDERS if (project / folder).is_dir()
                   for p in (project / folder).rglob("*") if p.is_file())
    files += [project / name for name in ("dbt_project.yml", "profiles.yml") if (project / name).is_file()]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    where = connections.warehouse_params()
    for part in (metadata.version("dbt-core"), metadata.version("dbt-postgres"),
                 where.get("host"), where.get("port"), where.get("dbname")):
        digest.update(f"{part}\0".encode())
    return digest.hexdigest()[:32]


def cache_dir() -> Path:
    from kpi import airflow_env

    return airflow_env.airflow_home() / "dbt-docs"


def _generate(dest: Path, as_of: date | None) -> None:
    """Run `dbt docs generate --static` (in a scratch target path, so the manifest the DAG is rendered
    from is left alone) and move its single-file site to `dest`."""
    from kpi import dbt_render

    with tempfile.TemporaryDirectory(prefix="kpi-dbt-docs-") as target:
        dbt_render.dbt("docs", "generate", "--static", as_of=as_of, target_path=Path(target))
        static = Path(target) / "static_index.html"
        if not static.exists():
            raise errors.StepFailed(f"dbt docs generate --static wrote no {static.name}")
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}")
        shutil.copyfile(static, tmp)
        os.replace(tmp, dest)  # whole or absent: a killed run leaves no half site in the cache


def publish(out_dir: Path, as_of: date | None = None) -> Path:
    """Copy the docs site of the project as it is now to `out_dir`/dbt-docs.html, generating it first
    when the project (or dbt, or the warehouse) changed since it was last generated."""
    cached = cache_dir() / f"{fingerprint()}.html"
    if cached.is_file():
        log.info("dbt docs unchanged since %s (project fingerprint %s): copied",
                 date.fromtimestamp(cached.stat().st_mtime), cached.stem)
    else:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _generate(cached, as_of)
        for old in cached.parent.glob("*.html"):  # the sites of earlier versions of the project
            if old != cached:
                old.unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / FILE_NAME
    shutil.copyfile(cached, dest)
    log.info("dbt docs published to %s (%d bytes)", dest, dest.stat().st_size)
    return dest

"""dbt's documentation site as one file next to the report: `dbt docs generate --static` writes
static_index.html with the manifest and catalog built in, so it opens from disk like the report."""
from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import date
from pathlib import Path

from kpi import errors

log = logging.getLogger(__name__)

FILE_NAME = "dbt-docs.html"


def publish(out_dir: Path, as_of: date | None = None) -> Path:
    """Generate the docs against the warehouse (in a scratch target path, so the manifest the DAG is
    rendered from is left alone) and copy the single-file site to `out_dir`/dbt-docs.html."""
    from kpi import dbt_render

    with tempfile.TemporaryDirectory(prefix="kpi-dbt-docs-") as target:
        dbt_render.dbt("docs", "generate", "--static", as_of=as_of, target_path=Path(target))
        static = Path(target) / "static_index.html"
        if not static.exists():
            raise errors.StepFailed(f"dbt docs generate --static wrote no {static.name}")
        out_dir.mkdir(parents=True, exist_ok=True)
        dest = out_dir / FILE_NAME
        shutil.copyfile(static, dest)
    log.info("dbt docs published to %s (%d bytes)", dest, dest.stat().st_size)
    return dest

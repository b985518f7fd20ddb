"""Extract-and-load of the source systems into the warehouse's `raw` schema.

The sources are declared in sources.yml (the one place a data engineer adds one); the engine loads
any of them by name, and the DAG makes one load task per declared source.
"""
from __future__ import annotations


def source_names() -> list[str]:
    from kpi.loaders.spec import load_sources

    return list(load_sources())

"""The lists every part of the project follows, read from where they are declared, so that nothing
else keeps its own copy: the source systems (seed `source_systems`), the indicators (seed
`kpi_catalog`), their targets (seed `kpi_targets`), what each source gives the shared models (the var
`kpi_sources` of dbt_project.yml) and the loads (include/kpi/loaders/sources.yml). Tests derive their
expectations from here; `kpi new-indicator` extends the same places."""
from __future__ import annotations

import csv

import yaml

from kpi import config


def seed(name: str) -> list[dict[str, str]]:
    with open(config.dbt_project_dir() / "seeds" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def source_systems() -> dict[str, dict[str, str]]:
    """Source code (S1, …) -> its row of seeds/source_systems.csv."""
    return {r["source_code"]: r for r in seed("source_systems")}


def catalog() -> dict[str, dict[str, str]]:
    """Indicator code (K9.1, …) -> its row of seeds/kpi_catalog.csv."""
    return {r["kpi_code"]: r for r in seed("kpi_catalog")}


def kpi_codes() -> list[str]:
    return list(catalog())


def targets() -> list[dict[str, str]]:
    return seed("kpi_targets")


def kpi_sources() -> dict[str, dict]:
    """Source code -> what it gives the shared dbt models (dbt_project.yml, var `kpi_sources`)."""
    project = yaml.safe_load((config.dbt_project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict((project.get("vars") or {}).get("kpi_sources") or {})


def loads() -> list[str]:
    """The declared loads of include/kpi/loaders/sources.yml, by name."""
    from kpi.loaders.spec import load_sources

    return list(load_sources())

"""dbt context functions that sqlfluff's jinja templater lacks (`env_var`), so the models render
offline for `make lint` the way dbt renders them with no environment set."""


def env_var(name, default=None):
    return default if default is not None else ""


def var(name, default=None):
    """The project vars of dbt_project.yml, as dbt gives them with no --vars: the models that loop
    over the declared sources (macros/kpi_sources.sql) render their real union."""
    from pathlib import Path

    import yaml

    project = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
    value = (yaml.safe_load(project.read_text(encoding="utf-8")).get("vars") or {}).get(name)
    return default if value is None else value

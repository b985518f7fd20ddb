"""Lists come from one place (issue 17): what each source gives the models all sources share is
declared once (dbt_project.yml, var `kpi_sources`), and every declaration points at what exists."""
from __future__ import annotations

from conftest import PROJECT

from kpi import declarations


def _models() -> set[str]:
    return {p.stem for p in (PROJECT / "dbt_project" / "models").rglob("*.sql")}


def test_every_declared_source_is_a_source_system_whose_models_exist():
    systems, declared, models = declarations.source_systems(), declarations.kpi_sources(), _models()
    assert declared, "dbt_project.yml declares no kpi_sources"
    assert set(declared) <= set(systems), f"not in seeds/source_systems.csv: {sorted(set(declared) - set(systems))}"
    for code, source in declared.items():
        assert source["known"] in models and source["data_date"], (code, source)
        assert source.get("actuals") in models | {None}, (code, source)


def test_every_indicators_source_declares_its_actuals_model():
    declared = declarations.kpi_sources()
    for code, row in declarations.catalog().items():
        actuals = declared.get(row["source_code"], {}).get("actuals")
        assert actuals, f"{code}: source {row['source_code']} declares no actuals model in dbt_project.yml"


def test_the_shared_models_name_no_source():
    """int_source_freshness and int_kpi_actuals loop over the declaration: no source is written in them."""
    folder = PROJECT / "dbt_project" / "models" / "intermediate" / "kpi"
    for name in ("int_source_freshness.sql", "int_kpi_actuals.sql"):
        text = (folder / name).read_text(encoding="utf-8")
        for code, source in declarations.kpi_sources().items():
            assert f"'{code}'" not in text and source["known"] not in text, (name, code)
            assert not source.get("actuals") or source["actuals"] not in text, (name, code)

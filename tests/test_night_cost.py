"""What a night costs beyond the bare work (issue 10 item 5), on a real warehouse: the alerts of one
as-of date are read without computing every date's alerts, and dbt's docs site is generated once per
version of the project, not once a night."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import small_demo_landing

from kpi import config, dbt_render, warehouse
from kpi.loaders import engine, source_names
from kpi.report import dbt_docs

pytestmark = pytest.mark.slow  # a range build of the demo's dates and the dbt docs site generated twice
FIRST, AS_OF = date(2025, 2, 20), date(2025, 3, 5)


@pytest.fixture(scope="module")
def built(warehouse_db, tmp_path_factory, monkeypatch_module):
    """Small demo data, loaded; every as-of date of [FIRST, AS_OF] built in one dbt build."""
    small_demo_landing(tmp_path_factory, monkeypatch_module)
    for name in source_names():
        engine.load(name)
    dbt_render.dbt("build", as_of=FIRST, as_of_to=AS_OF, target_path=tmp_path_factory.mktemp("target"))


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_alerts_of_one_date_read_only_that_dates_statuses(built):
    """flag_indicators, the report and the e-mail read marts.kpi_alerts for one date; on a full history
    a view that computes every date's alerts first cost 8-14 s a query (a date: 0.2 s)."""
    query = "select severity, count(*) from marts.kpi_alerts where as_of_date = %s group by severity order by 1"
    with warehouse.connect() as conn:
        dates, per_date = conn.execute(
            "select count(distinct as_of_date), count(*) filter (where as_of_date = %s) from marts.fct_kpi_status",
            (AS_OF,)).fetchone()
        assert dates >= 14 and per_date > 0
        plan = conn.execute("explain (analyze, format json) " + query, (AS_OF,)).fetchone()[0][0]["Plan"]
        read = sum(n["Actual Rows"] * n["Actual Loops"] for n in _plan_nodes(plan)
                   if n.get("Relation Name") == "fct_kpi_status")
        # each branch of the view (flags, overdue explanations, early warnings, freshness) may read
        # the date's statuses once; computing every date's alerts reads all `dates` dates
        assert 0 < read <= 4 * per_date, f"{read} status rows read for one date of {per_date} rows"
        got = conn.execute(query, (AS_OF,)).fetchall()
        # the same rows as the alerts of every date, filtered afterwards (offset 0 keeps the filter out)
        everything = conn.execute(
            "select severity, count(*) from (select * from marts.kpi_alerts offset 0) a "
            "where as_of_date = %s group by severity order by 1", (AS_OF,)).fetchall()
    assert got == everything and got


def test_dbt_docs_generated_once_per_version_of_the_project(built, tmp_path, monkeypatch):
    project = tmp_path / "dbt_project"
    shutil.copytree(config.dbt_project_dir(), project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(config, "dbt_project_dir", lambda: project)
    calls = []
    real_dbt = dbt_render.dbt

    def counting_dbt(*args, **kwargs):  # the real dbt, counted
        calls.append(args)
        return real_dbt(*args, **kwargs)

    monkeypatch.setattr(dbt_render, "dbt", counting_dbt)
    first = dbt_docs.publish(tmp_path / "night1", AS_OF)
    assert calls == [("docs", "generate", "--static")]
    site = first.read_text(encoding="utf-8")
    assert "fct_kpi_status" in site and len(site) > 100_000

    dbt_docs.publish(tmp_path / "night2", AS_OF)  # the next night: same project, the same site copied
    assert len(calls) == 1
    assert (tmp_path / "night2" / dbt_docs.FILE_NAME).read_bytes() == first.read_bytes()

    # a changed description is a new version of the project: generated again, the old site dropped
    schema = project / "models" / "marts" / "_marts.yml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("警示清單。", "警示清單。 docs-version-two", 1), encoding="utf-8")
    third = dbt_docs.publish(tmp_path / "night3", AS_OF)
    assert len(calls) == 2
    assert "docs-version-two" in third.read_text(encoding="utf-8")
    assert [p.name for p in dbt_docs.cache_dir().glob("*.html")] == [f"{dbt_docs.fingerprint()}.html"]


def test_publish_copies_the_docs_beside_the_report(built, tmp_path, monkeypatch):
    from kpi import pipeline

    monkeypatch.setenv("KPI_REPORTS_DIR", str(tmp_path / "reports"))
    out = Path(pipeline.publish(AS_OF))
    assert json.loads((out / "kpi_status.json").read_text(encoding="utf-8"))
    assert (out / dbt_docs.FILE_NAME).stat().st_size > 100_000
    assert 'href="dbt-docs.html"' in (out / "report.html").read_text(encoding="utf-8")

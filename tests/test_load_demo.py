"""The demo landing directory loads completely and exactly; personal data never reaches the warehouse."""
from __future__ import annotations

import json
from datetime import date

import pytest
from pii import personal_data

from kpi import dbt_render, warehouse
from kpi.demo import write_landing
from kpi.demo.landing import SOURCES
from kpi.loaders import engine, source_names

UNTIL = date(2025, 3, 10)


@pytest.fixture(scope="module")
def landing(warehouse_db, tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(folder))
    manifest = write_landing(folder, UNTIL, scale=0.05)
    return folder, manifest


@pytest.fixture(scope="module")
def first_load(landing):
    return {name: engine.load(name) for name in source_names()}


def _expected(manifest, source):
    info = manifest["sources"][source]
    return sum(f["rows"] for f in info["files"]), sum(f["bad_rows"] for f in info["files"]), len(info["files"])


@pytest.mark.parametrize("source", SOURCES)  # every source the demo writes
def test_rows_read_loaded_and_set_aside_match_what_the_generator_wrote(first_load, landing, source):
    _, manifest = landing
    rows, bad, objects = _expected(manifest, source)
    result = first_load[source]
    assert result.objects_failed == 0, result.failures
    assert result.rows_read == rows
    assert result.rows_rejected == bad
    assert result.rows_loaded == rows - bad
    if source not in ("documents", "hr"):  # a sql table and an http crawl are one object each
        assert result.objects_loaded == objects


def test_set_aside_rows_name_file_line_and_reason(first_load, landing):
    _, manifest = landing
    expected = {(f["path"], b["line"]) for f in manifest["sources"]["petitions"]["files"] for b in f["bad"]}
    with warehouse.connect() as conn:
        rows = conn.execute("select object_name, line, reason, row_data from raw.rejected_rows "
                            "where source = 'petitions'").fetchall()
    assert {(r[0], r[1]) for r in rows} == expected
    for _, _, reason, row in rows:
        assert reason and not {"陳情人姓名", "聯絡電話", "電子郵件", "地址"} & set(row)


def test_loading_the_same_landing_again_changes_nothing(first_load):
    tables = ("petitions__case_versions", "budget__execution_lines", "register__entries",
              "hr__monthly_staffing", "calendar__days", "documents__doc_daily_stats", "rejected_rows")

    def counts():
        # row count and a content hash of every row (load ids and load times excluded)
        with warehouse.connect() as conn:
            return {t: conn.execute(
                f"select count(*), coalesce(sum(hashtext((to_jsonb(t) - '_load_id' - '_loaded_at' - 'load_id' "
                f"- 'rejected_at')::text)), 0) from raw.{t} as t").fetchone() for t in tables}
    before = counts()
    again = {name: engine.load(name) for name in source_names()}
    assert all(r.rows_loaded == 0 and r.objects_failed == 0 for r in again.values())
    assert again["petitions"].objects_skipped == first_load["petitions"].objects_loaded
    assert counts() == before


def test_no_personal_data_anywhere_in_the_warehouse(first_load, landing):
    folder, _ = landing
    dbt_render.dbt("build", as_of=UNTIL, target_path=folder.parent / "dbt_target_pii")
    pii = personal_data(folder)
    assert len(pii) > 100
    # S7 落後說明 came with the names of who filled the templates in, and they loaded
    assert first_load["explanations"].rows_loaded > 0 and list((folder / "explanations").glob("*.xlsx"))
    found: set[str] = set()
    with warehouse.connect() as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema not in ('pg_catalog', 'information_schema') "
            "and data_type in ('text', 'character varying', 'json', 'jsonb', 'character')").fetchall()
        assert len(columns) > 50
        for schema, table, column in columns:
            for (value,) in conn.execute(f'select distinct "{column}"::text from "{schema}"."{table}"'):
                if value is None:
                    continue
                found.add(value)
                if value.startswith("{") and value.endswith("}"):
                    try:  # a JSON object (set-aside rows); a format such as '{n}{unit}' is not one
                        found.update(str(v) for v in json.loads(value).values())
                    except json.JSONDecodeError:
                        pass
    assert not (pii & found), sorted(pii & found)[:5]
    blob = "\n".join(found)
    sample = sorted(pii)[:: max(1, len(pii) // 400)]
    assert not [p for p in sample if p in blob]


def test_pseudonyms_are_stable_and_districts_kept(first_load):
    with warehouse.connect() as conn:
        rows = conn.execute(
            "select case_id, petitioner_pseudonym, district from raw.petitions__case_versions").fetchall()
    by_case: dict[str, set] = {}
    for case, pseudonym, _district in rows:
        by_case.setdefault(case, set()).add(pseudonym)
    assert all(len(p) == 1 for p in by_case.values())  # every version of a case: same petitioner
    assert all(p is None or len(p) == 64 for p, in ((r[1],) for r in rows))
    districts = {r[2] for r in rows}
    assert districts <= {"中正區", "七堵區", "暖暖區", "仁愛區", "中山區", "安樂區", "信義區", None}
    assert len(districts - {None}) == 7


def test_bi_reader_cannot_read_pseudonyms(first_load):
    with warehouse.connect() as conn:
        conn.execute("set role bi_reader")
        with pytest.raises(Exception, match="permission denied"):
            conn.execute("select petitioner_pseudonym from raw.petitions__case_versions limit 1")

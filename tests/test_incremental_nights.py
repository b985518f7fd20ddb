"""Night after night, the incremental build (only the cases a night's loads touched are recomputed)
leaves every table exactly as a `--full-refresh` build of the same data does: the petition versions,
their intervals and every date of the marts. A night's new day closes the open interval of the cases
it updates; a file delivered again with a changed version replaces its cases' versions, drops the
case it left out and moves the case it gives another department."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import run_kpi

from kpi import dbt_render, warehouse

pytestmark = pytest.mark.slow

FIRST = date(2025, 2, 20)          # the history is built through the day before the first night
NIGHTS = [date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)]
TABLES = {   # table: the columns compared (computed_at: the time of the build, not its result)
    "staging.stg_petitions__case_versions": "*",
    "intermediate.int_petitions__version_intervals": "*",
    "marts.fct_kpi_status": "as_of_date, kpi_code, year, roc_year, org_unit_code, measure_type, actual_value, "
                            "target_value, target_basis, expected_to_date, status, status_reason, source_fresh, "
                            "kpi_name_zh, org_unit_name_zh, evaluation_date, numerator, denominator",
    "marts.fct_source_freshness": "*",
    "marts.fct_petition_cases": "*",
    "intermediate.int_petitions__case_org_units": "*",
    "intermediate.int_org_units__seen": "*",
    # _load_id: the load the build that wrote a row saw, so a night's rows differ from a full refresh's there
    "intermediate.int_petitions__closure_changes": "is_hotline_1999, year, org_unit_code, change_date, known, cases, "
                                                   "closed, due, calendar_md5",
    "intermediate.int_kpi_actuals__petitions": "*",
}


REDELIVERED = date(2025, 2, 25)   # the file delivered again on the last night
# A night computes the statuses of its own as-of date only. Earlier dates keep what was known when
# they were computed: a file delivered again (and the demo writes its older files again each night)
# reaches them with `kpi backfill` (README "History and backfills"), a full refresh gives them the
# new delivery at once (so do the earlier nights, which ran before the last one's deliveries). So the
# per-date marts are compared on the last night's date: all data delivered, computed incrementally.
PER_DATE = {"marts.fct_kpi_status", "marts.fct_source_freshness", "intermediate.int_kpi_actuals__petitions"}


def _compared(table: str) -> str:
    if table not in PER_DATE:
        return "true"
    return f"as_of_date = '{NIGHTS[-1].isoformat()}'"


def _redeliver_with_a_change(landing: Path) -> None:
    """An older petitions file delivered again: its first open case is now withdrawn (its versions change
    in the middle of its history), a case no other file holds is left out (it must vanish from every
    table) and another case is given to another department (it counts under both only while a version
    still names the old one)."""
    folder = landing / "petitions"
    path = folder / f"petitions_{REDELIVERED:%Y%m%d}.csv"
    lines = open(path, encoding="cp950", newline="").read().splitlines(keepends=True)
    # case ids are ASCII whatever a file's encoding (the demo writes some files in UTF-8)
    elsewhere = {line.split(b",", 1)[0].decode("ascii", "replace") for other in folder.glob("petitions_*.csv")
                 if other != path for line in other.read_bytes().splitlines()[1:]}
    withdrawn = next(i for i, line in enumerate(lines) if i and ",處理中," in line)
    lines[withdrawn] = lines[withdrawn].replace(",處理中,", ",已撤案,", 1)
    left_out = next(i for i, line in enumerate(lines)
                    if i and i != withdrawn and line.split(",", 1)[0] not in elsewhere)
    moved = next(i for i, line in enumerate(lines)
                 if i not in (0, withdrawn, left_out) and ",KL0500," not in line)
    fields = lines[moved].split(",")
    fields[5], fields[6] = "KL0500", "產業發展處"   # 承辦機關代碼, 承辦機關
    lines[moved] = ",".join(fields)
    del lines[left_out]
    path.write_text("".join(lines), encoding="cp950", newline="")


@pytest.fixture(scope="module")
def nights(warehouse_db, dbt_manifest, tmp_path_factory, monkeypatch_module):
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    target = tmp_path_factory.mktemp("dbt") / "target"

    def deliver(until: date) -> None:
        res = run_kpi("demo-data", "--until", until.isoformat(), "--scale", "0.05", "--force")
        assert res.returncode == 0, res.stderr[-2000:]

    def load() -> None:
        res = run_kpi("load")
        assert res.returncode == 0, res.stderr[-2000:]

    deliver(NIGHTS[0] - timedelta(days=1))
    load()
    dbt_render.dbt("seed", target_path=target)
    dbt_render.dbt("build", "--full-refresh", as_of=FIRST, as_of_to=NIGHTS[0] - timedelta(days=1), target_path=target)
    for night in NIGHTS:
        deliver(night)
        if night == NIGHTS[-1]:
            _redeliver_with_a_change(landing)
        load()
        dbt_render.dbt("build", as_of=night, target_path=target)
    with warehouse.connect() as conn:
        for table, columns in TABLES.items():
            conn.execute(f"create table incremental_{table.split('.')[1]} as select {columns} from {table}")
        conn.commit()
    dbt_render.dbt("build", "--full-refresh", as_of=FIRST, as_of_to=NIGHTS[-1], target_path=target)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.split(".")[1])
def test_incremental_nights_equal_a_full_refresh(nights, table):
    columns, copy = TABLES[table], f"incremental_{table.split('.')[1]}"
    with warehouse.connect() as conn:
        assert conn.execute(f"select count(*) from {copy}").fetchone()[0] > 0
        where = _compared(table)
        differences = conn.execute(
            f"(select 'incremental only', * from {copy} where {where}"
            f" except select 'incremental only', {columns} from {table} where {where})"
            f" union all (select 'full refresh only', {columns} from {table} where {where}"
            f" except select 'full refresh only', * from {copy} where {where}) limit 20").fetchall()
    assert differences == [], "\n".join(map(str, differences))


def test_the_nights_saw_new_versions(nights):
    # the nights did add versions to cases known before them (intervals closed by a night), so the
    # comparison above covers an incremental build that had work to do
    with warehouse.connect() as conn:
        closed = conn.execute(
            "select count(*) from intermediate.int_petitions__version_intervals "
            "where valid_from < %s and valid_to between %s and %s", (NIGHTS[0], NIGHTS[0], NIGHTS[-1])).fetchone()[0]
    assert closed > 0


def test_a_night_of_new_versions_only_recomputes_the_closure_changes_from_their_day(nights, tmp_path):
    """A night whose only load is the next day's petitions file (no file delivered again, unlike the
    nights above, where the demo rewrites its older files) keeps the closure changes before that day
    and recomputes the later ones: the same changes and the same rates as a full refresh."""
    import os
    import shutil

    night = NIGHTS[-1] + timedelta(days=1)
    name = f"petitions/petitions_{night:%Y%m%d}.csv"
    res = run_kpi("demo-data", "--until", night.isoformat(), "--scale", "0.05", "--force",
                  env={"KPI_LANDING_DIR": str(tmp_path / "later")})
    assert res.returncode == 0, res.stderr[-2000:]
    shutil.copy2(tmp_path / "later" / name, Path(os.environ["KPI_LANDING_DIR"]) / name)
    res = run_kpi("load", "petitions")
    assert res.returncode == 0, res.stderr[-2000:]
    changes = TABLES["intermediate.int_petitions__closure_changes"]
    with warehouse.connect() as conn:
        before = conn.execute("select max(_load_id) from intermediate.int_petitions__closure_changes").fetchone()[0]
        first_new = conn.execute("select min((last_updated_at at time zone 'Asia/Taipei')::date) "
                                 "from raw.petitions__case_versions where _load_id > %s", (before,)).fetchone()[0]
    assert first_new is not None
    dbt_render.dbt("build", as_of=night, target_path=tmp_path)
    with warehouse.connect() as conn:
        # the changes before the new versions' day kept the stamp of the build that wrote them
        stamps = dict(conn.execute(
            "select change_date < %s, array_agg(distinct _load_id) from intermediate.int_petitions__closure_changes "
            "group by 1", (first_new,)).fetchall())
        assert stamps[True] == [before] and before not in stamps[False], stamps
        conn.execute(f"create table night_closure_changes as select {changes} "
                     "from intermediate.int_petitions__closure_changes")
        conn.execute("create table night_actuals as select * from intermediate.int_kpi_actuals__petitions")
        conn.commit()
    dbt_render.dbt("build", "--full-refresh", as_of=FIRST, as_of_to=night, target_path=tmp_path)
    with warehouse.connect() as conn:
        for copy, table, columns, where in [
                ("night_closure_changes", "intermediate.int_petitions__closure_changes", changes, "true"),
                ("night_actuals", "intermediate.int_kpi_actuals__petitions", "*", f"as_of_date = '{night}'")]:
            differences = conn.execute(
                f"(select * from {copy} except select {columns} from {table} where {where})"
                f" union all (select {columns} from {table} where {where} except select * from {copy})"
                " limit 20").fetchall()
            assert differences == [], f"{table}:\n" + "\n".join(map(str, differences))
        assert conn.execute("select count(*) from night_actuals").fetchone()[0] > 0


def test_a_nights_tests_read_new_loads_and_a_failure_stays_until_it_passes(nights, tmp_path):
    """The petition tables' data tests read the rows of loads after the last one a whole passing
    `dbt build` tested (staging.tested_loads): a bad row of an older load is not read again, one of a
    newer load fails its test, and fails it again on the next run, since a failing run records
    nothing. (Runs last: it leaves a bad row in raw.)"""
    with warehouse.connect() as conn:
        tested = conn.execute("select load_id from staging.tested_loads where source = 'petitions'").fetchone()[0]
        staged = conn.execute("select max(_load_id) from staging.stg_petitions__case_versions").fetchone()[0]
        # the last build (a --full-refresh, nothing failed) tested every row staging holds
        assert tested == staged > 0
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = 'petitions__case_versions' order by ordinal_position")]

        def bad_row(load_id: int) -> None:
            # a copy of a row of the last load, its 來源管道 blank, as a record of its own
            changed = {"channel": "null", "_load_id": str(load_id), "_record": f"_record + {10 ** 12 + load_id}"}
            conn.execute(f"insert into raw.petitions__case_versions ({', '.join(columns)}) "
                         f"select {', '.join(changed.get(c, c) for c in columns)} "
                         f"from raw.petitions__case_versions where _load_id = %s limit 1", (staged,))

        bad_row(staged)          # a row of a load a passing build tested: not read again
        conn.commit()
        select = ["--select", "source:petitions.case_versions,test_name:not_null"]
        passed = dbt_render.dbt("test", *select, as_of=NIGHTS[-1], target_path=tmp_path, check=False)
        assert passed.returncode == 0, passed.stdout[-3000:]
        bad_row(staged + 1)      # a row of a later load: read, and caught
        conn.commit()
    failed = dbt_render.dbt("test", *select, as_of=NIGHTS[-1], target_path=tmp_path, check=False)
    assert failed.returncode != 0
    assert "source_not_null_petitions_case_versions_channel" in failed.stdout
    # a whole night's build fails on it and records nothing, so the next one reads that row again
    night = dbt_render.dbt("build", as_of=NIGHTS[-1], target_path=tmp_path, check=False)
    assert night.returncode != 0
    assert "source_not_null_petitions_case_versions_channel" in night.stdout
    with warehouse.connect() as conn:
        assert conn.execute("select source, load_id from staging.tested_loads").fetchall() == [("petitions", staged)]

"""Every as-of date of a range in one dbt build: each date's rows are exactly the rows a build of that
date alone gives (docs/indicators.md#known-at-d), on the demo data, at dates chosen for their edges.
Dates outside the range keep the rows their own builds left."""
from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import load_demo_year_2025, run_kpi

from kpi import dbt_render, warehouse

pytestmark = pytest.mark.slow

RANGE = (date(2023, 12, 30), date(2025, 12, 31))
DATES = [
    date(2023, 12, 30), date(2023, 12, 31), date(2024, 1, 1),      # the range's first day, a year boundary
    date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1),        # 29 February
    date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 1),      # K5.4 and K5.2 deadlines, a year end
    date(2025, 2, 28), date(2025, 3, 31), date(2025, 6, 30),       # a month end, K5.3 and K5.4 deadlines
    date(2025, 11, 25), date(2025, 12, 30), date(2025, 12, 31),    # S1 revisions (below), the range's last day
]
# S1 revises rows in place (updated_at moves); the loader keeps every version it read. Each revision:
# stat_date, unit, updated_at. 11-25 is revised a month later: not known at 11-25, known at 12-31;
# 12-29 is revised at 01:30 on 12-31, before the night of 12-30 started (known at 12-30); 12-30 at
# 02:30, after it (not known at 12-30, known at 12-31).
S1_REVISIONS = [("2025-11-25", "2025-12-26 09:00:00"), ("2025-12-29", "2025-12-31 01:30:00"),
                ("2025-12-30", "2025-12-31 02:30:00")]
OUTSIDE = date(2023, 6, 30)
STATUS_COLUMNS = ("as_of_date, kpi_code, year, roc_year, org_unit_code, measure_type, actual_value, target_value, "
                  "target_basis, expected_to_date, status, status_reason, source_fresh, kpi_name_zh, "
                  "org_unit_name_zh, evaluation_date, numerator, denominator, seasonal_expected_to_date, "
                  "seasonal_status, projected_year_end, projected_low, projected_high, projection_basis, "
                  "projected_status, projection_reason")
FRESHNESS_COLUMNS = "as_of_date, source_code, source_name, source_name_zh, earliest_date, newest_date, is_fresh"


@pytest.fixture(scope="module")
def built(warehouse_db, dbt_manifest, tmp_path_factory):
    load_demo_year_2025()
    db = sqlite3.connect(Path(os.environ["KPI_LANDING_DIR"]) / "documents" / "doc_stats.sqlite")
    for stat_date, updated_at in S1_REVISIONS:
        # (received stays >= received electronically, or the loader sets the row aside)
        db.execute("update doc_daily_stats set recv_total = recv_total + 7, recv_electronic = recv_electronic + 7, "
                   "closed_days_sum = closed_days_sum + 9, updated_at = ? where rowid = (select min(rowid) "
                   "from doc_daily_stats where stat_date = ?)", (updated_at, stat_date))
    db.commit()
    db.close()
    res = run_kpi("load", "documents")
    assert res.returncode == 0, res.stderr[-2000:]
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from raw.documents__doc_daily_stats "
                            "where updated_at = any(%s::timestamptz[])",
                            ([f"{u}+08" for _, u in S1_REVISIONS],)).fetchone()[0] == len(S1_REVISIONS)
    target = tmp_path_factory.mktemp("dbt") / "target"
    dbt_render.dbt("seed", target_path=target)
    for d in [OUTSIDE, *DATES]:
        dbt_render.dbt("run", "--select", "+fct_kpi_status", "+fct_source_freshness", as_of=d, target_path=target)
    with warehouse.connect() as conn:
        conn.execute("create table single_status as select * from marts.fct_kpi_status")
        conn.execute("create table single_freshness as select * from marts.fct_source_freshness")
        conn.commit()
    dbt_render.dbt("build", as_of=RANGE[0], as_of_to=RANGE[1], target_path=target)


def _differences(conn, columns: str, single: str, ranged: str, d: date) -> list[tuple]:
    return conn.execute(
        f"(select 'single only', {columns} from {single} where as_of_date = %(d)s"
        f" except select 'single only', {columns} from {ranged} where as_of_date = %(d)s)"
        f" union all (select 'range only', {columns} from {ranged} where as_of_date = %(d)s"
        f" except select 'range only', {columns} from {single} where as_of_date = %(d)s)",
        {"d": d}).fetchall()


@pytest.mark.parametrize("d", DATES, ids=str)
def test_a_date_of_the_range_has_the_rows_of_its_own_build(built, d):
    with warehouse.connect() as conn:
        count = conn.execute("select count(*) from single_status where as_of_date = %s", (d,)).fetchone()[0]
        assert count > 0
        assert _differences(conn, STATUS_COLUMNS, "single_status", "marts.fct_kpi_status", d) == []
        assert _differences(conn, FRESHNESS_COLUMNS, "single_freshness", "marts.fct_source_freshness", d) == []


def test_the_range_holds_every_date_and_leaves_other_dates_alone(built):
    with warehouse.connect() as conn:
        dates = conn.execute("select count(distinct as_of_date) from marts.fct_kpi_status "
                             "where as_of_date between %s and %s", RANGE).fetchone()[0]
        assert dates == (RANGE[1] - RANGE[0]).days + 1
        # the date outside the range keeps the very rows of its own build (computed_at included)
        kept = conn.execute("select count(*) from single_status s join marts.fct_kpi_status f "
                            "using (as_of_date, kpi_code, year, org_unit_code) "
                            "where as_of_date = %s and s.computed_at = f.computed_at", (OUTSIDE,)).fetchone()[0]
        assert kept > 0
        assert kept == conn.execute("select count(*) from single_status where as_of_date = %s",
                                    (OUTSIDE,)).fetchone()[0]


def test_the_dates_cover_a_late_s1_revision_and_a_petition_changing_status(built):
    """The comparison above is only as good as its dates: among them, a day whose S1 figures were
    revised after that night, and a petition case whose status differs between two of them."""
    with warehouse.connect() as conn:
        late_revisions = conn.execute(
            """select count(*) from unnest(%s::date[]) as d(as_of_date)
               join staging.stg_documents__doc_daily_stats as s
                 on s.stat_date <= d.as_of_date
                and s.updated_at > ((d.as_of_date + 1)::timestamp + interval '2 hours') at time zone 'Asia/Taipei'
                and exists (select 1 from staging.stg_documents__doc_daily_stats as o
                            where o.stat_date = s.stat_date and o.org_unit_code = s.org_unit_code
                              and o.updated_at < s.updated_at)""", (DATES,)).fetchone()[0]
        assert late_revisions >= 2  # 11-25 and 12-30
        changed = conn.execute(
            """with known as (
                   select distinct on (d.as_of_date, v.case_id) d.as_of_date, v.case_id, v.status
                   from unnest(%s::date[]) as d(as_of_date)
                   join staging.stg_petitions__case_versions as v
                     on v.last_updated_at < ((d.as_of_date + 1)::timestamp at time zone 'Asia/Taipei')
                   order by d.as_of_date, v.case_id, v.last_updated_at desc)
               select count(distinct case_id) from known as a join known as b using (case_id)
               where a.as_of_date < b.as_of_date and a.status = 'open' and b.status = 'closed'""",
            (DATES,)).fetchone()[0]
        assert changed > 0


@pytest.mark.parametrize("bounds, words", [
    (("2021-12-01", "2022-01-10"), "早於最早資料日"),     # before the first data (the demo starts 2022-01-01)
    (("2025-01-10", "2099-01-01"), "在未來"),             # in the future
    (("2025-01-10", "2025-01-01"), "晚於迄日"),           # reversed
])
def test_kpi_backfill_refuses_a_range_it_cannot_compute(built, bounds, words):
    res = run_kpi("backfill", "--from", bounds[0], "--to", bounds[1])
    assert res.returncode == 2
    assert words in res.stderr and "Traceback" not in res.stderr

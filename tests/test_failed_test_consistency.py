"""After a dbt test fails, the marts people read and kpi_alerts agree: every alert of the as-of date
is one of its published flags or stale sources, and every flag is alerted (all of that night's, or all
of the previous one's; never statuses of one night with alerts of another).

The night is rerun after the statuses of d changed (new flagged rows for a department) with a planted
history row that breaks a real invariant: a status of an earlier date whose unit is in no org-unit
list, so the relationships test of fct_kpi_status fails after d's rows were written."""
from __future__ import annotations

from datetime import date

import pytest
from conftest import run_kpi, small_demo_landing
from unknown_units import UNKNOWN, add_unknown_units

from kpi import labels, warehouse

AS_OF = date(2025, 3, 5)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(warehouse_db, tmp_path_factory, monkeypatch_module):
    landing = small_demo_landing(tmp_path_factory, monkeypatch_module)
    return landing


@pytest.fixture(scope="module")
def first_night(landing):
    res = run_kpi("run", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return res


def _fetch(sql, *params):
    with warehouse.connect() as conn:
        return conn.execute(sql, params).fetchall()


def _expected_alerts(as_of: date) -> list[tuple]:
    """The alerts the published statuses and freshness of `as_of` call for (README "How a night runs")."""
    flags = [(k, u, y, labels.SEVERITY[s], s, r) for k, u, y, s, r in _fetch(
        "select kpi_code, org_unit_code, year, status, status_reason from marts.fct_kpi_status "
        "where as_of_date = %s and status = any(%s) and year between %s and %s",
        as_of, list(labels.FLAGGED), as_of.year - 1, as_of.year)]
    # early warnings (預警): the projection disagrees with the plan's status (never a flag)
    early = [(k, u, y, "early_warning", "early_warning_recover" if s in labels.FLAGGED else "early_warning_miss",
              f"依計畫進度為「{labels.STATUS_ZH[s]}」；{r}") for k, u, y, s, r in _fetch(
        "select kpi_code, org_unit_code, year, status, projection_reason from marts.fct_kpi_status "
        "where as_of_date = %s and ((status = 'on_track' and projected_status = 'likely_missed') "
        "or (status = any(%s) and projected_status = 'likely_achieved'))", as_of, list(labels.FLAGGED))]
    stale = [(None, None, None, "grey", "stale", code) for (code,) in _fetch(
        "select source_code from marts.fct_source_freshness where as_of_date = %s and not is_fresh", as_of)]
    return sorted(flags + early + stale, key=repr)


def _alerts(as_of: date) -> list[tuple]:
    """The flag and stale-source alerts (the overdue-explanation ones: _overdue)."""
    rows = _fetch("select kpi_code, org_unit_code, year, severity, status, "
                  "case when severity = 'grey' then source_code else message end "
                  "from marts.kpi_alerts where as_of_date = %s and severity <> 'overdue'", as_of)
    return sorted(rows, key=repr)


def _overdue(as_of: date) -> tuple[list, list]:
    """The 未提出落後說明 alerts of `as_of`, and the flags of that night past their explanation's due day
    (of d's year and the year before, like every flag alert)."""
    alerts = _fetch("select kpi_code, org_unit_code, year from marts.kpi_alerts "
                    "where as_of_date = %s and severity = 'overdue' order by 1, 2, 3", as_of)
    due = _fetch("select kpi_code, org_unit_code, year from marts.fct_kpi_flags "
                 "where as_of_date = %s and is_explanation_overdue and year between %s and %s order by 1, 2, 3",
                 as_of, as_of.year - 1, as_of.year)
    return alerts, due


def test_marts_and_alerts_agree_after_a_failed_dbt_test(first_night, landing):
    assert _alerts(AS_OF) == _expected_alerts(AS_OF)
    alerts, due = _overdue(AS_OF)
    assert alerts == due
    before = _alerts(AS_OF)
    # d's statuses change: a petition and a budget line of a department the city did not have before
    add_unknown_units(landing)
    # ...and a status row of an earlier date names a unit no list knows
    with warehouse.connect() as conn:
        conn.execute("""
            insert into marts.fct_kpi_status (as_of_date, kpi_code, year, roc_year, org_unit_code, measure_type,
                status, status_reason, kpi_name_zh, org_unit_name_zh, computed_at)
            select as_of_date - 1, kpi_code, year, roc_year, 'KL0000', measure_type, status, status_reason,
                   kpi_name_zh, 'KL0000', computed_at
            from marts.fct_kpi_status where as_of_date = %s and kpi_code = 'K7.2' and org_unit_code = 'ALL'
              and year = %s""", (AS_OF, AS_OF.year))
        conn.commit()

    res = run_kpi("run", "--as-of", AS_OF.isoformat())

    assert res.returncode != 0, "the planted row must fail a dbt test"
    assert "relationships_fct_kpi_status_org_unit_code" in res.stderr, res.stderr[-3000:]
    # kpi run names the failed test's file and gives dbt's own words, not only the task and a log path
    assert "(fail, models/marts/_marts.yml)" in res.stderr, res.stderr[-3000:]
    assert "Got 1 result" in res.stderr, res.stderr[-3000:]
    after = _alerts(AS_OF)
    assert after == _expected_alerts(AS_OF)
    alerts, due = _overdue(AS_OF)
    assert alerts == due
    # whichever night the marts show, the alerts are that night's: here the new statuses were
    # published (the failed test checks the history after them), and so are their alerts
    new_flags = [a for a in after if a[1] == UNKNOWN]
    assert new_flags and after != before

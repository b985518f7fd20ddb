"""Department codes the org-unit list does not know (docs/sources.md#unknown-units): a petition and a budget
line of KL9999 and a day of documents of KL9998 in the demo landing. The night runs through Airflow
to the end and stays green; the records count for the city; each unknown unit shows as
未知單位（code） in the statuses, the alerts, the report (with its data-quality listing) and the
e-mail; and a later corrected delivery does not break the history that still names the code."""
from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import run_kpi, small_demo_landing
from unknown_units import CASE_ID, UNKNOWN, UNKNOWN_DOCS, add_unknown_units, correct_unknown_units

from kpi import config, labels, notify, warehouse

AS_OF = date(2025, 3, 5)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(warehouse_db, tmp_path_factory, monkeypatch_module):
    landing = small_demo_landing(tmp_path_factory, monkeypatch_module)
    add_unknown_units(landing)
    return landing


@pytest.fixture(scope="module")
def night(landing):
    return run_kpi("run", "--as-of", AS_OF.isoformat())


def _fetch(sql, *params):
    with warehouse.connect() as conn:
        return conn.execute(sql, params).fetchall()


def test_the_night_runs_through_and_ends_green(night):
    assert night.returncode == 0, night.stdout[-3000:] + night.stderr[-5000:]
    from kpi import airflow_env

    log = (airflow_env.airflow_home() / "runs" / f"{AS_OF.isoformat()}.log").read_text(encoding="utf-8")
    for task in ("flag_indicators", "publish", "notify", "check_loads"):
        assert f"starting task_id={task}" in log, task
    assert (config.reports_dir() / AS_OF.isoformat() / "report.html").is_file()


def test_the_records_count_for_the_city_and_each_unknown_unit_has_its_rows(night):
    rows = {(k, u): (name, num, den, status) for k, u, name, num, den, status in _fetch(
        "select kpi_code, org_unit_code, org_unit_name_zh, numerator, denominator, status from marts.fct_kpi_status "
        "where as_of_date = %s and year = 2025", AS_OF)}
    # the case: open past its due date, so in K7.2's denominator and not its numerator
    name, num, den, status = rows[("K7.2", UNKNOWN)]
    assert (name, num, den, status) == (f"未知單位（{UNKNOWN}）", 0, 1, "behind")
    # the city counts it like every other case: its denominator is the departments' summed
    departments = [v for (k, u), v in rows.items() if k == "K7.2" and u != "ALL"]
    assert rows[("K7.2", "ALL")][2] == sum(v[2] for v in departments)
    # documents (K7.1: 3 days over 2 closed) and the budget line (K5.1: 1,200,000 of 2,000,000)
    assert rows[("K7.1", UNKNOWN_DOCS)][:3] == (f"未知單位（{UNKNOWN_DOCS}）", 3, 2)
    assert rows[("K5.1", UNKNOWN)][:3] == (f"未知單位（{UNKNOWN}）", 1_200_000, 2_000_000)
    assert rows[("K7.1", "ALL")][2] == sum(v[2] for (k, u), v in rows.items() if k == "K7.1" and u != "ALL")
    assert _fetch("select org_unit_code from marts.fct_petition_cases where case_id = %s", CASE_ID) == [(UNKNOWN,)]
    dims = _fetch("select org_unit_code, org_unit_name_zh, is_known from marts.dim_org_unit where not is_known "
                  "order by 1")
    assert dims == [(UNKNOWN_DOCS, f"未知單位（{UNKNOWN_DOCS}）", False), (UNKNOWN, f"未知單位（{UNKNOWN}）", False)]


def test_alerts_are_the_published_flags_and_name_the_unknown_unit(night):
    statuses = _fetch("select kpi_code, org_unit_code, year, status, status_reason from marts.fct_kpi_status "
                      "where as_of_date = %s and status = any(%s) and year between %s and %s",
                      AS_OF, list(labels.FLAGGED), AS_OF.year - 1, AS_OF.year)
    expected = sorted((k, u, y, labels.SEVERITY[s], s, r) for k, u, y, s, r in statuses)
    # the flag alerts: those whose status is a flag (not stale sources, overdue explanations, early warnings)
    alerts = sorted(_fetch("select kpi_code, org_unit_code, year, severity, status, message from marts.kpi_alerts "
                           "where as_of_date = %s and status = any(%s)", AS_OF, list(labels.FLAGGED)))
    assert alerts == expected
    assert ("K7.2", UNKNOWN, 2025, "red", "behind") in {a[:5] for a in alerts}
    message = next(a[5] for a in alerts if a[:2] == ("K7.2", UNKNOWN))
    assert message.startswith(f"未知單位（{UNKNOWN}）：")
    # and in the column a BI tool shows (issue 11), as dim_org_unit names it
    names = _fetch("select distinct org_unit_name_zh from marts.kpi_alerts "
                   "where as_of_date = %s and org_unit_code = %s", AS_OF, UNKNOWN)
    assert names == [(f"未知單位（{UNKNOWN}）",)]


def test_the_report_lists_the_unknown_codes_in_its_data_quality_part(night):
    html = (config.reports_dir() / AS_OF.isoformat() / "report.html").read_text(encoding="utf-8")
    quality = re.search(r'<section id="quality">(.*?)</section>', html, re.S).group(1)
    table = re.search(r'<table class="unknown-units">(.*?)</table>', quality, re.S).group(1)
    listed = re.findall(r'<tr class="unknown-unit" data-org="(\w+)" data-source="(\w+)">(.*?)</tr>', table, re.S)
    assert {(code, source) for code, source, _ in listed} == {
        (UNKNOWN, "petitions"), (UNKNOWN, "budget"), (UNKNOWN_DOCS, "documents")}
    for code, _source, cells in listed:
        assert f"未知單位（{code}）" in cells
        assert re.search(r'data-k="records">1</td>', cells), cells  # one record each
    assert "人民陳情案件系統" in table and "歲出預算執行明細表" in table and "公文系統統計" in table
    # the summary points to it; the department comparison shows the unit by the same name
    summary = re.search(r'<section id="summary">(.*?)</section>', html, re.S).group(1)
    assert UNKNOWN in summary and UNKNOWN_DOCS in summary and "未知單位" in summary
    departments = re.search(r'<section id="departments">(.*?)</section>', html, re.S).group(1)
    assert f'data-org="{UNKNOWN}"' in departments and f"未知單位（{UNKNOWN}）" in departments


def test_the_email_names_the_unknown_unit_like_the_report(night):
    notice = notify.build_notice(AS_OF, config.reports_dir() / AS_OF.isoformat())
    assert any(a["org_unit"] == UNKNOWN and a["org_unit_name"] == f"未知單位（{UNKNOWN}）" for a in notice.alerts)
    assert f"｜未知單位（{UNKNOWN}）" in notify.render_text(notice)


# --- last: this test changes the landing directory ------------------------------------------------

def test_a_corrected_delivery_keeps_the_history_that_named_the_code(night, landing):
    """The petitions file and the budget workbook come again with KL9999 corrected: no source uses it
    any more, but the statuses of AS_OF still name it, so the org-unit list keeps it and the next
    night's tests (relationships of fct_kpi_status over its whole history) still pass."""
    correct_unknown_units(landing)
    res = run_kpi("run", "--as-of", "2025-03-06")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    assert _fetch("select count(*) from marts.fct_source_org_units where org_unit_code = %s", UNKNOWN) == [(0,)]
    assert _fetch("select count(*) from marts.fct_kpi_status where as_of_date = '2025-03-06' "
                  "and org_unit_code = %s", UNKNOWN) == [(0,)]
    assert _fetch("select count(*) from marts.fct_kpi_status where as_of_date = %s and org_unit_code = %s",
                  AS_OF, UNKNOWN)[0][0] > 0
    assert _fetch("select is_known from marts.dim_org_unit where org_unit_code = %s", UNKNOWN) == [(False,)]

"""The departments' explanations (issue 13, S7 落後說明), end to end on a real warehouse: `kpi
explain-template` writes each unit's workbook with exactly its flags; a filled one returned to the
landing directory loads (bad lines set aside with file, line and reason, the person who filled it in
never kept), marts.fct_kpi_explanations holds it, the report and the alerts show it beside the flag,
and a flag left without one past KPI_EXPLANATION_DUE_DAYS working days raises 未提出落後說明."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import run_kpi
from openpyxl import load_workbook

from kpi import dbt_render, explanations, pipeline, warehouse
from kpi.demo import write_landing
from kpi.loaders import engine, source_names

pytestmark = pytest.mark.slow  # three dbt builds of the November demo, a publish and a reload
EARLIER, AS_OF = date(2025, 10, 31), date(2025, 11, 25)
FILLER = "林雅婷"      # the person who filled the workbook in: personal data
REASON = "陳情案件量較去年同期增加三成，承辦人力不足"
ACTION = "增派約聘人力二名並每週追蹤逾期案件"
# text columns arrive with full-width ASCII made half-width (the loader's text type): ，→ ,
LOADED = REASON.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})


def _sql(query: str, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def built(warehouse_db, dbt_manifest, tmp_path_factory, monkeypatch_module):
    """Demo landing (small scale) loaded, dbt built for two as-of dates (so flags have an age), the
    nightly publish of AS_OF; then `kpi explain-template --as-of AS_OF`."""
    landing = tmp_path_factory.mktemp("landing")
    reports = tmp_path_factory.mktemp("reports")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(reports))
    write_landing(landing, date(2025, 11, 26), scale=0.05)
    shutil.rmtree(landing / "explanations", ignore_errors=True)   # this test returns its own
    for name in source_names():
        assert not engine.load(name).failures, name
    target = tmp_path_factory.mktemp("dbt") / "target"
    for d in (EARLIER, AS_OF):
        dbt_render.dbt("build", as_of=d, target_path=target)
    pipeline.publish(AS_OF)
    res = run_kpi("explain-template", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stderr[-3000:]
    return landing, reports, target, res.stdout


def _rows(path: Path) -> list[dict]:
    ws = load_workbook(path).active
    values = list(ws.iter_rows(values_only=True))
    head = list(values[explanations.HEADER_ROW - 1])
    return [dict(zip(head, r)) for r in values[explanations.HEADER_ROW:]]


def test_one_template_per_unit_with_exactly_its_flags(built):
    _, reports, _, stdout = built
    folder = reports / "explanations" / AS_OF.isoformat()
    flags = _sql("select a.org_unit_code, a.kpi_code, a.year, a.actual_text, a.target_text from marts.kpi_alerts a "
                 "join marts.dim_status s using (status) where a.as_of_date = %s and s.is_flagged", AS_OF)
    units = {f[0] for f in flags}
    assert len(units) >= 3 and "ALL" in units, units
    assert {p.name for p in folder.iterdir()} == {f"{u}_{AS_OF}.xlsx" for u in units}
    for unit in units:
        rows = _rows(folder / f"{unit}_{AS_OF}.xlsx")
        assert sorted((r["單位代碼"], r["指標代碼"], r["西元年度"], r["實際值"], r["目標值"]) for r in rows) == \
            sorted(f for f in flags if f[0] == unit), unit
        assert all(r["落後情形"] and r["落後原因"] is None and r["填報人"] is None for r in rows)
    assert str(folder) in stdout


@pytest.fixture(scope="module")
def returned(built):
    """One unit fills its template in (one line left without a reason) and adds three bad lines; the
    file goes back to landing/explanations/ and the night runs again."""
    landing, reports, target, _ = built
    units = sorted(u for (u,) in _sql(
        "select distinct a.org_unit_code from marts.kpi_alerts a join marts.dim_status s using (status) "
        "where a.as_of_date = %s and s.is_flagged and a.org_unit_code <> 'ALL'", AS_OF))
    unit = units[0]
    path = reports / "explanations" / AS_OF.isoformat() / f"{unit}_{AS_OF}.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    head = [c.value for c in ws[explanations.HEADER_ROW]]
    col = {name: n + 1 for n, name in enumerate(head)}
    first, last = explanations.HEADER_ROW + 1, ws.max_row
    assert last >= first
    for row in range(first, last + 1):
        ws.cell(row, col["落後原因"], f"{REASON}（{row}）")
        ws.cell(row, col["改善措施"], ACTION)
        ws.cell(row, col["預計改善日期"], "114/12/31")
        ws.cell(row, col["填報人"], FILLER)
    template = [c.value for c in ws[first]]
    bad = {}
    for column, value, why in [("指標代碼", "K9.9", "指標代碼"), ("單位代碼", "KL9999", "單位代碼"),
                               ("落後原因", None, "落後原因"), ("預計改善日期", "明年", "預計改善日期")]:
        ws.append(template)
        line = ws.max_row
        ws.cell(line, col["落後原因"], f"{REASON}（{line}）")
        ws.cell(line, col["填報人"], FILLER)
        ws.cell(line, col[column]).value = value   # ws.cell(..., None) would keep the old value
        bad[line] = why
    landing_file = landing / "explanations" / path.name
    landing_file.parent.mkdir(exist_ok=True)
    wb.save(landing_file)
    result = engine.load("explanations")
    dbt_render.dbt("build", as_of=AS_OF, target_path=target)
    out = Path(pipeline.publish(AS_OF))
    return unit, landing_file, last - first + 1, bad, result, out


def test_returned_file_loads_and_bad_lines_are_set_aside_with_the_reason(returned):
    _unit, landing_file, good, bad, result, _ = returned
    assert (result.rows_loaded, result.rows_rejected) == (good, len(bad))
    rejected = _sql("select object_name, line, reason, row_data::text from raw.rejected_rows "
                    "where source = 'explanations'")
    assert {r[0] for r in rejected} == {f"explanations/{landing_file.name}"}
    by_line = {int(r[1]): r for r in rejected}
    assert set(by_line) == set(bad)
    for line, column in bad.items():
        assert column in by_line[line][2], by_line[line]
    # the person who filled it in is nowhere: not in raw, not in a set-aside row
    assert not any(FILLER in (r[3] or "") for r in rejected)
    raw = _sql("select row_to_json(r)::text from raw.explanations__returns r")
    assert len(raw) == good and not any(FILLER in r[0] for r in raw)
    # a rerun of the same landing directory changes nothing
    again = engine.load("explanations")
    assert again.rows_loaded == 0 and again.objects_skipped == 1


def test_latest_explanation_per_indicator_unit_and_year_in_the_mart(returned):
    unit, landing_file, good, *_ = returned
    rows = _sql("select kpi_code, org_unit_code, year, as_of_date, lag_reason, improvement_action, "
                "expected_improvement_date, received_date, source_file from marts.fct_kpi_explanations")
    assert len(rows) == good
    today = _sql("select (now() at time zone 'Asia/Taipei')::date")[0][0]
    for _kpi, org, _year, as_of, reason, action, expected, received, source_file in rows:
        assert org == unit and as_of == AS_OF and reason.startswith(LOADED) and action == ACTION
        assert expected == date(2025, 12, 31) and received == today
        assert source_file == f"explanations/{landing_file.name}"


def test_alerts_and_report_show_the_explanation_and_the_missing_ones_raise_their_alert(returned):
    unit, _, good, _, _, out = returned
    alerts = _sql("select kpi_code, org_unit_code, year, status, explanation_reason, explanation_action "
                  "from marts.kpi_alerts where as_of_date = %s and kpi_code is not null", AS_OF)
    flags = [a for a in alerts if a[3] != "explanation_overdue"]
    explained = [a for a in flags if a[4]]
    assert len(explained) == good and {a[1] for a in explained} == {unit}
    assert all(a[4].startswith(LOADED) and a[5] == ACTION for a in explained)
    # the flags of D without an explanation, flagged since EARLIER (17 working days), are overdue
    overdue = {(a[0], a[1], a[2]) for a in alerts if a[3] == "explanation_overdue"}
    aged = set(_sql("select kpi_code, org_unit_code, year from marts.fct_kpi_flags where as_of_date = %s "
                    "and working_days_flagged > 10 and year >= %s", AS_OF, AS_OF.year - 1))
    assert overdue and overdue == aged - {(a[0], a[1], a[2]) for a in explained}
    assert not overdue & {(a[0], a[1], a[2]) for a in explained}
    severities = _sql("select distinct severity, severity_zh, status_zh from marts.kpi_alerts where as_of_date = %s "
                      "and status = 'explanation_overdue'", AS_OF)
    assert severities == [("overdue", "未提出落後說明", "未提出落後說明")]

    html = (out / "report.html").read_text(encoding="utf-8")
    for _kpi, org, year, *_ in explained:
        if year == AS_OF.year:
            assert f'data-unit="{org}"' in html
    assert LOADED in html and ACTION in html and "預計改善日期：114/12/31（2025-12-31）" in html
    table = re.search(r'<table class="overdue">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr data-kpi=") == len(overdue)
    assert "逾期未提出落後說明" in html


def test_due_days_setting_counts_working_days(returned, monkeypatch, tmp_path):
    """KPI_EXPLANATION_DUE_DAYS moves the line: with 60 working days no flag of the demo is overdue yet."""
    monkeypatch.setenv("KPI_EXPLANATION_DUE_DAYS", "60")
    dbt_render.dbt("build", "--select", "fct_kpi_flags+", as_of=AS_OF, target_path=tmp_path / "target")
    try:
        assert _sql("select count(*) from marts.kpi_alerts where as_of_date = %s "
                    "and status = 'explanation_overdue'", AS_OF) == [(0,)]
        assert _sql("select distinct explanation_due_days from marts.fct_kpi_flags") == [(60,)]
    finally:
        monkeypatch.delenv("KPI_EXPLANATION_DUE_DAYS")
        dbt_render.dbt("build", "--select", "fct_kpi_flags+", as_of=AS_OF, target_path=tmp_path / "target")

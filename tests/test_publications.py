"""The 管考 office's documents (issue 13): the 市務會議 briefing (HTML + PDF, photographed in headless
Chromium) and the annual 施政績效成果報告 (.odt, .docx, .xlsx opened with their libraries), built by the
`kpi` command from a real warehouse (demo data loaded by the engine, dbt built over a range of as-of
dates) and checked against the warehouse's own rows."""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import numpy as np
import pngread
import pytest
from conftest import run_kpi

from kpi import config, dbt_render, declarations, warehouse
from kpi.demo import write_landing
from kpi.loaders import engine, source_names
from kpi.publications import annual, common

pytestmark = pytest.mark.slow  # a range build of the demo's dates, two briefings and an annual report
FIRST, MIDDLE, AS_OF = date(2025, 1, 5), date(2025, 2, 10), date(2025, 3, 5)
DECEMBER = "budget/budget_11312.xlsx"
CHROMIUM = common.chromium() or "/usr/bin/chromium"
SCREENSHOT_COPY = Path("/tmp/i13-briefing.png")
WIDTH, HEIGHT = 900, 2400


@pytest.fixture(scope="module")
def built(warehouse_db, tmp_path_factory, monkeypatch_module):
    """Demo landing (small scale) without the December 2024 budget workbook, loaded by the engine;
    dbt built for every as-of date of FIRST..AS_OF in one build, as a backfill does."""
    landing = tmp_path_factory.mktemp("landing")
    reports = tmp_path_factory.mktemp("reports")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(reports))
    write_landing(landing, date(2025, 3, 10), scale=0.05)
    # the December 2024 budget workbook has not come in: C1.1 of 113 cannot be computed
    (landing / DECEMBER).unlink()
    for name in source_names():
        engine.load(name)
    dbt_render.dbt("build", as_of=FIRST, as_of_to=AS_OF, target_path=tmp_path_factory.mktemp("dbt_target"))
    return reports


def _sql(query: str, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


def _seed(name: str) -> list[dict]:
    with open(config.dbt_project_dir() / "seeds" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


STATUS = {r["status"]: r for r in _seed("status_labels")}


def _section(html: str, name: str) -> str:
    m = re.search(rf'<section id="{name}">(.*?)</section>', html, re.S)
    assert m, f"section {name} missing"
    return m.group(1)


def _rows(fragment: str) -> dict[tuple[str, str], str]:
    """(kpi, org) -> the <tr> of each data row of a fragment."""
    out = {}
    for m in re.finditer(r'<tr data-kpi="([^"]+)"(?: data-org="([^"]+)")?>(.*?)</tr>', fragment, re.S):
        out[(m.group(1), m.group(2) or "ALL")] = unescape(m.group(3))
    return out


def _statuses(day: date) -> dict[tuple[str, str], tuple]:
    """(kpi, org) -> (status, actual_value) of the as-of date's own year, straight from the fact table."""
    return {(k, o): (s, v) for k, o, s, v in _sql(
        "select kpi_code, org_unit_code, status, actual_value from marts.fct_kpi_status "
        "where as_of_date = %s and year = %s", day, day.year)}


def _expected_changes(d0: date, d: date) -> dict[str, set[tuple[str, str]]]:
    """The briefing's groups, worked out here in Python from the fact rows and the status seed."""
    then, now = _statuses(d0), _statuses(d)
    flagged = lambda s: s is not None and STATUS[s]["is_flagged"] == "true"  # noqa: E731
    sort = lambda s: int(STATUS[s]["status_sort"])  # noqa: E731
    out = {k: set() for k in ("newly_flagged", "recovered", "worsened", "improved", "other")}
    for key in then.keys() | now.keys():
        a, b = then.get(key, (None,))[0], now.get(key, (None,))[0]
        if flagged(b) and not flagged(a):
            out["newly_flagged"].add(key)
        elif flagged(a) and not flagged(b):
            out["recovered"].add(key)
        elif flagged(a) and flagged(b) and sort(b) < sort(a):
            out["worsened"].add(key)
        elif flagged(a) and flagged(b) and sort(b) > sort(a):
            out["improved"].add(key)
        elif a != b:
            out["other"].add(key)
    return out


def _actual_text(day: date, kpi: str, org: str = "ALL") -> str:
    return _sql("select actual_text from marts.kpi_status_labelled where as_of_date = %s and kpi_code = %s "
                "and org_unit_code = %s and is_as_of_year", day, kpi, org)[0][0]


# --- the briefing -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def briefing(built):
    """`kpi briefing` as a user runs it: first MIDDLE against FIRST, then AS_OF with no --since."""
    first = run_kpi("briefing", "--as-of", MIDDLE.isoformat(), "--since", FIRST.isoformat())
    assert first.returncode == 0, first.stderr[-3000:]
    res = run_kpi("briefing", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stderr[-3000:]
    out = built / "briefings" / AS_OF.isoformat()
    return out, (out / "briefing.html").read_text(encoding="utf-8")


def test_briefing_compares_with_the_previous_briefing(briefing):
    _, html = briefing
    assert "114年" in html and "民國114年3月5日（2025-03-05）" in html
    # no --since: the previous briefing (MIDDLE), not two months earlier
    assert "比較基準日 <b>民國114年2月10日（2025-02-10）</b>" in html
    assert "前次市務會議報告" in html


def test_briefing_status_counts_then_and_now_are_the_warehouse_counts(briefing):
    _, html = briefing
    table = _section(html, "summary")
    for day in (MIDDLE, AS_OF):
        counts = dict(_sql("select status, count(*) from marts.fct_kpi_status where as_of_date = %s and year = %s "
                           "and org_unit_code = 'ALL' group by status", day, day.year))
        row = re.search(rf'<tr data-day="{day.isoformat()}">(.*?)</tr>', table, re.S).group(1)
        shown = dict(re.findall(r'<td class="num" data-status="(\w+)">(\d+)</td>', row))
        assert {s: int(n) for s, n in shown.items() if int(n)} == counts, day
    # status words are the seed's, in its order
    heads = re.findall(r'<th class="num" data-status="(\w+)">([^<]+)</th>', table)
    indicator = sorted((r for r in STATUS.values() if r["applies_to"] == "indicator"),
                       key=lambda r: int(r["status_sort"]))
    assert heads == [(r["status"], r["status_zh"]) for r in indicator]


def test_briefing_groups_are_the_changes_between_the_two_dates(briefing):
    _, html = briefing
    expected = _expected_changes(MIDDLE, AS_OF)
    assert any(expected.values()), "the demo data should change something in a month"
    for group, keys in expected.items():
        shown = _rows(_section(html, group))
        assert set(shown) == {k for k in keys if k[1] == "ALL"}, group
        for (kpi, _), text in shown.items():  # the values then and now, as the marts write them
            assert _actual_text(AS_OF, kpi) in text and _actual_text(MIDDLE, kpi) in text
    per_dept = {k for (k,) in _sql("select kpi_code from marts.dim_kpi where per_department")}
    depts = _rows(_section(html, "departments"))
    assert set(depts) == {k for k in expected["newly_flagged"] if k[1] != "ALL" and k[0] in per_dept}
    for (kpi, org), text in depts.items():
        assert _actual_text(AS_OF, kpi, org) in text


def test_briefing_draws_charts_of_newly_flagged_indicators(briefing):
    _, html = briefing
    for group in ("newly_flagged", "worsened"):
        for kpi, _ in _rows(_section(html, group)):
            assert f'<svg class="chart trend" data-kpi="{kpi}"' in html, kpi
    assert '<svg class="chart counts"' in html
    for kpi, _ in _rows(_section(html, "departments")):
        assert f'<svg class="chart departments" data-kpi="{kpi}"' in html, kpi


def test_briefing_without_explanations_says_so_and_shows_the_outlook(briefing):
    _, html = briefing
    assert "本期間未收到各單位落後說明" in _section(html, "explanations")
    # the projection columns of fct_kpi_status (issue 12) give the year-end outlook its own section
    assert '<section id="outlook">' in html


def test_briefing_pdf_is_a4(briefing):
    if common.chromium() is None and os.environ.get("KPI_REQUIRE_CHROMIUM") != "1":
        pytest.skip("no Chromium to print the PDF")
    out, _ = briefing
    pdf = (out / "briefing.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2 for w, h in boxes)  # A4 in points
    assert len(boxes) >= 2  # a real briefing spans pages


def test_briefing_renders_in_headless_chromium(briefing, tmp_path, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        reason = f"chromium not found at {CHROMIUM} (Debian: apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("KPI_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    out, _ = briefing
    png = tmp_path / "briefing.png"
    res = subprocess.run(
        [*common.chromium_args(CHROMIUM, tmp_path / "profile"), f"--window-size={WIDTH},{HEIGHT}",
         f"--screenshot={png}", (out / "briefing.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    assert png.exists(), res.stderr[-3000:]
    shutil.copyfile(png, SCREENSHOT_COPY)
    print(f"screenshot: {SCREENSHOT_COPY}")
    assert pngread.size(png) == (WIDTH, HEIGHT)
    pixels = pngread.read(png)[:, :, :3].astype(np.int32)
    packed = (pixels[:, :, 0] << 16) | (pixels[:, :, 1] << 8) | pixels[:, :, 2]
    assert len(np.unique(packed)) > 300  # text and charts, not a blank page
    colours = set(np.unique(packed).tolist())
    colour_hex = {r["colour"]: r["colour_hex"] for r in _seed("colours")}
    for status in {s for (s,) in _sql("select distinct status from marts.fct_kpi_status where as_of_date = %s "
                                      "and year = %s and org_unit_code = 'ALL'", AS_OF, AS_OF.year)}:
        # every status of today shows in its seed colour (the counts chart)
        assert int(colour_hex[STATUS[status]["colour"]].lstrip("#"), 16) in colours, status
    assert int("1f3a5f", 16) in colours  # the masthead rule is drawn with its CSS


# --- the annual report --------------------------------------------------------------------------

def _final_rows(year: int, as_of: date) -> dict[str, dict]:
    with warehouse.connect() as conn:
        rows = warehouse.fetch_dicts(conn, """
            select f.kpi_code, f.status, f.actual_value, f.target_value, f.numerator, f.denominator, f.status_reason,
                   l.actual_text, l.status_zh, k.direction, k.kpi_kind, k.goal_seq, k.strategic_goal_zh,
                   k.evaluation_system, k.evaluation_method_zh, k.measure_standard_zh, t.target_text_zh
            from marts.fct_kpi_status f
            join marts.kpi_status_labelled l using (as_of_date, kpi_code, year, org_unit_code)
            join marts.dim_kpi k using (kpi_code)
            join marts.dim_kpi_target t using (kpi_code, year)
            where f.year = %s and f.as_of_date = %s and f.org_unit_code = 'ALL'""", (year, as_of))
    return {r["kpi_code"]: r for r in rows}


def _achievement(r: dict) -> float | None:
    a, t = r["actual_value"], r["target_value"]
    if a is None or t is None:
        return None
    if r["direction"] == "lower":
        return float(t / a) if a > 0 and t > 0 else None
    return float(a / t) if t != 0 else None


@pytest.fixture(scope="module")
def annual_files(built):
    res = run_kpi("annual-report", "--year", "113")
    assert res.returncode == 0, res.stderr[-3000:]
    out = built / "annual" / "2024"
    files = {p.suffix: p for p in out.iterdir()}
    assert set(files) == {".odt", ".docx", ".xlsx"}
    return files


def test_annual_xlsx_holds_every_indicator_with_the_warehouse_values(annual_files):
    from openpyxl import load_workbook

    rows = _final_rows(2024, AS_OF)
    assert len(rows) == len(declarations.kpi_codes())
    ws = load_workbook(annual_files[".xlsx"]).active
    values = list(ws.values)
    head = next(i for i, v in enumerate(values) if v and v[0] == "類別")
    cols = {name: i for i, name in enumerate(values[head])}
    body = [v for v in values[head + 1:] if v and v[0]]
    assert [v[cols["指標代碼"]] for v in body] == sorted(rows, key=lambda k: (rows[k]["kpi_kind"] == "common",
                                                                          rows[k]["goal_seq"], k))
    for v in body:
        r = rows[v[cols["指標代碼"]]]
        assert v[cols["實際值"]] == r["actual_text"]
        assert v[cols["達成情形"]] == r["status_zh"]
        assert v[cols["年度目標值"]] == r["target_text_zh"]
        assert v[cols["評估體制"]] == r["evaluation_system"] and v[cols["評估方式"]] == r["evaluation_method_zh"]
        assert v[cols["衡量標準"]] == r["measure_standard_zh"]
        for name, key in (("實際值（數值）", "actual_value"), ("分子", "numerator"), ("分母", "denominator")):
            assert (v[cols[name]] is None) == (r[key] is None), (r["kpi_code"], name)
            if r[key] is not None:
                assert abs(Decimal(str(v[cols[name]])) - r[key]) < Decimal("1e-6"), (r["kpi_code"], name)
        want = _achievement(r)
        assert (v[cols["達成度"]] is None) == (want is None), r["kpi_code"]
        if want is not None:
            assert abs(v[cols["達成度"]] - want) < 1e-9, r["kpi_code"]
        if r["status"] == "missed":  # a miss with no explanation says so
            assert "落後說明" in v[cols["落後說明／備註"]]
    # lower is better: the ratio is inverted (K7.1 days)
    k71 = next(v for v in body if v[cols["指標代碼"]] == "K7.1")
    if rows["K7.1"]["actual_value"]:
        assert abs(k71[cols["達成度"]] - float(rows["K7.1"]["target_value"] / rows["K7.1"]["actual_value"])) < 1e-9


def test_annual_docx_and_odt_hold_the_same_rows_grouped_by_goal(annual_files):
    from docx import Document as Docx
    from odfdo import Document as Odt

    rows = _final_rows(2024, AS_OF)
    docx = Docx(str(annual_files[".docx"]))
    docx_rows = {t.rows[i].cells[0].text: [c.text for c in t.rows[i].cells]
                 for t in docx.tables for i in range(1, len(t.rows))}
    odt = Odt(str(annual_files[".odt"]))
    odt_rows = {}
    for table in odt.body.get_tables():
        for row in table.get_rows()[1:]:
            texts = [c.get_value() if isinstance(c.get_value(), str) else str(c.get_value()) for c in row.get_cells()]
            odt_rows[texts[0]] = texts
    for name, got in (("docx", docx_rows), ("odt", odt_rows)):
        assert set(got) == set(rows), name
        for code, r in rows.items():
            cells = got[code]
            assert cells[annual.COLUMNS.index("實際值")] == r["actual_text"], (name, code)
            assert cells[annual.COLUMNS.index("達成情形")] == r["status_zh"], (name, code)
            assert cells[annual.COLUMNS.index("年度目標值")] == r["target_text_zh"], (name, code)
    # one table per strategic goal, headed by it, as in the plan's table
    goals = {(r["kpi_kind"], r["goal_seq"]) for r in rows.values()}
    assert len(docx.tables) == len(goals) == len(odt.body.get_tables())
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    for r in rows.values():
        assert any(r["strategic_goal_zh"] in h for h in headings)
    assert "113年度（2024）" in docx.paragraphs[0].text


def test_annual_report_of_an_open_year_is_refused(built):
    res = run_kpi("annual-report", "--year", "2025")
    assert res.returncode != 0 and "114年（2025）尚未結束" in res.stderr
    assert not (built / "annual" / "2025").exists()
    res = run_kpi("annual-report", "--year", "abc")
    assert res.returncode != 0 and "不是年份" in res.stderr


def test_year_end_indicator_waiting_for_december_says_so(annual_files):
    """Without the December workbook C1.1 is pending: the report says what it waits for instead of
    guessing a value, in every format."""
    from docx import Document as Docx
    from openpyxl import load_workbook

    c11 = _final_rows(2024, AS_OF)["C1.1"]
    assert c11["status"] == "pending" and c11["actual_value"] is None
    ws = load_workbook(annual_files[".xlsx"]).active
    values = list(ws.values)
    head = next(i for i, v in enumerate(values) if v and v[0] == "類別")
    cols = {name: i for i, name in enumerate(values[head])}
    row = next(v for v in values[head + 1:] if v and v[cols["指標代碼"]] == "C1.1")
    assert row[cols["實際值（數值）"]] is None and row[cols["達成度"]] is None
    assert row[cols["達成情形"]] == STATUS["pending"]["status_zh"]
    assert "12 月份資料" in row[cols["落後說明／備註"]] and "不予推估" in row[cols["落後說明／備註"]]
    docx = Docx(str(annual_files[".docx"]))
    cells = next([c.text for c in t.rows[i].cells] for t in docx.tables for i in range(1, len(t.rows))
                 if t.rows[i].cells[0].text == "C1.1")
    assert cells[annual.COLUMNS.index("實際值")] == "—" and "不予推估" in cells[-1]


def test_year_is_read_as_roc_or_gregorian():
    assert annual.parse_year("113") == annual.parse_year("2024") == 2024
    with pytest.raises(ValueError):
        annual.parse_year("11a")


# --- explanations and projections, once the other issues put them in the warehouse ---------------

def test_explanations_and_projections_show_when_the_warehouse_has_them(built, tmp_path):
    """Explanations received between the two dates and a projection in the marts (S7 and issue 12):
    the documents show them. Rows planted for this test, removed after it."""
    flagged = _sql("select kpi_code from marts.fct_kpi_status where as_of_date = %s and year = 2024 "
                   "and org_unit_code = 'ALL' and status = 'missed' order by kpi_code limit 1", AS_OF)
    projection_cols = "projected_year_end, projected_low, projected_high, projected_status, projection_reason"
    k72 = "as_of_date = %s and org_unit_code = 'ALL' and kpi_code = 'K7.2' and year = 2025"
    saved = _sql(f"select {projection_cols} from marts.fct_kpi_status where {k72}", AS_OF)
    with warehouse.connect() as conn:
        conn.execute("insert into marts.fct_kpi_explanations (kpi_code, org_unit_code, year, as_of_date, lag_reason, "
                     "improvement_action, expected_improvement_date, received_date, source_file) values "
                     "('K7.2', 'ALL', 2025, %s, '人力不足', '增聘人員', '2025-06-30', '2025-02-20', "
                     "'explanations/x.xlsx')",
                     (AS_OF,))
        if flagged:
            conn.execute("insert into marts.fct_kpi_explanations (kpi_code, org_unit_code, year, as_of_date, "
                         "lag_reason, improvement_action, expected_improvement_date, received_date, source_file) "
                         "values (%s, 'ALL', 2024, %s, '年度預算延宕', '專案追蹤', '2025-04-30', '2025-01-20', "
                         "'explanations/y.xlsx')",
                         (flagged[0][0], AS_OF))
        conn.execute(f"update marts.fct_kpi_status set projected_year_end = target_value, "
                     f"projected_low = target_value * 0.9, projected_high = target_value * 1.1, "
                     f"projected_status = 'missed', projection_reason = '依目前速度推估' "
                     f"where {k72}", (AS_OF,))
    try:
        res = run_kpi("briefing", "--as-of", AS_OF.isoformat(), "--since", MIDDLE.isoformat(), "--no-pdf")
        assert res.returncode == 0, res.stderr[-3000:]
        html = (built / "briefings" / AS_OF.isoformat() / "briefing.html").read_text(encoding="utf-8")
        explained = _rows(_section(html, "explanations"))
        assert set(explained) == {("K7.2", "ALL")}  # received 2025-02-20, inside MIDDLE..AS_OF; 2025-01-20 is not
        assert "人力不足" in explained[("K7.2", "ALL")] and "114/06/30" in explained[("K7.2", "ALL")]
        outlook = _rows(_section(html, "outlook"))
        target = _sql("select target_text from marts.kpi_status_labelled where as_of_date = %s and kpi_code = 'K7.2' "
                      "and org_unit_code = 'ALL' and is_as_of_year", AS_OF)[0][0]
        assert STATUS["missed"]["status_zh"] in outlook[("K7.2", "ALL")] and target in outlook[("K7.2", "ALL")]
        if flagged:
            rep = annual.fetch(2024)
            row = next(r for r in rep.rows if r["kpi_code"] == flagged[0][0])
            assert "年度預算延宕" in row["note"] and "專案追蹤" in row["note"]
    finally:
        with warehouse.connect() as conn:
            conn.execute("delete from marts.fct_kpi_explanations where source_file in "
                         "('explanations/x.xlsx', 'explanations/y.xlsx')")
            if saved:
                conn.execute(f"update marts.fct_kpi_status set ({projection_cols}) = (%s, %s, %s, %s, %s) where {k72}",
                             (*saved[0], AS_OF))

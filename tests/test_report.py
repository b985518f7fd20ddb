"""The HTML report of an as-of date (issue 5): built from a real warehouse (demo data loaded by the
engine, dbt built for a range of as-of dates, one broken delivery), checked against the warehouse's own
numbers, then opened in headless Chromium and photographed."""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path

import numpy as np
import pngread
import pytest
from conftest import run_kpi
from pii import personal_data

from kpi import dbt_render, declarations, labels, pipeline, status_table, warehouse
from kpi.demo import write_landing
from kpi.loaders import engine, source_names
from kpi.report import charts, dbt_docs
from kpi.report import data as report_data

EARLIER, AS_OF = date(2025, 2, 20), date(2025, 3, 5)
BROKEN = "budget/budget_broken.xlsx"
CHROMIUM = os.environ.get("KPI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")
WIDTH, HEIGHT = 1280, 5000


@pytest.fixture(scope="module")
def built(warehouse_db, tmp_path_factory, monkeypatch_module):
    """Demo landing (small scale) plus one unreadable workbook, loaded by the engine; dbt built once
    for every as-of date from EARLIER to AS_OF, so each chart has a line of days; then the nightly
    publish step for AS_OF."""
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    write_landing(landing, date(2025, 3, 10), scale=0.05)
    (landing / BROKEN).write_bytes(b"this is not a workbook")
    for name in source_names():
        engine.load(name)
    target = tmp_path_factory.mktemp("dbt_target")
    dbt_render.dbt("build", as_of=EARLIER, as_of_to=AS_OF, target_path=target)
    out = Path(pipeline.publish(AS_OF))
    return landing, out


@pytest.fixture(scope="module")
def html(built) -> str:
    _, out = built
    return (out / "report.html").read_text(encoding="utf-8")


def _sql(query: str, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


def _section(html: str, name: str) -> str:
    m = re.search(rf'<section id="{name}">(.*?)</section>', html, re.S)
    assert m, f"section {name} missing"
    return m.group(1)


def _svg(html: str, kind: str, code: str) -> str:
    m = re.search(rf'<svg class="chart {kind}" data-kpi="{re.escape(code)}".*?</svg>', html, re.S)
    assert m, f"{kind} chart of {code} missing"
    return m.group(0)


# --- what is in it -------------------------------------------------------------------------------

def test_publish_writes_the_report_next_to_the_status_files_and_the_dbt_docs(built, html):
    _, out = built
    assert {p.name for p in out.iterdir()} >= {"kpi_status.json", "kpi_status.txt", "report.html", "dbt-docs.html"}
    docs = (out / "dbt-docs.html").read_text(encoding="utf-8")
    assert "fct_kpi_status" in docs and len(docs) > 100_000  # manifest and catalog built in
    assert 'href="dbt-docs.html"' in html
    size = (out / "report.html").stat().st_size
    assert 20_000 < size < 1_500_000, size


def test_as_of_date_in_roc_and_gregorian_form(html):
    assert "民國114年3月5日（2025-03-05）" in html
    assert labels.roc_date_long(AS_OF) == "民國114年3月5日（2025-03-05）"
    assert '<html lang="zh-Hant-TW">' in html and '<meta charset="utf-8">' in html


def test_status_counts_equal_the_warehouse(html):
    expected = dict(_sql("select status, count(*) from marts.fct_kpi_status where as_of_date = %s and year = %s "
                         "and org_unit_code = 'ALL' group by status", AS_OF, AS_OF.year))
    tiles = dict(re.findall(r'<div class="tile[^"]*" data-status="(\w+)" style="[^"]*"><span class="n">(\d+)</span>',
                            _section(html, "summary")))
    assert set(tiles) == set(labels.STATUS_ORDER)
    assert {s: int(n) for s, n in tiles.items()} == {s: expected.get(s, 0) for s in labels.STATUS_ORDER}
    assert sum(expected.values()) == len(declarations.kpi_codes())
    # each tile in its status colour
    for status in expected:
        assert f'data-status="{status}" style="--c:{charts.status_hex(status)};' in html


def test_flagged_indicators_come_first_with_their_reasons(html):
    flagged = _sql("select kpi_code, status_reason from marts.fct_kpi_status where as_of_date = %s and year = %s "
                   "and org_unit_code = 'ALL' and status = any(%s)", AS_OF, AS_OF.year, list(labels.FLAGGED))
    assert flagged, "the demo data at this date should flag something"
    table = re.search(r'<table class="flagged">(.*?)</table>', _section(html, "flagged"), re.S).group(1)
    rows = dict(re.findall(r'<tr class="flag" data-kpi="([^"]+)"(.*?)</tr>', table, re.S))
    assert set(rows) == {code for code, _ in flagged}
    for code, reason in flagged:
        assert escape(reason) in rows[code]
    # the per-indicator cards: flags first, in the order of the status table
    cards = re.findall(r'<article class="card" id="[^"]+" data-kpi="([^"]+)" data-status="(\w+)"',
                       _section(html, "indicators"))
    assert [c for c, _ in cards] == [r["kpi_code"] for r in status_table.fetch(AS_OF)]
    statuses = [s in labels.FLAGGED for _, s in cards]
    assert statuses == sorted(statuses, reverse=True)
    # the summary appears before the flags, the flags before the charts
    assert html.index('id="summary"') < html.index('id="flagged"') < html.index('id="indicators"')


def test_one_chart_per_indicator_with_every_run_of_the_year(html):
    codes = re.findall(r'<svg class="chart trend" data-kpi="([^"]+)"', html)
    assert sorted(codes) == sorted(c for (c,) in _sql("select kpi_code from marts.dim_kpi"))
    runs = dict(_sql("select kpi_code, count(*) from marts.fct_kpi_status where year = %s and org_unit_code = 'ALL' "
                     "and as_of_date <= %s and actual_value is not null group by kpi_code", AS_OF.year, AS_OF))
    assert runs["K9.1"] == (AS_OF - EARLIER).days + 1
    for code in codes:
        svg = _svg(html, "trend", code)
        assert svg.count('class="point"') == runs.get(code, 0), code
        assert 'class="target"' in svg
    # counts show the expected trajectory, and the latest value is labelled
    k91 = _svg(html, "trend", "K9.1")
    assert 'class="expected"' in k91
    (actual,) = _sql("select actual_value from marts.fct_kpi_status where as_of_date = %s and kpi_code = 'K9.1' "
                     "and year = %s and org_unit_code = 'ALL'", AS_OF, AS_OF.year)[0]
    assert f"實際 {float(actual):,.0f} 件" in k91


def test_charts_show_the_seasonal_path_and_the_year_end_projection(html):
    """docs/foresight.md: the seasonal path beside the plan's line, the cone to 31 Dec with the
    projected value and its range, the projection sentence, and a 年底推估 column of flagged rows."""
    (projected, low, high, reason, word), = _sql(
        "select f.projected_year_end, f.projected_low, f.projected_high, f.projection_reason, l.projected_status_zh "
        "from marts.fct_kpi_status as f join raw.projection_labels as l using (projected_status) "
        "where as_of_date = %s and kpi_code = 'K9.1' and year = %s and org_unit_code = 'ALL'", AS_OF, AS_OF.year)
    k91 = _svg(html, "trend", "K9.1")
    assert 'class="seasonal"' in k91 and 'class="cone"' in k91 and 'class="expected"' in k91
    assert f"年底推估 {float(projected):,.0f}（{float(low):,.0f}–{float(high):,.0f}）" in k91
    assert f"年底推估（{word}）：{escape(reason)}" in html
    # a ratio has no seasonal shape yet: no cone, no seasonal line
    k72 = _svg(html, "trend", "K7.2")
    assert 'class="seasonal"' not in k72 and 'class="cone"' not in k72
    assert "<th>年底推估</th>" in _section(html, "flagged")


def test_department_breakdown_worst_first(html):
    per_dept = [c for (c,) in _sql("select kpi_code from marts.dim_kpi where per_department")]
    section = _section(html, "departments")
    shown = re.findall(r'<svg class="chart departments" data-kpi="([^"]+)"', section)
    assert shown and set(shown) <= set(per_dept)
    for code in shown:
        direction = _sql("select direction from marts.dim_kpi where kpi_code = %s", code)[0][0]
        rows = _sql("select org_unit_code, actual_value, status from marts.fct_kpi_status where as_of_date = %s "
                    "and year = %s and kpi_code = %s and org_unit_code <> 'ALL' and actual_value is not null "
                    f"order by actual_value {'desc' if direction == 'lower' else 'asc'}, org_unit_code",
                    AS_OF, AS_OF.year, code)
        drawn = re.findall(r'<g class="dept" data-org="([^"]+)" data-status="(\w+)"',
                           _svg(section, "departments", code))
        assert drawn[:len(rows)] == [(org, status) for org, _, status in rows], code
    # K7.2 (petitions, per 承辦機關) has departments behind in the demo data: named in the flags section too
    behind = [org for org, _, status in _sql(
        "select org_unit_name_zh, 1, status from marts.fct_kpi_status where as_of_date = %s and year = %s "
        "and kpi_code = 'K7.2' and org_unit_code <> 'ALL' and status = 'behind'", AS_OF, AS_OF.year)]
    for name in behind:
        assert name in _section(html, "flagged")


def test_data_quality_numbers_equal_the_load_ledger(html):
    quality = _section(html, "quality")
    loads = re.search(r'<table class="loads">(.*?)</table>', quality, re.S).group(1)
    ledger = _sql("select source, count(distinct object_name) filter (where status = 'loaded'), "
                  "count(*) filter (where status = 'loaded'), sum(rows_read) filter (where status = 'loaded'), "
                  "sum(rows_loaded) filter (where status = 'loaded'), "
                  "sum(rows_rejected) filter (where status = 'loaded'), "
                  "count(*) filter (where status = 'failed') from raw.load_ledger group by source")
    assert {r[0] for r in ledger} == set(source_names())
    for source, objects, loads_n, read, loaded, rejected, failed in ledger:
        row = re.search(rf'<tr data-source="{source}">(.*?)</tr>', loads, re.S).group(1)
        cells = {k: int(v.replace(",", ""))
                 for k, v in re.findall(r'data-k="(\w+)">(?:<span class=bad>)?([\d,]+)', row)}
        assert cells == {"objects": objects, "loads": loads_n, "rows_read": read or 0, "rows_loaded": loaded or 0,
                         "rows_rejected": rejected or 0, "failed_objects": failed}, source
    # the broken workbook: listed with the loader's reason
    (error,) = _sql("select error from raw.load_ledger where status = 'failed' and object_name = %s", BROKEN)[0]
    failures = re.search(r'<table class="failures">(.*?)</table>', quality, re.S).group(1)
    assert BROKEN in failures and escape(error) in failures
    # set-aside rows: the total and per file, reasons without the offending values
    total = _sql("select count(*) from raw.rejected_rows")[0][0]
    assert total > 0
    assert f"目前共剔除 <b>{total:,}</b> 列" in quality
    top_file, top_rows = _sql(
        "select object_name, count(*) from raw.rejected_rows group by 1 order by 2 desc, 1 limit 1")[0]
    assert re.search(rf"<td>{re.escape(top_file)}</td><td class=\"num\">{top_rows:,}</td>", quality)
    freshness = re.search(r'<table class="freshness">(.*?)</table>', quality, re.S).group(1)
    assert freshness.count("<tr data-source=") == _sql(
        "select count(*) from marts.fct_source_freshness where as_of_date = %s", AS_OF)[0][0]


def test_nothing_is_fetched_and_no_personal_data(built, html):
    landing, _ = built
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)", html, re.I)  # url(#id): in-page clip
    assert "Noto Sans CJK TC" in html  # a CJK font stack, not the browser's default
    pii = personal_data(landing)
    assert len(pii) > 20
    assert not [v for v in pii if v in html]


def test_reasons_are_shown_by_kind_without_the_value(built, tmp_path):
    """A source without personal data may quote a bad value in its reason (for engineers); the report
    words the kind of fault only. The small demo has no such row, so one is planted for this render."""
    from kpi import report

    reason = "執行數 (spent_amount): not a number: '12,3x4'"
    with warehouse.connect() as conn:
        conn.execute("insert into raw.rejected_rows (source, object_name, record_ref, line, reason, load_id)"
                     " select source, object_name, 'planted-by-test', 99, %s, load_id from raw.load_ledger"
                     " where source = 'budget' and status = 'loaded' order by load_id limit 1", (reason,))
        conn.commit()
    try:
        html = report.write_report(AS_OF, tmp_path / "planted.html").read_text(encoding="utf-8")
    finally:
        with warehouse.connect() as conn:
            conn.execute("delete from raw.rejected_rows where record_ref = 'planted-by-test'")
            conn.commit()
    assert "執行數 (spent_amount)" in html
    assert "12,3x4" not in html and escape(reason) not in html


def test_kpi_report_command(built, tmp_path):
    out = tmp_path / "on-demand.html"
    res = run_kpi("report", "--as-of", AS_OF.isoformat(), "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert str(out) in res.stdout and f"{out.stat().st_size:,} bytes" in res.stdout
    assert "民國114年3月5日（2025-03-05）" in out.read_text(encoding="utf-8")
    # the default as-of date is the latest in the warehouse; no docs next to it, so no link
    res = run_kpi("report", "--output", str(tmp_path / "latest.html"))
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "latest.html").read_text(encoding="utf-8")
    assert "（2025-03-05）" in text and "dbt-docs.html" not in text


def test_report_still_publishes_when_dbt_docs_fail(built, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("KPI_REPORTS_DIR", str(tmp_path))

    def broken(out_dir, as_of=None):
        (out_dir / dbt_docs.FILE_NAME).write_text("half written")
        raise RuntimeError("dbt docs generate failed: boom")
    monkeypatch.setattr(dbt_docs, "publish", broken)
    with caplog.at_level(logging.WARNING, logger="kpi.pipeline"):
        out = Path(pipeline.publish(AS_OF))
    assert (out / "report.html").exists() and not (out / dbt_docs.FILE_NAME).exists()
    assert "dbt-docs.html" not in (out / "report.html").read_text(encoding="utf-8")
    assert "dbt docs not published" in caplog.text and "boom" in caplog.text


def test_single_run_chart_labels_its_value():
    row = {"kpi_code": "K6.2", "kpi_name_zh": "召開訴願審議委員會會議", "year": 2025, "value_format": "count",
           "unit_zh": "次", "target_value": 4, "target_text": "4 次", "measure_type": "cumulative",
           "progress_rule": "linear", "deadlines": None, "tolerance": 0, "direction": "higher", "status": "behind",
           "status_zh": "落後", "year_fraction": 64 / 365, "path": []}
    point = {"as_of_date": AS_OF, "year_fraction": 64 / 365, "actual_value": 0, "actual_text": "0 次",
             "status": "behind", "status_zh": "落後"}
    svg = charts.trend_chart(row, [point], AS_OF)
    assert svg.count('class="point"') == 1 and "實際 0 次" in svg and "目標 4 次" in svg
    assert "基準日 3/5" in svg
    empty = charts.trend_chart({**row, "status": "no_data", "status_zh": "無資料"}, [], AS_OF)
    assert 'class="point"' not in empty and "尚無實際值（無資料）" in empty


def test_expected_trajectory_follows_the_rules(built):
    """marts.kpi_expected_path (drawn by the report) against the rules of docs/indicators.md#expected-path,
    and the chart's steps drawn from it."""
    def path(code):
        return [dict(zip(("day", "date_day", "year_fraction", "target", "expected_value", "band_low", "band_high"), r))
                for r in _sql("select day_of_year, date_day, year_fraction, target_value, expected_value, band_low, "
                              "band_high from marts.kpi_expected_path where kpi_code = %s and year = 2025 "
                              "order by day_of_year", code)]
    linear = path("K6.2")  # ⌊T × f⌋: steps up T times, the first on the first day with T × d / 365 ≥ 1
    t = int(linear[0]["target"])
    first = next(p["day"] for p in linear if p["expected_value"] >= 1)
    assert len(linear) == 366 and first == -(-365 // t) and linear[-1]["expected_value"] == t
    assert [p["expected_value"] for p in linear] == [(t * p["day"]) // 365 for p in linear]
    assert linear[0]["band_low"] is None  # counts have no band
    steps = charts.expected_path({"measure_type": "cumulative", "path": linear})
    assert steps[1] == (pytest.approx(first / 365), 0) and steps[2] == (pytest.approx(first / 365), 1)
    assert steps[-1] == (1.0, t) and len({v for _, v in steps}) == t + 1
    deadlines = {p["date_day"]: p["expected_value"] for p in path("K5.4")}  # 06-30 and 11-30
    assert deadlines[date(2025, 6, 29)] == 0 and deadlines[date(2025, 6, 30)] == 1
    assert deadlines[date(2025, 11, 29)] == 1 and deadlines[date(2025, 11, 30)] == 2 == deadlines[date(2025, 12, 31)]
    k72, k71, c31 = path("K7.2")[100], path("K7.1")[100], path("C3.1")
    assert (k72["band_low"], k72["band_high"]) == (k72["target"] - Decimal("0.05"), k72["target"])  # higher
    assert (k71["band_low"], k71["band_high"]) == (k71["target"], k71["target"] + Decimal("0.2"))  # lower
    assert k72["expected_value"] is None  # judged against the flat target
    assert (c31[0]["band_low"], c31[0]["band_high"]) == (Decimal("-0.05"), 0)  # pro-rated: below T × f
    assert c31[-1]["expected_value"] == c31[-1]["target"] == c31[-1]["band_high"]
    band = charts.tolerance_band({"path": c31})
    assert len(band) == 4 and band[0] == (0.0, pytest.approx(-0.05)) and band[1][0] == 1.0


def test_reason_kind_drops_the_offending_value():
    kind = report_data.reason_kind
    assert kind("辦理日期 (event_date): not a date: '112/02/30'") == "辦理日期 (event_date): not a date"
    assert kind("recv_electronic 17 exceeds recv_total 8") == "recv_electronic … exceeds recv_total …"
    assert report_data.reason_kind("closed_days_sum is negative: -3.5") == "closed_days_sum is negative: …"


def test_reasons_read_in_traditional_chinese():
    kind = report_data.reason_kind
    zh = report_data.reason_zh
    assert zh(kind("辦理日期 (event_date): not a date: '112/02/30'")) == "辦理日期 (event_date)：日期無法辨識"
    assert report_data.reason_zh(kind("recv_electronic 17 exceeds recv_total 8")) == "recv_electronic 大於 recv_total"
    assert report_data.reason_zh(kind("closed_days_sum is negative: -3.5")) == "closed_days_sum 為負數"
    assert (report_data.reason_zh(kind("處理狀態 (status): not one of 處理中/已結案/已撤案: '審核中'"))
            == "處理狀態 (status)：不在允許值之內（處理中/已結案/已撤案）")
    assert report_data.reason_zh("something new") == "something new"


def test_reasons_without_a_value_read_the_same():
    """A source with personal data words its reasons without the offending value."""
    kind = report_data.reason_kind
    assert report_data.reason_zh(kind("受理日期 (received_at): not a datetime")) \
        == "受理日期 (received_at)：日期時間無法辨識"
    assert report_data.reason_zh(kind("分母 (denominator) is negative")) == "分母 (denominator) 為負數"
    assert report_data.reason_zh(kind("數量 is above 12")) == "數量 超過上限"
    assert report_data.reason_zh(kind("電子收文 exceeds 收文總數")) == "電子收文 大於 收文總數"


# --- what a person sees ---------------------------------------------------------------------------

def test_report_renders_in_headless_chromium(built, tmp_path, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        reason = f"chromium not found at {CHROMIUM} (Debian: apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("KPI_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    _, out = built
    png = tmp_path / "report.png"
    res = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={WIDTH},{HEIGHT}",
         f"--screenshot={png}", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    assert png.exists(), res.stderr[-3000:]
    stable = tmp_path_factory.getbasetemp() / "output" / "report.png"
    stable.parent.mkdir(exist_ok=True)
    shutil.copyfile(png, stable)
    shutil.copyfile(png, SCREENSHOT_COPY)
    print(f"screenshot: {stable} (copy at {SCREENSHOT_COPY})")

    assert pngread.size(png) == (WIDTH, HEIGHT)
    pixels = pngread.read(png)[:, :, :3].astype(np.int32)
    packed = (pixels[:, :, 0] << 16) | (pixels[:, :, 1] << 8) | pixels[:, :, 2]
    assert len(np.unique(packed)) > 500  # text, charts and colours, not a blank page

    def hexrgb(h: str) -> int:
        return int(h.lstrip("#"), 16)
    assert packed[40, WIDTH // 2] == hexrgb("#1f3a5f")  # the masthead is drawn with its CSS
    colours = set(np.unique(packed).tolist())
    statuses = {s for (s,) in _sql("select distinct status from marts.fct_kpi_status where as_of_date = %s "
                                   "and year = %s and org_unit_code = 'ALL'", AS_OF, AS_OF.year)}
    for status in statuses:  # every status present shows in its colour (summary tiles and bar)
        assert hexrgb(charts.status_hex(status)) in colours, status

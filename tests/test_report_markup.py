"""The report's pieces without a warehouse: the chart scales (data -> SVG coordinates) with hand-made
numbers, and the templates' escaping of what department staff typed."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from kpi import config
from kpi.report import charts, page
from kpi.report.data import Indicator, ReportData, SourceLoads

AS_OF = date(2025, 3, 5)
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _row(**over) -> dict:
    """A city-wide row as marts.kpi_status_labelled gives it (the columns the report reads)."""
    return {"kpi_code": "K6.2", "kpi_name_zh": "召開訴願審議委員會會議", "year": 2025, "value_format": "count",
            "unit_zh": "次", "target_value": 4, "target_text": "4 次", "measure_type": "cumulative",
            "progress_rule": "linear", "deadlines": None, "tolerance": 0, "direction": "higher",
            "status": "behind", "status_zh": "落後", "year_fraction": 0.5, "path": [], "actual_value": 2,
            "actual_text": "2 次", "is_flagged": True, "status_reason": "應有進度 2 次，實際 2 次",
            "strategic_goal_zh": "廉能政府", "measure_standard_zh": "年度召開次數", "target_basis": "plan",
            "source_fresh": True, **over}


def _point(fraction: float, value: float) -> dict:
    return {"as_of_date": AS_OF, "year_fraction": fraction, "actual_value": value, "actual_text": f"{value:g} 次",
            "status": "behind", "status_zh": "落後"}


# --- scales -------------------------------------------------------------------------------------------

def test_scale_maps_values_onto_coordinates():
    assert charts.Scale(0.0, 1.0, 64, 584)(0.5) == 324
    y = charts.Scale(0.0, 5.0, 220, 28)  # a y axis grows downwards
    assert y(0) == 220 and y(5) == 28 and y(4) == pytest.approx(66.4)


def test_value_range_counts_from_zero_and_pads_other_values():
    assert charts.value_range(_row(), [0.0, 4.0], []) == (0.0, pytest.approx(4.32))  # counts: 0 .. 8 % above
    share = _row(measure_type="ratio", value_format="percent")
    # values 0.6..0.8, band 0.55..0.85: a quarter of the 0.3 span on each side, kept under 100 %
    assert charts.value_range(share, [0.6, 0.8], [0.55, 0.85]) == (pytest.approx(0.475), pytest.approx(0.925))
    assert charts.value_range(share, [0.9, 1.0], [])[1] == 1.0  # never above 100 % for a share
    assert charts.value_range(_row(measure_type="mean", value_format="days"), [3.0, 3.0], []) == (2.75, 3.25)


def test_month_ticks_start_each_month_and_label_mid_month():
    months = charts.month_ticks(2025)
    assert len(months) == 12 and months[0] == (0.0, 15 / 365, 1)
    assert months[2] == (59 / 365, 74 / 365, 3)  # 1 March 2025 is day 59 after 1 January
    assert charts.month_ticks(2024)[2][0] == 60 / 366  # a leap year


def test_trend_layout_coordinates():
    """Target 4, one run with 2 at mid-year, 600 x 250 with margins 64/16/28/30: ticks 0, 2, 4, 6
    (0 .. 4 × 1.08 in steps of 2) from y 220 (the baseline) up to 28; x from 64 to 584."""
    c = charts.trend_layout(_row(), [_point(0.5, 2)], AS_OF)
    assert [t["label"] for t in c["y_ticks"]] == ["0", "2", "4", "6"]
    assert [t["y"] for t in c["y_ticks"]] == pytest.approx([220, 156, 92, 28])
    assert c["target"] == {"y": pytest.approx(92), "label_y": pytest.approx(87), "text": "4 次"}
    (p,) = c["actual"]["points"]
    assert (p["cx"], p["cy"], p["r"]) == (pytest.approx(324), pytest.approx(156), 5.5)
    assert c["actual"]["line"] is None  # one run: a point, no line
    assert c["actual"]["label"] == {"x": pytest.approx(333), "y": pytest.approx(147), "anchor": "start",
                                    "fill": charts.status_text_hex("behind"), "text": "實際 2 次"}
    assert c["as_of"] == {"x": pytest.approx(324), "anchor": "start", "label_x": pytest.approx(328),
                          "text": "基準日 3/5"}
    assert c["months"][0] == {"x": 64, "label_x": pytest.approx(64 + 520 * 15 / 365), "month": 1}
    late = charts.trend_layout(_row(year_fraction=0.95), [_point(0.5, 1), _point(0.95, 5.5)], AS_OF)
    assert late["as_of"]["anchor"] == "end" and late["actual"]["label"]["anchor"] == "end"
    # ticks 0..6: 5.5 sits at y 44, too near the top for its label above, so the label goes below
    assert late["actual"]["line"] == [(pytest.approx(324), pytest.approx(188)), (pytest.approx(558), pytest.approx(44))]
    assert late["actual"]["label"]["y"] == pytest.approx(44 + 18)


def test_trend_chart_draws_the_layout():
    svg = charts.trend_chart(_row(), [_point(0.5, 2)], AS_OF)
    assert '<circle cx="324.0" cy="156.0" r="5.5"' in svg
    assert '<line x1="64" x2="584" y1="92.0" y2="92.0" stroke="#1f4e79" stroke-width="1.6" class="target"/>' in svg
    assert '<text x="333.0" y="147.0" text-anchor="start" class="value"' in svg


def test_department_layout_bars_worst_first():
    depts = [{"org_unit_code": "A", "org_unit_name_zh": "甲", "actual_value": 3, "actual_text": "3 次",
              "status": "on_track", "is_flagged": False, "status_reason": None},
             {"org_unit_code": "B", "org_unit_name_zh": "乙", "actual_value": 1, "actual_text": "1 次",
              "status": "behind", "is_flagged": True, "status_reason": "落後"}]
    c = charts.department_layout(_row(), depts)
    # 0 .. 4 × 1.04 in steps of 1 -> ticks 0..5 over x 132..522 (600 - 78): 78 per step
    assert [t["x"] for t in c["x_ticks"]] == pytest.approx([132, 210, 288, 366, 444, 522])
    assert [b["d"]["org_unit_code"] for b in c["bars"]] == ["B", "A"]
    assert [b["cy"] for b in c["bars"]] == [37, 59] and c["bottom_y"] == 70 and c["frame"].height == 96
    assert [b["width"] for b in c["bars"]] == pytest.approx([78, 234])
    assert c["target"]["x"] == pytest.approx(444) and c["band"] is None  # no tolerance, no band


# --- escaping -------------------------------------------------------------------------------------------

def _hostile_report() -> ReportData:
    """A report whose department name, explanation and reason hold markup, as a returned template may."""
    row = _row(kpi_name_zh=f"指標{HOSTILE}", status_reason=f"原因{HOSTILE}")
    dept = {"org_unit_code": "X1", "org_unit_name_zh": HOSTILE, "actual_value": 1, "actual_text": "1 次",
            "status": "behind", "is_flagged": True, "status_reason": HOSTILE}
    ind = Indicator(row, history=[_point(0.5, 2)], departments=[dept])
    explanation = {"explanation_reason": HOSTILE, "explanation_action": '"><img src=x onerror=alert(1)>',
                   "explanation_expected_date": None}
    return ReportData(
        as_of=AS_OF, year=2025, generated_at=datetime(2025, 3, 6, 1, 0, tzinfo=config.TIMEZONE), indicators=[ind],
        freshness=[], loads=[SourceLoads("s", HOSTILE, 1, 1, 1, 1, 0, 0, None)], failures=[],
        set_aside_files=[], set_aside_reasons=[], set_aside_total=0,
        unknown_units=[{"org_unit_code": "Z9", "org_unit_name_zh": "未知單位（Z9）", "org_unit_name": HOSTILE,
                        "source_name": "s", "source_name_zh": "來源", "records": 3, "first_date": AS_OF,
                        "last_date": AS_OF}],
        explanations={("K6.2", "X1"): explanation})


def test_department_names_and_explanations_come_out_escaped():
    html = page.render(_hostile_report(), docs_href="dbt-docs.html")
    assert "<script" not in html and "<img" not in html
    assert "&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # the explanation's action
    dept_chart = re.search(r'<svg class="chart departments".*?</svg>', html, re.S).group(0)
    red = charts.status_text_hex("behind")
    assert f'end" class="lbl" fill="{red}" font-weight="700">{ESCAPED}</text>' in dept_chart
    assert f'<div class="depts">單位別　落後：{ESCAPED}</div>' in html
    assert f'<div class="explain" data-unit="X1">{ESCAPED}　落後原因：{ESCAPED}；' in html
    for section in ("flagged", "indicators", "departments", "quality"):  # and wherever else it is shown
        assert ESCAPED in re.search(rf'<section id="{section}">(.*?)</section>', html, re.S).group(1), section

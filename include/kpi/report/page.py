"""The report as one HTML file: inline CSS and SVG, no script, no fonts or images fetched, zh-TW.

The markup lives in templates/report.html.j2 (autoescaped: names, reasons and explanations typed by
department staff stay text); this module only shapes ReportData into what the template shows."""
from __future__ import annotations

from kpi import labels, templating
from kpi.report import charts
from kpi.report.data import Indicator, ReportData

MAX_FILES, MAX_REASONS = 12, 10


def _anchor(code: str) -> str:
    return "kpi-" + code.replace(".", "-")


def _short(text: str, limit: int = 72) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _when(ts) -> str:
    if ts is None:
        return "—"
    return f"{labels.roc_year(ts.year)}/{ts.month:02d}/{ts.day:02d} {ts:%H:%M}"


def _span(first, last) -> str:
    if first is None:
        return "—"
    if first == last:
        return labels.roc_date(first)
    return f"{labels.roc_date(first)} 至 {labels.roc_date(last)}"


def _dept_groups(ind: Indicator) -> list[str]:
    """「落後：甲、乙」 per flagged status, departments worst first."""
    groups = []
    for s in labels.FLAGGED:
        names = [d["org_unit_name_zh"] for d in charts.worst_first(ind.row, ind.departments_flagged)
                 if d["status"] == s]
        if names:
            groups.append(f"{labels.STATUS_ZH[s]}：{'、'.join(names)}")
    return groups


def _projection(r: dict) -> dict | None:
    """The year-end projection of a row (docs/foresight.md): value, 80 % range, outcome word, reason."""
    f = r.get("foresight") or {}
    if f.get("projected_year_end") is None and not f.get("projection_reason"):
        return None
    rng = (f"（{f['projected_low_text']}–{f['projected_high_text']}）"
           if f.get("projected_low") is not None and f.get("projected_high") is not None else "")
    return {"has_value": f.get("projected_year_end") is not None, "text": f.get("projected_text"), "range": rng,
            "status_zh": f.get("projected_status_zh") or "", "reason": f.get("projection_reason") or ""}


def _explanation(data: ReportData, code: str, unit: str, label: str = "") -> dict | None:
    """The unit's explanation beside a flag (S7), or that it is overdue; None when neither."""
    e = data.explanations.get((code, unit))
    if e:
        text = f"落後原因：{e['explanation_reason']}"
        if e["explanation_action"]:
            text += f"；改善措施：{e['explanation_action']}"
        if e["explanation_expected_date"]:
            text += f"；預計改善日期：{labels.roc_date(e['explanation_expected_date'])}"
        return {"unit": unit, "label": label, "text": text, "overdue": False}
    if any(o["kpi_code"] == code and o["org_unit_code"] == unit and o["year"] == data.year for o in data.overdue):
        return {"unit": unit, "label": label, "text": "逾期未提出落後說明", "overdue": True}
    return None


def _legend(r: dict) -> list[tuple[str, str, str]]:
    """(swatch kind, colour, words) of what the indicator's chart draws."""
    items = [("point", charts.status_hex(r["status"]), "實際值（各次執行）")]
    drawn = (("expected", charts.expected_path(r), "應有進度"),
             ("target", r["target_value"] is not None, "年度目標"),
             ("band", charts.tolerance_band(r), "容許範圍（有落後風險）"),
             ("seasonal", charts.seasonal_path(r), "季節性應有進度（依過去年度同期）"),
             ("cone", charts.projection_cone(r)[0], "年底推估 80% 區間"))
    return items + [(kind, "", words) for kind, shown, words in drawn if shown]


def _view(data: ReportData, ind: Indicator) -> dict:
    """What the template shows of one indicator, beside its row."""
    explanations = [_explanation(data, ind.code, d["org_unit_code"], f"{d['org_unit_name_zh']}　")
                    for d in ind.departments_flagged]
    return {
        "ind": ind, "r": ind.row, "anchor": _anchor(ind.code),
        "dept_groups": _dept_groups(ind),
        "explanation": _explanation(data, ind.code, "ALL"),
        "dept_explanations": [e for e in explanations if e],
        "projection": _projection(ind.row),
        "legend": _legend(ind.row),
        "runs": len([h for h in ind.history if h["actual_value"] is not None]),
    }


def render(data: ReportData, docs_href: str | None = None) -> str:
    """The whole report as one HTML document. `docs_href`: relative link to the published dbt docs."""
    views = [_view(data, i) for i in data.indicators]
    return str(templating.render(
        "kpi.report", "report.html.j2",
        d=data, docs_href=docs_href, views=views,
        flagged=[v for v in views if v["ind"].flagged],
        # city on track, but some departments are not: who pulls the city down
        hidden=[v for v in views if not v["ind"].flagged and v["ind"].departments_flagged],
        with_departments=[v for v in views if v["ind"].departments],
        dept_flags=sum(len(i.departments_flagged) for i in data.indicators),
        max_files=MAX_FILES, max_reasons=MAX_REASONS,
        labels=labels, colour=charts.COLOURS, status_hex=charts.status_hex, status_text_hex=charts.status_text_hex,
        trend_chart=charts.trend_chart, department_chart=charts.department_chart,
        anchor=_anchor, short=_short, when=_when, span=_span,
    ))

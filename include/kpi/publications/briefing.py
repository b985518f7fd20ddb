"""The bi-monthly 市務會議 briefing (issue 13): what changed between the as-of date of the previous
briefing (D0) and D, computed in SQL as sets over the daily history (marts.kpi_status_labelled holds
every as-of date), written as one A4 HTML page and its PDF under reports/briefings/<D>/.

The record of published briefings is the folder listing itself: the previous briefing is the latest
reports/briefings/<date>/briefing.html before D, else D0 is two months before D.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta

from kpi import config, errors, labels, warehouse
from kpi.publications import common
from kpi.report import charts
from kpi.report import data as report_data

HTML_NAME, PDF_NAME = "briefing.html", "briefing.pdf"
CHANGES = ("newly_flagged", "worsened", "improved", "recovered", "other")

# Every indicator (city) and department row of D and D0 side by side, with what happened to it.
# Flags and their order are the seed's (dim_status via kpi_status_labelled): a lower status_sort is worse.
_CHANGES_SQL = """
with now_ as (
    select * from marts.kpi_status_labelled where as_of_date = %(d)s and is_as_of_year
), then_ as (
    select * from marts.kpi_status_labelled where as_of_date = %(d0)s and is_as_of_year
), paired as (
    select
        coalesce(n.kpi_code, t.kpi_code) as kpi_code,
        coalesce(n.org_unit_code, t.org_unit_code) as org_unit_code,
        coalesce(n.is_city, t.is_city) as is_city,
        coalesce(n.kpi_sort, t.kpi_sort) as kpi_sort,
        coalesce(n.kpi_label_zh, t.kpi_label_zh) as kpi_label_zh,
        coalesce(n.org_unit_name_zh, t.org_unit_name_zh) as org_unit_name_zh,
        coalesce(n.per_department, t.per_department) as per_department,
        t.status as status_then, t.status_zh as status_zh_then, t.status_sort as sort_then,
        coalesce(t.is_flagged, false) as flagged_then, t.actual_text as actual_then,
        t.actual_value as value_then,
        n.status as status_now, n.status_zh as status_zh_now, n.status_sort as sort_now,
        coalesce(n.is_flagged, false) as flagged_now, n.actual_text as actual_now,
        n.actual_value as value_now, n.target_text, n.status_reason
    from now_ as n
    full join then_ as t on t.kpi_code = n.kpi_code and t.org_unit_code = n.org_unit_code
)
select *,
    case
        when flagged_now and not flagged_then then 'newly_flagged'
        when flagged_then and not flagged_now then 'recovered'
        when flagged_now and flagged_then and sort_now < sort_then then 'worsened'
        when flagged_now and flagged_then and sort_now > sort_then then 'improved'
        when status_now is distinct from status_then then 'other'
    end as change
from paired
order by kpi_sort, org_unit_code
"""

# status counts of the city-wide indicators on both dates, every indicator status in the seed's order
_COUNTS_SQL = """
select s.status, s.status_zh, s.status_sort, s.colour_hex, s.colour_text_hex,
       count(h.kpi_code) filter (where h.as_of_date = %(d0)s) as n_then,
       count(h.kpi_code) filter (where h.as_of_date = %(d)s) as n_now
from marts.dim_status as s
left join marts.kpi_status_labelled as h
    on h.status = s.status and h.as_of_date in (%(d0)s, %(d)s) and h.is_as_of_year and h.is_city
where s.applies_to = 'indicator'
group by s.status, s.status_zh, s.status_sort, s.colour_hex, s.colour_text_hex
order by s.status_sort
"""

_EXPLANATIONS_SQL = """
select e.kpi_code, k.kpi_name_zh, e.org_unit_code, coalesce(o.org_unit_name_zh, e.org_unit_code) as org_unit_name_zh,
       e.year, e.lag_reason, e.improvement_action, e.expected_improvement_date::date as expected_improvement_date,
       e.received_date::date as received_date, e.source_file
from marts.fct_kpi_explanations as e
left join marts.dim_kpi as k using (kpi_code)
left join marts.dim_org_unit as o using (org_unit_code)
where e.received_date::date > %(d0)s and e.received_date::date <= %(d)s
order by e.received_date, e.kpi_code, e.org_unit_code
"""

_OUTLOOK_SQL = """
select l.kpi_code, l.kpi_label_zh, l.kpi_sort, l.status, l.status_zh, l.actual_text, l.target_text,
       f.projected_status, coalesce(s.status_zh, f.projected_status) as projected_status_zh,
       s.status_sort as projected_sort, s.is_flagged as projected_flagged,
       coalesce(l.projected_text, '—') as projected_text,
       coalesce(l.projected_low_text, '—') as projected_low_text,
       coalesce(l.projected_high_text, '—') as projected_high_text,
       f.projection_basis, f.projection_reason
from marts.fct_kpi_status as f
inner join marts.kpi_status_labelled as l using (as_of_date, kpi_code, year, org_unit_code)
left join marts.dim_status as s on s.status = f.projected_status
where f.as_of_date = %(d)s and l.is_as_of_year and l.is_city
order by s.status_sort nulls last, l.kpi_sort
"""


@dataclass
class Briefing:
    as_of: date
    since: date
    since_source: str  # "previous" (the last briefing) or "default" (two months earlier)
    counts: list[dict]
    rows: list[dict]
    explanations: list[dict] | None  # None: the warehouse has no explanations yet
    outlook: list[dict] | None  # None: no year-end projection in the warehouse yet
    indicators: dict[str, report_data.Indicator] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=lambda: datetime.now(config.TIMEZONE))

    def city(self, change: str) -> list[dict]:
        return [r for r in self.rows if r["is_city"] and r["change"] == change]

    @property
    def departments_newly_flagged(self) -> list[dict]:
        return [r for r in self.rows if not r["is_city"] and r["per_department"] and r["change"] == "newly_flagged"]

    @property
    def flagged_now(self) -> int:
        return sum(1 for r in self.rows if r["is_city"] and r["flagged_now"])

    @property
    def flagged_then(self) -> int:
        return sum(1 for r in self.rows if r["is_city"] and r["flagged_then"])


def briefings_dir() -> Path:
    return common.output_dir("briefings")


def previous_briefing(as_of: date) -> date | None:
    """The as-of date of the latest briefing published before `as_of` (reports/briefings/<date>/)."""
    root = briefings_dir()
    if not root.is_dir():
        return None
    dates = []
    for d in root.iterdir():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.name) and (d / HTML_NAME).exists():
            day = date.fromisoformat(d.name)
            if day < as_of:
                dates.append(day)
    return max(dates, default=None)


def default_since(as_of: date) -> tuple[date, str]:
    prev = previous_briefing(as_of)
    return (prev, "previous") if prev else (as_of - relativedelta(months=2), "default")


def _computed_dates(conn, *days: date) -> set[date]:
    return {d for (d,) in conn.execute(
        "select distinct as_of_date from marts.fct_kpi_status where as_of_date = any(%s)", (list(days),)).fetchall()}


def fetch(as_of: date, since: date | None = None) -> Briefing:
    since_source = "given"
    if since is None:
        since, since_source = default_since(as_of)
    if since >= as_of:
        raise errors.InputError(f"比較基準日 --since {labels.roc_date(since)} 須早於基準日 {labels.roc_date(as_of)}")
    with warehouse.connect() as conn:
        missing = {as_of, since} - _computed_dates(conn, as_of, since)
        if missing:
            raise errors.InputError("倉儲中沒有下列基準日的指標狀態："
                                    + "、".join(labels.roc_date(d) for d in sorted(missing))
                                    + "（請先執行 kpi run --as-of D 或 kpi backfill --from D）")
        params = {"d": as_of, "d0": since}
        rows = warehouse.fetch_dicts(conn, _CHANGES_SQL, params)
        counts = warehouse.fetch_dicts(conn, _COUNTS_SQL, params)
        explanations = (warehouse.fetch_dicts(conn, _EXPLANATIONS_SQL, params)
                        if common.has_explanations(conn) else None)
        outlook = warehouse.fetch_dicts(conn, _OUTLOOK_SQL, params) if common.has_projections(conn) else None
    # trend charts for the indicators newly flagged or worse, department charts where departments are newly behind
    charted = {r["kpi_code"] for r in rows if r["change"] in ("newly_flagged", "worsened")
               or (not r["is_city"] and r["per_department"] and r["change"] == "newly_flagged")}
    indicators = {i.code: i for i in report_data.fetch(as_of).indicators if i.code in charted} if charted else {}
    return Briefing(as_of, since, since_source, counts, rows, explanations, outlook, indicators)


def counts_layout(b: Briefing, width: int = 640) -> dict:
    """The coordinates of counts.svg.j2: per date (D0 above D) one bar of segments, one per status
    with indicators, as wide as its share."""
    bar_h, gap, left, right, top = 26, 18, 120, 12, 8
    bars = []
    for i, (key, day) in enumerate((("n_then", b.since), ("n_now", b.as_of))):
        total = sum(c[key] for c in b.counts) or 1
        x, segments = float(left), []
        for c in b.counts:
            if c[key]:
                w = (width - left - right) * c[key] / total
                segments.append({"status": c["status"], "status_zh": c["status_zh"], "n": c[key], "x": x, "w": w,
                                 "fill": c["colour_hex"]})
                x += w
        bars.append({"day": day, "label": f"{labels.roc_year(day.year)}/{day.month:02d}/{day.day:02d}",
                     "y": top + i * (bar_h + gap), "segments": segments})
    return {"width": width, "height": top + 2 * bar_h + gap + 10, "left": left, "bar_h": bar_h, "bars": bars}


def counts_chart(b: Briefing, width: int = 640) -> str:
    """Two stacked bars, D0 above D: the city-wide indicators per status, in the status colours."""
    return common.render("counts.svg.j2", c=counts_layout(b, width))


def render(b: Briefing) -> str:
    city = {r["kpi_code"] for r in b.rows if r["is_city"] and r["change"] in ("newly_flagged", "worsened")}
    depts = {r["kpi_code"] for r in b.departments_newly_flagged}
    charts_by_code = {}
    for code, ind in b.indicators.items():
        charts_by_code[code] = {
            "trend": charts.trend_chart(ind.row, ind.history, b.as_of, width=640, height=220) if code in city else "",
            "departments": charts.department_chart(ind.row, ind.departments, width=640) if code in depts else "",
        }
    return common.render(
        "briefing.html.j2", b=b, labels=labels, charts=charts_by_code, counts_svg=counts_chart(b),
        roc_long=labels.roc_date_long, roc=labels.roc_date, year_label=labels.year_label,
        status_hex=charts.status_hex, status_text_hex=charts.status_text_hex,
    )


def write(as_of: date, since: date | None = None, pdf: bool = True) -> list[Path]:
    """Publish the briefing of `as_of` under reports/briefings/<as_of>/: the HTML, then its PDF."""
    b = fetch(as_of, since)
    out = briefings_dir() / as_of.isoformat()
    html = common.write_atomic(out / HTML_NAME, render(b))
    written = [html]
    if pdf:
        written.append(common.print_pdf(html, out / PDF_NAME))
    return written

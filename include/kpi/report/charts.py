"""Inline SVG charts, written by hand: no plotting library, no script, nothing fetched to draw them.

- `trend_chart`: one indicator over its year (x = January..December): the actual value of every
  run up to the as-of date, the expected trajectory and the tolerance band as marts.kpi_expected_path
  gives them (the rules live in dbt), and the target. Values are labelled with the marts' texts.
- `department_chart`: per-department values at the as-of date against the city's target, worst first.

Text inside the SVG inherits the page's CJK font stack, so labels in Chinese render like the page.
"""
from __future__ import annotations

import math
from datetime import date
from html import escape

from kpi import labels

INK, MUTED, GRID, TARGET, EXPECTED, BAND = "#1f2933", "#66727d", "#e3e8ec", "#1f4e79", "#6b7c8c", "#dbe9f6"
SEASONAL, CONE = "#8a5a00", "#f3e3c3"  # the seasonal path and the projection cone (docs/foresight.md)


def status_hex(status: str) -> str:
    return labels.COLOUR_HEX[labels.STATUS_COLOUR[status]]


def status_text_hex(status: str) -> str:
    return labels.COLOUR_TEXT_HEX[labels.STATUS_COLOUR[status]]


def _num(v) -> float | None:
    return None if v is None else float(v)


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _decimals(step: float) -> int:
    """Digits after the point that tell ticks `step` apart (2.5 -> 1, 0.25 -> 2, 5 -> 0)."""
    for digits in range(4):
        if abs(step * 10 ** digits - round(step * 10 ** digits)) < 1e-6:
            return digits
    return 4


def _trim(number: str) -> str:
    """No trailing zeros, as the warehouse writes values (seed value_formats): 80%, not 80.0%."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def tick_label(v: float, value_format: str, step: float) -> str:
    if value_format == "percent":
        return f"{_trim(f'{v * 100:.{_decimals(step * 100)}f}')}%"
    if value_format == "days":
        return _trim(f"{v:.{_decimals(step)}f}")
    return _trim(f"{v:,.{_decimals(step)}f}")


def nice_ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering lo..hi (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if hi <= lo:
        hi = lo + (1 if integer or lo == 0 else abs(lo) * 0.1)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw - 1e-15)
    if integer:
        step = max(1, round(step))
    start = math.floor(lo / step + 1e-9) * step
    ticks, v = [], start
    while v < hi - 1e-9 * step:
        ticks.append(round(v, 12))
        v += step
    ticks.append(round(v, 12))
    return ticks


class _Scale:
    def __init__(self, lo: float, hi: float, a: float, b: float):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / (self.hi - self.lo) * (self.b - self.a)


def _pts(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


# --- the year of one indicator ----------------------------------------------------------------

def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points that lie on the line through their neighbours (a straight path needs two)."""
    out: list[tuple[float, float]] = []
    for p in points:
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if abs((x1 - x0) * (p[1] - y0) - (p[0] - x0) * (y1 - y0)) < 1e-9 * max(1.0, abs(y1)):
                out[-1] = p
                continue
        out.append(p)
    return out


def expected_path(row: dict) -> list[tuple[float, float]] | None:
    """(year fraction, expected value) points of the expected trajectory as marts.kpi_expected_path
    gives it (row["path"], one point per day), or None if the rules have none. Counts step up on
    the day they change; other values are joined by a line."""
    days = [(float(p["year_fraction"]), float(p["expected_value"]))
            for p in row.get("path") or [] if p["expected_value"] is not None]
    if not days:
        return None
    if row["measure_type"] != "cumulative":
        return _simplify(days)
    points, value = [days[0]], days[0][1]
    for f, v in days[1:]:
        if v != value:
            points += [(f, value), (f, v)]
            value = v
    return [*points, (days[-1][0], value)]


def tolerance_band(row: dict) -> list[tuple[float, float]] | None:
    """Polygon (year fraction, value) of the at-risk band of marts.kpi_expected_path (row["path"]);
    None where the rules have none."""
    days = [(float(p["year_fraction"]), float(p["band_low"]), float(p["band_high"]))
            for p in row.get("path") or [] if p["band_low"] is not None]
    if not days:
        return None
    return _simplify([(f, lo) for f, lo, _ in days]) + _simplify([(f, hi) for f, _, hi in reversed(days)])


def seasonal_path(row: dict) -> list[tuple[float, float]] | None:
    """(year fraction, seasonal expected value) points of marts.kpi_expected_path, stepped like the
    plan's counts; None with fewer than 2 earlier years or no seasonal shape."""
    days = [(float(p["year_fraction"]), float(p["seasonal_expected_value"]))
            for p in row.get("path") or [] if p.get("seasonal_expected_value") is not None]
    return _simplify(days) if days else None


def projection_cone(row: dict) -> tuple[list[tuple[float, float]] | None, float | None]:
    """The cone from the value at the as-of date to the 80 % range at 31 Dec (a polygon of (year
    fraction, value)), and the projected value; (None, None) without a projection."""
    f = row.get("foresight") or {}
    projected, actual = _num(f.get("projected_year_end")), _num(row.get("actual_value"))
    if projected is None or actual is None:
        return None, None
    lo, hi = _num(f.get("projected_low")), _num(f.get("projected_high"))
    start = float(row["year_fraction"])
    if lo is None or hi is None:
        return None, projected
    return [(start, actual), (1.0, hi), (1.0, lo)], projected


def trend_chart(row: dict, history: list[dict], as_of: date, width: int = 600, height: int = 250) -> str:
    """The indicator's year as an SVG: actual values of each run (coloured by that night's status)
    against the expected trajectory, the target and the tolerance band."""
    year, fmt = row["year"], row["value_format"]
    target = _num(row["target_value"])
    expected = expected_path(row)
    band = tolerance_band(row)
    seasonal = seasonal_path(row)
    cone, projected = projection_cone(row)
    actual = [(float(h["year_fraction"]), float(h["actual_value"]), h)
              for h in history if h["actual_value"] is not None]
    counted = row["measure_type"] in ("cumulative", "certificate")

    core = [v for _, v, _ in actual] + ([target] if target is not None else [])
    core += [v for _, v in expected or []] + [v for _, v in seasonal or []] + [v for _, v in cone or []]
    core += [projected] if projected is not None else []
    values = core + [v for _, v in band or []]
    if counted or not core:
        lo, hi = 0.0, max([*core, 1.0]) * 1.08
    else:
        lo, hi = min(values), max(values)
        span = max(hi - lo, 0.1 if fmt == "percent" else 1.0 if fmt == "days" else abs(hi) * 0.2 or 1.0)
        lo, hi = lo - span * 0.25, hi + span * 0.25
        if min(core) >= 0:  # a rate or a mean below zero means nothing: keep the axis at 0 or above
            lo = max(lo, 0.0)
        if row["measure_type"] == "ratio" and max(core) <= 1:  # and a share above 100% neither
            hi = min(hi, 1.0)
    ticks = nice_ticks(lo, hi, count=4, integer=fmt == "count")
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    left, right, top, bottom = 64, 16, 28, 30
    x = _Scale(0.0, 1.0, left, width - right)
    y = _Scale(ticks[0], ticks[-1], height - bottom, top)
    name = f"{row['kpi_code']} {row['kpi_name_zh']}"
    out = [f'<svg class="chart trend" data-kpi="{escape(row["kpi_code"])}" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="{escape(name)} {year} 年趨勢圖">',
           f"<title>{escape(name)}：{labels.year_label(year)}實際值、預期進度與目標</title>",
           f'<defs><clipPath id="plot-{escape(row["kpi_code"]).replace(".", "-")}"><rect x="{left}" y="{top}" '
           f'width="{width - left - right}" height="{height - top - bottom}"/></clipPath></defs>']
    clip = f'clip-path="url(#plot-{escape(row["kpi_code"]).replace(".", "-")})"'
    # grid and axes
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" class="tick">'
                   f'{escape(tick_label(t, fmt, step))}</text>')
    for month in range(1, 13):
        f = (date(year, month, 1) - date(year, 1, 1)).days / days_in_year(year)
        mid = f + 15 / days_in_year(year)
        out.append(f'<line x1="{x(f):.1f}" x2="{x(f):.1f}" y1="{height - bottom}" y2="{height - bottom + 4}" '
                   f'stroke="{MUTED}"/>')
        out.append(f'<text x="{x(mid):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                   f'class="tick">{month}月</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" '
               f'stroke="{MUTED}"/>')
    # tolerance band, expected trajectory, target
    if band:
        out.append(f'<polygon points="{_pts((x(f), y(v)) for f, v in band)}" fill="{BAND}" {clip}/>')
    if expected:
        out.append(f'<polyline points="{_pts((x(f), y(v)) for f, v in expected)}" fill="none" stroke="{EXPECTED}" '
                   f'stroke-width="1.6" stroke-dasharray="5 4" class="expected" {clip}/>')
    if seasonal:
        out.append(f'<polyline points="{_pts((x(f), y(v)) for f, v in seasonal)}" fill="none" stroke="{SEASONAL}" '
                   f'stroke-width="1.8" stroke-dasharray="2 3" class="seasonal" {clip}/>')
    if cone:
        out.append(f'<polygon points="{_pts((x(f), y(v)) for f, v in cone)}" fill="{CONE}" fill-opacity="0.8" '
                   f'stroke="{SEASONAL}" stroke-width="0.8" class="cone"/>')
    if projected is not None:
        fs = row["foresight"]
        out.append(f'<circle cx="{x(1.0):.1f}" cy="{y(projected):.1f}" r="4" fill="#fff" stroke="{SEASONAL}" '
                   f'stroke-width="2" class="projected">'
                   f'<title>{escape(fs.get("projection_reason") or "")}</title></circle>')
        rng = (f"（{fs['projected_low_text']}–{fs['projected_high_text']}）"
               if fs.get("projected_low") is not None and fs.get("projected_high") is not None else "")
        # top right, clear of the latest value's label beside the as-of date
        out.append(f'<text x="{x(1.0) - 6:.1f}" y="{top + 12:.1f}" text-anchor="end" class="lbl halo" '
                   f'fill="{SEASONAL}">年底推估 {escape(fs["projected_text"])}{escape(rng)}</text>')
    if target is not None:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                   f'stroke="{TARGET}" stroke-width="1.6" class="target"/>')
        ty = y(target) - 5 if y(target) - 5 > top + 8 else y(target) + 13
        out.append(f'<text x="{left + 6}" y="{ty:.1f}" class="lbl" fill="{TARGET}">'
                   f'目標 {escape(row["target_text"])}</text>')
    # the as-of date
    xa = x(float(row["year_fraction"]))
    out.append(f'<line x1="{xa:.1f}" x2="{xa:.1f}" y1="{top - 20}" y2="{height - bottom}" stroke="{MUTED}" '
               f'stroke-dasharray="2 3"/>')
    anchor = "end" if xa > width - 90 else "start"
    out.append(f'<text x="{xa + (-4 if anchor == "end" else 4):.1f}" y="{top - 10}" text-anchor="{anchor}" '
               f'class="tick">基準日 {as_of.month}/{as_of.day}</text>')
    # actual values
    if actual:
        if len(actual) > 1:
            out.append(f'<polyline points="{_pts((x(f), y(v)) for f, v, _ in actual)}" fill="none" stroke="{INK}" '
                       f'stroke-width="2" class="actual"/>')
        for f, v, h in actual:
            out.append(f'<circle cx="{x(f):.1f}" cy="{y(v):.1f}" r="{5.5 if h is actual[-1][2] else 4}" '
                       f'fill="{status_hex(h["status"])}" stroke="#fff" stroke-width="1.5" class="point">'
                       f'<title>{h["as_of_date"].isoformat()}：{escape(h["actual_text"])}'
                       f'（{h["status_zh"]}）</title></circle>')
        f, v, h = actual[-1]
        px, py = x(f), y(v)
        anchor = "end" if px > width - 130 else "start"
        dx = -9 if anchor == "end" else 9
        ly = py - 9 if py - 9 > top + 12 else py + 18
        out.append(f'<text x="{px + dx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="value" '
                   f'fill="{status_text_hex(h["status"])}">實際 {escape(h["actual_text"])}</text>')
    else:
        out.append(f'<text x="{(left + width - right) / 2:.1f}" y="{(top + height - bottom) / 2:.1f}" '
                   f'text-anchor="middle" class="empty">尚無實際值（{row["status_zh"]}）</text>')
    out.append("</svg>")
    return "".join(out)


# --- departments of one indicator -----------------------------------------------------------------

def worst_first(row: dict, departments: list[dict]) -> list[dict]:
    """Departments ordered from the one pulling the city down most: lowest value first where higher
    is better, highest first where lower is better; departments without a value last."""
    lower = row["direction"] == "lower"
    with_value = [d for d in departments if d["actual_value"] is not None]
    without = [d for d in departments if d["actual_value"] is None]
    with_value.sort(key=lambda d: (-float(d["actual_value"]) if lower else float(d["actual_value"]),
                                   d["org_unit_code"]))
    return with_value + sorted(without, key=lambda d: d["org_unit_code"])


def department_chart(row: dict, departments: list[dict], width: int = 600) -> str:
    """Horizontal bars: each department's value at the as-of date, coloured by its status, against
    the city's target (and tolerance band), worst first."""
    fmt = row["value_format"]
    ordered = worst_first(row, departments)
    target, tol = _num(row["target_value"]), _num(row["tolerance"]) or 0.0
    values = [float(d["actual_value"]) for d in ordered if d["actual_value"] is not None]
    hi = max(values + ([target + (tol if row["direction"] == "lower" else 0)] if target is not None else []) + [0.0])
    hi = 1.0 if row["measure_type"] == "ratio" and 0 < hi <= 1 else hi * 1.04 or 1.0
    ticks = nice_ticks(0.0, hi, count=5, integer=fmt == "count")
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    row_h, top, bottom, label_w, right = 22, 26, 26, 132, 78
    height = top + row_h * len(ordered) + bottom
    x = _Scale(0.0, ticks[-1], label_w, width - right)
    out = [f'<svg class="chart departments" data-kpi="{escape(row["kpi_code"])}" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="{escape(row["kpi_code"])} 各單位比較">',
           f"<title>{escape(row['kpi_code'])} {escape(row['kpi_name_zh'])}：各單位與目標比較（由落後至領先）</title>"]
    bottom_y = top + row_h * len(ordered)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 4}" y2="{bottom_y}" stroke="{GRID}"/>')
        out.append(f'<text x="{x(t):.1f}" y="{bottom_y + 16}" text-anchor="middle" class="tick">'
                   f'{escape(tick_label(t, fmt, step))}</text>')
    if target is not None and tol:
        a, b = (target, target + tol) if row["direction"] == "lower" else (max(target - tol, 0.0), target)
        out.append(f'<rect x="{x(a):.1f}" y="{top - 4}" width="{x(b) - x(a):.1f}" height="{bottom_y - top + 4}" '
                   f'fill="{BAND}"/>')
    values_text = []  # drawn after the target line, so the line never hides a number
    for i, d in enumerate(ordered):
        cy = top + i * row_h + row_h / 2
        flagged = d["is_flagged"]
        weight = ' font-weight="700"' if flagged else ""
        colour = status_text_hex(d["status"]) if flagged else INK
        out.append(f'<g class="dept" data-org="{escape(d["org_unit_code"])}" data-status="{d["status"]}">'
                   f'<title>{escape(d["status_reason"] or "")}</title>'
                   f'<text x="{label_w - 8}" y="{cy + 4:.1f}" text-anchor="end" class="lbl" fill="{colour}"{weight}>'
                   f'{escape(d["org_unit_name_zh"] or d["org_unit_code"])}</text>')
        if d["actual_value"] is None:
            out.append(f'<text x="{label_w + 4}" y="{cy + 4:.1f}" class="tick">無資料</text></g>')
            continue
        v = float(d["actual_value"])
        w = max(x(v) - label_w, 1.5)
        out.append(f'<rect x="{label_w}" y="{cy - 7:.1f}" width="{w:.1f}" height="14" rx="2" '
                   f'fill="{status_hex(d["status"])}" fill-opacity="{1 if flagged else 0.55}"/></g>')
        values_text.append(f'<text x="{label_w + w + 5:.1f}" y="{cy + 4:.1f}" class="lbl halo" fill="{colour}"{weight}>'
                           f'{escape(d["actual_text"])}</text>')
    if target is not None:
        out.append(f'<line x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{top - 8}" y2="{bottom_y}" '
                   f'stroke="{TARGET}" stroke-width="1.6"/>')
        anchor = "end" if x(target) > width - 120 else "middle"
        out.append(f'<text x="{x(target):.1f}" y="{top - 12}" text-anchor="{anchor}" class="lbl" fill="{TARGET}">'
                   f'目標 {escape(row["target_text"])}</text>')
    out += values_text
    out.append("</svg>")
    return "".join(out)


def swatch(kind: str, colour: str = "") -> str:
    """Small legend marks drawn like the chart's elements."""
    if kind == "point":
        body = f'<circle cx="9" cy="6" r="4.5" fill="{colour or INK}"/>'
    elif kind == "expected":
        body = f'<line x1="1" x2="17" y1="6" y2="6" stroke="{EXPECTED}" stroke-width="1.6" stroke-dasharray="4 3"/>'
    elif kind == "seasonal":
        body = f'<line x1="1" x2="17" y1="6" y2="6" stroke="{SEASONAL}" stroke-width="1.8" stroke-dasharray="2 3"/>'
    elif kind == "cone":
        body = f'<polygon points="1,6 17,1 17,11" fill="{CONE}" stroke="{SEASONAL}" stroke-width="0.8"/>'
    elif kind == "target":
        body = f'<line x1="1" x2="17" y1="6" y2="6" stroke="{TARGET}" stroke-width="1.6"/>'
    else:
        body = f'<rect x="1" y="1" width="16" height="10" fill="{BAND}"/>'
    return f'<svg class="sw" viewBox="0 0 18 12" width="18" height="12" aria-hidden="true">{body}</svg>'

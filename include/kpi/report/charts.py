"""Inline SVG charts: no plotting library, no script, nothing fetched to draw them.

Each chart is two parts: its scales here (plain functions from the marts' rows to SVG coordinates and
tick labels: `trend_layout`, `department_layout`, testable without any markup) and its markup in a
template (templates/trend.svg.j2, templates/departments.svg.j2, autoescaped).

- `trend_chart`: one indicator over its year (x = January..December): the actual value of every
  run up to the as-of date, the expected trajectory and the tolerance band as marts.kpi_expected_path
  gives them (the rules live in dbt), and the target. Values are labelled with the marts' texts.
- `department_chart`: per-department values at the as-of date against the city's target, worst first.

Text inside the SVG inherits the page's CJK font stack, so labels in Chinese render like the page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from kpi import labels, templating

INK, MUTED, GRID, TARGET, EXPECTED, BAND = "#1f2933", "#66727d", "#e3e8ec", "#1f4e79", "#6b7c8c", "#dbe9f6"
SEASONAL, CONE = "#8a5a00", "#f3e3c3"  # the seasonal path and the projection cone (docs/foresight.md)
COLOURS = {"ink": INK, "muted": MUTED, "grid": GRID, "target": TARGET, "expected": EXPECTED, "band": BAND,
           "seasonal": SEASONAL, "cone": CONE}


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


@dataclass(frozen=True)
class Scale:
    """Linear map of values lo..hi onto coordinates a..b (b < a for a y axis, which grows downwards)."""
    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / (self.hi - self.lo) * (self.b - self.a)


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


COUNTED = ("cumulative", "certificate")  # measure types whose axis starts at 0


@dataclass(frozen=True)
class Frame:
    """The drawing area of a chart: its size and the margins around the plot."""
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


@dataclass
class TrendSeries:
    """What a trend chart draws, in (year fraction, value) terms, before any coordinate."""
    actual: list[tuple[float, float, dict]]  # (fraction, value, the history row)
    target: float | None
    expected: list[tuple[float, float]] | None
    band: list[tuple[float, float]] | None
    seasonal: list[tuple[float, float]] | None
    cone: list[tuple[float, float]] | None
    projected: float | None

    @property
    def core(self) -> list[float]:
        """The values the axis must show (the band may be cut)."""
        values = [v for _, v, _ in self.actual] + ([self.target] if self.target is not None else [])
        for line in (self.expected, self.seasonal, self.cone):
            values += [v for _, v in line or []]
        return values + ([self.projected] if self.projected is not None else [])


def trend_series(row: dict, history: list[dict]) -> TrendSeries:
    cone, projected = projection_cone(row)
    actual = [(float(h["year_fraction"]), float(h["actual_value"]), h)
              for h in history if h["actual_value"] is not None]
    return TrendSeries(actual, _num(row["target_value"]), expected_path(row), tolerance_band(row),
                       seasonal_path(row), cone, projected)


def _min_span(value_format: str, hi: float) -> float:
    if value_format == "percent":
        return 0.1
    if value_format == "days":
        return 1.0
    return abs(hi) * 0.2 or 1.0


def value_range(row: dict, core: list[float], band: list[float]) -> tuple[float, float]:
    """The values a trend chart's y axis covers: counts from 0 to 8 % above the largest; other values
    with a quarter of their span around them, never below 0 where none is, never above 100 % for a share."""
    if row["measure_type"] in COUNTED or not core:
        return 0.0, max([*core, 1.0]) * 1.08
    lo, hi = min(core + band), max(core + band)
    span = max(hi - lo, _min_span(row["value_format"], hi))
    lo, hi = lo - span * 0.25, hi + span * 0.25
    if min(core) >= 0:  # a rate or a mean below zero means nothing: keep the axis at 0 or above
        lo = max(lo, 0.0)
    if row["measure_type"] == "ratio" and max(core) <= 1:  # and a share above 100% neither
        hi = min(hi, 1.0)
    return lo, hi


def month_ticks(year: int) -> list[tuple[float, float, int]]:
    """(year fraction of the 1st, fraction of the label at mid-month, month) for January..December."""
    n = days_in_year(year)
    out = []
    for month in range(1, 13):
        f = (date(year, month, 1) - date(year, 1, 1)).days / n
        out.append((f, f + 15 / n, month))
    return out


def _projection_marks(row: dict, projected: float | None, x: Scale, y: Scale, frame: Frame) -> dict | None:
    if projected is None:
        return None
    fs = row["foresight"]
    rng = (f"（{fs['projected_low_text']}–{fs['projected_high_text']}）"
           if fs.get("projected_low") is not None and fs.get("projected_high") is not None else "")
    # the label top right, clear of the latest value's label beside the as-of date
    return {"cx": x(1.0), "cy": y(projected), "reason": fs.get("projection_reason") or "",
            "label_x": x(1.0) - 6, "label_y": frame.top + 12, "text": f"年底推估 {fs['projected_text']}{rng}"}


def _target_marks(row: dict, target: float | None, y: Scale, frame: Frame) -> dict | None:
    if target is None:
        return None
    ty = y(target)
    return {"y": ty, "label_y": ty - 5 if ty - 5 > frame.top + 8 else ty + 13, "text": row["target_text"]}


def _as_of_marks(row: dict, as_of: date, x: Scale, frame: Frame) -> dict:
    xa = x(float(row["year_fraction"]))
    anchor = "end" if xa > frame.width - 90 else "start"
    return {"x": xa, "anchor": anchor, "label_x": xa + (-4 if anchor == "end" else 4),
            "text": f"基準日 {as_of.month}/{as_of.day}"}


def _actual_marks(actual: list[tuple[float, float, dict]], x: Scale, y: Scale, frame: Frame) -> dict | None:
    """The run's points (the latest larger) and the latest value's label, kept inside the plot."""
    if not actual:
        return None
    last = actual[-1][2]
    points = [{"cx": x(f), "cy": y(v), "r": 5.5 if h is last else 4, "status": h["status"],
               "fill": status_hex(h["status"]), "title": f"{h['as_of_date'].isoformat()}：{h['actual_text']}"
               f"（{h['status_zh']}）"} for f, v, h in actual]
    px, py = points[-1]["cx"], points[-1]["cy"]
    anchor = "end" if px > frame.width - 130 else "start"
    label = {"x": px + (-9 if anchor == "end" else 9), "y": py - 9 if py - 9 > frame.top + 12 else py + 18,
             "anchor": anchor, "fill": status_text_hex(last["status"]), "text": f"實際 {last['actual_text']}"}
    line = [(p["cx"], p["cy"]) for p in points] if len(points) > 1 else None
    return {"line": line, "points": points, "label": label}


def trend_layout(row: dict, history: list[dict], as_of: date, width: int = 600, height: int = 250) -> dict:
    """Everything trend.svg.j2 draws, in SVG coordinates: the scales of the chart, no markup."""
    s = trend_series(row, history)
    fmt = row["value_format"]
    lo, hi = value_range(row, s.core, [v for _, v in s.band or []])
    ticks = nice_ticks(lo, hi, count=4, integer=fmt == "count")
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    frame = Frame(width, height, left=64, right=16, top=28, bottom=30)
    x = Scale(0.0, 1.0, frame.left, frame.plot_right)
    y = Scale(ticks[0], ticks[-1], frame.baseline, frame.top)

    def xy(line):
        return [(x(f), y(v)) for f, v in line] if line else None

    return {
        "row": row, "frame": frame, "name": f"{row['kpi_code']} {row['kpi_name_zh']}",
        "year_label": labels.year_label(row["year"]),
        "y_ticks": [{"y": y(t), "label": tick_label(t, fmt, step)} for t in ticks],
        "months": [{"x": x(f), "label_x": x(mid), "month": m} for f, mid, m in month_ticks(row["year"])],
        "band": xy(s.band), "expected": xy(s.expected), "seasonal": xy(s.seasonal), "cone": xy(s.cone),
        "projected": _projection_marks(row, s.projected, x, y, frame),
        "target": _target_marks(row, s.target, y, frame),
        "as_of": _as_of_marks(row, as_of, x, frame),
        "actual": _actual_marks(s.actual, x, y, frame),
    }


def trend_chart(row: dict, history: list[dict], as_of: date, width: int = 600, height: int = 250) -> Markup:
    """The indicator's year as an SVG: actual values of each run (coloured by that night's status)
    against the expected trajectory, the target and the tolerance band."""
    return templating.render("kpi.report", "trend.svg.j2", c=trend_layout(row, history, as_of, width, height),
                             colour=COLOURS)


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


def department_axis_max(row: dict, ordered: list[dict]) -> float:
    """The largest value a department chart's axis must reach: the values, the target (with its
    tolerance where lower is better); 100 % for a share that stays within it."""
    target, tol = _num(row["target_value"]), _num(row["tolerance"]) or 0.0
    values = [float(d["actual_value"]) for d in ordered if d["actual_value"] is not None]
    if target is not None:
        values.append(target + (tol if row["direction"] == "lower" else 0))
    hi = max([*values, 0.0])
    return 1.0 if row["measure_type"] == "ratio" and 0 < hi <= 1 else hi * 1.04 or 1.0


def _tolerance_span(row: dict, x: Scale) -> dict | None:
    """The at-risk band beside the target: above it where lower is better, below it otherwise."""
    target, tol = _num(row["target_value"]), _num(row["tolerance"]) or 0.0
    if target is None or not tol:
        return None
    a, b = (target, target + tol) if row["direction"] == "lower" else (max(target - tol, 0.0), target)
    return {"x": x(a), "width": x(b) - x(a)}


def _bar(d: dict, cy: float, x: Scale) -> dict:
    flagged = d["is_flagged"]
    width = None if d["actual_value"] is None else max(x(float(d["actual_value"])) - x.a, 1.5)
    return {"d": d, "cy": cy, "flagged": flagged, "colour": status_text_hex(d["status"]) if flagged else INK,
            "fill": status_hex(d["status"]), "name": d["org_unit_name_zh"] or d["org_unit_code"], "width": width}


def department_layout(row: dict, departments: list[dict], width: int = 600) -> dict:
    """Everything departments.svg.j2 draws, in SVG coordinates: one bar per department, worst first,
    the target and its tolerance band."""
    fmt = row["value_format"]
    ordered = worst_first(row, departments)
    ticks = nice_ticks(0.0, department_axis_max(row, ordered), count=5, integer=fmt == "count")
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    row_h = 22
    frame = Frame(width, 26 + row_h * len(ordered) + 26, left=132, right=78, top=26, bottom=26)
    x = Scale(0.0, ticks[-1], frame.left, frame.plot_right)
    target = _num(row["target_value"])
    return {"row": row, "frame": frame, "bottom_y": frame.top + row_h * len(ordered),
            "x_ticks": [{"x": x(t), "label": tick_label(t, fmt, step)} for t in ticks],
            "band": _tolerance_span(row, x),
            "bars": [_bar(d, frame.top + i * row_h + row_h / 2, x) for i, d in enumerate(ordered)],
            "target": None if target is None else {"x": x(target), "text": row["target_text"],
                                                   "anchor": "end" if x(target) > width - 120 else "middle"}}


def department_chart(row: dict, departments: list[dict], width: int = 600) -> Markup:
    """Horizontal bars: each department's value at the as-of date, coloured by its status, against
    the city's target (and tolerance band), worst first."""
    return templating.render("kpi.report", "departments.svg.j2", c=department_layout(row, departments, width),
                             colour=COLOURS)

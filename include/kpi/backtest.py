"""`kpi backtest`: the track record of the year-end projection, read from the warehouse.

Everything is computed in dbt (marts.fct_kpi_projection_backtest, one row per indicator, scope, closed
year and month end January–November); this module only sums it up for one year and prints it.
Only seasonal projections (2 or more earlier years) count; the linear fallback is the baseline. The
coverage counts the ranges with a width; a point range (the earlier years alike to the unit, so no
spread) is counted apart, with how often it was exactly right.
"""
from __future__ import annotations

from kpi import labels, status_table, warehouse

SUMMARY_SQL = """
select
    count(*) as projections,
    avg(case when in_range then 1.0 else 0.0 end) filter (where in_range is not null) as coverage_80,
    count(*) filter (where is_point_range) as point_ranges,
    count(*) filter (where is_point_range and actual_year_end = projected_low) as point_ranges_held,
    avg(abs_pct_error) as mape,
    avg(abs_pct_error_linear) as mape_linear
from marts.fct_kpi_projection_backtest
where year = %(year)s and projection_method <> 'linear'
"""

# per indicator and scope of the year: did it miss its target, and was it flagged at the end of October
OUTCOME_SQL = """
select
    count(*) filter (where missed_target) as misses,
    count(*) filter (where missed_target and flagged) as misses_flagged_by_oct31,
    count(*) filter (where flagged) as flagged_by_oct31,
    count(*) filter (where flagged and not missed_target) as false_alarms
from (
    select kpi_code, org_unit_code, bool_or(missed_target) as missed_target,
           bool_or(month = 10 and projected_status = 'likely_missed') as flagged
    from marts.fct_kpi_projection_backtest
    where year = %(year)s and projection_method <> 'linear'
    group by kpi_code, org_unit_code
) as per_indicator
"""

BY_MONTH_SQL = """
select month, projections, coverage_80, mape, mape_linear
from marts.kpi_backtest_by_month where year = %(year)s order by month
"""


def _number(value):
    return None if value is None else round(float(value), 4)


def summary(year: int) -> dict | None:
    """The backtest of `year`, or None when the warehouse holds no seasonal projection for it."""
    with warehouse.connect() as conn:
        if conn.execute("select to_regclass('marts.fct_kpi_projection_backtest')").fetchone()[0] is None:
            return None  # before the first run built the marts: missing_reason says so
        projections, coverage, points, points_held, mape, mape_linear = conn.execute(
            SUMMARY_SQL, {"year": year}).fetchone()
        if not projections:
            return None
        misses, caught, flagged, false_alarms = conn.execute(OUTCOME_SQL, {"year": year}).fetchone()
        by_month = [
            {"month": m, "projections": n, "coverage_80": _number(c), "mape": _number(e), "mape_linear": _number(el)}
            for m, n, c, e, el in conn.execute(BY_MONTH_SQL, {"year": year}).fetchall()
        ]
    return {
        "year": year,
        "roc_year": labels.roc_year(year),
        "projections": projections,
        "coverage_80": _number(coverage),
        "point_ranges": points,
        "point_ranges_held": points_held,
        "mape": _number(mape),
        "mape_linear": _number(mape_linear),
        "misses": misses,
        "misses_flagged_by_oct31": caught,
        "flagged_by_oct31": flagged,
        "false_alarms": false_alarms,
        "by_month": by_month,
    }


def missing_reason(year: int) -> str:
    """Why the warehouse holds no backtest of `year`, in the words `kpi backtest` prints."""
    latest = status_table.latest_as_of()
    head = f"倉儲中沒有 {labels.year_label(year)}的年底推估回測："
    if latest is None:
        return head + "倉儲中尚無任何指標狀態，請先執行 kpi run"
    if year >= latest.year:
        # a year is compared with its actual year end, known only once the year is over
        return head + f"該年度尚未結束（倉儲最新基準日 {labels.roc_date(latest)}），尚無年底實際值可比較"
    return head + "需該年度已結束且之前至少 2 年資料"


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def render(s: dict) -> str:
    """The backtest as people read it (Traditional Chinese, ROC year beside the Gregorian one)."""
    lines = [
        f"{s['roc_year']}年（{s['year']}）年底推估回測：各月底推估 {s['projections']} 筆",
        f"  80% 區間涵蓋實際年底值：{_pct(s['coverage_80'])}"
        + (f"（另有單一值區間 {s['point_ranges']} 筆：過去各年同期相同，無區間可言；"
           f"其中年底與推估相同 {s['point_ranges_held']} 筆）" if s["point_ranges"] else ""),
        f"  平均絕對百分比誤差：{_pct(s['mape'])}（直線外推 {_pct(s['mape_linear'])}）",
        f"  未達目標指標 {s['misses']} 項，其中 10/31 已推估「{labels.PROJECTED_STATUS_ZH['likely_missed']}」"
        f" {s['misses_flagged_by_oct31']} 項；10/31 推估「{labels.PROJECTED_STATUS_ZH['likely_missed']}」共"
        f" {s['flagged_by_oct31']} 項，其中實際達成（誤報）{s['false_alarms']} 項",
        "  月份  筆數  區間涵蓋率  誤差  直線外推誤差",
    ]
    for m in s["by_month"]:
        lines.append(f"  {m['month']:>2} 月  {m['projections']:>4}  {_pct(m['coverage_80']):>9}"
                     f"  {_pct(m['mape']):>6}  {_pct(m['mape_linear']):>6}")
    return "\n".join(lines)

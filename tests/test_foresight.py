"""Foresight on the demo data (docs/foresight.md): the seasonal expected path, aligned by working days,
departs from the plan's straight line around Lunar New Year, equals a recomputation by hand from the
raw rows, falls back to the line with fewer than 2 earlier years, and `kpi backtest` reports the rate
at which the projection's 80 % range held the actual year end."""
from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from conftest import load_demo_year_2025, run_kpi

from kpi import dbt_render, warehouse

pytestmark = pytest.mark.slow

AFTER_LNY = date(2025, 2, 7)    # Lunar New Year 2025: 01-27 … 01-31, no documents those days
FALLBACK = date(2023, 6, 30)    # only 2022 before it: fewer than 2 earlier years
# 2022–2025 closed: the backtest of 2024 learns from 2022–2023, that of 2025 from 2022–2024
YEAR_END = date(2026, 1, 1)


@pytest.fixture(scope="module")
def built(warehouse_db, dbt_manifest, tmp_path_factory):
    load_demo_year_2025()
    target = tmp_path_factory.mktemp("dbt") / "target"
    dbt_render.dbt("seed", target_path=target)
    for d in (FALLBACK, AFTER_LNY):
        dbt_render.dbt("run", "--select", "+fct_kpi_status", as_of=d, target_path=target)
    dbt_render.dbt("run", "--select", "+fct_kpi_projection_backtest+", as_of=YEAR_END, target_path=target)


def _row(conn, d: date, kpi: str = "K9.1") -> dict:
    cur = conn.execute("select * from marts.fct_kpi_status where as_of_date = %s and kpi_code = %s "
                       "and year = %s and org_unit_code = 'ALL'", (d, kpi, d.year))
    return dict(zip([c.name for c in cur.description], cur.fetchone()))


def _shares_by_hand(conn, d: date, years: range) -> list[float]:
    """K9.1's share of each earlier year's total reached by the same number of working days as d, from
    the raw rows: the latest version of each day and unit, working days from the office calendar."""
    daily = dict(conn.execute(
        """select stat_date, sum(recv_electronic + sent_electronic) from (
               select distinct on (stat_date, unit_code) * from raw.documents__doc_daily_stats
               order by stat_date, unit_code, updated_at desc) as latest
           group by stat_date""").fetchall())
    off = dict(conn.execute("select calendar_date, is_day_off from raw.calendar__days").fetchall())

    def working_days(day: date) -> int:
        start = date(day.year, 1, 1)
        return sum(1 for i in range((day - start).days + 1) if not off[start + timedelta(days=i)])

    w, year_w = working_days(d), working_days(date(d.year, 12, 31))
    shares = []
    for y in years:
        # the same point of that year's own working year: w' = round(w × W' / W), halves up
        at = math.floor(w * working_days(date(y, 12, 31)) / year_w + 0.5)
        days = [date(y, 1, 1) + timedelta(days=i) for i in range((date(y + 1, 1, 1) - date(y, 1, 1)).days)]
        total = sum(daily.get(day, 0) for day in days)
        to_w = sum(daily.get(day, 0) for day in days if working_days(day) <= at)
        shares.append(float(to_w) / float(total))
    return shares


def test_seasonal_path_departs_from_the_line_after_lunar_new_year_and_equals_the_hand_count(built):
    with warehouse.connect() as conn:
        row = _row(conn, AFTER_LNY)
        shares = _shares_by_hand(conn, AFTER_LNY, range(2022, 2025))
    target = float(row["target_value"])
    assert row["seasonal_expected_to_date"] == math.floor(target * sum(shares) / 3)
    # a week of Lunar New Year without documents: well below the straight line's 38/365 of the target
    assert row["seasonal_expected_to_date"] < 0.9 * float(row["expected_to_date"])
    assert row["expected_to_date"] == math.floor(target * 38 / 365)  # the official pace is untouched
    assert row["projection_basis"] == "seasonal_share 2022-2024"
    projected = float(row["actual_value"]) / (sum(shares) / 3)
    assert row["projected_year_end"] == round(projected)
    assert row["projected_low"] <= row["projected_year_end"] <= row["projected_high"]
    assert row["projected_status"] in ("likely_achieved", "likely_missed", "uncertain")
    assert "過去 3 年（111–113）" in row["projection_reason"]
    assert f"{round(projected):,}" in row["projection_reason"] and "114年（2025）" in row["projection_reason"]


def test_fewer_than_two_earlier_years_fall_back_to_the_line_and_say_so(built):
    with warehouse.connect() as conn:
        row = _row(conn, FALLBACK)
    assert row["projection_basis"] == "linear (fewer than 2 earlier years)"
    assert row["seasonal_expected_to_date"] == row["expected_to_date"]
    elapsed = ((FALLBACK - date(2023, 1, 1)).days + 1) / 365
    assert row["projected_year_end"] == round(float(row["actual_value"]) / elapsed)
    assert row["projected_low"] is None and row["projected_high"] is None
    assert row["projection_reason"].startswith("過去資料不足 2 年，依直線進度")


def test_backtest_reports_the_rate_at_which_the_ranges_held_the_year_end(built):
    res = run_kpi("backtest", "--year", "2024", "--json")
    assert res.returncode == 0, res.stderr[-2000:]
    result = json.loads(res.stdout)
    for key in ("year", "projections", "coverage_80", "mape", "mape_linear", "misses",
                "misses_flagged_by_oct31", "flagged_by_oct31", "false_alarms"):
        assert key in result
    with warehouse.connect() as conn:
        rows = conn.execute(
            """select projected_low, projected_high, actual_year_end, kpi_code, month, org_unit_code,
                      linear_year_end, actual_to_date
               from marts.fct_kpi_projection_backtest
               where year = 2024 and projection_method <> 'linear'""").fetchall()
    # a range of one value (the earlier years alike to the unit) is a point, counted apart
    ranged = [(lo, hi, actual) for lo, hi, actual, *_ in rows if lo is not None and hi is not None and lo < hi]
    held = sum(1 for lo, hi, actual in ranged if lo <= actual <= hi)
    points = [(lo, actual) for lo, hi, actual, *_ in rows if lo is not None and lo == hi]
    scopes = {(r[3], r[5]) for r in rows}
    assert result["projections"] == len(rows)
    assert all(sum(1 for r in rows if (r[3], r[5]) == scope) <= 11 for scope in scopes)  # January … November
    # the ratio and the mean are backtested beside the counts, city-wide and per department, against
    # their value to date as the baseline
    for kpi in ("K7.1", "K5.1"):
        assert (kpi, "ALL") in scopes and any(k == kpi and o != "ALL" for k, o in scopes)
    assert all(r[6] == r[7] for r in rows if r[3] in ("K7.1", "K5.1"))
    assert result["coverage_80"] == round(held / len(ranged), 4)
    assert result["point_ranges"] == len(points)
    assert result["point_ranges_held"] == sum(1 for lo, actual in points if actual == lo)
    assert result["mape"] < result["mape_linear"]
    assert result["misses_flagged_by_oct31"] <= result["misses"]
    assert result["false_alarms"] <= result["flagged_by_oct31"]

    text = run_kpi("backtest", "--year", "2024")
    assert text.returncode == 0 and "113年（2024）" in text.stdout and "80% 區間" in text.stdout


def test_k51_is_read_in_the_earlier_years_at_the_same_snapshot_month(built):
    """K5.1 is a monthly snapshot. 2025 has more days off before 31 October than 2022–2024, so at the
    same number of working days the earlier years are already past their November snapshot; the
    projection at 31 October must read each earlier year at its October snapshot instead, recomputed
    here from the snapshots themselves: share = October's rate ÷ December's."""
    with warehouse.connect() as conn:
        rates = {(y, m): float(r) for y, m, r in conn.execute(
            """select year, month,
                      sum(coalesce(disbursed_cum, 0) + coalesce(payable_unpaid_cum, 0) + coalesce(savings_cum, 0))
                      / sum(coalesce(allocated_cum, 0))
               from staging.stg_budget__execution_lines where is_tracked_infrastructure
               group by year, month""")}
        to_date, projected, low, high, basis = conn.execute(
            """select actual_to_date, projected_year_end, projected_low, projected_high, projection_method
               from marts.fct_kpi_projection_backtest
               where year = 2025 and kpi_code = 'K5.1' and org_unit_code = 'ALL' and month = 10""").fetchone()
    assert basis == "seasonal_share"
    assert float(to_date) == pytest.approx(rates[(2025, 10)], abs=1e-9)
    shares = [rates[(y, 10)] / rates[(y, 12)] for y in (2022, 2023, 2024)]
    mean = sum(shares) / 3
    sd = math.sqrt(sum((s - mean) ** 2 for s in shares) / 2)
    assert float(projected) == pytest.approx(rates[(2025, 10)] / mean, abs=6e-5)
    assert float(low) == pytest.approx(rates[(2025, 10)] / (mean + 2.178 * sd), abs=6e-5)
    assert float(high) == pytest.approx(rates[(2025, 10)] / (mean - 2.178 * sd), abs=6e-5)


def test_backtest_of_a_year_without_two_earlier_years_says_why(built):
    res = run_kpi("backtest", "--year", "2023")
    assert res.returncode == 1
    assert "112年（2023）" in res.stderr and "至少 2 年" in res.stderr and "Traceback" not in res.stderr


def test_backtest_of_a_year_not_yet_over_says_so(built):
    with warehouse.connect() as conn:
        latest = conn.execute("select max(as_of_date) from marts.fct_kpi_status").fetchone()[0]
    res = run_kpi("backtest", "--year", str(latest.year + 1), "--json")
    assert res.returncode == 1 and res.stdout == ""
    assert "尚未結束" in res.stderr and latest.isoformat() in res.stderr and "Traceback" not in res.stderr

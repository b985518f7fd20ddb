"""K9.1 and K7.1 through real dbt on a hand-made S1 data set whose right answers are stated here."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import s1_data

from kpi import dbt_render, declarations, warehouse
from kpi.loaders import engine

AS_OF = date(2025, 3, 31)  # day 90 of 365: f = 90/365
ROWS = [
    # stat_date, unit, recv, recv_e, sent, sent_e, closed, days_sum, updated_at
    ("2024-06-03", "KL0100", 100, 100, 50, 50, 10, 15.0, "2024-06-04 01:00:00"),
    ("2025-01-02", "KL0100", 100, 50, 40, 30, 10, 10.0, "2025-01-03 01:00:00"),  # revised below: recv_e 60
    ("2025-01-03", "KL0100", 10, 5, 5, 5, 1, 12.0, "2025-01-04 01:00:00"),
    ("2025-02-03", "KL0300", 20, 20, 10, 10, 4, 10.0, "2025-02-04 01:00:00"),
    ("2025-03-31", "KL0300", 5, 0, 0, 0, 0, 0.0, "2025-04-01 01:00:00"),
    ("2025-04-01", "KL0100", 1000, 1000, 0, 0, 100, 900.0, "2025-04-02 01:00:00"),  # after d: not known
    ("2025-03-10", "KL1200", 10, 50, 0, 0, 1, 1.0, "2025-03-11 01:00:00"),         # bad: recv_e > recv
]
# the source revises rows in place; updated_at moves to the time of the change. The first revision
# was there when d's nightly run started (2025-04-01 02:00); the second came later and is not known at d.
REVISION = ("2025-01-02", "KL0100", 100, 60, 40, 30, 10, 10.0, "2025-03-31 20:00:00")
LATE_REVISION = ("2025-01-03", "KL0100", 10, 9, 5, 5, 1, 12.0, "2025-04-02 08:00:00")


@pytest.fixture(scope="module")
def statuses(warehouse_db, dbt_manifest, tmp_path_factory):
    folder = tmp_path_factory.mktemp("s1")
    engine.load("documents", s1_data.write(folder / "v1.sqlite", ROWS))
    engine.load("documents", s1_data.write(folder / "v2.sqlite", [*ROWS[:1], REVISION, LATE_REVISION, *ROWS[3:]]))
    dbt_render.dbt("build", as_of=AS_OF, target_path=folder / "target")
    with warehouse.connect() as conn:
        cur = conn.execute("select kpi_code, year, org_unit_code, actual_value, target_value, expected_to_date, "
                           "status, status_reason, numerator, denominator from marts.fct_kpi_status "
                           "where as_of_date = %s", (AS_OF,))
        return {(r[0], r[1], r[2]): r[3:] for r in cur.fetchall()}


def test_k91_sums_electronic_docs_known_at_d_with_latest_version(statuses):
    actual, target, expected, status, reason, *_ = statuses[("K9.1", 2025, "ALL")]
    # (60+30) + (5+5) + (20+10) + (0+0): the 01-02 revision known at d wins, the 01-03 one came after
    # d's night (recv_e 9 would add 4), 04-01 is after d, the bad row is set aside
    assert actual == 130
    assert target == 120000
    assert expected == 29589  # floor(120000 * 90 / 365)
    assert status == "behind"
    assert reason == "累計 130 件，依進度至 3/31 應達 29,589 件（年度目標 120,000 件）"


def test_k91_past_year_is_judged_on_the_whole_year(statuses):
    actual, target, _, status, reason, *_ = statuses[("K9.1", 2024, "ALL")]
    assert (actual, target, status) == (150, 111500, "missed")
    assert reason == "113年（2024）全年累計 150 件，未達年度目標 111,500 件"


def test_k71_is_a_weighted_mean_not_a_mean_of_daily_means(statuses):
    actual, _target, expected, status, reason, numerator, denominator = statuses[("K7.1", 2025, "ALL")]
    # (10 + 12 + 10 + 0) days / (10 + 1 + 4 + 0) documents = 32/15 = 2.1333; the mean of the daily
    # means would be (1 + 12 + 2.5) / 3 = 5.17 (behind)
    assert (numerator, denominator) == (32, 15)
    assert round(actual, 4) == Decimal("2.1333")
    assert expected is None
    assert status == "at_risk"  # 2 < 2.1333 <= 2 + 0.2
    assert reason == "截至 3/31 平均 2.13 天（結案天數合計 32 天 ÷ 結案 15 件），目標不超過 2 天，容許至 2.2 天"


def test_k71_per_department_against_the_city_target(statuses):
    assert statuses[("K7.1", 2025, "KL0100")][3] == "on_track"  # 22/11 = 2.00, exactly on target
    assert statuses[("K7.1", 2025, "KL0100")][0] == 2
    kl0300 = statuses[("K7.1", 2025, "KL0300")]
    assert (kl0300[0], kl0300[3]) == (Decimal("2.5"), "behind")
    assert kl0300[4].startswith("綜合發展處：截至 3/31 平均 2.5 天")
    assert ("K7.1", 2025, "KL1200") not in statuses  # its only row was set aside
    assert statuses[("K7.1", 2024, "ALL")][3] == "achieved"  # 15/10 = 1.5 <= 2


def test_every_indicator_has_a_status_each_year(statuses):
    city = {k for k in statuses if k[2] == "ALL"}
    # 2024 (earliest data) and 2025
    assert {k[:2] for k in city} == {(c, y) for c in declarations.kpi_codes() for y in (2024, 2025)}
    others = {s[3] for k, s in statuses.items() if k[0] not in ("K9.1", "K7.1", "C1.1")}
    assert others == {"no_data"}
    assert statuses[("C1.1", 2025, "ALL")][3] == "pending"  # year-end only


def test_rerunning_a_date_replaces_it(statuses, tmp_path):
    dbt_render.dbt("build", "--select", "fct_kpi_status", as_of=AS_OF, target_path=tmp_path)
    with warehouse.connect() as conn:
        n = conn.execute("select count(*) from marts.fct_kpi_status where as_of_date = %s", (AS_OF,)).fetchone()[0]
    assert n == len(statuses)

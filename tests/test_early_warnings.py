"""Early warnings (預警, issue 12 item 3) on the demo data built for a range of as-of dates: the rows of
marts.kpi_alerts with severity early_warning are exactly the statuses on track but projected to miss and
the flagged ones projected to achieve; the e-mail, the webhook and the report carry them apart from the
official flags, whose counts they never join."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from conftest import load_demo_year_2025
from test_notify import Hooks, http_server, smtp_server  # noqa: F401 (fixtures: a real SMTP and HTTP server)

from kpi import dbt_render, labels, notify, warehouse
from kpi.report import data as report_data
from kpi.report import page

pytestmark = pytest.mark.slow

FIRST, AS_OF = date(2025, 9, 1), date(2025, 10, 15)  # the demo (scale 0.05) has both kinds on AS_OF


@pytest.fixture(scope="module")
def built(warehouse_db, dbt_manifest, tmp_path_factory):
    load_demo_year_2025()
    target = tmp_path_factory.mktemp("dbt") / "target"
    dbt_render.dbt("seed", target_path=target)
    dbt_render.dbt("run", as_of=FIRST, as_of_to=AS_OF, target_path=target)


def _sql(query: str, *params) -> list[tuple]:
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


def _expected(first: date, last: date) -> set[tuple]:
    """From fct_kpi_status alone: on track and likely_missed, or flagged and likely_achieved."""
    rows = _sql("select as_of_date, kpi_code, org_unit_code, year, status, projected_status "
                "from marts.fct_kpi_status where as_of_date between %s and %s", first, last)
    out = set()
    for d, code, unit, year, status, projected in rows:
        if status == "on_track" and projected == "likely_missed":
            out.add((d, code, unit, year, "early_warning_miss"))
        elif status in labels.FLAGGED and projected == "likely_achieved":
            out.add((d, code, unit, year, "early_warning_recover"))
    return out


def _early(first: date, last: date) -> list[tuple]:
    return _sql("select as_of_date, kpi_code, org_unit_code, year, status from marts.kpi_alerts "
                "where as_of_date between %s and %s and severity = 'early_warning'", first, last)


def test_early_warnings_are_exactly_the_projections_that_disagree_with_the_plans_status(built):
    got = _early(FIRST, AS_OF)
    assert len(got) == len(set(got))
    assert set(got) == _expected(FIRST, AS_OF)
    assert {g[4] for g in got if g[0] == AS_OF} == {"early_warning_miss", "early_warning_recover"}
    # never a flag: not flagged in dim_status, and the flags of kpi_alerts are those of the statuses
    assert _sql("select distinct is_flagged from marts.dim_status where severity = 'early_warning'") == [(False,)]
    flags = _sql("select count(*) from marts.kpi_alerts a join marts.dim_status s using (status) "
                 "where a.as_of_date = %s and s.is_flagged", AS_OF)
    statuses = _sql("select count(*) from marts.kpi_status_labelled where as_of_date = %s and is_flagged "
                    "and year >= %s", AS_OF, AS_OF.year - 1)
    assert flags == statuses
    # the sentence says what the plan's rule says and what the projection says
    for message, status_zh in _sql("select message, status_zh from marts.kpi_alerts where as_of_date = %s "
                                   "and severity = 'early_warning'", AS_OF):
        assert message.startswith("依計畫進度為「") and "推估114年（2025）年底約" in message
        assert status_zh in ("進度正常但可能未達成", "落後但可望達成")


def test_status_views_carry_the_foresight_columns_with_their_words(built):
    rows = _sql("""select c.kpi_code, c.projected_status, c.projected_status_zh, c.projection_reason,
                          c.seasonal_status, c.seasonal_status_zh, f.projection_reason
                   from marts.kpi_status_current c
                   join marts.fct_kpi_status f using (as_of_date, kpi_code, year, org_unit_code)
                   where c.projected_status is not null""")
    assert rows
    for _code, status, status_zh, reason, seasonal, seasonal_zh, fct_reason in rows:
        assert status_zh == labels.PROJECTED_STATUS_ZH[status] and reason == fct_reason
        assert seasonal_zh == (labels.STATUS_ZH[seasonal] if seasonal else None)
    history = _sql("select count(*) filter (where projected_status is not null) from marts.kpi_status_history "
                   "where as_of_date = %s", AS_OF)
    fct = _sql("select count(*) from marts.fct_kpi_status where as_of_date = %s and year = %s "
               "and projected_status is not null", AS_OF, AS_OF.year)
    assert history == fct and fct[0][0] > 0


def test_email_and_webhook_carry_early_warnings_apart_from_the_flags(built, smtp_server, http_server, monkeypatch):
    controller, box = smtp_server
    box.messages.clear()
    Hooks.requests.clear()
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("KPI_SMTP_SECURITY", "none")
    monkeypatch.setenv("KPI_ALERT_EMAIL_TO", "kaokao@mail.klcg.gov.tw")
    monkeypatch.setenv("KPI_ALERT_EMAIL_FROM", "kpi@mail.klcg.gov.tw")
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"{http_server}/ok")
    with warehouse.connect() as conn:
        conn.execute("delete from raw.notification_log where as_of_date = %s", (AS_OF,))
        conn.commit()
    result = notify.send_alerts(AS_OF, None, force=True)
    assert result["email"].startswith("sent") and result["webhook"].startswith("sent"), result

    early = sorted((d.isoformat(), c, u, y, s) for d, c, u, y, s in _early(AS_OF, AS_OF))
    official = _sql("select count(*) from marts.kpi_alerts where as_of_date = %s and severity <> 'early_warning'",
                    AS_OF)[0][0]
    by_status = dict(_sql("select status, count(*) from marts.fct_kpi_status where as_of_date = %s and year = %s "
                          "and org_unit_code = 'ALL' group by status", AS_OF, AS_OF.year))

    [req] = Hooks.requests
    body = json.loads(req["body"].decode("utf-8"))
    assert all(a["severity"] != "early_warning" for a in body["alerts"])
    assert len(body["alerts"]) == body["counts"]["alerts"] == official
    assert "early_warning" not in body["counts"]["alerts_by_severity"]
    assert body["counts"]["early_warnings"] == len(early)
    assert sorted((AS_OF.isoformat(), w["code"], w["org_unit"], w["year"], w["status"])
                  for w in body["early_warnings"]) == early
    assert all(w["severity"] == "early_warning" and w["reason"] for w in body["early_warnings"])

    [mail] = box.messages
    msg = mail["message"]
    red = by_status.get("behind", 0) + by_status.get("missed", 0)
    assert f"落後 {red} 項、需注意 {by_status.get('at_risk', 0)} 項" in msg["Subject"]
    assert f"另有預警 {len(early)} 則" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert f"警示共 {official} 則" in text
    section = text[text.index("預警：年底推估與計畫進度不一致"):]
    assert f"（{len(early)} 則）" in section.splitlines()[0]
    for _, code, *_ in early:
        assert code in section
    # the flag sections above it hold none of them
    flags_part = text[:text.index("預警：年底推估與計畫進度不一致")]
    assert "[進度正常但可能未達成]" not in flags_part and "[落後但可望達成]" not in flags_part
    assert "預警：年底推估與計畫進度不一致" in msg.get_body(("html",)).get_content()


def test_report_shows_early_warnings_in_their_own_section_not_in_the_flags(built):
    data = report_data.fetch(AS_OF)
    html = page.render(data)
    early = _early(AS_OF, AS_OF)
    section = re.search(r'<section id="early-warnings">(.*?)</section>', html, re.S).group(1)
    assert section.count("<tr data-kpi=") == len(early) and f"（{len(early)} 項" in section
    flagged_city = _sql("select count(*) from marts.kpi_status_labelled where as_of_date = %s and year = %s "
                        "and org_unit_code = 'ALL' and is_flagged", AS_OF, AS_OF.year)[0][0]
    flagged = re.search(r'<section id="flagged">(.*?)</section>', html, re.S).group(1)
    assert f"需關注指標（{flagged_city} 項）" in flagged
    assert flagged.count('<tr class="flag"') == flagged_city
    assert "進度正常但可能未達成" not in flagged and "落後但可望達成" not in flagged

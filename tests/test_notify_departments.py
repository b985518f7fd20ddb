"""Alerts routed to each department (issue 13 item 4), against a real SMTP server on localhost: each
unit with a mailbox in the seed department_contacts gets only its own flags, with its explanation
template attached (opened with openpyxl and compared with the warehouse); the 管考 office keeps the
city-wide e-mail; a rerun sends nothing twice."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import _free_port
from openpyxl import load_workbook
from test_notify import NOTIFY_VARS, Mailbox

from kpi import dbt_render, explanations, labels, notify, pipeline, warehouse
from kpi.demo import write_landing
from kpi.loaders import engine, source_names

pytestmark = pytest.mark.slow  # its own load, dbt build and publish of the November demo
AS_OF = date(2025, 11, 25)
OFFICE = "kaokao@mail.klcg.gov.tw"


def _sql(query: str, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def report_dir(warehouse_db, dbt_manifest, tmp_path_factory, monkeypatch_module) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
    write_landing(landing, date(2025, 11, 26), scale=0.05)
    for name in source_names():
        assert not engine.load(name).failures, name
    dbt_render.dbt("build", as_of=AS_OF, target_path=tmp_path_factory.mktemp("dbt") / "target")
    return Path(pipeline.publish(AS_OF))


@pytest.fixture(scope="module")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, box
    controller.stop()


def _flags_by_unit() -> dict[str, set[tuple]]:
    out: dict[str, set[tuple]] = {}
    for unit, code, year in _sql("select a.org_unit_code, a.kpi_code, a.year from marts.kpi_alerts a "
                                 "join marts.dim_status s using (status) where a.as_of_date = %s and s.is_flagged",
                                 AS_OF):
        out.setdefault(unit, set()).add((code, year))
    return out


@pytest.fixture(scope="module")
def contacts(report_dir):
    """Mailboxes for every unit with flags and for one without any (edited as the city edits the seed)."""
    flagged = sorted(u for u in _flags_by_unit() if u != "ALL")
    quiet = sorted({u for (u,) in _sql("select org_unit_code from raw.department_contacts")} - set(flagged))
    assert len(flagged) >= 2 and quiet
    units = {u: f"kpi-{u.lower()}@mail.klcg.gov.tw" for u in [*flagged, quiet[0]]}
    with warehouse.connect() as conn:
        for unit, mailbox in units.items():
            conn.execute("update raw.department_contacts set email_to = %s where org_unit_code = %s", (mailbox, unit))
        conn.commit()
    return units, quiet[0]


def test_each_department_gets_only_its_own_flags_and_its_template(report_dir, contacts, smtp_server, monkeypatch):
    units, quiet = contacts
    controller, box = smtp_server
    for var in NOTIFY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("KPI_SMTP_SECURITY", "none")
    monkeypatch.setenv("KPI_ALERT_EMAIL_TO", OFFICE)
    monkeypatch.setenv("KPI_ALERT_EMAIL_FROM", "kpi@mail.klcg.gov.tw")
    with warehouse.connect() as conn:
        conn.execute("delete from raw.notification_log")
        conn.commit()

    result = notify.send_alerts(AS_OF, report_dir)
    flags = _flags_by_unit()
    by_to = {tuple(m["to"]): m["message"] for m in box.messages}
    # the 管考 office: the city-wide e-mail of every alert, as before
    office = by_to.pop((OFFICE,))
    office_text = office.get_body(("plain",)).get_content()
    # early warnings (預警) travel apart from the alerts and their count
    alerts_n = _sql("select count(*) from marts.kpi_alerts where as_of_date = %s and severity <> all(%s)",
                    AS_OF, sorted(labels.EARLY_WARNING))[0][0]
    assert f"警示共 {alerts_n} 則" in office_text
    # every unit with a mailbox and flags: one e-mail, to it alone
    wanted = {u: m for u, m in units.items() if u in flags}
    assert set(by_to) == {(m,) for m in wanted.values()}, sorted(by_to)
    assert units[quiet] not in {m for (m,) in by_to}
    names = dict(_sql("select org_unit_code, org_unit_name_zh from marts.dim_org_unit"))
    for unit, mailbox in wanted.items():
        assert result[f"email:{unit}"] == "sent to 1 recipient(s)"
        msg = by_to[(mailbox,)]
        assert names[unit] in msg["Subject"] and "民國114年11月25日" in msg["Subject"]
        text = msg.get_body(("plain",)).get_content()
        own_codes = {c for c, _ in flags[unit]}
        for code in own_codes:
            assert code in text
        # every alert line names the unit it is about: only this one
        assert set(re.findall(r"^  \[.*｜(\S+)$", text, re.M)) == {names[unit]}, unit
        assert len(re.findall(r"^  \[", text, re.M)) >= len(flags[unit])
        [part] = list(msg.iter_attachments())
        assert part.get_filename() == f"落後說明表_{unit}_{AS_OF}.xlsx"
        ws = load_workbook(io.BytesIO(part.get_payload(decode=True))).active
        rows = list(ws.iter_rows(min_row=explanations.HEADER_ROW, values_only=True))
        head = list(rows[0])
        assert head == explanations.header()
        got = {(r[head.index("指標代碼")], r[head.index("西元年度")]) for r in rows[1:]}
        assert got == flags[unit]
        assert {r[head.index("單位代碼")] for r in rows[1:]} == {unit}

    # a rerun with the same alerts sends nothing again
    box.messages.clear()
    again = notify.send_alerts(AS_OF, report_dir)
    assert box.messages == []
    assert all(again[f"email:{u}"].startswith("skipped") for u in wanted)

"""Notifications against a real SMTP server (aiosmtpd) and a real HTTP server on localhost, with the
alerts of a real warehouse state: the demo landing data loaded, dbt built, flags written and the
status published for 2025-11-25, as the nightly tasks do."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import ipaddress
import json
import logging
import re
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import BUCKET, _free_port, run_kpi

from kpi import dbt_render, declarations, notify, pipeline, warehouse
from kpi.demo import write_landing
from kpi.loaders import engine, source_names

AS_OF = date(2025, 11, 25)
BASE_URL = "https://kpi.example.gov.tw/reports"
PASSWORD = "s3cret-smtp-pw"
TOKEN = "tok-0123456789abcdef"
NOTIFY_VARS = ("KPI_SMTP_HOST", "KPI_SMTP_PORT", "KPI_SMTP_SECURITY", "KPI_SMTP_USER", "KPI_SMTP_PASSWORD",
               "KPI_ALERT_EMAIL_TO", "KPI_ALERT_EMAIL_FROM", "KPI_WEBHOOK_URL", "KPI_WEBHOOK_TOKEN",
               "KPI_NOTIFY_ON", "KPI_REPORT_BASE_URL")


# ---------------------------------------------------------------------------------------------
# the warehouse state: what the nightly tasks leave behind for AS_OF
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_dir(warehouse_db, dbt_manifest, tmp_path_factory, monkeypatch_module) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    monkeypatch_module.setenv("KPI_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
    write_landing(landing, date(2025, 11, 26), scale=0.05)
    for name in source_names():
        assert not engine.load(name).failures, name
    dbt_render.dbt("build", as_of=AS_OF, target_path=tmp_path_factory.mktemp("dbt") / "target")
    pipeline.flag_indicators(AS_OF)
    return Path(pipeline.publish(AS_OF))


def _sql(query: str, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()


def _city_counts() -> dict[str, int]:
    return dict(_sql("select status, count(*) from marts.fct_kpi_status where as_of_date = %s and year = %s "
                     "and org_unit_code = 'ALL' group by status", AS_OF, AS_OF.year))


def _warehouse_alerts() -> list[tuple]:
    return sorted(_sql("select coalesce(kpi_code, ''), coalesce(org_unit_code, ''), coalesce(year, 0), status, "
                       "severity, message from marts.kpi_alerts where as_of_date = %s "
                       "and severity <> 'early_warning'", AS_OF))  # early warnings travel apart


# ---------------------------------------------------------------------------------------------
# the servers
# ---------------------------------------------------------------------------------------------
class Mailbox:
    def __init__(self):
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "tls": session.ssl is not None,
                              "message": email.message_from_bytes(envelope.content, policy=email.policy.default)})
        return "250 OK"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append((auth_data.login.decode(), mechanism))
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture(scope="module")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), authenticator=box.authenticator,
                            auth_require_tls=False)
    controller.start()
    yield controller, box
    controller.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture(scope="module")
def starttls_server(tmp_path_factory):
    """An SMTP server that offers STARTTLS and takes logins only over TLS (aiosmtpd's default)."""
    import ssl

    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), authenticator=box.authenticator,
                            tls_context=context, require_starttls=True)
    controller.start()
    yield controller, box, cert
    controller.stop()


class Hooks(BaseHTTPRequestHandler):
    """/ok answers 204, /bad 400 with a reason, /flaky 503 twice then 200."""
    requests: ClassVar[list[dict]] = []
    flaky_left = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path == "/bad":
            self._answer(400, b'{"error": "unknown channel"}')
        elif self.path == "/flaky" and type(self).flaky_left > 0:
            type(self).flaky_left -= 1
            self._answer(503, b"busy")
        else:
            self._answer(204 if self.path == "/ok" else 200, b"")

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def clean(monkeypatch, request):
    """No notification setting from outside; empty mailboxes, request logs and delivery log."""
    for var in NOTIFY_VARS:
        monkeypatch.delenv(var, raising=False)
    Hooks.requests.clear()
    for name in ("smtp_server", "starttls_server"):
        if name in request.fixturenames:
            box = request.getfixturevalue(name)[1]
            box.messages.clear()
            box.logins.clear()
    if "report_dir" in request.fixturenames:
        with warehouse.connect() as conn:
            conn.execute("delete from raw.notification_log")
            conn.commit()


def _mail_env(monkeypatch, controller, **extra):
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("KPI_ALERT_EMAIL_TO", "kaokao@mail.klcg.gov.tw, director@mail.klcg.gov.tw")
    monkeypatch.setenv("KPI_ALERT_EMAIL_FROM", "kpi@mail.klcg.gov.tw")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def _attachment(message):
    parts = list(message.iter_attachments())
    assert len(parts) == 1, [p.get_filename() for p in parts]
    return parts[0]


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------
def test_both_channels_off_when_unconfigured(smtp_server, http_server):
    assert notify.send_alerts(AS_OF, None) == {"as_of": "2025-11-25", "email": "off", "webhook": "off"}
    assert smtp_server[1].messages == [] and Hooks.requests == []


def test_email_in_zh_tw_with_roc_date_counts_every_alert_and_the_report(report_dir, smtp_server, monkeypatch):
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none", KPI_REPORT_BASE_URL=BASE_URL + "/")
    result = pipeline.notify(AS_OF, str(report_dir))   # what the DAG's notify task runs
    assert result["email"] == "sent to 2 recipient(s)" and result["webhook"] == "off"

    [mail] = box.messages
    assert mail["to"] == ["kaokao@mail.klcg.gov.tw", "director@mail.klcg.gov.tw"]
    assert mail["from"] == "kpi@mail.klcg.gov.tw"
    msg = mail["message"]
    counts = _city_counts()
    red, yellow = counts.get("behind", 0) + counts.get("missed", 0), counts.get("at_risk", 0)
    assert red and yellow, counts  # the demo has both on this date
    assert msg["Subject"].startswith(
        f"【基隆市管考】民國114年11月25日（2025-11-25）指標警示：落後 {red} 項、需注意 {yellow} 項")
    assert "基隆市政府管考資料平台" in msg["From"] and "kpi@mail.klcg.gov.tw" in msg["From"]

    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    wanted = _warehouse_alerts()
    assert f"警示共 {len(wanted)} 則" in text and f"警示共 {len(wanted)} 則" in page
    assert f"全市指標共 {sum(counts.values())} 項：落後 {counts['behind']}" in text
    for code, _, _, _, _, reason in wanted:
        assert code in text and reason in text, (code, reason)
        assert code in page and html.escape(reason) in page, (code, reason)
    k91 = _sql("select actual_value, target_value from marts.fct_kpi_status where as_of_date = %s "
               "and kpi_code = 'K9.1' and year = 2025 and org_unit_code = 'ALL'", AS_OF)[0]
    assert f"實際 {float(k91[0]):,.0f} 件，目標 {float(k91[1]):,.0f} 件" in text

    # the report: report.html when the run wrote one, else the status table
    published = report_dir / "report.html" if (report_dir / "report.html").exists() else report_dir / "kpi_status.txt"
    part = _attachment(msg)
    assert part.get_content_type() == ("text/html" if published.suffix == ".html" else "text/plain")
    assert part.get_payload(decode=True) == published.read_bytes()
    assert part.get_filename() == f"{published.stem}-2025-11-25{published.suffix}"
    link = f"{BASE_URL}/2025-11-25/{published.name}"
    assert link in text and f'href="{link}"' in page


def test_report_html_is_attached_when_the_run_wrote_one(report_dir, smtp_server, monkeypatch, tmp_path):
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none")
    (tmp_path / "kpi_status.txt").write_bytes((report_dir / "kpi_status.txt").read_bytes())
    notify.send_alerts(AS_OF, tmp_path)
    part = _attachment(box.messages[-1]["message"])
    assert part.get_content_type() == "text/plain" and part.get_filename() == "kpi_status-2025-11-25.txt"
    assert part.get_payload(decode=True) == (report_dir / "kpi_status.txt").read_bytes()

    report = "<!DOCTYPE html><html><body><h1>基隆市 指標報告 114/11/25</h1></body></html>\n".encode()
    (tmp_path / "report.html").write_bytes(report)
    notify.send_alerts(AS_OF, tmp_path, force=True)
    part = _attachment(box.messages[-1]["message"])
    assert part.get_content_type() == "text/html" and part.get_filename() == "report-2025-11-25.html"
    assert part.get_payload(decode=True) == report
    text = box.messages[-1]["message"].get_body(("plain",)).get_content()
    assert "完整報告見附件 report-2025-11-25.html" in text


@pytest.mark.celery  # scale-out: publish and notify on different hosts, the report on object storage
def test_publish_writes_to_s3_and_notify_attaches_the_report_from_there(report_dir, on_s3, smtp_server,
                                                                         monkeypatch):
    """KPI_REPORTS_URL=s3://…: publish uploads the night's folder to the bucket, and notify, on a host
    without that folder, mails the report it fetches from there."""
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none")
    monkeypatch.setenv("KPI_REPORTS_DIR", str(report_dir.parent / "not-this-host"))
    location = pipeline.publish(AS_OF)
    assert location == f"s3://{BUCKET}/reports/{AS_OF}"
    listed = on_s3.list_objects_v2(Bucket=BUCKET, Prefix=f"reports/{AS_OF}/")["Contents"]
    assert {"report.html", "kpi_status.txt", "kpi_status.json"} <= {o["Key"].rsplit("/", 1)[1] for o in listed}
    report = on_s3.get_object(Bucket=BUCKET, Key=f"reports/{AS_OF}/report.html")["Body"].read()
    assert pipeline.notify(AS_OF)["email"] == "sent to 2 recipient(s)"
    part = _attachment(box.messages[-1]["message"])
    assert part.get_filename() == "report-2025-11-25.html" and part.get_payload(decode=True) == report
    res = run_kpi("notify", "--as-of", AS_OF.isoformat(), timeout=300)  # by hand: the same report, from there
    assert res.returncode == 0 and "email    sent to 2 recipient(s)" in res.stdout, res.stderr[-2000:]
    assert _attachment(box.messages[-1]["message"]).get_payload(decode=True) == report
    assert not (report_dir.parent / "not-this-host").exists()


def test_webhook_posts_the_warehouse_alerts_as_json_with_bearer_token(report_dir, http_server, monkeypatch):
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"{http_server}/ok")
    monkeypatch.setenv("KPI_WEBHOOK_TOKEN", TOKEN)
    monkeypatch.setenv("KPI_REPORT_BASE_URL", BASE_URL)
    result = notify.send_alerts(AS_OF, report_dir)
    assert result["webhook"] == "sent (HTTP 204)" and result["email"] == "off"
    [req] = Hooks.requests
    assert req["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert req["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(req["body"].decode("utf-8"))
    assert body["as_of"] == "2025-11-25" and body["as_of_roc"] == "114/11/25"
    assert body["title"].startswith("【基隆市管考】民國114年11月25日（2025-11-25）指標警示")
    assert body["counts"]["by_status"] == _city_counts()
    got = sorted((a["code"] or "", a["org_unit"] or "", a["year"] or 0, a["status"], a["severity"], a["reason"])
                 for a in body["alerts"])
    assert got == _warehouse_alerts()
    assert body["counts"]["alerts"] == len(got)
    k31 = next(a for a in body["alerts"] if a["code"] == "K3.1" and a["org_unit"] == "ALL" and a["year"] == 2025)
    actual, target = _sql("select actual_value, target_value from marts.fct_kpi_status where as_of_date = %s "
                          "and kpi_code = 'K3.1' and year = 2025 and org_unit_code = 'ALL'", AS_OF)[0]
    assert (k31["actual"], k31["target"]) == (float(actual), float(target))
    assert k31["name"] and k31["status"] in ("behind", "missed", "at_risk")
    published = report_dir / "report.html" if (report_dir / "report.html").exists() else report_dir / "kpi_status.txt"
    assert body["report"] == {"url": f"{BASE_URL}/2025-11-25/{published.name}", "path": str(published)}


def test_webhook_4xx_is_a_clear_error_and_the_email_still_goes(report_dir, smtp_server, http_server, monkeypatch):
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none", KPI_WEBHOOK_URL=f"{http_server}/bad")
    with pytest.raises(notify.NotifyError) as err:
        notify.send_alerts(AS_OF, report_dir)
    assert f"webhook {http_server}/bad answered HTTP 400" in str(err.value)
    assert "unknown channel" in str(err.value)
    assert len(Hooks.requests) == 1  # a 4xx is not retried
    assert len(box.messages) == 1    # the other channel delivered

    # the retry of the task sends only what failed (here: after the URL was fixed)
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"{http_server}/ok")
    result = notify.send_alerts(AS_OF, report_dir)
    assert result["email"].startswith("skipped") and result["webhook"] == "sent (HTTP 204)"
    assert len(box.messages) == 1
    # the same content is not sent twice to the same place; `kpi notify` (force) sends anyway
    assert notify.send_alerts(AS_OF, report_dir)["webhook"].startswith("skipped")
    assert notify.send_alerts(AS_OF, report_dir, force=True)["email"] == "sent to 2 recipient(s)"
    assert len(box.messages) == 2 and len(Hooks.requests) == 3


def test_webhook_5xx_is_retried_with_backoff(report_dir, http_server, monkeypatch):
    monkeypatch.setattr(notify.webhook, "WEBHOOK_BACKOFF", 0.05)
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"{http_server}/flaky")
    Hooks.flaky_left = 2
    assert notify.send_alerts(AS_OF, report_dir)["webhook"] == "sent (HTTP 200)"
    assert [r["path"] for r in Hooks.requests] == ["/flaky"] * 3
    assert Hooks.requests[0]["body"] == Hooks.requests[2]["body"]

    Hooks.requests.clear()
    Hooks.flaky_left = 5
    with pytest.raises(notify.NotifyError, match=r"/flaky: gave up after 3 attempts; last error: HTTP 503"):
        notify.send_alerts(AS_OF, report_dir, force=True)
    assert len(Hooks.requests) == 3
    Hooks.flaky_left = 0


def test_unreachable_webhook_names_the_url_without_its_secret(report_dir, monkeypatch):
    monkeypatch.setattr(notify.webhook, "WEBHOOK_BACKOFF", 0.01)
    port = _free_port()  # nothing listens there
    secret = "T00000000B00000000XXXXXXXXXXXXXXXXXXXXXXXX"
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"http://127.0.0.1:{port}/services/{secret}")
    with pytest.raises(notify.NotifyError) as err:
        notify.send_alerts(AS_OF, report_dir)
    assert f"webhook http://127.0.0.1:{port}/services/***: gave up after 3 attempts" in str(err.value)
    assert "refused" in str(err.value).lower() and secret not in str(err.value)


def test_refused_smtp_connection_names_host_and_port(report_dir, monkeypatch):
    port = _free_port()  # nothing listens there
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", str(port))
    monkeypatch.setenv("KPI_ALERT_EMAIL_TO", "kaokao@mail.klcg.gov.tw")
    monkeypatch.setenv("KPI_ALERT_EMAIL_FROM", "kpi@mail.klcg.gov.tw")
    with pytest.raises(notify.NotifyError, match=rf"cannot connect to the SMTP server 127\.0\.0\.1:{port}: "
                                                 "connection refused"):
        notify.send_alerts(AS_OF, report_dir)


def test_login_over_starttls_and_no_secret_in_logs(report_dir, starttls_server, http_server, monkeypatch,
                                                   caplog):
    controller, box, cert = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test server's self-signed certificate
    _mail_env(monkeypatch, controller, KPI_SMTP_USER="kpi-bot", KPI_SMTP_PASSWORD=PASSWORD,
              KPI_WEBHOOK_URL=f"{http_server}/ok", KPI_WEBHOOK_TOKEN=TOKEN)
    caplog.set_level(logging.DEBUG)
    result = notify.send_alerts(AS_OF, report_dir)   # KPI_SMTP_SECURITY defaults to auto
    assert result["email"] == "sent to 2 recipient(s)"
    [mail] = box.messages
    assert mail["tls"] and box.logins and box.logins[0][0] == "kpi-bot"
    from kpi import config

    settings = config.notify_settings()
    shown = caplog.text + repr(settings) + json.dumps(result, ensure_ascii=False)
    with warehouse.connect() as conn:
        shown += repr(conn.execute("select * from raw.notification_log").fetchall())
    assert PASSWORD not in shown and TOKEN not in shown


def test_no_password_over_plain_smtp_unless_told(report_dir, smtp_server, monkeypatch):
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_USER="kpi-bot", KPI_SMTP_PASSWORD=PASSWORD)
    with pytest.raises(notify.NotifyError, match="offers no TLS; not sending the password") as err:
        notify.send_alerts(AS_OF, report_dir)
    assert PASSWORD not in str(err.value) and box.messages == []
    monkeypatch.setenv("KPI_SMTP_SECURITY", "none")
    notify.send_alerts(AS_OF, report_dir)
    assert box.logins[0][0] == "kpi-bot" and len(box.messages) == 1
    monkeypatch.setenv("KPI_SMTP_PASSWORD", "wrong")
    with pytest.raises(notify.NotifyError, match=r"refused the login of 'kpi-bot'"):
        notify.send_alerts(AS_OF, report_dir, force=True)


def test_notify_on_alerts_sends_nothing_on_a_day_without_alerts(report_dir, smtp_server, monkeypatch):
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none")
    # a day without alerts: no status of the day flagged, every source fresh (kpi_alerts is their view)
    stale = [code for (code,) in _sql("select source_code from marts.fct_source_freshness "
                                      "where as_of_date = %s and not is_fresh", AS_OF)]
    _sql_exec("update marts.fct_kpi_status set status = 'held_' || status "
              "where as_of_date = %s and status in ('behind', 'missed', 'at_risk')", AS_OF)
    # and no early warning: they are sent too (apart from the alerts), from the projection's word
    _sql_exec("update marts.fct_kpi_status set projected_status = 'held_' || projected_status "
              "where as_of_date = %s and projected_status is not null", AS_OF)
    _sql_exec("update marts.fct_source_freshness set is_fresh = true where as_of_date = %s", AS_OF)
    try:
        assert _sql("select count(*) from marts.kpi_alerts where as_of_date = %s", AS_OF) == [(0,)]
        result = notify.send_alerts(AS_OF, report_dir)
        assert result["email"] == "skipped: no alerts (KPI_NOTIFY_ON=alerts)" and box.messages == []
        monkeypatch.setenv("KPI_NOTIFY_ON", "always")
        assert notify.send_alerts(AS_OF, report_dir)["email"] == "sent to 2 recipient(s)"
        msg = box.messages[0]["message"]
        assert msg["Subject"] == "【基隆市管考】民國114年11月25日（2025-11-25）指標狀態：無落後或需注意指標"
        assert "本日無落後、需注意或資料逾期之警示" in msg.get_body(("plain",)).get_content()
    finally:
        _sql_exec("update marts.fct_kpi_status set status = substr(status, 6) "
                  "where as_of_date = %s and status like 'held\\_%%'", AS_OF)
        _sql_exec("update marts.fct_kpi_status set projected_status = substr(projected_status, 6) "
                  "where as_of_date = %s and projected_status like 'held\\_%%'", AS_OF)
        _sql_exec("update marts.fct_source_freshness set is_fresh = false "
                  "where as_of_date = %s and source_code = any(%s)", AS_OF, stale)


def _sql_exec(query: str, *params) -> None:
    with warehouse.connect() as conn:
        conn.execute(query, params)
        conn.commit()


def test_wrong_settings_are_named(report_dir, monkeypatch):
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    with pytest.raises(ValueError, match="KPI_ALERT_EMAIL_TO is empty"):
        notify.send_alerts(AS_OF, report_dir)
    monkeypatch.setenv("KPI_ALERT_EMAIL_TO", "a@b.tw")
    monkeypatch.setenv("KPI_ALERT_EMAIL_FROM", "kpi@b.tw")
    monkeypatch.setenv("KPI_SMTP_SECURITY", "tls")
    with pytest.raises(ValueError, match="KPI_SMTP_SECURITY must be one of auto, starttls, ssl, none"):
        notify.send_alerts(AS_OF, report_dir)


def test_a_date_without_results_is_a_clear_error(report_dir, monkeypatch, http_server):
    monkeypatch.setenv("KPI_WEBHOOK_URL", f"{http_server}/ok")
    with pytest.raises(notify.NotifyError, match="no KPI status for 2025-11-24 in the warehouse"):
        notify.send_alerts(date(2025, 11, 24), report_dir)
    assert Hooks.requests == []


def test_kpi_notify_command_sends_now_and_reports_failures(report_dir, smtp_server):
    controller, box = smtp_server
    env = {"KPI_SMTP_HOST": "127.0.0.1", "KPI_SMTP_PORT": str(controller.port), "KPI_SMTP_SECURITY": "none",
           "KPI_ALERT_EMAIL_TO": "kaokao@mail.klcg.gov.tw", "KPI_ALERT_EMAIL_FROM": "kpi@mail.klcg.gov.tw"}
    for _ in range(2):  # by hand it always sends, even the same content again
        res = run_kpi("notify", "--as-of", AS_OF.isoformat(), env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        assert "email    sent to 1 recipient(s)" in res.stdout and "webhook  off" in res.stdout
    assert len(box.messages) == 2
    port = _free_port()
    res = run_kpi("notify", "--as-of", AS_OF.isoformat(), env={**env, "KPI_SMTP_PORT": str(port)}, timeout=120)
    assert res.returncode == 2
    assert f"127.0.0.1:{port}: connection refused" in res.stderr


# ---------------------------------------------------------------------------------------------
# one value, one form: the marts, `kpi status`, the report and the e-mail (issue 11)
# ---------------------------------------------------------------------------------------------
def _other_forms(value: float, value_format: str, unit: str, shown: set[str]) -> set[str]:
    """Ways a value could be written other than the warehouse's own texts `shown`: more or fewer
    decimals, with or without separators (e.g. 76.0% against 76%, 2.10 天 against 2.1 天)."""
    if value_format == "percent":
        forms = {f"{value * 100:.{d}f}%" for d in range(4)}
    else:
        forms = {f"{value:{sep}.{d}f} {unit}" for d in range(4) for sep in ("", ",")}
    return forms - shown


def test_one_value_reads_the_same_in_marts_status_report_and_email(report_dir, smtp_server, monkeypatch):
    """Every city-wide value of the as-of date reads exactly as marts.kpi_status_current writes it
    (actual_text, target_text, from the seed value_formats) in `kpi status`, the report, the e-mail
    and inside the status_reason sentence dbt writes; no path shows it in another form."""
    rows = [dict(zip(("code", "value", "target", "fmt", "unit", "actual_text", "target_text", "reason",
                      "status_zh", "flagged"), r)) for r in _sql(
        "select kpi_code, actual_value, target_value, value_format, unit_zh, actual_text, target_text, "
        "status_reason, status_zh, is_flagged from marts.kpi_status_current "
        "where org_unit_code = 'ALL' and as_of_date = %s order by kpi_code", AS_OF)]
    assert {r["code"] for r in rows} == set(declarations.kpi_codes())
    assert {r["fmt"] for r in rows if r["value"] is not None} == {"percent", "count", "days"}

    status = run_kpi("status", "--as-of", AS_OF.isoformat(), env={"NO_COLOR": "1"})
    assert status.returncode == 0, status.stderr
    status_lines = {r["code"]: next(line for line in status.stdout.splitlines() if f" {r['code']} " in line)
                    for r in rows}
    report = (report_dir / "report.html").read_text(encoding="utf-8")
    controller, box = smtp_server
    _mail_env(monkeypatch, controller, KPI_SMTP_SECURITY="none")
    notify.send_alerts(AS_OF, report_dir)
    mail = box.messages[-1]["message"].get_body(("plain",)).get_content()

    checked = 0
    for r in rows:
        if r["value"] is None:
            continue
        actual, target = r["actual_text"], r["target_text"]
        where = {"kpi status": status_lines[r["code"]]}
        card = re.search(rf'<article class="card" id="[^"]+" data-kpi="{re.escape(r["code"])}".*?</article>',
                         report, re.S).group(0)
        assert f"實際 {html.escape(actual)}" in card, (r["code"], actual)
        where["report card"] = card
        if r["flagged"]:
            flag_row = re.search(rf'<tr class="flag" data-kpi="{re.escape(r["code"])}".*?</tr>', report, re.S).group(0)
            assert html.escape(actual) in flag_row and html.escape(target) in flag_row, r["code"]
            where["report flags"] = flag_row
            mail_line = next(line for line in mail.splitlines() if f"] {r['code']} " in line)
            mail_values = mail.splitlines()[mail.splitlines().index(mail_line) + 1]
            assert mail_values.strip() == f"實際 {actual}，目標 {target}", (r["code"], mail_values)
            where["e-mail"] = mail_values
        assert actual in where["kpi status"] and target in where["kpi status"], (r["code"], where["kpi status"])
        if r["fmt"] != "count" or r["reason"].startswith("累計"):  # dbt's own sentence uses the same text
            assert actual in r["reason"], (r["code"], actual, r["reason"])
        for name, text in where.items():
            for value in (r["value"], r["target"]):
                wrong = [f for f in _other_forms(float(value), r["fmt"], r["unit"], {actual, target})
                         if re.search(r"(?<![\d.,])" + re.escape(f), text)]
                assert not wrong, f"{r['code']} {name}: {wrong} besides {actual!r} / {target!r}"
        checked += 1
    assert checked >= 20


def test_alerts_carry_names_words_and_their_year(report_dir):
    """marts.kpi_alerts as a BI tool reads it (issue 11): names, severity in words, and last year's
    final misses told apart, so a count by severity of this year's alerts needs no join and no CASE."""
    rows = _sql("select a.kpi_code, a.org_unit_code, a.year, a.kpi_name_zh, a.org_unit_name_zh, a.severity_zh, "
                "a.is_prior_year, k.kpi_name_zh, d.severity_zh from marts.kpi_alerts a "
                "left join marts.dim_kpi k using (kpi_code) join marts.dim_alert_severity d using (severity) "
                "where a.as_of_date = %s", AS_OF)
    assert {r[6] for r in rows if r[0]} == {True, False}  # the demo has both years on this date
    for code, org, year, name, org_name, severity_zh, prior, dim_name, dim_severity_zh in rows:
        assert severity_zh == dim_severity_zh and prior == (code is not None and year < AS_OF.year)
        if code:
            assert name == dim_name and org_name == ("全市" if org == "ALL" else org_name) and org_name
    this_year = dict(_sql("select severity_zh, count(*) from marts.kpi_alerts_current where not is_prior_year "
                          "group by severity_zh"))
    assert sum(this_year.values()) == sum(1 for r in rows if not r[6])

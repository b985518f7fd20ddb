"""Secrets never reach a message, a log or the serialized DAG: servers that echo what they were sent
are masked (kpi.redact), and the warehouse password stays out of the DAG Airflow stores."""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from conftest import PROJECT

from kpi import config, notify, redact

TOKEN = "tok-Echoed/Back+42=="


class _Echo(BaseHTTPRequestHandler):
    """A webhook that answers with an error page quoting the request headers (some proxies and
    frameworks do), Authorization included, raw and percent-encoded."""

    status = 401

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        body = (f"<h1>{self.status}</h1>invalid credentials: {auth}"
                f" <a href='/login?auth={quote(auth, safe='')}'>again</a><pre>request headers:\n{self.headers}</pre>"
                ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [401, 403, 500])
def test_a_webhook_echoing_the_authorization_header_never_shows_the_token(echo_server, status, monkeypatch, caplog):
    monkeypatch.setattr(_Echo, "status", status)
    monkeypatch.setenv("KPI_WEBHOOK_TOKEN", TOKEN)
    url = f"http://127.0.0.1:{echo_server.server_port}/hook"
    with caplog.at_level(logging.DEBUG), pytest.raises(notify.NotifyError) as info:
        notify.post_webhook(url, {"alerts": []}, TOKEN, retries=1, backoff=0)
    message = str(info.value)
    assert f"HTTP {status}" in message
    if status < 500:  # the body is quoted, masked
        assert "invalid credentials: Bearer ***" in message and "auth=Bearer%20***" in message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for form in (TOKEN, quote(TOKEN, safe=""), "Echoed"):
        assert form not in message and form not in logged


def test_mask_covers_every_configured_secret(monkeypatch, tmp_path):
    secrets = {
        "KPI_WEBHOOK_TOKEN": "webhook-token-1",
        "KPI_SMTP_PASSWORD": "smtp pass/2 ",
        "KPI_PII_KEY": "pii-key-3",
        "KPI_BI_READER_PASSWORD": "bi-reader-4",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql://kpi:wh%40pw-5@db/kpi?sslpassword=keypass-6")
    monkeypatch.setenv("KPI_DOCUMENTS_URL", "mssql+pyodbc://reader:docs-pw-7@docs/db")
    monkeypatch.setenv("KPI_WEBHOOK_URL", "https://hooks.example/services/T0000/B0000/abcdefghijklmnopqrstuvwx")
    hidden = [*secrets.values(), "smtp pass/2", "wh@pw-5", "keypass-6", "docs-pw-7", "abcdefghijklmnopqrstuvwx",
              config.embedded_password()]
    text = " | ".join(f"{s} {quote(s, safe='')}" for s in hidden)
    masked = redact.mask(text)
    assert not [s for s in hidden if s in masked or quote(s, safe="") in masked]
    assert masked.count(redact.MASK) >= len(hidden)
    assert redact.mask("nothing secret here") == "nothing secret here"


def test_mask_covers_the_url_of_every_declared_source(monkeypatch, tmp_path):
    """The URL variable (url_env) of a source is masked as soon as sources.yml declares it: a new
    source needs no second list of secret settings."""
    import yaml

    from kpi.loaders import spec

    declared = yaml.safe_load(spec.sources_file().read_text(encoding="utf-8"))
    declared["parking"] = {**declared["hr"], "url_env": "KPI_PARKING_API_URL", "raw_table": "parking__sessions"}
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(spec, "sources_file", lambda: path)
    urls = {name: f"https://reader:pw-{name.lower()}@api.example/v1"
            for name in ("KPI_PARKING_API_URL", *(s.url_env for s in spec.load_sources().values() if s.url_env))}
    assert len(urls) >= 3   # parking, documents, hr
    for name, url in urls.items():
        monkeypatch.setenv(name, url)
    masked = redact.mask(" | ".join(urls.values()))
    assert "pw-" not in masked and masked.count(redact.MASK) == len(urls)


def _serialized_dag(monkeypatch) -> str:
    """kpi_nightly parsed as the DAG processor parses it, serialized as it is stored."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    bag = DagBag(dag_folder=str(PROJECT / "dags"))
    assert bag.import_errors == {}
    return json.dumps(DagSerialization.to_dict(bag.dags["kpi_nightly"]))


def test_the_serialized_dag_holds_no_warehouse_password(dbt_manifest, monkeypatch, caplog, capfd):
    password = "Wh-Passw0rd-in-URL"
    with caplog.at_level(logging.DEBUG):
        monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://kpi_owner:{password}@127.0.0.1:9/wh?sslmode=disable")
        with_url = _serialized_dag(monkeypatch)
        monkeypatch.delenv("WAREHOUSE_URL")
        embedded = _serialized_dag(monkeypatch)
    assert '"dbt_build"' in with_url and '"load_petitions"' in with_url  # the whole DAG is in it
    assert with_url.count(password) == 0
    assert embedded.count(config.embedded_password()) == 0
    out = capfd.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records) + out.out + out.err
    assert password not in logged and config.embedded_password() not in logged

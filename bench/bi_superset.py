"""The part of bench/bi_superset.sh that talks to Superset's REST API (run with Superset's own venv).

Imports the bundle (its database pointed at the embedded warehouse as bi_reader, its label colours
read from marts.dim_status and marts.dim_alert_severity, i.e. from the seeds), refreshes the datasets'
columns, renders every chart of the dashboard through /api/v1/chart/<id>/data/ and exits non-zero on
any error. With SCREENSHOT set, photographs the dashboard in headless Chromium (DevTools protocol,
logged in with a session cookie).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psycopg2
import requests
import websocket
import yaml

URL = os.environ["SUPERSET_URL"]
WAREHOUSE_PORT = os.environ.get("KPI_WAREHOUSE_PORT", "54329")
BI_PASSWORD = os.environ["BI_PASSWORD"]
ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]
STARTED = float(os.environ.get("STARTED") or time.time())
TIMEOUT = 60  # seconds per request: a chart query on the marts takes well under a second
DB_FILE = "databases/kpi.yaml"
SLUG = "kpi-status"


def fail(message: str) -> None:
    print(f"bi_superset: {message}", file=sys.stderr)
    sys.exit(1)


def wait_for_superset(deadline: float = 300) -> None:
    end = time.time() + deadline
    while time.time() < end:
        try:
            if requests.get(f"{URL}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    fail(f"Superset did not answer at {URL}/health within {deadline:.0f} s (see server.log)")


def label_colours() -> dict[str, str]:
    """Status and severity words with their colours, as the warehouse has them (seeds status_labels,
    alert_severities, colours), read as bi_reader like every chart."""
    conn = psycopg2.connect(host="127.0.0.1", port=WAREHOUSE_PORT, dbname="kpi", user="bi_reader",
                            password=BI_PASSWORD, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("select status_zh, colour_hex from marts.dim_status "
                        "union all select severity_zh, colour_hex from marts.dim_alert_severity")
            return dict(cur.fetchall())
    finally:
        conn.close()


def bundle_zip(folder: Path) -> bytes:
    """The bundle as Superset imports it: the database URI at this warehouse's port, label colours
    from the warehouse."""
    colours = label_colours()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*.yaml")):
            rel = path.relative_to(folder).as_posix()
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if rel == DB_FILE:
                data["sqlalchemy_uri"] = f"postgresql+psycopg2://bi_reader:XXXXXXXXXX@127.0.0.1:{WAREHOUSE_PORT}/kpi"
            if rel.startswith("dashboards/"):
                data["metadata"]["label_colors"] = colours
            z.writestr(f"kpi_dashboard/{rel}", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return buf.getvalue()


class Api:
    def __init__(self):
        self.s = requests.Session()
        r = self.s.post(f"{URL}/api/v1/security/login", timeout=TIMEOUT,
                        json={"username": "admin", "password": ADMIN_PASSWORD, "provider": "db", "refresh": False})
        if r.status_code != 200:
            fail(f"cannot log in to Superset as admin: HTTP {r.status_code} {r.text[:300]}")
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def call(self, method: str, path: str, ok=(200,), **kw) -> dict:
        r = self.s.request(method, f"{URL}{path}", timeout=TIMEOUT, **kw)
        if r.status_code not in ok:
            fail(f"{method} {path}: HTTP {r.status_code} {r.text[:2000]}")
        return r.json() if r.content else {}

    def listing(self, what: str, columns: list[str]) -> list[dict]:
        q = f"(columns:!({','.join(columns)}),page_size:100)"
        return self.call("GET", f"/api/v1/{what}/", params={"q": q})["result"]


def screenshot(out: Path, dashboard_url: str) -> None:
    """The dashboard in headless Chromium, logged in with the session cookie of a form login."""
    chromium = os.environ.get("KPI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    web = requests.Session()
    r = web.post(f"{URL}/login/", data={"username": "admin", "password": ADMIN_PASSWORD}, timeout=TIMEOUT,
                 allow_redirects=False)
    cookie = web.cookies.get("session")
    if r.status_code not in (200, 302) or not cookie:
        fail(f"form login for the screenshot failed: HTTP {r.status_code}")
    profile = Path(tempfile.mkdtemp(prefix="kpi-superset-chromium-"))
    proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}",
                             "--window-size=1440,1500", "--lang=zh-TW", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        page = next(t for t in requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json() if t["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        ids = iter(range(1, 10_000))

        def cdp(method: str, **params) -> dict:
            n = next(ids)
            ws.send(json.dumps({"id": n, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == n:
                    if "error" in msg:
                        fail(f"chromium {method}: {msg['error']}")
                    return msg.get("result", {})

        cdp("Network.enable")
        cdp("Network.setCookie", name="session", value=cookie, url=URL)
        cdp("Emulation.setDeviceMetricsOverride", width=1440, height=1500, deviceScaleFactor=1, mobile=False)
        cdp("Page.navigate", url=f"{dashboard_url}?standalone=1")
        # every chart drawn: 2 tables and 2 ECharts canvases (line, pie), no spinner left; an icon's
        # svg (empty state, loading) is not a chart
        js = ("document.querySelectorAll('.dashboard-chart table').length >= 2 && "
              "document.querySelectorAll('.dashboard-chart canvas').length >= 2 && "
              "!document.querySelector('.dashboard-chart .loading')")
        end = time.time() + 120
        while not cdp("Runtime.evaluate", expression=js, returnByValue=True)["result"].get("value"):
            if time.time() > end:
                fail("the dashboard did not draw its 2 tables and 2 charts within 120 s")
            time.sleep(1)
        time.sleep(4)  # animations settle
        shot = cdp("Page.captureScreenshot", format="png")
        import base64
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(shot["data"]))
        ws.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshot: {out} ({out.stat().st_size:,} bytes)")


def main() -> None:
    folder = Path(sys.argv[1])
    wait_for_superset()
    api = Api()
    # a dashboard import overwrites the dashboard but not its charts and datasets: take out what an
    # earlier run imported, so the bundle as it is now is what Superset shows
    uuids = {yaml.safe_load(p.read_text(encoding="utf-8"))["uuid"] for p in folder.rglob("*.yaml")
             if p.parent.name != "databases" and p.name != "metadata.yaml"}
    for what in ("dashboard", "chart", "dataset"):
        for old in api.listing(what, ["id", "uuid"]):
            if old["uuid"] in uuids:
                api.call("DELETE", f"/api/v1/{what}/{old['id']}")
    api.call("POST", "/api/v1/dashboard/import/",
             files={"formData": ("kpi_dashboard.zip", bundle_zip(folder), "application/zip")},
             data={"passwords": json.dumps({DB_FILE: BI_PASSWORD}), "overwrite": "true"})
    # chart uuid -> the query the bundle saved with it (the API does not return it)
    bundle_charts = {c["uuid"]: c["query_context"] for c in
                     (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (folder / "charts").glob("*.yaml"))}
    bundle_datasets = {yaml.safe_load(p.read_text(encoding="utf-8"))["uuid"] for p in folder.glob("datasets/*/*.yaml")}

    # the database works as bi_reader, and the datasets take their columns from the marts
    db = next(d for d in api.listing("database", ["id", "database_name", "uuid"])
              if d["uuid"] == yaml.safe_load((folder / DB_FILE).read_text(encoding="utf-8"))["uuid"])
    schemas = api.call("GET", f"/api/v1/database/{db['id']}/schemas/")["result"]
    listing = api.listing("dataset", ["id", "table_name", "uuid"])
    datasets = {d["id"]: d for d in listing if d["uuid"] in bundle_datasets}
    if len(datasets) != len(bundle_datasets):
        fail(f"imported {len(datasets)} of the bundle's {len(bundle_datasets)} datasets")
    for ds in datasets.values():
        api.call("PUT", f"/api/v1/dataset/{ds['id']}/refresh")

    # every chart: its saved query on its imported dataset, then rendered through the API
    charts = [c for c in api.listing("chart", ["id", "slice_name", "uuid", "datasource_id"])
              if c["uuid"] in bundle_charts]
    if len(charts) != len(bundle_charts):
        fail(f"imported {len(charts)} of the bundle's {len(bundle_charts)} charts")
    first_chart = None
    for c in sorted(charts, key=lambda c: c["id"]):
        qc = json.loads(bundle_charts[c["uuid"]])
        qc["datasource"] = {"id": c["datasource_id"], "type": "table"}
        qc["form_data"]["datasource"] = f"{c['datasource_id']}__table"
        api.call("PUT", f"/api/v1/chart/{c['id']}", json={"query_context": json.dumps(qc, ensure_ascii=False),
                                                         "query_context_generation": True})
        t = time.time()
        body = api.call("GET", f"/api/v1/chart/{c['id']}/data/")
        results = body.get("result") or []
        errors = [r.get("error") for r in results if r.get("error") or r.get("status") not in ("success", None)]
        rows = sum(r.get("rowcount") or 0 for r in results)
        if not results or errors:
            fail(f"chart {c['slice_name']} (id {c['id']}): {errors or 'no result'}")
        if rows == 0:
            fail(f"chart {c['slice_name']} (id {c['id']}) rendered no rows: has the pipeline run (make run)?")
        first_chart = first_chart or time.time()
        print(f"chart {c['id']:>3} {c['slice_name']}: {rows} rows, {time.time() - t:.2f} s, "
              f"query: {results[0].get('query', '').strip().splitlines()[0][:60]}…")
    dash = api.call("GET", f"/api/v1/dashboard/{SLUG}")["result"]
    print(f"dashboard {dash['dashboard_title']}: {len(charts)} charts rendered; schemas bi_reader's Superset "
          f"lists: {', '.join(schemas)}")
    print(f"first chart {first_chart - STARTED:.0f} s after bi_superset.sh started, "
          f"all {time.time() - STARTED:.0f} s")
    if os.environ.get("SCREENSHOT"):
        screenshot(Path(os.environ["SCREENSHOT"]), f"{URL}/superset/dashboard/{SLUG}/")


if __name__ == "__main__":
    main()

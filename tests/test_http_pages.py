"""kpi.loaders.http_pages against a real local HTTP server and file:// pages: next links (relative and
absolute), retries with backoff, immediate 4xx failures, timeouts, loops, and a source not delivered."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kpi.loaders.http_pages import HttpSourceError, SourceNotDelivered, fetch_pages, safe_url

SECRET_BODY = "王小明 0912345678"   # stands for personal data: must never appear in an error


def page(items: list, next_link: str | None) -> bytes:
    return json.dumps({"items": items, "next": next_link}, ensure_ascii=False).encode("utf-8")


class Api(BaseHTTPRequestHandler):
    """Routes: /a/p1 -> p2 (relative) -> absolute p3 -> end; /flaky fails twice with 500;
    /missing is 404; /slow sleeps; /loop1 <-> /loop2; /busy is always 503."""

    hits: Counter = Counter()
    base = ""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.hits[self.path] += 1
        route = {
            "/a/p1": lambda: self.send(200, page([{"n": 1}], "p2")),
            "/a/p2": lambda: self.send(200, page([{"n": 2}], f"{self.base}/b/p3")),
            "/b/p3": lambda: self.send(200, page([{"n": 3}], None)),
            "/flaky": self.flaky,
            "/missing": lambda: self.send(404, SECRET_BODY.encode()),
            "/slow": self.slow,
            "/loop1": lambda: self.send(200, page([], "/loop2")),
            "/loop2": lambda: self.send(200, page([], "loop1")),
            "/busy": lambda: self.send(503, SECRET_BODY.encode()),
            "/empty-next": lambda: self.send(200, page([{"n": 1}], "")),
        }.get(self.path)
        if route is None:
            self.send(404, b"no such route")
        else:
            route()

    def flaky(self):
        if self.hits["/flaky"] <= 2:
            self.send(500, SECRET_BODY.encode())
        else:
            self.send(200, page([{"n": "ok"}], None))

    def slow(self):
        time.sleep(0.5)
        self.send(200, page([], None))

    def send(self, status: int, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client already gave up (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture()
def api(request):
    Api.hits = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    Api.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    request.addfinalizer(stop)
    return Api.base


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def bodies(pages) -> list[list]:
    return [json.loads(body)["items"] for _, body in pages]


def test_follows_relative_and_absolute_next_links(api):
    pages = list(fetch_pages(f"{api}/a/p1"))
    assert [url for url, _ in pages] == [f"{api}/a/p1", f"{api}/a/p2", f"{api}/b/p3"]
    assert bodies(pages) == [[{"n": 1}], [{"n": 2}], [{"n": 3}]]


def test_empty_next_ends_the_chain(api):
    assert len(list(fetch_pages(f"{api}/empty-next"))) == 1


def test_server_error_is_retried_with_backoff(api):
    sleeps = Sleeps()
    pages = list(fetch_pages(f"{api}/flaky", retries=3, backoff=0.5, sleep=sleeps))
    assert bodies(pages) == [[{"n": "ok"}]]
    assert Api.hits["/flaky"] == 3
    assert sleeps == [0.5, 1.0]


def test_retries_used_up(api):
    sleeps = Sleeps()
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(f"{api}/busy", retries=2, backoff=1.0, sleep=sleeps))
    message = str(info.value)
    assert f"{api}/busy" in message and "503" in message and "3 attempts" in message
    assert SECRET_BODY not in message
    assert Api.hits["/busy"] == 3 and sleeps == [1.0, 2.0]


def test_not_found_fails_at_once(api):
    sleeps = Sleeps()
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(f"{api}/missing", sleep=sleeps))
    message = str(info.value)
    assert f"{api}/missing" in message and "404" in message
    assert SECRET_BODY not in message
    assert Api.hits["/missing"] == 1 and sleeps == []


def test_timeout_is_retried_then_fails(api):
    sleeps = Sleeps()
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(f"{api}/slow", timeout=0.1, retries=1, sleep=sleeps))
    assert "timed out" in str(info.value) and f"{api}/slow" in str(info.value)
    assert sleeps == [1.0]
    assert Api.hits["/slow"] == 2


def test_next_loop_is_an_error(api):
    pages = fetch_pages(f"{api}/loop1")
    with pytest.raises(HttpSourceError, match="loop"):
        list(pages)
    assert Api.hits["/loop1"] == 1 and Api.hits["/loop2"] == 1


def test_max_pages(api):
    with pytest.raises(HttpSourceError, match="more than 2 pages"):
        list(fetch_pages(f"{api}/a/p1", max_pages=2))


# -- file:// ----------------------------------------------------------------------------------
def write_pages(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "monthly.json").write_bytes(page([{"k": 1}], "monthly-2.json"))
    (folder / "monthly-2.json").write_bytes(page([{"k": 2}], (folder / "sub" / "monthly-3.json").as_uri()))
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "monthly-3.json").write_bytes(page([{"k": 3}], "../monthly-4.json"))
    (folder / "monthly-4.json").write_bytes(page([{"k": 4}], None))
    return (folder / "monthly.json").as_uri()


def test_file_pages_with_relative_links(tmp_path):
    first = write_pages(tmp_path / "hr")
    pages = list(fetch_pages(first))
    assert bodies(pages) == [[{"k": 1}], [{"k": 2}], [{"k": 3}], [{"k": 4}]]
    assert pages[1][0] == (tmp_path / "hr" / "monthly-2.json").as_uri()


def test_missing_first_file_is_not_delivered(tmp_path):
    with pytest.raises(SourceNotDelivered):
        list(fetch_pages((tmp_path / "hr" / "monthly.json").as_uri()))


def test_missing_later_file_is_an_error(tmp_path):
    first = write_pages(tmp_path / "hr")
    (tmp_path / "hr" / "monthly-4.json").unlink()
    with pytest.raises(HttpSourceError, match="monthly-4.json"):
        list(fetch_pages(first))


def test_page_that_is_not_json_is_yielded_and_ends_the_chain(tmp_path):
    (tmp_path / "p.json").write_text("<html>login</html>", encoding="utf-8")
    pages = list(fetch_pages((tmp_path / "p.json").as_uri()))
    assert pages == [((tmp_path / "p.json").as_uri(), b"<html>login</html>")]


def test_unsupported_scheme():
    with pytest.raises(HttpSourceError, match="http://, https:// or file://"):
        list(fetch_pages("/data/hr/monthly.json"))


def test_secrets_are_masked_in_urls():
    assert safe_url("https://user:pw@api.example.tw/hr?page=2&api_key=abc") == \
        "https://user:***@api.example.tw/hr?page=2&api_key=***"

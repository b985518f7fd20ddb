"""kpi.loaders.http_pages against a real local HTTP server and file:// pages: next links (relative and
absolute), retries with backoff, immediate 4xx failures, timeouts, loops, a source not delivered, and
hostile servers: one that trickles bytes (page and source deadlines), next links and redirects that
leave the first page's scheme, host or folder, and symbolic links among file:// pages."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from kpi.loaders.http_pages import HttpSourceError, SourceNotDelivered, fetch_pages, safe_url

SECRET_BODY = "王小明 0912345678"   # stands for personal data: must never appear in an error


def page(items: list, next_link: str | None) -> bytes:
    return json.dumps({"items": items, "next": next_link}, ensure_ascii=False).encode("utf-8")


TRICKLE_EVERY = 1.0   # seconds between two bytes of /trickle


class Api(BaseHTTPRequestHandler):
    """Routes: /a/p1 -> p2 (relative) -> absolute p3 -> end; /flaky fails twice with 500;
    /missing is 404; /slow sleeps; /loop1 <-> /loop2; /busy is always 503; /trickle sends its
    answer (status line included) one byte per TRICKLE_EVERY, without end; /then-trickle is a page
    whose next is /trickle; /to-file, /to-other-host, /to-other-port link away; /redirect-away
    redirects to another host."""

    hits: ClassVar[Counter] = Counter()
    base = ""
    stop = threading.Event()

    def do_GET(self):
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
            "/trickle": self.trickle,
            "/then-trickle": lambda: self.send(200, page([{"n": 1}], "/trickle")),
            "/to-file": lambda: self.send(200, page([{"n": 1}], "file:///etc/passwd")),
            "/to-other-host": lambda: self.send(200, page([], self.base.replace("127.0.0.1", "localhost") + "/a/p1")),
            "/to-other-port": lambda: self.send(200, page([], "http://127.0.0.1:1/a/p1")),
            "/redirect-away": self.redirect_away,
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

    def trickle(self):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        answer = head + b'{"items": [' + b" " * 999_988 + b"]}"
        for i in range(len(answer)):
            if self.stop.is_set():
                return
            try:
                self.wfile.write(answer[i:i + 1])
            except OSError:
                return   # the client hung up: what the deadline is for
            self.stop.wait(TRICKLE_EVERY)

    def redirect_away(self):
        self.send_response(302)
        self.send_header("Location", self.base.replace("127.0.0.1", "localhost") + "/a/p1")
        self.send_header("Content-Length", "0")
        self.end_headers()

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
    Api.stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    Api.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()

    def stop():
        Api.stop.set()
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


# -- hostile servers: deadlines -------------------------------------------------------------------
def within(seconds: float, call):
    """Run `call()` in a thread, failing the test if it has not ended after `seconds` (a fetch without
    a deadline would hang the test forever); raises what it raised."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still fetching after {seconds} s: no deadline stopped it"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_a_trickling_server_is_stopped_at_the_page_deadline(api):
    # every byte comes well within the 5 s read timeout, so only a deadline on the whole page helps
    with pytest.raises(HttpSourceError) as info:
        within(20, lambda: list(fetch_pages(f"{api}/trickle", timeout=5, page_deadline=2, retries=1, backoff=0.1)))
    message = str(info.value)
    assert f"{api}/trickle" in message and "page deadline of 2 s" in message and "2 attempts" in message
    assert Api.hits["/trickle"] == 2


def test_a_trickling_server_is_stopped_at_the_source_deadline(api):
    pages = []

    def crawl():
        for item in fetch_pages(f"{api}/then-trickle", timeout=5, page_deadline=60, deadline=2.5):
            pages.append(item)

    started = time.monotonic()
    with pytest.raises(HttpSourceError) as info:
        within(20, crawl)
    assert 2.4 < time.monotonic() - started < 10
    message = str(info.value)
    assert f"{api}/trickle" in message and "deadline of 2.5 s" in message
    assert [url for url, _ in pages] == [f"{api}/then-trickle"]   # what came before was yielded


def test_no_retry_is_slept_past_the_source_deadline(api):
    sleeps = Sleeps()
    with pytest.raises(HttpSourceError, match=r"deadline of 3 s passed.*HTTP 503"):
        list(fetch_pages(f"{api}/busy", retries=5, backoff=2, deadline=3, sleep=sleeps))
    assert sleeps == [2]     # the next wait (4 s) would end after the deadline


# -- hostile servers: where next links and redirects may go -----------------------------------------
@pytest.mark.parametrize("route, why", [
    ("/to-file", "changes the scheme from http:// to file://"),
    ("/to-other-host", "changes the host to localhost"),
    ("/to-other-port", "changes the port to 1"),
])
def test_a_next_link_may_not_leave_the_first_pages_scheme_host_or_port(api, route, why):
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(f"{api}{route}"))
    message = str(info.value)
    assert message.startswith(f"{api}{route}: refusing its next link ") and why in message
    assert Api.hits["/a/p1"] == 0


def test_a_redirect_may_not_leave_the_first_pages_host(api):
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(f"{api}/redirect-away"))
    assert "refusing the redirect to http://localhost" in str(info.value)
    assert Api.hits["/a/p1"] == 0


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
    with pytest.raises(HttpSourceError, match=r"monthly-4.json"):
        list(fetch_pages(first))


def test_a_file_next_link_may_not_leave_the_first_pages_folder(tmp_path):
    (tmp_path / "secret.json").write_bytes(page([{"secret": 1}], None))
    first = write_pages(tmp_path / "hr")
    (tmp_path / "hr" / "monthly-4.json").write_bytes(page([{"k": 4}], "../secret.json"))
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(first))
    message = str(info.value)
    assert "monthly-4.json: refusing its next link" in message and "secret.json" in message
    assert "is outside" in message


def test_a_file_next_link_may_not_switch_to_http(tmp_path):
    (tmp_path / "p.json").write_bytes(page([], "http://127.0.0.1:1/p2"))
    with pytest.raises(HttpSourceError, match="changes the scheme from file:// to http://"):
        list(fetch_pages((tmp_path / "p.json").as_uri()))


@pytest.mark.parametrize("linked", ["monthly-2.json", "sub"])
def test_file_pages_are_not_read_through_symbolic_links(tmp_path, linked):
    outside = tmp_path / "outside"
    outside.mkdir()
    first = write_pages(tmp_path / "hr")
    # the same pages, moved out of the folder and linked back in
    target = outside / linked
    (tmp_path / "hr" / linked).rename(target)
    (tmp_path / "hr" / linked).symlink_to(target)
    with pytest.raises(HttpSourceError) as info:
        list(fetch_pages(first))
    assert f"{linked} is a symbolic link (to {target})" in str(info.value)


def test_a_first_page_that_is_a_link_is_not_read(tmp_path):
    (tmp_path / "elsewhere.json").write_bytes(page([{"k": 1}], None))
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr" / "monthly.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(HttpSourceError, match=r"monthly.json: not read: monthly.json is a symbolic link"):
        list(fetch_pages((tmp_path / "hr" / "monthly.json").as_uri()))


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

"""JSON APIs that page with `next` links, over http(s):// (httpx) or file:// (the landing directory).

fetch_pages only moves bytes and follows links; reading the items is readers.read_json_items'
job. Response bodies may hold personal data, so no error message or log line ever quotes one, and
URLs are shown with any password or token masked.

A hostile or broken server cannot hold a crawl forever nor send it elsewhere:

- time: each network wait is bounded by `timeout`, each page (connecting, headers and body, all
  retries of it counted separately) by `page_deadline`, enforced by shutting the connection down
  (a server that trickles a byte every few seconds defeats any read timeout), and the whole crawl,
  retries and backoff included, by `deadline`;
- place: the configured first URL fixes where every page may come from. An http(s) crawl stays on
  the first URL's host and port, and on its scheme (http may move up to https on the same host,
  default ports); redirects are held to the same rule. A file:// crawl stays file:// and inside
  its root (the landing directory, or the first page's folder), never through a symbolic link.
  A `next` link or redirect that breaks this is refused with an error naming the page and the link.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import tenacity

from kpi import errors
from kpi.loaders import landing

log = logging.getLogger(__name__)

USER_AGENT = "keelung-kpi-pipeline"
_HEADERS = {"Accept": "application/json", "User-Agent": USER_AGENT}
MAX_REDIRECTS = 10
SCHEMES = ("http", "https", "file")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A Retry-After header is honoured up to this many seconds; beyond that the source is treated as down.
MAX_RETRY_AFTER = 60.0
_SECRET_PARAMS = ("key", "token", "secret", "password", "passwd", "signature", "sig", "auth", "credential")


class HttpSourceError(errors.KpiError):
    """The API could not be read: a 4xx answer, retries or the deadline used up, a broken or looping
    `next` chain, a link or redirect leaving where the crawl may go."""


class SourceNotDelivered(errors.KpiError):
    """A file:// first page that does not exist: the source has delivered nothing yet, which
    docs/sources.md#landing-directory says is not an error."""


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


class _PageDeadline(Exception):
    """The page's time ran out (the connection was shut down)."""


def fetch_pages(url: str, *, next_key: str = "next", timeout: float = 30, page_deadline: float = 120,
                deadline: float = 1800, retries: int = 3, backoff: float = 1.0, max_pages: int = 10_000,
                file_root: Path | None = None, sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic,
                rebase: Callable[[str], str] | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield (page URL, body bytes) for the page at `url` and every page its `next` links lead to.

    `next` may be absolute or relative to the page's own URL; null, missing or '' ends the chain.
    Network errors, timeouts, a page over its `page_deadline`, 5xx and 429 are retried `retries`
    times, sleeping `backoff * 2**attempt` seconds before each retry; other 4xx answers fail at once.
    Past `deadline` seconds (counted from the first request, the consumer's time between pages
    included) the crawl fails. A page whose body is not a JSON object is still yielded (the reader
    reports it) and ends the chain. `file_root` is where file:// pages must lie (default: the first
    page's folder). `rebase` maps a `next` link to where it leads on this host before it is checked
    (kpi.shared_storage.staged_link: a link into the shared landing location leads into the task's
    copy of it).
    """
    ends = clock() + deadline
    scope = _Scope(url, file_root)
    if problem := scope.problem(url):
        raise HttpSourceError(f"{safe_url(url)}: not read: {problem}")
    limits = _Limits(timeout, page_deadline, deadline, ends, clock)
    seen: set[str] = set()
    current: str | None = url
    while current:
        key = urldefrag(current).url
        if key in seen:
            raise HttpSourceError(f"the next links loop: {safe_url(current)} was already fetched")
        if len(seen) >= max_pages:
            raise HttpSourceError(f"more than {max_pages} pages from {safe_url(url)}; stopping")
        seen.add(key)
        body, final_url = _fetch(current, limits=limits, retries=retries, backoff=backoff, sleep=sleep,
                                 first=current == url, scope=scope)
        yield current, body
        link = _next_link(body, next_key, current)
        if not link:
            break
        # Relative links resolve against where the page really came from (after any redirect).
        following = urljoin(final_url, link)
        if rebase is not None:
            following = rebase(following)
        if problem := scope.problem(following):
            raise HttpSourceError(f"{safe_url(current)}: refusing its {next_key} link {safe_url(following)}: {problem}")
        current = following


def file_path(url: str) -> Path | None:
    """The local path of a file:// URL (host empty or localhost), else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or (parts.hostname or "localhost") != "localhost":
        return None
    return Path(urllib.request.url2pathname(parts.path))


class _Scope:
    """Where the pages of one crawl may come from, fixed by its first URL (see the module's doc)."""

    def __init__(self, first: str, file_root: Path | None):
        parts = urlsplit(first)
        self.scheme = parts.scheme.lower()
        self.host = (parts.hostname or "").lower()
        self.port = _port(parts)
        path = file_path(first) if self.scheme == "file" else None
        self.root = Path(file_root) if file_root else Path(os.path.abspath(path)).parent if path else None

    def where(self) -> str:
        if self.scheme == "file":
            return f"inside {self.root}"
        return f"on {self.scheme}://{self.host}:{self.port}"

    def problem(self, url: str) -> str | None:
        """Why the crawl may not fetch `url`, or None."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if self.scheme not in SCHEMES:
            return None     # _fetch reports the unsupported first URL
        if scheme != self.scheme and (self.scheme, scheme) != ("http", "https"):
            return (f"it changes the scheme from {self.scheme}:// to {scheme or 'no scheme'}:// "
                    f"(pages must stay {self.where()})")
        if scheme == "file":
            path = file_path(url)
            if path is None:
                return f"it names another host (file:// pages must stay {self.where()})"
            return landing.refusal(path, self.root)
        port = _port(parts)
        if port is None:
            return "its port is not a number"
        if (parts.hostname or "").lower() != self.host:
            return f"it changes the host to {parts.hostname or 'none'} (pages must stay {self.where()})"
        upgrade_on_default_ports = scheme != self.scheme and self.port == 80 and port == 443
        if port != self.port and not upgrade_on_default_ports:
            return f"it changes the port to {port} (pages must stay {self.where()})"
        return None


def _port(parts) -> int | None:
    """The port of an http(s) URL, its scheme's default if none is given; None if it is no number."""
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


class _Limits:
    """The time limits of one crawl: per network wait, per page, and the crawl's end (monotonic)."""

    def __init__(self, timeout: float, page_deadline: float, deadline: float, ends: float,
                 clock: Callable[[], float]):
        self.timeout, self.page_deadline, self.deadline, self.ends, self.clock = (
            timeout, page_deadline, deadline, ends, clock)

    def left(self) -> float:
        return self.ends - self.clock()

    def passed(self, url: str, last: str | None = None) -> HttpSourceError:
        detail = f"; last error: {last}" if last else ""
        return HttpSourceError(f"{safe_url(url)}: the source's deadline of {self.deadline:g} s passed before "
                               f"this page was read{detail}")


class _Guard:
    """Shuts down every connection of one page attempt when its time is up: a blocked connect, TLS
    handshake or read then returns at once, whatever the server trickles. Watches a duplicate of
    each socket, which stays valid when TLS wraps (and detaches) the original."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            watched = sock.dup()
            self._sockets.append(watched)
            if self.fired:
                _shut(watched)
        return sock

    def trace(self, event: str, info: dict) -> None:
        """httpx's trace extension: every connection of the attempt is watched once it is made."""
        if event.endswith("connect_tcp.complete"):
            self.watch(info["return_value"].get_extra_info("socket"))

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass    # already closed by the other side


def _next_link(body: bytes, next_key: str, page_url: str) -> str | None:
    try:
        page = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(page, dict):
        return None
    link = page.get(next_key)
    if link is None or link == "":
        return None
    if not isinstance(link, str):
        raise HttpSourceError(f"{safe_url(page_url)}: {next_key!r} is not a URL but a {type(link).__name__}")
    return link


def _fetch(url: str, *, limits: _Limits, retries: int, backoff: float, sleep: Callable[[float], None],
           first: bool, scope: _Scope) -> tuple[bytes, str]:
    """The page at `url`, retried (tenacity) as fetch_pages says: `backoff * 2**attempt` seconds before
    each retry, longer when the server asks (Retry-After, up to MAX_RETRY_AFTER), never past the
    crawl's deadline."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise HttpSourceError(f"cannot fetch {safe_url(url)}: the URL must start with http://, https:// or file://")
    attempts = retries + 1
    errors_so_far: list[str] = []

    def attempt() -> tuple[bytes, str]:
        left = limits.left()
        if left <= 0:
            raise limits.passed(url, errors_so_far[-1] if errors_so_far else None)
        budget = min(limits.page_deadline, left)
        try:
            return _fetch_once(url, min(limits.timeout, budget), budget, first, scope)
        except _PageDeadline:
            if budget < limits.page_deadline:
                raise limits.passed(url) from None
            raise _Retryable(f"no complete answer within the page deadline of {limits.page_deadline:g} s") from None

    def wait(state: tenacity.RetryCallState) -> float:
        delay = backoff * 2 ** (state.attempt_number - 1)
        if (asked := state.outcome.exception().wait) is not None:
            delay = max(delay, min(asked, MAX_RETRY_AFTER))
        return delay

    def stop(state: tenacity.RetryCallState) -> bool:
        return state.attempt_number >= attempts or state.upcoming_sleep >= limits.left()

    def before_sleep(state: tenacity.RetryCallState) -> None:
        errors_so_far.append(str(state.outcome.exception()))
        log.warning("%s: %s; retry %d of %d in %.1fs", safe_url(url), state.outcome.exception(),
                    state.attempt_number, retries, state.upcoming_sleep)

    def give_up(state: tenacity.RetryCallState) -> None:
        last = str(state.outcome.exception())
        if state.attempt_number < attempts:
            raise limits.passed(url, last)
        raise HttpSourceError(f"{safe_url(url)}: gave up after {attempts} attempts; last error: {last}")

    return tenacity.Retrying(stop=stop, wait=wait, sleep=sleep, retry=tenacity.retry_if_exception_type(_Retryable),
                             before_sleep=before_sleep, retry_error_callback=give_up)(attempt)


def _fetch_once(url: str, timeout: float, budget: float, first: bool, scope: _Scope) -> tuple[bytes, str]:
    """One request within `budget` seconds; raises _PageDeadline when they run out, _Retryable for
    what a retry may cure, HttpSourceError otherwise. Returns the body and where it came from."""
    if urlsplit(url).scheme.lower() == "file":
        path = file_path(url)
        if path is None:
            raise HttpSourceError(f"{safe_url(url)}: cannot read the file (it is not on this host)")
        try:
            return path.read_bytes(), url
        except OSError as exc:
            raise _file_error(url, exc, first) from None
    guard = _Guard(budget)
    try:
        # verify: the system's trusted certificates, as before httpx (whose default is certifi's bundle)
        with guard, httpx.Client(timeout=timeout, follow_redirects=False, headers=_HEADERS,
                                  verify=ssl.create_default_context()) as client:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", current, extensions={"trace": guard.trace}) as response:
                    if not response.has_redirect_location:
                        _check_status(response, url)
                        body = response.read()
                        break
                    # redirects are followed here, each held to the crawl's scope
                    following = urljoin(current, response.headers["Location"])
                    if problem := scope.problem(following):
                        raise HttpSourceError(f"{safe_url(current)}: refusing the redirect to "
                                              f"{safe_url(following)}: {problem}")
                    current = following
            else:
                raise HttpSourceError(f"{safe_url(url)}: more than {MAX_REDIRECTS} redirects")
    except HttpSourceError:
        raise
    except Exception as exc:
        if guard.fired:
            raise _PageDeadline() from None
        raise _failure(exc, url) from None
    if guard.fired:    # the body may have been cut short: not a page
        raise _PageDeadline()
    return body, current


def _check_status(response: httpx.Response, url: str) -> None:
    """A 2xx passes; 429 and 5xx may be cured by a retry (after Retry-After seconds if the server
    says so); any other answer fails. The body of an error is never read."""
    status, reason = response.status_code, response.reason_phrase
    if 200 <= status < 300:
        return
    if status == 429 or 500 <= status <= 599:
        raise _Retryable(f"HTTP {status} {reason}", _retry_after(response))
    raise HttpSourceError(f"{safe_url(url)}: HTTP {status} {reason}")


def _failure(exc: Exception, url: str) -> Exception:
    """What a failed request means: _Retryable when a retry may cure it, else HttpSourceError."""
    if isinstance(exc, _Retryable):
        return exc
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):   # a malformed URL
        return HttpSourceError(f"cannot fetch {safe_url(url)}: {exc}")
    if isinstance(exc, httpx.TransportError):
        cert = exc
        while cert is not None and not isinstance(cert, ssl.SSLCertVerificationError):
            cert = cert.__cause__ or cert.__context__
        if cert is not None:
            # A certificate does not fix itself within seconds; retrying only delays the report.
            return HttpSourceError(f"{safe_url(url)}: {_describe(cert)}")
        return _Retryable(f"network error: {_describe(exc)}")
    raise exc   # anything else is a bug here, not an answer of the server


def _file_error(url: str, reason: OSError, first: bool) -> Exception:
    if isinstance(reason, FileNotFoundError):
        if first:
            return SourceNotDelivered(f"{safe_url(url)} does not exist: nothing delivered yet")
        return HttpSourceError(f"{safe_url(url)}: the next page does not exist")
    return HttpSourceError(f"{safe_url(url)}: cannot read the file ({_describe(reason)})")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None   # an HTTP date: the exponential backoff is good enough


def safe_url(url: str) -> str:
    """The URL as it may appear in logs and errors: password and token-like parameters masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, "***" if any(s in k.lower() for s in _SECRET_PARAMS) else v) for k, v in pairs]
        query = urlencode(masked, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

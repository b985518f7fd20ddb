"""JSON APIs that page with `next` links, over http(s):// or file:// (the landing directory).

fetch_pages only moves bytes and follows links; reading the items is readers.read_json_items'
job. Response bodies may hold personal data, so no error message or log line ever quotes one, and
URLs are shown with any password or token masked.
"""
from __future__ import annotations

import http.client
import json
import logging
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

log = logging.getLogger(__name__)

USER_AGENT = "keelung-kpi-pipeline"
SCHEMES = ("http", "https", "file")
# A Retry-After header is honoured up to this many seconds; beyond that the source is treated as down.
MAX_RETRY_AFTER = 60.0
_SECRET_PARAMS = ("key", "token", "secret", "password", "passwd", "signature", "sig", "auth", "credential")


class HttpSourceError(Exception):
    """The API could not be read: a 4xx answer, retries used up, a broken or looping `next` chain."""


class SourceNotDelivered(Exception):
    """A file:// first page that does not exist: the source has delivered nothing yet, which
    sources.md says is not an error."""


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


def fetch_pages(url: str, *, next_key: str = "next", timeout: float = 30, retries: int = 3,
                backoff: float = 1.0, max_pages: int = 10_000,
                sleep: Callable[[float], None] = time.sleep) -> Iterator[tuple[str, bytes]]:
    """Yield (page URL, body bytes) for the page at `url` and every page its `next` links lead to.

    `next` may be absolute or relative to the page's own URL; null, missing or '' ends the chain.
    Network errors, timeouts, 5xx and 429 are retried `retries` times, sleeping
    `backoff * 2**attempt` seconds before each retry; other 4xx answers fail at once. A page whose
    body is not a JSON object is still yielded (the reader reports it) and ends the chain.
    """
    seen: set[str] = set()
    current: str | None = url
    while current:
        key = urldefrag(current).url
        if key in seen:
            raise HttpSourceError(f"the next links loop: {safe_url(current)} was already fetched")
        if len(seen) >= max_pages:
            raise HttpSourceError(f"more than {max_pages} pages from {safe_url(url)}; stopping")
        seen.add(key)
        body, final_url = _fetch(current, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep,
                                 first=current == url)
        yield current, body
        link = _next_link(body, next_key, current)
        # Relative links resolve against where the page really came from (after any redirect).
        current = urljoin(final_url, link) if link else None


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


def _fetch(url: str, *, timeout: float, retries: int, backoff: float, sleep: Callable[[float], None],
           first: bool) -> tuple[bytes, str]:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise HttpSourceError(f"cannot fetch {safe_url(url)}: the URL must start with http://, https:// or file://")
    last = "no attempt made"
    for attempt in range(retries + 1):
        try:
            return _fetch_once(url, timeout, first)
        except _Retryable as exc:
            last = str(exc)
            if attempt == retries:
                break
            delay = backoff * 2 ** attempt
            if exc.wait is not None:
                delay = max(delay, min(exc.wait, MAX_RETRY_AFTER))
            log.warning("%s: %s; retry %d of %d in %.1fs", safe_url(url), last, attempt + 1, retries, delay)
            sleep(delay)
    raise HttpSourceError(f"{safe_url(url)}: gave up after {retries + 1} attempts; last error: {last}")


def _fetch_once(url: str, timeout: float, first: bool) -> tuple[bytes, str]:
    """One request; raises _Retryable for what a retry may cure, HttpSourceError otherwise."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    is_file = urlsplit(url).scheme.lower() == "file"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(), response.geturl()
    except urllib.error.HTTPError as exc:
        status, reason, wait = exc.code, exc.reason, _retry_after(exc)
        exc.close()   # the error body is never read
        if status == 429 or 500 <= status <= 599:
            raise _Retryable(f"HTTP {status} {reason}", wait) from None
        raise HttpSourceError(f"{safe_url(url)}: HTTP {status} {reason}") from None
    except urllib.error.URLError as exc:
        if is_file:
            raise _file_error(url, exc.reason, first) from None
        if isinstance(exc.reason, ssl.SSLCertVerificationError):
            # A certificate does not fix itself within seconds; retrying only delays the report.
            raise HttpSourceError(f"{safe_url(url)}: {_describe(exc.reason)}") from None
        raise _Retryable(f"network error: {_describe(exc.reason)}") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise _Retryable(f"network error: {_describe(exc)}") from None
    except OSError as exc:
        if is_file:
            raise _file_error(url, exc, first) from None
        raise _Retryable(f"network error: {_describe(exc)}") from None
    except ValueError as exc:   # a malformed URL
        raise HttpSourceError(f"cannot fetch {safe_url(url)}: {exc}") from None


def _file_error(url: str, reason: object, first: bool) -> Exception:
    if isinstance(reason, FileNotFoundError):
        if first:
            return SourceNotDelivered(f"{safe_url(url)} does not exist: nothing delivered yet")
        return HttpSourceError(f"{safe_url(url)}: the next page does not exist")
    return HttpSourceError(f"{safe_url(url)}: cannot read the file ({_describe(reason)})")


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, BaseException):
        text = str(reason).strip()
        return f"{type(reason).__name__}: {text}" if text else type(reason).__name__
    return str(reason)


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
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

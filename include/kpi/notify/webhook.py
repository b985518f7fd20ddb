"""The webhook: a Notice's payload as a JSON POST (httpx), Bearer KPI_WEBHOOK_TOKEN if set.

Network errors, timeouts, 429 and 5xx are retried with exponential backoff (tenacity); any other
answer outside 2xx fails at once, a redirect too: a redirected POST would lose its body, or carry the
token elsewhere. Every wait on the server is bounded by WEBHOOK_TIMEOUT. URLs are shown with their
secrets masked (webhook_display), and a server's words are masked before they are quoted.
"""
from __future__ import annotations

import json
import logging
import ssl
from urllib.parse import urlsplit, urlunsplit

import httpx
import tenacity

from kpi import redact
from kpi.loaders.http_pages import safe_url
from kpi.notify.content import NotifyError

log = logging.getLogger(__name__)

USER_AGENT = "keelung-kpi-notify"
WEBHOOK_TIMEOUT = 15.0
WEBHOOK_RETRIES = 2          # after the first attempt
WEBHOOK_BACKOFF = 2.0        # seconds before the first retry, doubled each time
ERROR_BODY_BYTES = 4096      # of an error answer, quoted (masked, cut to 200 characters) in the error


class _Retryable(Exception):
    """What a retry may cure; its message is the last error a give-up reports."""


def webhook_display(url: str) -> str:
    """The webhook URL as errors and logs show it: credentials, token parameters and long
    token-like path segments (Slack, Teams, Discord put the secret in the path) masked."""
    parts = urlsplit(safe_url(url))
    path = "/".join("***" if len(seg) >= 20 else seg for seg in parts.path.split("/"))
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _cause(exc: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """The first exception of type `kind` in the chain of `exc` (httpx wraps the socket's own)."""
    while exc is not None and not isinstance(exc, kind):
        exc = exc.__cause__ or exc.__context__
    return exc


def _named(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _error_body(response: httpx.Response, token: str) -> str:
    """The start of an error answer, masked before it is cut (a secret cut in half would no longer
    be recognised); '' when it cannot be read."""
    head = bytearray()
    try:
        for chunk in response.iter_bytes():
            head += chunk
            if len(head) >= ERROR_BODY_BYTES:
                break
    except httpx.HTTPError:
        return ""
    return redact.mask(bytes(head[:ERROR_BODY_BYTES]).decode("utf-8", errors="replace").strip(), token)


def _post_once(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], shown: str, token: str) -> int:
    try:
        with client.stream("POST", url, content=body, headers=headers) as response:
            status, reason = response.status_code, response.reason_phrase
            if 200 <= status < 300:
                return status
            if status == 429 or 500 <= status <= 599:
                raise _Retryable(f"HTTP {status} {reason}")
            detail = _error_body(response, token)
            where = (f"; it redirects to {response.headers.get('Location')!r}: set KPI_WEBHOOK_URL to the final URL"
                     if 300 <= status < 400 else "")
    except httpx.TransportError as exc:
        if cert := _cause(exc, ssl.SSLCertVerificationError):
            # a certificate does not fix itself within seconds; retrying only delays the report
            raise NotifyError(f"webhook {shown}: {_named(cert)}") from None
        raise _Retryable(f"network error: {_named(exc)}") from None
    except httpx.InvalidURL as exc:
        raise _Retryable(f"network error: {_named(exc)}") from None
    more = f": {' '.join(detail.split())[:200]}" if detail else ""
    raise NotifyError(redact.mask(f"webhook {shown} answered HTTP {status} {reason}{more}{where}", token))


def post_webhook(url: str, payload: dict, token: str = "", *, timeout: float | None = None,
                 retries: int | None = None, backoff: float | None = None) -> int:
    """POST `payload` as JSON; returns the HTTP status. Network errors, timeouts, 5xx and 429 are
    retried with exponential backoff; any other answer outside 2xx fails at once."""
    timeout = WEBHOOK_TIMEOUT if timeout is None else timeout
    retries = WEBHOOK_RETRIES if retries is None else retries
    backoff = WEBHOOK_BACKOFF if backoff is None else backoff
    shown = webhook_display(url)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
               "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"

    def before_sleep(state: tenacity.RetryCallState) -> None:
        log.warning("webhook %s: %s; retry %d of %d in %.1fs", shown,
                    redact.mask(str(state.outcome.exception()), token),
                    state.attempt_number, retries, state.next_action.sleep)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(retries + 1),
        wait=tenacity.wait_exponential(multiplier=backoff, exp_base=2),
        retry=tenacity.retry_if_exception_type(_Retryable),
        before_sleep=before_sleep, reraise=True)
    # the system's trusted certificates, as before httpx (whose default is certifi's bundle): an
    # internal CA the machine trusts keeps working
    with httpx.Client(timeout=timeout, follow_redirects=False, verify=ssl.create_default_context()) as client:
        try:
            return retrying(_post_once, client, url, body, headers, shown, token)
        except _Retryable as exc:
            last = str(exc)
    raise NotifyError(redact.mask(f"webhook {shown}: gave up after {retries + 1} attempts; last error: {last}", token))

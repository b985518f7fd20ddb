"""Masking of the configured secrets in text that goes into an exception, a log line or a message.

Servers quote what they were sent (an error page echoing the Authorization header, an SMTP reply
repeating a command, a driver error with its connection string), so any text from outside is passed
through `mask()` before it is shown: every secret the settings hold is replaced by ***, in clear and
percent-encoded.
"""
from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, unquote, urlsplit

MASK = "***"
TOKEN_SEGMENT = 20   # a path segment this long is taken for a token (Slack, Teams, Discord webhooks)


def _url_secrets(url: str) -> list[str]:
    found = []
    try:
        parts = urlsplit(url)
        if parts.password:
            found.append(unquote(parts.password))
    except ValueError:
        pass
    if url.startswith(("postgresql", "postgres")):  # libpq's forms: ?password=...
        try:
            from psycopg.conninfo import conninfo_to_dict

            params = conninfo_to_dict("postgresql://" + url.partition("://")[2])
            found += [str(params[k]) for k in ("password", "sslpassword") if params.get(k)]
        except Exception:
            pass
    return found


def mask_url(url: str) -> str:
    """`url` with the password of its user part and password parameters masked, by pattern (it need
    not parse: this is for the URL that does not)."""
    url = re.sub(r"^([^:/?#]+://[^/?#@:]*:)[^@]*@", rf"\g<1>{MASK}@", url)
    return re.sub(r"([?&](?:ssl)?password=)[^&]*", rf"\g<1>{MASK}", url)


def _source_url_vars() -> tuple[str, ...]:
    """The sources' URL variables (url_env in sources.yml). A sources.yml that does not load opens no
    source, so no source server can have echoed its URL; masking (often of that very error) goes on."""
    from kpi.loaders import spec

    try:
        return tuple(s.url_env for s in spec.load_sources().values() if s.url_env)
    except Exception:  # any failure to load means no source was opened
        return ()


def configured_secrets() -> list[str]:
    """Every secret the current settings hold (config.SECRET_SETTINGS, config.SECRET_URL_SETTINGS and
    the sources' URL variables): tokens and passwords, passwords inside URLs, the secret path segments
    of the webhook URL, the embedded superuser's password and the PII key."""
    from kpi import config

    settings = config.secret_settings(_source_url_vars())
    found = []
    for name in config.SECRET_SETTINGS:
        value = settings.get(name, "")
        found += [value, value.strip()]   # as set, and as the code uses it
    for name, url in settings.items():
        if name not in config.SECRET_SETTINGS:
            found += _url_secrets(url)
    webhook = settings.get("KPI_WEBHOOK_URL", "")
    if webhook:
        found += [seg for seg in urlsplit(webhook).path.split("/") if len(seg) >= TOKEN_SEGMENT]
    found.append(config.read_secret_file(config.embedded_password_file()))
    if not settings.get("KPI_PII_KEY"):
        found.append(config.read_secret_file(config.pii_key_file()))
    return [s for s in found if s]


def mask(text: str, *extra: str | None) -> str:
    """`text` with every configured secret (and each of `extra`) replaced by ***."""
    if not text:
        return text
    secrets = set(configured_secrets()) | {s for s in extra if s}
    forms = {form for s in secrets for form in (s, quote(s, safe=""), quote_plus(s)) if form}
    for form in sorted(forms, key=len, reverse=True):  # longest first: no secret left half-masked
        text = text.replace(form, MASK)
    return text

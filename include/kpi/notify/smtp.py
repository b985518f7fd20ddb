"""E-mail delivery over SMTP (standard library smtplib), TLS as KPI_SMTP_SECURITY asks."""
from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from email.message import EmailMessage

from kpi import config
from kpi.notify.content import NotifyError

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30.0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def send_email(msg: EmailMessage, settings: config.NotifySettings) -> dict[str, tuple[int, bytes]]:
    """Deliver `msg` to the configured server; returns the refused recipients (others got it).

    Security: `ssl` = implicit TLS (port 465); `starttls` = STARTTLS required; `auto` = STARTTLS
    when the server offers it; `none` = never. Credentials go over an unencrypted connection only
    when KPI_SMTP_SECURITY=none says so."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    context = ssl.create_default_context()
    try:
        if settings.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        with smtp:
            smtp.ehlo()
            encrypted = settings.smtp_security == "ssl"
            if settings.smtp_security in ("starttls", "auto") and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            elif settings.smtp_security == "starttls":
                raise NotifyError(f"e-mail: the SMTP server {where} does not offer STARTTLS "
                                  "(KPI_SMTP_SECURITY=starttls); use ssl or none if that is intended")
            if settings.smtp_user:
                if not encrypted and settings.smtp_security != "none":
                    raise NotifyError(f"e-mail: the SMTP server {where} offers no TLS; not sending the password "
                                      "of KPI_SMTP_USER in clear text (set KPI_SMTP_SECURITY=none to allow it)")
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(msg)
    except NotifyError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(f"e-mail: the SMTP server {where} refused the login of {settings.smtp_user!r} "
                          f"(check KPI_SMTP_USER / KPI_SMTP_PASSWORD): {exc.smtp_code}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise NotifyError(f"e-mail via {where}: every recipient was refused: "
                          f"{', '.join(sorted(exc.recipients))}") from None
    except ConnectionRefusedError:
        raise NotifyError(f"e-mail: cannot connect to the SMTP server {where}: connection refused "
                          "(check KPI_SMTP_HOST / KPI_SMTP_PORT)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(f"e-mail via the SMTP server {where} failed: {_describe(exc)}") from None
    if refused:
        log.warning("e-mail via %s: refused recipients %s (the others got it)", where, ", ".join(sorted(refused)))
    return refused

"""Notifications of a run: the alerts of an as-of date by e-mail and to a webhook.

`send_alerts(as_of, report_dir)` reads the alerts of the dbt view marts.kpi_alerts (with their names,
words and value texts; the raw values from marts.kpi_status_labelled) and sends it

- by e-mail (standard library smtplib) when KPI_SMTP_HOST is set: subject and body in Traditional
  Chinese, a plain-text and an HTML part, the run's report attached (report.html if the run wrote
  one, else kpi_status.txt) and linked when KPI_REPORT_BASE_URL is set;
- as a JSON POST to KPI_WEBHOOK_URL when set (Bearer KPI_WEBHOOK_TOKEN if set), with retries and
  backoff on network errors and 5xx, and a clear error on a 4xx.

Each department with a mailbox in the seed department_contacts also gets an e-mail of its own with
only its flags (and its overdue explanations) and its explanation template (kpi.explanations)
attached; the 管考 office's e-mail to KPI_ALERT_EMAIL_TO stays city-wide.

Early warnings (預警, severity early_warning of kpi_alerts: on track but projected to miss, or flagged
but projected to achieve, docs/foresight.md) travel apart from the alerts: their own section of the
e-mail and their own `early_warnings` list in the webhook payload, never in the alert counts.

KPI_NOTIFY_ON=alerts (default) sends only when the date has alerts; `always` sends every night.
Both channels are tried even when one fails; then NotifyError names every failure. What was
delivered is recorded in raw.notification_log, so a retry of the task (or a rerun of a date whose
alerts did not change) does not send the same content to the same place twice; `force=True`
(`kpi notify`) sends anyway. Passwords and tokens never appear in logs, errors or the log table.

The package: `content` (what is said: the Notices), `render` (how it reads: e-mail, payload), `smtp`
and `webhook` (how it travels), `log` (what was delivered); `send_alerts` here runs them.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import date
from pathlib import Path

from kpi import config
from kpi.notify import log as sent_log
from kpi.notify.content import Notice, NotifyError, build_notice, department_contacts, department_notices, fetch_alerts
from kpi.notify.render import attachment_name, build_email, render_html, render_text, webhook_payload
from kpi.notify.smtp import send_email
from kpi.notify.webhook import post_webhook, webhook_display

__all__ = ["Notice", "NotifyError", "attachment_name", "build_email", "build_notice", "department_contacts",
           "department_notices", "fetch_alerts", "post_webhook", "render_html", "render_text", "send_alerts",
           "send_email", "webhook_display", "webhook_payload"]

log = logging.getLogger(__name__)


def send_alerts(as_of: date, report_dir: Path | None = None, *, force: bool = False) -> dict:
    """Send the alerts of `as_of` to every configured channel; returns what happened per channel
    ('off', 'sent …', 'skipped: …'). Raises NotifyError after trying every channel if any failed."""
    settings = config.notify_settings()
    result: dict = {"as_of": as_of.isoformat(), "email": "off", "webhook": "off"}
    if not (settings.email_enabled or settings.webhook_enabled):
        log.info("notifications off (neither KPI_SMTP_HOST nor KPI_WEBHOOK_URL is set)")
        return result
    notice = build_notice(as_of, report_dir, settings.report_base_url)
    result["alerts"] = len(notice.alerts)
    if not notice.alerts and not notice.early_warnings and settings.notify_on == "alerts" and not force:
        for channel in ("email", "webhook"):
            if getattr(settings, f"{channel}_enabled"):
                result[channel] = "skipped: no alerts (KPI_NOTIFY_ON=alerts)"
        log.info("no alerts for %s: nothing sent (KPI_NOTIFY_ON=alerts)", as_of)
        return result

    payload = webhook_payload(notice)
    digest = sent_log.digest(payload)
    errors: list[str] = []
    # (result key, channel, destination, send, digest of the content, recipients)
    channels: list[tuple] = []
    if settings.email_enabled:
        destination = f"smtp://{settings.smtp_host}:{settings.smtp_port} to {', '.join(settings.mail_to)}"
        channels.append(("email", "email", destination,
                         lambda: send_email(build_email(notice, settings), settings), digest, len(settings.mail_to)))
        contacts = department_contacts()
        for unit in department_notices(notice):
            to = contacts[unit.unit_code]
            unit_settings = dataclasses.replace(settings, mail_to=to)
            channels.append((f"email:{unit.unit_code}", "email",
                             f"smtp://{settings.smtp_host}:{settings.smtp_port} to {', '.join(to)}",
                             lambda u=unit, s=unit_settings: send_email(build_email(u, s), s),
                             sent_log.digest(webhook_payload(unit)), len(to)))
    if settings.webhook_enabled:
        channels.append(("webhook", "webhook", webhook_display(settings.webhook_url),
                         lambda: post_webhook(settings.webhook_url, payload, settings.webhook_token), digest, 0))
    for key, channel, destination, send, content, recipients in channels:
        if not force and sent_log.already_sent(as_of, channel, destination, content):
            result[key] = "skipped: this content was already sent there"
            log.info("%s for %s already sent to %s; not sending it again", channel, as_of, destination)
            continue
        try:
            outcome = send()
        except NotifyError as exc:
            errors.append(str(exc))
            result[key] = f"failed: {exc}"
            log.error("%s", exc)
            continue
        sent_log.record(as_of, channel, destination, content, len(notice.alerts))
        if channel == "email":
            note = f" ({len(outcome)} refused: {', '.join(sorted(outcome))})" if outcome else ""
            result[key] = f"sent to {recipients - len(outcome)} recipient(s){note}"
        else:
            result[key] = f"sent (HTTP {outcome})"
        log.info("%s for %s: %s", key, as_of, result[key])
    if errors:
        raise NotifyError("notification failed (the KPI results are published all the same): " + " | ".join(errors))
    return result

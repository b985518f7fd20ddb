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
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import re
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kpi import config, errors, labels, redact, status_table, warehouse
from kpi.loaders.http_pages import safe_url

log = logging.getLogger(__name__)

SENDER_NAME = "基隆市政府管考資料平台"
USER_AGENT = "keelung-kpi-notify"
SMTP_TIMEOUT = 30.0
WEBHOOK_TIMEOUT = 15.0
WEBHOOK_RETRIES = 2          # after the first attempt
WEBHOOK_BACKOFF = 2.0        # seconds before the first retry, doubled each time

class NotifyError(errors.StepFailed):
    """A channel could not deliver (the message says which, where, and why). Servers' words are
    quoted in it, so every configured secret is masked (a server may echo the token it was sent)."""

    def __init__(self, message: str):
        super().__init__(redact.mask(message))


@dataclass(frozen=True)
class Notice:
    """Everything a notification says about one as-of date, channel-independent."""

    as_of: date
    subject: str
    status_counts: dict[str, int]        # city-wide indicators of the as-of year, by status
    alert_counts: dict[str, int]         # all alerts of the date, by severity
    alerts: list[dict]
    report_file: Path | None
    report_url: str | None
    unit_code: str | None = None         # a department's own e-mail: its code, name and template
    unit_name: str | None = None
    attachments: tuple[tuple[str, bytes], ...] = ()
    early_warnings: tuple[dict, ...] = ()  # 預警, kept apart from the alerts and their counts

    @property
    def flagged(self) -> tuple[int, int]:
        c = self.status_counts
        return c.get("behind", 0) + c.get("missed", 0), c.get("at_risk", 0)


# ---------------------------------------------------------------------------------------------
# what is sent
# ---------------------------------------------------------------------------------------------
def fetch_alerts(as_of: date) -> list[dict]:
    """The alerts of `as_of` from the view marts.kpi_alerts, with the indicator's name, words and value
    texts as the marts give them; this year's city-wide ones first, then departments, then earlier
    years, then stale sources."""
    with warehouse.connect() as conn:
        rows = warehouse.fetch_dicts(
            conn,
            """
            select a.severity, a.status, a.status_zh, a.kpi_code, a.kpi_name_zh, a.year, a.org_unit_code,
                   a.org_unit_name_zh, s.actual_value, s.target_value, a.actual_text, a.target_text,
                   a.message, a.source_code, f.source_name_zh, a.explanation_reason, a.explanation_action,
                   a.explanation_expected_date
            from marts.kpi_alerts a
            left join marts.kpi_status_labelled s
              on s.as_of_date = a.as_of_date and s.kpi_code = a.kpi_code and s.year = a.year
             and s.org_unit_code = a.org_unit_code
            left join marts.fct_source_freshness f
              on f.as_of_date = a.as_of_date and f.source_code = a.source_code
            where a.as_of_date = %(d)s
            order by a.kpi_code is null, a.year desc, a.org_unit_code <> 'ALL', s.status_sort, s.kpi_sort,
                     a.org_unit_code, a.source_code
            """,
            {"d": as_of},
        )
    return [{
        "severity": r["severity"],
        "status": r["status"],
        "status_zh": r["status_zh"],
        "code": r["kpi_code"],
        "name": r["kpi_name_zh"] if r["kpi_code"] else r["source_name_zh"],
        "year": r["year"],
        "org_unit": r["org_unit_code"],
        "org_unit_name": r["org_unit_name_zh"],
        "source": r["source_code"],
        "actual": None if r["actual_value"] is None else float(r["actual_value"]),
        "target": None if r["target_value"] is None else float(r["target_value"]),
        "actual_text": r["actual_text"],
        "target_text": r["target_text"],
        "reason": r["message"],
        "explanation_reason": r["explanation_reason"],
        "explanation_action": r["explanation_action"],
        "explanation_expected_date": (r["explanation_expected_date"].isoformat()
                                      if r["explanation_expected_date"] else None),
    } for r in rows]


def _is_flag(alert: dict) -> bool:
    return alert["status"] in labels.FLAGGED


def _explanation_text(alert: dict) -> str | None:
    """The unit's explanation beside a flag, one line (None when it has none yet)."""
    if not alert.get("explanation_reason"):
        return None
    text = f"落後原因：{alert['explanation_reason']}"
    if alert.get("explanation_action"):
        text += f"；改善措施：{alert['explanation_action']}"
    if alert.get("explanation_expected_date"):
        text += f"；預計改善日期：{labels.roc_date(date.fromisoformat(alert['explanation_expected_date']))}"
    return text


def build_notice(as_of: date, report_dir: Path | None, base_url: str = "") -> Notice:
    rows = status_table.fetch(as_of)
    if not rows:
        raise NotifyError(f"no KPI status for {as_of} in the warehouse: run the pipeline for that date first "
                          f"(kpi run --as-of {as_of})")
    status_counts: dict[str, int] = {}
    for r in rows:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1
    fetched = fetch_alerts(as_of)
    alerts = [a for a in fetched if a["severity"] not in labels.EARLY_WARNING]
    early = tuple(a for a in fetched if a["severity"] in labels.EARLY_WARNING)
    alert_counts = {s["severity"]: sum(1 for a in alerts if a["severity"] == s["severity"])
                    for s in labels.ALERT_SEVERITIES}

    report_file = None
    if report_dir is not None:
        report_file = next((p for p in (report_dir / "report.html", report_dir / "kpi_status.txt") if p.is_file()),
                           None)
    report_url = None
    if base_url and report_file is not None:
        report_url = f"{base_url.rstrip('/')}/{as_of.isoformat()}/{report_file.name}"

    red, yellow = status_counts.get("behind", 0) + status_counts.get("missed", 0), status_counts.get("at_risk", 0)
    city_now = sum(1 for a in alerts if _is_flag(a) and a["year"] == as_of.year and a["org_unit"] == "ALL")
    others = sum(1 for a in alerts if _is_flag(a)) - city_now
    subject = f"【基隆市管考】{labels.roc_date_long(as_of)}"
    if alerts:
        subject += f"指標警示：落後 {red} 項、需注意 {yellow} 項"
        if others:
            subject += f"，另有單位及前一年度警示 {others} 則"
        if alert_counts.get("overdue"):
            subject += f"，{alert_counts['overdue']} 項逾期未提出落後說明"
        if alert_counts["grey"]:
            subject += f"，{alert_counts['grey']} 個資料來源未及時更新"
    else:
        subject += "指標狀態：無落後或需注意指標"
    if early:
        subject += f"；另有預警 {len(early)} 則（年底推估與進度不一致）"
    return Notice(as_of, subject, status_counts, alert_counts, alerts, report_file, report_url,
                  early_warnings=early)


def _sections(notice: Notice) -> list[tuple[str, list[dict]]]:
    """Alerts grouped under a heading each, in fetch_alerts' order."""
    groups: dict[tuple, list[dict]] = {}
    for a in notice.alerts:
        key = ("stale",) if not a["code"] else ("overdue",) if not _is_flag(a) else (a["year"], a["org_unit"] == "ALL")
        groups.setdefault(key, []).append(a)
    out = []
    for key, items in groups.items():
        if key == ("stale",):
            title = "資料來源未及時更新（相關指標仍依現有資料計算）"
        elif key == ("overdue",):
            title = f"逾期未提出落後說明（列管逾 {config.explanation_due_days()} 個工作天）"
        else:
            year, city = key
            what = "年度結果未達成" if year < notice.as_of.year else "進度落後及需注意"
            title = f"{labels.year_label(year)}{'全市指標' if city else '各單位'}{what}"
        out.append((title, items))
    if notice.early_warnings:
        out.append(("預警：年底推估與計畫進度不一致（僅供參考，非正式警示）", list(notice.early_warnings)))
    return out


def _summary_lines(notice: Notice) -> list[str]:
    if notice.unit_code:
        flags = [a for a in notice.alerts if _is_flag(a)]
        waiting = sum(1 for a in flags if not a.get("explanation_reason"))
        lines = [f"{notice.unit_name}：列管指標 {len(flags)} 項，尚待提出落後說明 {waiting} 項"]
        if notice.attachments:
            lines.append(f"請於列管後 {config.explanation_due_days()} 個工作天內填寫附件 {notice.attachments[0][0]}"
                         "（落後原因、改善措施、預計改善日期），送回管考單位")
        return lines
    total = sum(notice.status_counts.values())
    by_status = "、".join(f"{labels.STATUS_ZH[s]} {notice.status_counts[s]}"
                          for s in labels.STATUS_ORDER if s in notice.status_counts)
    c = notice.alert_counts
    return [
        f"{labels.year_label(notice.as_of.year)}全市指標共 {total} 項：{by_status}",
        f"警示共 {len(notice.alerts)} 則："
        + "、".join(f"{labels.COLOUR_ZH[s['colour']]}（{s['severity_zh']}）{c.get(s['severity'], 0)}"
                   for s in labels.ALERT_SEVERITIES),
    ] + ([f"另有預警 {len(notice.early_warnings)} 則：依年底推估，進度正常但可能未達成，或落後但可望達成"
          "（非正式警示，不列入上述計數）"] if notice.early_warnings else [])


def attachment_name(notice: Notice) -> str | None:
    """kpi_status.txt of 2025-11-25 travels as kpi_status-2025-11-25.txt (mail clients save it by name)."""
    if notice.report_file is None:
        return None
    return f"{notice.report_file.stem}-{notice.as_of.isoformat()}{notice.report_file.suffix}"


def _report_line(notice: Notice) -> str | None:
    if notice.report_url and not notice.report_file:
        return f"完整報告：{notice.report_url}"
    if notice.report_url:
        return f"完整報告：{notice.report_url}（亦見附件 {attachment_name(notice)}）"
    if notice.report_file:
        return f"完整報告見附件 {attachment_name(notice)}"
    return None


def render_text(notice: Notice) -> str:
    lines = ["基隆市政府綜合發展處 管考資料平台 指標警示", f"基準日：{labels.roc_date_long(notice.as_of)}", "",
             *_summary_lines(notice), ""]
    if not notice.alerts:
        lines += ["本日無落後、需注意或資料逾期之警示。", ""]
    for n, (title, items) in enumerate(_sections(notice), 1):
        lines.append(f"{n}. {title}（{len(items)} 則）")
        for a in items:
            if a["code"]:
                unit = "" if a["org_unit"] == "ALL" else f"｜{a['org_unit_name'] or a['org_unit']}"
                lines.append(f"  [{a['status_zh']}] {a['code']} {a['name']}{unit}")
                lines.append(f"      實際 {a['actual_text']}，目標 {a['target_text']}")
                lines.append(f"      說明：{a['reason']}")
                if explained := _explanation_text(a):
                    lines.append(f"      {explained}")
            else:
                lines.append(f"  [{a['status_zh']}] {a['source']} {a['name'] or ''}：{a['reason']}")
        lines.append("")
    if line := _report_line(notice):
        lines += [line, ""]
    lines.append("（本信由每日管線自動寄出，請勿直接回覆。）")
    return "\n".join(lines) + "\n"


def render_html(notice: Notice) -> str:
    e = html.escape
    parts = [
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8">',
        f"<title>{e(notice.subject)}</title></head>",
        '<body style="font-family: \'Noto Sans TC\', \'Microsoft JhengHei\', sans-serif; font-size: 14px;">',
        "<h2>基隆市政府綜合發展處 管考資料平台 指標警示</h2>",
        f"<p>基準日：<strong>{e(labels.roc_date_long(notice.as_of))}</strong></p>",
        "<ul>", *(f"<li>{e(line)}</li>" for line in _summary_lines(notice)), "</ul>",
    ]
    if not notice.alerts:
        parts.append("<p>本日無落後、需注意或資料逾期之警示。</p>")
    td = 'style="border: 1px solid #ccc; padding: 4px 6px; vertical-align: top;"'
    for title, items in _sections(notice):
        parts.append(f"<h3>{e(title)}（{len(items)} 則）</h3>")
        parts.append('<table style="border-collapse: collapse;">')
        parts.append("<tr>" + "".join(f"<th {td}>{h}</th>" for h in
                                      ("狀態", "代碼", "指標", "單位", "實際", "目標", "說明")) + "</tr>")
        for a in items:
            colour = labels.COLOUR_TEXT_HEX.get(labels.SEVERITY_COLOUR.get(a["severity"], ""), "#000")
            status = f'<td {td}><strong style="color: {colour};">{e(a["status_zh"])}</strong></td>'
            if a["code"]:
                unit = "全市" if a["org_unit"] == "ALL" else (a["org_unit_name"] or a["org_unit"])
                explained = _explanation_text(a)
                cells = [a["code"], a["name"] or "", unit, a["actual_text"] or "—", a["target_text"] or "—",
                         a["reason"] + (f"（{explained}）" if explained else "")]
            else:
                cells = [a["source"] or "", a["name"] or "", "", "", "", a["reason"]]
            parts.append("<tr>" + status + "".join(f"<td {td}>{e(str(c))}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    if notice.report_url:
        also = f"（亦見附件 {e(attachment_name(notice))}）" if notice.report_file else ""
        parts.append(f'<p>完整報告：<a href="{e(notice.report_url)}">{e(notice.report_url)}</a>{also}</p>')
    elif notice.report_file:
        parts.append(f"<p>完整報告見附件 {e(attachment_name(notice))}</p>")
    parts.append('<p style="color: #777;">本信由每日管線自動寄出，請勿直接回覆。</p></body></html>')
    return "\n".join(parts) + "\n"


def webhook_payload(notice: Notice) -> dict:
    return {
        "source": "keelung-kpi",
        "as_of": notice.as_of.isoformat(),
        "as_of_roc": labels.roc_date(notice.as_of).partition("（")[0],
        "title": notice.subject,
        "counts": {
            "year": notice.as_of.year,
            "indicators": sum(notice.status_counts.values()),
            "by_status": dict(notice.status_counts),
            "alerts": len(notice.alerts),
            "alerts_by_severity": dict(notice.alert_counts),
            "early_warnings": len(notice.early_warnings),
        },
        "alerts": notice.alerts,
        "early_warnings": list(notice.early_warnings),
        "report": {
            "url": notice.report_url,
            "path": str(notice.report_file) if notice.report_file else None,
        },
    }


def build_email(notice: Notice, settings: config.NotifySettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = notice.subject
    msg["From"] = formataddr((SENDER_NAME, settings.mail_from))
    msg["To"] = ", ".join(settings.mail_to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    msg.set_content(render_text(notice))
    msg.add_alternative(render_html(notice), subtype="html")
    if notice.report_file is not None:
        subtype = "html" if notice.report_file.suffix == ".html" else "plain"
        msg.add_attachment(notice.report_file.read_bytes(), maintype="text", subtype=subtype,
                           filename=attachment_name(notice))
    for name, content in notice.attachments:
        msg.add_attachment(content, maintype="application", filename=name,
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return msg


# ---------------------------------------------------------------------------------------------
# each department's own e-mail
# ---------------------------------------------------------------------------------------------
def department_contacts() -> dict[str, tuple[str, ...]]:
    """Mailboxes per unit code, from the seed department_contacts as the last dbt build loaded it
    (units without an address left out)."""
    with warehouse.connect() as conn:
        if conn.execute("select to_regclass('raw.department_contacts')").fetchone()[0] is None:
            return {}
        rows = conn.execute("select org_unit_code, email_to from raw.department_contacts").fetchall()
    out = {}
    for code, to in rows:
        addresses = tuple(a for a in re.split(r"[,;\s]+", to or "") if a)
        if addresses:
            out[code] = addresses
    return out


def department_notices(city: Notice) -> list[Notice]:
    """One notice per unit with a mailbox and flags at the as-of date: its own alerts only, its
    explanation template attached. City-wide flags (ALL) stay with the 管考 office."""
    from kpi import explanations

    contacts = department_contacts()
    templates = explanations.fetch_flags(city.as_of)
    notices = []
    for code in sorted(contacts):
        own = [a for a in city.alerts if a["org_unit"] == code and a["code"]]
        if not own or code not in templates:
            continue
        rows = templates[code]
        name = explanations.unit_title(code, rows)
        flags = [a for a in own if _is_flag(a)]
        overdue = len(own) - len(flags)
        subject = (f"【基隆市管考】{name} {labels.roc_date_long(city.as_of)}列管指標 {len(flags)} 項，請提出落後說明"
                   + (f"（{overdue} 項已逾期）" if overdue else ""))
        counts = {s["severity"]: sum(1 for a in own if a["severity"] == s["severity"]) for s in labels.ALERT_SEVERITIES}
        attachment = (f"落後說明表_{explanations.file_name(code, city.as_of)}",
                      explanations.workbook_bytes(city.as_of, code, rows))
        notices.append(Notice(city.as_of, subject, {}, counts, own, None, city.report_url,
                              unit_code=code, unit_name=name, attachments=(attachment,)))
    return notices


# ---------------------------------------------------------------------------------------------
# how it is sent
# ---------------------------------------------------------------------------------------------
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would lose its body (or, followed, carry the token elsewhere): report it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def webhook_display(url: str) -> str:
    """The webhook URL as errors and logs show it: credentials, token parameters and long
    token-like path segments (Slack, Teams, Discord put the secret in the path) masked."""
    parts = urlsplit(safe_url(url))
    path = "/".join("***" if len(seg) >= 20 else seg for seg in parts.path.split("/"))
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


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
    opener = urllib.request.build_opener(_NoRedirect)
    last = "no attempt made"
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            status, reason = exc.code, exc.reason
            try:  # masked before it is cut: a secret cut in half would no longer be recognised
                detail = redact.mask(exc.read(4096).decode("utf-8", errors="replace").strip(), token)
            except OSError:
                detail = ""
            finally:
                exc.close()
            if status == 429 or 500 <= status <= 599:
                last = f"HTTP {status} {reason}"
            else:
                where = f"; it redirects to {exc.headers.get('Location')!r}: set KPI_WEBHOOK_URL to the final URL" \
                    if 300 <= status < 400 else ""
                more = f": {' '.join(detail.split())[:200]}" if detail else ""
                message = f"webhook {shown} answered HTTP {status} {reason}{more}{where}"
                raise NotifyError(redact.mask(message, token)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                raise NotifyError(f"webhook {shown}: {_describe(exc.reason)}") from None
            last = f"network error: {_describe(exc.reason) if isinstance(exc.reason, BaseException) else exc.reason}"
        except (OSError, ValueError) as exc:
            last = f"network error: {_describe(exc)}"
        if attempt < retries:
            delay = backoff * 2 ** attempt
            log.warning("webhook %s: %s; retry %d of %d in %.1fs", shown, redact.mask(last, token), attempt + 1,
                        retries, delay)
            time.sleep(delay)
    raise NotifyError(redact.mask(f"webhook {shown}: gave up after {retries + 1} attempts; last error: {last}", token))


# ---------------------------------------------------------------------------------------------
# the task
# ---------------------------------------------------------------------------------------------
def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _already_sent(as_of: date, channel: str, destination: str, digest: str) -> bool:
    with warehouse.connect() as conn:
        row = conn.execute(
            "select sent_at from raw.notification_log where as_of_date = %s and channel = %s "
            "and destination = %s and digest = %s limit 1", (as_of, channel, destination, digest)).fetchone()
    return row is not None


def _record(as_of: date, channel: str, destination: str, digest: str, alerts: int) -> None:
    with warehouse.connect() as conn:
        conn.execute("insert into raw.notification_log (as_of_date, channel, destination, digest, alerts) "
                     "values (%s, %s, %s, %s, %s)", (as_of, channel, destination, digest, alerts))
        conn.commit()


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
    digest = _digest(payload)
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
                             _digest(webhook_payload(unit)), len(to)))
    if settings.webhook_enabled:
        channels.append(("webhook", "webhook", webhook_display(settings.webhook_url),
                         lambda: post_webhook(settings.webhook_url, payload, settings.webhook_token), digest, 0))
    for key, channel, destination, send, content, recipients in channels:
        if not force and _already_sent(as_of, channel, destination, content):
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
        _record(as_of, channel, destination, content, len(notice.alerts))
        if channel == "email":
            note = f" ({len(outcome)} refused: {', '.join(sorted(outcome))})" if outcome else ""
            result[key] = f"sent to {recipients - len(outcome)} recipient(s){note}"
        else:
            result[key] = f"sent (HTTP {outcome})"
        log.info("%s for %s: %s", key, as_of, result[key])
    if errors:
        raise NotifyError("notification failed (the KPI results are published all the same): " + " | ".join(errors))
    return result

"""What a notification says: the alerts of an as-of date from the marts, as one city-wide Notice
and one Notice per department with a mailbox (its own flags, its explanation template attached).
How a Notice reads is kpi.notify.render's; how it travels, kpi.notify.smtp's and kpi.notify.webhook's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kpi import errors, labels, redact, status_table, warehouse


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


def is_flag(alert: dict) -> bool:
    return alert["status"] in labels.FLAGGED


def explanation_text(alert: dict) -> str | None:
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
        from kpi.report import NOTICE_FILES

        report_file = next((report_dir / name for name in NOTICE_FILES if (report_dir / name).is_file()), None)
    report_url = None
    if base_url and report_file is not None:
        report_url = f"{base_url.rstrip('/')}/{as_of.isoformat()}/{report_file.name}"

    red, yellow = status_counts.get("behind", 0) + status_counts.get("missed", 0), status_counts.get("at_risk", 0)
    city_now = sum(1 for a in alerts if is_flag(a) and a["year"] == as_of.year and a["org_unit"] == "ALL")
    others = sum(1 for a in alerts if is_flag(a)) - city_now
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
        flags = [a for a in own if is_flag(a)]
        overdue = len(own) - len(flags)
        subject = (f"【基隆市管考】{name} {labels.roc_date_long(city.as_of)}列管指標 {len(flags)} 項，請提出落後說明"
                   + (f"（{overdue} 項已逾期）" if overdue else ""))
        counts = {s["severity"]: sum(1 for a in own if a["severity"] == s["severity"]) for s in labels.ALERT_SEVERITIES}
        attachment = (f"落後說明表_{explanations.file_name(code, city.as_of)}",
                      explanations.workbook_bytes(city.as_of, code, rows))
        notices.append(Notice(city.as_of, subject, {}, counts, own, None, city.report_url,
                              unit_code=code, unit_name=name, attachments=(attachment,)))
    return notices

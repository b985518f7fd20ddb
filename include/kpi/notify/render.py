"""How a Notice reads: the e-mail (plain text and HTML, in Traditional Chinese, the report and the
templates attached) and the webhook's JSON payload."""
from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from kpi import config, labels
from kpi.notify.content import Notice, explanation_text, is_flag

SENDER_NAME = "基隆市政府管考資料平台"


def _sections(notice: Notice) -> list[tuple[str, list[dict]]]:
    """Alerts grouped under a heading each, in fetch_alerts' order."""
    groups: dict[tuple, list[dict]] = {}
    for a in notice.alerts:
        key = ("stale",) if not a["code"] else ("overdue",) if not is_flag(a) else (a["year"], a["org_unit"] == "ALL")
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
        flags = [a for a in notice.alerts if is_flag(a)]
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
                if explained := explanation_text(a):
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
                explained = explanation_text(a)
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

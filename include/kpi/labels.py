"""Words shown to people: status names in Traditional Chinese, ROC dates beside Gregorian ones.

Status words, their order, colours and severities are the dbt seeds `status_labels`, `colours` and
`alert_severities` (dbt_project/seeds/), read here as they are read by dbt: one place for each rule.
Values are never formatted in Python: the marts carry actual_text / target_text (seed value_formats).
"""
from __future__ import annotations

import csv
from datetime import date

from kpi import config

ROC_OFFSET = 1911  # year 1 of the Republic is 1912 (dbt: macro roc_offset)


def _seed(name: str) -> list[dict[str, str]]:
    with open(config.dbt_project_dir() / "seeds" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


_STATUSES = sorted(_seed("status_labels"), key=lambda r: int(r["status_sort"]))
_COLOURS = {r["colour"]: r for r in _seed("colours")}

STATUS_ZH = {r["status"]: r["status_zh"] for r in _STATUSES}  # `stale`: a stale-source alert
# Flags first, then the rest from best to least informative (the indicator statuses).
STATUS_ORDER = [r["status"] for r in _STATUSES if r["applies_to"] == "indicator"]
SEVERITY = {r["status"]: r["severity"] for r in _STATUSES if r["is_flagged"] == "true"}
FLAGGED = tuple(SEVERITY)
# the colour every view gives a status (terminal, report, e-mail): the flags' severity, else green/grey
STATUS_COLOUR = {r["status"]: r["colour"] for r in _STATUSES}
# as print-safe hex values: fills, and text on white
COLOUR_HEX = {c: r["colour_hex"] for c, r in _COLOURS.items()}
COLOUR_TEXT_HEX = {c: r["colour_text_hex"] for c, r in _COLOURS.items()}
COLOUR_ZH = {c: r["colour_zh"] for c, r in _COLOURS.items()}
SEVERITIES = sorted(_seed("alert_severities"), key=lambda r: int(r["severity_sort"]))
SEVERITY_ZH = {r["severity"]: r["severity_zh"] for r in SEVERITIES}
# the early warnings' severity (預警: the year-end projection disagrees with the plan's status): statuses
# that apply to the projection. Never a flag: counts of flags and alerts leave it out, it is shown apart.
EARLY_WARNING = {r["severity"] for r in _STATUSES if r["applies_to"] == "projection"}
ALERT_SEVERITIES = [s for s in SEVERITIES if s["severity"] not in EARLY_WARNING]
SEVERITY_COLOUR = {r["severity"]: r["colour"] for r in SEVERITIES}
# year-end projection outcomes (seed projection_labels): 可望達成 / 可能未達成 / 尚難判斷
PROJECTED_STATUS_ZH = {r["projected_status"]: r["projected_status_zh"] for r in _seed("projection_labels")}


def roc_year(year: int) -> int:
    return year - ROC_OFFSET


def roc_date(d: date) -> str:
    """114/11/25（2025-11-25） (dbt: macro roc_date_text)."""
    return f"{roc_year(d.year)}/{d.month:02d}/{d.day:02d}（{d.isoformat()}）"


def year_label(year: int) -> str:
    """114年（2025） (dbt: macro roc_year_text)."""
    return f"{roc_year(year)}年（{year}）"


def roc_date_long(d: date) -> str:
    """民國114年11月25日（2025-11-25）: the form for headings and printed reports (dbt: roc_date_long)."""
    return f"民國{roc_year(d.year)}年{d.month}月{d.day}日（{d.isoformat()}）"

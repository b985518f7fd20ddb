"""Words shown to people: status names in Traditional Chinese, ROC dates beside Gregorian ones."""
from __future__ import annotations

from datetime import date

STATUS_ZH = {
    "behind": "落後",
    "missed": "未達成",
    "at_risk": "有落後風險",
    "on_track": "進度正常",
    "achieved": "已達成",
    "pending": "待結算",
    "no_data": "無資料",
    "no_target": "無目標",
}
# Flags first, then the rest from best to least informative.
STATUS_ORDER = ["behind", "missed", "at_risk", "on_track", "achieved", "pending", "no_data", "no_target"]
SEVERITY = {"behind": "red", "missed": "red", "at_risk": "yellow"}
FLAGGED = tuple(SEVERITY)
# the colour every view gives a status (terminal, report, e-mail): the flags' severity, else green/grey
STATUS_COLOUR = {**SEVERITY, "on_track": "green", "achieved": "green", "pending": "grey", "no_data": "grey",
                 "no_target": "grey"}
# as print-safe hex values: fills, and text on white
COLOUR_HEX = {"red": "#c62828", "yellow": "#e0a000", "green": "#2e7d32", "grey": "#8a959e"}
COLOUR_TEXT_HEX = {"red": "#b71c1c", "yellow": "#8a6100", "green": "#1b5e20", "grey": "#5f6b73"}


def roc_year(year: int) -> int:
    return year - 1911


def roc_date(d: date) -> str:
    """114/11/25 (2025-11-25)."""
    return f"{roc_year(d.year)}/{d.month:02d}/{d.day:02d}（{d.isoformat()}）"


def year_label(year: int) -> str:
    return f"{roc_year(year)}年（{year}）"


def roc_date_long(d: date) -> str:
    """民國114年11月25日（2025-11-25）: the form for headings and printed reports."""
    return f"民國{roc_year(d.year)}年{d.month}月{d.day}日（{d.isoformat()}）"

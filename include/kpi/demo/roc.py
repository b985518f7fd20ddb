"""ROC (民國) date text as Taiwanese government exports write it."""
from __future__ import annotations

from datetime import date, datetime

from kpi.labels import ROC_OFFSET

_FULLWIDTH = str.maketrans("0123456789/:", "０１２３４５６７８９／：")


def roc_year(year: int) -> int:
    return year - ROC_OFFSET


def roc_date(d: date, *, padded: bool = True) -> str:
    """`114/03/05`, or `114/3/5` when not padded (both occur in hand-typed sheets)."""
    if padded:
        return f"{d.year - ROC_OFFSET}/{d.month:02d}/{d.day:02d}"
    return f"{d.year - ROC_OFFSET}/{d.month}/{d.day}"


def roc_compact(d: date) -> str:
    """`1140305`."""
    return f"{d.year - ROC_OFFSET}{d.month:02d}{d.day:02d}"


def roc_datetime(dt: datetime, *, seconds: bool = True) -> str:
    """`114/03/05 14:22:10`, or `114/03/05 14:22` without seconds."""
    base = f"{roc_date(dt.date())} {dt.hour:02d}:{dt.minute:02d}"
    return f"{base}:{dt.second:02d}" if seconds else base


def roc_year_month(year: int, month: int) -> str:
    """`11410`."""
    return f"{year - ROC_OFFSET}{month:02d}"


def to_fullwidth(text: str) -> str:
    """What an IME in full-width mode produces for digits and separators (`１１４／０３／１８`)."""
    return text.translate(_FULLWIDTH)


def impossible_roc_date(year: int, pick: int) -> str:
    """A ROC date that looks right but names no real day (the spec's `114/02/30`)."""
    y = year - ROC_OFFSET
    return [f"{y}/02/30", f"{y}/04/31", f"{y}/13/05", f"{y}/06/31", f"{y}/02/31"][pick % 5]

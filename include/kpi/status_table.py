"""The KPI status table as people read it in a terminal: flags first, Traditional Chinese, numbers."""
from __future__ import annotations

import unicodedata
from datetime import date

from kpi import labels, warehouse

COLOURS = {"red": "\033[31m", "yellow": "\033[33m", "green": "\033[32m", "grey": "\033[90m"}
RESET = "\033[0m"


def latest_as_of() -> date | None:
    """The newest as-of date with statuses; None before the first run built the marts."""
    with warehouse.connect() as conn:
        if conn.execute("select to_regclass('marts.fct_kpi_status')").fetchone()[0] is None:
            return None
        return conn.execute("select max(as_of_date) from marts.fct_kpi_status").fetchone()[0]


def fetch(as_of: date, year: int | None = None, org_unit: str = "ALL") -> list[dict]:
    """Status rows of one as-of date (city-wide by default), flags first, with the words and value
    texts of marts.kpi_status_labelled: what BI tools show, shown the same here."""
    with warehouse.connect() as conn:
        return warehouse.fetch_dicts(
            conn,
            """
            select kpi_code, kpi_name_zh, year, roc_year, year_text, org_unit_code, org_unit_name_zh,
                   as_of_roc_text, measure_type, actual_value, target_value, target_basis, expected_to_date,
                   actual_text, target_text, expected_text, status, status_zh, status_colour,
                   status_reason, source_fresh, value_format, unit_zh
            from marts.kpi_status_labelled
            where as_of_date = %(d)s and year = %(y)s and org_unit_code = %(unit)s
            order by status_sort, kpi_sort
            """,
            {"d": as_of, "y": year or as_of.year, "unit": org_unit},
        )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to `width` terminal columns (CJK characters take two)."""
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    out, used = "", 0
    for ch in text:
        if used + _width(ch) > width - 1:
            break
        out += ch
        used += _width(ch)
    return out + "…" + " " * (width - used - 1)


def render(rows: list[dict], as_of: date, colour: bool = False) -> str:
    if not rows:
        return f"基準日 {labels.roc_date(as_of)} 尚無指標狀態（請先執行 kpi run --as-of {as_of}）"
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = "、".join(f"{labels.STATUS_ZH[s]} {counts[s]}" for s in labels.STATUS_ORDER if s in counts)
    lines = [
        f"基隆市政府綜合發展處 指標狀態 基準日 {rows[0]['as_of_roc_text']}，{rows[0]['year_text']}",
        f"共 {len(rows)} 項：{summary}",
        "",
    ]
    cols = [("狀態", 12), ("代碼", 6), ("指標", 30), ("實際", 14), ("目標", 14), ("說明", 0)]
    lines.append(" ".join(_fit(h, w) if w else h for h, w in cols))
    for r in rows:
        status = r["status_zh"]
        if not r["source_fresh"]:
            status += "*"
        cells = [status, r["kpi_code"], r["kpi_name_zh"], r["actual_text"], r["target_text"], r["status_reason"]]
        line = " ".join(_fit(c, w) if w else c for c, (_, w) in zip(cells, cols))
        if colour:
            line = COLOURS[r["status_colour"]] + line + RESET
        lines.append(line)
    if any(not r["source_fresh"] for r in rows):
        lines += ["", "* 資料來源未及時更新，狀態依現有資料計算"]
    return "\n".join(lines)


def as_json(rows: list[dict]) -> list[dict]:
    def plain(v):
        if isinstance(v, date):
            return v.isoformat()
        if v is not None and not isinstance(v, (str, int, bool)):
            return float(v)
        return v
    return [{k: plain(v) for k, v in r.items()} for r in rows]

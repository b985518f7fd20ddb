"""The departments' explanation templates (S7 落後說明): one workbook per unit with its flags.

`kpi explain-template --as-of D` writes, for every unit with a flagged status at D (behind, missed,
at_risk of D's year and the year before, as marts.kpi_alerts lists them), a workbook pre-filled with
the flags (code, name, unit, actual, target, the reason sentence) and empty columns 落後原因, 改善措施,
預計改善日期 and 填報人. City-wide flags (ALL) go to the 管考 office's own workbook. The unit fills it
in and returns it to the landing directory's explanations/ folder, where the source `explanations`
(sources.yml) loads it like any other: its header is the declaration's, so the two cannot drift.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from kpi import config, errors, labels, warehouse

CITY = "ALL"
HEADER_ROW = 3          # sources.yml explanations.header_row: rows 1-2 are title and instructions
# what the unit writes; everything else is pre-filled
TO_FILL = ("落後原因", "改善措施", "預計改善日期", "填報人")

_FLAGS = """
select a.as_of_date, a.year, a.kpi_code, a.kpi_name_zh, a.org_unit_code, a.org_unit_name_zh,
       a.actual_text, a.target_text, a.message as status_reason, a.status_zh
from marts.kpi_alerts a
inner join marts.dim_status s using (status)
where a.as_of_date = %(d)s and s.is_flagged
order by a.org_unit_code, a.year desc, a.kpi_code
"""


def header() -> list[str]:
    """The template's columns: exactly the header the source `explanations` expects."""
    from kpi.loaders.spec import load_sources

    return list(load_sources()["explanations"].header)


def fetch_flags(as_of: date) -> dict[str, list[dict]]:
    """The flagged statuses of `as_of` by unit code (ALL: the city-wide ones)."""
    with warehouse.connect() as conn:
        rows = warehouse.fetch_dicts(conn, _FLAGS, {"d": as_of})
    by_unit: dict[str, list[dict]] = {}
    for r in rows:
        by_unit.setdefault(r["org_unit_code"], []).append(r)
    return by_unit


def unit_title(code: str, rows: list[dict]) -> str:
    if code == CITY:
        return "全市指標（管考單位）"
    return rows[0]["org_unit_name_zh"] or code


def file_name(code: str, as_of: date) -> str:
    """KL0900_2025-11-25.xlsx: the unit and the as-of date, so returned files of two dates do not
    replace each other in the landing directory."""
    return f"{code}_{as_of.isoformat()}.xlsx"


def workbook_bytes(as_of: date, code: str, rows: list[dict]) -> bytes:
    """The template of one unit as .xlsx bytes (written to disk, or attached to its e-mail)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = header()
    due = config.explanation_due_days()
    wb = Workbook()
    ws = wb.active
    ws.title = "落後說明"
    ws.append([f"基隆市政府 {unit_title(code, rows)} 落後說明表　基準日 {labels.roc_date_long(as_of)}"])
    ws.append([f"請於列管後 {due} 個工作天內填寫「落後原因」（必填）、「改善措施」、「預計改善日期」（如 114/12/31）"
               "及「填報人」，存檔後送回管考單位；其餘欄位請勿修改。"])
    ws.append(columns)
    values = {
        "基準日": lambda r: r["as_of_date"],
        "西元年度": lambda r: r["year"],
        "指標代碼": lambda r: r["kpi_code"],
        "指標名稱": lambda r: r["kpi_name_zh"],
        "單位代碼": lambda r: r["org_unit_code"],
        "單位名稱": lambda r: r["org_unit_name_zh"],
        "實際值": lambda r: r["actual_text"],
        "目標值": lambda r: r["target_text"],
        "落後情形": lambda r: f"{labels.year_label(r['year'])}{r['status_zh']}：{r['status_reason']}",
    }
    missing = [c for c in columns if c not in values and c not in TO_FILL]
    if missing:   # a column added to sources.yml must be pre-filled or left to the unit, on purpose
        raise errors.StepFailed(f"explanation template: no value for column(s) {', '.join(missing)} of sources.yml")
    for r in rows:
        ws.append([values[c](r) if c in values else None for c in columns])
    ws["A1"].font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="FFF3CD")
    for n, name in enumerate(columns, 1):
        cell = ws.cell(row=HEADER_ROW, column=n)
        cell.font = Font(bold=True)
        if name in TO_FILL:
            cell.fill = fill
        letter = cell.column_letter
        widths = {"落後情形": 60, "落後原因": 40, "改善措施": 40, "指標名稱": 28}
        ws.column_dimensions[letter].width = widths.get(name, 14)
        for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows)):
            ws.cell(row=row, column=n).alignment = Alignment(wrap_text=True, vertical="top")
            if name == "基準日":
                ws.cell(row=row, column=n).number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_templates(as_of: date, out_dir: Path | None = None) -> dict[str, Path]:
    """Write one template per unit with flags at `as_of` (default folder reports/explanations/<D>/);
    returns the files by unit code."""
    out_dir = out_dir or config.explanation_templates_dir(as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for code, rows in fetch_flags(as_of).items():
        path = out_dir / file_name(code, as_of)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(workbook_bytes(as_of, code, rows))
        tmp.replace(path)   # a reader never sees half a workbook
        written[code] = path
    return written

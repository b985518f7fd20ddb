"""S7 落後說明: the departments' answers to an explanation template, as two units return them.

The template is the one `kpi explain-template` writes (kpi.explanations.workbook_bytes); the units
fill in 落後原因, 改善措施, 預計改善日期 and 填報人 (a person's name: personal data, dropped at load).
They answer the template of TEMPLATE_AS_OF, the 市務會議 preparation before the demo's as-of date
(Makefile DEMO_AS_OF 2025-11-25), about K7.1, on which the demo's slow departments lag all year
(documents.PROCESSING_DAYS). One line is returned without a reason: it is set aside. The city-wide
K9.1, behind in 2025, is left unexplained, so it raises the alert 未提出落後說明.
"""
from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from .people import person_name
from .xlsx import deterministic_xlsx

TEMPLATE_AS_OF = date(2025, 11, 10)
EARLIEST = date(2022, 3, 1)   # a shorter demo answers the template of two weeks before its end
# unit, name, reason, action, expected improvement (ROC text, as a person types it)
ANSWERS = [
    ("KL1200", "工務處", "道路及建築管理案件須會辦多單位並辦理現場勘查，公文平均處理時間偏長",
     "建立會辦案件每週追蹤表，簡易案件改採線上簽核", "114/12/31"),
    ("KL0800", "都市發展處", "違章建築查報案件量增加，承辦人力未同步補足",
     "增派約聘人力並將查報公文改由系統自動分案", "115/03/31"),
]
BLANK_REASON_UNIT = "KL1200"   # its second line comes back without 落後原因


def write_explanations(landing: Path, until: date, rng: random.Random,
                       progress: Callable[[str, int, int], None] | None = None) -> dict:
    from openpyxl import load_workbook

    from kpi import explanations

    files = []
    as_of = min(TEMPLATE_AS_OF, until - timedelta(days=14))
    if as_of < EARLIEST:
        if progress:
            progress("explanations", 0, 0)
        return {"files": files, "rows": 0, "bad_rows": 0}
    folder = landing / "explanations"
    folder.mkdir(parents=True, exist_ok=True)
    year = as_of.year
    for k, (code, name, reason, action, expected) in enumerate(ANSWERS, 1):
        flags = [{"as_of_date": as_of, "year": year, "kpi_code": "K7.1", "kpi_name_zh": "公文結案天數",
                  "org_unit_code": code, "org_unit_name_zh": name, "actual_text": None, "target_text": None,
                  "status_zh": "落後", "status_reason": f"{name}公文平均結案天數高於目標"}]
        if code == BLANK_REASON_UNIT:
            flags.append({**flags[0], "kpi_code": "K7.2", "kpi_name_zh": "人民陳情案件結案率",
                          "status_reason": f"{name}陳情案件結案率低於目標"})
        wb = load_workbook(io.BytesIO(explanations.workbook_bytes(as_of, code, flags)))
        ws = wb.active
        head = [c.value for c in ws[explanations.HEADER_ROW]]
        col = {h: n + 1 for n, h in enumerate(head)}
        bad = []
        for row in range(explanations.HEADER_ROW + 1, ws.max_row + 1):
            first = row == explanations.HEADER_ROW + 1
            if first:
                ws.cell(row, col["落後原因"]).value = reason
                ws.cell(row, col["改善措施"]).value = action
                ws.cell(row, col["預計改善日期"]).value = expected
            else:
                bad.append({"line": row, "reason": "落後原因 (lag_reason) missing"})
            ws.cell(row, col["填報人"]).value = person_name(rng)
        path = folder / explanations.file_name(code, as_of)
        # returned the working day after the template (a fixed stamp: the same seed, the same bytes)
        path.write_bytes(deterministic_xlsx(wb, datetime.combine(as_of + timedelta(days=1), datetime.min.time())))
        if progress:
            progress("explanations", k, len(ANSWERS))
        files.append({"path": f"explanations/{path.name}", "format": "xlsx",
                      "rows": ws.max_row - explanations.HEADER_ROW, "bad_rows": len(bad), "bad": bad})
    return {"files": files, "rows": sum(f["rows"] for f in files), "bad_rows": sum(f["bad_rows"] for f in files)}

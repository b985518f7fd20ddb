"""Department codes the org-unit list does not know, planted in a demo landing directory the way the
source systems would deliver them (docs/sources.md#unknown-units: unknown, not bad)."""
from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import openpyxl

UNKNOWN = "KL9999"          # petitions and budget
UNKNOWN_DOCS = "KL9998"     # documents (a SQL source keeps every version, so it never forgets a code)
UNKNOWN_NAME = "海洋事務處"
CASE_ID = "KL1140210999"
PETITIONS_FILE = "petitions/petitions_20250210.csv"
BUDGET_FILE = "budget/budget_11402.xlsx"


def _read_csv(path: Path) -> tuple[str, list[list[str]]]:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "cp950"
    return encoding, list(csv.reader(io.StringIO(raw.decode(encoding))))


def _write_csv(path: Path, encoding: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def add_unknown_units(landing: Path) -> None:
    """One petition case of KL9999 received 114/02/10, open and past its due date 114/02/20 (so it
    counts in K7.2's denominator, not its numerator); one day of documents of KL9998 (2 closed in 3
    days: K7.1 = 1.5); one tracked-infrastructure budget line of KL9999 in the February workbook."""
    path = landing / PETITIONS_FILE
    encoding, rows = _read_csv(path)
    header = rows[0]
    case = {
        "案件編號": CASE_ID, "來源管道": "市長信箱", "案件主類別": "港區管理", "案件次類別": "漁港設施",
        "受理日期": "114/02/10 09:15:00", "承辦機關代碼": UNKNOWN, "承辦機關": UNKNOWN_NAME,
        "限辦日期": "114/02/20", "處理狀態": "處理中", "結案日期": "", "陳情人姓名": "林測試",
        "聯絡電話": "0911000999", "電子郵件": "test999@example.tw", "地址": "基隆市中正區中正路999號",
        "最後更新時間": "114/02/10 09:20:00",
    }
    _write_csv(path, encoding, [*rows, [case[h] for h in header]])

    db = sqlite3.connect(landing / "documents" / "doc_stats.sqlite")
    db.execute("insert into doc_daily_stats (stat_date, unit_code, unit_name, recv_total, recv_electronic, "
               "sent_total, sent_electronic, closed_count, closed_days_sum, updated_at) "
               "values ('2025-02-10', ?, ?, 5, 3, 4, 2, 2, 3.0, '2025-02-11 01:00:00')",
               (UNKNOWN_DOCS, UNKNOWN_NAME))
    db.commit()
    db.close()

    book = openpyxl.load_workbook(landing / BUDGET_FILE)
    sheet = book.worksheets[0]
    total = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "合計")
    sheet.insert_rows(total)
    line = [114, 2, UNKNOWN, UNKNOWN_NAME, f"{UNKNOWN}-B01", "漁港設施改善工程", "資本門", "設備及投資", "是",
            "10,000,000", "2,000,000", "1,000,000", "200,000", "0", "-"]
    for col, value in enumerate(line, 1):
        sheet.cell(total, col).value = value
    book.save(landing / BUDGET_FILE)


def correct_unknown_units(landing: Path, code: str = "KL0100", name: str = "民政處") -> None:
    """The petitions file and the budget workbook delivered again with KL9999 corrected to a known
    unit (each re-delivery replaces what its file loaded before)."""
    path = landing / PETITIONS_FILE
    encoding, rows = _read_csv(path)
    i, j = rows[0].index("承辦機關代碼"), rows[0].index("承辦機關")
    for row in rows[1:]:
        if len(row) > i and row[i] == UNKNOWN:  # the demo data has short (bad) rows too
            row[i], row[j] = code, name
    _write_csv(path, encoding, rows)
    book = openpyxl.load_workbook(landing / BUDGET_FILE)
    sheet = book.worksheets[0]
    for r in range(1, sheet.max_row + 1):
        if sheet.cell(r, 3).value == UNKNOWN:
            sheet.cell(r, 3).value, sheet.cell(r, 4).value = code, name
            sheet.cell(r, 5).value = f"{code}-B99"
    book.save(landing / BUDGET_FILE)

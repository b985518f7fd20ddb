"""The personal data a landing directory holds, as the tests look for it elsewhere."""
from __future__ import annotations

import csv
from pathlib import Path

PETITIONER_COLUMNS = ("陳情人姓名", "聯絡電話", "電子郵件", "地址")


def personal_data(landing: Path) -> set[str]:
    values: set[str] = set()
    for path in sorted((landing / "petitions").glob("*.csv")):
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp950")
        for row in csv.DictReader(text.splitlines()):
            values.update(v.strip() for k, v in row.items() if k in PETITIONER_COLUMNS and v and v.strip())
    register = landing / "register" / "kpi_register.csv"
    if register.exists():
        with open(register, encoding="utf-8-sig", newline="") as fh:
            values.update(r["填報人"].strip() for r in csv.DictReader(fh) if (r.get("填報人") or "").strip())
    return values

"""Workbooks the demo writes: the same inputs give the same bytes (tests compare two runs)."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.xml.functions import tostring


def deterministic_xlsx(wb: Workbook, stamp: datetime) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and the zip entries; pin both to
    `stamp` so the same inputs give the same bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.created = stamp
    wb.properties.modified = stamp  # save() overwrote it with the wall clock
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            dst.writestr(fixed, data)
    return out.getvalue()

"""The self-contained HTML report of an as-of date (issue 5): statuses, flagged indicators first with
their reasons, a chart per indicator over the year, department breakdowns, data quality.

data.py reads the warehouse, charts.py draws inline SVG, page.py writes the HTML, dbt_docs.py
publishes dbt's docs beside it. Nothing heavy happens at import.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

REPORT_NAME = "report.html"
STATUS_TEXT_NAME = "kpi_status.txt"  # the plain-text status table publish writes beside it
# what a notice attaches: the first of these the published folder holds
NOTICE_FILES = (REPORT_NAME, STATUS_TEXT_NAME)


def default_path(as_of: date) -> Path:
    from kpi import config

    return config.published_dir(as_of) / REPORT_NAME


def write_report(as_of: date, output: Path | str | None = None) -> Path:
    """Write the report of `as_of` to `output` (default reports/<as_of>/report.html); returns its path.
    Links the dbt docs when dbt-docs.html sits in the same folder."""
    from kpi.report import data, dbt_docs, page

    path = Path(output) if output else default_path(as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = dbt_docs.FILE_NAME if (path.parent / dbt_docs.FILE_NAME).exists() else None
    html = page.render(data.fetch(as_of), docs_href=docs)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path

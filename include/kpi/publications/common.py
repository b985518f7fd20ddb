"""Shared by the briefing and the annual report: optional relations and columns of the warehouse
(explanations and year-end projections arrive with other issues; the documents use them when they
exist), templates, and HTML -> PDF through headless Chromium."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi import config, errors, templating

EXPLANATIONS = "marts.fct_kpi_explanations"
EXPLANATION_COLUMNS = ("kpi_code", "org_unit_code", "year", "as_of_date", "lag_reason", "improvement_action",
                       "expected_improvement_date", "received_date", "source_file")
PROJECTION_COLUMNS = ("projected_year_end", "projected_low", "projected_high", "projection_basis",
                      "projected_status", "projection_reason")

# a plain number with thousands separators and no trailing zeros (numerators, denominators)
NUMBER_SQL = ("case when ({v}) is null then null "
              "else rtrim(rtrim(to_char(({v})::numeric, 'FM999,999,999,999,990.0000'), '0'), '.') end")


def number_sql(value: str) -> str:
    return NUMBER_SQL.format(v=value)


def relation_exists(conn, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def columns(conn, name: str) -> set[str]:
    schema, table = name.split(".")
    return {c for (c,) in conn.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        (schema, table)).fetchall()}


def has_explanations(conn) -> bool:
    """The departments' explanations (source S7) are in the warehouse, with the columns we read."""
    return relation_exists(conn, EXPLANATIONS) and set(EXPLANATION_COLUMNS) <= columns(conn, EXPLANATIONS)


def has_projections(conn) -> bool:
    """fct_kpi_status carries the year-end projection (the Foresight issue)."""
    return set(PROJECTION_COLUMNS) <= columns(conn, "marts.fct_kpi_status")


def render(template: str, **context) -> str:
    """A template of publications/templates (kpi.templating: autoescaped, strict)."""
    return templating.render("kpi.publications", template, **context)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write next to the target and rename: a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)
    return path


def chromium() -> str | None:
    """Headless Chromium for printing: KPI_CHROMIUM, else the first browser on PATH."""
    if browser := config.chromium():
        return browser
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def chromium_args(browser: str, profile: Path) -> list[str]:
    """Headless, offline, a throwaway profile: a print never reaches the network or a user's profile."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def print_pdf(html: Path, pdf: Path, timeout: int = 180) -> Path:
    """`html` printed to `pdf` by headless Chromium (page size and margins from the page's CSS @page)."""
    browser = chromium()
    if browser is None:
        raise errors.StepFailed("PDF needs headless Chromium: install it (Debian: apt-get install chromium "
                           "fonts-noto-cjk) or set KPI_CHROMIUM to its path")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="kpi-chromium-") as profile:
        res = subprocess.run(
            [*chromium_args(browser, Path(profile)), "--no-pdf-header-footer", f"--print-to-pdf={tmp}",
             html.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout)
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise errors.StepFailed(f"Chromium did not print {html} to PDF (exit {res.returncode}): {res.stderr[-500:]}")
    tmp.replace(pdf)
    return pdf


def output_dir(*parts: str) -> Path:
    return config.reports_dir().joinpath(*parts)

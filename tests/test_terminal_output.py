"""What people see in a terminal: progress of long steps (a redrawn bar on a TTY, a line per 10%
elsewhere) and the status table's colours (on a TTY only, never with NO_COLOR)."""
from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_kpi

from kpi import warehouse
from kpi.progress import ProgressPrinter

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- ProgressPrinter ---------------------------------------------------------------------------

def test_not_a_tty_gives_a_line_per_10_percent():
    out = io.StringIO()
    with ProgressPrinter(out) as progress:
        for i in range(1, 1801):  # the petitions: a file a day
            progress("petitions", i, 1800)
        progress("hr", 1, 1)
    lines = out.getvalue().splitlines()
    assert lines[:10] == [f"petitions    {p:>3}% ({n:,}/1,800)" for p, n in
                          zip(range(0, 100, 10), (1, 180, 360, 540, 720, 900, 1080, 1260, 1440, 1620))]
    assert lines[10:] == ["petitions    100% (1,800/1,800)", "hr           100% (1/1)"]
    assert "\r" not in out.getvalue()


def test_a_note_follows_the_counts_and_messages_get_lines_of_their_own():
    out = io.StringIO()
    with ProgressPrinter(out) as progress:
        progress("kpi_nightly", 0, 4, "dbt 0/2")
        progress.message("  load_hr FAILED after 0.1s")
        progress("kpi_nightly", 4, 4, "dbt 2/2  publish ok 0.2s")
    assert out.getvalue().splitlines() == [
        "kpi_nightly    0% (0/4)  dbt 0/2",
        "  load_hr FAILED after 0.1s",
        "kpi_nightly  100% (4/4)  dbt 2/2  publish ok 0.2s"]


def test_a_tty_gets_one_redrawn_bar_per_step():
    out = _Tty()
    with ProgressPrinter(out, width=10) as progress:
        for i in range(1, 51):
            progress("documents", i, 50)
        progress.message("between steps")
        progress("budget", 1, 2, "note")
        progress("budget", 2, 2, "note")
    text = out.getvalue()
    assert text.count("\r") == 52
    lines = text.split("\n")
    assert lines[0].rsplit("\r", 1)[1].startswith("documents    [##########]      50/50 ")
    assert lines[1] == "between steps"
    assert lines[2].rsplit("\r", 1)[1].startswith("budget       [##########]       2/2 ")
    assert "note\x1b[K" in lines[2] and lines[3] == ""


@pytest.fixture(scope="module")
def small_landing(tmp_path_factory, warehouse_db):
    """Its own landing directory (the session's belongs to the pipeline tests)."""
    landing = tmp_path_factory.mktemp("landing")
    env = {"KPI_LANDING_DIR": str(landing)}
    res = run_kpi("demo-data", "--until", "2022-02-28", "--scale", "0.05", env=env)
    assert res.returncode == 0, res.stderr
    return env


def test_kpi_load_shows_progress_per_file(small_landing):
    res = run_kpi("load", "petitions", "calendar", env=small_landing)
    assert res.returncode == 0, res.stderr
    files = len(list(Path(small_landing["KPI_LANDING_DIR"]).glob("petitions/petitions_*.csv")))
    assert files >= 50
    progress = [line for line in res.stderr.splitlines() if line.startswith("petitions ")]
    assert len(progress) == 11, res.stderr  # 0%, 10%, …, 100%
    assert progress[-1] == f"petitions    100% ({files}/{files})"
    assert re.search(r"^calendar\s+100% \(\d+/\d+\)$", res.stderr, re.M)
    assert "petitions" in res.stdout and "讀取" in res.stdout  # the summary stays on stdout


# --- kpi status: colour ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def statuses(warehouse_db):
    """The marts `kpi status` reads (the status view with its words and texts), with one flagged and one
    achieved indicator."""
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("create table marts.fct_kpi_status as select date '2025-11-25' as as_of_date")
        conn.execute("""
            create table marts.kpi_status_labelled as
            select date '2025-11-25' as as_of_date, '114/11/25（2025-11-25）' as as_of_roc_text, kpi_code,
                   kpi_sort, kpi_name_zh, 2025 as year, 114 as roc_year, '114年（2025）' as year_text,
                   'ALL' as org_unit_code, '全市' as org_unit_name_zh, 'ratio' as measure_type,
                   actual_value::numeric, target_value::numeric, 'plan' as target_basis,
                   null::numeric as expected_to_date, actual_text, target_text, null as expected_text,
                   status, status_zh, status_sort, status_colour, status_reason, true as source_fresh,
                   value_format, unit_zh
            from (values ('K9.1', 1, '電子公文', 120, 100, '120 件', '100 件', 'achieved', '已達成', 5, 'green',
                          '已達成', 'count', '件'),
                         ('K7.2', 2, '陳情案件結案率', 0.8, 0.95, '80%', '95%', 'behind', '落後', 1, 'red',
                          '落後於目標', 'percent', '%')) as t(
                  kpi_code, kpi_sort, kpi_name_zh, actual_value, target_value, actual_text, target_text, status,
                  status_zh, status_sort, status_colour, status_reason, value_format, unit_zh)""")


def _kpi_on_a_tty(*args: str, env: dict | None = None) -> str:
    """stdout on a pseudo-terminal; NO_COLOR only when `env` sets it."""
    master, slave = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("kpi")), *args], stdout=slave,
                            stderr=subprocess.PIPE, env={**base, **(env or {})})
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    return out.decode()


def test_status_is_coloured_on_a_tty_flags_first(statuses):
    out = _kpi_on_a_tty("status")
    lines = [line for line in out.splitlines() if "K7.2" in line or "K9.1" in line]
    assert lines[0].startswith("\x1b[31m") and "K7.2" in lines[0]  # behind: red, first
    assert lines[1].startswith("\x1b[32m") and "K9.1" in lines[1]  # achieved: green
    assert lines[1].endswith("\x1b[0m")


def test_no_colour_with_no_color_or_when_not_a_tty(statuses):
    assert not ANSI.search(_kpi_on_a_tty("status", env={"NO_COLOR": "1"}))
    res = run_kpi("status")
    assert res.returncode == 0 and "K7.2" in res.stdout and not ANSI.search(res.stdout)
    assert res.stdout.index("K7.2") < res.stdout.index("K9.1")
    rows = json.loads(run_kpi("status", "--json").stdout)
    assert [r["status"] for r in rows] == ["behind", "achieved"]

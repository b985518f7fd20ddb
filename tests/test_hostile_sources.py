"""Sources that misbehave, through the load engine into the real embedded PostgreSQL: an API that
trickles bytes, symbolic links in the landing directory, dates far after their delivery, and SQL
sources that hang or are missing. Each is recorded in the ledger, fails its load task (the night
goes red through check_loads) and never takes more than its deadline."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from test_http_pages import api, within  # noqa: F401 (api: the local HTTP server fixture)

from kpi import config, connections, pipeline, warehouse
from kpi.loaders import engine
from kpi.loaders.spec import SpecError, load_sources, parse_sources
from kpi.loaders.typed_rows import type_chunk

SAMPLES = Path(__file__).parent / "fixtures" / "samples"


@pytest.fixture()
def landing_dir(warehouse_db, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("KPI_LANDING_DIR", str(folder))
    return folder


def ledger(source: str) -> list[tuple]:
    with warehouse.connect() as conn:
        return conn.execute("select object_name, status, error from raw.load_ledger where source = %s "
                            "order by load_id", (source,)).fetchall()


def rejected(source: str) -> dict[str, str]:
    with warehouse.connect() as conn:
        return dict(conn.execute("select record_ref, reason from raw.rejected_rows where source = %s",
                                 (source,)).fetchall())


# -- the HTTP source: deadlines --------------------------------------------------------------------
def test_a_trickling_hr_api_fails_the_load_at_its_deadline(api, landing_dir, monkeypatch):
    url = f"{api}/trickle"
    monkeypatch.setenv("KPI_HR_API_URL", url)
    monkeypatch.setenv("KPI_HR_PAGE_DEADLINE", "1.5")
    monkeypatch.setenv("KPI_HR_DEADLINE", "3")
    started = time.monotonic()
    with pytest.raises(pipeline.LoadFailed) as info:
        within(30, lambda: pipeline.load_source("hr"))
    assert time.monotonic() - started < 10
    assert url in str(info.value) and "deadline of 3 s" in str(info.value)
    (obj, status, error), = ledger("hr")
    assert (obj, status) == (url, "failed") and "deadline of 3 s" in error


# -- symbolic links in the landing directory -------------------------------------------------------
def test_links_in_the_landing_directory_are_recorded_as_failed_and_never_read(landing_dir, tmp_path):
    outside = tmp_path / "outside"
    (outside / "petitions").mkdir(parents=True)
    (landing_dir / "calendar").mkdir()
    shutil.copy(SAMPLES / "calendar_2025.csv", landing_dir / "calendar" / "calendar_2025.csv")
    shutil.copy(SAMPLES / "calendar_2024.csv", outside / "calendar_2024.csv")
    (landing_dir / "calendar" / "calendar_2024.csv").symlink_to(outside / "calendar_2024.csv")
    (landing_dir / "calendar" / "calendar_2023.csv").symlink_to(outside / "gone.csv")   # dangling
    shutil.copy(SAMPLES / "petitions_20250305.csv", outside / "petitions" / "petitions_20250305.csv")
    (landing_dir / "petitions").symlink_to(outside / "petitions", target_is_directory=True)

    calendar = engine.load("calendar")
    assert (calendar.objects_loaded, calendar.objects_failed) == (1, 2)
    failures = dict(calendar.failures)
    assert failures["calendar/calendar_2024.csv"] == (
        f"calendar/calendar_2024.csv: not read: calendar/calendar_2024.csv is a symbolic link (to "
        f"{outside / 'calendar_2024.csv'}); a file that is a link is not followed, deliver the file itself")
    assert "calendar/calendar_2023.csv is a symbolic link" in failures["calendar/calendar_2023.csv"]
    with warehouse.connect() as conn:
        years = conn.execute("select distinct extract(year from calendar_date)::int from raw.calendar__days").fetchall()
    assert years == [(2025,)]

    with pytest.raises(pipeline.LoadFailed, match="petitions is a symbolic link"):
        pipeline.load_source("petitions")
    assert [(o, s) for o, s, _ in ledger("petitions")] == [("petitions/petitions_20250305.csv", "failed")]
    with warehouse.connect() as conn:
        assert conn.execute("select count(*) from raw.petitions__case_versions").fetchone() == (0,)


def test_the_documents_database_is_not_read_through_a_link(landing_dir, tmp_path):
    import s1_data

    s1_data.write(tmp_path / "elsewhere.sqlite", [("2025-03-03", "KL0100", 1, 1, 1, 1, 1, 0.5, "2025-03-04 01:00:00")])
    (landing_dir / "documents").mkdir()
    (landing_dir / "documents" / "doc_stats.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
    result = engine.load("documents")
    assert result.objects_failed == 1 and result.rows_read == 0
    assert "documents/doc_stats.sqlite is a symbolic link" in result.failures[0][1]


# -- dates far after the delivery ------------------------------------------------------------------
def dates_source():
    """A source with a column of each date type, and one allowed further ahead."""
    return parse_sources({"dates": {"kind": "file", "raw_table": "dates", "columns": {
        "day": {"name": "day", "type": "date"},
        "moment": {"name": "moment", "type": "datetime"},
        "month": {"name": "month", "type": "year_month"},
        "expires": {"name": "expires", "type": "date", "max_years_ahead": 10},
    }}})["dates"]


@pytest.mark.parametrize("column, value, reason", [
    ("day", "200/01/01", "day 2111-01-01 is more than a year after the delivery date 2025-03-05"),
    ("day", "115/03/06", "day 2026-03-06 is more than a year after the delivery date 2025-03-05"),
    ("day", "115/03/05", None),                        # a year to the day: a due date may be that far
    ("moment", "115/03/06 00:00", "moment 2026-03-06 is more than a year after the delivery date 2025-03-05"),
    ("moment", "115/03/05 23:59:59", None),
    ("moment", "2026-03-05T16:00:00Z", "moment 2026-03-06 is more than a year after the delivery date 2025-03-05"),
    ("month", "20001", "month 2111-01-01 is more than a year after the delivery date 2025-03-05"),
    ("month", "11503", None),
    ("expires", "118/08/09", None),                    # a certificate runs for years
    ("expires", "200/01/01", "expires 2111-01-01 is more than 10 years after the delivery date 2025-03-05"),
    ("day", "99/01/01", None),                         # the past is not bounded here
])
def test_every_date_type_is_bounded_by_the_delivery_date(column, value, reason):
    row = pd.DataFrame([{"day": "", "moment": "", "month": "", "expires": "", column: value}], index=[2])
    _, reasons = type_chunk(dates_source(), row, b"key", date(2025, 3, 5))
    assert reasons[2] == reason


def test_the_delivery_date_of_a_landing_file():
    from kpi.loaders import landing

    written = datetime(2025, 11, 25, 9, 0, tzinfo=config.TIMEZONE).timestamp()
    later = datetime(2026, 12, 3, 9, 0, tzinfo=config.TIMEZONE).timestamp()
    assert landing.delivery_date(Path("petitions_20251125.csv"), written) == date(2025, 11, 25)
    assert landing.delivery_date(Path("petitions_20251125.csv"), later) == date(2026, 12, 3)
    assert landing.delivery_date(Path("budget_11410.xlsx"), written) == date(2025, 11, 25)
    # the calendar of a coming year is published months ahead: its name wins
    assert landing.delivery_date(Path("calendar_2026.csv"), written) == date(2026, 1, 1)
    assert landing.delivery_date(Path("kpi_register.csv"), written) == date(2025, 11, 25)
    assert landing.delivery_date(Path("export_1234.csv"), written) == date(2025, 11, 25)


def _petitions(rows: list[dict]) -> bytes:
    with open(SAMPLES / "petitions_20250305.csv", encoding="cp950", newline="") as fh:
        reader = csv.DictReader(fh)
        header, first = reader.fieldnames, next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\r\n")
    writer.writeheader()
    for i, change in enumerate(rows):
        writer.writerow({**first, "案件編號": f"KL11403050000{i}", **change})
    return out.getvalue().encode("cp950")


def test_petition_dates_far_after_the_file_set_aside_naming_the_column(landing_dir):
    (landing_dir / "petitions").mkdir()
    path = landing_dir / "petitions" / "petitions_20250305.csv"
    path.write_bytes(_petitions([
        {"限辦日期": "200/03/14"},                                   # ROC 200: 2111
        {"限辦日期": "114/04/04"},                                   # a month ahead: normal
        {"最後更新時間": "215/03/05 12:00:00"},
    ]))
    stamp = datetime(2025, 3, 5, 23, 0, tzinfo=config.TIMEZONE).timestamp()
    os.utime(path, (stamp, stamp))
    result = engine.load("petitions")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    # petitions hold personal data: the reasons name the column, not the value
    assert rejected("petitions") == {
        "line 2": "限辦日期 (due_date) is more than a year after the delivery date 2025-03-05",
        "line 4": "最後更新時間 (last_updated_at) is more than a year after the delivery date 2025-03-05",
    }


def test_api_and_database_dates_are_bounded_by_the_load_day(landing_dir):
    import s1_data

    (landing_dir / "hr").mkdir()
    page = json.loads((SAMPLES / "hr_monthly.json").read_text(encoding="utf-8"))
    page["items"][0]["yearMonth"] = "20001"
    page["next"] = None
    (landing_dir / "hr" / "monthly.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    hr = engine.load("hr")
    assert hr.rows_rejected == 1
    today = datetime.now(config.TIMEZONE).date().isoformat()
    assert rejected("hr") == {"item 1": f"yearMonth (year_month) 2111-01-01 is more than a year after the "
                                        f"delivery date {today}"}

    (landing_dir / "documents").mkdir()
    s1_data.write(landing_dir / "documents" / "doc_stats.sqlite",
                  [("2111-01-01", "KL0100", 1, 1, 1, 1, 1, 0.5, "2025-03-04 01:00:00")])
    documents = engine.load("documents")
    assert documents.rows_rejected == 1
    assert list(rejected("documents").values()) == [
        f"stat_date 2111-01-01 is more than a year after the delivery date {today}"]


# -- SQL sources: deadlines and a configured database that cannot be opened --------------------------
def test_a_sqlite_query_that_never_ends_is_stopped_at_the_deadline(landing_dir, tmp_path, monkeypatch):
    path = tmp_path / "endless.sqlite"
    with sqlite3.connect(path) as db:
        # a table that never yields its first row
        db.execute("""create view doc_daily_stats as
            with recursive r(n) as (select 1 union all select n + 1 from r)
            select '2025-03-03' as stat_date, 'KL0100' as unit_code, '' as unit_name, 1 as recv_total,
                   1 as recv_electronic, 1 as sent_total, 1 as sent_electronic, 1 as closed_count,
                   0.5 as closed_days_sum, '2025-03-04 01:00:00' as updated_at
            from r where n < 0""")
    monkeypatch.setenv("KPI_DOCUMENTS_DEADLINE", "1")
    started = time.monotonic()
    result = within(30, lambda: engine.load("documents", f"sqlite:///{path}", force=True))
    assert time.monotonic() - started < 10
    assert result.objects_failed == 1
    assert "did not finish within the deadline of 1 s (deadline / KPI_DOCUMENTS_DEADLINE)" in result.failures[0][1]


def test_a_postgresql_statement_is_stopped_at_the_deadline(landing_dir, monkeypatch):
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("""create or replace view public.doc_daily_stats as
            select date '2025-03-03' as stat_date, 'KL0100' as unit_code, '' as unit_name, 1 as recv_total,
                   1 as recv_electronic, 1 as sent_total, 1 as sent_electronic, 1 as closed_count,
                   0.5 as closed_days_sum, timestamp '2025-03-04 01:00' as updated_at
            from pg_sleep(20)""")
    url = connections.sqlalchemy_url(connections.warehouse_params())
    monkeypatch.setenv("KPI_DOCUMENTS_DEADLINE", "1")
    started = time.monotonic()
    result = within(60, lambda: engine.load("documents", url, force=True))
    assert time.monotonic() - started < 10
    assert result.objects_failed == 1 and "deadline of 1 s" in result.failures[0][1]


def test_a_refused_connection_fails_the_load(landing_dir, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]      # nothing listens there once closed
    monkeypatch.setenv("KPI_DOCUMENTS_URL", f"postgresql+psycopg://kpi:secret@127.0.0.1:{port}/s1")
    with pytest.raises(pipeline.LoadFailed) as info:
        pipeline.load_source("documents")
    assert f"127.0.0.1:{port}" in str(info.value) and "secret" not in str(info.value)
    assert [s for _, s, _ in ledger("documents")][-1] == "failed"


# -- settings --------------------------------------------------------------------------------------
def test_limits_come_from_sources_yml_unless_the_environment_overrides(monkeypatch):
    hr = load_sources()["hr"]
    assert (hr.limit("timeout"), hr.limit("page_deadline"), hr.limit("deadline")) == (30, 120, 1800)
    monkeypatch.setenv("KPI_HR_DEADLINE", "600")
    assert hr.limit("deadline") == 600
    monkeypatch.setenv("KPI_HR_DEADLINE", "ten minutes")
    with pytest.raises(SpecError, match="KPI_HR_DEADLINE must be a number of seconds"):
        hr.limit("deadline")
    monkeypatch.setenv("KPI_HR_DEADLINE", "0")
    with pytest.raises(SpecError, match="deadline must be more than 0"):
        hr.limit("deadline")

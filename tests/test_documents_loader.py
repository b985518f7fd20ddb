"""S1 (a sql source) through the load engine against the real embedded PostgreSQL: COPY, versions,
set-aside rows, reruns, failures."""
from __future__ import annotations

import pandas as pd
import pytest
import s1_data

from kpi import config, pipeline, warehouse
from kpi.loaders import engine
from kpi.loaders.spec import load_sources
from kpi.loaders.typed_rows import type_chunk

GOOD = [
    ("2025-03-03", "KL0100", 88, 48, 50, 42, 81, 191.5, "2025-03-04 01:00:00"),
    ("2025-03-03", "KL0300", 96, 55, 37, 32, 89, 175.0, "2025-03-04 01:00:00"),
    ("2025-03-04", "KL0100", 111, 62, 47, 39, 101, 208.0, "2025-03-05 01:00:00"),
]
BAD = [
    ("2025-03-04", "KL0300", 10, 11, 5, 5, 9, 9.0, "2025-03-05 01:00:00"),   # recv_electronic > recv_total
    ("2025-03-04", "KL1200", 10, 5, -1, 0, 9, 9.0, "2025-03-05 01:00:00"),   # negative sent_total
    ("2025-02-30", "KL1200", 10, 5, 5, 0, 9, 9.0, "2025-03-05 01:00:00"),    # impossible date
    ("2025-03-05", "KL1200", 10, 5, 5, 0, 9, -0.5, "2025-03-06 01:00:00"),   # negative days
]


def _raw_rows():
    with warehouse.connect() as conn:
        return conn.execute(
            "select stat_date::text, unit_code, recv_electronic, updated_at from raw.documents__doc_daily_stats "
            "order by 1, 2, 4").fetchall()


def _rejected():
    with warehouse.connect() as conn:
        return conn.execute("select record_ref, reason from raw.rejected_rows where source = 'documents' "
                            "order by record_ref").fetchall()


def test_bad_rows_set_aside_with_reason_good_rows_load(warehouse_db, tmp_path):
    url = s1_data.write(tmp_path / "docs.sqlite", GOOD + BAD)
    result = engine.load("documents", url)
    assert (result.objects_loaded, result.rows_read, result.rows_loaded, result.rows_rejected) == (1, 7, 3, 4)
    assert [r[:2] for r in _raw_rows()] == [
        ("2025-03-03", "KL0100"), ("2025-03-03", "KL0300"), ("2025-03-04", "KL0100")]
    reasons = dict(_rejected())
    assert reasons["2025-03-04|KL0300|2025-03-05 01:00:00"] == "recv_electronic 11 exceeds recv_total 10"
    assert reasons["2025-03-04|KL1200|2025-03-05 01:00:00"] == "sent_total is negative: -1"
    assert reasons["2025-02-30|KL1200|2025-03-05 01:00:00"].startswith("stat_date: not a date")
    assert reasons["2025-03-05|KL1200|2025-03-06 01:00:00"] == "closed_days_sum is negative: -0.5"
    with warehouse.connect() as conn:
        ledger = conn.execute("select status, rows_read, rows_loaded, rows_rejected, watermark from raw.load_ledger "
                              "where source = 'documents' order by load_id desc limit 1").fetchone()
    assert ledger == ("loaded", 7, 3, 4, "2025-03-06 01:00:00")


def test_rerun_changes_nothing(warehouse_db, tmp_path):
    url = s1_data.write(tmp_path / "docs.sqlite", GOOD + BAD)
    before_raw, before_rej = _raw_rows(), _rejected()
    result = engine.load("documents", url)
    assert result.rows_loaded == 0
    assert _raw_rows() == before_raw
    assert _rejected() == before_rej


def test_revised_row_is_a_new_version(warehouse_db, tmp_path):
    revised = [("2025-03-04", "KL0100", 111, 70, 47, 39, 101, 208.0, "2025-03-06 09:30:00")]
    url = s1_data.write(tmp_path / "docs.sqlite", GOOD[:2] + revised)
    result = engine.load("documents", url)
    assert result.rows_loaded == 1
    versions = [r for r in _raw_rows() if r[:2] == ("2025-03-04", "KL0100")]
    assert [v[2] for v in versions] == [62, 70]


def test_only_rows_inside_the_lookback_window_are_read_again(warehouse_db, tmp_path):
    old = [("2025-01-02", "KL0100", 1, 1, 1, 1, 1, 0.5, "2025-01-03 01:00:00")]
    url = s1_data.write(tmp_path / "docs.sqlite", old + GOOD)
    result = engine.load("documents", url)
    # watermark 2025-03-06 09:30 minus 7 days: only the March rows are read
    assert result.rows_read == 3


def test_unreadable_database_is_recorded_as_failed(warehouse_db, tmp_path):
    broken = tmp_path / "broken.sqlite"
    broken.write_text("this is not a database")
    result = engine.load("documents", f"sqlite:///{broken}")
    assert result.objects_failed == 1
    _obj, error = result.failures[0]
    assert "file is not a database" in error and str(broken) in error
    with warehouse.connect() as conn:
        status, error = conn.execute(
            "select status, error from raw.load_ledger order by load_id desc limit 1").fetchone()
    assert status == "failed" and "broken.sqlite" in error
    assert broken.read_text() == "this is not a database"


def test_missing_database_at_the_default_place_means_not_delivered_yet(warehouse_db, tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path))
    (tmp_path / "documents").mkdir()
    result = engine.load("documents")
    assert result.not_delivered and result.objects_failed == 0
    assert not (tmp_path / "documents" / "doc_stats.sqlite").exists()  # reading never creates landing files


def test_missing_database_at_a_configured_url_fails_the_load(warehouse_db, tmp_path, monkeypatch):
    absent = tmp_path / "absent.sqlite"
    monkeypatch.setenv("KPI_DOCUMENTS_URL", f"sqlite:///{absent}")
    with pytest.raises(pipeline.LoadFailed) as info:
        pipeline.load_source("documents")
    assert str(absent) in str(info.value) and "KPI_DOCUMENTS_URL names it" in str(info.value)
    with warehouse.connect() as conn:
        status, error = conn.execute(
            "select status, error from raw.load_ledger order by load_id desc limit 1").fetchone()
    assert status == "failed" and f"the SQLite database sqlite:///{absent} does not exist" in error
    assert not absent.exists()


@pytest.mark.parametrize("change, reason", [
    ({"recv_total": "1.5"}, "recv_total: not a whole number: '1.5'"),
    ({"closed_count": ""}, "closed_count is empty"),
    ({"unit_code": " "}, "unit_code is empty"),
    ({"updated_at": "yesterday"}, "updated_at: not a datetime: 'yesterday'"),
])
def test_each_declared_constraint_names_the_column(change, reason):
    source = load_sources()["documents"]
    values = ("2025-03-03", "KL0100", "民政處", "1", "1", "1", "1", "1", "0.5", "2025-03-04 01:00:00")
    row = dict(zip(source.header, values))
    row.update(change)
    _, reasons = type_chunk(source, pd.DataFrame([row], index=[7]), config.pii_key())
    assert reasons[7] == reason

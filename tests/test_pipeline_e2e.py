"""The whole nightly pipeline as a user runs it: `kpi demo-data`, then `kpi run` executes the real
DAG through Airflow against the embedded warehouse."""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import run_kpi
from kpi import config, warehouse
from pii import personal_data

AS_OF = date(2025, 3, 5)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_landing(warehouse_db):
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr
    landing = config.landing_dir()
    assert (landing / "documents" / "doc_stats.sqlite").exists()
    return landing


@pytest.fixture(scope="module")
def first_run(demo_landing):
    res = run_kpi("run", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return res


def _fetch(sql, *params):
    with warehouse.connect() as conn:
        return conn.execute(sql, params).fetchall()


def test_run_prints_the_status_table_and_load_summary(first_run):
    out = first_run.stdout
    assert "基準日 114/03/05（2025-03-05）" in out
    assert "K9.1" in out and "K7.1" in out
    for source in ("documents", "petitions", "budget", "register", "hr", "calendar"):
        assert source in out
    assert "讀取" in out
    assert "[" in first_run.stderr and "publish ok" in first_run.stderr  # task progress


def test_k91_matches_an_independent_count_from_the_landing_file(first_run, demo_landing):
    db = sqlite3.connect(demo_landing / "documents" / "doc_stats.sqlite")
    rows = db.execute("select recv_total, recv_electronic, sent_total, sent_electronic, closed_count, "
                      "closed_days_sum from doc_daily_stats where stat_date between '2025-01-01' and ?",
                      (AS_OF.isoformat(),)).fetchall()
    good = [r for r in rows if 0 <= r[1] <= r[0] and 0 <= r[3] <= r[2] and r[4] >= 0 and r[5] >= 0]
    electronic = sum(r[1] + r[3] for r in good)
    mean_days = sum(r[5] for r in good) / sum(r[4] for r in good)
    (k91,), (k71,) = (_fetch("select actual_value from marts.fct_kpi_status where as_of_date = %s and kpi_code = %s "
                             "and year = 2025 and org_unit_code = 'ALL'", AS_OF, code) for code in ("K9.1", "K7.1"))
    assert k91[0] == electronic
    assert float(k71[0]) == pytest.approx(mean_days, rel=1e-9)


def test_all_26_indicators_have_a_status_with_a_reason(first_run):
    rows = _fetch("select kpi_code, status, status_reason from marts.fct_kpi_status where as_of_date = %s "
                  "and year = 2025 and org_unit_code = 'ALL'", AS_OF)
    assert len(rows) == 26
    assert all(reason for _, _, reason in rows)
    by_code = {code: status for code, status, _ in rows}
    assert by_code["K9.1"] in ("behind", "at_risk", "on_track", "achieved")
    assert by_code["K7.1"] in ("behind", "at_risk", "on_track")


def test_flags_become_alerts_and_the_status_is_published(first_run):
    flagged = _fetch("select count(*) from marts.fct_kpi_status where as_of_date = %s and "
                     "status in ('behind', 'missed', 'at_risk') and year in (2024, 2025)", AS_OF)[0][0]
    alerts = _fetch("select severity, count(*) from marts.kpi_alerts where as_of_date = %s group by 1", AS_OF)
    alerts = dict(alerts)
    assert alerts.get("red", 0) + alerts.get("yellow", 0) == flagged
    published = config.reports_dir() / AS_OF.isoformat() / "kpi_status.json"
    assert len(json.loads(published.read_text())) == 26


def test_bi_reader_reads_marts_only(first_run):
    with warehouse.connect() as conn:
        conn.execute("set role bi_reader")
        assert conn.execute("select count(*) from marts.fct_kpi_status").fetchone()[0] > 0
        conn.execute("select count(*) from marts.kpi_alerts")
    with warehouse.connect() as conn:
        conn.execute("set role bi_reader")
        with pytest.raises(Exception, match="permission denied"):
            conn.execute("select count(*) from raw.documents__doc_daily_stats")


def test_rerun_of_the_same_date_replaces_it(first_run):
    before = _fetch("select count(*) from marts.fct_kpi_status where as_of_date = %s", AS_OF)[0][0]
    alerts_before = _fetch("select count(*) from marts.kpi_alerts where as_of_date = %s", AS_OF)[0][0]
    raw_before = _fetch("select count(*) from raw.documents__doc_daily_stats")[0][0]
    res = run_kpi("run", "--as-of", AS_OF.isoformat())
    assert res.returncode == 0, res.stderr[-3000:]
    assert _fetch("select count(*) from marts.fct_kpi_status where as_of_date = %s", AS_OF)[0][0] == before
    assert _fetch("select count(*) from marts.kpi_alerts where as_of_date = %s", AS_OF)[0][0] == alerts_before
    assert _fetch("select count(*) from raw.documents__doc_daily_stats")[0][0] == raw_before


def test_status_command_reads_the_warehouse(first_run):
    res = run_kpi("status", "--as-of", AS_OF.isoformat(), "--json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["kpi_code"] for r in rows} >= {"K9.1", "K7.1"} and len(rows) == 26
    assert rows[0]["status"] in ("behind", "missed", "at_risk")  # flags first


def test_no_personal_data_in_logs_or_published_files(first_run, demo_landing):
    pii = personal_data(demo_landing)
    assert len(pii) > 100
    from kpi import airflow_env

    texts = [p for folder in (airflow_env.airflow_home() / "logs", airflow_env.airflow_home() / "runs",
                              config.reports_dir()) for p in folder.rglob("*") if p.is_file()]
    assert texts
    blob = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in texts)
    assert "set aside" in blob  # the logs do describe the rejected rows...
    assert not [v for v in pii if v in blob]  # ...without the petitioners' data


def test_a_failing_task_fails_the_run_with_a_clear_message(first_run, tmp_path):
    broken = tmp_path / "doc_stats.sqlite"
    broken.write_bytes(b"not a database")
    res = run_kpi("run", "--as-of", AS_OF.isoformat(), env={"KPI_DOCUMENTS_URL": f"sqlite:///{broken}"})
    assert res.returncode != 0
    assert "load_documents" in res.stderr and "failed" in res.stderr
    # the other sources still loaded and the KPIs were still computed and published that night
    assert "check_loads" in res.stderr
    failures = _fetch("select error from raw.load_ledger where status = 'failed' order by load_id desc limit 1")
    assert "file is not a database" in failures[0][0]

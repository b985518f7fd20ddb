"""The whole nightly pipeline as a user runs it: `kpi demo-data`, then `kpi run` executes the real
DAG through Airflow against the embedded warehouse."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import run_kpi
from pii import personal_data

from kpi import config, declarations, warehouse

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
    # task progress (not a TTY: a line per 10% of the tasks), every dbt node done at the end
    done = re.search(r"kpi_nightly\s+100% \((\d+)/\1\)  dbt (\d+)/\2\b", first_run.stderr)
    assert done and int(done.group(2)) > 15, first_run.stderr[-2000:]


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


def test_every_indicator_has_a_status_with_a_reason(first_run):
    rows = _fetch("select kpi_code, status, status_reason from marts.fct_kpi_status where as_of_date = %s "
                  "and year = 2025 and org_unit_code = 'ALL'", AS_OF)
    assert sorted(code for code, _, _ in rows) == sorted(declarations.kpi_codes())
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
    assert len(json.loads(published.read_text())) == len(declarations.kpi_codes())


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
    assert sorted(r["kpi_code"] for r in rows) == sorted(declarations.kpi_codes())
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


def test_no_warehouse_password_in_logs_or_what_airflow_stores(first_run):
    """The superuser's password reaches the dbt tasks as the connection kpi_warehouse at run time:
    it is in no log, no serialized DAG and no rendered task field of Airflow's metadata."""
    from kpi import airflow_env

    password = config.embedded_password()
    files = [p for folder in (airflow_env.airflow_home() / "logs", airflow_env.airflow_home() / "runs",
                              config.reports_dir()) for p in folder.rglob("*") if p.is_file()]
    assert not [p for p in files if password in p.read_text(encoding="utf-8", errors="replace")]
    query = "select count({0}), count(*) filter (where {0}::text like %s) from {1}"
    with warehouse.connect(dbname=config.AIRFLOW_DB) as conn:
        stored = {table: conn.execute(query.format(column, table), (f"%{password}%",)).fetchone()
                  for table, column in (("serialized_dag", "data"),
                                        ("rendered_task_instance_fields", "rendered_fields"))}
    assert stored["serialized_dag"][0] > 0 and stored["rendered_task_instance_fields"][0] > 0, stored
    assert {table: hits for table, (_, hits) in stored.items()} == {"serialized_dag": 0,
                                                                    "rendered_task_instance_fields": 0}


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


ROC = 1911


# --- indicators recomputed in plain Python from the landing files, independently of loaders and dbt

@pytest.fixture(scope="module")
def warehouse_status(first_run):
    with warehouse.connect() as conn:
        rows = conn.execute("select kpi_code, year, org_unit_code, actual_value, numerator, denominator, status "
                            "from marts.fct_kpi_status where as_of_date = %s", (AS_OF,)).fetchall()
    return {(r[0], r[1], r[2]): r[3:] for r in rows}


def _roc_dt(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    d, _, t = text.partition(" ")
    y, m, dd = (int(x) for x in d.split("/"))
    parts = [int(x) for x in t.split(":")] if t else [0, 0]
    return datetime(y + ROC, m, dd, parts[0], parts[1], parts[2] if len(parts) > 2 else 0)


def _read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp950")
    return list(csv.DictReader(io.StringIO(text)))


def _working_days(landing: Path) -> dict[date, bool]:
    days = {}
    for path in sorted((landing / "calendar").glob("calendar_*.csv")):
        for row in _read_csv(path):
            d = datetime.strptime(row["西元日期"], "%Y%m%d").date()
            days[d] = row["是否放假"] == "0"
    return days


def _is_working(d: date, days: dict) -> bool:
    if any(k.year == d.year for k in days):
        return days.get(d, False)
    return d.weekday() < 5


def _sixth_working_day_after(d: date, days: dict) -> date:
    n, cur = 0, d
    while n < 6:
        cur += timedelta(days=1)
        n += _is_working(cur, days)
    return cur


def test_k72_closure_rate_2024(warehouse_status):
    landing = config.landing_dir()
    end_of_d = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 23, 59, 59)
    latest: dict[str, tuple] = {}
    for path in sorted((landing / "petitions").glob("petitions_*.csv")):
        for row in _read_csv(path):
            try:
                updated, received = _roc_dt(row["最後更新時間"]), _roc_dt(row["受理日期"])
                closed = _roc_dt(row["結案日期"])
                due = _roc_dt(row["限辦日期"])
            except ValueError:
                continue  # a bad row: the pipeline sets it aside too
            if row["處理狀態"] not in ("處理中", "已結案", "已撤案") or updated > end_of_d:
                continue
            key = row["案件編號"]
            if key not in latest or updated >= latest[key][0]:
                latest[key] = (updated, received, closed, due, row["處理狀態"], row["來源管道"])
    days = _working_days(landing)
    e = date(2024, 12, 31)
    closed_n = due_open = 0
    for _updated, received, closed, due, status, channel in latest.values():
        if received.year != 2024 or status == "已撤案":
            continue
        if status == "已結案" and closed and closed.date() <= e:
            closed_n += 1
            continue
        due_date = due.date() if due else (
            _sixth_working_day_after(received.date(), days) if channel == "1999市民熱線"
            else received.date() + timedelta(days=30))
        due_open += due_date <= e
    _actual, numerator, denominator, _ = warehouse_status[("K7.2", 2024, "ALL")]
    assert (numerator, denominator) == (closed_n, closed_n + due_open)


def test_k51_budget_execution_2024_from_the_december_workbook(warehouse_status):
    book = openpyxl.load_workbook(config.landing_dir() / "budget" / "budget_11312.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = [str(c) for c in rows[2]]

    def amount(v):
        return 0.0 if v in (None, "-", "") else float(str(v).replace(",", ""))

    num = den = 0.0
    for r in rows[3:]:
        rec = dict(zip(header, r))
        if str(rec["年度"]).strip() == "合計" or str(r[0]).strip() == "合計" or rec["列管基本設施"] != "是":
            continue
        num += amount(rec["累計實支數"]) + amount(rec["累計應付未付數"]) + amount(rec["累計節餘數"])
        den += amount(rec["累計分配數"])
    actual = warehouse_status[("K5.1", 2024, "ALL")][0]
    assert float(actual) == pytest.approx(num / den, rel=1e-9)


def test_c31_learning_completion_in_the_latest_month(warehouse_status):
    landing = config.landing_dir()
    items, url = [], (landing / "hr" / "monthly.json").as_uri()
    while url:
        path = Path(url.removeprefix("file://"))
        page = json.loads(path.read_text(encoding="utf-8"))
        items += page["items"]
        nxt = page.get("next")
        url = nxt if not nxt or nxt.startswith("file://") else (path.parent / nxt).as_uri()
    months = {i["yearMonth"] for i in items if int(i["yearMonth"]) <= (AS_OF.year - ROC) * 100 + AS_OF.month
              and int(i["yearMonth"]) // 100 + ROC == AS_OF.year}
    latest = max(months)
    month_items = {i["unitCode"]: i for i in items if i["yearMonth"] == latest}  # a later item wins
    items_now = month_items.values()
    rate = sum(i["learningCompleted"] for i in items_now) / sum(i["civilServants"] for i in items_now)
    assert float(warehouse_status[("C3.1", 2025, "ALL")][0]) == pytest.approx(rate, rel=1e-9)


def test_register_count_2024(warehouse_status):
    rows = _read_csv(config.landing_dir() / "register" / "kpi_register.csv")
    half = str.maketrans("０１２３４５６７８９／：", "0123456789/:")
    distinct = set()
    for r in rows:
        norm = tuple((v or "").strip().translate(half) for k, v in r.items() if k != "填報人")
        if norm[0] != "K6.2":
            continue
        try:
            y, m, d = (int(x) for x in norm[1].split("/"))
            when = date(y + ROC, m, d)
        except ValueError:
            continue
        if when.year == 2024:
            distinct.add(norm)
    assert warehouse_status[("K6.2", 2024, "ALL")][0] == len(distinct)


# --- last: this test changes the landing directory ------------------------------------------------

def test_an_old_date_run_after_newer_data_gives_the_same_rows(first_run, demo_landing):
    columns = ("kpi_code, year, org_unit_code, actual_value, target_value, target_basis, expected_to_date, "
               "status, status_reason, source_fresh, numerator, denominator")
    query = f"select {columns} from marts.fct_kpi_status where as_of_date = %s order by kpi_code, year, org_unit_code"
    before = _fetch(query, AS_OF)
    # later deliveries: S1 revises a day before d after d's night; a petitions export of 03-11 moves a case on
    db = sqlite3.connect(demo_landing / "documents" / "doc_stats.sqlite")
    db.execute("update doc_daily_stats set recv_electronic = recv_electronic - 1, updated_at = '2025-03-11 09:00:00' "
               "where rowid = (select min(rowid) from doc_daily_stats where stat_date = '2025-03-04' "
               "and recv_electronic > 0)")
    db.commit()
    db.close()
    source = demo_landing / "petitions" / "petitions_20250304.csv"
    raw = source.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "cp950"
    header, first = list(csv.reader(io.StringIO(raw.decode(encoding))))[:2]
    revised = dict(zip(header, first))
    revised.update({"處理狀態": "已結案", "結案日期": "114/03/11 10:00", "最後更新時間": "114/03/11 10:00:00"})
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, [revised[h] for h in header]])
    (demo_landing / "petitions" / "petitions_20250311.csv").write_bytes(out.getvalue().encode("cp950"))

    for as_of in ("2025-03-10", AS_OF.isoformat()):
        res = run_kpi("run", "--as-of", as_of)
        assert res.returncode == 0, res.stderr[-3000:]
    assert _fetch("select count(*) from raw.petitions__case_versions "
                  "where _object = 'petitions/petitions_20250311.csv'")[0][0] == 1
    assert _fetch(query, AS_OF) == before

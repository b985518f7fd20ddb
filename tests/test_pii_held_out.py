"""Held-out check: the demo landing directory plus rows broken the ways that used to leak personal data
(a petitions row with a field too many or too few, a phone typed into a date column, an e-mail in
the status column, an address in a date, a register row with an extra field, a file whose line
breaks were lost), run through the real DAG with `kpi run`. Then every name, phone, e-mail,
address and street of the landing files is searched in a data-only dump of the warehouse and of
Airflow's metadata database, in every Airflow log and in every published file."""
from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest
from conftest import run_kpi
from pii import found_in, personal_data, street_parts

from kpi import airflow_env, config, warehouse

pytestmark = pytest.mark.slow
AS_OF = date(2025, 3, 6)
HEADER = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,結案日期,"
          "陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間")
# (row, the reason it must get)
PETITIONS = [
    ("KL114030500901,臨櫃,道路維修,路面坑洞,114/03/05 09:00,KL0300,綜合發展處,,處理中,,林,美華,0922333444,"
     "lin.meihua@example.tw,基隆市信義區信二路88號,114/03/05 10:00", "expected 15 fields, found 16"),
    ("KL114030500902,臨櫃,道路維修,路面坑洞,114/03/05 09:00,KL0300,綜合發展處,處理中,,張淑芬,0933555777,"
     "chang.shufen@example.tw,基隆市七堵區明德一路12號,114/03/05 10:00", "expected 15 fields, found 14"),
    ("KL114030500903,臨櫃,道路維修,路面坑洞,0944666888,KL0300,綜合發展處,,處理中,,陳志豪,0944666888,"
     "chen.chihhao@example.tw,基隆市暖暖區暖暖街3號,114/03/05 10:00", "受理日期 (received_at): not a datetime"),
    ("KL114030500904,臨櫃,道路維修,路面坑洞,114/03/05 09:00,KL0300,綜合發展處,,wu.yating@example.tw,,吳雅婷,"
     "0955777999,wu.yating@example.tw,基隆市安樂區安一路7號,114/03/05 10:00",
     "處理狀態 (status): not one of 處理中/已結案/已撤案"),
    ("KL114030500905,臨櫃,道路維修,路面坑洞,114/03/05 09:00,KL0300,綜合發展處,,已結案,基隆市中山區中和路21號,"
     "鄭文傑,0966888000,cheng.wj@example.tw,基隆市中山區中和路21號,114/03/05 10:00",
     "結案日期 (closed_at): not a datetime"),
]
PLANTED = ["美華", "林,美華", "0922333444", "lin.meihua@example.tw", "基隆市信義區信二路88號",
           "張淑芬", "0933555777", "chang.shufen@example.tw", "基隆市七堵區明德一路12號",
           "陳志豪", "0944666888", "chen.chihhao@example.tw", "基隆市暖暖區暖暖街3號",
           "吳雅婷", "0955777999", "wu.yating@example.tw", "基隆市安樂區安一路7號",
           "鄭文傑", "0966888000", "cheng.wj@example.tw", "基隆市中山區中和路21號",
           "蔡明道"]
LOST_BREAKS = "petitions/petitions_20250305_resent.csv"


def _lost_breaks_rows() -> tuple[str, list[str]]:
    """A re-sent export whose line breaks were lost: its header, then every row on one line."""
    rows, values = [], []
    for i in range(10_000):
        name, phone, mail = f"葉佳{i:04d}", f"0977{i:06d}", f"yeh{i:04d}@example.tw"
        address = f"基隆市仁愛區愛{i % 9 + 1}路{i}號"
        rows.append(f"KL11403050{i:04d},臨櫃,道路維修,路面坑洞,114/03/05 09:00,KL0300,綜合發展處,,處理中,,"
                    f"{name},{phone},{mail},{address},114/03/05 10:00")
        values += [name, phone, mail, address]
    return HEADER + "\r\n" + "".join(rows) + "\r\n", values


@pytest.fixture(scope="module")
def night(warehouse_db, tmp_path_factory, monkeypatch_module):
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    res = run_kpi("demo-data", "--until", "2025-03-10", "--scale", "0.05")
    assert res.returncode == 0, res.stderr
    personal = personal_data(landing)
    assert len(personal) > 100
    day = landing / "petitions" / "petitions_20250305.csv"
    raw = day.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "cp950"
    text = raw.decode(encoding).rstrip("\r\n")
    first_planted = text.count("\n") + 2
    day.write_bytes((text + "\r\n" + "".join(row + "\r\n" for row, _ in PETITIONS)).encode(encoding))
    register = landing / "register" / "kpi_register.csv"
    text = register.read_text(encoding="utf-8-sig").rstrip("\r\n")
    # an empty field too many before the clerk's name (填報人, personal data)
    register.write_text(text + "\r\nK6.2,114/03/04,綜合發展處,補登,1,,,,,蔡明道,114/03/05 09:00\r\n",
                        encoding="utf-8-sig")
    lost, lost_values = _lost_breaks_rows()
    (landing / LOST_BREAKS).write_bytes(lost.encode("cp950"))
    values = personal | set(PLANTED) | set(lost_values)
    values |= street_parts(values)

    run = run_kpi("run", "--as-of", AS_OF.isoformat())
    return landing, run, values, first_planted


def test_the_night_ends_red_only_for_the_file_that_lost_its_line_breaks(night):
    _, run, _, _ = night
    assert run.returncode != 0
    assert "check_loads" in run.stderr
    failed = _fetch("select object_name, error from raw.load_ledger where status = 'failed'")
    assert failed == [(LOST_BREAKS, f"{LOST_BREAKS}: line 2 of {LOST_BREAKS.split('/')[1]} is longer than 1 MB "
                                    "(its line breaks may be missing)")]
    assert (config.published_dir(AS_OF) / "kpi_status.json").exists()
    assert "longer than 1 MB" in (airflow_env.airflow_home() / "runs" / f"{AS_OF}.log").read_text(encoding="utf-8")


def test_the_report_lists_the_failed_file_with_its_reason(night):
    html = (config.published_dir(AS_OF) / "report.html").read_text(encoding="utf-8")
    failures = html.split('<table class="failures">', 1)[1].split("</table>", 1)[0]
    assert LOST_BREAKS in failures and "line 2 of petitions_20250305_resent.csv is longer than 1 MB" in failures


def test_planted_rows_are_set_aside_with_reasons_that_name_no_value(night):
    _, _, _, first = night
    rows = _fetch("select line, reason, row_data from raw.rejected_rows "
                  "where object_name = 'petitions/petitions_20250305.csv' and line >= %s order by line", first)
    assert [(line, reason) for line, reason, _ in rows] == [
        (first + i, reason) for i, (_, reason) in enumerate(PETITIONS)]
    assert [row for _, _, row in rows[:2]] == [None, None]
    register = _fetch("select reason, row_data from raw.rejected_rows where source = 'register' "
                      "and reason like 'expected%%'")
    assert register == [("expected 10 fields, found 11", None)]


def test_no_personal_data_in_the_warehouse_logs_or_published_files(night):
    _, _, values, _ = night
    dumps = []
    for db in (None, config.AIRFLOW_DB):
        with warehouse.connect(dbname=db) as conn:      # how the project logs in, password included
            info = conn.info
            host, port, user, name, password = info.host, info.port, info.user, info.dbname, info.password
        res = subprocess.run([str(warehouse._bin("pg_dump")), "--data-only", "-h", host, "-p", str(port), "-U", user,
                              name], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PGPASSWORD": password or ""})
        assert res.returncode == 0, res.stderr
        dumps.append(res.stdout)
    assert "rejected_rows" in dumps[0]
    files = [p for folder in (airflow_env.airflow_home() / "logs", airflow_env.airflow_home() / "runs",
                              config.reports_dir()) for p in folder.rglob("*") if p.is_file()]
    logs = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    assert "set aside" in logs       # the logs do tell what happened
    assert sorted(found_in(values, dumps[0])) == []
    assert sorted(found_in(values, dumps[1])) == []
    assert sorted(found_in(values, logs)) == []


def _fetch(query, *params):
    with warehouse.connect() as conn:
        return conn.execute(query, params).fetchall()

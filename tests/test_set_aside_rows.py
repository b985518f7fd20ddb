"""What a set-aside row keeps and what its reason says: a row of the wrong width keeps nothing but its
line, field count and reason; no reason and no set-aside copy holds a value of a source that has
personal data where the value is out of place (a phone typed into a date column); a source without
personal data quotes the bad value, which helps whoever fixes it."""
from __future__ import annotations

import json
import logging

import pytest

from kpi import warehouse
from kpi.loaders import engine

HEADER = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,結案日期,"
          "陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間")
GOOD = ("KL114030200001,臨櫃,道路維修,路面坑洞,114/03/02 09:00,KL0300,綜合發展處,,處理中,,王大明,0911000111,"
        "wang@example.tw,基隆市中正區義一路5號,114/03/02 10:00")
PLANTED = {
    # line: (row, reason it must get)
    3: ("KL114030200002,臨櫃,道路維修,路面坑洞,114/03/02 09:00,KL0300,綜合發展處,,處理中,,林,美華,0922333444,"
        "lin.mh@example.tw,基隆市信義區信二路88號,114/03/02 10:00", "expected 15 fields, found 16"),
    4: ("KL114030200003,臨櫃,道路維修,路面坑洞,114/03/02 09:00,KL0300,綜合發展處,處理中,,張淑芬,0933555777,"
        "chang.sf@example.tw,基隆市七堵區明德一路12號,114/03/02 10:00", "expected 15 fields, found 14"),
    5: ("KL114030200004,臨櫃,道路維修,路面坑洞,0944666888,KL0300,綜合發展處,,處理中,,陳志豪,0944666888,"
        "chen.ch@example.tw,基隆市暖暖區暖暖街3號,114/03/02 10:00", "受理日期 (received_at): not a datetime"),
    6: ("KL114030200005,臨櫃,道路維修,路面坑洞,114/03/02 09:00,KL0300,綜合發展處,,wu.yt@example.tw,,吳雅婷,"
        "0955777999,wu.yt@example.tw,基隆市安樂區安一路7號,114/03/02 10:00",
        "處理狀態 (status): not one of 處理中/已結案/已撤案"),
}
PERSONAL = ["林", "美華", "0922333444", "lin.mh@example.tw", "基隆市信義區信二路88號", "信二路88號",
            "張淑芬", "0933555777", "chang.sf@example.tw", "基隆市七堵區明德一路12號", "明德一路12號",
            "陳志豪", "0944666888", "chen.ch@example.tw", "基隆市暖暖區暖暖街3號", "暖暖街3號",
            "吳雅婷", "0955777999", "wu.yt@example.tw", "基隆市安樂區安一路7號", "安一路7號",
            "王大明", "0911000111", "wang@example.tw", "義一路5號"]


@pytest.fixture(scope="module")
def loaded(warehouse_db, tmp_path_factory, monkeypatch_module):
    landing = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(landing))
    (landing / "petitions").mkdir()
    rows = [HEADER, GOOD] + [PLANTED[line][0] for line in sorted(PLANTED)]
    (landing / "petitions" / "petitions_20250302.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp950"))
    (landing / "calendar").mkdir()
    (landing / "calendar" / "calendar_2025.csv").write_text(
        "西元日期,星期,是否放假,備註\n20250101,三,2,開國紀念日\n20251301,四,0,\n20250103,五,0,,多\n", encoding="utf-8")
    logs = _Captured()
    logging.getLogger("kpi").addHandler(logs)
    try:
        results = {name: engine.load(name) for name in ("petitions", "calendar")}
    finally:
        logging.getLogger("kpi").removeHandler(logs)
    with warehouse.connect() as conn:
        rejected = conn.execute("select source, line, reason, row_data from raw.rejected_rows order by source, line"
                                ).fetchall()
    return results, rejected, "\n".join(logs.lines)


class _Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_every_planted_row_is_set_aside_with_its_reason(loaded):
    results, rejected, _ = loaded
    assert results["petitions"].rows_loaded == 1 and results["petitions"].rows_rejected == len(PLANTED)
    got = {line: reason for source, line, reason, _ in rejected if source == "petitions"}
    assert got == {line: reason for line, (_, reason) in PLANTED.items()}


def test_a_row_of_the_wrong_width_keeps_nothing_but_line_and_reason(loaded):
    _, rejected, _ = loaded
    shifted = {line: row for source, line, _, row in rejected if source == "petitions" and line in (3, 4)}
    assert shifted == {3: None, 4: None}


def test_a_value_its_column_refuses_is_not_kept_in_a_source_with_personal_data(loaded):
    _, rejected, _ = loaded
    rows = {line: row for source, line, _, row in rejected if source == "petitions"}
    assert rows[5]["受理日期"] is None and rows[6]["處理狀態"] is None
    assert rows[5]["案件編號"] == "KL114030200004" and rows[5]["最後更新時間"] == "114/03/02 10:00"
    assert not {"陳情人姓名", "聯絡電話", "電子郵件", "地址"} & (set(rows[5]) | set(rows[6]))


def test_no_personal_value_in_set_aside_rows_or_the_log(loaded):
    _, rejected, log = loaded
    assert "set aside" in log
    stored = json.dumps([list(r) for r in rejected], ensure_ascii=False, default=str)
    assert [v for v in PERSONAL if v in stored] == []
    assert [v for v in PERSONAL if v in log] == []


def test_a_source_without_personal_data_quotes_the_bad_value(loaded):
    _, rejected, log = loaded
    calendar = {line: (reason, row) for source, line, reason, row in rejected if source == "calendar"}
    assert calendar[3] == ("西元日期 (calendar_date): not a date: '20251301'",
                           {"西元日期": "20251301", "星期": "四", "是否放假": "0", "備註": ""})
    assert calendar[4] == ("expected 4 fields, found 5", None)
    assert "'20251301'" in log

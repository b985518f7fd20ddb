"""The synthetic landing directory: formats byte for byte, manifest counts, determinism, PII scope.

Everything is counted again here from the files themselves, independently of the generator, so a
manifest that drifts from what was written fails.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import openpyxl
import pytest

from kpi.demo import write_landing
from kpi.demo.landing import SOURCES
from kpi.demo.orgs import org_units_csv
from kpi.loaders import source_names

START, UNTIL = date(2025, 10, 1), date(2026, 2, 10)
SCALE = 0.05
PETITION_HEADER = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,"
                   "結案日期,陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間")
REGISTER_HEADER = "指標代碼,辦理日期,辦理單位,辦理事項,數值,分母,有效期限,佐證連結,填報人,填報時間"
BUDGET_HEADER = ("年度,月份,單位代碼,單位名稱,計畫代碼,計畫名稱,經資門別,用途別,列管基本設施,預算數,累計分配數,"
                 "累計實支數,累計應付未付數,累計節餘數,保留數").split(",")
CATALOG = {"K1.1", "K2.1", "K2.2", "K2.3", "K2.4", "K2.5", "K2.6", "K2.7", "K3.1", "K3.2", "K4.1",
           "K5.1", "K5.2", "K5.3", "K5.4", "K6.1", "K6.2", "K6.3", "K6.4", "K7.1", "K7.2", "K8.1",
           "K9.1", "C1.1", "C2.1", "C3.1"}
STATUSES = {"處理中", "已結案", "已撤案"}
DISTRICTS = ("中正區", "七堵區", "暖暖區", "仁愛區", "中山區", "安樂區", "信義區")
_HALF = str.maketrans("０１２３４５６７８９／：", "0123456789/:")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("landing_a")
    calls: list[tuple[str, int, int]] = []
    manifest = write_landing(root, UNTIL, start=START, scale=SCALE,
                             progress=lambda step, done, total: calls.append((step, done, total)))
    manifest["_progress_calls"] = calls
    return root, manifest


def files_of(manifest: dict, source: str) -> list[dict]:
    return manifest["sources"][source]["files"]


def roc_to_datetime(text: str) -> datetime:
    """Strict ROC parser for the tests: `114/3/5`, `114/03/05 14:22`, `114/03/05 14:22:10`."""
    text = text.strip().translate(_HALF)
    m = re.fullmatch(r"(\d{2,3})/(\d{1,2})/(\d{1,2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?", text)
    if not m:
        raise ValueError(text)
    y, mo, d, hh, mm, ss = m.groups()
    return datetime(int(y) + 1911, int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))


def is_valid_roc(text: str) -> bool:
    try:
        roc_to_datetime(text)
        return True
    except ValueError:
        return False


def decode_petitions(raw: bytes) -> str:
    return raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp950")


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def seed_departments() -> dict[str, str]:
    with org_units_csv().open(encoding="utf-8-sig", newline="") as fh:
        return {r["org_unit_code"]: r["org_unit_name_zh"] for r in csv.DictReader(fh)}


# --- manifest and layout ---------------------------------------------------------------------

def test_manifest_file_matches_return_value_and_totals(landing):
    root, manifest = landing
    on_disk = json.loads((root / "_manifest.json").read_text(encoding="utf-8"))
    returned = {k: v for k, v in manifest.items() if k != "_progress_calls"}
    assert on_disk == returned
    # the demo delivers the sources it has a writer for, each a declared one; a declared source
    # without demo data is allowed (the report says 尚無資料)
    assert set(on_disk["sources"]) == set(SOURCES) and set(SOURCES) <= set(source_names())
    for name, source in on_disk["sources"].items():
        assert source["rows"] == sum(f["rows"] for f in source["files"]), name
        assert source["bad_rows"] == sum(len(f["bad"]) for f in source["files"]), name
        for f in source["files"]:
            assert (root / f["path"]).is_file(), f["path"]
    listed = {f["path"] for s in on_disk["sources"].values() for f in s["files"]}
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"_manifest.json"}
    assert listed == written


def test_progress_is_reported_for_every_source(landing):
    _, manifest = landing
    calls = manifest["_progress_calls"]
    assert {c[0] for c in calls} == set(manifest["sources"])
    for step in {c[0] for c in calls}:
        done, total = [c for c in calls if c[0] == step][-1][1:]
        assert done == total > 0, step


def test_until_before_start_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_landing(tmp_path, date(2025, 1, 1), start=date(2025, 2, 1))


# --- S6 calendar --------------------------------------------------------------------------------

def test_calendar_files_per_year_with_their_encodings(landing):
    root, manifest = landing
    assert [f["path"] for f in files_of(manifest, "calendar")] == ["calendar/calendar_2025.csv",
                                                                   "calendar/calendar_2026.csv"]
    utf8 = (root / "calendar/calendar_2025.csv").read_bytes()
    big5 = (root / "calendar/calendar_2026.csv").read_bytes()
    assert utf8.startswith(b"\xef\xbb\xbf")
    assert not big5.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        big5.decode("utf-8")
    for raw, encoding, days in ((utf8, "utf-8-sig", 365), (big5, "cp950", 365)):
        text = raw.decode(encoding)
        assert "\n" not in text.replace("\r\n", "")
        lines = text.split("\r\n")
        assert lines[0] == "西元日期,星期,是否放假,備註"
        assert lines[-1] == "" and len(lines) - 2 == days
    text25 = utf8.decode("utf-8-sig")
    assert "20250101,三,2,開國紀念日\r\n" in text25
    assert "20250208,六,0,補行上班\r\n" in text25        # make-up working Saturday
    assert "20250127,一,2,春節\r\n" in text25
    assert "20250106,一,0,\r\n" in text25
    assert "20260217,二,2,春節\r\n" in big5.decode("cp950")
    assert files_of(manifest, "calendar")[0]["rows"] == 365


# --- S1 documents -------------------------------------------------------------------------------

def test_documents_table_shape_and_constraints(landing):
    root, manifest = landing
    entry = files_of(manifest, "documents")[0]
    con = sqlite3.connect(root / "documents/doc_stats.sqlite")
    cols = [r[1] for r in con.execute("PRAGMA table_info(doc_daily_stats)")]
    assert cols == ["stat_date", "unit_code", "unit_name", "recv_total", "recv_electronic", "sent_total",
                    "sent_electronic", "closed_count", "closed_days_sum", "updated_at"]
    rows = con.execute("SELECT rowid, * FROM doc_daily_stats ORDER BY rowid").fetchall()
    assert len(rows) == entry["rows"] > 0
    # Every row that breaks a constraint is exactly a listed bad row, and vice versa.
    broken = {
        r[0] for r in rows
        if not (0 <= r[5] <= r[4] and 0 <= r[7] <= r[6] and r[4] >= 0 and r[6] >= 0
                and r[8] >= 0 and r[9] >= 0)
    }
    assert broken == {b["line"] for b in entry["bad"]}
    assert len(broken) >= 1
    departments = seed_departments()
    assert {(r[2], r[3]) for r in rows} == set(departments.items())
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
    revised = 0
    for r in rows:
        date.fromisoformat(r[1])
        assert START.isoformat() <= r[1] <= UNTIL.isoformat()
        assert stamp.fullmatch(r[10])
        assert (r[9] * 2) == int(r[9] * 2)  # half days only
        first_version = f"{date.fromisoformat(r[1]) + timedelta(days=1)} 01:00:00"
        assert r[10] >= first_version
        revised += r[10] > first_version
    assert revised == entry["revised_rows"] > 0
    recent = sorted({r[1] for r in rows})[-4:-1]
    assert all(r[1] in recent for r in rows if r[10] > f"{date.fromisoformat(r[1]) + timedelta(days=1)} 01:00:00")


def test_documents_follow_the_office_calendar(landing):
    root, _ = landing
    text = (root / "calendar/calendar_2026.csv").read_bytes().decode("cp950")
    days_off = {ln.split(",")[0] for ln in text.split("\r\n")[1:] if ln and ln.split(",")[2] == "2"}
    con = sqlite3.connect(root / "documents/doc_stats.sqlite")
    off_rows = con.execute(
        "SELECT stat_date, unit_code FROM doc_daily_stats WHERE stat_date >= '2026-01-01'").fetchall()
    on_days_off = {(d, u) for d, u in off_rows if d.replace("-", "") in days_off}
    # Only the duty units (police, fire) log anything on days off.
    assert {u for _, u in on_days_off} <= {"KL1600", "KL1700"}
    assert ("2026-01-01", "KL0100") not in {(d, u) for d, u in off_rows}
    assert ("2026-01-02", "KL0100") in {(d, u) for d, u in off_rows}


# --- S2 petitions -------------------------------------------------------------------------------

def test_petition_files_encodings_headers_and_counts(landing):
    root, manifest = landing
    entries = files_of(manifest, "petitions")
    assert len(entries) == (UNTIL - START).days + 1
    assert [e["path"] for e in entries] == [
        f"petitions/petitions_{START + timedelta(days=i):%Y%m%d}.csv" for i in range(len(entries))]
    cp950_failing_utf8 = 0
    boms = 0
    for e in entries:
        raw = (root / e["path"]).read_bytes()
        if e["encoding"] == "utf-8-bom":
            boms += 1
            assert raw.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("cp950")
        else:
            assert e["encoding"] == "cp950" and not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("cp950")
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                cp950_failing_utf8 += 1
        text = decode_petitions(raw)
        assert "\n" not in text.replace("\r\n", ""), "CRLF line ends only"
        lines = text.split("\r\n")
        assert lines[0] == PETITION_HEADER
        data = [i + 1 for i, ln in enumerate(lines[1:], start=1) if ln != ""]
        blank = [i + 1 for i, ln in enumerate(lines[:-1]) if ln == ""]
        assert len(data) == e["rows"]
        assert blank == e["blank_lines"]
    assert 1 <= boms <= len(entries) // 25 + 1     # cp950 is the rule, UTF-8 the odd file
    assert cp950_failing_utf8 >= 0.9 * (len(entries) - boms)


def _petition_rows(root: Path, manifest: dict):
    for e in files_of(manifest, "petitions"):
        text = decode_petitions((root / e["path"]).read_bytes())
        for line_no, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if line_no > 1 and row:
                yield e, line_no, row


def test_petition_bad_rows_are_exactly_the_listed_ones(landing):
    root, manifest = landing
    found, listed = set(), set()
    for e in files_of(manifest, "petitions"):
        listed |= {(e["path"], b["line"]) for b in e["bad"]}
    for e, line_no, row in _petition_rows(root, manifest):
        assert len(row) == 15
        ok = row[8] in STATUSES and all(is_valid_roc(row[i]) for i in (4, 14)) \
            and all(row[i] == "" or is_valid_roc(row[i]) for i in (7, 9))
        if not ok:
            found.add((e["path"], line_no))
    assert found == listed
    assert 1 <= len(listed) <= 10


def test_petition_contents_look_like_the_case_system(landing):
    root, manifest = landing
    departments = seed_departments()
    seen_in_files: dict[str, set[str]] = {}
    channels, forms, dues, statuses, hours = {}, set(), set(), set(), set()
    bad = {(e["path"], b["line"]) for e in files_of(manifest, "petitions") for b in e["bad"]}
    for e, line_no, row in _petition_rows(root, manifest):
        if (e["path"], line_no) in bad:
            continue
        case_id, channel, _, _, received, code, name, due, status, closed, *_pii, updated = row
        assert re.fullmatch(r"KL\d{7}\d{5}", case_id)
        assert departments[code] == name
        received_at, updated_at = roc_to_datetime(received), roc_to_datetime(updated)
        assert case_id[2:9] == f"{received_at.year - 1911}{received_at:%m%d}"
        assert updated_at >= received_at.replace(second=0)
        assert e["path"].endswith(f"{updated_at:%Y%m%d}.csv"), "a version is in the file of its day"
        assert (status == "已結案") == (closed != "")
        channels[channel] = channels.get(channel, 0) + 1
        forms.add(received.count(":"))
        dues.add(due == "")
        statuses.add(status)
        if channel == "1999市民熱線":
            hours.add(received_at.hour)
        seen_in_files.setdefault(case_id, set()).add(e["path"])
    assert set(channels) <= {"1999市民熱線", "市長信箱", "臨櫃", "書面", "電子郵件", "其他"}
    assert max(channels, key=channels.get) == "1999市民熱線"
    assert forms == {1, 2}                      # 114/03/05 14:22 and 114/03/05 14:22:10
    assert dues == {True, False}                # some due dates blank, some given
    assert {"處理中", "已結案"} <= statuses
    assert any(h < 7 or h >= 22 for h in hours)  # the hotline answers at night
    assert sum(len(files) > 1 for files in seen_in_files.values()) > 0.3 * len(seen_in_files)


def test_petitioner_fields_are_plausible(landing):
    root, manifest = landing
    names, phones, emails, addresses = [], [], [], []
    for _, _, row in _petition_rows(root, manifest):
        names.append(row[10]), phones.append(row[11]), emails.append(row[12]), addresses.append(row[13])
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)
    assert all(p == "" or re.fullmatch(r"09\d{8}|02-24\d{6}", p) for p in phones)
    assert all(m == "" or re.fullmatch(r"[a-z0-9.]+@[a-z0-9.]+", m) for m in emails)
    assert all(a == "" or (a.startswith("基隆市") and a[3:6] in DISTRICTS and "號" in a) for a in addresses)
    assert "" in phones and "" in emails


# --- S3 budget ----------------------------------------------------------------------------------

def _amount(value) -> int:
    if value == "-":
        return 0
    if isinstance(value, str):
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", value), value
        return int(value.replace(",", ""))
    assert isinstance(value, int)
    return value


def test_budget_workbooks_layout_and_totals(landing):
    root, manifest = landing
    entries = files_of(manifest, "budget")
    assert [e["path"] for e in entries] == ["budget/budget_11410.xlsx", "budget/budget_11411.xlsx",
                                            "budget/budget_11412.xlsx", "budget/budget_11501.xlsx"]
    kinds = set()
    for e in entries:
        roc, month = int(e["path"][-10:-7]), int(e["path"][-7:-5])
        ws = openpyxl.load_workbook(root / e["path"]).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == f"基隆市政府{roc}年度歲出預算執行明細表（截至{month}月底）"
        assert rows[1][0] == "單位：新臺幣元"
        assert list(rows[2]) == BUDGET_HEADER
        assert rows[-1][0] == "合計" and all(v is None for v in rows[-1][1:9])
        data = rows[3:-1]
        assert len(data) == e["rows"] and e["total_row"] == len(rows)
        totals = [0] * 6
        for r in data:
            assert r[0] == roc and r[1] == month
            amounts = [_amount(v) for v in r[9:15]]
            kinds |= {type(v).__name__ if v != "-" else "-" for v in r[9:15]}
            assert all(a >= 0 for a in amounts)
            budget, allocated, paid, payable, savings, carried = amounts
            assert paid + payable + savings <= allocated <= budget
            assert r[6] in ("經常門", "資本門") and r[8] in ("是", "否")
            assert (r[7] == "設備及投資") == (r[6] == "資本門")
            assert r[8] == "否" or r[6] == "資本門"
            if month != 12:
                assert carried == 0
            totals = [t + a for t, a in zip(totals, amounts)]
        assert list(rows[-1][9:15]) == totals
        assert any(r[8] == "是" for r in data)
    assert kinds == {"int", "str", "-"}


def test_budget_is_cumulative_within_a_year(landing):
    root, _ = landing
    def keyed(name):
        rows = list(openpyxl.load_workbook(root / "budget" / name).worksheets[0].iter_rows(values_only=True))[3:-1]
        return {(r[2], r[4], r[7]): [_amount(v) for v in r[9:15]] for r in rows}
    oct_, nov, dec = keyed("budget_11410.xlsx"), keyed("budget_11411.xlsx"), keyed("budget_11412.xlsx")
    assert oct_.keys() == nov.keys() == dec.keys()
    for k in oct_:
        assert oct_[k][1] <= nov[k][1] <= dec[k][1] == dec[k][0]  # allocation reaches the budget
        assert oct_[k][2] <= nov[k][2] <= dec[k][2]
    assert sum(v[5] for v in dec.values()) > 0                 # carried over at year end


def test_budget_has_its_year_end_rush(landing):
    """Tracked tenders (K5.1: executed ÷ allocated, city-wide) gain more in December than in November,
    and more in November than in any earlier month of the fixture's range: the year-end rush."""
    root, _ = landing

    def rate(name):
        rows = list(openpyxl.load_workbook(root / "budget" / name).worksheets[0].iter_rows(values_only=True))[3:-1]
        tracked = [[_amount(v) for v in r[9:15]] for r in rows if r[8] == "是"]
        return sum(a[2] + a[3] + a[4] for a in tracked) / sum(a[1] for a in tracked)

    oct_, nov, dec = rate("budget_11410.xlsx"), rate("budget_11411.xlsx"), rate("budget_11412.xlsx")
    assert dec - nov > nov - oct_ > 0


# --- seasons (the calendar drives the volumes) ---------------------------------------------------

def test_typhoon_days_are_days_off_in_the_calendar(landing):
    root, _ = landing
    text = (root / "calendar/calendar_2025.csv").read_bytes().decode("utf-8-sig")
    typhoon = [ln for ln in text.split("\r\n") if ln.endswith(",颱風停止上班")]
    assert typhoon and all(ln.split(",")[2] == "2" for ln in typhoon)
    days = [date(int(ln[:4]), int(ln[4:6]), int(ln[6:8])) for ln in typhoon]
    assert all(6 <= d.month <= 11 and d.weekday() < 5 for d in days)   # summer and autumn, weekdays


def test_seasonal_factors_follow_the_calendar():
    """The generator's shape, read off the office calendar: nothing on a day off, a pile-up on the
    first working day after Lunar New Year (larger than after a long weekend), petitions highest on
    the day after a typhoon and in summer."""
    from kpi.demo.calendar import OfficeCalendar
    from kpi.demo.seasons import document_factor, petition_factor

    cal = OfficeCalendar([2025])
    lunar_new_year = [d for d in (date(2025, 1, 1) + timedelta(days=i) for i in range(60))
                      if cal.note(d) == "春節"]
    after_new_year = cal.nth_working_day_after(max(lunar_new_year), 1)
    assert document_factor(cal, lunar_new_year[0]) == 0
    ordinary = date(2025, 3, 12)   # a Wednesday after a working Tuesday
    assert cal.is_working_day(ordinary) and cal.days_off_before(ordinary) == 0
    assert document_factor(cal, ordinary) == 1
    long_weekend = [d for d in (date(2025, 10, 1) + timedelta(days=i) for i in range(60))
                    if cal.is_working_day(d) and cal.days_off_before(d) == 3]
    assert long_weekend
    assert document_factor(cal, after_new_year) > document_factor(cal, long_weekend[0]) > 1

    typhoon = next(d for d in (date(2025, 6, 1) + timedelta(days=i) for i in range(150))
                   if cal.note(d) == "颱風停止上班")
    day_after = typhoon + timedelta(days=1)
    same_day_next_week = day_after + timedelta(days=7)
    assert petition_factor(cal, day_after) > petition_factor(cal, typhoon) > petition_factor(cal, same_day_next_week)
    assert petition_factor(cal, date(2025, 8, 13)) > petition_factor(cal, date(2025, 2, 12))


# --- S4 register --------------------------------------------------------------------------------

def _normalised(line: str) -> tuple[str, ...]:
    return tuple(c.strip().translate(_HALF) for c in line.split(","))


def test_register_format_quirks_and_counts(landing):
    root, manifest = landing
    entry = files_of(manifest, "register")[0]
    raw = (root / "register/kpi_register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    text = raw.decode("utf-8-sig")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == REGISTER_HEADER
    physical = {i: ln for i, ln in enumerate(lines, start=1)}
    blanks = [i for i, ln in physical.items() if ln == ""]
    assert blanks == entry["blank_lines"] and len(blanks) >= 1
    data = {i: ln for i, ln in physical.items() if i > 1 and ln != ""}
    assert len(data) == entry["rows"]
    # Bad rows: exactly those with an unknown code or an impossible date.
    broken = set()
    for i, ln in data.items():
        cells = _normalised(ln)
        assert len(cells) == 10
        if cells[0] not in CATALOG or not is_valid_roc(cells[1]) or (cells[6] and not is_valid_roc(cells[6])):
            broken.add(i)
    assert broken == {b["line"] for b in entry["bad"]} and len(broken) >= 2
    # Duplicates: exact copies are byte-equal; the other kind only after normalising.
    first: dict[tuple, int] = {}
    dups = []
    for i, ln in data.items():
        if i in broken:
            continue
        key = _normalised(ln)
        if key in first:
            dups.append({"line": i, "duplicate_of": first[key],
                         "kind": "exact" if ln == data[first[key]] else "after_normalisation"})
        else:
            first[key] = i
    assert dups == entry["duplicates"]
    assert {d["kind"] for d in dups} == {"exact", "after_normalisation"}
    assert len(first) == entry["distinct_good_rows"] == entry["rows"] - len(broken) - len(dups)
    # The typing quirks of the sample are all there.
    assert any(re.search(r"[０-９]", ln) for ln in data.values())
    assert any(c != c.strip() for ln in data.values() for c in ln.split(","))


def test_register_rows_are_dated_within_the_range(landing):
    root, manifest = landing
    bad = {b["line"] for b in files_of(manifest, "register")[0]["bad"]}
    text = (root / "register/kpi_register.csv").read_bytes().decode("utf-8-sig")
    codes = set()
    for i, ln in enumerate(text.split("\r\n"), start=1):
        if i == 1 or not ln or i in bad:
            continue
        cells = _normalised(ln)
        codes.add(cells[0])
        done, entered = roc_to_datetime(cells[1]).date(), roc_to_datetime(cells[9])
        assert START <= done <= UNTIL and done <= entered.date() <= UNTIL
        if cells[0] == "K2.7":
            assert roc_to_datetime(cells[6]).date() > done
        if cells[0] == "K3.1":
            assert 0 < int(cells[4]) <= int(cells[5])
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", cells[8])
    assert {"K1.1", "K2.7", "K3.1", "K6.4"} <= codes


# --- S5 HR --------------------------------------------------------------------------------------

def test_hr_pages_chain_to_null_and_hold_every_item(landing):
    root, manifest = landing
    entries = {e["path"]: e for e in files_of(manifest, "hr")}
    url = (root / "hr/monthly.json").resolve().as_uri()
    visited, items, forms = [], [], set()
    while url:
        path = Path(url2pathname(urlsplit(url).path))
        visited.append(path.relative_to(root).as_posix())
        page = json.loads(path.read_text(encoding="utf-8"))
        assert set(page) == {"items", "next"}
        assert len(page["items"]) == entries[visited[-1]]["rows"]
        items += page["items"]
        if page["next"] is not None:
            forms.add("absolute" if page["next"].startswith("file://") else "relative")
            url = urljoin(url, page["next"])
        else:
            url = None
    assert visited == sorted(entries, key=lambda p: (len(p), p))
    assert len(visited) >= 3 and forms == {"absolute", "relative"}
    assert len(items) == manifest["sources"]["hr"]["rows"]
    departments = seed_departments()
    months = months_between(START, UNTIL)
    keys = {(i["yearMonth"], i["unitCode"]) for i in items}
    assert len(keys) == len(items) == len(months) * len(departments)
    assert {i["yearMonth"] for i in items} == {f"{y - 1911}{m:02d}" for y, m in months}
    for i in items:
        assert departments[i["unitCode"]] == i["unitName"]
        assert 0 <= i["learningCompleted"] <= i["civilServants"] and i["contractStaff"] > 0
    def total(ym, field):
        return sum(i[field] for i in items if i["yearMonth"] == ym)
    # learning resets in January and has climbed to most civil servants by December
    assert total("11412", "learningCompleted") > 0.7 * total("11412", "civilServants")
    assert total("11501", "learningCompleted") < 0.15 * total("11501", "civilServants")


def test_hr_page_text_matches_the_sample_shape(landing):
    root, _ = landing
    text = (root / "hr/monthly.json").read_text(encoding="utf-8")
    assert text.startswith(
        '{\n "items": [\n  {\n   "yearMonth": "11410",\n   "unitCode": "KL0100",\n   "unitName": "民政處",')
    assert text.endswith('"next": "monthly-2.json"\n}')


# --- determinism and personal data --------------------------------------------------------------

def test_same_seed_gives_identical_bytes(landing, tmp_path):
    root, _ = landing
    other = tmp_path / "landing_b"
    write_landing(other, UNTIL, start=START, scale=SCALE)
    a_files = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    b_files = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    assert a_files == b_files
    for rel in a_files:
        a, b = (root / rel).read_bytes(), (other / rel).read_bytes()
        # the one absolute `next` link names the landing directory itself
        a = a.replace(root.resolve().as_uri().encode(), b"<landing>")
        b = b.replace(other.resolve().as_uri().encode(), b"<landing>")
        assert a == b, rel
    changed = tmp_path / "landing_c"
    write_landing(changed, UNTIL, start=START, scale=SCALE, seed=7)
    assert (changed / "register/kpi_register.csv").read_bytes() != (root / "register/kpi_register.csv").read_bytes()


def test_personal_data_only_in_petitions_and_register_clerk(landing):
    root, manifest = landing
    pii: set[str] = set()
    for _, _, row in _petition_rows(root, manifest):
        pii |= {v for v in row[10:14] if v}
    register = (root / "register/kpi_register.csv").read_bytes().decode("utf-8-sig")
    register_rest = []
    for ln in register.split("\r\n")[1:]:
        if ln:
            cells = ln.split(",")
            pii.add(cells[8].strip())
            register_rest.append(",".join(cells[:8] + cells[9:]))
    assert len(pii) > 100
    texts = {"register (other columns)": "\n".join(register_rest),
             "_manifest.json": (root / "_manifest.json").read_text(encoding="utf-8")}
    con = sqlite3.connect(root / "documents/doc_stats.sqlite")
    texts["documents"] = "\n".join(str(r) for r in con.execute("SELECT * FROM doc_daily_stats"))
    for p in (root / "hr").glob("*.json"):
        texts[p.name] = p.read_text(encoding="utf-8")
    for p in (root / "calendar").glob("*.csv"):
        raw = p.read_bytes()
        texts[p.name] = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp950")
    for p in (root / "budget").glob("*.xlsx"):
        with zipfile.ZipFile(p) as z:
            texts[p.name] = "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
    for where, text in texts.items():
        leaked = [v for v in pii if v in text]
        assert not leaked, f"personal data in {where}: {leaked[:3]}"

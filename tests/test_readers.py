"""kpi.loaders.readers: files as the city delivers them (cp950 / UTF-8 with and without BOM, CRLF,
blank lines, total rows in workbooks), line numbers a person can find, and whole-file failures."""
from __future__ import annotations

import codecs
import json
import os
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from openpyxl import Workbook, load_workbook

from kpi.demo import write_landing
from kpi.loaders import readers
from kpi.loaders.readers import UnreadableFile, detect_encoding, read_csv, read_json_items, read_xlsx

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
PETITIONS = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,結案日期,"
             "陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間").split(",")
REGISTER = "指標代碼,辦理日期,辦理單位,辦理事項,數值,分母,有效期限,佐證連結,填報人,填報時間".split(",")
CALENDAR = "西元日期,星期,是否放假,備註".split(",")
BUDGET = ("年度,月份,單位代碼,單位名稱,計畫代碼,計畫名稱,經資門別,用途別,列管基本設施,預算數,累計分配數,累計實支數,"
          "累計應付未付數,累計節餘數,保留數").split(",")
SMALL = ["代碼", "名稱", "數量"]


def write(tmp_path: Path, name: str, text: str, encoding: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def as_frame(tables: pa.Table | list[pa.Table]) -> pd.DataFrame:
    """Reader tables as one DataFrame indexed by `_record` (line, worksheet row or item), to look
    records up the way a person does."""
    table = pa.concat_tables(tables) if isinstance(tables, list) else tables
    assert table.column_names[-2:] == ["_error", "_record"]
    assert all(t == pa.string() for t in table.schema.types[:-1]) and table.schema.types[-1] == pa.int64()
    return table.to_pandas().set_index("_record")


def records(table: pa.Table) -> list[int]:
    return table["_record"].to_pylist()


def read_all(path: Path, header: list[str], **kwargs) -> pd.DataFrame:
    chunks = list(read_csv(path, header, **kwargs))
    return as_frame(chunks) if chunks else pd.DataFrame()


# -- encodings --------------------------------------------------------------------------------
def test_cp950_with_crlf(tmp_path):
    path = write(tmp_path, "a.csv", "代碼,名稱,數量\r\nKL0300,綜合發展處,12\r\nKL1200,工務處,3\r\n", "cp950")
    assert detect_encoding(path) == "cp950"
    df = read_all(path, SMALL)
    assert df["名稱"].tolist() == ["綜合發展處", "工務處"]
    assert df.index.tolist() == [2, 3]
    assert df["數量"].tolist() == ["12", "3"]          # text, not numbers: parsing is a later step
    assert df["_error"].isna().all()
    assert list(df.columns) == [*SMALL, "_error"]


def test_utf8_with_bom(tmp_path):
    path = write(tmp_path, "b.csv", "\ufeff代碼,名稱,數量\r\nKL0300,綜合發展處,12\r\n", "utf-8")
    assert detect_encoding(path) == "utf-8-sig"
    df = read_all(path, SMALL)
    assert df.loc[2, "代碼"] == "KL0300" and df.loc[2, "名稱"] == "綜合發展處"


def test_utf8_without_bom_is_not_read_as_cp950_mojibake(tmp_path):
    path = write(tmp_path, "c.csv", "代碼,名稱,數量\nKL0300,綜合發展處,12\n", "utf-8")
    assert detect_encoding(path, "cp950") == "utf-8"
    assert read_all(path, SMALL)["名稱"].tolist() == ["綜合發展處"]


def test_ascii_only_file_is_utf8(tmp_path):
    path = write(tmp_path, "d.csv", "a,b\n1,2\n", "ascii")
    assert detect_encoding(path) == "utf-8"


def test_neither_utf8_nor_cp950_is_unreadable(tmp_path):
    path = tmp_path / "random.csv"
    path.write_bytes(bytes(range(256)) * 4 + os.urandom(512))
    with pytest.raises(UnreadableFile, match=r"neither UTF-8 .* nor cp950"):
        detect_encoding(path)
    with pytest.raises(UnreadableFile):
        list(read_csv(path, SMALL))


def test_detection_streams_across_block_boundaries(tmp_path, monkeypatch):
    """A multi-byte character split between two read blocks is still valid."""
    import kpi.loaders.readers as readers

    monkeypatch.setattr(readers, "_READ_BLOCK", 7)
    path = write(tmp_path, "e.csv", "代碼,名稱,數量\r\n" + "KL0300,綜合發展處,12\r\n" * 20, "cp950")
    assert detect_encoding(path) == "cp950"
    path = write(tmp_path, "f.csv", "代碼,名稱,數量\r\n" + "KL0300,綜合發展處,12\r\n" * 20, "utf-8")
    assert detect_encoding(path) == "utf-8"


def test_bad_byte_late_in_the_file_is_found(tmp_path, monkeypatch):
    import kpi.loaders.readers as readers

    monkeypatch.setattr(readers, "_READ_BLOCK", 16)
    path = tmp_path / "late.csv"
    path.write_bytes("代碼,名稱,數量\r\n".encode("cp950") + b"x,y,1\r\n" * 50 + b"\xff\xff\r\n")
    with pytest.raises(UnreadableFile, match="line 52"):
        detect_encoding(path)


# -- headers ----------------------------------------------------------------------------------
def test_wrong_header_names_expected_and_found(tmp_path):
    path = write(tmp_path, "g.csv", "代碼,單位名稱,數量\r\nKL0300,綜合發展處,12\r\n", "cp950")
    with pytest.raises(UnreadableFile) as info:
        list(read_csv(path, SMALL))
    message = str(info.value)
    assert "expected 3 columns 代碼,名稱,數量" in message
    assert "found 3 columns 代碼,單位名稱,數量" in message
    assert "column 2" in message


def test_header_without_any_column_name_is_not_quoted(tmp_path):
    """A file without its header starts with a data row, which may be personal data."""
    path = write(tmp_path, "h.csv", "王小明,0912345678,12\r\n", "cp950")
    with pytest.raises(UnreadableFile) as info:
        list(read_csv(path, SMALL))
    assert "none of them a column name" in str(info.value)
    assert "王小明" not in str(info.value) and "0912345678" not in str(info.value)


def test_header_that_is_mostly_data_is_not_quoted(tmp_path):
    """A data row can share a value with the header (the channel 電子郵件 is also a column name)."""
    path = write(tmp_path, "h.csv", "王小明,電子郵件,12\r\n", "cp950")
    with pytest.raises(UnreadableFile) as info:
        list(read_csv(path, ["代碼", "電子郵件", "數量", "備註"]))
    assert "only 1 of them column names" in str(info.value)
    assert "王小明" not in str(info.value)


def test_header_cells_are_stripped_and_trailing_empty_columns_allowed(tmp_path):
    path = write(tmp_path, "i.csv", " 代碼 ,名稱,數量 ,\r\nKL0300,綜合發展處,12,\r\nKL1200,工務處,3\r\n", "utf-8-sig")
    df = read_all(path, SMALL)
    assert df["數量"].tolist() == ["12", "3"] and df["_error"].isna().all()


def test_empty_file_is_unreadable(tmp_path):
    path = write(tmp_path, "j.csv", "", "utf-8")
    with pytest.raises(UnreadableFile, match="empty"):
        list(read_csv(path, SMALL))


def test_header_only_file_yields_nothing(tmp_path):
    path = write(tmp_path, "k.csv", "代碼,名稱,數量\r\n", "cp950")
    assert list(read_csv(path, SMALL)) == []


# -- records ----------------------------------------------------------------------------------
def test_blank_lines_are_skipped_and_line_numbers_stay_physical(tmp_path):
    text = "代碼,名稱,數量\r\n\r\nA,甲,1\r\n\r\n\r\nB,乙,2\r\n,,\r\n  \r\nC,丙,3\r\n\r\n"
    df = read_all(write(tmp_path, "l.csv", text, "cp950"), SMALL)
    assert df["代碼"].tolist() == ["A", "B", "C"]
    assert df.index.tolist() == [3, 6, 9]


def test_quoted_field_with_embedded_newline(tmp_path):
    text = '代碼,名稱,數量\r\nA,"第一行\r\n第二行",1\r\nB,乙,2\r\nC,"x\ny\nz",3\r\nD,丁,4\r\n'
    df = read_all(write(tmp_path, "m.csv", text, "cp950"), SMALL)
    assert df.loc[2, "名稱"] == "第一行\r\n第二行"
    assert df.index.tolist() == [2, 4, 5, 8]
    assert df["_error"].isna().all()


def test_record_with_missing_or_extra_fields_gets_an_error_and_no_fields(tmp_path):
    """Which value of such a record belongs to which column cannot be told: it carries none."""
    text = "代碼,名稱,數量\r\nA,甲\r\nB,乙,2\r\nC,丙,3,多\r\n"
    df = read_all(write(tmp_path, "n.csv", text, "cp950"), SMALL)
    assert df.loc[2, "_error"] == "expected 3 fields, found 2"
    assert df.loc[2].tolist()[:3] == ["", "", ""]
    assert pd.isna(df.loc[3, "_error"])
    assert df.loc[4, "_error"] == "expected 3 fields, found 4"
    assert df.loc[4].tolist()[:3] == ["", "", ""]


def test_chunking_keeps_line_numbers(tmp_path):
    text = "代碼,名稱,數量\r\n" + "".join(f"K{i},名{i},{i}\r\n" for i in range(5))
    chunks = list(read_csv(write(tmp_path, "o.csv", text, "cp950"), SMALL, chunk_rows=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert [records(c) for c in chunks] == [[2, 3], [4, 5], [6]]
    assert as_frame(chunks[2]).loc[6, "代碼"] == "K4"


def test_chunks_are_full_even_with_blank_lines_and_errors(tmp_path):
    text = "代碼,名稱,數量\r\nA,1,1\r\n\r\nB,2\r\nC,3,3\r\n\r\nD,4,4\r\nE,5,5\r\n"
    chunks = list(read_csv(write(tmp_path, "p.csv", text, "cp950"), SMALL, chunk_rows=2))
    assert [records(c) for c in chunks] == [[2, 4], [5, 7], [8]]
    assert as_frame(chunks[0]).loc[4, "_error"] == "expected 3 fields, found 2"
    assert chunks[1]["_error"].null_count == 2


def test_bom_file_with_an_undecodable_byte_late_is_unreadable(tmp_path):
    """A BOM says UTF-8 without the file being checked first: the bytes are checked as they are read."""
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "代碼,名稱,數量\r\n".encode() + "A,甲,1\r\n".encode() * 5000
                     + b"B,\xff,2\r\n")
    assert detect_encoding(path) == "utf-8-sig"
    with pytest.raises(UnreadableFile, match=r"not valid utf-8-sig after all .*line 5002"):
        list(read_csv(path, SMALL))


def test_cp950_file_with_an_undecodable_byte_late_fails_after_earlier_chunks(tmp_path, monkeypatch):
    """The legacy codec is checked while the file is decoded: the error comes when it is reached,
    naming both codecs as detect_encoding does."""
    import kpi.loaders.readers as readers

    monkeypatch.setattr(readers, "_DECODE_BLOCK", 4096)
    monkeypatch.setattr(readers, "_ARROW_BLOCK", 4096)   # Arrow reads 32 blocks ahead
    path = tmp_path / "late.csv"
    path.write_bytes("代碼,名稱,數量\r\n".encode("cp950") + "A,甲,1\r\n".encode("cp950") * 30000 + b"B,\xff\xfe,2\r\n")
    chunks = []
    with pytest.raises(UnreadableFile, match=r"neither UTF-8 .* nor cp950 .*line 30002"):
        for chunk in read_csv(path, SMALL, chunk_rows=100):
            chunks.append(chunk)
    assert chunks and all(len(c) == 100 for c in chunks)


def test_decode_error_after_detection_is_unreadable(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes("代碼,名稱,數量\r\nA,甲,1\r\n".encode() + b"B,\xff,2\r\n")
    with pytest.raises(UnreadableFile, match="not valid utf-8"):
        list(read_csv(path, SMALL, encoding="utf-8"))


@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"])
def test_a_line_longer_than_1_mb_fails_naming_it(tmp_path, eol):
    long = "A," + "甲" * 600_000 + ",3"                # 1.8 MB in UTF-8
    text = eol.join(["代碼,名稱,數量", "B,乙,2", "", '"C","丙', '丁",3', long, "D,丁,4"]) + eol
    with pytest.raises(UnreadableFile, match=r"^line 6 of j\.csv is longer than 1 MB"):
        read_all(write(tmp_path, "j.csv", text, "utf-8"), SMALL)
    with pytest.raises(UnreadableFile, match=r"^line 1 of k\.csv is longer than 1 MB"):
        read_all(write(tmp_path, "k.csv", long, "cp950"), SMALL)


def test_a_line_just_under_1_mb_still_reads(tmp_path):
    value = "x" * ((1 << 20) - 10)
    df = read_all(write(tmp_path, "l.csv", f"代碼,名稱,數量\nA,{value},1\nB,乙,2\n", "utf-8"), SMALL)
    assert df.loc[2, "名稱"] == value and df.loc[3, "名稱"] == "乙"


def test_closing_the_stream_waits_for_a_read_in_progress(tmp_path, monkeypatch):
    """Arrow's reading thread can be inside read() when the reader's thread closes the stream: the
    file must not be advanced by both at once ('generator already executing')."""
    path = write(tmp_path, "m.csv", "代碼,名稱,數量\n" + "A,甲,1\n" * 200_000, "utf-8")
    inside = threading.Event()
    blocks = readers._utf8_blocks

    def slow(*args, **kwargs):
        for block in blocks(*args, **kwargs):
            inside.set()
            time.sleep(0.3)            # decoding a block, with the GIL released
            yield block

    monkeypatch.setattr(readers, "_utf8_blocks", slow)
    stream = readers._Utf8Stream(path, "utf-8", sniffed=True)
    reading = threading.Thread(target=stream.read, args=(1 << 20,))
    reading.start()
    inside.wait()
    stream.close()
    reading.join()
    assert stream.read(100).size == 0


# -- the sample files -------------------------------------------------------------------------
def test_sample_petitions_cp950():
    path = SAMPLES / "petitions_20250305.csv"
    assert detect_encoding(path, "cp950") == "cp950"
    df = read_all(path, PETITIONS)
    assert len(df) == 9 and df.index.tolist() == list(range(2, 11))    # the trailing blank line is not data
    assert df.iloc[0]["案件編號"] == "KL114030401313" and df.iloc[0]["承辦機關"] == "民政處"
    assert df["_error"].isna().all()


def test_sample_register_bom_crlf_blank_line():
    path = SAMPLES / "kpi_register.csv"
    assert detect_encoding(path) == "utf-8-sig"
    df = read_all(path, REGISTER)
    assert df.index.tolist() == [2, 3, 5, 6, 7, 8]      # line 4 is blank
    assert df.loc[3, "辦理日期"] == "１１４／０３／１８"   # raw text: normalising is the parser's job
    assert df.loc[3, "辦理事項"] == "  上半年社交工程演練  "


@pytest.mark.parametrize("name, encoding", [("calendar_2024.csv", "cp950"), ("calendar_2025.csv", "utf-8-sig")])
def test_sample_calendars(name, encoding):
    path = SAMPLES / name
    assert detect_encoding(path) == encoding
    df = read_all(path, CALENDAR)
    assert df.iloc[0].tolist()[:4] == [f"{name[9:13]}0101", "一" if "2024" in name else "三", "2", "開國紀念日"]
    assert df.index[0] == 2 and df["_error"].isna().all()


def test_sample_budget_workbook():
    df = as_frame(list(read_xlsx(SAMPLES / "budget_11410.xlsx", BUDGET)))
    assert df.index.tolist() == list(range(4, 19))       # rows 1-3 title/note/header, row 19 合計
    assert "合計" not in df["年度"].tolist()
    first = df.loc[4]
    assert first["年度"] == "114" and first["月份"] == "10" and first["單位代碼"] == "KL0100"
    assert first["預算數"] == "23,000,000" and first["保留數"] == "-" and first["累計分配數"] == "19878465"
    assert df["_error"].isna().all()


def test_sample_hr_page():
    df = as_frame(read_json_items((SAMPLES / "hr_monthly.json").read_bytes()))
    assert df.index.tolist() == [0, 1, 2, 3]
    assert df.loc[0, "yearMonth"] == "11212" and df.loc[0, "civilServants"] == "115"
    assert df["_error"].isna().all()


# -- workbooks --------------------------------------------------------------------------------
def make_workbook(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def test_xlsx_cells_read_as_a_person_reads_them(tmp_path):
    path = make_workbook(tmp_path / "w.xlsx", [
        ["標題"], ["單位：元"], SMALL,
        ["A", 1234567.0, 0.25],
        [None, None, None],
        ["B", datetime(2025, 3, 5), date(2025, 3, 6)],
        ["C", datetime(2025, 3, 5, 14, 22, 10), 1e-7],
        ["合　計", None, 99],
        ["D", "x", 3, None, "多"],
    ])
    df = as_frame(list(read_xlsx(path, SMALL)))
    assert df.index.tolist() == [4, 6, 7, 9]
    assert df.loc[4].tolist()[:3] == ["A", "1234567", "0.25"]
    assert df.loc[6].tolist()[:3] == ["B", "2025-03-05", "2025-03-06"]
    assert df.loc[7].tolist()[:3] == ["C", "2025-03-05 14:22:10", "0.0000001"]
    assert df.loc[9, "_error"] == "expected 3 fields, found 5"
    assert df.drop(index=9)["_error"].isna().all()


def test_xlsx_wrong_header(tmp_path):
    path = make_workbook(tmp_path / "h.xlsx", [["標題"], ["單位"], ["代碼", "名稱"], ["A", "x"]])
    with pytest.raises(UnreadableFile, match=r"expected 3 columns 代碼,名稱,數量.*found 2 columns 代碼,名稱"):
        list(read_xlsx(path, SMALL))


def test_xlsx_sheet_by_name_else_the_first(tmp_path):
    """`sheet` picks a worksheet by name (a workbook whose data is not on its first sheet); a name the
    workbook lacks fails the file naming the sheets it has."""
    path = make_workbook(tmp_path / "s.xlsx", [["說明"], ["本表依單位排列"]])
    wb = load_workbook(path)
    data = wb.create_sheet("資料")
    for row in (["標題"], SMALL, ["A", 1, 2]):
        data.append(row)
    wb.save(path)
    df = as_frame(list(read_xlsx(path, SMALL, header_row=2, sheet_name="資料")))
    assert df.index.tolist() == [3] and df.loc[3].tolist()[:3] == ["A", "1", "2"]
    with pytest.raises(UnreadableFile, match=r"wrong header in s.xlsx sheet 'Sheet' row 2"):
        list(read_xlsx(path, SMALL, header_row=2))   # the first sheet: notes only
    with pytest.raises(UnreadableFile, match=r"s.xlsx has no worksheet '彙總' \(it has 'Sheet', '資料'\)"):
        list(read_xlsx(path, SMALL, header_row=2, sheet_name="彙總"))


def test_xlsx_that_is_a_text_file(tmp_path):
    path = tmp_path / "budget_11410.xlsx"
    path.write_text("年度,月份\n114,10\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"not a readable .xlsx workbook"):
        list(read_xlsx(path, BUDGET))


def test_xlsx_truncated_zip(tmp_path):
    data = (SAMPLES / "budget_11410.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile):
        list(read_xlsx(path, BUDGET))


def test_xlsx_chunks(tmp_path):
    path = make_workbook(tmp_path / "c.xlsx", [["t"], ["n"], SMALL] + [[f"K{i}", "x", i] for i in range(5)])
    chunks = list(read_xlsx(path, SMALL, chunk_rows=2))
    assert [records(c) for c in chunks] == [[4, 5], [6, 7], [8]]


# -- JSON pages -------------------------------------------------------------------------------
def test_json_items_values_are_text():
    page = {"items": [{"a": 1, "b": "x", "c": None, "d": 2.0, "e": True}, {"b": "y", "f": [1, 2]}, 7], "next": None}
    df = as_frame(read_json_items(json.dumps(page, ensure_ascii=False)))
    assert list(df.columns) == ["a", "b", "c", "d", "e", "f", "_error"]
    assert df.loc[0].tolist()[:6] == ["1", "x", "", "2", "true", ""]
    assert df.loc[1, "f"] == "[1,2]" and df.loc[1, "a"] == ""
    assert df.loc[2, "_error"] == "item is a JSON number, expected an object"
    assert df.loc[:1, "_error"].isna().all()


@pytest.mark.parametrize("data, reason", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "expected an object"),
    (b'{"next": null}', "has no 'items'"),
    (b'{"items": {"a": 1}}', "expected an array"),
    ("{\"items\": [{\"name\": \"王小明\"".encode("cp950"), "not"),
])
def test_json_unreadable_pages(data, reason):
    with pytest.raises(UnreadableFile, match=reason) as info:
        read_json_items(data)
    assert "王小明" not in str(info.value)


def test_json_page_with_bom():
    assert len(read_json_items(b"\xef\xbb\xbf" + b'{"items": [{"a": 1}]}')) == 1
    assert len(read_json_items('\ufeff{"items": []}')) == 0


# -- the demo landing -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    manifest = write_landing(landing, date(2022, 3, 5), scale=0.02)
    return landing, manifest


def test_every_demo_file_reads_with_the_manifest_record_count(demo_landing):
    landing, manifest = demo_landing
    headers = {"petitions": PETITIONS, "register": REGISTER, "calendar": CALENDAR, "budget": BUDGET}
    checked = {}
    for source, header in [*headers.items(), ("hr", None)]:
        files = manifest["sources"][source]["files"]
        assert files, source
        for entry in files:
            path = landing / entry["path"]
            if entry["format"] == "csv":
                frames = list(read_csv(path, header, chunk_rows=500))
            elif entry["format"] == "xlsx":
                frames = list(read_xlsx(path, header))
            else:
                frames = [read_json_items(path.read_bytes())]
            rows = sum(len(f) for f in frames)
            assert rows == entry["rows"], entry["path"]
            assert all(f["_error"].null_count == len(f) for f in frames), entry["path"]
            for bad in entry.get("bad", []):
                # The line the manifest names for a bad row is a record of the file.
                assert any(bad["line"] in records(f) for f in frames), (entry["path"], bad)
            checked[source] = checked.get(source, 0) + 1
    assert set(checked) == {"petitions", "register", "calendar", "budget", "hr"}


def test_demo_register_blank_lines_are_not_records(demo_landing):
    landing, manifest = demo_landing
    entry = manifest["sources"]["register"]["files"][0]
    df = as_frame(list(read_csv(landing / entry["path"], REGISTER)))
    assert not set(entry["blank_lines"]) & set(df.index)
    for dup in entry["duplicates"]:
        if dup["kind"] == "exact":
            assert df.loc[dup["line"]].tolist() == df.loc[dup["duplicate_of"]].tolist()


def test_xlsx_header_a_row_off_is_pointed_at(tmp_path):
    path = make_workbook(tmp_path / "off.xlsx", [["標題"], ["單位"], ["製表日期"], SMALL, ["A", "x", 1]])
    with pytest.raises(UnreadableFile, match="the expected header is in row 4"):
        list(read_xlsx(path, SMALL))


# -- line numbers against the csv module --------------------------------------------------------
def reference_records(path: Path, header: list[str], encoding: str) -> list[tuple[int, list[str], str | None]]:
    """What Python's csv module makes of the file, with the rules of read_csv (blank lines are no
    records, a record is numbered by the physical line it starts on, fields cut or padded to the
    header): the oracle for the Arrow reader."""
    import csv

    def blank(row):
        return not row or not "".join(row).strip()

    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        found = next(row for row in reader if not blank(row))
        width = len(header)
        physical = max(len([c for c in found]), width)
        last, out = reader.line_num, []
        for row in reader:
            start, last = last + 1, reader.line_num
            if blank(row):
                continue
            if len(row) == width:
                out.append((start, row, None))
            elif width < len(row) <= physical:
                extra = any(c.strip() for c in row[width:])
                why = f"expected {width} fields, found a value after the last column" if extra else None
                out.append((start, row[:width], why))
            else:
                out.append((start, [""] * width, f"expected {width} fields, found {len(row)}"))
    return out


def messy_csv(rng, header: list[str], rows: int, eol: str) -> str:
    values = ["A", "甲乙", "  ", "", "１２３", "x y", 'say "hi"', "a,b", "第一行\r\n第二行", "x\ny", "\r", "末\r"]
    lines = [",".join(header) + ("," if rng.random() < 0.3 else "")]
    for _ in range(rows):
        r = rng.random()
        if r < 0.05:
            lines.append("")
            continue
        if r < 0.08:
            lines.append(",," if rng.random() < 0.5 else "   ")
            continue
        n = len(header) if r < 0.85 else rng.choice([1, 2, len(header) + 1, len(header) + 2])
        cells = []
        for _ in range(n):
            v = rng.choice(values)
            cells.append('"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') or rng.random() < 0.1 else v)
        lines.append(",".join(cells))
    return eol.join(lines) + (eol if rng.random() < 0.7 else "")


@pytest.mark.parametrize("seed", range(12))
def test_records_and_lines_match_the_csv_module_across_arrow_blocks(tmp_path, monkeypatch, seed):
    """Small Arrow blocks put block boundaries everywhere: inside quoted line breaks, between a
    record and the blank lines or broken records around it. Line numbers must not drift."""
    import random

    import kpi.loaders.readers as readers

    rng = random.Random(seed)
    monkeypatch.setattr(readers, "_ARROW_BLOCK", rng.choice([256, 512, 1000]))
    monkeypatch.setattr(readers, "_DECODE_BLOCK", rng.choice([7, 100, 4096]))
    encoding, eol = [("cp950", "\r\n"), ("utf-8", "\n"), ("cp950", "\r"), ("utf-8-sig", "\r\n")][seed % 4]
    path = write(tmp_path, "r.csv", messy_csv(rng, SMALL, 300, eol), encoding)
    chunks = list(read_csv(path, SMALL, chunk_rows=rng.choice([1, 7, 50, 1000])))
    got = [(r["_record"], [r[c] for c in SMALL], r["_error"]) for c in chunks for r in c.to_pylist()]
    assert got == reference_records(path, SMALL, "utf-8-sig" if encoding.startswith("utf-8") else encoding)
    assert all(len(c) == len(chunks[0]) for c in chunks[:-1])

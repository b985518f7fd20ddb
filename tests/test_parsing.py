"""kpi.loaders.parsing: every date form of docs/sources.md#date-formats, the typing quirks of hand-kept sheets, numbers
as spreadsheets export them, and the (values, errors) contract (two Arrow arrays as long as the input)."""
from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kpi.loaders import parsing

TAIPEI = ZoneInfo("Asia/Taipei")


def one(parser, text, **kwargs):
    values, errors = parser(pd.Series([text], dtype=object), **kwargs)
    assert len(values) == len(errors) == 1 and errors.type == pa.string()
    return values[0].as_py(), errors[0].as_py()


def as_date(value) -> date:
    return pd.Timestamp(value).date()


# -- normalize_text ---------------------------------------------------------------------------
def test_normalize_text_strips_and_narrows_full_width():
    s = pd.Series(["\u3000１１４／０３／０５\u3000", "  K2.2 ", "ＡＢＣ：－．，", "a  b", "", "   ", None,
                   "綜合發展處"], dtype=object)
    out = parsing.normalize_text(s).to_pylist()
    assert out[:4] == ["114/03/05", "K2.2", "ABC:-.,", "a  b"]
    assert out[4:7] == [None, None, None]
    assert out[7] == "綜合發展處"
    assert len(out) == len(s)


def test_normalize_text_strips_what_str_strip_strips_and_narrows_only_full_width_ascii():
    assert set(parsing.WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    samples = [ws + "x" + ws for ws in parsing.WHITESPACE] + [chr(c) for c in range(0xFF00, 0xFF70)] + [
        "\u3000中\u3000文\u3000", "ｶﾀｶﾅ", "①②", "ﬁ", "Ⅻ", "\u200b\u200bx", "\x1cx\x1f", "全形，逗號"]
    expected = [t.translate(parsing._HALF_WIDTH).strip() or None for t in samples]
    assert parsing.normalize_text(samples).to_pylist() == expected


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["114/03/05", "114/3/5", "1140305", "2025-03-05", "20250305", "2025/3/5",
                                  "１１４／０３／０５", " 114/03/05 ", "\u3000114/3/5", "114/03/05 00:00"])
def test_parse_date_every_form_of_the_spec(text):
    value, error = one(parsing.parse_date, text)
    assert error is None
    assert as_date(value) == date(2025, 3, 5)


@pytest.mark.parametrize("text", ["114/02/30", "1141301", "114/13/05", "114/00/10", "114/04/31", "2025-02-29",
                                  "000/01/01", "114-03/05", "114/03/05/01", "114.3", "yesterday", "11403051",
                                  "114/03/05 25:00", "２０２５年３月５日", "2025-03-05T10:00+15:00"])
def test_parse_date_rejects_impossible_and_malformed_dates(text):
    value, error = one(parsing.parse_date, text)
    assert value is None
    assert error == "not a date"


@pytest.mark.parametrize("text, expected", [("2024-02-29", date(2024, 2, 29)), ("113/02/29", date(2024, 2, 29)),
                                            ("1130229", date(2024, 2, 29)), ("2000/2/29", date(2000, 2, 29))])
def test_parse_date_leap_days(text, expected):
    value, error = one(parsing.parse_date, text)
    assert error is None and as_date(value) == expected


def test_parse_date_leap_day_of_a_common_year_is_bad():
    for text in ("2025-02-29", "114/02/29", "1900-02-29"):
        assert one(parsing.parse_date, text) == (None, "not a date")


def test_parse_date_values_are_naive_midnight_and_blank_is_not_an_error():
    s = pd.Series(["114/03/05", "", None, "   ", "\u3000", np.nan, "114/02/30"], index=[10, 11, 12, 13, 14, 15, 16],
                  dtype=object)
    values, errors = parsing.parse_date(s)
    assert values.type == pa.date32()
    assert values[0].as_py() == date(2025, 3, 5)
    assert len(values) == len(errors) == 7
    assert values.to_pylist()[1:] == [None] * 6
    assert errors.to_pylist() == [None] * 6 + ["not a date"]


def test_parse_date_roc_two_digit_year():
    value, error = one(parsing.parse_date, "99/12/31")
    assert error is None and as_date(value) == date(2010, 12, 31)


# -- datetimes --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("114/03/05 14:22", datetime(2025, 3, 5, 14, 22)),
    ("114/03/05 14:22:10", datetime(2025, 3, 5, 14, 22, 10)),
    ("114/3/5 9:05", datetime(2025, 3, 5, 9, 5)),
    ("1140305142210", datetime(2025, 3, 5, 14, 22, 10)),
    ("2025-03-05 14:22:10", datetime(2025, 3, 5, 14, 22, 10)),
    ("2025/3/5 14:22", datetime(2025, 3, 5, 14, 22)),
    ("2025-03-05T14:22:10", datetime(2025, 3, 5, 14, 22, 10)),
    ("20250305142210", datetime(2025, 3, 5, 14, 22, 10)),
    ("114/03/05 00:00:10", datetime(2025, 3, 5, 0, 0, 10)),
    ("114/03/05 00:00", datetime(2025, 3, 5, 0, 0)),
    ("114/03/05", datetime(2025, 3, 5)),
    ("１１４／０３／０５　１４：２２", datetime(2025, 3, 5, 14, 22)),
    ("114/03/05  14:22", datetime(2025, 3, 5, 14, 22)),
])
def test_parse_datetime_forms_in_taipei_time(text, expected):
    value, error = one(parsing.parse_datetime, text)
    assert error is None
    assert value == pd.Timestamp(expected, tz=TAIPEI)
    assert str(value.tzinfo) == "Asia/Taipei"


def test_parse_datetime_iso_offsets_are_converted_to_taipei():
    assert one(parsing.parse_datetime, "2025-03-05T06:22:10Z")[0] == pd.Timestamp("2025-03-05 14:22:10", tz=TAIPEI)
    assert one(parsing.parse_datetime, "2025-03-05T14:22:10.250+08:00")[0] == pd.Timestamp(
        "2025-03-05 14:22:10.25", tz=TAIPEI)


@pytest.mark.parametrize("text", ["114/03/05 24:00", "114/03/05 23:60", "114/03/05 12:00:60", "1140305250000",
                                  "114/02/30 10:00", "114/03/05 14", "114/03/05 14:2", "114/03/05T",
                                  "1979-07-01 00:30"])
def test_parse_datetime_rejects_impossible_times(text):
    # 1979-07-01 00:30 never happened in Taipei: the clocks went from 00:00 to 01:00 (DST).
    assert one(parsing.parse_datetime, text) == (None, "not a datetime")


def test_parse_datetime_dtype_is_tz_aware_taipei():
    values, errors = parsing.parse_datetime(pd.Series(["114/03/05 14:22", None], dtype=object))
    assert values.type == pa.timestamp("us", tz="Asia/Taipei")
    assert values.is_null().to_pylist() == [False, True] and errors.null_count == 2
    # stored as the UTC instant: 14:22 in Taipei is 06:22 UTC
    assert values.cast(pa.int64())[0].as_py() == int(datetime(2025, 3, 5, 6, 22).timestamp()) * 1_000_000


def test_parse_datetime_before_1980_follows_the_historic_offsets():
    # Taipei kept daylight saving time in 1979 (UTC+9 from July to September).
    value, error = one(parsing.parse_datetime, "1979-08-01 12:00")
    assert error is None and value == pd.Timestamp("1979-08-01 03:00", tz="UTC")
    assert one(parsing.parse_datetime, "68/08/01 12:00")[0] == value
    assert one(parsing.parse_datetime, "1980-08-01 12:00")[0] == pd.Timestamp("1980-08-01 04:00", tz="UTC")


# -- year-month -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["11403", "114/03", "114/3", "2025-03", "202503", "１１４０３"])
def test_parse_year_month(text):
    value, error = one(parsing.parse_year_month, text)
    assert error is None and value == date(2025, 3, 1)


@pytest.mark.parametrize("text", ["11413", "11400", "1140305", "114", "2025-13"])
def test_parse_year_month_rejects(text):
    assert one(parsing.parse_year_month, text) == (None, "not a year-month")


# -- numbers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [("1,234,567", 1234567), ("-", 0), (" 12 ", 12), ("12.0", 12), ("0", 0),
                                            ("-5", -5), ("(1,200)", -1200), ("+7", 7), ("１２", 12), ("12.000", 12)])
def test_parse_int(text, expected):
    value, error = one(parsing.parse_int, text)
    assert error is None and value == expected


@pytest.mark.parametrize("text, reason", [("12a", "not a number"), ("1.5", "not a whole number"),
                                          ("1,23", "not a number"), ("12 3", "not a number"), ("--", "not a number"),
                                          ("1e3", "not a number"), ("1234567890123456789", "more than 18 digits")])
def test_parse_int_errors_name_the_fault_not_the_value(text, reason):
    assert one(parsing.parse_int, text) == (None, reason)


def test_parse_int_dtype_and_blanks():
    values, errors = parsing.parse_int(pd.Series(["1,234", "", None, "x"], dtype=object))
    assert values.type == pa.int64()
    assert values.to_pylist() == [1234, None, None, None]
    assert errors.to_pylist() == [None, None, None, "not a number"]


@pytest.mark.parametrize("text, expected", [("1,234,567", 1234567.0), ("1,234,567.50", 1234567.5), ("-", 0.0),
                                            (" 12 ", 12.0), ("12.0", 12.0), ("(1,200.5)", -1200.5),
                                            ("-0.1", -0.1), ("0.3", 0.3), (".5", 0.5)])
def test_parse_amount(text, expected):
    value, error = one(parsing.parse_amount, text)
    assert error is None and value == expected


@pytest.mark.parametrize("text", ["12a", "1,2345", "(12", "-(12)", "1.2.3", "$12", "NaN", "inf"])
def test_parse_amount_errors(text):
    assert one(parsing.parse_amount, text) == (None, "not a number")


def test_parse_decimal_is_plain():
    assert one(parsing.parse_decimal, "0.5") == (0.5, None)
    assert one(parsing.parse_decimal, "-12.25") == (-12.25, None)
    for text in ("1,234", "-", "(5)"):
        assert one(parsing.parse_decimal, text) == (None, "not a number")


# -- flags and code lists ---------------------------------------------------------------------
def test_parse_bool():
    values, errors = parsing.parse_bool(pd.Series(["是", " 否 ", "", "Y"], dtype=object))
    assert values.type == pa.bool_()
    assert values.to_pylist() == [True, False, None, None]
    assert errors.to_pylist() == [None, None, None, "not one of 是/否"]


def test_parse_choice():
    allowed = ["處理中", "已結案", "已撤案"]
    values, errors = parsing.parse_choice(pd.Series(["處理中", " 已結案", "xx", None], dtype=object), allowed)
    assert values.to_pylist() == ["處理中", "已結案", None, None]
    assert errors.to_pylist() == [None, None, "not one of 處理中/已結案/已撤案", None]


# -- whole columns ----------------------------------------------------------------------------
def test_mixed_column_keeps_rows_apart():
    """Rows of different shapes in one column land on their own index positions."""
    texts = ["114/03/05", "2024-02-29", "bad", "1130101", "", "114/3/5 10:00", "114/02/30"] * 3
    s = pd.Series(texts, index=range(100, 100 + len(texts)), dtype=object)
    values, errors = parsing.parse_date(s)
    expected = [date(2025, 3, 5), date(2024, 2, 29), None, date(2024, 1, 1), None, date(2025, 3, 5), None] * 3
    assert values.to_pylist() == expected
    assert errors.is_valid().to_pylist() == [False, False, True, False, False, False, True] * 3


def test_arrow_input_and_sliced_arrays():
    """The engine passes Arrow arrays, often slices of a bigger buffer."""
    column = pa.array(["x", "114/03/05", None, "2024-02-29 10:00", "114/13/01", "1,234"], pa.string())
    values, errors = parsing.parse_date(column.slice(1, 4))
    assert values.to_pylist() == [date(2025, 3, 5), None, date(2024, 2, 29), None]
    assert errors.to_pylist() == [None, None, None, "not a date"]
    assert parsing.parse_int(column.slice(5))[0].to_pylist() == [1234]
    chunked = pa.chunked_array([column.slice(0, 2), column.slice(2)])
    assert parsing.normalize_text(chunked).to_pylist() == [
        "x", "114/03/05", None, "2024-02-29 10:00", "114/13/01", "1,234"]


def test_str_dtype_input_works_like_object():
    s = pd.Series(["114/03/05", None], dtype="str")
    values, errors = parsing.parse_date(s)
    assert values.to_pylist() == [date(2025, 3, 5), None] and errors.null_count == 2


def test_throughput_is_printed(capsys):
    """Not asserted (machines differ); printed so a run shows the numbers (pytest -s)."""
    n = 1_000_000
    rng = np.random.default_rng(114)
    columns = {
        "parse_date": ["114/03/05", "114/3/5", "1140305", "2025-03-05", "20250305", ""],
        "parse_datetime": ["114/03/05 14:22:10", "114/03/05 14:22", "1140305142210", "2025-03-05T14:22:10"],
        "parse_amount": ["1,234,567", "23000000", "-", "(1,200)", "1,234,567.50"],
        "parse_int": ["1,234", "12", "-", "12.0", "85"],
    }
    lines = []
    for name, samples in columns.items():
        s = pd.Series(np.array(samples, dtype=object)[rng.integers(0, len(samples), n)], dtype="str")
        start = time.perf_counter()
        _values, errors = getattr(parsing, name)(s)
        seconds = time.perf_counter() - start
        assert errors.null_count == n
        lines.append(f"{name}: {n / seconds:,.0f} values/s")
    with capsys.disabled():
        print("\n" + "\n".join(lines))


# -- personal data (kpi.loaders.typed_rows) -----------------------------------------------------
def test_pseudonyms_are_hmac_sha256_of_the_normalised_identity():
    """The same person typed the same way gets the same pseudonym whatever the chunk: lower case,
    spaces, tabs, - ( ) ignored, full-width narrowed; nothing at all gives null. The key may be of
    any length (RFC 2104: a key longer than the block is hashed first)."""
    import hashlib
    import hmac

    from kpi.loaders import typed_rows

    names = ["王小明", " 王小明 ", "Ａｌｉｃｅ", "alice", "ΑΣ Σ", None, ""]
    phones = ["0912-345-678", "0912345678", "(02) 1234", "02 1234", "", None, ""]
    mails = ["A@B.TW", "a@b.tw", "", "", "x", None, " "]

    def expected(key, name, phone, mail):
        fields = [(str(v).translate(parsing._HALF_WIDTH).strip() if v is not None else "") for v in (name, phone, mail)]
        identity = "|".join(fields).lower().translate(str.maketrans("", "", " \t-()"))
        return hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest() if identity.strip("|") else None

    for key in (b"k", b"x" * 64, b"y" * 100, "測試金鑰".encode()):
        got = typed_rows.pseudonymise([pa.array(names), pa.array(phones), pa.array(mails)], key).to_pylist()
        assert got == [expected(key, *row) for row in zip(names, phones, mails)]
        assert got[0] == got[1] and got[2] == got[3] and got[5] is None
        # a second chunk with the same people: the same pseudonyms (cached or not)
        assert typed_rows.pseudonymise([pa.array(names[::-1]), pa.array(phones[::-1]), pa.array(mails[::-1])],
                                       key).to_pylist() == got[::-1]


def test_pseudonyms_unchanged_since_the_hand_written_hmac():
    """Pseudonyms already in a warehouse must stay joinable: these digests were computed with the
    hand-written HMAC the loader used before the stdlib one (same key and identity, same bytes)."""
    from kpi.loaders import typed_rows

    for key, identity, digest in (
        (b"k", "王小明|0912345678|a@b.tw", "be6ed852856b0a279a94bca22665bbfbea453c6a71ec5659285b927cc731231e"),
        (b"y" * 100, "alice||", "f9aadd36cd0a877c1aaded6aa06c95681660d2c51557fbcfd0d3252c52e8f852"),
        ("測試金鑰".encode(), "||x", "13d4818686f208306217dcb3516e9202b106ba74f9c32dcbd70ef7736803910a"),
    ):
        fields = [pa.array([part]) for part in identity.split("|")]
        assert typed_rows.pseudonymise(fields, key).to_pylist() == [digest]


def test_district_of_address():
    from kpi.loaders import typed_rows

    addresses = ["基隆市中正區義一路1號", " 基隆市七堵區 ", "新北市板橋區文化路", "台北市", None, "某某縣三星區路",
                 "基隆市仁愛區愛一路"] * 2
    assert typed_rows.district_of(pa.array(addresses)).to_pylist() == [
        "中正區", "七堵區", "板橋區", None, None, "三星區", "仁愛區"] * 2

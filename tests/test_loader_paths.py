"""The fast load path (readers._Utf8Stream into Arrow's CSV reader, engine's binary COPY encoder)
against the plain reference path (kpi.loaders.reference: stdlib csv, text COPY row by row): random
hostile files are loaded both ways into the real embedded PostgreSQL and must give the same raw
rows, the same set-aside rows with the same reasons and lines, and the same load result.

Hostile means: quotes (doubled, stray inside a value, after a closing quote), line breaks inside
values (\\r\\n, \\n, a lone \\r), records ended by \\r\\n, \\n or a lone \\r, blank and comma-only
lines, records with too few or too many fields, Excel's trailing comma, empty and 100 KB values,
cp950's edge characters (碁銹裏墻恒粧嫺, full-width forms, 許功蓋 whose second byte is 0x5C `\\`),
UTF-8 with and without a BOM (characters cp950 lacks too), and numbers of every scale.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpi import config, warehouse
from kpi.loaders import engine
from kpi.loaders.spec import load_sources

EXAMPLES = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])

# characters every file may hold (all in cp950): cp950's edge cases and what breaks CSV
CP950_EDGE = [*"碁銹裏墻恒粧嫺許功蓋餐閱珮髏ＡＺａ１９，（）＼＃－＿　、。「」", "\u2027", "\u2574", "\uff5e"]
CSV_HOSTILE = [",", '"', "\r", "\n", "\r\n", " ", "\t", "\\", "'", ";"]
PLAIN = list("abcKL0123456789-/: 基隆市中正區路號")
# characters only a UTF-8 file can hold (cp950 lacks them)
UTF8_ONLY = ["𠀀", "😀", "é", "\u00a0", "\u200b", "堃"]


@pytest.fixture(scope="module")
def landing(warehouse_db, tmp_path_factory, monkeypatch_module) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(folder))
    return folder


def _text(draw, utf8: bool, huge: bool = True) -> str:
    alphabet = CP950_EDGE + CSV_HOSTILE + PLAIN + (UTF8_ONLY if utf8 else [])
    if huge and draw(st.integers(0, 60)) == 0:
        return draw(st.sampled_from(CP950_EDGE)) * 50_000      # 100 KB in cp950, 150 KB in UTF-8
    return "".join(draw(st.lists(st.sampled_from(alphabet), max_size=12)))


def _one_of(draw, good: list[str], utf8: bool) -> str:
    """Mostly a value the column takes, sometimes anything."""
    return draw(st.sampled_from(good)) if draw(st.integers(0, 24)) else _text(draw, utf8, huge=False)


def _field(draw, value: str) -> str:
    """A value as a CSV writer, or a sloppy one, puts it in a file."""
    must = any(c in value for c in ',"\r\n')
    style = draw(st.integers(0, 39))
    if must or style == 0:
        return '"' + value.replace('"', '""') + '"'
    if style == 1 and value and not value.startswith('"'):
        return value[: len(value) // 2] + '"' + value[len(value) // 2:]      # a stray quote
    if style == 2 and value:
        return '"' + value + '"' + "x"                                      # text after a closing quote
    return value


def _file(draw, header: list[str], row_values, codecs: list[str]) -> tuple[bytes, str]:
    codec = draw(st.sampled_from(codecs))
    utf8 = codec != "cp950"
    trailing = "," if draw(st.booleans()) else ""          # Excel's empty trailing column
    lines = [",".join(header) + trailing]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 12))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", ",,,,", "  ", " , ,\t", '""', "\u3000"])))
            continue
        values = row_values(draw, utf8)
        if kind == 1:
            values = values[: draw(st.integers(0, len(values) - 1))]                 # too few fields
        elif kind == 2:
            values = values + [_text(draw, utf8, huge=False) for _ in range(draw(st.integers(1, 3)))]
        line = ",".join(_field(draw, v) for v in values)
        lines.append(line + (trailing if kind > 2 else ""))
    ends = [draw(st.sampled_from(["\r\n", "\n", "\r"])) for _ in lines]
    if not draw(st.booleans()):
        ends[-1] = ""                                       # no line break at the end
    text = "".join(line + end for line, end in zip(lines, ends))
    data = text.encode("utf-8" if utf8 else "cp950")
    return (b"\xef\xbb\xbf" + data if codec == "utf-8-sig" else data), codec


def _roc(draw, with_time: bool = True) -> str:
    y, m, d = draw(st.integers(110, 114)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    day = draw(st.sampled_from([f"{y}/{m:02d}/{d:02d}", f"{y}/{m}/{d}", f"{y}{m:02d}{d:02d}"]))
    if not with_time:
        return day
    h, mi, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    return f"{day} {h:02d}:{mi:02d}" + (f":{s:02d}" if draw(st.booleans()) else "")


def _petition(draw, utf8: bool) -> list[str]:
    status = _one_of(draw, ["處理中", "已結案", "已撤案"], utf8)
    return [
        _one_of(draw, [f"KL114{draw(st.integers(0, 99999)):07d}"], utf8),
        _one_of(draw, ["1999市民熱線", "市長信箱", "臨櫃", "書面", "電子郵件", "其他"], utf8),
        _text(draw, utf8), _text(draw, utf8),
        _one_of(draw, [_roc(draw)], utf8),
        _one_of(draw, ["KL0100", "KL0200", "KL1300"], utf8),
        _text(draw, utf8),
        _one_of(draw, ["", _roc(draw, with_time=False)], utf8),
        status,
        _one_of(draw, ["", _roc(draw)] if status != "已結案" else [_roc(draw)], utf8),
        _text(draw, utf8), _text(draw, utf8), _text(draw, utf8),
        _one_of(draw, ["基隆市中正區義一路1號", "基隆市七堵區", "台北市大安區", ""], utf8)
        + _text(draw, utf8, huge=False),
        _one_of(draw, [_roc(draw)], utf8),
    ]


def _number(draw) -> str:
    """Decimals of every scale and size the parser takes, and some it refuses."""
    whole = draw(st.integers(0, 10**15))
    places = draw(st.integers(0, 6))
    frac = f".{draw(st.integers(0, 10**places - 1)):0{places}d}" if places else ""
    sign = "-" if draw(st.integers(0, 4)) == 0 else ""
    return draw(st.sampled_from([f"{sign}{whole}{frac}", f"{sign}{whole % 1000}{frac}", "0", "0.0", "",
                                 "1e5", "12,345", "0.1", "0.30000000000000004", "９９．５"]))


def _register_entry(draw, utf8: bool) -> list[str]:
    return [
        _one_of(draw, ["K2.2", "K6.2", "K1.1", "X9.9"], utf8),
        _one_of(draw, [_roc(draw, with_time=False), "2025-03-05"], utf8),
        _text(draw, utf8), _text(draw, utf8),
        _number(draw), _number(draw),
        _one_of(draw, ["", _roc(draw, with_time=False)], utf8),
        _text(draw, utf8), _text(draw, utf8),
        _one_of(draw, ["", _roc(draw)], utf8),
    ]


def _snapshot(source_name: str) -> dict:
    source = load_sources()[source_name]
    with warehouse.connect() as conn:
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = %s "
            "and column_name not in ('_load_id', '_loaded_at') order by ordinal_position",
            (source.raw_table,)).fetchall()]
        rows = conn.execute(f'select {", ".join(f"{chr(34)}{c}{chr(34)}::text" for c in columns)} '
                            f"from raw.{source.raw_table} order by _object, _record").fetchall()
        rejected = conn.execute("select object_name, record_ref, line, reason, row_data from raw.rejected_rows "
                                "where source = %s order by object_name, record_ref", (source_name,)).fetchall()
    return {"rows": rows, "rejected": rejected}


def _both_ways(landing: Path, source_name: str, relative: str, data: bytes) -> tuple[dict, dict]:
    target = landing / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    outcome = {}
    for path in config.LOADER_PATHS:
        result = engine.load(source_name, force=True, loader_path=path).as_dict()
        outcome[path] = {"result": result, **_snapshot(source_name)}
    fast = outcome["fast"]["result"]
    # what the examples exercise (pytest --hypothesis-show-statistics)
    event(f"rows loaded: {'some' if fast['rows_loaded'] else 'none'}")
    event(f"rows set aside: {'some' if fast['rows_rejected'] else 'none'}")
    return outcome["fast"], outcome["reference"]


@st.composite
def petitions_files(draw):
    header = ["案件編號", "來源管道", "案件主類別", "案件次類別", "受理日期", "承辦機關代碼", "承辦機關", "限辦日期",
              "處理狀態", "結案日期", "陳情人姓名", "聯絡電話", "電子郵件", "地址", "最後更新時間"]
    return _file(draw, header, _petition, ["cp950", "cp950", "utf-8", "utf-8-sig"])


@st.composite
def register_files(draw):
    header = ["指標代碼", "辦理日期", "辦理單位", "辦理事項", "數值", "分母", "有效期限", "佐證連結", "填報人",
              "填報時間"]
    return _file(draw, header, _register_entry, ["utf-8-sig", "utf-8", "cp950"])


@EXAMPLES
@given(petitions_files())
def test_hostile_petitions_files_load_the_same_by_both_paths(landing, generated):
    data, _codec = generated
    fast, plain = _both_ways(landing, "petitions", "petitions/petitions_20250305.csv", data)
    assert fast["result"]["objects_failed"] == 0, fast["result"]["failures"]
    assert fast == plain


@EXAMPLES
@given(register_files())
def test_hostile_register_files_load_the_same_by_both_paths(landing, generated):
    data, _codec = generated
    fast, plain = _both_ways(landing, "register", "register/kpi_register.csv", data)
    assert fast["result"]["objects_failed"] == 0, fast["result"]["failures"]
    assert fast == plain


def test_the_loader_path_setting(monkeypatch):
    monkeypatch.delenv("KPI_LOADER_PATH", raising=False)
    assert config.loader_path() == "fast"
    monkeypatch.setenv("KPI_LOADER_PATH", " Reference ")
    assert config.loader_path() == "reference"
    monkeypatch.setenv("KPI_LOADER_PATH", "slow")
    with pytest.raises(Exception, match="KPI_LOADER_PATH must be one of fast, reference, got 'slow'"):
        config.loader_path()

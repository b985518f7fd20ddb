"""A petitions file of one enormous line among the night's files: it fails with a reason naming the
file and the line, every other file loads, and the process ends cleanly — every time. The loads run
in a subprocess, so that a crash of the process (an Arrow thread left calling into an exiting
interpreter) shows as a failed test, not a dead test session."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from kpi import warehouse

HEADER = ("案件編號,來源管道,案件主類別,案件次類別,受理日期,承辦機關代碼,承辦機關,限辦日期,處理狀態,結案日期,"
          "陳情人姓名,聯絡電話,電子郵件,地址,最後更新時間")
LONG = "petitions/petitions_20250301.csv"
LATER = [f"petitions/petitions_2025030{d}.csv" for d in (2, 3, 4)]
ROWS_PER_FILE = 5
RUNS = 20
REASON = f"line 2 of {LONG.split('/')[1]} is longer than 1 MB"


@pytest.fixture(scope="module")
def landing(warehouse_db, tmp_path_factory, monkeypatch_module):
    """The 50 MB file (written once for the module: a header, then 50 MB without a line break)
    dated before three small valid files."""
    folder = tmp_path_factory.mktemp("landing")
    monkeypatch_module.setenv("KPI_LANDING_DIR", str(folder))
    (folder / "petitions").mkdir()
    with open(folder / LONG, "wb") as fh:
        fh.write(HEADER.encode("cp950") + b"\r\n")
        piece = "KL114030100001,臨櫃,道路維修,路面坑洞,".encode("cp950") * 4096
        for _ in range((50 << 20) // len(piece)):
            fh.write(piece)
    for day, name in enumerate(LATER, start=2):
        rows = [f"KL11403{day:02d}{k:05d},臨櫃,道路維修,路面坑洞,114/03/{day:02d} 09:00,KL0300,綜合發展處,,處理中,,"
                f"王小明,0912345678,a@example.tw,基隆市中正區中正路1號,114/03/{day:02d} 10:00"
                for k in range(ROWS_PER_FILE)]
        (folder / name).write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp950"))
    return folder


LOOP = textwrap.dedent(f"""
    import json
    from kpi.loaders import engine
    for run in range({RUNS}):
        try:
            result = engine.load("petitions", force=True)
            print(json.dumps({{"loaded": result.objects_loaded, "rows": result.rows_loaded,
                              "failures": result.failures}}, ensure_ascii=False), flush=True)
        except Exception as exc:
            print(json.dumps({{"exception": f"{{type(exc).__name__}}: {{exc}}"}}), flush=True)
""")


def test_a_file_of_one_enormous_line_fails_alone_every_time(landing):
    res = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True, timeout=600)
    runs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    raised = [run["exception"] for run in runs if "exception" in run]
    assert (res.returncode, len(runs), raised) == (0, RUNS, []), (
        f"exit code {res.returncode}, {len(raised)} of {len(runs)} loads raised {raised[:1]}", res.stderr[-2000:])
    for run in runs:
        assert run["loaded"] == len(LATER) and run["rows"] == len(LATER) * ROWS_PER_FILE, run
        (name, error), = run["failures"]
        assert name == LONG and REASON in error, run
    with warehouse.connect() as conn:
        ledger = conn.execute("select object_name, status, error from raw.load_ledger where source = 'petitions'"
                              ).fetchall()
        loaded = conn.execute("select _object, count(*) from raw.petitions__case_versions group by 1").fetchall()
    assert sorted((name, status) for name, status, _ in ledger) == sorted(
        [(LONG, "failed")] * RUNS + [(name, "loaded") for name in LATER] * RUNS)
    assert all(REASON in error for name, _, error in ledger if name == LONG)
    assert dict(loaded) == {name: ROWS_PER_FILE for name in LATER}

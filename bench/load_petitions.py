"""Load speed of the pipeline against a bare PostgreSQL COPY of the same rows, in the same run.

Usage: .venv/bin/python bench/load_petitions.py [--rows 250000 1000000] [--repeat 3]

For each size, writes a petitions export of N rows (cp950, the S2 format with personal data), then,
`--repeat` times each, one after the other on the same file:
1. bare COPY: the file's bytes straight into a 15-column text table (COPY ... ENCODING 'WIN950'),
2. the pipeline: engine.load('petitions') into an empty raw table — decode, check the header, type
   and check every column, pseudonymise the petitioner, keep the district, COPY the good rows, set
   aside the bad ones — in a fresh Python process, so that its memory is the load's own (not the
   export writer's),
and prints rows/s of the best run of each and their ratio (target: pipeline >= 0.5x bare COPY),
plus the load process's memory before the load (imports, connection) and at its peak. The file is
read in chunks, so the peak stays the same whatever the file size.
Runs in its own database `bench` on the project's warehouse (started if needed).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kpi.labels import ROC_OFFSET

HEADER = ["案件編號", "來源管道", "案件主類別", "案件次類別", "受理日期", "承辦機關代碼", "承辦機關", "限辦日期",
          "處理狀態", "結案日期", "陳情人姓名", "聯絡電話", "電子郵件", "地址", "最後更新時間"]


def write_export(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic S2 export: ROC datetimes with and without seconds, blanks, mixed channels."""
    rng = np.random.default_rng(seed)
    base = pd.Timestamp("2025-01-01")
    chunk = 200_000
    with open(path, "w", encoding="cp950", newline="") as fh:
        fh.write(",".join(HEADER) + "\r\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            seq = np.arange(start, start + n)
            received = base + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s")
            updated = received + pd.to_timedelta(rng.integers(60, 30 * 86400, n), unit="s")
            closed_mask = rng.random(n) < 0.6

            def roc(ts: pd.DatetimeIndex, seconds=True) -> pd.Series:
                fmt = "%m/%d %H:%M:%S" if seconds else "%m/%d %H:%M"
                return pd.Series((ts.year - ROC_OFFSET).astype(str)) + "/" + pd.Series(ts.strftime(fmt))

            frame = pd.DataFrame({
                "案件編號": "KL" + pd.Series(seq).astype(str).str.zfill(12),
                "來源管道": rng.choice(["1999市民熱線", "市長信箱", "臨櫃", "書面", "電子郵件", "其他"], n),
                "案件主類別": rng.choice(["道路維修", "環境衛生", "噪音", "交通", "社會福利"], n),
                "案件次類別": rng.choice(["路面坑洞", "垃圾清運", "施工噪音", "號誌故障", "補助申請"], n),
                "受理日期": roc(received, seconds=True),
                "承辦機關代碼": rng.choice([f"KL{i:02d}00" for i in range(1, 21)], n),
                "承辦機關": "某處",
                "限辦日期": np.where(rng.random(n) < 0.5, "", roc(received + pd.Timedelta(days=10)).str[:9]),
                "處理狀態": np.where(closed_mask, "已結案", "處理中"),
                "結案日期": np.where(closed_mask, roc(updated, seconds=False), ""),
                "陳情人姓名": "陳情人" + pd.Series(seq % 50_000).astype(str),
                "聯絡電話": "09" + pd.Series(seq % 50_000).astype(str).str.zfill(8),
                "電子郵件": "p" + pd.Series(seq % 50_000).astype(str) + "@mail.example.tw",
                "地址": "基隆市"
                + pd.Series(rng.choice(["中正區", "七堵區", "暖暖區", "仁愛區", "中山區", "安樂區", "信義區"], n))
                        + "測試路" + pd.Series(seq % 500).astype(str) + "號",
                "最後更新時間": roc(updated, seconds=True),
            })
            frame.to_csv(fh, header=False, index=False, lineterminator="\r\n")


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_in_this_process() -> None:
    """The child: engine.load('petitions') alone, reporting time and memory as one JSON line."""
    from kpi import warehouse
    from kpi.loaders import engine

    with warehouse.connect() as conn:   # connect once so the baseline includes the driver
        conn.execute("select 1")
    before = _rss_mb()
    started = time.monotonic()
    result = engine.load("petitions")
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_before": before, "rss_peak": peak, **result.as_dict()}))


def bare_copy(export: Path) -> float:
    """Seconds for the file's bytes straight into a 15-column text table."""
    from kpi import warehouse

    with warehouse.connect(autocommit=True) as conn:
        conn.execute("drop table if exists raw.bench_bare_copy")
        conn.execute("create table raw.bench_bare_copy (" + ", ".join(f'"{h}" text' for h in HEADER) + ")")
        # Each COPY starts with no dirty pages left by the previous step (the export, the other COPY).
        conn.execute("checkpoint")
        started = time.monotonic()
        with conn.cursor() as cur, open(export, "rb") as fh:
            with cur.copy("copy raw.bench_bare_copy from stdin (format csv, header true, encoding 'WIN950')") as cp:
                while block := fh.read(1 << 20):
                    cp.write(block)
        seconds = time.monotonic() - started
        conn.execute("drop table raw.bench_bare_copy")
    return seconds


def pipeline(landing: Path, rows: int) -> dict:
    """engine.load('petitions') of a fresh raw table, in a process of its own."""
    from kpi import warehouse

    with warehouse.connect(autocommit=True) as conn:
        conn.execute("drop table if exists raw.petitions__case_versions")
        conn.execute("delete from raw.rejected_rows where source = 'petitions'")
        conn.execute("delete from raw.load_ledger where source = 'petitions'")
        conn.execute("checkpoint")
    child = subprocess.run([sys.executable, __file__, "--load-only"], capture_output=True, text=True,
                           env={**os.environ, "KPI_LANDING_DIR": str(landing)}, check=False)
    if child.returncode:
        sys.exit(f"the pipeline load failed:\n{child.stderr[-3000:]}")
    load = json.loads(child.stdout.strip().splitlines()[-1])
    assert load["rows_read"] == rows and load["objects_failed"] == 0, load
    return load


def bench(rows: int, tmp: Path, repeat: int) -> dict:
    landing = tmp / f"landing_{rows}"
    (landing / "petitions").mkdir(parents=True)
    export = landing / "petitions" / "petitions_20251231.csv"
    started = time.monotonic()
    write_export(export, rows)
    size = export.stat().st_size
    print(f"wrote {rows:,} rows, {size / 1e6:.0f} MB in {time.monotonic() - started:.1f} s", flush=True)
    bare, loads = [], []
    for attempt in range(repeat):
        bare.append(bare_copy(export))
        loads.append(pipeline(landing, rows))
        print(f"  run {attempt + 1}: bare COPY {bare[-1]:.2f} s, pipeline {loads[-1]['seconds']:.2f} s "
              f"(peak RSS {loads[-1]['rss_peak']:.0f} MB)", flush=True)
    export.unlink()
    best = min(loads, key=lambda load: load["seconds"])
    return {"rows": rows, "mb": size / 1e6, "bare": min(bare), **best,
            "rss_peak": max(load["rss_peak"] for load in loads)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best time of each is compared")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("KPI_WAREHOUSE_DB", "bench")
    os.environ.setdefault("KPI_PII_KEY", "benchmark-key")
    if args.load_only:
        load_in_this_process()
        return
    from kpi import warehouse

    warehouse.up()
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(rows, Path(tmp), args.repeat) for rows in args.rows]
    print()
    print(f"best of {args.repeat} runs each; the load runs in a process of its own (its RSS: imports and connection "
          f"before the load, then the peak)")
    print(f"{'rows':>10} {'file':>7} {'bare COPY':>22} {'pipeline':>22} {'ratio':>6}   load process RSS")
    for r in results:
        n = r["rows"]
        print(f"{n:>10,} {r['mb']:>4.0f} MB {n / r['bare']:>10,.0f} rows/s {r['bare']:>4.1f} s "
              f"{n / r['seconds']:>10,.0f} rows/s {r['seconds']:>4.1f} s {r['bare'] / r['seconds']:>5.2f}x   "
              f"{r['rss_before']:.0f} MB before, peak {r['rss_peak']:.0f} MB")
    print(f"(target: pipeline >= 0.5x bare COPY; loaded {results[-1]['rows_loaded']:,}, "
          f"set aside {results[-1]['rows_rejected']:,} of the last file)")


if __name__ == "__main__":
    main()

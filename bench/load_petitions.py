"""Load speed of the pipeline against a bare PostgreSQL COPY of the same rows, in the same run.

Usage: .venv/bin/python bench/load_petitions.py [--rows 1000000]

Writes a petitions export of N rows (cp950, the S2 format with personal data), then
1. bare COPY: the file's bytes straight into a 15-column text table (COPY ... ENCODING 'WIN950'),
2. the pipeline: engine.load('petitions') — decode, check the header, type and check every column,
   pseudonymise the petitioner, keep the district, COPY the good rows, set aside the bad ones,
and prints rows/s of each and their ratio (target: pipeline >= 0.5x bare COPY), plus the peak memory
of the process (the file is read in chunks, so memory stays flat as files grow).
Runs in its own database `bench` on the project's warehouse (started if needed).
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

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
                return pd.Series((ts.year - 1911).astype(str)) + "/" + pd.Series(ts.strftime(fmt))

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
                "地址": "基隆市" + pd.Series(rng.choice(["中正區", "七堵區", "暖暖區", "仁愛區", "中山區", "安樂區", "信義區"], n))
                        + "測試路" + pd.Series(seq % 500).astype(str) + "號",
                "最後更新時間": roc(updated, seconds=True),
            })
            frame.to_csv(fh, header=False, index=False, lineterminator="\r\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("KPI_WAREHOUSE_DB", "bench")
    os.environ.setdefault("KPI_PII_KEY", "benchmark-key")
    from kpi import warehouse
    from kpi.loaders import engine

    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        (landing / "petitions").mkdir(parents=True)
        export = landing / "petitions" / "petitions_20251231.csv"
        started = time.monotonic()
        write_export(export, args.rows)
        print(f"wrote {args.rows:,} rows, {export.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.1f} s")
        os.environ["KPI_LANDING_DIR"] = str(landing)
        warehouse.up()
        with warehouse.connect(autocommit=True) as conn:
            conn.execute("drop table if exists raw.petitions__case_versions")
            conn.execute("delete from raw.rejected_rows where source = 'petitions'")
            conn.execute("delete from raw.load_ledger where source = 'petitions'")
            conn.execute("drop table if exists raw.bench_bare_copy")
            conn.execute("create table raw.bench_bare_copy (" + ", ".join(f'"{h}" text' for h in HEADER) + ")")
            started = time.monotonic()
            with conn.cursor() as cur, open(export, "rb") as fh:
                with cur.copy("copy raw.bench_bare_copy from stdin (format csv, header true, encoding 'WIN950')") as cp:
                    while block := fh.read(1 << 20):
                        cp.write(block)
            bare = time.monotonic() - started
            conn.execute("drop table raw.bench_bare_copy")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.monotonic()
        result = engine.load("petitions")
        pipeline = time.monotonic() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert result.rows_read == args.rows and result.objects_failed == 0, result.as_dict()
        print(f"bare COPY:  {args.rows / bare:>10,.0f} rows/s ({bare:.1f} s)")
        print(f"pipeline:   {args.rows / pipeline:>10,.0f} rows/s ({pipeline:.1f} s; loaded {result.rows_loaded:,}, "
              f"set aside {result.rows_rejected:,})")
        print(f"ratio:      {bare / pipeline:.2f}x bare COPY (target >= 0.5x)")
        print(f"peak RSS:   {rss_before:.0f} MB before the load, {rss_after:.0f} MB after")


if __name__ == "__main__":
    main()

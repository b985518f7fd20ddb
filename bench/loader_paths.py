"""The fast load path against the plain reference path and a bare COPY, on the same petitions file.

Usage: .venv/bin/python bench/loader_paths.py [--rows 20000 250000] [--repeat 3]

For each size, writes a petitions export of N rows (cp950, the S2 format with personal data, as
bench/load_petitions.py writes it), then `--repeat` times each, one after the other on that file:
1. bare COPY: the file's bytes straight into a 15-column text table (COPY ... ENCODING 'WIN950'),
2. fast: engine.load('petitions', loader_path='fast') — Arrow's CSV reader fed by
   readers._Utf8Stream, typed, rows sent by engine's binary COPY encoder,
3. reference: engine.load('petitions', loader_path='reference') — the stdlib csv module on the
   decoded file, the same typing, rows sent by a text COPY row by row (kpi.loaders.reference),
each load into an empty raw table in a fresh Python process (its peak RSS is the load's own), and
prints rows/s, seconds and peak RSS of the best run of each side by side. 20,000 rows is a
demo-scale day's file many times over; 250,000 a large backfill file.

The issue's rule (#14): keep the fast path only while this shows it is worth its lines.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_petitions import bare_copy, write_export  # a script beside this one

PATHS = ("fast", "reference")


def load_in_this_process(path: str) -> None:
    """The child: engine.load('petitions') by one path, reporting time and memory as one JSON line."""
    from kpi import warehouse
    from kpi.loaders import engine

    with warehouse.connect() as conn:
        conn.execute("select 1")
    started = time.monotonic()
    result = engine.load("petitions", loader_path=path)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_peak": peak, **result.as_dict()}))


def load(landing: Path, path: str, rows: int) -> dict:
    from kpi import warehouse

    with warehouse.connect(autocommit=True) as conn:
        conn.execute("drop table if exists raw.petitions__case_versions")
        conn.execute("delete from raw.rejected_rows where source = 'petitions'")
        conn.execute("delete from raw.load_ledger where source = 'petitions'")
        conn.execute("checkpoint")
    child = subprocess.run([sys.executable, __file__, "--load-only", path], capture_output=True, text=True,
                           env={**os.environ, "KPI_LANDING_DIR": str(landing)}, check=False)
    if child.returncode:
        sys.exit(f"the {path} load failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["rows_read"] == rows and result["objects_failed"] == 0, result
    return result


def bench(rows: int, tmp: Path, repeat: int) -> dict:
    landing = tmp / f"landing_{rows}"
    (landing / "petitions").mkdir(parents=True)
    export = landing / "petitions" / "petitions_20251231.csv"
    write_export(export, rows)
    out: dict = {"rows": rows, "mb": export.stat().st_size / 1e6, "bare": [], **{p: [] for p in PATHS}}
    for attempt in range(repeat):
        out["bare"].append(bare_copy(export))
        for path in PATHS:
            out[path].append(load(landing, path, rows))
        print(f"  {rows:,} rows, run {attempt + 1}: bare COPY {out['bare'][-1]:.2f} s, "
              + ", ".join(f"{p} {out[p][-1]['seconds']:.2f} s" for p in PATHS), flush=True)
    export.unlink()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 250_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best time of each is compared")
    parser.add_argument("--load-only", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("KPI_WAREHOUSE_DB", "bench")
    os.environ.setdefault("KPI_PII_KEY", "benchmark-key")
    if args.load_only:
        load_in_this_process(args.load_only)
        return
    from kpi import warehouse

    warehouse.up()
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(rows, Path(tmp), args.repeat) for rows in args.rows]
    print(f"\nbest of {args.repeat} runs each; each load in a process of its own (peak RSS of that process)")
    print(f"{'rows':>9} {'file':>7} | {'bare COPY':>23} | {'fast':>33} | {'reference':>33} | fast/ref")
    for r in results:
        n, bare = r["rows"], min(r["bare"])
        best = {p: min(r[p], key=lambda x: x["seconds"]) for p in PATHS}
        peak = {p: max(x["rss_peak"] for x in r[p]) for p in PATHS}
        cells = [f"{n / best[p]['seconds']:>9,.0f} rows/s {best[p]['seconds']:>5.2f} s {peak[p]:>5.0f} MB"
                 for p in PATHS]
        print(f"{n:>9,} {r['mb']:>4.1f} MB | {n / bare:>9,.0f} rows/s {bare:>4.2f} s | {cells[0]} | {cells[1]} | "
              f"{best['reference']['seconds'] / best['fast']['seconds']:>5.1f}x")


if __name__ == "__main__":
    main()

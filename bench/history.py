"""What history costs: one night, a year of as-of dates and the whole history in one dbt build,
the night at two data scales, and the DAG against the bare work, with the warehouse's peak memory
and temp files.

Usage: .venv/bin/python bench/history.py [--as-of 2025-11-25] [--scales 1,8] [--dag]
Uses the project's warehouse and landing directory as they are (run `make run` first); --scales
writes demo data at each scale into a throwaway landing directory and database per scale (slow at
scale 8); --dag also times `kpi run` against `kpi load` + one direct `dbt build` of the same night.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from kpi import dbt_render, warehouse

FIRST_DAY = date(2022, 1, 1)


class PeakRss:
    """Peak resident memory of this project's embedded warehouse (postmaster and its backends,
    summed) and of the dbt processes this script starts, sampled every 0.2 s."""

    def __init__(self):
        import psutil

        from kpi import config

        self.psutil, self.peak, self._stop = psutil, 0, threading.Event()
        pid_file = config.embedded_pgdata() / "postmaster.pid"
        self.postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def _servers(self):
        roots = [self.psutil.Process()]
        if self.postmaster:
            roots.append(self.psutil.Process(self.postmaster))
        found = []
        for root in roots:
            found += [root, *root.children(recursive=True)]
        return found

    def _run(self):
        while not self._stop.is_set():
            total = 0
            for proc in self._servers():
                try:
                    total += proc.memory_info().rss
                except self.psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def temp_bytes() -> int:
    with warehouse.connect() as conn:
        return conn.execute("select temp_bytes from pg_stat_database where datname = current_database()").fetchone()[0]


def build(first: date, last: date) -> dict:
    """One `dbt build` of the as-of dates [first, last]: seconds, peak server RSS, temp bytes."""
    before = temp_bytes()
    with tempfile.TemporaryDirectory() as target, PeakRss() as rss:
        started = time.monotonic()
        dbt_render.dbt("build", as_of=first, as_of_to=last, target_path=Path(target))
        seconds = time.monotonic() - started
    return {"seconds": seconds, "rss_mb": rss.peak / 2**20, "temp_mb": (temp_bytes() - before) / 2**20,
            "dates": (last - first).days + 1}


def kpi(*args: str, env: dict | None = None) -> float:
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).with_name("kpi")), *args], check=True, capture_output=True,
                   env={**os.environ, **(env or {})})
    return time.monotonic() - started


def scale_night(scale: float, as_of: date) -> float:
    """The night of `as_of` at a data scale, history already built: demo data and a database of
    its own, the whole history built once, then the night timed."""
    with tempfile.TemporaryDirectory() as landing:
        env = {"KPI_LANDING_DIR": landing, "KPI_WAREHOUSE_DB": f"bench_scale_{str(scale).replace('.', '_')}"}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            kpi("demo-data", "--until", as_of.isoformat(), "--scale", str(scale), "--force")
            kpi("up")
            kpi("load")
            build(FIRST_DAY, as_of - timedelta(days=1))
            return build(as_of, as_of)["seconds"]
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 11, 25))
    parser.add_argument("--scales", default="", help="e.g. 1,8: the night at each demo data scale")
    parser.add_argument("--dag", action="store_true", help="also time `kpi run` against the bare work")
    args = parser.parse_args()
    warehouse.up()
    d = args.as_of
    rows = []
    history = build(FIRST_DAY, d)
    night = build(d, d)
    year = build(d - timedelta(days=364), d)
    rows.append(("one night (dbt build of [d, d])", night, ""))
    rows.append(("backfill of 365 as-of dates, one build", year, f"{year['seconds'] / night['seconds']:.1f}× a night"))
    rows.append((f"whole history {FIRST_DAY} … {d}, one build", history,
                 f"{history['seconds'] / night['seconds']:.1f}× a night"))
    print(f"as-of {d}; peak RSS = all warehouse server processes together; temp = PostgreSQL temp files")
    print(f"{'':48} {'dates':>6} {'seconds':>8} {'peak RSS':>9} {'temp':>8}")
    for name, r, note in rows:
        print(f"{name:48} {r['dates']:>6} {r['seconds']:>8.1f} {r['rss_mb']:>7.0f}MB {r['temp_mb']:>6.0f}MB  {note}")
    if args.scales:
        nights = {float(s): scale_night(float(s), d) for s in args.scales.split(",")}
        for scale, seconds in nights.items():
            print(f"night at demo scale {scale:<4g} {'':27} {1:>6} {seconds:>8.1f}")
        lo, hi = min(nights), max(nights)
        print(f"scale {hi:g} night ÷ scale {lo:g} night: {nights[hi] / nights[lo]:.2f}×")
    if args.dag:
        dag = kpi("run", "--as-of", d.isoformat())
        bare = kpi("load") + build(d, d)["seconds"]
        print(f"kpi run through Airflow {dag:.1f} s; bare work (kpi load + dbt build) {bare:.1f} s: {dag / bare:.1f}×")


if __name__ == "__main__":
    main()

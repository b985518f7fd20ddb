"""Orchestration overhead: wall time of one night through Airflow (`kpi run`) beside the bare work of
the same night (`kpi load` plus one direct `dbt build` for the same as-of date).

Usage: .venv/bin/python bench/dag_vs_dbt.py [--as-of 2025-11-25] [--repeat 3]
Needs the demo landing data (`kpi demo-data`). Uses the project's warehouse (started if needed). A
first `kpi run`, not timed, loads every source and fills the history, so every timed night is a
steady-state one: nothing new to load, dbt for one date. The two are timed alternately, so load from
other jobs on the machine falls on both alike; the load average is printed with each timing.
To time another design of the DAG (e.g. main's), run this file with PYTHONPATH=<its checkout>/include.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kpi import dbt_render, warehouse

KPI = str(Path(sys.executable).with_name("kpi"))


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(fn) -> tuple[float, str]:
    before = load_average()
    started = time.monotonic()
    fn()
    return time.monotonic() - started, before


def kpi_run(as_of: date) -> None:
    """One night through Airflow in one process, as a user runs it."""
    res = subprocess.run([KPI, "run", "--as-of", as_of.isoformat()], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"kpi run failed:\n{res.stderr[-3000:]}")


def bare_work(as_of: date) -> None:
    """The same night's work without Airflow: the loads and one dbt build."""
    subprocess.run([KPI, "load"], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as target:
        dbt_render.dbt("build", as_of=as_of, target_path=Path(target))


def steady_night(repeat: int) -> argparse.Namespace:
    """The night benchmarks' options (--as-of, --repeat, --no-warmup) and their common start: the
    warehouse up, the manifest rendered, and unless --no-warmup a first, untimed `kpi run` that loads
    every source, so that each timed night has nothing new to load."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 11, 25))
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--no-warmup", action="store_true", help="skip the first, untimed `kpi run`")
    args = parser.parse_args()
    warehouse.up()
    dbt_render.ensure_manifest()
    if not args.no_warmup:
        print(f"warm-up kpi run: {timed(lambda: kpi_run(args.as_of))[0]:.1f} s", flush=True)
    return args


def main() -> None:
    args = steady_night(repeat=3)
    as_of = args.as_of.isoformat()

    def night():
        kpi_run(args.as_of)

    def bare():
        bare_work(args.as_of)

    dag, direct = [], []
    for n in range(args.repeat):
        dag.append(timed(night))
        direct.append(timed(bare))
        print(f"#{n + 1}: kpi run {dag[-1][0]:6.1f} s (load avg {dag[-1][1]})   "
              f"kpi load + dbt build {direct[-1][0]:6.1f} s (load avg {direct[-1][1]})", flush=True)
    d, b = statistics.median(t for t, _ in dag), statistics.median(t for t, _ in direct)
    print(f"as-of {as_of}, {args.repeat} runs each, DAG code {dbt_render.__file__}")
    print(f"kpi run (whole DAG through Airflow): median {d:6.1f} s")
    print(f"kpi load + one direct dbt build:     median {b:6.1f} s")
    print(f"overhead: {d / b:.2f}x the bare work")


if __name__ == "__main__":
    main()

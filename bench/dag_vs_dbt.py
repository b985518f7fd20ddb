"""Wall time of one nightly DAG run through Airflow beside one direct `dbt build` of the same project.

Usage: .venv/bin/python bench/dag_vs_dbt.py [--as-of 2025-11-25] [--repeat 2]
Needs the demo landing data (`kpi demo-data`). Uses the project's warehouse (started if needed).
The difference is what rendering each dbt node as its own Airflow task costs per night.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kpi import dbt_render, warehouse


def timed(fn) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 11, 25))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    warehouse.up()
    kpi = str(Path(sys.executable).with_name("kpi"))

    def dag_run():
        subprocess.run([kpi, "run", "--as-of", args.as_of.isoformat()], check=True, capture_output=True)

    def dbt_build():
        with tempfile.TemporaryDirectory() as target:
            dbt_render.dbt("build", as_of=args.as_of, target_path=Path(target))

    dag = [timed(dag_run) for _ in range(args.repeat)]
    dbt = [timed(dbt_build) for _ in range(args.repeat)]
    print(f"as-of {args.as_of}, {args.repeat} runs each")
    print(f"kpi run (whole DAG through Airflow): median {statistics.median(dag):6.1f} s  {['%.1f' % t for t in dag]}")
    print(f"direct dbt build (same project):     median {statistics.median(dbt):6.1f} s  {['%.1f' % t for t in dbt]}")


if __name__ == "__main__":
    main()

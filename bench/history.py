"""What history costs: one night, a year of as-of dates and the whole history in one dbt build,
the night at two data scales, and the DAG against the bare work, with the warehouse's peak memory
and temp files.

Usage: .venv/bin/python bench/history.py [--as-of 2025-11-25] [--scales 1,8 [--nights 3]] [--dag [--repeat 3]]
Uses the project's warehouse and landing directory as they are (run `make run` first); --scales
writes demo data at each scale into a throwaway landing directory and database per scale (slow at
scale 8; the scale part is the hook for the nightly-incrementality work: each scale gets its own
data and database, and the ratio of the largest to the smallest night is printed); --dag also times
`kpi run` against `kpi load` + one direct `dbt build` of the same night, alternately, --repeat times
each (median; --skip-builds for that alone).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from kpi import config, dbt_render, warehouse

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


def build(first: date, last: date, *extra: str) -> dict:
    """One `dbt build` of the as-of dates [first, last]: seconds, peak server RSS, temp bytes, and the
    slowest nodes (run_results.json)."""
    before = temp_bytes()
    with tempfile.TemporaryDirectory() as target, PeakRss() as rss:
        started = time.monotonic()
        dbt_render.dbt("build", *extra, as_of=first, as_of_to=last, target_path=Path(target))
        seconds = time.monotonic() - started
        results = json.loads((Path(target) / "run_results.json").read_text())["results"]
    nodes = sorted(((r["execution_time"], r["unique_id"].split(".", 1)[1]) for r in results), reverse=True)
    return {"seconds": seconds, "rss_mb": rss.peak / 2**20, "temp_mb": (temp_bytes() - before) / 2**20,
            "dates": (last - first).days + 1, "nodes": nodes}


def kpi(*args: str, env: dict | None = None) -> float:
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).with_name("kpi")), *args], check=True, capture_output=True,
                   env={**os.environ, **(env or {})})
    return time.monotonic() - started


def petition_versions() -> int:
    with warehouse.connect() as conn:
        return conn.execute("select count(*) from raw.petitions__case_versions").fetchone()[0]


def replicate_petitions(copies: int, since_load_id: int) -> int:
    """Petition versions at `copies` times their number, without writing and loading that much demo
    data: every raw version of a load after `since_load_id` gets copies-1 twins, each its own case
    (案件編號 prefixed with the copy number) in the same file and load. Returns the highest load id."""
    with warehouse.connect() as conn:
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = 'petitions__case_versions' order by ordinal_position")]
        twin = {"case_id": "k || '-' || case_id", "_record": "_record + k * 1000000000::bigint"}
        conn.execute(f"insert into raw.petitions__case_versions ({', '.join(columns)}) "
                     f"select {', '.join(twin.get(c, c) for c in columns)} "
                     f"from raw.petitions__case_versions cross join generate_series(1, %s) as k "
                     f"where _load_id > %s", (copies - 1, since_load_id))
        conn.commit()
        return conn.execute("select coalesce(max(_load_id), 0) from raw.petitions__case_versions").fetchone()[0]


def nights_from_snapshot(d: date, count: int) -> tuple[dict, list[float]]:
    """The night of d `count` times, each from the same state (the day d loaded, nothing built yet):
    a night run again would find nothing new, so the database is copied first and restored from the
    copy before each later night. Returns the median night and every night's seconds; the database is
    left as the last night left it."""
    db = os.environ["KPI_WAREHOUSE_DB"]
    snapshot = f"{db}_before_night"
    admin = dict(autocommit=True, dbname="postgres")
    if count > 1:
        with warehouse.connect(**admin) as conn:
            conn.execute(f"drop database if exists {snapshot}")
            conn.execute(f"create database {snapshot} template {db} strategy file_copy")
    runs = []
    try:
        for i in range(count):
            if i:
                with warehouse.connect(**admin) as conn:
                    conn.execute(f"drop database {db} with (force)")
                    conn.execute(f"create database {db} template {snapshot} strategy file_copy")
            runs.append(build(d, d))
            print(f"  night {i + 1} of {count}: {runs[-1]['seconds']:.1f} s (load average {os.getloadavg()[0]:.1f})",
                  flush=True)
    finally:
        if count > 1:
            with warehouse.connect(**admin) as conn:
                conn.execute(f"drop database if exists {snapshot}")
    seconds = [r["seconds"] for r in runs]
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2], seconds


def scale_runs(scale: float, d: date, landing_root: Path, db_tag: str = "", copies: int = 1, nights: int = 1
               ) -> list[tuple[str, dict, str]]:
    """A real night at a data scale, in a landing directory and database of its own: the data through
    d-1 loaded and the whole history built (the first run), then the day d delivered and loaded and
    the night of d built (it reads only what the day changed; `nights` times from the same state,
    the median kept), then a backfill of the 365 dates through d."""
    before, after = landing_root / f"s{scale:g}", landing_root / f"s{scale:g}-night"
    env = {"KPI_LANDING_DIR": str(before),
           "KPI_WAREHOUSE_DB": f"bench_{db_tag}scale_{str(scale).replace('.', '_')}x{copies}"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        # the data through d-1 is loaded once per scale into a template database, then copied
        template = f"bench_landing_s{str(scale).replace('.', '_')}"
        with warehouse.connect(autocommit=True, dbname="postgres") as conn:
            has_template = conn.execute("select 1 from pg_database where datname = %s", (template,)).fetchone()
            conn.execute(f"drop database if exists {env['KPI_WAREHOUSE_DB']} with (force)")
        if not has_template:
            os.environ["KPI_WAREHOUSE_DB"] = template
            warehouse.up()
            if not (before / "_manifest.json").exists():
                kpi("demo-data", "--until", (d - timedelta(days=1)).isoformat(), "--scale", str(scale), "--force")
            kpi("load")
            os.environ["KPI_WAREHOUSE_DB"] = env["KPI_WAREHOUSE_DB"]
        with warehouse.connect(autocommit=True, dbname="postgres") as conn:
            conn.execute(f"create database {env['KPI_WAREHOUSE_DB']} template {template}")
        warehouse.up()
        # the data through d-1; then (another directory, kept for the next run) the same files and the
        # petitions export of day d, the new day a night loads (the demo data of a later --until
        # differs in earlier files too, which would make the night a mass redelivery)
        if not after.exists():
            with tempfile.TemporaryDirectory() as later:
                kpi("demo-data", "--until", d.isoformat(), "--scale", str(scale), "--force",
                    env={"KPI_LANDING_DIR": later})
                shutil.copytree(before, after, copy_function=os.link)
                name = f"petitions/petitions_{d:%Y%m%d}.csv"
                shutil.copy2(Path(later) / name, after / name)
        loaded = replicate_petitions(copies, 0)
        dbt_render.dbt("seed")
        history = build(FIRST_DAY, d - timedelta(days=1), "--full-refresh")
        os.environ["KPI_LANDING_DIR"] = str(after)
        kpi("load", "petitions")   # (the other sources are unchanged; the HR pages link to `before`)
        replicate_petitions(copies, loaded)
        versions = petition_versions()
        night, night_seconds = nights_from_snapshot(d, nights)
        print(f"(scale {scale:g} ×{copies}: history {history['seconds']:.1f} s, night {night['seconds']:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f})", flush=True)
        year = build(d - timedelta(days=364), d)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    label = f"scale {scale:g}{f' ×{copies} petitions' if copies > 1 else ''} ({versions:,} petition versions)"
    every = f"median of {', '.join(f'{x:.1f}' for x in night_seconds)} s" if nights > 1 else ""
    return [(f"{label}: one night (d alone, after loading day d)", night, every),
            (f"{label}: backfill of 365 as-of dates", year, f"{year['seconds'] / night['seconds']:.1f}× its night"),
            (f"{label}: whole history {FIRST_DAY} … d-1 (first run)", history,
             f"{history['seconds'] / night['seconds']:.1f}× its night")]


def print_rows(rows, top: int) -> None:
    print(f"{'':64} {'dates':>6} {'seconds':>8} {'peak RSS':>9} {'temp':>8}")
    for name, r, note in rows:
        print(f"{name:64} {r['dates']:>6} {r['seconds']:>8.1f} {r['rss_mb']:>7.0f}MB {r['temp_mb']:>6.0f}MB  {note}")
        for seconds, node in r["nodes"][:top]:
            print(f"    {seconds:7.1f} s  {node}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 11, 25))
    parser.add_argument("--scales", default="",
                        help="e.g. 1,8: a night, a year and the history at each demo data scale")
    parser.add_argument("--landing-root", type=Path, default=None,
                        help="keep each scale's demo data in ROOT/s<scale> (written through d-1 when missing) "
                             "instead of a temporary directory, to run the bench again without regenerating it")
    parser.add_argument("--dbt-project", type=Path, default=None,
                        help="another checkout's dbt_project/ to build instead (e.g. main's, for a before/after)")
    parser.add_argument("--copies", default="",
                        help="e.g. 1,8 (with one --scales): the night with each number of twins of every petition "
                             "version, a larger history without writing and loading that much demo data")
    parser.add_argument("--nights", type=int, default=1,
                        help="with --scales: each scale's night N times from the same state (median): one "
                             "night varies by several seconds on a 2-core machine")
    parser.add_argument("--top", type=int, default=0, help="also print the N slowest dbt nodes of each build")
    parser.add_argument("--dag", action="store_true", help="also time `kpi run` against the bare work")
    parser.add_argument("--repeat", type=int, default=3, help="--dag: timings of each, alternately (median)")
    parser.add_argument("--skip-builds", action="store_true",
                        help="with --dag: only the DAG against the bare work, not the night/year/history builds")
    args = parser.parse_args()
    if args.dbt_project:
        config.dbt_project_dir = lambda: args.dbt_project.resolve()
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    warehouse.up()
    d = args.as_of
    if args.skip_builds:
        pass
    elif args.scales:
        nights = {}
        temporary = tempfile.TemporaryDirectory() if args.landing_root is None else None
        root = args.landing_root or Path(temporary.name)
        runs = [(float(s), int(c)) for s in args.scales.split(",") for c in (args.copies or "1").split(",")]
        for s, c in runs:
            rows = scale_runs(s, d, root, "other_" if args.dbt_project else "", c, args.nights)
            nights[s * c] = rows[0][1]["seconds"]
            print_rows(rows, args.top)
        lo, hi = min(nights), max(nights)
        print(f"{hi:g}× the petitions night ÷ {lo:g}× night: {nights[hi] / nights[lo]:.2f}×  "
              f"(load average now {os.getloadavg()[0]:.1f})")
    else:
        history = build(FIRST_DAY, d)
        night = build(d, d)
        print(f"(history {history['seconds']:.1f} s, night {night['seconds']:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f})", flush=True)
        year = build(d - timedelta(days=364), d)
        print(f"as-of {d}; peak RSS = all warehouse server processes together; temp = PostgreSQL temp files")
        print_rows([("one night (dbt build of [d, d])", night, ""),
                    ("backfill of 365 as-of dates, one build", year,
                     f"{year['seconds'] / night['seconds']:.1f}× a night"),
                    (f"whole history {FIRST_DAY} … {d}, one build", history,
                     f"{history['seconds'] / night['seconds']:.1f}× a night")], args.top)
    if args.dag:
        dag_against_bare(d, args.repeat)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def dag_against_bare(d: date, repeat: int) -> None:
    """A night through Airflow (`kpi run`, the whole DAG: loads, dbt, alerts, report, docs) against the
    bare work of the same night (`kpi load` + one direct `dbt build`), alternately `repeat` times each
    so load from other jobs falls on both alike; medians. The warehouse must hold the history already
    (a run before), so every timed night is a plain one: nothing new to load, dbt for d alone."""
    import statistics

    dag, bare = [], []
    for n in range(repeat):
        before = load_average()
        dag.append(kpi("run", "--as-of", d.isoformat()))
        middle = load_average()
        bare.append(kpi("load") + build(d, d)["seconds"])
        print(f"#{n + 1}: kpi run {dag[-1]:6.1f} s (load average {before})   "
              f"kpi load + dbt build {bare[-1]:6.1f} s (load average {middle})", flush=True)
    m_dag, m_bare = statistics.median(dag), statistics.median(bare)
    print(f"night through Airflow (kpi run): median {m_dag:.1f} s; bare work (kpi load + dbt build): median "
          f"{m_bare:.1f} s; {m_dag / m_bare:.2f}× (goal ≤ 1.5×), load average now {load_average()}")


if __name__ == "__main__":
    main()

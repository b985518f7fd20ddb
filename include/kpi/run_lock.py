"""One pipeline run at a time on a warehouse.

The dbt views of a run are compiled for its as-of date, so two runs interleaving their dbt tasks
(a backfill beside the nightly run: Airflow applies a backfill's max_active_runs apart from the
DAG's) would read each other's views. The first task of a run takes this lock, a teardown task
releases it even when the run fails; a lock older than STALE_AFTER is taken over.
"""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from kpi import warehouse

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=6)

DDL = """
create table if not exists raw.pipeline_lock (
    lock_name    text primary key,
    run_id       text not null,
    as_of_date   date,
    acquired_at  timestamptz not null default now()
)
"""


def create_table(conn) -> None:
    conn.execute(DDL)


def acquire(run_id: str, as_of: date, wait_seconds: float = 7200, poll_seconds: float = 15) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        with warehouse.connect(autocommit=True) as conn:
            taken = conn.execute(
                "insert into raw.pipeline_lock (lock_name, run_id, as_of_date) values ('warehouse', %s, %s) "
                "on conflict (lock_name) do update set run_id = excluded.run_id, as_of_date = excluded.as_of_date, "
                "acquired_at = now() where raw.pipeline_lock.run_id = excluded.run_id "
                "or raw.pipeline_lock.acquired_at < now() - %s returning run_id",
                (run_id, as_of, STALE_AFTER),
            ).fetchone()
            if taken:
                return
            holder = conn.execute("select run_id, as_of_date, acquired_at from raw.pipeline_lock").fetchone()
        if time.monotonic() > deadline:
            raise RuntimeError(f"warehouse busy: run {holder[0]} (as-of {holder[1]}) holds it since {holder[2]}")
        log.info("waiting for run %s (as-of %s, since %s) to finish", *holder)
        time.sleep(poll_seconds)


def release(run_id: str) -> None:
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("delete from raw.pipeline_lock where run_id = %s", (run_id,))

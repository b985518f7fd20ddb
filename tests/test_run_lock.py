"""One pipeline run at a time on a warehouse (dbt views are compiled for a run's as-of date)."""
from __future__ import annotations

from datetime import date

import pytest

from kpi import run_lock, warehouse


def test_a_second_run_waits_and_gives_up_naming_the_holder(warehouse_db):
    run_lock.acquire("nightly_A", date(2025, 11, 25))
    with pytest.raises(RuntimeError, match="nightly_A.*2025-11-25"):
        run_lock.acquire("backfill_B", date(2025, 1, 1), wait_seconds=0.5, poll_seconds=0.1)
    run_lock.acquire("nightly_A", date(2025, 11, 25), wait_seconds=0)  # a retry of the holder goes on
    run_lock.release("nightly_A")
    run_lock.acquire("backfill_B", date(2025, 1, 1), wait_seconds=0)
    run_lock.release("backfill_B")


def test_a_stale_lock_is_taken_over(warehouse_db):
    run_lock.acquire("crashed", date(2025, 11, 24))
    with warehouse.connect(autocommit=True) as conn:
        conn.execute("update raw.pipeline_lock set acquired_at = now() - interval '7 hours'")
    run_lock.acquire("next", date(2025, 11, 25), wait_seconds=0)
    with warehouse.connect() as conn:
        assert conn.execute("select run_id from raw.pipeline_lock").fetchone() == ("next",)
    run_lock.release("next")

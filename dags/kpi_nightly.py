"""kpi_nightly: every night at 02:00 Asia/Taipei, load the sources, model them with dbt, flag the
indicators that fall behind the plan, and publish the result for the day that just ended.

Thin by design: the work lives in include/kpi (kpi.pipeline); nothing here touches the database.
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task, teardown
from airflow.timetables.trigger import CronTriggerTimetable

from kpi import config, pipeline
from kpi.loaders import source_names

DEFAULT_ARGS = {
    "owner": "kpi",
    "retries": config.task_retries(),
    # 10-20 s, then 20-40 s (Airflow adds a hash-chosen part up to the delay itself): a task lost
    # with its worker runs again soon, so that the night ends within 3 min of the loss (README:
    # "When a worker or Redis dies"). A flaky API is retried by its loader (each page 3 times, within the
    # source's deadline: kpi.loaders.http_pages); these are mostly for a lost worker, whose task
    # gains nothing from waiting. Airflow 3 reads the backoff as a multiplier, so True (= 1) kept
    # every retry at the first delay.
    "retry_delay": timedelta(seconds=10),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}


@dag(
    dag_id="kpi_nightly",
    schedule=CronTriggerTimetable("0 2 * * *", timezone="Asia/Taipei"),
    start_date=pendulum.datetime(2022, 1, 2, 2, tz="Asia/Taipei"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["kpi", "nightly"],
    doc_md=__doc__,
    # a backfill: every as-of date of [as_of_from, as_of_to] in this one run (`kpi backfill`, or
    # Airflow's "Trigger DAG" form); empty, the run's own night
    params={
        "as_of_from": Param(None, type=["null", "string"], format="date",
                            description="Backfill: first as-of date (YYYY-MM-DD); empty for the night of the run"),
        "as_of_to": Param(None, type=["null", "string"], format="date",
                          description="Backfill: last as-of date (YYYY-MM-DD); empty for the same as as_of_from"),
    },
)
def kpi_nightly():
    @task
    def resolve_as_of() -> str:
        """The as-of date d: the day before the run's 02:00 slot (Asia/Taipei), or a backfill's last
        date."""
        ctx = get_current_context()
        run_time = ctx.get("logical_date") or ctx["dag_run"].run_after
        return pipeline.as_of_for_run(run_time, ctx["params"]).isoformat()

    @task
    def prepare_warehouse(as_of: str) -> str:
        """Bootstrap the warehouse the main host started (never start one here); wait for any other run
        to release it."""
        run = get_current_context()["dag_run"]
        return pipeline.prepare_warehouse(run.run_id, pendulum.parse(as_of).date(), dag_id=run.dag_id)

    @teardown
    def release_warehouse() -> None:
        pipeline.release_warehouse(get_current_context()["dag_run"].run_id)

    @task(task_id="load")
    def load_source(name: str) -> dict:
        return pipeline.load_source(name)

    @task
    def dbt_build(dates: dict) -> list[dict]:
        """One `dbt build` of the whole project for the run's as-of dates; a line per node in the log,
        every node's status, time and rows in the XCom; a retry re-runs only the nodes that did not
        succeed (kpi.dbt_build)."""
        ctx = get_current_context()
        return pipeline.dbt_build(ctx["dag_run"].run_id, dates, ctx["ti"].try_number)

    @task
    def flag_indicators(dates: dict) -> dict:
        """The alerts of the run's dates by severity; marts.kpi_alerts is a dbt view of the marts dbt
        just published."""
        return pipeline.flag_indicators(dates)

    @task
    def publish(as_of: str) -> str:
        return pipeline.publish(pendulum.parse(as_of).date())

    @task
    def notify(as_of: str, report_dir: str) -> dict:
        """E-mail and webhook as configured (off by default); a failure turns the run red, the
        results are already published. A backfill notifies nobody: its dates are history."""
        if pipeline.is_backfill(get_current_context()["params"]):
            return {"skipped": "backfill"}
        return pipeline.notify(pendulum.parse(as_of).date(), report_dir)

    as_of = resolve_as_of()
    ready = prepare_warehouse(as_of)
    @task(trigger_rule=TriggerRule.ALL_DONE)
    def loads_finished() -> dict:
        """Joins the loads whatever their outcome: one unreadable file must not stop the KPIs of the
        sources that loaded; check_loads turns the run red at the end instead. Then, with the data
        loaded, the as-of dates dbt computes: a backfill's range (checked against the data), else d,
        from the first day of data when the warehouse holds no earlier statuses (kpi.history)."""
        ctx = get_current_context()
        as_of = ctx["ti"].xcom_pull(task_ids="resolve_as_of")
        return pipeline.as_of_range(pendulum.parse(as_of).date(), ctx["params"])

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def check_loads(sources: list[str]) -> None:
        ti = get_current_context()["ti"]
        results = ti.xcom_pull(task_ids=[f"load_{name}" for name in sources])
        failed = [name for name, res in zip(sources, results) if res is None]
        if failed:
            raise RuntimeError(f"load failed for: {', '.join(failed)} (see those tasks' logs and raw.load_ledger)")

    sources = source_names()
    loads = [load_source.override(task_id=f"load_{name}")(name) for name in sources]
    joined = loads_finished()
    dbt = dbt_build(joined)
    flags = flag_indicators(joined)
    published = publish(as_of)

    as_of >> ready >> loads >> joined >> dbt >> flags >> published >> check_loads(sources)
    # notify is a leaf of its own: a failed notification fails the run (a failed task upstream of
    # check_loads, which runs on all_done, would leave the run green)
    notify(as_of, published)
    published >> release_warehouse().as_teardown(setups=ready)


kpi_nightly()

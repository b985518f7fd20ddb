"""What each task of the nightly DAG does, as plain functions testable without Airflow."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from kpi import alerts, config, errors, status_table, warehouse

log = logging.getLogger(__name__)


class LoadFailed(errors.StepFailed):
    pass


def _param_date(params: dict | None, name: str) -> date | None:
    value = (params or {}).get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise errors.InputError(f"DAG param {name}: {value!r} is not a date (YYYY-MM-DD)") from None


def is_backfill(params: dict | None) -> bool:
    return _param_date(params, "as_of_from") is not None or _param_date(params, "as_of_to") is not None


def as_of_for_run(run_time: datetime, params: dict | None = None) -> date:
    """The data date a run processes: a backfill's last date (params as_of_to, else as_of_from),
    else the Asia/Taipei day that ended before the run's time.

    The nightly run at 02:00 on day X processes X-1; `kpi run --as-of D` triggers the run of D+1.
    """
    given = _param_date(params, "as_of_to") or _param_date(params, "as_of_from")
    if given is not None:
        return given
    # via the timestamp: pendulum's DateTime (Airflow's context) does day arithmetic wrongly across
    # a zoneinfo conversion (2025-11-26 02:00+08 minus 1 day gave 2025-11-24)
    local = datetime.fromtimestamp(run_time.timestamp(), config.TIMEZONE)
    return local.date() - timedelta(days=1)


def as_of_range(as_of: date, params: dict | None = None) -> dict[str, str]:
    """The as-of dates dbt computes in this run (kpi.history.resolve), as dbt's vars."""
    from kpi import dbt_render, history

    start, end = history.resolve(as_of, _param_date(params, "as_of_from"), _param_date(params, "as_of_to"))
    log.info("as-of dates of this run: %s to %s (%d dates)", start, end, (end - start).days + 1)
    return {"as_of_from": start.isoformat(), "as_of_to": end.isoformat(),
            "vars": dbt_render.as_of_vars(start, end)}


def dbt_build(run_id: str, dates: dict, try_number: int) -> list[dict]:
    """The night's dbt (kpi.dbt_build) for as_of_range's dates, its credentials from the Airflow
    connection kpi_warehouse, resolved now (never an argument of the task, which Airflow stores)."""
    from kpi import connections
    from kpi import dbt_build as runner

    return runner.build(run_id, dates["vars"], try_number, connections.airflow_dbt_env())


def run_time_for(as_of: date) -> datetime:
    """Inverse of as_of_for_run: the 02:00 Asia/Taipei schedule slot that processes `as_of`."""
    return datetime(as_of.year, as_of.month, as_of.day, 2, 0, tzinfo=config.TIMEZONE) + timedelta(days=1)


def prepare_warehouse(run_id: str, as_of: date, dag_id: str | None = None) -> str:
    """Bootstrap the warehouse the local commands started (never start one: this may run on a worker
    host, warehouse.ready), then take the one-run-at-a-time lock, judging a holder alive the way
    run_lock describes (its runner's session, or its DAG run in Airflow)."""
    from kpi import run_lock

    where = warehouse.ready()
    run_lock.acquire(run_id, as_of, dag_id=dag_id, keep_session=run_lock.runs_in_this_process(),
                     run_active=run_lock.airflow_run_active)
    return where


def release_warehouse(run_id: str) -> None:
    from kpi import run_lock

    run_lock.release(run_id)


def load_source(name: str) -> dict:
    """Load every new or changed object of one source; fail (after loading the rest) if any object
    could not be read, so the night shows red while the good data still counts."""
    from kpi import shared_storage
    from kpi.loaders import engine

    with shared_storage.staged_landing(name):  # from KPI_LANDING_URL when set: this host may have none
        result = engine.load(name)
    summary = result.as_dict()
    log.info("load %s: %s", name, json.dumps(summary, ensure_ascii=False))
    if result.failures:
        listed = "; ".join(f"{obj}: {err}" for obj, err in result.failures)
        raise LoadFailed(f"source {name}: {result.objects_failed} object(s) could not be loaded: {listed}")
    return summary


def flag_indicators(dates: date | dict[str, str]) -> dict[str, int]:
    """The alerts of every as-of date dbt computed in this run (as_of_range's dates, or one date), by
    severity, as dbt published them (the view marts.kpi_alerts)."""
    if isinstance(dates, date):
        start = end = dates
    else:
        start, end = date.fromisoformat(dates["as_of_from"]), date.fromisoformat(dates["as_of_to"])
    counts = alerts.counts(start, end)
    log.info("alerts for %s to %s: %s", start, end, counts)
    return counts


def publish(as_of: date) -> str:
    """Write the status of `as_of` where people and scripts pick it up (reports/<as_of>/, or
    KPI_REPORTS_URL/<as_of> for every host): the status as JSON and text, dbt's docs (dbt-docs.html)
    and the HTML report (report.html) linking them. Returns that location."""
    import tempfile

    from kpi import shared_storage

    location = shared_storage.report_location(as_of)
    if not shared_storage.is_url(location):
        return _publish_into(as_of, Path(location))
    with tempfile.TemporaryDirectory(prefix="kpi-publish-") as scratch:
        _publish_into(as_of, Path(scratch))
        shared_storage.upload(Path(scratch), location)
    log.info("published to %s", location)
    return location


def _publish_into(as_of: date, out: Path) -> str:
    from kpi import report
    from kpi.report import dbt_docs

    rows = status_table.fetch(as_of)
    out.mkdir(parents=True, exist_ok=True)
    (out / "kpi_status.json").write_text(
        json.dumps(status_table.as_json(rows), ensure_ascii=False, indent=2), encoding="utf-8")
    (out / report.STATUS_TEXT_NAME).write_text(status_table.render(rows, as_of) + "\n", encoding="utf-8")
    try:  # the docs are a companion: without them the report still goes out, without the link
        dbt_docs.publish(out, as_of)
    except Exception as exc:
        log.warning("dbt docs not published for %s: %s", as_of, str(exc).strip()[:2000])
        (out / dbt_docs.FILE_NAME).unlink(missing_ok=True)
    path = report.write_report(as_of, out / report.REPORT_NAME)
    log.info("published %d status rows and %s (%d bytes) to %s", len(rows), path.name, path.stat().st_size, out)
    return str(out)


def notify(as_of: date, report_dir: str | None = None, *, force: bool = False) -> dict:
    """Send the alerts of `as_of` by e-mail and webhook as configured (kpi.notify), with the report
    publish wrote (KPI_REPORTS_URL or the local folder); raises when a configured channel fails,
    after the results are published. `force` (`kpi notify`): send even what was already sent."""
    from kpi import notify as notifications
    from kpi import shared_storage

    settings = config.notify_settings()
    if not (settings.email_enabled or settings.webhook_enabled):
        return notifications.send_alerts(as_of, None)  # off: says so, needs no report
    # the report publish wrote, wherever this task runs; missing, no notice goes out without it
    with shared_storage.fetched_report(report_dir or shared_storage.report_location(as_of)) as local:
        result = notifications.send_alerts(as_of, local, force=force)
    log.info("notifications for %s: %s", as_of, json.dumps(result, ensure_ascii=False))
    return result

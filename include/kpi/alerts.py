"""The alerts of an as-of date: marts.kpi_alerts, a dbt view of the published statuses and source
freshness (dbt_project/models/marts/kpi_alerts.sql: red behind/missed and yellow at_risk of d's year
and the year before, grey for a stale source).

Being a view of fct_kpi_status and fct_source_freshness, the alerts of a date always agree with the
statuses people read, whatever task of a night failed; there is nothing to write after dbt. The task
flag_indicators reports the counts of d.
"""
from __future__ import annotations

from datetime import date

from kpi import warehouse


def counts(as_of: date) -> dict[str, int]:
    """The alerts of `as_of` by severity (red, yellow, grey; absent when none)."""
    with warehouse.connect() as conn:
        return dict(conn.execute(
            "select severity, count(*) from marts.kpi_alerts where as_of_date = %s group by severity", (as_of,)
        ).fetchall())

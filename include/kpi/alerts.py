"""The alerts of the as-of dates of a run: marts.kpi_alerts, a dbt view of the published statuses and
source freshness (dbt_project/models/marts/kpi_alerts.sql: red behind/missed and yellow at_risk of d's
year and the year before, grey for a stale source).

Being a view of fct_kpi_status and fct_source_freshness, the alerts of a date always agree with the
statuses people read, whatever task of a night failed, and a build of a range of dates needs nothing
more; there is nothing to write after dbt. The task flag_indicators reports the counts.
"""
from __future__ import annotations

from datetime import date

from kpi import warehouse


def counts(first: date, last: date | None = None) -> dict[str, int]:
    """The alerts of `first` (through `last`, a range) by severity (red, yellow, grey; absent when none)."""
    with warehouse.connect() as conn:
        return dict(conn.execute(
            "select severity, count(*) from marts.kpi_alerts where as_of_date between %s and %s group by severity",
            (first, last or first),
        ).fetchall())

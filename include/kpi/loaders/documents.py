"""S1 documents: the document system's daily statistics table, read through SQLAlchemy.

The source revises its last few days in place (updated_at moves), so each night reads the rows
changed since the last watermark minus a look-back window and keeps every distinct version in raw;
staging picks the latest version per (stat_date, unit_code).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa

from kpi import config, ledger, warehouse
from kpi.loaders.copy import copy_upsert

log = logging.getLogger(__name__)

SOURCE = "documents"
SOURCE_TABLE = "doc_daily_stats"
TABLE = "raw.documents__doc_daily_stats"
LOOKBACK = timedelta(days=7)
INT_COLUMNS = ("recv_total", "recv_electronic", "sent_total", "sent_electronic", "closed_count")
COLUMNS = ("stat_date", "unit_code", "unit_name", *INT_COLUMNS, "closed_days_sum", "updated_at")

DDL = f"""
create table if not exists {TABLE} (
    stat_date        date not null,
    unit_code        text not null,
    unit_name        text,
    recv_total       integer not null,
    recv_electronic  integer not null,
    sent_total       integer not null,
    sent_electronic  integer not null,
    closed_count     integer not null,
    closed_days_sum  numeric not null,
    updated_at       timestamptz not null,
    _load_id         bigint not null,
    _loaded_at       timestamptz not null default now(),
    primary key (stat_date, unit_code, updated_at)
)
"""


class BadRow(ValueError):
    pass


def _int(row: dict, col: str) -> int:
    value = row[col]
    if value is None or value == "":
        raise BadRow(f"{col} is empty")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRow(f"{col} is not a number: {value!r}") from None
    if number != number.to_integral_value():
        raise BadRow(f"{col} is not a whole number: {value!r}")
    if number < 0:
        raise BadRow(f"{col} is negative: {value}")
    return int(number)


def _timestamp(value) -> datetime:
    if isinstance(value, datetime):
        ts = value
    else:
        try:
            ts = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise BadRow(f"updated_at is not a timestamp: {value!r}") from None
    return ts if ts.tzinfo else ts.replace(tzinfo=config.TIMEZONE)


def validate(row: dict) -> tuple:
    """Typed row in COLUMNS order, or BadRow naming the broken constraint of sources.md."""
    try:
        stat_date = row["stat_date"] if isinstance(row["stat_date"], date) else date.fromisoformat(
            str(row["stat_date"]).strip())
    except (TypeError, ValueError):
        raise BadRow(f"stat_date is not a date: {row['stat_date']!r}") from None
    unit_code = (row["unit_code"] or "").strip()
    if not unit_code:
        raise BadRow("unit_code is empty")
    ints = {col: _int(row, col) for col in INT_COLUMNS}
    for part, total in (("recv_electronic", "recv_total"), ("sent_electronic", "sent_total")):
        if ints[part] > ints[total]:
            raise BadRow(f"{part} {ints[part]} exceeds {total} {ints[total]}")
    try:
        days_sum = Decimal(str(row["closed_days_sum"]).strip())
    except InvalidOperation:
        raise BadRow(f"closed_days_sum is not a number: {row['closed_days_sum']!r}") from None
    if days_sum < 0:
        raise BadRow(f"closed_days_sum is negative: {days_sum}")
    if row["updated_at"] is None:
        raise BadRow("updated_at is empty")
    return (stat_date, unit_code, (row["unit_name"] or "").strip() or None,
            *(ints[c] for c in INT_COLUMNS), days_sum, _timestamp(row["updated_at"]))


def load(source_url: str | None = None) -> ledger.LoadResult:
    source_url = source_url or config.documents_url()
    url = sa.make_url(source_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.is_file():
            # sources.md: a source that has not delivered yet is not an error.
            log.info("%s: %s not delivered yet", SOURCE, path)
            return ledger.LoadResult(SOURCE, SOURCE_TABLE, "skipped", error=f"{path} not delivered yet")
        # Read-only, so that reading can never create or change the landing file.
        url = url.set(database=f"file:{path}?mode=ro", query={"uri": "true"})
    engine = sa.create_engine(url)
    with warehouse.connect() as conn:
        conn.execute(DDL)
        watermark = ledger.last_watermark(conn, SOURCE, SOURCE_TABLE)
        since = datetime.fromisoformat(watermark) - LOOKBACK if watermark else None
        load_id = ledger.begin(conn, SOURCE, SOURCE_TABLE)
        result = ledger.LoadResult(SOURCE, SOURCE_TABLE, "loaded")
        good: list[tuple] = []
        newest: datetime | None = None
        table = sa.table(SOURCE_TABLE, *(sa.column(c) for c in COLUMNS))
        query = sa.select(table)
        if since is not None:
            query = query.where(table.c.updated_at > sa.bindparam("since", since.replace(tzinfo=None),
                                                                   type_=sa.DateTime()))
        try:
            with engine.connect() as src:
                for raw_row in src.execute(query).mappings():
                    result.rows_read += 1
                    row = dict(raw_row)
                    try:
                        typed = validate(row)
                    except BadRow as exc:
                        key = f"{row.get('stat_date')}|{row.get('unit_code')}|{row.get('updated_at')}"
                        result.rejections.append(ledger.Rejection(key, str(exc), row))
                        continue
                    good.append((*typed, load_id))
                    newest = typed[-1] if newest is None or typed[-1] > newest else newest
        except sa.exc.SQLAlchemyError as exc:
            conn.rollback()
            message = f"cannot read {SOURCE_TABLE} from {sa.make_url(source_url).render_as_string()}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            ledger.record_failure(conn, SOURCE, SOURCE_TABLE, message)
            conn.commit()
            return ledger.LoadResult(SOURCE, SOURCE_TABLE, "failed", error=message)
        finally:
            engine.dispose()
        result.rows_loaded = copy_upsert(conn, TABLE, (*COLUMNS, "_load_id"), good,
                                         ("stat_date", "unit_code", "updated_at"))
        result.rows_rejected = len(result.rejections)
        ledger.set_aside(conn, load_id, SOURCE, SOURCE_TABLE, result.rejections)
        new_mark = max(filter(None, [newest, datetime.fromisoformat(watermark) if watermark else None]),
                       default=None)
        ledger.finish(conn, load_id, result, new_mark.isoformat() if new_mark else None)
        conn.commit()
    for rej in result.rejections:
        log.warning("%s: set aside %s: %s", SOURCE_TABLE, rej.record_ref, rej.reason)
    log.info("%s: read %d, loaded %d new versions, set aside %d", SOURCE, result.rows_read,
             result.rows_loaded, result.rows_rejected)
    return result

"""The load ledger and the set-aside table in `raw`: what was loaded from where, and what was not.

Every loader records one ledger row per file or batch, so a rerun can skip what it already has and
an operator can see per source how many rows were read, loaded and set aside.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import psycopg
from psycopg.types.json import Jsonb


@dataclass
class Rejection:
    record_ref: str
    reason: str
    row: dict | None        # what the set-aside copy keeps; None: nothing (see typed_rows.set_aside_copies)
    line: int | None = None


@dataclass
class LoadResult:
    source: str
    object_name: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "rejections"}


def begin(conn: psycopg.Connection, source: str, object_name: str, checksum: str | None = None,
          size: int | None = None, mtime: float | None = None) -> int:
    return conn.execute(
        "insert into raw.load_ledger (source, object_name, checksum, object_size, object_mtime, status) "
        "values (%s, %s, %s, %s, %s, 'running') returning load_id",
        (source, object_name, checksum, size, mtime),
    ).fetchone()[0]


def finish(conn: psycopg.Connection, load_id: int, result: LoadResult, watermark: str | None = None,
           checksum: str | None = None) -> None:
    conn.execute(
        "update raw.load_ledger set status = %s, rows_read = %s, rows_loaded = %s, rows_rejected = %s, "
        "error = %s, watermark = %s, checksum = coalesce(%s, checksum), finished_at = now() where load_id = %s",
        (result.status, result.rows_read, result.rows_loaded, result.rows_rejected, result.error,
         watermark, checksum, load_id),
    )


def record_failure(conn: psycopg.Connection, source: str, object_name: str, error: str,
                   checksum: str | None = None) -> None:
    """A file or batch that could not be read at all: recorded in its own transaction."""
    conn.execute(
        "insert into raw.load_ledger (source, object_name, checksum, status, error, finished_at) "
        "values (%s, %s, %s, 'failed', %s, now())",
        (source, object_name, checksum, error),
    )


def clear_set_aside(conn: psycopg.Connection, source: str, object_name: str) -> None:
    """A re-delivered object replaces its set-aside rows along with its loaded rows."""
    conn.execute("delete from raw.rejected_rows where source = %s and object_name = %s", (source, object_name))


def set_aside(conn: psycopg.Connection, load_id: int, source: str, object_name: str,
              rejections: list[Rejection]) -> None:
    """Store rejected rows; a row rejected again on a later run keeps one entry, with the newest reason."""
    if not rejections:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "insert into raw.rejected_rows (source, object_name, record_ref, line, reason, row_data, load_id) "
            "values (%s, %s, %s, %s, %s, %s, %s) on conflict (source, object_name, record_ref) do update "
            "set reason = excluded.reason, row_data = excluded.row_data, line = excluded.line, "
            "load_id = excluded.load_id, rejected_at = now()",
            [(source, object_name, r.record_ref, r.line, r.reason,
              None if r.row is None else Jsonb(json.loads(json.dumps(r.row, default=str))), load_id)
             for r in rejections],
        )


def last_loaded(conn: psycopg.Connection, source: str) -> dict[str, tuple]:
    """Per object of `source`: (checksum, size, mtime) of its latest successful load."""
    rows = conn.execute(
        "select distinct on (object_name) object_name, checksum, object_size, object_mtime "
        "from raw.load_ledger where source = %s and status = 'loaded' order by object_name, load_id desc",
        (source,),
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def last_watermark(conn: psycopg.Connection, source: str, object_name: str) -> str | None:
    row = conn.execute(
        "select watermark from raw.load_ledger where source = %s and object_name = %s and status = 'loaded' "
        "and watermark is not null order by load_id desc limit 1",
        (source, object_name),
    ).fetchone()
    return row[0] if row else None


def summary_since(conn: psycopg.Connection, since) -> tuple[dict[str, tuple], list[tuple[str, str]]]:
    """What the loads started at or after `since` did: per source (files or batches loaded, failed,
    rows read, loaded, set aside), and the (source, error) of each failed one in order."""
    rows = {r[0]: r[1:] for r in conn.execute(
        "select source, count(*) filter (where status = 'loaded'), count(*) filter (where status = 'failed'),"
        " coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0)"
        " from raw.load_ledger where started_at >= %s group by source", (since,)).fetchall()}
    failures = conn.execute(
        "select source, error from raw.load_ledger where started_at >= %s and status = 'failed' order by load_id",
        (since,)).fetchall()
    return rows, failures

"""The load engine: every declared source (sources.yml) into `raw`, one transaction per file or batch.

- file: each landing file matching the source's glob is one object. An object already loaded with
  the same size and mtime, or the same SHA-256, is skipped; a changed object replaces everything it
  loaded before (rows and set-aside rows), so reruns change nothing and corrections take effect.
- sql: rows changed since the last watermark minus a look-back window; every version is kept.
- http: all pages of one crawl are one object, replaced as a whole when their checksum changes.

Good rows go in with COPY; bad rows go to raw.rejected_rows with the reason in words and without
personal data; an unreadable object is recorded as failed and the rest still loads.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import sqlalchemy as sa
from psycopg import sql

from kpi import config, ledger, warehouse
from kpi.loaders import http_pages, readers
from kpi.loaders.spec import Source, load_sources
from kpi.loaders.typed_rows import type_chunk, without_personal_data

log = logging.getLogger(__name__)
CHUNK_ROWS = 100_000
# (record number, row as delivered) -> (record_ref, line) for a set-aside row
RecordRef = Callable[[int, dict], "tuple[str, int | None]"]


@dataclass
class SourceResult:
    source: str
    objects_loaded: int = 0
    objects_skipped: int = 0
    objects_failed: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    not_delivered: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, result: ledger.LoadResult) -> None:
        if result.status == "failed":
            self.objects_failed += 1
            self.failures.append((result.object_name, result.error or ""))
        elif result.status == "skipped":
            self.objects_skipped += 1
        else:
            self.objects_loaded += 1
        self.rows_read += result.rows_read
        self.rows_loaded += result.rows_loaded
        self.rows_rejected += result.rows_rejected

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_column(values: pd.Series) -> list:
    """One column as COPY-ready Python values (None = NULL). Timestamps are formatted by numpy in
    C (pandas' own formatting of tz-aware values costs more than everything else of a load)."""
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        text = np.char.add(np.datetime_as_string(utc, unit="us"), "+00")
        return [None if na else t for t, na in zip(text.tolist(), np.isnat(utc).tolist())]
    if pd.api.types.is_datetime64_dtype(dtype):
        days = values.to_numpy(dtype="datetime64[D]")
        text = np.datetime_as_string(days, unit="D")
        return [None if na else t for t, na in zip(text.tolist(), np.isnat(days).tolist())]
    return values.astype(object).where(values.notna(), None).tolist()


def _copy_frame(conn: psycopg.Connection, source: Source, frame: pd.DataFrame, object_name: str,
                load_id: int) -> int:
    """COPY good rows into the raw table (through a temp table with ON CONFLICT for sql sources,
    whose versions may be read again inside the look-back window). Returns rows inserted."""
    if frame.empty:
        return 0
    columns = source.raw_columns()
    data = [_csv_column(frame[c]) for c in columns]
    data += [[object_name] * len(frame), frame.index.tolist(), [load_id] * len(frame)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(zip(*data))
    names = sql.SQL(", ").join(map(sql.Identifier, [*columns, "_object", "_record", "_load_id"]))
    target = sql.Identifier("raw", source.raw_table)
    with conn.cursor() as cur:
        if source.kind == "sql":
            cur.execute(sql.SQL("create temporary table if not exists _incoming (like {} including defaults) "
                                "on commit drop").format(target))
            cur.execute("truncate _incoming")
            into = sql.Identifier("_incoming")
        else:
            into = target
        with cur.copy(sql.SQL("copy {} ({}) from stdin (format csv)").format(into, names)) as copy:
            copy.write(buf.getvalue())
        if source.kind != "sql":
            return len(frame)
        key = sql.SQL(", ").join(map(sql.Identifier, source.key))
        cur.execute(sql.SQL("insert into {} ({}) select {} from _incoming on conflict ({}) do nothing").format(
            target, names, names, key))
        return cur.rowcount


def _line_ref(number: int, row: dict) -> tuple[str, int | None]:
    return f"line {number}", int(number)


def _load_frames(conn: psycopg.Connection, source: Source, object_name: str, frames: Iterable[pd.DataFrame],
                 load_id: int, result: ledger.LoadResult, record_ref: RecordRef) -> None:
    pii_key = config.pii_key()
    for frame in frames:
        typed, reasons = type_chunk(source, frame, pii_key)
        bad = reasons.notna()
        result.rows_read += len(frame)
        result.rows_loaded += _copy_frame(conn, source, typed[~bad], object_name, load_id)
        if bad.any():
            kept = without_personal_data(source, frame[bad])
            for number, reason, row in zip(kept.index, reasons[bad], kept.to_dict("records")):
                ref, line = record_ref(number, row)
                result.rejections.append(ledger.Rejection(ref, str(reason), row, line))
    result.rows_rejected = len(result.rejections)


def _load_object(conn: psycopg.Connection, source: Source, object_name: str, frames: Iterable[pd.DataFrame],
                 *, checksum: str | Callable[[], str] | None = None, size: int | None = None,
                 mtime: float | None = None, replace: bool = True,
                 record_ref: RecordRef = _line_ref) -> ledger.LoadResult:
    """One file or batch in one transaction; unreadable input is recorded as failed instead.
    `checksum` may be a callable for content only known once read (an HTTP crawl)."""
    result = ledger.LoadResult(source.name, object_name, "loaded")
    try:
        with conn.transaction():
            load_id = ledger.begin(conn, source.name, object_name, None if callable(checksum) else checksum,
                                   size, mtime)
            if replace:
                conn.execute(sql.SQL("delete from {} where _object = %s").format(
                    sql.Identifier("raw", source.raw_table)), (object_name,))
                ledger.clear_set_aside(conn, source.name, object_name)
            _load_frames(conn, source, object_name, frames, load_id, result, record_ref)
            ledger.set_aside(conn, load_id, source.name, object_name, result.rejections)
            ledger.finish(conn, load_id, result, getattr(frames, "watermark", None),
                          checksum() if callable(checksum) else None)
    except (readers.UnreadableFile, http_pages.HttpSourceError) as exc:
        message = f"{object_name}: {exc}"
        ledger.record_failure(conn, source.name, object_name, message,
                              None if callable(checksum) else checksum)
        log.error("%s: %s", source.name, message)
        return ledger.LoadResult(source.name, object_name, "failed", error=message)
    for rej in result.rejections[:20]:
        log.warning("%s %s record %s set aside: %s", source.name, object_name, rej.record_ref, rej.reason)
    log.info("%s %s: read %d, loaded %d, set aside %d", source.name, object_name, result.rows_read,
             result.rows_loaded, result.rows_rejected)
    return result


# --- file sources ---------------------------------------------------------------------------------

def _file_frames(source: Source, path: Path) -> Iterator[pd.DataFrame]:
    """Chunks of one landing file. A generator, so that an unreadable file fails inside the
    object's transaction (and is recorded there), not before it."""
    if source.format == "csv":
        encoding = readers.detect_encoding(path, source.encoding)
        yield from readers.read_csv(path, source.header, encoding=encoding, chunk_rows=CHUNK_ROWS)
    elif source.format == "xlsx":
        yield from readers.read_xlsx(path, source.header, header_row=source.header_row,
                                     total_marker=source.total_marker, chunk_rows=CHUNK_ROWS)
    elif source.format == "json":
        yield readers.read_json_items(path.read_bytes(), source.items_key)
    else:
        raise readers.UnreadableFile(f"source {source.name}: unknown file format {source.format!r}")


def _load_files(conn: psycopg.Connection, source: Source, result: SourceResult, force: bool) -> None:
    landing = config.landing_dir()
    paths = sorted(p for p in landing.glob(source.path) if p.is_file())
    if not paths:
        result.not_delivered = True
        return
    previous = {} if force else ledger.last_loaded(conn, source.name)
    for path in paths:
        name = path.relative_to(landing).as_posix()
        stat = path.stat()
        before = previous.get(name)
        if before and before[1] == stat.st_size and before[2] == stat.st_mtime:
            result.objects_skipped += 1
            continue
        checksum = _sha256(path)
        if before and before[0] == checksum:
            result.objects_skipped += 1
            continue
        result.add(_load_object(conn, source, name, _file_frames(source, path), checksum=checksum,
                                size=stat.st_size, mtime=stat.st_mtime))


# --- sql sources ----------------------------------------------------------------------------------

class _SqlFrames:
    """Chunks of the source table changed since `since`, as text, remembering the newest watermark."""

    def __init__(self, source: Source, engine: sa.Engine, since: datetime | None, shown_url: str):
        self.source, self.engine, self.since, self.shown_url = source, engine, since, shown_url
        self.watermark: str | None = None

    def __iter__(self) -> Iterator[pd.DataFrame]:
        try:
            yield from self._chunks()
        except sa.exc.SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise readers.UnreadableFile(
                f"cannot read table {self.source.table} from {self.shown_url}: {first}") from None

    def _chunks(self) -> Iterator[pd.DataFrame]:
        src = self.source
        table = sa.table(src.table, *(sa.column(c.source) for c in src.columns))
        query = sa.select(table)
        if self.since is not None:
            query = query.where(table.c[src.watermark] > sa.bindparam(
                "since", self.since.replace(tzinfo=None), type_=sa.DateTime()))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(query)
            while rows := result.fetchmany(CHUNK_ROWS):
                frame = pd.DataFrame(rows, columns=list(result.keys()), dtype="object")
                frame = frame.map(lambda v: "" if v is None else str(v))
                newest = frame[src.watermark].max()
                if newest and (self.watermark is None or newest > self.watermark):
                    self.watermark = newest
                yield frame


def _load_sql(conn: psycopg.Connection, source: Source, result: SourceResult, url: str, force: bool) -> None:
    sa_url = sa.make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        path = Path(sa_url.database or "")
        if not path.is_file():
            result.not_delivered = True
            return
        # read-only, so that reading can never create or change a landing file
        sa_url = sa_url.set(database=f"file:{path}?mode=ro", query={"uri": "true"})
    engine = sa.create_engine(sa_url)
    try:
        mark = None if force else ledger.last_watermark(conn, source.name, source.table)
        since = datetime.fromisoformat(mark) - timedelta(days=source.lookback_days) if mark else None
        frames = _SqlFrames(source, engine, since, sa.make_url(url).render_as_string(hide_password=True))
        key_columns = [next(c.source for c in source.columns if c.name == k) for k in source.key]

        def key_ref(number: int, row: dict) -> tuple[str, None]:
            # a table row has no line: it is named by its key (a version: key incl. the watermark)
            return "|".join(str(row.get(k, "")) for k in key_columns), None

        result.add(_load_object(conn, source, source.table, frames, replace=False, record_ref=key_ref))
    finally:
        engine.dispose()


# --- http sources ---------------------------------------------------------------------------------

def _load_http(conn: psycopg.Connection, source: Source, result: SourceResult, url: str, force: bool) -> None:
    """The whole crawl is one object: loaded in one transaction, rolled back if its checksum shows
    nothing changed since the last load."""
    previous = None if force else ledger.last_loaded(conn, source.name).get(url)
    digest = hashlib.sha256()

    def frames() -> Iterator[pd.DataFrame]:
        offset = 0
        for page_url, body in http_pages.fetch_pages(url, next_key=source.next_key):
            digest.update(body)
            frame = readers.read_json_items(body, source.items_key)
            frame.index = frame.index + offset + 1
            offset += len(frame)
            yield frame

    def item_ref(number: int, row: dict) -> tuple[str, int]:
        return f"item {number}", int(number)

    unchanged = False
    try:
        with conn.transaction():
            loaded = _load_object(conn, source, url, frames(), checksum=digest.hexdigest, record_ref=item_ref)
            if loaded.status == "loaded" and previous and previous[0] == digest.hexdigest():
                unchanged = True
                raise psycopg.Rollback()
    except http_pages.SourceNotDelivered:
        result.not_delivered = True
        return
    if unchanged:
        result.objects_skipped += 1
    else:
        result.add(loaded)


# --- entry points ---------------------------------------------------------------------------------

def load(name: str, url: str | None = None, force: bool = False) -> SourceResult:
    """Load one declared source (its URL from configuration unless given). `force` reads every
    object again as if never loaded (after a fix to a parser or a declaration); still idempotent."""
    source = load_sources()[name]
    result = SourceResult(name)
    with warehouse.connect(autocommit=True) as conn:
        conn.execute(source.ddl())
        if source.kind == "file":
            _load_files(conn, source, result, force)
        elif source.kind == "sql":
            _load_sql(conn, source, result, url or source.url(), force)
        else:
            _load_http(conn, source, result, url or source.url(), force)
    if result.not_delivered:
        log.info("%s: nothing delivered yet", name)
    log.info("%s: %s", name, result.as_dict())
    return result

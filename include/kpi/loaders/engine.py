"""The load engine: every declared source (sources.yml) into `raw`, one transaction per file or batch.

- file: each landing file matching the source's glob is one object. An object already loaded with
  the same size and mtime, or the same SHA-256, is skipped; a changed object replaces everything it
  loaded before (rows and set-aside rows), so reruns change nothing and corrections take effect.
- sql: rows changed since the last watermark minus a look-back window; every version is kept.
- http: all pages of one crawl are one object, replaced as a whole when their checksum changes.

Each object is read in chunks of Arrow tables (readers), typed column by column (typed_rows), and
its good rows go in with one binary COPY, sent by a writer thread while the next chunk is parsed
(by a thread of the reader's) and typed: the server stores rows the whole time instead of waiting
for each chunk. Bad rows go to raw.rejected_rows with the reason in words and without personal
data; an unreadable object is recorded as failed and the rest still loads.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import math
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from time import monotonic
from urllib.parse import quote

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from kpi import config, ledger, warehouse
from kpi.loaders import http_pages, readers, reference
from kpi.loaders import landing as landing_paths
from kpi.loaders.spec import Source, load_sources
from kpi.loaders.typed_rows import set_aside_copies, type_chunk

log = logging.getLogger(__name__)
CHUNK_ROWS = 25_000
# (record number, what its set-aside copy keeps) -> (record_ref, line) for a set-aside row
RecordRef = Callable[[int, "dict | None"], "tuple[str, int | None]"]
Progress = Callable[[str, int, int], None]  # (source, objects done, objects in all): kpi.progress


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


class _Checksum:
    """The SHA-256 of a landing file, taken from the bytes as the reader goes through them (a file
    loaded for the first time has no checksum to compare with before). Calling it gives the digest
    once the reader has seen the whole file; otherwise (a file not read to its end) the file is
    read again for it."""

    def __init__(self, path: Path):
        self.path = path
        self.digest = hashlib.sha256()
        self.complete = False

    def __call__(self) -> str:
        return self.digest.hexdigest() if self.complete else _sha256(self.path)


# --- binary COPY -----------------------------------------------------------------------------------
# Good rows go to PostgreSQL in its binary COPY format, built column by column from the Arrow arrays:
# the server then parses no text at all (a third less server time than CSV for the same rows).
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"
_NULL_FIELD = pa.scalar(b"\xff\xff\xff\xff", pa.binary())
_PG_EPOCH_DAYS = 10_957                       # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86_400_000_000
# numeric: 5 base-10000 groups before the point and 5 after cover every value the parsers make
# (at most 18 digits); the server strips the zero groups.
_NUMERIC_INT_GROUPS, _NUMERIC_FRAC_GROUPS = 5, 5
_NUMERIC_DTYPE = np.dtype([("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"), ("dscale", ">i2"),
                           ("digits", ">i2", _NUMERIC_INT_GROUPS + _NUMERIC_FRAC_GROUPS)])


def _copy_layout(source: Source) -> list[str]:
    """The order columns are sent in: the record's place, the fixed-width columns that are never
    null in a good row (required), the text columns, then the fixed-width columns that may be null.
    Runs of fixed-width fields pack into one block per row, so this order makes few pieces."""
    text = {c.name for c in source.kept if c.type in ("text", "choice")} | {source.pseudonym, source.district}
    required = {c.name for c in source.kept if c.required}
    names = source.raw_columns()
    first = [n for n in names if n not in text and n in required]
    middle = [n for n in names if n in text]
    rest = [n for n in names if n not in first and n not in middle]
    return ["_object", "_record", "_load_id", *first, *middle, *rest]


class _BinaryRows:
    """Rows in PostgreSQL's binary COPY format. Each row is a field count and, per column, a 4-byte
    length (-1 for NULL) and the value. Fixed-width fields are laid out with a numpy structured
    array, a run of them becoming one piece per row (the fields equal in every row are written
    once, as a template row copied to all); text values are pieces of their own; all pieces of a
    row are concatenated by one Arrow kernel (binary_join_element_wise)."""

    def __init__(self, n: int, columns: int):
        self.n = n
        self.pieces: list[pa.Array] = []
        # (dtype, values) per field of the current run; values is a scalar when every row has it
        self.fixed: list[tuple[np.dtype, object]] = []
        self.add_fixed(">i2", columns)

    def add_fixed(self, dtype: str | np.dtype, values: object) -> None:
        self.fixed.append((np.dtype(dtype), values))

    def add_field(self, dtype: str | np.dtype, values: object, valid: np.ndarray | None) -> None:
        """A fixed-width value with its length; a column with NULLs becomes a piece of its own."""
        nulls = valid is not None and not valid.all()
        if nulls:
            self._flush()
        self.add_fixed(">i4", np.dtype(dtype).itemsize)
        self.add_fixed(dtype, values)
        if nulls:
            self.pieces.append(pc.if_else(pa.array(valid), _fixed_piece(self._block()), _NULL_FIELD))

    def add_text(self, values: pa.Array) -> None:
        values = values.cast(pa.string()) if values.type != pa.string() else values
        if values.null_count == len(values):
            self.add_fixed(">i4", -1)
            return
        _validity, offsets, data = values.buffers()[:3]
        starts = np.frombuffer(offsets, dtype=np.int32, count=self.n + 1, offset=values.offset * 4)
        lengths = np.diff(starts)
        if values.null_count == 0 and lengths.min() == lengths.max():
            # every value has the same length (codes, ids, pseudonyms): a fixed-width field
            width = int(lengths[0])
            self.add_fixed(">i4", width)
            if width:
                self.add_fixed(f"S{width}", np.frombuffer(data, dtype=np.uint8)[starts[0]:starts[-1]].view(f"S{width}"))
            return
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        if values.null_count and lengths[~valid].any():
            values = values.fill_null("")
            _validity, offsets, data = values.buffers()[:3]
        self.add_fixed(">i4", np.where(valid, lengths, -1).astype(np.int32) if values.null_count else lengths)
        self._flush()
        self.pieces.append(pa.Array.from_buffers(pa.binary(), self.n, [None, offsets, data], offset=values.offset))

    def _block(self) -> np.ndarray:
        """The current run of fixed-width fields as a structured array (and the run ends)."""
        dtype = np.dtype([(f"f{i}", d) for i, (d, _) in enumerate(self.fixed)])
        template = np.zeros(1, dtype=dtype)
        varying = []
        for i, (_, values) in enumerate(self.fixed):
            if np.ndim(values) == 0:
                template[f"f{i}"] = values
            else:
                varying.append((f"f{i}", values))
        block = np.empty(self.n, dtype=dtype)
        block.view(np.uint8).reshape(self.n, dtype.itemsize)[:] = template.view(np.uint8)
        for name, values in varying:
            block[name] = values
        self.fixed = []
        return block

    def _flush(self) -> None:
        if self.fixed:
            self.pieces.append(_fixed_piece(self._block()))

    def data(self) -> memoryview:
        self._flush()
        rows = self.pieces[0] if len(self.pieces) == 1 else pc.binary_join_element_wise(*self.pieces, b"")
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=self.n + 1, offset=rows.offset * 4)
        return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


def _fixed_piece(block: np.ndarray) -> pa.BinaryArray:
    """A structured array as a binary array of one value per row (zero-copy)."""
    size = block.dtype.itemsize
    offsets = np.arange(0, (len(block) + 1) * size, size, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), len(block), [None, pa.py_buffer(offsets),
                                                           pa.py_buffer(block.view(np.uint8))])


def _numeric_blocks(values: np.ndarray) -> np.ndarray:
    """float64 -> PostgreSQL numeric (binary): the shortest decimal that reads back as the same
    float, i.e. the value of repr(value) (what the source wrote: `1,234,567.50` -> 1234567.5)."""
    out = np.zeros(len(values), dtype=_NUMERIC_DTYPE)
    x = np.abs(values)
    scale = np.full(len(x), -1, dtype=np.int64)
    mantissa = np.zeros(len(x), dtype=np.float64)
    for s in range(16):
        todo = scale < 0
        if not todo.any():
            break
        with np.errstate(over="ignore", invalid="ignore"):
            m = np.round(x[todo] * 10.0 ** s)
            hit = (m / 10.0 ** s == x[todo]) & (m < 2.0 ** 53)
        rows = np.flatnonzero(todo)[hit]
        scale[rows], mantissa[rows] = s, m[hit]
    int_part = np.zeros(len(x), dtype=np.int64)
    frac_part = np.zeros(len(x), dtype=np.int64)
    simple = scale >= 0
    m = mantissa[simple].astype(np.int64)
    unit = 10 ** scale[simple]
    int_part[simple] = m // unit
    # the fraction as 20 decimal places would overflow: keep it as 16 (4 groups) + 0
    frac_part[simple] = (m % unit) * 10 ** (16 - scale[simple])
    groups = out["digits"]
    for g in range(_NUMERIC_INT_GROUPS):
        groups[:, _NUMERIC_INT_GROUPS - 1 - g] = (int_part // 10_000 ** g) % 10_000
    for g in range(4):
        groups[:, _NUMERIC_INT_GROUPS + g] = (frac_part // 10_000 ** (3 - g)) % 10_000
    for i in np.flatnonzero(~simple):       # beyond 15 places or 2**53: exact decimal arithmetic
        digits, s = _decimal_groups(float(values[i]))
        groups[i], scale[i] = digits, s
    out["ndigits"] = _NUMERIC_INT_GROUPS + _NUMERIC_FRAC_GROUPS
    out["weight"] = _NUMERIC_INT_GROUPS - 1
    out["sign"] = np.where(values < 0, 0x4000, 0)
    # The display scale is that of Python's repr(), which the text COPY of earlier versions sent
    # (23000000 -> 23000000.0): the stored values keep their look.
    out["dscale"] = np.where((scale == 0) & (x < 1e16), 1, scale)
    return out


def _decimal_groups(value: float) -> tuple[list[int], int]:
    """The base-10000 digit groups and display scale of repr(value), in exact decimal arithmetic."""
    from decimal import Decimal

    d = abs(Decimal(repr(value)))
    groups = _NUMERIC_INT_GROUPS + _NUMERIC_FRAC_GROUPS
    places = max(0, -d.as_tuple().exponent) if d.is_finite() else 0
    scaled = int(d.scaleb(_NUMERIC_FRAC_GROUPS * 4)) if d.is_finite() else -1
    if not 0 <= scaled < 10_000 ** groups or places > _NUMERIC_FRAC_GROUPS * 4:
        # the parsers make at most 18 digits; anything else is a bug, not data to round
        raise ValueError(f"{value!r} does not fit the numeric layout of the binary COPY")
    return [(scaled // 10_000 ** g) % 10_000 for g in range(groups)][::-1], places


def _binary_rows(columns: list[str], typed: pa.Table, records: np.ndarray, object_name: str,
                 load_id: int) -> memoryview:
    n = typed.num_rows
    rows = _BinaryRows(n, len(columns))
    obj = object_name.encode("utf-8")
    for name in columns:
        if name == "_object":
            rows.add_field(f"S{len(obj)}", obj, None)
        elif name == "_record":
            rows.add_field(">i8", records, None)
        elif name == "_load_id":
            rows.add_field(">i8", load_id, None)
        else:
            _add_column(rows, typed[name].combine_chunks() if typed[name].num_chunks != 1 else typed[name].chunk(0))
    return rows.data()


def _add_column(rows: _BinaryRows, values: pa.Array) -> None:
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        rows.add_text(values)
        return
    valid = None if values.null_count == 0 else values.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_timestamp(kind):
        micros = values.cast(pa.timestamp("us", tz=kind.tz)).view(pa.int64()).fill_null(0).to_numpy()
        rows.add_field(">i8", micros - _PG_EPOCH_US, valid)
    elif pa.types.is_date32(kind):
        rows.add_field(">i4", values.view(pa.int32()).fill_null(0).to_numpy() - _PG_EPOCH_DAYS, valid)
    elif pa.types.is_integer(kind):
        rows.add_field(">i8", values.cast(pa.int64()).fill_null(0).to_numpy(), valid)
    elif pa.types.is_boolean(kind):
        rows.add_field(">u1", values.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8), valid)
    elif pa.types.is_floating(kind):
        rows.add_field(_NUMERIC_DTYPE, _numeric_blocks(values.cast(pa.float64()).fill_null(0.0).to_numpy()), valid)
    elif pa.types.is_null(kind):
        rows.add_fixed(">i4", -1)
    else:
        raise TypeError(f"no binary COPY encoding for Arrow type {kind}")


class _Copy:
    """One COPY ... FROM STDIN (FORMAT binary) for a whole object, fed chunk by chunk. A writer
    thread sends the data while the next chunk is parsed, and the server stores rows meanwhile."""

    def __init__(self, conn: psycopg.Connection, source: Source, object_name: str, load_id: int,
                 plain: bool = False):
        self.conn, self.source, self.object_name, self.load_id = conn, source, object_name, load_id
        self.plain = plain      # the reference path: a text COPY, row by row (reference.TextCopy)
        self.columns = _copy_layout(source)
        self.names = sql.SQL(", ").join(map(sql.Identifier, self.columns))
        self.rows = 0

    def __enter__(self) -> _Copy:
        target = sql.Identifier("raw", self.source.raw_table)
        self.cursor = self.conn.cursor()
        if self.source.kind == "sql":
            self.cursor.execute(sql.SQL("create temporary table if not exists _incoming (like {} including defaults) "
                                        "on commit drop").format(target))
            self.cursor.execute("truncate _incoming")
            target = sql.Identifier("_incoming")
        if self.plain:
            self._copy_cm = self.cursor.copy(reference.TextCopy.statement(target, self.names))
            self.copy = self._copy_cm.__enter__()
            self.text = reference.TextCopy(self.copy, self.columns, self.object_name, self.load_id)
            return self
        self._copy_cm = self.cursor.copy(sql.SQL("copy {} ({}) from stdin (format binary)").format(target, self.names),
                                         writer=_QueuedWriter(self.cursor))
        self.copy = self._copy_cm.__enter__()
        self.copy.write(_SIGNATURE)
        return self

    def write(self, typed: pa.Table, records: np.ndarray) -> None:
        if typed.num_rows:
            if self.plain:
                self.text.write(typed, records)
            else:
                self.copy.write(_binary_rows(self.columns, typed, records, self.object_name, self.load_id))
            self.rows += typed.num_rows

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if exc is None and not self.plain:
                self.copy.write(_TRAILER)
            self._copy_cm.__exit__(kind, exc, tb)
        finally:
            self.cursor.close()

    def inserted(self) -> int:
        """Rows that reached the raw table (for sql sources: versions not loaded before)."""
        if self.source.kind != "sql":
            return self.rows
        key = sql.SQL(", ").join(map(sql.Identifier, self.source.key))
        with self.conn.cursor() as cur:
            cur.execute(sql.SQL("insert into {} ({}) select {} from _incoming on conflict ({}) do nothing").format(
                sql.Identifier("raw", self.source.raw_table), self.names, self.names, key))
            return cur.rowcount


class _QueuedWriter(QueuedLibpqWriter):
    """psycopg's queued writer with a bounded queue of 256 blocks of up to 128 kB: deep enough that
    the server always has rows to store while the next chunk is typed, short enough that memory
    does not grow with the file when the server is the slower side (32 MB in flight at most)."""

    def __init__(self, cursor: psycopg.Cursor):
        super().__init__(cursor)
        self._queue = queue.Queue(maxsize=256)


def _line_ref(number: int, row: dict | None) -> tuple[str, int | None]:
    return f"line {number}", int(number)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an object loads: the load makes no reference cycles,
    but its many short-lived Arrow wrapper objects would trigger collections that scan every object
    of the process (pandas, pyarrow, Airflow...) again and again. Back on (if it was) afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_frames(conn: psycopg.Connection, source: Source, object_name: str, frames: Iterable[pa.Table],
                 load_id: int, result: ledger.LoadResult, record_ref: RecordRef, delivered: date,
                 plain: bool) -> None:
    pii_key = config.pii_key() if source.pseudonym else b""  # a source without personal data needs none
    with _gc_paused(), _Copy(conn, source, object_name, load_id, plain) as copy:
        for chunk in frames:
            typed, reasons = type_chunk(source, chunk, pii_key, delivered)
            bad = reasons.notna().to_numpy()
            records = reasons.index.to_numpy()
            result.rows_read += len(bad)
            if not bad.any():
                copy.write(typed, records)
                continue
            good = pa.array(~bad)
            copy.write(typed.filter(good), records[~bad])
            kept = set_aside_copies(source, chunk.filter(pa.array(bad)))
            for number, reason, row in zip(records[bad].tolist(), reasons[bad].tolist(), kept):
                ref, line = record_ref(number, row)
                result.rejections.append(ledger.Rejection(ref, reason, row, line))
    result.rows_loaded += copy.inserted()
    result.rows_rejected = len(result.rejections)


def _load_object(conn: psycopg.Connection, source: Source, object_name: str, frames: Iterable[pa.Table],
                 *, checksum: str | Callable[[], str] | None = None, size: int | None = None,
                 mtime: float | None = None, replace: bool = True,
                 record_ref: RecordRef = _line_ref, delivered: date | None = None,
                 plain: bool = False) -> ledger.LoadResult:
    """One file or batch in one transaction; unreadable input is recorded as failed instead.
    `checksum` may be a callable for content only known once read (an HTTP crawl, a file loaded
    for the first time). `delivered` bounds the dates (default: today, for a database or an API).
    `plain`: the rows go in by the reference path's text COPY instead of the binary one."""
    result = ledger.LoadResult(source.name, object_name, "loaded")
    try:
        with conn.transaction():
            load_id = ledger.begin(conn, source.name, object_name, None if callable(checksum) else checksum,
                                   size, mtime)
            if replace:
                conn.execute(sql.SQL("delete from {} where _object = %s").format(
                    sql.Identifier("raw", source.raw_table)), (object_name,))
                ledger.clear_set_aside(conn, source.name, object_name)
            _load_frames(conn, source, object_name, frames, load_id, result, record_ref,
                         delivered or landing_paths.today(), plain)
            ledger.set_aside(conn, load_id, source.name, object_name, result.rejections)
            ledger.finish(conn, load_id, result, getattr(frames, "watermark", None),
                          checksum() if callable(checksum) else None)
    except (readers.UnreadableFile, http_pages.HttpSourceError) as exc:
        if isinstance(checksum, _Checksum):
            checksum = checksum()
        return _failed(conn, source, object_name, str(exc), None if callable(checksum) else checksum)
    for rej in result.rejections[:20]:
        log.warning("%s %s record %s set aside: %s", source.name, object_name, rej.record_ref, rej.reason)
    log.info("%s %s: read %d, loaded %d, set aside %d", source.name, object_name, result.rows_read,
             result.rows_loaded, result.rows_rejected)
    return result


def _failed(conn: psycopg.Connection, source: Source, object_name: str, error: str,
            checksum: str | None = None) -> ledger.LoadResult:
    """An object that could not be read at all, recorded as failed in the ledger."""
    message = f"{object_name}: {error}"
    ledger.record_failure(conn, source.name, object_name, message, checksum)
    log.error("%s: %s", source.name, message)
    return ledger.LoadResult(source.name, object_name, "failed", error=message)


# --- file sources ---------------------------------------------------------------------------------

def _file_frames(source: Source, path: Path, checksum: str | _Checksum, plain: bool) -> Iterator[pa.Table]:
    """Chunks of one landing file. A generator, so that an unreadable file fails inside the
    object's transaction (and is recorded there), not before it. `plain`: a CSV file is read by
    the reference path (reference.read_csv)."""
    if source.format == "csv":
        digest = checksum.digest if isinstance(checksum, _Checksum) else None
        read_csv = reference.read_csv if plain else readers.read_csv
        yield from read_csv(path, source.header, declared=source.encoding, chunk_rows=CHUNK_ROWS, digest=digest)
        if isinstance(checksum, _Checksum):
            checksum.complete = True
    elif source.format == "xlsx":
        yield from readers.read_xlsx(path, source.header, header_row=source.header_row,
                                     total_marker=source.total_marker, chunk_rows=CHUNK_ROWS,
                                     sheet_name=source.sheet)
    elif source.format == "json":
        yield readers.read_json_items(path.read_bytes(), source.items_key)
    else:
        raise readers.UnreadableFile(f"source {source.name}: unknown file format {source.format!r}")


def _load_files(conn: psycopg.Connection, source: Source, result: SourceResult, force: bool,
                progress: Progress | None = None, plain: bool = False) -> None:
    landing = config.landing_dir()
    # links too: they are recorded as failed below, not silently passed over
    paths = sorted(p for p in landing.glob(source.path) if p.is_symlink() or p.is_file())
    if not paths:
        result.not_delivered = True
        return
    previous = {} if force else ledger.last_loaded(conn, source.name)
    for i, path in enumerate(paths, 1):
        _load_file(conn, source, result, landing, path, previous, plain)
        if progress:
            progress(source.name, i, len(paths))


def _load_file(conn: psycopg.Connection, source: Source, result: SourceResult, landing: Path, path: Path,
               previous: dict, plain: bool = False) -> None:
    name = path.relative_to(landing).as_posix()
    refused = landing_paths.refusal(path, landing)
    if refused:
        result.add(_failed(conn, source, name, f"not read: {refused}"))
        return
    stat = path.stat()
    before = previous.get(name)
    if before and before[1] == stat.st_size and before[2] == stat.st_mtime:
        result.objects_skipped += 1
        return
    if before or source.format != "csv":
        checksum: str | _Checksum = _sha256(path)
        if before and before[0] == checksum:
            result.objects_skipped += 1
            return
    else:
        checksum = _Checksum(path)
    result.add(_load_object(conn, source, name, _file_frames(source, path, checksum, plain), checksum=checksum,
                            size=stat.st_size, mtime=stat.st_mtime,
                            delivered=landing_paths.delivery_date(path, stat.st_mtime), plain=plain))


# --- sql sources ----------------------------------------------------------------------------------

class _SqlFrames:
    """Chunks of the source table changed since `since`, as text, remembering the newest watermark.
    The read must end within the source's deadline, counted from when this object is made."""

    def __init__(self, source: Source, url: sa.URL, since: datetime | None, shown_url: str):
        self.source, self.since, self.shown_url = source, since, shown_url
        self.deadline = source.limit("deadline")
        self.ends = monotonic() + self.deadline
        self.engine = _sql_engine(url, source, self.past_deadline)
        self.watermark: str | None = None

    def past_deadline(self) -> bool:
        return monotonic() >= self.ends

    def _deadline_error(self) -> readers.UnreadableFile:
        return readers.UnreadableFile(
            f"reading table {self.source.table} from {self.shown_url} did not finish within the deadline of "
            f"{self.deadline:g} s (deadline / KPI_{self.source.name.upper()}_DEADLINE)")

    def __iter__(self) -> Iterator[pa.Table]:
        try:
            yield from self._chunks()
        except sa.exc.SQLAlchemyError as exc:
            if self.past_deadline():   # the driver's statement timeout or SQLite's interrupt
                raise self._deadline_error() from None
            first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise readers.UnreadableFile(
                f"cannot read table {self.source.table} from {self.shown_url}: {first}") from None

    def _chunks(self) -> Iterator[pa.Table]:
        src = self.source
        table = sa.table(src.table, *(sa.column(c.source) for c in src.columns))
        query = sa.select(table)
        if self.since is not None:
            query = query.where(table.c[src.watermark] > sa.bindparam(
                "since", self.since.replace(tzinfo=None), type_=sa.DateTime()))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(query)
            names, position = list(result.keys()), 0
            while rows := result.fetchmany(CHUNK_ROWS):
                if self.past_deadline():
                    raise self._deadline_error()
                columns = {name: pa.array(["" if v is None else str(v) for v in values], pa.string())
                           for name, values in zip(names, zip(*rows))}
                columns[readers.RECORD_COLUMN] = pa.array(np.arange(position, position + len(rows)), pa.int64())
                position += len(rows)
                chunk = pa.table(columns)
                newest = pc.max(chunk[src.watermark]).as_py()
                if newest and (self.watermark is None or newest > self.watermark):
                    self.watermark = newest
                yield chunk


def _sql_engine(url: sa.URL, source: Source, past_deadline: Callable[[], bool]) -> sa.Engine:
    """An engine whose driver waits for the network at most the source's timeout and stops a read
    that outlives its deadline: checking the deadline between chunks cannot interrupt a read that
    hangs. PostgreSQL: connect timeout, TCP keepalives and a statement timeout; SQLite: a busy
    timeout and an interrupt once `past_deadline()` says so."""
    timeout, deadline = source.limit("timeout"), source.limit("deadline")
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": timeout})

        @sa.event.listens_for(engine, "connect")
        def _interrupt_at_deadline(dbapi_connection, _record) -> None:
            dbapi_connection.set_progress_handler(lambda: int(past_deadline()), 10_000)

        return engine
    if backend == "postgresql" and driver in ("psycopg", "psycopg2"):
        seconds = max(1, math.ceil(timeout))
        statement_timeout = f"-c statement_timeout={math.ceil(deadline * 1000)}"
        options = " ".join(filter(None, [url.query.get("options"), statement_timeout]))
        return sa.create_engine(url, connect_args={
            "connect_timeout": seconds, "options": options, "keepalives": 1, "keepalives_idle": seconds,
            "keepalives_interval": max(1, seconds // 3), "keepalives_count": 3})
    log.warning("%s: no driver time limits known for %s+%s; only the deadline between chunks applies",
                source.name, backend, driver)
    return sa.create_engine(url)


def _not_opened(conn: psycopg.Connection, source: Source, result: SourceResult, object_name: str,
                what: str, configured: bool) -> None:
    """A source whose database or first page does not exist. At the default place in the landing
    directory it has delivered nothing yet (docs/sources.md#landing-directory); set explicitly, it is misconfigured or
    down, and that is an error."""
    if not configured:
        result.not_delivered = True
        return
    named = f"{source.url_env} names it" if source.url_configured() else "it was given explicitly"
    result.add(_failed(conn, source, object_name, f"{what} does not exist ({named}, so it must exist)"))


def _load_sql(conn: psycopg.Connection, source: Source, result: SourceResult, url: str, force: bool,
              configured: bool, plain: bool = False) -> None:
    sa_url = sa.make_url(url)
    shown = sa_url.render_as_string(hide_password=True)
    if sa_url.get_backend_name() == "sqlite":
        path = Path(sa_url.database or "")
        if not path.is_file():
            _not_opened(conn, source, result, source.table, f"the SQLite database {shown}", configured)
            return
        landing = config.landing_dir()
        refused = Path(os.path.abspath(path)).is_relative_to(landing) and landing_paths.refusal(path, landing)
        if refused:
            result.add(_failed(conn, source, source.table, f"not read: {refused}"))
            return
        # read-only, so that reading can never create or change a landing file
        sa_url = sa_url.set(database=f"file:{quote(str(path))}?mode=ro", query={"uri": "true"})
    mark = None if force else ledger.last_watermark(conn, source.name, source.table)
    since = datetime.fromisoformat(mark) - timedelta(days=source.lookback_days) if mark else None
    frames = _SqlFrames(source, sa_url, since, shown)
    try:
        key_columns = [next(c.source for c in source.columns if c.name == k) for k in source.key]

        def key_ref(number: int, row: dict) -> tuple[str, None]:
            # a table row has no line: it is named by its key (a version: key incl. the watermark);
            # a table has no row the reader could not read whole, so there always is a copy
            return "|".join(str(row.get(k, "")) for k in key_columns), None

        result.add(_load_object(conn, source, source.table, frames, replace=False, record_ref=key_ref, plain=plain))
    finally:
        frames.engine.dispose()


# --- http sources ---------------------------------------------------------------------------------

def _load_http(conn: psycopg.Connection, source: Source, result: SourceResult, url: str, force: bool,
               configured: bool, plain: bool = False) -> None:
    """The whole crawl is one object: loaded in one transaction, rolled back if its checksum shows
    nothing changed since the last load."""
    from kpi import shared_storage

    # staged from KPI_LANDING_URL, the crawl reads a scratch copy; the object keeps its shared name
    object_name = shared_storage.landing_name(url)
    previous = None if force else ledger.last_loaded(conn, source.name).get(object_name)
    digest = hashlib.sha256()
    # file:// pages in the landing directory are held to its rules (no links, nothing outside it)
    landing = config.landing_dir()
    path = http_pages.file_path(url)
    root = landing if path and Path(os.path.abspath(path)).is_relative_to(landing) else None
    limits = {name: source.limit(name) for name in ("timeout", "page_deadline", "deadline")}

    def frames() -> Iterator[pa.Table]:
        offset = 0
        for _page_url, body in http_pages.fetch_pages(url, next_key=source.next_key, file_root=root,
                                                      rebase=shared_storage.staged_link, **limits):
            digest.update(body)
            page = readers.read_json_items(body, source.items_key)
            at = page.schema.get_field_index(readers.RECORD_COLUMN)
            page = page.set_column(at, readers.RECORD_COLUMN, pc.add(page[readers.RECORD_COLUMN], offset + 1))
            offset += page.num_rows
            yield page

    def item_ref(number: int, row: dict | None) -> tuple[str, int]:
        return f"item {number}", int(number)

    unchanged = False
    try:
        with conn.transaction():
            loaded = _load_object(conn, source, object_name, frames(), checksum=digest.hexdigest,
                                  record_ref=item_ref, plain=plain)
            if loaded.status == "loaded" and previous and previous[0] == digest.hexdigest():
                unchanged = True
                raise psycopg.Rollback()
    except http_pages.SourceNotDelivered:
        _not_opened(conn, source, result, object_name, f"the first page {http_pages.safe_url(object_name)}",
                    configured)
        return
    if unchanged:
        result.objects_skipped += 1
    else:
        result.add(loaded)


# --- entry points ---------------------------------------------------------------------------------

def load(name: str, url: str | None = None, force: bool = False, progress: Progress | None = None,
         loader_path: str | None = None) -> SourceResult:
    """Load one declared source (its URL from configuration unless given). `force` reads every
    object again as if never loaded (after a fix to a parser or a declaration); still idempotent.
    `progress(source, done, total)` is told after each file (a table or an API crawl is one object).
    `loader_path`: "fast" (the default) or "reference" (kpi.loaders.reference: CSV files read by the
    stdlib csv module, rows sent by a text COPY); None: config.loader_path() (KPI_LOADER_PATH)."""
    loader_path = loader_path or config.loader_path()
    if loader_path not in config.LOADER_PATHS:
        raise ValueError(f"loader_path must be one of {', '.join(config.LOADER_PATHS)}, got {loader_path!r}")
    plain = loader_path == "reference"
    source = load_sources()[name]
    configured = url is not None or source.url_configured()
    result = SourceResult(name)
    with warehouse.connect(autocommit=True) as conn:
        conn.execute(source.ddl())
        if source.kind == "file":
            _load_files(conn, source, result, force, progress, plain)
        elif source.kind == "sql":
            _load_sql(conn, source, result, url or source.url(), force, configured, plain)
        else:
            _load_http(conn, source, result, url or source.url(), force, configured, plain)
    if progress and (source.kind != "file" or result.not_delivered):
        progress(name, 1, 1)  # files report one by one above
    if result.not_delivered:
        log.info("%s: nothing delivered yet", name)
    log.info("%s: %s", name, result.as_dict())
    return result

"""Reading source files the way the city delivers them, in chunks so memory stays flat.

Every reader yields Arrow tables whose columns are the expected header (all values text, '' for an
empty cell), then `_error`: null for a good record, or the reason a record is structurally broken
(a CSV record with more or fewer fields than the header carries none of them, see _fit), and
`_record`: where a person finds the record, the 1-based physical line of a CSV file (line 1 is the
header), the worksheet row of a workbook, the 0-based item position in a JSON page. A file that
cannot be read at all raises UnreadableFile.

CSV files are parsed by Apache Arrow's streaming CSV reader, fed UTF-8 (a cp950 file is decoded block
by block on the way in). Arrow does not report physical lines, so they are counted here: a record
spans one line plus the line breaks inside its quoted values (counted only once a quote has been
seen in the file), and blank lines and records with the wrong number of fields keep their place by
Arrow's record numbers.

The readers are generators: nothing is opened until the first chunk is asked for, and an
UnreadableFile can come after earlier chunks were yielded (a file that turns undecodable halfway),
so a caller that wants all-or-nothing per file must not commit before the last chunk.
"""
from __future__ import annotations

import atexit
import codecs
import contextlib
import io
import json
import logging
import queue
import re
import threading
import weakref
import zipfile
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from time import monotonic, sleep
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from kpi import errors
from kpi.loaders.parsing import WHITESPACE, string_buffers

log = logging.getLogger(__name__)
ERROR_COLUMN = "_error"
RECORD_COLUMN = "_record"
LEGACY_ENCODING = "cp950"
_READ_BLOCK = 1 << 20
# Bytes of the file decoded at a time (short, so that decoding holds the GIL briefly).
_DECODE_BLOCK = 1 << 18
# Bytes of UTF-8 Arrow parses at a time (one record batch each; Arrow reads 32 blocks ahead, and
# a record may be at most one block long).
_ARROW_BLOCK = 1 << 20
# The longest physical line of a CSV file (see _Utf8Stream).
MAX_LINE = _ARROW_BLOCK
_UTF8_NAMES = {"utf-8", "utf-8-sig"}
# Codecs for which the default order (UTF-8, then cp950) already is the right answer.
_DEFAULT_FAMILY = _UTF8_NAMES | {"cp950", "big5", "big5hkscs"}


class UnreadableFile(errors.KpiError):
    """The whole file cannot be read: not a workbook, undecodable, wrong header, empty."""


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------
def detect_encoding(path: str | Path, declared: str | None = None) -> str:
    """The codec to read a text file with: `utf-8-sig` if it starts with a UTF-8 BOM, else `utf-8`
    if the whole file is valid UTF-8, else `cp950` if it is valid cp950, else UnreadableFile.

    Why UTF-8 is tried before cp950 although docs/sources.md#s2-petitions calls these files cp950: real cp950
    Chinese text is practically never valid UTF-8 (Big5 trail bytes 0x40-0x7E are not UTF-8
    continuation bytes), while UTF-8 text can decode as cp950 without error and come out as
    mojibake. Trying UTF-8 first therefore still reads every cp950 file as cp950, and reads a file
    exported as UTF-8 (which the same section allows) correctly instead of as silent mojibake. ASCII-only
    files are the same either way.

    `declared` is the source's documented encoding. UTF-8 and Big5/cp950 names keep the order
    above; any other codec (say `gb18030`) takes cp950's place as the legacy fallback.

    Validity is checked by streaming the bytes, so a 150 MB file never becomes one string.
    read_csv does the same choice with `sniff_encoding` and checks the legacy codec while it
    decodes, instead of in a pass of its own.
    """
    path = Path(path)
    codec = sniff_encoding(path, declared)
    if codec in _UTF8_NAMES:
        return codec
    legacy_error = _first_decode_error(path, codec)
    if legacy_error is None:
        return codec
    raise UnreadableFile(_neither(path, codec, legacy_error))


def sniff_encoding(path: str | Path, declared: str | None = None) -> str:
    """detect_encoding's choice without checking the legacy codec: `utf-8-sig` (BOM), `utf-8` (the
    whole file is valid UTF-8), else the legacy codec, whose validity is left to the reader."""
    path = Path(path)
    legacy = _legacy_codec(declared)
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise UnreadableFile(f"{path.name} is UTF-16 (it starts with a UTF-16 byte order mark); "
                             f"expected {legacy} or UTF-8")
    return "utf-8" if _is_utf8(path) else legacy


def _legacy_codec(declared: str | None) -> str:
    if not declared:
        return LEGACY_ENCODING
    try:
        # `utf-8-bom` is how the demo manifest and people name UTF-8 with a BOM.
        name = codecs.lookup("utf-8-sig" if declared.lower() in ("utf-8-bom", "utf8-bom") else declared).name
    except LookupError:
        raise ValueError(f"unknown encoding {declared!r}") from None
    return LEGACY_ENCODING if name in _DEFAULT_FAMILY else name


def _utf8_ok(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (Arrow's SIMD validation: a 180 MB file in a few ms)."""
    array = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, len(data)], np.int32)),
                                                   pa.py_buffer(data)])
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _is_utf8(path: Path) -> bool:
    carry = b""
    with path.open("rb") as f:
        while block := f.read(_READ_BLOCK):
            data = carry + block
            cut = data.rfind(b"\n") + 1      # '\n' never sits inside a UTF-8 character
            if not cut and len(data) > 4 * _READ_BLOCK:
                return _first_decode_error(path, "utf-8") is None    # one enormous line
            if not _utf8_ok(data[:cut]):
                return False
            carry = data[cut:]
    return _utf8_ok(carry)


def _first_decode_error(path: Path, encoding: str) -> str | None:
    """Where the file stops being valid `encoding` (as 'byte N, line L'), or None if it never does."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, lines = 0, 1
    with path.open("rb") as f:
        while True:
            block = f.read(_READ_BLOCK)
            final = not block
            pending = _pending_bytes(decoder)
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                at = offset - len(pending) + exc.start
                line = lines + (pending + block)[:exc.start].count(b"\n")
                return f"invalid byte at offset {at}, line {line}"
            if final:
                return None
            offset += len(block)
            lines += block.count(b"\n")


def _pending_bytes(decoder: codecs.IncrementalDecoder) -> bytes:
    state = decoder.getstate()
    return state[0] if isinstance(state, tuple) and isinstance(state[0], bytes) else b""


def _neither(path: Path, legacy: str, legacy_error: str | None) -> str:
    return (f"{path.name} is neither UTF-8 ({_first_decode_error(path, 'utf-8')}) "
            f"nor {legacy} ({legacy_error})")


def _utf8_blocks(path: Path, codec: str, *, sniffed: bool, digest=None) -> Iterator[bytes]:
    """The file as UTF-8, block by block: UTF-8 passes through (checked unless the whole file
    already was), any other codec is decoded. Undecodable input raises UnreadableFile naming the
    byte offset and line. Every byte of the file goes through `digest.update` (a hashlib object)
    on the way, if one is given."""
    codec = codecs.lookup(codec).name
    utf8 = codec in _UTF8_NAMES
    # sniff_encoding said `utf-8` only after checking the whole file; a BOM it takes on trust
    check = not (sniffed and codec == "utf-8")
    decoder = None if utf8 else codecs.getincrementaldecoder(codec)("strict")
    carry = b""
    with path.open("rb") as f:
        if codec == "utf-8-sig":
            if (bom := f.read(3)) == codecs.BOM_UTF8:
                if digest is not None:
                    digest.update(bom)
            else:
                f.seek(0)
        while True:
            block = f.read(_DECODE_BLOCK)
            if digest is not None:
                digest.update(block)
            if utf8:
                data = carry + block
                cut = data.rfind(b"\n") + 1 if block else len(data)
                if not cut and len(data) > 4 * _DECODE_BLOCK:
                    cut = _char_boundary(data)      # one enormous line
                out, carry = data[:cut], data[cut:]
                if check and out and not _utf8_ok(out):
                    raise _undecodable(path, codec, sniffed)
            else:
                try:
                    out = decoder.decode(block, final=not block).encode("utf-8")
                except UnicodeDecodeError:
                    raise _undecodable(path, codec, sniffed) from None
            if out:
                yield out
            if not block:
                return


def _char_boundary(data: bytes) -> int:
    """The end of the last whole UTF-8 character in `data` (a character cut short stays out)."""
    start = len(data) - 1
    while start > 0 and len(data) - start < 4 and data[start] & 0xC0 == 0x80:   # continuation bytes
        start -= 1
    if start < 0:
        return 0
    lead = data[start]
    length = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return len(data) if start + length <= len(data) else start


def _undecodable(path: Path, codec: str, sniffed: bool) -> UnreadableFile:
    # a BOM is valid UTF-8: checking the raw bytes as utf-8 gives offsets and lines in the file
    error = _first_decode_error(path, "utf-8" if codec == "utf-8-sig" else codec)
    if sniffed and codec not in _UTF8_NAMES:
        return UnreadableFile(_neither(path, codec, error))
    return UnreadableFile(f"{path.name} is not valid {codec} after all ({error})")


class _Ahead:
    """The items of an iterator, produced by a thread of their own up to `depth` items ahead (so
    that a file is parsed while the previous chunk is typed). The iterator's exception is raised
    to the consumer in its place. A consumer that stops early calls close(); at interpreter exit
    every one still running is closed (see _close_all)."""

    _END = object()
    running: ClassVar[weakref.WeakSet[_Ahead]] = weakref.WeakSet()

    def __init__(self, items: Iterator, depth: int, name: str):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self._thread.start()
        _Ahead.running.add(self)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items: Iterator) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(self._END)
        except BaseException as exc:  # raised again by next() in the consumer's thread
            self._put(exc)
        finally:
            close = getattr(items, "close", None)
            if close:
                close()

    def next(self):
        """The next item, or None at the end."""
        item = self._queue.get()
        if item is self._END:
            self._queue.put(item)      # stays at the end for later calls
            return None
        if isinstance(item, BaseException):
            self._queue.put(item)
            raise item
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        _Ahead.running.discard(self)


@atexit.register
def _close_all() -> None:
    """Stop the parsing threads of readers nobody finished (their Arrow threads with them)."""
    for ahead in list(_Ahead.running):
        ahead.close()


class _Utf8Stream(io.RawIOBase):
    """A text file as UTF-8 bytes, for Arrow (see _utf8_blocks). Arrow's reader calls read() from
    its own I/O thread, up to 32 blocks ahead of the parsing, so decoding runs beside it; the
    reader's own thread reads the header (line()) before and closes the stream after. A lock makes
    sure the file is only ever advanced by one thread at a time (a generator advanced from two
    threads raises), and close() waits for a read in progress.

    A physical line longer than MAX_LINE ends the stream with an error naming its line (Arrow could
    not take it as one record, and no source has such lines: the file lost its line breaks), before
    Arrow is given more of it than one block. `quotes` tells whether a '"' went by."""

    def __init__(self, path: Path, codec: str, *, sniffed: bool, digest=None):
        super().__init__()
        self.path = path
        self._blocks = _utf8_blocks(path, codec, sniffed=sniffed, digest=digest)
        self._lock = threading.Lock()
        self._pending: deque[bytes] = deque()
        self._size = 0
        self._eof = False
        self._stopped = False
        self._lent: list[weakref.ref] = []
        self._ended = False                 # a read was answered with the end
        self._last_read = monotonic()
        self._line_no = 1                   # the physical line the bytes after the last line break are on
        self._line_bytes = 0                # ... and how many bytes of it went by
        self._after_cr = False              # the last byte that went by is a \r
        self.quotes = False
        self.error: UnreadableFile | None = None

    def check(self) -> None:
        """Raise the error that ended the stream early, if one did."""
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """From now on the stream is at its end (the reader is done with it, or gives up early)."""
        self._stopped = True

    @property
    def stopped(self) -> bool:
        return self._stopped

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stopped = True
        with self._lock:
            self._blocks.close()
        super().close()

    def settle(self, quiet: float = 0.5) -> None:
        """After stop(): wait until Arrow's reading thread will call read() no more, sleeping in
        between (it needs the GIL to get to its next read). It is done once a read was answered
        with the end (every read after stop() is); a thread that stopped because its queue of 32
        blocks is full never reads again, which shows as no read for `quiet` seconds. Only then may
        the reader be dropped: dropping it waits for a reading thread still running, while holding
        the GIL that thread needs."""
        while True:
            with self._lock:
                if self._ended or monotonic() - self._last_read > quiet:
                    return
            sleep(0.001)

    def _fill(self) -> None:
        try:
            out = next(self._blocks, None)
        except UnreadableFile as exc:
            # Raised from here, the error would cross Arrow's thread (and keep this stream alive
            # in its traceback): the stream ends instead, and the reader raises it (check()).
            self.error, out = exc.with_traceback(None), None
        if out is not None:
            out = self._within_line_limit(out)
        if out:
            if not self.quotes and b'"' in out:
                self.quotes = True
            self._pending.append(out)
            self._size += len(out)
        if out is None or self.error is not None:
            self._eof = True

    def _within_line_limit(self, out: bytes) -> bytes:
        """`out` as far as no line in it is longer than MAX_LINE; at a longer line the stream ends
        with an error naming it. A line that starts and ends inside one block is not measured:
        blocks are at most 5/4 MAX_LINE long, which Arrow still takes."""
        first = _line_break(out, 0)
        if first is None:
            self._line_bytes += len(out)
            return out if self._line_bytes <= MAX_LINE else self._too_long(b"")
        if self._line_bytes + first > MAX_LINE:
            return self._too_long(b"")
        last = max(out.rfind(b"\n"), out.rfind(b"\r"))
        self._line_no += _count_breaks(out, self._after_cr)
        self._line_bytes = len(out) - last - 1
        self._after_cr = out[-1] == 13
        return out if self._line_bytes <= MAX_LINE else self._too_long(out[:last + 1])

    def _too_long(self, head: bytes) -> bytes:
        self.error = UnreadableFile(f"line {self._line_no} of {self.path.name} is longer than {MAX_LINE >> 20} MB "
                                    "(its line breaks may be missing)")
        return head

    def _ensure(self, n: int) -> None:
        while self._size < n and not self._eof:
            self._fill()

    def read(self, n: int = -1) -> np.ndarray:
        """Up to `n` bytes, ending with a line break whenever one is in reach. Arrow takes what one
        read returns as one block: a record may straddle only one block boundary, Arrow 26 loses
        the \\n of a quoted \\r\\n split between blocks, and a reader stopped early must end on a
        whole line (not in the middle of a character). The bytes come as a numpy array, which
        Arrow holds on to while it needs them; its weak reference tells when Arrow let go."""
        with self._lock:
            data = np.frombuffer(self._take(n), dtype=np.uint8)
            self._lent = [ref for ref in self._lent if ref() is not None]
            self._lent.append(weakref.ref(data))
            self._ended = self._ended or not len(data)
            self._last_read = monotonic()
        return data

    def released(self) -> bool:
        """Whether Arrow let go of every block it was given."""
        with self._lock:
            return all(ref() is None for ref in self._lent)

    def _take(self, n: int = -1) -> bytes | memoryview:
        if self._stopped:
            return b""
        if n is None or n < 0:
            n = 1 << 62
        self._ensure(n + 1)
        parts, taken = [], 0
        while self._pending and taken < n:
            part = self._pending.popleft()
            if len(part) > n - taken:
                self._pending.appendleft(memoryview(part)[n - taken:])
                part = memoryview(part)[:n - taken]
            parts.append(part)
            taken += len(part)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if self._pending:
            cut = bytes(data).rfind(b"\n") + 1 if isinstance(data, memoryview) else data.rfind(b"\n") + 1
            if 0 < cut < len(data):
                self._pending.appendleft(memoryview(data)[cut:])
                data = memoryview(data)[:cut]
            elif not cut and len(data) > 1 and data[-1] == 13:
                self._pending.appendleft(memoryview(data)[-1:])   # a record longer than a block
                data = memoryview(data)[:-1]
        self._size -= len(data)
        return data

    def at_end(self) -> bool:
        with self._lock:
            self._ensure(1)
            return self._size == 0

    def line(self) -> bytes:
        """One physical line, with its line break (\\r\\n, \\n or \\r); b'' at the end."""
        with self._lock:
            return self._line()

    def _line(self) -> bytes:
        looked = 0
        while True:
            data = b"".join(self._pending)
            self._pending = deque([data] if data else [])
            at = _line_break(data, looked)
            if at is not None and (at + 1 < len(data) or self._eof or data[at] == 10):
                end = at + 2 if data[at] == 13 and at + 1 < len(data) and data[at + 1] == 10 else at + 1
                break
            if self._eof:
                end = len(data)
                break
            looked = len(data) if at is None else at
            self._fill()
        line = b""
        while len(line) < end:
            line += self._take(end - len(line))
        return line


def _count_breaks(data: bytes, after_cr: bool) -> int:
    """Line breaks in `data` as a text editor counts them (\\r\\n once, a lone \\r too), `after_cr`
    telling whether the byte before `data` is a \\r."""
    breaks = data.count(b"\n")
    if cr := data.count(b"\r"):
        breaks += cr - data.count(b"\r\n")
    return breaks - (after_cr and data[:1] == b"\n")


class _Feed(io.RawIOBase):
    """What Arrow reads: the stream's read(), through an object only Arrow holds, so that a weak
    reference to it tells when Arrow has let go of the file (its reading thread is gone)."""

    def __init__(self, stream: _Utf8Stream):
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> np.ndarray:
        return self._stream.read(n)


def _line_break(data: bytes, start: int) -> int | None:
    found = [i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0]
    return min(found) if found else None


# ---------------------------------------------------------------------------------------------
# shared: headers and tables
# ---------------------------------------------------------------------------------------------
def _clean_header(cells: Sequence[str]) -> list[str]:
    """Header cells without surrounding spaces or BOM; trailing empty cells dropped (Excel)."""
    found = [c.replace("\ufeff", "").strip() for c in cells]
    while found and found[-1] == "":
        found.pop()
    return found


def _check_header(found: list[str], expected: Sequence[str], where: str, hint: str = "") -> None:
    expected = list(expected)
    if found == expected:
        return
    named = sum(cell in expected for cell in found)
    if named * 2 <= len(expected):
        # Mostly no column names: probably a data row (a file exported without its header), which
        # may hold personal data (a channel 電子郵件 is also a column name), so it is described,
        # not quoted.
        some = f"only {named} of them column names" if named else "none of them a column name"
        raise UnreadableFile(f"wrong header {where}: expected {len(expected)} columns "
                             f"{','.join(expected)}; found {len(found)} fields, {some}{hint}")
    diff = next((i for i, (e, f) in enumerate(zip(expected, found)) if e != f), min(len(expected), len(found)))
    detail = (f"column {diff + 1} should be {expected[diff]!r} but is "
              f"{found[diff]!r}" if diff < len(expected) and diff < len(found)
              else f"{'missing' if len(found) < len(expected) else 'extra'} columns from column {diff + 1}")
    raise UnreadableFile(f"wrong header {where}: expected {len(expected)} columns {','.join(expected)}; "
                         f"found {len(found)} columns {','.join(found)} ({detail}){hint}")


def _table(rows: list[list[str]], records: Sequence[int], errors: dict[int, str], columns: Sequence[str]) -> pa.Table:
    """Records built in Python (workbooks, JSON pages, broken CSV records) as a reader's table."""
    data = {name: pa.array([row[i] for row in rows], pa.string()) for i, name in enumerate(columns)}
    data[ERROR_COLUMN] = pa.array([errors.get(i) for i in range(len(rows))], pa.string())
    data[RECORD_COLUMN] = pa.array(list(records), pa.int64())
    return pa.table(data)


def _is_blank(row: Sequence[str]) -> bool:
    # row[0] is checked alone first: nearly every record has a first field, so most rows stop there.
    return not row or (not row[0].strip() and not "".join(row).strip())


class _Chunker:
    """Collects tables and hands out tables of exactly `chunk_rows` records (the last may be short)."""

    def __init__(self, chunk_rows: int):
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        self.chunk_rows = chunk_rows
        self.parts: list[pa.Table] = []
        self.size = 0

    def add(self, table: pa.Table) -> Iterator[pa.Table]:
        if table.num_rows:
            self.parts.append(table)
            self.size += table.num_rows
        while self.size >= self.chunk_rows:
            yield self._take(self.chunk_rows)

    def flush(self) -> Iterator[pa.Table]:
        if self.size:
            yield self._take(self.size)

    def _take(self, n: int) -> pa.Table:
        table = self.parts[0] if len(self.parts) == 1 else pa.concat_tables(self.parts)
        rest = table.slice(n)
        self.parts, self.size = ([rest] if rest.num_rows else []), rest.num_rows
        return table.slice(0, n).combine_chunks()   # one buffer per column for the typing kernels


def _fit(row: list[str], width: int, physical: int) -> tuple[list[str], str | None]:
    """The record's `width` fields, and why it is broken (None if it is not). `physical` is the
    header's width including trailing unnamed columns (Excel writes a trailing comma on every
    line), which must stay empty. A record with more or fewer fields than that carries none of
    them: which value belongs to which column cannot be told (cut or padded by position, a name
    would land in the channel's place and an address in the date's), so its field count is all
    it keeps."""
    if len(row) == width:
        return row, None
    if width < len(row) <= physical:
        if any(cell.strip() for cell in row[width:]):
            return row[:width], f"expected {width} fields, found a value after the last column"
        return row[:width], None
    return [""] * width, f"expected {width} fields, found {len(row)}"


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
def _text_options(names: Sequence[str], check_utf8: bool = True) -> pcsv.ConvertOptions:
    return pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                               quoted_strings_can_be_null=False, check_utf8=check_utf8)


def _split_record(text: bytes | str) -> list[str]:
    """The fields of one CSV record (a header line, a record Arrow set aside for its field count)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if not raw.strip(b"\r\n"):
        return []
    if not raw.endswith((b"\n", b"\r")):
        raw += b"\n"      # Arrow needs the line break to see a record
    width = raw.count(b",") + 1
    try:
        table = pcsv.read_csv(pa.py_buffer(raw), read_options=pcsv.ReadOptions(
            autogenerate_column_names=True, use_threads=False),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=_text_options([f"f{i}" for i in range(width)]))
    except pa.ArrowInvalid:
        return [raw.decode("utf-8").rstrip("\r\n")]
    return [table.column(i)[0].as_py() for i in range(table.num_columns)] if table.num_rows else []


def read_csv(path: str | Path, expected_header: list[str], *, encoding: str | None = None,
             declared: str | None = None, chunk_rows: int = 100_000, digest=None) -> Iterator[pa.Table]:
    """Yield the records of a CSV file in tables of up to `chunk_rows` records.

    `encoding` is used as given; None means the choice of detect_encoding(path, declared), whose
    legacy codec is checked while the file is decoded (an undecodable byte late in the file raises
    UnreadableFile after earlier chunks). The header must equal `expected_header` exactly, in order
    (cells stripped of spaces and BOM; trailing empty header cells, as Excel writes them, are
    ignored). Blank lines are not records; a line that only holds empty fields (`,,,`) counts as
    blank. `_record` is the physical line the record starts on (CRLF, blank lines and quoted
    newlines counted as a text editor does). `digest` (a hashlib object) sees every byte of the
    file: once the last chunk is out, it is the file's checksum without a read of its own.
    """
    path = Path(path)
    codec = encoding or sniff_encoding(path, declared)
    chunker = _Chunker(chunk_rows)
    with _Utf8Stream(path, codec, sniffed=encoding is None, digest=digest) as stream:
        header_line, header, last_line = _read_header(stream)
        stream.check()
        if header is None:
            raise UnreadableFile(f"{path.name} is empty: no header line")
        _check_header(_clean_header(header), expected_header, f"in {path.name} line {header_line}")
        if stream.at_end():
            stream.check()
            return
        lines = _Lines(stream, list(expected_header), len(header), last_line + 1)
        ahead = _Ahead(_chunks(lines, chunker, path), depth=2, name="kpi-parse")
        try:
            while (chunk := ahead.next()) is not None:
                yield chunk
        finally:
            ahead.close()


def _chunks(lines: _Lines, chunker: _Chunker, path: Path) -> Iterator[pa.Table]:
    """The chunks of read_csv, made by the parsing thread."""
    try:
        for table in lines.tables():
            yield from chunker.add(table)
    except pa.ArrowInvalid as exc:
        # Arrow may add the record's text after the fault ("Expected 15 columns, got 16: <row>"),
        # which may hold personal data: the fault only.
        fault = re.sub(r"(got \d+)\s*:.*", r"\1", str(exc).splitlines()[0])[:120]
        raise UnreadableFile(f"{path.name} is not well-formed CSV after line {lines.next_line - 1}: {fault}") from None
    yield from chunker.flush()


def _read_header(stream: _Utf8Stream) -> tuple[int, list[str] | None, int]:
    """(line, fields, last line) of the first non-blank record: a stray empty line before the
    header is tolerated."""
    line = 0
    while raw := stream.line():
        line += 1
        start = line
        while raw.count(b'"') % 2 and (more := stream.line()):   # a quoted line break
            raw += more
            line += 1
        fields = _split_record(raw)
        if not _is_blank(fields):
            return start, fields, line
    return line, None, line


class _Lines:
    """The data records after the header as tables with physical line numbers."""

    def __init__(self, stream: _Utf8Stream, columns: list[str], physical: int, first_line: int):
        self.stream, self.columns = stream, columns
        self.width, self.physical = len(columns), max(physical, len(columns))
        self.names = [f"f{i}" for i in range(self.physical)]
        self.next_line = first_line       # physical line of the next record
        self.next_record = 1              # Arrow's number of the next record
        self.set_aside: deque[tuple[int, str]] = deque()   # records with the wrong field count

    def _on_invalid(self, row) -> str:
        if self.stream.stopped or self.stream.error:
            return "skip"        # the last, cut record of a reader given up early or of a bad file
        if row.number is None:   # only reported without threads, which are not used here
            raise UnreadableFile(f"{self.stream.path.name}: the CSV reader lost track of record numbers")
        self.set_aside.append((row.number, row.text))
        return "skip"

    def tables(self) -> Iterator[pa.Table]:
        feed = _Feed(self.stream)
        arrow_holds = weakref.ref(feed)
        reader = None
        try:
            reader = pcsv.open_csv(
                feed,
                read_options=pcsv.ReadOptions(column_names=self.names, use_threads=False, block_size=_ARROW_BLOCK),
                parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                                invalid_row_handler=self._on_invalid),
                convert_options=_text_options(self.names, check_utf8=False))
            feed = None
            for batch in reader:
                if self.stream.error is not None:
                    raise self.stream.error
                yield self._table(batch)
            if self.stream.error is not None:
                raise self.stream.error
            if self.set_aside:
                yield self._table(None)
        finally:
            # Arrow reads ahead in a thread of its own, calling back into Python: whether the file
            # was read to its end or given up (an Arrow error, a consumer that stopped early),
            # that thread must be done with the stream before we return. Else it reads on while
            # the stream is closed, or calls into an interpreter that is exiting, which hangs or
            # aborts the process. The stream ends now; once Arrow's thread has seen the end, the
            # reader can go, and once Arrow has let go of the file and of every block it read, no
            # Arrow thread touches Python again.
            feed = None
            self.stream.stop()
            if reader is not None:
                _drain(reader)
            self.stream.settle()
            reader = None
            deadline = monotonic() + 30
            while arrow_holds() is not None or not self.stream.released():
                if monotonic() > deadline:
                    log.warning("%s: Arrow's reader still holds the file after 30 s", self.stream.path.name)
                    break
                sleep(0.001)

    def _table(self, batch: pa.RecordBatch | None) -> pa.Table:
        """The records of one Arrow batch and those Arrow set aside among them; without a batch,
        the records it set aside after its last batch."""
        final = batch is None
        n = 0 if final else batch.num_rows
        # Arrow numbers every record it reads; the ones it set aside fill the gaps between a
        # batch's rows, in order.
        end = self.next_record + n
        broken: list[tuple[int, str]] = []
        while self.set_aside and (final or self.set_aside[0][0] < end):
            broken.append(self.set_aside.popleft())
            end += 1 if not final else 0
        if final:
            end = broken[-1][0] + 1 if broken else self.next_record
        count = end - self.next_record
        at_broken = np.array([number - self.next_record for number, _ in broken], dtype=np.int64)
        is_valid = np.ones(count, dtype=bool)
        is_valid[at_broken] = False
        spans = np.ones(count, dtype=np.int64)
        cells = [] if final else [batch.column(i) for i in range(self.physical)]
        if self.stream.quotes:
            if n:
                spans[is_valid] += sum(_line_breaks(c) for c in cells)
            spans[at_broken] += np.array([_text_breaks(text) for _, text in broken], dtype=np.int64)
        starts = self.next_line + np.cumsum(spans) - spans
        self.next_line += int(spans.sum())
        self.next_record = end
        parts = []
        if n:
            parts.append(self._valid_rows(cells, starts[is_valid]))
        if broken:
            parts.append(self._broken_rows([text for _, text in broken], starts[at_broken]))
        if not parts:
            return _table([], [], {}, self.columns)
        return parts[0] if len(parts) == 1 else pa.concat_tables(parts).sort_by(RECORD_COLUMN)

    def _valid_rows(self, cells: list[pa.Array], lines: np.ndarray) -> pa.Table:
        keep = ~_blank_rows(cells)
        error = pa.nulls(len(lines), pa.string())
        if self.physical > self.width:
            extra = ~_blank_rows(cells[self.width:])
            if extra.any():
                error = pc.if_else(pa.array(extra),
                                   f"expected {self.width} fields, found a value after the last column",
                                   error)
        data = dict(zip(self.columns, cells[:self.width]))
        data[ERROR_COLUMN] = error
        data[RECORD_COLUMN] = pa.array(lines, pa.int64())
        table = pa.table(data)
        return table if keep.all() else table.filter(pa.array(keep))

    def _broken_rows(self, texts: list[str], lines: np.ndarray) -> pa.Table:
        rows, records, errors = [], [], {}
        for text, line in zip(texts, lines.tolist()):
            fields = _split_record(text)
            if _is_blank(fields):
                continue
            row, error = _fit(fields, self.width, self.physical)
            if error:
                errors[len(rows)] = error
            rows.append(row)
            records.append(line)
        return _table(rows, records, errors, self.columns)


def _drain(reader: pcsv.CSVStreamingReader) -> None:
    """Read an Arrow reader to its end (quick once its stream has stopped), ignoring its errors
    (a reader that failed earlier has stopped reading)."""
    with contextlib.suppress(Exception):    # StopIteration at the end is one too
        while True:
            reader.read_next_batch()


_NOT_BLANK_START = np.ones(256, dtype=bool)      # a first byte that cannot start whitespace
_NOT_BLANK_START[[ord(c) for c in WHITESPACE if ord(c) < 0x80]] = False
_NOT_BLANK_START[[0xC2, 0xE1, 0xE2, 0xE3]] = False   # lead bytes of the other whitespace characters


def _blank_rows(cells: list[pa.Array]) -> np.ndarray:
    """Rows whose every cell is empty or whitespace. Most records have a first cell that starts
    with a character that is no whitespace; only the others are looked at closely."""
    data, offsets, _ = string_buffers(cells[0])
    lengths = np.diff(offsets)
    maybe = lengths == 0
    filled = np.flatnonzero(~maybe)
    maybe[filled] = ~_NOT_BLANK_START[data[offsets[filled]]]
    rows = np.flatnonzero(maybe)
    blank = np.zeros(len(lengths), dtype=bool)
    if not rows.size:
        return blank
    blank[rows] = True
    taken = pa.array(rows)
    for cell in cells:
        empty = pc.equal(pc.binary_length(pc.utf8_trim(cell.take(taken), WHITESPACE)), 0)
        blank[rows] &= empty.to_numpy(zero_copy_only=False)
    return blank


def _line_breaks(cells: pa.Array) -> np.ndarray:
    """Line breaks inside each value (\\r\\n counts once, as a text editor shows it)."""
    data, offsets, _ = string_buffers(cells)
    breaks = np.flatnonzero((data == 10) | (data == 13))
    if not breaks.size:
        return np.zeros(len(cells), dtype=np.int64)
    crlf = (data[breaks] == 13) & (breaks + 1 < len(data))
    crlf[crlf] = data[breaks[crlf] + 1] == 10
    rows = np.searchsorted(offsets, breaks, side="right") - 1
    same = np.zeros(len(breaks), dtype=bool)
    same[crlf] = rows[crlf] == np.searchsorted(offsets, breaks[crlf] + 1, side="right") - 1
    return np.bincount(rows[~(crlf & same)], minlength=len(cells)).astype(np.int64)


def _text_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


# ---------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------
def read_xlsx(path: str | Path, expected_header: list[str], *, header_row: int = 3, total_marker: str = "合計",
              chunk_rows: int = 100_000, sheet_name: str | None = None) -> Iterator[pa.Table]:
    """Yield the data rows of the worksheet `sheet_name` (default: the first) of a workbook,
    `_record` = worksheet row number.

    Rows above `header_row` are titles and notes; `header_row` must equal `expected_header`;
    fully empty rows and the total row (first cell `total_marker`, spaces inside ignored, as in
    `合　計`) are not data. Cells become text the way a person reads them: `1234567` (never
    `1234567.0`), `0.25`, `2025-03-05`, '' for empty.
    """
    from openpyxl import load_workbook

    path = Path(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    width = len(expected_header)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl reports a bad file through a dozen exception types
        raise UnreadableFile(f"{path.name} is not a readable .xlsx workbook "
                             f"({type(exc).__name__}: {_first_line(exc)})") from None
    rows: list[list[str]] = []
    records: list[int] = []
    errors: dict[int, str] = {}
    try:
        if not workbook.worksheets:
            raise UnreadableFile(f"{path.name} has no worksheet")
        if sheet_name is None:
            sheet = workbook.worksheets[0]
        elif sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
        else:
            raise UnreadableFile(f"{path.name} has no worksheet {sheet_name!r} "
                                 f"(it has {', '.join(map(repr, workbook.sheetnames))})")
        # Some exporters write a wrong <dimension>; read what is there, not what it claims.
        sheet.reset_dimensions()
        header_seen = False
        above: list[tuple[int, list[str]]] = []   # title rows, kept to point at a misplaced header
        numbered = enumerate(_guarded(sheet.iter_rows(min_row=1, values_only=True), path), start=1)
        for number, values in numbered:
            cells = [_cell_text(v) for v in values]
            if number < header_row:
                above.append((number, _clean_header(cells)))
                continue
            if number == header_row:
                found = _clean_header(cells)
                if found != list(expected_header):
                    _check_header(found, expected_header, f"in {path.name} sheet {sheet.title!r} row {header_row}",
                                  _header_elsewhere(above, numbered, expected_header))
                header_seen = True
                continue
            if _is_blank(cells) or _is_total(cells, total_marker):
                continue
            row, error = _fit_cells(cells, width)
            if error:
                errors[len(rows)] = error
            rows.append(row)
            records.append(number)
            if len(rows) == chunk_rows:
                yield _table(rows, records, errors, expected_header)
                rows, records, errors = [], [], {}
        if not header_seen:
            raise UnreadableFile(f"{path.name} sheet {sheet.title!r} ends before the header row {header_row}")
    finally:
        workbook.close()
    if rows:
        yield _table(rows, records, errors, expected_header)


def _header_elsewhere(above: list[tuple[int, list[str]]], rows: Iterator[tuple[int, tuple]],
                      expected: Sequence[str], look_ahead: int = 10) -> str:
    """'; the expected header is in row N' when it is a few rows off (an extra or missing note
    row), else ''."""
    candidates = list(above)
    for number, values in islice(rows, look_ahead):
        candidates.append((number, _clean_header([_cell_text(v) for v in values])))
    for number, cells in candidates:
        if cells == list(expected):
            return f"; the expected header is in row {number}"
    return ""


def _guarded(rows: Iterator[tuple], path: Path) -> Iterator[tuple]:
    """Worksheet rows, with a corrupt sheet (bad XML, bad zip member) reported as UnreadableFile."""
    try:
        yield from rows
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, SyntaxError, EOFError) as exc:
        # xml.etree's ParseError is a SyntaxError.
        raise UnreadableFile(f"{path.name}: the worksheet cannot be read "
                             f"({type(exc).__name__}: {_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _is_total(cells: list[str], marker: str) -> bool:
    return bool(cells) and "".join(cells[0].split()) == marker


def _fit_cells(cells: list[str], width: int) -> tuple[list[str], str | None]:
    filled = [i for i, c in enumerate(cells) if c.strip()]
    used = filled[-1] + 1 if filled else 0
    row = (cells + [""] * width)[:width]
    return row, (f"expected {width} fields, found {used}" if used > width else None)


def _cell_text(value: object) -> str:
    """A cell as a person reads it in Excel."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)      # a duration (timedelta) too


def _number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer():
        return str(int(value))
    # Shortest text that reads back as the same float, never in exponent form.
    return np.format_float_positional(value, unique=True, trim="-")


# ---------------------------------------------------------------------------------------------
# JSON pages
# ---------------------------------------------------------------------------------------------
def read_json_items(data: bytes | str, items_key: str = "items") -> pa.Table:
    """One JSON page's items as a reader's table (values as text, `_record` = 0-based item position).

    Columns are the items' keys in order of first appearance, plus `_error` (set for an item that
    is not a JSON object) and `_record`. A key missing from an item is ''. Nested values are kept
    as JSON text.
    """
    if isinstance(data, str):
        data = data.lstrip("\ufeff")
    try:
        page = json.loads(data)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"the page is not UTF-8 JSON ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # The message names a position only, never the content (pages may hold personal data).
        raise UnreadableFile(
            f"the page is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(page, dict):
        raise UnreadableFile(f"the page is a JSON {_json_type(page)}, expected an object with {items_key!r}")
    if items_key not in page:
        raise UnreadableFile(f"the page has no {items_key!r} (it has: {', '.join(map(str, page)) or 'nothing'})")
    items = page[items_key]
    if not isinstance(items, list):
        raise UnreadableFile(f"{items_key!r} is a JSON {_json_type(items)}, expected an array")
    columns: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            columns.update(dict.fromkeys(item))
    names = list(columns)
    rows, errors = [], {}
    for position, item in enumerate(items):
        if isinstance(item, dict):
            rows.append([_json_text(item.get(name)) for name in names])
        else:
            errors[position] = f"item is a JSON {_json_type(item)}, expected an object"
            rows.append([""] * len(names))
    return _table(rows, range(len(items)), errors, names)


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

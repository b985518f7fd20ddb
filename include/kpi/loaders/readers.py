"""Reading source files the way the city delivers them, in chunks so memory stays flat.

Every reader yields DataFrames whose columns are the expected header (all values `str`, '' for an
empty cell) plus `_error`: NA for a good record, or the reason a record is structurally broken (it
still carries whatever fields it has). The index is where a person finds the record: the 1-based
physical line of a CSV file (line 1 is the header), the worksheet row of a workbook, the 0-based
item position in a JSON page. A file that cannot be read at all raises UnreadableFile.

The readers are generators: nothing is opened until the first chunk is asked for, and an
UnreadableFile can come after earlier chunks were yielded (a file that turns undecodable halfway),
so a caller that wants all-or-nothing per file must not commit before the last chunk.
"""
from __future__ import annotations

import codecs
import csv
import gc
import json
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

ERROR_COLUMN = "_error"
INDEX_NAME = "line"
LEGACY_ENCODING = "cp950"
_READ_BLOCK = 1 << 20
_UTF8_NAMES = {"utf-8", "utf-8-sig"}
# Codecs for which the default order (UTF-8, then cp950) already is the right answer.
_DEFAULT_FAMILY = _UTF8_NAMES | {"cp950", "big5", "big5hkscs"}


class UnreadableFile(Exception):
    """The whole file cannot be read: not a workbook, undecodable, wrong header, empty."""


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------
def detect_encoding(path: str | Path, declared: str | None = None) -> str:
    """The codec to read a text file with: `utf-8-sig` if it starts with a UTF-8 BOM, else `utf-8`
    if the whole file is valid UTF-8, else `cp950` if it is valid cp950, else UnreadableFile.

    Why UTF-8 is tried before cp950 although sources.md calls these files cp950: real cp950
    Chinese text is practically never valid UTF-8 (Big5 trail bytes 0x40-0x7E are not UTF-8
    continuation bytes), while UTF-8 text can decode as cp950 without error and come out as
    mojibake. Trying UTF-8 first therefore still reads every cp950 file as cp950, and reads a file
    exported as UTF-8 (which sources.md allows) correctly instead of as silent mojibake. ASCII-only
    files are the same either way.

    `declared` is the source's documented encoding. UTF-8 and Big5/cp950 names keep the order
    above; any other codec (say `gb18030`) takes cp950's place as the legacy fallback.

    Validity is checked by streaming the bytes through incremental decoders, so a 150 MB file
    never becomes one string.
    """
    path = Path(path)
    legacy = _legacy_codec(declared)
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise UnreadableFile(f"{path.name} is UTF-16 (it starts with a UTF-16 byte order mark); "
                             f"expected {legacy} or UTF-8")
    utf8_error = _first_decode_error(path, "utf-8")
    if utf8_error is None:
        return "utf-8"
    legacy_error = _first_decode_error(path, legacy)
    if legacy_error is None:
        return legacy
    raise UnreadableFile(f"{path.name} is neither UTF-8 ({utf8_error}) nor {legacy} ({legacy_error})")


def _legacy_codec(declared: str | None) -> str:
    if not declared:
        return LEGACY_ENCODING
    try:
        # `utf-8-bom` is how the demo manifest and people name UTF-8 with a BOM.
        name = codecs.lookup("utf-8-sig" if declared.lower() in ("utf-8-bom", "utf8-bom") else declared).name
    except LookupError:
        raise ValueError(f"unknown encoding {declared!r}") from None
    return LEGACY_ENCODING if name in _DEFAULT_FAMILY else name


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


# ---------------------------------------------------------------------------------------------
# shared: headers and frames
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
    if not set(found) & set(expected):
        # Probably a data row (a file exported without its header): it may hold personal data,
        # so it is described, not quoted.
        raise UnreadableFile(f"wrong header {where}: expected {len(expected)} columns "
                             f"{','.join(expected)}; found {len(found)} fields, none of them a column name{hint}")
    diff = next((i for i, (e, f) in enumerate(zip(expected, found)) if e != f), min(len(expected), len(found)))
    detail = (f"column {diff + 1} should be {expected[diff]!r} but is "
              f"{found[diff]!r}" if diff < len(expected) and diff < len(found)
              else f"{'missing' if len(found) < len(expected) else 'extra'} columns from column {diff + 1}")
    raise UnreadableFile(f"wrong header {where}: expected {len(expected)} columns {','.join(expected)}; "
                         f"found {len(found)} columns {','.join(found)} ({detail}){hint}")


def _frame(rows: list[list[str]], lines: list[int], errors: dict[int, str], columns: Sequence[str]) -> pd.DataFrame:
    """One chunk: string columns, the line numbers as index, `_error` NA unless broken."""
    index = pd.Index(np.asarray(lines, dtype=np.int64), name=INDEX_NAME)
    cells = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    error_values = np.full(len(rows), None, dtype=object)
    for position, reason in errors.items():
        error_values[position] = reason
    data = {name: pd.Series(cells[:, i], index=index, dtype="str") for i, name in enumerate(columns)}
    data[ERROR_COLUMN] = pd.Series(error_values, index=index, dtype="str")
    return pd.DataFrame(data, index=index, columns=[*columns, ERROR_COLUMN], copy=False)


def _is_blank(row: Sequence[str]) -> bool:
    # row[0] is checked alone first: nearly every record has a first field, so most rows stop there.
    return not row or (not row[0].strip() and not "".join(row).strip())


class _Chunker:
    """Collects records and hands out frames of exactly `chunk_rows` records (the last may be short)."""

    def __init__(self, columns: Sequence[str], chunk_rows: int):
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        self.columns, self.chunk_rows = list(columns), chunk_rows
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.errors: dict[int, str] = {}

    def add(self, line: int, row: list[str], error: str | None) -> list[pd.DataFrame]:
        return self.extend([row], [line], {0: error} if error else {})

    def extend(self, rows: list[list[str]], lines: Sequence[int], errors: dict[int, str]) -> list[pd.DataFrame]:
        offset = len(self.rows)
        self.rows.extend(rows)
        self.lines.extend(lines)
        self.errors.update({offset + k: v for k, v in errors.items()})
        frames = []
        while len(self.rows) >= self.chunk_rows:
            frames.append(self._take(self.chunk_rows))
        return frames

    def flush(self) -> pd.DataFrame | None:
        return self._take(len(self.rows)) if self.rows else None

    def _take(self, n: int) -> pd.DataFrame:
        errors = {k: v for k, v in self.errors.items() if k < n}
        frame = _frame(self.rows[:n], self.lines[:n], errors, self.columns)
        del self.rows[:n], self.lines[:n]
        self.errors = {k - n: v for k, v in self.errors.items() if k >= n}
        return frame


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off while a chunk is built. Each retained row is a new
    list, so with the collector on it rescans the growing chunk again and again, which costs more
    than parsing the CSV; rows hold no reference cycles, so nothing is lost by waiting. It is
    switched back on before the chunk is handed to the caller."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fit(row: list[str], width: int, physical: int) -> tuple[list[str], str | None]:
    """The record cut or padded to `width` fields, and why it is broken (None if it is not).
    `physical` is the header's width including trailing unnamed columns (Excel writes a trailing
    comma on every line), which must stay empty."""
    if len(row) == width:
        return row, None
    if width < len(row) <= physical:
        if any(cell.strip() for cell in row[width:]):
            return row[:width], f"expected {width} fields, found a value after the last column"
        return row[:width], None
    reason = f"expected {width} fields, found {len(row)}"
    return (row + [""] * width)[:width], reason


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
def read_csv(path: str | Path, expected_header: list[str], *, encoding: str | None = None,
             chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Yield the records of a CSV file in DataFrames of up to `chunk_rows` records.

    `encoding` is used as given; None means detect_encoding(path). A caller that wants to record
    the encoding (or to pass the source's declared one) calls detect_encoding itself.
    The header must equal `expected_header` exactly, in order (cells stripped of spaces and BOM;
    trailing empty header cells, as Excel writes them, are ignored). Blank lines are not records;
    a line that only holds empty fields (`,,,`) counts as blank. The index is the physical line
    the record starts on (CRLF, blank lines and quoted newlines counted as a text editor does).
    """
    path = Path(path)
    chunker = _Chunker(expected_header, chunk_rows)
    codec = encoding or detect_encoding(path)
    reader = None
    try:
        with path.open(encoding=codec, newline="", errors="strict") as f:
            reader = csv.reader(f)
            header_line, header = _first_record(reader)
            if header is None:
                raise UnreadableFile(f"{path.name} is empty: no header line")
            _check_header(_clean_header(header), expected_header, f"in {path.name} line {header_line}")
            width, physical = len(expected_header), len(header)
            last_line = reader.line_num
            while True:
                with _gc_paused():
                    batch = list(islice(reader, chunk_rows))
                    if not batch:
                        break
                    first_line, last_line = last_line + 1, reader.line_num
                    frames = chunker.extend(*_csv_batch(batch, first_line, last_line, width, physical))
                yield from frames
    except UnicodeDecodeError as exc:
        after = reader.line_num if reader is not None else 0
        raise UnreadableFile(f"{path.name} is not valid {codec} after all ({exc.reason} after line {after})") from None
    except csv.Error as exc:
        after = reader.line_num if reader is not None else 0
        raise UnreadableFile(f"{path.name} is not well-formed CSV after line {after}: {exc}") from None
    frame = chunker.flush()
    if frame is not None:
        yield frame


def _csv_batch(batch: list[list[str]], first_line: int, last_line: int, width: int,
               physical: int) -> tuple[list[list[str]], Sequence[int], dict[int, str]]:
    """(records, their start lines, errors by position) for a batch of raw csv.reader rows.

    csv.reader yields [] for a blank line, so a batch covering as many lines as it has rows has
    no record spanning lines, and line numbers are a plain range; only a batch with a quoted
    line break pays for counting line breaks row by row."""
    if last_line - first_line + 1 == len(batch):
        lines: Sequence[int] = range(first_line, last_line + 1)
    else:
        lines = _start_lines(batch, first_line)
    # Inlined _is_blank: a function call per row would cost as much as the check.
    blank = [not row or (not row[0].strip() and not "".join(row).strip()) for row in batch]
    if any(blank):
        keep = [i for i, b in enumerate(blank) if not b]
        batch, lines = [batch[i] for i in keep], [lines[i] for i in keep]
    errors: dict[int, str] = {}
    lengths = list(map(len, batch))
    if lengths.count(width) == len(lengths):
        return batch, lines, errors
    for i in [i for i, n in enumerate(lengths) if n != width]:
        batch[i], error = _fit(batch[i], width, physical)
        if error:
            errors[i] = error
    return batch, lines, errors


def _start_lines(batch: list[list[str]], first_line: int) -> list[int]:
    starts, line = [], first_line
    for row in batch:
        starts.append(line)
        # A file read with newline='' breaks lines at \r\n, \n and \r alike.
        line += 1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)
    return starts


def _first_record(reader) -> tuple[int, list[str] | None]:
    """(line number, first non-blank record): a stray empty line before the header is tolerated."""
    for row in reader:
        if not _is_blank(row):
            return reader.line_num, row
    return reader.line_num, None


# ---------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------
def read_xlsx(path: str | Path, expected_header: list[str], *, header_row: int = 3, total_marker: str = "合計",
              chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Yield the data rows of the first sheet of a workbook, indexed by worksheet row number.

    Rows above `header_row` are titles and notes; `header_row` must equal `expected_header`;
    fully empty rows and the total row (first cell `total_marker`, spaces inside ignored, as in
    `合　計`) are not data. Cells become text the way a person reads them: `1234567` (never
    `1234567.0`), `0.25`, `2025-03-05`, '' for empty.
    """
    from openpyxl import load_workbook

    path = Path(path)
    chunker = _Chunker(expected_header, chunk_rows)
    width = len(expected_header)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl reports a bad file through a dozen exception types
        raise UnreadableFile(f"{path.name} is not a readable .xlsx workbook "
                             f"({type(exc).__name__}: {_first_line(exc)})") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile(f"{path.name} has no worksheet")
        sheet = workbook.worksheets[0]
        # Some exporters write a wrong <dimension>; read what is there, not what it claims.
        sheet.reset_dimensions()
        header_seen = False
        above: list[tuple[int, list[str]]] = []   # title rows, kept to point at a misplaced header
        rows = enumerate(_guarded(sheet.iter_rows(min_row=1, values_only=True), path), start=1)
        for number, values in rows:
            cells = [_cell_text(v) for v in values]
            if number < header_row:
                above.append((number, _clean_header(cells)))
                continue
            if number == header_row:
                found = _clean_header(cells)
                if found != list(expected_header):
                    _check_header(found, expected_header, f"in {path.name} sheet {sheet.title!r} row {header_row}",
                                  _header_elsewhere(above, rows, expected_header))
                header_seen = True
                continue
            if _is_blank(cells) or _is_total(cells, total_marker):
                continue
            yield from chunker.add(number, *_fit_cells(cells, width))
        if not header_seen:
            raise UnreadableFile(f"{path.name} sheet {sheet.title!r} ends before the header row {header_row}")
    finally:
        workbook.close()
    frame = chunker.flush()
    if frame is not None:
        yield frame


def _header_elsewhere(above: list[tuple[int, list[str]]], rows: Iterator[tuple[int, tuple]],
                      expected: Sequence[str], look_ahead: int = 10) -> str:
    """' (the expected header is in row N)' when it is a few rows off (an extra or missing note
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
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


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
def read_json_items(data: bytes | str, items_key: str = "items") -> pd.DataFrame:
    """One JSON page's items as a DataFrame (values as text, index = 0-based item position).

    Columns are the items' keys in order of first appearance, plus `_error` (set for an item that
    is not a JSON object). A key missing from an item is ''. Nested values are kept as JSON text.
    """
    if isinstance(data, str):
        data = data.lstrip("\ufeff")
    try:
        page = json.loads(data)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"the page is not UTF-8 JSON ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # The message names a position only, never the content (pages may hold personal data).
        raise UnreadableFile(f"the page is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
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
    frame = _frame(rows, list(range(len(items))), errors, names)
    return frame


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

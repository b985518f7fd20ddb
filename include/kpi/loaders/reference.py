"""The plain reference path of a CSV load: the standard library's `csv` module on the decoded file,
and a text COPY row by row (psycopg's `write_row`). It gives the same raw rows and set-aside rows
as the fast path (readers._Utf8Stream feeding Arrow's CSV reader, engine's binary COPY encoder) and
stands beside it as the check of that code: tests/test_loader_paths.py loads random hostile files
both ways and compares the tables row for row; bench/loader_paths.py weighs the two.

The fast path is the default because it is worth its ~700 lines (against this module's ~90):
bench/loader_paths.py measured it 2.6-3.2x faster on petitions files of 20,000 and 250,000 rows
(60,000 against 23,000 rows/s at 250,000; peak RSS within 15 % of each other).
`KPI_LOADER_PATH=reference` (config.loader_path) or `engine.load(..., loader_path="reference")`
takes this one. It shares with the fast path only the rules (encoding choice, header check, what
a blank or broken record is, the typing of values), not the code that streams bytes or encodes rows.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
from psycopg import sql

from kpi.loaders import readers

# The stdlib reader refuses a field longer than its limit (128 K characters by default); the fast
# path takes lines up to readers.MAX_LINE bytes, so a field may be that long here too.
_FIELD_LIMIT = 4 * readers.MAX_LINE


def read_csv(path: str | Path, expected_header: list[str], *, declared: str | None = None,
             chunk_rows: int = 100_000, digest=None) -> Iterator[pa.Table]:
    """readers.read_csv's contract (same tables, same `_record` lines, same errors), the plain way."""
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    if digest is not None:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    codec = readers.sniff_encoding(path, declared)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    columns = list(expected_header)
    width = len(columns)
    rows: list[list[str]] = []
    records: list[int] = []
    errors: dict[int, str] = {}
    header: list[str] | None = None
    try:
        # newline='': the csv module sees every \r\n, \n and lone \r as it is (inside quoted values
        # too), and the file's lines are split where a text editor splits them.
        with open(path, encoding=codec, newline="", errors="strict") as fh:
            reader = csv.reader(_checked_lines(fh, path))
            last = 0
            for fields in reader:
                start, last = last + 1, reader.line_num
                if readers._is_blank(fields):
                    continue
                if header is None:
                    header = fields
                    readers._check_header(readers._clean_header(fields), columns, f"in {path.name} line {start}")
                    continue
                row, error = readers._fit(fields, width, max(len(header), width))
                if error:
                    errors[len(rows)] = error
                rows.append(row)
                records.append(start)
                if len(rows) == chunk_rows:
                    yield readers._table(rows, records, errors, columns)
                    rows, records, errors = [], [], {}
    except UnicodeDecodeError:
        raise readers._undecodable(path, codec, sniffed=True) from None
    except csv.Error as exc:
        raise readers.UnreadableFile(f"{path.name} is not well-formed CSV after line {last}: {exc}") from None
    if header is None:
        raise readers.UnreadableFile(f"{path.name} is empty: no header line")
    if rows:
        yield readers._table(rows, records, errors, columns)


def _checked_lines(lines, path: Path) -> Iterator[str]:
    """The file's physical lines, failing at one longer than readers.MAX_LINE bytes of UTF-8 (the
    fast path's limit: a file that lost its line breaks)."""
    for number, line in enumerate(lines, 1):
        if len(line) * 4 > readers.MAX_LINE and len(line.rstrip("\r\n").encode("utf-8")) > readers.MAX_LINE:
            raise readers.UnreadableFile(f"line {number} of {path.name} is longer than "
                                         f"{readers.MAX_LINE >> 20} MB (its line breaks may be missing)")
        yield line


class TextCopy:
    """The rows of one object by a text COPY, one `write_row` per row: psycopg turns each Python
    value (str, int, float, date, datetime, bool, None) into COPY text itself."""

    def __init__(self, copy: psycopg.Copy, columns: list[str], object_name: str, load_id: int):
        self.copy, self.columns, self.object_name, self.load_id = copy, columns, object_name, load_id

    @staticmethod
    def statement(target: sql.Composable, names: sql.Composable) -> sql.Composed:
        return sql.SQL("copy {} ({}) from stdin").format(target, names)

    def write(self, typed: pa.Table, records: np.ndarray) -> None:
        fixed = {"_object": self.object_name, "_load_id": self.load_id}
        values = {name: typed[name].to_pylist() for name in self.columns if name in typed.column_names}
        values["_record"] = records.tolist()
        for i in range(typed.num_rows):
            self.copy.write_row([fixed[c] if c in fixed else values[c][i] for c in self.columns])

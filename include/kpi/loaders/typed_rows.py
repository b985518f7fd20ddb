"""From the source's text to typed raw rows: parse each column by its declared type, check the
declared constraints, turn personal data into a pseudonym and a district, and say in words why a
row is set aside. Works on whole chunks, column by column (Arrow kernels and numpy), never row by
row: Python only words the reasons of bad rows and handles each *distinct* petitioner identity and
address once."""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi import config
from kpi.loaders import landing, parsing
from kpi.loaders.readers import ERROR_COLUMN, RECORD_COLUMN
from kpi.loaders.spec import DATE_TYPES, Column, Source

KEELUNG_DISTRICT = re.compile(r"((?:中正|七堵|暖暖|仁愛|中山|安樂|信義)區)")
ANY_DISTRICT = re.compile(r"(?:[市縣])([^\s市縣區]{1,3}區)")


def _parse(col: Column, raw: pa.StringArray) -> parsing.Parsed:
    if col.type == "text":
        return parsing.normalize_text(raw), pa.nulls(len(raw), pa.string())
    if col.type == "bool":
        return parsing.parse_bool(raw, true_values=col.true_values, false_values=col.false_values)
    if col.type == "choice":
        return parsing.parse_choice(raw, col.allowed_values())
    return {
        "int": parsing.parse_int, "amount": parsing.parse_amount, "decimal": parsing.parse_decimal,
        "date": parsing.parse_date, "datetime": parsing.parse_datetime, "year_month": parsing.parse_year_month,
    }[col.type](raw)


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _first_error(reasons: pa.StringArray, new: pa.StringArray | None) -> pa.StringArray:
    """Keep the first reason a row got; later checks only fill rows that were still good."""
    if new is None or new.null_count == len(new):
        return reasons
    return pc.coalesce(reasons, new)


def _messages(mask: np.ndarray, make: Callable[[int], str]) -> pa.StringArray | None:
    """Reasons for the rows in `mask` only (most chunks have none: build nothing then)."""
    rows = np.flatnonzero(mask)
    if not rows.size:
        return None
    texts = pa.array([make(i) for i in rows.tolist()], pa.string())
    return pc.replace_with_mask(pa.nulls(len(mask), pa.string()), pa.array(mask), texts)


def _numeric(values: pa.Array) -> np.ndarray:
    """Values as float64 (NaN where null or not a number) for range checks."""
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return values.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return np.full(len(values), np.nan)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:          # 29 February
        return day.replace(year=day.year + years, day=28)


def _later_than(values: pa.Array, latest: date) -> np.ndarray:
    """Which values fall on a day after `latest` (a timestamp on its day in Asia/Taipei)."""
    if pa.types.is_timestamp(values.type):
        first_too_late = datetime.combine(latest + timedelta(days=1), time(), config.TIMEZONE)
        later = pc.greater_equal(values, pa.scalar(first_too_late, values.type))
    else:
        later = pc.greater(values, pa.scalar(latest, values.type))
    return later.fill_null(False).to_numpy(zero_copy_only=False)


def _day(value: date | datetime) -> str:
    return (value.astimezone(config.TIMEZONE).date() if isinstance(value, datetime) else value).isoformat()


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")


def _checked(col: Column, raw: pa.StringArray, values: pa.Array, errors: pa.StringArray, delivered: date,
             show: bool) -> pa.StringArray:
    """The reason each row of one column is bad: its label and the fault, and with `show` the value
    (as delivered, so the person fixing the source recognises it)."""
    has_error = errors.is_valid().to_numpy(zero_copy_only=False)
    reasons = errors
    if has_error.any():
        rows = np.flatnonzero(has_error)
        faults = errors.take(pa.array(rows)).to_pylist()
        shown = raw.take(pa.array(rows)).to_pylist() if show else [None] * len(rows)
        texts = [f"{col.label}: {fault}" + (f": {_shown(value)}" if show else "")
                 for fault, value in zip(faults, shown)]
        reasons = pc.replace_with_mask(errors, pa.array(has_error), pa.array(texts, pa.string()))
    if col.required:
        missing = values.is_null().to_numpy(zero_copy_only=False) & ~has_error
        reasons = _first_error(reasons, _messages(missing, lambda i: f"{col.label} is empty"))
    if col.min is not None or col.max is not None:
        numeric = _numeric(values)

        def value(i: int) -> str:
            return f": {_fmt(float(numeric[i]))}" if show else ""

        with np.errstate(invalid="ignore"):
            if col.min is not None:
                word = "is negative" if col.min == 0 else f"is below {_fmt(col.min)}"
                reasons = _first_error(reasons, _messages(numeric < col.min, lambda i: f"{col.label} {word}{value(i)}"))
            if col.max is not None:
                reasons = _first_error(reasons, _messages(
                    numeric > col.max, lambda i: f"{col.label} is above {_fmt(col.max)}{value(i)}"))
    if col.type in DATE_TYPES:
        # A date this far ahead is a typo (ROC 200 for 110 reads as 2111), not a plan: due dates and
        # the next year's office calendar lie within a year of the delivery.
        years = col.max_years_ahead
        ahead = "a year" if years == 1 else f"{years} years"
        reasons = _first_error(reasons, _messages(
            _later_than(values, _years_after(delivered, years)),
            lambda i: f"{col.label}{f' {_day(values[i].as_py())}' if show else ''} is more than {ahead} after "
                      f"the delivery date {delivered}"))
    return reasons


# Typed differently by the same person, so left out of the identity: spaces, tabs, - ( ).
_IDENTITY_NOISE = " \t-()"


class _Keyed:
    """HMAC-SHA256 (RFC 2104) under one key; the keyed state is built once and copied per digest
    (cheaper than a new HMAC object each time, identical digests)."""

    def __init__(self, key: bytes):
        self.keyed = hmac.new(key, digestmod=hashlib.sha256)

    def hexdigest(self, message: bytes) -> str:
        mac = self.keyed.copy()
        mac.update(message)
        return mac.hexdigest()


def _pseudonym(keyed: _Keyed, joined: str) -> str | None:
    """The pseudonym of one identity (its fields joined by |): null when every field is empty."""
    identity = joined.lower()
    for noise in _IDENTITY_NOISE:
        identity = identity.replace(noise, "")
    if not identity.strip("|"):
        return None
    return keyed.hexdigest(identity.encode("utf-8"))


class _Pseudonyms:
    """The pseudonyms of the identities seen lately, as two aligned Arrow arrays, so that a chunk
    only computes the HMAC of identities it is the first to hold (a petitioner appears in every
    version of every case), and finds the others with one Arrow hash lookup. Bounded: it starts
    afresh past LIMIT identities."""

    LIMIT = 1 << 18

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: bytes | None = None
        self.keyed: _Keyed | None = None
        self.known = pa.array([], pa.string())
        self.digests = pa.array([], pa.string())

    def of(self, joined: pa.StringArray, key: bytes) -> pa.StringArray:
        with self.lock:
            if key != self.key or len(self.known) > self.LIMIT:
                self.key, self.keyed = key, _Keyed(key)
                self.known, self.digests = pa.array([], pa.string()), pa.array([], pa.string())
            at = pc.index_in(joined, value_set=self.known)
            if at.null_count:
                new = pc.unique(joined.filter(at.is_null()))
                digests = pa.array([_pseudonym(self.keyed, i) for i in new.to_pylist()], pa.string())
                self.known = pa.concat_arrays([self.known, new])
                self.digests = pa.concat_arrays([self.digests, digests])
                at = pc.index_in(joined, value_set=self.known)
            return self.digests.take(at)


_PSEUDONYMS = _Pseudonyms()


def pseudonymise(fields: list[pa.Array], key: bytes) -> pa.StringArray:
    """Keyed HMAC-SHA256 of the petitioner's identifying fields, normalised so that the same person
    typed the same way gets the same pseudonym; null when every field is empty. One HMAC per
    distinct identity, remembered across chunks."""
    parts = [parsing.normalize_text(f).fill_null("") for f in fields]
    return _PSEUDONYMS.of(pc.binary_join_element_wise(*parts, "|"), key)


@functools.lru_cache(maxsize=1 << 16)
def _district(address: str) -> str | None:
    found = KEELUNG_DISTRICT.search(address) or ANY_DISTRICT.search(address)
    return found.group(1) if found else None


def district_of(address: pa.Array) -> pa.StringArray:
    """The 區 of each address (a Keelung district first, else any 市/縣 …區), one regex per distinct address."""
    encoded = pc.dictionary_encode(parsing.normalize_text(address))
    districts = [None if a is None else _district(a) for a in encoded.dictionary.to_pylist()]
    return pa.array(districts, pa.string()).take(encoded.indices)


def _columns(chunk: pa.Table | pd.DataFrame) -> tuple[dict[str, pa.StringArray], np.ndarray]:
    """The chunk's text columns and its record numbers (the `_record` column of a reader's table,
    the index of a DataFrame)."""
    if isinstance(chunk, pd.DataFrame):
        columns = {str(name): parsing.text_array(chunk[name]) for name in chunk.columns}
        return columns, np.asarray(chunk.index, dtype=np.int64)
    columns = {name: parsing.text_array(chunk[name]) for name in chunk.column_names if name != RECORD_COLUMN}
    records = (chunk[RECORD_COLUMN].to_numpy() if RECORD_COLUMN in chunk.column_names
               else np.arange(chunk.num_rows, dtype=np.int64))
    return columns, records


def type_chunk(source: Source, chunk: pa.Table | pd.DataFrame, pii_key: bytes,
               delivered: date | None = None) -> tuple[pa.Table, pd.Series]:
    """Typed raw columns (source.raw_columns(), in that order) for every record of `chunk`, and the
    reason each bad record is set aside (None for good records), indexed by record number. `chunk`
    holds the source's own column names as text (a reader's table, or a DataFrame indexed by record);
    an optional `_error` column carries structural problems found while reading. `delivered` is
    when the data was delivered (default: today), the reference of every date column's bound."""
    delivered = delivered or landing.today()
    columns, records = _columns(chunk)
    n = len(records)

    def column(name: str) -> pa.StringArray:
        return columns[name] if name in columns else pa.nulls(n, pa.string())

    reasons = column(ERROR_COLUMN)
    show = not source.holds_personal_data
    typed: dict[str, pa.Array] = {}
    for col in source.kept:
        values, errors = _parse(col, column(col.source))
        typed[col.name] = values
        reasons = _first_error(reasons, _checked(col, column(col.source), values, errors, delivered, show))
    by_name = {c.name: c for c in source.kept}
    for col in source.kept:
        if col.max_column:
            other = by_name[col.max_column]
            a, b = _numeric(typed[col.name]), _numeric(typed[other.name])
            with np.errstate(invalid="ignore"):
                over = a > b
            reasons = _first_error(reasons, _messages(
                over, lambda i, col=col, other=other, a=a, b=b:
                f"{col.label} {_fmt(float(a[i]))} exceeds {other.label} {_fmt(float(b[i]))}" if show
                else f"{col.label} exceeds {other.label}"))
        if col.required_when:
            (other_name, expected), = col.required_when.items()
            other = by_name[other_name]
            when = pc.equal(typed[other_name], pa.scalar(expected, typed[other_name].type)).fill_null(False)
            missing = typed[col.name].is_null().to_numpy(zero_copy_only=False) & when.to_numpy(zero_copy_only=False)
            reasons = _first_error(reasons, _messages(
                missing, lambda i, col=col, other=other, expected=expected:
                f"{col.label} is empty although {other.label} is {expected}"))
    if source.pseudonym:
        typed[source.pseudonym] = pseudonymise(
            [column(c.source) for c in source.columns if c.pii == "pseudonym"], pii_key)
    if source.district:
        address = next(c.source for c in source.columns if c.pii == "district")
        typed[source.district] = district_of(column(address))
    table = pa.table({name: typed[name] for name in source.raw_columns()})
    return table, pd.Series(reasons.to_numpy(zero_copy_only=False), index=pd.Index(records), dtype=object)


def set_aside_copies(source: Source, chunk: pa.Table) -> list[dict | None]:
    """What each record of `chunk` (a reader's table of records to set aside) may keep, None for
    nothing at all:
    - a record the reader could not read whole (its `_error`: more or fewer fields than the
      header, a value after the last column, a JSON item that is no object) keeps nothing: which
      value belongs to which column cannot be told, and its line and reason say where to look;
    - any other record keeps its columns that are not personal data, as delivered; in a source
      that declares personal data, without the values their column's type refuses (a phone typed
      into a date column: that is how personal data in the wrong place shows)."""
    columns, _ = _columns(chunk)
    n = chunk.num_rows
    broken = (columns[ERROR_COLUMN].is_valid().to_numpy(zero_copy_only=False) if ERROR_COLUMN in columns
              else np.zeros(n, dtype=bool))
    kept: dict[str, pa.Array] = {}
    for col in source.columns:
        if col.pii or col.source not in columns:
            continue
        values = columns[col.source]
        if source.holds_personal_data and col.type != "text":
            refused = _parse(col, values)[1].is_valid()
            values = pc.if_else(refused, pa.scalar(None, pa.string()), values)
        kept[col.source] = values
    rows = pa.table(kept).to_pylist() if kept else [{} for _ in range(n)]
    return [None if whole else row for whole, row in zip(broken.tolist(), rows)]

"""Vectorised parsing of source values on Apache Arrow: a column of text in, `(values, errors)` out.

Every parser takes one column (an Arrow string array, or whatever `text_array` turns into one: a
pandas Series, a list) and returns two Arrow arrays of the same length: the typed values (null where
the input is blank or bad) and `errors`, a short English reason for each value that is present but
cannot be parsed (null elsewhere), which names the fault, not the value. Blank input is null and not
an error: whether a field is required is decided by the caller.

No parser loops over the rows in Python; Python only words the reason of a bad value and translates
the rare value that holds full-width characters. Dates and numbers are parsed by *shape*: every
digit of the column's data buffer is replaced by `9` (`114/03/05 14:22` -> `999/99/99 99:99`), the
handful of distinct shapes in a column is matched once each with an ordinary regex, which says where
each field's digits sit, and the values of one shape, all equally long, are a (rows x width) byte
matrix (a view of the data buffer when they lie back to back) whose digit columns add up to the
fields. Validation (month 13, 30 February, hour 24) is plain array arithmetic.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.labels import ROC_OFFSET

TIMEZONE = "Asia/Taipei"
# Longest value the date/number parsers look at; anything longer is bad anyway (an ISO timestamp
# with microseconds and an offset is 32 characters).
MAX_WIDTH = 40
# int64 holds every 18-digit number exactly.
MAX_DIGITS = 18

# What str.strip() strips: every character for which str.isspace() is true (tests check the list).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# Full-width ASCII (U+FF01-FF5E) is plain ASCII shifted by 0xFEE0; an IME in full-width mode also
# types U+3000 for a space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

Parsed = tuple[pa.Array, pa.StringArray]
_NULL_TEXT = pa.scalar(None, pa.string())


# ---------------------------------------------------------------------------------------------
# columns as Arrow arrays
# ---------------------------------------------------------------------------------------------
def text_array(values: object) -> pa.StringArray:
    """One column as a single Arrow string array, null for a missing value. Accepts Arrow arrays
    (chunked or not), pandas Series and plain sequences; a value that is not text becomes str(value)."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        if not isinstance(values, (pd.Series, pd.Index)):
            values = list(values)
        try:
            values = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            values = pa.array(_as_str_list(values), pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    kind = values.type
    if kind == pa.string():
        return values
    if (pa.types.is_large_string(kind) or pa.types.is_string_view(kind) or pa.types.is_null(kind)
            or (pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type))):
        return values.cast(pa.string())
    return pa.array(_as_str_list(values.to_pylist()), pa.string())


def _as_str_list(values: Iterable) -> list[str | None]:
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]


def string_buffers(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data bytes, offsets rebased to 0 (n + 1 of them), valid mask) of a string array, zero-copy."""
    n = len(arr)
    _validity, offsets, data = arr.buffers()[:3]
    if n == 0:
        return np.zeros(0, np.uint8), np.zeros(1, np.int64), np.zeros(0, bool)
    offs = np.frombuffer(offsets, dtype=np.int32, count=n + 1, offset=arr.offset * 4).astype(np.int64)
    start, end = offs[0], offs[-1]
    raw = np.frombuffer(data, dtype=np.uint8)[start:end] if data is not None else np.zeros(0, np.uint8)
    valid = (np.ones(n, dtype=bool) if arr.null_count == 0
             else arr.is_valid().to_numpy(zero_copy_only=False))
    return raw, offs - start, valid


def _rows_at(offsets: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The rows (sorted, unique) that hold the given byte positions."""
    return np.unique(np.searchsorted(offsets, positions, side="right") - 1)


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[rows] = True
    return out


# ---------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------
def normalize_text(values: object) -> pa.StringArray:
    """Strip surrounding whitespace (U+3000 included, exactly what str.strip() strips), turn
    full-width ASCII into half-width; '' becomes null. Nothing else changes (inner spaces are not
    collapsed). Only the values that hold a full-width character go through Python."""
    arr = text_array(values)
    if len(arr) == 0:
        return arr
    data, offsets, valid = string_buffers(arr)
    rows = _rows_at(offsets, _full_width_positions(data))
    if rows.size:
        mask = _mask(len(arr), rows) & valid
        fixed = [t.translate(_HALF_WIDTH) for t in arr.filter(pa.array(mask)).to_pylist()]
        arr = pc.replace_with_mask(arr, pa.array(mask), pa.array(fixed, pa.string()))
    arr = pc.utf8_trim(arr, WHITESPACE)
    lengths = pc.binary_length(arr)
    if pc.min(lengths).as_py() == 0:
        arr = pc.if_else(pc.equal(lengths, 0), _NULL_TEXT, arr)
    return arr


def _full_width_positions(data: np.ndarray) -> np.ndarray:
    """Byte positions where a full-width ASCII character (UTF-8 EF BC 81-BF, EF BD 80-9E) or an
    ideographic space (E3 80 80) starts."""
    if len(data) < 3:
        return np.zeros(0, np.int64)
    head = data[:-2]
    ef = np.flatnonzero(head == 0xEF)
    second, third = data[ef + 1], data[ef + 2]
    wide = ef[((second == 0xBC) & (third >= 0x81)) | ((second == 0xBD) & (third <= 0x9E))]
    e3 = np.flatnonzero(head == 0xE3)
    space = e3[(data[e3 + 1] == 0x80) & (data[e3 + 2] == 0x80)]
    return np.concatenate([wide, space])


def errors_where(raw: pa.StringArray, bad: np.ndarray, reason: str | Callable[[int], str]) -> pa.StringArray:
    """Null everywhere except the `bad` rows of the column `raw`, which get `reason` (it may depend
    on the row). The reason says what is wrong, never the value: whether a value may be shown is
    the caller's to decide (a phone typed into a date column is personal data; see typed_rows)."""
    rows = np.flatnonzero(bad)
    if not rows.size:
        return pa.nulls(len(bad), pa.string())
    texts = [reason(i) if callable(reason) else reason for i in rows.tolist()]
    return pc.replace_with_mask(pa.nulls(len(bad), pa.string()), pa.array(bad), pa.array(texts, pa.string()))


# ---------------------------------------------------------------------------------------------
# shapes: the machinery shared by the date and number parsers
# ---------------------------------------------------------------------------------------------
_SHAPE_OF = np.arange(256, dtype=np.uint8)
_SHAPE_OF[ord("0"):ord("9") + 1] = ord("9")


@dataclass(frozen=True)
class Layout:
    """Where one shape keeps its fields (byte positions of each field's digits, most significant
    first), plus constants the shape implies."""
    positions: dict[str, tuple[int, ...]]
    constants: dict[str, int] = field(default_factory=dict)


def _group_layout(match: re.Match, names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Digit positions of each named group of a shape regex that is present in the match."""
    return {name: tuple(range(*match.span(name))) for name in names if match.group(name)}


@dataclass
class Group:
    """The values of one shape: their rows, the shape's layout, and each field's value (int64)."""
    rows: np.ndarray
    layout: Layout
    fields: dict[str, np.ndarray]

    def get(self, name: str) -> np.ndarray | int:
        return self.fields.get(name, 0)

    @property
    def constants(self) -> dict[str, int]:
        return self.layout.constants


def _by_shape(text: pa.StringArray, layout_of: Callable[[bytes], Layout | None]) -> tuple[np.ndarray, list[Group]]:
    """(present, groups): which values of a normalised column are present, and the present values
    of each known shape with their fields. A present value in no group is bad."""
    data, offsets, valid = string_buffers(text)
    lengths = np.diff(offsets)
    usable = valid & (lengths > 0) & (lengths <= MAX_WIDTH)
    high = np.flatnonzero(data >= 0x80)   # a value with a non-ASCII character is no date or number
    if high.size:
        usable[_rows_at(offsets, high)] = False
    groups: list[Group] = []
    if not usable.any():
        return valid, groups
    shapes = pa.Array.from_buffers(pa.binary(), len(text), [None, pa.py_buffer(offsets.astype(np.int32)),
                                                            pa.py_buffer(np.take(_SHAPE_OF, data))])
    encoded = pc.dictionary_encode(shapes)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    for code, shape in enumerate(encoded.dictionary.to_pylist()):
        layout = layout_of(shape) if 0 < len(shape) <= MAX_WIDTH and shape.isascii() else None
        if layout is None:
            continue
        rows = np.flatnonzero((codes == code) & usable)
        if not rows.size:
            continue
        groups.append(Group(rows, layout, _fields(_matrix(data, offsets[rows], len(shape)), layout)))
    return valid, groups


def _matrix(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """The values starting at `starts` (ascending), each `width` bytes long, as a (rows x width)
    matrix: a view when they lie back to back in the buffer (a column of one shape, blanks and
    nulls taking no bytes), else gathered."""
    first = int(starts[0])
    if int(starts[-1]) - first == width * (len(starts) - 1):
        return data[first:first + width * len(starts)].reshape(len(starts), width)
    return np.lib.stride_tricks.sliding_window_view(data, width)[starts]


def _fields(matrix: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """Each field's value for every row of a (rows x width) byte matrix of one shape, accumulated
    digit by digit in int64 (integer arithmetic only, exact to 18 digits)."""
    out = {}
    for name, positions in layout.positions.items():
        if positions:
            value = matrix[:, positions[0]].astype(np.int64)
            value -= 48
            for position in positions[1:]:
                value *= 10
                value += matrix[:, position]
                value -= 48
            out[name] = value
    return out


# ---------------------------------------------------------------------------------------------
# dates and times
# ---------------------------------------------------------------------------------------------
_DATE_SEPARATED = r"(?P<Y>9{2,4})(?P<sep>[/.-])(?P<M>9{1,2})(?P=sep)(?P<D>9{1,2})"
_DATE_COMPACT = r"(?P<Y>999|9999)(?P<M>99)(?P<D>99)"
_TIME = r"(?P<h>9{1,2}):(?P<m>99)(?::(?P<s>99)(?:\.(?P<f>9{1,9}))?)?"
_TIME_COMPACT = r"(?P<h>99)(?P<m>99)(?P<s>99)"
_OFFSET = r"(?P<tz>Z|(?P<tzsign>[+-])(?P<tzh>99):?(?P<tzm>99))?"
_DATETIME_SHAPES = [
    # Hand-typed sheets sometimes put two spaces between date and time; that is still clear.
    re.compile(rf"{_DATE_SEPARATED}(?: +|T){_TIME}{_OFFSET}".encode()),
    re.compile(_DATE_SEPARATED.encode()),
    re.compile(rf"{_DATE_COMPACT}(?:{_TIME_COMPACT})?".encode()),
]
_YEAR_MONTH_SHAPES = [
    re.compile(rb"(?P<Y>9{2,4})(?P<sep>[/.-])(?P<M>9{1,2})"),
    re.compile(rb"(?P<Y>999|9999)(?P<M>99)"),
]
_DT_FIELDS = ("Y", "M", "D", "h", "m", "s", "f", "tzh", "tzm")
# Asia/Taipei has been UTC+8 without daylight saving time since 1980; earlier local times (DST
# 1946-1961, 1974-1975, 1979) go through the time zone database.
_FIXED_OFFSET_SINCE_US = int(np.datetime64("1980-01-01T00:00", "us").astype(np.int64))
_TAIPEI_OFFSET_US = 8 * 3600 * 1_000_000
_US_PER_DAY = 86_400_000_000


@functools.lru_cache(maxsize=4096)
def _datetime_layout(shape: bytes) -> Layout | None:
    for pattern in _DATETIME_SHAPES:
        match = pattern.fullmatch(shape)
        if match:
            break
    else:
        return None
    groups = match.groupdict()
    constants = {
        # docs/sources.md#date-formats: a 2-3 digit year is ROC (民國), a 4-digit year Gregorian.
        "roc": int(len(groups["Y"]) < 4),
        "frac_digits": len(groups.get("f") or b""),
        "tz": int(bool(groups.get("tz"))),
        "tz_sign": -1 if groups.get("tzsign") == b"-" else 1,
    }
    return Layout(_group_layout(match, [k for k in _DT_FIELDS if k in groups]), constants)


@functools.lru_cache(maxsize=1024)
def _year_month_layout(shape: bytes) -> Layout | None:
    for pattern in _YEAR_MONTH_SHAPES:
        match = pattern.fullmatch(shape)
        if match:
            return Layout(_group_layout(match, ("Y", "M")), {"roc": int(len(match.group("Y")) < 4)})
    return None


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _calendar(group: Group, day: np.ndarray | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(valid, days since 1970-01-01) of a group's dates. ROC years count from 1912 (民國 1); a
    ROC year 0 does not exist."""
    y, m = group.get("Y"), group.get("M")
    d = group.get("D") if day is None else day
    roc = group.constants["roc"]
    year = y + ROC_OFFSET * roc
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (m >= 1) & (m <= 12)
    last = _MONTH_DAYS[np.where(month_ok, m, 0)] + (leap & (m == 2))
    ok = month_ok & (d >= 1) & (d <= last) & (year >= 1) & ((y != 0) if roc else True)
    return ok, _epoch_days(np.where(ok, year, 1970), np.where(ok, m, 1), np.where(ok, d, 1))


def _epoch_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _parse_dates(values: object, reason: str, layout_of: Callable[[bytes], Layout | None],
                 value_of: Callable[[Group], tuple[np.ndarray, np.ndarray]], kind: pa.DataType) -> Parsed:
    """Shared by the date parsers: `value_of(group)` gives (valid, int64 value) per shape group."""
    raw = text_array(values)
    present, groups = _by_shape(normalize_text(raw), layout_of)
    out = np.zeros(len(raw), dtype=np.int64)
    ok = np.zeros(len(raw), dtype=bool)
    for group in groups:
        ok[group.rows], out[group.rows] = value_of(group)
    if pa.types.is_date32(kind):
        out = out.astype(np.int32)
    return pa.array(out, type=kind, mask=~ok), errors_where(raw, present & ~ok, reason)


def _date_value(group: Group) -> tuple[np.ndarray, np.ndarray]:
    """(valid, days since 1970) of a group's dates; a time or offset after the date must be valid too."""
    ok, days = _calendar(group)
    ok &= (group.get("h") <= 23) & (group.get("m") <= 59) & (group.get("s") <= 59)
    return ok & (group.get("tzh") <= 14) & (group.get("tzm") <= 59), days


def _instant(group: Group) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since 1970 UTC of a group's local (or explicitly offset) timestamps."""
    ok, days = _date_value(group)
    c = group.constants
    digits = c["frac_digits"]
    # Fraction digits beyond microseconds are cut, not rounded (rounding could carry into the
    # next second, or day).
    frac = group.get("f") * 10 ** (6 - digits) if digits <= 6 else group.get("f") // 10 ** (digits - 6)
    local = days * _US_PER_DAY + ((group.get("h") * 60 + group.get("m")) * 60 + group.get("s")) * 1_000_000 + frac
    if c["tz"]:
        return ok, local - c["tz_sign"] * (group.get("tzh") * 60 + group.get("tzm")) * 60_000_000
    utc = local - _TAIPEI_OFFSET_US
    historic = np.flatnonzero(ok & (local < _FIXED_OFFSET_SINCE_US))
    if historic.size:
        # A local time Taiwan's clocks skipped or repeated (DST until 1979) is not a clear instant.
        zoned = pd.DatetimeIndex(local[historic].astype("datetime64[us]")).tz_localize(
            TIMEZONE, ambiguous="NaT", nonexistent="NaT")
        unclear = np.asarray(zoned.isna())
        ok[historic[unclear]] = False
        utc[historic[~unclear]] = zoned[~unclear].tz_convert("UTC").tz_localize(None).as_unit("us").asi8
    return ok, utc


def parse_date(values: object) -> Parsed:
    """Dates in every form of docs/sources.md#date-formats (ROC `114/03/05`, `114/3/5`, `1140305`; Gregorian
    `2025-03-05`, `20250305`, `2025/3/5`). A time after the date (some exports add ` 00:00`) is
    accepted and dropped. Values: date32."""
    return _parse_dates(values, "not a date", _datetime_layout, _date_value, pa.date32())


def parse_datetime(values: object) -> Parsed:
    """Timestamps: ROC `114/03/05 14:22(:10)`, ROC compact `1140305142210`, Gregorian
    `2025-03-05 14:22:10`, `2025/3/5 14:22`, ISO `2025-03-05T14:22:10(.123)(+08:00|Z)`; a bare date
    is midnight. Values: timestamp[us, Asia/Taipei] (the sources' local time)."""
    return _parse_dates(values, "not a datetime", _datetime_layout, _instant, pa.timestamp("us", tz=TIMEZONE))


def parse_year_month(values: object) -> Parsed:
    """ROC year-month `11403` (also `114/03`, `2025-03`, `202503`) -> first day of that month, date32."""
    return _parse_dates(values, "not a year-month", _year_month_layout, lambda g: _calendar(g, day=1), pa.date32())


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------
_NUMBER_SHAPE = re.compile(
    rb"(?P<open>\()?(?P<sign>[+-])?(?P<int>9{1,3}(?:,999)+|9+)?(?:\.(?P<frac>9*))?(?P<close>\))?")
_DASH = b"-"   # spreadsheet convention for zero / nothing
_NUMBER_REASONS = ("not a number", f"more than {MAX_DIGITS} digits", "not a whole number")


@functools.lru_cache(maxsize=4096)
def _number_layout(shape: bytes, *, grouping: bool, accounting: bool) -> Layout | None:
    if shape == _DASH:
        return Layout({}, {"sign": 1, "scale": 0, "too_long": 0}) if accounting else None
    match = _NUMBER_SHAPE.fullmatch(shape)
    if not match:
        return None
    open_, sign, int_part, frac, close = match.group("open", "sign", "int", "frac", "close")
    if not (int_part or frac) or bool(open_) != bool(close) or (open_ and sign):
        return None
    if (open_ and not accounting) or (int_part and b"," in int_part and not grouping):
        return None
    digit_spans = [span for span in (match.span("int"), match.span("frac")) if span[1] > span[0]]
    positions = tuple(p for start, end in digit_spans for p in range(start, end) if shape[p] == ord("9"))
    if len(positions) > MAX_DIGITS:
        return Layout({}, {"sign": 1, "scale": 0, "too_long": 1})
    # The mantissa is every digit of the int and fraction parts; the commas between them are skipped.
    negative = sign == b"-" or bool(open_)
    return Layout({"mantissa": positions}, {"sign": -1 if negative else 1, "scale": len(frac or b""), "too_long": 0})


def _numbers(values: object, *, grouping: bool, accounting: bool, whole: bool = False):
    """Per row: mantissa, scale (digits after the point) and sign, whether it is a good number
    (and whole, if asked), and the errors of the bad ones."""
    raw = text_array(values)
    layout = functools.partial(_number_layout, grouping=grouping, accounting=accounting)
    present, groups = _by_shape(normalize_text(raw), layout)
    n = len(raw)
    mantissa, scale, sign = np.zeros(n, np.int64), np.zeros(n, np.int64), np.ones(n, np.int64)
    ok = np.zeros(n, dtype=bool)
    reason = np.zeros(n, dtype=np.int8)     # index into _NUMBER_REASONS
    for group in groups:
        c = group.constants
        if c["too_long"]:
            reason[group.rows] = 1
            continue
        m = group.get("mantissa")
        good = np.ones(len(group.rows), dtype=bool)
        if whole and c["scale"]:
            good = m % 10 ** c["scale"] == 0
            reason[group.rows[~good]] = 2
        ok[group.rows] = good
        mantissa[group.rows], scale[group.rows], sign[group.rows] = m, c["scale"], c["sign"]
    errors = errors_where(raw, present & ~ok, lambda i: _NUMBER_REASONS[reason[i]])
    return mantissa, scale, sign, ok, errors


def parse_int(values: object) -> Parsed:
    """Whole numbers: `1,234`, `-5`, `(5)`, `12.0` (xlsx); `-` alone is 0. `1.5` is an error. Values: int64."""
    mantissa, scale, sign, ok, errors = _numbers(values, grouping=True, accounting=True, whole=True)
    out = np.where(ok, sign * (mantissa // 10 ** np.clip(scale, 0, MAX_DIGITS)), 0)
    return pa.array(out, type=pa.int64(), mask=~ok), errors


def _float_values(mantissa: np.ndarray, scale: np.ndarray, sign: np.ndarray, ok: np.ndarray) -> pa.DoubleArray:
    # An exact integer divided by an exact power of ten rounds once: the same float as float(text).
    # Adding 0.0 turns -0.0 (from `-0`) into 0.0.
    value = sign * (mantissa.astype(np.float64) / 10.0 ** scale) + 0.0
    return pa.array(np.where(ok, value, 0.0), type=pa.float64(), mask=~ok)


def parse_amount(values: object) -> Parsed:
    """Money: `1,234,567.50`, `-1,200`, `(1,200)` (negative), `-` alone is 0. Values: float64."""
    mantissa, scale, sign, ok, errors = _numbers(values, grouping=True, accounting=True)
    return _float_values(mantissa, scale, sign, ok), errors


def parse_decimal(values: object) -> Parsed:
    """Plain decimal numbers (`12`, `-0.5`, `3.25`): no thousands separators, no `-` for zero."""
    mantissa, scale, sign, ok, errors = _numbers(values, grouping=False, accounting=False)
    return _float_values(mantissa, scale, sign, ok), errors


# ---------------------------------------------------------------------------------------------
# flags and code lists
# ---------------------------------------------------------------------------------------------
def _normalized_options(options: Iterable[str]) -> list[str]:
    return list(_normalized(tuple(options)))


@functools.lru_cache(maxsize=256)
def _normalized(options: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o for o in normalize_text(pa.array(list(options), pa.string())).to_pylist() if o is not None)


def parse_bool(values: object, true_values: Iterable[str] = ("是",), false_values: Iterable[str] = ("否",)) -> Parsed:
    """`是` / `否` (or the given spellings) -> boolean."""
    trues, falses = _normalized_options(true_values), _normalized_options(false_values)
    raw = text_array(values)
    text = normalize_text(raw)
    is_true = pc.is_in(text, value_set=pa.array(trues, pa.string())).to_numpy(zero_copy_only=False)
    is_false = pc.is_in(text, value_set=pa.array(falses, pa.string())).to_numpy(zero_copy_only=False)
    known = is_true | is_false
    out = pa.array(is_true, type=pa.bool_(), mask=~known)
    present = text.is_valid().to_numpy(zero_copy_only=False)
    return out, errors_where(raw, present & ~known, f"not one of {'/'.join(trues + falses)}")


def parse_choice(values: object, allowed: Iterable[str]) -> Parsed:
    """The value (normalised) must be one of `allowed`; values are the normalised text."""
    options = _normalized_options(allowed)
    raw = text_array(values)
    text = normalize_text(raw)
    good = pc.is_in(text, value_set=pa.array(options, pa.string()))
    bad = text.is_valid().to_numpy(zero_copy_only=False) & ~good.to_numpy(zero_copy_only=False)
    values = pc.if_else(good, text, _NULL_TEXT) if bad.any() else text
    return values, errors_where(raw, bad, f"not one of {'/'.join(options)}")

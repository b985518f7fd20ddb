"""From the source's text to typed raw rows: parse each column by its declared type, check the
declared constraints, turn personal data into a pseudonym and a district, and say in words why a
row is set aside. Works on pandas chunks, column by column (vectorised), never row by row."""
from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from kpi.loaders import parsing
from kpi.loaders.spec import Column, Source

KEELUNG_DISTRICT = r"((?:中正|七堵|暖暖|仁愛|中山|安樂|信義)區)"
ANY_DISTRICT = r"(?:[市縣])([^\s市縣區]{1,3}區)"


def _parse(col: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if col.type == "text":
        return parsing.normalize_text(raw), pd.Series(pd.NA, index=raw.index, dtype="object")
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


def _first_error(reasons: pd.Series, new: pd.Series | None) -> pd.Series:
    """Keep the first reason a row got; later checks only fill rows that were still good."""
    if new is None or not new.notna().any():
        return reasons
    return reasons.where(reasons.notna(), new)


def _messages(mask: pd.Series, make) -> pd.Series | None:
    """Reasons for the rows in `mask` only (most chunks have none: build nothing then)."""
    if not mask.any():
        return None
    return pd.Series({i: make(i) for i in mask.index[mask]}, dtype="object").reindex(mask.index)


def _checked(col: Column, values: pd.Series, errors: pd.Series) -> pd.Series:
    has_error = errors.notna()
    reasons = (errors.where(~has_error, col.label + ": " + errors.astype("string")).astype("object")
               if has_error.any() else errors)
    if col.required:
        missing = values.isna() & ~has_error
        reasons = _first_error(reasons, _messages(missing, lambda i: f"{col.label} is empty"))
    if col.min is not None or col.max is not None:
        numeric = pd.to_numeric(values, errors="coerce")
        if col.min is not None:
            word = "is negative" if col.min == 0 else f"is below {_fmt(col.min)}"
            reasons = _first_error(reasons, _messages(
                (numeric < col.min).fillna(False), lambda i: f"{col.label} {word}: {_fmt(numeric[i])}"))
        if col.max is not None:
            reasons = _first_error(reasons, _messages(
                (numeric > col.max).fillna(False), lambda i: f"{col.label} is above {_fmt(col.max)}: {_fmt(numeric[i])}"))
    return reasons


_IDENTITY_NOISE = str.maketrans("", "", " \t-()")


def pseudonymise(frame: pd.DataFrame, columns: list[str], key: bytes) -> pd.Series:
    """Keyed HMAC-SHA256 of the petitioner's identifying fields, normalised so that the same person
    typed the same way gets the same pseudonym; NA when every field is empty. One HMAC per
    distinct identity (a petitioner appears in every version of every case)."""
    parts = [parsing.normalize_text(frame[c]).to_numpy(dtype=object, na_value="") for c in columns]
    cache: dict[str, str | None] = {}
    out = []
    for fields in zip(*parts):
        identity = "|".join(fields).lower().translate(_IDENTITY_NOISE)
        digest = cache.get(identity)
        if digest is None and identity not in cache:
            digest = (hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
                      if identity.strip("|") else None)
            cache[identity] = digest
        out.append(digest)
    return pd.Series(out, index=frame.index, dtype="object")


def district_of(address: pd.Series) -> pd.Series:
    text = parsing.normalize_text(address)
    found = text.str.extract(KEELUNG_DISTRICT, expand=False)
    return found.fillna(text.str.extract(ANY_DISTRICT, expand=False))


def type_chunk(source: Source, frame: pd.DataFrame, pii_key: bytes) -> tuple[pd.DataFrame, pd.Series]:
    """Typed raw columns for every record of `frame`, and the reason each bad record is set aside
    (NA for good records). `frame` holds the source's own column names as text; an optional
    `_error` column carries structural problems found while reading."""
    index = frame.index
    reasons = (frame["_error"].astype("object") if "_error" in frame
               else pd.Series(pd.NA, index=index, dtype="object"))
    typed: dict[str, pd.Series] = {}
    for col in source.kept:
        values, errors = _parse(col, frame[col.source])
        typed[col.name] = values
        reasons = _first_error(reasons, _checked(col, values, errors))
    by_name = {c.name: c for c in source.kept}
    for col in source.kept:
        if col.max_column:
            other = by_name[col.max_column]
            a, b = (pd.to_numeric(typed[n], errors="coerce") for n in (col.name, other.name))
            reasons = _first_error(reasons, _messages(
                (a > b).fillna(False), lambda i: f"{col.label} {_fmt(a[i])} exceeds {other.label} {_fmt(b[i])}"))
        if col.required_when:
            (other_name, expected), = col.required_when.items()
            other = by_name[other_name]
            missing = typed[col.name].isna() & (typed[other_name] == expected).fillna(False)
            reasons = _first_error(reasons, _messages(
                missing, lambda i: f"{col.label} is empty although {other.label} is {expected}"))
    if source.pseudonym:
        typed[source.pseudonym] = pseudonymise(
            frame, [c.source for c in source.columns if c.pii == "pseudonym"], pii_key)
    if source.district:
        address = next(c.source for c in source.columns if c.pii == "district")
        typed[source.district] = district_of(frame[address])
    return pd.DataFrame(typed, index=index), reasons


def without_personal_data(source: Source, frame: pd.DataFrame) -> pd.DataFrame:
    """The record as delivered, minus every personal-data column: what a set-aside row may keep."""
    return frame[[c.source for c in source.columns if not c.pii and c.source in frame]]

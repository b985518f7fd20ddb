"""The declared sources (sources.yml) as typed objects, and the raw tables they load into."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from kpi import config, errors

SOURCES_RELATIVE = Path("include/kpi/loaders/sources.yml")
KINDS = ("file", "sql", "http")
TYPES = ("text", "int", "amount", "decimal", "date", "datetime", "year_month", "bool", "choice")
PG_TYPES = {"text": "text", "choice": "text", "int": "bigint", "amount": "numeric", "decimal": "numeric",
            "date": "date", "datetime": "timestamptz", "year_month": "date", "bool": "boolean"}
META_COLUMNS = ("_object", "_record", "_load_id")
DATE_TYPES = ("date", "datetime", "year_month")
# Time limits of sql and http sources, in seconds (sources.yml, or KPI_<SOURCE>_<LIMIT> to override):
# timeout: the longest wait for the network (connect, or one read); page_deadline (http): one page,
# all its bytes included (a server trickling bytes defeats a read timeout); deadline: the whole source.
LIMITS = ("timeout", "page_deadline", "deadline")


class SpecError(errors.InputError):
    pass


@dataclass(frozen=True)
class Column:
    source: str                      # header / key / column name as the source delivers it
    name: str | None = None          # raw column name; None for personal data that is not kept
    type: str = "text"
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_column: str | None = None
    values: tuple[str, ...] | None = None
    values_from_seed: str | None = None
    required_when: dict | None = None
    true_values: tuple[str, ...] = ("是",)
    false_values: tuple[str, ...] = ("否",)
    pii: str | None = None           # pseudonym / district / drop
    # date, datetime, year_month: a value later than this many years after the delivery is set aside
    max_years_ahead: int = 1

    @property
    def label(self) -> str:
        return self.source if self.name in (None, self.source) else f"{self.source} ({self.name})"

    def allowed_values(self) -> tuple[str, ...] | None:
        if self.values_from_seed:   # `values` add to the seed's, e.g. ALL beside the unit codes
            seed, column = self.values_from_seed.split(".")
            return tuple(self.values or ()) + _seed_values(seed, column)
        return self.values


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    raw_table: str
    columns: tuple[Column, ...]
    description: str = ""
    # file
    path: str | None = None
    format: str | None = None
    encoding: str | None = None
    header_row: int = 3
    total_marker: str = "合計"
    sheet: str | None = None   # xlsx: the worksheet by name; the first one when unset
    # sql / http
    url_env: str | None = None
    default_url: str | None = None
    table: str | None = None
    watermark: str | None = None
    lookback_days: int = 7
    key: tuple[str, ...] = ()
    items_key: str = "items"
    next_key: str = "next"
    timeout: float = 30
    page_deadline: float = 120
    deadline: float = 1800
    # personal data
    pseudonym: str | None = None
    district: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.raw_table}"

    @property
    def header(self) -> list[str]:
        return [c.source for c in self.columns]

    @property
    def holds_personal_data(self) -> bool:
        """Whether the source declares a personal-data column. Then any of its columns can hold
        personal data (a phone typed into a date column), so no reason quotes a value of it and a
        set-aside row keeps no value its column refuses."""
        return any(c.pii for c in self.columns)

    @property
    def kept(self) -> list[Column]:
        return [c for c in self.columns if c.name and not c.pii]

    def raw_columns(self) -> list[str]:
        cols = [c.name for c in self.kept]
        cols += [n for n in (self.pseudonym, self.district) if n]
        return cols

    def url(self) -> str:
        return (config.source_url_setting(self.url_env) or self.default_url or "").format(
            landing=config.landing_dir())

    def url_configured(self) -> bool:
        """Whether the URL was set explicitly (its variable), rather than the default in the landing
        directory: a configured source that cannot be opened is an error, not "nothing delivered"."""
        return bool(config.source_url_setting(self.url_env))

    def limit(self, name: str) -> float:
        """One of LIMITS in seconds: KPI_<SOURCE>_<NAME> if set, else sources.yml, else the default."""
        variable, text = config.source_limit_setting(self.name, name)
        value = getattr(self, name)
        if text:
            try:
                value = float(text)
            except ValueError:
                raise SpecError(f"{variable} must be a number of seconds, got {text!r}") from None
        if not value > 0:
            raise SpecError(f"source {self.name}: {name} must be more than 0 seconds, got {value!r}")
        return float(value)

    def ddl(self) -> str:
        cols = [f'    "{c.name}" {PG_TYPES[c.type]}' for c in self.kept]
        cols += [f'    "{n}" text' for n in (self.pseudonym, self.district) if n]
        cols += ['    "_object" text not null', '    "_record" bigint not null', '    "_load_id" bigint not null',
                 '    "_loaded_at" timestamptz not null default now()']
        key = ", ".join(f'"{k}"' for k in self.key) if self.kind == "sql" else '"_object", "_record"'
        create = (f"create table if not exists {self.qualified_table} (\n" + ",\n".join(cols)
                  + f",\n    primary key ({key})\n);\n")
        # a column declared after the table was created is added (nullable: old rows lack it)
        added = "".join(f"alter table {self.qualified_table} "
                        f"add column if not exists {c.strip().split(' not null')[0]};\n"
                        for c in cols)
        return create + added


@cache
def _seed_values(seed: str, column: str) -> tuple[str, ...]:
    path = config.dbt_project_dir() / "seeds" / f"{seed}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(row[column] for row in csv.DictReader(fh))


def _column(source: str, body: dict) -> Column:
    body = dict(body or {})
    for key in ("values", "true_values", "false_values"):
        if key in body:
            body[key] = tuple(str(v) for v in body[key])
    col = Column(source=source, **body)
    if col.type not in TYPES:
        raise SpecError(f"column {source}: unknown type {col.type!r} (one of {', '.join(TYPES)})")
    if col.pii not in (None, "pseudonym", "district", "drop"):
        raise SpecError(f"column {source}: unknown pii {col.pii!r}")
    if not col.pii and not col.name:
        raise SpecError(f"column {source}: needs a name (or pii: drop)")
    if not isinstance(col.max_years_ahead, int) or col.max_years_ahead < 0:
        raise SpecError(f"column {source}: max_years_ahead must be a whole number of years")
    return col


def parse_sources(data: dict) -> dict[str, Source]:
    sources = {}
    for name, body in (data or {}).items():
        body = dict(body)
        try:
            columns = tuple(_column(src, col) for src, col in body.pop("columns").items())
            kind = body.pop("kind")
            if kind not in KINDS:
                raise SpecError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
            if "key" in body:
                body["key"] = tuple(body["key"])
            source = Source(name=name, kind=kind, columns=columns, **body)
        except (KeyError, TypeError) as exc:
            raise SpecError(f"source {name}: {exc}") from None
        if source.pseudonym and not any(c.pii == "pseudonym" for c in columns):
            raise SpecError(f"source {name}: pseudonym set but no column has pii: pseudonym")
        sources[name] = source
    return sources


def sources_file() -> Path:
    """sources.yml of the project in use (KPI_PROJECT_DIR can point at another checkout)."""
    return config.project_root() / SOURCES_RELATIVE


# libyaml's safe loader when PyYAML was built with it: same result, a tenth of the time (a night reads
# the declarations in every load task and more)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_sources(path: Path | None = None) -> dict[str, Source]:
    with open(path or sources_file(), encoding="utf-8") as fh:
        return parse_sources(yaml.load(fh, Loader=_YAML_LOADER))

"""`kpi new-source`: the three places a new source touches, written for the data engineer to edit.

1. include/kpi/loaders/sources.yml   the declaration (where it comes from, columns, types, checks)
2. dbt_project/models/staging/<name>/stg_<name>__<entity>.sql   renames and types
3. dbt_project/models/staging/<name>/_<name>.yml   the dbt source (with freshness) and the model's tests
The DAG picks the source up by itself (one load task per declared source).
"""
from __future__ import annotations

import re
from pathlib import Path

from kpi import config, errors
from kpi.loaders.spec import load_sources, sources_file

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

DECLARATIONS = {
    "file": """
{name}:
  kind: file
  description: "TODO: which system delivers this, and how often"
  path: "{name}/{name}_*.csv"
  format: csv                 # csv / xlsx / json
  encoding: utf-8-sig         # cp950 for Big5 exports; detected when omitted
  raw_table: {name}__{entity}
  columns:                    # the header exactly as delivered -> raw name, type and checks
    編號: {{name: record_id, type: text, required: true}}
    日期: {{name: record_date, type: date, required: true}}
    數量: {{name: quantity, type: int, min: 0}}
""",
    "sql": """
{name}:
  kind: sql
  description: "TODO: which system delivers this"
  url_env: KPI_{upper}_URL
  default_url: "sqlite:///{{landing}}/{name}/{name}.sqlite"
  table: {entity}
  watermark: updated_at       # rows changed after the last watermark minus lookback_days are read
  lookback_days: 7
  raw_table: {name}__{entity}
  key: [record_id, updated_at]
  columns:
    record_id: {{name: record_id, type: text, required: true}}
    record_date: {{name: record_date, type: date, required: true}}
    quantity: {{name: quantity, type: int, min: 0}}
    updated_at: {{name: updated_at, type: datetime, required: true}}
""",
    "http": """
{name}:
  kind: http
  description: "TODO: which API delivers this"
  url_env: KPI_{upper}_URL
  default_url: "file://{{landing}}/{name}/page-1.json"
  items_key: items
  next_key: next
  raw_table: {name}__{entity}
  columns:
    recordId: {{name: record_id, type: text, required: true}}
    recordDate: {{name: record_date, type: date, required: true}}
    quantity: {{name: quantity, type: int, min: 0}}
""",
}

STAGING_SQL = """-- {name}: renames and types only; one row per {entity} (see _{name}.yml for the key).
with source as (
    select * from {{{{ source('{name}', '{entity}') }}}}
)

select
    record_id,
    record_date,
    quantity,
    _object as source_object,
    _record as source_record
from source
"""

STAGING_YML = """version: 2

sources:
  - name: {name}
    description: "TODO: which system delivers this (declared in include/kpi/loaders/sources.yml)."
    schema: raw
    loaded_at_field: _loaded_at
    config:
      freshness:
        warn_after: {{count: 2, period: day}}
        error_after: {{count: 7, period: day}}
    tables:
      - name: {entity}
        identifier: {name}__{entity}
        description: "As loaded by the load engine: one row per record of each delivered object."

models:
  - name: stg_{name}__{entity}
    description: "TODO: one row per {entity}."
    columns:
      - name: record_id
        description: "TODO (中文名稱)."
        data_tests: [not_null]
      - name: record_date
        description: "TODO (中文名稱)."
        data_tests: [not_null]
      - name: quantity
        description: "TODO (中文名稱)."
      - name: source_object
        description: "File, URL or table the row came from."
      - name: source_record
        description: "Line, worksheet row or item number in that object."
"""


def new_source(name: str, kind: str, entity: str | None = None) -> list[Path]:
    if not NAME_RE.match(name):
        raise errors.InputError(f"source name must be lower_snake_case letters/digits: {name!r}")
    if kind not in DECLARATIONS:
        raise errors.InputError(f"kind must be one of {', '.join(DECLARATIONS)}: {kind!r}")
    entity = entity or name
    if not NAME_RE.match(entity):
        raise errors.InputError(f"entity must be lower_snake_case: {entity!r}")
    if name in load_sources():
        raise errors.InputError(f"source {name!r} is already declared in {sources_file()}")
    folder = config.dbt_project_dir() / "models" / "staging" / name
    if folder.exists():
        raise errors.InputError(f"{folder} already exists")
    values = {"name": name, "entity": entity, "upper": name.upper()}
    declarations = sources_file()
    with open(declarations, "a", encoding="utf-8") as fh:
        fh.write(DECLARATIONS[kind].format(**values))
    load_sources()  # the appended entry must parse
    folder.mkdir(parents=True)
    model = folder / f"stg_{name}__{entity}.sql"
    model.write_text(STAGING_SQL.format(**values), encoding="utf-8")
    yml = folder / f"_{name}.yml"
    yml.write_text(STAGING_YML.format(**values), encoding="utf-8")
    return [declarations, model, yml]

"""Every table the pipeline itself owns in `raw` (dbt owns the rest), in one place.

`create_pipeline_tables` runs at bootstrap (warehouse.up), so the tables exist before any loader,
lock or notification needs them and dbt can build before a source delivers. Every statement is
idempotent; a column added later comes with its `add column if not exists`.

- raw.load_ledger, raw.rejected_rows: what each load read, loaded and set aside (kpi.ledger);
- raw.pipeline_lock: the run holding the warehouse (kpi.run_lock);
- raw.notification_log: what the notifications delivered (kpi.notify);
- one raw table per source of sources.yml (kpi.loaders.spec.Source.ddl).
"""
from __future__ import annotations

import psycopg

from kpi.loaders.spec import load_sources

LEDGER_DDL = """
create table if not exists raw.load_ledger (
    load_id        bigserial primary key,
    source         text not null,
    object_name    text not null,
    checksum       text,
    object_size    bigint,
    object_mtime   double precision,
    watermark      text,
    rows_read      integer not null default 0,
    rows_loaded    integer not null default 0,
    rows_rejected  integer not null default 0,
    status         text not null check (status in ('running', 'loaded', 'skipped', 'failed')),
    error          text,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz
);
alter table raw.load_ledger add column if not exists object_size bigint;
alter table raw.load_ledger add column if not exists object_mtime double precision;
create index if not exists load_ledger_source_idx on raw.load_ledger (source, object_name, load_id);

create table if not exists raw.rejected_rows (
    source       text not null,
    object_name  text not null,
    record_ref   text not null,
    line         integer,
    reason       text not null,
    row_data     jsonb,
    load_id      bigint not null references raw.load_ledger (load_id),
    rejected_at  timestamptz not null default now(),
    primary key (source, object_name, record_ref)
);
"""

LOCK_DDL = """
create table if not exists raw.pipeline_lock (
    lock_name    text primary key,
    run_id       text not null,
    as_of_date   date,
    acquired_at  timestamptz not null default now()
);
alter table raw.pipeline_lock
    add column if not exists dag_id      text,
    add column if not exists host        text,
    add column if not exists pid         integer,
    add column if not exists alive_while text not null default 'dag_run'
"""

NOTIFICATION_LOG_DDL = """
create table if not exists raw.notification_log (
    as_of_date   date not null,
    channel      text not null,
    destination  text not null,
    digest       text not null,
    alerts       integer not null,
    sent_at      timestamptz not null default now()
);
create index if not exists notification_log_as_of_idx on raw.notification_log (as_of_date, channel);
comment on table raw.notification_log is 'What kpi.notify delivered: per as-of date and channel, the digest '
    'of the content (a retry does not send it twice).';
"""


def create_pipeline_tables(conn: psycopg.Connection) -> None:
    for ddl in (LEDGER_DDL, LOCK_DDL, NOTIFICATION_LOG_DDL):
        conn.execute(ddl)
    for source in load_sources().values():
        conn.execute(source.ddl())

"""Bulk loading with PostgreSQL COPY: rows go to a temporary table, then into the target in one
statement, so a batch is all-or-nothing and duplicate versions are dropped by the target's key."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql


def copy_upsert(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence],
                conflict_columns: Sequence[str]) -> int:
    """COPY rows into schema.table, skipping rows whose conflict key is already there.

    Returns the number of rows inserted.
    """
    schema, name = table.split(".")
    target = sql.Identifier(schema, name)
    tmp = sql.Identifier(f"_copy_{name}")
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    conn.execute(sql.SQL("create temporary table {} (like {} including defaults) on commit drop").format(tmp, target))
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("copy {} ({}) from stdin").format(tmp, cols)) as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(sql.SQL("insert into {} ({}) select {} from {} on conflict ({}) do nothing").format(
            target, cols, cols, tmp, sql.SQL(", ").join(map(sql.Identifier, conflict_columns))))
        inserted = cur.rowcount
    conn.execute(sql.SQL("drop table {}").format(tmp))
    return inserted

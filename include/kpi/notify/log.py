"""raw.notification_log (kpi.schema): what was delivered where, by the digest of its content, so
that a retry or a rerun with unchanged alerts does not send the same content to the same place twice."""
from __future__ import annotations

import hashlib
import json
from datetime import date

from kpi import warehouse


def digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def already_sent(as_of: date, channel: str, destination: str, digest: str) -> bool:
    with warehouse.connect() as conn:
        row = conn.execute(
            "select sent_at from raw.notification_log where as_of_date = %s and channel = %s "
            "and destination = %s and digest = %s limit 1", (as_of, channel, destination, digest)).fetchone()
    return row is not None


def record(as_of: date, channel: str, destination: str, digest: str, alerts: int) -> None:
    with warehouse.connect() as conn:
        conn.execute("insert into raw.notification_log (as_of_date, channel, destination, digest, alerts) "
                     "values (%s, %s, %s, %s, %s)", (as_of, channel, destination, digest, alerts))
        conn.commit()

"""Extract-and-load of the source systems into the warehouse's `raw` schema, one module per source.

LOADERS is the one place a new source is registered: the DAG makes one load task per entry.
"""
from __future__ import annotations

from collections.abc import Callable

from kpi.ledger import LoadResult
from kpi.loaders import documents

LOADERS: dict[str, Callable[[], LoadResult]] = {
    documents.SOURCE: documents.load,
}

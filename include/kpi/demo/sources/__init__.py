"""Demo writers of the sources added after the first six, one module per source named as the source
in include/kpi/loaders/sources.yml, found here by name: `kpi new-indicator` writes one, and nothing
else needs editing for `kpi demo-data` to write its files. A module has

    OWN_FILES: list[str]   # glob patterns under <landing>/<source>/ the writer owns (cleared on a rerun)
    def write(landing, *, departments, calendar, start, until, rng, scale, progress) -> dict
        # {"files": [{"path", "rows", "bad_rows", "bad": [{"line", ...}]}], "rows": n, "bad_rows": n}

A declared source needs no writer: without one the demo delivers nothing for it (the report says
尚無資料)."""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def writers() -> dict[str, ModuleType]:
    return {info.name: importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name) if not info.name.startswith("_")}

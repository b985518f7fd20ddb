"""write_landing: the whole synthetic landing directory, for every source, plus its manifest."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kpi import errors

from .budget import write_budget
from .calendar import OfficeCalendar, write_calendar_files
from .documents import write_documents
from .draws import source_rng
from .explanations import ANSWERS, write_explanations
from .hr import write_hr
from .orgs import load_departments
from .petitions import write_petitions
from .register import write_register
from .sources import writers

MANIFEST = "_manifest.json"
# the first sources' writers below, then one module each in kpi/demo/sources/ (found by name)
_PLUGINS = writers()
SOURCES = ("documents", "petitions", "budget", "register", "hr", "calendar", "explanations", *_PLUGINS)
# Only what this generator writes is cleared before a rerun; anything else in landing is left alone.
_OWN_FILES = {
    "documents": ["doc_stats.sqlite", "doc_stats.sqlite-journal"],
    "petitions": ["petitions_*.csv"],
    "budget": ["budget_*.xlsx"],
    "register": ["kpi_register.csv"],
    "hr": ["monthly.json", "monthly-*.json"],
    "calendar": ["calendar_*.csv"],
    "explanations": [f"{unit}_*.xlsx" for unit, *_ in ANSWERS],
    **{name: list(module.OWN_FILES) for name, module in _PLUGINS.items()},
}


def _clear_previous(landing: Path) -> None:
    """A rerun with a shorter range must not leave files the new manifest does not list."""
    for folder, patterns in _OWN_FILES.items():
        for pattern in patterns:
            for path in (landing / folder).glob(pattern):
                path.unlink()
    (landing / MANIFEST).unlink(missing_ok=True)


def write_landing(landing: Path, until: date, *, start: date = date(2022, 1, 1), seed: int = 114,
                  scale: float = 1.0, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Write a synthetic landing directory for days start..until (inclusive) and return its manifest.

    Deterministic for a given (seed, start, until, scale): nothing reads the clock, and each source
    draws from its own seeded generator.
    """
    if until < start:
        raise errors.InputError(f"until ({until}) is before start ({start})")
    if scale <= 0:
        raise errors.InputError("scale must be positive")
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    _clear_previous(landing)

    departments = load_departments()
    years = list(range(start.year, until.year + 1))
    # The same calendar the pipeline will load: published years from the files, weekends otherwise.
    calendar = OfficeCalendar(years)

    sources = {
        "calendar": write_calendar_files(landing, calendar, years, progress),
        "documents": write_documents(landing, departments, calendar, start, until,
                                     source_rng(seed, "documents"), scale, progress),
        "petitions": write_petitions(landing, departments, calendar, start, until,
                                     source_rng(seed, "petitions"), scale, progress),
        "budget": write_budget(landing, departments, start, until, source_rng(seed, "budget"), scale, progress),
        "register": write_register(landing, departments, calendar, start, until,
                                   source_rng(seed, "register"), progress),
        "hr": write_hr(landing, departments, start, until, source_rng(seed, "hr"), progress),
        "explanations": write_explanations(landing, until, source_rng(seed, "explanations"), progress),
        **{name: module.write(landing, departments=departments, calendar=calendar, start=start, until=until,
                              rng=source_rng(seed, name), scale=scale, progress=progress)
           for name, module in _PLUGINS.items()},
    }
    manifest = {
        "generator": "kpi.demo",
        "seed": seed,
        "start": start.isoformat(),
        "until": until.isoformat(),
        "scale": scale,
        "line_numbers": {
            "csv": "1-based physical line in the file (line 1 is the header)",
            "xlsx": "worksheet row number",
            "json": "0-based item index within the page",
            "sqlite": "rowid",
        },
        "sources": {name: sources[name] for name in SOURCES},
    }
    (landing / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest

"""S5: the HR system's monthly staffing API, as paged JSON files (`{"items": [...], "next": ...}`)."""
from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .draws import centred
from .orgs import Department
from .roc import roc_year_month

PAGE_SIZE = 120
# C2.1 design: city-wide contract staff in December vs the previous December (target 0% growth).
CONTRACT_GROWTH = {2022: 0.012, 2023: -0.008, 2024: 0.015, 2025: 0.0, 2026: 0.006}
# C3.1 design: share of civil servants done with the year's learning hours by December (target 80%).
LEARNING_BY_DECEMBER = {2022: 0.84, 2023: 0.78, 2024: 0.86, 2025: 0.82, 2026: 0.83}
# Cumulative share of the year's learners done by each month end (people finish late in the year).
_LEARNING_CURVE = [0.06, 0.13, 0.21, 0.29, 0.38, 0.47, 0.56, 0.64, 0.72, 0.81, 0.9, 1.0]


def _months(start: date, until: date) -> list[tuple[int, int]]:
    months, (y, m) = [], (start.year, start.month)
    while (y, m) <= (until.year, until.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _design(table: dict[int, float], year: int) -> float:
    return table.get(year, table[min(table, key=lambda y: abs(y - year))])


def generate_items(departments: list[Department], start: date, until: date,
                   rng: random.Random) -> list[dict]:
    n = len(departments)
    civil = [d.staff for d in departments]
    contract = [max(2, round(d.staff * rng.uniform(0.08, 0.16))) for d in departments]
    december_total = sum(contract)
    items: list[dict] = []
    learned_share: list[float] = []
    learning_year = None
    for year, month in _months(start, until):
        if learning_year != year:
            learning_year = year
            target = _design(LEARNING_BY_DECEMBER, year)
            learned_share = [min(0.98, max(0.5, s)) for s in
                             centred([target + rng.gauss(0, 0.05) for _ in range(n)], civil, target)]
            prev_december = december_total
            goal = round(prev_december * (1 + _design(CONTRACT_GROWTH, year)))
            learned = [0] * n
        # Contract staff: drift from last December toward this December's goal, with churn.
        wanted = round(prev_december + (goal - prev_december) * month / 12) + (0 if month == 12 else rng.randint(-1, 1))
        for _ in range(rng.randint(0, 3)):  # someone leaves here, someone is hired there
            a, b = rng.randrange(n), rng.randrange(n)
            if contract[a] > 2:
                contract[a] -= 1
                contract[b] += 1
        while sum(contract) != wanted:
            i = rng.choices(range(n), weights=contract)[0]
            if sum(contract) < wanted:
                contract[i] += 1
            elif contract[i] > 2:
                contract[i] -= 1
        if month == 12:
            december_total = sum(contract)
        for i in range(n):
            civil[i] = max(10, civil[i] + rng.choice([-1, 0, 0, 0, 0, 1]))
            curve = _LEARNING_CURVE[month - 1] * rng.uniform(0.96, 1.04) if month < 12 else 1.0
            # Completed hours never un-complete within a year; January starts from zero again.
            learned[i] = min(civil[i], max(learned[i], math.floor(civil[i] * learned_share[i] * curve)))
            d = departments[i]
            items.append({
                "yearMonth": roc_year_month(year, month), "unitCode": d.code, "unitName": d.name,
                "contractStaff": contract[i], "civilServants": civil[i], "learningCompleted": learned[i],
            })
    return items


def page_name(k: int) -> str:
    return "monthly.json" if k == 1 else f"monthly-{k}.json"


def write_hr(landing: Path, departments: list[Department], start: date, until: date,
             rng: random.Random, progress: Callable[[str, int, int], None] | None = None) -> dict:
    folder = landing / "hr"
    folder.mkdir(parents=True, exist_ok=True)
    items = generate_items(departments, start, until, rng)
    # Short runs still get several pages, so paging is exercised even on a test-sized landing.
    size = PAGE_SIZE if len(items) > 4 * PAGE_SIZE else max(1, math.ceil(len(items) / 4))
    pages = [items[i:i + size] for i in range(0, len(items), size)] or [[]]
    files = []
    for k, page in enumerate(pages, start=1):
        if k == len(pages):
            nxt = None
        elif k == 2:
            # One absolute link, as an API behind a proxy returns, to exercise both URL forms.
            nxt = (folder / page_name(k + 1)).resolve().as_uri()
        else:
            nxt = page_name(k + 1)
        path = folder / page_name(k)
        path.write_text(json.dumps({"items": page, "next": nxt}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
        # The manifest names the next page without the landing path, so it stays byte-identical.
        files.append({"path": f"hr/{path.name}", "format": "json", "encoding": "utf-8",
                      "rows": len(page), "bad_rows": 0, "bad": [],
                      "next_page": None if nxt is None else page_name(k + 1),
                      "next_link": None if nxt is None else ("absolute" if k == 2 else "relative")})
        if progress:
            progress("hr", k, len(pages))
    return {"files": files, "rows": len(items), "bad_rows": 0, "pages": len(pages)}

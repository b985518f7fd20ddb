"""The city's departments, read from the dbt seed so the demo data and the warehouse agree."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kpi import errors


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    # civil servants at the start of the simulation; drives HR figures and the personnel budget
    staff: int
    # share of the city's document and petition workload
    workload: float


# Rough relative sizes for Keelung's departments; unknown codes (a seed edited later) fall back to
# a middling department so the generator still works.
_STAFF = {
    "KL0100": 115, "KL0200": 70, "KL0300": 88, "KL0400": 110, "KL0500": 95, "KL0600": 105,
    "KL0700": 80, "KL0800": 92, "KL0900": 85, "KL1000": 60, "KL1100": 40, "KL1200": 78,
    "KL1300": 45, "KL1400": 25, "KL1500": 55, "KL1600": 880, "KL1700": 340, "KL1800": 120,
    "KL1900": 175, "KL2000": 150,
}
_WORKLOAD = {
    "KL0100": 6, "KL0200": 4, "KL0300": 3.5, "KL0400": 10, "KL0500": 4.5, "KL0600": 7,
    "KL0700": 4, "KL0800": 6, "KL0900": 5, "KL1000": 3, "KL1100": 3, "KL1200": 9,
    "KL1300": 2.5, "KL1400": 1.2, "KL1500": 3, "KL1600": 13, "KL1700": 4, "KL1800": 4,
    "KL1900": 7, "KL2000": 5,
}


def org_units_csv() -> Path:
    """The dbt seed listing the departments (parents[3] of include/kpi/demo/x.py is the project)."""
    return Path(__file__).resolve().parents[3] / "dbt_project/seeds/org_units.csv"


def load_departments(path: Path | None = None) -> list[Department]:
    with (path or org_units_csv()).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    departments = [
        Department(
            code=row["org_unit_code"].strip(),
            name=row["org_unit_name_zh"].strip(),
            staff=_STAFF.get(row["org_unit_code"].strip(), 70),
            workload=_WORKLOAD.get(row["org_unit_code"].strip(), 4.0),
        )
        for row in rows
        if row.get("org_unit_code", "").strip()
    ]
    if not departments:
        raise errors.InputError(f"no departments in {path or org_units_csv()}")
    return sorted(departments, key=lambda d: d.code)

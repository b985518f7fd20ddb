"""The Superset bundle shipped in bi/superset/kpi_dashboard (issue 11): what make_bundle.py writes,
every chart a plain query on one mart, and a history chart that reads right over several years.
bench/bi_superset.sh renders it in a real Superset; these checks need no Superset."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "bi" / "superset" / "kpi_dashboard"


def _charts() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (BUNDLE / "charts").glob("*.yaml")}


def test_the_committed_bundle_is_what_make_bundle_writes(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bi/superset/make_bundle.py"), str(tmp_path),
                    str(ROOT / "dbt_project/seeds")], check=True, capture_output=True, timeout=60)
    written = {p.relative_to(tmp_path): p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.yaml")}
    committed = {p.relative_to(BUNDLE): p.read_text(encoding="utf-8") for p in BUNDLE.rglob("*.yaml")}
    assert written.keys() == committed.keys()
    stale = [str(k) for k in written if written[k] != committed[k]]
    assert not stale, f"run make_bundle.py and commit: {stale}"


def test_every_chart_is_a_plain_query_on_one_mart():
    """Done-when of issue 11: each view is a table query on a mart, no subquery, no CASE."""
    for path in (BUNDLE / "datasets").rglob("*.yaml"):
        ds = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert ds["schema"] == "marts" and ds["sql"] is None, path.name
    for name, chart in _charts().items():
        text = json.dumps(chart["params"], ensure_ascii=False) + chart["query_context"]
        assert not re.search(r"\b(select|case)\b", text, re.I), name


def test_the_history_chart_names_the_year_on_its_axis():
    """kpi_status_history holds every year a first run fills (since the first day of data), so an
    axis of month/day alone repeats 01/01 once a year and hides which year a point is."""
    params = _charts()["history_k72"]["params"]
    assert params["x_axis"] == "as_of_date"
    assert "%Y" in params["x_axis_time_format"] or params["x_axis_time_format"] == "smart_date"

"""The two tiers of the suite: `make test` runs `pytest -m "not slow"`, `make test-all` (and CI)
everything. Nothing may fall between them, and the fast tier still builds the warehouse from demo data
with real dbt end to end."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import PROJECT

# fast-tier modules that write demo data, load it and build it with dbt, no mocks: one must stay fast
END_TO_END = {"test_report.py", "test_notify.py"}


def test_every_module_is_in_the_fast_tier_or_marked_slow_and_an_end_to_end_build_is_fast():
    res = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-o", "addopts=", "-m", "not slow"], cwd=PROJECT, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    fast = {line.split("::")[0].removeprefix("tests/") for line in res.stdout.splitlines() if "::" in line}
    modules = {p.name: p.read_text(encoding="utf-8") for p in (PROJECT / "tests").glob("test_*.py")}
    slow = {name for name, text in modules.items() if re.search(r"^pytestmark = \[?pytest\.mark\.slow\b", text, re.M)}
    assert not fast & slow
    assert fast | slow == set(modules), f"neither collected nor marked slow: {sorted(set(modules) - fast - slow)}"
    assert fast & END_TO_END

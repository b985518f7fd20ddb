"""How the package is cut into modules: the server module stands alone."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import kpi

USERS_OF_THE_TABLES = {"kpi.notify", "kpi.run_lock", "kpi.ledger", "kpi.status_table"}


def _imports_anywhere(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_warehouse_module_imports_no_notification_code():
    """kpi.warehouse runs the server; the pipeline's tables are kpi.schema's. Neither importing it
    nor anything inside it may reach what uses those tables (the old cycle warehouse ->
    notify / run_lock -> warehouse, through an import hidden in bootstrap)."""
    code = "import json, sys; import kpi.warehouse; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    loaded = set(json.loads(out.stdout))
    assert "kpi.schema" in loaded
    assert not {m for m in loaded if m in USERS_OF_THE_TABLES or m.startswith("kpi.notify.") or m == "smtplib"}
    reached = _imports_anywhere(Path(kpi.__file__).parent / "warehouse.py")
    assert not reached & USERS_OF_THE_TABLES, reached & USERS_OF_THE_TABLES

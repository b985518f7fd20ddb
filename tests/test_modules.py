"""How the package is cut into modules: the server module stands alone, one base error class."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def _project_exception_classes() -> dict[str, type]:
    import importlib
    import inspect
    import pkgutil

    found = {}
    for info in pkgutil.walk_packages(kpi.__path__, "kpi."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == info.name
                    and not name.startswith("_")):
                found[f"{info.name}.{name}"] = obj
    return found


def test_every_project_error_derives_from_kpi_error():
    """One base class, so `kpi` catches one type: every public exception class of the package."""
    from kpi.errors import KpiError

    classes = _project_exception_classes()
    assert "kpi.notify.content.NotifyError" in classes and "kpi.warehouse.WarehouseError" in classes
    assert not [name for name, cls in classes.items() if not issubclass(cls, KpiError)]


def test_kpi_prints_a_project_error_as_one_line_and_lets_a_bug_through(capsys, monkeypatch):
    from kpi import cli, scaffold

    assert cli.main(["new-source", "Not-Snake", "--kind", "file"]) == 2      # scaffold's InputError
    err = capsys.readouterr().err
    assert err.startswith("kpi new-source: source name must be lower_snake_case") and err.count("\n") == 1

    def bug(*args):
        raise KeyError("a bug, not an operator's problem")
    monkeypatch.setattr(scaffold, "new_source", bug)
    with pytest.raises(KeyError):
        cli.main(["new-source", "fine_name", "--kind", "file"])


# Modules that may touch the environment besides kpi.config, with the reason. kpi.config reads every
# setting (one function each, with its default) and passes the environment on to child processes
# (config.child_env), so nothing else needs to.
ENVIRONMENT_ALLOWED: dict[str, str] = {}


def _environment_uses(path: Path) -> list[str]:
    """Where `path` touches the process environment: os.environ / os.environb / os.getenv / os.putenv,
    or those names imported from os."""
    env_names = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and node.attr in env_names
                and isinstance(node.value, ast.Name) and node.value.id == "os"):
            found.append(f"line {node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names if a.name in env_names]
    return found


def test_only_the_config_module_reads_the_environment():
    """Settings are read in one place (kpi.config), so each has one default and one docstring; a
    module reading os.environ itself is how defaults drift apart."""
    root = Path(kpi.__file__).parent
    files = [*root.rglob("*.py"), *(root.parents[1] / "dags").glob("*.py")]
    assert any(p.name == "pipeline.py" for p in files)
    offenders = {}
    for path in files:
        name = path.relative_to(root.parents[1]).as_posix()
        if name == "include/kpi/config.py" or name in ENVIRONMENT_ALLOWED:
            continue
        if uses := _environment_uses(path):
            offenders[name] = uses
    assert offenders == {}, "read the setting through kpi.config instead"


def test_the_config_module_does_read_the_environment():
    """The scan above finds what it looks for (it would pass vacuously otherwise)."""
    assert _environment_uses(Path(kpi.__file__).parent / "config.py")

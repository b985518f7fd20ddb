"""Commands that read the marts, run on a warehouse that `kpi up` created but no run has filled yet,
say what to do (Traditional Chinese, exit 1) instead of a Python traceback."""
from __future__ import annotations

import pytest
from conftest import run_kpi


@pytest.mark.parametrize("args", [("status",), ("backtest", "--year", "2024"), ("backtest", "--year", "2024", "--json"),
                                  ("report",)])
def test_a_command_before_the_first_run_says_to_run_first(warehouse_db, args):
    res = run_kpi(*args)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    assert "請先執行 kpi run" in res.stderr, res.stderr

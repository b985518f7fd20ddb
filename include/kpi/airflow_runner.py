"""`python -m kpi.airflow_runner dags test …`: the `airflow` command as `kpi run` starts it, without two
costs a short-lived Airflow process pays and a night does not need (measured in bench/history.py --dag).

- Python's cyclic garbage collector runs every 700 new objects by default; Airflow's start (its
  imports, the in-process execution API its first task builds) creates millions, so collections that
  free nothing took 1–2 s of every run. The thresholds are raised, not switched off: the loads run in
  this process, and their cycles are still freed.
- At exit the interpreter collects and tears down every module: about 3 s after the run had
  finished ("DagRun Finished" logged). The exit handlers still run and the output is flushed; only
  that teardown is skipped. Everything the run writes is committed by then.
"""
from __future__ import annotations

import atexit
import gc
import logging
import os
import sys

# gen0 every 100,000 allocations instead of 700; the older generations in proportion
GC_THRESHOLDS = (100_000, 50, 100)


def main() -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    from airflow.__main__ import main as airflow_main

    sys.argv[0] = "airflow"
    try:
        airflow_main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return code


if __name__ == "__main__":
    rc = main()
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)

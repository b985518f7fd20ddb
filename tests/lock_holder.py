"""A process holding the warehouse lock the way `kpi run`'s runner does (its session keeps it alive),
for tests that kill holders."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

_HOLD = """
import sys, time
from datetime import date
from kpi import run_lock
run_lock.acquire(sys.argv[1], date.fromisoformat(sys.argv[2]), dag_id="kpi_nightly", keep_session=True,
                 wait_seconds=0)
print("held", flush=True)
time.sleep(3600)
"""


def hold(run_id: str, as_of: date) -> subprocess.Popen:
    """Start a holder and return once it holds the lock (its env: this process's, i.e. the test's
    warehouse database)."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, run_id, as_of.isoformat()], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    line = proc.stdout.readline()
    if line.strip() != "held":
        proc.kill()
        raise RuntimeError(f"lock holder did not start: {line} {proc.stderr.read()[-2000:]}")
    return proc

"""`kpi backtest | head`: a reader that goes away ends the command quietly, with the shell's SIGPIPE status."""
from __future__ import annotations

import signal
import subprocess
import sys

# a command whose output nobody reads: `kpi status`'s printing, without needing a warehouse
PRINTS = ("import sys, kpi.cli as cli\n"
          "cli.cmd_status = lambda args: print('K1.1 達成\\n' * 50) or 0\n"
          "sys.exit(cli.main(['status']))\n")


def test_a_closed_pipe_ends_the_command_without_a_traceback():
    proc = subprocess.Popen([sys.executable, "-c", PRINTS], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the command writes a byte
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGPIPE, err.decode()
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()
